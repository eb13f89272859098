"""Where the project's shipped files live (the package is installed editable from the repository), and where
the database is by default."""
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
CLASS_LISTS_DIR = DATA_DIR / "classes"
TERMS_DATA_DIR = DATA_DIR / "terms"  # curated term data: everyday names, block phrases, context words, tiers
CORPORA_DIR = DATA_DIR / "corpora"
QUERIES_DIR = REPO_ROOT / "queries"
REPORTS_DIR = REPO_ROOT / "reports"
# ../shared beside the repository: data every session and CI can read, but which is not ours to ship.
SHARED_DIR = REPO_ROOT.parent / "shared"

DEFAULT_DB = "freqscope.duckdb"


def resolve_db_path(db: str | os.PathLike | None) -> Path:
    """--db, else $FREQSCOPE_DB, else freqscope.duckdb in the working directory."""
    return Path(db or os.environ.get("FREQSCOPE_DB") or DEFAULT_DB)
