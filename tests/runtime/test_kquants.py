"""K-quant blocks written by runtime.weights.kquants, read back by the `gguf` package's dequantizer (ggml's
layouts), and the per-tensor types `runtime synth` gives a file laid out as llama.cpp's K-quant mixes."""
import gguf
import numpy as np
import pytest

from runtime.cli import main
from runtime.config import ModelConfig
from runtime.synth import K_MIXES, SYNTH_TYPES, file_plan, preset_config, tensor_bytes, use_more_bits, write_synthetic
from runtime.weights.gguf import GGUFFile
from runtime.weights.kquants import K_TYPES, quantize

Q = gguf.GGMLQuantizationType

# RMS error of a round trip over RMS of the weights, for i.i.d. normal weights. Measured: Q2_K 0.330,
# Q3_K 0.154, Q4_K 0.078, Q5_K 0.038, Q6_K 0.0187 (the gguf package's own Q4_1 gives 0.078, Q5_1 0.038 on
# the same weights). Each level halves the error as a bit is added; the bounds are 10% above.
RMS_BOUND = {Q.Q2_K: 0.36, Q.Q3_K: 0.17, Q.Q4_K: 0.086, Q.Q5_K: 0.042, Q.Q6_K: 0.021}


def relative_rms(weights: np.ndarray, qtype) -> float:
    back = gguf.quants.dequantize(quantize(weights, qtype), qtype)
    assert back.shape == weights.shape and np.isfinite(back).all()
    return float(np.sqrt(np.mean((back - weights) ** 2) / np.mean(weights ** 2)))


@pytest.mark.parametrize("qtype", K_TYPES, ids=lambda t: t.name)
def test_round_trip_error_is_small(qtype):
    rng = np.random.default_rng(1)
    weights = rng.standard_normal((48, 1024), dtype=np.float32) * 0.02
    error = relative_rms(weights, qtype)
    assert error < RMS_BOUND[qtype], error
    # rows of std 0.01 to 1, with outliers and with a constant sign, each keep about the same precision (Q6_K's
    # fp16 d, the largest weight / 4096, is subnormal below 0.25: much smaller weights lose precision there)
    scaled = weights * np.logspace(-0.3, 1.7, 48, dtype=np.float32)[:, None]
    scaled[::5, 7] *= 40
    scaled[1::7] = np.abs(scaled[1::7])
    scaled[2::7] = -np.abs(scaled[2::7])
    rows = [relative_rms(scaled[i:i + 1], qtype) for i in range(48)]
    assert max(rows) < 2 * RMS_BOUND[qtype], rows


@pytest.mark.parametrize("qtype", K_TYPES, ids=lambda t: t.name)
def test_shapes_sizes_and_edge_blocks(qtype):
    type_size = gguf.GGML_QUANT_SIZES[qtype][1]
    weights = np.random.default_rng(2).standard_normal((2, 3, 512), dtype=np.float32)
    weights[0, 0, :256] = 0.0  # a block of zeros: scales 0, decodes to zeros
    weights[0, 1, 256:] = 7.5  # a constant block
    blocks = quantize(weights, qtype)
    assert blocks.dtype == np.uint8 and blocks.shape == (2, 3, 2 * type_size)
    back = gguf.quants.dequantize(blocks, qtype)
    assert np.array_equal(back[0, 0, :256], np.zeros(256))
    assert np.allclose(back[0, 1, 256:], 7.5, rtol=0.02)
    with pytest.raises(ValueError, match="multiple of 256"):
        quantize(np.zeros((4, 320), np.float32), qtype)
    with pytest.raises(ValueError, match="not finite"):
        quantize(np.full((1, 256), np.nan, np.float32), qtype)
    with pytest.raises(ValueError, match="fp16"):
        quantize(np.full((1, 256), 1e12, np.float32), qtype)


def test_other_types_are_refused():
    with pytest.raises(ValueError, match="not a K-quant"):
        quantize(np.zeros((1, 256), np.float32), Q.Q4_0)


# Hand-built blocks: weights that a block holds exactly (d = dmin = ±1, every sub-block using its
# lowest and highest level), so the round trip is exact and the bytes can be told from ggml's layout.

