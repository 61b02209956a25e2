"""Writes edge_cases.pth, the PyTorch checkpoint fixture of the .pth reader tests (run once with
torch 2.13; the output is committed). It holds what released SNIP checkpoints hold besides
float32 state dicts: nested dicts, an OrderedDict, float64/int64/float16 tensors, a transposed
(strided) view, a view with a storage offset, a pathlib.Path, an argparse.Namespace, plain
numbers, strings, lists and None."""
import argparse
import collections
import pathlib

import torch

base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
namespace = argparse.Namespace(emb_emb_dim=64, dump_path=pathlib.Path("/tmp/run"), lr=4e-5, cpu=True)
state = collections.OrderedDict([("w", base), ("wt", base.t()), ("tail", base.view(-1)[5:9])])
checkpoint = {
    "model": state,
    "nested": {"inner": {"d": torch.tensor([1.5, -2.25], dtype=torch.float64)}},
    "ints": torch.tensor([[1, -2], [3, 4]], dtype=torch.int64),
    "half": torch.tensor([0.5, 1.0, -3.0], dtype=torch.float16),
    "scalar": torch.tensor(7.0),
    "path": pathlib.Path("/data/snip"),
    "params": namespace,
    "epoch": 3,
    "best": 0.125,
    "name": "snip",
    "list": [1, "two", None],
    "big": 2**40,
    "negative": -5,
}
torch.save(checkpoint, "edge_cases.pth")
