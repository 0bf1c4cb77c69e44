<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>CatalogRow</name>
    <message>
        <source>Recommended</source>
        <translation>Recomendado</translation>
    </message>
    <message>
        <source>Needs a Hugging Face token</source>
        <translation>Requiere un token de Hugging Face</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Instalado</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Instalar</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Descargar</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reanudar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>%1 download · %2 · %3 · needs about %4 of memory</source>
        <translation>Descarga de %1 · %2 · %3 · necesita unos %4 de memoria</translation>
    </message>
    <message>
        <source>Hugging Face token (hf_…)</source>
        <translation>Token de Hugging Face (hf_…)</translation>
    </message>
    <message>
        <source>Save token and retry</source>
        <translation>Guardar y reintentar</translation>
    </message>
    <message>
        <source>Paused at %1 of %2</source>
        <translation>En pausa: %1 de %2</translation>
    </message>
    <message>
        <source>Starting the download…</source>
        <translation>Iniciando la descarga…</translation>
    </message>
    <message>
        <source>Installing the starter model…</source>
        <translation>Instalando el modelo de inicio…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>The starter model could not be installed</source>
        <translation>No se ha podido instalar el modelo de inicio</translation>
    </message>
    <message>
        <source>Enter your Hugging Face token</source>
        <translation>Introduce tu token de Hugging Face</translation>
    </message>
    <message>
        <source>Paste the token from your Hugging Face account settings.</source>
        <translation>Pega el token que encontrarás en los ajustes de tu cuenta de Hugging Face.</translation>
    </message>
    <message>
        <source>The token could not be saved</source>
        <translation>No se ha podido guardar el token</translation>
    </message>
    <message>
        <source>Not enough disk space</source>
        <translation>No hay espacio suficiente en el disco</translation>
    </message>
    <message>
        <source>The download was damaged</source>
        <translation>El archivo descargado está dañado</translation>
    </message>
    <message>
        <source>Hugging Face did not give access to this model</source>
        <translation>Hugging Face no ha concedido acceso a este modelo</translation>
    </message>
    <message>
        <source>Offline mode is on</source>
        <translation>El modo sin conexión está activado</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Problema de conexión</translation>
    </message>
    <message>
        <source>The download failed</source>
        <translation>Error en la descarga</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>{path} is not there any more; pick another model.</source>
        <translation>{path} ya no existe; elige otro modelo.</translation>
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
        <translation>Desactivado: no se guarda nada</translation>
    </message>
    <message>
        <source>Disk space for the computed state of recent conversations, so that reopening one does not read it again; the least recently used goes first</source>
        <translation>Espacio en disco para el estado calculado de los chats recientes, para que al volver a abrir uno no haya que leerlo de nuevo; primero se descarta el que lleva más tiempo sin usarse</translation>
    </message>
    <message>
        <source>Clear saved chat state</source>
        <translation>Vaciar el estado guardado de los chats</translation>
    </message>
    <message>
        <source>Saved chat state</source>
        <translation>Estado guardado de los chats</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Ask anything. Enter sends, Shift+Enter starts a new line.</source>
        <translation>Pregunta lo que quieras. Intro para enviar, Mayús+Intro para un salto de línea.</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter for a new line)</source>
        <translation>Escribe al modelo…  (Intro para enviar, Mayús+Intro para un salto de línea)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>An answer is being written in another chat: you can send when it ends.</source>
        <translation>Se está escribiendo una respuesta en otro chat: podrás enviar cuando termine.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>This text is about {tokens} tokens, more than the {context} the model can read at once. Nothing was cut: shorten it or split it into several messages.</source>
        <translation>Este texto tiene unos {tokens} tokens, más de los {context} que el modelo puede leer de una vez. No se ha recortado nada: acórtalo o divídelo en varios mensajes.</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsDialog</name>
    <message>
        <source>Conversation settings</source>
        <translation>Ajustes del chat</translation>
    </message>
    <message>
        <source>You are a helpful assistant. (optional)</source>
        <translation>Eres un asistente útil. (opcional)</translation>
    </message>
    <message>
        <source>random</source>
        <translation>aleatoria</translation>
    </message>
    <message>
        <source>The language of your message</source>
        <translation>El de tu mensaje</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt del sistema</translation>
    </message>
    <message>
        <source>Answer in</source>
        <translation>Idioma de las respuestas</translation>
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
        <translation>Penalización por repetición</translation>
    </message>
    <message>
        <source>Max tokens per answer</source>
        <translation>Máximo de tokens por respuesta</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semilla</translation>
    </message>
    <message>
        <source>Model defaults</source>
        <translation>Predeterminados del modelo</translation>
    </message>
