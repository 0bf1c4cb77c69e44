"""Octet's desktop app: the PySide6 window (app/ui/) and the plain-Python services beside it
(history store, export, downloads, catalog). Never imports torch: the model runs in the worker process.
"""
