#!/usr/bin/env python3
"""Check characters of Chinese identity and organisation codes, for the Karez test vectors.

  GB 11643-1999  citizen identity number (18 chars): 6-digit division code, 8-digit birth
                 date YYYYMMDD, 3-digit sequence (odd = male, even = female), check char
                 by ISO 7064 MOD 11-2.  The legacy 15-digit form (before 1999) has a
                 YYMMDD birth date in 19xx, a 3-digit sequence and no check char.
  GB 32100-2015  unified social credit code (18 chars): registration authority, entity
                 type, 6-digit division code, 9-char organisation code (GB 11714), check
                 char by a weighted MOD 31 over the alphabet 0-9A-Z without I O S V Z.
  GB 11714-1997  organisation code (8 chars + check char): weighted MOD 11, 10 -> "X".

Usage:
  checkdigits.py verify [EXAMPLES_DIR]          check every valid (and, where it applies,
                                                every invalid) vector; exit 1 on a problem
  checkdigits.py id DIVISION YYYY-MM-DD M|F [SEQ]   make a citizen identity number
  checkdigits.py credit REG TYPE DIVISION ORG8  make a credit code, e.g. 9 1 650402 MA78XK3P
  checkdigits.py check CODE [CODE ...]          say whether each code's check chars are right
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys

# --- GB 11643: citizen identity number ------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^([0-9]{17}[0-9Xx]|[0-9]{15})$")


def national_id_check_char(first17: str) -> str:
    """The check character of an 18-character identity number, from its first 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS))
    return ID_CHECK[total % 11]


def national_id_problems(nid: str, birth_date: str | None = None, sex: str | None = None) -> list[str]:
    """Why `nid` is not a correct identity number (agreeing with birth_date and sex, if given)."""
    if not ID_PATTERN.fullmatch(nid):
        return [f"{nid!r} does not match the identity number pattern"]
    problems = []
    if len(nid) == 18:
        want = national_id_check_char(nid[:17])
        if nid[17].upper() != want:
            problems.append(f"{nid}: check char {nid[17]!r}, expected {want!r}")
        embedded, seq = nid[6:14], nid[14:17]
    else:
        embedded, seq = "19" + nid[6:12], nid[12:15]
    try:
        born = _dt.date(int(embedded[:4]), int(embedded[4:6]), int(embedded[6:8]))
    except ValueError:
        problems.append(f"{nid}: embedded birth date {embedded} is not a date")
        born = None
    if born is not None and birth_date is not None and born.isoformat() != birth_date:
        problems.append(f"{nid}: embedded birth date {born.isoformat()} != birth_date {birth_date}")
    embedded_sex = "M" if int(seq[-1]) % 2 == 1 else "F"
    if sex is not None and embedded_sex != sex:
        problems.append(f"{nid}: sequence digit {seq[-1]} means sex {embedded_sex}, record says {sex}")
    return problems


def make_national_id(division: str, birth_date: str, sex: str, seq: int = 12) -> str:
    """An 18-character identity number; `seq` (0..499) picks the 3-digit sequence."""
    born = _dt.date.fromisoformat(birth_date)
    n = 2 * seq + (1 if sex == "M" else 0)  # odd = male, even = female
    if not (re.fullmatch(r"[0-9]{6}", division) and 0 <= n <= 999):
        raise ValueError("bad division or sequence")
    first17 = f"{division}{born:%Y%m%d}{n:03d}"
    return first17 + national_id_check_char(first17)


# --- GB 11714: organisation code ------------------------------------------------------------

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + 10
    raise ValueError(f"bad organisation code character {c!r}")


