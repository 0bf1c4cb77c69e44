<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it" sourcelanguage="en">
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Chiudi</translation>
    </message>
</context>
<context>
    <name>CatalogRow</name>
    <message>
        <source>Recommended</source>
        <translation>Consigliato</translation>
    </message>
    <message>
        <source>Needs a Hugging Face token</source>
        <translation>Richiede un token di Hugging Face</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installato</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Installa</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Scarica</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausa</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Riprendi</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>%1 download · %2 · %3 · needs about %4 of memory</source>
        <translation>%1 da scaricare · %2 · %3 · richiede circa %4 di memoria</translation>
    </message>
    <message>
        <source>Hugging Face token (hf_…)</source>
        <translation>Token di Hugging Face (hf_…)</translation>
    </message>
    <message>
        <source>Save token and retry</source>
        <translation>Salva e riprova</translation>
    </message>
    <message>
        <source>Paused at %1 of %2</source>
        <translation>In pausa: %1 di %2</translation>
    </message>
    <message>
        <source>Starting the download…</source>
        <translation>Avvio del download…</translation>
    </message>
    <message>
        <source>Installing the starter model…</source>
        <translation>Installazione del modello iniziale…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 di %2</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>The starter model could not be installed</source>
        <translation>Impossibile installare il modello iniziale</translation>
    </message>
    <message>
        <source>Enter your Hugging Face token</source>
        <translation>Inserisci il tuo token di Hugging Face</translation>
    </message>
    <message>
        <source>Paste the token from your Hugging Face account settings.</source>
        <translation>Incolla il token che trovi nelle impostazioni del tuo account Hugging Face.</translation>
    </message>
    <message>
        <source>The token could not be saved</source>
        <translation>Impossibile salvare il token</translation>
    </message>
    <message>
        <source>Not enough disk space</source>
        <translation>Spazio su disco insufficiente</translation>
    </message>
    <message>
        <source>The download was damaged</source>
        <translation>Il file scaricato è danneggiato</translation>
    </message>
    <message>
        <source>Hugging Face did not give access to this model</source>
        <translation>Hugging Face non ha concesso l’accesso a questo modello</translation>
    </message>
    <message>
        <source>Offline mode is on</source>
        <translation>La modalità offline è attiva</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Problema di connessione</translation>
    </message>
    <message>
        <source>The download failed</source>
        <translation>Download non riuscito</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>{path} is not there any more; pick another model.</source>
        <translation>{path} non esiste più: scegli un altro modello.</translation>
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
        <translation>Disattivato: nulla viene salvato</translation>
    </message>
    <message>
        <source>Disk space for the computed state of recent conversations, so that reopening one does not read it again; the least recently used goes first</source>
        <translation>Spazio su disco per lo stato calcolato delle chat recenti, così che riaprirne una non richieda di rileggerla; si libera per primo lo spazio della chat usata meno di recente</translation>
    </message>
    <message>
        <source>Clear saved chat state</source>
        <translation>Elimina lo stato salvato delle chat</translation>
    </message>
    <message>
        <source>Saved chat state</source>
        <translation>Stato salvato delle chat</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Ask anything. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Chiedi quello che vuoi. Invio per inviare, Maiusc+Invio per andare a capo.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter for a new line)</source>
        <translation>Scrivi al modello…  (Invio per inviare, Maiusc+Invio per andare a capo)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Invia</translation>
    </message>
    <message>
        <source>An answer is being written in another chat: you can send when it ends.</source>
        <translation>È in corso una risposta in un’altra chat: potrai inviare quando sarà terminata.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Interrompi</translation>
    </message>
    <message>
        <source>This text is about {tokens} tokens, more than the {context} the model can read at once. Nothing was cut: shorten it or split it into several messages.</source>
        <translation>Questo testo contiene circa {tokens} token, più dei {context} che il modello può leggere in una volta. Non è stato tagliato nulla: accorcialo o dividilo in più messaggi.</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>Impostazioni della chat</translation>
    </message>
    <message>
        <source>You are a helpful assistant. (optional)</source>
        <translation>Sei un assistente disponibile. (facoltativo)</translation>
    </message>
    <message>
        <source>random</source>
        <translation>casuale</translation>
    </message>
    <message>
        <source>The language of your message</source>
        <translation>La stessa del tuo messaggio</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt di sistema</translation>
    </message>
    <message>
        <source>Answer in</source>
        <translation>Lingua delle risposte</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatura</translation>
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
        <translation>Penalità di ripetizione</translation>
    </message>
    <message>
        <source>Max tokens per answer</source>
        <translation>Limite di token per risposta</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Model defaults</source>
        <translation>Ripristina predefiniti</translation>
    </message>
