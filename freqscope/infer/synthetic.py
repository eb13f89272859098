"""Random-weight models built from configs, their tokenizers and generated images: no download needed.

``FAMILIES`` builds one tiny model of each family freqscope supports (LLaVA-1.5 and -NeXT, Idefics3, BLIP-2,
InstructBLIP, Qwen2/2.5/3-VL, Gemma-3, PaliGemma, CLIP, SigLIP, SigLIP2) in memory (``build_tiny``) or as a
checkpoint folder in a real checkpoint's layout (``save_tiny``: config, safetensors, tokenizer, processor, chat
template), which loads through the same ``from_pretrained`` path as the real models. ``benchmarks/gpu_check.py``
builds LLaVA-1.5-7B and CLIP ViT-L/14-336 shapes on the GPU. Their answers are noise; their shapes and code
paths are real. Only torch, transformers and tokenizers are imported (and only when a model is built).
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# LLaVA-1.5's own conversation format ("USER: <image>\n... ASSISTANT:"), as a chat template.
LLAVA_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: "
    "{% for part in message['content'] %}{% if part['type'] == 'image' %}<image>\n{% else %}{{ part['text'] }}{% endif %}{% endfor %}"
    " {% else %}ASSISTANT: {% for part in message['content'] %}{{ part['text'] }}{% endfor %}</s>{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)
SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<image>"]
BASE_TEXT = [
    "USER: What type of object is in this photo? ASSISTANT:",
    'Choose one from "a, b". Question: Answer: a photo of a .',
]


def chat_template(image_text: str = "<image>\n") -> str:
    """LLaVA-1.5's conversation format with ``image_text`` where an image goes (each family has its placeholder)."""
    return LLAVA_CHAT_TEMPLATE.replace("<image>\n", image_text)