def org_code_check_char(first8: str) -> str:
    """The check character (9th) of an organisation code, from its first 8 characters."""
    if len(first8) != 8:
        raise ValueError(f"need 8 characters, got {first8!r}")
    c9 = 11 - sum(_org_value(c) * w for c, w in zip(first8, ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


# --- GB 32100: unified social credit code ---------------------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """The check character (18th) of a credit code, from its first 17 characters."""
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError(f"need 17 characters of {CREDIT_ALPHABET}, got {first17!r}")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problems(code: str) -> list[str]:
    """Why `code` is not a correct credit code (both check characters)."""
    if not CREDIT_PATTERN.fullmatch(code):
        return [f"{code!r} does not match the credit code pattern"]
    problems = []
    want = credit_code_check_char(code[:17])
    if code[17] != want:
        problems.append(f"{code}: credit code check char {code[17]!r}, expected {want!r}")
    want9 = org_code_check_char(code[8:16])
    if code[16] != want9:
        problems.append(f"{code}: organisation code check char {code[16]!r}, expected {want9!r}")
    return problems


def make_credit_code(registration: str, entity_type: str, division: str, org8: str) -> str:
    """A credit code with correct organisation-code and credit-code check characters."""
    org = org8 + org_code_check_char(org8)
    first17 = registration + entity_type + division + org
    if not CREDIT_PATTERN.fullmatch(first17 + "0"):
        raise ValueError(f"{first17!r} uses characters outside the credit code alphabet")
    return first17 + credit_code_check_char(first17)


# --- vectors ---------------------------------------------------------------------------------

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _is_date(s: object) -> bool:
    if not (isinstance(s, str) and _DATE.fullmatch(s)):
        return False
    try:
        _dt.date.fromisoformat(s)
        return True
    except ValueError:
        return False


def document_problems(schema: str, doc: object, strict: bool) -> list[str]:
    """Domain problems in one vector.  strict (valid vectors): every code must be correct and
    agree with the record.  Not strict (invalid vectors): codes that pass the schema pattern
    must still be correct, so that an invalid vector breaks exactly one (schema) rule."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return problems
    if schema == "patient":
        p = doc.get("patient")
        if isinstance(p, dict) and isinstance(p.get("national_id"), str):
            nid = p["national_id"]
            if strict or ID_PATTERN.fullmatch(nid):
                bd = p.get("birth_date") if _is_date(p.get("birth_date")) else None
                sex = p.get("sex") if p.get("sex") in ("M", "F") else None
                if strict and (bd is None or sex is None):
                    problems.append("valid vector without a well-formed birth_date and sex")
                problems += national_id_problems(nid, bd, sex)
    if schema == "lead":
        c = doc.get("company")
        if isinstance(c, dict) and isinstance(c.get("credit_code"), str):
            code = c["credit_code"]
            if strict or CREDIT_PATTERN.fullmatch(code):
                problems += credit_code_problems(code)
    return problems


def verify(examples_dir: str) -> tuple[int, list[str]]:
    """Check every vector under examples_dir; returns (number of codes checked, problems)."""
    checked, problems = 0, []
    for schema in sorted(os.listdir(examples_dir)):
        for verdict in ("valid", "invalid"):
            d = os.path.join(examples_dir, schema, verdict)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    doc = json.load(f)
                found = document_problems(schema, doc, strict=(verdict == "valid"))
                if isinstance(doc, dict) and (
                    isinstance(doc.get("patient"), dict) and "national_id" in doc["patient"]
                    or isinstance(doc.get("company"), dict) and "credit_code" in doc["company"]
                ):
                    checked += 1
                problems += [f"{schema}/{verdict}/{name}: {p}" for p in found]
    return checked, problems


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    cmd, args = argv[1], argv[2:]
    if cmd == "verify":
        here = os.path.dirname(os.path.abspath(__file__))
        examples = args[0] if args else os.path.join(here, "..", "examples")
        checked, problems = verify(examples)
        for p in problems:
            print(p)
        print(f"checkdigits: {checked} codes in vectors checked, {len(problems)} problems")
        return 1 if problems else 0
    if cmd == "id" and len(args) in (3, 4):
        print(make_national_id(args[0], args[1], args[2], int(args[3]) if len(args) == 4 else 12))
        return 0
    if cmd == "credit" and len(args) == 4:
        print(make_credit_code(*args))
        return 0
    if cmd == "check" and args:
        bad = 0
        for code in args:
            probs = national_id_problems(code) if ID_PATTERN.fullmatch(code) else credit_code_problems(code)
            print(f"{code}: {'ok' if not probs else '; '.join(probs)}")
            bad += bool(probs)
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
