#!/usr/bin/env python3
# An independent check (numpy, its own sampler and evaluator) of the model report's formula-only
# ceiling: how much of each property's variance the formula alone can explain, since every
# function's x are drawn afresh (random centroids, Gaussian or uniform, standardised).
# Usage: Scripts/formula-ceiling.py DATA.prefix [DRAWS=8] [round]
#   round: round redrawn points to 4 significant digits as data.prefix files do.
# Also prints the k-NN probe's limit: its protocol with the redraw mean as the embedding.
# Needs numpy (pip install numpy); not part of the test suite.
import json, os, sys, numpy as np
rng = np.random.default_rng(0)
ROUND = len(sys.argv) > 3
K = int(sys.argv[2]) if len(sys.argv) > 2 else 8
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_functions import evaluate as ev, fresh_inputs, nearest_neighbour_predictions
def props(x, y):
    o = np.argsort(x, kind='stable'); xs, ys = x[o], y[o]; d = np.diff(ys)
    up = ((d > 1e-3).sum() - (d < -1e-3).sum())/len(y)
    yavg = ((y - y.min())/(y.max()-y.min()+1e-12)).mean()
    u = d[0] > 1e-3; ch = 0
    for dd in d[1:]:
        if dd > 1e-3 and not u: ch += 1; u = True
        elif dd < -1e-3 and u: ch += 1; u = False
    # 1,000 triplets of distinct points, ordered by x (three distinct draws per row, vectorised)
    n = len(xs); t = np.sort(np.argsort(rng.random((1000, n)), axis=1)[:, :3], axis=1)
    i, j, k = t[:, 0], t[:, 1], t[:, 2]
    bar = ((xs[j]-xs[i])*ys[k] + (xs[k]-xs[j])*ys[i])/(xs[k]-xs[i])
    ncr = 1 - np.mean(ys[j] <= bar + 1e-9)
    return [ncr, up, yavg, np.log(ch+1)]
rows = []
for line in open(sys.argv[1]):
    s = json.loads(line); toks = s['tree'].split(',')
    x0 = np.array([float(v[0]) for v in s['x_to_fit']]); y0 = np.array([float(v[0]) for v in s['y_to_fit']])
    draws = [props(x0, y0)]; tries = 0
    while len(draws) < K+1 and tries < 50:
        tries += 1; x = fresh_inputs(rng)
        with np.errstate(all='raise'):
            try: y, _ = ev(toks, 0, x)
            except FloatingPointError: continue
        if not np.all(np.isfinite(y)) or np.abs(y).max() > 1e7 or y.max() == y.min(): continue
        y = (y - y.min())/(y.max()-y.min()+1e-10)
        if ROUND: x = np.array([float("%.3e" % v) for v in x]); y = np.array([float("%.3e" % v) for v in y])
        draws.append(props(x, y))
    if len(draws) >= 3: rows.append(np.array(draws))
print(len(rows), 'functions with >= 2 redraws')
names = ['ncr', 'upward', 'yavg', 'oscil']
# The k-NN probe's reach: the report's protocol (5 folds, k = 10, each prediction the mean of the
# neighbours' properties as measured on their own points) with an oracle embedding, the redraw
# mean itself, so that neighbours are the functions whose formulas expect the closest value.
# Even perfect neighbours bring their own draws' noise into the mean. Printed after the ceilings.
reach = []
for p in range(4):
    given = np.array([r[0, p] for r in rows])
    # best predictor from the formula alone: the mean over fresh draws (excluding the given one)
    mu = np.array([r[1:, p].mean() for r in rows])
    within = np.mean([r[1:, p].var(ddof=1) for r in rows])
    r2_mean = 1 - np.mean((given - mu)**2)/given.var()
    print(f'{names[p]:7s} total var {given.var():.4f}  within-formula var {within:.4f}  ceiling R2 ~ {1-within/given.var():.3f}  (R2 of redraw mean {r2_mean:.3f})')
    predicted = nearest_neighbour_predictions(-np.abs(mu[:, None] - mu[None, :]), given)
    reach.append(1 - np.mean((given - predicted)**2)/given.var())
for p in range(4):
    print(f'{names[p]:7s} k-NN (k = 10) with the oracle embedding: R2 {reach[p]:.3f}')
