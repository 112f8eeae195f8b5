#!/usr/bin/env python3
"""Independent check of the Karez JSON Schemas and test vectors.

Layout (relative to this file):
  schemas/<name>.schema.json                 one JSON Schema (draft 2020-12) per body
  examples/<name>/valid/<what-it-tests>.json    documents the schema must accept
  examples/<name>/invalid/<what-it-tests>.json  documents it must refuse, each breaking one rule

Usage:
  python3 check.py              check the schemas, validate every vector, compare with its
                                directory (valid/invalid); one line per problem, then a summary
                                line; exit status 1 on any problem
  python3 check.py --verdicts   print {"<schema>/<valid|invalid>/<file>": true|false, ...}
                                (true = the schema accepts the document) for another
                                implementation to compare its own verdicts with
  python3 check.py --errors     print {"<schema>/invalid/<file>": {"path": ..., "code": ...}}:
                                the one error each invalid vector should produce, as a JSON
                                Pointer and a Karez error code (see PROTOCOL.md, "Error codes")

Error mapping (--errors): each jsonschema keyword gives the code of PROTOCOL.md 7.2 (CODES
below), at the path of section 7 (required: the missing member; additionalProperties: the
unknown member). Two shapes of "not" name members that must be absent:
  "not": {"required": [a]}     a must be absent (a member the object's shape does not take, e.g. a
                               CTL member the action does not take): unknown_field at .../a
  "not": {"required": [a, b]}  a and b must not both be present (PUBX delay_ms and not_before):
                               inconsistent at the last member named, .../b
Either may carry "type": "object" beside "required", so that the "not" holds for a value that is
no object (which then has only its type error).

Besides the verdicts, the default mode checks that each schema is a valid draft 2020-12 schema
with the expected $schema, $id and title and a description on every property; that each invalid
vector breaks exactly one rule (jsonschema reports exactly one error); that no directory holds
fewer vectors than agreed; with tools/checkdigits.py, that national ids and credit codes in the
vectors carry correct check characters (and agree with birth_date and sex); and that PROTOCOL.md
embeds examples/python/publish.py and examples/python/worker.py verbatim.

Needs: jsonschema >= 4.18 and rfc3339-validator (without it "date-time" is not checked).
"""

from __future__ import annotations

import json
import os
import sys

from jsonschema import Draft202012Validator

sys.dont_write_bytecode = True  # importing tools/checkdigits.py leaves no __pycache__

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(HERE, "schemas")
EXAMPLES = os.path.join(HERE, "examples")
ID_BASE = "https://karez.dev/proto-json/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

EXPECTED_SCHEMAS = ("news", "patient", "lead", "error", "hello", "welcome", "pong", "metrics", "options", "control")
# Least number of vectors per directory: (valid, invalid).
MINIMUM = {"news": (5, 8), "patient": (5, 8), "lead": (5, 8)}
DEFAULT_MINIMUM = (2, 3)

# jsonschema keyword -> Karez error code (PROTOCOL.md, "Error codes").
CODES = {
    "required": "required",
    "type": "type",
    "enum": "enum",
    "const": "enum",
    "minLength": "min_length",
    "minItems": "min_length",
    "maxLength": "max_length",
    "maxItems": "max_length",
    "pattern": "pattern",
    "format": "format",
    "minimum": "minimum",
    "exclusiveMinimum": "minimum",
    "maximum": "maximum",
    "exclusiveMaximum": "maximum",
    "additionalProperties": "unknown_field",
}


