<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>CatalogRow</name>
    <message>
        <source>Recommended</source>
        <translation>Empfohlen</translation>
    </message>
    <message>
        <source>Needs a Hugging Face token</source>
        <translation>Hugging-Face-Token erforderlich</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Installieren</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>%1 download · %2 · %3 · needs about %4 of memory</source>
        <translation>Download: %1 · %2 · %3 · benötigt etwa %4 Arbeitsspeicher</translation>
    </message>
    <message>
        <source>Hugging Face token (hf_…)</source>
        <translation>Hugging-Face-Token (hf_…)</translation>
    </message>
    <message>
        <source>Save token and retry</source>
        <translation>Speichern und wiederholen</translation>
    </message>
    <message>
        <source>Paused at %1 of %2</source>
        <translation>Pausiert bei %1 von %2</translation>
    </message>
    <message>
        <source>Starting the download…</source>
        <translation>Download wird gestartet …</translation>
    </message>
    <message>
        <source>Installing the starter model…</source>
        <translation>Startmodell wird installiert …</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>The starter model could not be installed</source>
        <translation>Das Startmodell konnte nicht installiert werden</translation>
    </message>
    <message>
        <source>Enter your Hugging Face token</source>
        <translation>Geben Sie Ihr Hugging-Face-Token ein</translation>
    </message>
    <message>
        <source>Paste the token from your Hugging Face account settings.</source>
        <translation>Fügen Sie das Token aus den Einstellungen Ihres Hugging-Face-Kontos ein.</translation>
    </message>
    <message>
        <source>The token could not be saved</source>
        <translation>Das Token konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Not enough disk space</source>
        <translation>Nicht genug Speicherplatz auf der Festplatte</translation>
    </message>
    <message>
        <source>The download was damaged</source>
        <translation>Die heruntergeladene Datei ist beschädigt</translation>
    </message>
    <message>
        <source>Hugging Face did not give access to this model</source>
        <translation>Hugging Face hat keinen Zugriff auf dieses Modell gewährt</translation>
    </message>
    <message>
        <source>Offline mode is on</source>
        <translation>Der Offlinemodus ist aktiviert</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Verbindungsproblem</translation>
    </message>
    <message>
        <source>The download failed</source>
        <translation>Download fehlgeschlagen</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>{path} is not there any more; pick another model.</source>
        <translation>{path} ist nicht mehr vorhanden. Wählen Sie ein anderes Modell.</translation>
    </message>
</context>
<context>
    <name>ChatStateSection</name>
    <message>
        <source> MB</source>
        <translation>&#xa0;MB</translation>
    </message>
    <message>
        <source>Off: nothing saved</source>
        <translation>Aus: nichts wird gespeichert</translation>
    </message>
    <message>
        <source>Disk space for the computed state of recent conversations, so that reopening one does not read it again; the least recently used goes first</source>
        <translation>Speicherplatz auf der Festplatte für den berechneten Zustand der letzten Chats, damit ein erneut geöffneter Chat nicht noch einmal eingelesen werden muss; der am längsten nicht verwendete wird zuerst gelöscht</translation>
    </message>
    <message>
        <source>Clear saved chat state</source>
        <translation>Chat-Zustände löschen</translation>
    </message>
    <message>
        <source>Saved chat state</source>
        <translation>Gespeicherte Chat-Zustände</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Ask anything. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Fragen Sie, was Sie möchten. Eingabe: senden, Umschalt+Eingabe: neue Zeile.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter for a new line)</source>
        <translation>Nachricht an das Modell …  (Eingabe: senden, Umschalt+Eingabe: neue Zeile)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>An answer is being written in another chat: you can send when it ends.</source>
        <translation>In einem anderen Chat wird gerade eine Antwort geschrieben: Sie können senden, sobald sie fertig ist.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>This text is about {tokens} tokens, more than the {context} the model can read at once. Nothing was cut: shorten it or split it into several messages.</source>
        <translation>Dieser Text umfasst etwa {tokens} Tokens – mehr als die {context} Tokens, die das Modell auf einmal lesen kann. Es wurde nichts abgeschnitten: Kürzen Sie den Text oder verteilen Sie ihn auf mehrere Nachrichten.</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>Chat-Einstellungen</translation>
    </message>
    <message>
        <source>You are a helpful assistant. (optional)</source>
        <translation>Du bist ein hilfsbereiter Assistent. (optional)</translation>
    </message>
    <message>
        <source>random</source>
        <translation>zufällig</translation>
    </message>
    <message>
        <source>The language of your message</source>
        <translation>Sprache Ihrer Nachricht</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Systemprompt</translation>
    </message>
    <message>
        <source>Answer in</source>
        <translation>Antwortsprache</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Max tokens per answer</source>
        <translation>Max. Tokens pro Antwort</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Model defaults</source>
        <translation>Standardwerte</translation>
    </message>
