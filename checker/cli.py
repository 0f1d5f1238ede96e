"""The `clearlabel` command line.

Exit codes: 0 when no post fails, 1 when one does (see `checker.gate` and
--fail-on), 2 for usage, configuration, rule-pack or input errors. Errors
go to stderr and name the file and line. Shared options live in
`checker.cli_options`, the run itself in `checker.cli_run`.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click

from . import __version__
from .cli_options import (
    AUDIT_FORMATS_HELP, CHECK_FORMATS_HELP, JOBS_AUTO, color_option, config_options, deprecated_alias, either,
    fail_on_option, format_option, jobs_option, market_option, output_option, post_timeout_option,
    relationships_option, report_dir_option, rules_option, selection_options, statistics_option,
    templates_option, verbosity_options,
)
from .cli_run import (
    EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Failure, FailTracker, RunOptions, Statistics, Suppressing, choose_rules,
    exit_code, load_rules, load_run_settings, make_auditor, open_output, parse_column_map, parse_markets,
    renderer_of, run_audit, selectors, use_color,
)
from .config import format_settings
from .diagnostics import Diagnostics
from .history_cli import register as register_history_commands, store_option
from .model import PostResult, Rejected, Summary
from .progress import progress_for
from .readers import INPUT_FORMATS, read_options
from .readers.drafts import Skipped, read_drafts
from .recording import RunHistory, start_history
from .reporters import REPORTERS, ReporterClasses
from .reporters.base import ReportContext
from .reporters.grouping import POST_GROUPS
from .rule_docs import MarketSummary, write_rule_docs
from .runloop import AuditSetup, RunLoop, resolve_jobs
from .selection import unknown_rule_message
from .settings import Settings
from .suppress import META_RULES, BaselineError, load_baseline, write_baseline
from .wording import plural

if TYPE_CHECKING:
    from .packs import RuleSet

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 80}


@click.group(context_settings=CONTEXT, epilog="""\b
Examples:
  clearlabel audit posts.jsonl --market GB,US
  clearlabel audit export.csv --map text=Message --report-dir out
  clearlabel check drafts/
  clearlabel rules list --market DE

Run 'clearlabel COMMAND --help' for a command's options. Exit status: 0 when
no post fails, 1 when one does (see --fail-on), 2 for a usage,
configuration or input error.""")
@click.version_option(__version__, prog_name="clearlabel")
def main() -> None:
    """Find undisclosed and badly disclosed sponsorships in social-media posts.

    Every verdict is backed by the text that shows a commercial relationship,
    the label (or its absence) and a rule that cites the regulation of the
    market the post is aimed at.
    """


# --------------------------------------------------------------------------- audit

@main.command(short_help="Audit published posts from an export.", epilog="""\b
Examples:
  clearlabel audit posts.jsonl                  # markets from each post
  clearlabel audit roster.csv --market DE,FR,GB
  clearlabel audit mentions.csv --map text=Message,author=Author
  clearlabel audit export.json --format jsonl -o audit.jsonl --report-dir out
  clearlabel audit posts.jsonl --select US- --summary-by brand --statistics
  cat posts.jsonl | clearlabel audit -

