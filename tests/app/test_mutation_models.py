"""Model-side behaviours that mutation testing (issue 20, docs/mutation.md) found unchecked: what the user reads
when the Hub refuses, and which copy in the Hugging Face cache is trusted."""
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.models import secrets
from app.models.catalog import CatalogEntry, CatalogFile
from app.models.downloads import discard_partial, install_location
from app.models.hub_client import HubAccessError, NetworkError, fetch_metadata, find_in_hf_cache
from tests.app.fake_hub import fake_hub, no_keyring  # noqa: F401  (fixtures)
from tests.app.test_downloads import gets, job, make_entry, payload

REPO = "octet-test/tiny-GGUF"
NAME = "tiny.Q4_0.gguf"


class _Refusing(BaseHTTPRequestHandler):
    """A Hub that knows no repository ("missing" in the path) or fails (anything else) with `status`."""
    protocol_version = "HTTP/1.1"
    status = 500

    def log_message(self, *args) -> None:
        pass

    def do_HEAD(self) -> None:
        if "/missing/" in self.path:
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
        else:
            self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def refusing_hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_missing_repository_says_so_and_suggests_a_token_only_without_one(refusing_hub):
    with pytest.raises(HubAccessError) as without_token:
        fetch_metadata("octet-test/missing", NAME, endpoint=refusing_hub)
    assert str(without_token.value) == (f"octet-test/missing was not found on {refusing_hub}. If it is private or "
                                        "gated, add your Hugging Face token in Settings.")
    with pytest.raises(HubAccessError) as with_token:
        fetch_metadata("octet-test/missing", NAME, endpoint=refusing_hub, token="hf_secret")
    assert str(with_token.value) == f"octet-test/missing was not found on {refusing_hub}."


def test_a_failing_hub_names_its_status_and_says_to_try_later(refusing_hub):
    with pytest.raises(NetworkError) as failed:
        fetch_metadata(REPO, NAME, endpoint=refusing_hub)
    assert str(failed.value) == f"{REPO}/{NAME}: the Hub answered 500; try again later."


def _cache_with(cache: Path, content: bytes) -> Path:
    """huggingface_hub's layout: blobs/<sha256>, snapshots/<commit>/<name> linking to it, refs/main."""
    repo = cache / ("models--" + REPO.replace("/", "--"))
    sha = hashlib.sha256(content).hexdigest()
    (repo / "blobs").mkdir(parents=True)
    (repo / "blobs" / sha).write_bytes(content)
    snapshot = repo / "snapshots" / ("c" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / NAME).symlink_to(Path("../../blobs") / sha)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("c" * 40)
    return snapshot / NAME


def test_the_hf_cache_copy_is_used_only_when_its_hash_is_the_expected_one(tmp_path):
    content = b"GGUF" + bytes(1000)
    cached = _cache_with(tmp_path / "hf", content)
    right = hashlib.sha256(content).hexdigest()
    assert find_in_hf_cache(REPO, NAME, cache_dir=tmp_path / "hf", expected_sha256=right) == cached
    assert find_in_hf_cache(REPO, NAME, cache_dir=tmp_path / "hf", expected_sha256="ab" * 32) is None
    assert find_in_hf_cache(REPO, NAME, cache_dir=tmp_path / "hf", expected_sha256=None) == cached
    assert find_in_hf_cache(REPO, "other.gguf", cache_dir=tmp_path / "hf") is None


# -- downloads, against the local Hub-like server of tests/app/fake_hub.py ------------------------------------


def _file(model, name: str) -> Path:
    path = Path(model.path)
    return path / name if path.is_dir() else path


def test_progress_after_a_restart_from_zero_never_counts_the_dropped_bytes(fake_hub, tmp_path):  # noqa: F811
    content = payload()
    entry = make_entry(fake_hub, content)
    fake_hub.drop_after[entry.files[0].name] = len(content) // 2
    fake_hub.ignore_range = True  # the resume gets the whole file again with a 200
    seen = []
    model = job(fake_hub, entry, tmp_path).run(on_progress=seen.append)
    assert Path(model.path).read_bytes() == content
    assert seen and all(p.bytes_done <= p.bytes_total for p in seen)
    assert (seen[-1].bytes_done, seen[-1].bytes_total) == (len(content), len(content))