</context>
<context>
    <name>EngineSection</name>
    <message>
        <source>This computer</source>
        <translation>Auf diesem Computer</translation>
    </message>
    <message>
        <source>A server (OpenAI-compatible, e.g. vLLM)</source>
        <translation>Auf einem Server (OpenAI-kompatibel, z. B. vLLM)</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Ausführung</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Im Schlüsselbund des Systems gespeichert</translation>
    </message>
    <message>
        <source>The server&apos;s API key, if it needs one</source>
        <translation>API-Schlüssel des Servers, falls erforderlich</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Server model</source>
        <translation>Modell auf dem Server</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Enter the server&apos;s base URL: http:// or https://, its host, and a path ending in /v1, e.g. http://gpu-server:8000/v1</source>
        <translation>Geben Sie die Basis-URL des Servers ein: http:// oder https://, den Hostnamen und einen Pfad, der auf /v1 endet, z. B. http://gpu-server:8000/v1</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>Verbindung mit {server} wird hergestellt …</translation>
    </message>
    <message numerus="yes">
        <source>Connected: the server has %n model(s).</source>
        <translation>
            <numerusform>Verbunden: Auf dem Server ist %n Modell verfügbar.</numerusform>
            <numerusform>Verbunden: Auf dem Server sind %n Modelle verfügbar.</numerusform>
        </translation>
    </message>
    <message>
        <source>{model} (not on this server)</source>
        <translation>{model} (nicht auf diesem Server)</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Installing the starter model…</source>
        <translation>Startmodell wird installiert …</translation>
    </message>
    <message>
        <source>The starter model could not be installed: {error}</source>
        <translation>Das Startmodell konnte nicht installiert werden: {error}</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>GGUF-Datei importieren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message>
        <source>This file could not be imported: {error}</source>
        <translation>Diese Datei konnte nicht importiert werden: {error}</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>{name} wird geprüft …</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to Octet</source>
        <translation>Willkommen bei Octet</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, import a GGUF model file you already have, or download a model such as Mixtral in the model manager.</source>
        <translation>Octet führt Sprachmodelle auf diesem Computer aus; nichts, was Sie eingeben, verlässt ihn.
Importieren Sie zum Einstieg eine vorhandene GGUF-Modelldatei oder laden Sie in der Modellverwaltung ein Modell wie Mixtral herunter.</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, install the small starter model, or pick a larger model such as Mixtral in the model manager.</source>
        <translation>Octet führt Sprachmodelle auf diesem Computer aus; nichts, was Sie eingeben, verlässt ihn.
Installieren Sie zum Einstieg das kleine Startmodell oder wählen Sie in der Modellverwaltung ein größeres Modell wie Mixtral.</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>GGUF-Datei importieren …</translation>
    </message>
    <message>
        <source>Install the starter model (%1)</source>
        <translation>Startmodell installieren (%1)</translation>
    </message>
    <message>
        <source>Open the model manager</source>
        <translation>Modellverwaltung öffnen</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <source>Octet {version}</source>
        <translation>Octet, Version {version}</translation>
    </message>
    <message>
        <source>Mixtral 8x7B and other models on your own computer, offline.</source>
        <translation>Mixtral 8x7B und andere Modelle auf Ihrem eigenen Computer, offline.</translation>
    </message>
    <message>
        <source>Licence: {licence}</source>
        <translation>Lizenz: {licence}</translation>
    </message>
    <message>
        <source>Your data (conversations, models, settings): {path}</source>
        <translation>Ihre Daten (Chats, Modelle, Einstellungen): {path}</translation>
    </message>
    <message>
        <source>Crash log (written only after a crash): {path}</source>
        <translation>Absturzprotokoll (wird nur nach einem Absturz geschrieben): {path}</translation>
    </message>
    <message>
        <source>About Octet</source>
        <translation>Über Octet</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Shift+Enter</source>
        <translation>Umschalt+Eingabe</translation>
    </message>
    <message>
        <source>Start a new line</source>
        <translation>Neue Zeile beginnen</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc-Taste</translation>
    </message>
    <message>
        <source>Stop the answer being written</source>
        <translation>Laufende Antwort anhalten</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Search the conversations</source>
        <translation>Chats durchsuchen</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>Letzte Antwort neu generieren</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>Letzte Antwort kopieren</translation>
    </message>
    <message>
        <source>Export the conversation to Markdown</source>
        <translation>Chat als Markdown exportieren</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkombinationen</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Funktion</translation>
    </message>