def levels_with_ends(rng, count: int, size: int, low: int, high: int) -> np.ndarray:
    """[count, size] random levels low..high, each row holding low and high (so min/max find them)."""
    levels = rng.integers(low, high + 1, (count, size))
    levels[:, 3], levels[:, size - 2] = low, high
    return levels


def test_q4_k_block_layout():
    rng = np.random.default_rng(3)
    q = levels_with_ends(rng, 8, 32, 0, 15)  # [sub-block, weight]
    m = np.array([0, 63, 5, 17, 40, 1, 63, 9])  # 6-bit mins; scales all 63, d = dmin = 1
    weights = (63.0 * q - m[:, None]).reshape(1, 256).astype(np.float32)
    block = quantize(weights, Q.Q4_K)[0]
    assert np.array_equal(gguf.quants.dequantize(block, Q.Q4_K)[None], weights)
    assert block[0:4].view(np.float16).tolist() == [1.0, 1.0]  # d, dmin
    # scales 0-3 | top bits of scales 4-7; mins 0-3 | top bits of mins 4-7; low nibbles of scales | mins 4-7
    assert block[4:8].tolist() == [63 | 3 << 6] * 4
    assert block[8:12].tolist() == [m[j] | (m[j + 4] >> 4) << 6 for j in range(4)]
    assert block[12:16].tolist() == [15 | (m[j + 4] & 15) << 4 for j in range(4)]
    # weight 64c + l: low nibble of byte 16 + 32c + l; weight 64c + 32 + l: its high nibble
    assert block[16] == q[0, 0] | q[1, 0] << 4 and block[16 + 32 * 3 + 31] == q[6, 31] | q[7, 31] << 4


def test_q5_k_block_layout():
    rng = np.random.default_rng(4)
    q = levels_with_ends(rng, 8, 32, 0, 31)
    m = np.array([63, 0, 2, 4, 8, 16, 32, 62])
    weights = (63.0 * q - m[:, None]).reshape(1, 256).astype(np.float32)
    block = quantize(weights, Q.Q5_K)[0]
    assert np.array_equal(gguf.quants.dequantize(block, Q.Q5_K)[None], weights)
    assert block[0:4].view(np.float16).tolist() == [1.0, 1.0]
    qh, qs = block[16:48], block[48:176]
    assert qh[5] == sum((q[s, 5] >> 4) << s for s in range(8))  # fifth bit of weight 32s + l: bit s of byte l
    assert qs[32 + 9] == (q[2, 9] & 15) | (q[3, 9] & 15) << 4


def test_q6_k_block_layout():
    rng = np.random.default_rng(5)
    q = levels_with_ends(rng, 16, 16, -32, 31)  # -32 is each sub-block's extreme
    k = rng.integers(-127, 129, 16)
    k[k == 0], k[4] = 1, 128  # the largest scale: d = -1, stored scales -k
    weights = (k[:, None] * q).reshape(1, 256).astype(np.float32)
    block = quantize(weights, Q.Q6_K)[0]
    assert np.array_equal(gguf.quants.dequantize(block, Q.Q6_K)[None], weights)
    u = (q + 32).reshape(256)  # stored levels
    assert block[192:208].view(np.int8).tolist() == (-k).tolist() and block[208:210].view(np.float16)[0] == -1.0
    # weight 128h + 32k + l: nibble k // 2 of byte 64h + 32(k % 2) + l; bits 2k of byte 128 + 32h + l
    assert block[0] == (u[0] & 15) | (u[64] & 15) << 4 and block[64 + 32 + 7] == (u[128 + 32 + 7] & 15) | (
        u[128 + 96 + 7] & 15) << 4
    assert block[128 + 32 + 7] == sum((u[128 + 32 * j + 7] >> 4) << 2 * j for j in range(4))


