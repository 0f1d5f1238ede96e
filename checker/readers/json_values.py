"""Parsing one JSON value and explaining, in the file's own coordinates,
why it could not be parsed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JsonProblem:
    message: str
    line: int = 1                # line within the parsed text, 1-based
    column: int | None = None    # column within that line, 1-based

    def reason(self, first_line: int | None = None, first_column: int = 1) -> str:
        """Explain the problem. With `first_line`, the position is given in
        the file (the text started at first_line, first_column); without it,
        only the column is given (a JSON Lines record is one line)."""
        if self.column is None:
            return f"invalid JSON: {self.message}"
        column = self.column + (first_column - 1 if self.line == 1 else 0)
        if first_line is None:
            return f"invalid JSON: {self.message} (column {column})"
        return f"invalid JSON: {self.message} (line {first_line + self.line - 1}, column {column})"


def parse_json(text: str) -> tuple[Any, JsonProblem | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, JsonProblem(error.msg, error.lineno, error.colno)
    except RecursionError:
        return None, JsonProblem("nested too deeply to read")
    except ValueError as error:  # e.g. an integer literal with thousands of digits
        return None, JsonProblem(str(error))
