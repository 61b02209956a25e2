#!/usr/bin/env python3
# Which encoder holds curved points -> formula retrieval back? For curved query functions of a
# data.prefix file, the candidates are the model's 20 best-scored formulas plus the query's own;
# each is ranked three ways, and a pick is a hit when the picked formula, evaluated at the query's
# x and min-max scaled, lies within RMSE 0.01 of the query's scaled y (the model report's
# look-alike rule):
#   symbolic      the model's own score z_y . z_f (what retrieval does);
#   x-aware       z_y of each candidate's graph at the query's own x, jittered by up to a quarter
#                 of the gap to the neighbouring points (the numeric encoder judging two graphs on
#                 the same inputs: an upper bound no formula embedding can reach, since z_f does
#                 not see the query's x);
#   centroid      the mean z_y of each candidate over DRAWS fresh point sets drawn as the generator
#                 draws them (1-9 clusters, Gaussian or uniform, standardised): where a formula's
#                 embedding would sit if the symbolic encoder put it at the centre of its graphs.
# The gap between symbolic and centroid is the symbolic encoder's; the rest is the numeric one's.
# Usage: Scripts/symbolic-gap.py MODEL DATA.prefix [QUERIES=200] [DRAWS=8]   (SNIP_BIN: the snip
# binary, default .build/release/snip). Needs numpy; not part of the test suite.
import json, os, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_functions import evaluate, fresh_inputs, scaled

MODEL, DATA = sys.argv[1], sys.argv[2]
QUERIES = int(sys.argv[3]) if len(sys.argv) > 3 else 200
DRAWS = int(sys.argv[4]) if len(sys.argv) > 4 else 8
SNIP = os.environ.get("SNIP_BIN", ".build/release/snip")
rng = np.random.default_rng(1)

def graph(sample, x):
    with np.errstate(all='ignore'):
        return evaluate(sample['tree'].split(','), 0, x)[0]

def finite(y): return bool(np.all(np.isfinite(y)) and y.max() > y.min())

def usable(y): return finite(y) and np.abs(y).max() <= 1e7  # what a fresh draw must give

def with_points(sample, x, y):
    copy = dict(sample)
    copy['x_to_fit'] = [["%.3e" % v] for v in x]; copy['y_to_fit'] = [["%.3e" % v] for v in scaled(y)]
    return json.dumps(copy)

def embed(lines, side):
    with tempfile.TemporaryDirectory() as tmp:
        data, out = os.path.join(tmp, 'in.prefix'), os.path.join(tmp, 'out.jsonl')
        open(data, 'w').write(''.join(line.rstrip('\n') + '\n' for line in lines))
        subprocess.run([SNIP, 'embed', '--model', MODEL, '--data', data, '--side', side, '--out', out], check=True, capture_output=True)
        rows = [json.loads(l) for l in open(out)]
    return np.array([r['z_f'] for r in rows]) if side == 'symbolic' else np.array([r['z_y'] for r in rows]), rows

lines = open(DATA).read().splitlines()
samples = [json.loads(l) for l in lines]
_, rows = embed(lines, 'both')
F = np.array([r['z_f'] for r in rows]); Y = np.array([r['z_y'] for r in rows])
xs = [np.array([float(v[0]) for v in s['x_to_fit']]) for s in samples]
ys = [scaled(np.array([float(v[0]) for v in s['y_to_fit']])) for s in samples]

def straight(x, y):
    a = np.vstack([x, np.ones_like(x)]).T
    return np.sqrt(np.mean((a @ np.linalg.lstsq(a, y, rcond=None)[0] - y) ** 2)) <= 0.01

curved = [i for i in range(len(samples)) if not straight(xs[i], ys[i])]
queries = [int(q) for q in rng.choice(curved, min(QUERIES, len(curved)), replace=False)]
scores = Y @ F.T
plan, jittered = [], []
for i in queries:
    order = np.argsort(xs[i], kind='stable'); x = xs[i][order]; target = ys[i][order]
    gaps = np.diff(x); room = np.minimum(np.concatenate([[gaps[0]], gaps]), np.concatenate([gaps, [gaps[-1]]]))
    x_jittered = x + rng.uniform(-0.25, 0.25, len(x)) * room
    candidates = list(np.argsort(-scores[i])[:20]) + ([] if i in np.argsort(-scores[i])[:20] else [i])
    entry = []
    for j in map(int, candidates):
        at_query, at_jittered = graph(samples[j], x), graph(samples[j], x_jittered)
        if not finite(at_jittered): continue
        hit = finite(at_query) and np.sqrt(np.mean((scaled(at_query) - target) ** 2)) <= 0.01
        entry.append((j, bool(hit), len(jittered)))
        jittered.append(with_points(samples[j], x_jittered, at_jittered))
    plan.append((i, entry))
Z_jittered, _ = embed(jittered, 'numeric')

needed = sorted({j for _, entry in plan for j, _, _ in entry})
redrawn, owner = [], []
for j in needed:
    got = 0
    for _ in range(60):
        if got == DRAWS: break
        x = fresh_inputs(rng); y = graph(samples[j], x)
        if usable(y): redrawn.append(with_points(samples[j], x, y)); owner.append(j); got += 1
Z_redrawn, _ = embed(redrawn, 'numeric'); owner = np.array(owner)
centroid = {j: Z_redrawn[owner == j].mean(0) for j in needed if (owner == j).any()}

def unit(m): return m / np.linalg.norm(m, axis=-1, keepdims=True)
tally = {'symbolic': 0, 'x-aware (cosine)': 0, 'x-aware (dot)': 0, 'centroid (cosine)': 0, 'centroid (dot)': 0, 'any look-alike': 0}
for i, entry in plan:
    hits = [h for _, h, _ in entry]
    tally['any look-alike'] += any(hits)
    tally['symbolic'] += hits[int(np.argmax([scores[i, j] for j, _, _ in entry]))]
    z = Z_jittered[[k for _, _, k in entry]]
    tally['x-aware (cosine)'] += hits[int(np.argmax(unit(z) @ unit(Y[i])))]
    tally['x-aware (dot)'] += hits[int(np.argmax(z @ Y[i]))]
    kept = [(j, h) for j, h, _ in entry if j in centroid]
    c = np.array([centroid[j] for j, _ in kept])
    tally['centroid (cosine)'] += kept[int(np.argmax(unit(c) @ unit(Y[i])))][1]
    tally['centroid (dot)'] += kept[int(np.argmax(c @ Y[i]))][1]
print(f"{MODEL}: {len(plan)} curved queries of {DATA}; candidates: the 20 best-scored formulas and the own one; "
      f"{DRAWS} fresh draws per centroid")
for name, count in tally.items():
    print(f"  {name:<20} {count / len(plan):.3f}")
