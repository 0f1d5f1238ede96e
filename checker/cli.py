"""The `clearlabel` command line.

Exit codes: 0 when nothing reaches --fail-on, 1 when findings do, 2 for
usage, configuration, rule-pack or input errors. Errors go to stderr and name
the file and line.
"""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence, TextIO

import click

from . import __version__
from .config import ConfigError, format_settings, load_relationships, load_settings, parse_post_timeout
from .engine import Auditor, UnknownMarket
from .history_cli import register as register_history_commands, store_option
from .model import Post, PostResult, Rejected, Severity, Summary
from .packs import PackError, RuleSet, load_ruleset
from .readers import INPUT_FORMATS, read_posts
from .reporters import REPORTERS
from .readers.drafts import read_drafts
from .reporters.base import ReportContext, printable
from .reporters.github import GithubReporter
from .reporters.json_out import JsonReporter
from .reporters.junit import JunitReporter
from .reporters.lint_text import LintTextReporter
from .reporters.sarif import SarifReporter
from .recording import RunHistory, start_history
from .rule_docs import MarketSummary, write_rule_docs
from .settings import Settings
from .suppress import META_RULES, BaselineError, apply_baseline, apply_suppressions, load_baseline, write_baseline
from .workers import WorkerFailure
from .yamlsafe import YamlError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """An error that ends the run with exit code 2 and a one-line message."""
    exit_code = EXIT_ERROR

    def show(self, file: TextIO | None = None) -> None:
        click.echo(f"clearlabel: error: {printable(self.format_message())}", err=True)


