"""Refuse broken or hostile GGUF files before `gguf.GGUFReader` (which trusts every count) sees them.

`check_gguf_file(path)` walks the header over a read-only memory map, checking each length against the
bytes left before reading it, in time and memory bounded by the limits below whatever the file claims.
It returns a `GGUFSummary` (with every metadata value and tensor record, read on the way) or raises
`ModelFileError` ("PATH: what is wrong"), or `UnsupportedModelError` for a sound file of a kind Octet
cannot read (GGUF v1, big-endian, tensor types ggml has removed).
"""
from __future__ import annotations

import mmap
import os
import stat
import struct
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from runtime.errors import ModelFileError, UnsupportedModelError

from . import string_arrays
from .ggml_types import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType

# Limits far above any real model (Mixtral: ~1k tensors, ~40 keys, a 32k-entry vocabulary).
MAX_TENSORS = 1 << 16
MAX_KEYS = 1 << 14
MAX_KEY_BYTES = 1 << 10            # the spec allows 65535; real keys are under 100
MAX_TENSOR_NAME_BYTES = 64         # the spec's limit (ggml's GGML_MAX_NAME)
MAX_STRING_BYTES = 64 << 20        # an embedded tokenizer.json is a few MB
MAX_ARRAY_ITEMS = 1 << 21          # all array elements in the header (GGUFReader makes an object of each)
MAX_ARRAY_DEPTH = 3                # an array of arrays of arrays; real files use 1
MAX_DIMS = 4
MAX_ALIGNMENT = 1 << 16
DEFAULT_ALIGNMENT = 32
INT64_MAX = (1 << 63) - 1

HEADER_BYTES = 4 + 4 + 8 + 8                       # magic, version, tensor count, key count
MIN_KV_BYTES = 8 + 1 + 4 + 1                       # key length, 1-byte key, type, 1-byte value
MIN_TENSOR_INFO_BYTES = 8 + 1 + 4 + 8 + 4 + 8      # name length, 1-byte name, n_dims, 1 dim, type, offset

SCALAR_FORMATS = {
    GGUFValueType.UINT8: "<B", GGUFValueType.INT8: "<b", GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h", GGUFValueType.UINT32: "<I", GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f", GGUFValueType.BOOL: "<B", GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q", GGUFValueType.FLOAT64: "<d",
}
U64 = struct.Struct("<Q")
NUMPY_TYPES = {
    GGUFValueType.UINT8: "<u1", GGUFValueType.INT8: "<i1", GGUFValueType.UINT16: "<u2",
    GGUFValueType.INT16: "<i2", GGUFValueType.UINT32: "<u4", GGUFValueType.INT32: "<i4",
    GGUFValueType.FLOAT32: "<f4", GGUFValueType.BOOL: "<u1", GGUFValueType.UINT64: "<u8",
    GGUFValueType.INT64: "<i8", GGUFValueType.FLOAT64: "<f8",
}
SCALAR_SIZES = {vtype: struct.calcsize(fmt) for vtype, fmt in SCALAR_FORMATS.items()}
MIN_ITEM_SIZES = {**SCALAR_SIZES, GGUFValueType.STRING: 8, GGUFValueType.ARRAY: 4 + 8}
READER_FIELD_NAMES = {"GGUF.version", "GGUF.tensor_count", "GGUF.kv_count"}  # GGUFReader's own fields
REMOVED_TENSOR_TYPES = {4: "Q4_2", 5: "Q4_3", 31: "Q4_0_4_4", 32: "Q4_0_4_8", 33: "Q4_0_8_8",
                        36: "IQ4_NL_4_4", 37: "IQ4_NL_4_8", 38: "IQ4_NL_8_8"}


@dataclass(frozen=True)
class GGUFSummary:
    """What the header says, once it has been checked."""

    version: int
    tensor_count: int
    kv_count: int
    alignment: int
    data_offset: int      # where tensor data starts (tensor offsets are relative to it)
    data_end: int         # end of the last tensor's bytes
    file_size: int
    architecture: str | None
    metadata: dict        # every key's value as plain Python (arrays as lists)
    tensors: list         # TensorInfo of each tensor, in file order


class Strings(list):
    """A string array's values, with the UTF-8 length of its longest string, which the reader has at hand (a
    byte-level BPE vocabulary's check needs it for its tokens and merges: 10 ms of the starter's load to count
    again)."""

    def __init__(self, values: list[str], longest_bytes: int):
        super().__init__(values)
        self.longest_bytes = longest_bytes


