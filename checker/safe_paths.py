"""File names from untrusted names, and writing only inside one directory.

Handles come from exported posts, so they can be anything: `../../etc/x`,
`con`, an empty string, ten thousand characters of emoji. `safe_filename`
turns any of them into one portable path component, and `OutputDir` writes
files only below its root and never over a file that some other program
wrote: a file is replaced only when it carries the caller's marker (for
reports, the generator tag clearlabel puts in every page).
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

# Names Windows reserves for devices, with or without an extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{n}" for n in range(10)}
    | {f"lpt{n}" for n in range(10)}
)
_UNSAFE_RUN = re.compile(r"[^a-z0-9._-]+")
_COMPONENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_ALREADY_SAFE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
_MAX_STEM = 60
# How much of an existing file is read to recognise it as ours.
_HEAD_BYTES = 8192
# Control characters a post may hold (NUL, ESC, C1): invalid in HTML and XML,
# and obeyed by a terminal that shows a Markdown or CSV report. Reports carry
# them as visible escapes (`\x1b`); tab, line feed and carriage return stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same characters in UTF-8, one byte each below 0x80 and two above:
# finding that a file has none (the usual case) is several times faster in
# its bytes than in its text.
_ASCII_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_CONTROL_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


class OutputError(Exception):
    """A file cannot be written where asked, or would replace a file that is not ours."""


def safe_filename(name: str, suffix: str = "") -> str:
    """A portable file name for `name`: lower-case ASCII letters, digits, `.`,
    `_` and `-`, no leading dot, no reserved device name, at most ~70
    characters before `suffix`.

    A name that had to change gets a short hash of the original appended, so
    two different names never map to the same file (`Maya` and `maya`, or
    `a/b` and `a_b`), and a name that is already safe stays as it is.
    """
    if _ALREADY_SAFE.match(name) and name.split(".")[0] not in _RESERVED and len(name) <= _MAX_STEM:
        return name + suffix
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_RUN.sub("_", folded.lower()).strip("._-")[:_MAX_STEM].rstrip("._-") or "unnamed"
    if stem == name and stem.split(".")[0] not in _RESERVED:
        return name + suffix
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    # The hash goes before the first dot: Windows reserves "aux.txt" as it does "aux".
    head, dot, rest = stem.partition(".")
    stem = f"{head}-{digest}{dot}{rest}"
    return stem + suffix


class OutputDir:
    """Writes files below `root`, and nowhere else.

    Paths are given as components (`"influencers", "maya.html"`), each of
    which must already be a plain file name; a component that could climb out
    (`..`, a separator, a drive) is refused, and so is any path that resolves
    outside the root through a symbolic link.
    """

    def __init__(self, root: Path) -> None:
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise OutputError(f"{root}: exists and is not a directory")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"{root}: cannot create directory: {error.strerror}") from error
        self.root = root.resolve()

    def path(self, *parts: str) -> Path:
        """The absolute path of `parts` below the root, after checking each part."""
        if not parts:
            raise OutputError("no file name given")
        for part in parts:
            if not _COMPONENT.match(part) or part in (".", ".."):
                raise OutputError(f"{part!r}: not a plain file name")
        target = self.root.joinpath(*parts)
        parent = target.parent.resolve()
        if parent != self.root and self.root not in parent.parents:
            raise OutputError(f"{target}: outside the output directory {self.root}")
        return target

    def check_replaceable(self, target: Path, marker: str) -> None:
        """Refuse if `target` exists and is not a file carrying `marker`."""
        if target.is_symlink():
            raise OutputError(f"{target}: is a symbolic link; refusing to write through it")
        if not target.exists():
            return
        if not target.is_file():
            raise OutputError(f"{target}: exists and is not a regular file")
        with target.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
        if marker.encode("utf-8") not in head:
            raise OutputError(
                f"{target}: exists and was not written by clearlabel; "
                "refusing to overwrite it (move it away or choose another output directory)"
            )

    def ensure_dir(self, *parts: str) -> Path:
        directory = self.path(*parts)
        if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
            raise OutputError(f"{directory}: exists and is not a directory")
        directory.mkdir(exist_ok=True)
        return directory

    def write_text(self, parts: tuple[str, ...], content: str, marker: str, *, encoding: str = "utf-8") -> Path:
        """Write `content` to `parts` below the root, replacing only a file
        that carries `marker`; `content` itself must carry it, so the next run
        recognises the file. The file appears whole or not at all."""
        if marker not in content[:_HEAD_BYTES]:
            raise OutputError(f"{'/'.join(parts)}: content lacks the marker {marker!r} near its start")
        data = _encoded(content, encoding)
        target = self.path(*parts)
        self.check_replaceable(target, marker)
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


def _encoded(content: str, encoding: str) -> bytes:
    """`content` encoded, control characters as visible escapes (`\\x1b`).
    Lone surrogates from a post's JSON cannot be encoded: they are written
    as a visible escape (`\\ud800`) rather than failing the whole report."""
    data = content.encode(encoding, "backslashreplace")
    if encoding in ("utf-8", "utf-8-sig") and not _has_control(data):
        return data
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], content).encode(encoding, "backslashreplace")


def _has_control(utf8: bytes) -> bool:
    return len(utf8.translate(None, _ASCII_CONTROL_BYTES)) != len(utf8) or _C1_CONTROL_UTF8.search(utf8) is not None
