"""The audit on a Dask cluster: `clearlabel audit SOURCES --scheduler ADDRESS`.

The inputs are cut into the pieces a local run uses (`checker.readers.blocks`:
blocks of JSON Lines files, other files whole), and each piece is read and
audited by a Dask task on a worker: the client only plans the pieces (it
reads the first records of each file, to settle its shape) and takes the
outcomes back, in input order, into the same run loop as a local run
(`checker.runloop.RunLoop`). JSON and JSON Lines reports are rendered on
the workers. The report, the summary and the exit code are therefore the
bytes of a local run of the same inputs.

Tasks are pure functions of their piece: a worker lost mid-run has its
tasks run again elsewhere by Dask, and since the client takes each piece's
outcomes once, in order, nothing is lost or counted twice.

Inputs may be paths, glob patterns and any URL that fsspec and its
installed filesystems read (`s3://…` with s3fs); the workers must reach
them by the same names. Standard input cannot be sent to a cluster.

For people who hold posts in Dask already, `audit_bag` and
`audit_dataframe` audit a bag of post records or a dataframe of posts.
"""
from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Mapping

from . import gcpause
from .model import Rejected, Summary
from .readers.blocks import Block, Piece, count_line_ends, expand_sources, number_blocks, plan_pieces
from .readers.pipeline import posts_from_values
from .readers.sources import STDIN_NAME
from .runloop import AuditSetup, Outcome, PieceAuditor, RunLoop, audit_records, block_bytes_for, input_bytes
from .serialize import rejected_to_dict, result_to_dict
from .settings import Settings

INSTALL_HINT = "pip install 'clearlabel[dask]'"
LOCAL = "local"
CONNECT_SECONDS = 30


class DaskUnavailable(RuntimeError):
    """Dask is not installed, or the scheduler cannot be reached."""


def _dask():
    try:
        import dask.bag  # noqa: F401
        import distributed
    except ImportError:
        raise DaskUnavailable(f"--scheduler needs Dask, an optional extra: {INSTALL_HINT}") from None
    return distributed


