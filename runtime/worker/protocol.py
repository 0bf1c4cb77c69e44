"""Messages between the app and the worker: small plain dicts with a `type` and a request `id`.

Requests (app -> worker): load, generate, cancel, unload, shutdown.
Events (worker -> app): load_progress, loaded, token, done, error.
`validate_request` checks a received request and raises `ProtocolError` with a readable reason.

What the runtime says in fixed words also carries a stable `code`: a `load_progress` event its step
(`LOAD_STEPS`), an `error` event with a fixed message its `ERROR_CODES` entry (with the values the sentence
needs as fields). The app shows its own translation of each code; the English `phrase` and `message` stay for
the CLI and the logs. Free-form details (a file's own problem, an exception's text) have no code.
"""
import itertools

REQUEST_FIELDS = {
    # type: {field: accepted python types}; `id` is required on every message.
    "load": {"path": (str,), "context_length": (int, type(None)), "device": (str, type(None))},
    "generate": {"messages": (list,), "params": (dict, type(None)), "max_tokens": (int, type(None)),
                 "conversation_id": (str, int, type(None))},
    "cancel": {"target": (str, type(None))},
    "unload": {},
    "shutdown": {},
}
OPTIONAL = {"context_length", "device", "params", "max_tokens", "conversation_id", "target"}
EVENT_TYPES = ("load_progress", "loaded", "token", "done", "error")
FINISH_REASONS = ("stop", "length", "cancelled")
ROLES = ("system", "user", "assistant")

# Kinds of `error` events.
BAD_REQUEST = "bad_request"
BUSY = "busy"
NO_MODEL = "no_model"
MODEL_FILE = "model_file"
CONTEXT = "context"
INTERNAL = "internal"
WORKER_DIED = "worker_died"

# Steps of a load: `load_progress` code -> the English phrase sent beside it.
LOAD_STEPS = {
    "reading_file": "Reading the model file",
    "reading_folder": "Reading the model folder",
    "loading_weights": "Loading weights",
}

# Codes of `error` events whose message is a fixed sentence -> (kind, the fields the sentence uses).
ERROR_CODES = {
    "busy": (BUSY, ()),                            # an answer is already being generated
    "no_model": (NO_MODEL, ()),                    # no model is loaded
    "context_overflow": (CONTEXT, ("context_length",)),
    "out_of_memory": (INTERNAL, ()),
    "unexpected": (INTERNAL, ("detail",)),         # detail: the exception, as Python writes it
    "not_running": (WORKER_DIED, ()),
    "killed": (WORKER_DIED, ("signal",)),          # SIGKILL: most often the computer ran out of memory
    "signal": (WORKER_DIED, ("signal",)),
    "exited": (WORKER_DIED, ("exitcode",)),
}

_ids = itertools.count(1)


class ProtocolError(ValueError):
    """A request that cannot be understood; its message says why."""


def new_id() -> str:
    return f"r{next(_ids)}"


def request(type_: str, **fields) -> dict:
    """A request message with a fresh id; fields are validated like a received message."""
    message = {"type": type_, "id": fields.pop("id", None) or new_id(), **fields}
    validate_request(message)
    return message


def event(type_: str, request_id: str | None, **fields) -> dict:
    assert type_ in EVENT_TYPES, type_
    return {"type": type_, "id": request_id, **fields}


def error_event(request_id: str | None, kind: str, message: str, code: str | None = None, **fields) -> dict:
    """An `error` event; `code` (one of ERROR_CODES, with its fields) when the message is a fixed sentence."""
    if code is None:
        return event("error", request_id, kind=kind, message=message)
    assert ERROR_CODES[code][0] == kind and set(ERROR_CODES[code][1]) <= set(fields), (code, kind, fields)
    return event("error", request_id, kind=kind, message=message, code=code, **fields)


def load_step_code(phrase: str) -> str:
    """The code of a loader's progress phrase ("" for a phrase without one: the app then shows the phrase)."""
    return next((code for code, text in LOAD_STEPS.items() if text == phrase), "")


def validate_request(message) -> dict:
    if not isinstance(message, dict):
        raise ProtocolError(f"a request must be a dict, not {type(message).__name__}")
    kind = message.get("type")
    if kind not in REQUEST_FIELDS:
        raise ProtocolError(f"unknown request type {kind!r}")
    if not isinstance(message.get("id"), str) or not message["id"]:
        raise ProtocolError(f"{kind} request without a string id")
    for name, types in REQUEST_FIELDS[kind].items():
        if name not in message and name in OPTIONAL:
            continue
        if not isinstance(message.get(name), types):
            raise ProtocolError(f"{kind} request: field {name!r} is missing or of the wrong type")
    if kind == "generate":
        validate_messages(message["messages"])
    return message


def validate_messages(messages: list) -> None:
    if not messages:
        raise ProtocolError("generate request with no messages")
    for m in messages:
        if not (isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str)):
            raise ProtocolError('each message must be {"role": system|user|assistant, "content": str}')
    if messages[-1]["role"] != "user":
        raise ProtocolError("the last message of a generate request must be the user's")
