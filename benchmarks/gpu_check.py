"""GPU check: images/s of each `infer` method on a LLaVA-1.5-7B-shaped model with random weights, in bf16.

For a lent GPU machine (one H100 or H200, PyTorch and transformers 5.x preinstalled, no network, no weights):
builds the model on the GPU from a config (CLIP ViT-L/14-336 + Llama-2-7B shapes, 576 image tokens), and a
CLIP ViT-L/14-336-shaped dual encoder, then runs ``freqscope.infer.infer`` on 64 generated images for each
method and prints images/s. Random weights answer noise, so accuracy is meaningless; the work per image is
the real one (open answers run the full 64 new tokens, as noise rarely ends early). Target: under 5 minutes.

    python benchmarks/gpu_check.py                 # on the GPU machine
    python benchmarks/gpu_check.py --tiny          # the same code path on a CPU with tiny shapes (tests run this)

Classes: the 1000 ImageNet names of the seed paper where ../shared is present (else made-up names). The
closed-set prompt offers ``--candidates`` of them (all 1000 would not fit LLaVA-1.5's 4096-token context);
likelihood and CLIP rank all 1000.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import transformers  # noqa: E402

from freqscope.infer import infer, synthetic  # noqa: E402
from freqscope.infer.models import DualEncoderModel, VisionLanguageModel  # noqa: E402
from freqscope.paths import SHARED_DIR  # noqa: E402
from freqscope.terms.taxonomy import ClassEntry, ClassList, Term  # noqa: E402

IMAGENET_NAMES = SHARED_DIR / "data" / "classes" / "vlmclassifier" / "imagenet_classes.json"
METHODS = ("open", "closed", "likelihood", "clip")


def class_list(n_classes: int) -> ClassList:
    names = json.loads(IMAGENET_NAMES.read_text()) if IMAGENET_NAMES.exists() else [f"object {i}" for i in range(1000)]
    names = names[:n_classes]
    return ClassList(
        "gpu-check", "benchmarks/gpu_check.py", [ClassEntry(i, n) for i, n in enumerate(names)],
        [Term(i, n, "name") for i, n in enumerate(names)],
    )


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="tiny shapes on the CPU in fp32: checks the code path")
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=100, help="classes offered by the closed-set prompt")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--methods", default=",".join(METHODS))
    args = parser.parse_args(argv)

    device = "cpu" if args.tiny else "cuda"
    dtype = torch.float32 if args.tiny else torch.bfloat16
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA GPU visible: run with --tiny on a CPU")
    vlm_shape, clip_shape = ("tiny", "tiny") if args.tiny else ("llava-1.5-7b", "clip-vit-l-14-336")
    classes = class_list(args.classes)
    names = [c.name for c in classes.classes]
    device_name = torch.cuda.get_device_name() if device == "cuda" else platform.processor() or "cpu"
    print(f"device: {device_name}; torch {torch.__version__}; transformers {transformers.__version__}; "
          f"shapes: {vlm_shape}, {clip_shape}; dtype {str(dtype).removeprefix('torch.')}", flush=True)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        per_class = 4
        folders = [f"{i}" for i in range(max(1, args.images // per_class))]
        images = synthetic.write_image_folder(Path(tmp) / "images", folders, per_class)
        db = Path(tmp) / "gpu_check.duckdb"
        methods = [m for m in args.methods.split(",") if m]
        vlm = encoder = None
        if any(m != "clip" for m in methods):
            started = time.perf_counter()
            config, processor = synthetic.llava_config_and_processor(names, vlm_shape)
            model = synthetic.random_model(transformers.LlavaForConditionalGeneration, config, device=device, dtype=dtype)
            vlm = VisionLanguageModel(model, processor, name_or_path=f"random-{vlm_shape}", max_new_tokens=args.max_new_tokens)
            print(f"built {vlm_shape} ({sum(p.numel() for p in model.parameters()) / 1e9:.2f} B parameters) "
                  f"in {time.perf_counter() - started:.1f} s", flush=True)
        if "clip" in methods:
            config, processor = synthetic.clip_config_and_processor(names, clip_shape)
            encoder = DualEncoderModel(
                synthetic.random_model(transformers.CLIPModel, config, device=device, dtype=dtype), processor,
                name_or_path=f"random-{clip_shape}",
            )
        for method in methods:
            if device == "cuda":
                torch.cuda.reset_peak_memory_stats()
            summary = infer(
                encoder if method == "clip" else vlm, images, classes=classes, method=method, db=db,
                batch_size=args.batch_size, seed=0, candidates=args.candidates if method == "closed" else None,
                max_new_tokens=args.max_new_tokens,
            )
            peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None
            results.append({"method": method, "images": summary.n_new, "seconds": summary.seconds,
                            "images_per_second": summary.images_per_second, "peak_gib": peak})
            print(f"{method:>10}: {summary.n_new} images in {summary.seconds:6.1f} s = "
                  f"{summary.images_per_second:7.2f} images/s" + (f", peak GPU memory {peak:.1f} GiB" if peak else ""),
                  flush=True)
    return results


if __name__ == "__main__":
    main()