class _Connection:
    """A client of the scheduler at `address`, or of a local cluster started
    for the run (`local`, `local:N`) and stopped after it."""

    def __init__(self, address: str) -> None:
        distributed = _dask()
        self.cluster = None
        try:
            if address == LOCAL or address.startswith(LOCAL + ":"):
                workers = _local_workers(address)
                self.cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                        dashboard_address=None, silence_logs=40)
                self.client = distributed.Client(self.cluster)
            else:
                self.client = distributed.Client(address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            self.close()
            raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {error}") from None

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _local_workers(address: str) -> int:
    from .runloop import available_cores

    count = address.partition(":")[2]
    if not count:
        return available_cores()
    if not count.isdigit() or not 1 <= int(count) <= 256:
        raise DaskUnavailable(f"--scheduler {address}: give local:N with N a number of worker processes")
    return int(count)


def audit_on_cluster(loop: RunLoop, paths: Sequence[str], address: str) -> Summary:
    """Audit `paths` on the cluster at `address` into `loop`."""
    gcpause.resume()            # this process builds no pipeline
    with _Connection(address) as connection:
        return audit_with_client(connection.client, loop, paths)


def audit_with_client(client, loop: RunLoop, paths: Sequence[str],
                      on_piece: Callable[[int], None] | None = None) -> Summary:
    """Audit `paths` with the Dask `client` into `loop`; `on_piece(i)` is
    called once the outcomes of piece i were taken."""
    paths = expand_sources(paths)
    if STDIN_NAME in paths:
        raise DaskUnavailable("standard input cannot be audited on a cluster: name files or URLs")
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pieces = plan_pieces(paths, loop.setup.read, block_bytes_for(input_bytes(paths), workers))
    pieces = _numbered(client, pieces)
    futures = client.map(audit_piece, pieces, setup=loop.setup, key=_keys("clearlabel-audit", pieces, loop.setup))
    for index, (piece, future) in enumerate(zip(pieces, futures)):
        loop.take_piece(future.result(), _bytes_of(piece))
        future.release()
        if on_piece is not None:
            on_piece(index)
    return loop.finish()


def _numbered(client, pieces: list[Piece]) -> list[Piece]:
    """The blocks' first lines, from line ends counted on the workers."""
    blocks = [piece for piece in pieces if isinstance(piece, Block)]
    counts = iter(client.gather(client.map(count_line_ends, blocks, key=_keys("clearlabel-count", blocks))))
    return list(number_blocks((piece, next(counts) if isinstance(piece, Block) else None) for piece in pieces))


def _keys(prefix: str, pieces: Sequence[Piece], setup: AuditSetup | None = None) -> list[str]:
    from dask.base import tokenize

    salt = tokenize(pickle.dumps(setup)) if setup is not None else ""
    return [f"{prefix}-{index}-{tokenize(piece, salt)}" for index, piece in enumerate(pieces)]


def _bytes_of(piece: Piece) -> int:
    return piece.end - piece.start if isinstance(piece, Block) else input_bytes([piece.path])


# --------------------------------------------------------------------------- on the workers

# One auditor per setup in each worker process, built by its first task.
# Tasks of one process audit one at a time: the auditor's caches are not
# shared between threads, and the GIL would serialise them anyway.
_AUDITORS: dict[bytes, PieceAuditor] = {}
_LOCK = threading.Lock()


def _piece_auditor(setup: AuditSetup) -> PieceAuditor:
    key = pickle.dumps(setup)
    found = _AUDITORS.get(key)
    if found is None:
        found = _AUDITORS[key] = PieceAuditor(setup)
    return found


def audit_piece(piece: Piece, setup: AuditSetup) -> list:
    """A task: the outcomes of one piece of the input."""
    with _LOCK:
        return _piece_auditor(setup)(piece)


def _audit_values(values: Iterable[Any], setup: AuditSetup, name: str) -> list[dict]:
    """A bag partition: posts or post records in, result dicts out."""
    with _LOCK:
        work = _piece_auditor(setup)
        outcomes = audit_records(work.auditor, posts_from_values(values, name, setup.read), setup)
        return [_as_dict(outcome) for outcome in outcomes]


def _as_dict(outcome: Outcome) -> dict:
    if isinstance(outcome, Rejected):
        return rejected_to_dict(outcome)
    if outcome.over_budget is not None:
        return rejected_to_dict(outcome.over_budget)
    if outcome.result is None:
        named = f" (named: {', '.join(outcome.unknown)})" if outcome.unknown else ""
        return rejected_to_dict(Rejected(outcome.path or "-", outcome.line,
                                         f"post {outcome.id!r} has no market with a rule pack{named}; "
                                         "give markets= or Settings(markets=...)"))
    return result_to_dict(outcome.result)


# --------------------------------------------------------------------------- Python API

def audit_bag(posts, settings: Settings | None = None, *, markets: Sequence[str] = (),
              column_map: Mapping[str, str] | None = None, name: str = "bag"):
    """Audit a Dask bag of posts: `Post` objects, or records (dicts) in any
    shape `clearlabel audit` reads from JSON Lines (the canonical fields, or
    a platform export's). Returns a bag of dicts in the schema of
    `clearlabel audit --format jsonl`: one `"type": "post"` object per post,
    a `"type": "rejected"` one per record that cannot be read or judged
    (posts with no market need `markets` or `Settings(markets=…)`).

        >>> import dask.bag as db
        >>> from checker.distributed import audit_bag
        >>> bag = db.from_sequence([{"id": "1", "text": "Use code MAYA15 #ad", "market": "GB"}])
        >>> audit_bag(bag).pluck("verdict").compute()
        ['disclosed']
    """
    _dask()
    from .readers import read_options

    setup = AuditSetup(settings or Settings(), tuple(market.upper() for market in markets),
                       read_options(column_map=column_map,
                                    default_language=(settings or Settings()).language))
    return posts.map_partitions(_audit_values, setup, name)


def audit_dataframe(frame, settings: Settings | None = None, *, markets: Sequence[str] = (),
                    column_map: Mapping[str, str] | None = None, name: str = "dataframe"):
    """Audit a Dask dataframe with a row per post (columns named as the
    post fields, or mapped with `column_map`, e.g. `{"text": "Message"}`);
    returns a bag of result dicts, as `audit_bag`."""
    return audit_bag(frame.to_bag(format="dict"), settings, markets=markets, column_map=column_map, name=name)

