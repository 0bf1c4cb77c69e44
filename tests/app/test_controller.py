"""The chat controller over a real history file and the real engine bridge and worker client, with only the
worker process replaced by the test (`ScriptedWorker`): the test sees each request the app sends and answers
with the events the worker would send. Each test names the bug a user would hit if it failed."""
import pytest

from app.chat import actions
from app.chat.controller import ChatController, ModelChoice
from app.history.store import HistoryStore
from app.models.catalog import InstalledModel
from runtime.worker import protocol
from runtime.worker.client import WorkerClient
from tests.app.window_helpers import make_window

MODEL_INFO = {"architecture": "llama", "quantization": "Q4_1", "parameters_total": 134_000_000}


class PipeRecorder:
    """Where the client's pipe to the worker would be: keeps what is sent."""

    def __init__(self):
        self.sent: list[dict] = []

    def send(self, message: dict) -> None:
        self.sent.append(message)


class ScriptedWorker(WorkerClient):
    """The real `WorkerClient` without its process: requests are recorded, `reply` delivers a worker's event
    through the client's own reader path (which keeps the partial answer) to the bridge."""

    def start(self) -> None:
        self.connection = PipeRecorder()

    @property
    def alive(self) -> bool:
        return self.connection is not None

    def shutdown(self, timeout: float = 5.0) -> None:
        self.connection = None

    def sent(self, type_: str) -> list[dict]:
        return [m for m in self.connection.sent if m["type"] == type_] if self.connection else []

    def reply(self, type_: str, request_id: str, **fields) -> None:
        self._deliver(protocol.event(type_, request_id, **fields))

    def answer(self, request_id: str, *pieces: str, finish_reason: str = "stop") -> None:
        for piece in pieces:
            self.reply("token", request_id, text=piece)
        self.reply("done", request_id, finish_reason=finish_reason, stats={"generated_tokens": len(pieces)})


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(1020))
    return path


def scripted(controller: ChatController) -> ScriptedWorker:
    worker = ScriptedWorker(on_event=controller.bridge._post_event)
    controller.bridge.client = worker
    return worker


def ready(controller: ChatController, model_file) -> ScriptedWorker:
    """Load `model_file` through the scripted worker (made if there is none yet) and report it loaded."""
    worker = controller.bridge.client
    if not isinstance(worker, ScriptedWorker):
        worker = scripted(controller)
    assert controller.load_model(ModelChoice(model_file, "tiny"))
    worker.reply("loaded", worker.sent("load")[-1]["id"], model=MODEL_INFO, load_seconds=0.1, context_length=2048)
    assert controller.ready
    return worker


@pytest.fixture
def chat(qtbot, model_file):
    controller = ChatController(HistoryStore())
    worker = ready(controller, model_file)
    yield controller, worker
    controller.shutdown()
    controller.store.close()


def last_generate(worker: ScriptedWorker) -> dict:
    return worker.sent("generate")[-1]


def test_send_is_refused_while_an_answer_streams(chat):
    controller, worker = chat
    controller.send("First question")
    worker.reply("token", last_generate(worker)["id"], text="Half an ans")
    assert controller.send("Second question") is None
    assert len(worker.sent("generate")) == 1
    shown = controller.store.shown_path(controller.conversation.id)
    assert [(m.role, m.state) for m in shown] == [("user", "complete"), ("assistant", "streaming")]


def test_tokens_and_end_of_a_stale_request_are_ignored(chat):
    controller, worker = chat
    controller.send("Question one")
    first = last_generate(worker)["id"]
    worker.answer(first, "One.")
    controller.send("Question two")
    second = last_generate(worker)["id"]
    worker.reply("token", first, text="late token of the first answer")
    worker.reply("done", first, finish_reason="stop", stats={})  # a duplicate end of the first answer
    assert controller.busy
    worker.answer(second, "Two.")
    assert [m.content for m in controller.store.shown_path(controller.conversation.id)] == \
        ["Question one", "One.", "Question two", "Two."]