def test_q3_k_block_layout():
    rng = np.random.default_rng(6)
    q = levels_with_ends(rng, 16, 16, -4, 3)
    k = rng.integers(-31, 33, 16)
    k[k == 0], k[9] = 1, 32  # d = -1, stored scales -k + 32
    weights = (k[:, None] * q).reshape(1, 256).astype(np.float32)
    block = quantize(weights, Q.Q3_K)[0]
    assert np.array_equal(gguf.quants.dequantize(block, Q.Q3_K)[None], weights)
    u = (q + 4).reshape(256)
    hmask, qs, scales = block[0:32], block[32:96], block[96:108]
    assert block[108:110].view(np.float16)[0] == -1.0
    stored = 32 - k
    assert scales[2] == (stored[2] & 15) | (stored[10] & 15) << 4
    assert scales[8 + 1] == sum(((stored[4 * g + 1] >> 4) & 3) << 2 * g for g in range(4))
    # weight 128h + 32j + l: bits 2j of byte 32h + l, high bit = bit 4h + j of hmask byte l
    assert qs[32 + 3] == sum((u[128 + 32 * j + 3] & 3) << 2 * j for j in range(4))
    assert hmask[3] == sum((u[32 * b + 3] >> 2) << b for b in range(8))


def test_q2_k_block_layout():
    rng = np.random.default_rng(7)
    q = levels_with_ends(rng, 16, 16, 0, 3)
    m = rng.integers(0, 16, 16)
    m[0] = 15  # dmin = 1; scales all 15, d = 1
    weights = (15.0 * q - m[:, None]).reshape(1, 256).astype(np.float32)
    block = quantize(weights, Q.Q2_K)[0]
    assert np.array_equal(gguf.quants.dequantize(block, Q.Q2_K)[None], weights)
    assert block[:16].tolist() == (15 | m << 4).tolist()
    assert block[80:84].view(np.float16).tolist() == [1.0, 1.0]
    u = q.reshape(256)
    assert block[16 + 32 + 30] == sum(u[128 + 32 * j + 30] << 2 * j for j in range(4))


# -- runtime synth's layouts ---------------------------------------------------------------------------

MORE_BITS_32 = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}  # llama.cpp's use_more_bits, 32 layers


def types_by_kind(plan: dict, layer: int | None = None) -> dict[str, str]:
    prefix = f"blk.{layer}." if layer is not None else ""
    return {name.split(".")[-2]: qtype.name for name, (_, qtype) in plan.items()
            if name.startswith(prefix) and (layer is not None or not name.startswith("blk."))}


def test_use_more_bits_is_llama_cpps():
    assert {i for i in range(32) if use_more_bits(i, 32)} == MORE_BITS_32
    assert [use_more_bits(i, 2) for i in range(2)] == [False, True]
    assert use_more_bits(0, 1)


def test_mixtral_q4_k_m_layout():
    plan = file_plan(preset_config("mixtral-8x7b"), "Q4_K_M")
    assert types_by_kind(plan) == {"token_embd": "Q4_K", "output": "Q6_K", "output_norm": "F32"}
    for layer in range(32):
        more = "Q6_K" if layer in MORE_BITS_32 else "Q4_K"
        assert types_by_kind(plan, layer) == {
            "attn_norm": "F32", "ffn_norm": "F32", "ffn_gate_inp": "F32", "attn_q": "Q4_K", "attn_k": "Q8_0",
            "attn_v": "Q8_0", "attn_output": "Q5_K", "ffn_gate_exps": "Q4_K", "ffn_up_exps": "Q4_K",
            "ffn_down_exps": more}, layer


def test_mixtral_q3_k_m_and_q2_k_layouts():
    config = preset_config("mixtral-8x7b")
    q3, q2 = file_plan(config, "Q3_K_M"), file_plan(config, "Q2_K")
    assert types_by_kind(q3)["output"] == types_by_kind(q2)["output"] == "Q6_K"
    assert (types_by_kind(q3)["token_embd"], types_by_kind(q2)["token_embd"]) == ("Q3_K", "Q2_K")
    for layer in range(32):
        three, two = types_by_kind(q3, layer), types_by_kind(q2, layer)
        assert three["ffn_down_exps"] == ("Q5_K" if layer < 2 else "Q4_K")  # first sixteenth, then Q4_K
        assert two["ffn_down_exps"] == "Q3_K"
        for kinds in (three, two):
            assert (kinds["attn_k"], kinds["attn_v"], kinds["attn_output"]) == ("Q8_0", "Q8_0", "Q5_K")
        assert {three[k] for k in ("attn_q", "ffn_gate_exps", "ffn_up_exps")} == {"Q3_K"}
        assert {two[k] for k in ("attn_q", "ffn_gate_exps", "ffn_up_exps")} == {"Q2_K"}


