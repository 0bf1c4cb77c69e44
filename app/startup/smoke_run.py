"""The hidden self-test of the (packaged) app, `octet [--smoke-import FILE] --smoke-test QUESTION`: once the window
is shown and the model is ready, QUESTION goes through the normal send action; when the answer is done and
saved, one JSON line (timings since process start, the answer, the kernels the model ran on) is printed and the
app quits (0: passed).

On a first run (no model installed) it clicks the first-run panel's main button, as a new user would: from
source that installs the starter model; in the packaged app it imports FILE (given instead of the file dialog).
"""
import json
import os
import sys
import time

import psutil
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.chat import actions

SMOKE_FLAG = "--smoke-test"
IMPORT_FLAG = "--smoke-import"
TIMEOUT_S = 600


def requested_question(argv: list[str]) -> str | None:
    """QUESTION from `--smoke-test QUESTION` in argv, else None."""
    if SMOKE_FLAG in argv[:-1]:
        return argv[argv.index(SMOKE_FLAG) + 1]
    return None


def requested_import(argv: list[str]) -> str | None:
    """FILE from `--smoke-import FILE` in argv, else None."""
    if IMPORT_FLAG in argv[:-1]:
        return argv[argv.index(IMPORT_FLAG) + 1]
    return None


def seconds_since_launch() -> float:
    """Seconds since this process was created (so the frozen app's own start-up counts too)."""
    return time.time() - psutil.Process().create_time()


class SmokeRun(QObject):
    """Drives `window` through one question and answer, then closes it with the result's exit code."""

    def __init__(self, window, question: str, import_file: str | None = None):
        super().__init__(window)
        self.window, self.question, self.import_file = window, question, import_file
        self.controller = window.controller
        self.times = {"window_shown_s": seconds_since_launch()}
        self.answer, self.sent, self.over = "", False, False
        self.first_run_action: str | None = None  # what the first-run panel's main button did, if it was clicked
        c = self.controller
        c.sig_model_state.connect(self._on_model_state)
        c.sig_answer_delta.connect(self._on_answer_delta)
        c.sig_answer_finished.connect(self._on_answer_finished)
        c.sig_problem.connect(self._on_problem)
        QTimer.singleShot(TIMEOUT_S * 1000, self._on_timeout)
        if c.ready:
            QTimer.singleShot(0, self._send)

    def _on_model_state(self, state: str, info) -> None:
        if state == "ready" and not self.sent:
            self.times["model_ready_s"] = seconds_since_launch()
            self._send()
        elif state == "missing" and self.first_run_action is None and self.window.first_run is not None:
            QTimer.singleShot(0, self._click_first_run)  # once the window has shown the panel
        elif state in ("missing", "failed", "died"):
            self._finish(False, f"model state: {state}")

    def _click_first_run(self) -> None:
        """Press the first-run panel's main button: install the starter (source) or import FILE (packaged)."""
        panel = self.window.first_run
        if self.over or self.first_run_action is not None:
            return
        if self.window.stack.currentWidget() is not panel or not panel.main_button.isVisible():
            self._finish(False, "no model, and the first-run panel is not shown")
            return
        if panel.packaged and not self.import_file:
            self._finish(False, f"the packaged app's first run imports a file: pass {IMPORT_FLAG} FILE")
            return
        panel.preset_import_path = self.import_file
        panel.sig_error_shown.connect(self._on_first_run_error)
        self.first_run_action = "import" if panel.packaged else "install_starter"
        self.times["first_run_clicked_s"] = seconds_since_launch()
        panel.main_button.click()

    def _on_first_run_error(self, message: str) -> None:
        self._finish(False, f"first run ({self.first_run_action}): {message}")

    def _on_problem(self, kind: str, message: str) -> None:
        self._finish(False, f"{kind}: {message}")

    def _on_timeout(self) -> None:
        self._finish(False, f"no answer after {TIMEOUT_S} s")

    def _send(self) -> None:
        self.sent = True
        self.times["sent_s"] = seconds_since_launch()
        if not actions.send_message(window=self.window, text=self.question):
            self._finish(False, "the send action refused the question")

    def _on_answer_delta(self, text: str) -> None:
        self.times.setdefault("first_token_s", seconds_since_launch())
        self.answer += text

    def _on_answer_finished(self, message, result) -> None:
        self.times["done_s"] = seconds_since_launch()
        saved = self.controller.store.message(message.id) if message is not None else None
        ok = saved is not None and saved.content == self.answer and bool(self.answer.strip())
        self._finish(ok, "" if ok else "the answer is empty or was not saved",
                     message_id=saved.id if saved else None, stats=(result or {}).get("stats") or {})

    def _finish(self, ok: bool, problem: str, **extra) -> None:
        if self.over:
            return
        self.over = True
        worker = self.controller.bridge.client.process
        report = {"ok": ok, "problem": problem, **{k: round(v, 3) for k, v in self.times.items()},
                  "answer": self.answer, "pid": os.getpid(), "worker_pid": worker.pid if worker else None,
                  "frozen": bool(getattr(sys, "frozen", False)), "first_run": self.first_run_action,
                  "kernels": (self.controller.model_info or {}).get("kernels"), **extra}
        print(json.dumps(report), flush=True)
        QTimer.singleShot(0, lambda: (self.window.close(), QApplication.instance().exit(0 if ok else 1)))
