"""The shipped catalog, the installed-models registry and the memory-fit check."""
import json

import pytest

from app.models import catalog
from app.models.catalog import InstalledModel, delete_model, installed_models, load_catalog, register, set_default
from app.models.memory_fit import check_fits, estimate, memory_needed
from runtime.memory_estimate import OVERHEAD_BYTES, native_kernels_built

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
        assert memory_needed(entry) > entry.size_bytes, entry.id  # runtime.memory_estimate, not memory_bytes
        assert entry.languages and entry.license and entry.size_source, entry.id
        for f in entry.files:
            assert f.sha256 is None or len(f.sha256) == 64, (entry.id, f.name)
        assert entry.size_exact == all(f.sha256 for f in entry.files if f.size and f.size > 10**6), entry.id
    sizes = [e.size_bytes for e in load_catalog() if e.family == "mixtral-8x7b-instruct" and e.format == "gguf"]
    assert sizes == sorted(sizes)


def test_mixtral_kv_cache_is_512_mib_at_4k_tokens():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    assert q4.kv_bytes_per_token * 4096 == 512 * 1024**2
    assert estimate(q4).kv_cache == 512 * 1024**2  # bf16, the default cache type


def test_a_model_too_big_is_refused_with_a_smaller_quantization_suggested():
    q8 = catalog.get_entry("mixtral-8x7b-instruct-q8_0")
    verdict = check_fits(q8, available_bytes=40 * GB, total_bytes=48 * GB)
    # the largest that fits: Q6_K (39.2 GB) in its own blocks on the native kernels; without them Q6_K
    # becomes int8 (47 GB) and Q4_K int4, so Q4_K_M
    suggested = "Q6_K" if native_kernels_built() else "Q4_K_M"
    assert not verdict.fits and verdict.suggestion.id == f"mixtral-8x7b-instruct-{suggested.lower()}"
    assert "needs about 50.5 GB" in verdict.message and "only 40.0 GB is available" in verdict.message
    assert f"Pick Mixtral 8x7B Instruct v0.1 ({suggested}) instead" in verdict.message


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
    assert memory_needed(imported, context_tokens=1000) == GB + 30 * 2 * 3 * 64 * 2 * 1000 + OVERHEAD_BYTES


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


# -- bugs a user would hit: each test names the one it catches -----------------------------------------------
def entry(entry_id: str, family: str, size: int) -> catalog.CatalogEntry:
    return catalog.CatalogEntry(id=entry_id, name=entry_id, family=family, format="gguf", quantization="Q",
                                source="huggingface", repo_id="x/y", revision="main", files=(),
                                size_bytes=size, memory_bytes=size)


def test_fit_is_judged_on_the_memory_available_not_the_total():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    verdict = check_fits(q4, available_bytes=8 * GB, total_bytes=64 * GB)
    assert not verdict.fits and "only 8.0 GB is available (64.0 GB in all)" in verdict.message
    needed = memory_needed(q4)
    assert check_fits(q4, available_bytes=needed, total_bytes=needed).fits
    assert not check_fits(q4, available_bytes=needed - 1, total_bytes=10 * needed).fits


def test_a_smaller_quantization_of_the_same_family_is_suggested_before_another_model():
    shelf = [entry("mistral-q8", "mistral", 8 * GB), entry("mistral-q4", "mistral", 4 * GB),
             entry("other-6b", "other", 6 * GB)]
    verdict = check_fits(shelf[0], available_bytes=8 * GB, total_bytes=16 * GB, catalog=shelf)
    assert not verdict.fits and verdict.suggestion.id == "mistral-q4"
    other_family = entry("other-q8", "other", 9 * GB)
    assert check_fits(other_family, available_bytes=8 * GB, catalog=shelf).suggestion.id == "other-6b"


def test_deleting_an_import_keeps_the_users_file_even_inside_the_models_folder(data_dir):
    theirs = data_dir / "models" / "theirs.gguf"  # the user put their own file in Octet's folder
    theirs.parent.mkdir(exist_ok=True)
    theirs.write_bytes(b"GGUF")
    register(model("theirs", theirs, source="import", by_reference=True))
    delete_model(model_id="theirs")
    assert theirs.read_bytes() == b"GGUF" and installed_models() == []


