#!/usr/bin/env python3
"""Fixed IB1 provenance test vectors, made independently of gridgate.

Implements PERSEUS.md's "Provenance record" rules with the Python 3 standard library and the
openssl CLI only (no gridgate code, no third-party package):
  step      = base64url WITH padding of json.dumps(step, separators=(",", ":")) (ensure_ascii, so
              non-ASCII as lowercase \\uXXXX, surrogate pairs beyond the BMP; "/" unescaped;
              floats as repr()); members id, timestamp, type first, then the others in order
  signature = `openssl dgst -sha256 -sign KEY` (DER ECDSA P-256 SHA-256), base64url with padding,
              over TF, each element (string as is, nested list as "%" + its serialisation + "&"),
              "0", serial, timestamp, joined with "."
  record    = {"ib1:provenance", "origins", "steps", "certificates"}

Usage: make_vectors.py [OUTDIR]   (default: the directory of this script)
The certificates and keys come from pki/ (made once by make_pki.sh; created if missing).
Writes vectors/*.json, vectors/*.txt and float_repr.txt; see README.md for what each one is.
"""

import base64
import datetime
import json
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
PKI = os.path.join(OUT, "pki")
VEC = os.path.join(OUT, "vectors")

TF = "https://registry.core.trust.ib1.org/trust-framework"
SANDBOX_TF = "https://registry.core.sandbox.trust.ib1.org/trust-framework"
SCHEME = "https://registry.core.trust.ib1.org/scheme/perseus"
LICENCE = SCHEME + "/licence/energy-consumption-data/2024-12-05"
STANDARD = SCHEME + "/standard/energy-consumption-data/2024-12-05"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")  # padded


def encode_step(step: dict) -> str:
    return b64url(json.dumps(step, separators=(",", ":")).encode("utf-8"))


def serialise(elements):
    """The pieces of one list: strings as is, integers in decimal, lists as %, ..., &."""
    out = []
    for e in elements:
        if isinstance(e, str):
            out.append(e)
        elif isinstance(e, int):
            out.append(str(e))
        else:
            out.append("%")
            out.extend(serialise(e))
            out.append("&")
    return out


def signing_input(tf, data, serial, timestamp):
    return ".".join([tf] + serialise(data) + ["0", serial, timestamp])


def openssl_sign(key_file, text: str) -> bytes:
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file],
                          input=text.encode("utf-8"), capture_output=True, check=True).stdout


def cert_serial(pem_file) -> str:
    out = subprocess.run(["openssl", "x509", "-in", pem_file, "-noout", "-serial"],
                         capture_output=True, check=True, text=True).stdout
    return str(int(out.strip().split("=")[1], 16))


def cert_time(pem_file, which) -> int:
    out = subprocess.run(["openssl", "x509", "-in", pem_file, "-noout", "-" + which],
                         capture_output=True, check=True, text=True).stdout
    text = out.strip().split("=", 1)[1]
    t = datetime.datetime.strptime(text, "%b %d %H:%M:%S %Y GMT")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def utc(t: int) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read(path) -> str:
    with open(path) as f:
        return f.read()


class Party:
    def __init__(self, name):
        self.key = os.path.join(PKI, name + ".key")
        self.pem = os.path.join(PKI, name + ".pem")
        self.serial = cert_serial(self.pem)
        self.issuer_pem = os.path.join(PKI, "issuer.pem")
        self.issuer_serial = cert_serial(self.issuer_pem)

    def certificates(self):
        return {self.serial: [read(self.pem), self.issuer_serial],
                self.issuer_serial: [read(self.issuer_pem)]}


def sign_container(party, data, timestamp, tf=TF, version=0, serial=None, sig_transform=None):
    serial = serial or party.serial
    text = signing_input(tf, data, serial, timestamp)
    while True:  # a transform may ask for another signature (None): ECDSA DER varies in length
        sig = openssl_sign(party.key, text)
        sig_text = sig_transform(sig) if sig_transform else b64url(sig)
        if sig_text is not None:
            break
    return data + [[version, serial, timestamp, sig_text]], text


def origins_of(container):
    out = []
    for e in container[:-1]:
        if isinstance(e, str):
            step = json.loads(base64.urlsafe_b64decode(e + "=" * (-len(e) % 4)))
            if step["type"] == "origin":
                out.append(step["id"])
        else:
            out.extend(origins_of(e))
    return out


def record(tf, container, certificates):
    return {"ib1:provenance": tf, "origins": origins_of(container), "steps": container,
            "certificates": certificates}


