"""What the server answers, in OpenAI's shapes: whole chat / text completions, their streamed chunks
(each sent as `data: {json}\\n\\n`, then `data: [DONE]\\n\\n`), usage, and the model list. Torch-free.
"""
import json
import secrets
import time


def sse(payload) -> bytes:
    """One server-sent event: a JSON object, or the string "[DONE]"."""
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def model_object(model_id: str, created: int, context_length: int) -> dict:
    """OpenAI's model object, plus vLLM's `max_model_len` (the engine's context in tokens), which clients
    such as the app's remote engine read to size their answers."""
    return {"id": model_id, "object": "model", "created": created, "owned_by": "octet",
            "max_model_len": context_length}


def model_list(model_id: str, created: int, context_length: int) -> dict:
    return {"object": "list", "data": [model_object(model_id, created, context_length)]}


class Formatter:
    """The objects of one answer: chat (`chat.completion`, `chat.completion.chunk`) or text
    (`text_completion`), all with the same id, `created` and `model`."""

    def __init__(self, chat: bool, model: str, *, include_usage: bool = False):
        self.chat = chat
        self.include_usage = include_usage
        self.head = {"id": f"{'chatcmpl' if chat else 'cmpl'}-{secrets.token_hex(12)}",
                     "object": "chat.completion.chunk" if chat else "text_completion",
                     "created": int(time.time()), "model": model, "system_fingerprint": None}

    def chunk(self, text: str | None = None, finish_reason: str | None = None, *, first: bool = False) -> dict:
        """A streamed piece: the first (chat: the assistant role), a text delta, or the last (its finish reason)."""
        if self.chat:
            delta = {"role": "assistant", "content": ""} if first else ({"content": text} if text is not None else {})
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        else:
            choice = {"index": 0, "text": text or "", "logprobs": None, "finish_reason": finish_reason}
        return {**self.head, "choices": [choice], **({"usage": None} if self.include_usage else {})}

    def usage_chunk(self, counts: dict) -> dict:
        """The chunk after the last when the client asked for stream_options.include_usage."""
        return {**self.head, "choices": [], "usage": counts}

    def whole(self, text: str, finish_reason: str, counts: dict) -> dict:
        """The answer of a request that did not stream."""
        if self.chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                      "logprobs": None, "finish_reason": finish_reason}
            kind = "chat.completion"
        else:
            choice = {"index": 0, "text": text, "logprobs": None, "finish_reason": finish_reason}
            kind = "text_completion"
        return {**self.head, "object": kind, "choices": [choice], "usage": counts}