</context>
<context>
    <name>ImportDialogs</name>
    <message>
        <source>Untitled</source>
        <translation>Ohne Titel</translation>
    </message>
    <message>
        <source>This file was imported already: “{title}” is in your history, unchanged.</source>
        <translation>Diese Datei wurde bereits importiert: „{title}“ ist unverändert in Ihrem Verlauf.</translation>
    </message>
    <message>
        <source>“{title}” is in your history already (the same conversation; the file may hold another version of it).</source>
        <translation>„{title}“ ist bereits in Ihrem Verlauf (derselbe Chat; die Datei enthält möglicherweise eine andere Fassung davon).</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Chat importieren</translation>
    </message>
    <message>
        <source>Replace it with the file&apos;s version, keep both, or cancel?</source>
        <translation>Durch die Fassung aus der Datei ersetzen, beide behalten oder abbrechen?</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Beide behalten</translation>
    </message>
</context>
<context>
    <name>InstalledRow</name>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>Linked</source>
        <translation>Verknüpft</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Verwenden</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>Wird verwendet</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Als Standard festlegen</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Linked from %1</source>
        <translation>Speicherort: %1</translation>
    </message>
    <message>
        <source>unknown quantization</source>
        <translation>unbekannte Quantisierung</translation>
    </message>
    <message>
        <source>%1 on disk · %2 · needs about %3 of memory</source>
        <translation>%1 auf der Festplatte · %2 · benötigt etwa %3 Arbeitsspeicher</translation>
    </message>
    <message>
        <source>The model is missing from %1. Import it again, or forget it.</source>
        <translation>Das Modell wurde unter %1 nicht gefunden. Importieren Sie es erneut oder entfernen Sie es.</translation>
    </message>
</context>
<context>
    <name>LiveRegion</name>
    <message>
        <source>Answer finished.</source>
        <translation>Antwort fertig.</translation>
    </message>
    <message>
        <source>Answer stopped.</source>
        <translation>Antwort angehalten.</translation>
    </message>
    <message>
        <source>The answer failed.</source>
        <translation>Die Antwort konnte nicht erstellt werden.</translation>
    </message>
    <message>
        <source>In the chat “{title}”.</source>
        <translation>Im Chat „{title}“.</translation>
    </message>
    <message>
        <source>Announcements</source>
        <translation>Ansagen</translation>
    </message>
