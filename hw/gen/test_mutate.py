#!/usr/bin/env python3
"""Tests of hw/gen/mutate.py, the mutant schemata of the RTL: each operator
rewrites a statement into the original and the mutant side by side, the
choice is a pure function of the sources and the seed, every module of
hw/rtl gets mutants, and the copy of the real RTL is accepted by Verilator
(when it is installed) with every mutant still in the elaborated design.

Run from anywhere: python3 hw/gen/test_mutate.py. Python 3 standard library only.
"""

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import mutate  # noqa: E402

MODULE = """\
module nc_demo (
  input  logic       clk_i,   // clock
  input  logic       rst_ni,  // reset
  input  logic [3:0] a_i,     // a
  output logic [3:0] q_o      // q
);
  logic [3:0] q_q;
  assign q_o = q_q + 4'd3;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      q_q <= '0;
    end else if (a_i != 4'd0) begin
      q_q <= a_i - q_q;
    end
  end
`ifndef NC_NO_ASSERT
  a_x: assert property (@(posedge clk_i) q_q < 4'd15);
`endif
endmodule
"""


def rtl_sources():
    """hw/rtl's sources in the manifest's level order."""
    with open(os.path.join(ROOT, "hw/rtl/manifest.mk"), encoding="utf-8") as f:
        text = f.read()
    text = text.replace("\\\n", " ")
    order = []
    for lvl in re.search(r"NC_RTL_LEVELS := (.*)", text).group(1).split():
        order += re.search(r"NC_RTL_LEVEL_%s := (.*)" % lvl, text).group(1).split()
    return [os.path.join(ROOT, "hw/rtl", m + ".sv") for m in order]


def run(args):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = mutate.main(args)
    return rc, out.getvalue(), err.getvalue()


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                rows.append(line.rstrip("\n").split("\t"))
    return rows


class Sites(unittest.TestCase):
    def setUp(self):
        self.module, self.header_end, self.sites = mutate.sites_of(
            "nc_demo.sv", MODULE.split("\n"))

    def test_header_and_module(self):
        self.assertEqual(self.module, "nc_demo")
        self.assertEqual(self.header_end, 6)  # the line of ");"

    def test_no_site_in_reset_branch_or_assertion(self):
        lines = {s.line for s in self.sites}
        self.assertNotIn(10, lines)  # if (!rst_ni)
        self.assertNotIn(11, lines)  # the reset value
        self.assertNotIn(17, lines)  # the assertion

    def test_operators(self):
        got = {(s.line, s.op, s.mutated) for s in self.sites}
        self.assertIn((8, "swap", "assign q_o = q_q - 4'd3;"), got)
        self.assertIn((8, "const", "assign q_o = q_q + 4'd4;"), got)
        self.assertIn((12, "invert", "if (!(a_i != 4'd0))"), got)
        self.assertIn((12, "drop", "if (1)"), got)
        self.assertIn((13, "swap", "q_q <= a_i + q_q;"), got)
        self.assertIn((13, "stuck0", "q_q <= '0;"), got)
        self.assertIn((13, "stuck1", "q_q <= '1;"), got)

    def test_rewrites_keep_the_original(self):
        by = {(s.line, s.op): s for s in self.sites}
        lines = MODULE.split("\n")
        self.assertEqual(
            by[(13, "swap")].apply(lines[12], 7),
            "      begin if (nc_mut_sel == 7) q_q <= a_i + q_q; else q_q <= a_i - q_q; end")
        self.assertEqual(
            by[(12, "invert")].apply(lines[11], 2),
            "    end else if ((nc_mut_sel == 2) ? !(a_i != 4'd0) : (a_i != 4'd0)) begin")
        self.assertEqual(
            by[(8, "stuck1")].apply(lines[7], 9),
            "  assign q_o = (nc_mut_sel == 9) ? (~((q_q + 4'd3) ^ (q_q + 4'd3))) : "
            "(q_q + 4'd3);")


