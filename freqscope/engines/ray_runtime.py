"""Ray, imported only when a Ray engine runs: the install hint, and joining or starting a Ray instance."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from freqscope.errors import FreqscopeError

INSTALL_HINT = "pip install -e '.[ray]' (or pip install 'ray[data]>=2.9')"


def require_ray() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise FreqscopeError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}; "
                             "or use --engine local") from None
    return ray


@contextmanager
def ray_session(address: str | None, num_cpus: int | None = None) -> Iterator[ModuleType]:
    """Ray, connected: the instance this process already joined, the cluster at ``address`` ("auto": the one
    ``ray start`` began on this node), or else a local instance with ``num_cpus`` CPUs (default: all).

    An instance this function started or joined is left again at the end; one joined before is kept.
    """
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                 logging_level=logging.WARNING, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise FreqscopeError(f"cannot start or join {where}: {str(error).splitlines()[0]}; check --address "
                             "(a head node's HOST:6379, or auto) and that `ray status` works there") from None
    try:
        yield ray
    finally:
        ray.shutdown()