def test_assistant_turns_are_part_of_the_prompt_of_a_multi_turn_conversation(chat):
    controller, worker = chat
    controller.send("What is the capital of France?")
    worker.answer(last_generate(worker)["id"], "Paris", ".")
    controller.send("And of Italy?")
    messages = last_generate(worker)["messages"]
    assert [(m["role"], m["content"]) for m in messages[1:]] == [
        ("user", "What is the capital of France?"), ("assistant", "Paris."), ("user", "And of Italy?")]
    assert messages[0]["role"] == "system"


def three_answers(controller: ChatController, worker: ScriptedWorker) -> list[int]:
    controller.send("Tell me a joke")
    worker.answer(last_generate(worker)["id"], "Joke one")
    for text in ("Joke two", "Joke three"):
        assert controller.regenerate(controller.store.shown_path(controller.conversation.id)[-1].id)
        worker.answer(last_generate(worker)["id"], text)
    question = controller.store.shown_path(controller.conversation.id)[0]
    return [m.id for m in controller.store.siblings(controller.store.shown_path(controller.conversation.id)[-1].id)
            if m.parent_id == question.id]


def shown_answer(controller: ChatController) -> str:
    return controller.store.shown_path(controller.conversation.id)[-1].content


def test_next_branch_reaches_the_last_answer(chat):
    controller, worker = chat
    first, second, third = three_answers(controller, worker)
    assert controller.switch_branch(first, -1) is False
    assert controller.switch_branch(third, -2) and shown_answer(controller) == "Joke one"
    assert controller.switch_branch(first, +1) and shown_answer(controller) == "Joke two"
    assert controller.switch_branch(second, +1) and shown_answer(controller) == "Joke three"


def test_next_branch_past_the_last_answer_is_refused_without_an_error(chat):
    controller, worker = chat
    first, second, third = three_answers(controller, worker)
    assert controller.switch_branch(third, +1) is False
    assert controller.switch_branch(second, +2) is False
    assert shown_answer(controller) == "Joke three"


def test_a_model_too_big_for_the_memory_is_refused_before_loading(qtbot, model_file):
    controller = ChatController(HistoryStore())
    worker = scripted(controller)
    problems, states = [], []
    controller.sig_problem.connect(lambda kind, message: problems.append((kind, message)))
    controller.sig_model_state.connect(lambda state, info: states.append(state))
    enormous = InstalledModel(id="huge", name="Huge model", path=str(model_file), source="import",
                              by_reference=True, size_bytes=10**15)  # a petabyte: no computer has that free
    assert controller.load_model(ModelChoice(model_file, "Huge model", enormous)) is False
    assert worker.sent("load") == [] and states == ["failed"]
    assert problems and problems[0][0] == "refused" and "Huge model needs about" in problems[0][1]
    controller.shutdown()
    controller.store.close()


def test_text_the_window_had_not_received_is_kept_when_the_worker_dies(chat):
    controller, worker = chat
    controller.send("Tell me a story")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Once upon")
    finished = []
    controller.sig_answer_finished.connect(lambda saved, result: finished.append(saved))
    # the worker wrote " a time" into the pipe, then was killed before the window was handed the token
    controller.bridge.sig_worker_died.emit("the model process was killed", "Once upon a time")
    assert finished[0].state == "stopped" and finished[0].content == "Once upon a time"
    assert controller.store.message(finished[0].id).content == "Once upon a time"
    assert not controller.ready


def test_the_partial_answer_the_client_kept_is_saved_when_the_worker_is_killed(chat):
    controller, worker = chat
    controller.send("Tell me a story")
    request_id = last_generate(worker)["id"]
    for piece in ("Once", " upon", " a time"):
        worker.reply("token", request_id, text=piece)
    worker.connection = None
    worker._report_death(-9)  # what the client's reader thread does when the process is SIGKILLed
    saved = controller.store.shown_path(controller.conversation.id)[-1]
    assert (saved.state, saved.content) == ("stopped", "Once upon a time")


def test_the_send_button_is_refused_while_streaming_in_the_window(qtbot, model_file):
    window = make_window(qtbot)
    worker = ready(window.controller, model_file)
    assert actions.send_message(window=window, text="First")
    assert not actions.send_message(window=window, text="Second")
    assert len(worker.sent("generate")) == 1
    window.controller.shutdown()