\b
Formats:
  text    a report to read: each post needing attention with its evidence
          marked, every finding with rule, citation and fix, then a summary
  json    one document with every post, for scripts
  jsonl   one object per line, streamed; 'clearlabel report' reads it back
  sarif   SARIF 2.1.0 for code scanning tools
  junit   JUnit XML for test dashboards: a test case per post
  github  GitHub Actions annotations and a job summary""")
@click.argument("posts", nargs=-1, required=True, metavar="POSTS...")
@market_option
@format_option(REPORTERS, AUDIT_FORMATS_HELP)
@output_option
@report_dir_option()
@templates_option
@fail_on_option
@selection_options
@config_options
@relationships_option
@rules_option
@jobs_option(default=JOBS_AUTO)
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the audit on a Dask cluster: tcp://HOST:8786 for a running scheduler, "
                   "local or local:N to start N worker processes here (needs clearlabel[dask]). "
                   "The output is the same as without it.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), metavar="NAME",
              help=f"Read the input as this shape instead of recognising it: {', '.join(INPUT_FORMATS)}.")
@click.option("--map", "column_map", metavar="FIELD=COLUMN,...",
              help="Take post fields from your columns, e.g. text=Message,author=Author.")
@click.option("--summary-by", default="author", show_default=True, metavar="FIELD",
              help=f"Group the text summary by {', '.join(POST_GROUPS)}, or any column or "
                   "field of your posts.")
@color_option
@post_timeout_option
@verbosity_options
@statistics_option
@store_option("Record the run in this history store, a file or postgresql://… (default: store: in the "
              "configuration, else history.sqlite3 in your data directory; see config show).")
@click.option("--no-store", is_flag=True, help="Record nothing and apply no review decisions.")
def audit(posts: Sequence[str], market: str | None, output_format: str, output: str | None,
          report_dir: str | None, report_dir_alias: str | None, templates: str | None, fail_on: str | None,
          select: tuple[str, ...], ignore: tuple[str, ...], config_path: str | None, no_config: bool,
          relationships: str | None, rule_dirs: Sequence[str], jobs: int | str, scheduler: str | None,
          input_format: str | None, column_map: str | None, summary_by: str, color: bool | None,
          post_timeout: str | None, quiet: bool, verbose: bool, statistics: bool, store: str | None,
          no_store: bool) -> None:
    """Audit published posts: JSON Lines, JSON, CSV, the platforms' API and
    download exports, or - for standard input. Prints each post that needs
    attention with its findings, then a summary; --report-dir also writes a
    report per influencer. Every run is recorded in the history store (see
    history, diff and review); findings dismissed there are shown as
    dismissed and fail no run."""
    if store and no_store:
        raise click.UsageError("--store and --no-store contradict each other: give one")
    report_dir = report_dir or report_dir_alias
    settings, provenance = load_run_settings(RunOptions(
        config=config_path, no_config=no_config, relationships=relationships, rule_dirs=tuple(rule_dirs),
        fail_on=fail_on, post_timeout=post_timeout, select=select, ignore=ignore))
    ruleset = load_rules(settings)
    settings, _ = choose_rules(settings, ruleset)
    auditor = make_auditor(ruleset, settings, market)
    try:
        reading = read_options(input_format=input_format, column_map=parse_column_map(column_map),
                               default_language=settings.language)
    except ValueError as error:
        raise Failure(str(error)) from None
    stream = open_output(output)
    context = ReportContext(stream=stream, rules=ruleset.rule_infos(), tool_version=__version__,
                            packs=ruleset.pack_versions(), color=use_color(color, stream),
                            fail_on=settings.fail_on, quiet=quiet, summary_by=summary_by)
    tracker = FailTracker(_with_statistics(REPORTERS[output_format](context), statistics, output_format,
                                           stream, context.rules), settings.fail_on)
    diagnostics = Diagnostics(verbose=verbose, quiet=quiet)
    options = {"markets": market, "fail_on": fail_on, "select": list(select), "ignore": list(ignore),
               "input_format": input_format, "map": column_map, "rules": list(rule_dirs), "config": config_path,
               "post_timeout": post_timeout}
    history = None if no_store else _start_history(store or settings.store, settings, "audit", options, ruleset, posts)
    keep = bool(report_dir)
    # Recording and review decisions need each result here: posts are then
    # rendered here too, not where they are audited.
    setup = AuditSetup(settings, parse_markets(market), reading, renderer_of(tracker, keep or history is not None))
    loop = RunLoop(setup, tracker, diagnostics, keep_results=keep, config_file=provenance["config_file"],
                   progress=progress_for(posts, quiet=quiet, output=stream), history=history)
    try:
        if scheduler:
            summary = _audit_on_dask(loop, posts, scheduler)
        else:
            summary = run_audit(loop, posts, jobs=jobs, auditor=auditor)
        recorded = history.complete(summary) if history else None
    finally:
        if history:
            history.abandon()
        if stream is not sys.stdout:
            stream.close()
    try:
        if recorded is not None and sys.stderr.isatty():      # for people; scripts ask `history`
            diagnostics.note(f"recorded as run {recorded} in {history.location.shown} "
                             "(clearlabel history; clearlabel diff)")
        if report_dir and loop.results:
            _write_reports(loop.results, Path(report_dir), ruleset, templates, diagnostics,
                           resolve_jobs(jobs, posts), history.report_history() if history else None, quiet=quiet)
    finally:
        if history:
            history.close()
    sys.exit(EXIT_ERROR if history and history.problem else exit_code(summary, tracker.failed))


def _start_history(store: str | None, settings: Settings, command: str, options: dict, ruleset: RuleSet,
                   paths: Sequence[str]) -> RunHistory:
    from .store import StoreError

    try:
        return start_history(store, command, options, ruleset.pack_versions(), paths, settings.store_text, __version__)
    except StoreError as error:
        raise Failure(str(error)) from None


def _audit_on_dask(loop, posts: Sequence[str], scheduler: str) -> Summary:
    from .distributed import DaskUnavailable, audit_on_cluster

    try:
        return audit_on_cluster(loop, posts, scheduler)
    except DaskUnavailable as error:
        raise Failure(str(error)) from None


def _with_statistics(reporter, wanted: bool, output_format: str, stream, rules):
    if not wanted:
        return reporter
    text_report = output_format == "text" and stream is sys.stdout
    return Statistics(reporter, sys.stdout if text_report else sys.stderr, rules)


def _write_reports(results: list[PostResult], out_dir: Path, ruleset: RuleSet, templates: str | None,
                   diagnostics: Diagnostics, jobs: int = 1, history=None, quiet: bool = False) -> None:
    from .progress import page_progress
    from .reporters.html import ReportError, write_reports

    progress = page_progress(len({result.post.author for result in results}), quiet=quiet)
    try:
        index = write_reports(results, out_dir, rules=ruleset.rule_infos(), packs=ruleset.pack_versions(),
                              tool_version=__version__,
                              audit_date=datetime.now(timezone.utc).strftime("%Y-%m-%d"),
                              templates_dir=Path(templates) if templates else None, jobs=jobs, history=history,
                              on_pages=progress)
    except ReportError as error:
        raise Failure(str(error)) from None
    finally:
        if progress is not None:
            progress.close()
    diagnostics.note(f"reports written to {out_dir} ({plural(len(index.files), 'file')}); "
                     f"open {out_dir / 'index.html'}")


# --------------------------------------------------------------------------- report

@main.command(short_help="Render reports from a saved audit.", epilog="""\b
Examples:
  clearlabel audit posts.jsonl --format jsonl -o audit.jsonl
  clearlabel report audit.jsonl --report-dir out""")
@click.argument("audit_file", type=click.Path(exists=True, dir_okay=False), metavar="AUDIT")
@report_dir_option(required=True)
@templates_option
@rules_option
@jobs_option()
def report(audit_file: str, report_dir: str | None, report_dir_alias: str | None, templates: str | None,
           rule_dirs: Sequence[str], jobs: int) -> None:
    """Render the HTML, Markdown and CSV reports from a saved audit (the
    output of 'clearlabel audit --format jsonl'), without auditing again."""
    from .saved_audit import read_saved_audit

    out_dir = either(report_dir, report_dir_alias, "--report-dir")
    ruleset = load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    try:
        results = read_saved_audit(Path(audit_file))
    except ValueError as error:
        raise Failure(str(error)) from None
    _write_reports(results, Path(out_dir), ruleset, templates, Diagnostics(), resolve_jobs(jobs, [audit_file]))


# --------------------------------------------------------------------------- check (drafts in CI)

CHECK_REPORTERS = ReporterClasses({"text": ("lint_text", "LintTextReporter"), "github": ("github", "GithubReporter"),
                                   "sarif": ("sarif", "SarifReporter"), "junit": ("junit", "JunitReporter"),
                                   "json": ("json_out", "JsonReporter")})


@main.command(short_help="Check campaign drafts, as a linter in CI.", epilog="""\b
Examples:
  clearlabel check drafts/
  clearlabel check drafts/ --select GB- --ignore GB-BRAND-TAG-REVIEW
  clearlabel check drafts/ --exclude 'drafts/archive/**' --show-source
  clearlabel check drafts/ --format sarif -o clearlabel.sarif --fail-on never
  clearlabel check drafts/ --write-baseline .clearlabel-baseline.json

