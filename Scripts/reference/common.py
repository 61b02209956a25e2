"""Shared set-up for measurements of the reference SNIP implementation (PyTorch) on this CPU.

The reference is not part of snip: check it out yourself and pass its folder with
--reference DIR (or SNIP_REFERENCE). It needs numpy 1.26.4, scipy 1.13.1, sympy, numexpr and
sympytorch (installed with --no-deps) next to torch 2.13 (CPU)."""
import argparse
import os
import resource
import sys
import time


def arguments(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reference", default=os.environ.get("SNIP_REFERENCE", ""),
                        help="folder of a checkout of the reference repository")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    if extra:
        extra(parser)
    args = parser.parse_args()
    sys.argv = sys.argv[:1]  # the reference parses sys.argv in places; give it nothing of ours
    if not args.reference or not os.path.isdir(os.path.join(args.reference, "snip")):
        sys.exit("pass --reference DIR, a checkout of deep-symbolic-mathematics/Multimodal-Math-Pretraining")
    sys.path.insert(0, args.reference)
    import torch
    torch.set_num_threads(args.threads)
    return args


# Command-line flags of the two model sizes (the reference's parser defaults are the paper's,
# except latent_dim, which the released checkpoints set to 512).
CONFIG_FLAGS = {
    "paper": ["--latent_dim", "512"],
    "small": ["--enc_emb_dim", "64", "--dec_emb_dim", "64", "--emb_emb_dim", "16", "--n_enc_layers", "2",
              "--n_dec_layers", "2", "--n_enc_heads", "4", "--n_dec_heads", "4", "--latent_dim", "32"],
}


def config_flags(name):
    """Flags of a named configuration: `small`, `paper`, or `WIDTHxLAYERS` (e.g. `128x4`: the
    small configuration with that width and depth, 4 heads; as snip-bench builds it)."""
    if name in CONFIG_FLAGS:
        return CONFIG_FLAGS[name]
    width, layers = (int(part) for part in name.split("x"))
    flags = list(CONFIG_FLAGS["small"])
    for flag, value in (("--enc_emb_dim", width), ("--dec_emb_dim", width), ("--n_enc_layers", layers),
                        ("--n_dec_layers", layers)):
        flags[flags.index(flag) + 1] = str(value)
    return flags


def build(flags):
    """The reference env and modules for the given command-line flags (on CPU)."""
    import snip
    from parsers import get_parser
    from snip.envs import build_env
    from snip.model import build_modules
    params = get_parser().parse_args(["--cpu", "True"] + flags)
    params.device = "cpu"
    snip.utils.CUDA = False
    env = build_env(params)
    modules = build_modules(env, params)
    return params, env, modules


def median_time(body, warmup=1, repeats=5):
    for _ in range(warmup):
        body()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return sorted(samples)[len(samples) // 2]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name, value, unit):
    print(f"{name}\t{value:.4g}\t{unit}", flush=True)