</context>
<context>
    <name>EngineSection</name>
    <message>
        <source>This computer</source>
        <translation>Este ordenador</translation>
    </message>
    <message>
        <source>A server (OpenAI-compatible, e.g. vLLM)</source>
        <translation>Un servidor (compatible con OpenAI, p. ej., vLLM)</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Motor</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Guardada en el llavero del sistema</translation>
    </message>
    <message>
        <source>The server&apos;s API key, if it needs one</source>
        <translation>La clave de API del servidor, si la necesita</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clave de API</translation>
    </message>
    <message>
        <source>Server model</source>
        <translation>Modelo del servidor</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Probar la conexión</translation>
    </message>
    <message>
        <source>Enter the server&apos;s base URL: http:// or https://, its host, and a path ending in /v1, e.g. http://gpu-server:8000/v1</source>
        <translation>Introduce la URL base del servidor: http:// o https://, su host y una ruta que termine en /v1, p. ej., http://gpu-server:8000/v1</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>Conectando con {server}…</translation>
    </message>
    <message numerus="yes">
        <source>Connected: the server has %n model(s).</source>
        <translation>
            <numerusform>Conectado: el servidor tiene %n modelo.</numerusform>
            <numerusform>Conectado: el servidor tiene %n modelos.</numerusform>
        </translation>
    </message>
    <message>
        <source>{model} (not on this server)</source>
        <translation>{model} (no está en este servidor)</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Installing the starter model…</source>
        <translation>Instalando el modelo de inicio…</translation>
    </message>
    <message>
        <source>The starter model could not be installed: {error}</source>
        <translation>No se ha podido instalar el modelo de inicio: {error}</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importar un archivo GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>This file could not be imported: {error}</source>
        <translation>No se ha podido importar este archivo: {error}</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>Comprobando {name}…</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to Octet</source>
        <translation>Te damos la bienvenida a Octet</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, import a GGUF model file you already have, or download a model such as Mixtral in the model manager.</source>
        <translation>Octet ejecuta modelos de lenguaje en este ordenador; nada de lo que escribes sale de él.
Para empezar, importa un archivo de modelo GGUF que ya tengas o descarga un modelo, como Mixtral, en el gestor de modelos.</translation>
    </message>
    <message>
        <source>Octet runs language models on this computer; nothing you type leaves it.
To start, install the small starter model, or pick a larger model such as Mixtral in the model manager.</source>
        <translation>Octet ejecuta modelos de lenguaje en este ordenador; nada de lo que escribes sale de él.
Para empezar, instala el pequeño modelo de inicio o elige un modelo más grande, como Mixtral, en el gestor de modelos.</translation>
    </message>
    <message>
        <source>Import a GGUF file…</source>
        <translation>Importar un archivo GGUF…</translation>
    </message>
    <message>
        <source>Install the starter model (%1)</source>
        <translation>Instalar el modelo de inicio (%1)</translation>
    </message>
    <message>
        <source>Open the model manager</source>
        <translation>Abrir el gestor de modelos</translation>
    </message>
</context>
<context>
    <name>HelpDialogs</name>
    <message>
        <source>Octet {version}</source>
        <translation>Octet, versión {version}</translation>
    </message>
    <message>
        <source>Mixtral 8x7B and other models on your own computer, offline.</source>
        <translation>Mixtral 8x7B y otros modelos en tu propio ordenador, sin conexión.</translation>
    </message>
    <message>
        <source>Licence: {licence}</source>
        <translation>Licencia: {licence}</translation>
    </message>
    <message>
        <source>Your data (conversations, models, settings): {path}</source>
        <translation>Tus datos (chats, modelos, ajustes): {path}</translation>
    </message>
    <message>
        <source>Crash log (written only after a crash): {path}</source>
        <translation>Registro de fallos (solo se escribe tras un fallo): {path}</translation>
    </message>
    <message>
        <source>About Octet</source>
        <translation>Acerca de Octet</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Intro</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Enviar el mensaje</translation>
    </message>
    <message>
        <source>Shift+Enter</source>
        <translation>Mayúsculas+Intro</translation>
    </message>
    <message>
        <source>Start a new line</source>
        <translation>Insertar un salto de línea</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Escape</translation>
    </message>
    <message>
        <source>Stop the answer being written</source>
        <translation>Detener la respuesta en curso</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>Search the conversations</source>
        <translation>Buscar en los chats</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>Regenerar la última respuesta</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>Copiar la última respuesta</translation>
    </message>
    <message>
        <source>Export the conversation to Markdown</source>
        <translation>Exportar el chat a Markdown</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atajos de teclado</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Teclas</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