def test_deleting_the_default_model_makes_another_one_the_default(data_dir):
    register(model("a", data_dir / "models" / "a.gguf"))
    register(model("b", data_dir / "models" / "b.gguf"))
    register(model("c", data_dir / "models" / "c.gguf"))
    delete_model(model_id="a")
    assert [m.id for m in installed_models() if m.default] == ["b"]
    assert catalog.default_model().id == "b"


def test_the_registry_is_replaced_whole_so_an_interrupted_write_keeps_the_old_one(data_dir):
    register(model("a", data_dir / "models" / "a.gguf"))
    before = (data_dir / "models.json").read_text()
    with open(data_dir / "models.json", encoding="utf-8") as reader:  # a reader, or the old file on a crash
        register(model("b", data_dir / "models" / "b.gguf"))
        assert reader.read() == before  # never truncated and rewritten in place
    assert [m.id for m in installed_models()] == ["a", "b"]
    assert sorted(p.name for p in data_dir.iterdir() if p.is_file()) == ["models.json"]


# -- the memory check, word for word and at its edges ----------------------------------------------------------
MIB = 1024**2


def test_a_raw_size_needs_the_default_cache_and_the_overhead():
    assert memory_needed(GB) == GB + 512 * MIB + OVERHEAD_BYTES
    assert memory_needed(GB, context_tokens=1024) == GB + 128 * MIB + OVERHEAD_BYTES


def test_the_verdict_says_what_fits_in_plain_words():
    verdict = check_fits(GB, available_bytes=4 * GB, total_bytes=8 * GB, catalog=[])
    assert verdict.fits and verdict.suggestion is None
    assert (verdict.needed_bytes, verdict.available_bytes, verdict.total_bytes) == (memory_needed(GB), 4 * GB, 8 * GB)
    assert verdict.message == "This model needs about 1.8 GB; 4.0 GB is available."
    assert check_fits(GB, available_bytes=memory_needed(GB), catalog=[]).fits  # exactly enough is enough


def test_a_refusal_names_the_model_the_memory_and_the_way_out():
    shelf = [entry("small", "fam", 2 * GB)]
    big = entry("Big model", "fam", 10 * GB)
    verdict = check_fits(big, available_bytes=4 * GB, total_bytes=16 * GB, catalog=shelf)
    assert (verdict.fits, verdict.total_bytes, verdict.suggestion) == (False, 16 * GB, shelf[0])
    assert verdict.message == (
        "Big model needs about 10.8 GB of memory, but only 4.0 GB is available (16.0 GB in all). Loading it would "
        "make the computer swap or stop the model process. Pick small instead (about 2.8 GB), or close other "
        "programs and try again.")
    alone = check_fits(big, available_bytes=GB, total_bytes=16 * GB, catalog=shelf)
    assert alone.suggestion is None and alone.message.endswith(
        "stop the model process. Close other programs and try again; no catalog model fits in this much memory.")


def test_suggestions_fit_the_context_asked_for_to_the_byte():
    shelf = [entry("a", "fam", 2 * GB), entry("b", "fam", 3 * GB)]
    roomy = memory_needed(shelf[1], context_tokens=1024)
    verdict = check_fits(entry("big", "fam", 9 * GB), available_bytes=roomy, catalog=shelf, context_tokens=1024)
    assert verdict.suggestion.id == "b" and verdict.needed_bytes == memory_needed(entry("big", "fam", 9 * GB),
                                                                                 context_tokens=1024)
    tight = check_fits(entry("big", "fam", 9 * GB), available_bytes=roomy - 1, catalog=shelf, context_tokens=1024)
    assert tight.suggestion.id == "a"


def test_an_installed_catalog_model_gets_a_suggestion_from_its_own_family():
    shelf = [entry("mistral-q4", "mistral", 4 * GB), entry("other-6b", "other", 6 * GB),
             entry("mistral-q8", "mistral", 8 * GB)]
    installed = InstalledModel(id="m", name="Mistral Q8", path="/m.gguf", source="catalog", by_reference=False,
                               size_bytes=8 * GB, catalog_id="mistral-q8")
    assert check_fits(installed, available_bytes=8 * GB, catalog=shelf).suggestion.id == "mistral-q4"
    imported = replace_model(installed, catalog_id=None)
    assert check_fits(imported, available_bytes=8 * GB, catalog=shelf).suggestion.id == "other-6b"
    unknown = replace_model(installed, catalog_id="not-in-the-catalog")
    assert check_fits(unknown, available_bytes=8 * GB, catalog=shelf).suggestion.id == "other-6b"


