"""Octet's model runtime: loads GGUF / Hugging Face models and generates text on the CPU (or GPU).

Importing this package is cheap: it imports no torch. The heavy modules (model, engine) import it
themselves, so the GUI can use `runtime.worker` and `runtime.paths` without paying for torch.
"""