def _markets(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    aliases = {"UK": "GB"}
    return tuple(aliases.get(m.strip().upper(), m.strip().upper()) for m in value.split(",") if m.strip())


def _column_map(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    mapping = {}
    for item in value.split(","):
        field_name, sep, column = item.partition("=")
        if not sep or not field_name.strip() or not column.strip():
            raise click.BadParameter(f"{item!r} is not FIELD=COLUMN", param_hint="--map")
        mapping[field_name.strip()] = column.strip()
    return mapping


def _post_timeout_option(function):
    return click.option("--post-timeout", metavar="SECONDS",
                        help="Stop auditing a post after this long and report it as not audited "
                             "(default: configuration, else 10; 0 or never: no limit).")(function)


def _with_post_timeout(settings: Settings, post_timeout: str | None) -> Settings:
    """`settings` with the --post-timeout given on the command line, if any."""
    if post_timeout is None:
        return settings
    try:
        return replace(settings, post_timeout=parse_post_timeout(post_timeout))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--post-timeout") from None


def _fail_on(value: str | None) -> Severity | None:
    return None if value == "never" else Severity(value or "error")


def _settings(config_path: str | None, relationships: str | None = None) -> tuple[Settings, dict[str, str]]:
    """The configuration in effect, plus a relationships file from the command line."""
    try:
        settings, provenance = load_settings(config_path, Path.cwd())
        if relationships:
            declared = load_relationships(Path(relationships))
            settings = replace(settings, relationships=settings.relationships + declared)
            provenance["relationships"] = f"{provenance['relationships']} + --relationships {relationships}"
    except ConfigError as error:
        raise Failure(str(error)) from None
    return settings, provenance


def _load_rules(settings: Settings) -> RuleSet:
    try:
        return load_ruleset(settings.rule_dirs, disable_packs=settings.disable_packs)
    except YamlError as error:
        raise Failure(f"rule pack {error}") from None


def _color(choice: bool | None, stream: TextIO) -> bool:
    if choice is not None:
        return choice
    return stream.isatty() and "NO_COLOR" not in os.environ


def _open_output(path: str | None) -> TextIO:
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


def _report_stderr(rejected: Rejected) -> None:
    where = f"{rejected.path}:{rejected.line}" if rejected.line else rejected.path
    click.echo(printable(f"clearlabel: {where}: {rejected.reason}"), err=True)


class AuditRun:
    """Feeds posts through the auditor into the reporters and keeps the counts."""

    def __init__(self, auditor: Auditor, reporter, keep_results: bool, jobs: int,
                 history: RunHistory | None = None) -> None:
        self.auditor = auditor
        self.history = history
        self.reporter = reporter
        self.keep_results = keep_results
        self.jobs = jobs
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
        self.reporter.finish(self.summary)
        return self.summary

    def _add(self, result: PostResult) -> None:
        if self.history is not None:
            result = self.history.take(result)
        self.summary.add(result)
        self.reporter.post(result)
        if self.keep_results:
            self.results.append(result)

    def _posts(self, records: Iterable[Post | Rejected]) -> Iterator[Post]:
        for record in records:
            if isinstance(record, Rejected):
                self._reject(record)
                continue
            first = self.first_seen.setdefault(record.id, _where(record))
            if first != _where(record):
                click.echo(printable(f"clearlabel: warning: {_where(record)}: post id {record.id!r} was already used "
                                     f"at {first}; both posts are audited"), err=True)
            choice = self.auditor.choose_markets(record)
            for market in choice.unknown:
                if market not in self.unknown_markets:
                    self.unknown_markets.add(market)
                    click.echo(f"clearlabel: warning: no rule pack for market {market!r} "
                               f"(first seen in {_where(record)}); such posts are judged by their other markets", err=True)
            if not choice.markets:
                named = ", ".join(choice.unknown) or "none"
                self._reject(Rejected(record.origin.path if record.origin else "-",
                                      record.origin.line if record.origin else 0,
                                      f"post {record.id!r} has no market with a rule pack (named: {named}); "
                                      "give the post a 'market' or run with --market"))
                continue
            yield record

    def _reject(self, rejected: Rejected) -> None:
        _report_stderr(rejected)
        if rejected.line == 0:
            self.summary.file_errors.append(rejected)
        else:
            self.summary.add_rejected()
        self.reporter.rejected(rejected)


def _where(post: Post) -> str:
    return f"{post.origin.path}:{post.origin.line}" if post.origin else post.id


def _exit_code(summary: Summary, results_failed: bool) -> int:
    if summary.file_errors or summary.rejected:
        return EXIT_ERROR
    return EXIT_FINDINGS if results_failed else EXIT_OK


class _FailTracker:
    """Wraps a reporter to note whether any unsuppressed finding reaches the threshold."""

    def __init__(self, reporter, threshold: Severity | None) -> None:
        self.reporter = reporter
        self.threshold = threshold
        self.failed = False

    def post(self, result: PostResult) -> None:
        if self.threshold is not None and any(
                f.suppressed is None and f.severity.rank >= self.threshold.rank for f in result.findings):
            self.failed = True
        self.reporter.post(result)

    def rejected(self, rejected: Rejected) -> None:
        self.reporter.rejected(rejected)

    def finish(self, summary: Summary) -> None:
        self.reporter.finish(summary)


# --------------------------------------------------------------------------- commands

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="clearlabel")
def main() -> None:
    """Find undisclosed and badly disclosed sponsorships in social-media posts."""


@main.command()
@click.argument("posts", nargs=-1, required=True)
@click.option("--market", "market", help="Markets to judge every post for, e.g. GB,US (default: each post's own 'market').")
@click.option("--format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--output", "-o", help="Write the report here instead of standard output.")
@click.option("--report-dir", type=click.Path(file_okay=False), help="Also write HTML, Markdown and CSV reports per influencer here.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False), help="Your own copies of the report templates.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]),
              help="Exit 1 when a finding of this severity or worse is reported (default: configuration, else error).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file (default: .clearlabel.yml or [tool.clearlabel] in pyproject.toml, found upward).")
