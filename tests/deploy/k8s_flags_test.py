#!/usr/bin/python3
"""Checks the Kubernetes manifests against one real server binary.

    k8s_flags_test.py --binary NAME=PATH [--kubectl KUBECTL]

For every container of both overlays that runs NAME:
- every flag in its args and every MESHID_* variable in its env names a flag
  the binary defines (`NAME --helpfull`), and their values parse (the binary
  is run with them and --helpfull, and must not complain);
- its containerPorts are exactly the ports it listens on, as the binary
  reports its effective *_address flags (or, for a config file in a
  ConfigMap, that file's listen addresses);
- its gRPC probes hit a gRPC port, its prometheus.io/port annotation the HTTP
  port; every Service, NetworkPolicy and ServiceMonitor port aimed at it
  resolves to one of its containerPorts, and Services expose the same numbers;
- every file a flag names lies on a volume that provides it.

PATH empty or missing means the binary is not built yet: the test fails and
lists every flag and variable the manifests expect of it.
"""

import argparse
import json
import os
from collections import defaultdict

import deploylib as dl

# Positional arguments a binary accepts (meshid-identity's one command).
POSITIONALS = {"meshid-identity": {"migrate"}}

# Listen addresses inside a config file (proto/meshid/gateway/v1/config.proto:
# unset means the default here).
CONFIG_LISTENERS = {"listen_address": "0.0.0.0:50050",
                    "http_listen_address": "0.0.0.0:9100"}


def where(overlay, deployment, container):
    return f"{overlay}: Deployment/{deployment['metadata']['name']} container {container['name']}"


def expectations(rendered, binary):
    """flag -> [(how, where)] and the containers running the binary."""
    expected = defaultdict(list)
    containers = []
    problems = []
    for overlay, objects in rendered.items():
        for d, c, name in dl.meshid_containers(objects):
            if name != binary:
                continue
            containers.append((overlay, objects, d, c))
            at = where(overlay, d, c)
            for i, arg in enumerate(c.get("args") or []):
                flag, value = dl.split_arg(arg)
                if flag is None:
                    if i != 0 or value not in POSITIONALS.get(binary, set()):
                        problems.append(f"{binary}: unexpected argument '{arg}' ({at})")
                    continue
                expected[flag].append((f"arg --{flag}", at))
            for e in c.get("env") or []:
                if e["name"].startswith("MESHID_"):
                    flag = e["name"][len("MESHID_"):].lower()
                    expected[flag].append((f"env {e['name']}", at))
    return expected, containers, problems


def run_binary_with(binary_path, container):
    """The binary's effective flags with the container's args and literal env."""
    args = [a for a in container.get("args") or [] if a.startswith("--")]
    env = {e["name"]: e["value"] for e in container.get("env") or []
           if e["name"].startswith("MESHID_") and "value" in e}
    return dl.read_flags(binary_path, args, env)


def config_file(objects, deployment, container, path):
    """The text of a file a container sees through a ConfigMap volume."""
    for m in container.get("volumeMounts") or []:
        if os.path.dirname(path) != m["mountPath"].rstrip("/"):
            continue
        for v in deployment["spec"]["template"]["spec"].get("volumes") or []:
            if v["name"] == m["name"] and "configMap" in v:
                cm = dl.find(objects, "ConfigMap", v["configMap"]["name"])
                if cm is not None:
                    return (cm.get("data") or {}).get(os.path.basename(path))
    return None


