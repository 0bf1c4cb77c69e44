"""Settings › Engine "A server": the real window, offscreen, chatting with a real `python -m runtime serve` process
on loopback through the remote client. A chat streams, is saved, found and exported as with the local worker;
stop works; a server killed mid-answer keeps the partial text and says why; the settings section lists the
server's models and keeps the key in the keyring; the model manager says where the models live."""
import signal

import pytest

from app import settings as app_settings
from app.chat import actions
from app.models import secrets
from app.settings import AppSettings
from app.ui.settings_engine import apply_engine
from tests.app.fake_hub import memory_keyring  # noqa: F401  (fixture)
from tests.app.window_helpers import PATIENCE_MS, make_window, settle
from tests.runtime.test_remote_client import KEY, MODEL_ID, start_server, stop_server

QUESTION = "Write a long story about a lighthouse keeper and her cat."


@pytest.fixture(scope="module")
def server(starter_path, tmp_path_factory):
    process, url = start_server(starter_path, tmp_path_factory.mktemp("serve-data"), "--api-key", KEY,
                                "--context", "1024")  # /v1/models says it (max_model_len): answers ask 512 tokens
    yield url
    stop_server(process)


def on_server(url: str, model: str = MODEL_ID) -> AppSettings:
    return AppSettings(engine="server", server_url=url, server_model=model)


def window_on(qtbot, url: str):
    """The window with its engine pointed at the server at `url`, its model loaded."""
    window = make_window(qtbot)
    with qtbot.waitSignal(window.controller.bridge.sig_loaded, timeout=PATIENCE_MS):
        assert apply_engine(window.controller, on_server(url))
    assert window.controller.ready and window.controller.bridge.remote
    return window


@pytest.fixture
def window(qtbot, server, memory_keyring):
    secrets.save_remote_key(KEY)
    return window_on(qtbot, server)


def ask(qtbot, window, text: str):
    """Send `text` and wait for the end of its answer; (saved message, result)."""
    with qtbot.waitSignal(window.controller.sig_answer_finished, timeout=PATIENCE_MS) as finished:
        assert actions.send_message(window=window, text=text)
    return finished.args


def test_a_chat_with_the_server_streams_and_is_saved_found_and_exported(qtbot, window, server, tmp_path):
    host = server.split("//")[1].split("/")[0]
    assert MODEL_ID in window.status.model.text() and host in window.status.model.text()
    assert window.status.kernels.text() == ""  # a server's kernels are its own: the window names none
    assert window.controller.model_info["context_length"] == 1024  # the server's, from /v1/models
    assert window.controller.settings_for()["max_tokens"] == 512  # half of it: a whole context would be refused
    deltas = []
    window.controller.sig_answer_delta.connect(deltas.append)
    message, result = ask(qtbot, window, "What is the capital of France?")
    assert message.state == "complete" and message.content.strip() and result["finish_reason"] in ("stop", "length")
    assert "".join(deltas) == message.content and len(deltas) > 1  # streamed, not delivered whole
    store = window.controller.store
    assert store.message(message.id).content == message.content
    assert store.conversation(message.conversation_id).model == MODEL_ID
    assert window.chat.widgets[message.id].text == message.content
    assert "tokens/s" in window.status.speed.text()
    assert [hit.conversation_id for hit in store.search("capital France")] == [message.conversation_id]
    written = actions.export_conversation(window=window, path=tmp_path / "chat.md")
    exported = written.read_text(encoding="utf-8")
    assert "What is the capital of France?" in exported and message.content.strip()[:40] in exported


def test_stop_ends_the_server_s_answer(qtbot, window):
    with qtbot.waitSignal(window.controller.sig_answer_delta, timeout=PATIENCE_MS):
        actions.send_message(window=window, text=QUESTION)
    with qtbot.waitSignal(window.controller.sig_answer_finished, timeout=PATIENCE_MS) as finished:
        actions.stop_answer(window=window)
    message, result = finished.args
    assert result["finish_reason"] == "cancelled" and message.state == "stopped" and message.content
    assert window.controller.ready  # the next message can go at once
    assert ask(qtbot, window, "Say hello.")[0].state == "complete"


