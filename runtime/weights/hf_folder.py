"""Hugging Face model folders: config.json, `model.safetensors` or shards with their index, tokenizer.

Shards are memory-mapped with `safetensors` and read tensor by tensor, each converted to the compute
dtype as it is read (the whole bf16 model is never held at once); per-expert tensors are copied into
preallocated stacks. A missing shard or a tensor that disagrees with config.json names file and tensor.
"""
import json
from pathlib import Path
from typing import NamedTuple

import torch
from safetensors import SafetensorError, safe_open

from ..config import SUPPORTED_MODEL_TYPES, ModelConfig, check_experts
from ..errors import ModelFileError, UnsupportedModelError
from .names import external_name, internal_name, split_expert_name

INDEX_FILE = "model.safetensors.index.json"
SINGLE_FILE = "model.safetensors"


def load_hf_folder(path, *, dtype=torch.float32, device="cpu", progress=None, quantize: str | None = None):
    """`quantize`: None (float in `dtype`), "int8", "int4", or "auto" (`default_quantization`)."""
    from ..loader import LoadedModel, build_model, quantized_compute_dtype

    folder = Path(path)
    report = progress or (lambda fraction, phrase: None)
    report(0.0, "Reading the model folder")
    config = hf_config(folder)
    tokenizer, chat_encoder = load_hf_text_side(folder)
    mode = default_quantization(config) if quantize == "auto" else quantize
    if mode:
        dtype = quantized_compute_dtype(device)
    state = read_hf_weights(folder, config, dtype, report, quantize=mode)
    model = build_model(config, state, folder, device)
    return LoadedModel(folder, config, model, tokenizer, chat_encoder,
                       quantization=mode.upper() if mode else stored_dtype(folder), dtype=dtype)


def default_quantization(config: ModelConfig, available: int | None = None) -> str | None:
    """None (bf16) when the bf16 weights take under half the available memory, else int8 when those
    fit in 70% of it, else int4."""
    import psutil

    available = available or psutil.virtual_memory().available
    total, _ = config.parameter_counts()
    if 2 * total < 0.5 * available:
        return None
    return "int8" if total < 0.7 * available else "int4"


def load_hf_text_side(path) -> tuple[object, object]:
    """(tokenizer, chat encoder) from tokenizer.model / tokenizer_config.json, no weights read."""
    from ..chat_template import chat_encoder_for
    from ..tokenizer import tokenizer_from_folder

    folder = Path(path)
    tokenizer = tokenizer_from_folder(folder)
    return tokenizer, chat_encoder_for(tokenizer, path=folder)


def inspect_hf_folder(path) -> dict:
    """What `runtime info` shows, with every tensor's shape checked against config.json, no weights read."""
    from ..loader import check_shapes, describe

    folder = Path(path)
    config = hf_config(folder)
    shapes, filled = {}, {}
    for item in checked_tensors(folder, config):
        shapes[item.target] = item.shape if item.expert is None else (config.num_local_experts, *item.shape)
        if item.expert is not None:
            filled.setdefault(item.target, set()).add(item.expert)
    _check_experts_complete(folder, config, filled)
    check_shapes(config, shapes, folder)
    return describe(folder, "safetensors", config, stored_dtype(folder))


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
        config = ModelConfig.from_dict(values)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise ModelFileError(file, f"holds an unusable model configuration ({error})") from None
    check_experts(config, {}, file)
    return config


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


def read_hf_weights(folder: Path, config: ModelConfig, dtype, progress, quantize: str | None = None) -> dict:
    """The model's tensors by its own names in `dtype`, each checked against config.json; experts
    copied into [E, out, in] stacks as they arrive. With `quantize` ("int8"/"int4") each matrix but
    the router is quantized as it is read, so the peak stays near the quantized size."""
    from ..quant import QuantizedExperts, quantize_weight

    state: dict[str, torch.Tensor] = {}
    filled: dict[str, set[int]] = {}
    experts: dict[str, list] = {}  # quantized expert stacks being filled
    expected = _expected_shapes(config)
    for item in checked_tensors(folder, config):
        tensor = _read_tensor(item, dtype)
        if quantize and len(item.shape) == 2 and not item.target.endswith("feed_forward.gate.weight"):
            mode = "int8" if item.target == "tok_embeddings.weight" else quantize  # read by rows
            weight = quantize_weight(tensor, mode, dtype)
            if item.expert is None:
                state[item.target] = weight
            else:
                experts.setdefault(item.target, [None] * expected[item.target][0])[item.expert] = weight
                filled.setdefault(item.target, set()).add(item.expert)
        elif item.expert is None:
            state[item.target] = tensor
        else:
            if item.target not in state:
                state[item.target] = torch.empty(expected[item.target], dtype=dtype)
            state[item.target][item.expert].copy_(tensor)
            filled.setdefault(item.target, set()).add(item.expert)
        progress(0.05 + 0.9 * item.fraction, "Loading weights")
    _check_experts_complete(folder, config, filled)
    state.update({name: QuantizedExperts(stack) for name, stack in experts.items()})
    return state


