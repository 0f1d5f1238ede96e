"""Which files `clearlabel check` reads as drafts.

A draft is a YAML or JSON brief (`.yml`, `.yaml`, `.json`), a text file
(`.txt`), or a Markdown file (`.md`, `.markdown`) that opens with front
matter (a `---` line): a Markdown file without it is documentation (a
README, notes), not a post. Hidden files and directories are never read,
and `exclude` patterns leave out whatever they match, whether it was found
in a directory or named on the command line (pre-commit names each file).
Files left out are recorded with the reason, for `--verbose`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from ..model import Rejected
from ..pathfilter import PathPattern, excluded_by

DRAFT_SUFFIXES = (".md", ".markdown", ".txt", ".yml", ".yaml", ".json")
MARKDOWN_SUFFIXES = (".md", ".markdown")
_FRONT_MATTER_PROBE = 4096


@dataclass(frozen=True)
class Skipped:
    """A file that was not read, and why."""
    path: str
    reason: str
    named: bool = False         # named on the command line, not found in a directory


def display_path(path: Path) -> str:
    """The path as findings show it: relative to the working directory when
    inside it, with forward slashes."""
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_posix()
    return Path(os.path.normpath(path)).as_posix()


def opens_with_front_matter(path: Path) -> bool:
    """Whether the file's first line is `---`; an unreadable file counts as
    a draft, so that reading it reports the problem."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_FRONT_MATTER_PROBE)
    except OSError:
        return True
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return first.rstrip(b" \t\r") == b"---"


def _not_a_draft(path: Path) -> str | None:
    name = path.name.lower()
    if not name.endswith(DRAFT_SUFFIXES):
        return f"not a draft file (drafts are {', '.join(DRAFT_SUFFIXES)})"
    if name.endswith(MARKDOWN_SUFFIXES) and not opens_with_front_matter(path):
        return "Markdown without front matter: not a draft (a draft opens with a '---' block)"
    return None


def draft_files(paths: Sequence[str], exclude: tuple[PathPattern, ...] = (),
                skipped: list[Skipped] | None = None) -> Iterator[Path | Rejected]:
    """Draft files named or found under the given directories, each once, in
    path order; files left out go to `skipped`."""
    sink: list[Skipped] = skipped if skipped is not None else []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            candidates = _walk(path, exclude, sink)
        elif path.is_file():
            pattern = excluded_by(path, exclude)
            if pattern is not None:
                sink.append(Skipped(display_path(path), f"excluded by {pattern.describe()}", named=True))
                continue
            if not path.name.lower().endswith(DRAFT_SUFFIXES):
                yield Rejected(display_path(path), 0, f"not a draft file (expected {', '.join(DRAFT_SUFFIXES)})")
                continue
            reason = _not_a_draft(path)
            if reason is not None:
                sink.append(Skipped(display_path(path), reason, named=True))
                continue
            candidates = [path]
        else:
            yield Rejected(display_path(path), 0, "no such file or directory")
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _walk(directory: Path, exclude: tuple[PathPattern, ...], sink: list[Skipped]) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        kept_dirs = []
        for name in sorted(dirs):
            if name.startswith("."):
                continue
            pattern = excluded_by(Path(root, name), exclude)
            if pattern is not None:
                sink.append(Skipped(display_path(Path(root, name)) + "/", f"excluded by {pattern.describe()}"))
            else:
                kept_dirs.append(name)
        dirs[:] = kept_dirs
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root, name)
            pattern = excluded_by(path, exclude)
            reason = f"excluded by {pattern.describe()}" if pattern is not None else _not_a_draft(path)
            if reason is None:
                found.append(path)
            else:
                sink.append(Skipped(display_path(path), reason))
    return sorted(found)
