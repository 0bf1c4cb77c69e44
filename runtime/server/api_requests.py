"""OpenAI request bodies (`/v1/chat/completions`, `/v1/completions`) read into one checked
`CompletionRequest`; anything Octet does not do (tools, n > 1, logprobs, images ...) is a 400 that
says so. Sampling follows OpenAI's defaults (temperature 1, top_p 1, no top-k or min-p). Torch-free.
"""
import json
from dataclasses import dataclass, field

from ..sampling_params import SamplingParams
from .errors import ApiError, invalid, unsupported

MAX_MESSAGES = 1000
MAX_STOPS = 4
MAX_STOP_LENGTH = 256
COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # OpenAI's default for /v1/completions (chat has none: the context)
ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


@dataclass
class CompletionRequest:
    chat: bool
    messages: list[dict] | None = None  # chat
    prompt: str | None = None  # completions
    params: SamplingParams = field(default_factory=SamplingParams)
    max_tokens: int | None = None  # None: what the context leaves
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False
    response_format: dict | None = None  # {"type": "json_object"} or {"type": "json_schema", "schema": {...}}


def parse_chat(body: dict) -> CompletionRequest:
    refuse_unsupported(body)
    request = CompletionRequest(chat=True, messages=read_messages(body.get("messages")))
    read_common(body, request)
    request.max_tokens = read_max_tokens(body, ("max_completion_tokens", "max_tokens"), None)
    request.response_format = read_response_format(body.get("response_format"))
    return request


def parse_completion(body: dict) -> CompletionRequest:
    refuse_unsupported(body)
    for name, message in (("echo", "echo is not supported"), ("suffix", "suffix (insertion) is not supported")):
        if body.get(name):
            raise unsupported(name, message)
    if body.get("best_of") not in (None, 1):
        raise unsupported("best_of", "best_of > 1 is not supported: Octet generates one completion per request")
    request = CompletionRequest(chat=False, prompt=read_prompt(body.get("prompt")))
    read_common(body, request)
    request.max_tokens = read_max_tokens(body, ("max_tokens",), COMPLETIONS_DEFAULT_MAX_TOKENS)
    return request


def refuse_unsupported(body: dict) -> None:
    if body.get("n") not in (None, 1):
        raise unsupported("n", "n > 1 is not supported: Octet generates one choice per request")
    if body.get("logprobs") not in (None, False) or body.get("top_logprobs") is not None:
        raise unsupported("logprobs", "logprobs are not supported by Octet's server")
    if body.get("tools") or body.get("functions"):
        raise unsupported("tools", "tools are not supported: the served model was not trained for tool calls")
    if body.get("tool_choice") not in (None, "none") or body.get("function_call") not in (None, "none"):
        raise unsupported("tool_choice", "tool_choice is not supported: Octet has no tools")
    if body.get("logit_bias"):
        raise unsupported("logit_bias", "logit_bias is not supported by Octet's server")
    if body.get("audio") or body.get("modalities") not in (None, ["text"]):
        raise unsupported("modalities", "only text output is supported")


def read_common(body: dict, request: CompletionRequest) -> None:
    """The options both endpoints share: sampling, seed, stop, stream."""
    request.params = SamplingParams(
        temperature=read_number(body, "temperature", 0.0, 2.0, 1.0), top_k=0,
        top_p=read_number(body, "top_p", 0.0, 1.0, 1.0), min_p=0.0, repetition_penalty=1.0,
        seed=read_integer(body, "seed", -2**63, None, high=2**63 - 1),
        frequency_penalty=read_number(body, "frequency_penalty", -2.0, 2.0, 0.0),
        presence_penalty=read_number(body, "presence_penalty", -2.0, 2.0, 0.0))
    request.stop = read_stop(body.get("stop"))
    request.stream = read_bool(body, "stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise invalid("stream_options", "stream_options must be an object")
    request.include_usage = request.stream and bool((options or {}).get("include_usage"))


def read_messages(messages) -> list[dict]:
    if not isinstance(messages, list) or not messages:
        raise invalid("messages", "messages must be a non-empty array")
    if len(messages) > MAX_MESSAGES:
        raise invalid("messages", f"too many messages: {len(messages)} (at most {MAX_MESSAGES})")
    return [read_message(message, index) for index, message in enumerate(messages)]


def read_message(message, index: int) -> dict:
    param = f"messages[{index}]"
    if not isinstance(message, dict):
        raise invalid(param, f"{param} must be an object")
    role = message.get("role")
    if role in ("tool", "function") or message.get("tool_calls") or message.get("function_call"):
        raise unsupported(f"{param}.role", "tool messages and tool calls are not supported: the served model "
                                           "was not trained for tool calls")
    if role not in ROLES:
        raise invalid(f"{param}.role", f"{param}.role must be one of {', '.join(ROLES)}, not {role!r}")
    return {"role": ROLES[role], "content": read_content(message.get("content"), param)}


def read_content(content, param: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise unsupported(f"{param}.content", f"content parts of type {kind!r} are not supported: "
                                                      "the served model reads text only")
            parts.append(part["text"])
        return "".join(parts)
    raise invalid(f"{param}.content", f"{param}.content must be a string or an array of text parts")


def read_prompt(prompt) -> str:
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if isinstance(prompt, list):
        raise unsupported("prompt", "prompt must be one string: batches and token arrays are not supported")
    if not isinstance(prompt, str) or not prompt:
        raise invalid("prompt", "prompt must be a non-empty string")
    return prompt


def read_stop(stop) -> list[str]:
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else stop
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise invalid("stop", "stop must be a string or an array of strings")
    if len(stops) > MAX_STOPS:
        raise invalid("stop", f"at most {MAX_STOPS} stop strings, not {len(stops)}")
    if any(len(s) > MAX_STOP_LENGTH for s in stops):
        raise invalid("stop", f"a stop string is at most {MAX_STOP_LENGTH} characters")
    return [s for s in stops if s]


def read_response_format(value) -> dict | None:
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "json_schema":
        schema = (value.get("json_schema") or {}).get("schema") if isinstance(value.get("json_schema"), dict) else None
        if not isinstance(schema, dict):
            raise invalid("response_format", "response_format.json_schema.schema must be a JSON schema object")
        return {"type": "json_schema", "schema": schema}
    raise invalid("response_format", "response_format.type must be text, json_object or json_schema")


def read_max_tokens(body: dict, names: tuple, default: int | None) -> int | None:
    for name in names:
        value = read_integer(body, name, 1, None)
        if value is not None:
            return value
    return default


def read_number(body: dict, name: str, low: float, high: float, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise invalid(name, f"{name} must be a number from {low:g} to {high:g}")
    return float(value)


def read_integer(body: dict, name: str, low: int, default: int | None, *, high: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        raise invalid(name, f"{name} must be an integer from {low}" + (f" to {high}" if high is not None else " up"))
    return value


def read_bool(body: dict, name: str) -> bool:
    value = body.get(name)
    if value not in (None, True, False):
        raise invalid(name, f"{name} must be true or false")
    return bool(value)


def read_body(raw: bytes) -> dict:
    """The JSON object of a request body, or a 400."""
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ApiError(400, f"the body is not valid JSON ({error})") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body
