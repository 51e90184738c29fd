#!/usr/bin/env python3
"""Checks hw/rtl/manifest.mk against the RTL sources.

Every module file of the RTL folder is in the manifest and every module of the manifest has
its file; each module's NC_RTL_USES list is exactly the modules it instantiates plus nc_pkg
when it refers to the package; every module it uses is on a lower level. Prints one line per
problem and exits 1 if there is any.

usage: check_rtl_manifest.py MANIFEST RTL_DIR
"""
import os
import re
import sys


def read_make_vars(path):
    """The simple `NAME := words` assignments of a makefile, continuation lines joined."""
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9_]+)\s*:=\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).split()
    return out


def strip_comments(sv):
    sv = re.sub(r"/\*.*?\*/", " ", sv, flags=re.S)
    return re.sub(r"//[^\n]*", " ", sv)


def uses_of(sv, modules):
    """Modules instantiated in `sv` (of the set `modules`), and nc_pkg if it is referred to."""
    body = strip_comments(sv)
    found = set()
    for m in re.finditer(r"^\s*(nc_[a-z0-9_]+)\s*(?:#\s*\(|[a-z_][a-z0-9_]*\s*\()", body, re.M):
        if m.group(1) in modules:
            found.add(m.group(1))
    if re.search(r"\bnc_pkg::|\bimport\s+nc_pkg\b", body):
        found.add("nc_pkg")
    return found


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    manifest, rtl_dir = argv[1], argv[2]
    v = read_make_vars(manifest)
    levels = v.get("NC_RTL_LEVELS", [])
    level_of = {}
    problems = []
    for lv, name in enumerate(levels):
        for mod in v.get("NC_RTL_LEVEL_" + name, []):
            if mod in level_of:
                problems.append(f"{mod}: listed on two levels")
            level_of[mod] = lv
    files = {f[:-3] for f in os.listdir(rtl_dir) if f.endswith(".sv")}
    for mod in sorted(files - set(level_of)):
        problems.append(f"{mod}: {rtl_dir}/{mod}.sv is not in the manifest")
    for mod in sorted(set(level_of) - files):
        problems.append(f"{mod}: in the manifest, but {rtl_dir}/{mod}.sv does not exist")
    for mod in sorted(set(level_of) & files):
        key = "NC_RTL_USES_" + mod
        if key not in v:
            problems.append(f"{mod}: no {key} line")
            continue
        listed = set(v[key])
        actual = uses_of(open(os.path.join(rtl_dir, mod + ".sv"), encoding="utf-8").read(),
                         set(level_of) - {mod})
        for u in sorted(actual - listed):
            problems.append(f"{mod}: uses {u}, which its {key} line does not list")
        for u in sorted(listed - actual):
            problems.append(f"{mod}: {key} lists {u}, which it does not use")
        for u in sorted(listed & set(level_of)):
            if level_of[u] >= level_of[mod]:
                problems.append(f"{mod} (level {levels[level_of[mod]]}) uses {u} "
                                f"(level {levels[level_of[u]]}): not a lower level")
    for p in problems:
        print(f"{manifest}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
