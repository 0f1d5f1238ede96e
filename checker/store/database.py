"""Connections to the store's database, and its transactions.

SQLite: write-ahead logging (readers never wait for the writer), a busy
timeout (a writer waits for another instead of failing at once), and write
transactions that take the write lock when they start (`BEGIN IMMEDIATE`):
a transaction that first reads and later writes could otherwise fail at
once, without waiting, when another audit wrote in between.

PostgreSQL: ordinary transactions, a `lock_timeout`, and an advisory lock
around schema changes so two first runs do not both create the tables.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from .errors import StoreError, explain
from .location import StoreLocation

_WRITE = "clearlabel_write"
# pg_advisory_xact_lock key for schema changes: "clearlab" as a 64-bit number.
_SCHEMA_LOCK = 0x636C6561726C6162


def utc_now() -> str:
    """Now, as the store keeps times: ISO 8601 in UTC with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def connect(location: StoreLocation) -> Engine:
    if location.kind == "sqlite":
        return _sqlite_engine(location)
    return _postgres_engine(location)


def _sqlite_engine(location: StoreLocation) -> Engine:
    engine = create_engine(location.url, poolclass=NullPool, connect_args={"timeout": location.timeout})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # The driver's own transaction handling is switched off, so that the
        # "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(location.timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


def _postgres_engine(location: StoreLocation) -> Engine:
    milliseconds = int(location.timeout * 1000)
    try:
        return create_engine(location.url, poolclass=NullPool, connect_args={
            "connect_timeout": max(1, int(location.timeout)),
            "options": f"-c lock_timeout={milliseconds} -c idle_in_transaction_session_timeout=0",
            "application_name": "clearlabel",
        })
    except (ImportError, NoSuchModuleError):
        raise StoreError(location.shown, "the PostgreSQL driver (psycopg) is not installed",
                         "install it with pip install 'clearlabel[postgresql]', or run with --no-store") from None


@contextmanager
def transaction(engine: Engine, location: StoreLocation, *, write: bool, schema: bool = False) -> Iterator[Connection]:
    """A transaction on the store; database errors become `StoreError`s."""
    try:
        with engine.connect() as conn:
            if write:
                conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if schema and location.kind == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
                yield conn
    except StoreError:
        raise
    except (DBAPIError, SQLAlchemyError) as error:
        raise explain(error, location.shown, location.kind, location.timeout) from None