class FolderTensor(NamedTuple):
    shard: Path
    file: object  # the open safetensors file
    file_name: str
    target: str  # the model's name (the stack's, for one expert)
    expert: int | None
    shape: tuple[int, ...]
    fraction: float  # of the folder's tensors seen so far


def checked_tensors(folder: Path, config: ModelConfig):
    """Each tensor the model uses, after checking it against config.json (ModelFileError if not)."""
    expected = _expected_shapes(config)
    plan = shard_plan(folder)
    total, done = sum(len(names) for names in plan.values()), 0
    for shard, names in plan.items():
        with _open_shard(shard) as file:
            for file_name in names:
                done += 1
                name = internal_name(file_name, fmt="hf")
                if name is None:
                    continue
                shape = _shape(file, shard, file_name)
                target, expert = _checked_target(shard, file_name, name, shape, expected)
                yield FolderTensor(shard, file, file_name, target, expert, shape, done / total)


def _expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    from ..model import Transformer

    with torch.device("meta"):
        return {name: tuple(p.shape) for name, p in Transformer(config).state_dict().items()}


def _checked_target(shard: Path, file_name: str, name: str, shape: tuple, expected: dict):
    split = split_expert_name(name)
    target, expert = split if split else (name, None)
    if target not in expected:
        raise ModelFileError(shard, f"tensor {file_name} is not part of the model config.json describes "
                                    f"({len(expected)} tensors, {_experts_phrase(expected)})")
    if expert is not None and expert >= expected[target][0]:
        raise ModelFileError(shard, f"tensor {file_name} is for expert {expert}, but config.json says "
                                    f"the model has {expected[target][0]} experts")
    want = expected[target][1:] if expert is not None else expected[target]
    if shape != want:
        raise ModelFileError(shard, f"tensor {file_name} has shape {shape}, but config.json implies {want}")
    return target, expert


def _read_tensor(item: FolderTensor, dtype) -> torch.Tensor:
    try:
        tensor = item.file.get_tensor(item.file_name)
    except SafetensorError as error:
        raise ModelFileError(item.shard, f"tensor {item.file_name} cannot be read ({error})") from None
    if not tensor.is_floating_point():
        raise UnsupportedModelError(item.shard, f"tensor {item.file_name} is {tensor.dtype}; Octet reads "
                                                "bf16, fp16 and fp32 folders (GGUF files for quantized ones)")
    return tensor.to(dtype)


def _experts_phrase(expected: dict) -> str:
    stacked = [shape for name, shape in expected.items() if name.endswith("feed_forward.w1")]
    return f"{stacked[0][0]} experts per layer" if stacked else "no experts"


def _check_experts_complete(folder: Path, config: ModelConfig, filled: dict) -> None:
    for name, experts in filled.items():
        missing = sorted(set(range(config.num_local_experts)) - experts)
        if missing:
            file_name = external_name(f"{name}.{missing[0]}", fmt="hf")
            raise ModelFileError(folder, f"tensor {file_name} is missing (config.json says the model has "
                                         f"{config.num_local_experts} experts)")


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


def stored_dtype(folder: Path) -> str:
    """The type of the weights as stored ("BF16", "F16", "F32"), read from the first tensor's header."""
    shard, names = next(iter(shard_plan(folder).items()))
    with _open_shard(shard) as file:
        return file.get_slice(names[0]).get_dtype()


def _read_json(file: Path) -> dict:
    try:
        values = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(file, f"is not valid JSON ({error})") from None
    if not isinstance(values, dict):
        raise ModelFileError(file, "does not hold a JSON object")
    return values