</context>
<context>
    <name>EngineSection</name>
    <message>
        <source>This computer</source>
        <translation>Questo computer</translation>
    </message>
    <message>
        <source>A server (OpenAI-compatible, e.g. vLLM)</source>
        <translation>Un server (compatibile con OpenAI, ad es. vLLM)</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Motore</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Indirizzo del server</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Salvata nel portachiavi di sistema</translation>
    </message>
    <message>
        <source>The server&apos;s API key, if it needs one</source>
        <translation>La chiave API del server, se la richiede</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Chiave API</translation>
    </message>
    <message>
        <source>Server model</source>
        <translation>Modello del server</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verifica la connessione</translation>
    </message>
    <message>
        <source>Enter the server&apos;s base URL: http:// or https://, its host, and a path ending in /v1, e.g. http://gpu-server:8000/v1</source>
        <translation>Inserisci l’URL di base del server: http:// o https://, l’host e un percorso che termina con /v1, ad es. http://gpu-server:8000/v1</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>Connessione a {server}…</translation>
    </message>
    <message numerus="yes">
        <source>Connected: the server has %n model(s).</source>
        <translation>
            <numerusform>Connessione riuscita: il server ha %n modello.</numerusform>
            <numerusform>Connessione riuscita: il server ha %n modelli.</numerusform>
        </translation>
    </message>
    <message>
        <source>{model} (not on this server)</source>
        <translation>{model} (non presente su questo server)</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Installing the starter model…</source>
        <translation>Installazione del modello iniziale…</translation>
    </message>
    <message>
        <source>The starter model could not be installed: {error}</source>
        <translation>Impossibile installare il modello iniziale: {error}</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importa un file GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelli GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>This file could not be imported: {error}</source>
        <translation>Impossibile importare questo file: {error}</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>Verifica di {name} in corso…</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to Octet</source>
        <translation>Ti diamo il benvenuto in Octet</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, import a GGUF model file you already have, or download a model such as Mixtral in the model manager.</source>
        <translation>Octet esegue modelli linguistici su questo computer: nulla di ciò che scrivi ne esce.
Per iniziare, importa un file di modello GGUF che hai già oppure scarica un modello, come Mixtral, nel gestore dei modelli.</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, install the small starter model, or pick a larger model such as Mixtral in the model manager.</source>
        <translation>Octet esegue modelli linguistici su questo computer: nulla di ciò che scrivi ne esce.
Per iniziare, installa il piccolo modello iniziale oppure scegli un modello più grande, come Mixtral, nel gestore dei modelli.</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>Importa un file GGUF…</translation>
    </message>
    <message>
        <source>Install the starter model (%1)</source>
        <translation>Installa il modello iniziale (%1)</translation>
    </message>
    <message>
        <source>Open the model manager</source>
        <translation>Apri il gestore dei modelli</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <source>Octet {version}</source>
        <translation>Octet, versione {version}</translation>
    </message>
    <message>
        <source>Mixtral 8x7B and other models on your own computer, offline.</source>
        <translation>Mixtral 8x7B e altri modelli sul tuo computer, offline.</translation>
    </message>
    <message>
        <source>Licence: {licence}</source>
        <translation>Licenza: {licence}</translation>
    </message>
    <message>
        <source>Your data (conversations, models, settings): {path}</source>
        <translation>I tuoi dati (chat, modelli, impostazioni): {path}</translation>
    </message>
    <message>
        <source>Crash log (written only after a crash): {path}</source>
        <translation>Registro degli arresti anomali (scritto solo dopo un arresto anomalo): {path}</translation>
    </message>
    <message>
        <source>About Octet</source>
        <translation>Informazioni su Octet</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Invio</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Invia il messaggio</translation>
    </message>
    <message>
        <source>Shift+Enter</source>
        <translation>Maiusc+Invio</translation>
    </message>
    <message>
        <source>Start a new line</source>
        <translation>Vai a capo</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Tasto Esc</translation>
    </message>
    <message>
        <source>Stop the answer being written</source>
        <translation>Interrompi la risposta in corso</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuova chat</translation>
    </message>
    <message>
        <source>Search the conversations</source>
        <translation>Cerca nelle chat</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>Rigenera l’ultima risposta</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>Copia l’ultima risposta</translation>
    </message>
    <message>
        <source>Export the conversation to Markdown</source>
        <translation>Esporta la chat in Markdown</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelli</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Impostazioni</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Scorciatoie da tastiera</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasti</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Azione</translation>
    </message>
