"""check_gguf_file: real files pass and agree with GGUFReader; every kind of lie is refused fast, in
one line naming the file and the problem; whatever passes, GGUFReader loads."""
from __future__ import annotations

import struct
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from gguf import GGMLQuantizationType, GGUFEndian, GGUFReader, GGUFValueType, GGUFWriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import ModelFileError, UnsupportedModelError
from runtime.weights import gguf_check, string_arrays
from runtime.weights.gguf_check import MAX_ARRAY_ITEMS, check_gguf_file
from tests.runtime.gguf_factory import (
    array_header, gguf_str, header, kv, kv_u32, numeric_field_positions, pad_to, tensor_info,
    write_tiny_llama,
)

F32, Q8_0 = GGMLQuantizationType.F32, GGMLQuantizationType.Q8_0
U32, STRING, ARRAY = GGUFValueType.UINT32, GGUFValueType.STRING, GGUFValueType.ARRAY


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


def cpu_seconds() -> float:
    """This process's CPU time: what a check costs, unlike the wall clock, which other programs stretch."""
    return time.process_time()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def refused(path: Path, *words: str, error=ModelFileError) -> str:
    """Check `path`, expecting `error` within a second of CPU; return its message after checking its words."""
    start = cpu_seconds()
    with pytest.raises(error) as caught:
        check_gguf_file(path)
    assert cpu_seconds() - start < 1.0
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    for word in words:
        assert word in message, message
    return message


def loads_fully(path: Path) -> None:
    """GGUFReader parses the file, and every tensor's last byte and every field's value can be read."""
    reader = GGUFReader(path, "r")
    for tensor in reader.tensors:
        flat = tensor.data.reshape(-1).view(np.uint8)
        assert flat.nbytes == tensor.n_bytes
        flat[-1]  # noqa: B018 - touch the last byte
    for field in reader.fields.values():
        field.contents()