@click.option("--relationships", type=click.Path(dir_okay=False),
              help="YAML/JSON list of declared relationships (brand, handles, creators, type, from, to).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True), help="Extra rule pack file or directory.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Force the input shape instead of detecting it.")
@click.option("--map", "column_map", help="Map your columns to post fields, e.g. text=Message,author=Author.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when writing to a terminal).")
@_post_timeout_option
@store_option("Record the run in this history store, a file or postgresql://… (default: store: in the "
              "configuration, else history.sqlite3 in your data directory; see config show).")
@click.option("--no-store", is_flag=True, help="Record nothing and apply no review decisions.")
def audit(posts: Sequence[str], market: str | None, output_format: str, output: str | None, report_dir: str | None,
          templates: str | None, fail_on: str | None, config_path: str | None, relationships: str | None,
          rule_dirs: Sequence[str], jobs: int, input_format: str | None, column_map: str | None,
          color: bool | None, post_timeout: str | None, store: str | None, no_store: bool) -> None:
    """Audit published posts (JSONL, JSON, CSV, platform exports, or - for standard input).

    Every run is recorded in the history store (see history, diff and review),
    and findings dismissed there are shown as dismissed and fail no run.
    """
    if store and no_store:
        raise click.UsageError("--store and --no-store contradict each other: give one")
    settings, _ = _settings(config_path, relationships)
    settings = replace(_with_post_timeout(settings, post_timeout), rule_dirs=settings.rule_dirs + tuple(rule_dirs),
                       fail_on=_fail_on(fail_on) if fail_on else settings.fail_on)
    ruleset = _load_rules(settings)
    try:
        auditor = Auditor(ruleset, settings, override_markets=_markets(market))
    except UnknownMarket as error:
        raise Failure(str(error)) from None
    stream = _open_output(output)
    context = ReportContext(stream=stream, rules=ruleset.rule_infos(), tool_version=__version__,
                            packs=ruleset.pack_versions(), color=_color(color, stream))
    tracker = _FailTracker(REPORTERS[output_format](context), settings.fail_on)
    options = {"markets": market, "fail_on": fail_on, "input_format": input_format, "map": column_map,
               "rules": list(rule_dirs), "config": config_path, "post_timeout": post_timeout}
    history = None if no_store else _start_history(store or settings.store, settings, "audit", options, ruleset, posts)
    run = AuditRun(auditor, tracker, keep_results=bool(report_dir), jobs=jobs, history=history)
    try:
        records = read_posts(posts, input_format=input_format, column_map=_column_map(column_map),
                             default_language=settings.language)
        summary = run.run(records)
        recorded = history.complete(summary) if history else None
    except ValueError as error:
        raise Failure(str(error)) from None
    finally:
        if history:
            history.abandon()
        if stream is not sys.stdout:
            stream.close()
    try:
        if recorded is not None and output_format == "text":
            click.echo(f"clearlabel: recorded as run {recorded} in {history.location.shown} "
                       "(clearlabel history; clearlabel diff)", err=True)
        if report_dir:
            _write_reports(run.results, Path(report_dir), ruleset, templates, jobs,
                           history.report_history() if history else None)
    finally:
        if history:
            history.close()
    sys.exit(EXIT_ERROR if history and history.problem else _exit_code(summary, tracker.failed))


def _start_history(store: str | None, settings: Settings, command: str, options: dict, ruleset: RuleSet,
                   paths: Sequence[str]) -> RunHistory:
    from .store import StoreError

    try:
        return start_history(store, command, options, ruleset.pack_versions(), paths, settings.store_text, __version__)
    except StoreError as error:
        raise Failure(str(error)) from None


def _write_reports(results: list[PostResult], out_dir: Path, ruleset: RuleSet, templates: str | None,
                   jobs: int = 1, history=None) -> None:
    from .reporters.html import ReportError, write_reports

    try:
        index = write_reports(results, out_dir, rules=ruleset.rule_infos(), packs=ruleset.pack_versions(),
                              tool_version=__version__,
                              audit_date=datetime.now(timezone.utc).strftime("%Y-%m-%d"),
                              templates_dir=Path(templates) if templates else None, jobs=jobs, history=history)
    except ReportError as error:
        raise Failure(str(error)) from None
    click.echo(f"clearlabel: reports written to {out_dir} ({len(index.files)} files); open {out_dir / 'index.html'}",
               err=True)


# --------------------------------------------------------------------------- rules

@main.group()
def rules() -> None:
    """List, describe and test the rule packs."""


def _rules_option(function):
    return click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True),
                        help="Extra rule pack file or directory.")(function)


