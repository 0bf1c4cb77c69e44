<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>CatalogRow</name>
    <message>
        <source>Recommended</source>
        <translation>Recommandé</translation>
    </message>
    <message>
        <source>Needs a Hugging Face token</source>
        <translation>Jeton Hugging Face requis</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installé</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Installer</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Télécharger</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Suspendre</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>%1 download · %2 · %3 · needs about %4 of memory</source>
        <translation>%1 à télécharger · %2 · %3 · nécessite environ %4 de mémoire</translation>
    </message>
    <message>
        <source>Hugging Face token (hf_…)</source>
        <translation>Jeton Hugging Face (hf_…)</translation>
    </message>
    <message>
        <source>Save token and retry</source>
        <translation>Enregistrer et réessayer</translation>
    </message>
    <message>
        <source>Paused at %1 of %2</source>
        <translation>Suspendu à %1 sur %2</translation>
    </message>
    <message>
        <source>Starting the download…</source>
        <translation>Démarrage du téléchargement…</translation>
    </message>
    <message>
        <source>Installing the starter model…</source>
        <translation>Installation du modèle de démarrage…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>The starter model could not be installed</source>
        <translation>Impossible d’installer le modèle de démarrage</translation>
    </message>
    <message>
        <source>Enter your Hugging Face token</source>
        <translation>Saisissez votre jeton Hugging Face</translation>
    </message>
    <message>
        <source>Paste the token from your Hugging Face account settings.</source>
        <translation>Collez le jeton qui figure dans les paramètres de votre compte Hugging Face.</translation>
    </message>
    <message>
        <source>The token could not be saved</source>
        <translation>Impossible d’enregistrer le jeton</translation>
    </message>
    <message>
        <source>Not enough disk space</source>
        <translation>Espace disque insuffisant</translation>
    </message>
    <message>
        <source>The download was damaged</source>
        <translation>Le fichier téléchargé est endommagé</translation>
    </message>
    <message>
        <source>Hugging Face did not give access to this model</source>
        <translation>Hugging Face n’a pas accordé l’accès à ce modèle</translation>
    </message>
    <message>
        <source>Offline mode is on</source>
        <translation>Le mode hors ligne est activé</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Problème de connexion</translation>
    </message>
    <message>
        <source>The download failed</source>
        <translation>Échec du téléchargement</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>{path} is not there any more; pick another model.</source>
        <translation>{path} n’existe plus&#x202f;; choisissez un autre modèle.</translation>
    </message>
</context>
<context>
    <name>ChatStateSection</name>
    <message>
        <source> MB</source>
        <translation> Mo</translation>
    </message>
    <message>
        <source>Off: nothing saved</source>
        <translation>Désactivé&#xa0;: rien n’est enregistré</translation>
    </message>
    <message>
        <source>Disk space for the computed state of recent conversations, so that reopening one does not read it again; the least recently used goes first</source>
        <translation>Espace disque réservé à l’état calculé des conversations récentes, pour qu’une conversation rouverte n’ait pas à être relue&#x202f;; la moins récemment utilisée est retirée en premier</translation>
    </message>
    <message>
        <source>Clear saved chat state</source>
        <translation>Effacer l’état des conversations</translation>
    </message>
    <message>
        <source>Saved chat state</source>
        <translation>État enregistré des conversations</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Ask anything. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Posez votre question. Entrée pour envoyer, Maj+Entrée pour aller à la ligne.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter for a new line)</source>
        <translation>Écrivez au modèle…  (Entrée pour envoyer, Maj+Entrée pour aller à la ligne)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>An answer is being written in another chat: you can send when it ends.</source>
        <translation>Une réponse est en cours d’écriture dans une autre conversation&#xa0;: vous pourrez envoyer votre message quand elle sera terminée.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>This text is about {tokens} tokens, more than the {context} the model can read at once. Nothing was cut: shorten it or split it into several messages.</source>
        <translation>Ce texte fait environ {tokens} tokens, soit plus que les {context} que le modèle peut lire à la fois. Rien n’a été coupé&#xa0;: raccourcissez-le ou répartissez-le sur plusieurs messages.</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>Paramètres de la conversation</translation>
    </message>
    <message>
        <source>You are a helpful assistant. (optional)</source>
        <translation>Vous êtes un assistant serviable. (facultatif)</translation>
    </message>
    <message>
        <source>random</source>
        <translation>aléatoire</translation>
    </message>
    <message>
        <source>The language of your message</source>
        <translation>Même langue que votre message</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt système</translation>
    </message>
    <message>
        <source>Answer in</source>
        <translation>Langue des réponses</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Température</translation>
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
        <translation>Pénalité de répétition</translation>
    </message>
    <message>
        <source>Max tokens per answer</source>
        <translation>Tokens max. par réponse</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>Model defaults</source>
        <translation>Valeurs par défaut du modèle</translation>
    </message>
