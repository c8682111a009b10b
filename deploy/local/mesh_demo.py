#!/usr/bin/python3
"""The gRPC half of deploy/local/up.sh's story, over Debian's python3-grpcio.

meshctl covers the admin plane and Log queries; what it has no command for
lives here: waiting for gRPC health, an Append through the gateway, calls
driven in a loop while a key rotates, and a revoked key's token refused.

    mesh_demo.py --repo ROOT wait-serving ADDR [ADDR ...]
    mesh_demo.py --repo ROOT append    --gateway ADDR --identity ADDR --creds FILE --audience AUD --message TEXT
    mesh_demo.py --repo ROOT rotate    --gateway ADDR --identity ADDR --creds FILE --audience AUD --meshctl PATH
    mesh_demo.py --repo ROOT revoke    --gateway ADDR --identity ADDR --creds FILE --audience AUD --meshctl PATH

--creds names a file "client_id secret-file" (one line); the secret is read
from that file and never printed, nor any whole token: only a token's kid.
Message classes come from the repo's protos (protoc --descriptor_set_out),
so nothing is generated into the tree. Every wait is bounded; exit 1 when
the story fails (the last line says why).
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PROTOS = ("meshid/identity/v1/identity.proto", "meshid/logging/v1/log.proto")
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
CALL_TIMEOUT = 5


def die(message):
    print(f"    FAILED: {message}", flush=True)
    sys.exit(1)


class Protos:
    """Message classes for IssueToken and Log.Append from the repo's protos."""

    def __init__(self, repo):
        with tempfile.NamedTemporaryFile(suffix=".pb") as out:
            subprocess.run(["protoc", f"-I{repo}/proto", "-I/usr/include",
                            "--include_imports", f"--descriptor_set_out={out.name}",
                            *PROTOS], check=True, cwd=f"{repo}/proto")
            files = descriptor_pb2.FileDescriptorSet.FromString(out.read())
        pool = descriptor_pool.DescriptorPool()
        for f in files.file:
            pool.Add(f)
        get_class = getattr(message_factory, "GetMessageClass", None)
        factory = None if get_class else message_factory.MessageFactory(pool)

        def cls(name):
            desc = pool.FindMessageTypeByName(name)
            return get_class(desc) if get_class else factory.GetPrototype(desc)

        self.issue_request = cls("meshid.identity.v1.IssueTokenRequest")
        self.token_response = cls("meshid.identity.v1.TokenResponse")
        self.append_request = cls("meshid.logging.v1.AppendRequest")
        self.append_response = cls("meshid.logging.v1.AppendResponse")
        self.log_entry = cls("meshid.logging.v1.LogEntry")


def kid_of(token):
    header = token.split(".", 1)[0]
    header += "=" * (-len(header) % 4)
    return json.loads(base64.urlsafe_b64decode(header)).get("kid", "?")


def code_name(error):
    return error.code().name if isinstance(error, grpc.RpcError) else type(error).__name__


class Mesh:
    """A caller of the local mesh: its client credentials, meshid-identity
    and the gateway."""

    def __init__(self, args):
        self.protos = Protos(args.repo)
        with open(args.creds) as f:
            self.client_id, secret_file = f.read().split()
        with open(secret_file) as f:
            self._secret = f.read().strip()
        self.audience = args.audience
        identity = grpc.insecure_channel(args.identity)
        gateway = grpc.insecure_channel(args.gateway)
        self._issue = identity.unary_unary(
            "/meshid.identity.v1.Identity/IssueToken",
            request_serializer=self.protos.issue_request.SerializeToString,
            response_deserializer=self.protos.token_response.FromString)
        self._append = gateway.unary_unary(
            "/meshid.logging.v1.Log/Append",
            request_serializer=self.protos.append_request.SerializeToString,
            response_deserializer=self.protos.append_response.FromString)

    def token(self):
        request = self.protos.issue_request(client_id=self.client_id,
                                            client_secret=self._secret,
                                            audience=self.audience)
        return self._issue(request, timeout=CALL_TIMEOUT).access_token

    def append(self, token, message):
        """Log.Append of one entry through the gateway; the AppendResponse."""
        entry = self.protos.log_entry(message=message, level=2, kind=3)
        request = self.protos.append_request(entries=[entry])
        return self._append(request, timeout=CALL_TIMEOUT,
                            metadata=(("authorization", f"Bearer {token}"),))


