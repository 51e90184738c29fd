#!/usr/bin/env python3
"""Checks that the code's layers depend one way.

The layers, bottom first: base (base/, and the generated hw/include/) <- sim (sim/model,
sim/rtl, sim/systemc) <- driver <- host <- top (host/cli, icd, bench, tests, testkit, tools,
fuzz, regress).

1. Includes: no source or header includes a header of a layer above its own, and a private
   header (one outside an include/neocog/ folder) is included only from its own component.
   testkit/ is a header library of the top layer: its headers are public there.
2. Symbols (when archives are given, top layer first, as programs link them): no archive
   leaves undefined a symbol that only an archive of a higher layer defines.
3. Stand-ins: sim/rtl/harness_none.c, which takes the RTL harness's place in builds without
   the RTL (the fuzz build, a tree without hw/rtl), defines every function neocog/rtl.h
   declares, so those builds link.

Prints one line per problem and exits 1 if there is any.

usage: check_layers.py [--root DIR] [ARCHIVE...]
"""
import os
import re
import subprocess
import sys

# (path prefix, layer, component); the first match wins.
PARTS = [
    ("hw/include/", 0, "hw"),
    ("base/", 0, "base"),
    ("sim/model/", 1, "sim/model"),
    ("sim/rtl/", 1, "sim/rtl"),
    ("sim/systemc/", 1, "sim/systemc"),
    ("sim/", 1, "sim"),
    ("driver/", 2, "driver"),
    ("host/cli/", 4, "host/cli"),
    ("icd/", 4, "icd"),
    ("host/", 3, "host"),
    ("testkit/", 4, "testkit"),
    ("tools/", 4, "tools"),
    ("regress/", 4, "regress"),
    ("bench/", 4, "bench"),
    ("tests/", 4, "tests"),
    ("examples/", 4, "examples"),
    ("fuzz/", 4, "fuzz"),
]
LAYER_NAMES = ["base", "sim", "driver", "host", "top"]
# Where "neocog/x.h" is looked for, as the build's -I flags give it.
INCLUDE_DIRS = ["", "base/include", "hw/include", "sim/include", "sim/model/include",
                "sim/rtl/include",
                "sim/systemc/include", "driver/include", "host/include",
                "regress/include"]
SOURCE_EXT = (".c", ".h", ".cpp", ".hpp")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# White-box tests that look inside a component through its private header, each with
# the reason the public API does not reach what it tests.
WHITE_BOX = {
    # nc__ocl_fail's detail format and a program build that fails with its log: the
    # library builds only its own kernels, which compile.
    ("tests/opencl/test_ocl_device.c", "host/ocl_internal.h"),
}
# Archive name -> layer.
ARCHIVE_LAYER = {"libnc_base": 0, "libnc_sim": 1, "libnc_driver": 2, "libnc_host": 3}


def part_of(path):
    for prefix, layer, comp in PARTS:
        if path.startswith(prefix):
            return layer, comp
    return None


def is_public(path):
    return re.search(r"(^|/)include/neocog/[^/]+$", path) is not None or \
        path.startswith("testkit/")


def resolve(root, src, name):
    """The repository path `#include "name"` in `src` opens, or None (system, generated)."""
    here = os.path.dirname(src)
    for d in [here] + INCLUDE_DIRS:
        p = os.path.normpath(os.path.join(d, name))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


def check_includes(root, files):
    problems = []
    for src in files:
        ps = part_of(src)
        if ps is None:
            continue
        text = open(os.path.join(root, src), encoding="utf-8", errors="replace").read()
        for m in INCLUDE_RE.finditer(text):
            hdr = resolve(root, src, m.group(1))
            if hdr is None:
                continue
            ph = part_of(hdr)
            if ph is None:
                continue
            line = text.count("\n", 0, m.start()) + 1
            if ph[0] > ps[0]:
                problems.append(f"{src}:{line}: includes {hdr} of layer {LAYER_NAMES[ph[0]]}, "
                                f"above its own ({LAYER_NAMES[ps[0]]})")
            elif not is_public(hdr) and ph[1] != ps[1] and (src, hdr) not in WHITE_BOX:
                problems.append(f"{src}:{line}: includes {hdr}, a private header of {ph[1]}")
    return problems


def nm_symbols(archive):
    """(defined, undefined) global symbol sets of an archive."""
    out = subprocess.run(["nm", "-g", archive], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in ("U", "w", "v"):
            if f[0] == "U":
                undefined.add(f[1])
        elif len(f) == 3 and f[1] not in ("U", "w", "v"):
            defined.add(f[2])
    return defined, undefined - defined


def check_archives(archives):
    problems = []
    layer_of, syms = {}, {}
    for a in archives:
        base = os.path.basename(a)
        key = re.sub(r"(_san)?\.a$", "", base)
        if key not in ARCHIVE_LAYER:
            problems.append(f"{a}: not a layer archive ({', '.join(ARCHIVE_LAYER)})")
            continue
        layer_of[a] = ARCHIVE_LAYER[key]
        syms[a] = nm_symbols(a)
    for a, (_, undefined) in syms.items():
        for b, (defined, _) in syms.items():
            if layer_of[b] <= layer_of[a]:
                continue
            for s in sorted(undefined & defined):
                problems.append(f"{a}: uses {s}, defined in {b} "
                                f"(layer {LAYER_NAMES[layer_of[b]]}, above "
                                f"{LAYER_NAMES[layer_of[a]]})")
    return problems


STAND_INS = [("sim/rtl/include/neocog/rtl.h", "sim/rtl/harness_none.c")]


def check_stand_ins(root):
    problems = []
    for header, stub in STAND_INS:
        if not (os.path.exists(os.path.join(root, header)) and
                os.path.exists(os.path.join(root, stub))):
            continue
        with open(os.path.join(root, header)) as f:
            declared = re.findall(r"\b(nc_\w+)\s*\(", re.sub(r"/\*.*?\*/", "", f.read(),
                                                             flags=re.S))
        with open(os.path.join(root, stub)) as f:
            defined = set(re.findall(r"^[^\s#/*].*?\b(nc_\w+)\s*\([^;]*$", f.read(),
                                     flags=re.M))
        for name in sorted(set(declared) - defined):
            problems.append(f"{stub}: does not define {name}, which {header} declares")
    return problems


def main(argv):
    root = "."
    args = argv[1:]
    if args[:1] == ["--root"] and len(args) >= 2:
        root, args = args[1], args[2:]
    if any(a.startswith("-") for a in args):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and
                       not (rel == "." and d == "build")]
        for f in filenames:
            if f.endswith(SOURCE_EXT):
                files.append(os.path.normpath(os.path.join(rel, f)))
    problems = (check_includes(root, sorted(files)) + check_archives(args) +
                check_stand_ins(root))
    for p in problems:
        print(p)
    print(f"check_layers: {len(files)} files, {len(args)} archives, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