</context>
<context>
    <name>EngineSection</name>
    <message>
        <source>This computer</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>A server (OpenAI-compatible, e.g. vLLM)</source>
        <translation>Un serveur (compatible OpenAI, p. ex. vLLM)</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Moteur</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Enregistrée dans le trousseau du système</translation>
    </message>
    <message>
        <source>The server&apos;s API key, if it needs one</source>
        <translation>Clé d’API du serveur, s’il en demande une</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clé d’API</translation>
    </message>
    <message>
        <source>Server model</source>
        <translation>Modèle du serveur</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <source>Enter the server&apos;s base URL: http:// or https://, its host, and a path ending in /v1, e.g. http://gpu-server:8000/v1</source>
        <translation>Saisissez l’URL de base du serveur&#xa0;: http:// ou https://, son nom d’hôte, puis un chemin se terminant par /v1, p. ex. http://gpu-server:8000/v1</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>Connexion à {server}…</translation>
    </message>
    <message numerus="yes">
        <source>Connected: the server has %n model(s).</source>
        <translation>
            <numerusform>Connexion établie&#xa0;: le serveur propose %n modèle.</numerusform>
            <numerusform>Connexion établie&#xa0;: le serveur propose %n modèles.</numerusform>
        </translation>
    </message>
    <message>
        <source>{model} (not on this server)</source>
        <translation>{model} (absent de ce serveur)</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Installing the starter model…</source>
        <translation>Installation du modèle de démarrage…</translation>
    </message>
    <message>
        <source>The starter model could not be installed: {error}</source>
        <translation>Impossible d’installer le modèle de démarrage&#xa0;: {error}</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importer un fichier GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modèles GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>This file could not be imported: {error}</source>
        <translation>Impossible d’importer ce fichier&#xa0;: {error}</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>Vérification de {name}…</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to Octet</source>
        <translation>Bienvenue dans Octet</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, import a GGUF model file you already have, or download a model such as Mixtral in the model manager.</source>
        <translation>Octet fait tourner des modèles de langage sur cet ordinateur&#x202f;; rien de ce que vous tapez n’en sort.
Pour commencer, importez un fichier de modèle GGUF que vous avez déjà, ou téléchargez un modèle comme Mixtral dans le gestionnaire de modèles.</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, install the small starter model, or pick a larger model such as Mixtral in the model manager.</source>
        <translation>Octet fait tourner des modèles de langage sur cet ordinateur&#x202f;; rien de ce que vous tapez n’en sort.
Pour commencer, installez le petit modèle de démarrage, ou choisissez un modèle plus grand comme Mixtral dans le gestionnaire de modèles.</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>Importer un fichier GGUF…</translation>
    </message>
    <message>
        <source>Install the starter model (%1)</source>
        <translation>Installer le modèle de démarrage (%1)</translation>
    </message>
    <message>
        <source>Open the model manager</source>
        <translation>Ouvrir le gestionnaire de modèles</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <source>Octet {version}</source>
        <translation>Octet, version {version}</translation>
    </message>
    <message>
        <source>Mixtral 8x7B and other models on your own computer, offline.</source>
        <translation>Mixtral 8x7B et d’autres modèles sur votre propre ordinateur, hors ligne.</translation>
    </message>
    <message>
        <source>Licence: {licence}</source>
        <translation>Licence&#xa0;: {licence}</translation>
    </message>
    <message>
        <source>Your data (conversations, models, settings): {path}</source>
        <translation>Vos données (conversations, modèles, paramètres)&#xa0;: {path}</translation>
    </message>
    <message>
        <source>Crash log (written only after a crash): {path}</source>
        <translation>Journal de plantage (créé uniquement après un plantage)&#xa0;: {path}</translation>
    </message>
    <message>
        <source>About Octet</source>
        <translation>À propos d’Octet</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Envoyer le message</translation>
    </message>
    <message>
        <source>Shift+Enter</source>
        <translation>Maj+Entrée</translation>
    </message>
    <message>
        <source>Start a new line</source>
        <translation>Aller à la ligne</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Échap</translation>
    </message>
    <message>
        <source>Stop the answer being written</source>
        <translation>Arrêter la réponse en cours</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Search the conversations</source>
        <translation>Rechercher dans les conversations</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>Régénérer la dernière réponse</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>Copier la dernière réponse</translation>
    </message>
    <message>
        <source>Export the conversation to Markdown</source>
        <translation>Exporter la conversation en Markdown</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Fonction</translation>
    </message>
