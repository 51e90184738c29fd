#!/usr/bin/env python3
"""Mutant schemata of the RTL: every mutant in one copy of the sources.

The mutation check of the regression (neocog regress --mutate) asks whether
the suite would notice a bug someone puts into the RTL. It needs many buggy
designs; building each with Verilator would take minutes apiece. So this
script writes ONE copy of the RTL in which every mutation site carries both
texts, the original and the mutated one, chosen at run time:

    x = a + b;    becomes    begin if (nc_mut_sel == 17) x = a - b; else x = a + b; end
    if (c) ...    becomes    if ((nc_mut_sel == 23) ? !(c) : (c)) ...
    assign y = e; becomes    assign y = (nc_mut_sel == 31) ? (e') : (e);

Each module of the copy reads its nc_mut_sel from the plusarg +mutant=K
(the Verilator harness passes $NEOCOG_RTL_MUTANT as that plusarg); mutant 0,
or no plusarg, is the original design. One Verilator build holds them all.
This is the "mutant schemata" technique (Untch, Offutt and Harrold, 1993)
that Yosys' `mutate -ctrl` and MCY use.

Operators (the classes the report names):
  swap    a binary operator replaced: + -, == !=, < <=, > >=, && ||, & |, ^ &,
          << >>, >>> <<<, * +
  const   a literal off by one (+1, or -1 where +1 does not fit its width);
          '0 and '1 exchanged
  invert  an if condition inverted
  drop    an if condition dropped: the branch is always taken
  stuck0  an assigned signal stuck at 0 (the assignment writes '0)
  stuck1  an assigned signal stuck at 1 (all ones)

Sites are statements of always blocks and functions, and one-line continuous
assignments, of every module (the package's generated constants are not
mutated; assertions are not mutated: they are the checker, not the design).
Conditions that test the reset are left alone: every test notices a design
that never leaves reset, which says nothing about the suite.

Which sites become mutants is a pure function of the sources, --count and
--seed: every module gets at least --min-per-module of them (or all it has),
the rest are spread in proportion to the sites each module has, and within a
module the operator classes take turns. At most one mutant per line.

Output in --out: the mutated copy of each source given (the package and any
file without sites copied as is) and mutants.tsv, one mutant a line:
  id  module  file  line  operator  original  mutated
(file is the source's path as given, line its line number there; tabs and
newlines never occur in the texts).

Python 3 standard library only.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SEL = "nc_mut_sel"

SWAPS = {
    "+": "-", "-": "+", "==": "!=", "!=": "==", "<": "<=", "<=": "<",
    ">": ">=", ">=": ">", "&&": "||", "||": "&&", "&": "|", "|": "&",
    "^": "&", "<<": ">>", ">>": "<<", ">>>": "<<<", "<<<": ">>>", "*": "+",
}

# Longest first, so that '>>>' is one token and not three.
OPS = sorted(
    ["<<<", ">>>", "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<<",
     ">>", "+:", "-:", "::", "->", "~&", "~|", "~^", "^~", "+", "-", "*",
     "/", "%", "<", ">", "&", "|", "^", "~", "!", "?", ":", "(", ")", "[",
     "]", "{", "}", ",", "'", "=", "@", "#", "."],
    key=len, reverse=True)

TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<lit>\d+\s*'\s*[sS]?[bBoOdDhH]\s*[0-9a-fA-FxXzZ_?]+|'[01xXzZ](?![\w']))"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<id>[A-Za-z_$][\w$]*)"
    r"|(?P<op>" + "|".join(re.escape(o) for o in OPS) + r")")

KEYWORDS = {
    "if", "else", "for", "foreach", "while", "return", "case", "unique",
    "priority", "begin", "end", "default", "assign", "logic", "int", "bit",
    "localparam", "parameter", "automatic", "function", "typedef", "assert",
}

STMT = re.compile(
    r"^(?P<ind>\s*)(?P<lhs>[A-Za-z_]\w*(?:\s*\[[^\]]*\]|\.\w+)*)\s*"
    r"(?P<op><=|=)(?!=)\s*(?P<rhs>.*);\s*$")
ASSIGN = re.compile(
    r"^(?P<ind>\s*)assign\s+(?P<lhs>[A-Za-z_]\w*(?:\s*\[[^\]]*\]|\.\w+)*)\s*="
    r"(?!=)\s*(?P<rhs>.*);\s*$")
IF = re.compile(r"^(?P<pre>\s*(?:end\s+)?(?:else\s+)?)if\s*\(")


class Error(Exception):
    """A source this script cannot handle (one line: file and why)."""


def tokens(text):
    """The tokens of an expression: (kind, text, start, end); Error when a
    character is none of them."""
    out = []
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:
            raise Error("cannot read '%s' at '%s'" % (text, text[pos:]))
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group(), m.start(), m.end()))
        pos = m.end()
    return out


def balanced(text):
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return depth == 0


def literal_plus_one(text):
    """A sized literal off by one, or None (x/z digits, a value that fits
    neither way)."""
    if text in ("'0", "'1"):
        return "'1" if text == "'0" else "'0"
    m = re.match(r"(\d+)\s*'\s*([sS]?)([bBoOdDhH])\s*([0-9a-fA-F_]+)$", text)
    if m is None:
        return None
    width, sgn, base, digits = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    radix = {"b": 2, "o": 8, "d": 10, "h": 16}[base.lower()]
    value = int(digits.replace("_", ""), radix)
    new = value + 1 if value + 1 < (1 << width) else value - 1
    if new < 0:
        return None
    fmt = {2: "b", 8: "o", 10: "d", 16: "x"}[radix]
    return "%d'%s%s%s" % (width, sgn, base, format(new, fmt))


def expr_mutations(rhs):
    """(operator, original, mutated, new rhs) for each swap and const site of
    an expression. Only at bracket and brace depth 0: a select's bounds and
    a replication count must stay constant expressions."""
    toks = tokens(rhs)
    out = []
    depth = 0
    prev = None
    # The width of a cast, (N - 1)'(x), is a constant expression too.
    in_cast = set()
    stack = []
    for i, (kind, text, _, _) in enumerate(toks):
        if kind == "op" and text == "(":
            stack.append(i)
        elif kind == "op" and text == ")" and stack:
            open_at = stack.pop()
            if i + 1 < len(toks) and toks[i + 1][1] == "'":
                in_cast.update(range(open_at, i + 1))
    for i, (kind, text, start, end) in enumerate(toks):
        nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
        if i in in_cast:
            pass
        elif text in "[{" and kind == "op":
            depth += 1
        elif text in "]}" and kind == "op":
            depth -= 1
        elif depth == 0:
            operand_before = prev is not None and (
                prev[0] in ("id", "num", "lit") or prev[1] in (")", "]", "}"))
            if kind == "op" and text in SWAPS and operand_before:
                new = SWAPS[text]
                out.append(("swap", text, new,
                            rhs[:start] + new + rhs[end:]))
            elif kind == "lit" and nxt != "'":
                new = literal_plus_one(text)
                if new is not None:
                    out.append(("const", text, new,
                                rhs[:start] + new + rhs[end:]))
            elif (kind == "num" and nxt != "'" and "." not in text and
                  (prev is None or prev[1] != "'")):
                new = str(int(text) + 1)
                out.append(("const", text, new, rhs[:start] + new + rhs[end:]))
        prev = (kind, text)
    return out


def strip_comment(line):
    """The code of a line without // and one-line /* */ comments."""
    line = re.sub(r"/\*.*?\*/", "", line)
    return line.split("//", 1)[0].rstrip()


