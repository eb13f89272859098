"""``infer``: predict a class for every image of a dataset with one model and method, into the database.

Predictions are written batch by batch, each batch in its own transaction, so an interrupted run loses at
most the batch in flight; running the same call again resumes it (see ``runs``). Per-class accuracy is then
the ``class_accuracy`` view, which ``analyze`` and ``report`` read.
"""
from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from freqscope.engines import ENGINES
from freqscope.engines.ray_runtime import require_ray
from freqscope.errors import FreqscopeError
from freqscope.infer.datasets import ImageDataset, ImageItem, load_image_dataset
from freqscope.infer.likelihood import REDUCTIONS
from freqscope.infer.methods import METHODS, Method, build_method
from freqscope.infer.protocols import PROTOCOLS, SCORINGS
from freqscope.infer.models import (DualEncoderModel, VisionLanguageModel, dtype_name, load_model, require_torch,
                                    resolve_device, resolve_dtype)
from freqscope.infer.runs import (RunKey, find_or_create_run, finish_run, forget_run, predicted_images,
                                  run_totals, write_predictions)
from freqscope.progress import Progress
from freqscope.store import open_database, resolve_db_path, store_class_list, transaction
from freqscope.terms.taxonomy import ClassList


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    model: str
    method: str
    taxonomy: str
    dataset: str
    status: str  # running (images left: --limit or an interruption) | done
    resumed: bool  # an earlier run with the same identity was continued
    n_images: int  # images in the dataset (after --split)
    n_predicted: int  # predictions stored for this run, errors included
    n_new: int  # predicted by this call
    n_errors: int  # images that could not be read
    accuracy: float | None  # over the stored predictions without error
    seconds: float  # spent predicting in this call (loading the model and encoding class prompts excluded)
    images_per_second: float | None
    interrupted: bool = False  # Ctrl-C: stopped after the batch in flight, which was written


class StopOnInterrupt:
    """While active, Ctrl-C (SIGINT) asks the loop to stop after the batch in flight instead of killing it there;
    a second Ctrl-C interrupts at once. Outside the main thread (no signal handlers there) it does nothing."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _request(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> StopOnInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._request)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _resolve_classes(classes: str | Path | ClassList) -> ClassList:
    if isinstance(classes, ClassList):
        return classes
    from freqscope.terms.classes import load_class_list

    return load_class_list(classes)


def _model_name(model: str | VisionLanguageModel | DualEncoderModel) -> str:
    path = model if isinstance(model, str) else model.name_or_path
    return str(path).rstrip("/").split("/")[-1] or str(path)


def _open_image(dataset: ImageDataset, item: ImageItem) -> tuple[Any, str | None]:
    """The item's image, or why it could not be opened (a missing or corrupt file does not stop the run)."""
    try:
        return dataset.open_image(item), None
    except Exception as exc:  # PIL raises many kinds (UnidentifiedImageError, OSError, SyntaxError, ...)
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip()


def predict_batch(dataset: ImageDataset, predictor: Method, batch: list[ImageItem],
                  ready: tuple[list[tuple[Any, str | None]], Any] | None = None) -> list[tuple[Any, ...]]:
    """One batch's rows for ``write_predictions``: (image, label_index, predicted_index, answer, score, error).

    The one prediction step of every engine: the local loop calls it here with its images opened and prepared by
    reader threads (``ready``: each item's image or error, and ``prepare``'s result for the usable ones), a Ray
    actor on its own node (opening them itself).
    """
    opened, prepared = ready if ready is not None else ([_open_image(dataset, item) for item in batch], None)
    usable = [i for i, (_, error) in enumerate(opened) if error is None]
    predictions = dict(zip(usable, predictor.predict(
        [batch[i].key for i in usable], [batch[i].label_index for i in usable], [opened[i][0] for i in usable],
        prepared,
    ))) if usable else {}
    return [
        (item.key, item.label_index, None, None, None, opened[i][1]) if i not in predictions else
        (item.key, item.label_index, predictions[i].predicted_index, predictions[i].answer,
         predictions[i].score, None)
        for i, item in enumerate(batch)
    ]


def seed_subset(images: ImageDataset, size: int, seed: int) -> ImageDataset:
    """The first ``size`` images after the seed paper's shuffle: ``random.seed(seed); random.shuffle(data);
    data[:1000]`` (VLMClassifier inference_analysis/main.py:141-144; its seed is 1234). A Random seeded with the
    same integer shuffles a list of the same length the same way, so the same images are chosen when the items
    are in the manifest's order, as freqscope reads them."""
    order = list(images.items)
    random.Random(seed).shuffle(order)
    return replace(images, items=order[:size])


