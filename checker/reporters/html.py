"""The audit report a compliance officer reads: `index.html` over every
influencer, one page per influencer under `influencers/`, the same two as
Markdown for tickets, and `findings.csv` for spreadsheets.

`write_reports` is the entry point. Pages are self-contained (inline style,
inline SVG charts, one small inline script for sortable tables) and carry a
Content-Security-Policy that allows exactly that style and that script by
hash, so nothing else on the page can load or run.
"""
from __future__ import annotations

import base64
import gc
import hashlib
import math
import multiprocessing
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from jinja2 import Environment, TemplateError
from markupsafe import Markup, escape

from ..creators import creator_key
from ..model import PostResult, RuleInfo
from ..store.views import ReportHistory
from ..safe_paths import OutputDir, OutputError
from ..workers import WorkerFailure, map_in_workers
from . import csv_export, markdown
from .report_data import (
    TIERS, VERDICT_ICONS, VERDICT_ORDER, VERDICT_TITLES, FieldView, FlaggedPosts, Grouped, InfluencerDetail,
    InfluencerSummary, MonthBucket, Overview, ReportError, ReportMeta, build_detail, flagged_posts, format_number,
    format_percent, group_results, overview, summarise,
)
from .templates_path import fragment_renderer, html_environment, make_loader

HTML_MARKER = '<meta name="generator" content="clearlabel'
_CSP_TAG = 'http-equiv="Content-Security-Policy"'
INFLUENCER_DIR = "influencers"
# The index chart shows this many influencers, those most in need of attention.
INDEX_CHART_ROWS = 30


@dataclass(frozen=True)
class InfluencerFiles:
    handle: str
    html: Path
    markdown: Path


@dataclass(frozen=True)
class ReportIndex:
    """What `write_reports` wrote."""
    out_dir: Path
    index_html: Path
    index_markdown: Path
    findings_csv: Path
    influencers: tuple[InfluencerFiles, ...]
    posts_csv: Path | None = None

    @property
    def files(self) -> list[Path]:
        pages = [path for item in self.influencers for path in (item.html, item.markdown)]
        tables = [self.findings_csv] + ([self.posts_csv] if self.posts_csv else [])
        return [self.index_html, self.index_markdown, *tables, *pages]


# --- charts -------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One verdict's piece of a stacked bar."""
    verdict: str
    x: float
    y: float
    width: float
    height: float
    count: int
    tooltip: str


@dataclass(frozen=True)
class ChartRow:
    label: str            # as drawn (shortened)
    full_label: str
    href: str | None
    x: float              # where the label is drawn
    y: float
    total: int
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    value: int
    position: float


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    rows: list[ChartRow]
    ticks: list[Tick]
    summary: str          # a sentence for screen readers


