#!/usr/bin/env python3
# What are a model's points -> formula misses on curved functions, and does its latent or its
# scoring hold retrieval back? Embeds a data.prefix file with `snip embed` and prints:
#   - for curved queries (not a straight line within RMSE 0.01), how far the first answer's graph
#     (its formula evaluated at the query's x, min-max scaled, the model report's rule) lies from
#     the query's scaled y: the share within 0.01 (the report's curved top-1), 0.02 ... 0.2, the
#     median miss, where the first look-alike ranks among the misses, the own formula's rank;
#   - the curved hits and misses told apart: the own formula's |z_f|, its set's |z_y|, their
#     cosine and the formula's length in tokens; curved top-1 by formula length;
#   - how evenly z_f and z_y use their dimensions (participation ratio, variance in the first
#     4 / 8 / 16 principal directions);
#   - points -> formula top-1 over all queries for scoring variants of the trained dot product
#     (z_f scaled to unit length, z_f times |z_f|^a).
# Usage: Scripts/retrieval-misses.py MODEL DATA.prefix (SNIP_BIN: the snip binary, default
# .build/release/snip). Needs numpy; not part of the test suite.
import os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_functions import embedded, evaluate, scaled

MODEL, DATA = sys.argv[1], sys.argv[2]
samples, F, Y, xs, ys = embedded(MODEL, DATA)
n = len(samples)
distances = {}

def distance(j, i):
    """RMSE between formula j's scaled graph at set i's x and set i's scaled y (inf if unusable)."""
    if (j, i) not in distances:
        with np.errstate(all="ignore"):
            g = evaluate(samples[j]["tree"].split(","), 0, xs[i])[0]
        usable = np.all(np.isfinite(g)) and g.max() > g.min()
        distances[(j, i)] = float(np.sqrt(np.mean((scaled(g) - ys[i]) ** 2))) if usable else np.inf
    return distances[(j, i)]

def straight(i):
    a = np.vstack([xs[i], np.ones_like(xs[i])]).T
    return np.sqrt(np.mean((a @ np.linalg.lstsq(a, ys[i], rcond=None)[0] - ys[i]) ** 2)) <= 0.01

scores = Y @ F.T
curved = [i for i in range(n) if not straight(i)]
first, look_alike_rank, own_rank = [], [], []
for i in curved:
    order = np.argsort(-scores[i])
    first.append(distance(int(order[0]), i))
    ranks = [k for k, j in enumerate(order[:50]) if distance(int(j), i) <= 0.01]
    look_alike_rank.append(ranks[0] if ranks else None)
    own_rank.append(int(np.where(order == i)[0][0]))
first, own_rank = np.array(first), np.array(own_rank)
misses = first > 0.01
print(f"curved queries {len(curved)} of {n}; first answer within RMSE 0.01 (curved top-1): {np.mean(~misses):.3f}")
for t in [0.02, 0.03, 0.05, 0.1, 0.2]:
    print(f"  within {t:.2f}: {np.mean(first <= t):.3f}")
print(f"  median distance of a miss: {np.median(first[misses]):.3f}")
found = [r for r, m in zip(look_alike_rank, misses) if m and r is not None]
print(f"  misses with a look-alike among the first 50 answers: {len(found) / max(misses.sum(), 1):.3f}, median rank {np.median(found) if found else float('nan'):.0f} (0 = first)")
print(f"  own formula's rank: median {np.median(own_rank):.0f}, in the first 5 for {np.mean(own_rank < 5):.3f}")
hits = ~misses
cf, cy = np.linalg.norm(F[curved], axis=1), np.linalg.norm(Y[curved], axis=1)
cosine = np.sum(F[curved] * Y[curved], axis=1) / (cf * cy)
tokens = np.array([len(samples[i]["tree"].split(",")) for i in curved])
for name, m in [("hits", hits), ("misses", misses)]:
    print(f"  curved {name} ({m.sum()}): own |z_f| {cf[m].mean():.2f}, |z_y| {cy[m].mean():.2f}, own cosine {cosine[m].mean():.2f}, formula tokens {tokens[m].mean():.1f}")
for lo, hi in [(0, 10), (10, 20), (20, 30), (30, 1000)]:
    m = (tokens >= lo) & (tokens < hi)
    if m.any():
        print(f"  formulas of {lo}-{hi - 1 if hi < 1000 else 'more'} tokens: {m.sum()} queries, curved top-1 {np.mean(hits[m]):.3f}")
for name, Z in [("z_f", F), ("z_y", Y)]:
    s = np.linalg.svd(Z - Z.mean(0), compute_uv=False)
    energy = s ** 2 / np.sum(s ** 2)
    ratio = np.sum(s ** 2) ** 2 / np.sum(s ** 4)
    print(f"{name}: participation ratio {ratio:.1f} of {Z.shape[1]}; variance in the first 4 / 8 / 16 directions {energy[:4].sum():.2f} / {energy[:8].sum():.2f} / {energy[:16].sum():.2f}")

def points_to_formula(S):
    return np.mean([distance(int(np.argmax(S[i])), i) <= 0.01 for i in range(n)])

norms = np.linalg.norm(F, axis=1, keepdims=True)
print("points -> formula top-1 by scoring:")
print(f"  dot product (the model's) {points_to_formula(scores):.3f}")
print(f"  z_f scaled to unit length {points_to_formula(Y @ (F / norms).T):.3f}")
for a in [0.25, 0.5, 1.0]:
    print(f"  z_f times |z_f|^{a:g} {points_to_formula(Y @ (F * norms ** a).T):.3f}")
