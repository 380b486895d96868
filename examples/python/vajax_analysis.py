#!/usr/bin/env python3
"""The analysis of VAJAX's analyze_parallelism.py, done by spax.analyze.

The script's readers keep working: with --output-dir, the same files are written, with the same
names and keys (parallelism_analysis.json, parallelism_summary.txt, level_set_widths.csv,
etree_parent.npy), plus spax's own. Without it nothing is written; the dict is the document
`spax analyze --json` prints.

usage: vajax_analysis.py [JACOBIAN.mtx [NEXT.mtx ...]] [--stamps STAMPS] [--output-dir DIR]
       (default: the bundled data/rajat19.mtx)

Run from the build tree with PYTHONPATH=build/python, or after `cmake --install`.
"""
import argparse
import pathlib

import spax

HERE = pathlib.Path(__file__).resolve().parent


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("matrices", nargs="*",
                   default=[str(HERE.parents[1] / "data" / "rajat19.mtx")],
                   help="Matrix Market files: the first is analysed, all feed pattern stability")
    p.add_argument("--stamps", help="the assembly's stamp map (JSON or CSV): scatter conflicts")
    p.add_argument("--output-dir", help="write the VAJAX files (and spax's) here")
    p.add_argument("--orderings", default="all", help="as spax analyze --orderings")
    args = p.parse_args()

    d = spax.analyze(args.matrices[0], samples=args.matrices[1:], stamps=args.stamps,
                     orderings=args.orderings, output_dir=args.output_dir)

    m, tree, sn, fill = d["matrix"], d["elimination_tree"], d["supernodes"], d["fill_in"]
    print(f"matrix      {m['size']} x {m['size']}, nnz {m['nnz']} "
          f"({m['density_pct']:.4f} %), bandwidth {m['bandwidth']}")
    if "height" in tree:
        print(f"etree       height {tree['height']}, leaves {tree['n_leaves']}, "
              f"parallelism max {tree['max_parallelism']} avg {tree['avg_parallelism']:.1f}")
        widths = tree.get("level_widths") or tree.get("level_widths_truncated")
        print(f"levels      {widths[:12]}{' ...' if len(widths) > 12 else ''}")
        print(f"supernodes  chains {sn['count']}, fundamental {sn['fundamental']['count']}")
    if "best_ordering" in fill:
        print(f"LU fill     best (SuperLU, as scipy's splu): {fill['best_ordering']}")
        for name, e in fill["orderings"].items():
            if "fill_ratio" in e:
                print(f"            {name:14s} L+U-n {e['factor_nnz']:>9}  "
                      f"fill ratio {e['fill_ratio']:.2f}")
    rcm = d["rcm_ordering"]
    if "bandwidth_rcm" in rcm:
        print(f"RCM         bandwidth {rcm['bandwidth_original']} -> {rcm['bandwidth_rcm']}")
    if "best_ordering_fill" in d:
        print(f"orderings   best for fill {d['best_ordering_fill']}, "
              f"for parallelism {d['best_ordering_parallelism']}")
    if "pattern_stability" in d:
        ps = d["pattern_stability"]
        print(f"pattern     {'fixed' if ps['is_fixed'] else 'changes'} over "
              f"{ps['n_samples']} samples")
    if "device_parallelism" in d:
        print("scatter     see device_parallelism in the document")
    if args.output_dir:
        print(f"files written to {args.output_dir}")


if __name__ == "__main__":
    main()
