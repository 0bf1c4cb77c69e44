"""Quantized weights: the formats (int8, int4, GGUF blocks), GGUF blocks converted onto them, and the
matrix kernels they run on (torch's, and our own from native/, built by native.py). Imports torch, weights.gguf.
"""
