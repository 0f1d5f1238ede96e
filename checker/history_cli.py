"""`clearlabel history`, `diff` and `review`: audits over time.

Each command reads the history store chosen like `audit` chooses it
(`--store`, else `store:` in the configuration, else the default file) and
prints text or, with `--format json`, one JSON document (described in the
README).
"""
from __future__ import annotations

import getpass
import json
from typing import Callable, Iterable, Sequence

import click

from .cli_options import config_options, format_option
from .cli_run import Failure, RunOptions, load_run_settings
from .reporters.base import describe_review, printable
from .store import (
    CONFIRMED, DISMISSED, REOPENED, Decision, FindingRef, RunDiff, RunSummary, StoreError, StoreLocation,
    StoreMissing, Timeline, resolve_store,
)

VERDICTS = ("undisclosed", "inadequate", "review", "disclosed", "no_evidence")


def store_option(help_text: str) -> Callable:
    return click.option("--store", "store", metavar="PATH_OR_URL", help=help_text)


_format_option = format_option(("text", "json"), "text (the default) for people, json for scripts (see the README).")
_STORE_HELP = ("The history store: a file or postgresql://… (default: store: in the configuration, else "
               "history.sqlite3 in your data directory).")


def store_location(store: str | None, config_path: str | None, no_config: bool) -> StoreLocation:
    """The store named on the command line, else in the configuration, else the default."""
    if store is None:
        settings, _ = load_run_settings(RunOptions(config=config_path, no_config=no_config))
        store = settings.store
    try:
        return resolve_store(store)
    except StoreError as error:
        raise Failure(str(error)) from None


def _open(location: StoreLocation, create: bool = False):
    from . import __version__
    from .store import Store

    return Store.open(location, __version__, create=create)


