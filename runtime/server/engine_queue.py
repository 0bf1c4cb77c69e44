"""One engine, one thread, jobs in the order they came: a job's `work(engine, cancelled)` runs on the
engine's thread and what it yields comes back through the job's `events`, ended by `Done`. At most
`max_waiting` jobs wait (the running one aside); past that `submit` raises QueueFull, unless the job is
submitted with `bounded=False` (the app's own answers, which wait their turn instead). `on_job(job, running)`,
if set, hears on the engine's thread when each job starts and ends. `close()` (the model is unloaded)
cancels the running job and ends every other with `Done(QueueClosed())`. Torch-free.
"""
import math
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

Work = Callable[[Any, Callable[[], bool]], Iterator]  # (engine, cancelled) -> events


class QueueClosed(Exception):
    """The queue was closed (its engine unloaded) before or while the job ran."""

    def __init__(self):
        super().__init__("the model was unloaded")


class QueueFull(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"the engine's queue is full; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Done:
    """The last event of every job; `error` is what the work raised, if it did."""
    error: BaseException | None = None


class Job:
    """A unit of work for the engine. Cancelled by `cancel()`, or when `gone()` (e.g. the client hung up)
    says so: `cancelled()`, which the work checks before every token, asks both."""

    def __init__(self, work: Work, gone: Callable[[], bool] | None = None, label: str = ""):
        self.work = work
        self.label = label  # who asked (e.g. "app"), for `on_job`
        self.events: queue.Queue = queue.Queue()
        self._gone = gone
        self._cancelled = threading.Event()
        self.started = False  # set by the engine's thread when it takes the job

    def cancel(self) -> None:
        self._cancelled.set()

    def cancelled(self) -> bool:
        if not self._cancelled.is_set() and self._gone is not None and self._gone():
            self._cancelled.set()
        return self._cancelled.is_set()


class EngineQueue:
    def __init__(self, engine, *, max_waiting: int = 16):
        self.engine = engine
        self.max_waiting = max_waiting
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._seconds_per_job = 2.0  # a running average, for Retry-After
        self._running: Job | None = None
        self._closed = False
        self.on_job: Callable[[Job, bool], None] | None = None
        self._thread = threading.Thread(target=self._run, name="octet-engine", daemon=True)
        self._thread.start()

    @property
    def waiting(self) -> int:
        return self._waiting

    @property
    def ahead(self) -> int:
        """The jobs a job submitted now would wait for: those waiting, and the running one."""
        return self._waiting + (self._running is not None)

    def submit(self, work: Work, gone: Callable[[], bool] | None = None, *, label: str = "",
               bounded: bool = True) -> Job:
        """Queue `work` behind the others; QueueFull if `bounded` and `max_waiting` jobs already wait,
        QueueClosed once the queue is closed."""
        with self._lock:
            if self._closed:
                raise QueueClosed()
            if bounded and self._waiting >= self.max_waiting:
                raise QueueFull(max(1, min(60, math.ceil(self._seconds_per_job * self._waiting))))
            self._waiting += 1
            job = Job(work, gone, label)
            self._jobs.put(job)
        return job

    def close(self, timeout: float = 5.0) -> None:
        """Cancel the running job, end the waiting ones with QueueClosed, stop the engine's thread."""
        with self._lock:
            self._closed = True
            running = self._running
            self._jobs.put(None)
        if running is not None:
            running.cancel()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._lock:
                self._waiting -= 1
                if self._closed:
                    job.events.put(Done(QueueClosed()))
                    continue
                self._running = job
            job.started = True
            started = time.monotonic()
            self._tell(job, True)
            try:
                if not job.cancelled():
                    for event in job.work(self.engine, job.cancelled):
                        job.events.put(event)
                job.events.put(Done(QueueClosed() if self._closed and job.cancelled() else None))
            except Exception as error:  # the engine's thread outlives whatever one job does
                job.events.put(Done(error))
            self._running = None
            self._tell(job, False)
            self._seconds_per_job = 0.8 * self._seconds_per_job + 0.2 * (time.monotonic() - started)

    def _tell(self, job: Job, running: bool) -> None:
        if self.on_job is not None:
            try:
                self.on_job(job, running)
            except Exception:  # a listener's failure never stops the engine's thread
                pass
