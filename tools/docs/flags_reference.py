#!/usr/bin/python3
"""Renders docs/flags.md: every flag, environment variable and default of
meshid-identity, meshid-log, meshid-gateway and meshctl, read from the
binaries themselves (`--helpfull` for the servers, `meshctl help` and each
command's `--help`), so the reference cannot drift from the code.

    flags_reference.py --bin meshid-identity=PATH --bin meshid-log=PATH \
        --bin meshid-gateway=PATH --bin meshctl=PATH [--out docs/flags.md] [--check]

--check writes nothing: it exits 1, naming every flag missing from the file
and printing a diff, when the file is not what the binaries render now.
Usually run through tools/docs/regenerate.sh.
"""

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVERS = ("meshid-identity", "meshid-log", "meshid-gateway")
# Positional commands of the servers (not visible in --helpfull).
POSITIONALS = {
    "meshid-identity": "`meshid-identity migrate` applies the store's pending "
                       "migrations and exits.",
    "meshid-log": "`meshid-log migrate` applies the store's pending migrations "
                  "and exits.",
    "meshid-gateway": "Everything else (listen addresses, meshid-identity's "
                      "addresses, credentials, upstreams, routes, limits, the "
                      "Log server) is in the JSON config of `--config`; its "
                      "schema, with every field's default, is "
                      "`proto/meshid/gateway/v1/config.proto`.",
}

_ENTRY = re.compile(r"^    --(\w+) \((.*)$")
_TAIL = re.compile(r'\);\s*default: ("(?:[^"\\]|\\.)*"|[^;]*);\s*$')


def run(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin"})  # no MESHID_* of ours
    return proc.stdout + proc.stderr


def server_flags(binary):
    """[(name, default, help)] of a server's own flags (not absl's)."""
    text = run([binary, "--helpfull"])
    flags, section, entry = [], "", None

    def close():
        if entry is None:
            return
        name, body = entry
        joined = " ".join(s.strip() for s in body)
        m = _TAIL.search(joined)
        if not m:
            raise SystemExit(f"{binary} --helpfull: cannot parse --{name}: {joined}")
        help_text = joined[:m.start()]
        default = m.group(1).strip()
        if len(default) >= 2 and default[0] == default[-1] == '"':
            default = default[1:-1]
        flags.append((name, default, help_text))

    for line in text.splitlines():
        m = re.match(r"^  Flags from (.+):$", line)
        if m:
            close()
            entry, section = None, m.group(1)
            continue
        m = _ENTRY.match(line)
        if m:
            close()
            entry = (m.group(1), [m.group(2)]) if "absl/" not in section else None
            continue
        if entry is not None and line.startswith("      "):
            entry[1].append(line)
        else:
            close()
            entry = None
    close()
    if not flags:
        raise SystemExit(f"{binary} --helpfull listed no meshid flag:\n{text}")
    return sorted(flags)


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def render_server(name, binary):
    out = [f"## {name}", ""]
    if name in POSITIONALS:
        out += [POSITIONALS[name], ""]
    out += ["| flag | environment | default | meaning |", "|---|---|---|---|"]
    for flag, default, help_text in server_flags(binary):
        shown = f"`{cell(default)}`" if default else "(empty)"
        out.append(f"| `--{flag}` | `MESHID_{flag.upper()}` | {shown} | {cell(help_text)} |")
    return out + [""]


def meshctl_commands(text):
    """[(group, name, usage, summary)] from `meshctl help`."""
    commands = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^  meshctl (\S+) (\S+)( .*)?$", line)
        if m and i + 1 < len(lines) and lines[i + 1].startswith("      "):
            commands.append((m.group(1), m.group(2), line.strip(), lines[i + 1].strip()))
    return commands


def block_after(text, header):
    """The lines of `text` from the line starting with `header` to the next
    blank line."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            return lines[i:j]
    return []


def render_meshctl(binary):
    text = run([binary, "help"])
    commands = meshctl_commands(text)
    if not commands:
        raise SystemExit(f"{binary} help listed no command:\n{text}")
    out = ["## meshctl", "",
           "The admin and debugging CLI. Flags are spelled `--with-dashes`; a "
           "command's own flags are in its usage line, and every command that "
           "calls a server also takes the connection flags below.", "",
           "```", *block_after(text, "usage:"), "```", "",
           "| command | usage | what it does |", "|---|---|---|"]
    details = []
    for group, name, usage, summary in commands:
        flags = usage[len(f"meshctl {group} {name}"):].strip() or "-"
        out.append(f"| `{group} {name}` | `{cell(flags)}` | {cell(summary)} |")
        # Lines of the command's own --help beyond its usage and summary.
        own = run([binary, group, name, "--help"]).split("\nconnection flags")[0]
        extra = [l for l in own.splitlines()[1:] if l.strip() and l.strip() != summary]
        if extra:
            details += [f"`meshctl {group} {name}`:", "", "```", *extra, "```", ""]
    connection = block_after(text, "connection flags")
    exit_status = block_after(text, "exit status")
    env_vars = sorted(set(re.findall(r"MESHID_[A-Z_]+", text)))
    out += ["", "Connection flags and their environment defaults:", "", "```",
            *connection, "```", ""]
    out += ["Environment variables meshctl reads: "
            + ", ".join(f"`{v}`" for v in env_vars) + ".", ""]
    if exit_status:
        out += [" ".join(l.strip() for l in exit_status), ""]
    if details:
        out += ["### More about some commands", "", *details]
    return out


def render(bins):
    out = ["# Flag reference", "",
           "Generated from the binaries by `tools/docs/regenerate.sh` "
           "(`tools/docs/flags_reference.py`); do not edit by hand. The test "
           "`docs.flags_reference` fails when this file and the binaries disagree.",
           "",
           "Every server flag `--foo_bar` can also be spelled `--foo-bar` and is "
           "read from the environment variable `MESHID_FOO_BAR`; the command "
           "line wins over the environment, which wins over the default. A "
           "duration is written like `10s`, `15m`, `24h`.", ""]
    for name in SERVERS:
        out += render_server(name, bins[name])
    out += render_meshctl(bins["meshctl"])
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--out", default=str(REPO / "docs" / "flags.md"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    bins = dict(b.split("=", 1) for b in args.bin)
    missing = [n for n in (*SERVERS, "meshctl") if not bins.get(n)]
    if missing:
        raise SystemExit(f"--bin missing for: {', '.join(missing)}")
    text = render(bins)
    out = Path(args.out)
    if not args.check:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}")
        return
    current = out.read_text() if out.exists() else ""
    if current == text:
        print(f"PASS: {out} matches the binaries")
        return
    problems = []
    for name in SERVERS:
        for flag, _, _ in server_flags(bins[name]):
            if f"`--{flag}`" not in current:
                problems.append(f"{name} --{flag} is missing")
    for flag in sorted(set(re.findall(r"--[a-z][a-z-]+", run([bins["meshctl"], "help"])))):
        if flag not in current:
            problems.append(f"meshctl {flag} is missing")
    print(f"FAIL: {out} is not what the binaries render now; "
          f"run tools/docs/regenerate.sh")
    for p in problems:
        print(f"  {p}")
    sys.stdout.writelines(difflib.unified_diff(
        current.splitlines(True), text.splitlines(True), str(out), "rendered now"))
    sys.exit(1)


if __name__ == "__main__":
    main()
