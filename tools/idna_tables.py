#!/usr/bin/env python3
"""Writes the Unicode tables of the `origin` format's `xn--` label check into both validator
runtime templates (codegen/templates/validator_runtime.rs and validator-runtime.ts), between the
lines `BEGIN IDNA TABLES` and `END IDNA TABLES`; both languages judge labels on the same data.

Sources (independent of the Rust `url`/`idna` crates and of Node's `URL`):
- the `idna` package's `uts46data` (the UTS #46 IDNA mapping table) and `idnadata.joining_types`
  (Joining_Type, derived);
- the `unicodedata2` package (General_Category, Bidi_Class, Canonical_Combining_Class,
  canonical decompositions, NFC).
Both must carry the Unicode version below:

    pip install idna==3.13 unicodedata2==17.0.0
    pip download --no-deps idna==3.4 -d /tmp/idna-3.4
    python3 tools/idna_tables.py /tmp/idna-3.4/idna-3.4-py3-none-any.whl && cargo xtask write-schema

The wheel of `idna` 3.4 carries the UTS #46 table of Unicode 15.0, the one Node's `URL` applies:
the code points whose validity differs between it and this version are written into the origin
sweep (tests/tests/conformance/origin.rs), where the two oracles disagree on them.
"""

import pathlib
import sys
import zipfile

import idna
import idna.idnadata
import idna.uts46data
import unicodedata2 as ud

UNICODE = "17.0.0"
ROOT = pathlib.Path(__file__).resolve().parent.parent
RUST = ROOT / "codegen/templates/validator_runtime.rs"
TS = ROOT / "codegen/templates/validator-runtime.ts"
SWEEP = ROOT / "tests/tests/conformance/origin.rs"
OLD_UNICODE = "15.0.0"
BIDI_CODES = {"R": 1, "AL": 2, "AN": 3, "EN": 4, "ES": 5, "CS": 6, "ET": 7, "ON": 8, "BN": 9, "NSM": 10}
JOINING_CODES = {ord("D"): 1, ord("L"): 2, ord("R"): 3, ord("T"): 4}


def check_versions():
    for name, version in [("unicodedata2", ud.unidata_version), ("idna uts46data", idna.uts46data.__version__),
                          ("idna idnadata", idna.idnadata.__version__)]:
        if version != UNICODE:
            sys.exit(f"{name} carries Unicode {version}, not {UNICODE}")


def uts46_status(rows=None):
    """The UTS #46 status of every code point: the table lists where a run of one status starts."""
    rows = rows or idna.uts46data.uts46data
    status = {}
    for k, row in enumerate(rows):
        end = rows[k + 1][0] if k + 1 < len(rows) else 0x110000
        for c in range(row[0], end):
            status[c] = row[1] + ("m" if len(row) > 2 else "")
    return status


def ranges(points):
    """Sorted code points as [start, end] runs."""
    out = []
    for c in sorted(points):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def valued_ranges(values):
    """{code point: value} as [start, end, value] runs of one value."""
    out = []
    for c in sorted(values):
        v = values[c]
        if out and out[-1][1] == c - 1 and out[-1][2] == v:
            out[-1][1] = c
        else:
            out.append([c, c, v])
    return out


def build():
    status = uts46_status()
    # Non-transitional processing (the URL standard's): deviations stay as they are.
    valid = {c for c in range(0x80, 0x110000) if status.get(c, "X")[0] in "VD"}
    marks = {c for c in valid if ud.category(chr(c)).startswith("M")}
    bidi = {}
    for c in list(range(0x80)) + sorted(valid):
        cls = ud.bidirectional(chr(c))
        if cls != "L":
            bidi[c] = BIDI_CODES.get(cls, 11)
    joining = {}
    for c, jt in idna.idnadata.joining_types().items():
        if c in valid and jt in JOINING_CODES:
            joining[c] = JOINING_CODES[jt]
    ccc = {c: ud.combining(chr(c)) for c in range(0x110000) if ud.combining(chr(c))}
    decomposition = {}
    for c in range(0x110000):
        d = ud.decomposition(chr(c))
        if d and not d.startswith("<"):
            decomposition[c] = [int(x, 16) for x in d.split()]
    # Decompositions reachable from valid code points (the label is checked valid first).
    needed, todo = set(), [c for c in valid if c in decomposition]
    while todo:
        c = todo.pop()
        if c not in needed:
            needed.add(c)
            todo.extend(x for x in decomposition[c] if x in decomposition)
    decompose = [[c] + decomposition[c] + [0] * (2 - len(decomposition[c])) for c in sorted(needed)]
    assert all(len(row) == 3 for row in decompose)
    compose = sorted(
        [d[0], d[1], c]
        for c, d in decomposition.items()
        if len(d) == 2 and ud.normalize("NFC", chr(c)) == chr(c)
    )
    return [
        ("IDNA_VALID", "The code points from U+0080 that UTS #46 non-transitional processing keeps as "
         "they are (status valid or deviation), as [start, end] pairs.", ranges(valid)),
        ("IDNA_MARKS", "Of those, the combining marks (General_Category M*), as [start, end] pairs.", ranges(marks)),
        ("IDNA_BIDI", "Bidi_Class other than L of ASCII and of the code points in IDNA_VALID, as [start, end, "
         "class] triples: 1 R, 2 AL, 3 AN, 4 EN, 5 ES, 6 CS, 7 ET, 8 ON, 9 BN, 10 NSM, 11 any other.",
         valued_ranges(bidi)),
        ("IDNA_JOINING", "Joining_Type of the code points in IDNA_VALID, as [start, end, type] triples: 1 D, "
         "2 L, 3 R, 4 T (other types are absent).", valued_ranges(joining)),
        ("IDNA_CCC", "Canonical_Combining_Class other than 0, as [start, end, class] triples.", valued_ranges(ccc)),
        ("IDNA_DECOMPOSE", "Canonical decompositions (one level) that decomposing a label of IDNA_VALID code "
         "points can meet, as [code point, first, second or 0] triples; Hangul syllables are computed.",
         decompose),
        ("IDNA_COMPOSE", "Primary composites (canonical decompositions of two code points, not excluded from "
         "composition), as [first, second, composite] triples sorted by first, then second; Hangul is computed.",
         compose),
    ]