class Site:
    def __init__(self, line, op, orig, mutated, apply):
        self.line = line        # 1-based
        self.op = op            # operator class
        self.orig = orig        # text shown in reports
        self.mutated = mutated
        self.apply = apply      # (code, id) -> the line's new code


def sites_of(path, lines):
    """Every mutation site of one module source, and the module's name and
    the line after its header (where the selector goes)."""
    module = None
    header_end = None
    sites = []
    in_block = 0          # begin/end depth of the always block or function
    in_region = False     # inside an always block or a function
    func_depth = 0
    skip_depth = 0        # inside `ifndef NC_NO_ASSERT / `ifdef ...
    ifdef_stack = []
    in_comment = False
    prev_code = ";"
    rst_base = None       # begin/end depth outside the reset branch, inside it
    for no, raw in enumerate(lines, 1):
        text = raw
        if in_comment:
            if "*/" not in text:
                continue
            text = text.split("*/", 1)[1]
            in_comment = False
        if "/*" in text and "*/" not in text.split("/*", 1)[1]:
            text = text.split("/*", 1)[0]
            in_comment = True
        code = strip_comment(text)
        s = code.strip()
        if not s:
            continue
        if s.startswith("`ifndef") or s.startswith("`ifdef"):
            assertion = "NC_NO_ASSERT" in s or "VERILATOR" in s
            ifdef_stack.append(assertion)
            skip_depth += assertion
            continue
        if s.startswith("`endif") and ifdef_stack:
            skip_depth -= ifdef_stack.pop()
            continue
        if s.startswith("`"):
            continue
        if module is None:
            m = re.match(r"module\s+(\w+)", s)
            if m:
                module = m.group(1)
            prev_code = s
            continue
        if header_end is None:
            if s.startswith(");"):
                header_end = no
            prev_code = s
            continue
        words = re.findall(r"[A-Za-z_]\w*", s)
        starts_region = bool(re.match(r"(always_comb|always_ff|always_latch|always)\b", s))
        if re.match(r"function\b", s):
            func_depth += 1
        if starts_region:
            in_region = True
            in_block = 0
        region = (in_region or func_depth > 0) and skip_depth == 0
        # The reset branch of a clocked process: reset values are seen only
        # until the first write, mutating them says little about the suite.
        if in_region and re.match(r"if\s*\(\s*!\s*rst_ni\s*\)", s):
            rst_base = in_block
        elif rst_base is not None and s.startswith("end") and in_block - 1 <= rst_base:
            rst_base = None
        region = region and rst_base is None
        stmt_start = bool(re.search(r"(;|\bbegin|\bend|\belse|\bendcase|\)|:)$",
                                    prev_code)) or re.search(r"\bbegin\s*:\s*\w+$",
                                                             prev_code)
        if (region and stmt_start and not starts_region and
                "rst_ni" not in s and "$" not in s and "assert" not in s):
            sites.extend(statement_sites(no, code))
        elif (skip_depth == 0 and stmt_start and s.startswith("assign ") and
              "$" not in s):
            sites.extend(assign_sites(no, code))
        if in_region:
            in_block += words.count("begin") - words.count("end")
            if in_block <= 0:
                in_region = False
        if re.match(r"endfunction\b", s):
            func_depth -= 1
        prev_code = s
    if module is None or header_end is None:
        raise Error("%s: no module header found" % path)
    return module, header_end, sites


