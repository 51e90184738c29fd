#!/usr/bin/env python3
"""Prints line, toggle and other coverage percentages of a Verilator coverage file.

Usage: cov_summary.py coverage.dat

Each point of a Verilator coverage file is a line `C '<key>\\x02<value>\\x01...' <count>`;
the `page` key says which kind it is (v_line/<module>, v_toggle/<module>, v_user/...). A point
counts as covered when its count is non-zero. verilator_coverage itself prints only one total.
"""
import collections
import sys


def main(path):
    total = collections.Counter()
    hit = collections.Counter()
    with open(path, encoding="latin-1") as f:
        for line in f:
            if not line.startswith("C '"):
                continue
            end = line.rindex("'")
            fields = dict(kv.split("\x02", 1) for kv in line[3:end].split("\x01") if "\x02" in kv)
            kind = fields.get("page", "?").split("/", 1)[0]
            kind = kind[2:] if kind.startswith("v_") else kind
            total[kind] += 1
            if int(line[end + 1:].strip() or 0) > 0:
                hit[kind] += 1
    if not total:
        print(f"{path}: no coverage points")
        return 1
    for kind in sorted(total):
        print(f"coverage {kind:8s} {100.0 * hit[kind] / total[kind]:6.2f}% "
              f"({hit[kind]}/{total[kind]} points)")
    all_t, all_h = sum(total.values()), sum(hit.values())
    print(f"coverage {'total':8s} {100.0 * all_h / all_t:6.2f}% ({all_h}/{all_t} points)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