# -- the rest of the controller's contract, signal by signal ------------------------------------------------------
SIGNALS = ("sig_conversations_changed", "sig_conversation_shown", "sig_message_added", "sig_answer_started",
           "sig_answer_delta", "sig_answer_finished", "sig_busy_changed", "sig_model_state", "sig_load_progress",
           "sig_problem")


class Recorded:
    """Every signal the controller emits, in order, as (name, args)."""

    def __init__(self, controller: ChatController):
        self.seen: list[tuple[str, tuple]] = []
        for name in SIGNALS:
            getattr(controller, name).connect(lambda *args, name=name: self.seen.append((name, args)))

    def of(self, name: str) -> list[tuple]:
        return [args for seen, args in self.seen if seen == name]

    def states(self) -> list[str]:
        return [args[0] for args in self.of("sig_model_state")]


@pytest.fixture
def bare(qtbot):
    controller = ChatController(HistoryStore())
    worker = scripted(controller)
    yield controller, worker, Recorded(controller)
    controller.shutdown()
    controller.store.close()


@pytest.mark.parametrize("info, temperature, max_tokens", [
    (None, 0.7, 1024),
    ({}, 0.7, 1024),
    ({"parameters_total": 999_999_999}, 0.3, 1024),
    ({"parameters_total": 1_000_000_000}, 0.7, 1024),
    ({"parameters_total": 0, "context_length": 4096}, 0.7, 1024),
    ({"context_length": 2048}, 0.7, 1024),
    ({"context_length": 201}, 0.7, 100),
    ({"context_length": 130}, 0.7, 65),
    ({"context_length": 100}, 0.7, 64),
])
def test_model_defaults_follow_the_models_size_and_context(info, temperature, max_tokens):
    from app.chat.controller import DEFAULT_SAMPLING, model_defaults

    values = model_defaults(info)
    assert values == {**DEFAULT_SAMPLING, "temperature": temperature, "max_tokens": max_tokens}
    assert type(values["max_tokens"]) is int


def test_startup_takes_the_registrys_default_else_the_starter_else_nothing(data_dir, tmp_path):
    from app.chat.controller import startup_model
    from app.models.catalog import register
    from runtime.paths import STARTER_FILENAME, models_dir

    assert startup_model() is None
    starter = models_dir() / STARTER_FILENAME
    starter.parent.mkdir(parents=True, exist_ok=True)
    starter.write_bytes(b"GGUF")
    assert startup_model() == ModelChoice(starter, "SmolLM2-135M-Instruct")
    mine = tmp_path / "mine.gguf"
    mine.write_bytes(b"GGUF")
    registered = register(InstalledModel(id="mine", name="My model", path=str(mine), source="import",
                                         by_reference=True, size_bytes=4))
    assert startup_model() == ModelChoice(mine, "My model", registered)
    mine.unlink()  # the default's file is gone: the starter again
    assert startup_model() == ModelChoice(starter, "SmolLM2-135M-Instruct")


def test_loading_says_loading_then_ready_and_passes_the_context_length(bare, model_file):
    controller, worker, seen = bare
    controller.context_length = 8192
    assert controller.load_model(ModelChoice(model_file, "tiny")) is True
    load = worker.sent("load")[-1]
    assert load["path"] == str(model_file) and load["context_length"] == 8192
    assert seen.states() == ["loading"] and not controller.ready and controller.model.name == "tiny"
    worker.reply("load_progress", load["id"], fraction=0.5, phrase="Loading weights", code="loading_weights")
    assert seen.of("sig_load_progress")[0][0] == 0.5
    worker.reply("loaded", load["id"], model=MODEL_INFO, load_seconds=0.1, context_length=8192)
    assert seen.states() == ["loading", "ready"] and controller.ready
    assert seen.of("sig_model_state")[-1][1]["context_length"] == 8192
    assert controller.model_info == seen.of("sig_model_state")[-1][1] and controller.load_request_id is None


def test_without_a_context_length_setting_the_worker_picks_its_own(bare, model_file):
    controller, worker, seen = bare
    controller.load_model(ModelChoice(model_file, "tiny"))
    assert "context_length" not in worker.sent("load")[-1]


