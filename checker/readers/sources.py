"""Opening what the user named: a file, `-` for standard input, maybe gzipped.

Whatever can go wrong with the file as a whole (missing, a directory, no
permission, empty, damaged compression) becomes a `Rejected` with line 0, so
the caller reports it and goes on with the other files.
"""
from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from ..model import Rejected
from .decoding import ERRORS

STDIN_NAME = "-"
STDIN_DISPLAY = "<stdin>"
HEAD_BYTES = 64 * 1024
BLANK = " \t\r\n\ufeff"

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_GZIP_MAGIC = b"\x1f\x8b"
DAMAGED_STREAM_ERRORS = (OSError, EOFError, zlib.error)


@dataclass
class Source:
    """An opened input, positioned after any byte-order mark."""
    display: str               # the path as the user gave it, or <stdin>
    id_prefix: str             # file name used in generated post ids
    suffix: str                # extension naming the format (".jsonl"), "" if none
    stream: BinaryIO
    encoding: str              # Python codec name
    head: str                  # the decoded beginning, for sniffing the format
    whole_file_in_head: bool
    _closers: list = field(default_factory=list)
    # A block of a file (`checker.readers.blocks`): the number of its first
    # line, and how many bytes on no new line may start (None: to the end).
    first_line: int = 1
    stop: int | None = None
    compressed: bool = False   # gzip: cannot be read in blocks
    size: int = 0              # bytes in the file as stored (0: unknown, standard input)

    @property
    def is_stdin(self) -> bool:
        return self.display == STDIN_DISPLAY

    @property
    def is_empty(self) -> bool:
        return self.whole_file_in_head and not self.head.strip(BLANK)

    @property
    def encoding_label(self) -> str:
        """The encoding as people name it: "UTF-16" for utf-16-le."""
        return self.encoding.upper().removesuffix("-LE").removesuffix("-BE")

    def close(self) -> None:
        _close_all(self._closers)

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class StdinGuard:
    """Standard input can be read once per run; a second `-` is reported."""

    def __init__(self, stdin: BinaryIO | None) -> None:
        self._stdin = stdin
        self.used = False

    def take(self) -> BinaryIO | str:
        """The stream, or the reason it cannot be read."""
        if self.used:
            return "standard input was already read earlier in this run"
        self.used = True
        stream = self._stdin
        if stream is None:
            text_stdin = sys.stdin
            if text_stdin is None:
                return "standard input is not available"
            stream = getattr(text_stdin, "buffer", None)
            if stream is None:
                return "standard input is not available"
        if getattr(stream, "closed", False):
            return "standard input is closed: no posts"
        return stream


def open_source(path: str, stdin: StdinGuard) -> Source | Rejected:
    if path == STDIN_NAME:
        taken = stdin.take()
        if isinstance(taken, str):
            return Rejected(STDIN_DISPLAY, 0, taken)
        return _prepare(STDIN_DISPLAY, "stdin", "", taken, closers=[])
    if is_url(path):
        opened = open_url(path)
        if isinstance(opened, str):
            return Rejected(path, 0, opened)
        return _prepare(path, url_basename(path), format_suffix(url_basename(path)), opened, closers=[opened.close])
    problem = _unopenable(path)
    if problem:
        return Rejected(path, 0, problem)
    try:
        raw = open(path, "rb")
    except OSError as error:
        return Rejected(path, 0, describe_os_error(error))
    return _prepare(path, os.path.basename(path), format_suffix(path), raw, closers=[raw.close])


def is_url(path: str) -> bool:
    """`s3://bucket/posts.jsonl`, `https://…`, `memory://…`: read through fsspec."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isascii() and scheme.replace("+", "").replace("-", "").isalnum() and not os.path.exists(path)


def url_basename(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or url


def open_url(url: str) -> BinaryIO | str:
    """The URL opened for reading in binary through fsspec, or why it cannot be."""
    try:
        import fsspec
    except ImportError:
        return "reading a URL needs fsspec: pip install 'clearlabel[dask]'"
    try:
        return fsspec.open(url, "rb").open()
    except (OSError, ValueError) as error:
        return describe_os_error(error)
    except ImportError as error:        # the scheme's filesystem package is missing (s3fs, gcsfs …)
        return f"cannot be read: {error}"


def _unopenable(path: str) -> str | None:
    if not path:
        return "no file name given"
    if os.path.isdir(path):
        return "is a directory, not a file of posts"
    if not os.path.exists(path):
        return "file not found"
    return None


def format_suffix(path: str) -> str:
    """`posts.JSONL.gz` -> `.jsonl`: the extension that names the format."""
    name = os.path.basename(path).lower()
    name = name.removesuffix(".gz")
    return os.path.splitext(name)[1]


def describe_os_error(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "file not found"
    if isinstance(error, IsADirectoryError):
        return "is a directory, not a file of posts"
    if isinstance(error, PermissionError):
        return "cannot be read: permission denied"
    if isinstance(error, (gzip.BadGzipFile, EOFError, zlib.error)):
        return f"the compressed (gzip) data is damaged: {error}"
    if isinstance(error, OSError) and error.strerror:
        return f"cannot be read: {error.strerror}"
    return f"cannot be read: {error}"


def _prepare(display: str, id_prefix: str, suffix: str, stream: BinaryIO,
             closers: list) -> Source | Rejected:
    size = _size_of(stream)
    try:
        head, rest = _read_head(stream)
        compressed = head.startswith(_GZIP_MAGIC)
        if compressed:
            unzipped = gzip.GzipFile(fileobj=_Prefixed(head, rest), mode="rb")
            closers.append(unzipped.close)
            head, rest = _read_head(unzipped)
    except DAMAGED_STREAM_ERRORS as error:
        _close_all(closers)
        return Rejected(display, 0, describe_os_error(error))
    except ValueError:  # I/O on a stream closed under us
        _close_all(closers)
        return Rejected(display, 0, "standard input is closed: no posts")
    encoding, mark_length = sniff_encoding(head)
    head_bytes = head[mark_length:]
    whole = len(head) < HEAD_BYTES
    buffered = io.BufferedReader(_Prefixed(head_bytes, rest), buffer_size=HEAD_BYTES)
    head_text = head_bytes.decode(encoding, ERRORS) if whole else _decode_prefix(head_bytes, encoding)
    return Source(display, id_prefix, suffix, buffered, encoding, head_text, whole, closers,
                  compressed=compressed, size=size)


def _size_of(stream: BinaryIO) -> int:
    size = getattr(stream, "size", None)            # fsspec files
    if isinstance(size, int):
        return size
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return 0


def _close_all(closers: list) -> None:
    for close in reversed(closers):
        try:
            close()
        except OSError:
            pass


def _read_head(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    parts: list[bytes] = []
    size = 0
    while size < HEAD_BYTES:
        part = stream.read(HEAD_BYTES - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts), stream


def _decode_prefix(data: bytes, encoding: str) -> str:
    """Decode the head of a longer file without tripping on a cut character."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=ERRORS)
    return decoder.decode(data, final=False)


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec, length of the byte-order mark). Without a mark, UTF-16 is
    recognised by the zero bytes of ASCII text; everything else is UTF-8."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return encoding, len(mark)
    if len(head) >= 4 and head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le", 0
    if len(head) >= 4 and not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be", 0
    return "utf-8", 0


class _Prefixed(io.RawIOBase):
    """A stream that replays bytes already read, then continues the original."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        # One underlying read per call: bytes already read are never lost to
        # an error raised by a later read.
        self._read = getattr(rest, "read1", rest.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if len(self._prefix):
            count = min(len(buffer), len(self._prefix))
            buffer[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
