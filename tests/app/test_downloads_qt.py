"""The Qt adapter: a download on a QThread reports progress, completion, failure, pause and cancel as signals."""
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.models import downloads  # noqa: E402
from app.models.download_worker import DownloadWorker  # noqa: E402
from app.models.downloads import ModelDownload  # noqa: E402
from tests.app.fake_hub import fake_hub  # noqa: E402,F401  (fixture)
from tests.app.test_downloads import SIZE, make_entry, payload  # noqa: E402


def worker_for(hub, entry, tmp_path) -> DownloadWorker:
    return DownloadWorker(ModelDownload(entry, endpoint=hub.endpoint, hf_cache=tmp_path / "hf", retry_wait_s=0.05))


def test_progress_then_finished_with_the_path(qtbot, fake_hub, tmp_path):
    entry = make_entry(fake_hub, payload())
    fake_hub.throttle_bytes_per_s = 16 * 1024 * 1024
    worker = worker_for(fake_hub, entry, tmp_path)
    progress = []
    worker.sig_progress.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(worker.sig_finished, timeout=20_000) as finished:
        worker.start()
    assert worker.wait()
    assert Path(finished.args[0]).stat().st_size == SIZE
    done, total, speed, left = progress[-1]
    assert done == total == SIZE and speed >= 0 and (left == -1 or left >= 0)
    assert len(progress) >= 2


def test_failure_is_a_message(qtbot, fake_hub, tmp_path, monkeypatch):
    entry = make_entry(fake_hub, payload())
    monkeypatch.setattr(downloads, "free_disk_bytes", lambda folder: 0)
    worker = worker_for(fake_hub, entry, tmp_path)
    with qtbot.waitSignal(worker.sig_failed, timeout=10_000) as failed:
        worker.start()
    assert worker.wait()
    assert "free disk space" in failed.args[0]


def test_pause_keeps_the_part_and_cancel_deletes_it(qtbot, fake_hub, tmp_path, data_dir):
    entry = make_entry(fake_hub, payload())
    fake_hub.throttle_bytes_per_s = 2 * 1024 * 1024
    part = data_dir / "models" / (entry.files[0].name + ".part")
    worker = worker_for(fake_hub, entry, tmp_path)
    worker.sig_progress.connect(lambda done, *rest: worker.pause() if done > SIZE // 8 else None)
    with qtbot.waitSignal(worker.sig_paused, timeout=20_000):
        worker.start()
    assert worker.wait() and 0 < part.stat().st_size < SIZE

    again = worker_for(fake_hub, entry, tmp_path)
    again.sig_progress.connect(lambda *args: again.cancel())
    with qtbot.waitSignal(again.sig_cancelled, timeout=20_000):
        again.start()
    assert again.wait() and not part.exists()
