"""`runtime synth`: files with llama.cpp's names, types and keys, Mixtral's real vocab and template,
random weights that dequantize to sane values; real-size layers that load, generate and count right."""
import json

import gguf
import numpy as np
import pytest
import sentencepiece
import torch

import runtime.model as model_module

from runtime.text.chat_template import MistralV1ChatEncoder
from runtime.cli import main
from runtime.engine import Engine
from runtime.sampling import SamplingParams
from runtime.synth import MIXTRAL_INSTRUCT_TEMPLATE, mixtral_tokenizer_file, preset_config, synth
from runtime.weights.gguf import GGUFFile

Q = gguf.GGMLQuantizationType


def test_preset_parameter_counts():
    total, active = preset_config("mixtral-8x7b").parameter_counts()
    assert (round(total / 1e9, 1), round(active / 1e9, 1)) == (46.7, 12.9)
    total, active = preset_config("mistral-7b").parameter_counts()
    assert round(total / 1e9, 2) == 7.24 and active == total


def llama_cpp_mixtral_tensors(layers: int, experts: int) -> set[str]:
    """The tensor names llama.cpp's llama loader asks for in a Mixtral with stacked experts."""
    names = {"token_embd.weight", "output_norm.weight", "output.weight"}
    for i in range(layers):
        names |= {f"blk.{i}.{part}.weight" for part in (
            "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate_inp",
            "ffn_gate_exps", "ffn_down_exps", "ffn_up_exps")}
    return names


@pytest.mark.parametrize("type_name", ["Q4_0", "Q8_0", "F16"])
def test_tiny_file_is_what_llama_cpp_reads(tmp_path, type_name):
    path = tmp_path / "tiny.gguf"
    result = synth("tiny-mixtral", 3, type_name, path)
    file = GGUFFile(path)
    meta = file.metadata
    assert meta["general.architecture"] == "llama"
    assert (meta["llama.block_count"], meta["llama.expert_count"], meta["llama.expert_used_count"]) == (3, 4, 2)
    assert (meta["llama.embedding_length"], meta["llama.feed_forward_length"]) == (64, 128)
    assert (meta["llama.attention.head_count"], meta["llama.attention.head_count_kv"]) == (4, 2)
    assert meta["llama.rope.freq_base"] == 1e6 and meta["llama.rope.dimension_count"] == 16
    assert set(file.tensors) == llama_cpp_mixtral_tensors(3, 4)
    assert sum(int(t.n_elements) for t in file.tensors.values()) == result["parameters"]

    exps = file.tensors["blk.1.ffn_down_exps.weight"]
    assert exps.tensor_type == Q[type_name] and list(exps.shape) == [128, 64, 4]  # ggml order: in, out, E
    assert file.tensors["blk.1.ffn_gate_inp.weight"].tensor_type == Q.F32
    assert file.tensors["blk.1.attn_norm.weight"].tensor_type == Q.F32
    for name, fan_in in (("blk.2.ffn_gate_exps.weight", 64), ("blk.2.ffn_down_exps.weight", 128),
                         ("token_embd.weight", 64), ("blk.0.attn_q.weight", 64)):
        values = file.load(name)
        assert torch.isfinite(values).all()
        assert 0.8 < values.std().item() * fan_in ** 0.5 < 1.25, name
    assert 0.75 < file.load("blk.0.attn_norm.weight").min() <= file.load("blk.0.attn_norm.weight").max() < 1.25


def test_vocab_and_template_are_mixtral_instruct(tmp_path):
    path = tmp_path / "tiny.gguf"
    synth("tiny-mixtral", 1, "Q8_0", path)
    meta = GGUFFile(path).metadata
    processor = sentencepiece.SentencePieceProcessor(model_file=str(mixtral_tokenizer_file()))
    assert meta["tokenizer.ggml.model"] == "llama"
    assert meta["tokenizer.ggml.tokens"] == [processor.id_to_piece(i) for i in range(32000)]
    assert np.allclose(meta["tokenizer.ggml.scores"], [processor.get_score(i) for i in range(32000)])
    types = meta["tokenizer.ggml.token_type"]
    assert (types[0], types[1], types[2], types[3], types[500]) == (2, 3, 3, 6, 1)  # unk, control, byte, normal
    assert (meta["tokenizer.ggml.unknown_token_id"], meta["tokenizer.ggml.bos_token_id"],
            meta["tokenizer.ggml.eos_token_id"], meta["tokenizer.ggml.add_bos_token"]) == (0, 1, 2, True)
    assert meta["tokenizer.chat_template"] == MIXTRAL_INSTRUCT_TEMPLATE


