"""Test-session set-up shared by every test module.

No test may write to the real home directory: `clearlabel audit` records
every run in the history store of the user's data directory, so the session
points XDG_DATA_HOME (which child processes inherit too) at a temporary
directory.
"""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _data_directory_in_tmp(tmp_path_factory):
    previous = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    yield
    if previous is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = previous


# --- PostgreSQL -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session, started from the installed
    binaries and stopped at the end. Skipped, with the reason, only where no
    PostgreSQL is installed; under CI (which installs it) that is a failure."""
    from postgres_server import PostgresServer, server_binaries

    binaries = server_binaries()
    problem = None
    if binaries is None:
        problem = ("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql/*/bin; "
                   "apt-get install postgresql (CI does), or set CLEARLABEL_PG_BIN")
    else:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            problem = "psycopg is not installed: pip install '.[test]'"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
        pytest.skip(problem)
    server = PostgresServer(binaries)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A fresh, empty history store: a SQLite file, or a new database on the
    session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite3")
    server = request.getfixturevalue("postgres_server")
    return server.url(server.new_database())


# --- rule packs -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rules_loaded_once():
    """In-process CLI runs share one load of the bundled rule packs (each run
    would otherwise load them again, about a second)."""
    from functools import cache

    from checker import cli_run
    from checker.packs import load_ruleset

    bundled = cache(load_ruleset)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_run, "load_ruleset", lambda dirs=(), **kw: bundled() if not dirs else load_ruleset(dirs, **kw))
        yield
