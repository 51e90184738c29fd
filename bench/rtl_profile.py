#!/usr/bin/env python3
"""Where the Verilated nc_top spends its instructions, per simulated cycle.

Usage: rtl_profile.py CALLGRIND_OUT MODEL_DIR

CALLGRIND_OUT is valgrind --tool=callgrind's output for a bench_rtl run whose model was built
with -g in OPT_FAST, MODEL_DIR that model's Verilator output directory. Every source line of the
model's generated C++ is charged to the design instance it names (the nc_top__DOT__<unit>
hierarchy, one level down for an instance inside a unit; a line naming none goes to the nearest line above it that does, within 40 lines), and
the totals are divided by the cycles simulated (the calls of the model's NBA region, one per
cycle). Verilator's copies of the signals the assertions sample, made at every eval, are a line
of their own. The assertion checks are also totalled apart: every `if (...assertOn()) {...}` block of the
generated code. The attribution is by name, so it is approximate at unit boundaries.
"""
import collections
import re
import sys

NAME = re.compile(r"nc_top__DOT__([A-Za-z0-9_]+)")
POS_FILE = re.compile(r"(c?f[lie]|cfi)=\((\d+)\)(?: (.*))?")


def unit_of(name):
    """u_store, or u_store.u_wr for an instance inside a unit (the DMA engines, the array)."""
    seg = name.split("__DOT__")
    if len(seg) > 2 and seg[1].startswith("u_"):
        return seg[0] + "." + seg[1]
    return seg[0]


def parse(path):
    """Ir per (generated file, line), and the calls of the NBA evaluation (cycles)."""
    names, fns, cost, cycles = {}, {}, collections.Counter(), 0
    cur, last, skip, callee = None, 0, False, ""
    with open(path) as f:
        for ln in f:
            ln = ln.rstrip("\n")
            m = POS_FILE.match(ln)
            if m:
                if m.group(3):
                    names[m.group(2)] = m.group(3)
                if not m.group(1).startswith("c"):
                    cur = names.get(m.group(2))
                continue
            if ln.startswith(("fn=", "cfn=")):
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", ln)
                if m and m.group(2):
                    fns[m.group(1)] = m.group(2)
                if ln.startswith("cfn=") and m:
                    callee = fns.get(m.group(1), "")
                continue
            if ln.startswith("calls="):
                if "eval_nba(" in callee:
                    cycles += int(ln.split("=")[1].split()[0])
                skip = True
                continue
            if not ln or not (ln[0].isdigit() or ln[0] in "+-*"):
                continue
            parts = ln.split()
            p = parts[0]
            pos = last + int(p[1:]) if p[0] == "+" else last - int(p[1:]) if p[0] == "-" else (
                last if p == "*" else int(p))
            last = pos
            if skip:
                skip = False
                continue
            if len(parts) > 1 and cur and "DepSet" in cur:
                cost[(cur, pos)] += int(parts[1])
    return cost, cycles


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: rtl_profile.py CALLGRIND_OUT MODEL_DIR")
    cost, cycles = parse(sys.argv[1])
    if cycles == 0 or not cost:
        sys.exit("rtl_profile: no model lines or no cycles in %s (built with -g?)" % sys.argv[1])
    src, units, asserts, checks = {}, collections.Counter(), 0, 0
    for f in {k[0] for k in cost}:
        try:
            src[f] = open(f).read().split("\n")
        except OSError:
            sys.exit("rtl_profile: cannot read %s (the model directory is gone?)" % f)
    for (f, pos), c in cost.items():
        lines = src[f]
        unit = "(eval loop)"
        stmt = lines[pos - 1].strip() if pos - 1 < len(lines) else ""
        prev = lines[pos - 2].strip() if 0 <= pos - 2 < len(lines) else ""
        if stmt.startswith("vlSelf->__Vsampled__") or (
                prev.startswith("vlSelf->__Vsampled__") and not prev.endswith(";")):
            units["(assertions' sampled copies)"] += c
            continue
        for i in range(pos - 1, max(pos - 41, -1), -1):
            found = NAME.findall(lines[i]) if i < len(lines) else []
            if found:
                top = collections.Counter(unit_of(n) for n in found)
                unit = top.most_common(1)[0][0]
                break
        units[unit] += c
    for f, lines in src.items():
        i = 0
        while i < len(lines):
            if lines[i].strip() == "if (vlSymsp->_vm_contextp__->assertOn()) {":
                depth, j = 0, i
                while j < len(lines):
                    depth += lines[j].count("{") - lines[j].count("}")
                    if depth == 0:
                        break
                    j += 1
                asserts += sum(cost.get((f, p), 0) for p in range(i + 1, j + 2))
                checks += 1
                i = j
            i += 1
    total = sum(units.values())
    print("model instructions per simulated cycle (%d cycles), by unit of nc_top:" % cycles)
    for unit, c in units.most_common(12):
        print("  %-28s %8.0f  %5.1f%%" % (unit, c / cycles, 100.0 * c / total))
    print("  %-28s %8.0f" % ("all of the model", total / cycles))
    print("  of which the %d assertion checks %.0f (%.1f each; charged to their units above)"
          % (checks, asserts / cycles, asserts / cycles / max(checks, 1)))


if __name__ == "__main__":
    main()