def test_a_plain_file_restarted_from_zero_still_passes_its_git_hash(fake_hub, tmp_path, data_dir):  # noqa: F811
    config = b'{"model_type": "mixtral", "padding": "' + b"x" * 300_000 + b'"}'
    fake_hub.add_file(REPO, "config.json", config, lfs=False)  # served by the Hub itself, git-sha1 ETag
    fake_hub.drop_after["config.json"] = len(config) // 2
    fake_hub.ignore_range = True
    entry = CatalogEntry(id="tiny-folder", name="Tiny folder", family="tiny", format="safetensors",
                         quantization="BF16", source="huggingface", repo_id=REPO, revision="main",
                         files=(CatalogFile("config.json", None, None),), size_bytes=len(config),
                         memory_bytes=len(config))
    model = job(fake_hub, entry, tmp_path).run()
    assert _file(model, "config.json").read_bytes() == config


def test_a_token_goes_to_the_hub_for_a_gated_plain_file_never_as_none(fake_hub, tmp_path, data_dir):  # noqa: F811
    def entry_for(name: str) -> CatalogEntry:
        return CatalogEntry(id=name.split(".")[0], name=name, family="tiny", format="safetensors",
                            quantization="BF16", source="huggingface", repo_id=REPO, revision="main",
                            files=(CatalogFile(name, None, None),), size_bytes=10, memory_bytes=10)

    fake_hub.add_file(REPO, "public.json", b'{"a": 1}', lfs=False)
    fake_hub.add_file(REPO, "gated.json", b'{"b": 2}', lfs=False, gated_token="hf_test_token")
    job(fake_hub, entry_for("public.json"), tmp_path).run()
    assert all("authorization" not in r.headers for r in gets(fake_hub))  # no "Bearer None"
    model = job(fake_hub, entry_for("gated.json"), tmp_path, token="hf_test_token").run()
    assert _file(model, "gated.json").read_bytes() == b'{"b": 2}'
    assert gets(fake_hub)[-1].headers["authorization"] == "Bearer hf_test_token"


def test_discard_partial_removes_what_there_is_of_a_folder_models_partial_files(data_dir):
    entry = CatalogEntry(id="tiny-folder", name="Tiny folder", family="tiny", format="safetensors",
                         quantization="BF16", source="huggingface", repo_id=REPO, revision="main",
                         files=(CatalogFile("config.json", None, None), CatalogFile("model.safetensors", 10, None)),
                         size_bytes=10, memory_bytes=10)
    folder = install_location(entry)
    folder.mkdir(parents=True)
    (folder / "model.safetensors.part").write_bytes(b"half")  # no .part.json, no config.json.part
    (folder / "config.json").write_text("{}")  # finished: stays
    discard_partial(entry)
    assert sorted(p.name for p in folder.iterdir()) == ["config.json"]


def test_without_a_keyring_the_user_reads_what_to_install_and_what_still_works(no_keyring):  # noqa: F811
    with pytest.raises(secrets.KeyringUnavailable) as refused:
        secrets.save_token("hf_abc")
    assert str(refused.value) == (
        "No system keyring is available to store your Hugging Face token safely (no backend). Octet does not "
        "write tokens to plain files: install or unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows "
        "Credential Manager) and try again. Gated models cannot be downloaded until then; other models still can.")
    assert "hf_abc" not in str(refused.value)



