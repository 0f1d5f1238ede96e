"""Read a saved audit (the JSONL written by `audit --format jsonl`) back into results."""
from __future__ import annotations

import json
from pathlib import Path

from .model import PostResult
from .serialize import result_from_dict


def read_saved_audit(path: Path) -> list[PostResult]:
    results = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if data.get("type") == "post":
                    results.append(result_from_dict(data))
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise ValueError(f"{path}:{number}: not a clearlabel audit record ({error})") from None
    return results
