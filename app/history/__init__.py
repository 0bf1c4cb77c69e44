"""The conversation history: SQLite store, schema and migrations, records, search, the process lock, Markdown
export and import. Plain Python: imports no Qt and no torch; may import runtime.paths/runtime.errors.
"""
