"""freqscope: how often each class of a benchmark is seen in training text, and what that explains.

The Python API mirrors the CLI verbs (``freqscope.index(...)`` is ``freqscope index``). Submodules are
imported on first use so that ``import freqscope`` stays cheap and torch is only loaded by ``infer``.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_API = {
    "index": "freqscope.indexer",
    "connect": "freqscope.api",
    "open_database": "freqscope.store",
    "remove_corpus": "freqscope.store",
    "load_class_list": "freqscope.terms.classes",
    "FreqscopeError": "freqscope.errors",
    "import_accuracy": "freqscope.accuracy",
    "import_counts": "freqscope.accuracy",
    "analyze": "freqscope.analysis",
    "write_report": "freqscope.report",
}


# submodules the README calls through the package (freqscope.infer.infer(...), freqscope.demo.demo())
_SUBMODULES = ("api", "analysis", "demo", "infer", "report")


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"freqscope.{name}")
    raise AttributeError(f"module 'freqscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API, *_SUBMODULES})


__all__ = sorted(_API)
