"""Per-class accuracy of VLMs and CLIP, measured as in the seed paper (``freqscope infer``).

``infer(model, dataset, classes=..., method=...)`` predicts every image and stores runs and predictions in the
database; the ``class_accuracy`` view turns them into per-class accuracy. torch and transformers (the
``infer`` extra) are imported only when a model is loaded. ``infer`` and ``RunSummary`` are imported on first
use, so that ``freqscope.infer.models``, ``.likelihood`` and ``.synthetic`` load without polars and duckdb
(``benchmarks/gpu_check.py`` runs on a machine that has neither).
"""
from __future__ import annotations

from typing import Any

__all__ = ["RunSummary", "infer"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from freqscope.infer import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'freqscope.infer' has no attribute {name!r}")