\b
Drafts: YAML and JSON briefs (.yml, .yaml, .json), text (.txt), and Markdown
(.md, .markdown) that opens with front matter. Other files, and those that
exclude: or --exclude match, are left out (--verbose lists them).

\b
Formats:
  text    file:line:col: severity rule message, the fix below
  github  annotations on the drafts' lines and a job summary
  sarif   SARIF 2.1.0 for code scanning, suppressions included
  junit   JUnit XML: a test suite per file, a test case per draft
  json    the objects of 'clearlabel audit --format json'""")
@click.argument("paths", nargs=-1, required=True, metavar="PATHS...")
@format_option(CHECK_REPORTERS, CHECK_FORMATS_HELP)
@output_option
@market_option
@fail_on_option
@selection_options
@click.option("--exclude", multiple=True, metavar="GLOBS",
              help="Leave out files and directories matching these globs (README.md, "
                   "drafts/archive/**), comma-separated or repeated; adds to exclude: in the "
                   "configuration.")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Accept the findings recorded in FILE (default: baseline: in the configuration).")
@click.option("--write-baseline", "baseline_out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record every current finding in FILE, and exit 0.")
@config_options
@relationships_option
@rules_option
@jobs_option()
@click.option("--show-source", is_flag=True, help="Show the line of each finding with its text marked.")
@color_option
@post_timeout_option
@verbosity_options
@statistics_option
@click.option("--record", is_flag=True, help="Record the run in the history store (checks record nothing by default).")
@store_option("Record the run in this history store, a file or postgresql://… (implies --record).")
def check(paths: Sequence[str], output_format: str, output: str | None, market: str | None, fail_on: str | None,
          select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...], baseline: str | None,
          baseline_out: str | None, config_path: str | None, no_config: bool, relationships: str | None,
          rule_dirs: Sequence[str], jobs: int, show_source: bool, color: bool | None, post_timeout: str | None,
          quiet: bool, verbose: bool, statistics: bool, record: bool, store: str | None) -> None:
    """Check campaign drafts (Markdown, text, YAML and JSON briefs) before
    they are published. A draft is written for a brand, so the relationship
    is known: a draft without an adequate label fails. Findings point at the
    draft's line; suppress one with a reason in the draft."""
    settings, provenance = load_run_settings(RunOptions(
        config=config_path, no_config=no_config, relationships=relationships, rule_dirs=tuple(rule_dirs),
        fail_on=fail_on, post_timeout=post_timeout, select=select, ignore=ignore, exclude=exclude,
        baseline=baseline))
    settings = replace(settings, known_relationship=True)
    ruleset = load_rules(settings)
    settings, chosen = choose_rules(settings, ruleset)
    auditor = make_auditor(ruleset, settings, market)
    known_rules = {*ruleset.rules, *META_RULES}
    accepted = _baseline(settings.baseline, provenance.get("baseline", ""), known_rules, writing=bool(baseline_out))
    stream = open_output(output)
    context = ReportContext(stream=stream, rules={**ruleset.rule_infos(), **META_RULES}, tool_version=__version__,
                            packs=ruleset.pack_versions(), color=use_color(color, stream), mode="check",
                            fail_on=settings.fail_on, quiet=quiet, show_source=show_source)
    suppressions: dict = {}
    skipped: list[Skipped] = []
    tracker = FailTracker(_with_statistics(CHECK_REPORTERS[output_format](context), statistics, output_format,
                                           stream, context.rules), settings.fail_on)
    suppressing = Suppressing(tracker, suppressions, accepted, known_rules, chosen, keep=bool(baseline_out))
    diagnostics = Diagnostics(verbose=verbose, quiet=quiet)
    history = None
    if record or store:
        options = {"markets": market, "fail_on": fail_on, "select": list(select), "ignore": list(ignore),
                   "baseline": settings.baseline, "config": config_path}
        history = _start_history(store or settings.store, settings, "check", options, ruleset, paths)
    loop = RunLoop(AuditSetup(settings, parse_markets(market), render=renderer_of(suppressing)), suppressing,
                   diagnostics, config_file=provenance["config_file"], history=history)
    try:
        drafts = read_drafts(paths, suppressions=suppressions, platform=settings.platform, format=settings.format,
                             language=settings.language, exclude=settings.exclude, skipped=skipped)
        summary = run_audit(loop, records=drafts, jobs=resolve_jobs(jobs), auditor=auditor)
        if history:
            history.complete(summary)
    finally:
        if history:
            history.abandon()
            history.close()
        if stream is not sys.stdout:
            stream.close()
    _report_skipped(skipped, summary, diagnostics, verbose)
    store_failed = bool(history and history.problem)
    if baseline_out:
        count = write_baseline(baseline_out, suppressing.kept)
        diagnostics.note(f"{plural(count, 'finding')} recorded in {baseline_out}")
        sys.exit(EXIT_ERROR if summary.rejected or summary.file_errors or store_failed else EXIT_OK)
    sys.exit(EXIT_ERROR if store_failed else exit_code(summary, tracker.failed))


