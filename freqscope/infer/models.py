"""Model adapters over transformers: vision-language models that answer in text, and CLIP-style dual encoders.

torch and transformers are imported here only, and only when a model is loaded, so the rest of freqscope
runs without the ``infer`` extra.
"""
from __future__ import annotations

import inspect
import threading
from pathlib import Path
from typing import Any

from freqscope.errors import FreqscopeError

INSTALL_HINT = "pip install torch==2.13.0 && pip install -e '.[infer]'"
DTYPES = ("bf16", "fp16", "fp32")
DEVICES = ("cuda", "cpu", "mps")
# Dual encoders scored by image-text similarity; everything else is loaded as a generative VLM.
DUAL_ENCODER_TYPES = ("clip", "siglip", "siglip2", "chinese_clip", "altclip")
# BLIP-2 and InstructBLIP: no chat template, prompted "Question: ... Answer:" (the seed paper's); a wrapper whose
# language model is called directly to continue a cached prefix.
BLIP2_TYPES = ("blip-2", "instructblip")
# PaliGemma: no chat template either; prompted with its VQA task prefix (its processor adds the image tokens).
PALIGEMMA_FORMAT = "answer en {question}"
# Dual encoders whose text tower pools the last position of a fixed-length padded text.
LAST_TOKEN_POOLING_TYPES = ("siglip", "siglip2")
# The seed paper's prompt for models without a chat template (BLIP-2): "Question: ... Answer:".
QUESTION_ANSWER_FORMAT = "Question: {question} Answer:"


def require_torch() -> Any:
    """torch, or a FreqscopeError that says how to install the ``infer`` extra."""
    try:
        import torch
        import transformers  # noqa: F401
        import PIL  # noqa: F401
    except ImportError as exc:
        raise FreqscopeError(
            f"`freqscope infer` needs the infer extra ({exc.name} is not installed): run `{INSTALL_HINT}`"
        ) from None
    return torch


def resolve_device(device: str | None) -> str:
    torch = require_torch()
    if device is None:
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if device not in DEVICES:
        raise FreqscopeError(f"--device {device} is not one of {', '.join(DEVICES)}")
    if device == "cuda" and not torch.cuda.is_available():
        raise FreqscopeError("--device cuda given, but torch sees no CUDA GPU: use --device cpu, or install a CUDA build of torch")
    if device == "mps" and not torch.backends.mps.is_available():
        raise FreqscopeError("--device mps given, but torch sees no Apple GPU: use --device cpu")
    return device


def resolve_dtype(dtype: str | None, device: str) -> Any:
    """bf16 on a GPU and fp32 on the CPU unless told otherwise."""
    torch = require_torch()
    if dtype is None:
        dtype = "fp32" if device == "cpu" else ("fp16" if device == "mps" else "bf16")
    if dtype not in DTYPES:
        raise FreqscopeError(f"--dtype {dtype} is not one of {', '.join(DTYPES)}")
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]


def dtype_name(dtype: Any) -> str:
    torch = require_torch()
    return {torch.bfloat16: "bf16", torch.float16: "fp16", torch.float32: "fp32"}[dtype]


def _cache_keyword(module: Any) -> str:
    # transformers 5 renamed `past_key_values` to `cache`; older 5.x releases only know the first.
    return "cache" if "cache" in inspect.signature(module.forward).parameters else "past_key_values"


def output_cache(output: Any) -> Any:
    for holder in (output, getattr(output, "language_model_outputs", None)):
        if holder is None:
            continue
        for attribute in ("cache", "past_key_values"):  # the new name first: reading the old one warns
            cache = getattr(holder, attribute, None)
            if cache is not None:
                return cache
    raise FreqscopeError("the model returned no key-value cache: the likelihood method needs a decoder-only language model")


class LoadedModel:
    """What every adapter exposes of its torch model."""

    model: Any

    @property
    def device(self) -> Any:
        return self.model.device

    @property
    def dtype(self) -> Any:
        return self.model.dtype


