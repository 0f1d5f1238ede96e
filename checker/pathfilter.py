"""`exclude:` / `--exclude` globs, matched like .gitignore lines.

A pattern without a slash matches a file or directory name anywhere
(`README.md`, `*.bak`, `archive`); a pattern with a slash is anchored at
its base directory, the configuration file's for `exclude:` and the working
directory for `--exclude` (`drafts/old/**`, `drafts/*/notes.md`). `*` and
`?` stay within one path component, `**` spans any number of them. A
directory that matches excludes everything under it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


def _glob_regex(pattern: str) -> str:
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:[^/]*/)*")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = pattern.find("]", index + 1)
            if close < 0:
                out.append(re.escape(char))
            else:
                body = pattern[index + 1:close].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


@dataclass(frozen=True)
class PathPattern:
    pattern: str
    base: str                 # absolute directory anchored patterns are relative to
    where: str = ""           # "file:line" or "--exclude", for messages

    @cached_property
    def _compiled(self) -> re.Pattern[str]:
        return re.compile(_glob_regex(self.pattern.strip("/")) + r"\Z")

    @property
    def anchored(self) -> bool:
        return "/" in self.pattern.strip("/")

    def matches(self, path: Path) -> bool:
        """Whether `path` (a file or directory) or one of its parent
        directories matches."""
        absolute = Path(os.path.abspath(path))
        relative = _relative(absolute, self.base)
        if not self.anchored:
            # Only the components below the base (or the working directory)
            # count: a pattern must not match a directory the user is in.
            below = relative or _relative(absolute, os.getcwd()) or absolute.name
            return any(self._compiled.match(part) for part in below.split("/"))
        if relative is None:
            return False
        parts = relative.split("/")
        return any(self._compiled.match("/".join(parts[:count])) for count in range(1, len(parts) + 1))

    def describe(self) -> str:
        return f"{self.pattern!r}" + (f" ({self.where})" if self.where else "")


def _relative(path: Path, base: str) -> str | None:
    try:
        relative = path.relative_to(base).as_posix()
    except ValueError:
        return None
    return None if relative == "." else relative


def excluded_by(path: Path, patterns: tuple[PathPattern, ...]) -> PathPattern | None:
    """The first pattern that excludes `path`, if any."""
    return next((pattern for pattern in patterns if pattern.matches(path)), None)
