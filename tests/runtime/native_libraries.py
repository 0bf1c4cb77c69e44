"""Octet's native kernel libraries for the tests: one GGUFKernels per instruction set this CPU runs, each
loaded straight from its file (`gguf_kernels()` holds only the best one, cached)."""
import ctypes
import functools

import pytest

from runtime.quant import native
from runtime.quant.kernels import GGUFKernels


def _usable_isas() -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("OCTET_KERNEL_ISA", raising=False)  # every variant, whichever one this run forces
        return native.usable_isas()


ISAS = _usable_isas()


@functools.cache
def isa_kernels(isa: str) -> GGUFKernels:
    """The kernels of one instruction set (skips the test where its library is not built)."""
    path = native.library_path(isa)
    if not path.exists():
        pytest.skip(f"{path.name} is not built: run `make setup`")
    return GGUFKernels(ctypes.CDLL(str(path)), isa)
