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


def class_log_likelihoods(
    vlm: VisionLanguageModel,
    image: Any,
    prompt_text: str,
    continuations: list[list[int]],
    *,
    reduce: str = "mean",
    tokens_per_pass: int = TOKENS_PER_PASS,
) -> Any:
    """log p(continuation | image, prompt) for each continuation, summed or averaged over its tokens (a CPU tensor)."""
    torch = vlm.torch
    if vlm.decoder is None:
        raise FreqscopeError(f"model {vlm.name_or_path} has an encoder-decoder language model: use --method open or closed")
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}, not {reduce!r}")
    prefix = vlm.inputs([image], [prompt_text])
    with torch.inference_mode():
        output = vlm.model(**prefix, use_cache=True)
        cache = output_cache(output)
        prefix_length = prefix["input_ids"].shape[1]
        first_token_log_probs = output.logits[0, -1].float().log_softmax(-1)
        scores = torch.zeros(len(continuations), dtype=torch.float32, device=vlm.device)
        device = vlm.device
        min_value = torch.finfo(vlm.dtype).min
        for pack in _packs([len(c) for c in continuations], tokens_per_pass):
            tokens = torch.tensor([t for i in pack for t in continuations[i]], device=device)
            owner = torch.tensor([i for i in pack for _ in continuations[i]], device=device)
            offset = torch.tensor([j for i in pack for j in range(len(continuations[i]))], device=device)
            n_tokens = tokens.shape[0]
            # Token q sees the whole prefix, and token k of the pack when k is an earlier-or-same token of its class.
            sees = (owner[:, None] == owner[None, :]) & (offset[None, :] <= offset[:, None])
            mask = torch.zeros((1, 1, n_tokens, prefix_length + n_tokens), dtype=vlm.dtype, device=device)
            mask[0, 0, :, prefix_length:].masked_fill_(~sees, min_value)
            pass_output = vlm.decoder(
                input_ids=tokens[None], attention_mask=mask, position_ids=(prefix_length + offset)[None],
                use_cache=True, **{vlm.cache_keyword: cache},
            )
            log_probs = pass_output.logits[0].float().log_softmax(-1)
            # A class's first token is predicted by the prefix; each later one by the token before it.
            token_log_probs = torch.empty(n_tokens, dtype=torch.float32, device=device)
            first = offset == 0
            token_log_probs[first] = first_token_log_probs[tokens[first]]
            later = (~first).nonzero().squeeze(-1)
            token_log_probs[later] = log_probs[later - 1, tokens[later]]
            scores.index_add_(0, owner, token_log_probs)
            cache.crop(-n_tokens)
        if reduce == "mean":
            scores /= torch.tensor([len(c) for c in continuations], dtype=torch.float32, device=device)
    return scores.cpu()
