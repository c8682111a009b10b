#!/usr/bin/python3
"""Checks what the deploy/k8s overlays promise, on their rendered output
(no cluster, no binary):

- every pod runs non-root with a read-only root filesystem, no privilege
  escalation, all capabilities dropped, seccomp RuntimeDefault, no service
  account token; every container has requests and limits; every server has
  gRPC readiness and liveness probes and Prometheus scrape annotations;
- no Secret carries data (placeholders only), and every Secret, ConfigMap and
  PersistentVolumeClaim a pod uses is rendered;
- dev: one identity replica on SQLite with its database on a PVC, Recreate;
  prod: two identity replicas on PostgreSQL whose URL comes from a Secret, and
  a ServiceMonitor selecting the three servers;
- PodDisruptionBudgets select the identity and gateway pods;
- the NetworkPolicy opens the KeyAdmin port only to meshid-log,
  meshid-gateway and pods labelled meshid.io/keyadmin-client=true;
- every `service:port` a server dials (flags and the gateway config) is a
  port of a rendered Service, and the issuer is the same everywhere;
- the gateway config parses as meshid.gateway.v1.GatewayConfig with unknown
  fields refused (compiled from proto/ with protoc), and its routes name
  declared upstreams.

    k8s_manifests_test.py [--kubectl KUBECTL] [--protoc PROTOC]
"""

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import deploylib as dl

KEYADMIN_PORT_NAME = "grpc-keyadmin"
KEYADMIN_CLIENTS = {"meshid-log", "meshid-gateway"}
ADMIN_LABEL = ("meshid.io/keyadmin-client", "true")


