#!/usr/bin/python3
"""An independent reflection client, the way grpcurl works, against a live
meshid-identity: nothing of meshid's protos is compiled in.

    reflection_client_test.py --bin meshid-identity=PATH --bin meshctl=PATH

- Speaks grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo with
  hand-encoded protobuf (the few fields below) over Python's grpcio, lists
  the services of both ports and fetches their FileDescriptorProtos (and
  their dependencies);
- describes every meshid method from those descriptors;
- builds IssueTokenRequest/TokenResponse classes from them
  (google.protobuf's descriptor_pool and message_factory) and calls
  IssueToken for a client created with meshctl, as deploy/local/up.sh does;
  a wrong secret is UNAUTHENTICATED;
- runs every grpcurl command of README.md's "grpcurl" section: its JSON is
  parsed into the method's input type with unknown fields refused (protobuf's
  JSON mapping, as grpcurl does) and the call must succeed.
"""

import argparse
import base64
import json
import re
import shlex
from pathlib import Path

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

import deploylib as dl
import mesh_servers

REFLECTION = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
TIMEOUT = 10

# --- protobuf wire format, enough for the reflection messages -----------------


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def fields(data):
    """Yields (number, value): int for varints, bytes for length-delimited."""
    i = 0
    while i < len(data):
        key, i = _read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
        elif wire == 2:
            length, i = _read_varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            dl.fail(f"reflection reply: unsupported wire type {wire}")
        yield number, value


def _read_varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


# ServerReflectionRequest: host = 1, file_by_filename = 3,
# file_containing_symbol = 4, list_services = 7.
# ServerReflectionResponse: file_descriptor_response = 4 (FileDescriptorResponse:
# repeated bytes file_descriptor_proto = 1), list_services_response = 6
# (ListServiceResponse: repeated ServiceResponse service = 1; ServiceResponse:
# name = 1), error_response = 7 (ErrorResponse: error_code = 1,
# error_message = 2).


class ReflectionClient:
    def __init__(self, channel):
        self.call = channel.stream_stream(REFLECTION, request_serializer=lambda b: b,
                                          response_deserializer=lambda b: b)

    def ask(self, request):
        replies = list(self.call(iter([request]), timeout=TIMEOUT))
        if len(replies) != 1:
            dl.fail(f"reflection: {len(replies)} replies to one request")
        out = {}
        for number, value in fields(replies[0]):
            out.setdefault(number, []).append(value)
        if 7 in out:
            err = dict(fields(out[7][0]))
            dl.fail(f"reflection error {err.get(1)}: {err.get(2, b'').decode()}")
        return out

    def list_services(self):
        reply = self.ask(field_bytes(7, "*"))
        names = []
        for svc in reply.get(6, []):
            for number, value in fields(svc):
                if number == 1:
                    names.extend(dict(fields(v)).get(1, b"").decode() for v in [value])
        return sorted(names)

    def files(self, request):
        reply = self.ask(request)
        if 4 not in reply:
            dl.fail("reflection: no file_descriptor_response")
        return [descriptor_pb2.FileDescriptorProto.FromString(v)
                for n, v in fields(reply[4][0]) if n == 1]

    def file_containing_symbol(self, symbol):
        return self.files(field_bytes(4, symbol))

    def file_by_filename(self, name):
        return self.files(field_bytes(3, name))


class ReflectedPool:
    """A DescriptorPool filled only with what the servers sent."""

    def __init__(self):
        self.pool = descriptor_pool.DescriptorPool()
        self.protos = {}
        self.added = set()
        self.classes = {}
        self.factory = message_factory.MessageFactory(self.pool)

    def load_symbol(self, client, symbol):
        """Loads the file defining a service and returns the service."""
        self.load(client, symbol)
        return self.pool.FindServiceByName(symbol)

    def load(self, client, symbol):
        """Loads the file defining any symbol, and its dependencies."""
        for f in client.file_containing_symbol(symbol):
            self.protos.setdefault(f.name, f)
        # Fetch whatever dependency the reply left out, then add in order.
        pending = [d for f in list(self.protos.values()) for d in f.dependency]
        while pending:
            name = pending.pop()
            if name not in self.protos:
                for f in client.file_by_filename(name):
                    self.protos.setdefault(f.name, f)
                    pending.extend(f.dependency)
        for name in list(self.protos):
            self._add(name)

    def _add(self, name):
        if name in self.added:
            return
        for dep in self.protos[name].dependency:
            self._add(dep)
        self.pool.Add(self.protos[name])
        self.added.add(name)

    def message_class(self, full_name):
        if full_name not in self.classes:
            desc = self.pool.FindMessageTypeByName(full_name)
            get_class = getattr(message_factory, "GetMessageClass", None)
            self.classes[full_name] = (get_class(desc) if get_class is not None else
                                       self.factory.GetPrototype(desc))
        return self.classes[full_name]


def describe(service):
    lines = [f"service {service.full_name} {{"]
    for m in service.methods:
        cs = "stream " if m.client_streaming else ""
        ss = "stream " if m.server_streaming else ""
        lines.append(f"  rpc {m.name}({cs}.{m.input_type.full_name}) returns "
                     f"({ss}.{m.output_type.full_name});")
    return "\n".join(lines + ["}"])


