"""Reference side of Scripts/bench-train: one CLIP training step of the reference SNIP model
(embedder + encoder_y on 200 points, encoder_f on an expression batch padded to 200 as the
reference pads it, the CLIP loss, backward, gradient clipping to 0.5 and the reference's
adam_inverse_sqrt optimizer), random weights, pre-tokenised inputs; and the process's peak
memory. Run one configuration per process so that peaks do not mix."""
import json
import random

from common import arguments, build, config_flags, median_time, peak_rss_mb, report


def extra(parser):
    parser.add_argument("--config", default="paper", help="small, paper or WIDTHxLAYERS (e.g. 128x4)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lengths", help="JSON list of expression token counts to draw from")
    parser.add_argument("--repeats", type=int, default=3)


args = arguments(__doc__, extra)
import torch
import torch.nn.functional as F
from torch.nn.utils import clip_grad_norm_

flags = config_flags(args.config)
torch.manual_seed(0)
params, env, modules = build(flags)
from snip.optim import get_optimizer
embedder, encoder_y, encoder_f = modules["embedder"], modules["encoder_y"], modules["encoder_f"]
parameters = [p for m in (embedder, encoder_y, encoder_f) for p in m.parameters() if p.requires_grad]
optimizer = get_optimizer(parameters, 4e-5, "adam_inverse_sqrt,warmup_updates=10000")
for m in (embedder, encoder_y, encoder_f):
    m.train()
rng = random.Random(0)
lengths = json.loads(open(args.lengths).read()) if args.lengths else [25]
b = args.batch
n_eq = len(env.equation_id2word)


def make_batch():
    equations = [torch.randint(100, n_eq - 1, (rng.choice(lengths),)) for _ in range(b)]
    x2, len2 = env.batch_equations(equations)
    ids = torch.randint(20, len(env.float_id2word) - 1, (200, b, embedder.float_vector_descriptor_len))
    return x2, len2, ids


batches = [make_batch() for _ in range(4)]
state = {"i": 0}
len1 = torch.full((b,), 200, dtype=torch.long)


def step():
    x2, len2, ids = batches[state["i"] % len(batches)]
    state["i"] += 1
    x1 = embedder.compress(embedder.embed(ids))
    zy = encoder_y("fwd", x=x1, lengths=len1, causal=False)
    zf = encoder_f("fwd", x=x2, lengths=len2, causal=False)
    logits = zf @ zy.T
    labels = torch.arange(b)
    loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    optimizer.zero_grad()
    loss.backward()
    clip_grad_norm_(parameters, 0.5)
    optimizer.step()


t = median_time(step, warmup=1, repeats=args.repeats)
report(f"CLIP training step {args.config} batch {b}", t, "s")
report(f"CLIP training {args.config} batch {b}", b / t, "samples/s")
report(f"peak memory training {args.config} batch {b}", peak_rss_mb(), "MB")
