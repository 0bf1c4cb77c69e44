"""Saved chat states: the KV caches of recent conversations, so that reopening one does not read it again.

`ChatStates` keeps parked states in memory (least recently used first out, within a byte budget) and
writes each one, off the engine's thread, to `chat_state_dir()` (one file per conversation, within a disk
budget, least recently used removed first). A state is keyed by the model file and the settings that
shape the cache (`state_key`) and holds the exact token ids it was computed from. A file is trusted only
when its magic, version, key, conversation, every size and its blake2b checksum all check; anything else
(stale, torn, foreign, corrupted) is removed and reads as no state.

File layout: magic (8 bytes), version and header length (u32 each), a JSON header (key, conversation,
byte order, token count, each tensor's name/dtype/shape), the token ids (u32), each tensor's bytes
(64-byte aligned), then the blake2b digest of everything before it.
"""
import hashlib
import json
import logging
import os
import queue
import struct
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import psutil
import torch

MAGIC = b"OCTETKV\0"
VERSION = 1
SUFFIX = ".kvstate"
PREFIX = struct.Struct("<8sII")  # magic, version, header length
MAX_HEADER = 64 * 1024
ALIGN = 64
DIGEST = 32
STALE_TMP_SECONDS = 600  # a temporary file this old belongs to a write that was killed
DTYPES = {name: getattr(torch, name) for name in ("float32", "float16", "bfloat16", "int8", "uint8")}

Shapes = Callable[[int], dict[str, tuple[tuple[int, ...], torch.dtype]]]  # KVCache.snapshot_shapes
log = logging.getLogger(__name__)


@dataclass
class SavedState:
    ids: list[int]
    tensors: dict[str, torch.Tensor]

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.tensors.values())


