#!/usr/bin/env python3
"""Checks a Verilated nc_top for what the plain harness's one eval per cycle assumes.

sim/rtl/harness.cpp sets nc_top's inputs and raises the clock, then calls eval() once. At the
start of an eval() Verilator 5 copies every signal a concurrent assertion samples; then it
recomputes the logic fed by the inputs (the 'ico' region), then runs the clock edge. A sampled
signal that the ico region assigns would be copied with the value of the previous cycle's
inputs, and an assertion on it would see the wrong cycle. This script reads the generated C++
in the model's directory and fails, naming the signals, when any sampled signal is assigned by
a function the ico region calls. Fix: let the assertion name the inputs themselves, or a
register.

It also fails when it finds no sampled signal or no ico function at all: the generated code
then has a shape this script does not know (another Verilator version), and its silence would
prove nothing.

Usage: check_sampled.py MODEL_DIR   (a `verilator --cc --assert` output directory of nc_top;
any other top works too: tests/rtl/check_sampled_test.sh runs it on two small ones)
"""
import glob
import os
import re
import sys

def root_prefix(model_dir):
    """The model's root class, e.g. Vnc_top___024root, from its header; None if there is none."""
    heads = [os.path.basename(h)[:-2] for h in glob.glob(os.path.join(model_dir, "*___024root.h"))]
    return heads[0] if len(heads) == 1 else None


def function_bodies(src, prefix):
    """Maps each root function name to its body (the generated code puts each '}' that ends a
    function alone in column 0)."""
    bodies = {}
    pat = re.compile(r"^\S[^\n]*\b" + prefix + r"___(\w+)\(" + prefix + r"\* vlSelf\) \{\n(.*?)^\}",
                     re.S | re.M)
    for m in pat.finditer(src):
        bodies[m.group(1)] = bodies.get(m.group(1), "") + m.group(2)
    return bodies


def assigned(body):
    """Root members a function body writes: plain assignments (also to a word or element) and
    the output argument of Verilator's wide-value helpers."""
    out = set(re.findall(r"vlSelf->(\w+)(?:\[[^\]\n]*\])*\s*=(?!=)", body))
    out |= set(re.findall(r"\bVL_\w+\(\s*(?:\d+U?\s*,\s*)*vlSelf->(\w+)", body))
    return out


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write("usage: check_sampled.py MODEL_DIR\n")
        return 2
    prefix = root_prefix(argv[1])
    if prefix is None:
        sys.stderr.write("check_sampled: no single *___024root.h in %s: not a Verilator 5 "
                         "model\n" % argv[1])
        return 1
    files = [f for f in glob.glob(os.path.join(argv[1], prefix + "__DepSet_*.cpp"))
             if not f.endswith("__Slow.cpp")]
    src = "".join(open(f, encoding="utf-8").read() for f in sorted(files))
    bodies = function_bodies(src, prefix)
    if "eval_ico" not in bodies:
        sys.stderr.write("check_sampled: no %s___eval_ico in %s: unknown generated code\n"
                         % (prefix, argv[1]))
        return 1
    # Every function the ico region reaches.
    seen, todo = set(), ["eval_ico"]
    while todo:
        name = todo.pop()
        if name in seen or name not in bodies:
            continue
        seen.add(name)
        todo += re.findall(prefix + r"___(\w+)\(vlSelf\)", bodies[name])
    ico = set()
    for name in seen:
        ico |= assigned(bodies[name])
    sampled = set(re.findall(r"vlSelf->__Vsampled__TOP__(\w+)(?:\[[^\]\n]*\])*\s*=(?!=)", src))
    if not sampled or len(seen) < 2:
        sys.stderr.write("check_sampled: found %d sampled signals and %d ico functions in %s: "
                         "unknown generated code\n" % (len(sampled), len(seen), argv[1]))
        return 1
    bad = sorted(sampled & ico)
    if bad:
        sys.stderr.write("check_sampled: assertions sample signals computed from the top's "
                         "inputs, which one eval per cycle copies a cycle late:\n")
        for b in bad:
            sys.stderr.write("  %s\n" % b.replace("__DOT__", "."))
        sys.stderr.write("let those assertions name the inputs themselves, or a register "
                         "(see sim/rtl/check_sampled.py)\n")
        return 1
    print("check_sampled: %d sampled signals, none computed from the inputs (%d assigned by "
          "the input logic)" % (len(sampled), len(ico)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
