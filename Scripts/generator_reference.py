#!/usr/bin/env python3
"""Samples from the reference SNIP generator, written as data.prefix lines (measurement only).

Sample i of seed S is `env.gen_expr(train=True)` after `env.rng = np.random.RandomState([S, i])`
and `np.random.seed([S, i])` (the global state, used for dim > 1 rotations and the noise draw),
with numpy errors raised as in the reference's train.py. The line is what the reference exporter
writes (`Trainer.export_data`), one per sample; `--attempts` adds the rejected attempts' count.

The reference is not part of snip: pass a checkout of deep-symbolic-mathematics/
Multimodal-Math-Pretraining with --reference DIR (needs numpy 1.26.4, scipy, sympy, torch).

    generator_reference.py --reference DIR --seed 0 --count 500 [--max-input-dimension 1]
        [--property ncr] [--normalize-y] [--min-binary-ops-per-dim 3] [--out FILE] [--time]
"""
import argparse
import json
import os
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", default=os.environ.get("SNIP_REFERENCE", ""))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first sample index")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--max-input-dimension", type=int, default=1)
    parser.add_argument("--property", choices=["ncr", "upward", "yavg", "oscil"])
    parser.add_argument("--normalize-y", action="store_true")
    parser.add_argument("--min-binary-ops-per-dim", type=int, default=0)
    parser.add_argument("--attempts", action="store_true", help="add an 'attempts' count")
    parser.add_argument("--out", help="file to write (default: standard output)")
    parser.add_argument("--time", action="store_true",
                        help="print samples/s of generation (without writing), by wall and by CPU "
                             "time, to stderr")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.reference, "snip")):
        sys.exit("pass --reference DIR, a checkout of the reference repository")
    sys.path.insert(0, args.reference)
    import numpy as np
    import torch
    torch.set_num_threads(1)
    from parsers import get_parser
    from snip.envs import build_env
    from snip.envs.environment import EnvDataset

    flags = ["--cpu", "True", "--max_input_dimension", str(args.max_input_dimension),
             "--min_binary_ops_per_dim", str(args.min_binary_ops_per_dim)]
    # The reference's bool flags are on for any non-empty value, so pass them only when wanted.
    if args.normalize_y:
        flags += ["--normalize_y", "True"]
    if args.property:
        flags += ["--is_proppred", "True", "--property_type", args.property]
    params = get_parser().parse_args(flags)
    env = build_env(params)
    np.seterr(all="raise")  # as train.py does at import
    dataset = None
    if args.property:
        # The reference's own property code path (EnvDataset.generate_sample).
        dataset = EnvDataset.__new__(EnvDataset)
        dataset.env, dataset.params, dataset.train = env, params, True
        dataset.input_length_modulo, dataset.count = -1, 0
        dataset.errors = __import__("collections").defaultdict(int)

    out = open(args.out, "w") if args.out else sys.stdout
    generation_seconds = 0.0
    generation_cpu_seconds = 0.0
    for i in range(args.start, args.start + args.count):
        env.rng = np.random.RandomState([args.seed, i])
        np.random.seed([args.seed, i])
        begin = time.perf_counter()
        begin_cpu = time.process_time()
        attempts = 0
        if dataset is not None:
            dataset.remaining_data = 0
            sample = dataset.generate_sample()
            x, y = sample["x_to_fit"], sample["y_to_fit"]
            infos = {k: v for k, v in sample["infos"].items()}
        else:
            expr, errors = env.gen_expr(True)
            attempts = 1 + sum(errors.values())
            x, y = expr["X_to_fit"][0], expr["Y_to_fit"][0]
            infos = {k: v[0] for k, v in expr["infos"].items()}
            sample = expr
        generation_seconds += time.perf_counter() - begin
        generation_cpu_seconds += time.process_time() - begin_cpu
        line = {k: str(v) for k, v in infos.items()}
        line["x_to_fit"] = [["%.3e" % v for v in row] for row in x.tolist()]
        line["y_to_fit"] = [["%.3e" % v for v in row] for row in y.tolist()]
        line["tree"] = sample["tree"].prefix()
        line["skeleton_tree_encoded"] = sample["skeleton_tree_encoded"]
        if args.property:
            line["target_property"] = sample["target_property"]
        if args.attempts:
            line["attempts"] = attempts
        out.write(json.dumps(line) + "\n")
    out.flush()
    if args.time:
        print(f"{args.count / generation_seconds:.1f} samples/s "
              f"({args.count} samples in {generation_seconds:.2f} s, one thread; "
              f"{args.count / generation_cpu_seconds:.1f} samples per CPU second)", file=sys.stderr)


if __name__ == "__main__":
    main()