@rules.command("list")
@_rules_option
@click.option("--market", help="Only these markets, e.g. GB,US.")
def rules_list(rule_dirs: Sequence[str], market: str | None) -> None:
    """One line per rule: id, market, severity, verdict, title."""
    ruleset = _load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    wanted = set(_markets(market))
    for rule in sorted(ruleset.rules.values(), key=lambda r: (r.market, r.id)):
        if wanted and rule.market not in wanted:
            continue
        click.echo(f"{rule.id:<34} {rule.market:<3} {rule.severity.value:<8} {rule.verdict.value:<12} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
@_rules_option
def rules_show(rule_id: str, rule_dirs: Sequence[str]) -> None:
    """Everything about one rule."""
    ruleset = _load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        raise Failure(f"no rule {rule_id!r}; see 'clearlabel rules list'")
    info = rule.info()
    click.echo(f"{rule.id} — {rule.title}")
    click.echo(f"market: {rule.market}   severity: {rule.severity.value}   verdict: {rule.verdict.value}   check: {rule.check}")
    click.echo(f"pack: {rule.pack}   defined at {rule.path}:{rule.line}")
    if rule.effective_from or rule.effective_to:
        click.echo(f"in force: {info.effective_from or '…'} to {info.effective_to or 'now'}")
    if rule.description:
        click.echo(f"\n{rule.description}")
    click.echo(f"\nmessage:  {rule.message}\ncitation: {rule.citation}\nfix:      {rule.fix}")
    if rule.params:
        click.echo(f"params:   {dict(rule.params)}")
    for title, examples in (("fails on", info.failing_examples), ("passes", info.passing_examples)):
        click.echo(f"\n{title}:")
        for example in examples:
            click.echo(f"  - {' '.join(example.split())}")


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def rules_test(paths: Sequence[str]) -> None:
    """Run every rule's pass and fail examples (bundled packs plus PATHS)."""
    from .rule_tests import run_rule_examples

    ruleset = _load_rules(Settings(rule_dirs=tuple(paths)))
    outcomes = run_rule_examples(ruleset)
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        click.echo(outcome.describe(), err=True)
    rules_tested = len({o.rule.id for o in outcomes})
    click.echo(f"{len(outcomes) - len(failures)} passed, {len(failures)} failed "
               f"({rules_tested} rules, {len(ruleset.markets)} markets)")
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)


# --------------------------------------------------------------------------- report

