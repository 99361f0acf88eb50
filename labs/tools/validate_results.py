#!/usr/bin/env python3
"""validate_results.py SCHEMA FILE... - check each FILE against SCHEMA, a
JSON Schema using only type, required, properties, additionalProperties,
items, enum and minimum (labs/tools/gradescope-results.schema.json), with
Python's standard library alone. Prints one line per problem; exits 1 if
any file has one. A results.json must also add up: each test's score at
most its max_score, the top-level score the sum of the tests' scores.
"""
import json
import sys

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "integer": int, "number": (int, float)}


def check(schema, value, where, problems):
    """Appends to problems each way value breaks schema."""
    t = schema.get("type")
    if t:
        ok = isinstance(value, TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
        if not ok:
            problems.append(f"{where}: should be {t}, is {type(value).__name__}")
            return
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        problems.append(f"{where}: {value} is below {schema['minimum']}")
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                problems.append(f"{where}: missing \"{k}\"")
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                check(props[k], v, f"{where}.{k}", problems)
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unknown key \"{k}\"")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            check(schema["items"], v, f"{where}[{i}]", problems)


def sums(doc, problems):
    """The arithmetic a schema cannot say."""
    tests = doc.get("tests") if isinstance(doc, dict) else None
    if not isinstance(tests, list) or not all(isinstance(t, dict) for t in tests):
        return
    try:
        for i, t in enumerate(tests):
            if t["score"] > t["max_score"]:
                problems.append(f"$.tests[{i}]: score {t['score']} above max_score {t['max_score']}")
        if abs(sum(t["score"] for t in tests) - doc["score"]) > 1e-9:
            problems.append(f"$.score: {doc['score']} is not the sum of the tests' scores")
    except (KeyError, TypeError):
        pass  # already reported by the schema


def main(argv):
    if len(argv) < 2:
        print("usage: validate_results.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        schema = json.load(f)
    bad = 0
    for path in argv[1:]:
        problems = []
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            problems.append(f"not readable JSON: {e}")
        else:
            check(schema, doc, "$", problems)
            sums(doc, problems)
        for p in problems:
            print(f"{path}: {p}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
