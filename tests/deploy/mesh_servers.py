"""The meshid servers, started one at a time on loopback for the deploy tests.

start_server(name, bins, workdir) runs one meshid server with what it needs
(meshid-identity always; the validators get their own client from it with
meshctl, as an admin would) and returns a Running. `bins` maps binary names
(meshid-identity, meshid-log, meshid-gateway, meshctl) to paths. The flags
used for meshid-log and meshid-gateway are the ones the Kubernetes manifests
use. Processes, ports and deadlines come from deploylib.
"""

import json
import os
from pathlib import Path

from deploylib import (Identity, Process, admin_token, fail, free_port,
                       http_get, meshctl, wait_until)


class Running:
    def __init__(self, name, process, http_port, grpc_ports, identity):
        self.name = name
        self.process = process
        self.http_port = http_port
        self.grpc_ports = grpc_ports
        self.identity = identity

    @property
    def metrics_url(self):
        return f"http://127.0.0.1:{self.http_port}/metrics"


def _create_client(bins, identity, client_id, audiences, workdir):
    """Creates a client with meshctl; returns its secret's file (mode 0600)."""
    token = admin_token(bins["meshctl"], identity)
    args = ["clients", "create", "--id", client_id, "--json"]
    for a in audiences:
        args += ["--audience", a]
    out = meshctl(bins["meshctl"], args, identity.meshctl_env(token=token))
    secret = json.loads(out)["client_secret"]
    path = Path(workdir) / f"{client_id}.secret"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return path


def _wait_metrics(process, port):
    def ok():
        status, _ = http_get(f"http://127.0.0.1:{port}/metrics")
        return status == 200
    wait_until(f"{process.name} /metrics", ok, timeout=30, process=process)


def _start_identity(bins, workdir):
    identity = Identity(bins["meshid-identity"], workdir)
    return Running("meshid-identity", identity.process, identity.http_port,
                   [identity.identity_port, identity.keyadmin_port], identity)


def _start_log(bins, workdir):
    identity = Identity(bins["meshid-identity"], workdir)
    secret = _create_client(bins, identity, "logging-service",
                            ["meshid-keyadmin=keys:watch"], workdir)
    grpc_port, http_port = free_port(), free_port()
    process = Process("meshid-log", [
        bins["meshid-log"],
        f"--store=sqlite://{workdir}/log.db",
        f"--grpc_address=127.0.0.1:{grpc_port}",
        f"--http_address=127.0.0.1:{http_port}",
        f"--identity_address=127.0.0.1:{identity.identity_port}",
        f"--keyadmin_address=127.0.0.1:{identity.keyadmin_port}",
        "--client_id=logging-service",
        f"--client_secret_file={secret}",
        f"--issuer={identity.issuer}",
        "--name=logging-service",
    ], Path(workdir) / "meshid-log.log")
    _wait_metrics(process, http_port)
    return Running("meshid-log", process, http_port, [grpc_port], identity)


def _start_gateway(bins, workdir):
    identity = Identity(bins["meshid-identity"], workdir)
    secret = _create_client(bins, identity, "meshid-gateway",
                            ["meshid-keyadmin=keys:watch",
                             "logging-service=logs:write,logs:read"], workdir)
    grpc_port, http_port, upstream_port = free_port(), free_port(), free_port()
    config = {
        "listen_address": f"127.0.0.1:{grpc_port}",
        "http_listen_address": f"127.0.0.1:{http_port}",
        "name": "meshid-gateway",
        "identity": {"address": f"127.0.0.1:{identity.identity_port}",
                     "keyadmin_address": f"127.0.0.1:{identity.keyadmin_port}"},
        "validation": {"issuer": identity.issuer},
        "credentials": {"client_id": "meshid-gateway", "client_secret_file": str(secret)},
        # Nothing listens there: /metrics needs no upstream.
        "upstreams": [{"name": "log", "address": f"127.0.0.1:{upstream_port}",
                       "audience": "logging-service"}],
        "routes": [{"method_prefix": "/meshid.logging.v1.Log/", "upstream": "log"}],
    }
    config_path = Path(workdir) / "gateway.json"
    config_path.write_text(json.dumps(config, indent=2))
    process = Process("meshid-gateway", [bins["meshid-gateway"], f"--config={config_path}"],
                      Path(workdir) / "meshid-gateway.log")
    _wait_metrics(process, http_port)
    return Running("meshid-gateway", process, http_port, [grpc_port], identity)


STARTERS = {
    "meshid-identity": _start_identity,
    "meshid-log": _start_log,
    "meshid-gateway": _start_gateway,
}


def start_server(name, bins, workdir):
    for needed in (name, "meshid-identity", "meshctl"):
        path = bins.get(needed)
        if not path or not os.access(path, os.X_OK):
            fail(f"{needed} is not built ({path or 'no path given'})")
    return STARTERS[name](bins, workdir)
