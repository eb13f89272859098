"""Random-weight models built from configs, their tokenizers and generated images: no download needed.

The tests, ``benchmarks/bench_likelihood.py`` and ``benchmarks/gpu_check.py`` save these next to a real
checkpoint's layout (config, safetensors, tokenizer, processor, chat template) so that they load through the
same ``from_pretrained`` path as the real models. Their answers are noise; their shapes and code paths are real.
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


def build_tokenizer(words: Iterable[str], vocab_size: int = 600, *, wrap_bos_eos: bool = False) -> Any:
    """A byte-level BPE trained on the class names and prompts: any text encodes, class names in few tokens.

    ``wrap_bos_eos`` adds <s> ... </s> around every text, as CLIP's text tower expects (it pools at </s>).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator([*BASE_TEXT, *words], trainer)
    if wrap_bos_eos:
        bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
        )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token=None,
        chat_template=LLAVA_CHAT_TEMPLATE, padding_side="left", model_max_length=4096,
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


def save_tiny_llava(directory: Path, words: Iterable[str], seed: int = 0) -> Path:
    """A random-weight tiny LLaVA saved as a checkpoint directory (safetensors)."""
    from transformers import LlavaForConditionalGeneration

    return _save_random(directory, LlavaForConditionalGeneration, *llava_config_and_processor(words, "tiny"), seed)


def _save_random(directory: Path, model_class: Any, config: Any, processor: Any, seed: int) -> Path:
    """A model of ``config`` with seeded random weights, saved with its processor as a checkpoint directory."""
    import torch

    torch.manual_seed(seed)
    model_class(config).save_pretrained(directory)
    processor.save_pretrained(directory)
    return Path(directory)


def save_tiny_blip2(directory: Path, words: Iterable[str], seed: int = 0) -> Path:
    """A random-weight tiny BLIP-2 (OPT language model, no chat template) saved as a checkpoint directory."""
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
    return _save_random(directory, Blip2ForConditionalGeneration, config, processor, seed)


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


def save_tiny_clip(directory: Path, words: Iterable[str], seed: int = 0) -> Path:
    """A random-weight tiny CLIP saved as a checkpoint directory."""
    from transformers import CLIPModel

    return _save_random(directory, CLIPModel, *clip_config_and_processor(words, "tiny"), seed)


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
