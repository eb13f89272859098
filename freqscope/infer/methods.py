"""The four ways of asking a model for a class, as in the seed paper (Zhang et al. 2024).

- ``open``: ask "What type of object is in this photo?" and read the class out of the answer with the matcher;
- ``closed``: the same question followed by the candidate class names, shuffled per image;
- ``likelihood``: the class whose name is the most probable continuation of the question;
- ``clip``: the class whose prompt embeddings (templates ensembled) are closest to the image's.

Candidates: all classes, or ``candidates`` of them holding the label (the seed paper's reduced label sets),
drawn per image from ``seed`` and the image's key, so a resumed run draws the same ones.
"""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from freqscope.errors import FreqscopeError
from freqscope.infer.likelihood import class_log_likelihoods
from freqscope.infer.models import DualEncoderModel, VisionLanguageModel
from freqscope.infer.scoring import AnswerParser
from freqscope.infer.templates import CLASS_PLACEHOLDER, load_templates
from freqscope.terms.taxonomy import ClassList

METHODS = ("open", "closed", "likelihood", "clip")
DEFAULT_QUESTION = "What type of object is in this photo?"
# The seed paper's closed-set prompt: the question, then 'Choose one from "a, b, c".'
CLOSED_SUFFIX = 'Choose one from "{choices}".'


@dataclass(frozen=True)
class Prediction:
    predicted_index: int | None
    answer: str | None = None  # raw model output (open / closed)
    score: float | None = None  # log-likelihood (likelihood) or cosine similarity (clip) of the prediction


def candidate_classes(label: int, n_classes: int, candidates: int | None, seed: int, key: str, *, shuffle: bool) -> list[int]:
    """The classes offered for one image: all of them, or ``candidates`` including the label; in a per-image order."""
    rng = random.Random(f"{seed}/{key}")
    if candidates is None or candidates >= n_classes:
        chosen = list(range(n_classes))
    else:
        others = rng.sample([c for c in range(n_classes) if c != label], candidates - 1)
        chosen = [label, *others]
    if shuffle:
        rng.shuffle(chosen)
    else:
        chosen.sort()
    return chosen


class Method(ABC):
    """Predicts a class for each image of a batch; ``prompt`` is what ``runs.prompt`` records."""

    name: str
    prompt: str | None

    def __init__(self, class_list: ClassList, *, candidates: int | None, seed: int) -> None:
        self.class_list = class_list
        self.class_names = [c.name for c in class_list.classes]
        # Class indices need not be 0..n-1 in a CSV list: work in positions, report indices.
        self.class_indices = [c.index for c in class_list.classes]
        self.position_of = {index: position for position, index in enumerate(self.class_indices)}
        if candidates is not None and candidates < 2:
            raise FreqscopeError(f"--candidates {candidates}: give at least 2 (the label and one other class)")
        self.candidates = candidates
        self.seed = seed

    def offered(self, label: int, key: str, *, shuffle: bool) -> list[int]:
        """Positions (into the class list) of the classes offered for one image."""
        return candidate_classes(
            self.position_of[label], len(self.class_indices), self.candidates, self.seed, key, shuffle=shuffle
        )

    @abstractmethod
    def predict(self, keys: list[str], labels: list[int], images: list[Any]) -> list[Prediction]:
        """One prediction per image, in order."""


class OpenEndedMethod(Method):
    name = "open"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None = None) -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)

        self.vlm = vlm
        self.prompt = prompt or DEFAULT_QUESTION
        self.parser = AnswerParser(class_list)

    def predict(self, keys: list[str], labels: list[int], images: list[Any]) -> list[Prediction]:
        answers = self.vlm.generate(images, [self.vlm.prompt_text(self.prompt)] * len(images))
        parsed = self.parser.parse(answers, labels)
        return [Prediction(p, a) for p, a in zip(parsed, answers)]