def file_provided(objects, deployment, container, path):
    """Why a path the container reads exists, or None when nothing provides it."""
    spec = deployment["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec.get("volumes") or []}
    mounts = [m for m in container.get("volumeMounts") or []
              if path.startswith(m["mountPath"].rstrip("/") + "/")]
    if not mounts:
        return None
    mount = max(mounts, key=lambda m: len(m["mountPath"]))
    volume = volumes.get(mount["name"], {})
    base = os.path.relpath(path, mount["mountPath"])
    if "configMap" in volume:
        cm = dl.find(objects, "ConfigMap", volume["configMap"]["name"])
        if cm is not None and base in (cm.get("data") or {}):
            return f"ConfigMap {cm['metadata']['name']}"
        return None
    if "persistentVolumeClaim" in volume:
        return "its data volume"
    if "emptyDir" in volume:
        # Filled by an init container that mounts the same volume and copies
        # the files of a projected Secret volume into it.
        for init in spec.get("initContainers") or []:
            init_mounts = {m["name"]: m["mountPath"] for m in init.get("volumeMounts") or []}
            if mount["name"] not in init_mounts:
                continue
            for vname in init_mounts:
                src = volumes.get(vname, {})
                for source in (src.get("projected") or {}).get("sources") or []:
                    secret = source.get("secret") or {}
                    for item in secret.get("items") or []:
                        if item["path"] == base:
                            if dl.find(objects, "Secret", secret["name"]) is None:
                                return None
                            return f"Secret {secret['name']} key {item['key']} (copied by init container {init['name']})"
        return None
    return None


def check_container(binary, flags, overlay, objects, d, c, problems):
    at = where(overlay, d, c)
    pod_labels = d["spec"]["template"]["metadata"].get("labels") or {}
    listeners = {}  # port -> (kind, source)
    for name, info in flags.items():
        port = dl.listen_port(info["value"]) if name.endswith("_address") else None
        if port is not None:
            listeners[port] = ("http" if "http" in name else "grpc", f"--{name}={info['value']}")

    # Files named by flags (and, in a config file, by its fields).
    file_flags = {n: i["value"] for n, i in flags.items()
                  if (n.endswith("_file") or n == "config") and i["value"]}
    for name, path in sorted(file_flags.items()):
        if not path.startswith("/"):
            problems.append(f"{binary}: --{name}={path} is not an absolute path ({at})")
        elif file_provided(objects, d, c, path) is None:
            problems.append(f"{binary}: --{name}={path}: no volume of the pod provides this file ({at})")
    if "config" in file_flags:
        text = config_file(objects, d, c, file_flags["config"])
        if text is None:
            problems.append(f"{binary}: --config={file_flags['config']} is not in a ConfigMap ({at})")
        else:
            config = json.loads(text)
            for field, default in CONFIG_LISTENERS.items():
                value = config.get(field) or default
                port = dl.listen_port(value)
                if port is not None:
                    listeners[port] = ("http" if "http" in field else "grpc",
                                       f"config {field}={value}")
            secret_file = (config.get("credentials") or {}).get("client_secret_file")
            if secret_file and file_provided(objects, d, c, secret_file) is None:
                problems.append(f"{binary}: config credentials.client_secret_file={secret_file}: "
                                f"no volume of the pod provides this file ({at})")

    declared = {p["containerPort"]: p.get("name") for p in c.get("ports") or []}
    names = {p.get("name"): p["containerPort"] for p in c.get("ports") or [] if p.get("name")}
    for port, (kind, source) in sorted(listeners.items()):
        if port not in declared:
            problems.append(f"{binary}: listens on {port} ({kind}, {source}) but declares no "
                            f"containerPort {port} ({at})")
    for port in sorted(declared):
        if port not in listeners:
            problems.append(f"{binary}: containerPort {port} ({declared[port]}) is not a port the "
                            f"binary listens on; it listens on {sorted(listeners) or 'nothing'} ({at})")
    grpc_ports = {p for p, (k, _) in listeners.items() if k == "grpc"}
    http_ports = {p for p, (k, _) in listeners.items() if k == "http"}

    for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = c.get(probe_name)
        if probe is None:
            if probe_name != "startupProbe":
                problems.append(f"{binary}: no {probe_name} ({at})")
            continue
        if "grpc" in probe:
            if probe["grpc"]["port"] not in grpc_ports:
                problems.append(f"{binary}: {probe_name} grpc port {probe['grpc']['port']} is not a "
                                f"gRPC port of the binary {sorted(grpc_ports)} ({at})")
        else:
            problems.append(f"{binary}: {probe_name} is not a grpc probe ({at})")

    annotations = d["spec"]["template"]["metadata"].get("annotations") or {}
    if annotations.get("prometheus.io/scrape") != "true":
        problems.append(f"{binary}: pod lacks prometheus.io/scrape: \"true\" ({at})")
    if int(annotations.get("prometheus.io/port", "0")) not in http_ports:
        problems.append(f"{binary}: prometheus.io/port {annotations.get('prometheus.io/port')} is "
                        f"not its HTTP port {sorted(http_ports)} ({at})")

    def resolve(port_ref):
        if isinstance(port_ref, int):
            return port_ref if port_ref in declared else None
        return names.get(port_ref)

    services = [s for s in dl.by_kind(objects, "Service") if dl.service_selects(s, pod_labels)]
    if not services:
        problems.append(f"{binary}: no Service selects the pod ({at})")
    for s in services:
        for p in s["spec"]["ports"]:
            target = resolve(p.get("targetPort", p["port"]))
            if target is None:
                problems.append(f"{binary}: Service {s['metadata']['name']} port {p.get('name')} "
                                f"targetPort {p.get('targetPort')} is no containerPort ({at})")
            elif target != p["port"]:
                problems.append(f"{binary}: Service {s['metadata']['name']} exposes {p['port']} for "
                                f"container port {target}; expose the server's own port ({at})")
    for np in dl.by_kind(objects, "NetworkPolicy"):
        if not dl.selects(np["spec"].get("podSelector"), pod_labels):
            continue
        for rule in np["spec"].get("ingress") or []:
            for p in rule.get("ports") or []:
                if resolve(p["port"]) is None:
                    problems.append(f"{binary}: NetworkPolicy {np['metadata']['name']} port "
                                    f"{p['port']} is no containerPort ({at})")
    for sm in dl.by_kind(objects, "ServiceMonitor"):
        for s in services:
            if not dl.selects(sm["spec"].get("selector"), s["metadata"].get("labels") or {}):
                continue
            service_ports = {p.get("name") for p in s["spec"]["ports"]}
            for e in sm["spec"].get("endpoints") or []:
                if e.get("port") not in service_ports:
                    problems.append(f"{binary}: ServiceMonitor {sm['metadata']['name']} port "
                                    f"{e.get('port')} is not a port of Service "
                                    f"{s['metadata']['name']} ({at})")
                else:
                    target = resolve(next(p.get("targetPort", p["port"]) for p in s["spec"]["ports"]
                                          if p.get("name") == e.get("port")))
                    if target not in http_ports:
                        problems.append(f"{binary}: ServiceMonitor {sm['metadata']['name']} scrapes "
                                        f"port {target}, not the HTTP port {sorted(http_ports)} ({at})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="NAME=PATH (PATH may be empty)")
    parser.add_argument("--kubectl", default="kubectl")
    args = parser.parse_args()
    binary, _, binary_path = args.binary.partition("=")
    if binary not in dl.SERVERS:
        dl.fail(f"unknown server {binary}")

    rendered = {o: dl.render(o, args.kubectl) for o in dl.OVERLAYS}
    expected, containers, problems = expectations(rendered, binary)
    if not containers:
        dl.fail(f"no container of {', '.join(dl.OVERLAYS)} runs {binary}")

    if not binary_path or not os.access(binary_path, os.X_OK):
        lines = [f"{binary} is not built ({binary_path or 'no CMake target of that name yet'}); "
                 f"the manifests expect it to define these flags:"]
        for flag in sorted(expected):
            hows = sorted({h for h, _ in expected[flag]})
            lines.append(f"  --{flag}  ({', '.join(hows)}; in {len({w for _, w in expected[flag]})} "
                         f"container(s))")
        dl.fail("\n".join(lines + problems))

    known, errors = dl.read_flags(binary_path)
    if errors:
        problems.append(f"{binary} --helpfull complained: {errors}")
    if not known:
        dl.fail(f"{binary} --helpfull listed no flag")
    for flag in sorted(expected):
        if flag not in known:
            for how, at in expected[flag]:
                problems.append(f"MISSING FLAG: {binary} defines no --{flag} (manifest {how}; {at})")

    for overlay, objects, d, c in containers:
        flags, errors = run_binary_with(binary_path, c)
        for e in errors:
            problems.append(f"{binary} refuses the manifest's args/env: {e} ({where(overlay, d, c)})")
        check_container(binary, flags, overlay, objects, d, c, problems)

    if problems:
        dl.fail("\n".join(dict.fromkeys(problems)))
    print(f"{binary}: {len(expected)} flags/env vars, ports, probes, Services and files "
          f"consistent in {len(containers)} container(s)")


if __name__ == "__main__":
    dl.run_main(main)