def test_the_pypi_starter_is_suggested_only_when_nothing_else_fits():
    shelf = [catalog.get_entry("starter"), entry("dense", "other", 50 * 10**6)]  # smaller than the starter
    assert check_fits(entry("big", "x", 9 * GB), available_bytes=3 * GB, catalog=shelf).suggestion.id == "dense"
    alone = [catalog.get_entry("starter")]
    assert check_fits(entry("big", "x", 9 * GB), available_bytes=3 * GB, catalog=alone).suggestion.id == "starter"


def replace_model(model: InstalledModel, **fields) -> InstalledModel:
    from dataclasses import replace

    return replace(model, **fields)


# -- the registry and imports, at their edges -------------------------------------------------------------------
def test_a_registry_without_a_default_flag_defaults_to_its_first_model(data_dir):
    models = [{**asdict_model(model("a", data_dir / "a.gguf")), "default": False},
              {**asdict_model(model("b", data_dir / "b.gguf")), "default": False}]
    (data_dir / "models.json").write_text(json.dumps({"version": 1, "models": models}), encoding="utf-8")
    assert catalog.default_model().id == "a"
    (data_dir / "models.json").write_text(json.dumps({"version": 1, "models": []}), encoding="utf-8")
    assert catalog.default_model() is None


def asdict_model(installed: InstalledModel) -> dict:
    from dataclasses import asdict

    return asdict(installed)


def test_unknown_ids_are_refused_by_name_even_with_models_installed(data_dir):
    register(model("a", data_dir / "models" / "a.gguf"))
    with pytest.raises(KeyError, match="no installed model with id 'nope'"):
        set_default(model_id="nope")
    with pytest.raises(KeyError, match="no catalog model with id 'nope'"):
        catalog.get_entry("nope")
    assert [m.id for m in installed_models() if m.default] == ["a"]


def test_a_catalog_entry_without_languages_has_none():
    raw = {"id": "x", "name": "X", "family": "f", "format": "gguf", "quantization": "Q4_0", "source": "huggingface",
           "repo_id": "a/b", "revision": "main", "files": [{"name": "x.gguf", "size": 1, "sha256": None}],
           "size_bytes": 1, "memory_bytes": 1, "unknown_key": "ignored"}
    assert catalog.CatalogEntry.from_dict(raw).languages == ()


def test_three_imports_of_one_name_get_three_ids(tmp_path):
    for folder in ("a", "b", "c"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.gguf").write_bytes(b"GGUF")
    ids = [catalog.import_model(tmp_path / f / "model.gguf", validate=lambda path: {}).id for f in "abc"]
    assert ids == ["model", "model-2", "model-3"]


def test_a_copied_folder_lands_in_the_models_folder_and_a_second_copy_is_refused(tmp_path, data_dir):
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"\0" * 8)
    copied = catalog.import_model(folder, copy=True, validate=lambda path: {})
    target = data_dir / "models" / "my-model"
    assert copied.path == str(target) and sorted(p.name for p in target.iterdir()) == ["config.json", "model.safetensors"]
    with pytest.raises(catalog.ImportRefused, match="a model with this name is already in the models folder"):
        catalog.import_model(folder, copy=True, validate=lambda path: {})
    delete_model(model_id=copied.id)
    assert not target.exists() and folder.is_dir()


def test_what_the_model_check_prints_is_read_as_json():
    assert catalog._parse_info('{"layers": 2}', "m.gguf") == {"layers": 2}
    assert catalog._parse_info("[1, 2]", "m.gguf") == {"info": [1, 2]}
    with pytest.raises(catalog.ImportRefused, match="m.gguf: the model check printed something that is not JSON"):
        catalog._parse_info("Traceback (most recent call last)", "m.gguf")