def _baseline(path: str | None, source: str, known_rules: set[str], writing: bool):
    """The baseline in effect; a configured one that does not exist yet is
    fine while it is being written."""
    if not path or (writing and not Path(path).exists()):
        return None
    if not Path(path).exists() and source != "command line":
        raise Failure(f"{source}: baseline {path} does not exist; write it with --write-baseline {path}")
    try:
        return load_baseline(path, known_rules)
    except BaselineError as error:
        raise Failure(str(error)) from None


def _report_skipped(skipped: list[Skipped], summary: Summary, diagnostics: Diagnostics, verbose: bool) -> None:
    for item in skipped:
        if verbose or item.named:
            diagnostics.note(f"{item.path}: left out: {item.reason}")
    if summary.read == 0 and not summary.file_errors:
        left_out = f" ({plural(len(skipped), 'file')} left out; --verbose lists them)" if skipped and not verbose else ""
        diagnostics.note(f"warning: no drafts to check{left_out}")


# --------------------------------------------------------------------------- rules

@main.group(short_help="List, describe, test and document the rules.", epilog="""\b
Examples:
  clearlabel rules list --market GB
  clearlabel rules show US-NO-LABEL
  clearlabel rules test --rules compliance/rules
  clearlabel rules docs --docs-dir docs/rules""")
