"""Every model family on tiny random-weight models (CPU, offline): the packed likelihood equals one full forward
pass per class, and batched generation runs, for each of them."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
from freqscope.infer import synthetic  # noqa: E402
from freqscope.infer.likelihood import batch_log_likelihoods, class_log_likelihoods  # noqa: E402
from freqscope.infer.models import VisionLanguageModel  # noqa: E402

GENERATIVE = ["llava", "llava_next", "idefics3", "blip2", "instructblip", "qwen2_vl", "qwen2_5_vl", "qwen3_vl",
              "gemma3", "paligemma"]
# Shared first tokens (the mask must keep classes apart), one-token and several-token names.
NAMES = ["golden retriever", "tabby cat", "goldfish", "sea lion", "goldfish bowl", "golden", "cat",
         "great white shark", "a"]
# Different sizes and aspect ratios: several image tiles (LLaVA-NeXT, Idefics3) and 2-D token grids (Qwen-VL).
IMAGE_SIZES = [(64, 48), (40, 72)]


@pytest.fixture(scope="module", params=GENERATIVE)
def family_vlm(request):
    model, processor = synthetic.build_tiny(request.param, NAMES)
    return VisionLanguageModel(model, processor, name_or_path=f"tiny-{request.param}", max_new_tokens=3)


def naive_log_likelihoods(vlm, image, prompt_text, continuations):
    """Each class scored by a full forward pass over image + prompt + class name, positions and masks as the
    model makes them itself (token-type ids extended as text; PaliGemma's as its causal suffix, type 1)."""
    prefix = vlm.inputs([image], [prompt_text])
    length = prefix["input_ids"].shape[1]
    scores = []
    for tokens in continuations:
        extra = torch.tensor([tokens])
        inputs = dict(prefix)
        inputs["input_ids"] = torch.cat([prefix["input_ids"], extra], dim=1)
        for key in ("attention_mask", "token_type_ids", "mm_token_type_ids"):
            if key in prefix:
                suffix = key == "attention_mask" or (key == "token_type_ids" and vlm.model_type == "paligemma")
                fill = torch.ones_like(extra) if suffix else torch.zeros_like(extra)
                inputs[key] = torch.cat([prefix[key], fill], dim=1)
        with torch.inference_mode():
            logits = vlm.model(**inputs).logits
        log_probs = logits[0].float().log_softmax(-1)
        total = sum(log_probs[length - 1 + j, t].item() for j, t in enumerate(tokens))
        scores.append(total)
    return torch.tensor(scores)


def test_packed_likelihood_matches_one_pass_per_class(family_vlm):
    vlm = family_vlm
    prompt_text = vlm.prompt_text("What type of object is in this photo?")
    continuations = vlm.continuation_ids(prompt_text, [" " + n for n in NAMES])
    assert any(len(c) == 1 for c in continuations) and any(len(c) >= 3 for c in continuations)
    for seed, size in enumerate(IMAGE_SIZES):
        image = synthetic.generated_image(seed, size)
        naive_sum = naive_log_likelihoods(vlm, image, prompt_text, continuations)
        lengths = torch.tensor([len(c) for c in continuations], dtype=torch.float32)
        for reduce, naive in (("sum", naive_sum), ("mean", naive_sum / lengths)):
            # A small pass budget splits the classes over several passes, cropping the cache back each time.
            packed = class_log_likelihoods(vlm, image, prompt_text, continuations, reduce=reduce, tokens_per_pass=5)
            assert torch.allclose(packed, naive, atol=1e-4), (reduce, (packed - naive).abs().max())
            assert packed.argsort().tolist() == naive.argsort().tolist()


def test_likelihood_batched_across_images_equals_one_image_at_a_time(family_vlm):
    """Two images of one size and one of another: rows of one prefix length go through together, unpadded."""
    vlm = family_vlm
    prompt_text = vlm.prompt_text("What type of object is in this photo?")
    continuations = vlm.continuation_ids(prompt_text, [" " + n for n in NAMES])
    images = [synthetic.generated_image(0, IMAGE_SIZES[0]), synthetic.generated_image(1, IMAGE_SIZES[1]),
              synthetic.generated_image(2, IMAGE_SIZES[0])]
    together = batch_log_likelihoods(vlm, images, prompt_text, continuations, reduce="sum", tokens_per_pass=12)
    alone = torch.stack([class_log_likelihoods(vlm, image, prompt_text, continuations, reduce="sum")
                         for image in images])
    assert torch.allclose(together, alone, atol=1e-4), (together - alone).abs().max()


def test_batched_generation_equals_one_image_at_a_time(family_vlm):
    vlm = family_vlm
    images = [synthetic.generated_image(seed, size) for seed, size in enumerate(IMAGE_SIZES)]
    texts = [vlm.prompt_text("What is it?"), vlm.prompt_text("What type of object is in this photo?")]
    together = vlm.generate(images, texts)
    alone = [vlm.generate([image], [text])[0] for image, text in zip(images, texts)]
    assert together == alone


@pytest.mark.parametrize("family", ["clip", "siglip", "siglip2"])
def test_dual_encoder_embeddings_do_not_depend_on_the_batch(family):
    """SigLIP pools its last position: padded to the batch's longest text, a text's embedding changed with its
    neighbours (cosine 0.74 on the tiny model); SigLIP2 needs its patch mask and grid shapes."""
    from freqscope.infer.models import DualEncoderModel

    model, processor = synthetic.build_tiny(family, NAMES)
    encoder = DualEncoderModel(model, processor, name_or_path=f"tiny-{family}")
    alone = encoder.encode_texts(["a photo of a cat"])[0]
    batched = encoder.encode_texts(["a photo of a cat", "a photo of a great white shark in the sea"])[0]
    assert float(alone @ batched) > 0.9999
    images = [synthetic.generated_image(seed, size) for seed, size in enumerate(IMAGE_SIZES)]
    together = encoder.encode_images(images)
    assert float(together[1] @ encoder.encode_images(images[1:])[0]) > 0.9999


def test_siglip_loads_from_a_checkpoint_and_runs_the_clip_method(tmp_path):
    from freqscope.infer.models import DualEncoderModel, load_model

    checkpoint = synthetic.save_tiny("siglip2", tmp_path / "tiny-siglip2", NAMES)
    encoder = load_model(str(checkpoint), device="cpu", dtype=torch.float32)
    assert isinstance(encoder, DualEncoderModel) and encoder.text_padding["padding"] == "max_length"
    assert encoder.encode_images([synthetic.generated_image(0, (40, 72))]).shape == (1, 32)


@pytest.mark.parametrize("family", ["llava_next", "idefics3", "instructblip", "gemma3", "paligemma"])
def test_family_loads_from_a_checkpoint_folder(family, tmp_path):
    """Through load_model, as a real checkpoint would: safetensors, processor and prompt format."""
    from freqscope.infer.models import load_model

    checkpoint = synthetic.save_tiny(family, tmp_path / family, NAMES)
    vlm = load_model(str(checkpoint), device="cpu", dtype=torch.float32, max_new_tokens=2)
    assert vlm.model_type == family and vlm.decoder is not None
    assert len(vlm.generate([synthetic.generated_image(0)], [vlm.prompt_text("What is it?")])) == 1
