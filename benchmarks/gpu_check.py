"""GPU check: images/s of each `infer` method on a LLaVA-1.5-7B-shaped model with random weights, in bf16.

For a lent GPU machine (one H100 or H200; PyTorch and transformers 5.x preinstalled; no network, no weights, no
polars, no duckdb): needs only torch, transformers, pillow and this repository's files (the model adapters, the
packed likelihood, the synthetic builders and ``data/classes/imagenet1k.csv``, the seed paper's 1000 ImageNet
names). Nothing is compiled and nothing is read from ../shared. It builds, on the GPU from configs:

- a LLaVA-1.5-7B-shaped VLM (CLIP ViT-L/14-336 + Llama-2-7B, 576 image tokens, a 32064-token vocabulary);
- a CLIP ViT-L/14-336-shaped dual encoder;

then times, after a warm-up batch, on generated images (preprocessing included, as in a run):

- open: the question, greedy answers of ``--open-tokens`` (10) new tokens;
- closed: the question and all 1000 names (``Choose one from "..."``), 10 new tokens;
- likelihood: the 1000 names ranked for each image, ``--batch-size`` images at a time (the packed KV-cache
  passes of ``freqscope.infer.likelihood``);
- clip: images against the 1000 names' embeddings (``A photo of a {c}``);

and checks the bf16 packed likelihood against one full forward pass per class on ``--check-classes`` names
(max difference, and whether the best class is the same). Random weights answer noise: accuracy means nothing
here, the work per image is the real one. Prints one line per measure and, with ``--output``, a JSON file.

    python benchmarks/gpu_check.py --output gpu_check.json     # on the GPU machine (about 5 minutes)
    python benchmarks/gpu_check.py --tiny                      # the same code on a CPU with tiny shapes (tested)

Targets for one H200 (issue 16): open >= 30 images/s, likelihood >= 8 images/s, CLIP >= 1000 images/s.
"""
from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import transformers  # noqa: E402

from freqscope.infer import synthetic  # noqa: E402
from freqscope.infer.likelihood import batch_log_likelihoods, class_log_likelihoods  # noqa: E402
from freqscope.infer.models import DualEncoderModel, VisionLanguageModel  # noqa: E402

IMAGENET_CSV = Path(__file__).resolve().parent.parent / "data" / "classes" / "imagenet1k.csv"
METHODS = ("open", "closed", "likelihood", "clip")
QUESTION = "What type of object is in this photo?"


def imagenet_names(n_classes: int) -> list[str]:
    with IMAGENET_CSV.open(newline="", encoding="utf-8") as handle:
        return [row["name"] for row in csv.DictReader(handle)][:n_classes]