</context>
<context>
    <name>ImportDialogs</name>
    <message>
        <source>Untitled</source>
        <translation>Sin título</translation>
    </message>
    <message>
        <source>This file was imported already: “{title}” is in your history, unchanged.</source>
        <translation>Este archivo ya se ha importado: «{title}» está en tu historial, sin cambios.</translation>
    </message>
    <message>
        <source>“{title}” is in your history already (the same conversation; the file may hold another version of it).</source>
        <translation>«{title}» ya está en tu historial (es el mismo chat; puede que el archivo contenga otra versión).</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importar un chat</translation>
    </message>
    <message>
        <source>Replace it with the file&apos;s version, keep both, or cancel?</source>
        <translation>¿Reemplazarlo por la versión del archivo, conservar ambos o cancelar?</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Reemplazar</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Conservar ambos</translation>
    </message>
</context>
<context>
    <name>InstalledRow</name>
    <message>
        <source>Default</source>
        <translation>Predeterminado</translation>
    </message>
    <message>
        <source>Linked</source>
        <translation>Vinculado</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Usar</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>En uso</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Hacer predeterminado</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Olvidar</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Linked from %1</source>
        <translation>Ubicación: %1</translation>
    </message>
    <message>
        <source>unknown quantization</source>
        <translation>cuantización desconocida</translation>
    </message>
    <message>
        <source>%1 on disk · %2 · needs about %3 of memory</source>
        <translation>%1 en disco · %2 · necesita unos %3 de memoria</translation>
    </message>
    <message>
        <source>The model is missing from %1. Import it again, or forget it.</source>
        <translation>El modelo ya no está en %1. Vuelve a importarlo u olvídalo.</translation>
    </message>
</context>
<context>
    <name>LiveRegion</name>
    <message>
        <source>Answer finished.</source>
        <translation>Respuesta terminada.</translation>
    </message>
    <message>
        <source>Answer stopped.</source>
        <translation>Respuesta detenida.</translation>
    </message>
    <message>
        <source>The answer failed.</source>
        <translation>No se ha podido generar la respuesta.</translation>
    </message>
    <message>
        <source>In the chat “{title}”.</source>
        <translation>En el chat «{title}».</translation>
    </message>
    <message>
        <source>Announcements</source>
        <translation>Avisos</translation>
    </message>
