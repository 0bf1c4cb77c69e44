"""The window over a real worker and the starter model: ask, stream, save, stop, regenerate, edit and
resend, switch branches, list and search; the event loop never blocks long; a killed worker keeps the text."""
import os
import signal
import subprocess
import sys

from PySide6.QtCore import Qt

from app.chat import actions
from runtime.quant import native
from tests.app.window_helpers import TickGaps, load_starter, make_window

QUESTION = "What is the capital of France?"
KERNEL_LABELS = {"avx512": "AVX-512 kernels", "avx2": "AVX2 kernels", "neon": "NEON kernels",
                 "portable": "Portable kernels", "torch": "torch kernels (slower: see README)"}


def expected_kernel_label() -> str:
    """What the status bar must say here: the best built library this CPU runs, else torch's (as kernels.py picks,
    found without importing torch into the window's test process)."""
    built = [isa for isa in native.usable_isas() if native.library_path(isa).is_file()]
    return KERNEL_LABELS["torch" if os.environ.get("OCTET_NO_KERNELS") == "1" or not built else built[0]]


def test_import_main_leaves_torch_out():
    code = "import sys, app.main, app.ui.main_window; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})


def _answer_ends(qtbot, window, timeout=120_000):
    return qtbot.waitSignal(window.controller.sig_answer_finished, timeout=timeout)


def test_chat_round_trip(qtbot, starter_path):
    window = make_window(qtbot)
    controller, store = window.controller, window.controller.store
    gaps = TickGaps()
    try:
        gaps.start()
        load_starter(qtbot, window, starter_path)
        load_gap = gaps.stop()
        assert gaps.kept_running(), f"event loop blocked {load_gap} ms of a {gaps.phase_ms} ms load"
        assert window.status.kernels.text() == expected_kernel_label()
        # type a question, press Enter: the answer streams into the view and the store
        qtbot.keyClicks(window.composer.edit, QUESTION)
        actions.configure_conversation(window=window, settings={"temperature": 0, "max_tokens": 24})
        gaps.start()
        with _answer_ends(qtbot, window) as finished:
            qtbot.keyClick(window.composer.edit, Qt.Key_Return)
        generation_gap = gaps.stop()
        assert gaps.kept_running(), f"event loop blocked {generation_gap} ms of a {gaps.phase_ms} ms answer"
        saved = finished.args[0]
        assert saved.state == "complete" and "Paris" in saved.content
        assert window.composer.text() == ""
        assert window.chat.widgets[saved.id].text == saved.content
        assert window.chat.repaints >= 1
        conversation_id = controller.conversation.id
        assert [m.role for m in store.shown_path(conversation_id)] == ["user", "assistant"]
        assert window.sidebar.conversation_ids()[0] == conversation_id
        assert window.status.speed.text().endswith("tokens/s") and window.status.context.text()
        print(f"\nlargest event-loop gap: load {load_gap} ms, generation {generation_gap} ms")

        # regenerate: a second answer beside the first, arrows between them
        with _answer_ends(qtbot, window) as second:
            assert actions.regenerate(window=window, message_id=saved.id)
        regenerated = second.args[0]
        assert [m.id for m in store.siblings(saved.id)] == [saved.id, regenerated.id]
        assert window.chat.widgets[regenerated.id].branch_label.text() == "2 / 2"
        assert actions.switch_branch(window=window, message_id=regenerated.id, step=-1)
        assert store.shown_path(conversation_id)[-1].id == saved.id
        assert saved.id in window.chat.widgets and regenerated.id not in window.chat.widgets

        # edit and resend: a new user branch with its own answer
        first_question = store.shown_path(conversation_id)[0]
        with _answer_ends(qtbot, window) as edited:
            assert actions.edit_and_resend(window=window, message_id=first_question.id,
                                           text="What is the capital of Italy?")
        path = store.shown_path(conversation_id)
        assert path[0].content == "What is the capital of Italy?" and path[-1].id == edited.args[0].id
        assert len(store.siblings(first_question.id)) == 2

        # stop with Esc while a long answer streams: saved as stopped
        actions.configure_conversation(window=window, settings={"temperature": 0.8, "max_tokens": 400})
        with qtbot.waitSignal(controller.sig_answer_delta, timeout=60_000):
            actions.send_message(window=window, text="Write a long story about a lighthouse keeper.")
        assert window.composer.button.text() == "Stop"
        with _answer_ends(qtbot, window, timeout=20_000) as stopped:
            qtbot.keyClick(window.composer.edit, Qt.Key_Escape)
        assert stopped.args[0].state == "stopped" and stopped.args[1]["finish_reason"] == "cancelled"
        assert window.composer.button.text() == "Send"

        # the list and the search follow
        actions.search(window=window, query="lighthouse")
        assert window.sidebar.conversation_ids() == [conversation_id]
        actions.search(window=window, query="")
        assert window.sidebar.conversation_ids() == [conversation_id]
    finally:
        controller.shutdown()


def test_killed_worker_shows_banner_and_keeps_text(qtbot, starter_path):
    window = make_window(qtbot)
    controller = window.controller
    try:
        load_starter(qtbot, window, starter_path)
        with qtbot.waitSignal(controller.sig_answer_delta, timeout=60_000):
            actions.send_message(window=window, text="Tell me a long story about the sea.")
        qtbot.waitUntil(lambda: len(window.chat.stream_text()) > 20, timeout=60_000)
        with _answer_ends(qtbot, window, timeout=10_000) as finished:
            os.kill(controller.bridge.client.process.pid, signal.SIGKILL)
        saved = finished.args[0]
        assert saved.state == "stopped" and len(saved.content) > 20
        assert window.chat.widgets[saved.id].text == saved.content
        assert window.banner.isVisible() and window.banner.kind == "worker_died"
        assert "Restart" in window.banner.buttons[0].text()
        assert not window.composer.button.isEnabled() and window.status.kernels.text() == ""
        with qtbot.waitSignal(controller.bridge.sig_loaded, timeout=180_000):
            window.banner.buttons[0].click()
        assert not window.banner.isVisible() and window.composer.button.isEnabled()
        assert window.status.kernels.text() == expected_kernel_label()
        assert controller.store.message(saved.id).content == saved.content
    finally:
        controller.shutdown()
