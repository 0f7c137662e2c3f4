"""Interop peer for DataWeaver's Avro tests: Apache Avro's own Python implementation (python3-avro 1.11).

Usage (run with /usr/bin/python3):
  interop.py check                          exit 0 when avro is importable
  interop.py data <case>                    the case's datums, normalized, as JSON
  interop.py write <case> <codec> <path>    write the case's datums to an object container file
  interop.py read <path>                    read an object container file, print its records normalized as JSON
  interop.py encode <case>                  binary-encode each datum, print a JSON list of hex strings
  interop.py decode <case> <hex>...         decode datums with the case's schema, print them normalized
  interop.py canonical <schema-json>        print {"canonical": ..., "crc64": ...} (CRC-64-AVRO per the spec)
"""
import datetime
import decimal
import io
import json
import sys

import avro.datafile
import avro.io
import avro.schema

UTC = datetime.timezone.utc

ALL_SCHEMA = """
{"type": "record", "name": "AllTypes", "namespace": "com.example", "fields": [
  {"name": "n", "type": "null"},
  {"name": "b", "type": "boolean"},
  {"name": "i", "type": "int"},
  {"name": "l", "type": "long"},
  {"name": "f", "type": "float"},
  {"name": "d", "type": "double"},
  {"name": "by", "type": "bytes"},
  {"name": "s", "type": "string"},
  {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
  {"name": "fx", "type": {"type": "fixed", "name": "Quad", "size": 4}},
  {"name": "arr", "type": {"type": "array", "items": "int"}},
  {"name": "m", "type": {"type": "map", "values": "string"}},
  {"name": "u", "type": ["null", "string", "long"]},
  {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
  {"name": "decf", "type": {"type": "fixed", "name": "Dec8", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}},
  {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "date", "type": {"type": "int", "logicalType": "date"}},
  {"name": "tmil", "type": {"type": "int", "logicalType": "time-millis"}},
  {"name": "tmic", "type": {"type": "long", "logicalType": "time-micros"}},
  {"name": "tsm", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "ltm", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
  {"name": "ltu", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
  {"name": "color2", "type": "Color"}
]}
"""

TREE_SCHEMA = """
{"type": "record", "name": "Node", "namespace": "tree", "fields": [
  {"name": "value", "type": "int"},
  {"name": "children", "type": {"type": "array", "items": "Node"}},
  {"name": "next", "type": ["null", "Node"]}
]}
"""


def all_datums():
    base = dict(
        n=None, b=True, i=-42, l=1234567890123, f=1.5, d=-0.25, by=b"\x00\x01\xfe\xff", s="héllo wörld ✓",
        e="GREEN", fx=b"abcd", arr=[1, -2, 300000], m={"a": "x", "b": "y"}, u="text",
        dec=decimal.Decimal("12345678.90"), decf=decimal.Decimal("-98765.4321"),
        uid="6a2f41a3-c54c-fce8-32d2-0324e1c32e22", date=datetime.date(2024, 2, 29),
        tmil=datetime.time(13, 45, 30, 123000), tmic=datetime.time(23, 59, 59, 999999),
        tsm=datetime.datetime(2023, 5, 17, 8, 30, 15, 250000, tzinfo=UTC),
        tsu=datetime.datetime(1969, 7, 20, 20, 17, 40, 123456, tzinfo=UTC),
        ltm=1700000000123, ltu=-1234567, color2="BLUE")
    second = dict(base, b=False, i=2147483647, l=-9223372036854775808, f=-3.0, d=1e100, by=b"", s="", e="RED",
                  fx=b"\x00\x00\x00\x00", arr=[], m={}, u=None, dec=decimal.Decimal("-0.01"),
                  decf=decimal.Decimal("0.0000"), date=datetime.date(1970, 1, 1), tmil=datetime.time(0, 0),
                  tmic=datetime.time(0, 0, 0, 1), tsm=datetime.datetime(1970, 1, 1, tzinfo=UTC), ltm=0, ltu=0)
    third = dict(base, u=-7, i=0, l=0, arr=list(range(5)), dec=decimal.Decimal("99999999.99"))
    return [base, second, third]


def tree_datums():
    leaf = lambda v: {"value": v, "children": [], "next": None}
    return [
        {"value": 1, "children": [leaf(2), {"value": 3, "children": [leaf(4)], "next": leaf(5)}], "next": {"value": 6, "children": [], "next": leaf(7)}},
        leaf(0),
    ]


CASES = {"all": (ALL_SCHEMA, all_datums), "tree": (TREE_SCHEMA, tree_datums)}


def norm(v):
    if isinstance(v, bool) or v is None or isinstance(v, (int, float, str)):
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": v.hex()}
    if isinstance(v, decimal.Decimal):
        return {"$dec": format(v, "f")}
    if isinstance(v, datetime.datetime):
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=UTC)
        return {"$ts": (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds}
    if isinstance(v, datetime.date):
        return {"$date": (v - datetime.date(1970, 1, 1)).days}
    if isinstance(v, datetime.time):
        return {"$time": ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond}
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    raise TypeError(type(v))


def crc64(data):
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp - (1 << 64) if fp >= (1 << 63) else fp


def main(argv):
    cmd = argv[1]
    if cmd == "check":
        return
    if cmd == "canonical":
        schema = avro.schema.parse(argv[2])
        canonical = schema.canonical_form
        print(json.dumps({"canonical": canonical, "crc64": crc64(canonical.encode("utf-8"))}))
        return
    if cmd == "read":
        with open(argv[2], "rb") as f:
            reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
            print(json.dumps([norm(r) for r in reader]))
        return
    schema_json, datums = CASES[argv[2]]
    schema = avro.schema.parse(schema_json)
    if cmd == "data":
        print(json.dumps(norm(datums())))
    elif cmd == "write":
        with open(argv[4], "wb") as f:
            writer = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=argv[3])
            for d in datums():
                writer.append(d)
            writer.close()
    elif cmd == "encode":
        out = []
        for d in datums():
            buf = io.BytesIO()
            avro.io.DatumWriter(schema).write(d, avro.io.BinaryEncoder(buf))
            out.append(buf.getvalue().hex())
        print(json.dumps(out))
    elif cmd == "decode":
        reader = avro.io.DatumReader(schema)
        print(json.dumps([norm(reader.read(avro.io.BinaryDecoder(io.BytesIO(bytes.fromhex(h))))) for h in argv[3:]]))
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
