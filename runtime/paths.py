"""Where Octet keeps its data: one folder (platformdirs' user data dir, or $OCTET_DATA_DIR).

`data_dir()/models/` holds installed models; `data_dir()/history.sqlite3` the chats; `data_dir()/chat_state/`
their saved KV caches. Torch-free, so the GUI may use it too. Nothing is ever written next to the program itself.
"""
import os
from pathlib import Path

import platformdirs

from .errors import ModelFileError

APP_NAME = "Octet"
DATA_DIR_ENV = "OCTET_DATA_DIR"


def data_dir() -> Path:
    """The data folder, created on first use; $OCTET_DATA_DIR replaces it (tests, scripts)."""
    override = os.environ.get(DATA_DIR_ENV)
    folder = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def models_dir() -> Path:
    """The models folder, created on first use. It may be a link to another drive: when that drive is
    gone the path is returned all the same, and whoever reads a model from it says what is missing."""
    folder = data_dir() / "models"
    if not folder.is_symlink():
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def chat_state_dir() -> Path:
    """Saved chat states (runtime/chat_state.py): the KV caches of conversations, one file each. Not created
    here: only writing a state does."""
    return data_dir() / "chat_state"


def cache_dir() -> Path:
    """What can be made again (the starter model's wheel), shared across data
    folders: the platform's cache folder (~/.cache/Octet on Linux), which uninstalling removes."""
    folder = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


STARTER_ID = "starter"
STARTER_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def installed_models() -> list[Path]:
    """Model files and folders in the models folder (GGUF files, Hugging Face folders)."""
    root = models_dir()
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.suffix == ".gguf" and p.is_file()]
    found += [p for p in root.iterdir() if p.is_dir() and (p / "config.json").is_file()]
    return sorted(found)


def resolve_model(spec: str) -> Path:
    """A CLI MODEL argument to a path: an existing path, `starter`, or an installed model's id (name)."""
    if spec == STARTER_ID:
        path = models_dir() / STARTER_FILENAME
        if not path.exists():
            raise ModelFileError(path, "the starter model is not installed; run `python -m runtime install-starter`")
        return path
    candidate = Path(spec).expanduser()
    if candidate.exists():
        return candidate
    for installed in installed_models():
        if spec in (installed.name, installed.stem):
            return installed
    raise ModelFileError(spec, "no such file, folder or installed model")
