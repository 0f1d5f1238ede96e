"""The history store: audits over time, review decisions, what changed.

    location = resolve_store(settings.store)          # path, URL or default
    with Store.open(location, __version__) as store:
        book = store.decision_book()                    # decisions to apply to results
        recorder = store.begin_run("audit", options, packs, hash_inputs(paths), stores_text=False)
        for result in results:
            recorder.add(book.apply(result))
        run_id = recorder.complete(summary)             # visible in history from here on
        store.diff()                                    # last run against the one before

Every database problem surfaces as a `StoreError` that says what to do.
SQLAlchemy is imported only when a store is opened: commands that record
nothing do not pay for it.
"""
from .decisions import CONFIRMED, DECISIONS, DISMISSED, REOPENED, DecisionBook
from .errors import StoreError, StoreMissing
from .location import StoreLocation, default_store_path, resolve_store
from .views import (
    Comparison, CreatorHistory, Decision, FindingRef, InputFile, ReportHistory, RunDiff, RunSummary, Timeline,
    TrendPoint, short_id,
)

__all__ = [
    "CONFIRMED", "DECISIONS", "DISMISSED", "REOPENED", "SCHEMA_VERSION",
    "Comparison", "CreatorHistory", "Decision", "DecisionBook", "FindingRef", "InputFile", "ReportHistory",
    "RunDiff", "RunRecorder", "RunSummary", "Store", "StoreError", "StoreLocation", "StoreMissing", "Timeline",
    "TrendPoint", "default_store_path", "hash_inputs", "resolve_store", "short_id",
]


_LAZY = {"Store": "store", "RunRecorder": "recorder", "hash_inputs": "recorder", "SCHEMA_VERSION": "schema"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
