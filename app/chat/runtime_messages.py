"""What the model runtime says, in the interface's language. The worker sends English (its CLI and logs read
it) plus a stable code for each fixed phrase (`runtime.worker.protocol.LOAD_STEPS` and `ERROR_CODES`); here each
code has its translatable sentence. Messages without a code (a file's own problem, as the loader describes it)
are shown as the runtime wrote them, inside the window's translated sentence.
"""
from PySide6.QtCore import QCoreApplication

from app.i18n import format_decimal, format_number

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


def load_steps() -> dict[str, str]:
    """load_progress code -> what the status bar says after "Loading the model:"."""
    return {
        "reading_file": translate("RuntimeMessages", "reading the file"),
        "reading_folder": translate("RuntimeMessages", "reading the folder"),
        "loading_weights": translate("RuntimeMessages", "reading the weights"),
    }


def load_step(event: dict) -> str:
    """The phrase of a `load_progress` event, translated when it has a known code."""
    return load_steps().get(event.get("code") or "", event.get("phrase", ""))


def error_text(event: dict) -> str:
    """The message of an `error` event, translated when it has a known code (its fields fill the sentence)."""
    code = event.get("code") or ""
    if code == "busy":
        return translate("RuntimeMessages", "an answer is already being written; stop it or wait for it to end")
    if code == "no_model":
        return translate("RuntimeMessages", "no model is loaded; load one first")
    if code == "context_overflow":
        return translate("RuntimeMessages", "the model reads at most {context} tokens at once").format(
            context=format_number(int(event.get("context_length") or 0)))
    if code == "out_of_memory":
        return translate("RuntimeMessages", "the model ran out of memory; close other programs or pick a "
                                            "smaller model")
    if code == "not_enough_memory":
        return translate("RuntimeMessages", "it needs about {needed} GB of memory, but only {available} GB is "
                                            "available; close other programs, or pick a smaller model, a shorter "
                                            "context or the compact KV cache in Settings").format(
            needed=format_decimal(int(event.get("needed_bytes") or 0) / 1e9),
            available=format_decimal(int(event.get("available_bytes") or 0) / 1e9))
    if code == "unexpected":
        return translate("RuntimeMessages", "the model hit an unexpected error ({detail})").format(
            detail=event.get("detail", ""))
    if code == "not_running":
        return translate("RuntimeMessages", "it is no longer running")
    if code == "killed":
        return translate("RuntimeMessages", "the system killed it, most often because the computer ran out of "
                                            "memory (try a smaller model or close other programs)")
    if code == "signal":
        return translate("RuntimeMessages", "the system stopped it (signal {signal})").format(
            signal=event.get("signal", ""))
    if code == "exited":
        return translate("RuntimeMessages", "it quit unexpectedly (exit code {code})").format(
            code=event.get("exitcode"))
    if code.startswith("server_"):
        return server_error_text(event)
    if code == "port_in_use":  # Settings › Local server
        return translate("RuntimeMessages", "port {port} is already used by another program; pick another port in "
                                            "Settings › Local server").format(port=event.get("port", ""))
    if code == "local_server_needs_key":
        return translate("RuntimeMessages", "serving on the local network needs an API key; set one in Settings › "
                                            "Local server, or serve to this computer only")
    if code == "local_server_failed":
        return translate("RuntimeMessages", "the API server could not start ({detail})").format(
            detail=event.get("detail", ""))
    return event.get("message", "")


def server_error_text(event: dict) -> str:
    """The message of a remote server's `error` event (runtime/worker/remote.py): its fields fill the sentence."""
    code, server, detail = event.get("code"), event.get("server", ""), event.get("detail", "")
    if code == "server_unreachable":
        return translate("RuntimeMessages", "cannot reach the server {server} ({detail}); check its address in "
                                            "Settings and that it is running").format(server=server, detail=detail)
    if code == "server_key":
        return translate("RuntimeMessages", "the server {server} refused the API key ({detail}); check the key in "
                                            "Settings › Engine").format(server=server, detail=detail)
    if code == "server_model_missing":
        return translate("RuntimeMessages", "the server {server} has no model named “{model}”; pick one of its "
                                            "models in Settings › Engine").format(server=server,
                                                                                  model=event.get("model", ""))
    if code == "server_not_openai":
        return translate("RuntimeMessages", "{server} does not answer like an OpenAI-compatible server; check that "
                                            "the address is its base URL, ending in /v1").format(server=server)
    if code == "server_context":
        return translate("RuntimeMessages", "the server says: {detail}").format(detail=detail)
    if code == "server_refused":
        return translate("RuntimeMessages", "the server {server} refused the request (HTTP {status}): {detail}"
                         ).format(server=server, status=event.get("status", ""), detail=detail)
    if code == "server_dropped":
        return translate("RuntimeMessages", "the connection to the server {server} was lost in the middle of the "
                                            "answer ({detail})").format(server=server, detail=detail)
    return event.get("message", "")


__all__ = ["load_step", "load_steps", "error_text", "server_error_text"]