</context>
<context>
    <name>ImportDialogs</name>
    <message>
        <source>Untitled</source>
        <translation>Senza titolo</translation>
    </message>
    <message>
        <source>This file was imported already: “{title}” is in your history, unchanged.</source>
        <translation>Questo file è già stato importato: «{title}» è nella tua cronologia, senza modifiche.</translation>
    </message>
    <message>
        <source>“{title}” is in your history already (the same conversation; the file may hold another version of it).</source>
        <translation>«{title}» è già nella tua cronologia (è la stessa chat; il file potrebbe contenerne un’altra versione).</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importa una chat</translation>
    </message>
    <message>
        <source>Replace it with the file&apos;s version, keep both, or cancel?</source>
        <translation>Sostituirla con la versione del file, conservarle entrambe o annullare?</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Sostituisci</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Conserva entrambe</translation>
    </message>
</context>
<context>
    <name>InstalledRow</name>
    <message>
        <source>Default</source>
        <translation>Predefinito</translation>
    </message>
    <message>
        <source>Linked</source>
        <translation>Collegato</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Usa</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>In uso</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Rendi predefinito</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Dimentica</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <source>Linked from %1</source>
        <translation>Percorso: %1</translation>
    </message>
    <message>
        <source>unknown quantization</source>
        <translation>quantizzazione sconosciuta</translation>
    </message>
    <message>
        <source>%1 on disk · %2 · needs about %3 of memory</source>
        <translation>%1 su disco · %2 · richiede circa %3 di memoria</translation>
    </message>
    <message>
        <source>The model is missing from %1. Import it again, or forget it.</source>
        <translation>Il modello non è più in %1. Importalo di nuovo o dimenticalo.</translation>
    </message>
</context>
<context>
    <name>LiveRegion</name>
    <message>
        <source>Answer finished.</source>
        <translation>Risposta completata.</translation>
    </message>
    <message>
        <source>Answer stopped.</source>
        <translation>Risposta interrotta.</translation>
    </message>
    <message>
        <source>The answer failed.</source>
        <translation>Impossibile generare la risposta.</translation>
    </message>
    <message>
        <source>In the chat “{title}”.</source>
        <translation>Nella chat «{title}».</translation>
    </message>
    <message>
        <source>Announcements</source>
        <translation>Avvisi</translation>
    </message>
