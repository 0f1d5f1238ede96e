"""Where the history store lives: a SQLite file (the default) or a
PostgreSQL database shared by a team.

`--store PATH_OR_URL`, else `store:` in the configuration, else
`history.sqlite3` in the user's data directory: `$XDG_DATA_HOME/clearlabel`
when XDG_DATA_HOME is set, else `~/.local/share/clearlabel` on Linux and
other Unix systems, `~/Library/Application Support/clearlabel` on macOS and
`%LOCALAPPDATA%\\clearlabel` on Windows.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import StoreError

DEFAULT_FILE_NAME = "history.sqlite3"
DEFAULT_TIMEOUT = 30.0          # seconds to wait for a lock another audit holds
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class StoreLocation:
    kind: str                 # "sqlite" or "postgresql"
    url: str                  # what SQLAlchemy connects to
    shown: str                # for messages: the file, or the address without its password
    path: Path | None = None  # the SQLite file
    timeout: float = DEFAULT_TIMEOUT


def data_directory() -> Path:
    """The user's data directory for clearlabel (not created here)."""
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "clearlabel"
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "clearlabel"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "clearlabel"
    return Path.home() / ".local" / "share" / "clearlabel"


def default_store_path() -> Path:
    return data_directory() / DEFAULT_FILE_NAME


def resolve_store(value: str | None) -> StoreLocation:
    """The store that `value` (a path, `sqlite:///PATH` or `postgresql://…`,
    None for the default) names. A `timeout=SECONDS` query parameter sets how
    long to wait for a lock."""
    if value is None or not value.strip():
        return _sqlite(default_store_path(), DEFAULT_TIMEOUT)
    value = value.strip()
    if "://" not in value:
        return _sqlite(Path(value).expanduser(), DEFAULT_TIMEOUT)
    parts = urlsplit(value)
    query = parse_qsl(parts.query, keep_blank_values=True)
    timeout = _timeout(value, [item for name, item in query if name == "timeout"])
    rest = [(name, item) for name, item in query if name != "timeout"]
    if parts.scheme == "sqlite":
        path = value.split("://", 1)[1].split("?", 1)[0]
        if not path.startswith("/") or path == "/":
            raise StoreError(value, "is not a SQLite address", "write sqlite:///relative/path or sqlite:////absolute/path")
        return _sqlite(Path(path[1:]).expanduser() if path[1:] else Path(path), timeout)
    if parts.scheme in _POSTGRES_SCHEMES:
        address = urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, urlencode(rest), ""))
        return StoreLocation("postgresql", address, _without_password(parts, rest), None, timeout)
    raise StoreError(value, f"'{parts.scheme}://' is not a store clearlabel can use",
                     "give a file path, sqlite:///PATH or postgresql://USER@HOST/DATABASE")


def _sqlite(path: Path, timeout: float) -> StoreLocation:
    absolute = path if path.is_absolute() else Path.cwd() / path
    return StoreLocation("sqlite", f"sqlite:///{absolute}", str(absolute), absolute, timeout)


def _timeout(value: str, given: list[str]) -> float:
    if not given:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(given[-1])
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise StoreError(value, f"timeout={given[-1]} is not a number of seconds", "write timeout=30, for example")
    return seconds


def _without_password(parts, query: list[tuple[str, str]]) -> str:
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return urlunsplit(("postgresql", netloc, parts.path, urlencode(query), ""))
