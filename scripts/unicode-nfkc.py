#!/usr/bin/env python3
"""Writes src/Lathe/Data/Transforms/nfkc.txt, the tables Lathe's NFKC normalisation reads, from the Unicode
Character Database that Debian's unicode-data package installs in /usr/share/unicode (apt-get install unicode-data).

Lathe runs with invariant globalization, where string.Normalize returns its input unchanged, so it carries
its own tables. Lines (code points in hex):
  v VERSION                       the Unicode version of the tables
  c FIRST LAST CLASS              canonical combining class of a range (only classes other than 0)
  d CODE A B ...                  full compatibility decomposition (already applied recursively; not Hangul)
  p FIRST SECOND COMPOSITE        primary composite: canonical pair that NFC recomposes
"""
import os, re, sys

UCD = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "Lathe", "Data", "Transforms", "nfkc.txt")

ccc, decomposition, canonical = {}, {}, {}
for line in open(os.path.join(UCD, "UnicodeData.txt"), encoding="utf-8"):
    fields = line.split(";")
    code = int(fields[0], 16)
    if int(fields[3]): ccc[code] = int(fields[3])
    if fields[5]:
        parts = fields[5].split()
        compat = parts[0].startswith("<")
        mapping = [int(p, 16) for p in (parts[1:] if compat else parts)]
        decomposition[code] = mapping
        if not compat: canonical[code] = mapping

exclusions = set()
for line in open(os.path.join(UCD, "DerivedNormalizationProps.txt"), encoding="utf-8"):
    m = re.match(r"([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*Full_Composition_Exclusion\b", line)
    if m:
        first = int(m.group(1), 16)
        exclusions.update(range(first, int(m.group(2) or m.group(1), 16) + 1))

version = "unknown"
for line in open(os.path.join(UCD, "DerivedNormalizationProps.txt"), encoding="utf-8"):
    m = re.match(r"# DerivedNormalizationProps-(\d+\.\d+\.\d+)\.txt", line)
    if m: version = m.group(1); break

def full(code):
    if code not in decomposition: return [code]
    return [c for part in decomposition[code] for c in full(part)]

with open(OUT, "w", encoding="ascii", newline="\n") as out:
    out.write(f"v {version}\n")
    codes = sorted(ccc)
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1 and ccc[codes[j + 1]] == ccc[codes[i]]: j += 1
        out.write(f"c {codes[i]:X} {codes[j]:X} {ccc[codes[i]]}\n")
        i = j + 1
    for code in sorted(decomposition):
        out.write("d %X %s\n" % (code, " ".join("%X" % c for c in full(code))))
    for code in sorted(canonical):
        pair = canonical[code]
        if len(pair) == 2 and code not in exclusions:
            out.write("p %X %X %X\n" % (pair[0], pair[1], code))
print(f"wrote {OUT} (Unicode {version})")
