"""Checkpoint tensor names to the model's own, through one table per format.

`{L}` is a layer index and `{E}` an expert index. `internal_name()` returns the model's name for a
file's tensor, or None for tensors the model does not use (e.g. rope frequency tables);
`external_name()` is its inverse (writers: `runtime synth`, the tests' GGUF converter).
Stacked expert tensors map to names without `.weight` ([E, out, in] parameters of the MoE block).
"""
import re

GGUF_NAMES = {
    "token_embd.weight": "tok_embeddings.weight",
    "output_norm.weight": "norm.weight",
    "output.weight": "output.weight",
    "blk.{L}.attn_norm.weight": "layers.{L}.attention_norm.weight",
    "blk.{L}.attn_q.weight": "layers.{L}.attention.wq.weight",
    "blk.{L}.attn_k.weight": "layers.{L}.attention.wk.weight",
    "blk.{L}.attn_v.weight": "layers.{L}.attention.wv.weight",
    "blk.{L}.attn_output.weight": "layers.{L}.attention.wo.weight",
    "blk.{L}.ffn_norm.weight": "layers.{L}.ffn_norm.weight",
    "blk.{L}.ffn_gate.weight": "layers.{L}.feed_forward.w1.weight",
    "blk.{L}.ffn_up.weight": "layers.{L}.feed_forward.w3.weight",
    "blk.{L}.ffn_down.weight": "layers.{L}.feed_forward.w2.weight",
    "blk.{L}.ffn_gate_inp.weight": "layers.{L}.feed_forward.gate.weight",
    "blk.{L}.ffn_gate_exps.weight": "layers.{L}.feed_forward.w1",
    "blk.{L}.ffn_up_exps.weight": "layers.{L}.feed_forward.w3",
    "blk.{L}.ffn_down_exps.weight": "layers.{L}.feed_forward.w2",
    # The per-expert layout of early Mixtral GGUF files, stacked by the loader.
    "blk.{L}.ffn_gate.{E}.weight": "layers.{L}.feed_forward.w1.{E}",
    "blk.{L}.ffn_up.{E}.weight": "layers.{L}.feed_forward.w3.{E}",
    "blk.{L}.ffn_down.{E}.weight": "layers.{L}.feed_forward.w2.{E}",
}

HF_NAMES = {
    "model.embed_tokens.weight": "tok_embeddings.weight",
    "model.norm.weight": "norm.weight",
    "lm_head.weight": "output.weight",
    "model.layers.{L}.input_layernorm.weight": "layers.{L}.attention_norm.weight",
    "model.layers.{L}.self_attn.q_proj.weight": "layers.{L}.attention.wq.weight",
    "model.layers.{L}.self_attn.k_proj.weight": "layers.{L}.attention.wk.weight",
    "model.layers.{L}.self_attn.v_proj.weight": "layers.{L}.attention.wv.weight",
    "model.layers.{L}.self_attn.o_proj.weight": "layers.{L}.attention.wo.weight",
    "model.layers.{L}.post_attention_layernorm.weight": "layers.{L}.ffn_norm.weight",
    "model.layers.{L}.mlp.gate_proj.weight": "layers.{L}.feed_forward.w1.weight",
    "model.layers.{L}.mlp.up_proj.weight": "layers.{L}.feed_forward.w3.weight",
    "model.layers.{L}.mlp.down_proj.weight": "layers.{L}.feed_forward.w2.weight",
    "model.layers.{L}.block_sparse_moe.gate.weight": "layers.{L}.feed_forward.gate.weight",
    "model.layers.{L}.block_sparse_moe.experts.{E}.w1.weight": "layers.{L}.feed_forward.w1.{E}",
    "model.layers.{L}.block_sparse_moe.experts.{E}.w3.weight": "layers.{L}.feed_forward.w3.{E}",
    "model.layers.{L}.block_sparse_moe.experts.{E}.w2.weight": "layers.{L}.feed_forward.w2.{E}",
}


def _compile(table: dict[str, str]) -> list[tuple[re.Pattern, str]]:
    compiled = []
    for source, target in table.items():
        pattern = re.escape(source).replace(r"\{L\}", r"(?P<L>\d+)").replace(r"\{E\}", r"(?P<E>\d+)")
        compiled.append((re.compile(pattern + "$"), target))
    return compiled


_GGUF = _compile(GGUF_NAMES)
_HF = _compile(HF_NAMES)
_INVERSE = {"gguf": _compile({v: k for k, v in GGUF_NAMES.items()}),
            "hf": _compile({v: k for k, v in HF_NAMES.items()})}


def internal_name(file_name: str, *, fmt: str) -> str | None:
    """The model's name for `file_name` in a "gguf" or "hf" checkpoint; None if unused."""
    for pattern, target in _GGUF if fmt == "gguf" else _HF:
        match = pattern.match(file_name)
        if match:
            return target.format(**match.groupdict())
    return None


def external_name(name: str, *, fmt: str) -> str:
    """The "gguf" or "hf" checkpoint name of the model's tensor `name` (KeyError if it has none)."""
    for pattern, target in _INVERSE[fmt]:
        match = pattern.match(name)
        if match:
            return target.format(**match.groupdict())
    raise KeyError(f"no {fmt} name for tensor {name}")


EXPERT_SUFFIX = re.compile(r"^(?P<stack>.+\.w[123])\.(?P<E>\d+)$")


def split_expert_name(name: str) -> tuple[str, int] | None:
    """`layers.3.feed_forward.w1.5` -> (`layers.3.feed_forward.w1`, 5); None for other names."""
    match = EXPERT_SUFFIX.match(name)
    return (match["stack"], int(match["E"])) if match else None
