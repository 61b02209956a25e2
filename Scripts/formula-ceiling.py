#!/usr/bin/env python3
# An independent check (numpy, its own sampler and evaluator) of the model report's formula-only
# ceiling: how much of each property's variance the formula alone can explain, since every
# function's x are drawn afresh (random centroids, Gaussian or uniform, standardised).
# Usage: Scripts/formula-ceiling.py DATA.prefix [DRAWS=8] [round]
#   round: round redrawn points to 4 significant digits as data.prefix files do.
# Needs numpy (pip install numpy); not part of the test suite.
import json, sys, numpy as np
rng = np.random.default_rng(0)
ROUND = len(sys.argv) > 3
K = int(sys.argv[2]) if len(sys.argv) > 2 else 8
un = {'pow2': lambda a: a*a, 'pow3': lambda a: a**3, 'inv': lambda a: 1/a, 'cos': np.cos, 'sin': np.sin,
      'abs': np.abs, 'sqrt': np.sqrt, 'exp': np.exp, 'tan': np.tan, 'log': np.log, 'arctan': np.arctan}
bi = {'add': np.add, 'sub': np.subtract, 'mul': np.multiply, 'div': np.divide}
def ev(toks, i, x):
    t = toks[i]
    if t in bi:
        a, i = ev(toks, i+1, x); b, i = ev(toks, i, x); return bi[t](a, b), i
    if t in un:
        a, i = ev(toks, i+1, x); return un[t](a), i
    if t == 'x_0': return x, i+1
    return np.full_like(x, float(t)), i+1
def points(n=200):
    c = rng.integers(1, 10); gauss = rng.random() < 0.5
    means = rng.standard_normal(c); sd = np.sqrt(rng.random(c)); w = rng.random(c); counts = rng.multinomial(n, w/w.sum())
    xs = np.concatenate([m + s*(rng.standard_normal(k) if gauss else rng.uniform(-1, 1, k)) for m, s, k in zip(means, sd, counts)])
    return (xs - xs.mean())/xs.std()
def props(x, y):
    o = np.argsort(x, kind='stable'); xs, ys = x[o], y[o]; d = np.diff(ys)
    up = ((d > 1e-3).sum() - (d < -1e-3).sum())/len(y)
    yavg = ((y - y.min())/(y.max()-y.min()+1e-12)).mean()
    u = d[0] > 1e-3; ch = 0
    for dd in d[1:]:
        if dd > 1e-3 and not u: ch += 1; u = True
        elif dd < -1e-3 and u: ch += 1; u = False
    n = len(xs); t = np.sort(np.array([rng.choice(n, 3, replace=False) for _ in range(1000)]), axis=1)
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
        tries += 1; x = points()
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
for p in range(4):
    given = np.array([r[0, p] for r in rows])
    # best predictor from the formula alone: the mean over fresh draws (excluding the given one)
    mu = np.array([r[1:, p].mean() for r in rows])
    within = np.mean([r[1:, p].var(ddof=1) for r in rows])
    r2_mean = 1 - np.mean((given - mu)**2)/given.var()
    print(f'{names[p]:7s} total var {given.var():.4f}  within-formula var {within:.4f}  ceiling R2 ~ {1-within/given.var():.3f}  (R2 of redraw mean {r2_mean:.3f})')
