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
from freqscope.infer.likelihood import batch_log_likelihoods, class_log_likelihoods
from freqscope.infer.models import DualEncoderModel, VisionLanguageModel
from freqscope.infer.protocols import (PROTOCOLS, SCORINGS, SEED_CLIP_TEMPLATE, deduplicated_names,
                                       seed_answer_prefix, seed_prompt_format, substring_correct)
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

    def prepare(self, keys: list[str], labels: list[int], images: list[Any]) -> Any:
        """CPU work for a batch that needs no model (the processor's tensors), run by the runner's reader threads
        ahead of ``predict``; None where a method has none."""
        return None

    @abstractmethod
    def predict(self, keys: list[str], labels: list[int], images: list[Any], prepared: Any = None) -> list[Prediction]:
        """One prediction per image, in order; ``prepared`` is ``prepare``'s result for the same batch, if run."""


def _prompt_format(vlm: VisionLanguageModel, protocol: str) -> str | None:
    return seed_prompt_format(vlm.model_type, vlm.name_or_path) if protocol == "vlmclassifier" else None


class OpenEndedMethod(Method):
    name = "open"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None = None, protocol: str = "freqscope", scoring: str = "matcher") -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)
        if scoring not in SCORINGS:
            raise FreqscopeError(f"--scoring {scoring} is not one of {', '.join(SCORINGS)}")
        self.vlm = vlm
        self.prompt = prompt or DEFAULT_QUESTION
        self.protocol = protocol
        self.prompt_format = _prompt_format(vlm, protocol)
        self.scoring = scoring
        self.parser = AnswerParser(class_list) if scoring == "matcher" else None

    def parse(self, answers: list[str], labels: list[int]) -> list[int | None]:
        if self.parser is not None:
            return self.parser.parse(answers, labels)
        # The seed's rule: right when the label's name is in the answer; a wrong answer names no class.
        return [label if substring_correct(self.class_names[self.position_of[label]], answer) else None
                for answer, label in zip(answers, labels)]

    def texts(self, keys: list[str], labels: list[int]) -> list[str]:
        return [self.vlm.prompt_text(self.prompt, self.prompt_format)] * len(keys)

    def prepare(self, keys: list[str], labels: list[int], images: list[Any]) -> Any:
        return self.vlm.encode(images, self.texts(keys, labels))

    def predict(self, keys: list[str], labels: list[int], images: list[Any], prepared: Any = None) -> list[Prediction]:
        answers = self.vlm.generate(images, self.texts(keys, labels), prepared)
        return [Prediction(p, a) for p, a in zip(self.parse(answers, labels), answers)]


def seed_closed_choices(order: list[tuple[str, str]], names: list[str], n_choices: int | None,
                        seed: int) -> dict[str, list[str]]:
    """The choices the seed paper's code offers each image, by key: one ``random`` stream seeded once, that first
    shuffles the images (main_results/main.py:69-70), then for each image in that order draws the label's
    companions from the distinct names and shuffles them in (main.py:95-101). ``order``: (key, label name) in
    the manifest's order. Replayed whole, so a resumed run, or one in another order, offers the same choices."""
    rng = random.Random(seed)
    shuffled = list(order)
    rng.shuffle(shuffled)
    unique = deduplicated_names(names)
    n_choices = n_choices or len(unique)
    choices = {}
    for key, label_name in shuffled:
        drawn = [label_name, *rng.sample([n for n in unique if n != label_name], n_choices - 1)]
        rng.shuffle(drawn)
        choices[key] = drawn
    return choices


class ClosedSetMethod(OpenEndedMethod):
    name = "closed"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None, protocol: str = "freqscope", scoring: str = "matcher",
                 dataset_order: list[tuple[str, str]] | None = None) -> None:
        super().__init__(vlm, class_list, prompt=prompt, seed=seed, candidates=candidates, protocol=protocol,
                         scoring=scoring)
        self.prompt = f"{prompt or DEFAULT_QUESTION} {CLOSED_SUFFIX}"
        self.unique_names = deduplicated_names(self.class_names)
        self.seed_choices = (seed_closed_choices(dataset_order, self.class_names, candidates, seed)
                             if protocol == "vlmclassifier" and dataset_order is not None else {})

    def question(self, label: int, key: str) -> str:
        if key in self.seed_choices:
            names = self.seed_choices[key]
        elif self.protocol == "vlmclassifier":  # an image outside the dataset's order: drawn for it alone
            # The seed offers the label and a sample of the other distinct names, shuffled (main_results/main.py:95-101).
            label_name = self.class_names[self.position_of[label]]
            others = [n for n in self.unique_names if n != label_name]
            rng = random.Random(f"{self.seed}/{key}")
            names = [label_name, *rng.sample(others, min(len(others), (self.candidates or len(self.unique_names)) - 1))]
            rng.shuffle(names)
        else:
            names = [self.class_names[p] for p in self.offered(label, key, shuffle=True)]
        return self.prompt.format(choices=", ".join(names))

    def texts(self, keys: list[str], labels: list[int]) -> list[str]:
        return [self.vlm.prompt_text(self.question(label, key), self.prompt_format) for key, label in zip(keys, labels)]