def test_rules_without_eight_experts():
    """Mistral 7B (no experts, grouped-query factor 4): attn_v and attn_output by the mix's own rules."""
    config = preset_config("mistral-7b")
    q4, q3, q2, q5 = (file_plan(config, mix) for mix in ("Q4_K_M", "Q3_K_M", "Q2_K", "Q5_K_M"))
    for layer in range(32):
        more = layer in MORE_BITS_32
        assert types_by_kind(q4, layer)["attn_v"] == types_by_kind(q4, layer)["ffn_down"] == (
            "Q6_K" if more else "Q4_K")
        assert types_by_kind(q5, layer)["attn_v"] == ("Q6_K" if more else "Q5_K")
        assert (types_by_kind(q4, layer)["attn_k"], types_by_kind(q4, layer)["attn_output"]) == ("Q4_K", "Q4_K")
        assert types_by_kind(q3, layer)["attn_v"] == ("Q5_K" if layer < 2 else "Q4_K")
        assert types_by_kind(q3, layer)["attn_output"] == "Q4_K"
        assert (types_by_kind(q2, layer)["attn_v"], types_by_kind(q2, layer)["attn_output"]) == ("Q4_K", "Q3_K")


def test_q6_k_size_is_the_published_files():
    """Q6_K's rules have not changed since Mixtral came out: the whole model's bytes are those of the
    Q6_K file people download (38.38 GB)."""
    plan = file_plan(preset_config("mixtral-8x7b"), "Q6_K")
    total = sum(tensor_bytes(shape, qtype) for shape, qtype in plan.values())
    assert round(total / 1e9, 2) == 38.38


def test_rows_not_a_multiple_of_256_fall_back():
    plan = file_plan(preset_config("tiny-mixtral"), "Q4_K_M")  # hidden 64, intermediate 128
    assert types_by_kind(plan) == {"token_embd": "Q5_0", "output": "Q8_0", "output_norm": "F32"}
    assert types_by_kind(plan, 0)["ffn_gate_exps"] == "Q5_0" and types_by_kind(plan, 1)["ffn_down_exps"] == "Q8_0"
    assert {types_by_kind(file_plan(preset_config("tiny-mixtral"), mix))["token_embd"]
            for mix in ("Q3_K_M", "Q2_K")} == {"Q4_0"}
    assert types_by_kind(file_plan(preset_config("tiny-mixtral"), "Q5_K_M"))["token_embd"] == "Q5_1"


SMALL = dict(model_type="mixtral", vocab_size=32000, hidden_size=256, intermediate_size=512, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=1, rope_theta=1e6, max_position_embeddings=256,
             num_local_experts=8, num_experts_per_tok=2)


@pytest.mark.parametrize("mix", K_MIXES)
def test_synthetic_file_holds_the_plan_in_valid_blocks(tmp_path, mix):
    config = ModelConfig.from_dict(SMALL)
    path = tmp_path / f"{mix}.gguf"
    write_synthetic(config, mix, path, name="small")
    file, plan = GGUFFile(path), file_plan(config, mix)
    assert file.metadata["general.file_type"] == gguf.LlamaFileType[f"MOSTLY_{mix}"]
    assert {name: t.tensor_type for name, t in file.tensors.items()} == {name: q for name, (_, q) in plan.items()}
    assert Q[mix[:4]] in {q for _, q in plan.values()}
    for name, tensor in file.tensors.items():
        values = gguf.quants.dequantize(file.raw(name), tensor.tensor_type)
        assert np.isfinite(values).all(), name
        if values.ndim > 1 and not name.endswith("gate_inp.weight"):
            assert 0.8 < values.std() * values.shape[-1] ** 0.5 < 1.25, name  # std 1/sqrt(fan_in)


def test_cli_offers_every_type(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    assert "{" + ",".join(SYNTH_TYPES) + "}" in capsys.readouterr().out.replace("\n", "").replace(" ", "")
    path = tmp_path / "tiny.gguf"
    assert main(["synth", "--preset", "tiny-mixtral", "--layers", "1", "--type", "Q3_K_M", str(path)]) == 0
    assert GGUFFile(path).metadata["general.file_type"] == gguf.LlamaFileType.MOSTLY_Q3_K_M