</context>
<context>
    <name>LocalServerSection</name>
    <message>
        <source>Serve the loaded model to other programs (OpenAI-compatible API)</source>
        <translation>Geladenes Modell für andere Programme bereitstellen (OpenAI-kompatible API)</translation>
    </message>
    <message>
        <source>This computer only</source>
        <translation>Nur dieser Computer</translation>
    </message>
    <message>
        <source>The local network (needs an API key)</source>
        <translation>Das lokale Netzwerk (API-Schlüssel erforderlich)</translation>
    </message>
    <message>
        <source>Who may connect</source>
        <translation>Wer darf zugreifen</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Portnummer</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>Beispiel</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Im Schlüsselbund des Systems gespeichert</translation>
    </message>
    <message>
        <source>Needed for the local network</source>
        <translation>Für das lokale Netzwerk erforderlich</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>Neuer Schlüssel</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>The local network needs an API key: press “New key” (or type one), or serve to this computer only.</source>
        <translation>Für das lokale Netzwerk ist ein API-Schlüssel erforderlich: Klicken Sie auf „Neuer Schlüssel“ (oder geben Sie selbst einen ein) oder stellen Sie das Modell nur für diesen Computer bereit.</translation>
    </message>
    <message>
        <source>your key, or any text</source>
        <translation>Ihr Schlüssel oder beliebiger Text</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Octet</source>
        <translation>Octet</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>The language of this conversation, detected from your first message</source>
        <translation>Die Sprache dieses Chats, anhand Ihrer ersten Nachricht erkannt</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Chat-Einstellungen</translation>
    </message>
    <message>
        <source>System prompt and sampling for this conversation</source>
        <translation>Systemprompt und Sampling für diesen Chat</translation>
    </message>
    <message>
        <source>Conversation deleted.</source>
        <translation>Chat gelöscht.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>No model is installed yet.</source>
        <translation>Es ist noch kein Modell installiert.</translation>
    </message>
    <message>
        <source>The model is loading…</source>
        <translation>Das Modell wird geladen …</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Es ist kein Modell geladen.</translation>
    </message>
    <message>
        <source>The model process stopped.</source>
        <translation>Der Modellprozess wurde beendet.</translation>
    </message>
    <message>
        <source>{name} · {quantization} · loaded in {seconds} s</source>
        <translation>{name} · {quantization} · in {seconds} s geladen</translation>
    </message>
    <message>
        <source>Loading the model: {phrase}</source>
        <translation>Modell wird geladen: {phrase}</translation>
    </message>
    <message>
        <source>The model process stopped: {message}. Your conversation and the partial answer are kept; restart the model to go on.</source>
        <translation>Der Modellprozess läuft nicht mehr: {message}. Ihr Chat und die begonnene Antwort bleiben erhalten; starten Sie das Modell neu, um weiterzumachen.</translation>
    </message>
    <message>
        <source>This conversation does not fit in the model&apos;s context window: {message}. Shorten your message, or start a new chat.</source>
        <translation>Dieser Chat passt nicht in das Kontextfenster des Modells: {message}. Kürzen Sie Ihre Nachricht oder beginnen Sie einen neuen Chat.</translation>
    </message>
    <message>
        <source>The model could not be loaded: {message}</source>
        <translation>Das Modell konnte nicht geladen werden: {message}</translation>
    </message>
    <message>
        <source>This model was not loaded: {message}</source>
        <translation>Dieses Modell wurde nicht geladen: {message}</translation>
    </message>
    <message>
        <source>The answer failed: {message}</source>
        <translation>Die Antwort konnte nicht erstellt werden: {message}</translation>
    </message>
    <message>
        <source>This file could not be imported: {message}</source>
        <translation>Diese Datei konnte nicht importiert werden: {message}</translation>
    </message>
    <message>
        <source>Imported; these values were left out: {message}</source>
        <translation>Importiert; diese Werte wurden weggelassen: {message}</translation>
    </message>
    <message>
        <source>The export could not be written (the file as it was is kept): {message}</source>
        <translation>Der Export konnte nicht geschrieben werden (die bisherige Datei bleibt unverändert): {message}</translation>
    </message>
    <message>
        <source>The disk is full: Octet stopped and kept everything it could save. Free some space on it, then send again. ({message})</source>
        <translation>Die Festplatte ist voll: Octet hat angehalten und alles gesichert, was sich speichern ließ. Geben Sie dort Speicherplatz frei und senden Sie dann erneut. ({message})</translation>
    </message>
    <message>
        <source>The history could not be written: {message}</source>
        <translation>Der Verlauf konnte nicht gespeichert werden: {message}</translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) were left out so the conversation fits the context window.</source>
        <translation>
            <numerusform>%n ältere Nachricht wurde weggelassen, damit der Chat in das Kontextfenster passt.</numerusform>
            <numerusform>Die %n ältesten Nachrichten wurden weggelassen, damit der Chat in das Kontextfenster passt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Restart the model</source>
        <translation>Modell neu starten</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelle …</translation>
    </message>
    <message>
        <source>Export to Markdown</source>
        <translation>Als Markdown exportieren</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Vorherige Version</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Nächste Version</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>Diese Nachricht kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Edit and send again (a new branch)</source>
        <translation>Bearbeiten und erneut senden (neuer Zweig)</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu generieren</translation>
    </message>
    <message>
        <source>Ask for another answer (a new branch)</source>
        <translation>Eine andere Antwort anfordern (neuer Zweig)</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Alles anzeigen</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2 characters.</source>
        <translation>Die ersten %1 von %2 Zeichen werden angezeigt.</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>You stopped this answer before its end.</source>
        <translation>Sie haben diese Antwort vorzeitig angehalten.</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>The model process stopped while writing this answer.</source>
        <translation>Der Modellprozess wurde beendet, während er diese Antwort schrieb.</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>schreibt …</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Offline mode is on: Octet will not connect to Hugging Face. Models already in your Hugging Face cache can still be added. Turn it off in Settings to download.</source>
        <translation>Der Offlinemodus ist aktiviert: Octet verbindet sich nicht mit Hugging Face. Modelle, die bereits in Ihrem Hugging-Face-Cache liegen, können trotzdem hinzugefügt werden. Deaktivieren Sie ihn in den Einstellungen, um Modelle herunterzuladen.</translation>
    </message>
    <message>
        <source>Chats use the models of the server {server} (Settings › Engine): they live on that server. The models below are on this computer, used when the engine is this computer.</source>
        <translation>Chats verwenden die Modelle des Servers {server} (Einstellungen › Ausführung); diese liegen auf dem Server. Die folgenden Modelle liegen auf diesem Computer und werden verwendet, wenn unter „Ausführung“ „Auf diesem Computer“ gewählt ist.</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Auf diesem Computer</translation>
    </message>
    <message>
        <source>Import GGUF file…</source>
        <translation>GGUF-Datei importieren …</translation>
    </message>
    <message>
        <source>Import model folder…</source>
        <translation>Modellordner importieren …</translation>
    </message>
    <message>
        <source>No models yet. Install the starter model or download one below, or import a GGUF file or Hugging Face folder you already have.</source>
        <translation>Noch keine Modelle. Installieren Sie das Startmodell oder laden Sie unten eines herunter, oder importieren Sie eine vorhandene GGUF-Datei oder einen vorhandenen Hugging-Face-Ordner.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Zum Herunterladen</translation>
    </message>
    <message>
        <source>This computer has %1 of memory available (%2 in all).</source>
        <translation>Dieser Computer hat %1 Arbeitsspeicher frei (%2 insgesamt).</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft …</translation>
    </message>
    <message>
        <source>Forget model</source>
        <translation>Modell entfernen</translation>
    </message>
    <message>
        <source>Forget “%1”?</source>
        <translation>„%1“ aus der Liste entfernen?</translation>
    </message>
    <message>
        <source>Octet will stop listing it. The file is not deleted; it stays where it is:
%1</source>
        <translation>Octet zeigt es nicht mehr an. Die Datei wird nicht gelöscht und bleibt, wo sie ist:
%1</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Modell löschen</translation>
    </message>
    <message>
        <source>Delete “%1”?</source>
        <translation>„%1“ löschen?</translation>
    </message>
    <message>
        <source>This removes it from the disk and frees %1. You can download it again later.</source>
        <translation>Das Modell wird von der Festplatte gelöscht; dadurch werden %1 frei. Sie können es später erneut herunterladen.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>GGUF-Datei importieren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF-Modelle (*.gguf)</translation>
    </message>
    <message>
        <source>Import a Hugging Face model folder</source>
        <translation>Hugging-Face-Modellordner importieren</translation>
    </message>
    <message>
        <source>Added %1. Its file stays where it is.</source>
        <translation>%1 wurde hinzugefügt. Die Datei bleibt, wo sie ist.</translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation>Nicht importiert: %1</translation>
    </message>
</context>
<context>
    <name>ModelRows</name>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Try %3 instead, or close other programs.</source>
        <translation>Zu groß für diesen Computer: Das Modell benötigt etwa %1 Arbeitsspeicher, verfügbar sind %2. Versuchen Sie stattdessen %3 oder schließen Sie andere Programme.</translation>
    </message>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Close other programs and try again.</source>
        <translation>Zu groß für diesen Computer: Das Modell benötigt etwa %1 Arbeitsspeicher, verfügbar sind %2. Schließen Sie andere Programme und versuchen Sie es erneut.</translation>
    </message>
