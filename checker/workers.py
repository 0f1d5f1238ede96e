"""Work on chunks in worker processes, results in input order.

Each worker is a process (`spawn`ed unless the caller asks for `fork`)
with its own pipe. The parent sends a
worker one chunk at a time and reads its results before sending the next,
so neither side can block the other, and input is read only as fast as it
is worked on. Chunk i goes to worker i mod N, which keeps results in order.

A worker that cannot start, or dies (killed, out of memory), closes its end
of the pipe; the parent sees that at once and raises `WorkerFailure`. An
exception raised by the work itself is sent back and raised again in the
parent, so callers handle their own errors as in one process. Pools
from the standard library either start replacement workers for ever when
start-up fails (`multiprocessing.Pool`) or can wait for ever on a worker
killed while sending its results (`ProcessPoolExecutor`).
"""
from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

C = TypeVar("C")
R = TypeVar("R")

_READY = "ready"
_STOP_SECONDS = 5


class WorkerFailure(RuntimeError):
    """A worker process could not start or died; the run cannot go on."""


def map_in_workers(chunks: Iterable[C], jobs: int, start: Callable[..., Callable[[C], R]],
                   start_args: tuple[Any, ...] = (), method: str = "spawn") -> Iterator[R]:
    """`work(chunk)` for every chunk, in order, where each of `jobs` worker
    processes builds `work = start(*start_args)` once. With `spawn`, `start`
    and its arguments must pickle (a module-level function); `fork` workers
    inherit them. Chunks and results always pickle."""
    workers = [_Worker.spawn(method, start, start_args) for _ in range(jobs)]
    try:
        for worker in workers:
            worker.wait_ready()
        busy: list[bool] = [False] * jobs
        index = -1
        for index, chunk in enumerate(chunks):
            worker = workers[index % jobs]
            if busy[index % jobs]:
                done = worker.result()
                worker.send(chunk)         # before handing back results: it works while they are used
                yield done
            else:
                worker.send(chunk)
                busy[index % jobs] = True
        for offset in range(1, jobs + 1):           # the last chunks, in order
            position = (index + offset) % jobs
            if busy[position]:
                yield workers[position].result()
                busy[position] = False
        for worker in workers:
            worker.stop()
    finally:
        for worker in workers:
            worker.kill()


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    @classmethod
    def spawn(cls, method: str, start: Callable, start_args: tuple) -> _Worker:
        context = multiprocessing.get_context(method)
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, start, start_args), daemon=True)
        process.start()
        theirs.close()           # so that the worker's death is an end of file here
        return cls(process, ours)

    def wait_ready(self) -> None:
        message = self._receive("could not start")
        if message != _READY:
            raise WorkerFailure(f"a worker process could not start: {message}")

    def send(self, chunk: object) -> None:
        try:
            self.connection.send(chunk)
        except OSError:
            raise self._died() from None

    def result(self) -> Any:
        done, value = self._receive("died")
        if not done:
            raise value            # the work's own exception, raised again here
        return value

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(_STOP_SECONDS)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(_STOP_SECONDS)
        self.connection.close()

    def _receive(self, what: str) -> Any:
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            raise self._died(what) from None

    def _died(self, what: str = "died") -> WorkerFailure:
        self.process.join(_STOP_SECONDS)
        code = self.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return WorkerFailure(f"a worker process {what} ({how}; killed, or out of memory?); "
                             "run again with --jobs 1 to work in one process")


def _serve(connection: Connection, start: Callable, start_args: tuple) -> None:
    """A worker's life: build the work function, then one chunk at a time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the parent handles Ctrl-C and stops us
    try:
        work = start(*start_args)
    except Exception as error:
        connection.send(f"{type(error).__name__}: {error}")
        return
    connection.send(_READY)
    while (chunk := connection.recv()) is not None:
        try:
            connection.send((True, work(chunk)))
        except Exception as error:
            connection.send((False, error))
