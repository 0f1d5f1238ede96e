"""The garbage collector held back while a process starts.

Start-up builds some hundred thousand objects that live as long as the
process: the rule packs, the pipelines, the matchers. While they are being
built, every full collection walks all of them again and finds nothing to
free; on a one-draft `clearlabel check` that was about a tenth of a second.
A command that audits `pause`s collection before it imports anything, and
`resume`s it once its first pipeline is built (or when it turns out not to
need one): the objects built so far are frozen out of later collections
(`gc.freeze`), which then look only at what the audit itself makes.

Only a pause taken here is resumed here: a program that turned collection
off itself keeps it off.
"""
from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
