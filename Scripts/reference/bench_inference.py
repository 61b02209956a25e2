"""Reference side of Scripts/bench-inference: SNIP encoder inference at batch 64 (random
weights, eval mode, no grad), expressions/s for encoder_f and samples/s for embedder+encoder_y,
and the process's peak memory. Token ids are taken as given (tokenisation is not timed)."""
import json
import random

from common import CONFIG_FLAGS, arguments, build, median_time, peak_rss_mb, report


def extra(parser):
    parser.add_argument("--config", choices=["small", "paper"], default="paper")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lengths", help="JSON list of expression token counts to draw from")


args = arguments(__doc__, extra)
import torch

flags = CONFIG_FLAGS[args.config]
torch.manual_seed(0)
params, env, modules = build(flags)
for m in modules.values():
    m.eval()
rng = random.Random(0)
lengths = json.loads(open(args.lengths).read()) if args.lengths else [25]
b = args.batch
n_eq = len(env.equation_id2word)
equations = [torch.randint(100, n_eq - 1, (rng.choice(lengths),)) for _ in range(b)]
x2, len2 = env.batch_equations(equations)
float_ids = torch.randint(20, len(env.float_id2word) - 1, (200, b, modules["embedder"].float_vector_descriptor_len))
len1 = torch.full((b,), 200, dtype=torch.long)


def symbolic():
    with torch.no_grad():
        modules["encoder_f"]("fwd", x=x2, lengths=len2, causal=False)


def numeric():
    with torch.no_grad():
        e = modules["embedder"].compress(modules["embedder"].embed(float_ids))
        modules["encoder_y"]("fwd", x=e, lengths=len1, causal=False)


t = median_time(symbolic)
report(f"symbolic encoder {args.config} batch {b}", b / t, "expressions/s")
t = median_time(numeric)
report(f"numeric encoder {args.config} batch {b}", b / t, "samples/s")
report(f"peak memory {args.config}", peak_rss_mb(), "MB")