</context>
<context>
    <name>ImportDialogs</name>
    <message>
        <source>Untitled</source>
        <translation>Sans titre</translation>
    </message>
    <message>
        <source>This file was imported already: “{title}” is in your history, unchanged.</source>
        <translation>Ce fichier a déjà été importé&#xa0;: «&#xa0;{title}&#xa0;» figure dans votre historique, à l’identique.</translation>
    </message>
    <message>
        <source>“{title}” is in your history already (the same conversation; the file may hold another version of it).</source>
        <translation>«&#xa0;{title}&#xa0;» figure déjà dans votre historique (c’est la même conversation&#x202f;; le fichier en contient peut-être une autre version).</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importer une conversation</translation>
    </message>
    <message>
        <source>Replace it with the file&apos;s version, keep both, or cancel?</source>
        <translation>La remplacer par la version du fichier, garder les deux ou annuler&#x202f;?</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Remplacer</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Garder les deux</translation>
    </message>
</context>
<context>
    <name>InstalledRow</name>
    <message>
        <source>Default</source>
        <translation>Par défaut</translation>
    </message>
    <message>
        <source>Linked</source>
        <translation>Lié</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Utiliser</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>En cours d’utilisation</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Définir par défaut</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Oublier</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Linked from %1</source>
        <translation>Emplacement&#xa0;: %1</translation>
    </message>
    <message>
        <source>unknown quantization</source>
        <translation>quantification inconnue</translation>
    </message>
    <message>
        <source>%1 on disk · %2 · needs about %3 of memory</source>
        <translation>%1 sur le disque · %2 · nécessite environ %3 de mémoire</translation>
    </message>
    <message>
        <source>The model is missing from %1. Import it again, or forget it.</source>
        <translation>Le modèle ne se trouve plus dans %1. Importez-le de nouveau ou oubliez-le.</translation>
    </message>
</context>
<context>
    <name>LiveRegion</name>
    <message>
        <source>Answer finished.</source>
        <translation>Réponse terminée.</translation>
    </message>
    <message>
        <source>Answer stopped.</source>
        <translation>Réponse arrêtée.</translation>
    </message>
    <message>
        <source>The answer failed.</source>
        <translation>Échec de la réponse.</translation>
    </message>
    <message>
        <source>In the chat “{title}”.</source>
        <translation>Dans la conversation «&#xa0;{title}&#xa0;».</translation>
    </message>
    <message>
        <source>Announcements</source>
        <translation>Annonces</translation>
    </message>