def build_tokenizer(
    words: Iterable[str], vocab_size: int = 600, *, wrap_bos_eos: bool = False, specials: Iterable[str] = (),
    template: str | None = LLAVA_CHAT_TEMPLATE, named_specials: dict[str, str] | None = None,
) -> Any:
    """A byte-level BPE trained on the class names and prompts: any text encodes, class names in few tokens.

    ``wrap_bos_eos`` adds <s> ... </s> around every text, as CLIP's text tower expects (it pools at </s>);
    ``specials`` are a family's placeholder tokens (``<|image_pad|>``, ``<start_of_image>``, ...), and
    ``named_specials`` the attributes its processor reads (``{"boi_token": "<start_of_image>"}``).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    named_specials = named_specials or {}
    special_tokens = list(dict.fromkeys([*SPECIAL_TOKENS, *specials, *named_specials.values()]))
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special_tokens, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator([*BASE_TEXT, *words], trainer)
    if wrap_bos_eos:
        bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token=None,
        chat_template=template, padding_side="left", model_max_length=4096,
        extra_special_tokens=named_specials or None,
    )


# Shapes: "tiny" builds in well under a second on a CPU; "llava-1.5-7b" is LLaVA-1.5-7B's (CLIP ViT-L/14 at 336
# px, 576 image tokens, Llama-2-7B), for the GPU check.
LLAVA_SHAPES: dict[str, dict[str, Any]] = {
    "tiny": {
        "vision": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                       image_size=32, patch_size=8, projection_dim=32),
        "text": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                     num_key_value_heads=2),
        "vocab_size": None,  # the tokenizer's
    },
    "llava-1.5-7b": {
        "vision": dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                       image_size=336, patch_size=14, projection_dim=768),
        "text": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                     num_key_value_heads=32),
        "vocab_size": 32064,
    },
}


def llava_config_and_processor(words: Iterable[str], shape: str = "tiny") -> tuple[Any, Any]:
    """A LLaVA-1.5 config of the given shape and a processor (image processor, tokenizer, chat template)."""
    from transformers import CLIPImageProcessor, CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaProcessor

    dims = LLAVA_SHAPES[shape]
    tokenizer = build_tokenizer(words)
    vision = CLIPVisionConfig(**dims["vision"])
    text = LlamaConfig(
        vocab_size=dims["vocab_size"] or len(tokenizer), max_position_embeddings=4096,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, **dims["text"],
    )
    side = vision.image_size
    n_image_tokens = (side // vision.patch_size) ** 2
    config = LlavaConfig(
        vision_config=vision, text_config=text, image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        image_seq_length=n_image_tokens, vision_feature_layer=-2,
    )
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": side}, crop_size={"height": side, "width": side}),
        tokenizer=tokenizer, patch_size=vision.patch_size, vision_feature_select_strategy="default",
        chat_template=LLAVA_CHAT_TEMPLATE, num_additional_image_tokens=1,
    )
    return config, processor


def tiny_llava(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """LLaVA-1.5: one fixed-size image, 16 image tokens at the tiny shape."""
    from transformers import LlavaForConditionalGeneration

    return LlavaForConditionalGeneration, *llava_config_and_processor(words, "tiny")


def tiny_blip2(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """BLIP-2 (OPT language model, no chat template: prompted "Question: ... Answer:")."""
    from transformers import (Blip2Config, Blip2ForConditionalGeneration, Blip2Processor, Blip2QFormerConfig,
                              Blip2VisionConfig, BlipImageProcessor, OPTConfig)

    tokenizer = build_tokenizer(words)
    tokenizer.chat_template = None
    n_query_tokens = 4
    config = Blip2Config(
        vision_config=Blip2VisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=2, image_size=32, patch_size=8),
        qformer_config=Blip2QFormerConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                          num_attention_heads=2, encoder_hidden_size=32),
        text_config=OPTConfig(vocab_size=len(tokenizer), hidden_size=64, ffn_dim=128, num_hidden_layers=2,
                              num_attention_heads=4, word_embed_proj_dim=64, max_position_embeddings=512,
                              pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                              eos_token_id=tokenizer.eos_token_id),
        num_query_tokens=n_query_tokens, image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
    )
    processor = Blip2Processor(
        image_processor=BlipImageProcessor(size={"height": 32, "width": 32}), tokenizer=tokenizer,
        num_query_tokens=n_query_tokens,
    )
    return Blip2ForConditionalGeneration, config, processor


CLIP_SHAPES: dict[str, dict[str, Any]] = {
    "tiny": {
        "text": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2),
        "vision": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                       image_size=32, patch_size=8),
        "projection_dim": 16,
    },
    "clip-vit-l-14-336": {
        "text": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12),
        "vision": dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                       image_size=336, patch_size=14),
        "projection_dim": 768,
    },
}


def clip_config_and_processor(words: Iterable[str], shape: str = "tiny") -> tuple[Any, Any]:
    """A CLIP config of the given shape and its processor."""
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPProcessor, CLIPTextConfig, CLIPVisionConfig

    dims = CLIP_SHAPES[shape]
    tokenizer = build_tokenizer(words, wrap_bos_eos=True)
    tokenizer.chat_template = None
    tokenizer.padding_side = "right"
    config = CLIPConfig(
        text_config=CLIPTextConfig(vocab_size=len(tokenizer), max_position_embeddings=77,
                                   pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                                   eos_token_id=tokenizer.eos_token_id, **dims["text"]),
        vision_config=CLIPVisionConfig(**dims["vision"]),
        projection_dim=dims["projection_dim"],
    )
    side = dims["vision"]["image_size"]
    processor = CLIPProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": side}, crop_size={"height": side, "width": side}),
        tokenizer=tokenizer,
    )
    return config, processor


def tiny_clip(words: Iterable[str]) -> tuple[Any, Any, Any]:
    from transformers import CLIPModel

    return CLIPModel, *clip_config_and_processor(words, "tiny")


def random_model(model_class: Any, config: Any, *, device: str, dtype: Any, seed: int = 0) -> Any:
    """A model with random weights made directly on the device in the dtype (a 7B model in seconds, no copy)."""
    import torch

    torch.manual_seed(seed)
    with torch.device(device):
        return model_class._from_config(config, dtype=dtype).eval()


def generated_image(seed: int, size: tuple[int, int] = (48, 40)) -> Any:
    """A small RGB image of coloured rectangles, different for each seed."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        x0, y0 = rng.randrange(size[0] - 4), rng.randrange(size[1] - 4)
        x1, y1 = rng.randrange(x0 + 2, size[0]), rng.randrange(y0 + 2, size[1])
        draw.rectangle((x0, y0, x1, y1), fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def write_image_folder(root: Path, class_dirs: Iterable[str], per_class: int, seed: int = 0) -> Path:
    """An image folder dataset: one sub-folder per class with ``per_class`` generated JPEGs each."""
    root = Path(root)
    for k, class_dir in enumerate(class_dirs):
        (root / class_dir).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            generated_image(seed * 100_003 + k * 1_000 + i).save(root / class_dir / f"{i:03d}.jpg")
    return root


# The language-model and vision-tower sizes every tiny family shares.
TINY_TEXT = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
TINY_VISION = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2)


def _token_ids(tokenizer: Any) -> dict[str, int]:
    return dict(pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                eos_token_id=tokenizer.eos_token_id)