def _emit(data: dict | None, text: Iterable[str], output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in text:
            click.echo(printable(line))


# --- JSON shapes ------------------------------------------------------------------

def run_json(run: RunSummary) -> dict:
    return {
        "id": run.id, "command": run.command, "started_at": run.started_at, "finished_at": run.finished_at,
        "tool_version": run.tool_version,
        "inputs": [{"path": item.path, "sha256": item.sha256, "bytes": item.bytes} for item in run.inputs],
        "options": dict(run.options), "packs": list(run.packs),
        "posts": {"read": run.read, "audited": run.audited, "rejected": run.rejected},
        "by_verdict": {verdict: run.by_verdict.get(verdict, 0) for verdict in VERDICTS},
        "creators": run.creators, "findings": run.findings, "stores_text": run.stores_text,
    }


def review_json(finding: FindingRef) -> dict | None:
    review = finding.review
    if review is None:
        return None
    return {"decision": review.decision, "reason": review.reason, "by": review.by, "at": review.at,
            "stale": review.stale}


def finding_json(finding: FindingRef) -> dict:
    data = {"id": finding.short_id, "fingerprint": finding.fingerprint, "post": finding.post_id,
            "author": finding.author, "rule": finding.rule, "market": finding.market, "severity": finding.severity,
            "verdict": finding.verdict, "run": finding.run_id,
            "review": review_json(finding)}
    if finding.how:
        data["how"] = finding.how
    return data


def decision_json(decision: Decision) -> dict:
    return {"id": decision.id, "finding": decision.short_id, "fingerprint": decision.fingerprint,
            "post": decision.post_id, "rule": decision.rule, "market": decision.market,
            "decision": decision.decision, "reason": decision.reason, "by": decision.by, "at": decision.at,
            "run": decision.run_id}


# --- text -------------------------------------------------------------------------

def when(timestamp: str) -> str:
    """`2026-04-05T14:30:12.123456Z` -> `2026-04-05 14:30 UTC`."""
    return f"{timestamp[:10]} {timestamp[11:16]} UTC" if len(timestamp) >= 16 else timestamp


def verdict_line(counts) -> str:
    return " · ".join(f"{verdict} {counts.get(verdict, 0)}" for verdict in VERDICTS)


def _run_lines(run: RunSummary) -> list[str]:
    from .reporters.report_data import pack_summary     # the HTML reports' module: only when printing a run

    lines = [f"run {run.id}  {when(run.finished_at)}  {run.command}  clearlabel {run.tool_version}"]
    for item in run.inputs:
        digest = f"sha256 {item.sha256[:12]}…, {item.bytes:,} bytes" if item.sha256 else "not hashed"
        lines.append(f"  input    {item.path} ({digest})")
    lines.append(f"  posts    {run.read} read, {run.audited} audited, {run.rejected} rejected; "
                 f"{run.creators} creator{'s' if run.creators != 1 else ''}, {run.findings} findings")
    lines.append(f"  verdicts {verdict_line(run.by_verdict)}")
    lines.append(f"  packs    {pack_summary(run.packs)}")
    return lines


def _finding_line(finding: FindingRef) -> str:
    who = f" by {finding.author}" if finding.author else ""
    line = f"  {finding.short_id}  {finding.severity:<7} {finding.rule} [{finding.market}]  post {finding.post_id}{who}"
    if finding.how:
        line += f"  ({finding.how})"
    if finding.review is not None:
        line += f"  — {describe_review(finding.review)}"
    return line


def _decision_line(decision: Decision) -> str:
    reason = f": {decision.reason}" if decision.reason else ""
    return (f"  {when(decision.at)}  {decision.short_id}  {decision.decision} by {decision.by}{reason}"
            f"  ({decision.rule} [{decision.market}] on post {decision.post_id})")


def _section(title: str, findings: Sequence[FindingRef]) -> list[str]:
    lines = [f"{title} ({len(findings)})"]
    lines.extend(_finding_line(finding) for finding in findings) if findings else lines.append("  none")
    return lines


def diff_lines(diff: RunDiff) -> list[str]:
    comparison = diff.comparison
    lines = [f"run {diff.before.id} ({when(diff.before.finished_at)}) → run {diff.after.id} "
             f"({when(diff.after.finished_at)}), over {len(diff.creators)} creator"
             f"{'s' if len(diff.creators) != 1 else ''} audited by both",
             f"{len(comparison.new)} new, {len(comparison.fixed)} fixed, {len(comparison.open)} still open, "
             f"{len(comparison.dismissed)} dismissed", ""]
    for title, findings in (("New", comparison.new), ("Fixed", comparison.fixed),
                            ("Still open", comparison.open), ("Dismissed", comparison.dismissed)):
        lines.extend(_section(title, findings))
        lines.append("")
    lines.append("Repeat cases (undisclosed posts in two or more runs): " + (", ".join(diff.repeat) or "none"))
    return lines


def timeline_lines(timeline: Timeline) -> list[str]:
    lines = [f"{timeline.creator}{'  — REPEAT CASE: undisclosed posts in two or more runs' if timeline.repeat else ''}",
             "", "run  date                  posts  new  fixed  open  dismissed  verdicts"]
    for point in timeline.runs:
        lines.append(f"{point.run_id:>3}  {when(point.finished_at):<20}  {point.posts:>5}  {point.new:>3}  "
                     f"{point.fixed:>5}  {point.open:>4}  {point.dismissed:>9}  {verdict_line(point.counts)}")
    run_ids = [point.run_id for point in timeline.runs]
    lines += ["", "Posts (verdict per run: " + ", ".join(f"run {number}" for number in run_ids) + ")"]
    for track in timeline.posts:
        verdicts = "  ".join(track.verdicts.get(number, "—") for number in run_ids)
        lines.append(f"  {track.post_id} ({track.platform}): {verdicts}")
    lines.append("")
    lines.extend(_section("Open findings in the latest run", timeline.open))
    lines += ["", f"Decisions ({len(timeline.decisions)})"]
    lines.extend(_decision_line(d) for d in timeline.decisions) if timeline.decisions else lines.append("  none")
    return lines


# --- commands ---------------------------------------------------------------------

HISTORY_EPILOG = """\b
Examples:
  clearlabel history                   every recorded run, newest first
  clearlabel history @maya.moves       one creator: runs, posts, decisions
  clearlabel history --limit 5 --format json
  clearlabel history --store postgresql://audits@db.example/clearlabel"""


@click.command("history", short_help="Recorded runs, or one creator's timeline.", epilog=HISTORY_EPILOG)
@click.argument("handle", required=False)
@store_option(_STORE_HELP)
@config_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(0), metavar="N",
              help="Show at most N runs, newest first (0: all).")