</context>
<context>
    <name>LocalServerSection</name>
    <message>
        <source>Serve the loaded model to other programs (OpenAI-compatible API)</source>
        <translation>Mettre le modèle chargé à la disposition d’autres programmes (API compatible OpenAI)</translation>
    </message>
    <message>
        <source>This computer only</source>
        <translation>Cet ordinateur uniquement</translation>
    </message>
    <message>
        <source>The local network (needs an API key)</source>
        <translation>Le réseau local (clé d’API requise)</translation>
    </message>
    <message>
        <source>Who may connect</source>
        <translation>Qui peut se connecter</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Numéro de port</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clé d’API</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>Exemple</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Enregistrée dans le trousseau du système</translation>
    </message>
    <message>
        <source>Needed for the local network</source>
        <translation>Requise pour le réseau local</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>Nouvelle clé</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>The local network needs an API key: press “New key” (or type one), or serve to this computer only.</source>
        <translation>Le réseau local nécessite une clé d’API&#xa0;: cliquez sur «&#xa0;Nouvelle clé&#xa0;» (ou saisissez-en une), ou choisissez «&#xa0;Cet ordinateur uniquement&#xa0;».</translation>
    </message>
    <message>
        <source>your key, or any text</source>
        <translation>votre clé, ou n’importe quel texte</translation>
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
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>The language of this conversation, detected from your first message</source>
        <translation>La langue de cette conversation, détectée d’après votre premier message</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Paramètres de la conversation</translation>
    </message>
    <message>
        <source>System prompt and sampling for this conversation</source>
        <translation>Prompt système et échantillonnage de cette conversation</translation>
    </message>
    <message>
        <source>Conversation deleted.</source>
        <translation>Conversation supprimée.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>No model is installed yet.</source>
        <translation>Aucun modèle n’est encore installé.</translation>
    </message>
    <message>
        <source>The model is loading…</source>
        <translation>Chargement du modèle…</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Aucun modèle n’est chargé.</translation>
    </message>
    <message>
        <source>The model process stopped.</source>
        <translation>Le processus du modèle s’est arrêté.</translation>
    </message>
    <message>
        <source>{name} · {quantization} · loaded in {seconds} s</source>
        <translation>{name} · {quantization} · chargé en {seconds}&#xa0;s</translation>
    </message>
    <message>
        <source>Loading the model: {phrase}</source>
        <translation>Chargement du modèle&#xa0;: {phrase}</translation>
    </message>
    <message>
        <source>The model process stopped: {message}. Your conversation and the partial answer are kept; restart the model to go on.</source>
        <translation>Le processus du modèle s’est arrêté&#xa0;: {message}. Votre conversation et la réponse partielle sont conservées&#x202f;; redémarrez le modèle pour continuer.</translation>
    </message>
    <message>
        <source>This conversation does not fit in the model&apos;s context window: {message}. Shorten your message, or start a new chat.</source>
        <translation>Cette conversation ne tient pas dans la fenêtre de contexte du modèle&#xa0;: {message}. Raccourcissez votre message ou commencez une nouvelle conversation.</translation>
    </message>
    <message>
        <source>The model could not be loaded: {message}</source>
        <translation>Impossible de charger le modèle&#xa0;: {message}</translation>
    </message>
    <message>
        <source>This model was not loaded: {message}</source>
        <translation>Ce modèle n’a pas été chargé&#xa0;: {message}</translation>
    </message>
    <message>
        <source>The answer failed: {message}</source>
        <translation>Échec de la réponse&#xa0;: {message}</translation>
    </message>
    <message>
        <source>This file could not be imported: {message}</source>
        <translation>Impossible d’importer ce fichier&#xa0;: {message}</translation>
    </message>
    <message>
        <source>Imported; these values were left out: {message}</source>
        <translation>Importation terminée&#x202f;; ces valeurs ont été laissées de côté&#xa0;: {message}</translation>
    </message>
    <message>
        <source>The export could not be written (the file as it was is kept): {message}</source>
        <translation>Impossible d’enregistrer l’export (le fichier reste tel qu’il était)&#xa0;: {message}</translation>
    </message>
    <message>
        <source>The disk is full: Octet stopped and kept everything it could save. Free some space on it, then send again. ({message})</source>
        <translation>Le disque est plein&#xa0;: Octet s’est arrêté et a conservé tout ce qu’il a pu enregistrer. Libérez de l’espace sur ce disque, puis renvoyez votre message. ({message})</translation>
    </message>
    <message>
        <source>The history could not be written: {message}</source>
        <translation>Impossible d’écrire dans l’historique&#xa0;: {message}</translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) were left out so the conversation fits the context window.</source>
        <translation>
            <numerusform>%n ancien message a été laissé de côté pour que la conversation tienne dans la fenêtre de contexte.</numerusform>
            <numerusform>Les %n messages les plus anciens ont été laissés de côté pour que la conversation tienne dans la fenêtre de contexte.</numerusform>
        </translation>
    </message>
    <message>
        <source>Restart the model</source>
        <translation>Redémarrer le modèle</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modèles…</translation>
    </message>
    <message>
        <source>Export to Markdown</source>
        <translation>Exporter en Markdown</translation>
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
        <translation>Vous</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Version précédente</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Version suivante</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>Copier ce message</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Edit and send again (a new branch)</source>
        <translation>Modifier et renvoyer (nouvelle branche)</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Régénérer</translation>
    </message>
    <message>
        <source>Ask for another answer (a new branch)</source>
        <translation>Demander une autre réponse (nouvelle branche)</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Tout afficher</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2 characters.</source>
        <translation>Affichage des %1 premiers caractères sur %2.</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>arrêtée</translation>
    </message>
    <message>
        <source>You stopped this answer before its end.</source>
        <translation>Vous avez arrêté cette réponse avant la fin.</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>interrompue</translation>
    </message>
    <message>
        <source>The model process stopped while writing this answer.</source>
        <translation>Le processus du modèle s’est arrêté pendant qu’il écrivait cette réponse.</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échec</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>en cours…</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>Offline mode is on: Octet will not connect to Hugging Face. Models already in your Hugging Face cache can still be added. Turn it off in Settings to download.</source>
        <translation>Le mode hors ligne est activé&#xa0;: Octet ne se connectera pas à Hugging Face. Les modèles déjà présents dans votre cache Hugging Face peuvent tout de même être ajoutés. Désactivez-le dans les paramètres pour télécharger.</translation>
    </message>
    <message>
        <source>Chats use the models of the server {server} (Settings › Engine): they live on that server. The models below are on this computer, used when the engine is this computer.</source>
        <translation>Les conversations utilisent les modèles du serveur {server} (Paramètres › Moteur)&#xa0;: ils se trouvent sur ce serveur. Les modèles ci-dessous sont sur cet ordinateur&#x202f;; ils servent quand le moteur choisi est cet ordinateur.</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Sur cet ordinateur</translation>
    </message>
    <message>
        <source>Import GGUF file…</source>
        <translation>Importer un fichier GGUF…</translation>
    </message>
    <message>
        <source>Import model folder…</source>
        <translation>Importer un dossier de modèle…</translation>
    </message>
    <message>
        <source>No models yet. Install the starter model or download one below, or import a GGUF file or Hugging Face folder you already have.</source>
        <translation>Aucun modèle pour l’instant. Installez le modèle de démarrage ou téléchargez-en un ci-dessous, ou importez un fichier GGUF ou un dossier Hugging Face que vous avez déjà.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>À télécharger</translation>
    </message>
    <message>
        <source>This computer has %1 of memory available (%2 in all).</source>
        <translation>Cet ordinateur dispose de %1 de mémoire libre (%2 au total).</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Vérification de %1…</translation>
    </message>
    <message>
        <source>Forget model</source>
        <translation>Oublier le modèle</translation>
    </message>
    <message>
        <source>Forget “%1”?</source>
        <translation>Oublier «&#xa0;%1&#xa0;»&#x202f;?</translation>
    </message>
    <message>
        <source>Octet will stop listing it. The file is not deleted; it stays where it is:
%1</source>
        <translation>Octet ne l’affichera plus. Le fichier n’est pas supprimé&#x202f;; il reste à son emplacement&#xa0;:
%1</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Oublier</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Supprimer le modèle</translation>
    </message>
    <message>
        <source>Delete “%1”?</source>
        <translation>Supprimer «&#xa0;%1&#xa0;»&#x202f;?</translation>
    </message>
    <message>
        <source>This removes it from the disk and frees %1. You can download it again later.</source>
        <translation>Le modèle sera supprimé du disque, ce qui libérera %1. Vous pourrez le télécharger de nouveau plus tard.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importer un fichier GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modèles GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>Import a Hugging Face model folder</source>
        <translation>Importer un dossier de modèle Hugging Face</translation>
    </message>
    <message>
        <source>Added %1. Its file stays where it is.</source>
        <translation>%1 a été ajouté. Son fichier reste à son emplacement.</translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation>Importation impossible&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>ModelRows</name>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Try %3 instead, or close other programs.</source>
        <translation>Trop volumineux pour cet ordinateur&#xa0;: il faut environ %1 de mémoire, mais seuls %2 sont disponibles. Essayez plutôt %3, ou fermez d’autres programmes.</translation>
    </message>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Close other programs and try again.</source>
        <translation>Trop volumineux pour cet ordinateur&#xa0;: il faut environ %1 de mémoire, mais seuls %2 sont disponibles. Fermez d’autres programmes et réessayez.</translation>
    </message>
