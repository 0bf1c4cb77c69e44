"""The model's own process: `protocol` defines the messages, `client` starts and talks to the worker
(in the app's process), `process` is the worker's loop over the engine, `remote` the same client's methods and
events over a remote OpenAI-compatible server. None of them imports torch at
import time: `process` imports the engine only inside the worker.
"""