def test_a_model_folder_that_cannot_all_be_deleted_is_still_forgotten(data_dir, tmp_path):
    """A folder holding something the system will not delete (here a mount point, as root; for a user a read-only
    or busy file): the model leaves the list anyway and the rest of its files go."""
    import subprocess

    from app.models.catalog import InstalledModel, delete_model, installed_models, register

    folder = data_dir / "models" / "tiny-folder"
    busy = folder / "busy"
    busy.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"weights")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(busy)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        register(InstalledModel(id="tiny-folder", name="Tiny folder", path=str(folder), source="catalog",
                                by_reference=False, size_bytes=7, format="safetensors"))
        delete_model(model_id="tiny-folder")
        assert installed_models() == [] and not (folder / "model.safetensors").exists()
    finally:
        subprocess.run(["umount", "-l", str(busy)], check=False)


def test_the_download_worker_says_minus_one_while_the_time_left_is_unknown(qtbot, fake_hub, tmp_path):  # noqa: F811
    from app.models.download_worker import DownloadWorker
    from app.models.downloads import ModelDownload

    entry = make_entry(fake_hub, payload())
    worker = DownloadWorker(ModelDownload(entry, endpoint=fake_hub.endpoint, hf_cache=tmp_path / "hf",
                                          retry_wait_s=0.05))
    progress = []
    worker.sig_progress.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(worker.sig_finished, timeout=20_000):
        worker.start()
    assert worker.wait()
    unknown = [left for _, _, speed, left in progress if speed == 0]
    assert unknown and all(left == -1.0 for left in unknown)  # the first report knows no speed yet
    assert all(left >= 0 for _, _, speed, left in progress if speed > 0)


@pytest.mark.parametrize("value, offline", [("1", True), (" Yes ", True), ("ON", True), ("true", True),
                                            ("0", False), ("", False), ("no", False)])
def test_hf_hub_offline_in_the_environment_is_read_at_call_time(monkeypatch, value, offline):
    from app.models.hub_client import offline_requested

    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert offline_requested() is offline
    assert offline_requested(True) is True


def test_the_hf_cache_is_the_callers_else_hf_hub_cache_else_hf_home_hub(monkeypatch, tmp_path):
    from app.models.hub_client import hf_cache_dir

    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    assert hf_cache_dir(tmp_path / "mine") == tmp_path / "mine"
    assert hf_cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("HF_HUB_CACHE")
    assert hf_cache_dir() == tmp_path / "home" / "hub"


def test_the_hf_cache_copy_of_the_asked_revision_comes_before_an_older_snapshot(tmp_path):
    old, new = b"GGUF old", b"GGUF new"
    current = _cache_with(tmp_path / "hf", new)  # snapshots/ccc…, refs/main -> ccc…
    older = current.parent.parent / ("a" * 40)
    older.mkdir()
    blob = current.parent.parent.parent / "blobs" / hashlib.sha256(old).hexdigest()
    blob.write_bytes(old)
    (older / NAME).symlink_to(Path("../../blobs") / blob.name)
    assert find_in_hf_cache(REPO, NAME, cache_dir=tmp_path / "hf") == current
    (current.parent.parent.parent / "refs" / "main").unlink()  # no ref: any snapshot holding the file will do
    assert find_in_hf_cache(REPO, NAME, cache_dir=tmp_path / "hf", expected_sha256=hashlib.sha256(new).hexdigest()) \
        == current


def test_an_imported_gguf_is_recorded_as_gguf(starter_path, tmp_path, data_dir):
    import shutil

    from app.models.catalog import get_installed, import_model

    mine = tmp_path / "mine.gguf"
    shutil.copy(starter_path, mine)
    model = import_model(mine)
    assert model.format == "gguf" and get_installed(model.id).format == "gguf"


def test_a_downloaded_model_is_registered_with_its_catalog_facts(fake_hub, tmp_path, data_dir):  # noqa: F811
    from app.models.catalog import get_installed

    entry = make_entry(fake_hub, payload(1024 * 1024))
    model = job(fake_hub, entry, tmp_path).run()
    again = get_installed(model.id)
    assert (again.format, again.quantization, again.catalog_id, again.source, again.by_reference) == \
        ("gguf", "Q4_0", "tiny-q4_0", "catalog", False)
