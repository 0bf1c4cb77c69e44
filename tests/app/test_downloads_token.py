"""The Hugging Face token: kept in the keyring only, sent to the Hub only, never in logs or data files."""
import logging
from pathlib import Path

import pytest
from huggingface_hub import constants
from huggingface_hub.utils import logging as hf_logging

from app.models import secrets
from app.models.downloads import HubAccessError, ModelDownload
from tests.app.fake_hub import fake_hub, memory_keyring, no_keyring  # noqa: F401  (fixtures)
from tests.app.test_downloads import REPO, make_entry, payload

TOKEN = "hf_SecretTokenValue0123456789abcdefXYZ"


def test_a_gated_model_without_a_token_says_what_to_do(fake_hub, memory_keyring, tmp_path):
    entry = make_entry(fake_hub, payload(4096), gated_token=TOKEN)
    with pytest.raises(HubAccessError, match="gated: accept its licence .* add your Hugging Face token"):
        ModelDownload(entry, endpoint=fake_hub.endpoint, hf_cache=tmp_path / "hf").run()


def test_the_token_never_appears_in_logs_or_files(fake_hub, memory_keyring, tmp_path, data_dir, caplog,
                                                  monkeypatch):
    secrets.save_token(TOKEN)
    monkeypatch.setattr(constants, "HF_DEBUG", True)  # the library's most talkative mode
    hf_logging.enable_propagation()
    caplog.set_level(logging.DEBUG)
    try:
        entry = make_entry(fake_hub, payload(300_000), gated_token=TOKEN)
        fake_hub.drop_after[entry.files[0].name] = 100_000  # a retry path too
        model = ModelDownload(entry, endpoint=fake_hub.endpoint, hf_cache=tmp_path / "hf").run()
    finally:
        hf_logging.disable_propagation()
    assert Path(model.path).is_file()
    hub_auth = [r.headers.get("authorization") for r in fake_hub.requests if r.server == "hub"]
    assert hub_auth and all(h == f"Bearer {TOKEN}" for h in hub_auth)
    assert not any("authorization" in r.headers for r in fake_hub.requests if r.server == "cdn")
    assert caplog.records and TOKEN not in caplog.text
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_the_token_lives_in_the_keyring(memory_keyring):
    secrets.save_token(f"  {TOKEN}\n")
    assert memory_keyring.passwords == {("Octet", "huggingface"): TOKEN}
    assert secrets.load_token() == TOKEN
    secrets.forget_token()
    assert secrets.load_token() is None


def test_without_a_keyring_the_token_is_refused_not_written_to_a_file(no_keyring, data_dir):
    with pytest.raises(secrets.KeyringUnavailable, match="No system keyring .* does not write tokens to plain files"):
        secrets.save_token(TOKEN)
    assert secrets.load_token() is None
    assert not [p for p in data_dir.rglob("*") if p.is_file()]


def test_a_wrong_token_is_reported_without_echoing_it(fake_hub, memory_keyring, tmp_path):
    entry = make_entry(fake_hub, payload(4096), gated_token=TOKEN)
    with pytest.raises(HubAccessError) as refused:
        ModelDownload(entry, endpoint=fake_hub.endpoint, token="hf_wrong", hf_cache=tmp_path / "hf").run()
    assert "token was refused" in str(refused.value) and "hf_wrong" not in str(refused.value)
    assert REPO in str(refused.value)
