"""What the window does with the model and the history: which model to load, sending a message,
streaming the answer into the store, stop, regenerate and edit-and-resend as new branches, switching
branches, and what happens when the worker fails or dies. A QObject without widgets: the window shows
what its signals say; tests drive it through `app.chat.actions` like the menus do.
"""
from dataclasses import dataclass, replace
from pathlib import Path

import psutil
from PySide6.QtCore import QObject, QTimer, Signal

from app import settings as app_settings
from app.history.errors import DiskFullError, StoreError
from app.history.records import Conversation, Message
from app.history.store import HistoryStore, StreamWriter
from app.history.validate import check_settings
from app.models import catalog
from app.models.memory_fit import DEFAULT_CONTEXT_TOKENS, FitVerdict, check_fits
from runtime.paths import STARTER_FILENAME, models_dir
from runtime.worker import protocol

from .engine_bridge import EngineBridge
from .prompts import answer_language_of, system_prompt

# Mirrors runtime.sampling.SamplingParams (which imports torch, so the GUI cannot).
DEFAULT_SAMPLING = {"temperature": 0.7, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
                    "repetition_penalty": 1.1, "seed": None}
DEFAULT_MAX_TOKENS = 1024
SMALL_MODEL_PARAMETERS = 1_000_000_000


@dataclass(frozen=True)
class ModelChoice:
    path: Path
    name: str
    installed: catalog.InstalledModel | None = None


def startup_model() -> ModelChoice | None:
    """The registry's default model, else the starter in the models folder, else None (first run)."""
    model = catalog.default_model()
    if model is not None and model.exists:
        return ModelChoice(Path(model.path), model.name, model)
    starter = models_dir() / STARTER_FILENAME
    if starter.exists():
        return ModelChoice(starter, "SmolLM2-135M-Instruct")
    return None