def _read_ahead(dataset: ImageDataset, predictor: Method, batches: list[list[ImageItem]], workers: int,
                ahead: int = 2) -> Iterator[tuple[list[ImageItem], tuple[list[tuple[Any, str | None]], Any]]]:
    """Each batch with its images decoded by ``workers`` threads and prepared (the processor's tensors) by one
    more, up to ``ahead`` batches before the model needs them (PIL and the processors' numpy work run mostly
    without the GIL), so the model does not wait for the disk, the JPEG decoder or the resizing."""

    def ready(batch: list[ImageItem], opening: list[Future]) -> tuple[list[tuple[Any, str | None]], Any]:
        opened = [future.result() for future in opening]
        usable = [i for i, (_, error) in enumerate(opened) if error is None]
        prepared = predictor.prepare([batch[i].key for i in usable], [batch[i].label_index for i in usable],
                                     [opened[i][0] for i in usable]) if usable else None
        return opened, prepared

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="freqscope-images") as readers, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="freqscope-prepare") as preparer:
        submitted: deque[tuple[list[Future], Future]] = deque()
        try:
            for index, batch in enumerate(batches):
                while len(submitted) <= ahead and index + len(submitted) < len(batches):
                    upcoming = batches[index + len(submitted)]
                    opening = [readers.submit(_open_image, dataset, item) for item in upcoming]
                    submitted.append((opening, preparer.submit(ready, upcoming, opening)))
                yield batch, submitted.popleft()[1].result()
        finally:  # stopped early (Ctrl-C, an error): do not decode what nobody will use
            for opening, preparing in submitted:
                preparing.cancel()
                for future in opening:
                    future.cancel()


