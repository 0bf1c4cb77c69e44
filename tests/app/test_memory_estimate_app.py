"""The app judges memory with runtime.memory_estimate, by whether the native kernels run here: the catalog before
a download (a Q3_K_M Mixtral fits a 24 GB machine on them; without them its Q3_K blocks become int8 and it does
not), an installed or imported file by its
header, the chat's load at the chosen context and KV cache type (sent with the load request), Settings showing
what the KV cache costs, and the worker's refusal in the interface's words."""
from dataclasses import replace
from pathlib import Path

import gguf
import pytest

pytest.importorskip("pytestqt")

from app import settings as app_settings  # noqa: E402
from app.chat.controller import ChatController, ModelChoice  # noqa: E402
from app.chat.runtime_messages import error_text  # noqa: E402
from app.history.store import HistoryStore  # noqa: E402
from app.models import catalog  # noqa: E402
from app.models.catalog import InstalledModel, register  # noqa: E402
from app.models import memory_fit  # noqa: E402
from app.models.memory_fit import check_fits, estimate, memory_needed  # noqa: E402
from app.settings import AppSettings  # noqa: E402
from app.ui.model_manager import ModelManagerDialog  # noqa: E402
from app.ui.settings_dialog import SettingsDialog  # noqa: E402
from app.ui.units import format_size  # noqa: E402
from runtime.config import ModelConfig  # noqa: E402
from runtime.memory_estimate import estimate_gguf, native_kernels_built  # noqa: E402
from runtime.worker import protocol  # noqa: E402
from tests.app.test_controller import scripted  # noqa: E402
from tests.runtime.test_memory_estimate import write_model  # noqa: E402

GB = 10**9
Q = gguf.GGMLQuantizationType
SMALL = ModelConfig(model_type="llama", vocab_size=320, hidden_size=512, intermediate_size=1024,
                    num_hidden_layers=2, num_attention_heads=8, num_key_value_heads=2,
                    max_position_embeddings=32768)


@pytest.fixture
def q6_file(tmp_path) -> Path:
    """A GGUF whose Q6_K matrices the runtime keeps as int8: it needs more memory than its file's size."""
    return write_model(tmp_path / "q6.gguf", Q.Q6_K, SMALL)


def test_a_24_gb_machine_runs_a_q3_k_m_mixtral_on_the_native_kernels(monkeypatch):
    """Q3_K_M (20.4 GB) stays in its file's blocks where the native kernels run, and fits 22 GB free."""
    q3 = catalog.get_entry("mixtral-8x7b-instruct-q3_k_m")
    monkeypatch.setattr(memory_fit, "native_kernels_built", lambda: True)
    verdict = check_fits(q3, available_bytes=22 * GB, total_bytes=24 * GB)
    assert verdict.fits and q3.size_bytes < verdict.needed_bytes < q3.size_bytes + 1.5 * GB
    assert verdict.estimate.source == "file size"


def test_without_the_native_kernels_a_24_gb_machine_is_told_a_q3_k_m_mixtral_will_not_fit(monkeypatch):
    """Without them (no library for this CPU) its Q3_K blocks become int8: about 47 GB."""
    q3 = catalog.get_entry("mixtral-8x7b-instruct-q3_k_m")
    monkeypatch.setattr(memory_fit, "native_kernels_built", lambda: False)
    verdict = check_fits(q3, available_bytes=22 * GB, total_bytes=24 * GB)
    assert not verdict.fits and verdict.needed_bytes > 46 * GB > 2 * q3.size_bytes
    assert verdict.estimate.source == "file size"
    assert verdict.suggestion is None or memory_needed(verdict.suggestion) <= 22 * GB
    q4_k_m = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")  # Q4_K becomes int4: less than Q3_K_M needs
    assert q4_k_m.size_bytes < memory_needed(q4_k_m) < verdict.needed_bytes


def test_a_catalog_parameter_count_is_used_when_the_catalog_has_one():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    counted = estimate(replace(q4, parameters_total=46_702_792_704))
    per_weight = 4.5 / 8 if native_kernels_built() else 0.625  # Q4_K's blocks, or int4 without the kernels
    assert counted.source == "parameters" and counted.weights == int(46_702_792_704 * per_weight)


def test_the_kv_cache_follows_the_context_and_the_cache_type():
    q4 = catalog.get_entry("mixtral-8x7b-instruct-q4_k_m")
    short, long = (estimate(q4, context_tokens=n) for n in (4096, 32768))
    assert long.kv_cache == 8 * short.kv_cache == 32 * 2 * 8 * 128 * 2 * 32768
    compact = estimate(q4, context_tokens=32768, kv_cache="int8")
    assert compact.kv_cache < 0.52 * long.kv_cache and compact.weights == long.weights
    assert memory_needed(q4, context_tokens=32768) - memory_needed(q4, context_tokens=4096) == \
        long.kv_cache - short.kv_cache


