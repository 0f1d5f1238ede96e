"""Progress bars on standard error, for people watching a long run.

Shown only when standard error is a terminal and the run is not `--quiet`,
and only once a run has taken `DELAY_SECONDS` (short runs print nothing).
Nothing is ever written to the report's own stream: a report on standard
output stays byte for byte what it would be without a bar. Drawn by tqdm.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Sequence, TextIO

DELAY_SECONDS = 2.0


class AuditProgress:
    """Posts read, posts per second and, when the inputs' sizes are known,
    the share of their bytes done and the time left."""

    def __init__(self, total_bytes: int | None, stream: TextIO) -> None:
        from tqdm import tqdm

        self.started = time.monotonic()
        layout = ("{desc} {percentage:3.0f}%|{bar:20}| {postfix} [{elapsed}<{remaining}]" if total_bytes
                  else "{desc} {postfix} [{elapsed}]")
        self.bar = tqdm(total=total_bytes or None, file=stream, delay=DELAY_SECONDS, desc="clearlabel: auditing",
                        bar_format=layout, dynamic_ncols=True, leave=False, mininterval=0.5)

    def advance(self, done_bytes: int, posts: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self.bar.set_postfix_str(f"{posts:,} posts, {posts / elapsed:,.0f} posts/s", refresh=False)
        self.bar.update(done_bytes)

    def close(self) -> None:
        self.bar.close()


class PageProgress:
    """Influencer pages written, of how many."""

    def __init__(self, total: int, stream: TextIO) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=stream, delay=DELAY_SECONDS, desc="clearlabel: writing reports",
                        unit=" pages", dynamic_ncols=True, leave=False, mininterval=0.5)

    def __call__(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()


def wanted(quiet: bool, stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


def progress_for(paths: Sequence[str], *, quiet: bool, output: TextIO | None = None,
                 stream: TextIO | None = None) -> AuditProgress | None:
    """A bar for an audit of `paths`, or None when none is wanted (standard
    error is not a terminal, `--quiet`, or the report itself goes to the
    terminal's standard error)."""
    stream = stream or sys.stderr
    if not wanted(quiet, stream) or output is stream:
        return None
    sizes = [_size(path) for path in paths]
    return AuditProgress(None if None in sizes else sum(sizes), stream)


def page_progress(total: int, *, quiet: bool, stream: TextIO | None = None) -> PageProgress | None:
    stream = stream or sys.stderr
    return PageProgress(total, stream) if wanted(quiet, stream) else None


def _size(path: str) -> int | None:
    try:
        return os.path.getsize(path) if path != "-" else None
    except OSError:
        return None
