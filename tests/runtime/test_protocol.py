"""Requests between the app and the worker: every malformed one is refused with a reason naming what is wrong,
optional fields may be left out or None, and a generate request must end with the user's turn."""
import pytest

from runtime.worker import protocol
from runtime.worker.protocol import ProtocolError, request, validate_request

USER = {"role": "user", "content": "Hi"}


def test_well_formed_requests_pass_and_get_fresh_ids():
    first, second = request("load", path="/m.gguf"), request("cancel")
    assert first["type"] == "load" and first["id"] != second["id"]
    assert request("shutdown", id="mine")["id"] == "mine"
    full = request("generate", messages=[{"role": "system", "content": "s"}, USER], params={"seed": 1},
                   max_tokens=5, conversation_id=3)
    assert validate_request(full) is full
    for optional in (None, "cpu"):
        assert validate_request({"type": "load", "id": "a", "path": "x", "device": optional,
                                 "context_length": None})


@pytest.mark.parametrize("message, reason", [
    ("load", "must be a dict, not str"),
    ({"type": "explode", "id": "a"}, "unknown request type 'explode'"),
    ({"id": "a"}, "unknown request type None"),
    ({"type": "unload"}, "unload request without a string id"),
    ({"type": "unload", "id": ""}, "unload request without a string id"),
    ({"type": "unload", "id": 7}, "unload request without a string id"),
    ({"type": "load", "id": "a"}, "load request: field 'path' is missing or of the wrong type"),
    ({"type": "load", "id": "a", "path": 3}, "field 'path' is missing or of the wrong type"),
    ({"type": "load", "id": "a", "path": "x", "context_length": "4096"}, "field 'context_length'"),
    ({"type": "generate", "id": "a", "messages": "hello"}, "field 'messages'"),
    ({"type": "generate", "id": "a", "messages": [USER], "max_tokens": 1.5}, "field 'max_tokens'"),
    ({"type": "generate", "id": "a", "messages": [USER], "params": []}, "field 'params'"),
    ({"type": "cancel", "id": "a", "target": 3}, "field 'target'"),
])
def test_malformed_requests_are_refused_with_the_reason(message, reason):
    with pytest.raises(ProtocolError) as refused:
        validate_request(message)
    assert reason in str(refused.value)


@pytest.mark.parametrize("messages, reason", [
    ([], "generate request with no messages"),
    ([{"role": "tool", "content": "x"}], "each message must be"),
    ([{"role": "user", "content": 3}], "each message must be"),
    ([{"role": "user"}], "each message must be"),
    (["hi"], "each message must be"),
    ([USER, {"role": "assistant", "content": "Hello"}], "the last message of a generate request must be the user's"),
    ([{"role": "system", "content": "s"}], "must be the user's"),
])
def test_generate_requests_need_well_formed_turns_ending_with_the_user(messages, reason):
    with pytest.raises(ProtocolError, match=reason):
        validate_request({"type": "generate", "id": "a", "messages": messages})
    with pytest.raises(ProtocolError, match=reason):
        request("generate", messages=messages)


def test_every_request_type_declares_its_optional_fields():
    for kind, fields in protocol.REQUEST_FIELDS.items():
        required = {name for name in fields if name not in protocol.OPTIONAL}
        message = {"type": kind, "id": "x", **{name: _sample(fields[name]) for name in required}}
        assert validate_request(message) is message


def _sample(types):
    return {str: "x", list: [USER], dict: {}, int: 1}[types[0]]


def test_events_carry_their_type_and_request_id():
    assert protocol.event("token", "r1", text="a") == {"type": "token", "id": "r1", "text": "a"}
    with pytest.raises(AssertionError):
        protocol.event("explode", "r1")


def test_loaded_events_name_a_known_kernel_path():
    assert protocol.event("loaded", "r1", kernels="avx2") == {"type": "loaded", "id": "r1", "kernels": "avx2"}
    with pytest.raises(AssertionError):
        protocol.event("loaded", "r1", kernels="avx3")
    for path in protocol.KERNEL_PATHS:
        assert protocol.loaded_kernels({"type": "loaded", "id": "r1", "kernels": path}) == path
    for unknown in ({"type": "loaded", "id": "r1"}, {"kernels": "sse4"}, {"kernels": None}, {"kernels": ["avx2"]}):
        assert protocol.loaded_kernels(unknown) == ""  # a remote engine's, or one this app does not know
