"""The first-run panel: its two requests arrive as signals, and it shows the starter install's progress and errors."""
import pytest

pytest.importorskip("pytestqt")

from app.ui.first_run import FirstRunPanel  # noqa: E402


@pytest.fixture
def panel(qtbot):
    widget = FirstRunPanel()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_buttons_send_their_requests(qtbot, panel):
    assert panel.install_button.text() == "Install the starter model (98 MB)"
    with qtbot.waitSignal(panel.sig_install_starter_requested):
        panel.install_button.click()
    with qtbot.waitSignal(panel.sig_open_model_manager_requested):
        panel.manager_button.click()


def test_busy_then_error_then_idle(qtbot, panel):
    assert not panel.progress.isVisible() and not panel.error_label.isVisible()
    panel.set_busy("Installing the starter model…")
    assert panel.progress.isVisible() and panel.status_label.text() == "Installing the starter model…"
    assert not panel.install_button.isEnabled() and panel.manager_button.isEnabled()
    with qtbot.assertNotEmitted(panel.sig_install_starter_requested):
        panel.install_button.click()

    panel.set_error("The starter model could not be installed: no network")
    assert panel.error_label.isVisible() and "no network" in panel.error_label.text()
    assert not panel.progress.isVisible() and panel.install_button.isEnabled()
    panel.set_idle()
    assert not panel.error_label.isVisible() and not panel.status_label.isVisible()


def test_the_main_windows_recipe_installs_the_starter_off_the_gui_thread(qtbot, panel, data_dir):
    """What the main window does on the panel's request: a BackgroundTask around install_starter_model()."""
    from app.models.catalog import get_installed
    from app.models.downloads import install_starter_model
    from app.ui.model_tasks import BackgroundTask

    task = BackgroundTask(install_starter_model)
    task.sig_failed.connect(panel.set_error)
    task.sig_succeeded.connect(panel.set_idle)
    panel.sig_install_starter_requested.connect(lambda: (panel.set_busy("Installing…"), task.start()))
    with qtbot.waitSignal(task.sig_done, timeout=60_000):
        panel.install_button.click()
        assert panel.progress.isVisible() and not panel.install_button.isEnabled()
    assert task.wait()
    qtbot.waitUntil(lambda: panel.install_button.isEnabled())
    assert get_installed("starter") is not None and not panel.error_label.isVisible()


def test_the_packaged_app_offers_what_it_can_do(qtbot, monkeypatch):
    """The packaged app cannot fetch the starter (a Python package): its main action imports a GGUF file."""
    from app.models import runtime_command

    monkeypatch.setattr(runtime_command, "is_frozen", lambda: True)
    packaged = FirstRunPanel()
    qtbot.addWidget(packaged)
    packaged.show()
    assert packaged.packaged and packaged.install_button is None
    assert packaged.main_button is packaged.import_button and packaged.main_button.text() == "Import a GGUF file…"
    assert packaged.main_button.objectName() == "Primary" and packaged.manager_button.text() == "Open the model manager"
    texts = " ".join(label.text() for label in packaged.findChildren(type(packaged.status_label)))
    assert "starter" not in texts and "import a GGUF model file" in texts
    with qtbot.waitSignal(packaged.sig_import_file_requested):
        packaged.main_button.click()
    packaged.set_busy("Checking mine.gguf…")
    assert not packaged.main_button.isEnabled() and packaged.manager_button.isEnabled()

    monkeypatch.setattr(runtime_command, "is_frozen", lambda: False)
    source = FirstRunPanel()
    qtbot.addWidget(source)
    assert not source.packaged and source.main_button is source.install_button and source.import_button is None