</context>
<context>
    <name>LocalServerSection</name>
    <message>
        <source>Serve the loaded model to other programs (OpenAI-compatible API)</source>
        <translation>Ofrecer el modelo cargado a otros programas (API compatible con OpenAI)</translation>
    </message>
    <message>
        <source>This computer only</source>
        <translation>Solo este ordenador</translation>
    </message>
    <message>
        <source>The local network (needs an API key)</source>
        <translation>La red local (requiere una clave de API)</translation>
    </message>
    <message>
        <source>Who may connect</source>
        <translation>Quién puede conectarse</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>Clave de API</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>Ejemplo</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Guardada en el llavero del sistema</translation>
    </message>
    <message>
        <source>Needed for the local network</source>
        <translation>Necesaria para la red local</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>Nueva clave</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>The local network needs an API key: press “New key” (or type one), or serve to this computer only.</source>
        <translation>La red local requiere una clave de API: pulsa «Nueva clave» (o escribe una) u ofrece el modelo solo a este ordenador.</translation>
    </message>
    <message>
        <source>your key, or any text</source>
        <translation>tu clave o cualquier texto</translation>
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
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>The language of this conversation, detected from your first message</source>
        <translation>El idioma de este chat, detectado a partir de tu primer mensaje</translation>
    </message>
    <message>
        <source>Conversation settings</source>
        <translation>Ajustes del chat</translation>
    </message>
    <message>
        <source>System prompt and sampling for this conversation</source>
        <translation>Prompt del sistema y muestreo de este chat</translation>
    </message>
    <message>
        <source>Conversation deleted.</source>
        <translation>Chat eliminado.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <source>No model is installed yet.</source>
        <translation>Todavía no hay ningún modelo instalado.</translation>
    </message>
    <message>
        <source>The model is loading…</source>
        <translation>Cargando el modelo…</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>No hay ningún modelo cargado.</translation>
    </message>
    <message>
        <source>The model process stopped.</source>
        <translation>El proceso del modelo se ha detenido.</translation>
    </message>
    <message>
        <source>{name} · {quantization} · loaded in {seconds} s</source>
        <translation>{name} · {quantization} · cargado en {seconds} s</translation>
    </message>
    <message>
        <source>Loading the model: {phrase}</source>
        <translation>Cargando el modelo: {phrase}</translation>
    </message>
    <message>
        <source>The model process stopped: {message}. Your conversation and the partial answer are kept; restart the model to go on.</source>
        <translation>El proceso del modelo se ha detenido: {message}. El chat y la respuesta parcial se conservan; reinicia el modelo para continuar.</translation>
    </message>
    <message>
        <source>This conversation does not fit in the model&apos;s context window: {message}. Shorten your message, or start a new chat.</source>
        <translation>Este chat no cabe en la ventana de contexto del modelo: {message}. Acorta el mensaje o empieza un chat nuevo.</translation>
    </message>
    <message>
        <source>The model could not be loaded: {message}</source>
        <translation>No se ha podido cargar el modelo: {message}</translation>
    </message>
    <message>
        <source>This model was not loaded: {message}</source>
        <translation>No se ha cargado este modelo: {message}</translation>
    </message>
    <message>
        <source>The answer failed: {message}</source>
        <translation>No se ha podido generar la respuesta: {message}</translation>
    </message>
    <message>
        <source>This file could not be imported: {message}</source>
        <translation>No se ha podido importar este archivo: {message}</translation>
    </message>
    <message>
        <source>Imported; these values were left out: {message}</source>
        <translation>Importado; se han omitido estos valores: {message}</translation>
    </message>
    <message>
        <source>The export could not be written (the file as it was is kept): {message}</source>
        <translation>No se ha podido escribir la exportación (el archivo se conserva como estaba): {message}</translation>
    </message>
    <message>
        <source>The disk is full: Octet stopped and kept everything it could save. Free some space on it, then send again. ({message})</source>
        <translation>El disco está lleno: Octet se ha detenido y ha conservado todo lo que ha podido guardar. Libera espacio en el disco y vuelve a enviar el mensaje. ({message})</translation>
    </message>
    <message>
        <source>The history could not be written: {message}</source>
        <translation>No se ha podido escribir en el historial: {message}</translation>
    </message>
    <message numerus="yes">
        <source>The %n oldest message(s) were left out so the conversation fits the context window.</source>
        <translation>
            <numerusform>Se ha omitido %n mensaje, el más antiguo, para que el chat quepa en la ventana de contexto.</numerusform>
            <numerusform>Se han omitido los %n mensajes más antiguos para que el chat quepa en la ventana de contexto.</numerusform>
        </translation>
    </message>
    <message>
        <source>Restart the model</source>
        <translation>Reiniciar el modelo</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelos…</translation>
    </message>
    <message>
        <source>Export to Markdown</source>
        <translation>Exportar a Markdown</translation>
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
        <translation>Tú</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Asistente</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>Versión anterior</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>Versión siguiente</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>Copy this message</source>
        <translation>Copiar este mensaje</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <source>Edit and send again (a new branch)</source>
        <translation>Editar y volver a enviar (nueva rama)</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Regenerar</translation>
    </message>
    <message>
        <source>Ask for another answer (a new branch)</source>
        <translation>Pedir otra respuesta (nueva rama)</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Mostrar todo</translation>
    </message>
    <message>
        <source>Showing the first %1 of %2 characters.</source>
        <translation>Se muestran los primeros %1 de %2 caracteres.</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>detenida</translation>
    </message>
    <message>
        <source>You stopped this answer before its end.</source>
        <translation>Has detenido esta respuesta antes de que terminara.</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>interrumpida</translation>
    </message>
    <message>
        <source>The model process stopped while writing this answer.</source>
        <translation>El proceso del modelo se detuvo mientras escribía esta respuesta.</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallida</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>escribiendo…</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Offline mode is on: Octet will not connect to Hugging Face. Models already in your Hugging Face cache can still be added. Turn it off in Settings to download.</source>
        <translation>El modo sin conexión está activado: Octet no se conectará a Hugging Face. Puedes añadir igualmente los modelos que ya estén en tu caché de Hugging Face. Desactívalo en Ajustes para descargar.</translation>
    </message>
    <message>
        <source>Chats use the models of the server {server} (Settings › Engine): they live on that server. The models below are on this computer, used when the engine is this computer.</source>
        <translation>Los chats usan los modelos del servidor {server} (Ajustes › Motor), que están en ese servidor. Los modelos de abajo están en este ordenador y se usan cuando el motor es este ordenador.</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>En este ordenador</translation>
    </message>
    <message>
        <source>Import GGUF file…</source>
        <translation>Importar archivo GGUF…</translation>
    </message>
    <message>
        <source>Import model folder…</source>
        <translation>Importar carpeta de modelo…</translation>
    </message>
    <message>
        <source>No models yet. Install the starter model or download one below, or import a GGUF file or Hugging Face folder you already have.</source>
        <translation>Todavía no hay modelos. Instala el modelo de inicio o descarga uno más abajo, o importa un archivo GGUF o una carpeta de Hugging Face que ya tengas.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Disponibles para descargar</translation>
    </message>
    <message>
        <source>This computer has %1 of memory available (%2 in all).</source>
        <translation>Este ordenador tiene %1 de memoria disponible (%2 en total).</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Comprobando %1…</translation>
    </message>
    <message>
        <source>Forget model</source>
        <translation>Olvidar el modelo</translation>
    </message>
    <message>
        <source>Forget “%1”?</source>
        <translation>¿Olvidar «%1»?</translation>
    </message>
    <message>
        <source>Octet will stop listing it. The file is not deleted; it stays where it is:
%1</source>
        <translation>Octet dejará de mostrarlo. El archivo no se elimina; se queda donde está:
%1</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Olvidar</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>Eliminar el modelo</translation>
    </message>
    <message>
        <source>Delete “%1”?</source>
        <translation>¿Eliminar «%1»?</translation>
    </message>
    <message>
        <source>This removes it from the disk and frees %1. You can download it again later.</source>
        <translation>Se eliminará del disco, lo que liberará %1. Puedes volver a descargarlo más adelante.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Import a GGUF file</source>
        <translation>Importar un archivo GGUF</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <source>Import a Hugging Face model folder</source>
        <translation>Importar una carpeta de modelo de Hugging Face</translation>
    </message>
    <message>
        <source>Added %1. Its file stays where it is.</source>
        <translation>Se ha añadido %1. Su archivo se queda donde está.</translation>
    </message>
    <message>
        <source>Not imported: %1</source>
        <translation>No se ha importado: %1</translation>
    </message>
</context>
<context>
    <name>ModelRows</name>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Try %3 instead, or close other programs.</source>
        <translation>Demasiado grande para este ordenador: necesita unos %1 de memoria y hay %2 disponibles. Prueba con %3 o cierra otros programas.</translation>
    </message>
    <message>
        <source>Too big for this computer: it needs about %1 of memory and %2 is available. Close other programs and try again.</source>
        <translation>Demasiado grande para este ordenador: necesita unos %1 de memoria y hay %2 disponibles. Cierra otros programas y vuelve a intentarlo.</translation>
    </message>
