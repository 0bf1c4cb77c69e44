"""One checked request on the engine: its prompt ids (the chat template, or the plain prompt), refused
with `context_length_exceeded` when it does not fit, its JSON grammar, and the work the engine queue
runs: text deltas, then the `Finished` counts. The prompt is never cut, unlike the app's chats.
"""
from dataclasses import dataclass

from ..errors import OctetError
from .api_requests import CompletionRequest
from .errors import ApiError
from .grammar import JsonGrammars


@dataclass
class Finished:
    """The last event of a generation (after its text deltas)."""
    finish_reason: str  # stop | length | cancelled
    prompt_tokens: int
    completion_tokens: int


@dataclass
class Prepared:
    """A request made ready for the engine: its prompt ids, its token budget, its grammar (or None)."""
    request: CompletionRequest
    prompt: list[int]
    max_tokens: int
    processor: object | None

    def work(self, engine, cancelled):
        """The engine queue's work: text deltas, then Finished."""
        engine.leave_conversation()  # in the app's worker, an API request must not take a chat's saved state
        generation = engine.generate(self.prompt, params=self.request.params, max_tokens=self.max_tokens,
                                     cancelled=cancelled, logits_processor=self.processor, stop=self.request.stop)
        for delta in generation:
            yield delta
        result = generation.result
        answer = result.token_ids
        ended_by_eos = answer and answer[-1] in engine.loaded.tokenizer.eos_ids and result.finish_reason == "stop"
        yield Finished(result.finish_reason, len(self.prompt), len(answer) - (1 if ended_by_eos else 0))


class Preparer:
    """Turns requests into Prepared ones for one loaded engine (tokenizer, chat template, context)."""

    def __init__(self, engine):
        self.engine = engine
        self.grammars = JsonGrammars(engine.loaded.tokenizer)

    def prepare(self, request: CompletionRequest) -> Prepared:
        prompt = self.prompt_ids(request)
        max_tokens = self.token_budget(len(prompt), request.max_tokens)
        processor = self.grammars.processor(request.response_format) if request.response_format else None
        return Prepared(request, prompt, max_tokens, processor)

    def prompt_ids(self, request: CompletionRequest) -> list[int]:
        loaded = self.engine.loaded
        if not request.chat:
            return loaded.tokenizer.encode(request.prompt, add_bos=loaded.tokenizer.add_bos)
        try:
            return loaded.chat_encoder.encode_chat(request.messages, add_generation_prompt=True)
        except (OctetError, ValueError) as error:  # the model's template refused the conversation
            raise ApiError(400, f"the model's chat template refused these messages: {error}", param="messages",
                           code="invalid_messages") from None

    def token_budget(self, prompt_tokens: int, max_tokens: int | None) -> int:
        """The tokens the answer may have; a 400 `context_length_exceeded` if the request does not fit."""
        context = self.engine.context_length
        if prompt_tokens >= context:
            raise ApiError(400, f"This model's maximum context length is {context} tokens. However, your "
                                f"messages resulted in {prompt_tokens} tokens. Please reduce the length of the "
                                "messages.", param="messages", code="context_length_exceeded")
        if max_tokens is not None and prompt_tokens + max_tokens > context:
            raise ApiError(400, f"This model's maximum context length is {context} tokens. However, you requested "
                                f"{prompt_tokens + max_tokens} tokens ({prompt_tokens} in the messages, {max_tokens} "
                                "in the completion). Please reduce the length of the messages or completion.",
                           param="max_tokens", code="context_length_exceeded")
        return max_tokens if max_tokens is not None else context - prompt_tokens
