"""Reading checkpoints: GGUF files (checked header, mapped tensors) and Hugging Face safetensors
folders, their names mapped to the model's, and their shapes checked against the config from the
headers. Imports only runtime.config and runtime.errors: no model, quant or text.
"""
