"""Octet's build step beyond pyproject.toml: the native kernels (runtime/quant/native.py) are compiled when
the project is installed (`pip install .`, `pip install -e .`, `make setup`), never at run time."""
import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _native():
    """runtime/quant/native.py by itself (the runtime package imports torch, absent from the build env)."""
    spec = importlib.util.spec_from_file_location("octet_native_build", ROOT / "runtime" / "quant" / "native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithKernels(build_py):
    """build_py, then the kernel libraries into the built package (into the source tree when editable)."""

    def run(self):
        super().run()
        native = _native()
        in_tree = getattr(self, "editable_mode", False)
        folder = native.LIBRARY_DIR if in_tree else Path(self.build_lib) / "runtime" / "quant" / "lib"
        try:
            native.build(folder)
        except native.BuildError as error:  # no compiler: Octet still runs, on torch's slower kernels
            print(f"warning: Octet's native kernels were not built: {error}")


setup(cmdclass={"build_py": BuildPyWithKernels})
