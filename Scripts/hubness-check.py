#!/usr/bin/env python3
# Would correcting hubs at retrieval time change look-alike-aware top-1? Embeds a data.prefix file
# with `snip embed`, builds the look-alike table in numpy (formula i evaluated at set j's x and
# min-max scaled within RMSE 0.01 of set j's scaled y, the model report's rule), and prints top-1
# both ways for the model's own score (dot), cosine, and CSLS (2·s − r_f − r_y, r the mean score of
# a formula / a point set with its k best partners; Conneau et al. 2018) for several k. The dot
# rates are the model report's. Usage: Scripts/hubness-check.py MODEL DATA.prefix (SNIP_BIN: the
# snip binary, default .build/release/snip). Needs numpy; not part of the test suite.
import os, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_functions import embedded, evaluate, scaled

MODEL, DATA = sys.argv[1], sys.argv[2]
samples, F, Y, xs, ys = embedded(MODEL, DATA)
n = len(samples)
alike = np.zeros((n, n), bool)  # [formula, point set]
for i in range(n):
    tokens = samples[i]["tree"].split(",")
    for j in range(n):
        with np.errstate(all="ignore"):
            v = np.broadcast_to(evaluate(tokens, 0, xs[j])[0], xs[j].shape)
        alike[i, j] = bool(np.all(np.isfinite(v))) and np.sqrt(np.mean((scaled(v) - ys[j]) ** 2)) <= 0.01

def top1(scores):  # scores [formula, point set] -> (points -> formula, formula -> points)
    return (np.mean(alike[np.argmax(scores, axis=0), np.arange(n)]), np.mean(alike[np.arange(n), np.argmax(scores, axis=1)]))

dot = F @ Y.T
cosine = (F / np.linalg.norm(F, axis=1, keepdims=True)) @ (Y / np.linalg.norm(Y, axis=1, keepdims=True)).T
print("%s on %d functions of %s: look-alike top-1 points -> formula / formula -> points" % (MODEL, n, DATA))
for name, scores in [("dot", dot), ("cosine", cosine)]:
    print("  %-17s %.3f / %.3f" % (name, *top1(scores)))
    for k in [5, 10, 20, 50]:
        r_f = np.sort(scores, axis=1)[:, -k:].mean(axis=1)
        r_y = np.sort(scores, axis=0)[-k:, :].mean(axis=0)
        print("  %-17s %.3f / %.3f" % ("CSLS %s k=%d" % (name, k), *top1(2 * scores - r_f[:, None] - r_y[None, :])))
