"""Import from disk: checked by the runtime's loader (`python -m runtime info --json` in a child process),
added by reference unless a copy is asked for; a bad file is refused with the loader's message."""
import shutil

import pytest

from app.models.catalog import ImportRefused, delete_model, get_installed, import_model, installed_models


def test_a_valid_gguf_is_added_by_reference(starter_path, tmp_path, data_dir):
    mine = tmp_path / "mine.gguf"
    shutil.copy(starter_path, mine)
    model = import_model(mine)
    assert model.path == str(mine) and model.by_reference and model.source == "import"
    assert model.size_bytes == mine.stat().st_size and model.info
    assert not list((data_dir / "models").glob("*.gguf"))
    delete_model(model_id=model.id)
    assert mine.exists() and get_installed(model.id) is None


def test_a_truncated_gguf_is_refused_with_the_loaders_message(starter_path, tmp_path):
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(starter_path.read_bytes()[: starter_path.stat().st_size // 2])
    with pytest.raises(ImportRefused) as refused:
        import_model(truncated)
    message = str(refused.value)
    assert "truncated.gguf" in message and "\n" not in message and not message.startswith("error:")
    assert installed_models() == []


def test_a_folder_without_config_json_is_refused(tmp_path):
    folder = tmp_path / "some-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ImportRefused, match="no config.json here"):
        import_model(folder)
    assert installed_models() == []


def test_other_files_are_refused_before_the_loader_runs(tmp_path):
    with pytest.raises(ImportRefused, match="no such file"):
        import_model(tmp_path / "absent.gguf")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(ImportRefused, match="not a .gguf file"):
        import_model(notes)


def test_copy_on_request_puts_the_file_in_the_models_folder(tmp_path, data_dir):
    source = tmp_path / "copied.gguf"
    source.write_bytes(b"GGUF-ish")
    model = import_model(source, copy=True, validate=lambda path: {"quantization": "Q4_0"})
    assert model.path == str(data_dir / "models" / "copied.gguf") and not model.by_reference
    assert model.quantization == "Q4_0"
    delete_model(model_id=model.id)
    assert source.exists() and not (data_dir / "models" / "copied.gguf").exists()


def test_the_same_name_twice_gets_distinct_ids(tmp_path):
    accept = lambda path: {}  # noqa: E731
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.gguf").write_bytes(b"GGUF")
    ids = [import_model(tmp_path / f / "model.gguf", validate=accept).id for f in ("a", "b")]
    assert ids == ["model", "model-2"]


def test_a_file_that_is_not_gguf_is_refused_from_its_first_bytes_before_any_subprocess(tmp_path, monkeypatch):
    """A 39-byte text file named .gguf: refused at once with a plain sentence, the runtime's loader never started
    (it took 4 s and answered with a Python bytes literal, b'This')."""
    import subprocess

    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"This is not a model, only a short text.")
    assert fake.stat().st_size == 39

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    for path in (fake, tmp_path / "empty.gguf"):
        path.touch()
        with pytest.raises(ImportRefused) as refused:
            import_model(path)
        message = str(refused.value)
        assert message.startswith(f"{path}: this is not a GGUF model file")
        assert "b'" not in message and 'b"' not in message and "\\x" not in message
    assert installed_models() == []
