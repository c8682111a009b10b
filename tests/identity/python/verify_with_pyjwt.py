#!/usr/bin/python3
"""Verifies meshid tokens with PyJWT, an independent implementation.

usage: verify_with_pyjwt.py ISSUER AUDIENCE (--hs256-hex-key FILE | --jwks FILE)
Tokens come on stdin, one per line. Prints "OK <sub>" per token; exits 1 on
the first token PyJWT refuses (printing why), 2 on bad usage.
"""
import json
import sys

import jwt


def main(argv):
    if len(argv) != 5 or argv[3] not in ("--hs256-hex-key", "--jwks"):
        print(__doc__, file=sys.stderr)
        return 2
    issuer, audience, mode, path = argv[1], argv[2], argv[3], argv[4]
    with open(path, encoding="ascii") as f:
        material = f.read().strip()
    keys = {}
    if mode == "--jwks":
        for jwk in json.loads(material)["keys"]:
            keys[jwk["kid"]] = (jwt.PyJWK(jwk).key, jwk["alg"])
    for line in sys.stdin:
        token = line.strip()
        if not token:
            continue
        header = jwt.get_unverified_header(token)
        if header.get("typ") != "at+jwt":
            print("FAIL typ", header.get("typ"))
            return 1
        if mode == "--hs256-hex-key":
            key, algs = bytes.fromhex(material), ["HS256"]
        else:
            key, alg = keys[header["kid"]]
            algs = [alg]
        try:
            claims = jwt.decode(token, key=key, algorithms=algs,
                                audience=audience, issuer=issuer,
                                options={"require": ["exp", "iat", "sub",
                                                     "jti", "iss", "aud"]})
        except jwt.PyJWTError as e:
            print("FAIL", type(e).__name__, e)
            return 1
        print("OK", claims["sub"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
