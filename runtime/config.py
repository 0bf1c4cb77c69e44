"""The model's shape, read from GGUF metadata or a Hugging Face config.json.

`ModelConfig` uses Hugging Face's field names; `from_dict` keeps the fields it knows and
`__post_init__` derives the rest. One config describes Llama, Mistral and Mixtral (experts > 0).
"""
import math
from dataclasses import dataclass, fields

from .errors import ModelFileError

SUPPORTED_MODEL_TYPES = ("llama", "mistral", "mixtral")
# Far above any model a computer can run (Llama 3.1 405B has 126 layers, hidden 16384, vocab 128256):
# a header claiming more is lying, and is refused before anything is built from it.
SIZE_LIMITS = {
    "vocab_size": 1 << 22, "hidden_size": 1 << 16, "intermediate_size": 1 << 18, "num_hidden_layers": 1024,
    "num_attention_heads": 1024, "num_key_value_heads": 1024, "head_dim": 4096,
    "max_position_embeddings": 1 << 24, "num_local_experts": 1024, "num_experts_per_tok": 1024,
}
MUST_BE_POSITIVE = ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                    "num_key_value_heads", "head_dim")


@dataclass
class ModelConfig:
    model_type: str = "llama"
    vocab_size: int = 32000
    hidden_size: int = 4096
    intermediate_size: int = 14336
    num_hidden_layers: int = 32
    num_attention_heads: int = 32
    num_key_value_heads: int | None = None
    head_dim: int | None = None
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    max_position_embeddings: int = 32768
    sliding_window: int | None = None
    tie_word_embeddings: bool = False
    num_local_experts: int = 0  # 0: a dense SwiGLU feed-forward
    num_experts_per_tok: int = 0

    def __post_init__(self):
        if self.num_key_value_heads is None:
            self.num_key_value_heads = self.num_attention_heads
        if self.head_dim is None:
            self.head_dim = self.hidden_size // self.num_attention_heads
        if self.num_local_experts and not self.num_experts_per_tok:
            self.num_experts_per_tok = min(2, self.num_local_experts)

    @classmethod
    def from_dict(cls, values: dict) -> "ModelConfig":
        """From a config.json; transformers 5 writes rope_theta inside `rope_parameters`."""
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in values.items() if k in known and v is not None}
        rope = values.get("rope_parameters")
        if "rope_theta" not in kept and isinstance(rope, dict) and rope.get("rope_theta") is not None:
            kept["rope_theta"] = rope["rope_theta"]
        return cls(**kept)

    @property
    def is_moe(self) -> bool:
        return self.num_local_experts > 0

    def parameter_counts(self) -> tuple[int, int]:
        """(total, active per token) parameters, from the shapes alone."""
        d, f, hd = self.hidden_size, self.intermediate_size, self.head_dim
        attention = d * hd * (self.num_attention_heads * 2 + self.num_key_value_heads * 2)
        expert = 3 * d * f
        experts_total = expert * max(self.num_local_experts, 1)
        experts_active = expert * (self.num_experts_per_tok if self.is_moe else 1)
        router = d * self.num_local_experts
        norms = 2 * d
        per_layer_fixed = attention + router + norms
        embeddings = self.vocab_size * d * (1 if self.tie_word_embeddings else 2) + d
        total = self.num_hidden_layers * (per_layer_fixed + experts_total) + embeddings
        active = self.num_hidden_layers * (per_layer_fixed + experts_active) + embeddings
        return total, active


def config_from_gguf_metadata(meta: dict, vocab_size: int) -> ModelConfig:
    """A ModelConfig from GGUF key/values (`{arch}.block_count` and friends)."""
    arch = meta["general.architecture"]

    def key(name, default=None):
        return meta.get(f"{arch}.{name}", default)

    experts = key("expert_count", 0) or 0
    heads = key("attention.head_count")
    hidden = key("embedding_length")
    return ModelConfig(
        model_type="mixtral" if experts else arch,
        vocab_size=key("vocab_size") or vocab_size,
        hidden_size=hidden,
        intermediate_size=key("expert_feed_forward_length") or key("feed_forward_length"),
        num_hidden_layers=key("block_count"),
        num_attention_heads=heads,
        num_key_value_heads=key("attention.head_count_kv") or heads,
        head_dim=key("attention.key_length") or key("rope.dimension_count") or hidden // heads,
        rms_norm_eps=float(f'{key("attention.layer_norm_rms_epsilon", 1e-5):.7g}'),  # stored as float32
        rope_theta=key("rope.freq_base", 10000.0),
        max_position_embeddings=key("context_length", 4096),
        sliding_window=key("attention.sliding_window") or None,
        num_local_experts=experts,
        num_experts_per_tok=key("expert_used_count", 0) or 0,
    )


def check_sizes(config: ModelConfig, path) -> None:
    """Every size of the config is a whole number within SIZE_LIMITS and the heads divide evenly;
    a ModelFileError naming the file and the value otherwise (a lying header, refused at once)."""
    for name, limit in SIZE_LIMITS.items():
        value = getattr(config, name)
        low = 1 if name in MUST_BE_POSITIVE else 0
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= limit:
            raise ModelFileError(path, f"claims {name} = {value!r}, which no model has ({low} to {limit}); "
                                       "the file is damaged or not a model")
    if config.num_attention_heads % config.num_key_value_heads:
        raise ModelFileError(path, f"claims {config.num_attention_heads} attention heads in "
                                   f"{config.num_key_value_heads} key/value groups, which do not divide evenly")
    window = config.sliding_window
    if window is not None and (not isinstance(window, int) or isinstance(window, bool) or window < 1):
        raise ModelFileError(path, f"claims sliding_window = {window!r}; expected a positive whole number")
    for name in ("rope_theta", "rms_norm_eps"):
        value = getattr(config, name)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            raise ModelFileError(path, f"claims {name} = {value!r}; expected a positive number")