def test_a_server_killed_mid_answer_keeps_the_partial_text_and_says_why(qtbot, starter_path, tmp_path):
    process, url = start_server(starter_path, tmp_path)
    try:
        window = window_on(qtbot, url)
        shown = []
        window.controller.sig_answer_delta.connect(shown.append)
        with qtbot.waitSignal(window.controller.sig_answer_started, timeout=PATIENCE_MS):
            actions.send_message(window=window, text=QUESTION)
        qtbot.waitUntil(lambda: len("".join(shown)) >= 20, timeout=PATIENCE_MS)
        with qtbot.waitSignal(window.controller.sig_answer_finished, timeout=PATIENCE_MS) as finished:
            process.send_signal(signal.SIGKILL)
        message, result = finished.args
        assert result["finish_reason"] == "worker_died" and message.state == "stopped"
        assert message.content == "".join(shown) and len(message.content) >= 20
        assert window.controller.store.message(message.id).content == message.content
        assert window.chat.widgets[message.id].text == message.content
        assert window.banner.kind == "worker_died" and window.banner.isVisible()
        assert "lost in the middle of the answer" in window.banner.label.text()
        assert url.split("//")[1].split("/")[0] in window.banner.label.text()
        with qtbot.waitSignal(window.controller.sig_problem, timeout=PATIENCE_MS) as problem:
            actions.restart_worker(window=window)  # the server is gone: reconnecting says so
        assert problem.args[0] == "load" and "cannot reach the server" in window.banner.label.text()
    finally:
        stop_server(process)


# -- Settings › Engine -----------------------------------------------------------------------------------------
def test_saved_engine_settings_switch_the_running_window(qtbot, server, memory_keyring):
    from app.ui import window_menus

    secrets.save_remote_key(KEY)
    window = make_window(qtbot)
    with qtbot.waitSignal(window.controller.bridge.sig_loaded, timeout=PATIENCE_MS):
        window_menus.apply_app_settings(window, on_server(server))
    assert window.controller.bridge.remote and window.controller.model.name == MODEL_ID and window.controller.ready
    assert not apply_engine(window.controller, on_server(server))  # the same server and model: nothing reloads
    with qtbot.waitSignal(window.controller.sig_model_state, timeout=PATIENCE_MS) as state:
        window_menus.apply_app_settings(window, AppSettings())  # back to this computer
    assert not window.controller.bridge.remote
    assert state.args[0] == "missing"  # this test's data folder has no local model: the first-run panel


def engine_dialog(qtbot, url: str, key: str):
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    section = dialog.engine_section
    section.engine_combo.setCurrentIndex(section.engine_combo.findData("server"))
    section.url_field.setText(url)
    section.key_field.setText(key)
    return dialog, section


def test_the_settings_test_the_connection_list_the_models_and_keep_the_key(qtbot, server, memory_keyring):
    dialog, section = engine_dialog(qtbot, server, KEY)
    section.test_button.click()
    qtbot.waitUntil(lambda: section.test_button.isEnabled(), timeout=PATIENCE_MS)
    assert [section.model_combo.itemData(i) for i in range(section.model_combo.count())] == [MODEL_ID]
    assert "1 model" in section.message.text()
    dialog.accept()
    saved = app_settings.load()
    assert (saved.engine, saved.server_url, saved.server_model) == ("server", server, MODEL_ID)
    assert memory_keyring.passwords == {("Octet", "remote-server"): KEY}
    assert KEY not in app_settings.settings_path().read_text(encoding="utf-8")


def test_the_settings_say_when_the_key_is_wrong_or_the_address_is_not_one(qtbot, server, memory_keyring):
    dialog, section = engine_dialog(qtbot, server, "not-the-key")
    section.test_button.click()
    qtbot.waitUntil(lambda: section.test_button.isEnabled(), timeout=PATIENCE_MS)
    assert "refused the API key" in section.message.text() and section.model_combo.count() == 0
    section.url_field.setText("gpu-server:8000")
    dialog.accept()
    assert dialog.result() == 0 and not app_settings.settings_path().exists()  # nothing saved
    assert "/v1" in section.message.text()


def test_settings_keep_only_a_valid_engine_and_address():
    loaded = AppSettings.from_json({"engine": "cloud", "server_url": "gpu-server:8000", "server_model": 3})
    assert (loaded.engine, loaded.server_url, loaded.server_model) == ("local", "", "")
    kept = AppSettings.from_json({"engine": "server", "server_url": "https://gpu.example.org/v1"})
    assert (kept.engine, kept.server_url) == ("server", "https://gpu.example.org/v1")


def test_the_model_manager_says_where_the_models_live(qtbot, server):
    from app.ui.model_manager import ModelManagerDialog

    dialog = ModelManagerDialog(settings=on_server(server), catalog=[])
    qtbot.addWidget(dialog)
    dialog.show()
    assert settle(dialog.server_banner.isVisible)
    assert server.split("//")[1].split("/")[0] in dialog.server_banner.text()
    local = ModelManagerDialog(settings=AppSettings(), catalog=[])
    qtbot.addWidget(local)
    local.show()
    assert settle(local.isVisible) and not local.server_banner.isVisible()