def check_pods(overlay, objects, problems):
    for d in dl.by_kind(objects, "Deployment"):
        name = f"{overlay}: Deployment/{d['metadata']['name']}"
        spec = d["spec"]["template"]["spec"]
        psc = spec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{name}: pod securityContext.runAsNonRoot is not true")
        if not isinstance(psc.get("runAsUser"), int) or psc["runAsUser"] == 0:
            problems.append(f"{name}: pod securityContext.runAsUser must be a fixed non-zero UID")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: pod seccompProfile is not RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name}: automountServiceAccountToken is not false")
        for kind in ("initContainers", "containers"):
            for c in spec.get(kind) or []:
                cname = f"{name} {kind[:-1]} {c['name']}"
                sc = c.get("securityContext") or {}
                if sc.get("allowPrivilegeEscalation") is not False:
                    problems.append(f"{cname}: allowPrivilegeEscalation is not false")
                if sc.get("readOnlyRootFilesystem") is not True:
                    problems.append(f"{cname}: readOnlyRootFilesystem is not true")
                caps = sc.get("capabilities") or {}
                if "ALL" not in (caps.get("drop") or []) or caps.get("add"):
                    problems.append(f"{cname}: capabilities must drop ALL and add none")
                if sc.get("privileged"):
                    problems.append(f"{cname}: privileged")
                res = c.get("resources") or {}
                for part in ("requests", "limits"):
                    for r in ("cpu", "memory"):
                        if r not in (res.get(part) or {}):
                            problems.append(f"{cname}: no resources.{part}.{r}")
                image = c.get("image", "")
                if not image or image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1]:
                    problems.append(f"{cname}: image {image!r} has no fixed tag")
        servers = [c for c in spec["containers"]
                   if (c.get("command") or [""])[0] in dl.SERVERS]
        if not servers:
            problems.append(f"{name}: runs no meshid server")
        for c in servers:
            for probe in ("readinessProbe", "livenessProbe"):
                if "grpc" not in (c.get(probe) or {}):
                    problems.append(f"{name}: {c['name']} has no gRPC {probe} (grpc.health.v1)")
        ann = d["spec"]["template"]["metadata"].get("annotations") or {}
        for key in ("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"):
            if key not in ann:
                problems.append(f"{name}: pod lacks annotation {key}")

        # Everything the pod refers to is rendered.
        for v in spec.get("volumes") or []:
            refs = []
            if "secret" in v:
                refs.append(("Secret", v["secret"]["secretName"]))
            if "configMap" in v:
                refs.append(("ConfigMap", v["configMap"]["name"]))
            if "persistentVolumeClaim" in v:
                refs.append(("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]))
            for source in (v.get("projected") or {}).get("sources") or []:
                if "secret" in source:
                    refs.append(("Secret", source["secret"]["name"]))
            for kind, ref in refs:
                if dl.find(objects, kind, ref) is None:
                    problems.append(f"{name}: volume {v['name']} uses {kind} {ref}, not rendered")
        for c in spec["containers"] + (spec.get("initContainers") or []):
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref and dl.find(objects, "Secret", ref["name"]) is None:
                    problems.append(f"{name}: env {e['name']} uses Secret {ref['name']}, not rendered")


def env_of(container, name):
    for e in container.get("env") or []:
        if e["name"] == name:
            return e
    return None


def deployment(objects, name):
    d = dl.find(objects, "Deployment", name)
    if d is None:
        dl.fail(f"Deployment {name} not rendered")
    return d


def check_stores(overlay, objects, problems):
    for name, container in (("meshid-identity", "identity"), ("meshid-log", "log")):
        d = deployment(objects, name)
        c = next(c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == container)
        store = env_of(c, "MESHID_STORE")
        where = f"{overlay}: Deployment/{name}"
        if store is None:
            problems.append(f"{where}: no MESHID_STORE")
            continue
        if overlay == "dev":
            url = store.get("value", "")
            if not url.startswith("sqlite:///"):
                problems.append(f"{where}: dev store is not SQLite: {url!r}")
                continue
            folder = str(Path(url[len("sqlite://"):]).parent)
            mounts = {m["mountPath"].rstrip("/"): m["name"] for m in c.get("volumeMounts") or []}
            volumes = {v["name"]: v for v in d["spec"]["template"]["spec"].get("volumes") or []}
            if "persistentVolumeClaim" not in volumes.get(mounts.get(folder), {}):
                problems.append(f"{where}: the SQLite folder {folder} is not on a PersistentVolumeClaim")
            if d["spec"].get("replicas") != 1 or (d["spec"].get("strategy") or {}).get("type") != "Recreate":
                problems.append(f"{where}: SQLite needs replicas 1 and strategy Recreate")
        else:
            ref = (store.get("valueFrom") or {}).get("secretKeyRef")
            if ref is None or "value" in store:
                problems.append(f"{where}: prod MESHID_STORE must come from a Secret (it holds a password)")
    identity = deployment(objects, "meshid-identity")
    want = 1 if overlay == "dev" else 2
    if identity["spec"].get("replicas") != want:
        problems.append(f"{overlay}: meshid-identity replicas {identity['spec'].get('replicas')}, want {want}")


def check_secrets(overlay, objects, problems):
    for s in dl.by_kind(objects, "Secret"):
        if s.get("data") or s.get("stringData"):
            problems.append(f"{overlay}: Secret/{s['metadata']['name']} carries data; only "
                            f"placeholders may be committed")
        if "meshid.io/placeholder" not in (s["metadata"].get("annotations") or {}):
            problems.append(f"{overlay}: Secret/{s['metadata']['name']} does not say what to put in it")


def check_namespace(overlay, objects, problems):
    for o in objects:
        if o["kind"] == "Namespace":
            continue
        if o["metadata"].get("namespace") != "meshid":
            problems.append(f"{overlay}: {o['kind']}/{o['metadata']['name']} is not in namespace meshid")


def pod_labels(objects, name):
    return deployment(objects, name)["spec"]["template"]["metadata"]["labels"]


def check_pdbs(overlay, objects, problems):
    for name in ("meshid-identity", "meshid-gateway"):
        labels = pod_labels(objects, name)
        if not any(dl.selects(p["spec"].get("selector"), labels)
                   for p in dl.by_kind(objects, "PodDisruptionBudget")):
            problems.append(f"{overlay}: no PodDisruptionBudget selects {name}")
    for p in dl.by_kind(objects, "PodDisruptionBudget"):
        if not any(dl.selects(p["spec"].get("selector"), d["spec"]["template"]["metadata"]["labels"])
                   for d in dl.by_kind(objects, "Deployment")):
            problems.append(f"{overlay}: PodDisruptionBudget/{p['metadata']['name']} selects no pod")


def check_network_policy(overlay, objects, problems):
    identity = pod_labels(objects, "meshid-identity")
    policies = [n for n in dl.by_kind(objects, "NetworkPolicy")
                if dl.selects(n["spec"].get("podSelector"), identity)]
    if not policies:
        problems.append(f"{overlay}: no NetworkPolicy selects meshid-identity")
        return
    allowed = {}
    for n in policies:
        for rule in n["spec"].get("ingress") or []:
            ports = {p["port"] for p in rule.get("ports") or []}
            if ports and KEYADMIN_PORT_NAME not in ports and 50052 not in ports:
                continue
            if not rule.get("ports"):
                problems.append(f"{overlay}: NetworkPolicy/{n['metadata']['name']}: a rule without "
                                f"ports opens KeyAdmin too")
            peers = rule.get("from")
            if not peers:
                problems.append(f"{overlay}: NetworkPolicy/{n['metadata']['name']} opens KeyAdmin "
                                f"to every source")
                continue
            for peer in peers:
                if "ipBlock" in peer or "namespaceSelector" in peer:
                    problems.append(f"{overlay}: NetworkPolicy/{n['metadata']['name']} opens KeyAdmin "
                                    f"beyond the namespace's pods: {peer}")
                    continue
                sel = peer.get("podSelector") or {}
                if sel == {}:
                    problems.append(f"{overlay}: NetworkPolicy/{n['metadata']['name']} opens KeyAdmin "
                                    f"to every pod")
                    continue
                for d in dl.by_kind(objects, "Deployment"):
                    labels = d["spec"]["template"]["metadata"]["labels"]
                    if dl.selects(sel, labels):
                        allowed[d["metadata"]["name"]] = True
                admin = {ADMIN_LABEL[0]: ADMIN_LABEL[1]}
                if dl.selects(sel, admin):
                    allowed["admin"] = True
    for who in sorted(KEYADMIN_CLIENTS | {"admin"}):
        if who not in allowed:
            problems.append(f"{overlay}: KeyAdmin is not open to {who}")
    for who in sorted(set(allowed) - KEYADMIN_CLIENTS - {"admin"}):
        problems.append(f"{overlay}: KeyAdmin is open to {who}, which is no validator")


def gateway_config(objects):
    d = deployment(objects, "meshid-gateway")
    for v in d["spec"]["template"]["spec"].get("volumes") or []:
        if "configMap" in v:
            cm = dl.find(objects, "ConfigMap", v["configMap"]["name"])
            if cm and "gateway.json" in (cm.get("data") or {}):
                return cm["data"]["gateway.json"]
    dl.fail("the gateway's ConfigMap with gateway.json is not rendered")


def service_ports(objects):
    ports = {}
    for s in dl.by_kind(objects, "Service"):
        for p in s["spec"]["ports"]:
            ports.setdefault(s["metadata"]["name"], set()).add(p["port"])
    return ports


def check_targets(overlay, objects, config, problems):
    """Every host:port a server dials that names a Service is a Service port."""
    services = service_ports(objects)
    targets = []
    for d, c, binary in dl.meshid_containers(objects):
        for arg in c.get("args") or []:
            flag, value = dl.split_arg(arg)
            if flag and flag.endswith("_address") and value and dl.listen_port(value) is None:
                targets.append((f"{binary} --{flag}", value))
    targets.append(("gateway identity.address", config["identity"]["address"]))
    targets.append(("gateway identity.keyadmin_address", config["identity"]["keyadmin_address"]))
    if config.get("access_log", {}).get("log_address"):
        targets.append(("gateway access_log.log_address", config["access_log"]["log_address"]))
    for u in config.get("upstreams", []):
        targets.append((f"gateway upstream {u['name']}", u["address"]))
    for what, value in targets:
        host, _, port = value.rpartition(":")
        host = host.split(".")[0]
        if host not in services:
            problems.append(f"{overlay}: {what}={value}: no Service {host}")
        elif not port.isdigit() or int(port) not in services[host]:
            problems.append(f"{overlay}: {what}={value}: Service {host} has ports {sorted(services[host])}")


def check_issuer(overlay, objects, config, problems):
    issuers = {}
    for d, c, binary in dl.meshid_containers(objects):
        for arg in c.get("args") or []:
            flag, value = dl.split_arg(arg)
            if flag == "issuer":
                issuers[binary] = value
    issuers["meshid-gateway (config validation.issuer)"] = config["validation"]["issuer"]
    if "meshid-identity" not in issuers:
        problems.append(f"{overlay}: meshid-identity has no --issuer (the default would be used)")
    if len(set(issuers.values())) != 1:
        problems.append(f"{overlay}: the issuer differs between servers: {issuers}")


def gateway_config_class(protoc):
    """meshid.gateway.v1.GatewayConfig built from proto/ by protoc."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "config.pb"
        try:
            subprocess.run([protoc, f"-I{dl.REPO / 'proto'}", "-I/usr/include",
                            "--include_imports", f"--descriptor_set_out={out}",
                            "meshid/gateway/v1/config.proto"], check=True,
                           capture_output=True, text=True, timeout=60)
        except FileNotFoundError:
            dl.fail(f"{protoc} not found (package protobuf-compiler)")
        except subprocess.CalledProcessError as e:
            dl.fail(f"protoc failed: {e.stderr}")
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    desc = pool.FindMessageTypeByName("meshid.gateway.v1.GatewayConfig")
    get_class = getattr(message_factory, "GetMessageClass", None)
    return get_class(desc) if get_class else message_factory.MessageFactory(pool).GetPrototype(desc)


def check_gateway_config(overlay, text, config_class, problems):
    from google.protobuf import json_format
    msg = config_class()
    try:
        json_format.Parse(text, msg, ignore_unknown_fields=False)
    except json_format.ParseError as e:
        problems.append(f"{overlay}: gateway.json is no meshid.gateway.v1.GatewayConfig: {e}")
        return
    for field in ("name", "identity.address", "identity.keyadmin_address",
                  "validation.issuer", "credentials.client_secret_file"):
        value = msg
        for part in field.split("."):
            value = getattr(value, part)
        if not value:
            problems.append(f"{overlay}: gateway.json: required {field} is empty")
    if msg.credentials.client_id and msg.credentials.client_id != msg.name:
        problems.append(f"{overlay}: gateway.json: credentials.client_id should equal name "
                        f"(WatchKeys sends HS256 secrets for the watcher's own audience)")
    upstreams = {u.name for u in msg.upstreams}
    for r in msg.routes:
        if r.upstream not in upstreams:
            problems.append(f"{overlay}: gateway.json: route {r.method_prefix} names unknown "
                            f"upstream {r.upstream}")
    if msg.HasField("tls") and msg.tls.ListFields():
        problems.append(f"{overlay}: gateway.json sets tls, which the gateway refuses (not implemented)")


def check_service_monitor(overlay, objects, problems):
    monitors = dl.by_kind(objects, "ServiceMonitor")
    if overlay == "prod" and not monitors:
        problems.append("prod: no ServiceMonitor")
    for m in monitors:
        selected = {s["metadata"]["name"] for s in dl.by_kind(objects, "Service")
                    if dl.selects(m["spec"].get("selector"), s["metadata"].get("labels") or {})}
        if selected != set(dl.SERVERS):
            problems.append(f"{overlay}: ServiceMonitor/{m['metadata']['name']} selects "
                            f"{sorted(selected)}, not the three servers")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--protoc", default="protoc")
    args = parser.parse_args()
    config_class = gateway_config_class(args.protoc)
    problems = []
    counts = []
    for overlay in dl.OVERLAYS:
        objects = dl.render(overlay, args.kubectl)
        counts.append(f"{overlay}: {len(objects)} objects")
        text = gateway_config(objects)
        config = json.loads(text)
        check_pods(overlay, objects, problems)
        check_stores(overlay, objects, problems)
        check_secrets(overlay, objects, problems)
        check_namespace(overlay, objects, problems)
        check_pdbs(overlay, objects, problems)
        check_network_policy(overlay, objects, problems)
        check_targets(overlay, objects, config, problems)
        check_issuer(overlay, objects, config, problems)
        check_gateway_config(overlay, text, config_class, problems)
        check_service_monitor(overlay, objects, problems)
    if problems:
        dl.fail("\n".join(problems))
    print("; ".join(counts))


if __name__ == "__main__":
    dl.run_main(main)
