"""The model is asked to answer in the user's language (or a fixed one chosen per conversation), and
the window shows the language it detected from the first message."""
from app.chat.controller import request_messages
from app.chat.prompts import FOLLOW_USER_LANGUAGE
from app.history.store import HistoryStore
from app.ui.conversation_settings import ConversationSettingsDialog


def test_model_reads_the_answer_language_line(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        conversation = store.create_conversation(system_prompt="Sois bref.")
        store.add_message(conversation.id, role="user", content="Quelle est la capitale de l'Italie ?")
        path = store.shown_path(conversation.id)
        messages = request_messages(conversation, path)
        assert messages[0]["role"] == "system"
        assert messages[0]["content"].startswith("Sois bref.") and FOLLOW_USER_LANGUAGE in messages[0]["content"]
        fixed = store.configure(conversation.id, settings={"answer_language": "de"})
        assert "Always answer in German" in request_messages(fixed, path)[0]["content"]


def test_settings_dialog_keeps_the_answer_language(qtbot):
    dialog = ConversationSettingsDialog(system_prompt="", settings={"answer_language": "it"},
                                        defaults={"temperature": 0.7}, parent=None)
    qtbot.addWidget(dialog)
    assert dialog.settings()["answer_language"] == "it"
    dialog.answer_language.setCurrentIndex(0)
    assert dialog.settings()["answer_language"] == ""


def test_window_header_shows_the_detected_language(qtbot, data_dir):
    from app.chat import actions
    from app.main import create_window

    with HistoryStore() as store:
        conversation = store.create_conversation(title="Wetter")
        store.add_message(conversation.id, role="user", content="Wie wird das Wetter morgen in Berlin sein?")
    window = create_window(load_model=False)
    qtbot.addWidget(window)
    actions.open_conversation(window=window, conversation_id=conversation.id)
    assert window.language_label.text() == "Deutsch"


def test_starter_model_answers_english_in_english_with_the_default_prompt(starter_path):
    """The answer-language line must not push a small model into another language."""
    import subprocess
    import sys

    from app.chat.prompts import system_prompt

    answer = subprocess.run(
        [sys.executable, "-m", "runtime", "chat", str(starter_path), "--system", system_prompt(""), "--prompt",
         "What is the capital of France? Answer in one sentence.", "--temperature", "0", "--max-tokens", "20"],
        capture_output=True, text=True, timeout=300, check=True).stdout
    assert "The capital of France is Paris" in answer
