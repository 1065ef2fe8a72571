"""Chooses the inputs of the SRP interop vectors and writes cases.json.

This script only *chooses inputs*: fixed secrets (a, b), salts, users, passwords, secret blocks
and times, from a seeded generator. For a few cases it searches for a server exponent b that
makes an edge case happen (A, B, u or S with a leading zero byte, so padHex has to strip it), using
plain Python integers. The expected outputs are computed by the real client libraries in
acij_vectors.js and pycognito_vectors.py, never by this script.

Run: python3 make_cases.py   (standard library only)
"""

import base64
import hashlib
import json
import random

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
BYTES = 384


def pad(n):
    h = f"{n:x}"
    if len(h) % 2:
        h = "0" + h
    if h[0] in "89abcdef":
        h = "00" + h
    return bytes.fromhex(h)


def H(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


K = int.from_bytes(H(pad(N), pad(G)), "big")


def x_of(salt, pool_name, user, password):
    inner = H(f"{pool_name}{user}:{password}".encode())
    return int.from_bytes(H(pad(salt) + inner), "big")


def top_byte_zero(n):
    return n < (1 << (8 * BYTES - 8))


rng = random.Random(20261122)


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def make(name, pool_id, user, password, salt, time_ms, block_len, want=None):
    pool_name = pool_id.split("_", 1)[1]
    x = x_of(int.from_bytes(salt, "big"), pool_name, user, password)
    v = pow(G, x, N)
    while True:
        a = rand_bytes(128)
        big_a = pow(G, int.from_bytes(a, "big"), N)
        if want != "A" or top_byte_zero(big_a):
            break
    for _ in range(20000):
        b = rand_bytes(32)
        bi = int.from_bytes(b, "big")
        big_b = (K * v + pow(G, bi, N)) % N
        u = int.from_bytes(H(pad(big_a), pad(big_b)), "big")
        s = pow(big_a * pow(v, u, N), bi, N)
        ok = {
            None: True,
            "A": True,
            "B": top_byte_zero(big_b),
            "u": u < (1 << 248),
            "S": top_byte_zero(s),
            "u-high-bit": u >= (1 << 255),
        }[want]
        if ok:
            break
    else:
        raise SystemExit(f"no b found for {name}")
    return {
        "name": name,
        "pool_id": pool_id,
        "user_id_for_srp": user,
        "password": password,
        "salt": salt.hex(),
        "a": a.hex(),
        "b": b.hex(),
        "secret_block": base64.b64encode(rand_bytes(block_len)).decode(),
        "time_ms": time_ms,
    }


cases = [
    make("basic", "us-east-1_Abc123XyZ", "janedoe", "P@ssw0rd!", rand_bytes(16),
         1709622249000, 64),
    make("uuid-user-unicode-password", "eu-west-2_q1W2e3R4t", "8f3a5c2e-1b2d-4e5f-9a7b-0c1d2e3f4a5b",
         "p\u00e4ssw\u00f6rd \u2603 \U0001f511", rand_bytes(16), 1700000000123, 1024),
    make("salt-high-bit", "ap-southeast-2_ZZZZZZZZZ", "user.name+tag@example.com", "x",
         bytes([0x8F]) + rand_bytes(15), 1735689599000, 32, want="u-high-bit"),
    make("salt-leading-zero-odd-hex", "us-west-2_a", "A", "correct horse battery staple",
         bytes([0x00, 0x0B]) + rand_bytes(14), 951782400000, 16),
    make("B-leading-zero-byte", "us-east-1_Abc123XyZ", "janedoe", "P@ssw0rd!", rand_bytes(16),
         1709251200000, 48, want="B"),
    make("u-leading-zero-byte", "us-east-1_Abc123XyZ", "bob", "hunter2", rand_bytes(16),
         1718000000000, 100, want="u"),
    make("S-leading-zero-byte", "ca-central-1_Q9", "carol", "", rand_bytes(16),
         4102444799000, 200, want="S"),
    make("A-leading-zero-byte", "us-east-1_Abc123XyZ", "erin", "pw", rand_bytes(16),
         1709337600000, 24, want="A"),
    make("empty-secret-block", "us-east-1_Abc123XyZ", "dave", "pw", rand_bytes(16),
         86400000, 0),
]

# Epoch seconds whose TIMESTAMP strings both libraries format, to pin the date format.
times = [0, 86399, 86400, 951782400, 951868799, 1709622249, 1709251200, 1709942400,
         1735689599, 1735689600, 2147483647, 4102444799, 253402300799]

with open("cases.json", "w", encoding="utf-8") as f:
    json.dump({"cases": cases, "timestamps": times}, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(cases)} cases")