def test_no_model_and_a_vanished_file_say_so_without_asking_the_worker(bare, tmp_path):
    controller, worker, seen = bare
    assert controller.load_model(None) is False and seen.states() == ["missing"]
    gone = tmp_path / "gone.gguf"
    assert controller.load_model(ModelChoice(gone, "gone")) is False
    assert seen.states() == ["missing", "failed"]
    assert seen.of("sig_problem") == [("load", f"{gone} is not there any more; pick another model.")]
    assert worker.sent("load") == [] and controller.model_info is None


def test_the_memory_check_uses_the_registrys_size_else_the_files(bare, model_file):
    controller, worker, seen = bare
    small = InstalledModel(id="s", name="Small", path=str(model_file), source="import", by_reference=True,
                           size_bytes=10)
    assert controller.load_model(ModelChoice(model_file, "Small", small))
    big = InstalledModel(id="b", name="Big", path=str(model_file), source="import", by_reference=True,
                         size_bytes=10**15)
    assert not controller.load_model(ModelChoice(model_file, "Big", big))
    assert seen.states() == ["loading", "failed"] and seen.of("sig_problem")[0][0] == "refused"
    assert seen.of("sig_problem")[0][1].startswith("Big needs about")
    assert len(worker.sent("load")) == 1


def test_a_load_that_fails_is_reported_and_leaves_no_model(bare, model_file):
    controller, worker, seen = bare
    controller.load_model(ModelChoice(model_file, "tiny"))
    worker.reply("error", worker.sent("load")[-1]["id"], kind=protocol.MODEL_FILE, message="tiny.gguf: truncated")
    assert seen.states() == ["loading", "failed"] and seen.of("sig_problem") == [("load", "tiny.gguf: truncated")]
    assert controller.load_request_id is None and not controller.ready


