"""Fixtures shared by the test modules."""
from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from freqscope.paths import SHARED_DIR

SHARED_CORPORA = SHARED_DIR / "data" / "corpora"
SHARED_CLASSES = SHARED_DIR / "data" / "classes"
SHARED_FDP = SHARED_DIR / "data" / "published" / "fdp"


def require_shared(path=SHARED_DIR):
    """Skip the calling test cleanly where ../shared (or the given part of it) is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests read the shared sample data")
    return path


@pytest.fixture(scope="session")
def wordnet():
    from freqscope.terms.wordnet import find_wordnet

    found = find_wordnet()
    if found is None:
        pytest.skip("WordNet 3.0 is not installed (apt-get install wordnet-base)")
    return found


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "test.duckdb"


# The bundled sample corpora under the names docs/schema.md's examples use.
BUNDLED_CORPORA = {"coco_captions": "coco_captions_val2017", "cc3m": "cc3m_validation", "laion": "laion_sample"}
EXPOSURE_DB_LISTS = ["cifar10", "cifar100", "imagenet1k"]


@pytest.fixture(scope="session")
def exposure_db(tmp_path_factory):
    """A database indexed once per session from the bundled corpora, plus the shared LLaVA samples (an
    instruction corpus) where ../shared is present. Read it only: tests that write use a copy."""
    from freqscope.indexer import index
    from freqscope.paths import CORPORA_DIR

    db = tmp_path_factory.mktemp("exposure") / "exposure.duckdb"
    for corpus, folder in BUNDLED_CORPORA.items():
        index([CORPORA_DIR / folder], db=db, corpus=corpus, classes=EXPOSURE_DB_LISTS)
    llava = sorted((SHARED_CORPORA / "llava_samples").glob("*llava_format.json"))
    if llava:
        index(llava, db=db, corpus="llava", classes=EXPOSURE_DB_LISTS)
    return db


@pytest.fixture(scope="module")
def con(exposure_db):
    """A read-only connection to the session's exposure database."""
    connection = duckdb.connect(str(exposure_db), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray for the tests of one module (skipped where Ray is not installed)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def string_array_with_raw_bytes(values: list[bytes | None]) -> pa.Array:
    """An Arrow string array holding the bytes as they are (pa.array would refuse invalid UTF-8)."""
    validity = np.packbits([v is not None for v in values], bitorder="little").tobytes()
    offsets = np.cumsum([0] + [len(v or b"") for v in values]).astype(np.int32).tobytes()
    data = b"".join(v or b"" for v in values)
    return pa.Array.from_buffers(pa.string(), len(values), [pa.py_buffer(validity), pa.py_buffer(offsets),
                                                            pa.py_buffer(data)])