class ClosedSetMethod(OpenEndedMethod):
    name = "closed"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None) -> None:
        super().__init__(vlm, class_list, prompt=prompt, seed=seed, candidates=candidates)
        self.prompt = f"{prompt or DEFAULT_QUESTION} {CLOSED_SUFFIX}"

    def question(self, label: int, key: str) -> str:
        names = [self.class_names[p] for p in self.offered(label, key, shuffle=True)]
        return self.prompt.format(choices=", ".join(names))

    def predict(self, keys: list[str], labels: list[int], images: list[Any]) -> list[Prediction]:
        texts = [self.vlm.prompt_text(self.question(label, key)) for key, label in zip(keys, labels)]
        answers = self.vlm.generate(images, texts)
        parsed = self.parser.parse(answers, labels)
        return [Prediction(p, a) for p, a in zip(parsed, answers)]


class LikelihoodMethod(Method):
    name = "likelihood"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None, reduce: str) -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)
        self.vlm = vlm
        self.prompt = prompt or DEFAULT_QUESTION
        self.reduce = reduce
        self.prompt_text = vlm.prompt_text(self.prompt)
        # " golden retriever" after "ASSISTANT:", tokenised once for the whole run.
        self.continuations = vlm.continuation_ids(self.prompt_text, [" " + name for name in self.class_names])

    def predict(self, keys: list[str], labels: list[int], images: list[Any]) -> list[Prediction]:
        predictions = []
        for key, label, image in zip(keys, labels, images):
            offered = self.offered(label, key, shuffle=False)
            scores = class_log_likelihoods(
                self.vlm, image, self.prompt_text, [self.continuations[p] for p in offered], reduce=self.reduce
            )
            best = int(scores.argmax())
            predictions.append(Prediction(self.class_indices[offered[best]], None, float(scores[best])))
        return predictions


class ClipMethod(Method):
    name = "clip"

    def __init__(self, encoder: DualEncoderModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None, templates: str | None) -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)
        self.encoder = encoder
        if prompt is not None and CLASS_PLACEHOLDER not in prompt:
            raise FreqscopeError(f"--prompt {prompt!r} for --method clip needs {CLASS_PLACEHOLDER} where the class name goes")
        self.templates_source, self.templates = load_templates(prompt or templates, class_list.name)
        self.prompt = self.templates[0] if len(self.templates) == 1 else f"{len(self.templates)} templates ({self.templates_source})"
        self.class_embeddings = self._class_embeddings()

    def _class_embeddings(self) -> Any:
        """Template ensembling (Radford et al. 2021): mean of each class's normalised prompt embeddings, renormalised."""
        torch = self.encoder.torch
        per_template = [
            self.encoder.encode_texts([t.replace(CLASS_PLACEHOLDER, name) for name in self.class_names])
            for t in self.templates
        ]
        return torch.nn.functional.normalize(torch.stack(per_template).mean(0), dim=-1)

    def predict(self, keys: list[str], labels: list[int], images: list[Any]) -> list[Prediction]:
        similarities = (self.encoder.encode_images(images) @ self.class_embeddings.T).cpu()
        predictions = []
        for row, (key, label) in enumerate(zip(keys, labels)):
            offered = self.offered(label, key, shuffle=False)
            scores = similarities[row, offered]
            best = int(scores.argmax())
            predictions.append(Prediction(self.class_indices[offered[best]], None, float(scores[best])))
        return predictions


def build_method(
    method: str, model: VisionLanguageModel | DualEncoderModel, class_list: ClassList, *, prompt: str | None,
    seed: int, candidates: int | None, reduce: str, templates: str | None,
) -> Method:
    if method not in METHODS:
        raise FreqscopeError(f"--method {method} is not one of {', '.join(METHODS)}")
    if (method == "clip") != isinstance(model, DualEncoderModel):
        if method == "clip":
            raise FreqscopeError(f"--method clip needs a CLIP-style dual encoder; {model.name_or_path} is a generative VLM")
        raise FreqscopeError(f"--method {method} needs a generative VLM; {model.name_or_path} is a dual encoder: use --method clip")
    if method == "open":
        if candidates is not None:
            raise FreqscopeError("--candidates applies to --method closed, likelihood and clip, not open")
        return OpenEndedMethod(model, class_list, prompt=prompt, seed=seed)
    if method == "closed":
        return ClosedSetMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates)
    if method == "likelihood":
        return LikelihoodMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates, reduce=reduce)
    return ClipMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates, templates=templates)
