"""The Qt bridge over a real worker: signals arrive on the GUI thread while the event loop keeps
running, a killed worker is reported, and the GUI side never imports torch."""
import os
import signal
import subprocess
import sys
import threading

from app.chat.engine_bridge import EngineBridge
from tests.app.window_helpers import TickGaps

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def test_gui_side_imports_no_torch():
    code = "import sys, app.chat.engine_bridge; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": os.getcwd()})


def test_signals_arrive_on_gui_thread_while_loop_keeps_running(qtbot, starter_path):
    bridge = EngineBridge()
    gaps = TickGaps()
    threads, tokens, errors = set(), [], []
    bridge.sig_error.connect(lambda *args: errors.append(args))
    bridge.sig_worker_died.connect(lambda *args: errors.append(args))
    bridge.sig_load_progress.connect(lambda *_: threads.add(threading.get_ident()))
    bridge.sig_token_received.connect(lambda _id, text: (threads.add(threading.get_ident()), tokens.append(text)))
    gaps.start()
    try:
        with qtbot.waitSignal(bridge.sig_loaded, timeout=120_000) as loaded:
            bridge.load(starter_path)
        assert loaded.args[0]["architecture"] == "llama"
        with qtbot.waitSignal(bridge.sig_generation_finished, timeout=120_000,
                              raising=False) as finished:
            bridge.generate(QUESTION, params={"temperature": 0}, max_tokens=20)
        assert finished.signal_triggered, f"no answer; errors: {errors}, tokens: {tokens}"
        assert not errors
        assert finished.args[1]["finish_reason"] in ("stop", "length")
        assert "Paris" in "".join(tokens)
        assert threads == {threading.get_ident()}
        gaps.stop()
        assert gaps.kept_running(), f"event loop blocked for {gaps.largest_ms} ms of {gaps.phase_ms} ms"
    finally:
        bridge.shutdown()


def test_killed_worker_is_reported_with_partial_text(qtbot, starter_path):
    bridge = EngineBridge()
    tokens = []
    bridge.sig_token_received.connect(lambda _id, text: tokens.append(text))
    try:
        with qtbot.waitSignal(bridge.sig_loaded, timeout=120_000):
            bridge.load(starter_path)
        with qtbot.waitSignal(bridge.sig_token_received, timeout=60_000):
            bridge.generate([{"role": "user", "content": "Tell me a long story."}], max_tokens=300)
        with qtbot.waitSignal(bridge.sig_worker_died, timeout=30_000) as died:  # a hang guard, not a speed bound
            os.kill(bridge.client.process.pid, signal.SIGKILL)
        message, partial = died.args
        assert "killed" in message
        assert partial.startswith("".join(tokens)[:1]) and partial
        assert bridge.generating is None
        with qtbot.waitSignal(bridge.sig_loaded, timeout=120_000):
            bridge.restart()
            bridge.load(starter_path)
    finally:
        bridge.shutdown()
