"""Protocols: how prompts, answer prefixes and scoring are set. ``freqscope`` (the default) or ``vlmclassifier``,
the seed paper's own code (github yuhui-zh15/VLMClassifier at d069792), reproduced choice by choice; each choice
cites the seed file and line it follows. docs/infer.md lists where freqscope differs, and why.
"""
from __future__ import annotations

PROTOCOLS = ("freqscope", "vlmclassifier")
SCORINGS = ("matcher", "substring")

# main_results/main.py:117-119: LLaVA-NeXT (Vicuna) is prompted with Vicuna's system prompt.
VICUNA_SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. The assistant gives "
                 "helpful, detailed, and polite answers to the human's questions.")
# main_results/main.py:204: CLIP is scored with this one template (no ensemble).
SEED_CLIP_TEMPLATE = "A photo of a {c}"
# inference_analysis/main.py:162 and :170: the likelihood prompt ends with an answer prefix the class continues.
SEED_ANSWER_PREFIX = {"question_answer": "A", "chat": "The photo features a"}


def seed_prompt_format(model_type: str, name_or_path: str) -> str | None:
    """The seed's prompt for a model (``{question}`` where the question goes), or None where the seed has none
    (the model's own chat template is used then)."""
    if model_type in ("blip-2", "instructblip"):
        return "Question: {question} Answer:"  # main_results/main.py:121-125
    if model_type == "llava_next":
        if "mistral" in name_or_path.lower():
            return "[INST] <image>\n{question}[/INST]"  # main_results/main.py:110-114
        return VICUNA_SYSTEM + " USER: <image>\n{question} ASSISTANT:"  # main_results/main.py:115-120
    if model_type == "llava":
        return "USER: <image>\n{question}\nASSISTANT:"  # main_results/main.py:131-136 (a newline, not a space)
    return None


def seed_answer_prefix(prompt_format: str | None) -> str:
    """The words the seed's likelihood prompt ends with, before the class name."""
    if prompt_format is not None and prompt_format.startswith("Question:"):
        return SEED_ANSWER_PREFIX["question_answer"]
    return SEED_ANSWER_PREFIX["chat"]


def substring_correct(label_name: str, answer: str) -> bool:
    """The seed's scoring (main_results/eval.ipynb, cell 0): the label is a substring of the answer, case folded."""
    return label_name.lower() in answer.lower()


def deduplicated_names(names: list[str]) -> list[str]:
    """The seed's closed-set choices: ``sorted(set(classes))`` (main_results/main.py:96-97); ImageNet's list
    names "missile" and "sunglasses" twice, so 998 names are offered."""
    return sorted(set(names))

