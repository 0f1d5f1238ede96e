"""The `clearlabel` command's entry point.

`clearlabel --version` answers before the command line is built: building
it imports the readers, reporters and configuration (a tenth of a second or
more), which a version check does not need. Everything else goes to
`checker.cli`, with garbage collection paused while an auditing command
starts (`checker.gcpause`).
"""
from __future__ import annotations

import sys

from . import __version__, gcpause

# Commands that build a pipeline and matchers at start-up (`checker.gcpause`).
AUDITING = ("audit", "check", "eval")


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"clearlabel, version {__version__}")       # what click's version option prints
        return
    if sys.argv[1:2] and sys.argv[1] in AUDITING:
        gcpause.pause()         # resumed once the first pipeline is built
    from .cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