class VisionLanguageModel(LoadedModel):
    """A generative VLM (LLaVA, LLaVA-NeXT, BLIP-2, any image-text-to-text model): prompts in, text out."""

    kind = "vlm"

    def __init__(self, model: Any, processor: Any, *, name_or_path: str, max_new_tokens: int = 64) -> None:
        self.torch = require_torch()
        self.model = model.eval()
        self.processor = processor
        self.name_or_path = name_or_path
        self.max_new_tokens = max_new_tokens
        self.tokenizer = getattr(processor, "tokenizer", processor)
        # Batched generation appends after the prompt: pad on the left.
        self.tokenizer.padding_side = "left"
        # A fast tokenizer used from two threads at once (the runner's preparing thread encodes the next batch
        # while this one decodes) can fail with "Already borrowed": one user at a time.
        self.tokenizer_lock = threading.Lock()
        self.model_type = model.config.model_type
        self.chat_template = getattr(processor, "chat_template", None) or getattr(self.tokenizer, "chat_template", None)
        if self.chat_template is None and self.model_type not in (*BLIP2_TYPES, "paligemma"):
            raise FreqscopeError(
                f"model {name_or_path} ({self.model_type}) has no chat template: pass a model whose processor has one"
            )
        # Continuations of a cached prefix run through the language model itself where the wrapper needs pixels.
        self.decoder = model.language_model if self.model_type in BLIP2_TYPES else model
        if self.model_type in BLIP2_TYPES and getattr(model.config, "use_decoder_only_language_model", True) is False:
            self.decoder = None  # encoder-decoder BLIP-2 (Flan-T5): no causal continuation to score
        self.cache_keyword = _cache_keyword(self.decoder) if self.decoder is not None else None

    def prompt_text(self, question: str, prompt_format: str | None = None) -> str:
        """The text the processor receives: the question in ``prompt_format`` (``{question}`` where it goes) or
        else in the model's chat format, image placeholder included."""
        if prompt_format is not None:
            return prompt_format.format(question=question)
        if self.model_type == "paligemma":
            return PALIGEMMA_FORMAT.format(question=question)
        if self.chat_template is None:
            return QUESTION_ANSWER_FORMAT.format(question=question)
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]
        apply = getattr(self.processor, "apply_chat_template", None) or self.tokenizer.apply_chat_template
        return apply(messages, add_generation_prompt=True, tokenize=False)

    def encode(self, images: list[Any], texts: list[str]) -> Any:
        """The processor's tensors for images and prompts, on the CPU (reader threads prepare them ahead)."""
        # One image per prompt, said as nested lists: Gemma-3's processor reads a flat list of two images as two
        # images for the first prompt; every family's processor takes the nested form.
        with self.tokenizer_lock:
            batch = self.processor(images=[[image] for image in images], text=texts, return_tensors="pt", padding=True)
        batch.pop("labels", None)  # PaliGemma's processor adds training labels: the model would compute a loss
        return batch

    def inputs(self, images: list[Any], texts: list[str], encoded: Any = None) -> Any:
        """The model's inputs on its device: ``encoded`` (from ``encode``) or the images and prompts encoded now."""
        batch = self.encode(images, texts) if encoded is None else encoded
        return batch.to(self.device, dtype=self.dtype) if hasattr(batch, "to") else batch

    def generate(self, images: list[Any], texts: list[str], encoded: Any = None) -> list[str]:
        """Greedy answers, one per image (the seed paper: up to 64 new tokens); stops each answer at its end of
        sequence (a finished row is padded while the others run on)."""
        batch = self.inputs(images, texts, encoded)
        with self.torch.inference_mode():
            output = self.model.generate(
                **batch, max_new_tokens=self.max_new_tokens, do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new_tokens = output[:, batch["input_ids"].shape[1]:]
        with self.tokenizer_lock:
            texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [text.strip() for text in texts]

    def continuation_ids(self, prefix_text: str, continuations: list[str]) -> list[list[int]]:
        """The token ids each continuation adds after the prefix, as the tokenizer splits prefix + continuation.

        Tokenising the whole text and cutting the prefix off keeps SentencePiece's word-boundary tokens right;
        where a merge crosses the boundary, the continuation is tokenised on its own instead.
        """
        with self.tokenizer_lock:
            prefix = self.tokenizer(prefix_text, add_special_tokens=False)["input_ids"]
            wholes = self.tokenizer([prefix_text + c for c in continuations], add_special_tokens=False)["input_ids"]
        result = []
        for continuation, whole in zip(continuations, wholes):
            if whole[: len(prefix)] == prefix and len(whole) > len(prefix):
                result.append(whole[len(prefix):])
            else:
                result.append(self.tokenizer(continuation, add_special_tokens=False)["input_ids"])
        if any(not ids for ids in result):
            empty = [c for c, ids in zip(continuations, result) if not ids][:3]
            raise FreqscopeError(f"class names {empty} give no tokens: check the class list")
        return result


class DualEncoderModel(LoadedModel):
    """CLIP-style zero-shot classifier: image and text embeddings, compared by cosine similarity."""

    kind = "dual_encoder"
    TEXT_BATCH = 256

    def __init__(self, model: Any, processor: Any, *, name_or_path: str) -> None:
        self.torch = require_torch()
        self.model = model.eval()
        self.processor = processor
        self.name_or_path = name_or_path
        self.tokenizer = getattr(processor, "tokenizer", processor)
        self.image_processor = getattr(processor, "image_processor", processor)
        if model.config.model_type in LAST_TOKEN_POOLING_TYPES:
            # SigLIP pools the last position and was trained on texts padded to a fixed length (64): padding to
            # the longest text of a batch would change a text's embedding with its neighbours.
            length = model.config.text_config.max_position_embeddings
            self.text_padding: dict[str, Any] = {"padding": "max_length", "max_length": length}
        else:
            self.text_padding = {"padding": True}

    @staticmethod
    def _embedding(output: Any) -> Any:
        # transformers 5 returns a model output whose pooler_output is the projected embedding.
        return output if hasattr(output, "norm") else output.pooler_output

    def preprocess(self, images: list[Any]) -> Any:
        """The image processor's tensors, on the CPU (reader threads prepare them ahead)."""
        # The image processor itself: a processor's call may lay its own defaults over the image processor's own
        # settings (Siglip2Processor's patch size and patch budget).
        return self.image_processor(images=images, return_tensors="pt")

    def encode_images(self, images: list[Any], preprocessed: Any = None) -> Any:
        batch = (self.preprocess(images) if preprocessed is None else preprocessed).to(self.device)
        # Every image input the tower takes: SigLIP2 also needs pixel_attention_mask and spatial_shapes (its
        # patches keep the image's aspect ratio, so their number varies).
        accepted = inspect.signature(self.model.get_image_features).parameters
        inputs = {k: v.to(self.dtype) if v.is_floating_point() else v for k, v in batch.items() if k in accepted}
        with self.torch.inference_mode():
            embedding = self._embedding(self.model.get_image_features(**inputs))
        return self.torch.nn.functional.normalize(embedding.float(), dim=-1)

    def encode_texts(self, texts: list[str]) -> Any:
        parts = []
        for start in range(0, len(texts), self.TEXT_BATCH):
            batch = self.tokenizer(
                texts[start: start + self.TEXT_BATCH], return_tensors="pt", truncation=True, **self.text_padding
            ).to(self.device)
            with self.torch.inference_mode():
                embedding = self._embedding(self.model.get_text_features(**batch))
            parts.append(self.torch.nn.functional.normalize(embedding.float(), dim=-1))
        return self.torch.cat(parts)


def _looks_like_a_path(model: str) -> bool:
    """A local path rather than a hub id ("org/name"): absolute, relative with ./ or ~, or more than one slash."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


def load_error_cause(model: str, exc: BaseException, allow_pickle: bool) -> str:
    """The real reason a checkpoint did not load, with what to do (transformers' messages run to many lines)."""
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    if type(exc).__name__ == "UnpicklingError":
        return ("its pickled .bin weights hold more than tensors, and torch's safe loader (weights_only) refused "
                "them before any of their code ran; do not use this checkpoint unless you know what it holds")
    if "trust_remote_code" in text:
        return ("the checkpoint needs its own Python code (trust_remote_code), which is off: pass "
                "--trust-remote-code only if you trust its authors")
    if "couldn't connect" in text or "offline" in text.lower() or type(exc).__name__ == "LocalEntryNotFoundError":
        return ("it is not in the local Hugging Face cache and the hub cannot be reached: download it on a machine "
                "with network (huggingface-cli download " + model + ") or pass a local folder")
    if not allow_pickle and Path(model).is_dir() and not list(Path(model).glob("*.safetensors")) \
            and (list(Path(model).glob("*.bin")) or list(Path(model).glob("*.pt"))):
        return ("the folder has only pickled weights (.bin), which can run code when loaded: convert them to "
                "safetensors, or pass --allow-pickle if you trust the checkpoint")
    if "torchvision" in text or "VIDEO_PROCESSOR_MAPPING" in text:
        # transformers 5 builds Qwen-VL and LLaVA-OneVision processors with a video processor, which needs it.
        return "its processor needs torchvision: pip install torchvision (the build that matches your torch)"
    if isinstance(exc, ImportError):
        return f"{first_line} (install the missing package)"
    return f"{type(exc).__name__}: {first_line}"


def load_model(
    model: str, *, device: str, dtype: Any, trust_remote_code: bool = False, allow_pickle: bool = False,
    max_new_tokens: int = 64,
) -> VisionLanguageModel | DualEncoderModel:
    """Load a checkpoint (local path or hub id) with the class its config names."""
    require_torch()
    from transformers import (AutoConfig, AutoModel, AutoModelForImageTextToText, AutoProcessor,
                              Blip2ForConditionalGeneration)

    options = {"trust_remote_code": trust_remote_code}
    if _looks_like_a_path(model) and not Path(model).exists():
        raise FreqscopeError(f"cannot load model {model}: no such folder (give a checkpoint folder or a hub id)")
    if Path(model).is_dir() and not (Path(model) / "config.json").is_file():
        raise FreqscopeError(f"cannot load model {model}: the folder has no config.json (is it a transformers checkpoint?)")
    try:
        config = AutoConfig.from_pretrained(model, **options)
        model_type = config.model_type
        if model_type in DUAL_ENCODER_TYPES:
            model_class = AutoModel
        elif model_type == "blip-2":
            model_class = Blip2ForConditionalGeneration
        else:
            model_class = AutoModelForImageTextToText
        # safetensors only unless --allow-pickle: a pickled checkpoint can run code when it is loaded.
        loaded = model_class.from_pretrained(model, dtype=dtype, use_safetensors=not allow_pickle, **options)
        processor = AutoProcessor.from_pretrained(model, **options)
    except Exception as exc:  # transformers raises OSError, ValueError, KeyError, UnpicklingError, ImportError...
        raise FreqscopeError(f"cannot load model {model}: {load_error_cause(model, exc, allow_pickle)}") from None
    loaded = loaded.to(device)
    if model_type in DUAL_ENCODER_TYPES:
        return DualEncoderModel(loaded, processor, name_or_path=str(model))
    return VisionLanguageModel(loaded, processor, name_or_path=str(model), max_new_tokens=max_new_tokens)
