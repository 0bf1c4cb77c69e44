"""What the model runtime says, in the interface's language. The worker sends English (its CLI and logs read
it) plus a stable code for each fixed phrase (`runtime.worker.protocol.LOAD_STEPS` and `ERROR_CODES`); here each
code has its translatable sentence. Messages without a code (a file's own problem, as the loader describes it)
are shown as the runtime wrote them, inside the window's translated sentence.
"""
from PySide6.QtCore import QCoreApplication

from app.i18n import format_number

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
    return event.get("message", "")


__all__ = ["load_step", "load_steps", "error_text"]
