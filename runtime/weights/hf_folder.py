"""Hugging Face model folders: config.json, `model.safetensors` or shards with their index.

`declared_tensors` reads every shard's header (names and shapes, no weights) so the loader can check
the whole folder against config.json first; `read_tensors` then memory-maps one shard at a time and
yields its tensors converted to the compute dtype, so the whole bf16 model is never held at once.
A missing shard, an unreadable one or a tensor that is not a float names the file and the tensor.
"""
import json
from pathlib import Path
from typing import Iterator, NamedTuple

import torch
from safetensors import SafetensorError, safe_open

from ..config import SUPPORTED_MODEL_TYPES, ModelConfig
from ..errors import ModelFileError, UnsupportedModelError
from .names import external_name, internal_name, split_expert_name
from .shapes import DeclaredTensor

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"


class FolderTensor(NamedTuple):
    declared: DeclaredTensor  # by the model's name, with the shard that holds it
    file_name: str  # its name in the shard


def hf_config(folder: Path) -> ModelConfig:
    """The ModelConfig of config.json (Llama, Mistral or Mixtral)."""
    file = folder / "config.json"
    if not file.is_file():
        raise ModelFileError(folder, "has no config.json; is this a Hugging Face model folder?")
    values = _read_json(file)
    if values.get("model_type") not in SUPPORTED_MODEL_TYPES:
        raise UnsupportedModelError(file, f"model_type {values.get('model_type')!r} is not supported "
                                          f"(Octet runs {', '.join(SUPPORTED_MODEL_TYPES)})")
    try:
        return ModelConfig.from_dict(values)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise ModelFileError(file, f"holds an unusable model configuration ({error})") from None


def shard_plan(folder: Path) -> dict[Path, list[str]]:
    """Each shard file and the tensor names it holds, from the index (or the single file)."""
    index = folder / INDEX_FILE
    if index.is_file():
        weight_map = _read_json(index).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise ModelFileError(index, "has no weight_map")
        plan: dict[Path, list[str]] = {}
        for name, shard in weight_map.items():
            plan.setdefault(folder / shard, []).append(name)
        for shard, names in plan.items():
            if not shard.is_file():
                raise ModelFileError(shard, f"shard is missing (the index lists tensor {names[0]} in it); "
                                            "download the folder again")
        return plan
    single = folder / SINGLE_FILE
    if not single.is_file():
        raise ModelFileError(folder, f"has neither {SINGLE_FILE} nor {INDEX_FILE}")
    with _open_shard(single) as file:
        return {single: list(file.keys())}


def declared_tensors(folder: Path) -> list[FolderTensor]:
    """The tensors the model uses, by the model's names, with the shapes the shard headers declare."""
    found = []
    for shard, names in shard_plan(folder).items():
        with _open_shard(shard) as file:
            for file_name in names:
                name = internal_name(file_name, fmt="hf")
                if name is not None:
                    found.append(FolderTensor(DeclaredTensor(name, _shape(file, shard, file_name), shard), file_name))
    return found


def read_tensors(tensors: list[FolderTensor], dtype) -> Iterator[tuple[str, torch.Tensor]]:
    """(model name, tensor in `dtype`) for each of `tensors`, one shard open at a time."""
    by_shard: dict[Path, list[FolderTensor]] = {}
    for tensor in tensors:
        by_shard.setdefault(tensor.declared.where, []).append(tensor)
    for shard, items in by_shard.items():
        with _open_shard(shard) as file:
            for item in items:
                yield item.declared.name, _read_tensor(file, shard, item.file_name).to(dtype)


def file_name_of(name: str) -> str:
    """How the folder names the model's tensor `name` (an expert stack as `...experts.*.w1.weight`)."""
    if name.endswith((".w1", ".w2", ".w3")) and not split_expert_name(name):
        return external_name(f"{name}.0", fmt="hf").replace(".experts.0.", ".experts.*.")
    return external_name(name, fmt="hf")


def stored_dtype(folder: Path) -> str:
    """The type of the weights as stored ("BF16", "F16", "F32"), read from the first tensor's header."""
    shard, names = next(iter(shard_plan(folder).items()))
    with _open_shard(shard) as file:
        return file.get_slice(names[0]).get_dtype()


def _read_tensor(file, shard: Path, file_name: str) -> torch.Tensor:
    try:
        tensor = file.get_tensor(file_name)
    except SafetensorError as error:
        raise ModelFileError(shard, f"tensor {file_name} cannot be read ({error})") from None
    if not tensor.is_floating_point():
        raise UnsupportedModelError(shard, f"tensor {file_name} is {tensor.dtype}; Octet reads "
                                           "bf16, fp16 and fp32 folders (GGUF files for quantized ones)")
    return tensor


def _shape(file, shard: Path, file_name: str) -> tuple[int, ...]:
    try:
        return tuple(file.get_slice(file_name).get_shape())
    except SafetensorError:
        raise ModelFileError(shard, f"tensor {file_name} is not in this shard (the index says it is)") from None


def _open_shard(shard: Path):
    try:
        return safe_open(str(shard), framework="pt")
    except (SafetensorError, OSError) as error:
        raise ModelFileError(shard, f"is not a readable safetensors file ({error})") from None


def _read_json(file: Path) -> dict:
    try:
        values = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(file, f"is not valid JSON ({error})") from None
    if not isinstance(values, dict):
        raise ModelFileError(file, "does not hold a JSON object")
    return values