def meshctl(path, *args):
    proc = subprocess.run([path, *args], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        die(f"meshctl {' '.join(args[:2])}: {proc.stderr.strip()}")
    return proc.stdout


def poll(what, attempt, timeout):
    """Calls attempt() until it returns a true value; fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = attempt()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last = code_name(e)
        time.sleep(0.05)
    die(f"timed out after {timeout} s waiting for {what} (last error: {last})")


def cmd_wait_serving(args):
    def serving(address):
        channel = grpc.insecure_channel(address)
        check = channel.unary_unary(HEALTH_CHECK, request_serializer=lambda b: b,
                                    response_deserializer=lambda b: b)
        try:
            # HealthCheckResponse { status = 1 }: SERVING is 1 (bytes 08 01).
            return check(b"", timeout=1) == b"\x08\x01"
        finally:
            channel.close()

    for address in args.addresses:
        poll(f"{address} gRPC health SERVING", lambda: serving(address), args.timeout)
        print(f"    {address}: SERVING")


def cmd_append(args):
    mesh = Mesh(args)
    # The gateway may still be receiving the caller's new key (WatchKeys):
    # retry until the first call passes, within a bound.
    token = poll("a token from meshid-identity", mesh.token, args.timeout)
    reply = poll("Append through the gateway",
                 lambda: mesh.append(token, args.message), args.timeout)
    print(f"    Log.Append via the gateway: OK, accepted={reply.accepted} "
          f"rejected={reply.rejected} (token kid {kid_of(token)})")


class Driver(threading.Thread):
    """Issues a fresh token and calls Append through the gateway with it,
    back to back, counting outcomes per signing kid."""

    def __init__(self, mesh):
        super().__init__(daemon=True)
        self.mesh = mesh
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = {}
        self.failures = []

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            kid = "?"
            try:
                token = self.mesh.token()
                kid = kid_of(token)
                self.mesh.append(token, f"mesh demo rotation call {n}")
                with self.lock:
                    self.ok[kid] = self.ok.get(kid, 0) + 1
            except Exception as e:  # noqa: BLE001 - every failure is counted
                with self.lock:
                    self.failures.append(f"{code_name(e)} (kid {kid})")

    def total_ok(self):
        with self.lock:
            return sum(self.ok.values())

    def ok_with(self, kid):
        with self.lock:
            return self.ok.get(kid, 0)


def cmd_rotate(args):
    mesh = Mesh(args)
    driver = Driver(mesh)
    driver.start()
    poll("the call loop's first calls", lambda: driver.total_ok() >= 10, args.timeout)
    print("    calls running in the background (fresh token + Append each)")
    print(f"    $ meshctl keys rotate --client {mesh.client_id} --audience "
          f"{mesh.audience} --activation-delay {args.activation_delay}")
    reply = json.loads(meshctl(args.meshctl, "keys", "rotate", "--client",
                               mesh.client_id, "--audience", mesh.audience,
                               "--activation-delay", args.activation_delay, "--json"))
    new_kid = (reply.get("new_key") or reply["newKey"])["kid"]
    old_kid = (reply.get("previous_key") or reply.get("previousKey") or {}).get("kid", "(none)")
    print(f"    old key {old_kid} -> new key {new_kid} (PENDING, published to "
          f"the gateway, signs after {args.activation_delay})")
    poll(f"20 calls with tokens signed by {new_kid}",
         lambda: driver.ok_with(new_kid) >= 20, args.timeout)
    driver.stop.set()
    driver.join(CALL_TIMEOUT * 2 + 1)
    with driver.lock:
        ok = dict(driver.ok)
        failures = list(driver.failures)
    for kid, count in sorted(ok.items()):
        print(f"    calls OK with kid {kid}: {count}")
    print(f"    failed calls during rotation: {len(failures)}")
    if failures:
        die(f"calls failed during the rotation: {', '.join(failures[:5])}")


def cmd_revoke(args):
    mesh = Mesh(args)
    token = poll("a token from meshid-identity", mesh.token, args.timeout)
    kid = kid_of(token)
    poll("a call with the token", lambda: mesh.append(token, "mesh demo before revoke"),
         args.timeout)
    print(f"    a token signed by {kid}: call OK")
    print(f"    $ meshctl keys revoke --kid {kid} --reason 'local demo'")
    meshctl(args.meshctl, "keys", "revoke", "--kid", kid, "--reason", "local demo")
    start = time.monotonic()

    def refused():
        try:
            mesh.append(token, "mesh demo after revoke")
            return None
        except grpc.RpcError as e:
            return e.code().name

    code = poll("the revoked key's token to be refused", refused, args.timeout)
    elapsed_ms = (time.monotonic() - start) * 1000
    print(f"    the same token after the revocation: refused with {code} "
          f"({elapsed_ms:.0f} ms after RevokeKey returned)")
    if code != "UNAUTHENTICATED":
        die(f"expected UNAUTHENTICATED, got {code}")
    # Revoking the pair's active key made its replacement: callers go on.
    fresh = poll("a token signed by the replacement key", mesh.token, args.timeout)
    poll("a call with the replacement key's token",
         lambda: mesh.append(fresh, "mesh demo after revoke, new key"), args.timeout)
    print(f"    a fresh token (replacement key {kid_of(fresh)}): call OK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    sub = parser.add_subparsers(dest="command", required=True)
    wait = sub.add_parser("wait-serving")
    wait.add_argument("addresses", nargs="+")
    for name in ("append", "rotate", "revoke"):
        p = sub.add_parser(name)
        p.add_argument("--gateway", required=True)
        p.add_argument("--identity", required=True)
        p.add_argument("--creds", required=True)
        p.add_argument("--audience", required=True)
        p.add_argument("--meshctl")
        p.add_argument("--message", default="hello from the local mesh")
        p.add_argument("--activation-delay", default="2s")
    args = parser.parse_args()
    {"wait-serving": cmd_wait_serving, "append": cmd_append,
     "rotate": cmd_rotate, "revoke": cmd_revoke}[args.command](args)


if __name__ == "__main__":
    main()
