"""Downloads against a local Hub-like server: resume after a cut, a stop and a crash; hash check; disk space;
offline mode; reuse of the Hugging Face cache."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from app.models import downloads
from app.models.catalog import CatalogEntry, CatalogFile, get_installed, installed_models
from app.models.downloads import (
    DownloadStopped,
    NetworkError,
    IntegrityError,
    ModelDownload,
    NotEnoughDiskSpace,
    OfflineUnavailable,
    discard_partial,
)
from tests.app.fake_hub import fake_hub  # noqa: F401  (fixture)

REPO = "octet-test/tiny-GGUF"
SIZE = 4 * 1024 * 1024 + 123


def payload(size: int = SIZE, seed: int = 1) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


def make_entry(hub, content: bytes, *, name: str = "tiny.Q4_0.gguf", listed_sha256: str | None = "real",
               **hosted) -> CatalogEntry:
    hub.add_file(REPO, name, content, **hosted)
    sha = hashlib.sha256(content).hexdigest() if listed_sha256 == "real" else listed_sha256
    return CatalogEntry(id="tiny-q4_0", name="Tiny test model (Q4_0)", family="tiny", format="gguf",
                        quantization="Q4_0", source="huggingface", repo_id=REPO, revision="main",
                        files=(CatalogFile(name, len(content), sha),), size_bytes=len(content),
                        memory_bytes=len(content))


def job(hub, entry, tmp_path, **options) -> ModelDownload:
    return ModelDownload(entry, endpoint=hub.endpoint, hf_cache=tmp_path / "hf-cache", retry_wait_s=0.05, **options)


def gets(hub) -> list:
    return [r for r in hub.requests if r.method == "GET"]


def test_download_verifies_installs_and_registers(fake_hub, tmp_path, data_dir):
    content = payload()
    entry = make_entry(fake_hub, content)
    seen = []
    model = job(fake_hub, entry, tmp_path).run(on_progress=seen.append)
    path = Path(model.path)
    assert path == data_dir / "models" / "tiny.Q4_0.gguf" and path.read_bytes() == content
    assert not list(path.parent.glob("*.part*"))
    assert model.source == "catalog" and not model.by_reference and model.default
    assert get_installed("tiny-q4_0") == model
    assert seen[-1].bytes_done == seen[-1].bytes_total == SIZE
    assert "authorization" not in {k for r in fake_hub.requests if r.server == "cdn" for k in r.headers}


def test_connection_cut_halfway_resumes_where_it_stopped(fake_hub, tmp_path):
    content = payload()
    entry = make_entry(fake_hub, content)
    fake_hub.drop_after[entry.files[0].name] = SIZE // 2
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == content
    ranges = [r.headers.get("range") for r in gets(fake_hub)]
    assert ranges[0] is None and ranges[1].startswith("bytes=") and int(ranges[1][6:-1]) > 0
    fetched = fake_hub.bytes_sent[entry.files[0].name]
    print(f"cut at half: {fetched} bytes fetched for a {SIZE}-byte file ({fetched / SIZE:.3f}x)")
    assert SIZE <= fetched <= 1.1 * SIZE


def test_stop_keeps_the_part_and_the_next_run_resumes(fake_hub, tmp_path):
    content = payload()
    entry = make_entry(fake_hub, content)
    fake_hub.throttle_bytes_per_s = 8 * 1024 * 1024
    first = job(fake_hub, entry, tmp_path)

    def stop_halfway(progress):
        if progress.bytes_done >= SIZE // 3:
            first.stop()

    with pytest.raises(DownloadStopped):
        first.run(on_progress=stop_halfway)
    part = Path(str(downloads.install_location(entry)) + ".part")
    assert 0 < part.stat().st_size < SIZE and get_installed(entry.id) is None
    fake_hub.throttle_bytes_per_s = None
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == content
    assert fake_hub.bytes_sent[entry.files[0].name] <= 1.1 * SIZE


def test_a_lost_connection_stops_with_a_message_and_resumes_later(fake_hub, tmp_path, monkeypatch):
    content = payload()
    entry = make_entry(fake_hub, content)
    fake_hub.drop_after[entry.files[0].name] = SIZE // 3
    first = job(fake_hub, entry, tmp_path)
    fake_hub.cdn_down = True  # the HEAD works, every GET is refused
    with pytest.raises(NetworkError, match="connection keeps dropping; stopped at 0%"):
        first.run()
    fake_hub.cdn_down = False
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.endpoint)  # read at call time, not at import
    model = ModelDownload(entry, hf_cache=tmp_path / "hf-cache", retry_wait_s=0.05).run()
    assert Path(model.path).read_bytes() == content
    assert fake_hub.bytes_sent[entry.files[0].name] <= 1.1 * SIZE


CRASHING_CHILD = """
import json, sys
from app.models.catalog import CatalogEntry
from app.models.downloads import ModelDownload
raw = json.loads(sys.argv[1])
ModelDownload(CatalogEntry.from_dict(raw), endpoint=sys.argv[2], hf_cache=sys.argv[3]).run()
"""


def test_resume_after_the_app_is_killed(fake_hub, tmp_path, data_dir):
    content = payload(SIZE, seed=7)
    entry = make_entry(fake_hub, content)
    fake_hub.throttle_bytes_per_s = 2 * 1024 * 1024
    raw = {**asdict(entry), "files": [asdict(f) for f in entry.files]}
    child = subprocess.Popen([sys.executable, "-c", CRASHING_CHILD, json.dumps(raw), fake_hub.endpoint,
                              str(tmp_path / "hf-cache")], env={**os.environ, "OCTET_DATA_DIR": str(data_dir)},
                             cwd=Path(__file__).resolve().parents[2])
    part = data_dir / "models" / (entry.files[0].name + ".part")
    deadline = time.monotonic() + 30
    while not (part.exists() and part.stat().st_size > SIZE // 4) and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    kept = part.stat().st_size
    assert 0 < kept < SIZE
    fake_hub.throttle_bytes_per_s = None
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == content
    fetched = fake_hub.bytes_sent[entry.files[0].name]
    print(f"killed after {kept} bytes on disk: {fetched} bytes fetched in all ({fetched / SIZE:.3f}x)")
    assert fetched <= 1.1 * SIZE


def test_content_not_matching_its_hash_is_rejected(fake_hub, tmp_path, data_dir):
    content = payload()
    entry = make_entry(fake_hub, content, listed_sha256=None, advertised_sha256="ab" * 32)
    with pytest.raises(IntegrityError, match="corrupt"):
        job(fake_hub, entry, tmp_path).run()
    assert list((data_dir / "models").iterdir()) == []
    assert installed_models() == []


def test_a_file_changed_on_the_hub_is_refused_before_downloading(fake_hub, tmp_path):
    entry = make_entry(fake_hub, payload(), listed_sha256="cd" * 32)
    with pytest.raises(IntegrityError, match="changed on the Hub"):
        job(fake_hub, entry, tmp_path).run()
    assert gets(fake_hub) == []


def test_not_enough_disk_space_is_refused_before_any_byte(fake_hub, tmp_path, data_dir, monkeypatch):
    entry = make_entry(fake_hub, payload())
    monkeypatch.setattr(downloads, "free_disk_bytes", lambda folder: 1024 * 1024)
    with pytest.raises(NotEnoughDiskSpace, match=r"needs .* GB of free disk space .* only 0.0 GB is free"):
        job(fake_hub, entry, tmp_path).run()
    assert gets(fake_hub) == []
    assert list((data_dir / "models").iterdir()) == []


def test_offline_with_the_file_present_touches_no_network(fake_hub, tmp_path, monkeypatch):
    entry = make_entry(fake_hub, payload())
    job(fake_hub, entry, tmp_path).run()
    before = len(fake_hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).is_file() and len(fake_hub.requests) == before


def test_offline_with_the_file_absent_says_so_without_network(fake_hub, tmp_path):
    entry = make_entry(fake_hub, payload())
    with pytest.raises(OfflineUnavailable, match="not on this computer and offline mode is on"):
        job(fake_hub, entry, tmp_path, offline=True).run()
    assert fake_hub.requests == []


def fill_hf_cache(cache: Path, entry: CatalogEntry, content: bytes) -> Path:
    """Lay the file out as huggingface_hub's cache does: blobs/<sha256>, snapshots/<commit>/<name>, refs/main."""
    repo = cache / ("models--" + entry.repo_id.replace("/", "--"))
    sha = hashlib.sha256(content).hexdigest()
    (repo / "blobs").mkdir(parents=True)
    (repo / "blobs" / sha).write_bytes(content)
    snapshot = repo / "snapshots" / ("c" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / entry.files[0].name).symlink_to(Path("../../blobs") / sha)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("c" * 40)
    return snapshot / entry.files[0].name