@main.command()
@click.argument("audit_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the reports.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False), help="Your own copies of the report templates.")
@_rules_option
def report(audit_file: str, out_dir: str, templates: str | None, rule_dirs: Sequence[str]) -> None:
    """Render the reports from a saved audit (the output of --format jsonl)."""
    from .saved_audit import read_saved_audit

    ruleset = _load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    try:
        results = read_saved_audit(Path(audit_file))
    except ValueError as error:
        raise Failure(str(error)) from None
    _write_reports(results, Path(out_dir), ruleset, templates)


# --------------------------------------------------------------------------- eval

@main.command("eval")
@click.argument("labelled", nargs=-1, required=True)
@click.option("--market", help="Judge every post for these markets instead of its own.")
@_rules_option
@click.option("--min-accuracy", type=click.FloatRange(0, 1), help="Exit 1 if overall accuracy is below this (0-1).")
@click.option("--min-market-accuracy", type=click.FloatRange(0, 1),
              help="Exit 1 if any market with at least --market-min-posts posts is below this.")
@click.option("--market-min-posts", default=8, show_default=True, type=click.IntRange(1))
@click.option("--min-flagged", type=click.FloatRange(0, 1),
              help="Exit 1 if precision or recall of flagged posts is below this.")
@click.option("--mismatches/--no-mismatches", default=True, show_default=True, help="List every mismatch.")
@click.option("--jobs", "-j", default=1, type=click.IntRange(1, 64))
def evaluate(labelled: Sequence[str], market: str | None, rule_dirs: Sequence[str], min_accuracy: float | None,
             min_market_accuracy: float | None, market_min_posts: int, min_flagged: float | None,
             mismatches: bool, jobs: int) -> None:
    """Compare verdicts with each post's expected.verdict: confusion matrix and accuracy."""
    from .evaluate import Evaluation, format_evaluation

    settings = Settings(rule_dirs=tuple(rule_dirs))
    ruleset = _load_rules(settings)
    try:
        auditor = Auditor(ruleset, settings, override_markets=_markets(market))
    except UnknownMarket as error:
        raise Failure(str(error)) from None
    evaluation = Evaluation()

    class _Collector:
        def post(self, result: PostResult) -> None:
            evaluation.add(result)

        def rejected(self, rejected: Rejected) -> None:
            pass

        def finish(self, summary: Summary) -> None:
            pass

    summary = AuditRun(auditor, _Collector(), keep_results=False, jobs=jobs).run(read_posts(labelled))
    click.echo(format_evaluation(evaluation, show_mismatches=mismatches))
    failures = _gate_failures(evaluation, min_accuracy, min_market_accuracy, market_min_posts, min_flagged)
    for failure in failures:
        click.echo(f"clearlabel: gate failed: {failure}", err=True)
    if summary.rejected or summary.file_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)


def _gate_failures(evaluation, min_accuracy, min_market_accuracy, market_min_posts, min_flagged) -> list[str]:
    failures = []
    if min_accuracy is not None and evaluation.overall.accuracy < min_accuracy:
        failures.append(f"accuracy {evaluation.overall.accuracy:.1%} < {min_accuracy:.1%}")
    if min_market_accuracy is not None:
        for market_id, tally in sorted(evaluation.by_market.items()):
            if tally.total >= market_min_posts and tally.accuracy < min_market_accuracy:
                failures.append(f"market {market_id} accuracy {tally.accuracy:.1%} < {min_market_accuracy:.1%}")
    if min_flagged is not None:
        precision, recall = evaluation.flagged_precision_recall()
        if precision < min_flagged or recall < min_flagged:
            failures.append(f"flagged precision {precision:.3f} / recall {recall:.3f} < {min_flagged:.3f}")
    return failures


# --------------------------------------------------------------------------- check (drafts in CI)

CHECK_REPORTERS = {"text": LintTextReporter, "github": GithubReporter, "sarif": SarifReporter,
                   "junit": JunitReporter, "json": JsonReporter}


class _Suppressing:
    """Applies inline suppressions and the baseline before the reporters see a result."""

    def __init__(self, reporter, suppressions: dict, baseline, keep: bool) -> None:
        self.reporter, self.suppressions, self.baseline = reporter, suppressions, baseline
        self.kept: list[PostResult] = [] if keep else None

    def post(self, result: PostResult) -> None:
        result = apply_suppressions(result, self.suppressions.pop(result.post.id, ()))
        if self.baseline is not None:
            result = apply_baseline(result, self.baseline)
        if self.kept is not None:
            self.kept.append(result)
        self.reporter.post(result)

    def rejected(self, rejected: Rejected) -> None:
        self.reporter.rejected(rejected)

    def finish(self, summary: Summary) -> None:
        self.reporter.finish(summary)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(sorted(CHECK_REPORTERS)), default="text", show_default=True)
