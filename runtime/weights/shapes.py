"""A checkpoint's tensors checked against the shapes its config implies, from the file headers alone,
before any weight is read. One checker for GGUF files and Hugging Face folders: tensors come by the
model's names (one expert of a stack as `...w1.5`), `expected` is the model's parameter shapes.
"""
from pathlib import Path
from typing import Callable, NamedTuple

from ..config import ModelConfig
from ..errors import ModelFileError
from .names import split_expert_name

EXPERT_STACKS = ("feed_forward.w1", "feed_forward.w2", "feed_forward.w3")
ROUTER = "feed_forward.gate.weight"


class DeclaredTensor(NamedTuple):
    """One tensor as a file's header declares it."""
    name: str  # the model's name; one expert of a stack as `layers.0.feed_forward.w1.5`
    shape: tuple[int, ...]
    where: Path  # the file (or shard) that holds it


def stacked_shapes(tensors: list[DeclaredTensor]) -> dict[str, tuple[int, ...]]:
    """Shapes by the model's names, per-expert tensors counted into their [E, out, in] stack."""
    shapes, experts = {}, {}
    for tensor in tensors:
        split = split_expert_name(tensor.name)
        if split:
            experts.setdefault(split[0], []).append(tensor.shape)
        else:
            shapes[tensor.name] = tensor.shape
    shapes.update({name: (len(items), *items[0]) for name, items in experts.items()})
    return shapes


def check_declared(config: ModelConfig, expected: dict, tensors: list[DeclaredTensor], path: Path, *,
                   source: str = "the config", shown: Callable[[str], str] = str) -> None:
    """Every tensor the model needs is declared, once per expert, with the shape the config implies,
    and nothing else is; else a ModelFileError naming the file and the tensor (`shown(name)`: as the
    file names it). `source` says where the config came from ("config.json")."""
    check_expert_counts(config, path)
    _check_expert_stacks(config, stacked_shapes(tensors), path, shown)
    position = {name: index for index, name in enumerate(expected)}  # first error: first in the model
    for tensor in sorted(tensors, key=lambda t: position.get(_stack_of(t.name), -1)):
        _check_tensor(expected, tensor, source, shown)
    _check_complete(config, expected, tensors, path, source, shown)


def check_expert_counts(config: ModelConfig, path) -> None:
    """The config's two expert counts agree with each other."""
    experts, used = config.num_local_experts, config.num_experts_per_tok
    if experts < 0 or (experts and not 0 < used <= experts):
        raise ModelFileError(path, f"the config asks for {used} experts per token out of {experts} "
                                   "(num_experts_per_tok / expert_used_count, num_local_experts / expert_count)")


def _check_expert_stacks(config: ModelConfig, shapes: dict, path, shown) -> None:
    """The router and the expert stacks hold as many experts as the config says (router first: a
    dense config with a router is the clearer message)."""
    experts = config.num_local_experts
    for name, shape in shapes.items():
        if name.endswith(ROUTER) and not experts:
            raise ModelFileError(path, f"tensor {shown(name)} routes {shape[0]} experts, but the config says "
                                       "the model has no experts (expert count 0)")
    for name, shape in shapes.items():
        if name.endswith(EXPERT_STACKS) and shape[0] != experts:
            raise ModelFileError(path, f"tensor {shown(name)} holds {shape[0]} experts, but the config says "
                                       f"{experts} (num_local_experts / expert_count)")


def _check_tensor(expected: dict, tensor: DeclaredTensor, source: str, shown) -> None:
    split = split_expert_name(tensor.name)
    target, expert = split if split else (tensor.name, None)
    if target not in expected:
        raise ModelFileError(tensor.where, f"tensor {shown(tensor.name)} is not part of the model {source} "
                                           f"describes ({len(expected)} tensors, {_experts_phrase(expected)})")
    if expert is not None and expert >= expected[target][0]:
        raise ModelFileError(tensor.where, f"tensor {shown(tensor.name)} is for expert {expert}, but {source} "
                                           f"says the model has {expected[target][0]} experts")
    want = expected[target][1:] if expert is not None else expected[target]
    if tensor.shape != want:
        raise ModelFileError(tensor.where, f"tensor {shown(tensor.name)} has shape {tensor.shape}, but {source} "
                                           f"implies {want}")


def _check_complete(config: ModelConfig, expected: dict, tensors: list[DeclaredTensor], path, source: str,
                    shown) -> None:
    """Each expected tensor (each expert of a stack) is there; a missing output is the tied embedding."""
    present = {tensor.name for tensor in tensors}
    for name, shape in expected.items():
        if name.endswith(EXPERT_STACKS) and name not in present:
            missing = [e for e in range(shape[0]) if f"{name}.{e}" not in present]
            if missing:
                raise ModelFileError(path, f"tensor {shown(f'{name}.{missing[0]}')} is missing ({source} says "
                                           f"the model has {config.num_local_experts} experts)")
        elif name not in present and not (name == "output.weight" and "tok_embeddings.weight" in present):
            raise ModelFileError(path, f"tensor {shown(name)} is missing ({source} expects it)")


def _stack_of(name: str) -> str:
    split = split_expert_name(name)
    return split[0] if split else name


def _experts_phrase(expected: dict) -> str:
    stacked = [shape for name, shape in expected.items() if name.endswith(EXPERT_STACKS[0])]
    return f"{stacked[0][0]} experts per layer" if stacked else "no experts"
