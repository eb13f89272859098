"""Write freqscope/casefold.json: the case-folding fix-ups of this Python's Unicode version.

    python scripts/build_casefold_table.py

Run it with the Python the package is mostly used with; under another Unicode version the fix-ups are
computed at run time instead (tests/test_text.py checks the shipped table against the computation).
"""
import json
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from freqscope.text import CASEFOLD_TABLE, compute_casefold_fixups  # noqa: E402

table = {"unidata_version": unicodedata.unidata_version, "fixups": compute_casefold_fixups()}
CASEFOLD_TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
print(f"{CASEFOLD_TABLE}: {len(table['fixups'])} fix-ups for Unicode {table['unidata_version']}")
