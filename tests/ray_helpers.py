"""Shard tasks for the Ray engine tests that fail on purpose. Ray workers import this module by name, so it
lives beside the tests rather than in them; a flag file next to the shard's file switches the failure on."""
from __future__ import annotations

from pathlib import Path

from freqscope.engines.shards import shard_results

FAIL_ONCE = ".fail-once"  # the first attempt removes the flag and fails; the retry succeeds
FAIL_ALWAYS = ".fail-always"  # every attempt fails while the flag exists


def flaky_shard_result(shard, class_lists, rules):
    once = Path(shard.path + FAIL_ONCE)
    if once.exists():
        once.unlink()
        raise OSError(f"injected failure reading {shard.path}")
    if Path(shard.path + FAIL_ALWAYS).exists():
        raise OSError(f"injected permanent failure reading {shard.path}")
    return shard_results(shard, class_lists, rules)