</context>
<context>
    <name>RuntimeMessages</name>
    <message>
        <source>reading the file</source>
        <translation>leyendo el archivo</translation>
    </message>
    <message>
        <source>reading the folder</source>
        <translation>leyendo la carpeta</translation>
    </message>
    <message>
        <source>reading the weights</source>
        <translation>leyendo los pesos</translation>
    </message>
    <message>
        <source>an answer is already being written; stop it or wait for it to end</source>
        <translation>ya se está escribiendo una respuesta; detenla o espera a que termine</translation>
    </message>
    <message>
        <source>no model is loaded; load one first</source>
        <translation>no hay ningún modelo cargado; carga uno primero</translation>
    </message>
    <message>
        <source>the model reads at most {context} tokens at once</source>
        <translation>el modelo lee como máximo {context} tokens a la vez</translation>
    </message>
    <message>
        <source>the model ran out of memory; close other programs or pick a smaller model</source>
        <translation>el modelo se ha quedado sin memoria; cierra otros programas o elige un modelo más pequeño</translation>
    </message>
    <message>
        <source>it needs about {needed} GB of memory, but only {available} GB is available; close other programs, or pick a smaller model, a shorter context or the compact KV cache in Settings</source>
        <translation>necesita unos {needed} GB de memoria, pero solo hay {available} GB disponibles; cierra otros programas o elige un modelo más pequeño, un contexto más corto o la caché KV compacta en Ajustes</translation>
    </message>
    <message>
        <source>the model hit an unexpected error ({detail})</source>
        <translation>se ha producido un error inesperado en el modelo ({detail})</translation>
    </message>
    <message>
        <source>it is no longer running</source>
        <translation>ya no está en ejecución</translation>
    </message>
    <message>
        <source>the system killed it, most often because the computer ran out of memory (try a smaller model or close other programs)</source>
        <translation>el sistema lo ha cerrado a la fuerza, casi siempre porque el ordenador se ha quedado sin memoria (prueba con un modelo más pequeño o cierra otros programas)</translation>
    </message>
    <message>
        <source>the system stopped it (signal {signal})</source>
        <translation>el sistema lo ha detenido (señal {signal})</translation>
    </message>
    <message>
        <source>it quit unexpectedly (exit code {code})</source>
        <translation>se ha cerrado inesperadamente (código de salida {code})</translation>
    </message>
    <message>
        <source>port {port} is already used by another program; pick another port in Settings › Local server</source>
        <translation>otro programa ya está usando el puerto {port}; elige otro puerto en Ajustes › Servidor local</translation>
    </message>
    <message>
        <source>serving on the local network needs an API key; set one in Settings › Local server, or serve to this computer only</source>
        <translation>para ofrecer el modelo en la red local se necesita una clave de API; define una en Ajustes › Servidor local u ofrécelo solo a este ordenador</translation>
    </message>
    <message>
        <source>the API server could not start ({detail})</source>
        <translation>no se ha podido iniciar el servidor de API ({detail})</translation>
    </message>
    <message>
        <source>cannot reach the server {server} ({detail}); check its address in Settings and that it is running</source>
        <translation>no se puede conectar con el servidor {server} ({detail}); comprueba su dirección en Ajustes y que esté en funcionamiento</translation>
    </message>
    <message>
        <source>the server {server} refused the API key ({detail}); check the key in Settings › Engine</source>
        <translation>el servidor {server} ha rechazado la clave de API ({detail}); comprueba la clave en Ajustes › Motor</translation>
    </message>
    <message>
        <source>the server {server} has no model named “{model}”; pick one of its models in Settings › Engine</source>
        <translation>el servidor {server} no tiene ningún modelo llamado «{model}»; elige uno de sus modelos en Ajustes › Motor</translation>
    </message>
    <message>
        <source>{server} does not answer like an OpenAI-compatible server; check that the address is its base URL, ending in /v1</source>
        <translation>{server} no responde como un servidor compatible con OpenAI; comprueba que la dirección sea su URL base, terminada en /v1</translation>
    </message>
    <message>
        <source>the server says: {detail}</source>
        <translation>el servidor dice: {detail}</translation>
    </message>
    <message>
        <source>the server {server} refused the request (HTTP {status}): {detail}</source>
        <translation>el servidor {server} ha rechazado la solicitud (HTTP {status}): {detail}</translation>
    </message>
    <message>
        <source>the connection to the server {server} was lost in the middle of the answer ({detail})</source>
        <translation>se ha perdido la conexión con el servidor {server} en mitad de la respuesta ({detail})</translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Your answer waits its turn: the model is answering an API request…</source>
        <translation>Tu respuesta espera su turno: el modelo está atendiendo una solicitud de la API…</translation>
    </message>
    <message>
        <source>API server on the local network, port {port}</source>
        <translation>Servidor de API en la red local, puerto {port}</translation>
    </message>
    <message>
        <source>API server on {address}</source>
        <translation>Servidor de API en {address}</translation>
    </message>
    <message>
        <source>{server} · Answering an API request…</source>
        <translation>{server} · Atendiendo una solicitud de la API…</translation>
    </message>
    <message>
        <source>The API server did not start: {reason}</source>
        <translation>No se ha podido iniciar el servidor de API: {reason}</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Ajustes…</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Motor</translation>
    </message>
    <message>
        <source>Local server</source>
        <translation>Servidor local</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>Según el sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Oscuro</translation>
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
        <translation>Tamaño del texto</translation>
    </message>
    <message>
        <source>System (follow the computer)</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Aplicación</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>Default model</source>
        <translation>Modelo predeterminado</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> tokens</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Longitud del contexto</translation>
    </message>
    <message>
        <source>Standard (16-bit)</source>
        <translation>Estándar (16 bits)</translation>
    </message>
    <message>
        <source>Compact (8-bit, halves the cache)</source>
        <translation>Compacta (8 bits, reduce la caché a la mitad)</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>Caché KV</translation>
    </message>
    <message>
        <source>Automatic (%1 cores)</source>
        <translation>Automático (%1 núcleos)</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Hilos de CPU</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Red</translation>
    </message>
    <message>
        <source>Offline mode: never connect to the internet</source>
        <translation>Modo sin conexión: no conectarse nunca a internet</translation>
    </message>
    <message>
        <source>Saved in the system keyring</source>
        <translation>Guardado en el llavero del sistema</translation>
    </message>
    <message>
        <source>Only needed for gated models (hf_…)</source>
        <translation>Solo para modelos de acceso restringido (hf_…)</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Token de Hugging Face</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Datos</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Abrir carpeta</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Carpeta de datos</translation>
    </message>
    <message>
        <source>KV cache: %1</source>
        <translation>Caché KV: %1</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>Search conversations</source>
        <translation>Buscar en los chats</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>Fijados</translation>
    </message>
    <message>
        <source>Recent</source>
        <translation>Recientes</translation>
    </message>
    <message>
        <source>No conversation matches.</source>
        <translation>No hay chats que coincidan.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Cambiar nombre</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>Dejar de fijar</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>Fijar arriba</translation>
    </message>
    <message>
        <source>Export to Markdown…</source>
        <translation>Exportar a Markdown…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <source>{name} · on the server {server}</source>
        <translation>{name} · en el servidor {server}</translation>
    </message>
    <message>
        <source>Model memory {size}</source>
        <translation>Memoria del modelo: {size}</translation>
    </message>
    <message>
        <source>{rate} tokens/s</source>
        <translation>{rate} tokens/s</translation>
    </message>
    <message>
        <source>Resumed from saved state: {count} tokens not read again</source>
        <translation>Reanudado desde el estado guardado: {count} tokens sin volver a leer</translation>
    </message>
    <message>
        <source>Context {used} / {window}</source>
        <translation>Contexto {used} / {window}</translation>
    </message>
    <message>
        <source>AVX-512 kernels</source>
        <translation>Núcleos AVX-512</translation>
    </message>
    <message>
        <source>AVX2 kernels</source>
        <translation>Núcleos AVX2</translation>
    </message>
    <message>
        <source>NEON kernels</source>
        <translation>Núcleos NEON</translation>
    </message>
    <message>
        <source>Portable kernels</source>
        <translation>Núcleos portables</translation>
    </message>
    <message>
        <source>torch kernels (slower: see README)</source>
        <translation>Núcleos de torch (más lentos: consulte el README)</translation>
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
        <translation>%1 bytes</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>less than a minute left</source>
        <translation>queda menos de un minuto</translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>queda aproximadamente %n min</numerusform>
            <numerusform>quedan aproximadamente %n min</numerusform>
        </translation>
    </message>
    <message>
        <source>about %1 h %2 min left</source>
        <translation>quedan aproximadamente %1 h %2 min</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message numerus="yes">
        <source>%n conversation(s) exported.</source>
        <translation>
            <numerusform>%n chat exportado.</numerusform>
            <numerusform>%n chats exportados.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Nuevo chat</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>&amp;Exportar el chat…</translation>
    </message>
    <message>
        <source>Export &amp;all conversations…</source>
        <translation>Exportar &amp;todos los chats…</translation>
    </message>
    <message>
        <source>&amp;Import conversation…</source>
        <translation>&amp;Importar un chat…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edición</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>&amp;Buscar en los chats</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>&amp;Copiar la última respuesta</translation>
    </message>
    <message>
        <source>&amp;Chat</source>
        <translation>&amp;Chat</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Enviar</translation>
    </message>
    <message>
        <source>Sto&amp;p answer (Esc)</source>
        <translation>&amp;Detener la respuesta (Esc)</translation>
    </message>
    <message>
        <source>&amp;Regenerate last answer</source>
        <translation>&amp;Regenerar la última respuesta</translation>
    </message>
    <message>
        <source>Conversation se&amp;ttings…</source>
        <translation>&amp;Ajustes del chat…</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Modelo</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelos…</translation>
    </message>
    <message>
        <source>&amp;Restart the model</source>
        <translation>&amp;Reiniciar el modelo</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>Atajos de &amp;teclado</translation>
    </message>
    <message>
        <source>&amp;About Octet</source>
        <translation>&amp;Acerca de Octet</translation>
    </message>
    <message>
        <source>Export all conversations to a folder</source>
        <translation>Exportar todos los chats a una carpeta</translation>
    </message>
    <message>
        <source>Import a conversation</source>
        <translation>Importar un chat</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Settings saved. Threads and context length apply when a model is next loaded.</source>
        <translation>Ajustes guardados. Los hilos y la longitud del contexto se aplicarán la próxima vez que se cargue un modelo.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>Octet will use this language from the next start: {language}. Your conversations are kept.</source>
        <translation>Octet usará este idioma a partir del próximo inicio: {language}. Tus chats se conservan.</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copiado en el portapapeles.</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Exportado a {path}</translation>
    </message>
    <message>
        <source>Importing {name}… {percent} %</source>
        <translation>Importando {name}… {percent} %</translation>
    </message>
    <message>
        <source>Nothing was imported.</source>
        <translation>No se ha importado nada.</translation>
    </message>
    <message>
        <source>Imported “{title}”.</source>
        <translation>Se ha importado «{title}».</translation>
    </message>
    <message>
        <source>Saved chat state cleared.</source>
        <translation>Se ha vaciado el estado guardado de los chats.</translation>
    </message>
