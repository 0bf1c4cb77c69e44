"""The native kernels' ARM64 libraries (neon: the dot-product extension, and portable), cross-built with
Debian's aarch64-linux-gnu-g++ and run under qemu-user through a small C++ driver (native_driver.cpp), on every
GGUF type the kernels read: dequantize equals `gguf.quants.dequantize` bit for bit (fp32; bf16 = that, rounded
to nearest even); matvec equals a float64 reference within fp32 rounding alone; decode attention (bf16 and
int8 caches) equals a float64 softmax. Odd shapes: 37 rows, 1 to 9 tokens (the kernel takes 8 per pass),
K = 576 = 2.25 superblocks for the 32-weight types, 580 (not a multiple of 16) for the float types, 1 to 3
threads.

Needs `apt install g++-aarch64-linux-gnu qemu-user` (CI installs them where it can); skipped otherwise.
"""
import shutil
import subprocess
from pathlib import Path

import gguf
import numpy as np
import pytest

from runtime.quant import native

T = gguf.GGMLQuantizationType
TYPES = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]
LIBRARIES = ["neon", "portable"]
FLOAT_TYPES = {T.F32, T.F16, T.BF16}
LEGACY_TYPES = {T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0}
N, TOKENS = 37, range(1, 10)
# the fp16 scale fields of each K-quant block, and the bytes holding each type's codes (where all zero, a
# block dequantizes to its offsets alone)
SCALE_FIELDS = {T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208]}
CODE_BYTES = {T.Q4_0: (2, 18), T.Q4_1: (4, 20), T.Q5_0: (2, 22), T.Q5_1: (4, 24), T.Q8_0: (2, 34),
              T.Q2_K: (16, 80), T.Q3_K: (0, 96), T.Q4_K: (16, 144), T.Q5_K: (16, 176), T.Q6_K: (0, 192)}
# decode attention: 6 query heads over 2 KV heads (groups of 3), head dim 48, positions first..end of 300
HEADS, KV_HEADS, HEAD_DIM, STRIDE = 6, 2, 48, 300
SPANS = [(17, 290), (0, 1)]
ATTENTION_BOUND = 2e-6  # fp32 dots of 48 terms, exp (a polynomial, ~1e-7), sums over < 300 positions of |v| < 5

CROSS_TOOLS = shutil.which("aarch64-linux-gnu-g++") and shutil.which("qemu-aarch64")
pytestmark = pytest.mark.skipif(
    not CROSS_TOOLS, reason="the ARM64 kernel tests need aarch64-linux-gnu-g++ and qemu-aarch64 "
                            "(Debian/Ubuntu: apt install g++-aarch64-linux-gnu qemu-user)")


def in_features(qtype) -> int:
    return 580 if qtype in FLOAT_TYPES else 576 if qtype in LEGACY_TYPES else 512


