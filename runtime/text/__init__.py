"""Text side of a model: tokenizers (SentencePiece, byte-level BPE, the streaming detokenizer) and chat
templates. Imports only runtime.errors and its libraries (no torch): the model never imports text.
"""