def rules() -> None:
    """The rule packs: each market's rules, with the regulation they cite,
    how to fix what they find, and examples that must fail and pass."""


@rules.command("list", short_help="One line per rule.", epilog="""\b
Examples:
  clearlabel rules list --market DE,FR
  clearlabel rules list --select '*-UNCLEAR-LABEL'""")
@market_option
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules: ids, prefixes (GB-) or globs (*-NO-LABEL).")
@rules_option
def rules_list(market: str | None, select: tuple[str, ...], rule_dirs: Sequence[str]) -> None:
    """One line per rule: id, market, severity, verdict and title."""
    ruleset = load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    _, chosen = choose_rules(Settings(select=selectors(select, "--select")), ruleset)
    wanted = set(parse_markets(market))
    for rule in sorted(ruleset.rules.values(), key=lambda r: (r.market, r.id)):
        if (wanted and rule.market not in wanted) or not chosen.runs(rule.id):
            continue
        click.echo(f"{rule.id:<34} {rule.market:<3} {rule.severity.value:<8} {rule.verdict.value:<12} {rule.title}")


@rules.command("show", short_help="Everything about one rule.", epilog="""\b
Example:
  clearlabel rules show GB-UNCLEAR-LABEL""")
@click.argument("rule_id", metavar="RULE")
@rules_option
def rules_show(rule_id: str, rule_dirs: Sequence[str]) -> None:
    """Everything about one rule: what it checks, the regulation it cites,
    the fix, and the examples it must fail and pass."""
    ruleset = load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    rule = ruleset.rules.get(rule_id)
    if rule is None:
        raise Failure(unknown_rule_message(rule_id, ruleset.rules))
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