</context>
<context>
    <name>RuntimeMessages</name>
    <message>
        <source>reading the file</source>
        <translation>lecture du fichier</translation>
    </message>
    <message>
        <source>reading the folder</source>
        <translation>lecture du dossier</translation>
    </message>
    <message>
        <source>reading the weights</source>
        <translation>lecture des poids</translation>
    </message>
    <message>
        <source>an answer is already being written; stop it or wait for it to end</source>
        <translation>une réponse est déjà en cours&#x202f;; arrêtez-la ou attendez qu’elle se termine</translation>
    </message>
    <message>
        <source>no model is loaded; load one first</source>
        <translation>aucun modèle n’est chargé&#x202f;; chargez-en un d’abord</translation>
    </message>
    <message>
        <source>the model reads at most {context} tokens at once</source>
        <translation>le modèle lit au plus {context} tokens à la fois</translation>
    </message>
    <message>
        <source>the model ran out of memory; close other programs or pick a smaller model</source>
        <translation>le modèle a manqué de mémoire&#x202f;; fermez d’autres programmes ou choisissez un modèle plus petit</translation>
    </message>
    <message>
        <source>it needs about {needed} GB of memory, but only {available} GB is available; close other programs, or pick a smaller model, a shorter context or the compact KV cache in Settings</source>
        <translation>il faut environ {needed}&#xa0;Go de mémoire, mais seuls {available}&#xa0;Go sont disponibles&#x202f;; fermez d’autres programmes, ou choisissez dans les paramètres un modèle plus petit, un contexte plus court ou le cache KV compact</translation>
    </message>
    <message>
        <source>the model hit an unexpected error ({detail})</source>
        <translation>le modèle a rencontré une erreur inattendue ({detail})</translation>
    </message>
    <message>
        <source>it is no longer running</source>
        <translation>il n’est plus en cours d’exécution</translation>
    </message>
    <message>
        <source>the system killed it, most often because the computer ran out of memory (try a smaller model or close other programs)</source>
        <translation>le système y a mis fin, le plus souvent parce que l’ordinateur manquait de mémoire (essayez un modèle plus petit ou fermez d’autres programmes)</translation>
    </message>
    <message>
        <source>the system stopped it (signal {signal})</source>
        <translation>le système y a mis fin (signal {signal})</translation>
    </message>
    <message>
        <source>it quit unexpectedly (exit code {code})</source>
        <translation>il s’est fermé de façon inattendue (code de sortie {code})</translation>
    </message>
    <message>
        <source>port {port} is already used by another program; pick another port in Settings › Local server</source>
        <translation>le port {port} est déjà utilisé par un autre programme&#x202f;; choisissez-en un autre dans Paramètres › Serveur local</translation>
    </message>
    <message>
        <source>serving on the local network needs an API key; set one in Settings › Local server, or serve to this computer only</source>
        <translation>servir le modèle sur le réseau local nécessite une clé d’API&#x202f;; définissez-en une dans Paramètres › Serveur local, ou réservez le serveur à cet ordinateur</translation>
    </message>
    <message>
        <source>the API server could not start ({detail})</source>
        <translation>le serveur d’API n’a pas pu démarrer ({detail})</translation>
    </message>
    <message>
        <source>cannot reach the server {server} ({detail}); check its address in Settings and that it is running</source>
        <translation>impossible de joindre le serveur {server} ({detail})&#x202f;; vérifiez son adresse dans les paramètres, et qu’il est bien en marche</translation>
    </message>
    <message>
        <source>the server {server} refused the API key ({detail}); check the key in Settings › Engine</source>
        <translation>le serveur {server} a refusé la clé d’API ({detail})&#x202f;; vérifiez la clé dans Paramètres › Moteur</translation>
    </message>
    <message>
        <source>the server {server} has no model named “{model}”; pick one of its models in Settings › Engine</source>
        <translation>le serveur {server} n’a aucun modèle nommé «&#xa0;{model}&#xa0;»&#x202f;; choisissez l’un de ses modèles dans Paramètres › Moteur</translation>
    </message>
    <message>
        <source>{server} does not answer like an OpenAI-compatible server; check that the address is its base URL, ending in /v1</source>
        <translation>{server} ne répond pas comme un serveur compatible OpenAI&#x202f;; vérifiez que l’adresse est bien son URL de base, terminée par /v1</translation>
    </message>
    <message>
        <source>the server says: {detail}</source>
        <translation>le serveur indique&#xa0;: {detail}</translation>
    </message>
    <message>
        <source>the server {server} refused the request (HTTP {status}): {detail}</source>
        <translation>le serveur {server} a refusé la requête (HTTP {status})&#xa0;: {detail}</translation>
    </message>
    <message>
        <source>the connection to the server {server} was lost in the middle of the answer ({detail})</source>
        <translation>la connexion au serveur {server} a été perdue au milieu de la réponse ({detail})</translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Your answer waits its turn: the model is answering an API request…</source>
        <translation>Votre réponse attend son tour&#xa0;: le modèle répond à une requête d’API…</translation>
    </message>
    <message>
        <source>API server on the local network, port {port}</source>
        <translation>Serveur d’API sur le réseau local, port {port}</translation>
    </message>
    <message>
        <source>API server on {address}</source>
        <translation>Serveur d’API sur {address}</translation>
    </message>
    <message>
        <source>{server} · Answering an API request…</source>
        <translation>{server} · Réponse à une requête d’API…</translation>
    </message>
    <message>
        <source>The API server did not start: {reason}</source>
        <translation>Le serveur d’API n’a pas démarré&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Paramètres…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Moteur</translation>
    </message>
    <message>
        <source>Local server</source>
        <translation>Serveur local</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Apparence</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Thème du système</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>Taille du texte</translation>
    </message>
    <message>
        <source>System (follow the computer)</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Modèle par défaut</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> tokens</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Longueur du contexte</translation>
    </message>
    <message>
        <source>Standard (16-bit)</source>
        <translation>Standard (16 bits)</translation>
    </message>
    <message>
        <source>Compact (8-bit, halves the cache)</source>
        <translation>Compact (8 bits, cache deux fois plus petit)</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>Cache KV</translation>
    </message>
    <message>
        <source>Automatic (%1 cores)</source>
        <translation>Automatique (%1 cœurs)</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Threads du processeur</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>Offline mode: never connect to the internet</source>
        <translation>Mode hors ligne&#xa0;: ne jamais se connecter à Internet</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Enregistré dans le trousseau du système</translation>
    </message>
    <message>
        <source>Only needed for gated models (hf_…)</source>
        <translation>Pour les modèles à accès restreint (hf_…)</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Jeton Hugging Face</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Données</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ouvrir le dossier</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Dossier de données</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>Cache KV&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Search conversations</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nouvelle conversation</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>Épinglées</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Récentes</translation>
    </message>
    <message>
        <source>No conversation matches.</source>
        <translation>Aucune conversation ne correspond.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Renommer</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Désépingler</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>Épingler en haut</translation>
    </message>
    <message>
        <source>Export to Markdown…</source>
        <translation>Exporter en Markdown…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>{name} · on the server {server}</source>
        <translation>{name} · sur le serveur {server}</translation>
    </message>
    <message>
        <source>Model memory {size}</source>
        <translation>Mémoire du modèle&#xa0;: {size}</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} tokens/s</translation>
    </message>
    <message>
        <source>Resumed from saved state: {count} tokens not read again</source>
        <translation>Reprise depuis l’état enregistré&#xa0;: {count} tokens non relus</translation>
    </message>
    <message>
        <source>Context {used} / {window}</source>
        <translation>Contexte&#xa0;: {used} / {window}</translation>
    </message>
    <message>
        <source>AVX-512 kernels</source>
        <translation>Noyaux AVX-512</translation>
    </message>
    <message>
        <source>AVX2 kernels</source>
        <translation>Noyaux AVX2</translation>
    </message>
    <message>
        <source>NEON kernels</source>
        <translation>Noyaux NEON</translation>
    </message>
    <message>
        <source>Portable kernels</source>
        <translation>Noyaux portables</translation>
    </message>
    <message>
        <source>torch kernels (slower: see README)</source>
        <translation>Noyaux de torch (plus lents&#xa0;: voir le README)</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <source>%1 TB</source>
        <translation>%1&#xa0;To</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1&#xa0;Go</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1&#xa0;Mo</translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation>%1&#xa0;ko</translation>
    </message>
    <message>
        <source>%1 bytes</source>
        <translation>%1&#xa0;octets</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>moins d’une minute restante</translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>environ %n min restante</numerusform>
            <numerusform>environ %n min restantes</numerusform>
        </translation>
    </message>
    <message>
        <source>about %1 h %2 min left</source>
        <translation>environ %1 h %2 min restantes</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message numerus="yes">
        <source>%n conversation(s) exported.</source>
        <translation>
            <numerusform>%n conversation exportée.</numerusform>
            <numerusform>%n conversations exportées.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Nouvelle conversation</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>&amp;Exporter la conversation…</translation>
    </message>
    <message>
        <source>Export &amp;all conversations…</source>
        <translation>Exporter &amp;toutes les conversations…</translation>
    </message>
    <message>
        <source>&amp;Import conversation…</source>
        <translation>&amp;Importer une conversation…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>É&amp;dition</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>&amp;Rechercher dans les conversations</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>&amp;Copier la dernière réponse</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Conversation</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Envoyer</translation>
    </message>
    <message>
        <source>Sto&amp;p answer (Esc)</source>
        <translation>&amp;Arrêter la réponse (Échap)</translation>
    </message>
    <message>
        <source>&amp;Regenerate last answer</source>
        <translation>&amp;Régénérer la dernière réponse</translation>
    </message>
    <message>
        <source>Conversation se&amp;ttings…</source>
        <translation>&amp;Paramètres de la conversation…</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Modèle</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modèles…</translation>
    </message>
    <message>
        <source>&amp;Restart the model</source>
        <translation>&amp;Redémarrer le modèle</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Raccourcis clavier</translation>
    </message>
    <message>
        <source>&amp;About Octet</source>
        <translation>À &amp;propos d’Octet</translation>
    </message>
    <message>
        <source>Export all conversations to a folder</source>
        <translation>Exporter toutes les conversations dans un dossier</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importer une conversation</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Settings saved. Threads and context length apply when a model is next loaded.</source>
        <translation>Paramètres enregistrés. Les threads et la longueur du contexte s’appliqueront au prochain chargement d’un modèle.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>Octet will use this language from the next start: {language}. Your conversations are kept.</source>
        <translation>Octet utilisera cette langue au prochain démarrage&#xa0;: {language}. Vos conversations sont conservées.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copié dans le presse-papiers.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Exporté vers {path}</translation>
    </message>
    <message>
        <source>Importing {name}… {percent} %</source>
        <translation>Importation de {name}… {percent}&#xa0;%</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>Rien n’a été importé.</translation>
    </message>
    <message>
        <source>Imported “{title}”.</source>
        <translation>Conversation «&#xa0;{title}&#xa0;» importée.</translation>
    </message>
    <message>
        <source>Saved chat state cleared.</source>
        <translation>État enregistré des conversations effacé.</translation>
    </message>
</context>
<context>
    <name>crash</name>
    <message>
        <source>Octet hit an unexpected error</source>
        <translation>Octet a rencontré une erreur inattendue</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Un problème est survenu&#xa0;: {error}</translation>
    </message>
    <message>
        <source>Details were written to {path}. Please attach that file when you report the problem.</source>
        <translation>Les détails ont été enregistrés dans {path}. Joignez ce fichier lorsque vous signalez le problème.</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Octet cannot use its data folder</source>
        <translation>Octet ne peut pas utiliser son dossier de données</translation>
    </message>
    <message>
        <source>Octet keeps your conversations, settings and models in {folder}, but it cannot write there ({reason}).

Check that the folder&apos;s disk is connected and not full or read-only, and that you may write to the folder, then start Octet again.</source>
        <translation>Octet conserve vos conversations, vos paramètres et vos modèles dans {folder}, mais ne peut pas y écrire ({reason}).

Vérifiez que le disque contenant le dossier est connecté, qu’il n’est ni plein ni en lecture seule et que vous avez le droit d’écrire dans le dossier, puis relancez Octet.</translation>
    </message>
    <message>
        <source>Octet is already running</source>
        <translation>Octet est déjà ouvert</translation>
    </message>
    <message>
        <source>Octet is already open (your history {path} is in use by it). Switch to the Octet window that is already open, or close it and start Octet again.</source>
        <translation>Octet est déjà ouvert et utilise votre historique {path}. Passez à la fenêtre d’Octet déjà ouverte, ou fermez-la et relancez Octet.</translation>
    </message>
    <message>
        <source>Octet cannot open your history</source>
        <translation>Octet ne peut pas ouvrir votre historique</translation>
    </message>
    <message>
        <source>the models folder {folder} cannot be read: {where} is not reachable ({reason}). If it is on a removable drive, connect it and restart Octet; or choose or import another model in Models…</source>
        <translation>le dossier des modèles {folder} est illisible&#xa0;: {where} est inaccessible ({reason}). S’il se trouve sur un disque amovible, branchez-le et relancez Octet&#x202f;; sinon, choisissez ou importez un autre modèle dans Modèles…</translation>
    </message>
</context>
</TS>
