"""`app.files.write_atomic`: the whole new text or the old file, never a half-written one, and no temporary file
left behind, whether the write succeeds, fails while encoding, or is cut short by a full disk."""
import os
import stat

import pytest

from app.files import write_atomic
from tests.app.disk_full import run_with_file_size_limit

CHILD = """
import sys
from app.files import write_atomic
try:
    write_atomic(sys.argv[1], "new " * 100_000)
except OSError as error:
    sys.exit(f"stopped: {error}")
"""


@pytest.fixture
def folder(tmp_path):
    made = tmp_path / "files"
    made.mkdir()
    return made


def test_a_write_cut_short_by_a_full_disk_keeps_the_old_file(folder):
    target = folder / "settings.json"
    target.write_text("old content", encoding="utf-8")
    done = run_with_file_size_limit(CHILD, 50_000, str(target))
    assert "stopped:" in done.stderr, done.stderr
    assert target.read_text(encoding="utf-8") == "old content"
    assert [p.name for p in folder.iterdir()] == ["settings.json"]


def test_text_that_cannot_be_encoded_keeps_the_old_file_and_leaves_no_temporary(folder):
    target = folder / "notes.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half written \ud800 lone surrogate")
    assert target.read_text(encoding="utf-8") == "old" and [p.name for p in folder.iterdir()] == ["notes.md"]


def test_the_new_file_replaces_the_old_one_and_has_the_usual_permissions(folder):
    target = folder / "out.md"
    assert write_atomic(target, "first\n") == target
    write_atomic(target, "second\r\nline", newline="")
    assert target.read_bytes() == b"second\r\nline"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_without_replace_an_existing_file_is_never_touched(folder):
    target = folder / "taken.md"
    target.write_text("theirs", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_atomic(target, "ours", replace=False)
    assert target.read_text(encoding="utf-8") == "theirs" and [p.name for p in folder.iterdir()] == ["taken.md"]
    assert write_atomic(folder / "free.md", "ours", replace=False).read_text(encoding="utf-8") == "ours"
    assert sorted(p.name for p in folder.iterdir()) == ["free.md", "taken.md"]


def test_a_missing_folder_is_a_clear_error(folder):
    with pytest.raises(FileNotFoundError):
        write_atomic(folder / "absent" / "x.json", "{}")


def test_without_hard_links_a_new_file_still_appears_whole_and_a_taken_name_is_refused(folder, monkeypatch):
    """A FAT or exFAT USB stick has no hard links (os.link fails with EPERM there); this stands in for one."""
    def no_hard_links(source, target):
        raise PermissionError(1, "Operation not permitted", str(source))

    monkeypatch.setattr(os, "link", no_hard_links)
    assert write_atomic(folder / "new.md", "whole", replace=False).read_text(encoding="utf-8") == "whole"
    with pytest.raises(FileExistsError, match="new.md already exists"):
        write_atomic(folder / "new.md", "again", replace=False)
    assert (folder / "new.md").read_text(encoding="utf-8") == "whole" and [p.name for p in folder.iterdir()] == ["new.md"]


def test_the_text_is_written_as_utf8(folder):
    assert write_atomic(folder / "é.md", "Grüße – 😀").read_bytes() == "Grüße – 😀".encode("utf-8")