def model_defaults(model_info: dict | None) -> dict:
    """Sampling defaults for the loaded model: tiny models wander less at a lower temperature."""
    values = {**DEFAULT_SAMPLING, "max_tokens": DEFAULT_MAX_TOKENS}
    if model_info:
        if (model_info.get("parameters_total") or 0) and model_info["parameters_total"] < SMALL_MODEL_PARAMETERS:
            values["temperature"] = 0.3
        context = model_info.get("context_length") or 0
        if context:
            values["max_tokens"] = min(DEFAULT_MAX_TOKENS, max(64, context // 2))
    return values


class ChatController(QObject):
    sig_conversations_changed = Signal()
    """The list of conversations changed (new, renamed, deleted, pinned, updated)."""
    sig_conversation_shown = Signal(object, object)
    """Show this conversation (Conversation or None) and this path of messages (list[Message])."""
    sig_message_added = Signal(object)
    """A message was added at the end of the path on show (Message)."""
    sig_answer_started = Signal(object)
    """An answer began streaming (its Message, still empty)."""
    sig_answer_delta = Signal(str)
    """More text of the streaming answer (only while its conversation is on show)."""
    sig_answer_finished = Signal(object, object)
    """The answer ended (saved Message or None, {finish_reason, stats, dropped_messages})."""
    sig_busy_changed = Signal(bool)
    """An answer started (True) or ended (False)."""
    sig_model_state = Signal(str, object)
    """Model state: 'missing', 'loading', 'ready', 'failed', 'died' (with the model info or None)."""
    sig_load_progress = Signal(float, str)
    """The model load advanced (fraction, phrase)."""
    sig_problem = Signal(str, str)
    """Something the user must read (kind: context, worker_died, load, refused, error; message)."""

    def __init__(self, store: HistoryStore, bridge: EngineBridge | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.bridge = bridge or EngineBridge(self)
        self.conversation: Conversation | None = None
        self.model: ModelChoice | None = None
        self.model_info: dict | None = None
        self.writer: StreamWriter | None = None
        self.request_id: str | None = None
        self.load_request_id: str | None = None
        self.last_stats: dict = {}
        self.context_length: int | None = None  # from the app settings; None: the worker's default
        self._unfinished: list[StreamWriter] = []  # answers a full disk kept from being marked stopped
        self._save_timer = QTimer(self)  # saves text that arrived and then no more came (see StreamWriter)
        self._save_timer.setSingleShot(True)
        self._save_timer.timeout.connect(self._save_pending)
        self._connect()

    def _connect(self) -> None:
        b = self.bridge
        b.sig_load_progress.connect(self.sig_load_progress)
        b.sig_loaded.connect(self._on_loaded)
        b.sig_token_received.connect(self._on_token)
        b.sig_generation_finished.connect(self._on_finished)
        b.sig_error.connect(self._on_error)
        b.sig_worker_died.connect(self._on_worker_died)

    @property
    def busy(self) -> bool:
        return self.writer is not None

    @property
    def streaming_conversation_id(self) -> int | None:
        """The conversation an answer is being written into (None when the engine is idle)."""
        return self.writer.conversation_id if self.writer is not None else None

    @property
    def streaming_here(self) -> bool:
        """An answer is being written into the conversation on show (not into another one)."""
        return self.busy and self.conversation is not None and \
            self.conversation.id == self.streaming_conversation_id

    @property
    def ready(self) -> bool:
        return self.model_info is not None and self.load_request_id is None

    # -- the model -----------------------------------------------------------------------------
    def load_model(self, choice: ModelChoice | None) -> bool:
        """Load `choice` if it fits in memory; False (and a message) when it does not or there is none."""
        self.model, self.model_info = choice, None
        if choice is None:
            self.sig_model_state.emit("missing", None)
            return False
        local = not self.bridge.remote  # a server's model is no file here: the server says whether it has it
        if local and not choice.path.exists():
            self.sig_model_state.emit("failed", None)
            self.sig_problem.emit("load", self.tr("{path} is not there any more; pick another model.").format(
                path=choice.path))
            return False
        kv_cache = app_settings.load().kv_cache  # Settings › Model: the KV cache's type
        verdict = self.memory_verdict(choice, kv_cache=kv_cache) if local else None
        if verdict is not None and not verdict.fits:
            self.sig_model_state.emit("failed", None)
            self.sig_problem.emit("refused", verdict.message)
            return False
        self.sig_model_state.emit("loading", None)
        fields = {"context_length": self.context_length} if self.context_length else {}
        fields["state_disk_mb"] = app_settings.load().chat_state_disk_mb  # saved chat states, Settings › Data
        fields["kv_cache"] = kv_cache
        self.load_request_id = self.bridge.load(choice.path, **fields)
        return True

    def memory_verdict(self, choice: ModelChoice, *, kv_cache: str | None = None) -> FitVerdict:
        """The memory check of `choice` (its file's header) at the context and KV cache type it loads with."""
        return check_fits(choice.installed or choice.path, context_tokens=self.context_length or DEFAULT_CONTEXT_TOKENS,
                          kv_cache=kv_cache or app_settings.load().kv_cache)

    def restart_worker(self) -> None:
        self.bridge.restart()
        self.load_model(self.model)

    def worker_rss(self) -> int | None:
        process = self.bridge.client.process
        if process is None or not self.bridge.alive:
            return None
        try:
            return psutil.Process(process.pid).memory_info().rss
        except (psutil.Error, ValueError):
            return None

    def _on_loaded(self, info: dict) -> None:
        self.load_request_id = None
        self.model_info = info
        self.sig_model_state.emit("ready", info)

    # -- conversations -------------------------------------------------------------------------
    def open_conversation(self, conversation_id: int | None, *, at_message: int | None = None) -> None:
        """Show a conversation (None: a new, empty one); with `at_message`, on a branch holding that message.

        An answer being written keeps streaming into its own conversation whichever one is on show; back in
        that conversation, it is shown again as streaming, with the text written so far."""
        if conversation_id is None:
            self.conversation = None
            self.sig_conversation_shown.emit(None, [])
            return
        self.conversation = self.store.conversation(conversation_id)
        if at_message is not None and conversation_id != self.streaming_conversation_id:
            self.store.show_branch_of(at_message)
        path = self.store.shown_path(conversation_id)
        if self.streaming_here and path and path[-1].id == self.writer.message_id:
            self.sig_conversation_shown.emit(self.conversation, path[:-1])
            self.sig_answer_started.emit(replace(path[-1], content=self.writer.text))
            return
        self.sig_conversation_shown.emit(self.conversation, path)

    def reshow(self) -> None:
        self.open_conversation(self.conversation.id if self.conversation else None)

    def settings_for(self, conversation: Conversation | None = None) -> dict:
        """Sampling settings and max tokens: the model's defaults overridden by the conversation's."""
        conversation = conversation or self.conversation
        saved = conversation.settings if conversation and isinstance(conversation.settings, dict) else {}
        return {**model_defaults(self.model_info), **check_settings(saved)[0]}  # a bad value: the default

    def branch_of(self, message: Message) -> tuple[int, int]:
        siblings = self.store.siblings(message.id)
        ids = [m.id for m in siblings]
        return ids.index(message.id), len(ids)

    # -- answers -------------------------------------------------------------------------------
    def send(self, text: str) -> Message | None:
        """Add the user's message at the end of the conversation and ask for an answer."""
        if self.busy or not self.ready or not text.strip():
            return None
        self._end_unfinished()
        try:
            if self.conversation is None:
                self.conversation = self.store.create_conversation(model=self.model.name if self.model else "")
                self.sig_conversation_shown.emit(self.conversation, [])
            message = self.store.add_message(self.conversation.id, role="user", content=text)
        except StoreError as error:  # a full disk: the text stays in the message box, Send stays enabled
            self._store_problem(error)
            return None
        self.sig_message_added.emit(message)
        self.sig_conversations_changed.emit()
        self._answer(parent_id=message.id, reshow=False)
        return message

    def regenerate(self, message_id: int) -> bool:
        """A new answer beside `message_id` (an answer): a new branch under the same question."""
        message = self.store.message(message_id)
        if self.busy or not self.ready or message.parent_id is None:
            return False
        self._end_unfinished()
        return self._answer(parent_id=message.parent_id, reshow=True)

    def edit_and_resend(self, message_id: int, text: str) -> bool:
        """The user's message `message_id` rewritten as a new branch beside it, then answered."""
        old = self.store.message(message_id)
        if self.busy or not self.ready or not text.strip():
            return False
        self._end_unfinished()
        try:
            message = self.store.add_message(old.conversation_id, role="user", content=text, parent_id=old.parent_id)
        except StoreError as error:
            self._store_problem(error)
            return False
        return self._answer(parent_id=message.id, reshow=True)

    def switch_branch(self, message_id: int, step: int) -> bool:
        """Show the previous/next branch at `message_id`; refused in the conversation an answer streams into."""
        conversation_id = self.store.message(message_id).conversation_id
        if conversation_id == self.streaming_conversation_id:
            return False
        siblings = [m.id for m in self.store.siblings(message_id)]
        target = siblings.index(message_id) + step
        if not 0 <= target < len(siblings):
            return False
        path = self.store.select_branch(siblings[target])
        self.conversation = self.store.conversation(conversation_id)  # as saved: its title is the one it has now
        self.sig_conversation_shown.emit(self.conversation, path)
        return True

    def stop(self) -> None:
        if self.busy:
            self.bridge.cancel()

    def _answer(self, *, parent_id: int, reshow: bool) -> bool:
        conversation = self.conversation = self.store.conversation(self.conversation.id)
        settings = self.settings_for(conversation)  # before the answer exists: nothing in it can fail after
        params = {k: settings[k] for k in DEFAULT_SAMPLING if k in settings}
        try:
            self.writer = self.store.start_answer(conversation.id, parent_id=parent_id,
                                                  model=self.model.name if self.model else "")
        except StoreError as error:
            self._store_problem(error)
            return False
        path = self.store.shown_path(conversation.id)
        if reshow:
            self.sig_conversation_shown.emit(conversation, path[:-1])
        self.request_id = self.bridge.generate(request_messages(conversation, path[:-1]), params=params,
                                               max_tokens=int(settings["max_tokens"]),
                                               conversation_id=conversation.id)
        self.sig_busy_changed.emit(True)
        self.sig_answer_started.emit(path[-1])
        return True

    def _on_token(self, request_id: str, text: str) -> None:
        if request_id == self.request_id and self.writer is not None:
            try:
                self.writer.append(text)
            except StoreError as error:  # a full disk: stop here, keep what was saved
                self._stop_for_store(error)
                return
            self._schedule_save()
            if self.streaming_here:  # else saved only: the window shows another conversation
                self.sig_answer_delta.emit(text)

    def _on_finished(self, request_id: str, result: dict) -> None:
        if request_id != self.request_id or self.writer is None:
            return
        state = "stopped" if result.get("finish_reason") == "cancelled" else "complete"
        stats = {**(result.get("stats") or {}), "finish_reason": result.get("finish_reason")}
        self.last_stats = stats
        self._end_answer(state, stats, result)
        if result.get("dropped_messages"):
            self.sig_problem.emit("dropped", str(result["dropped_messages"]))

    def _on_error(self, request_id: str, kind: str, message: str) -> None:
        if request_id and request_id == self.load_request_id:
            self.load_request_id = None
            self.sig_model_state.emit("failed", None)
            self.sig_problem.emit("load", message)
        elif request_id == self.request_id and self.writer is not None:
            self._end_answer("error", {}, {"finish_reason": "error"})
            self.sig_problem.emit(kind if kind == protocol.CONTEXT else "error", message)

    def _on_worker_died(self, message: str, partial_text: str) -> None:
        self.model_info, self.load_request_id = None, None
        if self.writer is not None:
            if partial_text.startswith(self.writer.text) and len(partial_text) > len(self.writer.text):
                try:
                    self.writer.append(partial_text[len(self.writer.text):])
                except StoreError:
                    pass  # kept in memory: _end_answer saves it, or what it can
            self._end_answer("stopped", {}, {"finish_reason": "worker_died"})
        self.sig_model_state.emit("died", None)
        self.sig_problem.emit("worker_died", message)

    def _end_answer(self, state: str, stats: dict, result: dict, problem: StoreError | None = None) -> None:
        writer, self.writer, self.request_id = self.writer, None, None
        self._save_timer.stop()
        try:
            saved = writer.finish(state=state, stats=stats)
        except StoreError as error:  # a full disk: the answer ends with the text saved before
            problem = problem or error
            saved = self._end_with_what_was_saved(writer)
        self.sig_busy_changed.emit(False)
        self.sig_answer_finished.emit(saved, result)
        self.sig_conversations_changed.emit()
        if problem is not None:
            self._store_problem(problem)

    # -- saving ----------------------------------------------------------------------------------
    def _schedule_save(self) -> None:
        """Text arrived that the writer kept for its next save: make sure that save comes within its interval
        even if no more text arrives (a slow token, a busy machine)."""
        if self.writer is not None and self.writer.pending and not self._save_timer.isActive():
            self._save_timer.start(int(self.writer.seconds_until_due() * 1000))

    def _save_pending(self) -> None:
        if self.writer is None or not self.writer.pending:
            return
        try:
            self.writer.flush()
        except StoreError as error:
            self._stop_for_store(error)

    def _stop_for_store(self, error: StoreError) -> None:
        """The history cannot be written (a full disk): stop generating, end the answer with what was saved,
        say why, and let the user send again (once there is space, the next send works)."""
        self.bridge.cancel()
        reason = "disk_full" if isinstance(error, DiskFullError) else "store_error"
        self._end_answer("stopped", {}, {"finish_reason": reason}, problem=error)

    def _end_with_what_was_saved(self, writer: StreamWriter) -> Message | None:
        try:
            return writer.finish_saved(state="stopped")
        except StoreError:
            self._unfinished.append(writer)  # marked stopped by the next send, or at the next start
        try:
            return replace(self.store.message(writer.message_id), state="stopped")
        except StoreError:
            return None

    def _end_unfinished(self) -> None:
        """Mark the answers a full disk left streaming as stopped, now that there may be space again."""
        while self._unfinished:
            try:
                self._unfinished[0].finish_saved(state="stopped")
            except StoreError:
                return
            self._unfinished.pop(0)

    def _store_problem(self, error: StoreError) -> None:
        self.sig_problem.emit("disk_full" if isinstance(error, DiskFullError) else "store", str(error))

    def shutdown(self) -> None:
        self._save_timer.stop()
        if self.writer is not None:
            try:
                self.writer.finish(state="stopped")
            except StoreError:
                pass  # what was saved stays; the next start marks the answer stopped
            self.writer = None
        self._end_unfinished()
        self.bridge.shutdown()


def request_messages(conversation: Conversation, path: list[Message]) -> list[dict]:
    """What the model reads: the system prompt (the conversation's own, or the default, with the line
    on the answer language), then the path's non-empty messages."""
    prompt = system_prompt(conversation.system_prompt, answer_language=answer_language_of(conversation.settings))
    messages = [{"role": "system", "content": prompt}]
    messages += [{"role": m.role, "content": m.content} for m in path
                 if m.role in ("user", "assistant") and m.content]
    return messages
