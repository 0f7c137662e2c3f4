"""Reads an Avro Object Container File with Apache Avro's Python implementation and prints each record as one JSON
line in the mapping of docs/cli.md (bytes and fixed as base64, unions as their value, enums as symbols, logical types
as ISO-8601, uuid as a string, decimal as a decimal string), walking the writer schema beside each value.

usage: /usr/bin/python3 avro_to_jsonl.py FILE.avro
"""
import base64
import datetime
import decimal
import json
import math
import sys

import avro.datafile
import avro.io

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
EPOCH = datetime.datetime(1970, 1, 1)


def collect(schema, names, namespace=None):
    """Registers the named types of a schema JSON by short name and full name."""
    if isinstance(schema, list):
        for branch in schema:
            collect(branch, names, namespace)
    elif isinstance(schema, dict):
        kind = schema["type"]
        if kind in ("record", "enum", "fixed"):
            namespace = schema.get("namespace", namespace)
            full = schema["name"] if "." in schema["name"] or not namespace else namespace + "." + schema["name"]
            names[full] = schema
            names[schema["name"].split(".")[-1]] = schema
        if kind == "record":
            for field in schema["fields"]:
                collect(field["type"], names, namespace)
        elif kind == "array":
            collect(schema["items"], names, namespace)
        elif kind == "map":
            collect(schema["values"], names, namespace)
        elif isinstance(kind, (dict, list)):
            collect(kind, names, namespace)


def resolve(schema, names):
    if isinstance(schema, str) and schema not in PRIMITIVES:
        return names[schema]
    if isinstance(schema, dict) and isinstance(schema["type"], (dict, list)) and "logicalType" not in schema:
        return resolve(schema["type"], names)
    return schema


def kind_of(schema):
    return schema if isinstance(schema, str) else schema["type"]


def holds(schema, value, names):
    """Whether a union branch holds a value as Apache Avro's Python reader returns it."""
    schema = resolve(schema, names)
    kind = kind_of(schema)
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if value is None:
        return kind == "null"
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, datetime.datetime):
        return logical is not None and "timestamp" in logical
    if isinstance(value, datetime.date):
        return logical == "date"
    if isinstance(value, datetime.time):
        return logical in ("time-millis", "time-micros")
    if isinstance(value, decimal.Decimal):
        return logical == "decimal"
    if isinstance(value, int):
        return kind in ("int", "long")
    if isinstance(value, float):
        return kind in ("float", "double")
    if isinstance(value, str):
        return kind in ("string", "enum")
    if isinstance(value, bytes):
        return kind in ("bytes", "fixed")
    if isinstance(value, list):
        return kind == "array"
    if isinstance(value, dict):
        return kind == "map" or (kind == "record" and set(value) == {f["name"] for f in schema["fields"]})
    return False


def render(schema, value, names):
    schema = resolve(schema, names)
    if isinstance(schema, list):
        for branch in schema:
            if holds(branch, value, names):
                return render(branch, value, names)
        raise ValueError("no branch of %s holds %r" % (schema, value))
    kind = kind_of(schema)
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if value is None:
        return None
    if logical == "decimal":
        return format(value, "f")
    if logical == "uuid":
        return str(value)
    if logical == "date":
        return value.isoformat()
    if logical in ("time-millis", "time-micros"):
        return value.isoformat()
    if logical in ("timestamp-millis", "timestamp-micros"):
        return value.isoformat()
    if logical in ("local-timestamp-millis", "local-timestamp-micros"):
        if isinstance(value, int):  # Apache Avro 1.11 has no local timestamps: it gives the long
            unit = "milliseconds" if logical.endswith("millis") else "microseconds"
            value = EPOCH + datetime.timedelta(**{unit: value})
        return value.isoformat()
    if kind in ("bytes", "fixed"):
        return base64.b64encode(value).decode("ascii")
    if kind in ("float", "double"):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if kind == "record":
        return {f["name"]: render(f["type"], value[f["name"]], names) for f in schema["fields"]}
    if kind == "array":
        return [render(schema["items"], item, names) for item in value]
    if kind == "map":
        return {key: render(schema["values"], item, names) for key, item in value.items()}
    return value


def main(path):
    with open(path, "rb") as stream:
        reader = avro.datafile.DataFileReader(stream, avro.io.DatumReader())
        schema = json.loads(reader.get_meta("avro.schema").decode("utf-8"))
        names = {}
        collect(schema, names)
        for record in reader:
            print(json.dumps(render(schema, record, names), ensure_ascii=False, allow_nan=False))
        reader.close()


if __name__ == "__main__":
    main(sys.argv[1])
