#!/usr/bin/python3
"""deploy/prometheus with Debian's promtool, offline:
- `promtool check config` on prometheus.yml (which checks its rule files too);
- `promtool check rules` on every rule file;
- `promtool test rules` on the rule unit tests;
- every meshid_* metric the rules use is registered somewhere in the C++
  sources, or is one of the few still-unwritten servers' metrics listed in
  EXPECTED_ELSEWHERE (so a renamed metric cannot silently break an alert).

    prometheus_rules_test.py [--promtool PROMTOOL]
"""

import argparse
import re
import subprocess

import deploylib as dl

PROM = dl.REPO / "deploy" / "prometheus"

# Metrics the rules may use before a server registers them (a rule written
# ahead of its code). Empty: every metric the rules use is registered.
EXPECTED_ELSEWHERE = set()

SOURCE_DIRS = ("common", "identity", "logging", "gateway")


def promtool(binary, *args):
    try:
        proc = subprocess.run([binary, *args], capture_output=True, text=True,
                              timeout=120, cwd=PROM)
    except FileNotFoundError:
        dl.fail(f"{binary} not found (Debian package prometheus)")
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        dl.fail(f"promtool {' '.join(args)} failed:\n{out}")
    return out


def expand(pattern):
    """The names a metric-name regex made of literals and (a|b) groups matches."""
    parts = re.split(r"\(([^()]*)\)", pattern)
    names = [""]
    for i, part in enumerate(parts):
        options = part.split("|") if i % 2 else [part]
        names = [n + o for n in names for o in options]
    for n in names:
        if not re.fullmatch(r"[a-z0-9_]+", n):
            dl.fail(f"cannot check the metric-name regex {pattern!r}")
    return names


def registered_metrics():
    names = set()
    for d in SOURCE_DIRS:
        for path in (dl.REPO / d).rglob("*.cc"):
            text = path.read_text(errors="replace")
            names.update(re.findall(r'"(meshid_[a-z0-9_]+)"', text))
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--promtool", default="promtool")
    args = parser.parse_args()
    rule_files = sorted(str(p.relative_to(PROM)) for p in (PROM / "rules").glob("*.yml")
                        if not p.name.endswith("_test.yml"))
    test_files = sorted(str(p.relative_to(PROM)) for p in (PROM / "rules").glob("*_test.yml"))
    if not rule_files or not test_files:
        dl.fail("deploy/prometheus/rules has no rule files or no rule tests")
    print(promtool(args.promtool, "check", "config", "prometheus.yml"))
    print(promtool(args.promtool, "check", "rules", *rule_files))
    print(promtool(args.promtool, "test", "rules", *test_files))

    used = set()
    for f in rule_files:
        text = (PROM / f).read_text()
        for expr in re.findall(r"expr:\s*(\|[\s\S]*?(?=\n\s*(?:for|labels|annotations|-\s)|\Z)|.*)", text):
            for pattern in re.findall(r'__name__=~"([^"]*)"', expr):
                used.update(expand(pattern))
            bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
            used.update(re.findall(r"(?<![:\w])(meshid_[a-z0-9_]+)", bare))
    histogram_bases = {re.sub(r"_(bucket|sum|count)$", "", m) for m in used}
    registered = registered_metrics()
    missing = sorted(m for m in histogram_bases
                     if m not in registered and m not in EXPECTED_ELSEWHERE)
    if missing:
        dl.fail("the rules use metrics no source registers (renamed?): " + ", ".join(missing))
    landed = sorted(EXPECTED_ELSEWHERE & registered)
    if landed:
        print(f"note: now registered in the sources, drop from EXPECTED_ELSEWHERE: {landed}")
    print(f"rules use {len(histogram_bases)} meshid metrics; not yet registered by any "
          f"server: {sorted(EXPECTED_ELSEWHERE - registered)}")


if __name__ == "__main__":
    dl.run_main(main)