@_format_option
def history(handle: str | None, store: str | None, config_path: str | None, no_config: bool, limit: int,
            output_format: str) -> None:
    """Recorded audit runs, or one creator's timeline (history @handle).

    A run shows when it finished, its inputs (path and content hash), how many
    posts were read, audited and rejected, its verdicts and the rule pack
    versions. A creator's timeline shows, for each run that audited them, new,
    fixed and still open findings, each post's verdict over time, and every
    review decision on their findings.
    """
    location = store_location(store, config_path, no_config)
    try:
        with _open(location) as opened:
            if handle:
                timeline = opened.timeline(handle)
                data = {"store": location.shown, "creator": timeline.creator, "repeat": timeline.repeat,
                        "runs": [{"id": p.run_id, "finished_at": p.finished_at, "posts": p.posts,
                                  "by_verdict": {v: p.counts.get(v, 0) for v in VERDICTS}, "new": p.new,
                                  "fixed": p.fixed, "open": p.open, "dismissed": p.dismissed} for p in timeline.runs],
                        "posts": [{"id": t.post_id, "platform": t.platform,
                                   "verdicts": {str(k): v for k, v in t.verdicts.items()}} for t in timeline.posts],
                        "open_findings": [finding_json(f) for f in timeline.open],
                        "decisions": [decision_json(d) for d in timeline.decisions]}
                _emit(data, timeline_lines(timeline), output_format)
                return
            runs = opened.runs(limit=limit or None)
    except StoreMissing:
        runs = []
        if handle:
            raise Failure(f"no recorded run audited {handle} ({location.shown} holds no history yet)") from None
    except (StoreError, LookupError) as error:
        raise Failure(str(error).strip("'\"")) from None
    lines = [f"history store {location.shown}", ""]
    for run in runs:
        lines += [*_run_lines(run), ""]
    if not runs:
        lines.append("No runs recorded yet: clearlabel audit records every run.")
    _emit({"store": location.shown, "runs": [run_json(run) for run in runs]}, lines, output_format)


DIFF_EPILOG = """\b
Examples:
  clearlabel diff            the last run against the one before it
  clearlabel diff 3          run 3 against the latest run
  clearlabel diff 3 5        run 3 against run 5
  clearlabel diff --format json | jq '.new[].id'"""


@click.command("diff", short_help="New, fixed and still open findings.", epilog=DIFF_EPILOG)
@click.argument("run_a", type=int, required=False)
@click.argument("run_b", type=int, required=False)
@store_option(_STORE_HELP)
@config_options
@_format_option
def diff(run_a: int | None, run_b: int | None, store: str | None, config_path: str | None, no_config: bool,
         output_format: str) -> None:
    """What changed between two runs: new, fixed, still open and dismissed findings.

    Only creators audited by both runs are compared. A finding is the same
    from one run to the next when its post, rule and market are; it is fixed
    when the post is now disclosed (or otherwise no longer fires the rule) or
    was deleted (not in the later run). Creators with undisclosed posts in two
    or more runs are listed as repeat cases.
    """
    location = store_location(store, config_path, no_config)
    try:
        with _open(location) as opened:
            result = opened.diff(run_a, run_b)
    except StoreMissing:
        raise Failure(f"{location.shown} holds no history yet: clearlabel audit records every run") from None
    except (StoreError, LookupError) as error:
        raise Failure(str(error).strip("'\"")) from None
    comparison = result.comparison
    data = {"store": location.shown, "from": run_json(result.before), "to": run_json(result.after),
            "creators": list(result.creators),
            "counts": {"new": len(comparison.new), "fixed": len(comparison.fixed), "open": len(comparison.open),
                       "dismissed": len(comparison.dismissed)},
            "new": [finding_json(f) for f in comparison.new], "fixed": [finding_json(f) for f in comparison.fixed],
            "open": [finding_json(f) for f in comparison.open],
            "dismissed": [finding_json(f) for f in comparison.dismissed], "repeat": list(result.repeat)}
    _emit(data, diff_lines(result), output_format)


