"""Helpers for the tests in tests/deploy.

Rendering the Kubernetes overlays, reading a binary's absl flags from
`--helpfull`, and running meshid servers (and Prometheus) on loopback: free
ports, readiness polled against deadlines, and every process started here
stopped when the test ends, whatever way it ends.
"""

import atexit
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# MESHID_TEST_K8S_DIR points the tests at another copy (to see them fail).
K8S = Path(os.environ.get("MESHID_TEST_K8S_DIR", REPO / "deploy" / "k8s"))
OVERLAYS = ("dev", "prod")

# Every meshid server and what it serves by default (DESIGN.md "Processes").
SERVERS = ("meshid-identity", "meshid-log", "meshid-gateway")


class TestFailure(Exception):
    pass


def fail(message):
    raise TestFailure(message)


def run_main(main):
    """Runs main(); prints PASS or FAIL and exits 0 or 1."""
    name = Path(sys.argv[0]).stem
    try:
        main()
    except TestFailure as e:
        print(f"FAIL {name}:\n{e}", flush=True)
        sys.exit(1)
    except Exception:  # noqa: BLE001 - a bug in the test is a failure too
        import traceback
        traceback.print_exc()
        print(f"FAIL {name}: unexpected error (traceback above)", flush=True)
        sys.exit(1)
    print(f"PASS {name}", flush=True)
    sys.exit(0)


# --- Kubernetes manifests --------------------------------------------------


SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests


def unavailable(message):
    """A tool the test needs is missing: skip, except under CI=true."""
    if os.environ.get("CI") == "true":
        fail(f"{message} (CI=true: this test may not be skipped)")
    print(f"SKIP {Path(sys.argv[0]).stem}: {message}", flush=True)
    sys.exit(SKIP)