def test_tiny_file_loads_and_chats_with_mistral_common_ids(tmp_path):
    from mistral_common.protocol.instruct.messages import UserMessage
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    path = tmp_path / "tiny.gguf"
    assert main(["synth", "--preset", "tiny-mixtral", "--type", "Q4_0", str(path)]) == 0
    engine = Engine()
    engine.load(path, context_length=128)
    assert isinstance(engine.loaded.chat_encoder, MistralV1ChatEncoder)
    question = "Quelle est la capitale de l'Italie ?"
    reference = MistralTokenizer.from_file(str(mixtral_tokenizer_file())).encode_chat_completion(
        ChatCompletionRequest(messages=[UserMessage(content=question)])).tokens
    assert engine.encode_conversation([{"role": "user", "content": question}])[0] == reference
    generation = engine.chat([{"role": "user", "content": question}], params=SamplingParams(temperature=0),
                             max_tokens=5)
    generation.text()
    assert len(generation.result.token_ids) == 5 or generation.result.finish_reason == "stop"


def test_real_size_layer_loads_and_generates_in_bf16(tmp_path, capsys, monkeypatch):
    """One Mixtral 8x7B layer at its real size (1.7B parameters, ~1 GB Q4_0): loads in bf16; on the torch path
    greedy decoding touches only the two chosen experts per token (in one fused native call), and the native
    decode step (the layer in one call, runtime/native_decode.py) picks the same tokens."""
    path = tmp_path / "mixtral-1-layer.gguf"
    try:
        assert main(["synth", "--preset", "mixtral-8x7b", "--layers", "1", "--type", "Q4_0", str(path)]) == 0
        engine = Engine(dtype=torch.bfloat16)
        engine.load(path, context_length=64)
        moe = engine.loaded.model.layers[0].feed_forward
        assert moe.w1.shape == (8, 14336, 4096) and moe.w2.dtype == torch.bfloat16
        steps, running = [], []  # the experts each one-token pass of the layer ran
        run_expert, forward = moe.run_expert, moe.forward
        moe.run_expert = lambda e, x: running.append(e) or run_expert(e, x)
        fused_moe = model_module.fused_moe
        monkeypatch.setattr(model_module, "fused_moe",
                            lambda w1, w3, w2, x, experts, weights: running.extend(experts) or
                            fused_moe(w1, w3, w2, x, experts, weights))

        def counted_forward(x):
            running.clear()
            out = forward(x)
            if x.shape[0] == 1:
                steps.append(list(running))
            return out

        moe.forward = counted_forward
        engine.loaded.model.native_decode = False
        generation = engine.chat([{"role": "user", "content": "Hello"}], params=SamplingParams(temperature=0),
                                 max_tokens=3)
        generation.text()
        assert len(generation.result.token_ids) == 3
        assert steps and all(len(experts) == len(set(experts)) == 2 for experts in steps), steps
        engine.loaded.model.native_decode = True
        steps.clear()
        native = engine.chat([{"role": "user", "content": "Hi"}], params=SamplingParams(temperature=0), max_tokens=3)
        native.text()
        assert not steps  # the steps went through the native layer, not the module
        engine.loaded.model.native_decode = False
        again = engine.chat([{"role": "user", "content": "Hi"}], params=SamplingParams(temperature=0), max_tokens=3)
        again.text()
        assert native.result.token_ids == again.result.token_ids
    finally:
        path.unlink(missing_ok=True)


def test_info_counts_two_real_size_layers(tmp_path, capsys):
    path = tmp_path / "mixtral-2-layers.gguf"
    try:
        assert main(["synth", "--preset", "mixtral-8x7b", "--layers", "2", "--type", "Q4_0", str(path)]) == 0
        assert 1.7e9 < path.stat().st_size < 1.9e9
        capsys.readouterr()
        assert main(["info", str(path), "--json"]) == 0
        info = json.loads(capsys.readouterr().out)
        total, active = preset_config("mixtral-8x7b", layers=2).parameter_counts()
        in_file = sum(int(t.n_elements) for t in GGUFFile(path).tensors.values())
        assert info["parameters_total"] == total == in_file
        assert info["parameters_active"] == active == in_file - 2 * 6 * 3 * 14336 * 4096  # 6 idle experts a layer
        assert (info["experts"], info["experts_per_token"], info["quantization"]) == (8, 2, "Q4_0")
        assert main(["info", str(path)]) == 0
        assert "3.16B" in capsys.readouterr().out
    finally:
        path.unlink(missing_ok=True)
