"""The conversation history: SQLite store, schema and migrations, records, search, the process lock, Markdown
export and import. Plain Python: imports no Qt and no torch; may import app.files (atomic writes), runtime.paths/runtime.errors.
"""