def test_sending_creates_the_conversation_and_shows_the_question_then_the_answer(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    assert controller.send("   ") is None and worker.sent("generate") == []
    question = controller.send("Bonjour ?")
    conversation = controller.conversation
    assert conversation.model == "tiny" and question.content == "Bonjour ?" and question.role == "user"
    shown, path = seen.of("sig_conversation_shown")[0]
    assert shown.id == conversation.id and path == []
    assert seen.of("sig_message_added") == [(question,)]
    started = seen.of("sig_answer_started")[0][0]
    assert started.role == "assistant" and started.state == "streaming" and started.parent_id == question.id
    assert seen.of("sig_busy_changed") == [(True,)] and controller.busy
    request = last_generate(worker)
    assert request["conversation_id"] == conversation.id and request["max_tokens"] == 1024
    assert request["params"] == {"temperature": 0.3, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
                                 "repetition_penalty": 1.1, "seed": None}
    worker.reply("token", request["id"], text="Salut")
    assert seen.of("sig_answer_delta") == [("Salut",)]


def test_nothing_is_sent_before_a_model_is_ready(bare, model_file):
    controller, worker, seen = bare
    assert controller.send("Hello") is None
    controller.load_model(ModelChoice(model_file, "tiny"))
    assert controller.send("Hello") is None  # still loading
    assert worker.sent("generate") == [] and controller.store.list_conversations() == []


def test_the_conversations_own_settings_override_the_models_defaults(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    conversation = controller.store.create_conversation(model="tiny")
    controller.store.configure(conversation.id, settings={"temperature": 0.9, "max_tokens": 77, "seed": 5,
                                                          "answer_language": "fr"})
    controller.open_conversation(conversation.id)
    assert controller.settings_for()["temperature"] == 0.9
    controller.send("Question")
    request = last_generate(worker)
    assert request["max_tokens"] == 77 and request["params"]["temperature"] == 0.9
    assert request["params"]["seed"] == 5 and "answer_language" not in request["params"]
    assert "French" in request["messages"][0]["content"]


def test_an_answer_that_ends_is_saved_with_its_stats(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Answer")
    worker.reply("done", request_id, finish_reason="length", stats={"generated_tokens": 1}, dropped_messages=2)
    saved, result = seen.of("sig_answer_finished")[0]
    assert (saved.content, saved.state) == ("Answer", "complete")
    assert saved.stats == {"generated_tokens": 1, "finish_reason": "length"} == controller.last_stats
    assert result["finish_reason"] == "length" and seen.of("sig_problem") == [("dropped", "2")]
    assert seen.of("sig_busy_changed") == [(True,), (False,)] and not controller.busy
    assert seen.of("sig_conversations_changed")[-1] == () and controller.request_id is None


def test_stop_cancels_the_running_answer_which_is_saved_as_stopped(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.stop()
    assert worker.sent("cancel") == []  # nothing running: nothing to cancel
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Part")
    controller.stop()
    assert [m["target"] for m in worker.sent("cancel")] == [request_id]
    worker.reply("done", request_id, finish_reason="cancelled", stats={})
    saved = seen.of("sig_answer_finished")[0][0]
    assert (saved.content, saved.state) == ("Part", "stopped") and seen.of("sig_problem") == []


@pytest.mark.parametrize("kind, shown_as", [(protocol.CONTEXT, "context"), (protocol.INTERNAL, "error"),
                                            (protocol.BUSY, "error")])
def test_an_answer_that_fails_is_saved_as_an_error_and_explained(bare, model_file, kind, shown_as):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    worker.reply("error", "other-request", kind=kind, message="not ours")
    assert controller.busy and seen.of("sig_problem") == []
    worker.reply("error", request_id, kind=kind, message="it went wrong")
    saved, result = seen.of("sig_answer_finished")[0]
    assert saved.state == "error" and result == {"finish_reason": "error"}
    assert seen.of("sig_problem") == [(shown_as, "it went wrong")] and not controller.busy
    assert controller.ready  # the model is still there


def test_regenerate_adds_an_answer_beside_the_old_one(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    question = controller.send("Question")
    worker.answer(last_generate(worker)["id"], "First")
    first = controller.store.shown_path(controller.conversation.id)[-1]
    assert controller.regenerate(question.id) is False  # a first question has nothing above it to answer
    assert controller.regenerate(first.id) is True
    assert seen.of("sig_conversation_shown")[-1][1] == [question]
    assert controller.regenerate(first.id) is False  # busy
    worker.answer(last_generate(worker)["id"], "Second")
    assert [m.content for m in controller.store.siblings(first.id)] == ["First", "Second"]
    assert controller.branch_of(first) == (0, 2)
    assert [m["content"] for m in last_generate(worker)["messages"][1:]] == ["Question"]


def test_edit_and_resend_answers_the_new_wording_on_a_new_branch(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    question = controller.send("Capital of Frnace?")
    assert controller.edit_and_resend(question.id, "Capital of Spain?") is False  # busy
    worker.answer(last_generate(worker)["id"], "Paris")
    assert controller.edit_and_resend(question.id, "  ") is False
    assert controller.edit_and_resend(question.id, "Capital of France?") is True
    edited = controller.store.shown_path(controller.conversation.id)
    assert [m.content for m in edited] == ["Capital of France?", ""]
    assert seen.of("sig_conversation_shown")[-1][1] == edited[:1]
    assert [m["content"] for m in last_generate(worker)["messages"][1:]] == ["Capital of France?"]
    assert [m.content for m in controller.store.siblings(question.id)] == ["Capital of Frnace?", "Capital of France?"]
    assert controller.switch_branch(question.id, 1) is False  # busy


def test_switching_branch_shows_that_branch(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    question = controller.send("Q")
    worker.answer(last_generate(worker)["id"], "A1")
    first = controller.store.shown_path(controller.conversation.id)[-1]
    controller.regenerate(first.id)
    worker.answer(last_generate(worker)["id"], "A2")
    assert controller.switch_branch(first.id, 0) is True
    assert seen.of("sig_conversation_shown")[-1] == (controller.conversation, [question, first])


def test_opening_and_reshowing_conversations(bare):
    controller, worker, seen = bare
    conversation = controller.store.create_conversation(title="Old")
    message = controller.store.add_message(conversation.id, role="user", content="Hi")
    controller.open_conversation(conversation.id)
    controller.reshow()
    assert seen.of("sig_conversation_shown") == [(controller.conversation, [message])] * 2
    controller.open_conversation(None)
    controller.reshow()
    assert controller.conversation is None and seen.of("sig_conversation_shown")[-2:] == [(None, [])] * 2


def test_the_worker_dying_while_idle_says_so_and_forgets_the_model(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.bridge.sig_worker_died.emit("the model process exited", "")
    assert seen.states()[-1] == "died" and seen.of("sig_problem") == [("worker_died", "the model process exited")]
    assert controller.model_info is None and not controller.ready and seen.of("sig_answer_finished") == []


def test_the_worker_dying_during_a_load_forgets_the_load(bare, model_file):
    controller, worker, seen = bare
    controller.load_model(ModelChoice(model_file, "tiny"))
    controller.bridge.sig_worker_died.emit("the model process exited", "")
    assert controller.load_request_id is None and seen.states() == ["loading", "died"]


def test_restarting_the_worker_loads_the_same_model_again(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.bridge.sig_worker_died.emit("killed", "")
    controller.restart_worker()
    assert [m["path"] for m in worker.sent("load")] == [str(model_file)] and seen.states()[-1] == "loading"
    assert controller.worker_rss() is None  # no process behind the scripted worker


def test_shutdown_saves_a_streaming_answer_as_stopped(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("Question")
    worker.reply("token", last_generate(worker)["id"], text="Half")
    answer_id = controller.writer.message_id
    controller.shutdown()
    assert controller.writer is None and worker.connection is None
    saved = controller.store.message(answer_id)
    assert (saved.content, saved.state) == ("Half", "stopped")


def test_a_new_controller_has_no_conversation_model_or_answer(bare):
    controller, worker, seen = bare
    assert (controller.conversation, controller.model, controller.model_info, controller.writer) == (None,) * 4
    assert (controller.request_id, controller.load_request_id, controller.context_length) == (None,) * 3
    assert controller.last_stats == {} and not controller.busy and not controller.ready


def test_a_regenerated_answer_in_a_long_conversation_starts_under_its_question(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("One")
    worker.answer(last_generate(worker)["id"], "First answer")
    controller.send("Two")
    worker.answer(last_generate(worker)["id"], "Second answer")
    path = controller.store.shown_path(controller.conversation.id)
    assert controller.regenerate(path[-1].id)
    shown, above = seen.of("sig_conversation_shown")[-1]
    assert shown.id == controller.conversation.id and above == path[:-1]
    started = seen.of("sig_answer_started")[-1][0]
    assert (started.parent_id, started.content, started.model) == (path[-2].id, "", "tiny")
    assert [m["content"] for m in last_generate(worker)["messages"][1:]] == ["One", "First answer", "Two"]


def test_editing_a_later_question_branches_under_the_same_answer(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("One")
    worker.answer(last_generate(worker)["id"], "First answer")
    second = controller.send("Tow")
    worker.answer(last_generate(worker)["id"], "Second answer")
    assert controller.edit_and_resend(second.id, "Two")
    path = controller.store.shown_path(controller.conversation.id)
    assert [m.content for m in path] == ["One", "First answer", "Two", ""]
    assert path[2].parent_id == second.parent_id


def test_only_user_and_assistant_turns_with_text_reach_the_prompt(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    conversation = controller.store.create_conversation(system_prompt="Be brief.")
    controller.store.add_message(conversation.id, role="system", content="an old system note")
    controller.store.add_message(conversation.id, role="user", content="Hi")
    controller.store.add_message(conversation.id, role="assistant", content="", state="error")
    controller.open_conversation(conversation.id)
    controller.send("Again")
    messages = last_generate(worker)["messages"]
    assert [(m["role"], m["content"]) for m in messages[1:]] == [("user", "Hi"), ("user", "Again")]
    assert messages[0]["content"].startswith("Be brief.\n\n")


def test_a_dying_worker_reports_its_end_and_keeps_only_text_that_continues_the_answer(bare, model_file):
    controller, worker, seen = bare
    ready(controller, model_file)
    controller.send("Story")
    worker.reply("token", last_generate(worker)["id"], text="Once upon")
    controller.bridge.sig_worker_died.emit("the model process was killed", "Something else entirely")
    saved, result = seen.of("sig_answer_finished")[0]
    assert (saved.content, saved.state, result) == ("Once upon", "stopped", {"finish_reason": "worker_died"})
