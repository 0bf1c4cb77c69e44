"""A GGUF header's array of strings cut out by the kernels' library (`octet_gguf_strings`), in one native pass
over its length fields: the starter's two arrays of 49K strings took a Python loop 30 ms of a 0.15 s load.

`joined_strings(buf, pos, count)` gives the strings' bytes joined by NULs, the position after the array and
the longest string's length; None where the library is not built (or OCTET_NO_KERNELS=1) or a length runs past
the end, and gguf_check then walks the array in Python, which names what is wrong. No torch.
"""
from __future__ import annotations

import ctypes
import functools
import os

import numpy as np

from runtime.quant import native


@functools.cache
def strings_function():
    """The library's `octet_gguf_strings`, from the first variant this CPU runs that loads; None without one."""
    if os.environ.get("OCTET_NO_KERNELS") == "1":
        return None
    for isa in native.usable_isas():
        try:
            function = ctypes.CDLL(str(native.library_path(isa))).octet_gguf_strings
        except (OSError, AttributeError):  # not built, or built before it had this function
            continue
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        function.argtypes = [ptr, i64, i64, ptr, ctypes.POINTER(i64)]
        function.restype = i64
        return function
    return None


def joined_strings(buf, pos: int, count: int) -> tuple[bytearray, int, int] | None:
    """The `count` strings of the array at buf[pos:] joined by NUL bytes, the position after the array, and its
    longest string's length in bytes; None without the library, or where a length runs past the end of buf."""
    function = strings_function()
    if function is None or count <= 0 or pos >= len(buf):
        return None
    data = np.frombuffer(buf, np.uint8, offset=pos)
    longest = ctypes.c_int64()
    size = function(data.ctypes.data, data.size, count, None, ctypes.byref(longest))
    if size < 0:
        return None
    joined = bytearray(size - 7 * count - 1)
    if joined:
        function(data.ctypes.data, data.size, count, (ctypes.c_char * len(joined)).from_buffer(joined), longest)
    return joined, pos + size, longest.value
