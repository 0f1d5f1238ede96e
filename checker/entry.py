"""The `clearlabel` command's entry point.

`clearlabel --version` answers before the command line is built: building
it imports the readers, reporters and configuration (a tenth of a second or
more), which a version check does not need. Everything else goes to
`checker.cli`.
"""
from __future__ import annotations

import sys

from . import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"clearlabel, version {__version__}")       # what click's version option prints
        return
    from .cli import main as command_line

    command_line()


if __name__ == "__main__":
    main()