@click.option("--output", "-o", help="Write the report here instead of standard output.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file (default: .clearlabel.yml or [tool.clearlabel] in pyproject.toml, found upward).")
@click.option("--market", help="Markets to check every draft for, e.g. GB,US.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), help="Exit 1 at this severity or worse (default: configuration, else error).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Accept the findings recorded in this baseline.")
@click.option("--write-baseline", "baseline_out", type=click.Path(dir_okay=False),
              help="Record every current finding in this baseline and exit 0.")
@click.option("--color/--no-color", default=None)
@_post_timeout_option
@click.option("--record", is_flag=True, help="Record the run in the history store (checks record nothing by default).")
@store_option("Record the run in this history store, a file or postgresql://… (implies --record).")
def check(paths: Sequence[str], output_format: str, output: str | None, config_path: str | None, market: str | None,
          fail_on: str | None, baseline: str | None, baseline_out: str | None, color: bool | None,
          post_timeout: str | None, record: bool, store: str | None) -> None:
    """Check campaign drafts (Markdown, text, YAML/JSON briefs) in CI."""
    settings, _provenance = _settings(config_path)
    settings = replace(_with_post_timeout(settings, post_timeout), known_relationship=True,
                        fail_on=_fail_on(fail_on) if fail_on else settings.fail_on)
    ruleset = _load_rules(settings)
    try:
        auditor = Auditor(ruleset, settings, override_markets=_markets(market))
        accepted = load_baseline(baseline) if baseline else None
    except (UnknownMarket, BaselineError) as error:
        raise Failure(str(error)) from None
    stream = _open_output(output)
    context = ReportContext(stream=stream, rules={**ruleset.rule_infos(), **META_RULES}, tool_version=__version__,
                            packs=ruleset.pack_versions(), color=_color(color, stream), mode="check")
    suppressions: dict = {}
    tracker = _FailTracker(CHECK_REPORTERS[output_format](context), settings.fail_on)
    suppressing = _Suppressing(tracker, suppressions, accepted, keep=bool(baseline_out))
    history = None
    if record or store:
        options = {"markets": market, "fail_on": fail_on, "baseline": baseline, "config": config_path}
        history = _start_history(store or settings.store, settings, "check", options, ruleset, paths)
    run = AuditRun(auditor, suppressing, keep_results=False, jobs=1, history=history)
    try:
        summary = run.run(read_drafts(paths, suppressions=suppressions, platform=settings.platform,
                                      format=settings.format, language=settings.language))
        if history:
            history.complete(summary)
    finally:
        if history:
            history.abandon()
            history.close()
        if stream is not sys.stdout:
            stream.close()
    store_failed = bool(history and history.problem)
    if baseline_out:
        count = write_baseline(baseline_out, suppressing.kept)
        click.echo(f"clearlabel: {count} findings recorded in {baseline_out}", err=True)
        sys.exit(EXIT_ERROR if summary.rejected or summary.file_errors or store_failed else EXIT_OK)
    sys.exit(EXIT_ERROR if store_failed else _exit_code(summary, tracker.failed))


@main.group("config")
def config_group() -> None:
    """The configuration in effect."""


@config_group.command("show")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file to show.")
def config_show(config_path: str | None) -> None:
    """Print the effective configuration and where each value came from."""
    from .store import default_store_path

    settings, provenance = _settings(config_path)
    if settings.store is None:
        settings = replace(settings, store=str(default_store_path()))
    click.echo(format_settings(settings, provenance), nl=False)


@rules.command("docs")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory for the pages.")
@_rules_option
def rules_docs(out_dir: str, rule_dirs: Sequence[str]) -> None:
    """Write a Markdown page per rule and an index by market."""
    ruleset = _load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    markets = [MarketSummary(m.id, m.name, m.citation, m.platform_label, ruleset.label_wordings(m.accepted),
                             ruleset.label_wordings(m.ambiguous)) for m in ruleset.markets.values()]
    written = write_rule_docs({**ruleset.rule_infos(), **META_RULES}, Path(out_dir), markets)
    click.echo(f"clearlabel: {len(written)} pages written to {out_dir}", err=True)


register_history_commands(main)


if __name__ == "__main__":  # pragma: no cover
    main()
