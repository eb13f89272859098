"""``freqscope infer``: per-class accuracy of a VLM or CLIP model, into the database.

Only this command needs torch and transformers; they are imported when it runs (``freqscope.infer`` loads
them lazily), so every other command works without the ``infer`` extra.
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from rich.markup import escape

from freqscope.cli.app import DbOption, app, console


@app.command("infer")
def infer_command(
    model: Annotated[str, typer.Argument(help="Checkpoint: a local folder or a Hugging Face hub id.")],
    dataset: Annotated[str, typer.Argument(help="Image folder (a sub-folder per class), CSV/JSONL manifest, or saved HF dataset.")],
    classes: Annotated[str, typer.Option("--classes", help="The class list: a built-in list or a CSV path.")],
    method: Annotated[str, typer.Option("--method", help="open | closed | likelihood | clip.")] = "open",
    db: DbOption = None,
    name: Annotated[Optional[str], typer.Option("--name", help="Name the accuracy is stored under (default: MODEL's last path part:METHOD).")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Images per batch (and per database write).")] = 8,
    dtype: Annotated[Optional[str], typer.Option("--dtype", help="bf16 | fp16 | fp32 (default: bf16 on a GPU, fp32 on the CPU).")] = None,
    device: Annotated[Optional[str], typer.Option("--device", help="cuda | cpu | mps (default: the first available).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Predict only the first N images (a later run without it continues).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the candidate draws and their order.")] = 0,
    candidates: Annotated[Optional[int], typer.Option("--candidates", help="Offer N classes holding the label (closed, likelihood, clip; default: all).")] = None,
    prompt: Annotated[Optional[str], typer.Option("--prompt", help="The question (default: \"What type of object is in this photo?\"); for clip one template with {c}.")] = None,
    split: Annotated[Optional[str], typer.Option("--split", help="Split of a manifest or HF dataset, e.g. test.")] = None,
    image_root: Annotated[Optional[str], typer.Option("--image-root", help="Folder a manifest's relative image paths start from (default: the manifest's).")] = None,
    templates: Annotated[Optional[str], typer.Option("--templates", help="clip: a CLIP_benchmark key (imagenet1k, flowers, ...) or a JSON list (default: the class list's).")] = None,
    reduce: Annotated[str, typer.Option("--reduce", help="likelihood: mean or sum of the class name's token log-probabilities.")] = "mean",
    protocol: Annotated[str, typer.Option("--protocol", help="freqscope (default) or vlmclassifier: the seed paper's prompts, answer prefix, choices and CLIP template (docs/infer.md).")] = "freqscope",
    answer_prefix: Annotated[Optional[str], typer.Option("--answer-prefix", help="likelihood: words after the prompt that the class name continues, e.g. \"The photo features a\".")] = None,
    scoring: Annotated[str, typer.Option("--scoring", help="open, closed: matcher (default: terms, plurals, whole words) or substring (the seed's: label in answer).")] = "matcher",
    subset: Annotated[Optional[int], typer.Option("--subset", help="Predict N images drawn as the seed paper draws its likelihood subset (shuffled with --seed, first N; the seed: --seed 1234 --subset 1000).")] = None,
    max_new_tokens: Annotated[int, typer.Option("--max-new-tokens", help="open, closed: answer length limit.")] = 64,
    trust_remote_code: Annotated[bool, typer.Option("--trust-remote-code", help="Run the checkpoint's own Python code (off by default).")] = False,
    allow_pickle: Annotated[bool, typer.Option("--allow-pickle", help="Load .bin (pickle) weights, which can run code; safetensors only by default.")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local, or ray: a Ray Data actor pool with one model replica per GPU (see docs/cluster.md).")] = "local",
    address: Annotated[Optional[str], typer.Option("--address", help="--engine ray: the cluster's head, HOST:6379 or auto (default: start a local Ray).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="--engine ray: model replicas (default: one per GPU of the cluster; 1 with --device cpu).")] = None,
    gpus_per_worker: Annotated[Optional[float], typer.Option("--gpus-per-worker", min=0, help="--engine ray: GPUs per replica, for a model that needs several (default: 1; 0 with --device cpu).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
) -> None:
    """Measure per-class accuracy of a VLM or CLIP model on a labelled image set, as in the seed paper."""
    from freqscope.infer import infer

    try:
        summary = infer(
            model, dataset, classes=classes, method=method, db=db, name=name, batch_size=batch_size, dtype=dtype,
            device=device, limit=limit, seed=seed, candidates=candidates, prompt=prompt, split=split,
            image_root=image_root, templates=templates, reduce=reduce, protocol=protocol, answer_prefix=answer_prefix,
            scoring=scoring, subset=subset, max_new_tokens=max_new_tokens,
            trust_remote_code=trust_remote_code, allow_pickle=allow_pickle, progress=not quiet,
            engine=engine, address=address, workers=workers, gpus_per_worker=gpus_per_worker,
        )
    except KeyboardInterrupt:  # before the first batch (reading the dataset, loading the model) or a second Ctrl-C
        console.print("infer interrupted: every batch already written is kept; run the same command again to "
                      "continue.", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    if summary.interrupted:
        console.print(
            f"infer interrupted: {summary.n_new} images predicted and stored now, {summary.n_predicted} of "
            f"{summary.n_images} in all; run the same command again to continue.", highlight=False, soft_wrap=True,
        )
        raise typer.Exit(130)
    if quiet:
        return
    accuracy = "–" if summary.accuracy is None else f"{summary.accuracy:.1%}"
    rate = "" if summary.images_per_second is None else f" at {summary.images_per_second:.2f} images/s"
    console.print(
        f"[bold]{escape(summary.model)}[/] run {summary.run_id} ({summary.method}, {summary.taxonomy}): "
        f"{summary.n_new} images predicted now{rate}, {summary.n_predicted} of {summary.n_images} stored, "
        f"{summary.n_errors} unreadable; accuracy {accuracy}; status {summary.status}"
        + (" (resumed)" if summary.resumed else ""),
        highlight=False,
    )
    if summary.status != "done":
        console.print("Run the same command again (without --limit) to predict the remaining images.")
