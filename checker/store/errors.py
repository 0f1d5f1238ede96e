"""What can go wrong with a history store, in words that say what to do.

Every problem becomes a `StoreError` naming the store, the problem and the
remedy; the CLI prints it and ends with exit code 2 (after the audit's own
output has been written)."""
from __future__ import annotations

NO_STORE_HINT = "or run with --no-store to audit without recording"


class StoreError(Exception):
    def __init__(self, store: str, problem: str, remedy: str) -> None:
        super().__init__(f"history store {store}: {problem}; {remedy}")
        self.store = store
        self.problem = problem
        self.remedy = remedy


class StoreMissing(StoreError):
    """A store that does not exist yet (nothing was ever recorded in it)."""


def _sqlite_problem(message: str, timeout: float) -> tuple[str, str] | None:
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return (f"another program kept it locked for more than {timeout:g} s",
                f"try again when that audit has finished, record elsewhere with --store PATH, {NO_STORE_HINT}")
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return ("the file is damaged or is not a database",
                "move it aside (the next audit starts a new history there) or choose another with --store PATH, "
                + NO_STORE_HINT)
    if "readonly" in lowered or "read-only" in lowered:
        return ("the file cannot be written (read-only)",
                f"check its permissions, choose another with --store PATH, {NO_STORE_HINT}")
    if "unable to open" in lowered or "disk i/o" in lowered:
        return ("the file cannot be opened or created",
                f"check that its directory exists and can be written, choose another with --store PATH, {NO_STORE_HINT}")
    return None


def _postgres_problem(message: str, sqlstate: str | None, timeout: float) -> tuple[str, str] | None:
    if sqlstate in ("55P03", "40P01", "57014"):    # lock_not_available, deadlock, query_canceled (timeout)
        return (f"another session kept its tables locked for more than {timeout:g} s",
                f"try again when it has finished, {NO_STORE_HINT}")
    if sqlstate is None or sqlstate.startswith("08") or sqlstate.startswith("28") or sqlstate == "3D000":
        first_line = message.strip().splitlines()[0] if message.strip() else "no answer"
        return (f"cannot connect ({first_line})",
                f"check the address, that the server is running and that the user may log in, {NO_STORE_HINT}")
    if sqlstate == "42501":
        return ("permission denied", f"grant the user rights to create and write tables, {NO_STORE_HINT}")
    return None


def explain(error: Exception, store: str, kind: str, timeout: float) -> StoreError:
    """The `StoreError` for a database error raised while using `store`."""
    original = getattr(error, "orig", None) or error
    message = str(original)
    if kind == "sqlite":
        found = _sqlite_problem(message, timeout)
    else:
        found = _postgres_problem(message, getattr(original, "sqlstate", None), timeout)
    if found is None:
        first_line = message.strip().splitlines()[0] if message.strip() else type(original).__name__
        found = (f"the database reported an error ({first_line})", f"check the store, {NO_STORE_HINT}")
    return StoreError(store, *found)