@rules.command("test", short_help="Run every rule's, signal's and label's examples.", epilog="""\b
Examples:
  clearlabel rules test
  clearlabel rules test --rules compliance/rules""")
@click.argument("paths", nargs=-1, type=click.Path(exists=True), metavar="[PACKS]...",
                deprecated="Use --rules DIR instead.")
@rules_option
def rules_test(paths: Sequence[str], rule_dirs: Sequence[str]) -> None:
    """Run the examples the packs carry: every rule's pass and fail examples,
    and every signal's and label's texts it must and must not be found in,
    for the bundled packs and those named with --rules. Exit 1 when an
    example does not behave."""
    from .rule_tests import run_pack_examples

    ruleset = load_rules(Settings(rule_dirs=(*rule_dirs, *paths)))
    outcomes = run_pack_examples(ruleset)
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures:
        click.echo(outcome.describe(), err=True)
    tested = {kind: len({o.subject for o in outcomes if o.kind == kind}) for kind in ("rule", "signal", "label")}
    click.echo(f"{len(outcomes) - len(failures)} passed, {len(failures)} failed "
               f"({plural(tested['rule'], 'rule')}, {tested['signal']} signals and {tested['label']} labels with "
               f"examples, {plural(len(ruleset.markets), 'market')})")
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)


@rules.command("docs", short_help="Write a Markdown page per rule.", epilog="""\b
Example:
  clearlabel rules docs --docs-dir docs/rules""")
@click.option("--docs-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write the pages to DIR (required). Pages of rules that no longer exist are "
                   "removed; files not written by clearlabel are left alone.")
@deprecated_alias("--out", "docs_dir_alias", "--docs-dir")
@rules_option
def rules_docs(docs_dir: str | None, docs_dir_alias: str | None, rule_dirs: Sequence[str]) -> None:
    """Write a Markdown page per rule and an index by market."""
    out_dir = either(docs_dir, docs_dir_alias, "--docs-dir")
    ruleset = load_rules(Settings(rule_dirs=tuple(rule_dirs)))
    markets = [MarketSummary(m.id, m.name, m.citation, m.platform_label, ruleset.label_wordings(m.accepted),
                             ruleset.label_wordings(m.ambiguous)) for m in ruleset.markets.values()]
    written = write_rule_docs({**ruleset.rule_infos(), **META_RULES}, Path(out_dir), markets)
    click.echo(f"clearlabel: {plural(len(written), 'page')} written to {out_dir}", err=True)


# --------------------------------------------------------------------------- eval

@main.command("eval", short_help="Measure verdicts against labelled posts.", epilog="""\b
Examples:
  clearlabel eval labelled.jsonl
  clearlabel eval labelled.jsonl --min-accuracy 0.95 --min-flagged 0.95
  clearlabel eval rulings.jsonl --by regulator --max-false-flags 1
  clearlabel eval everyday.jsonl --max-review-share 0.05""")
@click.argument("labelled", nargs=-1, required=True, metavar="LABELLED...")
@market_option
@rules_option
@click.option("--by", "group_by", multiple=True, metavar="FIELD",
              help="Also break results down by FIELD of the posts (repeatable): a post field such as "
                   "platform, or any other field of the input, such as regulator.")
