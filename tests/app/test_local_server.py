"""Settings › Local server with the real window (offscreen), its real worker and the starter model: the `openai`
client is answered while the status bar says the model is answering an API request, the user's own answer sent
meanwhile waits its turn (and the window says so) instead of being refused, and turning the setting off in the
Settings dialog closes the port."""
import socket
import threading
import openai
import pytest
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, Qt

from app.chat import actions
from app.chat.controller import ModelChoice
from app.main import create_window
from app.settings import AppSettings
from app.ui import window_menus
from app.ui.settings_dialog import SettingsDialog
from tests.app.window_helpers import PATIENCE_MS

FRANCE = [{"role": "user", "content": "What is the capital of France?"}]
LONG = {"type": "json_schema",  # an answer that cannot end before thousands of characters: it runs to max_tokens
        "json_schema": {"name": "long", "schema": {"type": "object", "required": ["story"],
                                                   "properties": {"story": {"type": "string", "minLength": 5000}}}}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_events_until(condition) -> None:
    """For the module's fixture (qtbot is per test): let Qt run until `condition()` holds."""
    deadline = QDeadlineTimer(PATIENCE_MS)
    while not condition():
        assert not deadline.hasExpired(), "the window never got there"
        QCoreApplication.processEvents()


@pytest.fixture(scope="module")
def served(qapp, starter_path, tmp_path_factory):
    """The window with the local server on (as app.main starts it), the starter model loaded and served."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OCTET_DATA_DIR", str(tmp_path_factory.mktemp("octet-data")))
        settings = AppSettings(language="en", local_server=True, local_server_port=free_port())
        window = create_window(load_model=False, settings=settings)
        window.resize(1100, 800)
        window.show()
        window.controller.load_model(ModelChoice(starter_path, "SmolLM2-135M-Instruct"))
        process_events_until(lambda: window.controller.bridge.api_address)
        yield window, settings
        window.close()


def test_an_api_request_is_answered_while_the_window_shows_it_and_the_users_answer_waits(served, qtbot):
    window, settings = served
    port = settings.local_server_port
    assert window.status.api.text() == f"API server on 127.0.0.1:{port}"
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0, timeout=120)
    answers = []

    def ask() -> None:
        answers.append(client.chat.completions.create(model="octet", messages=FRANCE, max_tokens=120,
                                                      response_format=LONG))

    asker = threading.Thread(target=ask)
    asker.start()
    qtbot.waitUntil(lambda: "Answering an API request" in window.status.api.text(), timeout=PATIENCE_MS)

    qtbot.keyClicks(window.composer.edit, FRANCE[0]["content"])
    actions.configure_conversation(window=window, settings={"temperature": 0, "max_tokens": 12})
    with qtbot.waitSignal(window.controller.sig_answer_finished, timeout=PATIENCE_MS) as finished:
        qtbot.keyClick(window.composer.edit, Qt.Key_Return)  # Send is not refused: the answer waits its turn
        qtbot.waitUntil(lambda: "waits its turn" in window.status.api.text(), timeout=PATIENCE_MS)
    asker.join(timeout=PATIENCE_MS / 1000)
    assert answers and answers[0].choices[0].finish_reason == "length"
    assert answers[0].choices[0].message.content.startswith('{"story":"')
    saved = finished.args[0]
    assert saved.state == "complete" and "Paris" in saved.content
    qtbot.waitUntil(lambda: window.status.api.text() == f"API server on 127.0.0.1:{port}", timeout=PATIENCE_MS)
    assert window.banner.isHidden()


def test_the_local_network_needs_a_key_before_settings_are_saved(served, qtbot):
    window, settings = served
    dialog = SettingsDialog(settings, window)
    qtbot.addWidget(dialog)
    section = dialog.local_server_section
    section.host_combo.setCurrentIndex(section.host_combo.findData("0.0.0.0"))
    assert not section.commit() and "API key" in section.message.text()
    assert section.address_field.text().endswith(f":{settings.local_server_port}/v1")
    assert not section.address_field.text().startswith("http://127.0.0.1")


def test_turning_the_setting_off_stops_the_server(served, qtbot):
    window, settings = served
    port = settings.local_server_port
    dialog = SettingsDialog(settings, window)
    qtbot.addWidget(dialog)
    saved = []
    dialog.sig_settings_changed.connect(saved.append)
    assert dialog.local_server_section.enabled_check.isChecked()
    dialog.local_server_section.enabled_check.setChecked(False)
    dialog.accept()
    assert saved and not saved[0].local_server and saved[0].local_server_port == port
    window_menus.apply_app_settings(window, saved[0])  # what the dialog's signal runs (window_menus.open_settings)
    qtbot.waitUntil(lambda: window.status.api.text() == "" and not window.controller.bridge.api_address,
                    timeout=PATIENCE_MS)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