class Expressions(unittest.TestCase):
    def test_select_bounds_and_cast_widths_stay(self):
        muts = mutate.expr_mutations("x[W-1:0] + (N - 1)'(y)")
        self.assertEqual([(k, o, n) for k, o, n, _ in muts], [("swap", "+", "-")])

    def test_unary_minus_is_not_swapped(self):
        muts = mutate.expr_mutations("-(a) & b")
        self.assertEqual([(k, o) for k, o, _, _ in muts], [("swap", "&")])

    def test_literal_off_by_one(self):
        self.assertEqual(mutate.literal_plus_one("4'd3"), "4'd4")
        self.assertEqual(mutate.literal_plus_one("1'b1"), "1'b0")
        self.assertEqual(mutate.literal_plus_one("8'hff"), "8'hfe")
        self.assertEqual(mutate.literal_plus_one("'0"), "'1")
        self.assertIsNone(mutate.literal_plus_one("4'bx01z"))

    def test_stuck_at_its_own_value_is_no_mutant(self):
        _, _, sites = mutate.sites_of("d.sv", [
            "module d (", "  output logic a_o", ");",
            "  always_comb begin", "    a_o = 1'b0;", "  end", "endmodule"])
        self.assertEqual(sorted(s.op for s in sites), ["const", "stuck1"])


class OnTheRtl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.sources = rtl_sources()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def generate(self, name, *extra):
        out = os.path.join(self.tmp, name)
        rc, _, err = run(["--out", out, "--count", "80"] + list(extra) + self.sources)
        self.assertEqual(rc, 0, err)
        return out, read_tsv(os.path.join(out, "mutants.tsv"))

    def test_every_module_and_deterministic(self):
        out1, rows1 = self.generate("a", "--seed", "5")
        _, rows2 = self.generate("b", "--seed", "5")
        _, rows3 = self.generate("c", "--seed", "6")
        self.assertEqual(rows1, rows2)
        self.assertNotEqual(rows1, rows3)
        self.assertEqual(len(rows1), 80)
        self.assertEqual([int(r[0]) for r in rows1], list(range(1, 81)))
        modules = {os.path.basename(p)[:-3] for p in self.sources} - {"nc_pkg"}
        self.assertEqual({r[1] for r in rows1}, modules)
        # One mutant per line; each line of the copy holds its selector.
        self.assertEqual(len({(r[2], r[3]) for r in rows1}), 80)
        for r in rows1:
            with open(os.path.join(out1, os.path.basename(r[2])), encoding="utf-8") as f:
                text = f.read()
            self.assertIn("nc_mut_sel == %s)" % r[0], text)

    def test_bad_input(self):
        rc, _, err = run(["--out", os.path.join(self.tmp, "x"), "--count", "0"] +
                         self.sources)
        self.assertEqual(rc, 2)
        self.assertIn("--count must be at least 1", err)
        rc, _, err = run(["--out", os.path.join(self.tmp, "y"),
                          os.path.join(self.tmp, "none.sv")])
        self.assertEqual(rc, 1)
        self.assertIn("none.sv", err)

    @unittest.skipIf(shutil.which("verilator") is None, "verilator is not installed")
    def test_verilator_accepts_the_copy_with_every_mutant_live(self):
        out, rows = self.generate("v", "--verilator", "verilator")
        files = [os.path.join(out, os.path.basename(p)) for p in self.sources]
        xml = os.path.join(self.tmp, "v.xml")
        r = subprocess.run(["verilator", "--xml-only", "--xml-output", xml, "-Wno-fatal",
                            "-Wno-ENUMVALUE", "--top-module", "nc_top"] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, check=False)
        self.assertEqual(r.returncode, 0, r.stdout)
        with open(xml, encoding="utf-8") as f:
            text = f.read()
        live = {int(v, 16) for v in re.findall(r"name=\"32&apos;sh([0-9a-f]+)\"", text)}
        self.assertEqual([int(x[0]) for x in rows if int(x[0]) not in live], [])


if __name__ == "__main__":
    unittest.main(verbosity=1)
