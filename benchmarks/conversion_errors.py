"""The error of each GGUF → Octet conversion against the `gguf` package's reference dequantizer, and of
the kernels' own arithmetic, printed as the Markdown table docs/quantization.md quotes.

    python benchmarks/conversion_errors.py

Weights: 256 × 4096 per type. Types `gguf` can quantize (Q4_0, Q4_1, Q5_0, Q8_0) are quantized from
Gaussian weights; K-quants (Q4_K, Q5_K, Q6_K) are random valid blocks (gguf has no K-quantizer).
"""
import sys
from pathlib import Path

import gguf
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runtime.quant import kernels as quant_kernels  # noqa: E402
from runtime.quant.gguf_blocks import gguf_weight  # noqa: E402

Q = gguf.GGMLQuantizationType
N, K = 256, 4096


def blocks(qtype, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if qtype in (Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q8_0):
        return gguf.quants.quantize(rng.standard_normal((N, K), dtype=np.float32) / 64, qtype)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (N, K // block, size), dtype=np.uint8)
    for offset in ((size - 2,) if qtype == Q.Q6_K else (0, 2)):
        raw[..., offset:offset + 2] = np.frombuffer(rng.uniform(1e-4, 1e-3, raw.shape[:2]).astype(np.float16)
                                                    .tobytes(), np.uint8).reshape(*raw.shape[:2], 2)
    return raw.reshape(N, -1)


def errors(actual: torch.Tensor, expected: torch.Tensor) -> tuple[float, float]:
    """(relative RMS error, max abs error / max |w|)."""
    diff = actual.float() - expected
    return (diff.norm() / expected.norm()).item(), (diff.abs().max() / expected.abs().max()).item()


def rows() -> list[str]:
    out = []
    x = torch.randn(1, K, generator=torch.Generator().manual_seed(1))
    for qtype in (Q.Q4_0, Q.Q4_1, Q.Q4_K, Q.Q8_0, Q.Q5_0, Q.Q5_K, Q.Q6_K):
        raw = blocks(qtype)
        reference = torch.from_numpy(gguf.quants.dequantize(raw, qtype).reshape(N, K))
        paths = [("torch kernels (no AVX-512 VNNI)", gguf_weight(raw, qtype, K, use_kernels=False))]
        if quant_kernels.gguf_kernels() and qtype in (Q.Q4_0, Q.Q8_0):
            paths.insert(0, ("Octet kernel, regrouped blocks", gguf_weight(raw, qtype, K)))
        for where, weight in paths:
            rms, worst = errors(weight.dequantize(), reference)
            product = weight.matmul(x.to(torch.bfloat16)).float()
            matmul_rms, _ = errors(product, x @ reference.T)
            out.append(f"| {qtype.name} | {where}: {type(weight).__name__} | {rms:.2e} | {worst:.2e} | {matmul_rms:.2e} |")
    return out


if __name__ == "__main__":
    print("| GGUF type | runs as | weight error (relative RMS) | max abs error / max abs weight | "
          "x @ W.T error (bf16 x, relative RMS) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows()))
