"""GGUF model files: checked for lies and read in one bounded pass (gguf_check), then memory-mapped.

`GGUFFile` gives the metadata as plain Python values and each tensor as a float torch tensor in the
model's own name and layout ([out, in], Hugging Face RoPE order), dequantized on request, or as its
mapped bytes. (gguf's own GGUFReader makes a Python object of every vocabulary entry: 2.2 s for the
starter model's header, against 35 ms here, and it trusts every count in the file.)
"""
import mmap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..errors import ModelFileError, UnsupportedModelError
from .ggml_types import GGMLQuantizationType
from .gguf_check import check_gguf_file, tensor_bytes
from .names import internal_name

CHUNK_WEIGHTS = 1 << 24  # dequantize at most this many weights at a time
FLOAT_TYPES = {
    GGMLQuantizationType.F32: np.float32,
    GGMLQuantizationType.F16: np.float16,
}


@dataclass(frozen=True)
class GGUFTensor:
    """One tensor of the file: its record and its mapped bytes (a typed view for F32/F16)."""
    name: str
    tensor_type: GGMLQuantizationType
    shape: tuple[int, ...]  # GGUF order: innermost dimension first
    data_offset: int        # from the start of the file
    n_bytes: int
    data: np.ndarray

    @property
    def n_elements(self) -> int:
        return int(np.prod(self.shape))


class GGUFFile:
    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelFileError(self.path, "no such file")
        summary = check_gguf_file(self.path)
        self.metadata = summary.metadata
        try:
            self.mapped = np.memmap(self.path, dtype=np.uint8, mode="r")
        except (ValueError, OSError) as error:
            raise ModelFileError(self.path, f"cannot map the file ({error})") from error
        advise_huge_pages(self.mapped)
        self.tensors = {info.name: self._tensor(info, summary.data_offset) for info in summary.tensors}

    def _tensor(self, info, data_offset: int) -> GGUFTensor:
        qtype = GGMLQuantizationType(info.ggml_type)
        start = data_offset + info.offset
        n_bytes = tensor_bytes(info.dims, qtype)
        data = self.mapped[start:start + n_bytes]
        if qtype in FLOAT_TYPES:
            data = data.view(FLOAT_TYPES[qtype])
        return GGUFTensor(info.name, qtype, tuple(info.dims), start, n_bytes, data)

    @property
    def architecture(self) -> str:
        return self.metadata.get("general.architecture", "")

    def tensor_names(self) -> dict[str, str]:
        """File tensor name -> model name, for the tensors the model uses."""
        names = {}
        for file_name in self.tensors:
            name = internal_name(file_name, fmt="gguf")
            if name is not None:
                names[file_name] = name
        return names

    def shape(self, file_name: str) -> tuple[int, ...]:
        """The tensor's shape in torch order (GGUF stores dimensions innermost first)."""
        return tuple(reversed(self.tensors[file_name].shape))

    def load(self, file_name: str, dtype=torch.float32) -> torch.Tensor:
        """The tensor dequantized to `dtype`, shaped [..., out, in]: a chunk of rows at a time, so the
        peak is the result plus one chunk (not the whole tensor in fp32)."""
        tensor = self.tensors[file_name]
        qtype = tensor.tensor_type
        shape = self.shape(file_name)
        if qtype in FLOAT_TYPES:
            return torch.tensor(np.asarray(tensor.data, dtype=FLOAT_TYPES[qtype]).reshape(shape), dtype=dtype)
        try:
            return dequantize_rows(self.raw(file_name), qtype, shape[-1], dtype).reshape(shape)
        except NotImplementedError as error:
            raise UnsupportedModelError(
                self.path, f"tensor {file_name} has type {qtype.name}, which Octet cannot read") from error

    def raw(self, file_name: str) -> np.ndarray:
        """The tensor's stored bytes, uint8 [..., out, row bytes], mapped (not copied)."""
        tensor = self.tensors[file_name]
        rows = self.shape(file_name)[:-1]
        return np.asarray(tensor.data).view(np.uint8).reshape(*rows, -1)

    def release(self, file_name: str) -> None:
        """Drop the tensor's mapped pages from this process (after a copy was made of them), so that
        they stop counting in its memory; the file stays mapped and readable."""
        tensor = self.tensors[file_name]
        mapped = getattr(self.mapped, "_mmap", None)
        if mapped is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        start = -(-tensor.data_offset // mmap.PAGESIZE) * mmap.PAGESIZE
        end = (tensor.data_offset + tensor.n_bytes) // mmap.PAGESIZE * mmap.PAGESIZE
        if end > start:
            mapped.madvise(mmap.MADV_DONTNEED, start, end - start)


def advise_huge_pages(mapped: np.memmap) -> None:
    """Ask Linux to map the file's page cache in 2 MiB pages where its file system allows (ext4 from 6.16,
    xfs): the first read of a cold file then comes in 2 MiB folios, and the kernels' streaming reads of the
    weights take a TLB miss every 2 MiB instead of every 4 KiB (Q4_0 expert rows: 23 -> 29 GB/s on two
    cores). Elsewhere the advice is refused or ignored, and nothing changes."""
    mapping = getattr(mapped, "_mmap", None)
    if mapping is None or not hasattr(mmap, "MADV_HUGEPAGE"):
        return
    try:
        mapping.madvise(mmap.MADV_HUGEPAGE)
    except OSError:
        pass


def unpermute_rope_rows(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Undo llama.cpp's Q/K row permutation (interleaved RoPE pairs) back to rotate-half order."""
    rows = weight.shape[0]
    return (weight.reshape(n_heads, rows // n_heads // 2, 2, *weight.shape[1:])
            .transpose(1, 2).reshape(weight.shape))


def permute_rope_rows(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    """llama.cpp's permutation, as its converter applies it to Hugging Face Q/K weights."""
    rows = weight.shape[0]
    return (weight.reshape(n_heads, 2, rows // n_heads // 2, *weight.shape[1:])
            .transpose(1, 2).reshape(weight.shape))


def dequantize_rows(raw: np.ndarray, qtype, in_features: int, dtype=torch.float32) -> torch.Tensor:
    """The matrix [N, K] of a quantized tensor's blocks `raw` in `dtype`, dequantized by `gguf` a chunk
    of rows at a time (peak: the result plus one chunk in fp32)."""
    import gguf  # deferred: only the types our kernels do not read come here (see ggml_types)

    rows = raw.reshape(-1, raw.shape[-1])
    out = torch.empty(rows.shape[0], in_features, dtype=dtype)
    step = max(1, CHUNK_WEIGHTS // in_features)
    for start in range(0, rows.shape[0], step):
        chunk = gguf.quants.dequantize(rows[start:start + step], gguf.GGMLQuantizationType(int(qtype)))
        out[start:start + step] = torch.from_numpy(chunk.reshape(-1, in_features))
    return out