@click.option("--min-accuracy", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if the overall accuracy is below RATIO (0 to 1).")
@click.option("--min-market-accuracy", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if a market with at least --market-min-posts posts is below RATIO.")
@click.option("--market-min-posts", default=8, show_default=True, type=click.IntRange(1), metavar="N",
              help="Markets with fewer posts are not held to --min-market-accuracy.")
@click.option("--min-flagged", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if the precision or recall of flagged posts (undisclosed and "
                   "inadequate) is below RATIO.")
@click.option("--min-flagged-recall", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if a smaller share of the breaches (expected undisclosed or inadequate) is flagged.")
@click.option("--min-attention-recall", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if a smaller share of the breaches is flagged or sent to review.")
@click.option("--max-false-flags", type=click.IntRange(0), metavar="N",
              help="Exit 1 if more than N posts expected disclosed or no_evidence are flagged.")
@click.option("--max-flagged-share", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if a larger share of all posts is flagged (for sets of ordinary posts).")
@click.option("--max-review-share", type=click.FloatRange(0, 1), metavar="RATIO",
              help="Exit 1 if a larger share of all posts is sent to review.")
@click.option("--mismatches/--no-mismatches", default=True, show_default=True,
              help="List every post whose verdict differs from the expected one.")
@jobs_option()
def evaluate(labelled: Sequence[str], market: str | None, rule_dirs: Sequence[str], group_by: Sequence[str],
             min_accuracy: float | None, min_market_accuracy: float | None, market_min_posts: int,
             min_flagged: float | None, min_flagged_recall: float | None, min_attention_recall: float | None,
             max_false_flags: int | None, max_flagged_share: float | None, max_review_share: float | None,
             mismatches: bool, jobs: int) -> None:
    """Audit posts that carry an expected verdict and compare: confusion
    matrix, accuracy by market, language and platform, precision and recall
    of flagged posts, how many breaches are flagged or sent to review, how
    many compliant posts are flagged, the share of posts sent to review and
    the rules that sent them, and every mismatch with the rules that fired.

    The expected verdict is `expected.verdict` or a top-level `verdict`;
    regulators' "compliant" counts as disclosed and "not_ad" as no_evidence.
    """
    from .evaluate import Evaluation, Gates, format_evaluation

    settings = Settings(rule_dirs=tuple(rule_dirs))
    auditor = make_auditor(load_rules(settings), settings, market)
    evaluation = Evaluation(group_by=tuple(group_by))

    class _Collector:
        def post(self, result: PostResult) -> None:
            evaluation.add(result)

        def rejected(self, rejected: Rejected) -> None:
            pass

        def finish(self, summary: Summary) -> None:
            pass

    loop = RunLoop(AuditSetup(settings, parse_markets(market)), _Collector(), Diagnostics())
    summary = run_audit(loop, labelled, jobs=jobs, auditor=auditor)
    click.echo(format_evaluation(evaluation, show_mismatches=mismatches))
    gates = Gates(min_accuracy, min_market_accuracy, market_min_posts, min_flagged, min_flagged_recall,
                  min_attention_recall, max_false_flags, max_flagged_share, max_review_share)
    failures = gates.failures(evaluation)
    for failure in failures:
        click.echo(f"clearlabel: gate failed: {failure}", err=True)
    if summary.rejected or summary.file_errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if failures else EXIT_OK)


# --------------------------------------------------------------------------- config

@main.group("config", short_help="Show the configuration in effect.", epilog="""\b
Example:
  clearlabel config show""")
def config_group() -> None:
    """The configuration in effect: which file, and every key's value."""


@config_group.command("show", short_help="Print the configuration and its sources.", epilog="""\b
Examples:
  clearlabel config show
  clearlabel config show --config ci/strict.yml""")
@config_options
def config_show(config_path: str | None, no_config: bool) -> None:
    """Print the configuration in effect as YAML, each value commented with
    where it came from: a file and line, or the default."""
    from .store import default_store_path

    settings, provenance = load_run_settings(RunOptions(config=config_path, no_config=no_config))
    if settings.store is None:
        settings = replace(settings, store=str(default_store_path()))
    click.echo(format_settings(settings, provenance), nl=False)


register_history_commands(main)


if __name__ == "__main__":  # pragma: no cover
    main()
