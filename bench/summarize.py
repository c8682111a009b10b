#!/usr/bin/env python3
"""Summarizes a jwt_bench JSON report: medians, the issue's ratios, memory.

    build-bench/bench/jwt_bench --benchmark_repetitions=5 \
        --benchmark_report_aggregates_only=true \
        --benchmark_out=jwt_bench.json --benchmark_out_format=json
    python3 bench/summarize.py jwt_bench.json            # plain text
    python3 bench/summarize.py --markdown jwt_bench.json # tables for BENCHMARKS.md

Every figure is the median over the repetitions (the `median` aggregate; a
run without repetitions uses its single result). Ratios are taken between
medians of the same run, on CPU time by default (`--real` for wall time): on
a shared machine CPU time is the steadier of the two for single-threaded
work, and the report shows both.
"""

import argparse
import json
import sys

# (key, benchmark name, what it is)
ROWS = [
    ("into", "BM_HS256_VerifyTokenInto", "HS256 VerifyTokenInto (reused Principal)"),
    ("fresh", "BM_HS256_VerifyToken", "HS256 VerifyToken (fresh Principal)"),
    ("floor", "BM_HS256_Floor_HmacVerify", "HS256 floor: HmacSha256Key::Verify"),
    ("libjwt", "BM_HS256_Libjwt", "HS256 libjwt 1.10.2 jwt_decode + jwt_free"),
    ("sign", "BM_HS256_SignToken", "HS256 SignToken"),
    ("ed", "BM_EdDSA_VerifyToken", "EdDSA VerifyToken"),
    ("ed_bare", "BM_EdDSA_BareOpenSSL", "EdDSA bare OpenSSL EVP_DigestVerify"),
    ("es", "BM_ES256_VerifyToken", "ES256 VerifyToken"),
    ("es_bare", "BM_ES256_BareOpenSSL", "ES256 bare OpenSSL (R||S->DER + EVP_DigestVerify)"),
]

# The verifier's steps measured one by one (no targets): where the distance
# between HS256 verify and its floor goes. The third field says when a step
# lies on VerifyTokenInto's path, so that the rest can be taken by
# difference: "always"; "general" only for a verifier without the profile
# claims scanner (before it, every payload took the JSON reader and
# NumericDate::Parse); "scanner" only with it; "reference" never (shown for
# comparison).
PARTS = [
    ("BM_Part_SplitAndDecode", "find the dots + base64url-decode 3 segments", "always"),
    ("BM_Part_ParseHeader", "JSON parse of the header", "general"),
    ("BM_Part_ParsePayload", "JSON parse of the payload", "general"),
    ("BM_Part_ScanClaims", "profile claims scanner (copy + scan; replaces the payload parse)", "scanner"),
    ("BM_Part_ThreeNumericDates", "NumericDate::Parse x3 (exp, iat, nbf)", "general"),
    ("BM_Part_KidLookup", "KeySet::Find(kid)", "always"),
    ("BM_Part_HotVerifyTokenInto", "VerifyTokenInto, one token in cache", "reference"),
    ("BM_Part_HotFloor", "HMAC floor, one token in cache", "reference"),
]

MEMORY = "BM_Memory_KeySet100kHs256/iterations:1"
BREAKDOWN = "BM_Memory_Breakdown/iterations:1"
MEMORY_BUDGET = 40e6  # bytes ("40 MB"; 40 MiB would be 41.9e6)

# (label, numerator, denominator, kind, target): "max" means ratio <= target.
RATIOS = [
    ("HS256 verify / floor (VerifyTokenInto)", "into", "floor", "max", 1.5),
    ("HS256 verify / floor (VerifyToken)", "fresh", "floor", "max", 1.5),
    ("libjwt / HS256 verify (VerifyTokenInto)", "libjwt", "into", "min", 8.0),
    ("libjwt / HS256 verify (VerifyToken)", "libjwt", "fresh", "min", 8.0),
    ("EdDSA verify / bare OpenSSL", "ed", "ed_bare", "max", 1.2),
    ("ES256 verify / bare OpenSSL", "es", "es_bare", "max", 1.2),
]


