"""The chat controller when the history cannot be written for a reason other than a full disk (a read-only file, a
save refused once): what mutation testing (issue 20, docs/mutation.md) found unchecked. Real SQLite, the real
bridge and client, only the worker process scripted (see tests/app/test_controller.py)."""
import pytest

from app.chat.controller import ChatController
from app.history.store import HistoryStore
from tests.app.test_controller import last_generate, model_file, ready  # noqa: F401 (model_file: a fixture)


def watch(controller: ChatController) -> dict:
    seen = {"problems": [], "finished": []}
    controller.sig_problem.connect(lambda kind, message: seen["problems"].append((kind, message)))
    controller.sig_answer_finished.connect(lambda saved, result: seen["finished"].append((saved, result)))
    return seen


@pytest.fixture
def chat(qtbot, tmp_path, model_file):  # noqa: F811
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3", stream_interval_s=0))
    worker = ready(controller, model_file)
    yield controller, worker
    controller.shutdown()
    controller.store.close()


def read_only(store: HistoryStore, on: bool = True) -> None:
    """Every write fails as on a file the user may not write (SQLITE_READONLY), reads still work."""
    store._db.execute(f"PRAGMA query_only = {int(on)}")


def test_a_history_that_turns_read_only_mid_answer_ends_it_as_stopped_and_says_why(chat):
    controller, worker = chat
    seen = watch(controller)
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Saved part.")
    read_only(controller.store)
    worker.reply("token", request_id, text=" Not saved.")

    assert [m["target"] for m in worker.sent("cancel")] == [request_id] and not controller.busy
    assert [kind for kind, _ in seen["problems"]] == ["store"]
    assert "could not be written" in seen["problems"][0][1]
    saved, result = seen["finished"][0]
    assert result["finish_reason"] == "store_error"
    assert (saved.content, saved.state) == ("Saved part.", "stopped")  # shown as stopped, not still streaming
    assert controller.store.message(saved.id).state == "streaming"  # the file could not even take that

    read_only(controller.store, False)
    assert controller.send("Again") is not None
    assert controller.store.message(saved.id).state == "stopped"  # marked now that the file can be written


def test_a_save_refused_once_ends_the_answer_with_everything_and_says_why(chat):
    controller, worker = chat
    seen = watch(controller)
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    controller.store._db.execute(  # the streaming saves fail; the final one (state stopped) goes through
        "CREATE TEMP TRIGGER refuse BEFORE UPDATE OF content ON messages WHEN NEW.state = 'streaming' "
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    worker.reply("token", request_id, text="All of it.")

    assert not controller.busy and seen["finished"][0][1]["finish_reason"] == "store_error"
    assert [kind for kind, _ in seen["problems"]] == ["store"] and "refused by the test" in seen["problems"][0][1]
    saved = controller.store.message(seen["finished"][0][0].id)
    assert (saved.content, saved.state) == ("All of it.", "stopped")


def test_edit_and_resend_on_a_read_only_history_is_refused_and_explained(chat):
    controller, worker = chat
    seen = watch(controller)
    question = controller.send("Question")
    worker.answer(last_generate(worker)["id"], "Answer.")
    read_only(controller.store)
    assert controller.edit_and_resend(question.id, "Better question") is False
    assert not controller.busy and len(worker.sent("generate")) == 1
    assert [kind for kind, _ in seen["problems"]] == ["store"] and "could not be written" in seen["problems"][0][1]


def test_settings_with_no_conversation_or_unreadable_saved_settings_are_the_models_defaults(chat):
    from app.chat.controller import model_defaults

    controller, worker = chat
    assert controller.conversation is None
    assert controller.settings_for() == model_defaults(controller.model_info)
    conversation = controller.store.create_conversation()
    controller.store._db.execute("UPDATE conversations SET settings = '[1, 2]' WHERE id = ?", (conversation.id,))
    odd = controller.store.conversation(conversation.id)
    assert not isinstance(odd.settings, dict)
    assert controller.settings_for(odd) == model_defaults(controller.model_info)


def test_text_waiting_for_its_save_is_not_written_before_the_interval(qtbot, tmp_path, model_file):  # noqa: F811
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3", stream_interval_s=3600))
    worker = ready(controller, model_file)
    try:
        controller.send("Question")
        request_id = last_generate(worker)["id"]
        worker.reply("token", request_id, text="Waiting")
        answer_id = controller.writer.message_id
        qtbot.wait(100)  # the save timer is set for an hour from the last save
        assert controller.store.message(answer_id).content == ""  # few writes: not saved at every token
        worker.reply("done", request_id, finish_reason="stop", stats={})
        assert controller.store.message(answer_id).content == "Waiting"
    finally:
        controller.shutdown()
        controller.store.close()


def test_a_full_disk_met_by_the_timed_save_ends_the_answer_as_a_full_disk(qtbot, tmp_path, model_file):  # noqa: F811
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3", stream_interval_s=1.0))
    worker = ready(controller, model_file)
    seen = watch(controller)
    try:
        controller.send("Question")
        request_id = last_generate(worker)["id"]
        controller.writer.flush()  # the next text waits for the timer
        worker.reply("token", request_id, text="y" * 300_000)
        pages = controller.store._db.execute("PRAGMA page_count").fetchone()[0]
        controller.store._db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
        qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)  # the timer's save meets the full disk
        assert seen["finished"][0][1]["finish_reason"] == "disk_full"
        assert [kind for kind, _ in seen["problems"]] == ["disk_full"]
    finally:
        controller.shutdown()
        controller.store.close()
