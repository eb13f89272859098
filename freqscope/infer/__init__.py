"""Per-class accuracy of VLMs and CLIP, measured as in the seed paper (``freqscope infer``).

``infer(model, dataset, classes=..., method=...)`` predicts every image and stores runs and predictions in the
database; the ``class_accuracy`` view turns them into per-class accuracy. torch and transformers (the
``infer`` extra) are imported only when a model is loaded.
"""
from freqscope.infer.runner import RunSummary, infer

__all__ = ["RunSummary", "infer"]