class TensorInfo(NamedTuple):
    name: str
    dims: tuple[int, ...]
    ggml_type: int
    offset: int


def shown(name: str) -> str:
    """A name as an error message shows it: one line, not too long."""
    text = name if name.isprintable() and " " not in name else repr(name)
    return text if len(text) <= 80 else text[:77] + "..."


class Cursor:
    """Reads little-endian GGUF fields from a buffer, checking every length against the bytes left."""

    def __init__(self, buf, path):
        self.buf, self.path, self.pos, self.size = buf, path, 0, len(buf)
        self.array_items = 0

    def fail(self, problem: str):
        raise ModelFileError(self.path, problem)

    def left(self) -> int:
        return self.size - self.pos

    def need(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            self.fail(f"truncated: {what} at byte {self.pos} needs {n} bytes but the file ends "
                      f"at byte {self.size}")

    def read_scalar(self, fmt: str, what: str):
        size = struct.calcsize(fmt)
        self.need(size, what)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def read_u32(self, what: str) -> int:
        return self.read_scalar("<I", what)

    def read_u64(self, what: str) -> int:
        return self.read_scalar("<Q", what)

    def read_str(self, what: str, max_bytes: int) -> str:
        length = self.read_u64(f"length of {what}")
        if length > max_bytes:
            self.fail(f"{what} claims to be {length} bytes long; the limit is {max_bytes}")
        self.need(length, what)
        start, self.pos = self.pos, self.pos + length
        try:
            return self.buf[start:self.pos].decode("utf-8")
        except UnicodeDecodeError as error:
            self.fail(f"{what} is not valid UTF-8 (bad byte at {start + error.start})")

    def read_value(self, vtype: int, what: str, depth: int = 0):
        """Read one value of type `vtype` (an array as a list), checked before it is read."""
        if vtype == GGUFValueType.BOOL:
            return bool(self.read_scalar("<B", what))
        if vtype in SCALAR_FORMATS:
            return self.read_scalar(SCALAR_FORMATS[vtype], what)
        if vtype == GGUFValueType.STRING:
            return self.read_str(what, MAX_STRING_BYTES)
        if vtype == GGUFValueType.ARRAY:
            return self.read_array(what, depth + 1)
        self.fail(f"{what} has unknown value type {vtype} (GGUF defines types 0 to 12)")

    def read_array(self, what: str, depth: int) -> list:
        """Check an array's element type, length and depth, then read its elements."""
        if depth > MAX_ARRAY_DEPTH:
            self.fail(f"{what} nests arrays more than {MAX_ARRAY_DEPTH} deep")
        item_type = self.read_u32(f"element type of {what}")
        count = self.read_u64(f"length of {what}")
        if item_type not in MIN_ITEM_SIZES:
            self.fail(f"{what} is an array of unknown value type {item_type} (GGUF defines types 0 to 12)")
        if count * MIN_ITEM_SIZES[item_type] > self.left():
            self.fail(f"truncated or corrupt: {what} claims {count} elements, more than the "
                      f"{self.left()} bytes left in the file can hold")
        self.array_items += count
        if self.array_items > MAX_ARRAY_ITEMS:
            self.fail(f"the metadata arrays hold more than {MAX_ARRAY_ITEMS} elements in all; "
                      f"real models hold under a million")
        if item_type in SCALAR_SIZES:
            values = np.frombuffer(self.buf, NUMPY_TYPES[item_type], count, self.pos).tolist()
            self.pos += count * SCALAR_SIZES[item_type]
            return [bool(v) for v in values] if item_type == GGUFValueType.BOOL else values
        if item_type == GGUFValueType.STRING:
            return self.read_strings(count, what)
        return [self.read_array(f"{what}[{index}]", depth + 1) for index in range(count)]

    def read_strings(self, count: int, what: str) -> Strings:
        """read_str over an array of strings (vocabularies hold 10^5 of them): the pieces are cut out in one pass
        (natively: string_arrays, else a tight loop) and decoded in one go, joined by NULs; where that does not
        hold (a string past the end or too long, bad UTF-8, a NUL inside), string by string, which names the
        string at fault."""
        cut = string_arrays.joined_strings(self.buf, self.pos, count) or self.cut_strings(count)
        joined, end, longest = cut
        if end <= self.size and longest <= MAX_STRING_BYTES and joined.count(0) == max(count - 1, 0):
            try:
                strings = joined.decode("utf-8").split("\0") if count else []
                self.pos = end
                return Strings(strings, longest)
            except UnicodeDecodeError:
                pass
        strings = [self.read_str(f"{what}[{index}]", MAX_STRING_BYTES) for index in range(count)]
        return Strings(strings, max(map(len, map(str.encode, strings)), default=0))

    def cut_strings(self, count: int) -> tuple[bytes, int, int]:
        """string_arrays.joined_strings in Python: the strings joined by NULs, the position after them (past the
        end of the buffer where a length runs past it) and the longest string's length."""
        buf, unpack, pos = self.buf, U64.unpack_from, self.pos
        pieces = []
        append = pieces.append
        try:
            for _ in range(count):
                start = pos + 8
                pos = start + unpack(buf, pos)[0]
                append(buf[start:pos])
        except (struct.error, OverflowError):  # a length field past the end, or beyond any file
            pos = self.size + 1
        return b"\0".join(pieces), pos, max(map(len, pieces), default=0)


def read_header(cur: Cursor) -> tuple[int, int, int]:
    """Magic, version, and the two counts, each bounded by what the rest of the file could hold."""
    cur.need(HEADER_BYTES, "the GGUF header")
    magic = bytes(cur.buf[:4])
    if magic != b"GGUF":
        cur.fail(f"not a GGUF file: it starts with {magic!r}, not b'GGUF'")
    cur.pos = 4
    version = cur.read_u32("version")
    swapped = int.from_bytes(version.to_bytes(4, "little"), "big")
    if version == 1:
        raise UnsupportedModelError(cur.path, "GGUF version 1 (from 2023) is no longer supported; "
                                              "download or convert a current GGUF (version 3)")
    if version not in (2, 3) and swapped in (1, 2, 3):
        raise UnsupportedModelError(cur.path, "big-endian GGUF (made for s390x or POWER) is not supported; "
                                              "use the little-endian file")
    if version not in (2, 3):
        cur.fail(f"unknown GGUF version {version}; Octet reads versions 2 and 3")
    tensor_count = cur.read_u64("tensor count")
    kv_count = cur.read_u64("key-value count")
    if kv_count > MAX_KEYS:
        cur.fail(f"the header claims {kv_count} metadata keys; the limit is {MAX_KEYS}")
    if tensor_count > MAX_TENSORS:
        cur.fail(f"the header claims {tensor_count} tensors; the limit is {MAX_TENSORS}")
    if kv_count * MIN_KV_BYTES + tensor_count * MIN_TENSOR_INFO_BYTES > cur.left():
        cur.fail(f"truncated or corrupt: the header claims {kv_count} metadata keys and {tensor_count} "
                 f"tensors, more than the {cur.left()} bytes after it can hold")
    return version, tensor_count, kv_count


def read_metadata(cur: Cursor, kv_count: int) -> dict[str, object]:
    """Walk the key-value section; return every key's value."""
    seen: set[str] = set()
    values: dict[str, object] = {}
    for index in range(kv_count):
        key = cur.read_str(f"metadata key #{index}", MAX_KEY_BYTES)
        if not key:
            cur.fail(f"metadata key #{index} is empty")
        if key in seen:
            cur.fail(f"metadata key {shown(key)} appears twice")
        if key in READER_FIELD_NAMES:
            cur.fail(f"metadata key {key} is reserved for the header fields")
        seen.add(key)
        vtype = cur.read_u32(f"value type of key {shown(key)}")
        if key == "general.alignment" and vtype != GGUFValueType.UINT32:
            cur.fail(f"general.alignment must be a uint32, not value type {vtype}")
        values[key] = cur.read_value(vtype, f"value of key {shown(key)}")
    return values


def read_tensor_infos(cur: Cursor, tensor_count: int) -> list[TensorInfo]:
    """Walk the tensor-info section: names unique, 1 to 4 dimensions, each at least 1."""
    infos, names = [], set()
    for index in range(tensor_count):
        name = cur.read_str(f"name of tensor #{index}", MAX_TENSOR_NAME_BYTES)
        label = f"tensor {shown(name)}"
        if not name:
            cur.fail(f"tensor #{index} has an empty name")
        if name in names:
            cur.fail(f"{label} appears twice")
        names.add(name)
        n_dims = cur.read_u32(f"dimension count of {label}")
        if not 1 <= n_dims <= MAX_DIMS:
            cur.fail(f"{label} has {n_dims} dimensions; GGUF allows 1 to {MAX_DIMS}")
        dims = tuple(cur.read_u64(f"dimensions of {label}") for _ in range(n_dims))
        if min(dims) < 1:
            cur.fail(f"{label} has a zero dimension {list(dims)}")
        ggml_type = cur.read_u32(f"type of {label}")
        offset = cur.read_u64(f"data offset of {label}")
        infos.append(TensorInfo(name, dims, ggml_type, offset))
    return infos


def alignment_of(cur: Cursor, metadata: dict[str, object]) -> int:
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if alignment == 0 or alignment & (alignment - 1) or alignment > MAX_ALIGNMENT:
        cur.fail(f"general.alignment is {alignment}; it must be a power of two from 1 to {MAX_ALIGNMENT}")
    return alignment


def tensor_nbytes(cur: Cursor, info: TensorInfo) -> int:
    """Bytes of tensor data, once its type is known and its shape fits that type's blocks."""
    name = shown(info.name)
    if info.ggml_type in REMOVED_TENSOR_TYPES:
        raise UnsupportedModelError(cur.path, f"tensor {name} uses {REMOVED_TENSOR_TYPES[info.ggml_type]}, "
                                              f"a type llama.cpp has removed; download a current GGUF")
    if info.ggml_type not in GGML_QUANT_SIZES:
        cur.fail(f"tensor {name} has unknown ggml type {info.ggml_type}")
    ggml_type = GGMLQuantizationType(info.ggml_type)
    block_size = GGML_QUANT_SIZES[ggml_type][0]
    n_elements = 1
    for dim in info.dims:
        n_elements *= dim
    if n_elements > INT64_MAX:
        cur.fail(f"tensor {name} has dimensions {list(info.dims)}, more than 2^63 elements")
    if info.dims[0] % block_size:
        cur.fail(f"tensor {name} is {ggml_type.name} with rows of {info.dims[0]} values, "
                 f"not a multiple of its block size {block_size}")
    return tensor_bytes(info.dims, ggml_type)


def tensor_bytes(dims, ggml_type: GGMLQuantizationType) -> int:
    """Bytes of a checked tensor's data."""
    block_size, block_bytes = GGML_QUANT_SIZES[ggml_type]
    n_elements = 1
    for dim in dims:
        n_elements *= dim
    return n_elements // block_size * block_bytes


def check_tensor_data(cur: Cursor, infos: list[TensorInfo], data_offset: int, alignment: int) -> int:
    """Each tensor's bytes aligned, inside the file, and apart from the others; return where data ends."""
    spans = []
    for info in infos:
        nbytes = tensor_nbytes(cur, info)
        if info.offset % alignment:
            cur.fail(f"tensor {shown(info.name)} starts at offset {info.offset}, "
                     f"not a multiple of the alignment {alignment}")
        start = data_offset + info.offset
        end = start + nbytes
        if end > cur.size:
            cur.fail(f"truncated: tensor {shown(info.name)} needs bytes up to {end} but the file has "
                     f"{cur.size} bytes; the download may be incomplete")
        spans.append((start, end, info.name))
    spans.sort()
    for (_, end, name), (start, _, next_name) in zip(spans, spans[1:]):
        if start < end:
            cur.fail(f"tensors {shown(name)} and {shown(next_name)} overlap at bytes {start} to {end}")
    return max((end for _, end, _ in spans), default=data_offset)


def check_gguf_file(path: str | os.PathLike) -> GGUFSummary:
    """Check a GGUF file's header and tensor layout; raise ModelFileError naming what is wrong."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ModelFileError(path, "not a regular file")
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size < HEADER_BYTES:
                raise ModelFileError(path, f"truncated: {size} bytes, too short for a GGUF header "
                                           f"({HEADER_BYTES} bytes)")
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                return check_buffer(Cursor(buf, path))
    except OSError as error:
        raise ModelFileError(path, f"cannot read the file: {error.strerror or error}") from None


def check_buffer(cur: Cursor) -> GGUFSummary:
    """The checks in file order: header, metadata, tensor infos, then the data they point to."""
    version, tensor_count, kv_count = read_header(cur)
    metadata = read_metadata(cur, kv_count)
    infos = read_tensor_infos(cur, tensor_count)
    alignment = alignment_of(cur, metadata)
    data_offset = -(-cur.pos // alignment) * alignment
    data_end = check_tensor_data(cur, infos, data_offset, alignment)
    architecture = metadata.get("general.architecture")
    return GGUFSummary(version, tensor_count, kv_count, alignment, data_offset, data_end, cur.size,
                       architecture if isinstance(architecture, str) else None, metadata, infos)
