"""The OpenAI-compatible HTTP server (`python -m runtime serve MODEL`): one engine behind a FIFO queue.

engine_queue (one thread owning the engine, jobs in order, a bounded wait), security (Host allowlist,
Origin / CORS, API key, where it may bind), api_requests (OpenAI bodies -> checked requests),
api_responses (objects and SSE chunks in OpenAI's format), errors (OpenAI's error body), grammar
(JSON output through llguidance), completions (a request -> prompt ids -> the queue's work),
http_server (the stdlib ThreadingHTTPServer and its handler), serve (the CLI command's body), in_worker (the
same server inside the app's worker process: Settings › Local server, see runtime/worker/sharing.py).
May import: the standard library, llguidance, and runtime's engine side (engine, sampling, text,
errors, paths); never Qt, never app/, and it never reads or writes the user's chat history.
engine_queue, security, api_requests, api_responses and errors import no torch, so the worker's
process can own an EngineQueue; the rest import torch through the engine side.
"""
