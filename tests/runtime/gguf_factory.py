"""Tiny GGUF files for tests: valid llama-shaped ones written by gguf.GGUFWriter, and raw bytes for lies."""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter
from gguf.quants import quantize

VOCAB, DIM, FFN = 32, 64, 128


def write_tiny_llama(path: Path, *, alignment: int | None = None, layers: int = 2) -> Path:
    """A llama-shaped GGUF with F32, F16, Q8_0 and Q4_1 tensors and a small vocabulary."""
    rng = np.random.default_rng(0)
    writer = GGUFWriter(path, "llama")
    writer.add_context_length(128)
    writer.add_embedding_length(DIM)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("llama")
    writer.add_token_list([f"tok{i}" for i in range(VOCAB - 1)] + ["é✓"])
    writer.add_token_scores([float(-i) for i in range(VOCAB)])
    writer.add_token_types([1] * VOCAB)
    writer.add_chat_template("{% for m in messages %}{{ m.content }}{% endfor %}")
    if alignment is not None:
        writer.add_custom_alignment(alignment)

    def add(name: str, shape: tuple[int, ...], qtype: GGMLQuantizationType) -> None:
        data = quantize(rng.standard_normal(shape, dtype=np.float32), qtype)
        writer.add_tensor(name, data, raw_dtype=qtype)

    add("token_embd.weight", (VOCAB, DIM), GGMLQuantizationType.F16)
    for layer in range(layers):
        add(f"blk.{layer}.attn_norm.weight", (DIM,), GGMLQuantizationType.F32)
        add(f"blk.{layer}.attn_q.weight", (DIM, DIM), GGMLQuantizationType.Q8_0)
        add(f"blk.{layer}.ffn_up.weight", (FFN, DIM), GGMLQuantizationType.Q4_1)
        add(f"blk.{layer}.ffn_down.weight", (DIM, FFN), GGMLQuantizationType.Q4_1)
    add("output_norm.weight", (DIM,), GGMLQuantizationType.F32)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def numeric_field_positions(path: Path) -> list[tuple[int, int]]:
    """(offset, size) of every count, length, type, dimension and offset in a file's header."""
    reader = GGUFReader(path, "r")
    base = reader.data.ctypes.data
    fields = list(reader.fields.values()) + [tensor.field for tensor in reader.tensors]
    positions = set()
    for field in fields:
        for part in field.parts:
            if part.dtype.kind in "uif" and part.dtype.itemsize >= 4 and part.size == 1:
                positions.add((part.ctypes.data - base, part.dtype.itemsize))
    return sorted(positions)


# Raw pieces, for files that lie in one precise way.

def header(tensor_count: int, kv_count: int, *, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensor_count, kv_count)


def gguf_str(text: str | bytes, *, length: int | None = None) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw) if length is None else length) + raw


def kv(key: str, vtype: int, payload: bytes) -> bytes:
    return gguf_str(key) + struct.pack("<I", vtype) + payload


def kv_u32(key: str, value: int) -> bytes:
    return kv(key, GGUFValueType.UINT32, struct.pack("<I", value))


def array_header(item_type: int, count: int) -> bytes:
    return struct.pack("<IQ", item_type, count)


def tensor_info(name: str, dims: list[int], ggml_type: int = 0, offset: int = 0) -> bytes:
    return (gguf_str(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
            + struct.pack("<IQ", ggml_type, offset))


def pad_to(data: bytes, alignment: int = 32) -> bytes:
    return data + b"\0" * (-len(data) % alignment)
