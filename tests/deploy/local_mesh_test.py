#!/usr/bin/python3
"""README command 1 end to end: deploy/local/up.sh and down.sh.

    local_mesh_test.py --build-dir DIR [--metrics-doc docs/metrics.md]

- runs up.sh (MESHID_SKIP_INSTALL=1, MESHID_BUILD_DIR=DIR: its build step
  runs against the already-built tree, so it builds the four binaries if
  they are missing or stale) with a temporary data folder and free loopback
  ports, and asserts the story: a decoded token, an Append and a Query
  through the gateway, a key rotation with 0 failed calls, the revoked
  key's token refused with UNAUTHENTICATED;
- asserts nothing secret was printed: no secret of the data folder, no whole
  JWT;
- with the mesh up, checks docs/metrics.md against the three servers' live
  /metrics (tools/docs/metrics_reference.py --check);
- runs up.sh again: it must succeed, reusing the three running servers (same
  pids) and the clients;
- runs down.sh: every server exits and no process of the data folder remains.
Everything is bounded; whatever happens, the servers are stopped.
"""

import argparse
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import deploylib as dl

SERVERS = ("meshid-identity", "meshid-log", "meshid-gateway")
UP_TIMEOUT = 150  # the first run may build (a no-op on a built tree)
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")


def run_script(script, env, timeout):
    try:
        proc = subprocess.run([str(dl.REPO / "deploy" / "local" / script)], env=env,
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        dl.fail(f"{script} did not finish within {timeout} s; output so far:\n{out[-4000:]}")
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        dl.fail(f"{script} exited {proc.returncode}; output:\n{output[-6000:]}")
    return output


def expect(output, pattern, what):
    if not re.search(pattern, output, re.MULTILINE):
        dl.fail(f"up.sh output lacks {what} (/{pattern}/); output:\n{output[-6000:]}")


def check_story(output):
    expect(output, r"^header: \{\"alg\":\"HS256\",\"kid\":", "(a) a decoded token header")
    expect(output, r"^claims: \{.*\"aud\":\"meshid-gateway\"", "(a) the token's claims")
    expect(output, r"Log\.Append via the gateway: OK, accepted=1 rejected=0",
           "(b) an Append through the gateway")
    expect(output, r"INFO\s+APP\s+meshid-gateway\s.*local mesh demo",
           "(b) the Query through the gateway reading the entry back")
    expect(output, r"calls OK with kid \S+: [1-9]", "(c) calls before/after the rotation")
    expect(output, r"^    failed calls during rotation: 0$", "(c) 0 failed calls")
    expect(output, r"refused with UNAUTHENTICATED", "(d) the revoked key's token refused")
    expect(output, r"a fresh token \(replacement key \S+\): call OK",
           "(d) calls going on with the replacement key")


def check_no_secrets(output, data):
    for path in data.glob("*.secret"):
        secret = path.read_text().strip()
        if secret and secret in output:
            dl.fail(f"up.sh printed the secret of {path.name}")
    master = (data / "master.key").read_text().strip()
    if master in output:
        dl.fail("up.sh printed the master key")
    if JWT.search(output):
        dl.fail("up.sh printed a whole token")


def pids(data):
    out = {}
    for name in SERVERS:
        path = data / f"{name}.pid"
        if not path.exists():
            dl.fail(f"{path} missing while the mesh should run")
        out[name] = int(path.read_text().strip())
    return out


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def processes_using(data):
    """Pids whose command line names the data folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        if str(data) in cmdline and int(entry.name) != os.getpid():
            found.append((int(entry.name), cmdline.strip()))
    return found


def kill_leftovers(data):
    for pid, _ in processes_using(data):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--metrics-doc", default=str(dl.REPO / "docs" / "metrics.md"))
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="meshid-up-test."))
    data = tmp / "data"
    ports = {name: dl.free_port() for name in (
        "IDENTITY", "KEYADMIN", "HTTP", "LOG", "LOG_HTTP", "GATEWAY", "GATEWAY_HTTP")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHID_")}
    env.update({"MESHID_SKIP_INSTALL": "1", "MESHID_BUILD_DIR": args.build_dir,
                "MESHID_DATA_DIR": str(data), "MESHID_JOBS": "2",
                "MESHID_STOP_TIMEOUT": "10"})
    env.update({f"MESHID_{name}_PORT": str(port) for name, port in ports.items()})
    try:
        print("== up.sh, first run", flush=True)
        start = time.monotonic()
        first = run_script("up.sh", env, UP_TIMEOUT)
        print(f"   {time.monotonic() - start:.1f} s", flush=True)
        check_story(first)
        check_no_secrets(first, data)
        for name in SERVERS:
            expect(first, rf"^    {name} started \(pid \d+\)", f"{name} started")
        first_pids = pids(data)

        print("== docs/metrics.md against live /metrics", flush=True)
        urls = {"meshid-identity": ports["HTTP"], "meshid-log": ports["LOG_HTTP"],
                "meshid-gateway": ports["GATEWAY_HTTP"]}
        check = subprocess.run(
            ["/usr/bin/python3", str(dl.REPO / "tools" / "docs" / "metrics_reference.py"),
             "--check", "--out", args.metrics_doc,
             *[a for s, p in urls.items() for a in ("--metrics", f"{s}=http://127.0.0.1:{p}/metrics")]],
            capture_output=True, text=True, timeout=60)
        print(check.stdout.strip(), flush=True)
        if check.returncode != 0:
            dl.fail(f"docs/metrics.md is out of date:\n{check.stdout}{check.stderr}")

        print("== up.sh, second run (reuse)", flush=True)
        second_env = dict(env, MESHID_SKIP_BUILD="1")
        second = run_script("up.sh", second_env, UP_TIMEOUT)
        check_story(second)
        check_no_secrets(second, data)
        for name in SERVERS:
            expect(second, rf"^    {name} already running \(pid {first_pids[name]}\); reusing it",
                   f"{name} reused")
        for client in ("logging-service", "meshid-gateway", "careergpt-backend"):
            expect(second, rf"^    client {client} exists; reusing it", f"client {client} reused")
        if pids(data) != first_pids:
            dl.fail(f"the second run replaced servers: {first_pids} -> {pids(data)}")

        print("== down.sh", flush=True)
        down = run_script("down.sh", env, 60)
        for name in SERVERS:
            expect(down, rf"^{name} stopped \(pid {first_pids[name]}\)", f"{name} stopped")
        dl.wait_until("every server to exit",
                      lambda: not any(alive(p) for p in first_pids.values()), timeout=15)
        dl.wait_until("no process of the data folder",
                      lambda: not processes_using(data), timeout=15)
        again = run_script("down.sh", env, 30)
        for name in SERVERS:
            expect(again, rf"^{name} is not running", f"{name}: down.sh run twice")
    finally:
        subprocess.run([str(dl.REPO / "deploy" / "local" / "down.sh")], env=env,
                       capture_output=True, timeout=60)
        kill_leftovers(data)
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    dl.run_main(main)