</context>
<context>
    <name>RuntimeMessages</name>
    <message>
        <source>reading the file</source>
        <translation>Datei wird gelesen</translation>
    </message>
    <message>
        <source>reading the folder</source>
        <translation>Ordner wird gelesen</translation>
    </message>
    <message>
        <source>reading the weights</source>
        <translation>Gewichte werden gelesen</translation>
    </message>
    <message>
        <source>an answer is already being written; stop it or wait for it to end</source>
        <translation>Es wird bereits eine Antwort geschrieben; halten Sie sie an oder warten Sie, bis sie fertig ist</translation>
    </message>
    <message>
        <source>no model is loaded; load one first</source>
        <translation>Es ist kein Modell geladen; laden Sie zuerst eines</translation>
    </message>
    <message>
        <source>the model reads at most {context} tokens at once</source>
        <translation>Das Modell kann höchstens {context} Tokens auf einmal lesen</translation>
    </message>
    <message>
        <source>the model ran out of memory; close other programs or pick a smaller model</source>
        <translation>Dem Modell ging der Arbeitsspeicher aus; schließen Sie andere Programme oder wählen Sie ein kleineres Modell</translation>
    </message>
    <message>
        <source>it needs about {needed} GB of memory, but only {available} GB is available; close other programs, or pick a smaller model, a shorter context or the compact KV cache in Settings</source>
        <translation>Es benötigt etwa {needed} GB Arbeitsspeicher, verfügbar sind aber nur {available} GB; schließen Sie andere Programme oder wählen Sie in den Einstellungen ein kleineres Modell, eine kürzere Kontextlänge oder den kompakten KV-Cache</translation>
    </message>
    <message>
        <source>the model hit an unexpected error ({detail})</source>
        <translation>Im Modell ist ein unerwarteter Fehler aufgetreten ({detail})</translation>
    </message>
    <message>
        <source>it is no longer running</source>
        <translation>Er ist nicht mehr aktiv</translation>
    </message>
    <message>
        <source>the system killed it, most often because the computer ran out of memory (try a smaller model or close other programs)</source>
        <translation>Das System hat ihn zwangsweise beendet, meist weil der Arbeitsspeicher des Computers nicht reichte (wählen Sie ein kleineres Modell oder schließen Sie andere Programme)</translation>
    </message>
    <message>
        <source>the system stopped it (signal {signal})</source>
        <translation>Das System hat ihn beendet (Signal {signal})</translation>
    </message>
    <message>
        <source>it quit unexpectedly (exit code {code})</source>
        <translation>Er wurde unerwartet beendet (Exit-Code {code})</translation>
    </message>
    <message>
        <source>port {port} is already used by another program; pick another port in Settings › Local server</source>
        <translation>Port {port} wird bereits von einem anderen Programm verwendet; wählen Sie unter Einstellungen › Lokaler Server einen anderen Port</translation>
    </message>
    <message>
        <source>serving on the local network needs an API key; set one in Settings › Local server, or serve to this computer only</source>
        <translation>Für die Bereitstellung im lokalen Netzwerk ist ein API-Schlüssel erforderlich; legen Sie unter Einstellungen › Lokaler Server einen fest oder stellen Sie das Modell nur für diesen Computer bereit</translation>
    </message>
    <message>
        <source>the API server could not start ({detail})</source>
        <translation>Der API-Server konnte nicht gestartet werden ({detail})</translation>
    </message>
    <message>
        <source>cannot reach the server {server} ({detail}); check its address in Settings and that it is running</source>
        <translation>Der Server {server} ist nicht erreichbar ({detail}); prüfen Sie seine Adresse in den Einstellungen und ob er läuft</translation>
    </message>
    <message>
        <source>the server {server} refused the API key ({detail}); check the key in Settings › Engine</source>
        <translation>Der Server {server} hat den API-Schlüssel abgelehnt ({detail}); prüfen Sie den Schlüssel unter Einstellungen › Ausführung</translation>
    </message>
    <message>
        <source>the server {server} has no model named “{model}”; pick one of its models in Settings › Engine</source>
        <translation>Der Server {server} hat kein Modell namens „{model}“; wählen Sie unter Einstellungen › Ausführung eines seiner Modelle</translation>
    </message>
    <message>
        <source>{server} does not answer like an OpenAI-compatible server; check that the address is its base URL, ending in /v1</source>
        <translation>{server} antwortet nicht wie ein OpenAI-kompatibler Server; prüfen Sie, ob die Adresse seine Basis-URL ist und auf /v1 endet</translation>
    </message>
    <message>
        <source>the server says: {detail}</source>
        <translation>Der Server meldet: {detail}</translation>
    </message>
    <message>
        <source>the server {server} refused the request (HTTP {status}): {detail}</source>
        <translation>Der Server {server} hat die Anfrage abgelehnt (HTTP {status}): {detail}</translation>
    </message>
    <message>
        <source>the connection to the server {server} was lost in the middle of the answer ({detail})</source>
        <translation>Die Verbindung zum Server {server} ist mitten in der Antwort abgerissen ({detail})</translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Your answer waits its turn: the model is answering an API request…</source>
        <translation>Ihre Antwort muss warten: Das Modell beantwortet gerade eine API-Anfrage …</translation>
    </message>
    <message>
        <source>API server on the local network, port {port}</source>
        <translation>API-Server im lokalen Netzwerk, Port {port}</translation>
    </message>
    <message>
        <source>API server on {address}</source>
        <translation>API-Server unter {address}</translation>
    </message>
    <message>
        <source>{server} · Answering an API request…</source>
        <translation>{server} · Beantwortet eine API-Anfrage …</translation>
    </message>
    <message>
        <source>The API server did not start: {reason}</source>
        <translation>Der API-Server wurde nicht gestartet: {reason}</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen …</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Ausführung</translation>
    </message>
    <message>
        <source>Local server</source>
        <translation>Lokaler Server</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Systemeinstellung</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>Schriftgröße</translation>
    </message>
    <message>
        <source>System (follow the computer)</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Anwendung</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keines</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Standardmodell</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> Tokens</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>Standard (16-bit)</source>
        <translation>Standard (16 Bit)</translation>
    </message>
    <message>
        <source>Compact (8-bit, halves the cache)</source>
        <translation>Kompakt (8 Bit, halbiert den Cache)</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV-Cache</translation>
    </message>
    <message>
        <source>Automatic (%1 cores)</source>
        <translation>Automatisch (%1 Kerne)</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>Offline mode: never connect to the internet</source>
        <translation>Offlinemodus: nie mit dem Internet verbinden</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Im Schlüsselbund des Systems gespeichert</translation>
    </message>
    <message>
        <source>Only needed for gated models (hf_…)</source>
        <translation>Nur für zugangsbeschränkte Modelle (hf_…)</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Hugging-Face-Token</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>KV-Cache: %1</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Search conversations</source>
        <translation>Chats durchsuchen</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>Angeheftet</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <source>No conversation matches.</source>
        <translation>Kein Chat gefunden.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Nicht mehr anheften</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>Oben anheften</translation>
    </message>
    <message>
        <source>Export to Markdown…</source>
        <translation>Als Markdown exportieren …</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>{name} · on the server {server}</source>
        <translation>{name} · auf dem Server {server}</translation>
    </message>
    <message>
        <source>Model memory {size}</source>
        <translation>Modellspeicher: {size}</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} Tokens/s</translation>
    </message>
    <message>
        <source>Resumed from saved state: {count} tokens not read again</source>
        <translation>Aus gespeichertem Zustand fortgesetzt: {count} Tokens nicht erneut gelesen</translation>
    </message>
    <message>
        <source>Context {used} / {window}</source>
        <translation>Kontext {used} / {window}</translation>
    </message>
    <message>
        <source>AVX-512 kernels</source>
        <translation>AVX-512-Kernel</translation>
    </message>
    <message>
        <source>AVX2 kernels</source>
        <translation>AVX2-Kernel</translation>
    </message>
    <message>
        <source>NEON kernels</source>
        <translation>NEON-Kernel</translation>
    </message>
    <message>
        <source>Portable kernels</source>
        <translation>Portable Kernel</translation>
    </message>
    <message>
        <source>torch kernels (slower: see README)</source>
        <translation>torch-Kernel (langsamer: siehe README)</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <source>%1 TB</source>
        <translation>%1 TB</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1 Byte</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>noch weniger als eine Minute</translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>noch etwa %n Min.</numerusform>
            <numerusform>noch etwa %n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>about %1 h %2 min left</source>
        <translation>noch etwa %1 Std. %2 Min.</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message numerus="yes">
        <source>%n conversation(s) exported.</source>
        <translation>
            <numerusform>%n Chat exportiert.</numerusform>
            <numerusform>%n Chats exportiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Neuer Chat</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>Chat e&amp;xportieren …</translation>
    </message>
    <message>
        <source>Export &amp;all conversations…</source>
        <translation>&amp;Alle Chats exportieren …</translation>
    </message>
    <message>
        <source>&amp;Import conversation…</source>
        <translation>Chat &amp;importieren …</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>Chats &amp;durchsuchen</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>Letzte Antwort &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Senden</translation>
    </message>
    <message>
        <source>Sto&amp;p answer (Esc)</source>
        <translation>Antwort an&amp;halten (Esc)</translation>
    </message>
    <message>
        <source>&amp;Regenerate last answer</source>
        <translation>Letzte Antwort &amp;neu generieren</translation>
    </message>
    <message>
        <source>Conversation se&amp;ttings…</source>
        <translation>&amp;Chat-Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Modell</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle …</translation>
    </message>
    <message>
        <source>&amp;Restart the model</source>
        <translation>Modell neu &amp;starten</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Tastenkombinationen</translation>
    </message>
    <message>
        <source>&amp;About Octet</source>
        <translation>&amp;Über Octet</translation>
    </message>
    <message>
        <source>Export all conversations to a folder</source>
        <translation>Alle Chats in einen Ordner exportieren</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Chat importieren</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Settings saved. Threads and context length apply when a model is next loaded.</source>
        <translation>Einstellungen gespeichert. Threads und Kontextlänge gelten ab dem nächsten Laden eines Modells.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Octet will use this language from the next start: {language}. Your conversations are kept.</source>
        <translation>Octet verwendet diese Sprache ab dem nächsten Start: {language}. Ihre Chats bleiben erhalten.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Exportiert nach {path}</translation>
    </message>
    <message>
        <source>Importing {name}… {percent} %</source>
        <translation>{name} wird importiert … {percent} %</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>Es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>Imported “{title}”.</source>
        <translation>„{title}“ wurde importiert.</translation>
    </message>
    <message>
        <source>Saved chat state cleared.</source>
        <translation>Gespeicherte Chat-Zustände gelöscht.</translation>
    </message>