def random_weights(qtype, rng) -> np.ndarray:
    """N rows of K weights of `qtype` as GGUF stores them, uint8 [N, row bytes]: float and legacy types
    quantized from N(0, 1); K-quant blocks random bytes with fp16 scales in 0.001..0.01."""
    K = in_features(qtype)
    if qtype in FLOAT_TYPES or qtype in LEGACY_TYPES:
        raw = gguf.quants.quantize(rng.standard_normal((N, K)).astype(np.float32), qtype)
        return np.ascontiguousarray(raw).view(np.uint8).reshape(N, -1)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (N, K // block, size), dtype=np.uint8)
    for at in SCALE_FIELDS[qtype]:
        scales = rng.uniform(0.001, 0.01, (N, K // block)).astype(np.float16)
        raw[..., at:at + 2] = scales.view(np.uint8).reshape(N, K // block, 2)
    return raw.reshape(N, -1)


def offsets(raw: np.ndarray, qtype) -> np.ndarray:
    """Each weight's offset (its value at code 0), fp64 [N, K]: the blocks with their codes zeroed."""
    if qtype in FLOAT_TYPES:
        return np.zeros((N, in_features(qtype)))
    begin, end = CODE_BYTES[qtype]
    blocks = raw.reshape(N, -1, gguf.GGML_QUANT_SIZES[qtype][1]).copy()
    blocks[..., begin:end] = 0
    return gguf.quants.dequantize(blocks.reshape(N, -1), qtype).astype(np.float64)


def kernel_activations(x: np.ndarray) -> np.ndarray:
    """x [M, K] fp32 as kernels.cpp's quantize_activations leaves it, in fp64: per block of 32, d = amax / 127
    and q = round half to even (x * (1 / d)), all in fp32; then q * d exactly."""
    blocks = x.reshape(x.shape[0], -1, 32)
    d = np.abs(blocks).max(axis=-1, keepdims=True) / np.float32(127)
    inverse = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d > 0)
    q = np.rint(blocks * inverse)
    return (q.astype(np.float64) * d).reshape(x.shape)


def to_bf16(values: np.ndarray) -> np.ndarray:
    """fp32 -> bf16 bits, rounded to nearest even."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def weight_cases(rng) -> list[dict]:
    cases = []
    for qtype in TYPES:
        raw = random_weights(qtype, rng)
        for M in TOKENS:
            x = rng.standard_normal((M, in_features(qtype))).astype(np.float32)
            cases.append(dict(qtype=qtype, raw=raw, x=x, threads=1 + M % 3))
    return cases


def attention_cases(rng) -> list[dict]:
    cases = []
    for int8 in (False, True):
        for first, end in SPANS:
            q = (rng.standard_normal((HEADS, HEAD_DIM)) * HEAD_DIM ** -0.5).astype(np.float32)
            shape = (KV_HEADS, STRIDE, HEAD_DIM)
            if int8:
                keys, values = (rng.integers(-127, 128, shape, dtype=np.int8) for _ in range(2))
                scales = [rng.uniform(0.005, 0.02, (KV_HEADS, STRIDE)).astype(np.float32) for _ in range(2)]
            else:
                keys, values = (to_bf16(rng.standard_normal(shape)) for _ in range(2))
                scales = None
            cases.append(dict(int8=int8, first=first, end=end, q=q, keys=keys, values=values, scales=scales))
    return cases


def write_cases(path: Path, weights: list[dict], attention: list[dict]) -> None:
    """The driver's input (native_driver.cpp says the format)."""
    def fields(*values):
        return np.array(values, dtype="<i8").tobytes()
    parts = []
    for case in weights:
        raw, x = case["raw"], case["x"]
        parts += [fields(1, case["qtype"], N, x.shape[1], x.shape[0], case["threads"], raw.size), raw.tobytes(),
                  x.tobytes()]
    for case in attention:
        parts += [fields(2, case["int8"], HEADS, KV_HEADS, HEAD_DIM, STRIDE, case["first"], case["end"], 2),
                  case["q"].tobytes(), case["keys"].tobytes(), case["values"].tobytes()]
        if case["int8"]:
            parts += [scale.tobytes() for scale in case["scales"]]
    parts.append(fields(0))
    path.write_bytes(b"".join(parts))


def read_outputs(path: Path, weights: list[dict], attention: list[dict]) -> None:
    """The driver's outputs into each case, under the keys dense, dense_bf16, out."""
    data, at = path.read_bytes(), 0

    def take(dtype, shape):
        nonlocal at
        count = int(np.prod(shape)) * np.dtype(dtype).itemsize
        at += count
        return np.frombuffer(data[at - count:at], dtype=dtype).reshape(shape)
    for case in weights:
        K, M = case["x"].shape[1], case["x"].shape[0]
        case["dense"], case["dense_bf16"], case["out"] = take("<f4", (N, K)), take("<u2", (N, K)), take("<f4", (M, N))
    for case in attention:
        case["out"] = take("<f4", (HEADS, HEAD_DIM))
    assert at == len(data), "the driver wrote more than the cases ask"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """library -> (its octet_isa(), the weight cases, the attention cases) with the driver's outputs."""
    folder = tmp_path_factory.mktemp("arm64")
    native.build(folder, arch="aarch64")
    driver = folder / "native_driver"
    subprocess.run(["aarch64-linux-gnu-g++", "-O1", "-std=c++17", str(Path(__file__).with_name("native_driver.cpp")),
                    "-o", str(driver), "-ldl"], check=True, timeout=300)
    rng = np.random.default_rng(15)
    weights, attention = weight_cases(rng), attention_cases(rng)
    write_cases(folder / "cases.bin", weights, attention)
    results = {}
    for library in LIBRARIES:
        outputs = folder / f"{library}.out"
        done = subprocess.run(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", str(driver),
                               str(native.library_path(library, folder)), str(folder / "cases.bin"), str(outputs)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        mine = [dict(case) for case in weights], [dict(case) for case in attention]
        read_outputs(outputs, *mine)
        results[library] = (done.stdout.strip(), *mine)
    return results


@pytest.mark.parametrize("library", LIBRARIES)
def test_each_library_is_its_variant(runs, library):
    """The neon library really runs the dot-product path (dot.h's NEON branch), not the portable one."""
    assert runs[library][0] == library


@pytest.mark.parametrize("qtype", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize("library", LIBRARIES)
def test_dequantize_is_gguf_bit_for_bit(runs, library, qtype):
    """Bit for bit but for the sign of zero: the kernel's scale * code + offset gives +0 where gguf's
    d * (code - 8) gives -0 (d < 0)."""
    for case in runs[library][1]:
        if case["qtype"] != qtype:
            continue
        reference = gguf.quants.dequantize(case["raw"], qtype).astype(np.float32)
        assert np.array_equal(unsigned_zeros(case["dense"].view(np.uint32)), unsigned_zeros(reference.view(np.uint32)))
        assert np.array_equal(unsigned_zeros(case["dense_bf16"]), unsigned_zeros(to_bf16(reference)))


def unsigned_zeros(bits: np.ndarray) -> np.ndarray:
    """fp32 or bf16 bits with -0 made +0."""
    negative_zero = 1 << (8 * bits.itemsize - 1)
    return np.where(bits == negative_zero, 0, bits)


@pytest.mark.parametrize("qtype", TYPES, ids=lambda t: t.name)
@pytest.mark.parametrize("library", LIBRARIES)
def test_matvec_is_the_reference_within_fp32_rounding(runs, library, qtype):
    """The reference: float64 products of the dequantized weights and x as the kernel sees it (quantized per
    block of 32 for the block types, as is for the float ones): every difference left is fp32 rounding.

    Bound, per output: gamma_L * S with gamma_L = L u / (1 - L u), u = 2^-24, and S the sum over the K
    weights of |x| (|w - offset| + |offset|), the magnitudes of the terms the kernel adds (scale * code * x
    and offset * x, offset = the weight at code 0). L counts the fp32 roundings on any term's path: two or
    three products (group scale times the activations' d, times the integer dot; or d times the block's sum
    of q, times the offset), then the longest chain of additions: portable's scalar accumulator, 32 per
    superblock (NEON's four lanes: 20, then 2 to join them); so L = 32 per superblock + 4. Float weights:
    16 lanes of K / 16 products, then the K % 16 left and the 16 lanes: L = K / 16 + K % 16 + 20. With
    K <= 580 that is L <= 100: a bound ~6e-6 relative to S, where the same reference with x unquantized
    misses by ~1e-3 (checked below: the bound sees the activations' quantization)."""
    for case in runs[library][1]:
        if case["qtype"] != qtype:
            continue
        x, K = case["x"], case["x"].shape[1]
        weights = gguf.quants.dequantize(case["raw"], qtype).astype(np.float64)
        offset = offsets(case["raw"], qtype)
        seen = x.astype(np.float64) if qtype in FLOAT_TYPES else kernel_activations(x)
        reference = seen @ weights.T
        magnitudes = np.abs(seen) @ (np.abs(weights - offset) + np.abs(offset)).T
        L = K // 16 + K % 16 + 20 if qtype in FLOAT_TYPES else 32 * -(-K // 256) + 4
        bound = L * 2.0 ** -24 / (1 - L * 2.0 ** -24) * magnitudes
        error = np.abs(case["out"] - reference)
        print(f"{library} {qtype.name} M={x.shape[0]}: error / bound at most {(error / bound).max():.3f}")
        assert np.all(error <= bound), (x.shape[0], (error / bound).max())
        if qtype not in FLOAT_TYPES:  # the bound tells the kernel's activations from plain fp32 ones
            assert not np.all(np.abs(case["out"] - x.astype(np.float64) @ weights.T) <= bound)


def attention_reference(case) -> np.ndarray:
    """softmax(q k^T) v over positions first..end-1, float64 (q is already scaled by Hd^-0.5)."""
    def widened(cache, scales):
        if scales is None:
            return (cache.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        return cache.astype(np.float64) * scales[..., None]
    key_scales, value_scales = case["scales"] or (None, None)
    keys, values = widened(case["keys"], key_scales), widened(case["values"], value_scales)
    group = HEADS // KV_HEADS
    out = np.empty((HEADS, HEAD_DIM))
    for h in range(HEADS):
        k, v = keys[h // group, case["first"]:case["end"]], values[h // group, case["first"]:case["end"]]
        scores = k @ case["q"][h].astype(np.float64)
        weights = np.exp(scores - scores.max())
        out[h] = weights @ v / weights.sum()
    return out


@pytest.mark.parametrize("int8", [False, True], ids=["bf16", "int8"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_decode_attention_is_the_reference(runs, library, int8):
    for case in runs[library][2]:
        if case["int8"] == int8:
            error = np.abs(case["out"] - attention_reference(case)).max()
            print(f"{library} int8={int8} {case['first']}..{case['end']}: {error:.2e}")
            assert error <= ATTENTION_BOUND, (case["first"], case["end"], error)
