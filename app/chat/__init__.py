"""Chatting: the controller (model, history, streaming), the user actions, the system prompt, language detection
and the bridge to the worker process. QtCore/QtGui, no widgets; may import app.history, app.models, runtime.paths
and runtime.worker (client, protocol); never app.ui, never torch.
"""
