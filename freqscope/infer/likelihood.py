"""Class log-likelihoods as continuations of an encoded image + prompt.

The image and prompt (the prefix) go through the model once; its key-value cache is then shared by every
class name. The continuations are packed side by side into one sequence after the prefix, with a 4-D
attention mask that lets each token see the prefix and the earlier tokens of its own class only, and
position ids that restart after the prefix for each class: one forward pass scores hundreds of classes,
exactly as if each had been appended to the prefix alone. After each pass the cache is cropped back to
the prefix. A class's last token is never fed (only its probability is read). Several images whose prefixes
have one length share each pass (a batch of rows, no padding).

Positions after the prefix follow the model's own: Qwen-VL's M-RoPE places an image on a 2-D grid, so the
text after it continues from the prefix's length plus ``rope_deltas``. Sliding-window layers (Gemma-3) get
their window in the mask, over a cache that keeps the whole prefix.
"""
from __future__ import annotations

from typing import Any

from freqscope.errors import FreqscopeError
from freqscope.infer.models import VisionLanguageModel, output_cache

REDUCTIONS = ("mean", "sum")
# Continuation tokens per forward pass, all rows together: bounds the logits (rows x tokens x vocabulary) held.
# 512 on a CPU; on a GPU a pass of 512 tokens leaves it mostly idle, and 4096 tokens' logits in float32 over
# a 32k vocabulary (0.5 GB, twice with the log-softmax) fit any GPU that holds a 7B model.
TOKENS_PER_PASS = 512
TOKENS_PER_PASS_GPU = 4096
MIN_TOKENS_PER_ROW = 128


def _packs(lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of continuations whose tokens fit the budget (a longer one goes alone)."""
    packs: list[list[int]] = [[]]
    used = 0
    for index, length in enumerate(lengths):
        if packs[-1] and used + length > budget:
            packs.append([])
            used = 0
        packs[-1].append(index)
        used += length
    return packs


def _position_shifts(model: Any, batch_size: int) -> Any:
    """How far the position after each row's prefix lies below its length: 0 for 1-D positions; for M-RoPE
    (Qwen-VL) the prefix's ``rope_deltas``, since an image of h x w tokens advances the positions by max(h, w)."""
    import torch

    for holder in (model, getattr(model, "model", None)):
        deltas = getattr(holder, "rope_deltas", None)
        if deltas is not None:
            return deltas.reshape(-1).expand(batch_size) if deltas.numel() == 1 else deltas.reshape(-1)
    return torch.zeros(batch_size, dtype=torch.long)


def _sliding_window(vlm: VisionLanguageModel) -> int | None:
    """The window of the language model's sliding-window layers (Gemma-3: 1024 tokens), if it has any."""
    text_config = vlm.model.config.get_text_config(decoder=True)
    layer_types = getattr(text_config, "layer_types", None) or ()
    window = getattr(text_config, "sliding_window", None)
    return window if window and "sliding_attention" in layer_types else None


def class_log_likelihoods(
    vlm: VisionLanguageModel,
    image: Any,
    prompt_text: str,
    continuations: list[list[int]],
    *,
    reduce: str = "mean",
    tokens_per_pass: int | None = None,
) -> Any:
    """log p(continuation | image, prompt) for each continuation, summed or averaged over its tokens (a CPU tensor)."""
    return batch_log_likelihoods(vlm, [image], prompt_text, continuations, reduce=reduce,
                                 tokens_per_pass=tokens_per_pass)[0]


def batch_log_likelihoods(
    vlm: VisionLanguageModel,
    images: list[Any],
    prompt_text: str,
    continuations: list[list[int]],
    *,
    reduce: str = "mean",
    tokens_per_pass: int | None = None,
) -> Any:
    """Scores of every continuation for each image (images x continuations, a CPU tensor).

    Images whose prefixes have the same length (always, for a model with a fixed number of image tokens such as
    LLaVA-1.5; images of one size otherwise) go through the model together, with no padding, so each row is
    exactly the single-image computation; the rest one by one.
    """
    if vlm.decoder is None:
        raise FreqscopeError(f"model {vlm.name_or_path} has an encoder-decoder language model: use --method open or closed")
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}, not {reduce!r}")
    if tokens_per_pass is None:
        tokens_per_pass = TOKENS_PER_PASS if vlm.device.type in ("cpu", "mps") else TOKENS_PER_PASS_GPU
    return _grouped_log_likelihoods(vlm, images, prompt_text, continuations, reduce, tokens_per_pass)


def _padded(batch: Any) -> bool:
    mask = batch.get("attention_mask")
    return mask is not None and not bool(mask.all())