def _ticks(maximum: int, count: int = 4) -> list[int]:
    """Round tick values from 0 to at least `maximum`, about `count` steps."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def influencer_chart(influencers: Sequence[InfluencerSummary], limit: int = INDEX_CHART_ROWS) -> Chart:
    """Horizontal stacked bars of verdicts, one row per influencer."""
    shown = list(influencers[:limit])
    label_width, plot_width, row_height, bar_height, top, axis = 200.0, 500.0, 24.0, 15.0, 8.0, 28.0
    ticks = _ticks(max((s.posts for s in shown), default=0))
    scale = plot_width / ticks[-1]
    rows = []
    for index, item in enumerate(shown):
        y = top + index * row_height
        x, bars = label_width, []
        for verdict in VERDICT_ORDER:
            count = item.counts[verdict.value]
            if count:
                width = count * scale
                bars.append(Bar(verdict.value, x, y + (row_height - bar_height) / 2, width, bar_height, count,
                                f"{item.handle}: {count} {VERDICT_TITLES[verdict.value].lower()}"))
                x += width
        rows.append(ChartRow(
            label=_shorten(item.handle, 28), full_label=item.handle,
            href=f"{INFLUENCER_DIR}/{item.slug}.html",
            x=label_width - 8, y=y + row_height / 2 + 4, total=item.posts, bars=bars,
        ))
    plot_bottom = top + len(shown) * row_height
    summary = (f"Verdicts for {len(shown)} of {len(influencers)} influencers, "
               "those with the most posts needing attention first.")
    return Chart(
        width=label_width + plot_width + 30, height=plot_bottom + axis,
        plot_left=label_width, plot_top=top, plot_right=label_width + plot_width, plot_bottom=plot_bottom,
        rows=rows, ticks=[Tick(t, label_width + t * scale) for t in ticks], summary=summary,
    )


def month_chart(months: Sequence[MonthBucket]) -> Chart:
    """Vertical stacked bars of verdicts, one per month."""
    return column_chart(months, f"Verdicts by month over {len(months)} months.")


def trend_chart(runs: Sequence[MonthBucket]) -> Chart:
    """Vertical stacked bars of verdicts, one per recorded run."""
    return column_chart(runs, f"Verdicts of this influencer's posts in each of {len(runs)} recorded audits.")


def column_chart(months: Sequence[MonthBucket], summary: str) -> Chart:
    """Vertical stacked bars of verdicts, one per bucket."""
    left, top, plot_height, bottom = 44.0, 10.0, 170.0, 34.0
    slot = min(72.0, max(7.0, 760.0 / max(1, len(months))))
    bar_width = min(slot * 0.72, 40.0)
    plot_width = slot * len(months)
    ticks = _ticks(max((m.total for m in months), default=0))
    scale = plot_height / ticks[-1]
    plot_bottom = top + plot_height
    label_every = max(1, math.ceil(56 / slot))
    rows = []
    for index, bucket in enumerate(months):
        x = left + index * slot + (slot - bar_width) / 2
        y, bars = plot_bottom, []
        for verdict in VERDICT_ORDER:
            count = bucket.counts[verdict.value]
            if count:
                height = count * scale
                y -= height
                bars.append(Bar(verdict.value, x, y, bar_width, height, count,
                                f"{bucket.month}: {count} {VERDICT_TITLES[verdict.value].lower()}"))
        label = bucket.month if index % label_every == 0 else ""
        rows.append(ChartRow(label=label, full_label=bucket.month, href=None,
                             x=left + index * slot + slot / 2, y=plot_bottom + 16, total=bucket.total, bars=bars))
    return Chart(
        width=max(360.0, left + plot_width + 16), height=plot_bottom + bottom,
        plot_left=left, plot_top=top, plot_right=left + plot_width, plot_bottom=plot_bottom,
        rows=rows, ticks=[Tick(t, plot_bottom - t * scale) for t in ticks], summary=summary,
    )


# --- rendering ----------------------------------------------------------------

def highlight(field: FieldView) -> Markup:
    """A field's text with its highlighted runs in `<mark>`, each followed by
    the references of the marks ending there: the HTML twin of
    `markdown.quote_field`. It runs for every run of every post, which is
    why it is Python rather than a template loop; every piece of text still
    passes through `escape`, and only the tags are written literally."""
    parts = []
    for run in field.segments:
        if run.classes:
            parts += (_mark_tag(run.classes, run.title), escape(run.text), "</mark>")
        else:
            parts.append(escape(run.text))
        if run.ends:
            parts.append(_ref_tags(run.ends))
    return Markup("".join(parts))


# Runs repeat the same few kinds, descriptions and references on every post.
@lru_cache(maxsize=4096)
def _mark_tag(classes: str, title: str) -> str:
    return f'<mark class="{escape(classes)}" title="{escape(title)}">'


@lru_cache(maxsize=1024)
def _ref_tags(refs: tuple[str, ...]) -> str:
    return "".join([f'<sup class="ref ref-{escape(ref[0])}">{escape(ref)}</sup>' for ref in refs])


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


class HtmlPages:
    """Renders pages with one environment and one inline style and script,
    whose hashes make the page's Content-Security-Policy."""

    def __init__(self, env: Environment, meta: ReportMeta) -> None:
        self.env = env
        self.meta = meta
        env.filters.update(
            percent=format_percent,
            number=format_number,
            highlight=highlight,
            badge=fragment_renderer(env, "partials/badge.html", "verdict", Markup),
            finding=fragment_renderer(env, "partials/finding.html", "f", Markup),
        )
        env.globals.update(
            verdicts=[(v.value, VERDICT_TITLES[v.value]) for v in VERDICT_ORDER],
            verdict_titles=VERDICT_TITLES,
            verdict_icons=VERDICT_ICONS,
            tiers=TIERS,
            meta=meta,
        )
        style = env.get_template("partials/style.css").render()
        script = env.get_template("partials/sort.js").render() + env.get_template("partials/filter.js").render()
        self.assets = {
            "style": Markup(style),
            "script": Markup(script),
            "csp": (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
                    "img-src data:; base-uri 'none'; form-action 'none'"),
        }

    def _render(self, name: str, **context: object) -> str:
        page = self.env.get_template(name).render(assets=self.assets, **context)
        head = page[:8192]
        if HTML_MARKER not in head or _CSP_TAG not in head:
            raise ReportError(
                f"template {name}: the page must keep the generator and Content-Security-Policy "
                "meta tags near the top of <head> (see base.html)"
            )
        return page

    def index(self, view: Overview, flagged: FlaggedPosts) -> str:
        return self._render("index.html", overview=view, chart=influencer_chart(view.influencers),
                            chart_limit=INDEX_CHART_ROWS, flagged=flagged, root="")

    def influencer(self, detail: InfluencerDetail) -> str:
        trend = trend_chart(detail.history.trend) if detail.history and detail.history.trend else None
        return self._render("influencer.html", detail=detail, summary=detail.summary,
                            chart=month_chart(detail.months), trend=trend, root="../")


