"""The model's own process: `protocol` defines the messages, `client` starts and talks to the worker,
`process` is the worker's loop over the engine. Only `process` (inside the worker) imports torch.
"""