</context>
<context>
    <name>crash</name>
    <message>
        <source>Octet hit an unexpected error</source>
        <translation>Se ha producido un error inesperado en Octet</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>Algo ha fallado: {error}</translation>
    </message>
    <message>
        <source>Details were written to {path}. Please attach that file when you report the problem.</source>
        <translation>Los detalles se han guardado en {path}. Adjunta ese archivo cuando informes del problema.</translation>
    </message>
</context>
<context>
    <name>startup</name>
    <message>
        <source>Octet cannot use its data folder</source>
        <translation>Octet no puede usar su carpeta de datos</translation>
    </message>
    <message>
        <source>Octet keeps your conversations, settings and models in {folder}, but it cannot write there ({reason}).

Check that the folder&apos;s disk is connected and not full or read-only, and that you may write to the folder, then start Octet again.</source>
        <translation>Octet guarda tus chats, ajustes y modelos en {folder}, pero no puede escribir ahí ({reason}).

Comprueba que el disco de la carpeta esté conectado, que no esté lleno ni sea de solo lectura y que tengas permiso para escribir en la carpeta; después vuelve a abrir Octet.</translation>
    </message>
    <message>
        <source>Octet is already running</source>
        <translation>Octet ya está abierto</translation>
    </message>
    <message>
        <source>Octet is already open (your history {path} is in use by it). Switch to the Octet window that is already open, or close it and start Octet again.</source>
        <translation>Octet ya está abierto y está usando tu historial {path}. Cambia a la ventana de Octet que ya está abierta o ciérrala y vuelve a abrir Octet.</translation>
    </message>
    <message>
        <source>Octet cannot open your history</source>
        <translation>Octet no puede abrir tu historial</translation>
    </message>
    <message>
        <source>the models folder {folder} cannot be read: {where} is not reachable ({reason}). If it is on a removable drive, connect it and restart Octet; or choose or import another model in Models…</source>
        <translation>no se puede leer la carpeta de modelos {folder}: {where} no está accesible ({reason}). Si está en una unidad extraíble, conéctala y vuelve a abrir Octet; si no, elige o importa otro modelo en Modelos…</translation>
    </message>
</context>
</TS>
