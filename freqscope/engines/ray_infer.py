"""The Ray engine for ``infer``: a Ray Data actor pool, one model replica per actor, images read by the actors.

The driver keeps the run (its identity, what is already predicted, the writes); out to the actors go only
image keys, a batch of ``--batch-size`` keys per row; each actor loads the dataset's index and the model
once, opens its images itself (from paths every node reaches, or a saved HF dataset), predicts with the
same ``predict_batch`` as the local engine, and sends back one row of predictions per batch. The driver
writes each batch in its own transaction as it arrives, so resume works as with the local engine.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from freqscope.engines.ray_runtime import ray_session
from freqscope.errors import FreqscopeError
from freqscope.terms.taxonomy import ClassList

# One prediction per image: the columns of ``predictions`` that ``write_predictions`` takes, in its order.
PREDICTIONS_SCHEMA = pa.schema([
    ("image", pa.list_(pa.string())), ("label_index", pa.list_(pa.int64())),
    ("predicted_index", pa.list_(pa.int64())), ("answer", pa.list_(pa.string())),
    ("score", pa.list_(pa.float64())), ("error", pa.list_(pa.string())),
])


@dataclass(frozen=True)
class ReplicaSpec:
    """Everything an actor needs to rebuild the model, the method and the dataset on its own node."""

    model: str
    dataset: str
    class_list: ClassList
    method: str
    device: str
    dtype: str | None
    split: str | None
    image_root: str | None
    seed: int
    candidates: int | None
    prompt: str | None
    reduce: str
    protocol: str
    answer_prefix: str | None
    scoring: str
    templates: str | None
    max_new_tokens: int
    trust_remote_code: bool
    allow_pickle: bool


class BatchPredictor:
    """A model replica (a Ray Data actor): built once, then called with rows of image keys."""

    def __init__(self, spec: ReplicaSpec) -> None:
        from freqscope.infer.datasets import load_image_dataset
        from freqscope.infer.methods import build_method
        from freqscope.infer.models import load_model, require_torch, resolve_dtype

        self.images = load_image_dataset(spec.dataset, spec.class_list, split=spec.split, image_root=spec.image_root)
        self.items = {item.key: item for item in self.images.items}
        label_names = {c.index: c.name for c in spec.class_list.classes}
        model = load_model(spec.model, device=spec.device, dtype=resolve_dtype(spec.dtype, spec.device),
                           trust_remote_code=spec.trust_remote_code, allow_pickle=spec.allow_pickle,
                           max_new_tokens=spec.max_new_tokens)
        require_torch().manual_seed(spec.seed)
        self.predictor = build_method(spec.method, model, spec.class_list, prompt=spec.prompt, seed=spec.seed,
                                      candidates=spec.candidates, reduce=spec.reduce, templates=spec.templates,
                                      protocol=spec.protocol, answer_prefix=spec.answer_prefix, scoring=spec.scoring,
                                      dataset_order=[(item.key, label_names[item.label_index])
                                                     for item in self.images.items])

    def __call__(self, batch: pa.Table) -> pa.Table:
        from freqscope.infer.runner import predict_batch

        columns: list[list[list[Any]]] = [[] for _ in PREDICTIONS_SCHEMA.names]
        for keys in batch.column("keys").to_pylist():
            rows = predict_batch(self.images, self.predictor, [self.items[key] for key in keys])
            for column, values in zip(columns, zip(*rows)):
                column.append(list(values))
        return pa.Table.from_arrays([pa.array(c, t.type) for c, t in zip(columns, PREDICTIONS_SCHEMA)],
                                    schema=PREDICTIONS_SCHEMA)


def replica_resources(ray: Any, device: str, workers: int | None, gpus_per_worker: float | None) -> tuple[int, float]:
    """(replicas, GPUs per replica): on a GPU device one replica per GPU (or per ``gpus_per_worker`` GPUs) of
    the cluster; on the CPU ``workers`` replicas (default 1)."""
    cluster_gpus = ray.cluster_resources().get("GPU", 0)
    gpus = float(gpus_per_worker) if gpus_per_worker is not None else (0.0 if device == "cpu" else 1.0)
    if gpus > cluster_gpus:
        raise FreqscopeError(f"each model replica needs {gpus:g} GPU(s), but the Ray cluster has {cluster_gpus:g}: "
                             "add GPU nodes, or run CPU replicas with --device cpu")
    if workers is None:
        workers = int(cluster_gpus // gpus) if gpus else 1
    return workers, gpus


def predict_on_ray(spec: ReplicaSpec, batches: Sequence[Sequence[str]], *, address: str | None,
                   workers: int | None, gpus_per_worker: float | None) -> Iterator[list[tuple]]:
    """Predictions for each batch of image keys, one list of rows per batch, in the order they complete."""
    with ray_session(address, workers) as ray:
        replicas, gpus = replica_resources(ray, spec.device, workers, gpus_per_worker)
        # Our own progress bar reports the predictions; Ray Data's bars and execution logs would repeat it.
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        keys = ray.data.from_items([{"keys": list(batch)} for batch in batches],
                                   override_num_blocks=max(1, min(len(batches), replicas * 4)))
        predicted = keys.map_batches(
            BatchPredictor, fn_constructor_kwargs={"spec": spec}, batch_size=1, batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=replicas), num_gpus=gpus, num_cpus=1,
        )
        for row in predicted.iter_rows():
            yield list(zip(*(row[name] for name in PREDICTIONS_SCHEMA.names)))
