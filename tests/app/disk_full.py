"""A full disk, for real: a child Python whose files cannot grow past a size limit (RLIMIT_FSIZE), so a write past
it fails with EFBIG part-way, as when the disk fills up during a save."""
import resource
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_with_file_size_limit(code: str, limit: int, *args: str) -> subprocess.CompletedProcess:
    """Run `code` (with `args` in sys.argv) in a child whose files cannot grow past `limit` bytes."""

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-B", "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          preexec_fn=limited, timeout=120)
