"""The command line's options, defined once and shared by the commands, so
that one idea has one name everywhere: `-o/--output FILE`, `--report-dir
DIR`, `--rules DIR`, `--market CODES`, `-j/--jobs N`, `--format NAME`."""
from __future__ import annotations

from typing import Callable

import click

FAIL_ON = ("error", "warning", "info", "never")
AUDIT_FORMATS_HELP = ("Report format: text (for people; the default), json or jsonl (for scripts; "
                      "jsonl streams), sarif (code scanning), junit (test dashboards), github "
                      "(annotations in GitHub Actions).")
CHECK_FORMATS_HELP = ("Report format: text (file:line:col lines for people and editors; the default), "
                      "github (annotations and a job summary in GitHub Actions), sarif (code scanning), "
                      "junit (test dashboards), json (scripts).")


def compose(*decorators: Callable) -> Callable:
    """One decorator applying several, in the order written."""
    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function
    return apply


def format_option(choices, help_text: str) -> Callable:
    return click.option("--format", "output_format", type=click.Choice(sorted(choices)), default="text",
                        metavar="NAME", help=help_text)


output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
    help="Write the report to FILE instead of standard output.")
market_option = click.option(
    "--market", metavar="CODES",
    help="Judge every post for these markets, e.g. GB,US (default: each post's 'market', "
         "then markets: in the configuration).")
rules_option = click.option(
    "--rules", "rule_dirs", multiple=True, type=click.Path(exists=True), metavar="DIR",
    help="Also load the rule packs in DIR (a directory or one file); repeatable.")
jobs_option = click.option(
    "-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), metavar="N",
    help="Work in N processes (the output is the same as with one).")
config_options = compose(
    click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
                 help="Read the configuration from FILE (default: .clearlabel.yml, or [tool.clearlabel] in "
                      "pyproject.toml, in this directory or above)."),
    click.option("--no-config", is_flag=True, help="Read no configuration file: defaults and options only."),
)
fail_on_option = click.option(
    "--fail-on", type=click.Choice(FAIL_ON), metavar="LEVEL",
    help="Exit 1 when a post fails: at error (the default) on an undisclosed or inadequate verdict "
         "or an error; at warning also on warnings; at info on any finding; never: exit 0.")
selection_options = compose(
    click.option("--select", multiple=True, metavar="RULES",
                 help="Run only these rules: ids, prefixes (GB-) or globs (*-UNCLEAR-LABEL), "
                      "comma-separated or repeated. Replaces select: in the configuration."),
    click.option("--ignore", multiple=True, metavar="RULES",
                 help="Do not run these rules (same forms as --select); adds to ignore: in the "
                      "configuration and wins over --select."),
)
relationships_option = click.option(
    "--relationships", type=click.Path(dir_okay=False), metavar="FILE",
    help="Declared relationships (YAML or JSON: brand, type, handles, creators, from, to).")
post_timeout_option = click.option(
    "--post-timeout", metavar="SECONDS",
    help="Stop auditing a post after this long and report it as not audited "
         "(default: post-timeout: in the configuration, else 10; 0 or never: no limit).")
color_option = click.option(
    "--color/--no-color", default=None,
    help="Colour the text report (default: when writing to a terminal and NO_COLOR is not set).")
verbosity_options = compose(
    click.option("-q", "--quiet", is_flag=True,
                 help="Print findings and errors only: no clean posts, summary or notes."),
    click.option("-v", "--verbose", is_flag=True,
                 help="Print every repeated error, and each file left out and why."),
)
statistics_option = click.option(
    "--statistics", is_flag=True,
    help="After the report, count the findings of each rule (to standard error when the "
         "report is not text).")
templates_option = click.option(
    "--templates", type=click.Path(exists=True, file_okay=False), metavar="DIR",
    help="Render the reports with your own copies of the templates in DIR.")


def report_dir_option(required: bool = False) -> Callable:
    return compose(
        click.option("--report-dir", type=click.Path(file_okay=False), required=False, metavar="DIR",
                     help="Write the HTML, Markdown and CSV reports, one page per influencer, to DIR."
                          + (" Required." if required else "")),
        deprecated_alias("--out", "report_dir_alias", "--report-dir"),
    )


def deprecated_alias(name: str, dest: str, instead: str) -> Callable:
    """An older spelling that still works, hidden from the help."""
    return click.option(name, dest, hidden=True, type=click.Path(file_okay=False),
                        deprecated=f"Use {instead} instead.")


def either(new: str | None, old: str | None, name: str) -> str:
    """The value of an option given under its current name or its older one."""
    if new and old and new != old:
        raise click.UsageError(f"{name} is given twice, under two names")
    value = new or old
    if value is None:
        raise click.UsageError(f"missing option {name} DIR")
    return value
