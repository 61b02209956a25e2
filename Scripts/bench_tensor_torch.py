"""PyTorch side of Scripts/bench-tensor: the same measurements as snip-bench, printed as
`name<TAB>value<TAB>unit` lines. The encoder layer is written like the reference SNIP layer
(separate q/k/v/out projections, post-LN, ReLU feed-forward, key-padding mask)."""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
only = sys.argv[2] if len(sys.argv) > 2 else None
torch.manual_seed(0)


def median_time(body, warmup=2, repeats=7):
    for _ in range(warmup):
        body()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def report(name, value, unit):
    print(f"{name}\t{value:.4g}\t{unit}", flush=True)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_lin = nn.Linear(width, width)
        self.k_lin = nn.Linear(width, width)
        self.v_lin = nn.Linear(width, width)
        self.out_lin = nn.Linear(width, width)

    def forward(self, x, mask):
        bs, t, d = x.shape
        e = d // self.heads

        def split(y):
            return y.view(bs, -1, self.heads, e).transpose(1, 2)

        q = split(self.q_lin(x)) / math.sqrt(e)
        k = split(self.k_lin(x))
        v = split(self.v_lin(x))
        scores = torch.matmul(q, k.transpose(2, 3))
        padded = (mask == 0).view(bs, 1, 1, t).expand_as(scores)
        scores = scores.masked_fill(padded, -float("inf"))
        weights = F.softmax(scores.float(), dim=-1).type_as(scores)
        context = torch.matmul(weights, v).transpose(1, 2).contiguous().view(bs, -1, d)
        return self.out_lin(context)


class EncoderLayer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attention = Attention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width, eps=1e-12)
        self.lin1 = nn.Linear(width, 4 * width)
        self.lin2 = nn.Linear(4 * width, width)
        self.layer_norm2 = nn.LayerNorm(width, eps=1e-12)

    def forward(self, x, mask):
        h = self.layer_norm1(x + self.attention(x, mask))
        h = self.layer_norm2(h + self.lin2(F.relu(self.lin1(h))))
        return h * mask.unsqueeze(-1).to(h.dtype)


if only in (None, "gemm"):
    for m, k, n in [(512, 512, 512), (12800, 512, 2048)]:
        a = torch.randn(m, k)
        b = torch.randn(k, n)
        flops = 2.0 * m * n * k
        t = median_time(lambda: torch.mm(a, b), repeats=5 if m > 1000 else 30)
        report(f"sgemm {m}x{k}x{n} torch.mm", flops / t / 1e9, "GFLOP/s")

if only in (None, "elementwise"):
    x = torch.randn(3200, 2048)
    report("exp [3200,2048]", median_time(lambda: torch.exp(x)) * 1e3, "ms")
    report("tanh [3200,2048]", median_time(lambda: torch.tanh(x)) * 1e3, "ms")
    report("gelu [3200,2048]", median_time(lambda: F.gelu(x)) * 1e3, "ms")
    report("relu [3200,2048]", median_time(lambda: F.relu(x)) * 1e3, "ms")
    scores = torch.randn(16 * 16 * 200, 200)
    report("softmax [51200,200]", median_time(lambda: F.softmax(scores, dim=-1)) * 1e3, "ms")
    h = torch.randn(3200, 512)
    w = torch.ones(512)
    bias = torch.zeros(512)
    report("layer_norm [3200,512]",
           median_time(lambda: F.layer_norm(h, (512,), w, bias)) * 1e3, "ms")

if only in (None, "layer"):
    b, t, d, heads = 16, 200, 512, 16
    layer = EncoderLayer(d, heads)
    x = torch.randn(b, t, d)
    mask = torch.ones(b, t)
    upstream = torch.randn(b, t, d)

    def forward():
        with torch.no_grad():
            layer(x, mask)

    def step():
        inp = x.clone().requires_grad_(True)
        layer(inp, mask).backward(upstream)
        layer.zero_grad(set_to_none=True)

    report("encoder layer forward (no grad) B16 T200 D512 H16",
           median_time(forward, warmup=1, repeats=5) * 1e3, "ms")
    report("encoder layer forward+backward B16 T200 D512 H16",
           median_time(step, warmup=1, repeats=5) * 1e3, "ms")
