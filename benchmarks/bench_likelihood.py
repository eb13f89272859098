"""Likelihood ranking over 1000 class names: KV-cache reuse with packed continuations vs. one forward per class.

A tiny random-weight LLaVA on the CPU; the same image, prompt and ImageNet class names for both. The naive
loop is what the method would cost without reuse: image + prompt + class name through the model, per class.
Prints both times, the speed-up (target: at least 20x) and the largest difference between the two scores.

    python benchmarks/bench_likelihood.py [--classes 1000] [--naive-sample 100]

The naive loop is timed on ``--naive-sample`` classes and scaled to all of them (it is linear in the number of
classes: one identical-size forward each); both are compared on that sample. Each timing is the best of
``--repeats`` runs, which keeps a noisy shared machine from deciding the ratio.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from freqscope.infer import synthetic  # noqa: E402
from freqscope.infer.likelihood import class_log_likelihoods  # noqa: E402
from freqscope.infer.models import load_model  # noqa: E402
from freqscope.paths import SHARED_DIR  # noqa: E402

IMAGENET_NAMES = SHARED_DIR / "data" / "classes" / "vlmclassifier" / "imagenet_classes.json"


def class_names(n: int) -> list[str]:
    if IMAGENET_NAMES.exists():
        names = json.loads(IMAGENET_NAMES.read_text())
    else:  # without ../shared: made-up two-word names
        names = [f"class{i} object" for i in range(n)]
    return (names * (n // len(names) + 1))[:n]


def naive_scores(vlm, image, prompt_text, continuations):
    prefix = vlm.inputs([image], [prompt_text])
    start = prefix["input_ids"].shape[1] - 1
    scores = []
    with torch.inference_mode():
        for tokens in continuations:
            ids = torch.cat([prefix["input_ids"], torch.tensor([tokens])], dim=1)
            logits = vlm.model(input_ids=ids, attention_mask=torch.ones_like(ids), pixel_values=prefix["pixel_values"]).logits
            log_probs = logits[0, start: start + len(tokens)].float().log_softmax(-1)
            scores.append(log_probs.gather(1, torch.tensor(tokens)[:, None]).mean().item())
    return torch.tensor(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    names = class_names(args.classes)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = synthetic.save_tiny_llava(Path(tmp) / "tiny-llava", names)
        vlm = load_model(str(checkpoint), device="cpu", dtype=torch.float32)
    image = synthetic.generated_image(0)
    prompt_text = vlm.prompt_text("What type of object is in this photo?")
    continuations = vlm.continuation_ids(prompt_text, [" " + n for n in names])
    class_log_likelihoods(vlm, image, prompt_text, continuations[:10])  # warm-up

    fast_seconds = naive_seconds = float("inf")
    sample = continuations[: args.naive_sample]
    for _ in range(args.repeats):
        started = time.perf_counter()
        fast = class_log_likelihoods(vlm, image, prompt_text, continuations, reduce="mean")
        fast_seconds = min(fast_seconds, time.perf_counter() - started)
        started = time.perf_counter()
        naive = naive_scores(vlm, image, prompt_text, sample)
        naive_seconds = min(naive_seconds, (time.perf_counter() - started) * len(continuations) / len(sample))

    difference = (fast[: len(sample)] - naive).abs().max().item()
    same_ranking = fast[: len(sample)].argsort().tolist() == naive.argsort().tolist()
    print(f"classes: {len(continuations)}, tokens per class: {sum(map(len, continuations)) / len(continuations):.1f}, "
          f"prefix tokens: {vlm.inputs([image], [prompt_text])['input_ids'].shape[1]}, torch threads: {torch.get_num_threads()}")
    print(f"KV-cache reuse (packed): {fast_seconds:.3f} s (best of {args.repeats})")
    print(f"naive loop, one forward per class: {naive_seconds:.3f} s (timed on {len(sample)} classes, scaled)")
    print(f"speed-up: {naive_seconds / fast_seconds:.1f}x (target >= 20x)")
    print(f"max |difference| on the sample: {difference:.2e}; same ranking: {same_ranking}")


if __name__ == "__main__":
    main()