</context>
<context>
    <name>LocalServerSection</name>
    <message>
        <source>Serve the loaded model to other programs (OpenAI-compatible API)</source>
        <translation>Rendi disponibile il modello caricato ad altri programmi (API compatibile con OpenAI)</translation>
    </message>
    <message>
        <source>This computer only</source>
        <translation>Solo questo computer</translation>
    </message>
    <message>
        <source>The local network (needs an API key)</source>
        <translation>La rete locale (richiede una chiave API)</translation>
    </message>
    <message>
        <source>Who may connect</source>
        <translation>Chi può connettersi</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Porta</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Chiave API</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Indirizzo</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>Esempio</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Salvata nel portachiavi di sistema</translation>
    </message>
    <message>
        <source>Needed for the local network</source>
        <translation>Necessaria per la rete locale</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>Nuova chiave</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copia</translation>
    </message>
    <message>
        <source>The local network needs an API key: press “New key” (or type one), or serve to this computer only.</source>
        <translation>La rete locale richiede una chiave API: premi «Nuova chiave» (o digitane una) oppure limita l’accesso a questo computer.</translation>
    </message>
    <message>
        <source>your key, or any text</source>
        <translation>la tua chiave o un testo qualsiasi</translation>
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
        <translation>Nuova chat</translation>
    </message>
    <message>
        <source>The language of this conversation, detected from your first message</source>
        <translation>La lingua di questa chat, rilevata dal tuo primo messaggio</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Impostazioni della chat</translation>
    </message>
    <message>
        <source>System prompt and sampling for this conversation</source>
        <translation>Prompt di sistema e campionamento di questa chat</translation>
    </message>
    <message>
        <source>Conversation deleted.</source>
        <translation>Chat eliminata.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>No model is installed yet.</source>
        <translation>Ancora nessun modello installato.</translation>
    </message>
    <message>
        <source>The model is loading…</source>
        <translation>Caricamento del modello…</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Nessun modello caricato.</translation>
    </message>
    <message>
        <source>The model process stopped.</source>
        <translation>Il processo del modello si è arrestato.</translation>
    </message>
    <message>
        <source>{name} · {quantization} · loaded in {seconds} s</source>
        <translation>{name} · {quantization} · caricato in {seconds} s</translation>
    </message>
    <message>
        <source>Loading the model: {phrase}</source>
        <translation>Caricamento del modello: {phrase}</translation>
    </message>
    <message>
        <source>The model process stopped: {message}. Your conversation and the partial answer are kept; restart the model to go on.</source>
        <translation>Il processo del modello si è arrestato: {message}. La chat e la risposta parziale sono state conservate; riavvia il modello per continuare.</translation>
    </message>
    <message>
        <source>This conversation does not fit in the model&apos;s context window: {message}. Shorten your message, or start a new chat.</source>
        <translation>Questa chat non rientra nella finestra di contesto del modello: {message}. Accorcia il messaggio o inizia una nuova chat.</translation>
    </message>
    <message>
        <source>The model could not be loaded: {message}</source>
        <translation>Impossibile caricare il modello: {message}</translation>
    </message>
    <message>
        <source>This model was not loaded: {message}</source>
        <translation>Questo modello non è stato caricato: {message}</translation>
    </message>
    <message>
        <source>The answer failed: {message}</source>
        <translation>Impossibile generare la risposta: {message}</translation>
    </message>
    <message>
        <source>This file could not be imported: {message}</source>
        <translation>Impossibile importare questo file: {message}</translation>
    </message>
    <message>
        <source>Imported; these values were left out: {message}</source>
        <translation>Importazione completata; questi valori sono stati omessi: {message}</translation>
    </message>
    <message>
        <source>The export could not be written (the file as it was is kept): {message}</source>
        <translation>Impossibile scrivere l’esportazione (il file resta com’era): {message}</translation>
    </message>
    <message>
        <source>The disk is full: Octet stopped and kept everything it could save. Free some space on it, then send again. ({message})</source>
        <translation>Il disco è pieno: Octet si è interrotto e ha conservato tutto ciò che è riuscito a salvare. Libera un po’ di spazio sul disco, poi invia di nuovo. ({message})</translation>
    </message>
    <message>
        <source>The history could not be written: {message}</source>
        <translation>Impossibile scrivere nella cronologia: {message}</translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) were left out so the conversation fits the context window.</source>
        <translation>
            <numerusform>È stato omesso %n messaggio, il meno recente, perché la chat rientri nella finestra di contesto.</numerusform>
            <numerusform>Sono stati omessi i %n messaggi meno recenti perché la chat rientri nella finestra di contesto.</numerusform>
        </translation>
    </message>
    <message>
        <source>Restart the model</source>
        <translation>Riavvia il modello</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelli…</translation>
    </message>
    <message>
        <source>Export to Markdown</source>
        <translation>Esporta in Markdown</translation>
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
        <translation>Tu</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistente</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Versione precedente</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Versione successiva</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copia</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>Copia questo messaggio</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifica</translation>
    </message>
    <message>
        <source>Edit and send again (a new branch)</source>
        <translation>Modifica e invia di nuovo (nuovo ramo)</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Rigenera</translation>
    </message>
    <message>
        <source>Ask for another answer (a new branch)</source>
        <translation>Chiedi un’altra risposta (nuovo ramo)</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Mostra tutto</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2 characters.</source>
        <translation>Sono visualizzati i primi %1 caratteri su %2.</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>interrotta</translation>
    </message>
    <message>
        <source>You stopped this answer before its end.</source>
        <translation>Hai interrotto questa risposta prima della fine.</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>incompleta</translation>
    </message>
    <message>
        <source>The model process stopped while writing this answer.</source>
        <translation>Il processo del modello si è arrestato mentre scriveva questa risposta.</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>non riuscita</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>sta scrivendo…</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Invia</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Modelli</translation>
    </message>
    <message>
        <source>Offline mode is on: Octet will not connect to Hugging Face. Models already in your Hugging Face cache can still be added. Turn it off in Settings to download.</source>
        <translation>La modalità offline è attiva: Octet non si collegherà a Hugging Face. Puoi comunque aggiungere i modelli già presenti nella cache di Hugging Face. Disattivala nelle Impostazioni per scaricare modelli.</translation>
    </message>
    <message>
        <source>Chats use the models of the server {server} (Settings › Engine): they live on that server. The models below are on this computer, used when the engine is this computer.</source>
        <translation>Le chat usano i modelli del server {server} (Impostazioni › Motore), che si trovano su quel server. I modelli qui sotto sono su questo computer e vengono usati quando il motore è questo computer.</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Su questo computer</translation>
    </message>
    <message>
        <source>Import GGUF file…</source>
        <translation>Importa file GGUF…</translation>
    </message>
    <message>
        <source>Import model folder…</source>
        <translation>Importa cartella del modello…</translation>
    </message>
    <message>
        <source>No models yet. Install the starter model or download one below, or import a GGUF file or Hugging Face folder you already have.</source>
        <translation>Ancora nessun modello. Installa il modello iniziale o scaricane uno qui sotto, oppure importa un file GGUF o una cartella di Hugging Face che hai già.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Da scaricare</translation>
    </message>
    <message>
        <source>This computer has %1 of memory available (%2 in all).</source>
        <translation>Questo computer ha %1 di memoria disponibile (%2 in totale).</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Verifica di %1 in corso…</translation>
    </message>
    <message>
        <source>Forget model</source>
        <translation>Dimentica il modello</translation>
    </message>
    <message>
        <source>Forget “%1”?</source>
        <translation>Dimenticare «%1»?</translation>
    </message>
    <message>
        <source>Octet will stop listing it. The file is not deleted; it stays where it is:
%1</source>
        <translation>Octet non lo mostrerà più. Il file non viene eliminato e resta dov’è:
%1</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Dimentica</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Elimina il modello</translation>
    </message>
    <message>
        <source>Delete “%1”?</source>
        <translation>Eliminare «%1»?</translation>
    </message>
    <message>
        <source>This removes it from the disk and frees %1. You can download it again later.</source>
        <translation>Verrà eliminato dal disco, liberando %1. Potrai scaricarlo di nuovo in seguito.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importa un file GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelli GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>Import a Hugging Face model folder</source>
        <translation>Importa la cartella di un modello Hugging Face</translation>
    </message>
    <message>
        <source>Added %1. Its file stays where it is.</source>
        <translation>%1 è stato aggiunto. Il suo file resta dov’è.</translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation>Non importato: %1</translation>
    </message>
</context>
<context>
    <name>ModelRows</name>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Try %3 instead, or close other programs.</source>
        <translation>Troppo grande per questo computer: richiede circa %1 di memoria e ne sono disponibili %2. Prova %3 oppure chiudi altri programmi.</translation>
    </message>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Close other programs and try again.</source>
        <translation>Troppo grande per questo computer: richiede circa %1 di memoria e ne sono disponibili %2. Chiudi altri programmi e riprova.</translation>
    </message>