def test_the_users_hf_cache_is_reused_without_downloading(fake_hub, tmp_path):
    content = payload()
    entry = make_entry(fake_hub, content)
    cached = fill_hf_cache(tmp_path / "hf-cache", entry, content)
    model = job(fake_hub, entry, tmp_path, offline=True).run()
    assert Path(model.path) == cached and model.by_reference and model.source == "hf-cache"
    assert fake_hub.requests == []


def test_a_multi_file_model_lands_in_its_own_folder(fake_hub, tmp_path, data_dir):
    weights, config = payload(1024 * 1024 + 7, seed=3), b'{"model_type": "mixtral"}'
    fake_hub.add_file(REPO, "model-00001-of-00001.safetensors", weights)
    fake_hub.add_file(REPO, "config.json", config, lfs=False)  # served directly, git-sha1 ETag
    entry = CatalogEntry(id="tiny-folder", name="Tiny folder", family="tiny", format="safetensors",
                         quantization="BF16", source="huggingface", repo_id=REPO, revision="main",
                         files=(CatalogFile("config.json", None, None),
                                CatalogFile("model-00001-of-00001.safetensors", len(weights), None)),
                         size_bytes=len(weights), memory_bytes=len(weights))
    model = job(fake_hub, entry, tmp_path).run()
    folder = data_dir / "models" / "tiny-folder"
    assert Path(model.path) == folder
    assert (folder / "config.json").read_bytes() == config
    assert (folder / "model-00001-of-00001.safetensors").read_bytes() == weights


