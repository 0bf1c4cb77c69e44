"""Start-up on a really full disk (a 1 MB tmpfs filled to the last byte): the healthy history is not blamed;
Octet says the disk is full, and once space is freed the history opens with everything in it."""
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from app.history.errors import DiskFullError
from app.history.store import HistoryStore
from app.startup import checks


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


def test_a_full_disk_at_start_says_so_and_the_history_opens_once_space_is_freed(small_disk):
    path = small_disk / "history.sqlite3"
    with HistoryStore(path) as store:
        conversation = store.create_conversation(title="Before the disk filled")
        store.add_message(conversation.id, role="user", content="kept")
    filler = fill(small_disk)
    with pytest.raises(DiskFullError) as refused:
        HistoryStore(path)
    title, text = checks.store_problem(refused.value)
    assert "disk is full" in text and "Free some space" in text
    assert "damaged" not in text and "not a readable" not in text and "Move it aside" not in text
    filler.unlink()
    with HistoryStore(path) as store:
        assert [m.content for m in store.shown_path(conversation.id)] == ["kept"]
