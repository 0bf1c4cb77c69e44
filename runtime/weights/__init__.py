"""Reading model weights: GGUF files and Hugging Face safetensors folders."""
