# Shared by the numpy cross-checks (Scripts/formula-ceiling.py, symbolic-gap.py, hubness-check.py,
# retrieval-misses.py, yavg-gap.py): an evaluator of 1-D prefix formulas as data.prefix files write them, inputs
# drawn as the SNIP generator draws them, and a data file embedded by a model. Needs numpy; not part
# of the test suite.
import json, os, subprocess, tempfile
import numpy as np

UNARY = {'pow2': lambda a: a * a, 'pow3': lambda a: a ** 3, 'inv': lambda a: 1 / a, 'cos': np.cos, 'sin': np.sin,
         'abs': np.abs, 'sqrt': np.sqrt, 'exp': np.exp, 'tan': np.tan, 'log': np.log, 'arctan': np.arctan}
BINARY = {'add': np.add, 'sub': np.subtract, 'mul': np.multiply, 'div': np.divide}


def evaluate(tokens, i, x):
    """The value at inputs x of the prefix formula starting at tokens[i], and the index after it."""
    t = tokens[i]
    if t in BINARY:
        a, i = evaluate(tokens, i + 1, x); b, i = evaluate(tokens, i, x); return BINARY[t](a, b), i
    if t in UNARY:
        a, i = evaluate(tokens, i + 1, x); return UNARY[t](a), i
    if t == 'x_0': return x, i + 1
    return np.full_like(x, float(t)), i + 1


def scaled(v):
    """v min-max scaled as the generator and the look-alike rule scale outputs."""
    return (v - v.min()) / (v.max() - v.min() + 1e-10)


def nearest_neighbour_predictions(similarity, targets, folds=5, k=10):
    """The model report's k-NN probe protocol: row i (fold i mod `folds`) is predicted by the mean
    target of the `k` rows of the other folds that `similarity` [N, N] ranks highest (the earlier
    index first among equals)."""
    n = len(targets); fold = np.arange(n) % folds; predicted = np.empty(n)
    for f in range(folds):
        train, test = np.where(fold != f)[0], np.where(fold == f)[0]
        for i in test:
            predicted[i] = targets[train[np.argsort(-similarity[i, train], kind='stable')[:k]]].mean()
    return predicted


def fresh_inputs(rng, n=200):
    """n standardised inputs from 1-9 clusters, Gaussian or uniform, drawn from rng."""
    c = rng.integers(1, 10); gauss = rng.random() < 0.5
    means = rng.standard_normal(c); sd = np.sqrt(rng.random(c)); w = rng.random(c)
    counts = rng.multinomial(n, w / w.sum())
    xs = np.concatenate([m + s * (rng.standard_normal(k) if gauss else rng.uniform(-1, 1, k)) for m, s, k in zip(means, sd, counts)])
    return (xs - xs.mean()) / xs.std()


def embedded(model, data):
    """The samples of a 1-D data.prefix file, their z_f and z_y from `snip embed` with `model` (the
    binary SNIP_BIN, default .build/release/snip) as arrays, and each sample's x and scaled y."""
    snip = os.environ.get("SNIP_BIN", ".build/release/snip")
    samples = [json.loads(line) for line in open(data)]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "embedded.jsonl")
        subprocess.run([snip, "embed", "--model", model, "--data", data, "--out", out], check=True, capture_output=True)
        rows = [json.loads(line) for line in open(out)]
    F = np.array([r["z_f"] for r in rows])
    Y = np.array([r["z_y"] for r in rows])
    xs = [np.array([float(v[0]) for v in s["x_to_fit"]]) for s in samples]
    ys = [scaled(np.array([float(v[0]) for v in s["y_to_fit"]])) for s in samples]
    return samples, F, Y, xs, ys
