"""What the runtime says reaches the window in the interface's language: the worker sends a code beside each fixed
English phrase (load steps, fixed error and exit messages), and the app has a translated sentence for every code,
in every language. An answer the user stopped and one cut short by a crash read differently everywhere.
"""
import ast
import signal
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app import i18n
from app.chat import runtime_messages
from runtime.errors import ContextOverflowError
from runtime.worker import protocol
from runtime.worker.client import describe_exit, exit_code_of
from runtime.worker.process import describe_failure

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402

TRANSLATED = ("fr", "de", "es", "it")
FIELDS = {"context_length": 4096, "detail": "ValueError: boom", "signal": "SIGTERM", "exitcode": 3,
          "server": "gpu-server:8000", "model": "mixtral", "status": 429, "host": "0.0.0.0", "port": 8080,
          "needed_bytes": 47_300_000_000, "available_bytes": 22_000_000_000}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    build_translations.compile_translations()


@pytest.fixture
def app(qapp):
    yield qapp
    i18n.install_translators(qapp, "en")


def error_event(code: str) -> dict:
    kind, fields = protocol.ERROR_CODES[code]
    return protocol.error_event("r1", kind, "the runtime's English", code, **{f: FIELDS[f] for f in fields})


def all_texts() -> dict[str, str]:
    texts = {f"load:{code}": runtime_messages.load_step({"code": code, "phrase": phrase})
             for code, phrase in protocol.LOAD_STEPS.items()}
    texts.update({f"error:{code}": runtime_messages.error_text(error_event(code)) for code in protocol.ERROR_CODES})
    return texts


def test_every_code_has_its_own_sentence(app):
    i18n.install_translators(app, "en")
    texts = all_texts()
    assert "the runtime's English" not in texts.values()  # no code falls back to the runtime's message
    assert len(set(texts.values())) == len(texts)
    assert "4,096" in texts["error:context_overflow"] and "ValueError: boom" in texts["error:unexpected"]
    assert "SIGTERM" in texts["error:signal"] and "3" in texts["error:exited"]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_code_is_translated(app, code):
    i18n.install_translators(app, "en")
    english = all_texts()
    i18n.install_translators(app, code)
    translated = all_texts()
    same = [key for key in english if translated[key] == english[key]]
    assert not same, (code, same)


def test_a_message_without_a_code_is_shown_as_the_runtime_wrote_it():
    event = protocol.error_event("r1", protocol.MODEL_FILE, "/tmp/x.gguf: truncated tensor data")
    assert "code" not in event and runtime_messages.error_text(event) == "/tmp/x.gguf: truncated tensor data"
    assert runtime_messages.load_step({"phrase": "Something new"}) == "Something new"


def test_every_phrase_the_loader_reports_has_a_code():
    """The loader's progress phrases (string literals passed to its progress callback) are all in LOAD_STEPS."""
    tree = ast.parse((ROOT / "runtime" / "loader.py").read_text(encoding="utf-8"))
    phrases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("report", "progress") \
                and len(node.args) == 2:
            phrases |= {n.value for n in ast.walk(node.args[1])
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert phrases and phrases <= set(protocol.LOAD_STEPS.values()), phrases
    assert all(protocol.load_step_code(phrase) for phrase in phrases)


def test_the_worker_and_the_client_send_codes():
    class Engine:
        context_length = 2048

    kind, message, code, fields = describe_failure(ContextOverflowError("too long"), Engine())
    assert (kind, code, fields) == (protocol.CONTEXT, "context_overflow", {"context_length": 2048})
    assert describe_failure(MemoryError())[2] == "out_of_memory"
    assert describe_failure(RuntimeError("x"))[2:] == ("unexpected", {"detail": "RuntimeError: x"})
    assert describe_failure(OSError("disk"), None)[0] == protocol.INTERNAL
    assert exit_code_of(-signal.SIGKILL) == ("killed", {"signal": "SIGKILL"})
    assert exit_code_of(-signal.SIGTERM) == ("signal", {"signal": "SIGTERM"})
    assert exit_code_of(1) == ("exited", {"exitcode": 1})
    assert "killed" in describe_exit(-signal.SIGKILL)  # the CLI and the logs keep the English


def test_the_bridge_hands_the_window_translated_phrases(app, qtbot):
    from app.chat.engine_bridge import EngineBridge

    i18n.install_translators(app, "fr")
    bridge = EngineBridge()
    with qtbot.waitSignal(bridge.sig_load_progress) as progress:
        bridge._on_event({"type": "load_progress", "id": "r1", "fraction": 0.5, "code": "loading_weights",
                          "phrase": "Loading weights"})
    assert progress.args == [0.5, "lecture des poids"]
    with qtbot.waitSignal(bridge.sig_worker_died) as died:
        bridge._on_event({**error_event("killed"), "exitcode": -9, "partial_text": "Bon"})
    assert died.args[0].startswith("le système y a mis fin") and died.args[1] == "Bon"
    with qtbot.waitSignal(bridge.sig_error) as failed:
        bridge._on_event(error_event("context_overflow"))
    assert failed.args == ["r1", protocol.CONTEXT, "le modèle lit au plus 4\u202f096 tokens à la fois"]


@pytest.mark.parametrize("code", ("en", *TRANSLATED))
def test_a_stopped_answer_and_an_interrupted_one_read_differently(app, qtbot, code):
    from app.history.records import Message
    from app.ui.message_widget import MessageWidget

    i18n.install_translators(QApplication.instance(), code)
    labels = {}
    for name, stats in (("stopped", {"finish_reason": "cancelled"}), ("crashed", {})):
        message = Message(id=1, conversation_id=1, parent_id=None, role="assistant", content="Half", state="stopped",
                          created_at=datetime(2024, 5, 3), stats=stats)
        widget = MessageWidget(message)
        qtbot.addWidget(widget)
        labels[name] = (widget.state_label.text(), widget.state_label.toolTip())
    assert labels["stopped"][0] != labels["crashed"][0] and all(all(pair) for pair in labels.values()), labels
    if code == "en":
        assert labels == {"stopped": ("stopped", "You stopped this answer before its end."),
                          "crashed": ("interrupted", "The model process stopped while writing this answer.")}


def test_a_model_too_big_for_memory_is_refused_in_the_interface_language(app, qtbot, tmp_path):
    """The memory check writes English (for logs); the window shows its own translated sentence."""
    from app.chat.controller import ChatController, ModelChoice
    from app.history.store import HistoryStore
    from app.ui.main_window import MainWindow

    huge = tmp_path / "huge.gguf"
    with open(huge, "wb") as handle:
        handle.truncate(2**40)  # sparse: a terabyte on paper, nothing on disk
    i18n.install_translators(app, "de")
    window = MainWindow(ChatController(HistoryStore()))
    qtbot.addWidget(window)
    assert window.controller.load_model(ModelChoice(huge, "Huge")) is False
    assert window.banner.kind == "refused"
    assert window.banner.label.text().startswith("Zu groß für diesen Computer: Das Modell benötigt etwa 1"), \
        window.banner.label.text()
    window.close()
