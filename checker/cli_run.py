"""What a run of `audit`, `check` or `eval` does between reading and
reporting: settings from configuration and options, the rules that run,
posts through the auditor, suppressions and baselines, the exit code.

Results pass through a chain of small stages, each with the reporter
interface (`post`, `rejected`, `finish`): suppressions and the baseline
(check mode), the fail tracker, statistics, then the reporter.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, TextIO

import click

from .config import ConfigError, load_relationships, load_settings, parse_post_timeout
from .diagnostics import Diagnostics
from .engine import Auditor, UnknownMarket
from .gate import result_fails
from .model import Post, PostResult, Rejected, Severity, Summary
from .packs import RuleSet, load_ruleset
from .pathfilter import PathPattern
from .reporters.base import printable
from .reporters.statistics import RuleStatistics
from .selection import RuleFilter, RuleSelector, UnknownRule, apply_to_settings, rule_filter
from .settings import Settings
from .suppress import META_RULES, UNKNOWN_RULE, Baseline, apply_baseline, apply_suppressions
from .workers import WorkerFailure
from .yamlsafe import YamlError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """An error that ends the run with exit code 2 and a one-line message."""
    exit_code = EXIT_ERROR

    def show(self, file: TextIO | None = None) -> None:
        click.echo(f"clearlabel: error: {printable(self.format_message())}", err=True)


# --------------------------------------------------------------------------- option values

def split_list(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Repeated and comma-separated option values, in order: `-x a,b -x c`."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def selectors(values: Iterable[str], option: str) -> tuple[RuleSelector, ...]:
    return tuple(RuleSelector(item, option) for item in split_list(values))


def parse_markets(value: str | None) -> tuple[str, ...]:
    aliases = {"UK": "GB"}
    return tuple(aliases.get(m.upper(), m.upper()) for m in split_list(value))


def parse_column_map(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    mapping = {}
    for item in value.split(","):
        field_name, sep, column = item.partition("=")
        if not sep or not field_name.strip() or not column.strip():
            raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--map")
        mapping[field_name.strip()] = column.strip()
    return mapping


def parse_fail_on(value: str | None) -> Severity | None:
    return None if value == "never" else Severity(value or "error")


@dataclass(frozen=True)
class RunOptions:
    """The options that change the settings, as given on the command line."""
    config: str | None = None
    no_config: bool = False
    relationships: str | None = None
    rule_dirs: tuple[str, ...] = ()
    fail_on: str | None = None
    post_timeout: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    baseline: str | None = None


def load_run_settings(options: RunOptions) -> tuple[Settings, dict[str, str]]:
    """The configuration in effect with the command line's options on top;
    where each value came from."""
    if options.config and options.no_config:
        raise click.UsageError("--config and --no-config cannot be used together")
    try:
        settings, provenance = load_settings(options.config, Path.cwd(), no_config=options.no_config)
        if options.relationships:
            declared = load_relationships(Path(options.relationships))
            settings = replace(settings, relationships=settings.relationships + declared)
            provenance["relationships"] = f"{provenance['relationships']} + --relationships {options.relationships}"
    except ConfigError as error:
        raise Failure(str(error)) from None
    changes: dict = {}
    if options.rule_dirs:
        changes["rule_dirs"] = settings.rule_dirs + tuple(options.rule_dirs)
    if options.fail_on:
        changes["fail_on"] = parse_fail_on(options.fail_on)
    if options.post_timeout is not None:
        try:
            changes["post_timeout"] = parse_post_timeout(options.post_timeout)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--post-timeout") from None
    if options.select:          # replaces the configuration's selection
        changes["select"] = selectors(options.select, "--select")
    if options.ignore:          # adds to the configuration's
        changes["ignore"] = settings.ignore + selectors(options.ignore, "--ignore")
    if options.exclude:
        cwd = str(Path.cwd().resolve())
        changes["exclude"] = settings.exclude + tuple(PathPattern(item, cwd, "--exclude")
                                                      for item in split_list(options.exclude))
    if options.baseline:
        changes["baseline"] = options.baseline
    for name in changes:
        provenance[name] = "command line"
    return replace(settings, **changes), provenance


def load_rules(settings: Settings) -> RuleSet:
    try:
        return load_ruleset(settings.rule_dirs, disable_packs=settings.disable_packs)
    except YamlError as error:
        raise Failure(f"rule pack {error}") from None


def choose_rules(settings: Settings, ruleset: RuleSet) -> tuple[Settings, RuleFilter]:
    """Resolve select/ignore against the rules that exist (an unknown id is an
    error naming where it was written); the engine gets the resolved ids."""
    known = {*ruleset.rules, *META_RULES}
    try:
        chosen = rule_filter(settings.select, settings.ignore, known)
    except UnknownRule as error:
        raise Failure(str(error)) from None
    return apply_to_settings(settings, chosen, ruleset.rules), chosen


def make_auditor(ruleset: RuleSet, settings: Settings, market: str | None) -> Auditor:
    try:
        return Auditor(ruleset, settings, override_markets=parse_markets(market))
    except UnknownMarket as error:
        raise Failure(str(error)) from None


def use_color(choice: bool | None, stream: TextIO) -> bool:
    if choice is not None:
        return choice
    return stream.isatty() and "NO_COLOR" not in os.environ


def open_output(path: str | None) -> TextIO:
    # Post text may hold lone surrogates (JSON escapes them as \ud800), which no
    # UTF-8 stream can carry: a format that writes text raw gets an escape
    # instead of a crash. (JSON and SARIF escape them themselves.)
    if not path or path == "-":
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8", newline="\n", errors="backslashreplace")
    except OSError as error:
        raise Failure(f"cannot write {path}: {error.strerror}") from None


# --------------------------------------------------------------------------- the run

def where(post: Post) -> str:
    return f"{post.origin.path}:{post.origin.line}" if post.origin else post.id


def no_market_message(post: Post, config_file: str) -> str:
    key = "markets: in .clearlabel.yml" if config_file.startswith("none") else f"the markets: key of {config_file}"
    return (f"{where(post)}: post {post.id!r} names no market, and no default is set; give each post a "
            f"'market', or choose the markets with --market (e.g. --market GB,US) or {key}")


class AuditRun:
    """Feeds posts through the auditor into the stages and keeps the counts."""

    def __init__(self, auditor: Auditor, sink, diagnostics: Diagnostics, *, jobs: int = 1,
                 keep_results: bool = False, config_file: str = "none", history=None) -> None:
        self.auditor = auditor
        self.history = history          # a recording.RunHistory: review decisions applied, run recorded
        self.sink = sink
        self.diagnostics = diagnostics
        self.jobs = jobs
        self.keep_results = keep_results
        self.config_file = config_file
        self.summary = Summary()
        self.results: list[PostResult] = []
        self.unknown_markets: set[str] = set()
        self.first_seen: dict[str, str] = {}     # post id -> where it was first read

    def run(self, records: Iterable[Post | Rejected]) -> Summary:
        try:
            for result in self.auditor.audit_many(self._posts(records), jobs=self.jobs):
                if isinstance(result, Rejected):        # over the time budget
                    self._reject(result)
                    continue
                self._add(result)
        except WorkerFailure as error:
            raise Failure(str(error)) from None
        self.diagnostics.finish()
        self.sink.finish(self.summary)
        return self.summary

    def _add(self, result: PostResult) -> None:
        if self.history is not None:
            result = self.history.take(result)
        self.summary.add(result)
        self.sink.post(result)
        if self.keep_results:
            self.results.append(result)

    def _posts(self, records: Iterable[Post | Rejected]) -> Iterator[Post]:
        for record in records:
            if isinstance(record, Rejected):
                self._reject(record)
                continue
            first = self.first_seen.setdefault(record.id, where(record))
            if first != where(record):
                self.diagnostics.warning(where(record), f"post id {record.id!r} was already used at {first}; "
                                                        "both posts are audited")
            choice = self.auditor.choose_markets(record)
            if not choice.markets and not choice.unknown:
                raise Failure(no_market_message(record, self.config_file))
            for market in choice.unknown:
                if market not in self.unknown_markets:
                    self.unknown_markets.add(market)
                    self.diagnostics.warning(where(record), f"no rule pack for market {market!r} (first seen here); "
                                                            "such posts are judged by their other markets")
            if not choice.markets:
                self._reject(Rejected(record.origin.path if record.origin else "-",
                                      record.origin.line if record.origin else 0,
                                      f"post {record.id!r} has no market with a rule pack "
                                      f"(named: {', '.join(choice.unknown)}); choose one with --market"))
                continue
            yield record

    def _reject(self, rejected: Rejected) -> None:
        self.diagnostics.rejected(rejected)
        if rejected.line == 0:
            self.summary.file_errors.append(rejected)
        else:
            self.summary.add_rejected()
        self.sink.rejected(rejected)


def exit_code(summary: Summary, failed: bool) -> int:
    if summary.file_errors or summary.rejected:
        return EXIT_ERROR
    return EXIT_FINDINGS if failed else EXIT_OK


# --------------------------------------------------------------------------- stages

class Stage:
    """Passes everything on to the next stage; subclasses step in."""

    def __init__(self, following) -> None:
        self.following = following

    def post(self, result: PostResult) -> None:
        self.following.post(result)

    def rejected(self, rejected: Rejected) -> None:
        self.following.rejected(rejected)

    def finish(self, summary: Summary) -> None:
        self.following.finish(summary)


class FailTracker(Stage):
    """Notes whether any post fails the run (see `checker.gate`)."""

    def __init__(self, following, threshold: Severity | None) -> None:
        super().__init__(following)
        self.threshold = threshold
        self.failed = False

    def post(self, result: PostResult) -> None:
        self.failed = self.failed or result_fails(result, self.threshold)
        self.following.post(result)


class Statistics(Stage):
    """`--statistics`: a count per rule after the report."""

    def __init__(self, following, stream: TextIO, rules) -> None:
        super().__init__(following)
        self.stream, self.rules = stream, rules
        self.counts = RuleStatistics()

    def post(self, result: PostResult) -> None:
        self.counts.add(result)
        self.following.post(result)

    def finish(self, summary: Summary) -> None:
        self.following.finish(summary)
        self.stream.write("\n" if self.stream is sys.stdout else "")
        self.counts.write(self.stream, self.rules)


class Suppressing(Stage):
    """Applies inline suppressions and the baseline, and leaves out the meta
    findings of rules that do not run."""

    def __init__(self, following, suppressions: dict, baseline: Baseline | None, known_rules: set[str],
                 chosen: RuleFilter, keep: bool) -> None:
        super().__init__(following)
        self.suppressions, self.baseline = suppressions, baseline
        self.known_rules, self.chosen = known_rules, chosen
        self.kept: list[PostResult] | None = [] if keep else None

    def post(self, result: PostResult) -> None:
        result = apply_suppressions(result, self.suppressions.pop(result.post.id, ()),
                                    known_rules=self.known_rules, rule_runs=self.chosen.runs)
        result = replace(result, findings=[f for f in result.findings if self._shown(f.rule)])
        if self.baseline is not None:
            result = apply_baseline(result, self.baseline)
        if self.kept is not None:
            self.kept.append(result)
        self.following.post(result)

    def _shown(self, rule: str) -> bool:
        # A misspelt rule id is always an error, unless ignored by name.
        if rule == UNKNOWN_RULE:
            return rule not in self.chosen.ignored
        return rule not in META_RULES or self.chosen.runs(rule)