def render(overlay, kubectl="kubectl"):
    """The objects `kubectl kustomize` renders for an overlay, as dicts."""
    path = K8S / "overlays" / overlay
    try:
        out = subprocess.run([kubectl, "kustomize", str(path)], check=True,
                             capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        unavailable(f"{kubectl} not found (kubectl with its built-in kustomize renders "
                    f"deploy/k8s; Debian 12's kubernetes-client is too old: install "
                    f"kubectl >= 1.27 from the Kubernetes project)")
    except subprocess.CalledProcessError as e:
        fail(f"kubectl kustomize {path} failed:\n{e.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def by_kind(objects, kind):
    return [o for o in objects if o.get("kind") == kind]


def find(objects, kind, name):
    for o in objects:
        if o.get("kind") == kind and o["metadata"]["name"] == name:
            return o
    return None


def selects(selector, labels):
    """Whether a label selector (matchLabels/matchExpressions) matches."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def service_selects(service, labels):
    sel = service["spec"].get("selector") or {}
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def meshid_containers(objects):
    """(deployment, container, binary) for every container running a meshid
    server (its command is the binary's name)."""
    found = []
    for d in by_kind(objects, "Deployment"):
        for c in d["spec"]["template"]["spec"]["containers"]:
            cmd = c.get("command") or []
            if cmd and os.path.basename(cmd[0]) in SERVERS:
                found.append((d, c, os.path.basename(cmd[0])))
    return found


def split_arg(arg):
    """'--name=value' -> ('name', 'value'); '--flag' -> ('flag', None); a
    positional argument -> (None, arg). Dashes in names read as underscores,
    as the servers accept them."""
    if not arg.startswith("--") or arg == "--":
        return None, arg
    name, eq, value = arg[2:].partition("=")
    return name.replace("-", "_"), (value if eq else None)


# --- absl flags --------------------------------------------------------------

_ENTRY = re.compile(r"^    --(\w+) ")
_TAIL = re.compile(
    r'default: ("(?:[^"\\]|\\.)*"|[^;]*);'
    r'(?:\s*currently: ("(?:[^"\\]|\\.)*"|[^;]*);)?\s*$')


def _unquote(value):
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def clean_env(extra=None):
    """An environment without any MESHID_* variable of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHID_")}
    env.update(extra or {})
    return env


def read_flags(binary, args=(), env=None):
    """Runs `binary ARGS --helpfull`. Returns (flags, errors): flags maps each
    non-absl flag to {"default", "value", "file"} where value is the effective
    value after ARGS and ENV; errors are the binary's complaints about ARGS or
    ENV (unknown flag, illegal value, bad environment)."""
    try:
        proc = subprocess.run([binary, *args, "--helpfull"], env=clean_env(env),
                              capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        fail(f"{binary}: not found")
    except subprocess.TimeoutExpired:
        fail(f"{binary} --helpfull did not exit within 30 s")
    text = proc.stdout + "\n" + proc.stderr
    errors = [line.strip() for line in text.splitlines()
              if line.startswith("ERROR:") or "bad environment" in line]
    flags = {}
    section = ""
    entry = None

    def close(entry):
        if entry is None:
            return
        name, file, body = entry
        joined = " ".join(s.strip() for s in body)
        m = _TAIL.search(joined)
        default = _unquote(m.group(1)) if m else None
        current = _unquote(m.group(2)) if m and m.group(2) is not None else None
        flags[name] = {"default": default,
                       "value": default if current is None else current,
                       "file": file}

    for line in text.splitlines():
        m = re.match(r"^  Flags from (.+):$", line)
        if m:
            close(entry)
            entry = None
            section = m.group(1)
            continue
        m = _ENTRY.match(line)
        if m:
            close(entry)
            entry = None
            if "absl/" not in section:
                entry = (m.group(1), section, [line])
            continue
        if entry is not None and line.startswith("      "):
            entry[2].append(line)
        else:
            close(entry)
            entry = None
    close(entry)
    return flags, errors


def listen_port(address):
    """The port of a listen address whose host is a wildcard ('0.0.0.0:P',
    '[::]:P', ':P'), or None (empty: disabled; another host: a dial target)."""
    if not address:
        return None
    host, _, port = address.rpartition(":")
    if host not in ("0.0.0.0", "[::]", "::", "") or not port.isdigit():
        return None
    return int(port)


# --- processes ---------------------------------------------------------------

_children = []


def _die_with_parent():
    # The child gets SIGKILL if this test process dies, even by SIGKILL.
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _stop_all():
    for proc in reversed(_children):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    for proc in reversed(_children):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    _children.clear()


def _on_signal(signum, frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


class Process:
    """A started child: its own process group, output in a log file."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=clean_env(env),
                                     start_new_session=True,
                                     preexec_fn=_die_with_parent)
        log.close()
        _children.append(self.proc)

    def running(self):
        return self.proc.poll() is None

    def log_tail(self, lines=30):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def wait_until(what, predicate, timeout, process=None, interval=0.05):
    """Polls predicate() until it returns a true value (returned) or the
    deadline passes (failure naming `what`). A process that exits meanwhile
    fails at once with its last log lines."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last_error = e
        if process is not None and not process.running():
            fail(f"{process.name} exited (code {process.proc.returncode}) while "
                 f"waiting for {what}; its last log lines:\n{process.log_tail()}")
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            tail = f"\n{process.name} log:\n{process.log_tail()}" if process else ""
            fail(f"timed out after {timeout} s waiting for {what}{detail}{tail}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def make_secret_file(directory, name):
    """A fresh 43-character base64url secret in a mode-0600 file."""
    import base64
    path = Path(directory) / name
    value = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return path, value


class Identity:
    """A meshid-identity on SQLite in a temp folder, on free loopback ports,
    with a bootstrap admin secret. Retries with new ports if one was taken."""

    def __init__(self, binary, workdir, extra_args=()):
        self.workdir = Path(workdir)
        self.admin_secret_file, self.admin_secret = make_secret_file(
            self.workdir, "admin.secret")
        self.issuer = "https://meshid.test"
        for attempt in range(3):
            self.identity_port, self.keyadmin_port, self.http_port = (
                free_port(), free_port(), free_port())
            self.process = Process(
                "meshid-identity",
                [binary,
                 f"--store=sqlite://{self.workdir}/meshid.db",
                 f"--bootstrap_admin_secret_file={self.admin_secret_file}",
                 f"--issuer={self.issuer}",
                 f"--identity_address=127.0.0.1:{self.identity_port}",
                 f"--keyadmin_address=127.0.0.1:{self.keyadmin_port}",
                 f"--http_address=127.0.0.1:{self.http_port}",
                 "--activation_delay=0s",
                 "--drain_timeout=2s",
                 *extra_args],
                self.workdir / f"meshid-identity.{attempt}.log")
            try:
                wait_until("meshid-identity /healthz and both gRPC ports",
                           self._ready, timeout=30, process=self.process)
                return
            except TestFailure:
                if attempt == 2 or "address already in use" not in \
                        self.process.log_tail(200).lower():
                    raise
        fail("meshid-identity did not start")

    def _ready(self):
        try:
            status, _ = http_get(f"http://127.0.0.1:{self.http_port}/healthz")
        except (urllib.error.URLError, OSError):
            return False
        return status == 200 and tcp_open(self.identity_port) and \
            tcp_open(self.keyadmin_port)

    @property
    def metrics_url(self):
        return f"http://127.0.0.1:{self.http_port}/metrics"

    def meshctl_env(self, secret=None, token=None):
        env = {"MESHID_IDENTITY_ADDR": f"127.0.0.1:{self.identity_port}",
               "MESHID_KEYADMIN_ADDR": f"127.0.0.1:{self.keyadmin_port}"}
        if secret is not None:
            env["MESHID_CLIENT_SECRET"] = secret
        if token is not None:
            env["MESHID_TOKEN"] = token
        return env


def meshctl(binary, args, env, timeout=30):
    """Runs meshctl; returns stdout, fails the test with stderr otherwise."""
    proc = subprocess.run([binary, *args], env=clean_env(env), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        fail(f"meshctl {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def admin_token(meshctl_bin, identity):
    """A KeyAdmin token of the bootstrap admin, as deploy/local/up.sh gets it."""
    return meshctl(meshctl_bin, ["token", "issue", "--client-id", "meshid-admin",
                                 "--audience", "meshid-keyadmin"],
                   identity.meshctl_env(secret=identity.admin_secret)).strip()


def temp_dir(prefix):
    d = tempfile.TemporaryDirectory(prefix=prefix)

    def cleanup():
        _stop_all()  # first: the processes may still write into it
        d.cleanup()

    atexit.register(cleanup)
    return Path(d.name)


def load_json(text):
    return json.loads(text)


def parse_bins(values):
    """['name=path', ...] -> {name: path}."""
    bins = {}
    for v in values or []:
        name, _, path = v.partition("=")
        bins[name] = path
    return bins
