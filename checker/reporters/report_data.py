"""The aggregated view that the HTML and Markdown reports render.

Reporters only render: everything a page shows is computed here, once —
per-influencer counts, follower tier, disclosure rate, month buckets, and
each post's text cut into runs of plain, evidence, label and finding text so
templates can highlight spans without ever touching offsets or markup.

The overview (`summarise`) is cheap and kept for every influencer; the
post-by-post detail (`build_detail`) is built for one influencer at a time,
rendered and dropped, so a large audit never holds every page's views at once.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, NamedTuple, Sequence

from ..model import (
    Evidence, Finding, Label, Post, PostResult, RuleInfo, Span, TEXT_FIELDS, Verdict,
)
from ..safe_paths import safe_filename

# Worst first: the order of columns, chart stacks and page sections.
VERDICT_ORDER: tuple[Verdict, ...] = (
    Verdict.UNDISCLOSED, Verdict.INADEQUATE, Verdict.REVIEW, Verdict.DISCLOSED, Verdict.NO_EVIDENCE,
)
ATTENTION: tuple[Verdict, ...] = (Verdict.UNDISCLOSED, Verdict.INADEQUATE, Verdict.REVIEW)
VERDICT_TITLES: dict[str, str] = {
    "undisclosed": "Undisclosed",
    "inadequate": "Inadequate",
    "review": "Needs review",
    "disclosed": "Disclosed",
    "no_evidence": "No evidence",
}
# Shown next to every verdict, so a verdict never depends on colour alone.
VERDICT_ICONS: dict[str, str] = {
    "undisclosed": "✕", "inadequate": "!", "review": "?", "disclosed": "✓", "no_evidence": "–",
}
FIELD_TITLES: dict[str, str] = {
    "title": "Title", "text": "Text", "transcript": "Transcript", "on_screen_text": "On-screen text",
}
UNKNOWN_AUTHOR = "(unknown)"
TIERS: tuple[tuple[str, str], ...] = (
    ("nano", "under 1k followers"),
    ("micro", "1k to 100k followers"),
    ("macro", "100k to 1M followers"),
    ("mega", "over 1M followers"),
    ("unknown", "follower count not given"),
)
UNDATED = "undated"
# A month axis longer than this is drawn with only the months that have posts.
_MAX_FILLED_MONTHS = 240
_EXCERPT_CHARS = 160
_HTTP_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?")


class ReportError(Exception):
    """Reports could not be written: unsafe output, a file that is not ours, a broken template."""


def follower_tier(followers: int | None) -> str:
    """nano < 1,000 ≤ micro < 100,000 ≤ macro ≤ 1,000,000 < mega."""
    if followers is None or followers < 0:
        return "unknown"
    if followers < 1_000:
        return "nano"
    if followers < 100_000:
        return "micro"
    if followers <= 1_000_000:
        return "macro"
    return "mega"


def post_date(post: Post) -> str:
    """`YYYY-MM-DD` (or `YYYY-MM`) from `posted_at`, or "" when it is not ISO 8601."""
    return _iso_date(post.posted_at or "")


@lru_cache(maxsize=65536)
def _iso_date(posted_at: str) -> str:
    match = _DATE.match(posted_at.strip())
    if not match:
        return ""
    return "-".join(part for part in match.groups() if part)


def post_month(post: Post) -> str:
    date = post_date(post)
    return date[:7] if date else UNDATED


def verdict_counts(verdicts: Iterable[Verdict]) -> dict[str, int]:
    counted = Counter(v.value for v in verdicts)
    return {v.value: counted.get(v.value, 0) for v in VERDICT_ORDER}


def disclosure_rate(disclosed: int, with_evidence: int) -> float | None:
    return disclosed / with_evidence if with_evidence else None


def format_percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def format_number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


@dataclass(frozen=True)
class ReportMeta:
    """What every page says about the audit itself."""
    tool_version: str
    audit_date: str
    packs: tuple[str, ...]     # "name@version"

    @property
    def pack_summary(self) -> str:
        """How many packs, at which versions: "42 packs, version 2026.11"."""
        if not self.packs:
            return "none recorded"
        versions = sorted({pack.rpartition("@")[2] for pack in self.packs if "@" in pack})
        count = f"{len(self.packs)} pack{'s' if len(self.packs) != 1 else ''}"
        if not versions:
            return count
        return f"{count}, version{'s' if len(versions) != 1 else ''} {', '.join(versions)}"


def http_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address fit for a link, else None."""
    if not url:
        return None
    cleaned = url.strip()
    if _HTTP_URL.match(cleaned):
        return cleaned
    return None