def test_discard_partial_forgets_a_stopped_download(fake_hub, tmp_path, data_dir):
    entry = make_entry(fake_hub, payload())
    fake_hub.drop_after[entry.files[0].name] = SIZE // 2
    first = job(fake_hub, entry, tmp_path)
    first.stop()
    with pytest.raises(DownloadStopped):
        first.run()
    discard_partial(entry)
    assert list((data_dir / "models").iterdir()) == []


# -- bugs a user would hit: each test names the one it catches -----------------------------------------------
def test_a_server_ignoring_range_on_resume_restarts_the_file_from_zero(fake_hub, tmp_path):
    content = payload()
    entry = make_entry(fake_hub, content)
    fake_hub.drop_after[entry.files[0].name] = SIZE // 2
    fake_hub.ignore_range = True  # the retry asks for the second half and gets the whole file with a 200
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == content
    assert [r.headers.get("range") for r in gets(fake_hub)][1].startswith("bytes=")


def test_a_part_of_an_older_version_is_dropped_when_the_etag_changed(fake_hub, tmp_path, data_dir):
    old, new = payload(seed=1), payload(seed=2)
    entry = make_entry(fake_hub, old, listed_sha256=None)  # no catalog hash: the Hub's ETag decides
    first = job(fake_hub, entry, tmp_path)
    first.stop()
    with pytest.raises(DownloadStopped):
        first.run()
    part = data_dir / "models" / (entry.files[0].name + ".part")
    part.write_bytes(old[: SIZE // 2])  # half of the old version, as a stopped download leaves it
    fake_hub.add_file(REPO, entry.files[0].name, new)  # the repository moved on: a new ETag
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == new
    assert [r.headers.get("range") for r in gets(fake_hub) if r.server == "cdn"][-1] is None


def test_the_disk_space_check_keeps_its_margin(fake_hub, tmp_path, monkeypatch):
    entry = make_entry(fake_hub, payload())
    monkeypatch.setattr(downloads, "free_disk_bytes", lambda folder: SIZE + downloads.SPACE_MARGIN_BYTES - 1)
    with pytest.raises(NotEnoughDiskSpace):
        job(fake_hub, entry, tmp_path).run()
    monkeypatch.setattr(downloads, "free_disk_bytes", lambda folder: SIZE + downloads.SPACE_MARGIN_BYTES)
    assert Path(job(fake_hub, entry, tmp_path).run().path).read_bytes() == payload()


def test_retries_start_counting_again_after_each_bit_of_progress(fake_hub, tmp_path):
    content = payload()
    entry = make_entry(fake_hub, content)
    cuts = 2 * downloads.MAX_ATTEMPTS_WITHOUT_PROGRESS
    fake_hub.drop_every[entry.files[0].name] = SIZE // cuts + 1  # every response is cut, each one after progress
    model = job(fake_hub, entry, tmp_path).run()
    assert Path(model.path).read_bytes() == content
    assert len(gets(fake_hub)) > downloads.MAX_ATTEMPTS_WITHOUT_PROGRESS