def patched(tiny: Path, out: Path, offset: int, fmt: str, value: int) -> Path:
    data = bytearray(tiny.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    return write(out, bytes(data))


def one_tensor_file(path: Path, *, dims=(32,), ggml_type=F32, offset=0, data_bytes=128, kvs=()) -> Path:
    """A file with the given key-values and one tensor described by hand, followed by data_bytes."""
    body = header(1, len(kvs)) + b"".join(kvs) + tensor_info("w", list(dims), ggml_type, offset)
    return write(path, pad_to(body) + b"\0" * data_bytes)


# Files that are right.

@pytest.mark.parametrize("alignment", [None, 1, 64, 4096])
def test_valid_file_agrees_with_gguf_reader(tmp_path, alignment):
    path = write_tiny_llama(tmp_path / "tiny.gguf", alignment=alignment)
    summary = check_gguf_file(path)
    reader = GGUFReader(path, "r")
    assert summary.version == 3
    assert summary.tensor_count == len(reader.tensors) == 10
    assert summary.kv_count == len(reader.fields) - 3  # the reader adds GGUF.version and the two counts
    assert summary.alignment == reader.alignment == (alignment or 32)
    assert summary.data_offset == reader.data_offset
    assert summary.data_end == max(t.data_offset + t.n_bytes for t in reader.tensors)
    assert summary.file_size == path.stat().st_size
    assert summary.architecture == "llama"
    loads_fully(path)


def test_file_without_tensors_passes(tmp_path):
    summary = check_gguf_file(write(tmp_path / "vocab.gguf", header(0, 1) + kv_u32("a.b", 7)))
    assert (summary.tensor_count, summary.kv_count, summary.architecture) == (0, 1, None)


def test_starter_model_passes(starter_path):
    summary = check_gguf_file(starter_path)
    reader = GGUFReader(starter_path, "r")
    assert (summary.tensor_count, summary.data_offset) == (len(reader.tensors), reader.data_offset)


# The header.

def test_missing_file_directory_and_empty_file(tmp_path):
    refused(tmp_path / "nowhere.gguf", "cannot read")
    refused(tmp_path, "not a regular file")
    refused(write(tmp_path / "empty.gguf", b""), "truncated: 0 bytes")


def test_not_gguf(tmp_path):
    refused(write(tmp_path / "x.gguf", b"PK\3\4" + bytes(100)), "not a GGUF file", "b'PK\\x03\\x04'")


def test_version_1_is_unsupported(tmp_path):
    refused(write(tmp_path / "v1.gguf", header(0, 0, version=1)), "version 1", error=UnsupportedModelError)


def test_unknown_version(tmp_path):
    refused(write(tmp_path / "v7.gguf", header(0, 0, version=7)), "unknown GGUF version 7")


def test_big_endian_is_unsupported(tmp_path):
    writer = GGUFWriter(tmp_path / "be.gguf", "llama", endianess=GGUFEndian.BIG)
    writer.add_tensor("w", np.ones(32, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    refused(tmp_path / "be.gguf", "big-endian", error=UnsupportedModelError)


def test_huge_tensor_count(tiny, tmp_path):
    refused(patched(tiny, tmp_path / "t.gguf", 8, "<Q", 2**60), "claims 1152921504606846976 tensors")


def test_huge_key_count(tiny, tmp_path):
    refused(patched(tiny, tmp_path / "k.gguf", 16, "<Q", 2**64 - 1), "18446744073709551615 metadata keys")


def test_counts_more_than_the_file_can_hold(tiny, tmp_path):
    refused(patched(tiny, tmp_path / "t.gguf", 8, "<Q", 60_000), "60000 tensors", "bytes after it can hold")
    refused(patched(tiny, tmp_path / "k.gguf", 16, "<Q", 10_000), "10000 metadata keys", "can hold")


# Key-value metadata.

def test_key_length_2_pow_63(tmp_path):
    path = write(tmp_path / "s.gguf", header(0, 1) + gguf_str("", length=2**63) + bytes(64))
    refused(path, "metadata key #0", "9223372036854775808 bytes")


def test_string_value_length_2_pow_63(tmp_path):
    path = write(tmp_path / "s.gguf", header(0, 1) + kv("a.b", STRING, gguf_str("", length=2**63)) + bytes(64))
    refused(path, "value of key a.b", "9223372036854775808 bytes")


def test_string_running_past_the_end(tmp_path):
    path = write(tmp_path / "s.gguf", header(0, 1) + kv("a.b", STRING, gguf_str("abc", length=1000)) + bytes(8))
    refused(path, "truncated", "value of key a.b")


def test_key_not_utf8(tmp_path):
    key = gguf_str(b"a.\xff") + struct.pack("<II", U32, 1)
    refused(write(tmp_path / "u.gguf", header(0, 1) + key), "metadata key #0 is not valid UTF-8")


def test_empty_and_duplicate_keys(tmp_path):
    refused(write(tmp_path / "e.gguf", header(0, 1) + kv_u32("", 1)), "key #0 is empty")
    refused(write(tmp_path / "d.gguf", header(0, 2) + kv_u32("a.b", 1) + kv_u32("a.b", 2)), "a.b appears twice")
    refused(write(tmp_path / "r.gguf", header(0, 1) + kv_u32("GGUF.version", 3)), "GGUF.version is reserved")


def test_unknown_value_type(tmp_path):
    refused(write(tmp_path / "v.gguf", header(0, 1) + kv("a.b", 99, bytes(16))), "unknown value type 99")


def test_array_of_unknown_type(tmp_path):
    path = write(tmp_path / "a.gguf", header(0, 1) + kv("a.b", ARRAY, array_header(99, 0)))
    refused(path, "array of unknown value type 99")


@pytest.mark.parametrize("item_type", [GGUFValueType.UINT8, STRING, ARRAY])
def test_array_length_beyond_the_file(tmp_path, item_type):
    path = write(tmp_path / "a.gguf", header(0, 1) + kv("a.b", ARRAY, array_header(item_type, 2**62)) + bytes(64))
    refused(path, "value of key a.b", "claims 4611686018427387904 elements")


@pytest.fixture(params=["native", "python"])
def string_cutter(request, monkeypatch) -> str:
    """String arrays cut out by the kernels' library, or (where it is not built) by gguf_check's Python loop."""
    if request.param == "native" and string_arrays.strings_function() is None:
        pytest.skip("the kernels' library is not built here")
    if request.param == "python":
        monkeypatch.setattr(string_arrays, "joined_strings", lambda buf, pos, count: None)
    return request.param


@pytest.mark.parametrize("third, words", [
    (gguf_str(b"\xc3("), ["a.b[2] is not valid UTF-8"]),
    (gguf_str("", length=2**63), ["a.b[2] claims to be 9223372036854775808 bytes long"]),
    (gguf_str("abc", length=100), ["truncated", "a.b[2]"]),
])
def test_bad_string_in_an_array(tmp_path, third, words, string_cutter):
    strings = array_header(STRING, 3) + gguf_str("ok") + gguf_str("é") + third
    refused(write(tmp_path / "a.gguf", header(0, 1) + kv("a.b", ARRAY, strings) + bytes(16)), *words)


@pytest.mark.parametrize("strings", [["ok", "é", "", "日本"], ["a\0b", "", "\0"], [], [""]])
def test_strings_of_an_array_read_back_exactly(tmp_path, strings, string_cutter):
    """Including empty ones and NULs inside (read_strings joins them by NULs where none is inside)."""
    body = array_header(STRING, len(strings)) + b"".join(gguf_str(text.encode()) for text in strings)
    path = write(tmp_path / "a.gguf", header(0, 1) + kv("a.b", ARRAY, body) + bytes(16))
    assert check_gguf_file(path).metadata["a.b"] == strings


@settings(max_examples=200, deadline=None)
@given(strings=st.lists(st.binary(max_size=20), max_size=8), cut=st.integers(0, 40))
def test_the_library_cuts_strings_as_the_python_loop_does(strings, cut):
    """Any strings, the array whole or cut short anywhere: the same joined bytes, end and longest string, or,
    where a length runs past the end, None from the library and a position past the end from the loop."""
    if string_arrays.strings_function() is None:
        pytest.skip("the kernels' library is not built here")
    array = b"".join(gguf_str(text) for text in strings)
    buf = b"ab" + array[:len(array) - cut] if cut < len(array) else b"ab"
    native = string_arrays.joined_strings(buf, 2, len(strings))
    cursor = gguf_check.Cursor(buf, "test.gguf")
    cursor.pos = 2
    joined, end, longest = cursor.cut_strings(len(strings))
    if end > len(buf):
        assert native is None
    elif strings:
        assert native == (bytearray(joined), end, longest) == (b"\0".join(strings), 2 + len(array), max(map(len, strings)))


def test_too_many_array_elements(tmp_path):
    count = MAX_ARRAY_ITEMS + 1
    path = write(tmp_path / "a.gguf", header(0, 1) + kv("a.b", ARRAY, array_header(GGUFValueType.UINT8, count))
                 + bytes(count))
    refused(path, f"more than {MAX_ARRAY_ITEMS} elements")


def test_arrays_nested_1000_deep(tmp_path):
    nested = array_header(ARRAY, 1) * 999 + array_header(U32, 1) + bytes(4)
    refused(write(tmp_path / "n.gguf", header(0, 1) + kv("a.b", ARRAY, nested)), "nests arrays more than 3 deep")


def test_arrays_nested_3_deep_pass(tmp_path):
    nested = array_header(ARRAY, 1) * 2 + array_header(STRING, 1) + gguf_str("x")
    path = write(tmp_path / "n.gguf", header(0, 1) + kv("a.b", ARRAY, nested))
    assert check_gguf_file(path).kv_count == 1
    loads_fully(path)


@pytest.mark.parametrize("alignment", [0, 3, 48, 1 << 20])
def test_bad_alignment(tmp_path, alignment):
    path = one_tensor_file(tmp_path / "al.gguf", kvs=[kv_u32("general.alignment", alignment)])
    refused(path, f"general.alignment is {alignment}", "power of two")


def test_alignment_of_the_wrong_type(tmp_path):
    path = one_tensor_file(tmp_path / "al.gguf", kvs=[kv("general.alignment", STRING, gguf_str("32"))])
    refused(path, "general.alignment must be a uint32")


# Tensor infos.

def test_tensor_name_length_2_pow_63(tmp_path):
    path = write(tmp_path / "n.gguf", header(1, 0) + gguf_str("", length=2**63) + bytes(64))
    refused(path, "name of tensor #0", "9223372036854775808 bytes")


def test_duplicate_tensor_names(tmp_path):
    body = header(2, 0) + tensor_info("w", [32]) + tensor_info("w", [32], offset=128)
    refused(write(tmp_path / "d.gguf", pad_to(body) + bytes(256)), "tensor w appears twice")


@pytest.mark.parametrize("dims, words", [
    ((32, 1, 1, 1, 1), ["5 dimensions"]),
    ((), ["0 dimensions"]),
    ((32, 0), ["zero dimension"]),
    ((2**32, 2**32), ["more than 2^63 elements"]),
    ((2**64 - 1,), ["more than 2^63 elements"]),
    ((2**40,), ["needs bytes up to"]),
])
def test_bad_dimensions(tmp_path, dims, words):
    refused(one_tensor_file(tmp_path / "d.gguf", dims=dims), "tensor w", *words)


def test_unknown_tensor_type(tmp_path):
    refused(one_tensor_file(tmp_path / "t.gguf", ggml_type=99), "tensor w has unknown ggml type 99")


def test_removed_tensor_type_is_unsupported(tmp_path):
    refused(one_tensor_file(tmp_path / "t.gguf", ggml_type=31), "Q4_0_4_4", error=UnsupportedModelError)


def test_row_not_a_whole_number_of_blocks(tmp_path):
    refused(one_tensor_file(tmp_path / "b.gguf", dims=(33, 2), ggml_type=Q8_0), "Q8_0", "block size 32")


def test_tensor_offset_past_the_end(tmp_path):
    path = one_tensor_file(tmp_path / "o.gguf", offset=2**40)
    message = refused(path, "truncated: tensor w needs bytes up to")
    assert f"but the file has {path.stat().st_size} bytes" in message


def test_tensor_offset_not_aligned(tmp_path):
    refused(one_tensor_file(tmp_path / "o.gguf", offset=4), "offset 4", "alignment 32")


def test_overlapping_tensors(tmp_path):
    body = header(2, 0) + tensor_info("a", [32]) + tensor_info("b", [32], offset=96)
    refused(write(tmp_path / "o.gguf", pad_to(body) + bytes(256)), "tensors a and b overlap")


def test_truncated_at_every_header_byte_and_through_the_data(tiny, tmp_path):
    data = tiny.read_bytes()
    data_offset = check_gguf_file(tiny).data_offset
    cuts = [*range(data_offset + 1), *range(data_offset + 1, len(data), 97)]
    path = tmp_path / "cut.gguf"
    start = cpu_seconds()
    for cut in cuts:
        refused(write(path, data[:cut]), "truncated")
    assert cpu_seconds() - start < 10.0
    refused(write(path, data[:-1]), "truncated: tensor output_norm.weight needs bytes up to", f"has {len(data) - 1}")


# Memory and time on the biggest lies.

def measured(path: Path) -> tuple[float, int]:
    tracemalloc.start()
    start = cpu_seconds()
    with pytest.raises(ModelFileError):
        check_gguf_file(path)
    elapsed = cpu_seconds() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak


@pytest.mark.parametrize("contents", [
    header(2**60, 0) + bytes(1024),
    header(0, 1) + kv("a.b", STRING, gguf_str("", length=2**63)) + bytes(1024),
    header(0, 1) + kv("a.b", ARRAY, array_header(STRING, 2**61)) + bytes(1024),
], ids=["2^60 tensors", "2^63-byte string", "2^61-string array"])
def test_lies_cost_little_time_and_memory(tmp_path, contents):
    elapsed, peak = measured(write(tmp_path / "lie.gguf", contents))
    assert elapsed < 0.1 and peak < 64 * 1024, (elapsed, peak)


# Whatever passes the check, GGUFReader loads.

INTERESTING_U64 = [0, 1, 2, 3, 4, 5, 31, 32, 33, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1]


def mutations(fields: list[tuple[int, int]], header_end: int):
    """Edits to a valid file: bytes overwritten in its header, a numeric field set, a truncation."""
    overwrite = st.tuples(st.just("bytes"), st.integers(0, header_end - 1), st.binary(min_size=1, max_size=8))
    set_field = st.tuples(st.just("field"), st.sampled_from(fields),
                          st.sampled_from(INTERESTING_U64) | st.integers(0, 2**64 - 1))
    truncate = st.tuples(st.just("truncate"), st.integers(0, 40_000), st.just(b""))
    return st.lists(overwrite | set_field | truncate, min_size=1, max_size=3)


def mutated(original: bytes, edits) -> bytes:
    data = bytearray(original)
    for kind, where, what in edits:
        if kind == "bytes":
            data[where:where + len(what)] = what
        elif kind == "field":
            at, size = where
            data[at:at + size] = (what % 2 ** (8 * size)).to_bytes(size, "little")
        else:
            del data[where:]
    return bytes(data)


@pytest.fixture(scope="module")
def mutation_base(tiny):
    data = tiny.read_bytes()
    return data, numeric_field_positions(tiny), check_gguf_file(tiny).data_offset


def test_mutants_are_refused_or_load(mutation_base, tmp_path_factory):
    original, fields, header_end = mutation_base
    path = tmp_path_factory.mktemp("mutants") / "m.gguf"
    passed = []

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations(fields, header_end + 64))
    def check(edits) -> None:
        mutant = mutated(original, edits)
        path.write_bytes(mutant)
        try:
            check_gguf_file(path)
        except ModelFileError:
            return
        passed.append(mutant != original)
        loads_fully(path)

    start = cpu_seconds()
    check()
    assert cpu_seconds() - start < 30
    assert any(passed), "no mutant passed: the property tested nothing"


def test_metadata_and_tensor_records_equal_gguf_readers(starter_path):
    """The check reads every value on its way; they equal what gguf's own reader makes of the file."""
    summary = check_gguf_file(starter_path)
    reader = GGUFReader(starter_path, "r")
    expected = {key: field.contents() for key, field in reader.fields.items() if not key.startswith("GGUF.")}
    assert summary.metadata == expected
    assert [(t.name, list(t.dims), t.ggml_type, summary.data_offset + t.offset) for t in summary.tensors] == [
        (t.name, t.shape.tolist(), int(t.tensor_type), t.data_offset) for t in reader.tensors]