def infer(
    model: str | VisionLanguageModel | DualEncoderModel,
    dataset: str | Path,
    *,
    classes: str | Path | ClassList,
    method: str = "open",
    db: str | Path | None = None,
    name: str | None = None,
    batch_size: int = 8,
    dtype: str | None = None,
    device: str | None = None,
    limit: int | None = None,
    seed: int = 0,
    candidates: int | None = None,
    prompt: str | None = None,
    split: str | None = None,
    image_root: str | Path | None = None,
    templates: str | None = None,
    reduce: str = "mean",
    protocol: str = "freqscope",
    answer_prefix: str | None = None,
    scoring: str = "matcher",
    subset: int | None = None,
    max_new_tokens: int = 64,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
    progress: bool = False,
    on_batch: Callable[[int], None] | None = None,
    engine: str = "local",
    address: str | None = None,
    workers: int | None = None,
    gpus_per_worker: float | None = None,
) -> RunSummary:
    """Predict every image of ``dataset`` (up to ``limit``) with ``model`` and ``method``; store them in ``db``.

    ``model`` is a checkpoint (local path or hub id) or an already loaded adapter. ``on_batch`` is called with
    the number of images written after each batch is committed. ``engine="ray"`` predicts in a Ray Data actor
    pool (``engines.ray_infer``) on a local Ray or the cluster at ``address``: ``workers`` model replicas of
    ``gpus_per_worker`` GPUs each (default: one per GPU, else one CPU replica); the writes are the same.
    """
    if method not in METHODS:
        raise FreqscopeError(f"--method {method} is not one of {', '.join(METHODS)}")
    if reduce not in REDUCTIONS:
        raise FreqscopeError(f"--reduce {reduce} is not one of {', '.join(REDUCTIONS)}")
    if protocol not in PROTOCOLS:
        raise FreqscopeError(f"--protocol {protocol} is not one of {', '.join(PROTOCOLS)}")
    if scoring not in SCORINGS:
        raise FreqscopeError(f"--scoring {scoring} is not one of {', '.join(SCORINGS)}")
    if answer_prefix is not None and method != "likelihood":
        raise FreqscopeError("--answer-prefix applies to --method likelihood only")
    if subset is not None and subset < 1:
        raise FreqscopeError("--subset must be at least 1")
    if batch_size < 1 or (limit is not None and limit < 0):
        raise FreqscopeError("--batch-size must be at least 1 and --limit at least 0")
    if engine not in ENGINES:
        raise FreqscopeError(f"--engine {engine} is not one of {', '.join(ENGINES)}")
    on_ray = engine == "ray"
    if not on_ray and (address is not None or workers is not None or gpus_per_worker is not None):
        raise FreqscopeError("--address, --workers and --gpus-per-worker are for --engine ray: drop them, or add --engine ray")
    if on_ray:
        require_ray()
        if not isinstance(model, str):
            raise FreqscopeError("--engine ray loads the model on each replica: pass a checkpoint path, not a loaded model")
    require_torch()
    class_list = _resolve_classes(classes)
    images = load_image_dataset(dataset, class_list, split=split, image_root=image_root)
    label_names = {c.index: c.name for c in class_list.classes}
    dataset_order = [(item.key, label_names[item.label_index]) for item in images.items]
    if subset is not None:
        images = seed_subset(images, subset, seed)
    if on_ray:  # the replicas' device, not this machine's: a GPU unless told otherwise
        device = device or ("cpu" if gpus_per_worker == 0 else "cuda")
    else:
        device = resolve_device(device) if isinstance(model, str) else str(model.device.type)
    torch_dtype = resolve_dtype(dtype, device) if isinstance(model, str) else model.dtype
    model_path = model if isinstance(model, str) else model.name_or_path
    settings = {
        "seed": seed, "candidates": candidates, "dtype": dtype_name(torch_dtype), "split": split,
        "max_new_tokens": max_new_tokens if method in ("open", "closed") else None,
        "reduce": reduce if method == "likelihood" else None,
        "templates": templates if method == "clip" else None,
        "subset": subset, "protocol": protocol, "answer_prefix": answer_prefix if method == "likelihood" else None,
        "scoring": scoring if method in ("open", "closed") else None,
        "execution": {"device": device, "batch_size": batch_size, "limit": limit, "engine": engine},
    }
    key = RunKey(name or f"{_model_name(model)}:{method}", str(model_path), method, class_list.name, images.name, prompt)

    db_path = resolve_db_path(db)
    new_file = not db_path.exists()
    con = open_database(db)
    try:
        with transaction(con):
            store_class_list(con, class_list)
            run_id, resumed = find_or_create_run(con, key, settings)
        done = predicted_images(con, run_id)
        selected = images.items if limit is None else images.items[:limit]
        todo = [item for item in selected if item.key not in done]
        seconds = 0.0
        n_new, interrupted = 0, False
        if todo:
            batches = [todo[start: start + batch_size] for start in range(0, len(todo), batch_size)]
            if on_ray:
                from freqscope.engines.ray_infer import ReplicaSpec, predict_on_ray

                spec = ReplicaSpec(
                    model=str(Path(model).resolve()) if Path(model).exists() else model,
                    dataset=str(Path(dataset).resolve()), class_list=class_list, method=method, device=device,
                    dtype=dtype, split=split, image_root=str(Path(image_root).resolve()) if image_root else None,
                    seed=seed, candidates=candidates, prompt=prompt, reduce=reduce, templates=templates,
                    protocol=protocol, answer_prefix=answer_prefix, scoring=scoring, max_new_tokens=max_new_tokens,
                    trust_remote_code=trust_remote_code, allow_pickle=allow_pickle,
                )
                started = time.perf_counter()  # on Ray this includes starting the replicas and loading the model
                predicted = predict_on_ray(spec, [[item.key for item in batch] for batch in batches],
                                           address=address, workers=workers, gpus_per_worker=gpus_per_worker)
            else:
                try:
                    loaded = model if not isinstance(model, str) else load_model(
                        model, device=device, dtype=torch_dtype, trust_remote_code=trust_remote_code,
                        allow_pickle=allow_pickle, max_new_tokens=max_new_tokens,
                    )
                    require_torch().manual_seed(seed)
                    predictor = build_method(
                        method, loaded, class_list, prompt=prompt, seed=seed, candidates=candidates, reduce=reduce,
                        templates=templates, protocol=protocol, answer_prefix=answer_prefix, scoring=scoring,
                        dataset_order=dataset_order,
                    )
                except BaseException:
                    # A model that does not load leaves no trace: no new database file, no run it created. (Any
                    # error, and Ctrl-C: loading takes seconds, and an empty run in a new file is no resume.)
                    if not resumed:
                        forget_run(con, run_id)
                    if new_file:
                        con.close()
                        for leftover in (db_path, db_path.with_name(db_path.name + ".wal")):
                            leftover.unlink(missing_ok=True)
                    raise
                started = time.perf_counter()  # images/s counts predicting, not loading the model or class prompts
                readers = min(8, os.cpu_count() or 1)
                predicted = (predict_batch(images, predictor, batch, ready)
                             for batch, ready in _read_ahead(images, predictor, batches, readers))
            with Progress(quiet=not progress, unit="images") as bar, StopOnInterrupt() as stop, closing(predicted):
                task = bar.add_task(f"{key.model} {method}", total=len(todo))
                for rows in predicted:
                    write_predictions(con, run_id, rows)
                    n_new += len(rows)
                    bar.advance(task, len(rows))
                    if on_batch is not None:
                        on_batch(len(rows))
                    if stop.requested:
                        interrupted = True
                        break
            seconds = time.perf_counter() - started
        if len(predicted_images(con, run_id)) == len(images.items):
            finish_run(con, run_id)
        n_predicted, n_errors, accuracy, status = run_totals(con, run_id)
    finally:
        con.close()
    return RunSummary(
        run_id=run_id, model=key.model, method=method, taxonomy=class_list.name, dataset=images.name, status=status,
        resumed=resumed, n_images=len(images.items), n_predicted=n_predicted, n_new=n_new, n_errors=n_errors,
        accuracy=accuracy, seconds=seconds, images_per_second=(n_new / seconds) if n_new and seconds > 0 else None,
        interrupted=interrupted,
    )
