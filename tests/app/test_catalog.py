"""The shipped catalog, the installed-models registry and the memory-fit check."""
import json

import pytest

from app.models import catalog
from app.models.catalog import InstalledModel, delete_model, installed_models, load_catalog, register, set_default
from app.models.memory_fit import check_fits, memory_needed

GB = 10**9
MIXTRAL_QUANTS = ["Q2_K", "Q3_K_M", "Q4_0", "Q4_K_M", "Q5_0", "Q5_K_M", "Q6_K", "Q8_0"]


def test_the_catalog_lists_what_the_issue_asks_for():
    entries = {e.id: e for e in load_catalog()}
    gguf = [e for e in entries.values() if e.family == "mixtral-8x7b-instruct" and e.format == "gguf"]
    assert [e.quantization for e in gguf] == MIXTRAL_QUANTS
    assert all(e.repo_id == "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF" for e in gguf)
    assert entries["mixtral-8x7b-instruct-q4_k_m"].size_bytes == 26_441_533_376
    original = entries["mixtral-8x7b-instruct-bf16"]
    assert original.gated and original.is_folder and original.repo_id == "mistralai/Mixtral-8x7B-Instruct-v0.1"
    assert len([f for f in original.files if f.name.endswith(".safetensors")]) == 19
    assert 93.0 * GB < original.size_bytes < 93.6 * GB
    assert entries["mistral-7b-instruct-v0.2-q4_k_m"].size_bytes == 4_368_439_584
    assert entries["starter"].source == "pypi" and entries["starter"].size_bytes == 98_362_432


def test_every_entry_is_complete_and_sizes_are_consistent():
    for entry in load_catalog():
        assert entry.size_bytes == sum(f.size or 0 for f in entry.files), entry.id
        assert entry.memory_bytes == memory_needed(entry), entry.id
        assert entry.languages and entry.license and entry.size_source, entry.id
        for f in entry.files:
            assert f.sha256 is None or len(f.sha256) == 64, (entry.id, f.name)
        assert entry.size_exact == all(f.sha256 for f in entry.files if f.size and f.size > 10**6), entry.id
    sizes = [e.size_bytes for e in load_catalog() if e.family == "mixtral-8x7b-instruct" and e.format == "gguf"]
    assert sizes == sorted(sizes)


def test_mixtral_kv_cache_is_512_mib_at_4k_tokens():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    assert q4.kv_bytes_per_token * 4096 == 512 * 1024**2
    assert memory_needed(q4) == q4.size_bytes + 2 * 512 * 1024**2


def test_a_model_too_big_is_refused_with_a_smaller_quantization_suggested():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    verdict = check_fits(q4, available_bytes=20 * GB, total_bytes=24 * GB)
    assert not verdict.fits and verdict.suggestion.id == "mixtral-8x7b-instruct-q2_k"
    assert "needs about 27.5 GB" in verdict.message and "only 20.0 GB is available" in verdict.message
    assert "Pick Mixtral 8x7B Instruct v0.1 (Q2_K) instead" in verdict.message


def test_when_no_mixtral_fits_the_dense_model_is_suggested():
    verdict = check_fits(catalog.get_entry("mixtral-8x7b-instruct-q8_0"), available_bytes=8 * GB,
                         total_bytes=8 * GB)
    assert not verdict.fits and verdict.suggestion.id == "mistral-7b-instruct-v0.2-q4_k_m"


def test_a_model_that_fits_is_accepted_and_raw_sizes_work():
    assert check_fits(catalog.get_entry("starter"), available_bytes=2 * GB).fits
    verdict = check_fits(50 * GB, available_bytes=4 * GB, total_bytes=8 * GB, catalog=[])
    assert not verdict.fits and verdict.suggestion is None and "no catalog model fits" in verdict.message


def test_an_import_uses_the_shape_the_runtime_reported():
    imported = InstalledModel(id="x", name="x", path="/x.gguf", source="import", by_reference=True,
                              size_bytes=GB, info={"layers": 30, "kv_heads": 3, "head_dim": 64})
    assert memory_needed(imported, context_tokens=1000) == GB + 30 * 2 * 3 * 64 * 2 * 1000 + 512 * 1024**2


def model(model_id: str, path, **fields) -> InstalledModel:
    values = dict(name=model_id, path=str(path), source="catalog", by_reference=False, size_bytes=1)
    return InstalledModel(id=model_id, **{**values, **fields})


def test_the_registry_is_json_in_the_data_folder_and_keeps_one_default(data_dir):
    first = register(model("a", data_dir / "models" / "a.gguf"))
    register(model("b", data_dir / "models" / "b.gguf"))
    assert first.default and [m.id for m in installed_models() if m.default] == ["a"]
    set_default(model_id="b")
    assert [m.id for m in installed_models() if m.default] == ["b"]
    raw = json.loads((data_dir / "models.json").read_text())
    assert [m["id"] for m in raw["models"]] == ["a", "b"]
    assert not list(data_dir.glob("*.tmp"))


def test_delete_removes_downloads_but_only_forgets_references(data_dir, tmp_path):
    downloaded = data_dir / "models" / "ours.gguf"
    downloaded.parent.mkdir(exist_ok=True)
    downloaded.write_bytes(b"GGUF")
    elsewhere = tmp_path / "theirs.gguf"
    elsewhere.write_bytes(b"GGUF")
    register(model("ours", downloaded))
    register(model("theirs", elsewhere, source="import", by_reference=True))
    delete_model(model_id="ours")
    delete_model(model_id="theirs")
    assert not downloaded.exists() and elsewhere.exists() and installed_models() == []


def test_delete_never_touches_files_outside_the_models_folder(data_dir, tmp_path):
    outside = tmp_path / "outside.gguf"
    outside.write_bytes(b"GGUF")
    register(model("odd", outside, by_reference=False))
    delete_model(model_id="odd")
    assert outside.exists()


@pytest.mark.parametrize("missing", ["nope"])
def test_unknown_ids_are_errors(missing):
    with pytest.raises(KeyError):
        catalog.get_entry(missing)
    with pytest.raises(KeyError):
        set_default(model_id=missing)