def tiny_llava_next(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """LLaVA-NeXT (any-resolution tiles: a base image plus a grid of crops, so images of different shapes
    give different numbers of image tokens)."""
    from transformers import (CLIPVisionConfig, LlamaConfig, LlavaNextConfig, LlavaNextForConditionalGeneration,
                              LlavaNextImageProcessor, LlavaNextProcessor)

    tokenizer = build_tokenizer(words)
    side, patch = 32, 8
    config = LlavaNextConfig(
        vision_config=CLIPVisionConfig(image_size=side, patch_size=patch, projection_dim=32, **TINY_VISION),
        text_config=LlamaConfig(vocab_size=len(tokenizer), max_position_embeddings=4096, **TINY_TEXT,
                                **_token_ids(tokenizer)),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"), vision_feature_layer=-2,
        image_grid_pinpoints=[[side, side], [side, 2 * side], [2 * side, side]],
    )
    processor = LlavaNextProcessor(
        image_processor=LlavaNextImageProcessor(
            size={"shortest_edge": side}, crop_size={"height": side, "width": side},
            image_grid_pinpoints=config.image_grid_pinpoints,
        ),
        tokenizer=tokenizer, patch_size=patch, vision_feature_select_strategy="default",
        chat_template=LLAVA_CHAT_TEMPLATE, num_additional_image_tokens=1,
    )
    return LlavaNextForConditionalGeneration, config, processor


def tiny_qwen2_vl(words: Iterable[str], *, version: str = "2") -> tuple[Any, Any, Any]:
    """Qwen2-VL, Qwen2.5-VL (``version="2.5"``) or Qwen3-VL (``"3"``): native-resolution patches merged 2x2,
    placed with 3-D (M-RoPE) positions: an image of h x w patches takes h/2 x w/2 tokens whose positions
    advance by the grid, so the text after it starts at a position below its index."""
    import transformers

    specials = ["<|vision_start|>", "<|image_pad|>", "<|vision_end|>", "<|video_pad|>"]
    tokenizer = build_tokenizer(words, specials=specials,
                                template=chat_template("<|vision_start|><|image_pad|><|vision_end|>"))
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in specials}
    prefix = {"2": "Qwen2VL", "2.5": "Qwen2_5_VL", "3": "Qwen3VL"}[version]
    module = getattr(transformers.models, {"2": "qwen2_vl", "2.5": "qwen2_5_vl", "3": "qwen3_vl"}[version])
    text = dict(vocab_size=len(tokenizer), max_position_embeddings=4096, **TINY_TEXT, **_token_ids(tokenizer),
                rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]})
    if version == "3":
        text.update(head_dim=16)
        text["rope_parameters"]["mrope_interleaved"] = True
        vision = dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=8,
                      spatial_merge_size=2, temporal_patch_size=2, num_position_embeddings=64,
                      deepstack_visual_indexes=[0])
    elif version == "2.5":
        vision = dict(depth=2, hidden_size=32, intermediate_size=64, num_heads=2, out_hidden_size=64, patch_size=8,
                      spatial_merge_size=2, temporal_patch_size=2, window_size=32, fullatt_block_indexes=[1])
    else:
        vision = dict(depth=2, embed_dim=32, hidden_size=64, num_heads=2, patch_size=8, spatial_merge_size=2,
                      temporal_patch_size=2)
    config_class = getattr(module, f"{prefix}Config")
    text_class = getattr(module, f"{prefix}TextConfig")
    vision_class = getattr(module, f"{prefix}VisionConfig")
    config = config_class(
        text_config=text_class(**text), vision_config=vision_class(**vision),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
    )
    image_processor = transformers.Qwen2VLImageProcessor(
        patch_size=8, merge_size=2, temporal_patch_size=2, min_pixels=16 * 16, max_pixels=64 * 64,
    )
    processor = _without_video_processor(getattr(transformers, f"{prefix}Processor"))(
        image_processor=image_processor, tokenizer=tokenizer, video_processor=None, chat_template=tokenizer.chat_template,
    )
    return getattr(transformers, f"{prefix}ForConditionalGeneration"), config, processor