def statement_sites(no, code):
    """Sites of one procedural line: an if condition, or an assignment."""
    out = []
    m = IF.match(code)
    if m:
        open_at = m.end() - 1
        depth = 0
        close = None
        for i in range(open_at, len(code)):
            depth += code[i] == "("
            depth -= code[i] == ")"
            if depth == 0:
                close = i
                break
        if close is None:
            return out
        cond = code[open_at + 1:close]
        head, tail = code[:open_at + 1], code[close:]

        def inv(c, k, cond=cond, head=head, tail=tail):
            return "%s(%s == %d) ? !(%s) : (%s)%s" % (head, SEL, k, cond, cond, tail)

        def drop(c, k, cond=cond, head=head, tail=tail):
            return "%s(%s == %d) || (%s)%s" % (head, SEL, k, cond, tail)

        out.append(Site(no, "invert", "if (%s)" % cond, "if (!(%s))" % cond, inv))
        out.append(Site(no, "drop", "if (%s)" % cond, "if (1)", drop))
        return out
    m = STMT.match(code)
    if m is None or m.group("lhs").split("[")[0].split(".")[0] in KEYWORDS:
        return out
    rhs = m.group("rhs")
    if not balanced(rhs) or ";" in rhs:
        return out
    ind, lhs, op = m.group("ind"), m.group("lhs"), m.group("op")
    orig = "%s %s %s;" % (lhs, op, rhs)

    def wrap(new_rhs):
        def apply(c, k):
            return "%sbegin if (%s == %d) %s %s %s; else %s %s %s; end" % (
                ind, SEL, k, lhs, op, new_rhs, lhs, op, rhs)
        return apply

    try:
        muts = expr_mutations(rhs)
    except Error:
        return out
    for kind, _, _, new_rhs in muts:
        out.append(Site(no, kind, orig, "%s %s %s;" % (lhs, op, new_rhs),
                        wrap(new_rhs)))
    if not is_zero(rhs):
        out.append(Site(no, "stuck0", orig, "%s %s '0;" % (lhs, op), wrap("'0")))
    if not is_ones(rhs):
        out.append(Site(no, "stuck1", orig, "%s %s '1;" % (lhs, op), wrap("'1")))
    return out


