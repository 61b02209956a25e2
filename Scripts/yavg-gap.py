#!/usr/bin/env python3
# Where does z_f fall short on yavg? For each 1-D function of a data.prefix file, its yavg as
# measured on its own points (what the model report's probes predict) and the formula-only
# oracle: the mean yavg over DRAWS fresh point sets drawn as the generator draws them. Three
# k-NN predictions (the report's protocol: 5 folds, k = 10, neighbours' measured yavg averaged):
#   z_f      neighbours by the cosine of the model's formula embeddings (the report's z_f probe);
#   z_y      neighbours by the cosine of the point embeddings;
#   oracle   neighbours by the closeness of their redraw means (the probe's reach from a formula).
# Prints each one's R² against the measured yavg and against the redraw mean (how much of what a
# formula can tell each one holds), then, per operator, how much of z_f's excess squared error
# over the oracle's falls on the functions that use it (shares overlap: a function may use
# several) and z_f's R² against the redraw mean within them.
# Usage: Scripts/yavg-gap.py MODEL DATA.prefix [DRAWS=16]   (SNIP_BIN: the snip binary, default
# .build/release/snip). Needs numpy; not part of the test suite.
import os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_functions import embedded, evaluate, fresh_inputs, nearest_neighbour_predictions, scaled

MODEL, DATA = sys.argv[1], sys.argv[2]
DRAWS = int(sys.argv[3]) if len(sys.argv) > 3 else 16
rng = np.random.default_rng(0)


def yavg(y):
    return scaled(y).mean()


samples, F, Y, xs, ys = embedded(MODEL, DATA)
keep, measured, redraw_mean = [], [], []
for n, sample in enumerate(samples):
    tokens = sample["tree"].split(",")
    draws, tries = [], 0
    while len(draws) < DRAWS and tries < 4 * DRAWS:
        tries += 1
        x = fresh_inputs(rng)
        with np.errstate(all="raise"):
            try:
                y, _ = evaluate(tokens, 0, x)
            except FloatingPointError:
                continue
        if np.all(np.isfinite(y)) and np.abs(y).max() <= 1e7 and y.max() > y.min():
            draws.append(yavg(y))
    if len(draws) >= 4:  # too few fresh draws: no oracle for this formula
        keep.append(n)
        measured.append(yavg(ys[n]))
        redraw_mean.append(np.mean(draws))
measured, redraw_mean = np.array(measured), np.array(redraw_mean)
tokens = [samples[n]["tree"].split(",") for n in keep]
N = len(keep)


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def r2(predicted, truth):
    return 1 - np.mean((truth - predicted) ** 2) / truth.var()


zf, zy = unit(F[keep]), unit(Y[keep])
predictions = {
    "z_f": nearest_neighbour_predictions(zf @ zf.T, measured),
    "z_y": nearest_neighbour_predictions(zy @ zy.T, measured),
    "oracle": nearest_neighbour_predictions(-np.abs(redraw_mean[:, None] - redraw_mean[None, :]), measured),
}
print(f"{MODEL} on {DATA}: {N} functions with >= 4 fresh draws ({DRAWS} asked)")
print("k-NN yavg R²      vs measured   vs redraw mean")
for name, p in predictions.items():
    print(f"  {name:8s}        {r2(p, measured):8.3f}   {r2(p, redraw_mean):8.3f}")
excess = (predictions["z_f"] - measured) ** 2 - (predictions["oracle"] - measured) ** 2
print(f"z_f's excess squared error over the oracle's: {excess.sum():.3f} in all")
print("operator   functions   share of the excess   z_f R² vs redraw mean (oracle's)")
operators = sorted({t for ts in tokens for t in ts if t.isalpha() and len(t) > 1 and t != "x_0"})
for op in operators:
    uses = np.array([op in ts for ts in tokens])
    if uses.sum() < 15:
        continue
    within = lambda p: 1 - np.mean((redraw_mean[uses] - p[uses]) ** 2) / redraw_mean[uses].var()
    print(f"  {op:8s} {uses.sum():9d}   {excess[uses].sum() / excess.sum():19.2f}   "
          f"{within(predictions['z_f']):8.3f} ({within(predictions['oracle']):.3f})")
