"""The models: catalog and installed models, Hub downloads (and their Qt adapter), the memory check, the Hub
token, the starter install, how to run the runtime's CLI. Plain Python but `download_worker` (QtCore, through
app.threads); no torch and no widgets; may import app.files (atomic writes), runtime.paths/errors/starter.
"""