def _grouped_log_likelihoods(
    vlm: VisionLanguageModel, images: list[Any], prompt_text: str, continuations: list[list[int]], reduce: str,
    tokens_per_pass: int,
) -> Any:
    """Together when the prefixes need no padding; else by image size; else one by one."""
    torch = vlm.torch
    prefix = vlm.inputs(images, [prompt_text] * len(images))
    if not _padded(prefix):
        return _packed_log_likelihoods(vlm, prefix, continuations, reduce, tokens_per_pass)
    groups: dict[Any, list[int]] = {}
    for index, image in enumerate(images):
        groups.setdefault(getattr(image, "size", index), []).append(index)
    if len(groups) == 1:
        groups = {index: [index] for index in range(len(images))}
    scores = torch.empty((len(images), len(continuations)), dtype=torch.float32)
    for members in groups.values():
        scores[members] = _grouped_log_likelihoods(
            vlm, [images[i] for i in members], prompt_text, continuations, reduce, tokens_per_pass)
    return scores


def _packed_log_likelihoods(
    vlm: VisionLanguageModel, prefix: Any, continuations: list[list[int]], reduce: str, tokens_per_pass: int,
) -> Any:
    """The packed KV-cache pass for a batch of prefixes of one length (no padding: every row is exact)."""
    torch = vlm.torch
    window = _sliding_window(vlm)
    n_rows = prefix["input_ids"].shape[0]
    with torch.inference_mode():
        if window is not None:
            # A cache without the config keeps every layer's whole prefix (a sliding layer's own cache keeps only
            # its window and cannot be cropped back): the window is applied by the mask below instead.
            from transformers import DynamicCache

            output = vlm.model(**prefix, use_cache=True, **{vlm.cache_keyword: DynamicCache()})
        else:
            output = vlm.model(**prefix, use_cache=True)
        cache = output_cache(output)
        prefix_length = prefix["input_ids"].shape[1]
        device = vlm.device
        next_positions = prefix_length + _position_shifts(vlm.model, n_rows).to(device)
        first_tokens = torch.tensor([c[0] for c in continuations], device=device)
        scores = output.logits[:, -1].float().log_softmax(-1)[:, first_tokens].cpu()
        min_value = torch.finfo(vlm.dtype).min
        fed = [c[:-1] for c in continuations]  # token j of a class is predicted by its token j - 1
        multi = [i for i, tokens in enumerate(fed) if tokens]
        # The budget bounds the logits held at once (rows x tokens x vocabulary), but not below 128 tokens a row:
        # a few tokens a row make so many passes that their overhead dominates.
        budget = max(1, tokens_per_pass // n_rows, min(tokens_per_pass, MIN_TOKENS_PER_ROW))
        for pack in _packs([len(fed[i]) for i in multi], budget):
            members = [multi[k] for k in pack]
            tokens = torch.tensor([t for i in members for t in fed[i]], device=device)
            owner = torch.tensor([i for i in members for _ in fed[i]], device=device)
            offset = torch.tensor([j for i in members for j in range(len(fed[i]))], device=device)
            n_tokens = tokens.shape[0]
            # Token q sees the whole prefix, and token k of the pack when k is an earlier-or-same token of its class.
            sees = (owner[:, None] == owner[None, :]) & (offset[None, :] <= offset[:, None])
            mask = torch.zeros((1, 1, n_tokens, prefix_length + n_tokens), dtype=vlm.dtype, device=device)
            mask[0, 0, :, prefix_length:].masked_fill_(~sees, min_value)
            attention_mask: Any = mask.expand(n_rows, -1, -1, -1)
            if window is not None:
                # Sliding layers: also nothing `window` or more positions back (Gemma-3's q - k < window).
                key_positions = torch.cat([torch.arange(prefix_length, device=device), prefix_length + offset])
                too_far = (prefix_length + offset)[:, None] - key_positions[None, :] >= window
                attention_mask = {"full_attention": attention_mask, "sliding_attention": mask.masked_fill(
                    too_far[None, None], min_value).expand(n_rows, -1, -1, -1)}
            pass_output = vlm.decoder(
                input_ids=tokens[None].expand(n_rows, -1), attention_mask=attention_mask,
                position_ids=next_positions[:, None] + offset[None], use_cache=True, **{vlm.cache_keyword: cache},
            )
            targets = torch.tensor([t for i in members for t in continuations[i][1:]], device=device)
            token_log_probs = pass_output.logits.float().log_softmax(-1).gather(
                2, targets[None, :, None].expand(n_rows, -1, 1)).squeeze(2)
            scores.index_add_(1, owner.cpu(), token_log_probs.cpu())
            cache.crop(-n_tokens)
        if reduce == "mean":
            scores /= torch.tensor([len(c) for c in continuations], dtype=torch.float32)
    return scores