def test_an_installed_file_is_judged_by_its_header_in_the_model_manager(qtbot, data_dir, q6_file):
    """Downloaded from the catalog: its file's header, not the entry's size, says what it needs."""
    entry = replace(catalog.get_entry("mistral-7b-instruct-v0.2-q4_k_m"), id="q6-entry", quantization="Q6_K",
                    size_bytes=q6_file.stat().st_size)
    model = register(InstalledModel(id="q6", name="Q6 model", path=str(q6_file), source="catalog",
                                    by_reference=False, size_bytes=q6_file.stat().st_size, quantization="Q6_K",
                                    catalog_id=entry.id))
    dialog = ModelManagerDialog(settings=AppSettings(context_length=8192), catalog=[entry])
    qtbot.addWidget(dialog)
    try:
        row = dialog.installed_rows[model.id]
        expected = estimate_gguf(q6_file, context_length=8192, block_kernels=native_kernels_built())
        assert row.verdict.needed_bytes == expected.total and expected.source == "header"
        assert expected.weights > q6_file.stat().st_size * (0.9 if native_kernels_built() else 1)  # blocks or int8
        assert f"needs about {format_size(expected.total)} of memory" in row.details.text()
        dialog.apply_settings(AppSettings(context_length=8192, kv_cache="int8"))
        assert dialog.installed_rows[model.id].verdict.needed_bytes == \
            estimate_gguf(q6_file, context_length=8192, kv_cache="int8", block_kernels=native_kernels_built()).total \
            < expected.total
    finally:
        dialog.shutdown()


def test_the_chat_checks_memory_at_its_context_and_sends_the_cache_type(qtbot, data_dir, q6_file):
    app_settings.save(AppSettings(kv_cache="int8"))
    controller = ChatController(HistoryStore())
    worker = scripted(controller)
    controller.context_length = 16384
    choice = ModelChoice(q6_file, "Q6 model")
    verdict = controller.memory_verdict(choice)
    assert verdict.needed_bytes == estimate_gguf(q6_file, context_length=16384, kv_cache="int8",
                                                 block_kernels=native_kernels_built()).total
    assert controller.load_model(choice)
    sent = worker.sent("load")[-1]
    assert (sent["context_length"], sent["kv_cache"]) == (16384, "int8")
    protocol.validate_request(sent)
    controller.shutdown()
    controller.store.close()


def test_settings_show_what_the_kv_cache_costs_and_keep_the_cache_type(qtbot, data_dir):
    dialog = SettingsDialog(AppSettings(context_length=32768))
    qtbot.addWidget(dialog)
    mixtral_32k = 32 * 2 * 8 * 128 * 2 * 32768  # no model installed: Mixtral's shape
    assert dialog.kv_cache_label.text() == f"KV cache: {format_size(mixtral_32k)}" == "KV cache: 4.3 GB"
    dialog.kv_cache_combo.setCurrentIndex(dialog.kv_cache_combo.findData("int8"))
    assert dialog.kv_cache_label.text() == "KV cache: 2.2 GB"
    dialog.context_spin.setValue(4096)
    assert dialog.kv_cache_label.text() == "KV cache: 277 MB"  # 32 layers · 2 · 8 heads · 4096 · (128 + 4) bytes
    dialog.accept()
    assert app_settings.load().kv_cache == "int8" and dialog.result_settings().context_length == 4096


def test_settings_show_the_default_models_own_kv_cache(qtbot, data_dir, q6_file):
    model = register(InstalledModel(id="q6", name="Q6 model", path=str(q6_file), source="import",
                                    by_reference=True, size_bytes=q6_file.stat().st_size))
    dialog = SettingsDialog(AppSettings(default_model=model.id, context_length=32768))
    qtbot.addWidget(dialog)
    own = 2 * 2 * 2 * 64 * 2 * 32768  # 2 layers · K and V · 2 heads · head 64 · bf16
    assert dialog.kv_cache_label.text() == f"KV cache: {format_size(own)}"


def test_a_bad_kv_cache_setting_falls_back_to_the_standard_one(data_dir):
    (data_dir / "settings.json").write_text('{"kv_cache": "fp8"}', encoding="utf-8")
    assert app_settings.load().kv_cache == "bf16"


def test_the_workers_memory_refusal_is_said_in_the_interfaces_words():
    event = protocol.error_event("r1", protocol.MODEL_FILE, "english", "not_enough_memory",
                                 needed_bytes=47_300_000_000, available_bytes=22_000_000_000)
    text = error_text(event)
    assert "47.3 GB" in text and "22.0 GB" in text and "compact KV cache" in text