REVIEW_EPILOG = """\b
Examples:
  clearlabel review F-3c9a1e0b12 --dismiss \\
      --reason "gift was returned, not an ad" --by "A. Officer"
  clearlabel review F-77b012 --confirm --reason "creator notified 2026-04-03"
  clearlabel review F-3c9a1e --reopen --reason "the brand paid after all"
  clearlabel review F-3c9a1e       the finding and every decision on it

A decision applies to later audits of the same post and rule while the
evidence is unchanged; if the post's text changes it is shown as stale and
the finding counts again. Decisions are never overwritten: each is kept
with who made it, when and why."""


@click.command("review", short_help="Dismiss, confirm or reopen a finding.", epilog=REVIEW_EPILOG)
@click.argument("finding_id", metavar="FINDING")
@click.option("--dismiss", "decision", flag_value=DISMISSED, help="The finding is wrong: it no longer counts.")
@click.option("--confirm", "decision", flag_value=CONFIRMED, help="The finding is right (e.g. the creator was told).")
@click.option("--reopen", "decision", flag_value=REOPENED, help="Undo a dismissal: the finding counts again.")
@click.option("--reason", metavar="TEXT", help="Why (required to dismiss); kept with the decision.")
@click.option("--by", "by", metavar="NAME", help="Who decides (default: your login name).")
@store_option(_STORE_HELP)
@config_options
@_format_option
def review(finding_id: str, decision: str | None, reason: str | None, by: str | None, store: str | None,
           config_path: str | None, no_config: bool, output_format: str) -> None:
    """Record a decision on a finding: dismiss, confirm or reopen it.

    FINDING is the id an audit printed (F-… in text output, "fingerprint" in
    JSON), or enough of its start to be unique. Without a decision option,
    show the finding and its decisions.
    """
    if decision == DISMISSED and not (reason and reason.strip()):
        raise click.UsageError("--dismiss needs --reason: say why, for whoever reads this a year from now")
    location = store_location(store, config_path, no_config)
    try:
        with _open(location) as opened:
            if decision is None:
                finding, log = opened.decisions_on(finding_id)
                made = None
            else:
                made, log = opened.decide(finding_id, decision, (reason or "").strip(), (by or _login()).strip())
                finding, _ = opened.decisions_on(made.fingerprint)
    except StoreMissing:
        raise Failure(f"no finding {finding_id}: {location.shown} holds no history yet") from None
    except (StoreError, LookupError) as error:
        raise Failure(str(error).strip("'\"")) from None
    data = {"store": location.shown, "finding": finding_json(finding),
            "decision": decision_json(made) if made else None, "decisions": [decision_json(d) for d in log]}
    lines = []
    if made is not None:
        lines.append(f"{made.short_id} {made.decision} by {made.by}" + (f": {made.reason}" if made.reason else ""))
    lines.append(_finding_line(finding).strip())
    lines.append(f"Decisions ({len(log)}), oldest first:")
    lines.extend(_decision_line(d) for d in log) if log else lines.append("  none")
    _emit(data, lines, output_format)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):       # no login name (a container without a passwd entry)
        return "unknown"


COMMANDS = (history, diff, review)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