def is_zero(rhs):
    """Whether an expression is a literal zero (stuck at 0 would be it)."""
    return re.fullmatch(r"\s*(?:'0|\d*'[sS]?[bBoOdDhH]0+)\s*", rhs) is not None


def is_ones(rhs):
    """Whether an expression is '1 or 1'b1 (stuck at 1 would be it)."""
    return re.fullmatch(r"\s*(?:'1|1'[bB]1)\s*", rhs) is not None


def assign_sites(no, code):
    """Sites of a one-line continuous assignment. The mutated expression is
    the other arm of a conditional, so both arms keep the original's
    signedness: stuck-at values are written as (e) ^ (e) and ~((e) ^ (e)),
    zero and all ones of the expression's own type."""
    m = ASSIGN.match(code)
    if m is None:
        return []
    rhs = m.group("rhs")
    if not balanced(rhs) or ";" in rhs:
        return []
    ind, lhs = m.group("ind"), m.group("lhs")
    orig = "assign %s = %s;" % (lhs, rhs)

    def wrap(new_rhs):
        def apply(c, k):
            return "%sassign %s = (%s == %d) ? (%s) : (%s);" % (
                ind, lhs, SEL, k, new_rhs, rhs)
        return apply

    out = []
    try:
        muts = expr_mutations(rhs)
    except Error:
        return out
    for kind, _, _, new_rhs in muts:
        out.append(Site(no, kind, orig, "assign %s = %s;" % (lhs, new_rhs),
                        wrap(new_rhs)))
    zero = "(%s) ^ (%s)" % (rhs, rhs)
    if not is_zero(rhs):
        out.append(Site(no, "stuck0", orig, "assign %s = '0;" % lhs, wrap(zero)))
    if not is_ones(rhs):
        out.append(Site(no, "stuck1", orig, "assign %s = '1;" % lhs,
                        wrap("~(%s)" % zero)))
    return out


def write_copy(sources, texts, per_module, chosen, out):
    """The schemata: each chosen site's line rewritten with its id, the
    selector declared in each module. [(id, module, path, Site)]."""
    rows = []
    k = 0
    by_path = {}
    for m in sorted(per_module, key=lambda m: sources.index(per_module[m][0])):
        path, header_end, _ = per_module[m]
        lines = list(texts[path])
        for s in chosen[m]:
            k += 1
            code = strip_comment(lines[s.line - 1])
            lines[s.line - 1] = s.apply(code, k)
            rows.append((k, m, path, s))
        lines.insert(header_end, SELECTOR.format(sel=SEL))
        by_path[path] = lines
    for path in sources:
        lines = by_path.get(path, texts[path])
        with open(os.path.join(out, os.path.basename(path)), "w",
                  encoding="utf-8") as f:
            f.write("\n".join(lines))
    return rows


def elaborated(verilator, top, sources, texts, per_module):
    """The sites on lines that survive elaboration: a line inside a generate
    branch the design's parameters never take (a FIFO depth no instance
    uses, a zero-stage delay) is not in the design, and a mutant there
    could never be killed. One schemata with a mutant on every line goes
    through `verilator --xml-only`; a line is live when its selector
    comparison is still in the elaborated netlist."""
    one_per_line = {}
    for m, (_, _, sites) in per_module.items():
        seen = set()
        one_per_line[m] = []
        for s in sites:
            if s.line not in seen:
                seen.add(s.line)
                one_per_line[m].append(s)
    with tempfile.TemporaryDirectory() as tmp:
        rows = write_copy(sources, texts, per_module, one_per_line, tmp)
        xml = os.path.join(tmp, "top.xml")
        cmd = [verilator, "--xml-only", "--xml-output", xml, "-Wno-fatal",
               "-Wno-ENUMVALUE", "--top-module", top] + \
              [os.path.join(tmp, os.path.basename(p)) for p in sources]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, check=False)
        if r.returncode != 0:
            raise Error("verilator --xml-only of the schemata failed:\n" + r.stdout)
        live_ids = set()
        for node in ET.parse(xml).iter():
            kids = list(node)
            if any(c.tag == "varref" and c.get("name") == SEL for c in kids):
                for c in kids:
                    v = re.match(r"\d+'s?h([0-9a-fA-F]+)$", c.get("name") or "")
                    if c.tag == "const" and v:
                        live_ids.add(int(v.group(1), 16))
    live = {(m, s.line) for k, m, _, s in rows if k in live_ids}
    return {m: (p, h, [s for s in sites if (m, s.line) in live])
            for m, (p, h, sites) in per_module.items()}


