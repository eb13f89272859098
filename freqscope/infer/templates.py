"""CLIP zero-shot prompt templates (CLIP_benchmark's, which are OpenAI CLIP's) and the list each class list uses."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from freqscope.errors import FreqscopeError
from freqscope.paths import DATA_DIR

TEMPLATES_FILE = DATA_DIR / "templates" / "en_zeroshot_classification_templates.json"
# freqscope class-list name (before any "-variant") -> CLIP_benchmark dataset key, where the names differ.
TEMPLATE_KEYS = {
    "flowers102": "flowers",
    "stanfordcars": "cars",
    "oxfordpets": "pets",
    "fgvcaircraft": "fgvc_aircraft",
}
# OpenAI's 80 ImageNet templates: generic enough for any list without its own.
FALLBACK_KEY = "imagenet1k"
CLASS_PLACEHOLDER = "{c}"


@cache
def _all_templates() -> dict[str, list[str]]:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


def template_key_for(class_list_name: str) -> str:
    base = class_list_name.split("-")[0].lower()
    key = TEMPLATE_KEYS.get(base, base)
    return key if key in _all_templates() else FALLBACK_KEY


def load_templates(spec: str | None, class_list_name: str) -> tuple[str, list[str]]:
    """(where they came from, the templates): a CLIP_benchmark key, a JSON list file, or a single template text."""
    if spec is None:
        key = template_key_for(class_list_name)
        return f"clip_benchmark:{key}", _all_templates()[key]
    if spec in _all_templates():
        return f"clip_benchmark:{spec}", _all_templates()[spec]
    if CLASS_PLACEHOLDER in spec:
        return "prompt", [spec]
    path = Path(spec)
    if path.is_file():
        try:
            templates = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FreqscopeError(f"templates file {path} is not JSON ({exc}): expected a list of strings with {{c}}") from None
        if isinstance(templates, list) and templates and all(isinstance(t, str) and CLASS_PLACEHOLDER in t for t in templates):
            return str(path.resolve()), templates
        raise FreqscopeError(f"templates file {path} must hold a JSON list of strings, each with {{c}} for the class name")
    raise FreqscopeError(
        f"unknown templates {spec!r}: give a CLIP_benchmark key ({', '.join(sorted(_all_templates())[:6])}, ...), "
        "a JSON list file, or one template with {c}"
    )