def unary(channel, pool, method, request, metadata=()):
    req_class = pool.message_class(method.input_type.full_name)
    resp_class = pool.message_class(method.output_type.full_name)
    if isinstance(request, dict):
        msg = req_class()
        json_format.Parse(json.dumps(request), msg, ignore_unknown_fields=False)
        request = msg
    call = channel.unary_unary(f"/{method.containing_service.full_name}/{method.name}",
                               request_serializer=req_class.SerializeToString,
                               response_deserializer=resp_class.FromString)
    return call(request, timeout=TIMEOUT, metadata=list(metadata))


def jwt_part(token, i):
    part = token.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- README.md's grpcurl section ------------------------------------------------


def readme_commands():
    text = (dl.REPO / "README.md").read_text()
    m = re.search(r"^## grpcurl\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        dl.fail("README.md has no '## grpcurl' section")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", m.group(1), re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            idx = line.find("grpcurl ")
            if idx < 0 or line.lstrip().startswith("#"):
                continue
            lex = shlex.shlex(line[idx:], posix=True, punctuation_chars="|);&")
            lex.whitespace_split = True
            words = []
            for w in lex:
                if set(w) <= set("|);&"):
                    break
                words.append(w)
            commands.append((line.strip(), words[1:]))
    if not commands:
        dl.fail("README.md's grpcurl section has no grpcurl command")
    return commands


def parse_grpcurl(words):
    opts = {"-H": [], "-d": None}
    rest = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-H", "-d"):
            if w == "-H":
                opts["-H"].append(words[i + 1])
            else:
                opts["-d"] = words[i + 1]
            i += 2
        elif w == "-plaintext":
            i += 1
        elif w.startswith("-"):
            dl.fail(f"README grpcurl: option {w} not understood by this test")
        else:
            rest.append(w)
            i += 1
    return opts, rest


def substitute(text, variables):
    def value(m):
        name = m.group(1) or m.group(2)
        if name not in variables:
            dl.fail(f"README grpcurl uses ${name}, which the test does not know")
        return variables[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def run_readme(identity, channels, clients, pools, variables):
    ports = {"50051": identity.identity_port, "50052": identity.keyadmin_port}
    ran = 0
    for line, words in readme_commands():
        opts, rest = parse_grpcurl(words)
        if not rest:
            dl.fail(f"README grpcurl without address: {line}")
        host, _, port = rest[0].rpartition(":")
        if port not in ports:
            dl.fail(f"README grpcurl to {rest[0]}: not a meshid-identity default port")
        port = ports[port]
        client, pool = clients[port], pools[port]
        action = rest[1:]
        if action[:1] == ["list"]:
            services = client.list_services()
            if len(action) > 1:
                svc = pool.load_symbol(client, action[1])
                if not svc.methods:
                    dl.fail(f"{line}: no methods")
            elif not any(s.startswith("meshid.") for s in services):
                dl.fail(f"{line}: no meshid service in {services}")
        elif action[:1] == ["describe"]:
            symbol = action[1]
            pool.load(client, symbol)
            finders = (pool.pool.FindServiceByName, pool.pool.FindMessageTypeByName,
                       pool.pool.FindMethodByName, pool.pool.FindEnumTypeByName)
            for find in finders:
                try:
                    find(symbol)
                    break
                except KeyError:
                    continue
            else:
                dl.fail(f"{line}: {symbol} unknown to reflection")
        elif len(action) == 1 and "/" in action[0]:
            service_name, method_name = action[0].split("/")
            service = pool.load_symbol(client, service_name)
            method = service.methods_by_name.get(method_name)
            if method is None:
                dl.fail(f"{line}: no method {method_name}")
            body = json.loads(substitute(opts["-d"] or "{}", variables))
            metadata = []
            for h in opts["-H"]:
                k, _, v = substitute(h, variables).partition(":")
                metadata.append((k.strip().lower(), v.strip()))
            try:
                reply = unary(channels[port], pool, method, body, metadata)
            except json_format.ParseError as e:
                dl.fail(f"README: {line}\n  the JSON is no {method.input_type.full_name}: {e}")
            except grpc.RpcError as e:
                dl.fail(f"README: {line}\n  failed: {e.code().name}: {e.details()}")
            capture(method_name, body, reply, variables)
        else:
            dl.fail(f"README grpcurl command not understood: {line}")
        ran += 1
    return ran


def capture(method, body, reply, variables):
    """Values later README commands use, taken from earlier replies."""
    if method == "IssueToken" and body.get("client_id") == "meshid-admin":
        variables["MESHID_TOKEN"] = reply.access_token
    if method == "CreateClient":
        variables[f"{body['client_id'].upper()}_SECRET"] = reply.client_secret
    if method == "RotateKey" and "pair" in body.get("slot", {}):
        variables["KID"] = reply.new_key.kid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", required=True)
    args = parser.parse_args()
    bins = dl.parse_bins(args.bin)
    workdir = dl.temp_dir("meshid-reflection-")
    identity = dl.Identity(bins["meshid-identity"], workdir)

    # Credentials the way deploy/local/up.sh makes them.
    token = dl.admin_token(bins["meshctl"], identity)
    created = json.loads(dl.meshctl(bins["meshctl"], [
        "clients", "create", "--id", "reflection-demo", "--name", "reflection test",
        "--audience", "demo-service=demo:read,demo:write", "--json"],
        identity.meshctl_env(token=token)))
    demo_secret = created["client_secret"]

    channels, clients, pools = {}, {}, {}
    expected = {identity.identity_port: "meshid.identity.v1.Identity",
                identity.keyadmin_port: "meshid.keyadmin.v1.KeyAdmin"}
    for port, service_name in expected.items():
        channels[port] = grpc.insecure_channel(f"127.0.0.1:{port}")
        clients[port] = ReflectionClient(channels[port])
        pools[port] = ReflectedPool()
        services = clients[port].list_services()
        print(f"127.0.0.1:{port} serves: {', '.join(services)}")
        for needed in (service_name, "grpc.health.v1.Health",
                       "grpc.reflection.v1alpha.ServerReflection"):
            if needed not in services:
                dl.fail(f"port {port} does not list {needed}: {services}")
        service = pools[port].load_symbol(clients[port], service_name)
        print(describe(service))

    identity_svc = pools[identity.identity_port].pool.FindServiceByName(
        "meshid.identity.v1.Identity")
    issue = identity_svc.methods_by_name.get("IssueToken")
    if issue is None or issue.input_type.full_name != "meshid.identity.v1.IssueTokenRequest" \
            or issue.output_type.full_name != "meshid.identity.v1.TokenResponse" \
            or issue.client_streaming or issue.server_streaming:
        dl.fail("IssueToken is not the unary IssueTokenRequest -> TokenResponse")
    watch = pools[identity.keyadmin_port].pool.FindServiceByName(
        "meshid.keyadmin.v1.KeyAdmin").methods_by_name.get("WatchKeys")
    if watch is None or not watch.server_streaming:
        dl.fail("KeyAdmin.WatchKeys is not a server stream")

    # IssueToken with classes built from the reflected descriptors only.
    pool = pools[identity.identity_port]
    request = pool.message_class("meshid.identity.v1.IssueTokenRequest")()
    request.client_id = "reflection-demo"
    request.client_secret = demo_secret
    request.audience = "demo-service"
    request.scopes.append("demo:read")
    request.ttl.seconds = 300
    reply = unary(channels[identity.identity_port], pool, issue, request)
    if reply.token_type != "Bearer" or reply.expires_in != 300 or reply.scope != "demo:read":
        dl.fail(f"IssueToken reply: {reply}")
    header, claims = jwt_part(reply.access_token, 0), jwt_part(reply.access_token, 1)
    if header.get("typ") != "at+jwt" or not header.get("kid"):
        dl.fail(f"token header: {header}")
    want = {"iss": identity.issuer, "sub": "reflection-demo", "aud": "demo-service",
            "client_id": "reflection-demo", "scope": "demo:read"}
    got = {k: claims.get(k) for k in want}
    if got != want:
        dl.fail(f"token claims {got}, want {want}")
    print(f"IssueToken by reflection: {header['alg']} token, kid {header['kid']}, "
          f"claims {sorted(claims)}")

    request.client_secret = "x" * 43
    try:
        unary(channels[identity.identity_port], pool, issue, request)
        dl.fail("IssueToken with a wrong secret succeeded")
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.UNAUTHENTICATED:
            dl.fail(f"wrong secret: {e.code().name}, want UNAUTHENTICATED")

    variables = {"ADMIN_SECRET": identity.admin_secret}
    ran = run_readme(identity, channels, clients, pools, variables)
    print(f"README.md grpcurl section: {ran} commands ran against the live server")
    for ch in channels.values():
        ch.close()

    check_validators(bins, workdir)


def check_validators(bins, workdir):
    """Reflection on the other servers: meshid-log describes its Log API;
    the gateway, a generic proxy, lists health and reflection (the services
    it proxies are its upstreams', not its own)."""
    wanted = {"meshid-log": ["meshid.logging.v1.Log"], "meshid-gateway": []}
    for name, own in wanted.items():
        folder = Path(workdir) / name
        folder.mkdir()
        running = mesh_servers.start_server(name, bins, folder)
        port = running.grpc_ports[0]
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = ReflectionClient(channel)
            services = client.list_services()
            print(f"{name} 127.0.0.1:{port} serves: {', '.join(services)}")
            for needed in own + ["grpc.health.v1.Health",
                                 "grpc.reflection.v1alpha.ServerReflection"]:
                if needed not in services:
                    dl.fail(f"{name} does not list {needed}: {services}")
            for service_name in own:
                service = ReflectedPool().load_symbol(client, service_name)
                print(describe(service))
                if "Append" not in service.methods_by_name:
                    dl.fail(f"{service_name} has no Append by reflection")


if __name__ == "__main__":
    dl.run_main(main)
