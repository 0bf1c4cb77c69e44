"""The disk fills up while an answer streams: the answer stops cleanly with what could be saved, the window says
the disk is full, Send works again (in every conversation), and once space is freed the next answer is saved.

Real full disks: SQLite's own limit on the file's pages (`PRAGMA max_page_count`, which makes SQLite meet
SQLITE_FULL exactly as on a full disk), and a real 1 MB tmpfs filled to the last byte (where mounting is
allowed). The controller is the real one, over the real engine bridge and worker client, with only the worker
process scripted (`ScriptedWorker`)."""
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from app.chat import actions
from app.chat.controller import ChatController
from app.history.store import HistoryStore
from tests.app.test_controller import last_generate, model_file, ready  # noqa: F401 (model_file: a fixture)
from tests.app.window_helpers import make_window


def disk_full(store: HistoryStore) -> None:
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")


def space_freed(store: HistoryStore) -> None:
    store._db.execute(f"PRAGMA max_page_count = {2 ** 30}")


def watch(controller: ChatController) -> dict:
    seen = {"problems": [], "busy": [], "finished": []}
    controller.sig_problem.connect(lambda kind, message: seen["problems"].append((kind, message)))
    controller.sig_busy_changed.connect(seen["busy"].append)
    controller.sig_answer_finished.connect(lambda saved, result: seen["finished"].append((saved, result)))
    return seen


@pytest.fixture
def chat(qtbot, tmp_path, model_file):  # noqa: F811
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3", stream_interval_s=0))
    worker = ready(controller, model_file)
    yield controller, worker
    controller.shutdown()
    controller.store.close()


def test_a_full_disk_mid_answer_stops_it_keeps_what_was_saved_and_send_works_again(chat):
    controller, worker = chat
    seen = watch(controller)
    controller.send("Tell me a long story")
    request_id = last_generate(worker)["id"]
    for piece in ("Once upon", " a time, "):
        worker.reply("token", request_id, text=piece)
    disk_full(controller.store)
    worker.reply("token", request_id, text="y" * 300_000)  # the save that finds the disk full

    assert [m["target"] for m in worker.sent("cancel")] == [request_id]  # the generation is stopped
    assert not controller.busy and seen["busy"] == [True, False]
    assert [kind for kind, _ in seen["problems"]] == ["disk_full"] and "disk is full" in seen["problems"][0][1]
    saved = controller.store.shown_path(controller.conversation.id)[-1]
    assert (saved.state, saved.content) == ("stopped", "Once upon a time, ")
    assert seen["finished"][0][0].content == "Once upon a time, " and \
        seen["finished"][0][1]["finish_reason"] == "disk_full"
    worker.reply("token", request_id, text=" late")  # the worker's last tokens before it saw the cancel
    worker.reply("done", request_id, finish_reason="cancelled", stats={})
    assert controller.store.message(saved.id).content == "Once upon a time, "

    assert controller.send("Still full? " * 30_000) is None  # refused with the same message, nothing half-made
    assert len(controller.store.all_messages(controller.conversation.id)) == 2
    assert seen["problems"][-1][0] == "disk_full" and not controller.busy

    space_freed(controller.store)
    assert controller.send("And now?") is not None
    worker.answer(last_generate(worker)["id"], "Now", " it is saved.")
    assert [(m.content, m.state) for m in controller.store.shown_path(controller.conversation.id)[-2:]] == \
        [("And now?", "complete"), ("Now it is saved.", "complete")]


def test_a_full_disk_at_the_end_of_an_answer_still_ends_it(chat):
    controller, worker = chat
    seen = watch(controller)
    controller.send("Question")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Saved part. ")
    controller.store.stream_interval_s = 3600  # the next text waits in memory for the final save
    worker.reply("token", request_id, text="z" * 300_000)
    disk_full(controller.store)
    worker.reply("done", request_id, finish_reason="stop", stats={"generated_tokens": 2})
    assert not controller.busy and seen["busy"] == [True, False]
    assert seen["problems"][0][0] == "disk_full"
    saved = controller.store.shown_path(controller.conversation.id)[-1]
    assert (saved.state, saved.content) == ("stopped", "Saved part. ")  # not "complete": its end is missing


def test_the_window_says_the_disk_is_full_and_send_comes_back(qtbot, model_file):  # noqa: F811
    window = make_window(qtbot)
    store = window.controller.store
    store.stream_interval_s = 0
    worker = ready(window.controller, model_file)
    assert actions.send_message(window=window, text="First")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="Partial")
    disk_full(store)
    worker.reply("token", request_id, text="x" * 300_000)
    assert window.banner.kind == "disk_full" and "disk is full" in window.banner.label.text()
    assert window.composer.button.isEnabled() and not window.controller.busy
    actions.new_chat(window=window)  # another conversation: Send works there too
    assert window.composer.button.isEnabled()
    space_freed(store)
    assert actions.send_message(window=window, text="Second")
    assert window.banner.kind != "disk_full"
    worker.answer(last_generate(worker)["id"], "Fine.")
    assert store.shown_path(window.controller.conversation.id)[-1].content == "Fine."
    window.controller.shutdown()


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_really_full_disk_mid_answer_and_space_freed_afterwards(qtbot, small_disk, model_file):  # noqa: F811
    controller = ChatController(HistoryStore(small_disk / "history.sqlite3", stream_interval_s=0))
    worker = ready(controller, model_file)
    seen = watch(controller)
    controller.send("Tell me everything")
    request_id = last_generate(worker)["id"]
    worker.reply("token", request_id, text="The beginning. ")
    filler = fill(small_disk)
    for _ in range(200):  # the disk is full to the byte: some write soon fails
        if not controller.busy:
            break
        worker.reply("token", request_id, text="x" * 20_000)
    assert not controller.busy and seen["busy"] == [True, False]
    assert seen["problems"] and seen["problems"][0][0] == "disk_full"
    assert worker.sent("cancel")[-1]["target"] == request_id
    answer_id = seen["finished"][0][0].id
    assert controller.store.message(answer_id).content.startswith("The beginning. ")

    filler.unlink()
    assert controller.send("Again") is not None
    assert controller.store.message(answer_id).state == "stopped"  # ended now if the full disk refused even that
    worker.answer(last_generate(worker)["id"], "Saved again.")
    assert controller.store.shown_path(controller.conversation.id)[-1].content == "Saved again."
    controller.shutdown()
    controller.store.close()
