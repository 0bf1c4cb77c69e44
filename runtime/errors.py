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


class ContextOverflowError(OctetError):
    """A prompt that does not fit in the model's context window."""


class GenerationCancelled(Exception):
    """The user stopped a generation before its first token (while its prompt was being built)."""
