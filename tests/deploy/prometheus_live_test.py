#!/usr/bin/python3
"""A real Prometheus (Debian's /usr/bin/prometheus) scrapes live meshid
servers with deploy/prometheus's configuration and rules.

    prometheus_live_test.py --bin NAME=PATH... [--server NAME]...
                            [--prometheus P] [--promtool P]

Starts the servers (mesh_servers.start_server; default: meshid-identity), writes
a configuration derived from deploy/prometheus/prometheus.yml (same jobs and
rule files, the live ports, 1 s scrape and evaluation intervals), starts
Prometheus on a free loopback port with its storage in a temp folder, then,
each wait bounded by a deadline:
- the targets are up and a meshid metric comes back through the HTTP API;
- every rule group loaded and every rule evaluated without error, and a
  recording rule produced a series from the live metrics;
- every label value the rules select (e.g. state="PENDING") exists on the
  live series of that metric, where the metric is exported.
"""

import argparse
import json
import re
import subprocess
import time
import urllib.parse

import yaml

import deploylib as dl
import mesh_servers

PROM_DIR = dl.REPO / "deploy" / "prometheus"
DEADLINE = 40  # seconds for all the waiting together


def api(port, path, **params):
    query = urllib.parse.urlencode(params, doseq=True)
    status, body = dl.http_get(f"http://127.0.0.1:{port}/api/v1/{path}?{query}", timeout=5)
    data = json.loads(body)
    if data.get("status") != "success":
        raise RuntimeError(f"{path}: {body[:500]}")
    return data["data"]


def write_config(running, workdir):
    base = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text())
    ports = {r.name: r.http_port for r in running}
    jobs = []
    for job in base["scrape_configs"]:
        if job["job_name"] in ports:
            job["static_configs"] = [{"targets": [f"127.0.0.1:{ports[job['job_name']]}"]}]
            jobs.append(job)
    missing = set(ports) - {j["job_name"] for j in jobs}
    if missing:
        dl.fail(f"deploy/prometheus/prometheus.yml has no job for {sorted(missing)}")
    base["scrape_configs"] = jobs
    base["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    base["rule_files"] = [str(PROM_DIR / f) for f in base["rule_files"]]
    path = workdir / "prometheus.yml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    return path


def label_matchers():
    """(metric, label, value) for every `label="value"` matcher in the rules."""
    found = set()
    for f in sorted((PROM_DIR / "rules").glob("*.yml")):
        if f.name.endswith("_test.yml"):
            continue
        for metric, body in re.findall(r"(meshid_[a-z0-9_]+)\{([^}]*)\}", f.read_text()):
            for label, value in re.findall(r'(\w+)\s*=\s*"([^"]*)"', body):
                found.add((metric, label, value))
    return sorted(found)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", required=True)
    parser.add_argument("--server", action="append")
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    parser.add_argument("--promtool", default="promtool")
    args = parser.parse_args()
    bins = dl.parse_bins(args.bin)
    servers = args.server or ["meshid-identity"]
    workdir = dl.temp_dir("meshid-prometheus-")

    running = []
    for name in servers:
        folder = workdir / name
        folder.mkdir()
        running.append(mesh_servers.start_server(name, bins, folder))
    # One token issued, so that the issuance counters have a series.
    dl.admin_token(bins["meshctl"], running[0].identity)

    config = write_config(running, workdir)
    check = subprocess.run([args.promtool, "check", "config", str(config)],
                           capture_output=True, text=True, timeout=60)
    if check.returncode != 0:
        dl.fail(f"promtool check config on the generated config:\n{check.stdout}{check.stderr}")

    deadline = time.monotonic() + DEADLINE

    def left():
        return max(1.0, deadline - time.monotonic())

    prometheus = None
    for attempt in range(3):
        port = dl.free_port()
        prometheus = dl.Process("prometheus", [
            args.prometheus, f"--config.file={config}",
            f"--storage.tsdb.path={workdir / f'data{attempt}'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn"], workdir / f"prometheus.{attempt}.log")
        try:
            dl.wait_until("Prometheus /-/ready",
                          lambda: dl.http_get(f"http://127.0.0.1:{port}/-/ready")[0] == 200,
                          timeout=left(), process=prometheus)
            break
        except dl.TestFailure:
            if attempt == 2 or "address already in use" not in prometheus.log_tail(50):
                raise

    for r in running:
        def up(job=r.name):
            result = api(port, "query", query=f'up{{job="{job}"}}')["result"]
            return result and result[0]["value"][1] == "1"
        dl.wait_until(f"Prometheus scraping {r.name} (up == 1)", up, timeout=left(),
                      process=prometheus)

    def active_keys():
        result = api(port, "query",
                     query='meshid_keys{job="meshid-identity",state="ACTIVE"}')["result"]
        return result and float(result[0]["value"][1]) >= 1 and result
    result = dl.wait_until("meshid_keys{state=\"ACTIVE\"} through the query API", active_keys,
                           timeout=left(), process=prometheus)
    print(f"queried back: meshid_keys{{state=\"ACTIVE\"}} = {result[0]['value'][1]}")

    # Each validator's key set, as Prometheus scraped it: its WatchKeys
    # stream delivered at least one version.
    for r in running:
        if r.name == "meshid-identity":
            continue
        def key_set_version(job=r.name):
            result = api(port, "query",
                         query=f'meshid_keyset_version{{job="{job}"}}')["result"]
            return result and float(result[0]["value"][1]) >= 1 and result
        result = dl.wait_until(f"meshid_keyset_version of {r.name}", key_set_version,
                               timeout=left(), process=prometheus)
        print(f"queried back: meshid_keyset_version{{job=\"{r.name}\"}} = "
              f"{result[0]['value'][1]}")

    def rules_evaluated():
        groups = api(port, "rules")["groups"]
        rules = [rule for g in groups for rule in g["rules"]]
        if not rules or any(rule["health"] == "unknown" for rule in rules):
            return None
        return groups
    groups = dl.wait_until("every rule evaluated once", rules_evaluated, timeout=left(),
                           process=prometheus)
    names = sorted(g["name"] for g in groups)
    if names != ["meshid-alerts", "meshid-recording"]:
        dl.fail(f"rule groups loaded: {names}")
    bad = [f"{r['name']}: {r.get('lastError')}" for g in groups for r in g["rules"]
           if r["health"] != "ok"]
    if bad:
        dl.fail("rules failing to evaluate:\n" + "\n".join(bad))
    count = sum(len(g["rules"]) for g in groups)

    def recorded():
        return api(port, "query", query='job:meshid_tokens_issued:rate5m{job="meshid-identity"}')["result"]
    dl.wait_until("the recording rule job:meshid_tokens_issued:rate5m", recorded, timeout=left(),
                  process=prometheus)

    problems = []
    checked = 0
    for metric, label, value in label_matchers():
        series = api(port, "series", **{"match[]": metric})
        values = {s[label] for s in series if label in s}
        if not values:
            continue  # not exported by the running servers, or label not there yet
        checked += 1
        if value not in values:
            problems.append(f"the rules select {metric}{{{label}=\"{value}\"}} but the live "
                            f"values of {label} are {sorted(values)}")
    if problems:
        dl.fail("\n".join(problems))
    print(f"{count} rules evaluated ok; {checked} label matchers checked against live series")


if __name__ == "__main__":
    dl.run_main(main)
