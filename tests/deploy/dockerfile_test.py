#!/usr/bin/python3
"""Checks deploy/docker/Dockerfile and .dockerignore without a Docker daemon.

    dockerfile_test.py --bin NAME=PATH...

- two stages: a Debian 12 build stage and a debian:12-slim runtime stage;
- every package the build stage installs is listed in deploy/packages.txt;
- the runtime stage installs a package for every shared library the given
  binaries (built from this tree) load directly (dpkg -S of each DT_NEEDED
  library), beyond what debian:12-slim already has;
- the build stage builds and installs all three servers and meshctl, and the
  runtime stage copies only the build's output (no other file, so no secret);
- the final user is numeric, non-root and the one the Kubernetes manifests
  run as; no ENV or ARG names a secret;
- .dockerignore keeps out .git, build trees, .meshid (local secrets) and
  node_modules.
"""

import argparse
import os
import re
import subprocess

import yaml

import deploylib as dl

DOCKERFILE = dl.REPO / "deploy" / "docker" / "Dockerfile"
# Packages debian:12-slim already has that binaries here link against.
SLIM_BASE = {"libc6", "libgcc-s1", "libstdc++6"}
BINARIES = ("meshid-identity", "meshid-log", "meshid-gateway", "meshctl")


def instructions():
    """[(stage_index, INSTRUCTION, args)] with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    stage = -1
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            stage += 1
        out.append((stage, word, rest.strip()))
    return out


def apt_packages(run_args):
    m = re.search(r"apt-get install (.*?)(?:&&|$)", run_args)
    if not m:
        return []
    return [w for w in m.group(1).split() if not w.startswith("-")]


def needed_packages(binary):
    """{library: Debian package} for the binary's DT_NEEDED libraries."""
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    libs = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    candidates = {}
    for lib in libs:
        if lib not in paths:
            dl.fail(f"{binary}: ldd does not resolve {lib}")
        p = paths[lib]
        # usrmerge: dpkg may know the file under /lib or /usr/lib.
        candidates[lib] = {p, os.path.realpath(p), "/usr" + p, p.removeprefix("/usr")}
    query = sorted({c for cs in candidates.values() for c in cs})
    owners = {}
    dpkg = subprocess.run(["dpkg", "-S", *query], capture_output=True, text=True, timeout=60)
    for line in dpkg.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        for p in path.split(", "):
            owners[p.strip()] = pkg.split(":")[0]
    packages = {}
    for lib, cs in candidates.items():
        found = [owners[c] for c in cs if c in owners]
        if not found:
            dl.fail(f"{binary}: no Debian package owns {paths[lib]} ({lib})")
        packages[lib] = found[0]
    return packages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", default=[])
    args = parser.parse_args()
    bins = {k: v for k, v in dl.parse_bins(args.bin).items() if v and os.access(v, os.X_OK)}
    problems = []
    steps = instructions()
    froms = [a for _, w, a in steps if w == "FROM"]
    build_args = {m.group(1): m.group(2) for _, w, a in steps if w == "ARG"
                  for m in [re.match(r"(\w+)=(\S+)", a)] if m}

    def image(from_args):
        ref = from_args.split()[0]
        return re.sub(r"\$\{(\w+)\}", lambda m: build_args.get(m.group(1), m.group(0)), ref)

    if len(froms) != 2:
        dl.fail(f"want two stages (build, runtime), got {len(froms)}")
    if not re.fullmatch(r"debian:(12|bookworm)(\b.*)?", image(froms[0])) or "slim" in image(froms[0]):
        problems.append(f"build stage is {image(froms[0])}, want debian:12")
    if image(froms[1]) not in ("debian:12-slim", "debian:bookworm-slim"):
        problems.append(f"runtime stage is {image(froms[1])}, want debian:12-slim")

    listed = set()
    for line in (dl.REPO / "deploy" / "packages.txt").read_text().splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            listed.add(name)
    build_pkgs = [p for s, w, a in steps if s == 0 and w == "RUN" for p in apt_packages(a)]
    runtime_pkgs = {p for s, w, a in steps if s == 1 and w == "RUN" for p in apt_packages(a)}
    for p in build_pkgs:
        if p not in listed:
            problems.append(f"build stage installs {p}, which deploy/packages.txt does not list")
    if not build_pkgs or not runtime_pkgs:
        problems.append("a stage installs no package")

    build_runs = " ".join(a for s, w, a in steps if s == 0 and w == "RUN")
    for b in BINARIES:
        if b not in build_runs:
            problems.append(f"the build stage does not build {b}")
    if "-DCMAKE_BUILD_TYPE=Release" not in build_runs:
        problems.append("the build is not Release")

    covered = set()
    for name, path in sorted(bins.items()):
        for lib, pkg in needed_packages(path).items():
            covered.add(pkg)
            if pkg not in runtime_pkgs and pkg not in SLIM_BASE:
                problems.append(f"{name} loads {lib} from {pkg}, which the runtime stage "
                                f"does not install")
    if not bins:
        problems.append("no built binary given (--bin NAME=PATH): cannot check runtime libraries")
    if set(BINARIES) <= set(bins):
        for p in sorted(runtime_pkgs - covered):
            problems.append(f"runtime stage installs {p}, which no binary loads")

    for s, w, a in steps:
        if s == 1 and w in ("COPY", "ADD") and "--from=build" not in a:
            problems.append(f"runtime stage copies from the build context: {w} {a}")
        if w in ("ENV", "ARG") and re.search(r"SECRET|PASSWORD|TOKEN|MASTER", a, re.I):
            problems.append(f"{w} {a}: secrets never go into the image")
    users = [a for s, w, a in steps if s == 1 and w == "USER"]
    if not users:
        problems.append("runtime stage sets no USER (it would run as root)")
    else:
        uid, _, gid = users[-1].partition(":")
        if not uid.isdigit() or int(uid) == 0 or (gid and (not gid.isdigit() or int(gid) == 0)):
            problems.append(f"USER {users[-1]}: want numeric non-root UID:GID (runAsNonRoot "
                            f"can only verify a numeric user)")
        else:
            for f in sorted((dl.K8S / "base").glob("*-deployment.yaml")):
                for d in yaml.safe_load_all(f.read_text()):
                    sc = d["spec"]["template"]["spec"].get("securityContext") or {}
                    if sc.get("runAsUser") != int(uid) or (gid and sc.get("runAsGroup") != int(gid)):
                        problems.append(f"{f.name}: runAsUser/runAsGroup {sc.get('runAsUser')}/"
                                        f"{sc.get('runAsGroup')} differ from the image's USER {users[-1]}")

    ignore = (dl.REPO / ".dockerignore")
    if not ignore.exists():
        problems.append(".dockerignore is missing")
    else:
        patterns = {line.strip() for line in ignore.read_text().splitlines()
                    if line.strip() and not line.startswith("#")}
        for must in (".git", ".meshid", "build", "build-*", "**/node_modules"):
            if must not in patterns:
                problems.append(f".dockerignore does not exclude {must}")

    if problems:
        dl.fail("\n".join(problems))
    print(f"Dockerfile: build stage {len(build_pkgs)} packages (all in packages.txt); runtime "
          f"{sorted(runtime_pkgs)} cover {', '.join(sorted(bins))}")


if __name__ == "__main__":
    dl.run_main(main)