class LikelihoodMethod(Method):
    name = "likelihood"

    def __init__(self, vlm: VisionLanguageModel, class_list: ClassList, *, prompt: str | None, seed: int,
                 candidates: int | None, reduce: str, protocol: str = "freqscope", answer_prefix: str | None = None) -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)
        self.vlm = vlm
        self.prompt = prompt or DEFAULT_QUESTION
        self.reduce = reduce
        prompt_format = _prompt_format(vlm, protocol)
        if answer_prefix is None and protocol == "vlmclassifier":
            answer_prefix = seed_answer_prefix(prompt_format or vlm.prompt_text("{question}"))
        self.answer_prefix = answer_prefix
        # "... ASSISTANT: The photo features a" + " golden retriever" (inference_analysis/main.py:170).
        self.prompt_text = vlm.prompt_text(self.prompt, prompt_format) + (f" {answer_prefix}" if answer_prefix else "")
        # " golden retriever" after "ASSISTANT:", tokenised once for the whole run.
        self.continuations = vlm.continuation_ids(self.prompt_text, [" " + name for name in self.class_names])

    def predict(self, keys: list[str], labels: list[int], images: list[Any], prepared: Any = None) -> list[Prediction]:
        if self.candidates is None:  # every image ranks the same classes: the batch goes through together
            every = batch_log_likelihoods(self.vlm, images, self.prompt_text, self.continuations, reduce=self.reduce)
            best = every.argmax(1).tolist()
            return [Prediction(self.class_indices[b], None, float(every[row, b])) for row, b in enumerate(best)]
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
                 candidates: int | None, templates: str | None, protocol: str = "freqscope") -> None:
        super().__init__(class_list, candidates=candidates, seed=seed)
        self.encoder = encoder
        if protocol == "vlmclassifier" and prompt is None and templates is None:
            prompt = SEED_CLIP_TEMPLATE
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

    def prepare(self, keys: list[str], labels: list[int], images: list[Any]) -> Any:
        return self.encoder.preprocess(images)

    def predict(self, keys: list[str], labels: list[int], images: list[Any], prepared: Any = None) -> list[Prediction]:
        similarities = (self.encoder.encode_images(images, prepared) @ self.class_embeddings.T).cpu()
        predictions = []
        for row, (key, label) in enumerate(zip(keys, labels)):
            offered = self.offered(label, key, shuffle=False)
            scores = similarities[row, offered]
            best = int(scores.argmax())
            predictions.append(Prediction(self.class_indices[offered[best]], None, float(scores[best])))
        return predictions


def build_method(
    method: str, model: VisionLanguageModel | DualEncoderModel, class_list: ClassList, *, prompt: str | None,
    seed: int, candidates: int | None, reduce: str, templates: str | None, protocol: str = "freqscope",
    answer_prefix: str | None = None, scoring: str = "matcher", dataset_order: list[tuple[str, str]] | None = None,
) -> Method:
    """``dataset_order``: (key, label name) of every image in the dataset's order, for the seed's closed-set draws."""
    if method not in METHODS:
        raise FreqscopeError(f"--method {method} is not one of {', '.join(METHODS)}")
    if protocol not in PROTOCOLS:
        raise FreqscopeError(f"--protocol {protocol} is not one of {', '.join(PROTOCOLS)}")
    if (method == "clip") != isinstance(model, DualEncoderModel):
        if method == "clip":
            raise FreqscopeError(f"--method clip needs a CLIP-style dual encoder; {model.name_or_path} is a generative VLM")
        raise FreqscopeError(f"--method {method} needs a generative VLM; {model.name_or_path} is a dual encoder: use --method clip")
    if method == "open":
        if candidates is not None:
            raise FreqscopeError("--candidates applies to --method closed, likelihood and clip, not open")
        return OpenEndedMethod(model, class_list, prompt=prompt, seed=seed, protocol=protocol, scoring=scoring)
    if method == "closed":
        return ClosedSetMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates, protocol=protocol,
                               scoring=scoring, dataset_order=dataset_order)
    if method == "likelihood":
        return LikelihoodMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates, reduce=reduce,
                                protocol=protocol, answer_prefix=answer_prefix)
    return ClipMethod(model, class_list, prompt=prompt, seed=seed, candidates=candidates, templates=templates,
                      protocol=protocol)