def tiny_gemma3(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """Gemma-3: sliding-window layers (a window of 8 tokens, shorter than any prompt, so a class name sees only
    the end of the prefix there) between global ones, and bidirectional attention inside the image."""
    from transformers import (Gemma3Config, Gemma3ForConditionalGeneration, Gemma3ImageProcessor, Gemma3Processor,
                              Gemma3TextConfig, SiglipVisionConfig)

    named = {"boi_token": "<start_of_image>", "eoi_token": "<end_of_image>", "image_token": "<image_soft_token>"}
    tokenizer = build_tokenizer(words, named_specials=named, template=chat_template("<start_of_image>"))
    side, patch, tokens_per_image = 32, 8, 4
    config = Gemma3Config(
        text_config=Gemma3TextConfig(vocab_size=len(tokenizer), max_position_embeddings=4096, head_dim=16,
                                     sliding_window=8, layer_types=["sliding_attention", "full_attention"],
                                     **TINY_TEXT, **_token_ids(tokenizer)),
        vision_config=SiglipVisionConfig(image_size=side, patch_size=patch, **TINY_VISION),
        mm_tokens_per_image=tokens_per_image,
        boi_token_index=tokenizer.convert_tokens_to_ids(named["boi_token"]),
        eoi_token_index=tokenizer.convert_tokens_to_ids(named["eoi_token"]),
        image_token_index=tokenizer.convert_tokens_to_ids(named["image_token"]),
    )
    processor = Gemma3Processor(
        image_processor=Gemma3ImageProcessor(size={"height": side, "width": side}), tokenizer=tokenizer,
        chat_template=tokenizer.chat_template, image_seq_length=tokens_per_image,
    )
    return Gemma3ForConditionalGeneration, config, processor


def tiny_idefics3(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """Idefics3 (SmolVLM's architecture): an image split into tiles plus a global view, pixel-shuffled."""
    from transformers import (Idefics3Config, Idefics3ForConditionalGeneration, Idefics3ImageProcessor,
                              Idefics3Processor, Idefics3VisionConfig, LlamaConfig)

    specials = ["<fake_token_around_image>", "<global-img>", "<end_of_utterance>",
                *[f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]]
    tokenizer = build_tokenizer(words, specials=specials, template=chat_template("<image>"))
    side, patch, scale = 32, 8, 2
    config = Idefics3Config(
        vision_config=Idefics3VisionConfig(image_size=side, patch_size=patch, **TINY_VISION),
        text_config=LlamaConfig(vocab_size=len(tokenizer), max_position_embeddings=4096, **TINY_TEXT,
                                **_token_ids(tokenizer)),
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"), scale_factor=scale,
    )
    processor = Idefics3Processor(
        image_processor=Idefics3ImageProcessor(size={"longest_edge": 2 * side}, max_image_size={"longest_edge": side}),
        tokenizer=tokenizer, image_seq_len=(side // patch) ** 2 // scale**2, chat_template=tokenizer.chat_template,
    )
    return Idefics3ForConditionalGeneration, config, processor


def tiny_paligemma(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """PaliGemma: image tokens and the prompt form a prefix that attends both ways; no chat template (the
    prompt is a task, "answer en ..."); the language model is Gemma."""
    from transformers import (GemmaConfig, PaliGemmaConfig, PaliGemmaForConditionalGeneration, PaliGemmaProcessor,
                              SiglipImageProcessor, SiglipVisionConfig)

    tokenizer = build_tokenizer(words, template=None)
    side, patch = 32, 8
    tokens_per_image = (side // patch) ** 2
    config = PaliGemmaConfig(
        vision_config=SiglipVisionConfig(image_size=side, patch_size=patch, projection_dim=64, **TINY_VISION),
        text_config=GemmaConfig(vocab_size=len(tokenizer), max_position_embeddings=4096, head_dim=16, **TINY_TEXT,
                                **_token_ids(tokenizer)),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"), projection_dim=64,
    )
    config.text_config.num_image_tokens = tokens_per_image
    image_processor = SiglipImageProcessor(size={"height": side, "width": side})
    image_processor.image_seq_length = tokens_per_image
    processor = PaliGemmaProcessor(image_processor=image_processor, tokenizer=tokenizer)
    return PaliGemmaForConditionalGeneration, config, processor


def tiny_instructblip(words: Iterable[str]) -> tuple[Any, Any, Any]:
    """InstructBLIP: BLIP-2 whose Q-Former also reads the question (its own tokenizer); Vicuna (Llama) decoder."""
    from transformers import (BlipImageProcessor, InstructBlipConfig, InstructBlipForConditionalGeneration,
                              InstructBlipProcessor, InstructBlipQFormerConfig, InstructBlipVisionConfig, LlamaConfig)

    tokenizer = build_tokenizer(words, template=None)
    qformer_tokenizer = build_tokenizer(words, template=None)
    n_query_tokens = 4
    config = InstructBlipConfig(
        vision_config=InstructBlipVisionConfig(image_size=32, patch_size=8, **TINY_VISION),
        qformer_config=InstructBlipQFormerConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                                 num_attention_heads=2, encoder_hidden_size=32,
                                                 vocab_size=len(qformer_tokenizer), pad_token_id=qformer_tokenizer.pad_token_id),
        text_config=LlamaConfig(vocab_size=len(tokenizer), max_position_embeddings=4096, **TINY_TEXT,
                                **_token_ids(tokenizer)),
        num_query_tokens=n_query_tokens, image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
    )
    processor = InstructBlipProcessor(
        image_processor=BlipImageProcessor(size={"height": 32, "width": 32}), tokenizer=tokenizer,
        qformer_tokenizer=qformer_tokenizer, num_query_tokens=n_query_tokens,
    )
    return InstructBlipForConditionalGeneration, config, processor


def tiny_siglip(words: Iterable[str], *, version: str = "1") -> tuple[Any, Any, Any]:
    """SigLIP (``version="1"``) or SigLIP2 (``"2"``, NaFlex: native aspect ratio, a variable number of patches with
    ``pixel_attention_mask`` and ``spatial_shapes``). The text tower pools its last position, so texts are padded
    to the fixed length it was trained with (16 here, 64 in the real models)."""
    import transformers

    tokenizer = build_tokenizer(words, template=None)
    tokenizer.padding_side = "right"
    tokenizer.model_max_length = 16
    prefix = "Siglip" if version == "1" else "Siglip2"
    text = getattr(transformers, f"{prefix}TextConfig")(
        vocab_size=len(tokenizer), max_position_embeddings=16, **TINY_VISION, **_token_ids(tokenizer))
    if version == "1":
        vision = transformers.SiglipVisionConfig(image_size=32, patch_size=8, **TINY_VISION)
        image_processor = transformers.SiglipImageProcessor(size={"height": 32, "width": 32})
    else:
        vision = transformers.Siglip2VisionConfig(num_patches=16, patch_size=8, **TINY_VISION)
        image_processor = transformers.Siglip2ImageProcessor(patch_size=8, max_num_patches=16)
    config = getattr(transformers, f"{prefix}Config")(text_config=text, vision_config=vision)
    processor = getattr(transformers, f"{prefix}Processor")(image_processor=image_processor, tokenizer=tokenizer)
    return getattr(transformers, f"{prefix}Model"), config, processor


def _without_video_processor(processor_class: Any) -> Any:
    """``processor_class`` built without a video processor: transformers 5 asks Qwen-VL processors for one, and
    its video processors need torchvision; images alone need neither (the processor never touches it)."""

    def check_argument_for_proper_class(self: Any, attribute_name: str, argument: Any) -> Any:
        if argument is None and attribute_name == "video_processor":
            return None
        return processor_class.check_argument_for_proper_class(self, attribute_name, argument)

    return type(processor_class.__name__, (processor_class,), {"check_argument_for_proper_class": check_argument_for_proper_class})


# Family name -> builder of (model class, config, processor) at tiny shapes.
FAMILIES: dict[str, Any] = {
    "llava": tiny_llava,
    "llava_next": tiny_llava_next,
    "idefics3": tiny_idefics3,
    "blip2": tiny_blip2,
    "qwen2_vl": tiny_qwen2_vl,
    "qwen2_5_vl": lambda words: tiny_qwen2_vl(words, version="2.5"),
    "qwen3_vl": lambda words: tiny_qwen2_vl(words, version="3"),
    "gemma3": tiny_gemma3,
    "paligemma": tiny_paligemma,
    "instructblip": tiny_instructblip,
    "clip": tiny_clip,
    "siglip": tiny_siglip,
    "siglip2": lambda words: tiny_siglip(words, version="2"),
}


def build_tiny(family: str, words: Iterable[str], seed: int = 0) -> tuple[Any, Any]:
    """A random-weight tiny model of ``family`` (seeded, fp32, on the CPU) and its processor, in memory."""
    import torch

    model_class, config, processor = FAMILIES[family](words)
    torch.manual_seed(seed)
    return model_class(config).eval(), processor


def save_tiny(family: str, directory: Path, words: Iterable[str], seed: int = 0) -> Path:
    """A random-weight tiny model of ``family`` saved with its processor as a checkpoint directory (safetensors)."""
    model, processor = build_tiny(family, words, seed)
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
    return Path(directory)


def save_tiny_llava(directory: Path, words: Iterable[str], seed: int = 0) -> Path:
    """A random-weight tiny LLaVA-1.5 checkpoint directory (the family most tests and benchmarks use)."""
    return save_tiny("llava", directory, words, seed)