def wrap(items, indent, width):
    lines, line = [], indent
    for item in items:
        piece = f"{item},"
        if len(line) + 1 + len(piece) > width and line.strip():
            lines.append(line)
            line = indent
        line = f"{line} {piece}" if line.strip() else indent + piece
    if line.strip():
        lines.append(line)
    return lines


def region(comment, tables, declare):
    header = [
        f"{comment} BEGIN IDNA TABLES: Unicode {UNICODE}, written by tools/idna_tables.py (from the `idna` "
        "package's UTS #46",
        f"{comment} data and `unicodedata2`); regenerate with `python3 tools/idna_tables.py`, never by hand.",
    ]
    body = []
    for name, doc, rows in tables:
        flat = [x for row in rows for x in row]
        body.extend(declare(name, doc, flat, len(rows[0]), name not in ("IDNA_DECOMPOSE", "IDNA_COMPOSE")))
    return header + body + [f"{comment} END IDNA TABLES"]


def rust_table(name, doc, flat, width, is_ranges):
    return [f"/// {doc}", f"const {name}: &[u32] = &["] + wrap(flat, "    ", 100) + ["];"]


def base36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, d = divmod(n, 36)
        out = digits[d] + out
        if n == 0:
            return out


def ts_table(name, doc, flat, width, is_ranges):
    numbers, previous = [], 0
    for i in range(0, len(flat), width):
        row = list(flat[i:i + width])
        first = row[0]
        if is_ranges:
            row[1] -= first
        row[0] -= previous
        previous = first
        numbers.extend(row)
    text = ",".join(base36(n) for n in numbers)
    chunks = [text[i:i + 90] for i in range(0, len(text), 90)]
    lines = [f"/** {doc} */", f"const {name} = lazyIdnaTable({width}, {str(is_ranges).lower()}, ["]
    lines += [f'  "{chunk}",' for chunk in chunks]
    return lines + ['].join(""));']


def splice(path, lines, comment):
    text = path.read_text()
    begin = text.find(f"{comment} BEGIN IDNA TABLES")
    end_marker = f"{comment} END IDNA TABLES"
    end = text.find(end_marker)
    if begin < 0 or end < begin:
        sys.exit(f"{path}: no BEGIN/END IDNA TABLES lines")
    end = text.find("\n", end) + 1
    path.write_text(text[:begin] + "\n".join(lines) + "\n" + text[end:])


def version_differences(wheel):
    """The code points from U+0080 valid (or deviations) in one of UTS #46 15.0 and this version's
    table but not in the other (15.0's disallowed_STD3_valid, status 3 without a mapping, counts as valid: UseSTD3ASCIIRules is
    off in the URL standard)."""
    namespace = {}
    exec(zipfile.ZipFile(wheel).read("idna/uts46data.py").decode(), namespace)
    if namespace["__version__"] != OLD_UNICODE:
        sys.exit(f"{wheel} carries Unicode {namespace['__version__']}, not {OLD_UNICODE}")
    old_rows = namespace["uts46data"]
    old = uts46_status(old_rows)
    new = uts46_status()
    old_valid = {c for c, s in old.items() if s[0] in "VD" or s == "3"}
    changed = {c for c in range(0x80, 0x110000) if (c in old_valid) != (new.get(c, "X")[0] in "VD")}
    lines = [
        f"// BEGIN IDNA VERSION DIFFERENCES: written by tools/idna_tables.py; the code points whose UTS #46",
        f"// validity differs between Unicode {OLD_UNICODE} and {UNICODE}, and whether {UNICODE} keeps them.",
        "const UTS46_VERSION_DIFFERENCES: &[(u32, u32, bool)] = &[",
    ]
    for start, end in ranges(changed):
        lines.append(f"    (0x{start:x}, 0x{end:x}, {str(new.get(start, 'X')[0] in 'VD').lower()}),")
    return lines + ["];", "// END IDNA VERSION DIFFERENCES"]


def main():
    check_versions()
    if len(sys.argv) != 2:
        sys.exit("usage: idna_tables.py <wheel of idna 3.4>")
    tables = build()
    splice(RUST, region("//", tables, rust_table), "//")
    splice(TS, region("//", tables, ts_table), "//")
    text = SWEEP.read_text()
    begin, end = text.find("// BEGIN IDNA VERSION DIFFERENCES"), text.find("// END IDNA VERSION DIFFERENCES")
    if begin < 0 or end < begin:
        sys.exit(f"{SWEEP}: no BEGIN/END IDNA VERSION DIFFERENCES lines")
    end = text.find("\n", end) + 1
    SWEEP.write_text(text[:begin] + "\n".join(version_differences(sys.argv[1])) + "\n" + text[end:])
    for name, _, rows in tables:
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    main()