</context>
<context>
    <name>RuntimeMessages</name>
    <message>
        <source>reading the file</source>
        <translation>lettura del file</translation>
    </message>
    <message>
        <source>reading the folder</source>
        <translation>lettura della cartella</translation>
    </message>
    <message>
        <source>reading the weights</source>
        <translation>lettura dei pesi</translation>
    </message>
    <message>
        <source>an answer is already being written; stop it or wait for it to end</source>
        <translation>il modello sta già scrivendo una risposta; interrompila o attendi che finisca</translation>
    </message>
    <message>
        <source>no model is loaded; load one first</source>
        <translation>nessun modello caricato; caricane prima uno</translation>
    </message>
    <message>
        <source>the model reads at most {context} tokens at once</source>
        <translation>il modello legge al massimo {context} token alla volta</translation>
    </message>
    <message>
        <source>the model ran out of memory; close other programs or pick a smaller model</source>
        <translation>il modello ha esaurito la memoria; chiudi altri programmi o scegli un modello più piccolo</translation>
    </message>
    <message>
        <source>it needs about {needed} GB of memory, but only {available} GB is available; close other programs, or pick a smaller model, a shorter context or the compact KV cache in Settings</source>
        <translation>richiede circa {needed} GB di memoria, ma ne sono disponibili solo {available} GB; chiudi altri programmi oppure scegli un modello più piccolo, un contesto più breve o la cache KV compatta nelle Impostazioni</translation>
    </message>
    <message>
        <source>the model hit an unexpected error ({detail})</source>
        <translation>il modello ha riscontrato un errore imprevisto ({detail})</translation>
    </message>
    <message>
        <source>it is no longer running</source>
        <translation>non è più in esecuzione</translation>
    </message>
    <message>
        <source>the system killed it, most often because the computer ran out of memory (try a smaller model or close other programs)</source>
        <translation>il sistema lo ha terminato forzatamente, di solito perché il computer ha esaurito la memoria (prova un modello più piccolo o chiudi altri programmi)</translation>
    </message>
    <message>
        <source>the system stopped it (signal {signal})</source>
        <translation>il sistema lo ha arrestato (segnale {signal})</translation>
    </message>
    <message>
        <source>it quit unexpectedly (exit code {code})</source>
        <translation>si è chiuso in modo imprevisto (codice di uscita {code})</translation>
    </message>
    <message>
        <source>port {port} is already used by another program; pick another port in Settings › Local server</source>
        <translation>la porta {port} è già usata da un altro programma; scegline un’altra in Impostazioni › Server locale</translation>
    </message>
    <message>
        <source>serving on the local network needs an API key; set one in Settings › Local server, or serve to this computer only</source>
        <translation>per rendere disponibile il modello sulla rete locale serve una chiave API; impostala in Impostazioni › Server locale oppure limita l’accesso a questo computer</translation>
    </message>
    <message>
        <source>the API server could not start ({detail})</source>
        <translation>impossibile avviare il server API ({detail})</translation>
    </message>
    <message>
        <source>cannot reach the server {server} ({detail}); check its address in Settings and that it is running</source>
        <translation>impossibile raggiungere il server {server} ({detail}); controlla il suo indirizzo nelle Impostazioni e che sia in esecuzione</translation>
    </message>
    <message>
        <source>the server {server} refused the API key ({detail}); check the key in Settings › Engine</source>
        <translation>il server {server} ha rifiutato la chiave API ({detail}); controlla la chiave in Impostazioni › Motore</translation>
    </message>
    <message>
        <source>the server {server} has no model named “{model}”; pick one of its models in Settings › Engine</source>
        <translation>il server {server} non ha nessun modello chiamato «{model}»; scegli uno dei suoi modelli in Impostazioni › Motore</translation>
    </message>
    <message>
        <source>{server} does not answer like an OpenAI-compatible server; check that the address is its base URL, ending in /v1</source>
        <translation>{server} non risponde come un server compatibile con OpenAI; controlla che l’indirizzo sia il suo URL di base, che termina con /v1</translation>
    </message>
    <message>
        <source>the server says: {detail}</source>
        <translation>il server risponde: {detail}</translation>
    </message>
    <message>
        <source>the server {server} refused the request (HTTP {status}): {detail}</source>
        <translation>il server {server} ha rifiutato la richiesta (HTTP {status}): {detail}</translation>
    </message>
    <message>
        <source>the connection to the server {server} was lost in the middle of the answer ({detail})</source>
        <translation>la connessione al server {server} è caduta a metà della risposta ({detail})</translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Your answer waits its turn: the model is answering an API request…</source>
        <translation>La tua risposta è in coda: il modello sta rispondendo a una richiesta API…</translation>
    </message>
    <message>
        <source>API server on the local network, port {port}</source>
        <translation>Server API sulla rete locale, porta {port}</translation>
    </message>
    <message>
        <source>API server on {address}</source>
        <translation>Server API su {address}</translation>
    </message>
    <message>
        <source>{server} · Answering an API request…</source>
        <translation>{server} · Risposta a una richiesta API in corso…</translation>
    </message>
    <message>
        <source>The API server did not start: {reason}</source>
        <translation>Impossibile avviare il server API: {reason}</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Impostazioni…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Impostazioni</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Motore</translation>
    </message>
    <message>
        <source>Local server</source>
        <translation>Server locale</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Aspetto</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Come il sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Chiaro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Scuro</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>Dimensione del testo</translation>
    </message>
    <message>
        <source>System (follow the computer)</source>
        <translation>Lingua del sistema</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Applicazione</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Nessuno</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Modello predefinito</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> token</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Lunghezza del contesto</translation>
    </message>
    <message>
        <source>Standard (16-bit)</source>
        <translation>Standard (16 bit)</translation>
    </message>
    <message>
        <source>Compact (8-bit, halves the cache)</source>
        <translation>Compatta (8 bit, dimezza la cache)</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>Cache KV</translation>
    </message>
    <message>
        <source>Automatic (%1 cores)</source>
        <translation>Automatico (%1 core)</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Thread della CPU</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Rete</translation>
    </message>
    <message>
        <source>Offline mode: never connect to the internet</source>
        <translation>Modalità offline: non connettersi mai a Internet</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Salvato nel portachiavi di sistema</translation>
    </message>
    <message>
        <source>Only needed for gated models (hf_…)</source>
        <translation>Solo per i modelli ad accesso limitato (hf_…)</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Token di Hugging Face</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Dati</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Apri cartella</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Cartella dei dati</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>Cache KV: %1</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Search conversations</source>
        <translation>Cerca nelle chat</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuova chat</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>Fissate</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Recenti</translation>
    </message>
    <message>
        <source>No conversation matches.</source>
        <translation>Nessuna chat trovata.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Rinomina</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Non fissare più</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>Fissa in alto</translation>
    </message>
    <message>
        <source>Export to Markdown…</source>
        <translation>Esporta in Markdown…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Elimina</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>{name} · on the server {server}</source>
        <translation>{name} · sul server {server}</translation>
    </message>
    <message>
        <source>Model memory {size}</source>
        <translation>Memoria del modello: {size}</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} token/s</translation>
    </message>
    <message>
        <source>Resumed from saved state: {count} tokens not read again</source>
        <translation>Ripresa dallo stato salvato: {count} token non riletti</translation>
    </message>
    <message>
        <source>Context {used} / {window}</source>
        <translation>Contesto {used} / {window}</translation>
    </message>
    <message>
        <source>AVX-512 kernels</source>
        <translation>Kernel AVX-512</translation>
    </message>
    <message>
        <source>AVX2 kernels</source>
        <translation>Kernel AVX2</translation>
    </message>
    <message>
        <source>NEON kernels</source>
        <translation>Kernel NEON</translation>
    </message>
    <message>
        <source>Portable kernels</source>
        <translation>Kernel portabili</translation>
    </message>
    <message>
        <source>torch kernels (slower: see README)</source>
        <translation>Kernel di torch (più lenti: vedi il README)</translation>
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
        <translation>%1 byte</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>manca meno di un minuto</translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>manca circa %n min</numerusform>
            <numerusform>mancano circa %n min</numerusform>
        </translation>
    </message>
    <message>
        <source>about %1 h %2 min left</source>
        <translation>mancano circa %1 h %2 min</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message numerus="yes">
        <source>%n conversation(s) exported.</source>
        <translation>
            <numerusform>%n chat esportata.</numerusform>
            <numerusform>%n chat esportate.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Nuova chat</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>Es&amp;porta la chat…</translation>
    </message>
    <message>
        <source>Export &amp;all conversations…</source>
        <translation>Esporta &amp;tutte le chat…</translation>
    </message>
    <message>
        <source>&amp;Import conversation…</source>
        <translation>&amp;Importa una chat…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>Impo&amp;stazioni…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Esci</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Modifica</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>&amp;Cerca nelle chat</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>Copia l’&amp;ultima risposta</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Invia</translation>
    </message>
    <message>
        <source>Sto&amp;p answer (Esc)</source>
        <translation>Interrom&amp;pi la risposta (Esc)</translation>
    </message>
    <message>
        <source>&amp;Regenerate last answer</source>
        <translation>&amp;Rigenera l’ultima risposta</translation>
    </message>
    <message>
        <source>Conversation se&amp;ttings…</source>
        <translation>Impostazioni della &amp;chat…</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>M&amp;odello</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelli…</translation>
    </message>
    <message>
        <source>&amp;Restart the model</source>
        <translation>&amp;Riavvia il modello</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Scorciatoie da tastiera</translation>
    </message>
    <message>
        <source>&amp;About Octet</source>
        <translation>&amp;Informazioni su Octet</translation>
    </message>
    <message>
        <source>Export all conversations to a folder</source>
        <translation>Esporta tutte le chat in una cartella</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importa una chat</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Settings saved. Threads and context length apply when a model is next loaded.</source>
        <translation>Impostazioni salvate. Thread e lunghezza del contesto si applicheranno al prossimo caricamento di un modello.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <source>Octet will use this language from the next start: {language}. Your conversations are kept.</source>
        <translation>Octet userà questa lingua dal prossimo avvio: {language}. Le tue chat vengono conservate.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copiato negli appunti.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Chat esportata in {path}</translation>
    </message>
    <message>
        <source>Importing {name}… {percent} %</source>
        <translation>Importazione di {name}… {percent}%</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>Non è stato importato nulla.</translation>
    </message>
    <message>
        <source>Imported “{title}”.</source>
        <translation>Chat «{title}» importata.</translation>
    </message>
    <message>
        <source>Saved chat state cleared.</source>
        <translation>Stato salvato delle chat eliminato.</translation>
    </message>