def provider_steps(t):
    """PERSEUS.md's three data-provider steps, with fixed ids and some characters to escape."""
    ts = utc(t)
    permission = {"id": "cGVybWlzc2lvbi0wMDAx", "timestamp": utc(t - 86400), "type": "permission",
                  "scheme": SCHEME, "account": "Zo\u00eb \U0001F600 <a&b>",
                  "allows": {"licences": [LICENCE]}, "expires": utc(t + 365 * 86400)}
    origin = {"id": "b3JpZ2luLTAwMDAwMDAx", "timestamp": ts, "type": "origin", "scheme": SCHEME,
              "sourceType": SCHEME + "/source-type/Meter",
              "origin": "https://www.smartdcc.co.uk/", "originLicence": "https://licence/\u00a9",
              "external": True, "permissions": [permission["id"]],
              "perseus:scheme": {"meteringPeriod": {"from": "2024-01-01T00:00:00Z",
                                                    "to": "2024-01-02T00:00:00Z"}},
              "perseus:assurance": {"dataSource": SCHEME + "/assurance/data-source/SmartMeter",
                                    "missingData": 0.1, "processing": 1e-05, "count": 48,
                                    "scale": 1e16, "nothing": None, "tab\tand\nnewline": "\u2028"}}
    transfer = {"id": "dHJhbnNmZXItMDAwMDAx", "timestamp": ts, "type": "transfer",
                "scheme": SCHEME, "of": origin["id"],
                "to": "https://directory.core.trust.ib1.org/a/cap", "standard": STANDARD,
                "licence": LICENCE, "service": "https://api.example.energy/datasources/abc/import",
                "path": "/readings",
                "parameters": {"measure": "import", "from": "2024-01-01", "to": "2024-01-02"},
                "permissions": [permission["id"]],
                "transaction": "4f1c2d7e-9a3b-4c5d-8e6f-0a1b2c3d4e5f"}
    return [permission, origin, transfer]


def write_json(name, value):
    with open(os.path.join(VEC, name), "w") as f:
        json.dump(value, f, separators=(",", ":"))
        f.write("\n")


def write_text(name, text):
    with open(os.path.join(VEC, name), "w") as f:
        f.write(text)


