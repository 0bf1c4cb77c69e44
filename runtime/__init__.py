"""Octet's model runtime: loads GGUF / Hugging Face models and generates text on the CPU (or GPU).

Packages: `weights/` reads checkpoints, `quant/` holds quantized formats and kernels, `text/`
tokenizers and chat templates, `worker/` the process the app talks to; beside them the model,
the loader, the engine and the CLI. docs/architecture.md draws the arrows. Never imports Qt.
Importing this package is cheap: it imports no torch, so the app can use `runtime.worker`,
`runtime.paths` and `runtime.errors` without paying for torch.
"""
