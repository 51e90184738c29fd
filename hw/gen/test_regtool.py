#!/usr/bin/env python3
"""Tests of hw/gen/regtool.py: the committed outputs are current, the name
functions and record packers it writes into the C header follow the data file,
and the AXI4 channel structs of the SystemVerilog package follow its table.

Run from anywhere: python3 hw/gen/test_regtool.py (make hw-check runs it).
Python 3 standard library only.
"""

import copy
import io
import json
import os
import re
import sys
import unittest
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ next to the generator

import regtool  # noqa: E402


def load_data():
    with open(os.path.join(ROOT, regtool.SOURCE), encoding="utf-8") as fh:
        return json.load(fh)


def c_function(header, name):
    """The text of one generated static inline function, up to its closing brace."""
    m = re.search(r"^static inline [^\n]*\b" + re.escape(name) + r"\(.*?^}$", header,
                  re.S | re.M)
    if m is None:
        raise AssertionError(f"{name} is not in the generated header")
    return m.group(0)


def enum(data, name):
    return next(e for e in data["enums"] if e["name"] == name)


class RegtoolTest(unittest.TestCase):
    def setUp(self):
        self.data = load_data()

    def header(self, data):
        return regtool.emit_c(regtool.Model(data))

    def test_committed_outputs_are_current(self):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = regtool.main(["--check"])
        self.assertEqual(rc, 0, err.getvalue())

    def test_every_error_and_unit_has_its_name(self):
        h = self.header(self.data)
        for enum_name, fn in (("err", "nc_hw_err_name"), ("unit", "nc_hw_unit_name"),
                              ("opcode", "nc_hw_opcode_name")):
            body = c_function(h, fn)
            e = enum(self.data, enum_name)
            cases = re.findall(r"case (NC_HW_\w+):\s+return \"([^\"]*)\";", body)
            self.assertEqual(len(cases), len(e["values"]), fn)
            for (macro, label), v in zip(cases, e["values"]):
                self.assertEqual(macro, f"NC_HW_{e['prefix'].upper()}_{v['name'].upper()}")
                want = v.get("label", v["name"].upper() if enum_name == "opcode" else v["name"])
                self.assertEqual(label, want, macro)
                self.assertNotEqual(label, "?")
            self.assertIn('default:\n    return "?";', body)

    def test_every_register_has_its_name(self):
        body = c_function(self.header(self.data), "nc_hw_csr_name")
        cases = re.findall(r"case NC_HW_CSR_(\w+)_OFFSET:\s+return \"([^\"]*)\";", body)
        names = [r["name"].upper() for r in self.data["csr"]["registers"]]
        self.assertEqual(cases, [(n, n) for n in names])

    def test_label_overrides_the_name(self):
        data = copy.deepcopy(self.data)
        enum(data, "err")["values"][1]["label"] = "bad opcode"
        body = c_function(self.header(data), "nc_hw_err_name")
        self.assertIn('case NC_HW_ERR_ILLEGAL_OPCODE:\n    return "bad opcode";', body)

    def test_bad_labels_are_refused(self):
        for bad in ('say "hi"', "back\\slash", "?", ""):
            data = copy.deepcopy(self.data)
            enum(data, "unit")["values"][2]["label"] = bad
            with self.assertRaises(regtool.GenError, msg=repr(bad)):
                regtool.Model(data)
        data = copy.deepcopy(self.data)
        enum(data, "unit")["values"][2]["label"] = "fetch"  # the same as value 1
        with self.assertRaises(regtool.GenError):
            regtool.Model(data)

    def test_record_packer_covers_every_field(self):
        h = self.header(self.data)
        for rec in self.data["records"]:
            fn = f"nc_hw_{rec['name']}"
            enc = c_function(h, f"{fn}_encode")
            dec = c_function(h, f"{fn}_decode")
            for f in rec["fields"]:
                self.assertIn(f"{fn}_set_{f['name']}(rec, v->{f['name']});", enc)
                self.assertIn(f"v->{f['name']} = {fn}_get_{f['name']}(rec);", dec)
            self.assertIn(f"{fn}_encode(v, &rec);", c_function(h, f"{fn}_pack"))
            self.assertIn(f"{fn}_decode(&rec, v);", c_function(h, f"{fn}_unpack"))

    def test_record_bytes_must_match_the_layout(self):
        data = copy.deepcopy(self.data)
        next(d for d in data["derived"] if d["name"] == "qparam_bytes")["expr"] = "8"
        with self.assertRaises(regtool.GenError):
            regtool.Model(data)

    def test_set_changes_only_the_value_and_keeps_the_checks(self):
        data = copy.deepcopy(self.data)
        regtool.apply_settings(data, ["rows=8", "cols=4"])
        h = self.header(data)
        self.assertRegex(h, r"#define NC_HW_ROWS 8\b")
        self.assertRegex(h, r"#define NC_HW_COLS 4\b")
        self.assertRegex(h, r"#define NC_HW_SPAD_ROWS 32768\b")
        for bad in (["rows=x"], ["rows=-8"], ["rows="], ["rowz=8"], ["rows"]):
            with self.assertRaises(regtool.GenError, msg=bad):
                regtool.apply_settings(copy.deepcopy(self.data), bad)
        for bad in (["rows=0"], ["rows=3"], ["cols=0"]):
            data = copy.deepcopy(self.data)
            regtool.apply_settings(data, bad)
            with self.assertRaises(regtool.GenError, msg=bad):
                regtool.Model(data)

    def test_get_prints_values_and_set_never_touches_the_tree(self):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = regtool.main(["--set", "rows=8", "--get", "rows", "cols", "spad_rows"])
        self.assertEqual((rc, out.getvalue()), (0, "8 16 32768\n"), err.getvalue())
        with redirect_stdout(out), redirect_stderr(err), self.assertRaises(SystemExit):
            regtool.main(["--set", "rows=8"])

    def test_axi_structs_follow_the_table(self):
        sv = regtool.emit_sv(regtool.Model(self.data))
        for ch, _, members in regtool.AXI_CHANNELS:
            end = sv.find(f"}} nc_axi_{ch}_t;")
            self.assertGreater(end, 0, f"nc_axi_{ch}_t is not in the package")
            body = sv[sv.rfind("typedef struct packed {", 0, end):end]
            names = re.findall(r"^\s+logic(?: \[[^\]]*\])? (\w+);", body, re.M)
            self.assertEqual(names, [name for name, *_ in members], ch)

    def test_axi_widest_member_is_at_bit_0(self):
        for ch, _, items in regtool.Model(self.data).axi:
            widths = [value for _, _, value, _, _ in items]
            self.assertEqual(widths[-1], max(widths), ch)

    def test_axi_width_must_name_a_config_value(self):
        saved = regtool.AXI_CHANNELS
        regtool.AXI_CHANNELS = (("ar", "read address", (("addr", "no_such_bits", "ARADDR", ""),)),)
        try:
            with self.assertRaises(regtool.GenError):
                regtool.Model(self.data)
        finally:
            regtool.AXI_CHANNELS = saved

    def test_md_byte_columns(self):
        self.assertEqual(regtool.md_bytes(0, 31), "0..3")
        self.assertEqual(regtool.md_bytes(64, 71), "8")
        self.assertEqual(regtool.md_bytes(72, 75), "9 bits 3:0")
        self.assertEqual(regtool.md_bytes(77, 77), "9 bit 5")


if __name__ == "__main__":
    unittest.main()