def write_float_repr(path, count=2000, seed=20241205):
    rng = random.Random(seed)
    lines = ["# IEEE-754 bits (hex) and Python repr() of the double; made by make_vectors.py"]
    values = [0.1, 1e15, 1e16, 1e-4, 1e-5, 5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, 123456.789]
    while len(values) < count:
        kind = rng.randrange(4)
        if kind == 0:
            v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if v != v or v in (float("inf"), float("-inf")):
                continue
        elif kind == 1:
            v = rng.uniform(-1e6, 1e6)
        elif kind == 2:
            v = round(rng.uniform(0, 10000), rng.randrange(0, 6))
        else:
            v = rng.randrange(-10**6, 10**6) * 10.0 ** rng.randrange(-25, 25)
        values.append(v)
    for v in values:
        lines.append("%016x %s" % (struct.unpack("<Q", struct.pack("<d", v))[0], repr(v)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    if not os.path.exists(os.path.join(PKI, "root.pem")):
        tmp = PKI + ".tmp"
        subprocess.run(["bash", os.path.join(HERE, "make_pki.sh"), tmp, "3650"], check=True)
        os.makedirs(PKI, exist_ok=True)
        for name in ["root.pem", "issuer.pem", "edp.pem", "edp.key", "cap.pem", "cap.key"]:
            os.replace(os.path.join(tmp, name), os.path.join(PKI, name))
        subprocess.run(["rm", "-rf", tmp], check=True)
    os.makedirs(VEC, exist_ok=True)
    edp, cap = Party("edp"), Party("cap")
    t = cert_time(edp.pem, "startdate") + 60
    ts, ts2 = utc(t), utc(t + 60)

    # 1. The data provider's record.
    steps = provider_steps(t)
    encoded = [encode_step(s) for s in steps]
    container, text = sign_container(edp, list(encoded), ts)
    rec = record(TF, container, edp.certificates())
    write_json("record.json", rec)
    write_text("record.signing_input.txt", text)
    write_json("record.steps.json", steps)
    write_json("response.json", {"data": [{"type": "Electricity", "from": "2024-01-01T00:00:00Z",
                                           "to": "2024-01-01T00:30:00Z",
                                           "energy": {"value": 0.25, "unitCode": "WHR"}}],
                                 "location": {"ukPostcodeOutcode": "SW1A"}, "provenance": rec})

    # 2. A downstream party extends it: the received steps nested verbatim.
    process = {"id": "cHJvY2Vzcy0wMDAwMDAx", "timestamp": ts2, "type": "process",
               "inputs": rec["origins"], "note": "\u00bd"}
    outer, outer_text = sign_container(cap, [container, encode_step(process)], ts2)
    certs = dict(rec["certificates"])
    certs.update(cap.certificates())
    write_json("nested.json", record(TF, outer, certs))
    write_text("nested.signing_input.txt", outer_text)
    write_text("nested.inner_signing_input.txt", text)

    # 3. A valid record whose signer lacks the energy-data-provider role.
    cap_container, _ = sign_container(cap, list(encoded), ts)
    write_json("role-missing.json", record(TF, cap_container, cap.certificates()))

    # Negative vectors: each has one defect; where the defect is in signed bytes, the record is
    # signed over the defective bytes so that only the defect can make it fail.
    def bad(name, data_steps=None, **kw):
        c, _ = sign_container(edp, list(data_steps if data_steps is not None else encoded),
                              kw.pop("timestamp", ts), **kw)
        return c

    c = [list(x) if isinstance(x, list) else x for x in container]
    s = c[1]
    c[1] = s[:10] + ("A" if s[10] != "A" else "B") + s[11:]
    write_json("bad-altered-step.json", record(TF, c, edp.certificates()))

    c = [list(x) if isinstance(x, list) else x for x in container]
    c[-1][2] = ts2
    write_json("bad-altered-timestamp.json", record(TF, c, edp.certificates()))

    r = record(TF, container, edp.certificates())
    r["origins"] = []
    write_json("bad-origins.json", r)

    r = record(TF, container, cap.certificates())
    r["certificates"][edp.serial] = [read(cap.pem), cap.issuer_serial]
    write_json("bad-swapped-certificate.json", r)

    upper = b64url(json.dumps(steps[0], separators=(",", ":")).replace("\\ud83d", "\\uD83D")
                   .encode())
    write_json("bad-uppercase-escape.json",
               record(TF, bad("x", [upper] + encoded[1:]), edp.certificates()))

    utf8 = b64url(json.dumps(steps[0], separators=(",", ":"), ensure_ascii=False).encode())
    write_json("bad-raw-utf8.json", record(TF, bad("x", [utf8] + encoded[1:]), edp.certificates()))

    # A step whose encoding needs padding (the three above may not), written without it.
    padded = next(e for e in (encode_step(dict(steps[2], note="x" * n)) for n in range(3))
                  if e.endswith("="))
    write_json("bad-unpadded-step.json",
               record(TF, bad("x", encoded[:2] + [padded.rstrip("=")]), edp.certificates()))

    reordered = dict(steps[1])
    reordered = {"type": reordered.pop("type"), **reordered}
    write_json("bad-key-order.json",
               record(TF, bad("x", [encoded[0], encode_step(reordered)] + encoded[2:]),
                      edp.certificates()))

    spaced = b64url(json.dumps(steps[2]).encode())  # default separators: ", " and ": "
    write_json("bad-whitespace.json",
               record(TF, bad("x", encoded[:2] + [spaced]), edp.certificates()))

    def raw_rs(der):
        # DER SEQUENCE { INTEGER r, INTEGER s } -> 32-byte r || s (JOSE style), padded base64url
        i = 2 if der[1] < 0x80 else 3
        rlen = der[i + 1]
        r = der[i + 2:i + 2 + rlen]
        j = i + 2 + rlen
        s = der[j + 2:j + 2 + der[j + 1]]
        return b64url(r[-32:].rjust(32, b"\0") + s[-32:].rjust(32, b"\0"))

    write_json("bad-raw-signature.json",
               record(TF, bad("x", sig_transform=raw_rs), edp.certificates()))
    write_json("bad-unpadded-signature.json",
               record(TF, bad("x", sig_transform=lambda d: b64url(d).rstrip("=") if len(d) % 3
                              else None), edp.certificates()))
    write_json("bad-version.json", record(TF, bad("x", version=1), edp.certificates()))
    write_json("bad-trust-framework.json",
               record(SANDBOX_TF, bad("x", tf=TF), edp.certificates()))
    not_after = cert_time(edp.pem, "enddate")
    write_json("bad-signed-after-expiry.json",
               record(TF, bad("x", timestamp=utc(not_after + 86400)), edp.certificates()))
    write_json("bad-signed-before-validity.json",
               record(TF, bad("x", timestamp=utc(t - 7200)), edp.certificates()))
    write_json("bad-leading-zero-serial.json",
               record(TF, bad("x", serial="0" + edp.serial),
                      {"0" + edp.serial: [read(edp.pem), edp.issuer_serial],
                       edp.issuer_serial: [read(edp.issuer_pem)]}))
    dup = dict(steps[2])
    dup_json = json.dumps(dup, separators=(",", ":"))[:-1] + ',"path":"/other"}'
    write_json("bad-duplicate-key.json",
               record(TF, bad("x", encoded[:2] + [b64url(dup_json.encode())]),
                      edp.certificates()))
    # Nested record altered, outer signature made over the altered bytes.
    inner = [list(x) if isinstance(x, list) else x for x in container]
    inner[0] = encode_step(dict(steps[0], account="someone else"))
    outer_bad, _ = sign_container(cap, [inner, encode_step(process)], ts2)
    write_json("bad-nested-altered.json", record(TF, outer_bad, certs))

    write_float_repr(os.path.join(OUT, "float_repr.txt"))


if __name__ == "__main__":
    main()
