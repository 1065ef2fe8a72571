"""SRP vectors from the real pycognito (the Python Cognito client's aws_srp.AWSSRP).

For each case in cases.json this script:
  * pins the client's secret `a` (AWSSRP.small_a_value, then AWSSRP.calculate_a) and the clock
    (aws_srp.datetime.datetime.utcnow), nothing else;
  * computes the server side (v = g^x, B = k*v + g^b) with pycognito's own helpers (pad_hex,
    hash_sha256, hex_hash, AWSSRP.val_k);
  * runs the library's real AWSSRP.authenticate_user (USER_SRP_AUTH) against a fake boto3 client
    that answers initiate_auth with the PASSWORD_VERIFIER challenge and records the
    respond_to_auth_challenge call: SRP_A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE come from there;
  * records the intermediate values (x, u, S, K) with pycognito's functions and checks that K
    signs to the recorded signature.

Run (in a virtualenv with requirements.txt installed):
  python pycognito_vectors.py > ../../crates/cognate-userpool/tests/data/srp-vectors-pycognito.json
"""

import base64
import datetime as real_datetime
import hashlib
import hmac
import json
import os
import sys
import types
from importlib.metadata import version

from pycognito import aws_srp

HERE = os.path.dirname(os.path.abspath(__file__))


class FakeClient:
    def __init__(self, challenge):
        self.challenge = challenge
        self.initiate = None
        self.respond = None

    def initiate_auth(self, **kwargs):
        self.initiate = kwargs
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": "session-0123456789abcdef",
            "ChallengeParameters": self.challenge,
        }

    def respond_to_auth_challenge(self, **kwargs):
        self.respond = kwargs
        return {"AuthenticationResult": {}}


def pin_clock(epoch_ms):
    fixed = real_datetime.datetime(1970, 1, 1) + real_datetime.timedelta(milliseconds=epoch_ms)

    class FixedDateTime(real_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    aws_srp.datetime = types.SimpleNamespace(datetime=FixedDateTime)
    return fixed


def run_case(c):
    pool_name = c["pool_id"].split("_")[1]
    fixed = pin_clock(c["time_ms"])
    big_n = aws_srp.hex_to_long(aws_srp.N_HEX)
    g = aws_srp.hex_to_long(aws_srp.G_HEX)

    salt = int(c["salt"], 16)
    salt_hex = aws_srp.long_to_hex(salt)  # what a server sends as SALT
    username_password_hash = aws_srp.hash_sha256(
        f"{pool_name}{c['user_id_for_srp']}:{c['password']}".encode("utf-8")
    )
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + username_password_hash))
    v = pow(g, x, big_n)

    challenge = {
        "SALT": salt_hex,
        "SECRET_BLOCK": c["secret_block"],
        "USERNAME": c["user_id_for_srp"],
        "USER_ID_FOR_SRP": c["user_id_for_srp"],
    }
    client = FakeClient(challenge)
    srp = aws_srp.AWSSRP(
        username="alias-or-username",
        password=c["password"],
        pool_id=c["pool_id"],
        client_id="client123",
        client=client,
    )
    srp.small_a_value = int(c["a"], 16)
    srp.large_a_value = srp.calculate_a()
    k = srp.val_k
    b = int(c["b"], 16)
    big_b = (k * v + pow(g, b, big_n)) % big_n
    challenge["SRP_B"] = aws_srp.long_to_hex(big_b)

    srp.authenticate_user()
    assert client.initiate["AuthFlow"] == "USER_SRP_AUTH"
    responses = client.respond["ChallengeResponses"]
    assert client.respond["ChallengeName"] == "PASSWORD_VERIFIER"
    assert responses["USERNAME"] == c["user_id_for_srp"]
    assert responses["PASSWORD_CLAIM_SECRET_BLOCK"] == c["secret_block"]

    big_a = srp.large_a_value
    assert aws_srp.long_to_hex(big_a) == client.initiate["AuthParameters"]["SRP_A"]
    u = aws_srp.calculate_u(big_a, big_b)
    key = srp.get_password_authentication_key(c["user_id_for_srp"], c["password"], big_b, salt_hex)
    s = pow(big_b - k * pow(g, x, big_n), srp.small_a_value + u * x, big_n)
    message = (
        pool_name.encode("utf-8")
        + c["user_id_for_srp"].encode("utf-8")
        + base64.standard_b64decode(c["secret_block"])
        + responses["TIMESTAMP"].encode("utf-8")
    )
    check = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    assert check == responses["PASSWORD_CLAIM_SIGNATURE"], "K signs to the flow signature"

    out = dict(c)
    out.update(
        {
            "pool_name": pool_name,
            "salt_hex": salt_hex,
            "srp_a": client.initiate["AuthParameters"]["SRP_A"],
            "srp_b": challenge["SRP_B"],
            "k": aws_srp.long_to_hex(k),
            "x": aws_srp.long_to_hex(x),
            "v": aws_srp.long_to_hex(v),
            "u": aws_srp.long_to_hex(u),
            "s": aws_srp.long_to_hex(s),
            "pad_hex_a": aws_srp.pad_hex(big_a),
            "pad_hex_b": aws_srp.pad_hex(big_b),
            "pad_hex_s": aws_srp.pad_hex(s),
            "pad_hex_u": aws_srp.pad_hex(u),
            "pad_hex_salt": aws_srp.pad_hex(salt_hex),
            "key": key.hex(),
            "timestamp": responses["TIMESTAMP"],
            "signature": responses["PASSWORD_CLAIM_SIGNATURE"],
        }
    )
    assert fixed.year >= 1970
    return out


def main():
    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        data = json.load(f)
    cases = [run_case(c) for c in data["cases"]]
    timestamps = []
    for secs in data["timestamps"]:
        when = real_datetime.datetime(1970, 1, 1) + real_datetime.timedelta(seconds=secs)
        timestamps.append(
            {"secs": secs, "timestamp": aws_srp.AWSSRP.get_cognito_formatted_timestamp(when)}
        )
    json.dump(
        {
            "generator": f"interop/srp/pycognito_vectors.py with pycognito {version('pycognito')}",
            "cases": cases,
            "timestamps": timestamps,
        },
        sys.stdout,
        indent=2,
        ensure_ascii=False,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