def write_reports(
    results: Iterable[PostResult],
    out_dir: Path,
    *,
    rules: Mapping[str, RuleInfo],
    packs: Sequence[str],
    tool_version: str,
    audit_date: str,
    templates_dir: Path | None = None,
    jobs: int = 1,
    history: ReportHistory | None = None,
    on_pages: Callable[[int], None] | None = None,
) -> ReportIndex:
    """Render the HTML, Markdown and CSV reports of an audit into `out_dir`.

    Every file is checked before the first one is written: if any target
    exists and is not a clearlabel report, nothing is written and
    `ReportError` names the file. The index pages go last, so they only ever
    link to pages that exist. With `jobs` > 1, influencer pages are rendered
    in that many worker processes where the platform can fork. With the
    `history` of earlier audits, pages say what is new, fixed and still open
    since each influencer's previous audit, show the trend and the review
    decisions, and put repeat cases first. `on_pages` is told how many
    influencers' pages were written, as they are.
    """
    try:
        with _collector_ignores_existing_objects():
            return _write_reports(results, Path(out_dir), rules, packs, tool_version, audit_date, templates_dir, jobs,
                                  history, on_pages or _nobody)
    except (OutputError, OSError) as error:
        raise ReportError(str(error)) from error
    except TemplateError as error:
        raise ReportError(_template_problem(error)) from error


@contextmanager
def _collector_ignores_existing_objects() -> Iterator[None]:
    """Rendering makes millions of short-lived objects, and each full garbage
    collection they set off would walk every result of the audit as well:
    a tenth of the time for a large audit. Existing objects are set aside
    (`gc.freeze`) while the reports are written, and handed back after,
    unless the caller had frozen objects itself (freezing does not nest)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _template_problem(error: TemplateError) -> str:
    """The error with the template file and line it happened at: syntax
    errors carry them, and for errors while rendering Jinja rewrites the
    traceback so that its frames name template lines."""
    if getattr(error, "lineno", None):
        return f"{error.filename}:{error.lineno}: template error: {error}"
    where = ""
    frame = error.__traceback__
    while frame is not None:        # the innermost template frame is where it happened
        code = frame.tb_frame.f_code
        if code.co_filename.endswith(_TEMPLATE_SUFFIXES):
            where = f"{code.co_filename}:{frame.tb_lineno}: "
        frame = frame.tb_next
    return f"{where}template error: {error}"


_TEMPLATE_SUFFIXES = (".html", ".md", ".css", ".js", ".svg")


@dataclass(frozen=True)
class _PageJob:
    """Everything needed to write one influencer's pages."""
    grouped: Grouped
    rules: Mapping[str, RuleInfo]
    out: OutputDir
    pages: HtmlPages
    notes: markdown.MarkdownPages
    history: ReportHistory | None = None

    def write(self, summary: InfluencerSummary) -> InfluencerFiles:
        detail = build_detail(summary, self.grouped.by_handle[summary.handle], self.rules, self.history)
        stem = summary.slug
        html_path = self.out.write_text((INFLUENCER_DIR, f"{stem}.html"), self.pages.influencer(detail), HTML_MARKER)
        md_path = self.out.write_text((INFLUENCER_DIR, f"{stem}.md"), self.notes.influencer(detail), markdown.MARKER)
        return InfluencerFiles(summary.handle, html_path, md_path)


# Forked workers find their job here: inherited, not pickled, so the audit's
# results are never copied between processes.
_FORKED_JOB: _PageJob | None = None