</context>
<context>
    <name>crash</name>
    <message>
        <source>Octet hit an unexpected error</source>
        <translation>Octet ha riscontrato un errore imprevisto</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Si è verificato un problema: {error}</translation>
    </message>
    <message>
        <source>Details were written to {path}. Please attach that file when you report the problem.</source>
        <translation>I dettagli sono stati salvati in {path}. Allega questo file quando segnali il problema.</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Octet cannot use its data folder</source>
        <translation>Octet non può usare la sua cartella dei dati</translation>
    </message>
    <message>
        <source>Octet keeps your conversations, settings and models in {folder}, but it cannot write there ({reason}).

Check that the folder&apos;s disk is connected and not full or read-only, and that you may write to the folder, then start Octet again.</source>
        <translation>Octet conserva le tue chat, le impostazioni e i modelli in {folder}, ma non riesce a scriverci ({reason}).

Verifica che il disco della cartella sia collegato, che non sia pieno né di sola lettura e che tu abbia i permessi per scrivere nella cartella, poi riavvia Octet.</translation>
    </message>
    <message>
        <source>Octet is already running</source>
        <translation>Octet è già aperto</translation>
    </message>
    <message>
        <source>Octet is already open (your history {path} is in use by it). Switch to the Octet window that is already open, or close it and start Octet again.</source>
        <translation>Octet è già aperto e sta usando la tua cronologia {path}. Passa alla finestra di Octet già aperta, oppure chiudila e riavvia Octet.</translation>
    </message>
    <message>
        <source>Octet cannot open your history</source>
        <translation>Octet non riesce ad aprire la tua cronologia</translation>
    </message>
    <message>
        <source>the models folder {folder} cannot be read: {where} is not reachable ({reason}). If it is on a removable drive, connect it and restart Octet; or choose or import another model in Models…</source>
        <translation>impossibile leggere la cartella dei modelli {folder}: {where} non è raggiungibile ({reason}). Se si trova su un’unità rimovibile, collegala e riavvia Octet; altrimenti scegli o importa un altro modello in Modelli…</translation>
    </message>
</context>
</TS>
