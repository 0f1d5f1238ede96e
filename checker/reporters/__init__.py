"""Stream reporters by format name. Each only renders finished results."""
from __future__ import annotations

from .json_out import JsonLinesReporter, JsonReporter
from .text import TextReporter

REPORTERS = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
}