def timed(device: str, work: Any) -> float:
    """Seconds ``work()`` takes, the GPU's queue drained before and after."""
    if device == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    work()
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def naive_log_likelihoods(vlm: VisionLanguageModel, image: Any, prompt_text: str, continuations: list[list[int]]) -> Any:
    """Summed log-probabilities, each class by its own forward pass over image + prompt + class name."""
    prefix = vlm.inputs([image], [prompt_text])
    length = prefix["input_ids"].shape[1]
    scores = []
    with torch.inference_mode():
        for tokens in continuations:
            extra = torch.tensor([tokens], device=vlm.device)
            ids = torch.cat([prefix["input_ids"], extra], dim=1)
            logits = vlm.model(input_ids=ids, attention_mask=torch.ones_like(ids),
                               pixel_values=prefix["pixel_values"]).logits
            log_probs = logits[0, length - 1: length - 1 + len(tokens)].float().log_softmax(-1)
            scores.append(float(log_probs.gather(1, extra[0, :, None]).sum()))
    return torch.tensor(scores)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny shapes on the CPU in fp32: checks the code path")
    parser.add_argument("--images", type=int, default=64, help="images per generative method")
    parser.add_argument("--clip-images", type=int, default=1024)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--closed-batch-size", type=int, default=4,
                        help="closed-set prompts hold all the names (thousands of tokens): fewer per batch")
    parser.add_argument("--clip-batch-size", type=int, default=256)
    parser.add_argument("--open-tokens", type=int, default=10, help="new tokens of each open / closed answer")
    parser.add_argument("--check-classes", type=int, default=50, help="classes compared with the naive pass")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--output", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"--methods: unknown {sorted(unknown)}; choose from {', '.join(METHODS)}")

    device = "cpu" if args.tiny else "cuda"
    dtype = torch.float32 if args.tiny else torch.bfloat16
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU visible: run with --tiny on a CPU")
    vlm_shape, clip_shape = ("tiny", "tiny") if args.tiny else ("llava-1.5-7b", "clip-vit-l-14-336")
    names = imagenet_names(args.classes)
    device_name = torch.cuda.get_device_name() if device == "cuda" else platform.processor() or "cpu"
    print(f"device: {device_name}; torch {torch.__version__}; transformers {transformers.__version__}; "
          f"shapes: {vlm_shape}, {clip_shape}; dtype {str(dtype).removeprefix('torch.')}; {len(names)} classes",
          flush=True)
    images = [synthetic.generated_image(seed, (320 + seed % 7 * 16, 240 + seed % 5 * 16))
              for seed in range(max(args.images, args.clip_images if "clip" in methods else 0) + args.batch_size)]
    warm_up, images = images[: args.batch_size], images[args.batch_size:]
    results: list[dict[str, Any]] = []

    def report(method: str, n_images: int, seconds: float, **extra: Any) -> None:
        peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None
        results.append({"method": method, "images": n_images, "seconds": seconds,
                        "images_per_second": n_images / seconds, "peak_gib": peak, **extra})
        details = "".join(f", {k} {v}" for k, v in extra.items())
        print(f"{method:>10}: {n_images} images in {seconds:6.2f} s = {n_images / seconds:8.2f} images/s"
              + (f", peak GPU memory {peak:.1f} GiB" if peak else "") + details, flush=True)

    if any(m != "clip" for m in methods):
        started = time.perf_counter()
        config, processor = synthetic.llava_config_and_processor(names, vlm_shape)
        model = synthetic.random_model(transformers.LlavaForConditionalGeneration, config, device=device, dtype=dtype)
        vlm = VisionLanguageModel(model, processor, name_or_path=f"random-{vlm_shape}", max_new_tokens=args.open_tokens)
        # Random weights rarely say </s>: every answer runs its full length, the worst case of a real run.
        print(f"built {vlm_shape} ({sum(p.numel() for p in model.parameters()) / 1e9:.2f} B parameters, vocabulary "
              f"{config.text_config.vocab_size}) in {time.perf_counter() - started:.1f} s", flush=True)
        batches = [images[start: start + args.batch_size] for start in range(0, args.images, args.batch_size)]
        closed_batches = [images[start: start + args.closed_batch_size]
                          for start in range(0, args.images, args.closed_batch_size)]
        open_prompt = vlm.prompt_text(QUESTION)
        closed_prompt = vlm.prompt_text(f'{QUESTION} Choose one from "{", ".join(names)}".')
        for method, prompt, method_batches in (("open", open_prompt, batches), ("closed", closed_prompt, closed_batches)):
            if method not in methods:
                continue
            vlm.generate(method_batches[0], [prompt] * len(method_batches[0]))
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            seconds = timed(device, lambda: [vlm.generate(b, [prompt] * len(b)) for b in method_batches])
            report(method, sum(map(len, method_batches)), seconds,
                   prompt_tokens=len(vlm.tokenizer(prompt, add_special_tokens=False)["input_ids"]))
        if "likelihood" in methods:
            continuations = vlm.continuation_ids(open_prompt, [" " + n for n in names])
            batch_log_likelihoods(vlm, warm_up, open_prompt, continuations, reduce="sum")
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            # As the likelihood method runs a batch: its images' prefixes together, then the packed class passes.
            seconds = timed(device, lambda: [batch_log_likelihoods(vlm, b, open_prompt, continuations, reduce="sum")
                                             for b in batches])
            sample = continuations[: args.check_classes]
            packed = class_log_likelihoods(vlm, images[0], open_prompt, sample, reduce="sum")
            naive = naive_log_likelihoods(vlm, images[0], open_prompt, sample)
            report("likelihood", sum(map(len, batches)), seconds,
                   tokens_per_class=round(sum(map(len, continuations)) / len(continuations), 2),
                   packed_vs_naive_max_difference=round(float((packed - naive).abs().max()), 5),
                   same_best_class=bool(packed.argmax() == naive.argmax()))
        del vlm, model
        if device == "cuda":
            torch.cuda.empty_cache()
    if "clip" in methods:
        config, processor = synthetic.clip_config_and_processor(names, clip_shape)
        encoder = DualEncoderModel(synthetic.random_model(transformers.CLIPModel, config, device=device, dtype=dtype),
                                   processor, name_or_path=f"random-{clip_shape}")
        class_embeddings = encoder.encode_texts([f"A photo of a {n}" for n in names])
        batches = [images[start: start + args.clip_batch_size]
                   for start in range(0, args.clip_images, args.clip_batch_size)]
        encoder.encode_images(warm_up)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        seconds = timed(device, lambda: [(encoder.encode_images(b) @ class_embeddings.T).argmax(-1).cpu()
                                         for b in batches])
        report("clip", sum(map(len, batches)), seconds)
    if args.output:
        args.output.write_text(json.dumps({"device": device_name, "torch": torch.__version__,
                                           "transformers": transformers.__version__, "results": results}, indent=2))
    return results


if __name__ == "__main__":
    main()