def state_key(model_path: Path, settings: dict) -> str:
    """What a state is valid for: the model file (path, size, modification time; each file of a folder)
    and the settings that change the cache (context length, dtypes, quantization, shapes)."""
    path = Path(model_path).resolve()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    identity = [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    text = json.dumps({"model": identity, "settings": settings}, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def file_name(conversation: str) -> str:
    """The file of a conversation: a hash of its id (any id is a safe file name)."""
    return hashlib.blake2b(conversation.encode(), digest_size=12).hexdigest() + SUFFIX


def common_prefix(a: list[int], b: list[int]) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count


# -- files ------------------------------------------------------------------------------------------------------
def encode_header(key: str, conversation: str, state: SavedState) -> bytes:
    return json.dumps({
        "key": key, "conversation": conversation, "byteorder": sys.byteorder, "tokens": len(state.ids),
        "tensors": [[name, str(t.dtype).removeprefix("torch."), list(t.shape)]
                    for name, t in sorted(state.tensors.items())]}).encode()


def file_size(header: bytes, state: SavedState) -> int:
    shapes = {name: (tuple(t.shape), t.dtype) for name, t in state.tensors.items()}
    return PREFIX.size + len(header) + payload_layout(len(state.ids), shapes)[1] + DIGEST


def write_state(path: Path, key: str, conversation: str, state: SavedState) -> None:
    """Write atomically: a temporary file, fsync, then rename over `path`."""
    tensors = [(name, tensor.detach().contiguous().cpu()) for name, tensor in sorted(state.tensors.items())]
    header = encode_header(key, conversation, state)
    digest = hashlib.blake2b(digest_size=DIGEST)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            def put(data) -> None:
                digest.update(data)
                file.write(data)

            put(PREFIX.pack(MAGIC, VERSION, len(header)) + header)
            written = put_padded(put, np.asarray(state.ids, dtype="<u4").tobytes(), 0)
            for _, tensor in tensors:
                written = put_padded(put, tensor.reshape(-1).view(torch.uint8).numpy(), written)
            file.write(digest.digest())
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def put_padded(put, data, written: int) -> int:
    """Write `data` after the zero bytes that align it to ALIGN; the payload bytes written so far."""
    padding = -written % ALIGN
    if padding:
        put(bytes(padding))
    put(data)
    return written + padding + len(data)


def payload_layout(ids: int, shapes: dict) -> tuple[list[tuple[str, int, tuple, torch.dtype]], int]:
    """[(name, offset, shape, dtype)] of each tensor in the payload (names sorted), and the payload's size."""
    offset, layout = ids * 4, []
    for name, (shape, dtype) in sorted(shapes.items()):
        offset += -offset % ALIGN
        layout.append((name, offset, tuple(shape), dtype))
        offset += int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return layout, offset


def read_state(path: Path, key: str, conversation: str, shapes: Shapes, max_tokens: int) -> SavedState | None:
    """The state in `path` if every check passes; None (and the file removed) if not; None if there is none."""
    try:
        return _read_checked(path, key, conversation, shapes, max_tokens)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        log.warning("Ignoring the saved chat state %s: %s", path.name, error)
        path.unlink(missing_ok=True)
        return None


def _read_checked(path, key, conversation, shapes: Shapes, max_tokens: int) -> SavedState:
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(PREFIX.size)
        if len(head) != PREFIX.size:
            raise ValueError("shorter than its prefix")
        magic, version, header_length = PREFIX.unpack(head)
        if magic != MAGIC or version != VERSION:
            raise ValueError("not a chat state of this version")
        if header_length > MAX_HEADER or PREFIX.size + header_length > size:
            raise ValueError("header length out of bounds")
        head += file.read(header_length)
        tokens, expected = checked_header(json.loads(head[PREFIX.size:]), key, conversation, shapes, max_tokens)
        layout, payload_size = payload_layout(tokens, expected)
        if size != len(head) + payload_size + DIGEST:
            raise ValueError(f"{size} bytes, {len(head) + payload_size + DIGEST} expected (torn?)")
        payload = bytearray(payload_size + DIGEST)  # bounded: the size of this cache's `tokens` positions
        if file.readinto(payload) != len(payload):
            raise ValueError("shorter than its header says")
    view = memoryview(payload)
    digest = hashlib.blake2b(head, digest_size=DIGEST)
    digest.update(view[:payload_size])
    if digest.digest() != bytes(view[payload_size:]):
        raise ValueError("checksum mismatch")
    ids = np.frombuffer(payload, dtype="<u4", count=tokens).tolist()
    tensors = {name: torch.frombuffer(payload, dtype=dtype, count=int(np.prod(shape, dtype=np.int64)),
                                      offset=offset).view(shape) for name, offset, shape, dtype in layout}
    return SavedState(ids, tensors)


def checked_header(header: dict, key: str, conversation: str, shapes: Shapes, max_tokens: int) -> tuple[int, dict]:
    """(token count, the tensors' expected shapes) of a header that matches this model, cache and conversation."""
    if header["key"] != key or header["conversation"] != conversation or header["byteorder"] != sys.byteorder:
        raise ValueError("saved for another model, settings or conversation")
    tokens = header["tokens"]
    if type(tokens) is not int or not 0 < tokens <= max_tokens:
        raise ValueError("token count out of bounds")
    expected = shapes(tokens)
    described = {name: (DTYPES.get(dtype), tuple(shape)) for name, dtype, shape in header["tensors"]}
    if len(header["tensors"]) != len(expected) or described != {
            name: (dtype, tuple(shape)) for name, (shape, dtype) in expected.items()}:
        raise ValueError("tensors unlike this cache's")
    return tokens, expected


def forget_saved(folder: Path, conversation: str) -> bool:
    """Remove a conversation's saved state file; True if there was one."""
    try:
        (folder / file_name(conversation)).unlink()
        return True
    except FileNotFoundError:
        return False


def clear_saved(folder: Path) -> int:
    """Remove every saved state file (and leftover temporary files); how many states there were."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.name.endswith(SUFFIX) or path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)
            removed += path.name.endswith(SUFFIX)
    return removed


def keep_within(folder: Path, budget: int, keep: Path | None = None) -> None:
    """Remove the least recently used state files until the folder holds at most `budget` bytes."""
    entries = []
    for path in folder.glob("*" + SUFFIX):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total <= budget:
            break
        if path != keep:
            path.unlink(missing_ok=True)
            total -= size


def remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for path in folder.glob("*.tmp"):
        try:
            if now - path.stat().st_mtime > STALE_TMP_SECONDS:
                path.unlink()
        except FileNotFoundError:
            pass


# -- the store -------------------------------------------------------------------------------------------------
# Memory the machine keeps free of parked states: below it a state left goes to disk only (the memory check
# before a load counts the model and its KV cache, not parked states).
MEMORY_RESERVE = 1024**3


class ChatStates:
    """Parked states of one loaded model: in memory (LRU, `memory_bytes`) and on disk (LRU, `disk_bytes`;
    0 turns either off). Disk writes run on a thread of their own; `flush()` waits for them."""

    def __init__(self, folder: Path, key: str, shapes: Shapes, max_tokens: int, *, memory_bytes: int,
                 disk_bytes: int, spare_memory: Callable[[], int] = lambda: psutil.virtual_memory().available):
        self.folder, self.key, self.shapes, self.max_tokens = Path(folder), key, shapes, max_tokens
        self.memory_bytes, self.disk_bytes = max(0, memory_bytes), max(0, disk_bytes)
        self.spare_memory = spare_memory  # what the machine has left: parked states never take its last MEMORY_RESERVE
        self.memory: OrderedDict[str, SavedState] = OrderedDict()
        self.writes: queue.Queue = queue.Queue()
        self.writer: threading.Thread | None = None
        if self.disk_bytes:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(self.folder)

    @property
    def memory_used(self) -> int:
        return sum(state.nbytes for state in self.memory.values())

    def park(self, conversation: str, state: SavedState) -> None:
        """Keep a conversation being left: in memory if it fits, and written to disk in the background."""
        self.memory.pop(conversation, None)
        if state.nbytes <= self.memory_bytes and self.spare_memory() - state.nbytes >= MEMORY_RESERVE:
            self.memory[conversation] = state
            while self.memory_used > self.memory_bytes:
                self.memory.popitem(last=False)
        self._queue_write(conversation, state)

    def take(self, conversation: str) -> tuple[SavedState, str] | None:
        """The conversation's state and where it came from ("memory" or "disk"); it leaves the memory."""
        state = self.memory.pop(conversation, None)
        if state is not None:
            return state, "memory"
        if not self.disk_bytes:
            return None
        self.flush()  # a write of this conversation may be on its way
        path = self.folder / file_name(conversation)
        state = read_state(path, self.key, conversation, self.shapes, self.max_tokens)
        if state is None:
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return state, "disk"

    def save_now(self, conversation: str, state: SavedState) -> None:
        """Write a state to disk before returning (the worker is about to exit or change model)."""
        self._queue_write(conversation, state)
        self.flush()

    def forget(self, conversation: str) -> None:
        self.memory.pop(conversation, None)
        self.flush()
        if self.disk_bytes or self.folder.is_dir():
            forget_saved(self.folder, conversation)

    def clear(self) -> int:
        self.memory.clear()
        self.flush()
        return clear_saved(self.folder)

    def flush(self) -> None:
        """Wait until every queued write is on disk (or failed)."""
        self.writes.join()

    def close(self) -> None:
        """Finish the queued writes and end the writer's thread."""
        if self.writer is not None:
            self.writes.put(None)
            self.flush()
            self.writer = None

    def _queue_write(self, conversation: str, state: SavedState) -> None:
        if not self.disk_bytes:
            return
        if self.writer is None:
            self.writer = threading.Thread(target=self._write_forever, name="octet-chat-state", daemon=True)
            self.writer.start()
        self.writes.put((conversation, state))

    def _write_forever(self) -> None:
        while True:
            job = self.writes.get()
            if job is None:
                self.writes.task_done()
                return
            conversation, state = job
            try:
                self._write(conversation, state)
            except Exception as error:  # a full disk, a folder gone: the state stays unsaved, nothing else
                log.warning("Could not save the chat state of a conversation: %s", error)
            finally:
                self.writes.task_done()

    def _write(self, conversation: str, state: SavedState) -> None:
        path = self.folder / file_name(conversation)
        if file_size(encode_header(self.key, conversation, state), state) > self.disk_bytes:
            return  # larger than the whole budget: not kept (the older, shorter file still serves a prefix)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_state(path, self.key, conversation, state)
        keep_within(self.folder, self.disk_bytes, keep=path)