def to_ns(value, unit):
    return value * {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def load(path):
    with open(path) as f:
        report = json.load(f)
    # name -> {aggregate or "single" -> entry}
    by_name = {}
    for b in report["benchmarks"]:
        name = b.get("run_name", b["name"])
        kind = b.get("aggregate_name", "single") if b.get("run_type") == "aggregate" else "single"
        if kind == "single":
            by_name.setdefault(name, {}).setdefault("singles", []).append(b)
        else:
            by_name.setdefault(name, {})[kind] = b
    return report.get("context", {}), by_name


def median_entry(entries):
    if entries is None:
        return None
    if "median" in entries:
        return entries["median"]
    singles = entries.get("singles", [])
    if len(singles) == 1:
        return singles[0]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json_file")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--real", action="store_true", help="ratios on wall time, not CPU time")
    args = ap.parse_args()

    context, by_name = load(args.json_file)
    field = "real_time" if args.real else "cpu_time"
    md = args.markdown

    med = {}
    print(f"# host: {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs, "
          f"load average {context.get('load_avg', '?')}, {context.get('date', '?')}")
    if md:
        print()
        print("| Benchmark | median CPU ns/op | median wall ns/op | ops/s (CPU) | CV (CPU) |")
        print("|---|---:|---:|---:|---:|")
    else:
        print(f"{'benchmark':<52} {'cpu ns/op':>12} {'wall ns/op':>12} {'ops/s':>12} {'cv':>7}")
    for key, name, label in ROWS:
        entries = by_name.get(name)
        e = median_entry(entries)
        if e is None or e.get("error_occurred"):
            msg = e.get("error_message", "missing") if e else "missing"
            print(f"| {label} | {msg} | | | |" if md else f"{label:<52} {msg}")
            continue
        unit = e.get("time_unit", "ns")
        cpu, wall = to_ns(e["cpu_time"], unit), to_ns(e["real_time"], unit)
        med[key] = to_ns(e[field], unit)
        cv = entries.get("cv") if entries else None
        cv_text = f"{cv['cpu_time'] * 100:.1f}%" if cv else "-"
        if md:
            cell = label.replace("|", "\\|")
            print(f"| {cell} | {cpu:,.0f} | {wall:,.0f} | {1e9 / cpu:,.0f} | {cv_text} |")
        else:
            print(f"{label:<52} {cpu:>12,.0f} {wall:>12,.0f} {1e9 / cpu:>12,.0f} {cv_text:>7}")

    print()
    basis = "wall" if args.real else "CPU"
    if md:
        print(f"| Ratio (medians, {basis} time) | Value | Target | Result |")
        print("|---|---:|---:|---|")
    else:
        print(f"ratios of medians ({basis} time):")
    all_pass = True
    for label, num, den, kind, target in RATIOS:
        if num not in med or den not in med:
            print(f"| {label} | n/a | | MISSING |" if md else f"  {label}: n/a")
            all_pass = False
            continue
        r = med[num] / med[den]
        ok = r <= target if kind == "max" else r >= target
        all_pass &= ok
        tgt = f"<= {target:g}x" if kind == "max" else f">= {target:g}x"
        verdict = "PASS" if ok else "FAIL"
        if md:
            print(f"| {label} | {r:.2f}x | {tgt} | {verdict} |")
        else:
            print(f"  {label:<42} {r:6.2f}x  (target {tgt})  {verdict}")

    scanner = median_entry(by_name.get("BM_Part_ScanClaims")) is not None
    on_path = {"always", "scanner" if scanner else "general"}
    parts = [(median_entry(by_name.get(n)), label, where in on_path)
             for n, label, where in PARTS]
    if any(e is not None for e, _, _ in parts) and "into" in med and "floor" in med:
        print()
        if md:
            print(f"| HS256 verify decomposed (medians, {basis} ns/op) | ns/op | share of VerifyTokenInto |")
            print("|---|---:|---:|")
        else:
            print(f"HS256 VerifyTokenInto decomposed ({basis} ns/op, each step measured on its own):")
        into = med["into"]
        rows = [("HMAC-SHA256 verify (the floor)", med["floor"])]
        reference = []
        for e, label, counted in parts:
            if e is not None and not e.get("error_occurred"):
                v = to_ns(e[field], e.get("time_unit", "ns"))
                (rows if counted else reference).append((label, v))
        accounted = sum(v for _, v in rows)
        rows.append(("rest: claim checks, Principal fill, cache effects (by difference)",
                     into - accounted))
        rows += [(f"(not on this verifier's path) {label}", v) for label, v in reference]
        for label, v in rows:
            if md:
                print(f"| {label} | {v:,.0f} | {v / into * 100:.0f}% |")
            else:
                print(f"  {label:<66} {v:8,.0f}  {v / into * 100:4.0f}%")
        into_e = median_entry(by_name.get("BM_HS256_VerifyTokenInto"))
        if into_e is not None and "token_bytes" in into_e:
            sizes = (f"tokens average {into_e['token_bytes']:.0f} bytes "
                     f"(signing input {into_e['signing_input_bytes']:.0f}, "
                     f"payload JSON {into_e['payload_json_bytes']:.0f})")
            print(f"\n{sizes}" if md else f"  {sizes}")

    print()
    mem = median_entry(by_name.get(MEMORY))
    if mem is not None and "bytes_total" in mem:
        total, per_key = mem["bytes_total"], mem["bytes_per_key"]
        ok = total <= MEMORY_BUDGET
        all_pass &= ok
        verdict = "PASS" if ok else "FAIL"
        text = (f"{total / 1e6:.2f} MB ({total / 2**20:.2f} MiB) for 100,000 HS256 keys, "
                f"{per_key:.1f} B/key")
        if md:
            print("| Memory (median over the repetitions) | Value | Target | Result |")
            print("|---|---:|---:|---|")
            print(f"| KeySet of 100,000 HS256 keys | {text} | <= 40 MB | {verdict} |")
        else:
            print(f"  memory: {text}  (target <= 40 MB)  {verdict}")
    else:
        print("  memory: missing")
        all_pass = False

    bd = median_entry(by_name.get(BREAKDOWN))
    if bd is not None:
        parts = [
            ("shared VerificationKey (make_shared: control block + 208-byte object)",
             "object_bytes_per_key"),
            ("kid string as Base64UrlEncode returns it (capacity 30)", "kid_bytes_per_key"),
            ("  (the same kid copied to an exact-size string)", "kid_copy_bytes_per_key"),
            ("flat_hash_map slot + control byte (capacity 131,071)", "table_bytes_per_key"),
            ("whole set with no key material (revoked keys)", "no_material_bytes_per_key"),
        ]
        print()
        if md:
            print("| Where a key's bytes go (measured separately) | B/key |")
            print("|---|---:|")
        else:
            print("memory breakdown (B/key, each part measured on its own):")
        for label, counter in parts:
            if counter in bd:
                print(f"| {label} | {bd[counter]:.1f} |" if md else f"  {label:<72} {bd[counter]:7.1f}")

    print()
    print("ALL TARGETS PASS" if all_pass else "SOME TARGETS FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