# --- highlighting -------------------------------------------------------------

# The views of a post's parts are named tuples, like the model's spans:
# immutable and hashable (identical findings are rendered once, see html.py),
# and cheap to build for every post of a large audit.

class Mark(NamedTuple):
    """One highlighted span of a field: `kind` is evidence, label or finding."""
    start: int
    end: int
    kind: str
    ref: str              # "E1", "L1", "F1": how the lists below the text name it
    description: str


_KIND_ORDER = ("evidence", "label", "finding")
_KIND_RANK = {kind: rank for rank, kind in enumerate(_KIND_ORDER)}


class Segment(NamedTuple):
    """A run of text with the same highlights all along it."""
    text: str
    kinds: tuple[str, ...] = ()    # which of evidence, label, finding cover the run
    title: str = ""                # what covers it, in words (a tooltip)
    ends: tuple[str, ...] = ()     # refs of the marks that end with this run
    classes: str = ""              # "hl hl-evidence hl-finding": the run's CSS classes, "" when plain

    @property
    def plain(self) -> bool:
        return not self.kinds


@lru_cache(maxsize=64)
def _run_style(active_kinds: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The kinds (each once, in `_KIND_ORDER`) and CSS classes of a run
    covered by marks of `active_kinds`, which come sorted by kind."""
    kinds = tuple(dict.fromkeys(active_kinds))
    return kinds, "hl " + " ".join(f"hl-{kind}" for kind in kinds)


def _mark_order(mark: Mark) -> tuple[int, int]:
    return _KIND_RANK[mark.kind], mark.start


def _clip(marks: Sequence[Mark], size: int) -> list[Mark]:
    """The marks cut to the text's `size`, less those left empty, sorted by
    kind then start."""
    kept = []
    for mark in marks:
        start = mark.start if mark.start > 0 else 0
        end = mark.end if mark.end < size else size
        if end > start:
            kept.append(mark if start == mark.start and end == mark.end else mark._replace(start=start, end=end))
    kept.sort(key=_mark_order)
    return kept


def segment(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """Cut `text` at every mark boundary; overlapping marks give runs that
    carry several kinds at once. Marks outside the text are clipped."""
    size = len(text)
    clipped = _clip(marks, size)
    if not clipped:
        return [Segment(text)] if text else []
    cuts = sorted({0, size, *(m.start for m in clipped), *(m.end for m in clipped)})
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        active = [m for m in clipped if m.start <= start and m.end >= end]
        if not active:
            segments.append(Segment(text[start:end]))
            continue
        kinds, classes = _run_style(tuple([m.kind for m in active]))
        segments.append(Segment(
            text[start:end], kinds, "; ".join([m.description for m in active]),
            tuple([m.ref for m in active if m.end == end]), classes,
        ))
    return segments


def _locate(span: Span, text: str) -> tuple[int, int] | None:
    """Where `span` sits in `text`: its offsets when they hold its text, else
    the first place its text occurs (audits from other tools may count
    offsets differently), else None."""
    if 0 <= span.start < span.end <= len(text) and text[span.start:span.end] == span.text:
        return span.start, span.end
    if span.text:
        found = text.find(span.text)
        if found >= 0:
            return found, found + len(span.text)
    return None


# --- per-post view ------------------------------------------------------------

class FieldView(NamedTuple):
    name: str
    title: str
    segments: list[Segment]


# The views below copy what templates print into plain attributes: pages
# print them for thousands of posts, and every attribute hop costs.

class EvidenceView(NamedTuple):
    ref: str
    kind: str             # "discount code"
    strength: str
    text: str | None      # the span's text; None for evidence without one
    detail: str
    lost: bool            # a span was given but its text is not in the post


class LabelView(NamedTuple):
    ref: str
    label: str
    status: str
    market: str
    text: str | None      # None for the platform's own paid-partnership label
    obfuscated: bool
    lost: bool


class FindingView(NamedTuple):
    ref: str
    rule: str
    title: str            # the rule's title, or its id when the rule is unknown
    severity: str
    market: str
    message: str
    citation: str
    fix: str
    suppressed: str | None


@dataclass(slots=True)
class PostHead:
    """What every listing of a post shows; plain strings, ready to print."""
    post: Post
    verdict: str          # the verdict's value, e.g. "undisclosed"
    anchor: str           # a fragment id made from the post id
    date: str
    url: str | None       # only http(s) addresses become links
    markets: str          # "GB, US"
    market_verdicts: str  # "GB (undisclosed), US (needs review)"


@dataclass(slots=True)
class PostRow(PostHead):
    """A post on one line, with the start of its text."""
    excerpt: str


@dataclass(slots=True)
class PostView(PostHead):
    """A post shown in full, its text cut into highlighted runs."""
    fields: list[FieldView] = field(default_factory=list)
    evidence: list[EvidenceView] = field(default_factory=list)
    labels: list[LabelView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)

    @property
    def excerpt(self) -> str:
        """Made only if a template asks: a full view shows the whole text."""
        return excerpt(self.post)


def _evidence_description(ref: str, kind: str, evidence: Evidence) -> str:
    detail = f" {evidence.detail}" if evidence.detail else ""
    return f"{ref} evidence: {kind}{detail} ({evidence.strength.value})"


def _label_description(ref: str, label: Label) -> str:
    return f"{ref} label: {label.label} ({label.status.value} in {label.market})"


def excerpt(post: Post, limit: int = _EXCERPT_CHARS) -> str:
    head = next((text for name in TEXT_FIELDS if (text := post.field_text(name))), "")
    # Only the head of the text can reach the excerpt; long posts are not split whole.
    flat = " ".join(head[: limit * 4].split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_HeadValues = tuple[Post, str, str, str, "str | None", str, str]


def _head_values(result: PostResult) -> _HeadValues:
    """The fields of `PostHead`, in order."""
    post = result.post
    judged = result.market_verdicts
    markets = sorted({*post.market, *judged})
    market_verdicts = ", ".join([
        f"{m} ({VERDICT_TITLES[judged[m].value].lower()})" if m in judged else m for m in markets
    ])
    return (post, result.verdict.value, "post-" + safe_filename(post.id), post_date(post), http_url(post.url),
            ", ".join(markets), market_verdicts)


def build_post_row(result: PostResult) -> PostRow:
    return PostRow(*_head_values(result), excerpt(result.post))


def build_post_view(result: PostResult, rules: Mapping[str, RuleInfo]) -> PostView:
    post = result.post
    texts = {name: text for name in TEXT_FIELDS if (text := post.field_text(name))}
    marks: dict[str, list[Mark]] = {name: [] for name in texts}

    def place(span: Span | None, kind: str, ref: str, description: str) -> bool:
        text = texts.get(span.field) if span is not None else None
        where = _locate(span, text) if text else None
        if where is None:
            return False
        marks[span.field].append(Mark(where[0], where[1], kind, ref, description))
        return True

    evidence = []
    for number, item in enumerate(result.evidence, 1):
        ref, kind, span = f"E{number}", item.kind.replace("_", " "), item.span
        located = place(span, "evidence", ref, _evidence_description(ref, kind, item))
        evidence.append(EvidenceView(
            ref, kind, item.strength.value, span.text if span else None, item.detail, span is not None and not located,
        ))
    labels = []
    for number, label in enumerate(result.labels, 1):
        ref, span = f"L{number}", label.span
        located = place(span, "label", ref, _label_description(ref, label))
        labels.append(LabelView(
            ref, label.label, label.status.value, label.market, span.text if span else None,
            label.obfuscated, span is not None and not located,
        ))
    findings = []
    for number, finding in enumerate(result.findings, 1):
        ref = f"F{number}"
        for span in finding.spans:
            place(span, "finding", ref, f"{ref} finding: {finding.rule}")
        rule = rules.get(finding.rule)
        findings.append(FindingView(
            ref, finding.rule, rule.title if rule and rule.title else finding.rule, finding.severity.value,
            finding.market, finding.message, finding.citation, finding.fix, finding.suppressed,
        ))

    return PostView(
        *_head_values(result),
        fields=[FieldView(name, FIELD_TITLES[name], segment(text, marks[name])) for name, text in texts.items()],
        evidence=evidence,
        labels=labels,
        findings=findings,
    )


# --- per-influencer view ------------------------------------------------------

@dataclass(frozen=True)
class InfluencerSummary:
    """One row of the index, and the header of an influencer's page."""
    handle: str
    slug: str                       # file name stem under influencers/
    platforms: tuple[str, ...]
    markets: tuple[str, ...]
    followers: int | None
    tier: str
    first_date: str
    last_date: str
    posts: int
    with_evidence: int
    disclosed: int
    counts: dict[str, int]
    findings: int

    @property
    def rate(self) -> float | None:
        return disclosure_rate(self.disclosed, self.with_evidence)

    @property
    def attention(self) -> int:
        return sum(self.counts[v.value] for v in ATTENTION)


@dataclass(frozen=True)
class MonthBucket:
    month: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RuleUse:
    id: str
    rule: RuleInfo | None
    findings: int                   # 0 for a rule that was checked and did not fire
    example: Finding | None         # a finding of this rule, to describe rules the packs did not list


@dataclass(frozen=True)
class InfluencerDetail:
    summary: InfluencerSummary
    months: list[MonthBucket]
    attention: list[tuple[Verdict, list[PostView]]]    # sections, worst verdict first
    compact: list[PostRow]                              # disclosed and no_evidence posts
    rules_fired: list[RuleUse]
    rules_checked: list[RuleUse]


def _sort_key(result: PostResult) -> tuple[str, str]:
    return (post_date(result.post) or "9999", result.post.id)


def _markets(result: PostResult) -> set[str]:
    return {*result.post.market, *result.market_verdicts}


def summarise(handle: str, slug: str, results: Sequence[PostResult]) -> InfluencerSummary:
    dates = sorted(d for d in (post_date(r.post) for r in results) if d)
    counts = verdict_counts(r.verdict for r in results)
    dated_followers = sorted(
        (post_date(r.post), r.post.followers) for r in results if r.post.followers is not None
    )
    followers = dated_followers[-1][1] if dated_followers else None
    return InfluencerSummary(
        handle=handle,
        slug=slug,
        platforms=tuple(sorted({r.post.platform for r in results})),
        markets=tuple(sorted(set().union(*(_markets(r) for r in results)))),
        followers=followers,
        tier=follower_tier(followers),
        first_date=dates[0] if dates else "",
        last_date=dates[-1] if dates else "",
        posts=len(results),
        with_evidence=len(results) - counts[Verdict.NO_EVIDENCE.value],
        disclosed=counts[Verdict.DISCLOSED.value],
        counts=counts,
        findings=sum(1 for r in results for f in r.findings if f.suppressed is None),
    )


def month_buckets(results: Sequence[PostResult]) -> list[MonthBucket]:
    by_month: dict[str, list[Verdict]] = {}
    for result in results:
        by_month.setdefault(post_month(result.post), []).append(result.verdict)
    dated = sorted(m for m in by_month if m != UNDATED)
    months = dated
    if dated and _month_index(dated[-1]) - _month_index(dated[0]) < _MAX_FILLED_MONTHS:
        first, last = _month_index(dated[0]), _month_index(dated[-1])
        months = [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]
    if UNDATED in by_month:
        months = [*months, UNDATED]
    return [MonthBucket(m, verdict_counts(by_month.get(m, ()))) for m in months]


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


@lru_cache(maxsize=1024)
def _cross_market(market: str) -> bool:
    """Rules not tied to one ISO country code apply to every post."""
    return not re.fullmatch(r"[A-Za-z]{2}", market or "")


def build_detail(
    summary: InfluencerSummary, results: Sequence[PostResult], rules: Mapping[str, RuleInfo],
) -> InfluencerDetail:
    ordered = sorted(results, key=_sort_key)
    sections: dict[Verdict, list[PostView]] = {v: [] for v in ATTENTION}
    compact = []
    for result in ordered:
        if result.verdict in sections:
            sections[result.verdict].append(build_post_view(result, rules))
        else:
            compact.append(build_post_row(result))

    fired: Counter[str] = Counter()
    examples: dict[str, Finding] = {}
    for result in results:
        for finding in result.findings:
            if finding.suppressed is None:
                fired[finding.rule] += 1
                examples.setdefault(finding.rule, finding)
    rules_fired = [RuleUse(rule_id, rules.get(rule_id), count, examples[rule_id])
                   for rule_id, count in sorted(fired.items())]
    markets = set(summary.markets)
    rules_checked = [
        RuleUse(rule_id, info, 0, None) for rule_id, info in sorted(rules.items())
        if rule_id not in fired and (info.market in markets or _cross_market(info.market))
    ]
    return InfluencerDetail(
        summary=summary,
        months=month_buckets(results),
        attention=[(v, posts) for v, posts in sections.items() if posts],
        compact=compact,
        rules_fired=rules_fired,
        rules_checked=rules_checked,
    )


# --- the whole audit ----------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    influencers: list[InfluencerSummary]
    posts: int
    with_evidence: int
    disclosed: int
    findings: int
    counts: dict[str, int]
    markets: tuple[str, ...]
    platforms: tuple[str, ...]
    first_date: str
    last_date: str

    @property
    def rate(self) -> float | None:
        return disclosure_rate(self.disclosed, self.with_evidence)


@dataclass
class Grouped:
    """Results by influencer, in the order the influencers first appear."""
    by_handle: dict[str, list[PostResult]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)


def group_results(results: Iterable[PostResult]) -> Grouped:
    grouped = Grouped()
    for result in results:
        handle = result.post.author or UNKNOWN_AUTHOR
        grouped.by_handle.setdefault(handle, []).append(result)
    taken: set[str] = set()
    for handle in grouped.by_handle:
        # "@maya" reads better as maya.html; the loop below keeps "maya" apart.
        slug = base = safe_filename(handle[1:] if handle.startswith("@") and len(handle) > 1 else handle)
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        grouped.slugs[handle] = slug
    return grouped


def overview(summaries: list[InfluencerSummary]) -> Overview:
    ranked = sorted(summaries, key=lambda s: (
        *(-s.counts[v.value] for v in ATTENTION), -s.posts, s.handle.casefold(),
    ))
    counts = {v.value: sum(s.counts[v.value] for s in summaries) for v in VERDICT_ORDER}
    firsts = [s.first_date for s in summaries if s.first_date]
    lasts = [s.last_date for s in summaries if s.last_date]
    return Overview(
        influencers=ranked,
        posts=sum(s.posts for s in summaries),
        with_evidence=sum(s.with_evidence for s in summaries),
        disclosed=sum(s.disclosed for s in summaries),
        findings=sum(s.findings for s in summaries),
        counts=counts,
        markets=tuple(sorted({m for s in summaries for m in s.markets})),
        platforms=tuple(sorted({p for s in summaries for p in s.platforms})),
        first_date=min(firsts, default=""),
        last_date=max(lasts, default=""),
    )
