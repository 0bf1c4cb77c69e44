"""Messages between the app and the worker: small plain dicts with a `type` and a request `id`.

Requests (app -> worker): load, generate, cancel, unload, shutdown, forget_state (a conversation's saved chat
state: it was deleted), clear_state (every saved chat state); the last two are answered by a `done` event.
Events (worker -> app): load_progress, loaded, token, done, error. A generate's `done` says `resumed_tokens`:
the prompt tokens restored from a saved chat state rather than read again.
A `load` may name its `kv_cache` (KV_CACHE_TYPES: bf16 by default, int8 about half the memory); `loaded` says
which it got, and which matrix kernels run the model (`kernels`, one of KERNEL_PATHS; a remote engine's has none).
`serve` (enabled: True, host: 127.0.0.1, port: 8080, api_key, max_queue) starts or stops the local API server on
the loaded model (worker/sharing.py): answered by `api_server` (state started, host, port / stopped) or an `error`
(kind local_server); `api_request` (active) tells when an API request runs on the engine, `waiting` (waiting,
ahead) when a generate waits for them.
`validate_request` checks a received request and raises `ProtocolError` with a readable reason.

What the runtime says in fixed words also carries a stable `code`: a `load_progress` event its step
(`LOAD_STEPS`), an `error` event with a fixed message its `ERROR_CODES` entry (with the values the sentence
needs as fields). The app shows its own translation of each code; the English `phrase` and `message` stay for
the CLI and the logs. Free-form details (a file's own problem, an exception's text) have no code.
"""
import itertools

REQUEST_FIELDS = {
    # type: {field: accepted python types}; `id` is required on every message.
    "load": {"path": (str,), "context_length": (int, type(None)), "device": (str, type(None)),
             "state_memory_mb": (int, type(None)), "state_disk_mb": (int, type(None)),  # chat state budgets
             "kv_cache": (str, type(None))},  # one of KV_CACHE_TYPES (default bf16)
    "generate": {"messages": (list,), "params": (dict, type(None)), "max_tokens": (int, type(None)),
                 "conversation_id": (str, int, type(None))},
    "cancel": {"target": (str, type(None))},
    "unload": {},
    "shutdown": {},
    "forget_state": {"conversation": (str, int)},  # the conversation_id its generate requests carried
    "serve": {"enabled": (bool,), "host": (str,), "port": (int,), "api_key": (str, type(None)),
              "max_queue": (int, type(None))},
    "clear_state": {},
}
OPTIONAL = {"context_length", "device", "params", "max_tokens", "conversation_id", "target", "state_memory_mb",
            "state_disk_mb", "enabled", "host", "port", "api_key", "max_queue", "kv_cache"}
KV_CACHE_TYPES = ("bf16", "int8")  # how the worker's KV cache stores keys and values (runtime/kv_cache.py)
STATE_MEMORY_MB = 1024  # default budgets of saved chat states (runtime/chat_state.py): parked in memory,
STATE_DISK_MB = 4096    # and written to the data folder
EVENT_TYPES = ("load_progress", "loaded", "token", "done", "error", "api_server", "api_request", "waiting")
# The kernels a local engine's quantized weights run on (runtime/quant/kernels.py's kernel_path()): our native
# library for the CPU's instruction set, or torch's own (slower) ops.
KERNEL_PATHS = ("avx512", "avx2", "neon", "portable", "torch")
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
SERVER = "server"  # a remote server (runtime/worker/remote.py) cannot be used or refused a request
LOCAL_SERVER = "local_server"  # the local API server (runtime/worker/sharing.py) cannot start

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
    "not_enough_memory": (MODEL_FILE, ("needed_bytes", "available_bytes")),  # refused before loading
    "unexpected": (INTERNAL, ("detail",)),         # detail: the exception, as Python writes it
    "not_running": (WORKER_DIED, ()),
    "killed": (WORKER_DIED, ("signal",)),          # SIGKILL: most often the computer ran out of memory
    "signal": (WORKER_DIED, ("signal",)),
    "exited": (WORKER_DIED, ("exitcode",)),
    # a remote engine (runtime/worker/remote.py); `server` is its host[:port], `detail` its own words
    "server_unreachable": (SERVER, ("server", "detail")),
    "server_key": (SERVER, ("server", "detail")),           # 401, or 403 for the key
    "server_model_missing": (NO_MODEL, ("server", "model")),
    "server_not_openai": (SERVER, ("server",)),             # a 404, or answers that are not OpenAI's
    "server_context": (CONTEXT, ("detail",)),               # 400 context_length_exceeded
    "server_refused": (SERVER, ("server", "status", "detail")),  # any other refusal: 400, 429, 5xx
    "server_dropped": (WORKER_DIED, ("server", "detail")),  # mid-answer: the event carries partial_text
    # the local API server (Settings › Local server)
    "port_in_use": (LOCAL_SERVER, ("host", "port")),
    "local_server_needs_key": (LOCAL_SERVER, ("host",)),  # an address beyond loopback without an API key
    "local_server_failed": (LOCAL_SERVER, ("detail",)),
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
    assert type_ != "loaded" or fields.get("kernels", "torch") in KERNEL_PATHS, fields.get("kernels")
    return {"type": type_, "id": request_id, **fields}


def loaded_kernels(message: dict) -> str:
    """The kernel path a received `loaded` event names (one of KERNEL_PATHS), or "" where it names none (a remote
    engine) or one this app does not know."""
    kernels = message.get("kernels")
    return kernels if kernels in KERNEL_PATHS else ""


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
    if kind == "serve" and not 0 <= message.get("port", 0) <= 65535:
        raise ProtocolError("serve request: port must be 0-65535")
    if kind == "load" and message.get("kv_cache") not in (None, *KV_CACHE_TYPES):
        raise ProtocolError(f"load request: kv_cache must be one of {', '.join(KV_CACHE_TYPES)}")
    return message


def validate_messages(messages: list) -> None:
    if not messages:
        raise ProtocolError("generate request with no messages")
    for m in messages:
        if not (isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str)):
            raise ProtocolError('each message must be {"role": system|user|assistant, "content": str}')
    if messages[-1]["role"] != "user":
        raise ProtocolError("the last message of a generate request must be the user's")
