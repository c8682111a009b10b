#!/usr/bin/python3
"""`promtool check metrics` on a live server's /metrics.

    metrics_live_test.py --server NAME --bin NAME=PATH... [--promtool P]

Starts NAME on loopback (mesh_servers.start_server: SQLite in a temp folder,
free ports; meshid-identity beside it for the validators), makes a few calls
so that labelled counters have children (a token issued and one refused),
then lints the exposition with promtool (Prometheus' own rules: names,
suffixes, HELP, TYPE) and checks it holds meshid_* metrics. One CTest test
per server: tests/deploy/CMakeLists.txt lists them.
"""

import argparse
import subprocess

import deploylib as dl
import mesh_servers


def exercise(running, bins):
    identity = running.identity
    dl.admin_token(bins["meshctl"], identity)  # one token issued
    bad = subprocess.run(
        [bins["meshctl"], "token", "issue", "--client-id", "meshid-admin",
         "--audience", "meshid-keyadmin"],
        env=dl.clean_env(identity.meshctl_env(secret="x" * 43)),
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    if bad.returncode == 0:
        dl.fail("a token was issued with a wrong client secret")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True, choices=sorted(mesh_servers.STARTERS))
    parser.add_argument("--bin", action="append", required=True)
    parser.add_argument("--promtool", default="promtool")
    args = parser.parse_args()
    bins = dl.parse_bins(args.bin)
    workdir = dl.temp_dir(f"meshid-metrics-{args.server}-")

    running = mesh_servers.start_server(args.server, bins, workdir)
    exercise(running, bins)
    status, text = dl.http_get(running.metrics_url, timeout=5)
    if status != 200:
        dl.fail(f"{running.metrics_url}: HTTP {status}")
    families = sorted({line.split()[2] for line in text.splitlines()
                       if line.startswith("# TYPE meshid_")})
    if not families:
        dl.fail(f"{args.server} /metrics has no meshid_* metric:\n{text[:2000]}")
    try:
        check = subprocess.run([args.promtool, "check", "metrics"], input=text,
                               capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        dl.fail(f"{args.promtool} not found (Debian package prometheus)")
    if check.returncode != 0:
        dl.fail(f"promtool check metrics on {args.server}'s /metrics:\n"
                f"{(check.stdout + check.stderr).strip()}")
    print(f"{args.server}: {len(families)} meshid metric families pass promtool: "
          f"{', '.join(families)}")


if __name__ == "__main__":
    dl.run_main(main)