</context>
<context>
    <name>crash</name>
    <message>
        <source>Octet hit an unexpected error</source>
        <translation>In Octet ist ein unerwarteter Fehler aufgetreten</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Etwas ist schiefgelaufen: {error}</translation>
    </message>
    <message>
        <source>Details were written to {path}. Please attach that file when you report the problem.</source>
        <translation>Details wurden in {path} gespeichert. Bitte hängen Sie diese Datei an, wenn Sie das Problem melden.</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Octet cannot use its data folder</source>
        <translation>Octet kann seinen Datenordner nicht verwenden</translation>
    </message>
    <message>
        <source>Octet keeps your conversations, settings and models in {folder}, but it cannot write there ({reason}).

Check that the folder&apos;s disk is connected and not full or read-only, and that you may write to the folder, then start Octet again.</source>
        <translation>Octet speichert Ihre Chats, Einstellungen und Modelle in {folder}, kann dort aber nicht schreiben ({reason}).

Prüfen Sie, ob die Festplatte mit dem Ordner angeschlossen, nicht voll und nicht schreibgeschützt ist und ob Sie in den Ordner schreiben dürfen. Starten Sie Octet dann erneut.</translation>
    </message>
    <message>
        <source>Octet is already running</source>
        <translation>Octet läuft bereits</translation>
    </message>
    <message>
        <source>Octet is already open (your history {path} is in use by it). Switch to the Octet window that is already open, or close it and start Octet again.</source>
        <translation>Octet ist bereits geöffnet und verwendet Ihren Verlauf {path}. Wechseln Sie zum geöffneten Octet-Fenster oder schließen Sie es und starten Sie Octet erneut.</translation>
    </message>
    <message>
        <source>Octet cannot open your history</source>
        <translation>Octet kann Ihren Verlauf nicht öffnen</translation>
    </message>
    <message>
        <source>the models folder {folder} cannot be read: {where} is not reachable ({reason}). If it is on a removable drive, connect it and restart Octet; or choose or import another model in Models…</source>
        <translation>Der Modellordner {folder} kann nicht gelesen werden: {where} ist nicht erreichbar ({reason}). Liegt er auf einem Wechseldatenträger, schließen Sie diesen an und starten Sie Octet neu – oder wählen oder importieren Sie unter „Modelle …“ ein anderes Modell.</translation>
    </message>
</context>
</TS>