def choose(per_module, count, min_per, rng):
    """Which sites become mutants: {module: [Site]}, each module at least
    min_per (or all its lines), the rest in proportion to its sites."""
    lines_of = {m: len({s.line for s in ss}) for m, (_, _, ss) in per_module.items()}
    quota = {m: min(min_per, lines_of[m]) for m in per_module}
    total_sites = sum(len(ss) for (_, _, ss) in per_module.values()) or 1
    left = count - sum(quota.values())
    if left > 0:
        share = {m: left * len(ss) / total_sites for m, (_, _, ss) in per_module.items()}
        for m in sorted(per_module):
            quota[m] = min(lines_of[m], quota[m] + int(share[m]))
        # What rounding left over goes to the modules with the most sites.
        for m in sorted(per_module, key=lambda m: (-len(per_module[m][2]), m)):
            if sum(quota.values()) >= count:
                break
            if quota[m] < lines_of[m]:
                quota[m] += 1
    chosen = {}
    for m in sorted(per_module):
        sites = list(per_module[m][2])
        rng.shuffle(sites)
        by_op = {}
        for s in sites:
            by_op.setdefault(s.op, []).append(s)
        ops = sorted(by_op)
        rng.shuffle(ops)
        used_lines = set()
        picked = []
        while len(picked) < quota[m] and any(by_op.values()):
            for op in ops:
                if len(picked) >= quota[m]:
                    break
                while by_op[op] and by_op[op][0].line in used_lines:
                    by_op[op].pop(0)
                if by_op[op]:
                    s = by_op[op].pop(0)
                    used_lines.add(s.line)
                    picked.append(s)
        chosen[m] = sorted(picked, key=lambda s: s.line)
    return chosen


SELECTOR = """\
  // Mutant schemata (hw/gen/mutate.py): the mutant this run selects (+mutant=K), 0: none.
  int unsigned {sel};
  initial begin
    if (!$value$plusargs("mutant=%d", {sel})) begin
      {sel} = 0;
    end
  end
"""


def clean(text):
    return " ".join(text.split())


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory for the copy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=80, help="mutants in all")
    ap.add_argument("--min-per-module", type=int, default=3)
    ap.add_argument("--verilator", metavar="PATH",
                    help="keep only sites that survive elaboration (checked "
                         "with this verilator, --top the top module)")
    ap.add_argument("--top", default="nc_top")
    ap.add_argument("--list-sites", action="store_true",
                    help="print every site (module line operator) and exit")
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args(argv)
    if a.count < 1 or a.min_per_module < 0:
        print("mutate.py: --count must be at least 1", file=sys.stderr)
        return 2
    per_module = {}
    texts = {}
    try:
        for path in a.sources:
            with open(path, encoding="utf-8") as f:
                texts[path] = f.read().split("\n")
            if re.search(r"^package\b", "\n".join(texts[path]), re.M):
                continue
            module, header_end, sites = sites_of(path, texts[path])
            per_module[module] = (path, header_end, sites)
        if a.verilator:
            per_module = elaborated(a.verilator, a.top, a.sources, texts, per_module)
    except (OSError, Error) as e:
        print("mutate.py: %s" % e, file=sys.stderr)
        return 1
    if a.list_sites:
        for m in sorted(per_module):
            for s in per_module[m][2]:
                print("%s\t%d\t%s\t%s\t%s" % (m, s.line, s.op, clean(s.orig),
                                              clean(s.mutated)))
        return 0
    chosen = choose(per_module, a.count, a.min_per_module, random.Random(a.seed))
    os.makedirs(a.out, exist_ok=True)
    rows = write_copy(a.sources, texts, per_module, chosen, a.out)
    with open(os.path.join(a.out, "mutants.tsv"), "w", encoding="utf-8") as f:
        f.write("# id\tmodule\tfile\tline\toperator\toriginal\tmutated\n")
        for k, m, path, s in rows:
            f.write("%d\t%s\t%s\t%d\t%s\t%s\t%s\n" %
                    (k, m, path, s.line, s.op, clean(s.orig), clean(s.mutated)))
    print("mutate.py: %d mutants over %d modules (seed %d) in %s" %
          (len(rows), len(per_module), a.seed, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
