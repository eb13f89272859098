"""Class log-likelihoods as continuations of one encoded image + prompt.

The image and prompt (the prefix) go through the model once; its key-value cache is then shared by every
class name. The continuations are packed side by side into one sequence after the prefix, with a 4-D
attention mask that lets each token see the prefix and the earlier tokens of its own class only, and
position ids that restart after the prefix for each class: one forward pass scores hundreds of classes,
exactly as if each had been appended to the prefix alone. After each pass the cache is cropped back to
the prefix.
"""
from __future__ import annotations

from typing import Any

from freqscope.errors import FreqscopeError
from freqscope.infer.models import VisionLanguageModel, output_cache

REDUCTIONS = ("mean", "sum")
# Continuation tokens per forward pass: bounds the logits (tokens x vocabulary) and the mask held at once.
TOKENS_PER_PASS = 512


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


def _position_shift(model: Any) -> int:
    """How far the position after the prefix lies below its length: 0 for 1-D positions; for M-RoPE (Qwen-VL) the
    prefix's ``rope_deltas``, since an image of h x w tokens advances the positions by max(h, w), not h * w."""
    for holder in (model, getattr(model, "model", None)):
        deltas = getattr(holder, "rope_deltas", None)
        if deltas is not None:
            return int(deltas.reshape(-1)[0])
    return 0


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
    tokens_per_pass: int = TOKENS_PER_PASS,
) -> Any:
    """log p(continuation | image, prompt) for each continuation, summed or averaged over its tokens (a CPU tensor).

    A continuation's last token is scored but never fed (nothing after it is asked for), so a one-token class
    name costs no pass at all: the prefix's own last logits score it.
    """
    torch = vlm.torch
    if vlm.decoder is None:
        raise FreqscopeError(f"model {vlm.name_or_path} has an encoder-decoder language model: use --method open or closed")
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}, not {reduce!r}")
    window = _sliding_window(vlm)
    prefix = vlm.inputs([image], [prompt_text])
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
        next_position = prefix_length + _position_shift(vlm.model)
        first_token_log_probs = output.logits[0, -1].float().log_softmax(-1)
        device = vlm.device
        scores = torch.tensor([float(first_token_log_probs[c[0]]) for c in continuations], dtype=torch.float32)
        min_value = torch.finfo(vlm.dtype).min
        fed = [c[:-1] for c in continuations]  # token j of a class is predicted by its token j - 1
        multi = [i for i, tokens in enumerate(fed) if tokens]
        for pack in _packs([len(fed[i]) for i in multi], tokens_per_pass):
            members = [multi[k] for k in pack]
            tokens = torch.tensor([t for i in members for t in fed[i]], device=device)
            owner = torch.tensor([i for i in members for _ in fed[i]], device=device)
            offset = torch.tensor([j for i in members for j in range(len(fed[i]))], device=device)
            n_tokens = tokens.shape[0]
            # Token q sees the whole prefix, and token k of the pack when k is an earlier-or-same token of its class.
            sees = (owner[:, None] == owner[None, :]) & (offset[None, :] <= offset[:, None])
            mask = torch.zeros((1, 1, n_tokens, prefix_length + n_tokens), dtype=vlm.dtype, device=device)
            mask[0, 0, :, prefix_length:].masked_fill_(~sees, min_value)
            attention_mask: Any = mask
            if window is not None:
                # Sliding layers: also nothing `window` or more positions back (Gemma-3's q - k < window).
                key_positions = torch.cat([torch.arange(prefix_length, device=device), prefix_length + offset])
                too_far = (prefix_length + offset)[:, None] - key_positions[None, :] >= window
                attention_mask = {"full_attention": mask,
                                  "sliding_attention": mask.masked_fill(too_far[None, None], min_value)}
            pass_output = vlm.decoder(
                input_ids=tokens[None], attention_mask=attention_mask, position_ids=(next_position + offset)[None],
                use_cache=True, **{vlm.cache_keyword: cache},
            )
            log_probs = pass_output.logits[0].float().log_softmax(-1)
            targets = torch.tensor([t for i in members for t in continuations[i][1:]], device=device)
            token_log_probs = log_probs.gather(1, targets[:, None]).squeeze(1)
            scores.index_add_(0, owner.cpu(), token_log_probs.cpu())
            cache.crop(-n_tokens)
        if reduce == "mean":
            scores /= torch.tensor([len(c) for c in continuations], dtype=torch.float32)
    return scores