def pointer(parts) -> str:
    """RFC 6901 JSON Pointer from path components."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def karez_error(error) -> dict:
    """The {path, code} a Karez validator reports for one jsonschema error."""
    path = list(error.absolute_path)
    if error.validator in ("anyOf", "oneOf") and error.context:
        # A value that may take one of several shapes (lead amount: string or object;
        # published_at: date or date-time): report the error of a shape that has the value's
        # JSON type; if no shape has it, the error is a type error.
        branches: dict[int, list] = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)
        typed = [errs for errs in branches.values()
                 if not any(e.validator == "type" and not list(e.relative_path) for e in errs)]
        if typed:
            return karez_error(sorted(typed[0], key=lambda e: list(e.absolute_path))[0])
        return {"path": pointer(path), "code": "type"}
    if (error.validator == "not" and isinstance(error.validator_value, dict)
            and error.validator_value.get("required") and set(error.validator_value) <= {"required", "type"}):
        # "not": {"required": [a]}: a must be absent; [a, b]: not both (docstring).
        members = error.validator_value["required"]
        return {"path": pointer(path + members[-1:]), "code": "unknown_field" if len(members) == 1 else "inconsistent"}
    if error.validator == "type" and not path and not isinstance(error.instance, dict):
        return {"path": "", "code": "not_object"}
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return {"path": pointer(path + missing[:1]), "code": "required"}
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in known)
        return {"path": pointer(path + extra[:1]), "code": "unknown_field"}
    if "propertyNames" in error.relative_schema_path or "propertyNames" in error.absolute_schema_path:
        return {"path": pointer(path + [error.instance]), "code": CODES.get(error.validator, error.validator)}
    return {"path": pointer(path), "code": CODES.get(error.validator, error.validator)}


def lint_schema(name: str, schema: dict) -> list[str]:
    problems = []
    if schema.get("$schema") != DRAFT:
        problems.append(f"schemas/{name}.schema.json: $schema is not {DRAFT}")
    if schema.get("$id") != f"{ID_BASE}{name}.schema.json":
        problems.append(f"schemas/{name}.schema.json: $id is not {ID_BASE}{name}.schema.json")
    for key in ("title", "description"):
        if not schema.get(key):
            problems.append(f"schemas/{name}.schema.json: no {key}")

    def walk(node, where):
        if isinstance(node, dict):
            for prop, sub in (node.get("properties") or {}).items():
                if not (isinstance(sub, dict) and sub.get("description")):
                    problems.append(f"schemas/{name}.schema.json: property {where}/{prop} has no description")
            for key, sub in node.items():
                walk(sub, f"{where}/{key}" if key != "properties" else where)
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    walk(schema, "")
    return problems


def load_schemas() -> tuple[dict, list[str]]:
    validators, problems = {}, []
    names = sorted(f[: -len(".schema.json")] for f in os.listdir(SCHEMAS) if f.endswith(".schema.json"))
    for missing in sorted(set(EXPECTED_SCHEMAS) - set(names)):
        problems.append(f"schemas/{missing}.schema.json: missing")
    for name in names:
        path = os.path.join(SCHEMAS, f"{name}.schema.json")
        try:
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
        except Exception as e:  # a broken schema is reported, not raised
            problems.append(f"schemas/{name}.schema.json: not a valid draft 2020-12 schema: {e}")
            continue
        problems += lint_schema(name, schema)
        validators[name] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validators, problems


def vectors():
    """Yield (schema name, verdict directory, file name, path), sorted."""
    for name in sorted(os.listdir(EXAMPLES)):
        if not os.path.isdir(os.path.join(EXAMPLES, name)):
            continue
        for verdict in ("valid", "invalid"):
            d = os.path.join(EXAMPLES, name, verdict)
            if os.path.isdir(d):
                for file in sorted(os.listdir(d)):
                    if file.endswith(".json"):
                        yield name, verdict, file, os.path.join(d, file)


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else ""
    if mode in ("-h", "--help"):
        print(__doc__)
        return 0
    if mode not in ("", "--verdicts", "--errors"):
        print(f"usage: {argv[0]} [--verdicts | --errors]", file=sys.stderr)
        return 2
    checkers = Draft202012Validator.FORMAT_CHECKER.checkers
    if "date" not in checkers or "date-time" not in checkers:
        print("proto-json: the jsonschema format checker cannot check date and date-time; "
              "install rfc3339-validator", file=sys.stderr)
        return 2

    validators, schema_problems = load_schemas()
    verdicts: dict[str, bool] = {}
    expected_errors: dict[str, dict] = {}
    mismatches: list[str] = []
    lint: list[str] = list(schema_problems)
    counts: dict[tuple[str, str], int] = {}

    for name, verdict, file, path in vectors():
        key = f"{name}/{verdict}/{file}"
        counts[(name, verdict)] = counts.get((name, verdict), 0) + 1
        validator = validators.get(name)
        if validator is None:
            lint.append(f"{key}: no schema schemas/{name}.schema.json")
            continue
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (ValueError, UnicodeDecodeError) as e:
            lint.append(f"{key}: not a JSON document: {e}")
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        verdicts[key] = not errors
        if verdict == "valid" and errors:
            e = errors[0]
            mismatches.append(f"MISMATCH {key}: expected valid, jsonschema says invalid at "
                              f"'{pointer(e.absolute_path)}': {e.message[:200]}")
        elif verdict == "invalid" and not errors:
            mismatches.append(f"MISMATCH {key}: expected invalid, jsonschema says valid")
        elif verdict == "invalid" and len(errors) != 1:
            lint.append(f"{key}: breaks {len(errors)} rules, an invalid vector must break exactly one: "
                        + "; ".join(f"'{pointer(e.absolute_path)}' {e.validator}" for e in errors))
        if verdict == "invalid" and errors:
            expected_errors[key] = karez_error(errors[0])

    if mode == "--verdicts":
        print(json.dumps(verdicts, indent=1, sort_keys=True))
        return 1 if schema_problems else 0
    if mode == "--errors":
        print(json.dumps(expected_errors, indent=1, sort_keys=True, ensure_ascii=False))
        return 1 if schema_problems else 0

    for name in sorted(validators):
        want_valid, want_invalid = MINIMUM.get(name, DEFAULT_MINIMUM)
        for verdict, want in (("valid", want_valid), ("invalid", want_invalid)):
            have = counts.get((name, verdict), 0)
            if have < want:
                lint.append(f"examples/{name}/{verdict}: {have} vectors, at least {want} expected")

    sys.path.insert(0, os.path.join(HERE, "tools"))
    try:
        import checkdigits
        _, digit_problems = checkdigits.verify(EXAMPLES)
        lint += [f"check characters: {p}" for p in digit_problems]
    except ImportError as e:
        lint.append(f"tools/checkdigits.py could not be loaded: {e}")

    try:
        with open(os.path.join(HERE, "PROTOCOL.md"), encoding="utf-8") as f:
            protocol = f.read()
        for example in ("publish.py", "worker.py"):
            with open(os.path.join(HERE, "..", "examples", "python", example), encoding="utf-8") as f:
                if f.read().rstrip("\n") not in protocol:
                    lint.append(f"PROTOCOL.md does not embed examples/python/{example} verbatim")
    except OSError as e:
        lint.append(f"cannot compare PROTOCOL.md with the example scripts: {e}")

    for line in mismatches + lint:
        print(line)
    n, m = len(verdicts), len(validators)
    if not mismatches and not lint:
        print(f"proto-json: {n} vectors checked, {m} schemas, all verdicts as expected")
        return 0
    summary = f"proto-json: {n} vectors checked, {m} schemas, {len(mismatches)} mismatches"
    if lint:
        summary += f", {len(lint)} other problems"
    print(summary)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
