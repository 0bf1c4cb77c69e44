"""Errors a person reads: each says which file, what is wrong, and (where it helps) what to do.

The CLI prints `str(error)` on one line and exits with code 2; the worker sends it in an `error` event.
"""


class OctetError(Exception):
    """Base for errors meant for a person, not a traceback."""


class ModelFileError(OctetError):
    """A model file or folder is missing, malformed, truncated, hostile or of an unsupported kind."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnsupportedModelError(ModelFileError):
    """A well-formed file holding something Octet cannot run (architecture, tensor type)."""


class NotEnoughMemoryError(OctetError):
    """A model that would need more memory than is available (runtime.memory_estimate), refused before its
    weights are read."""

    def __init__(self, path, needed_bytes: int, available_bytes: int):
        self.path, self.needed_bytes, self.available_bytes = str(path), needed_bytes, available_bytes
        super().__init__(f"{self.path}: needs about {needed_bytes / 1e9:.1f} GB of memory, but only "
                         f"{available_bytes / 1e9:.1f} GB is available; close other programs, or pick a smaller "
                         "model, a shorter context or the compact KV cache")


class ContextOverflowError(OctetError):
    """A prompt that does not fit in the model's context window."""


class GenerationCancelled(Exception):
    """The user stopped a generation before its first token (while its prompt was being built)."""
