"""Compiled rule packs kept on disk, so that a command does not parse and
validate every YAML pack again on each start (and, per language, how its
tokenizer splits the packs' phrases: `checker.matchers`).

The cache holds the `RuleSet` that loading the packs built, under a key made
of clearlabel's version, the cache format, the source of the modules that
build it, the options that change what is loaded, and the path and bytes of
every pack file. A pack that changes, an added or removed pack, another
version of clearlabel: another key, so a stale entry is never read; it is
simply not found, and the packs are loaded and the entry written afresh.
Deleting the cache is always safe.

Where: `$CLEARLABEL_CACHE_DIR`, else `$XDG_CACHE_HOME/clearlabel`, else
`~/.cache/clearlabel`. `CLEARLABEL_NO_CACHE=1` turns it off.

Threat model. Whoever can write the cache decides the rules a run applies,
so the cache is only used where only the user can write: the directory is
created private (0700), and a directory or file that another user owns, or
that group or others may write, is neither read nor written. Entries are
JSON, never pickle: reading one builds only the rule-pack classes listed in
`_CLASSES`, from plain values, and can run no code whatever the file holds.
Each entry carries the SHA-256 of its body, so a truncated or damaged file is
rebuilt instead of half-read. Packs are validated when they are loaded from
YAML, before an entry is written; an entry is trusted as much as the user's
own files.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable

from . import __version__
from .model import Severity, Strength, Verdict
from .packs import Examples, LexiconLabel, Market, Matchable, Rule, RuleSet, Signal

FORMAT = 1
KEEP_ENTRIES = 8
_CLASSES = {cls.__name__: cls for cls in (RuleSet, Signal, LexiconLabel, Market, Rule, Matchable, Examples)}
_ENUMS = {cls.__name__: cls for cls in (Severity, Strength, Verdict)}


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    if os.environ.get("CLEARLABEL_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("CLEARLABEL_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "clearlabel"


def cached_ruleset(files: Iterable[Path], options: Iterable[str], build: Callable[[], RuleSet]) -> RuleSet:
    """The RuleSet `build()` makes from pack `files`, from the cache when an
    entry for exactly these files and `options` exists."""
    parts = [f"option {option}" for option in options]
    for path in files:
        try:
            parts.append(f"file {path.resolve()}\n".encode() + path.read_bytes())
        except OSError:
            return build()                  # loading reports it
    found = cached("packs", parts, lambda: _encode(build()), _CODE_OF_PACKS)
    ruleset = _decoded(found)
    return ruleset if ruleset is not None else build()


def cached(kind: str, parts: Iterable[str | bytes], build: Callable[[], Any], code: Iterable[str] = ()) -> Any:
    """The JSON value `build()` makes, from the cache when an entry of `kind`
    for exactly these `parts` exists; `code` names the modules of clearlabel
    whose source shapes the value (a checkout edited in place keeps its
    version number, not its code)."""
    directory = cache_dir()
    if directory is None:
        return build()
    digest = hashlib.sha256(f"clearlabel {__version__} cache {FORMAT} {kind}\n".encode())
    for part in [*(_source(module) for module in code), *parts]:
        data = part.encode() if isinstance(part, str) else part
        digest.update(f"{len(data)}\n".encode() + data)
    path = directory / f"{kind}-{digest.hexdigest()[:40]}.json"
    found = _read(path)
    if found is not None:
        return found
    value = build()
    _write(directory, path, value, kind)
    return value


_CODE_OF_PACKS = ("packs", "normalise", "yamlsafe", "model")


def _source(module: str) -> bytes:
    try:
        return (Path(__file__).parent / f"{module}.py").read_bytes()
    except OSError:
        return module.encode()


def _decoded(value: Any) -> RuleSet | None:
    try:
        ruleset = _decode(value)
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    return ruleset if isinstance(ruleset, RuleSet) else None


# --------------------------------------------------------------------------- safe places

def _private(path: Path, *, directory: bool) -> bool:
    """Owned by this user, writable by nobody else, and what it should be."""
    try:
        info = path.lstat()
    except OSError:
        return False
    kind_ok = stat.S_ISDIR(info.st_mode) if directory else stat.S_ISREG(info.st_mode)
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return kind_ok and owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path) -> Any:
    if not (_private(path.parent, directory=True) and _private(path, directory=False)):
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, _, body = raw.partition(b"\n")
    if head != b"sha256 " + hashlib.sha256(body).hexdigest().encode():
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _write(directory: Path, path: Path, value: Any, kind: str) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(directory, directory=True):
            return
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(b"sha256 " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(temporary, path)
        _prune(directory, kind)
    except (OSError, TypeError, ValueError):
        return          # a cache that cannot be written only costs time


def _prune(directory: Path, kind: str) -> None:
    entries = sorted(directory.glob(f"{kind}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        old.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the JSON form

def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"$enum": type(value).__name__, "value": value.value}
    if is_dataclass(value) and type(value).__name__ in _CLASSES:
        return {"$class": type(value).__name__,
                "fields": {f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, frozenset):
        return {"$frozenset": sorted((_encode(item) for item in value), key=repr)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(key), _encode(item)] for key, item in value.items()]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$class" in value:
        cls = _CLASSES[value["$class"]]
        return cls(**{name: _decode(item) for name, item in value["fields"].items()})
    if "$enum" in value:
        return _ENUMS[value["$enum"]](value["value"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$frozenset" in value:
        return frozenset(_decode(item) for item in value["$frozenset"])
    if "$tuple" in value:
        return tuple(_decode(item) for item in value["$tuple"])
    if "$dict" in value:
        return {_decode(key): _decode(item) for key, item in value["$dict"]}
    raise ValueError("not an entry of the pack cache")