def _start_forked_worker() -> Callable[[list[InfluencerSummary]], list[InfluencerFiles]]:
    job = _FORKED_JOB
    assert job is not None
    return lambda summaries: [_write_in_worker(job, summary) for summary in summaries]


def _write_in_worker(job: _PageJob, summary: InfluencerSummary) -> InfluencerFiles:
    try:
        return job.write(summary)
    except (OutputError, OSError) as error:
        raise ReportError(str(error)) from None
    except TemplateError as error:     # jinja's errors do not all survive pickling
        raise ReportError(_template_problem(error)) from None


def _nobody(count: int) -> None:
    pass


def _write_pages(job: _PageJob, influencers: list[InfluencerSummary], jobs: int,
                 on_pages: Callable[[int], None]) -> list[InfluencerFiles]:
    if jobs <= 1 or len(influencers) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        written_files = []
        for summary in influencers:
            written_files.append(job.write(summary))
            on_pages(1)
        return written_files
    global _FORKED_JOB
    _FORKED_JOB = job
    workers = min(jobs, len(influencers))
    size = max(1, len(influencers) // (workers * 8))
    chunks = [influencers[i:i + size] for i in range(0, len(influencers), size)]
    try:
        written_files = []
        for written in map_in_workers(chunks, workers, _start_forked_worker, method="fork"):
            written_files.extend(written)
            on_pages(len(written))
        return written_files
    except WorkerFailure as error:
        raise ReportError(str(error)) from None
    finally:
        _FORKED_JOB = None


def _write_reports(
    results: Iterable[PostResult], out_dir: Path, rules: Mapping[str, RuleInfo], packs: Sequence[str],
    tool_version: str, audit_date: str, templates_dir: Path | None, jobs: int, history: ReportHistory | None,
    on_pages: Callable[[int], None],
) -> ReportIndex:
    meta = ReportMeta(tool_version=tool_version, audit_date=audit_date, packs=tuple(packs))
    loader = make_loader(templates_dir)
    pages = HtmlPages(html_environment(loader), meta)
    notes = markdown.MarkdownPages(loader, meta)

    grouped = group_results(results)
    summaries = [summarise(handle, grouped.slugs[handle], items, _is_repeat(history, items))
                 for handle, items in grouped.by_handle.items()]
    view = overview(summaries)
    flagged = flagged_posts(grouped, view.influencers, history)

    out = OutputDir(out_dir)
    planned: list[tuple[tuple[str, ...], str]] = [
        (("index.html",), HTML_MARKER),
        (("index.md",), markdown.MARKER),
        ((csv_export.FILE_NAME,), csv_export.MARKER),
        ((csv_export.POSTS_FILE_NAME,), csv_export.POSTS_MARKER),
    ]
    for summary in summaries:
        planned.append(((INFLUENCER_DIR, f"{summary.slug}.html"), HTML_MARKER))
        planned.append(((INFLUENCER_DIR, f"{summary.slug}.md"), markdown.MARKER))
    influencer_dir = out.path(INFLUENCER_DIR)
    if influencer_dir.is_symlink() or (influencer_dir.exists() and not influencer_dir.is_dir()):
        raise OutputError(f"{influencer_dir}: exists and is not a directory")
    for parts, marker in planned:
        out.check_replaceable(out.path(*parts), marker)

    out.ensure_dir(INFLUENCER_DIR)
    written = _write_pages(_PageJob(grouped, rules, out, pages, notes, history), view.influencers, jobs, on_pages)
    csv_path = out.write_text((csv_export.FILE_NAME,),
                              csv_export.render(view.influencers, grouped.by_handle, history),
                              csv_export.MARKER, encoding=csv_export.ENCODING)
    posts_path = out.write_text((csv_export.POSTS_FILE_NAME,),
                                csv_export.render_posts(view.influencers, grouped.by_handle),
                                csv_export.POSTS_MARKER, encoding=csv_export.ENCODING)
    md_index = out.write_text(("index.md",), notes.index(view, flagged), markdown.MARKER)
    html_index = out.write_text(("index.html",), pages.index(view, flagged), HTML_MARKER)
    return ReportIndex(out.root, html_index, md_index, csv_path, tuple(written), posts_path)


def _is_repeat(history: ReportHistory | None, results: Sequence[PostResult]) -> bool:
    if history is None or not results:
        return False
    creator = history.creators.get(creator_key(results[0].post.author))
    return creator is not None and creator.repeat
