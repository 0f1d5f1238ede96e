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

from ..creators import UNKNOWN_CREATOR, creator_key
from ..model import (
    Evidence, Finding, Label, Post, PostResult, RuleInfo, Span, Strength, TEXT_FIELDS, Verdict,
)
from ..safe_paths import safe_filename
from ..store.views import CreatorHistory, ReportHistory, TrendPoint, short_id
from ..suppress import fingerprint
from .base import describe_review

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
UNKNOWN_AUTHOR = UNKNOWN_CREATOR
# Verdicts of posts that fail disclosure rules: the cross-creator table lists them.
FLAGGED: tuple[Verdict, ...] = (Verdict.UNDISCLOSED, Verdict.INADEQUATE)
# Evidence strong enough for a post to count in the disclosure rate.
_COUNTED_STRENGTHS = (Strength.STRONG, Strength.KNOWN)
_BRAND_EVIDENCE = ("brand_mention", "brand_hashtag")
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


def has_counted_evidence(result: PostResult) -> bool:
    """Strong or known evidence: a post a disclosure rate should count.
    Weak evidence alone (a bare brand tag) leaves a post for review."""
    return any(item.strength in _COUNTED_STRENGTHS for item in result.evidence)


def post_brands(result: PostResult) -> tuple[str, ...]:
    """The brands a post names: the draft's brand, and the accounts and
    hashtags its brand evidence points at (lower-cased, each once)."""
    found = {result.post.brand.strip().casefold()} if result.post.brand and result.post.brand.strip() else set()
    found.update(item.span.text.strip().casefold() for item in result.evidence
                 if item.kind in _BRAND_EVIDENCE and item.span is not None and item.span.text.strip())
    return tuple(sorted(found))


def finding_status(history: ReportHistory | None, result: PostResult, finding: Finding) -> str:
    """new (the creator's previous recorded audit did not find it), open
    (it did), dismissed (by a review decision) or suppressed (inline or by a
    baseline). Without a recorded history, every counting finding is open."""
    if finding.review is not None and finding.review.dismisses:
        return "dismissed"
    if finding.suppressed is not None:
        return "suppressed"
    if history is None:
        return "open"
    return history.status(creator_key(result.post.author), result.post.id, finding.rule, finding.market, False)


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
        return pack_summary(self.packs)


def pack_summary(packs: Sequence[str]) -> str:
    """How many packs, at which versions: "42 packs, version 2026.11"."""
    if not packs:
        return "none recorded"
    versions = sorted({pack.rpartition("@")[2] for pack in packs if "@" in pack})
    count = f"{len(packs)} pack{'s' if len(packs) != 1 else ''}"
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
    status: str = ""      # new, open, dismissed, suppressed (see finding_status)
    review: str = ""      # the review decision in words ("dismissed by … on …: …"), if any
    stale: bool = False   # the decision was made on other evidence and no longer applies


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
    # "F-3c9a1e0b12" for each finding, for `clearlabel review`: kept apart
    # from the views, which pages render once for all findings alike
    finding_ids: list[str] = field(default_factory=list)

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


_WORD = re.compile(r"\w")
_AMOUNT_SIGNS = "%€$£¥₹"


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """`start:end` widened so that it cuts no word or number in half: a hit
    on "% off" inside "20% off" becomes "20% off"."""
    while start > 0 and _WORD.match(text[start - 1]) and (_WORD.match(text[start]) or text[start] in _AMOUNT_SIGNS):
        start -= 1
    while end < len(text) and _WORD.match(text[end - 1]) and _WORD.match(text[end]):
        end += 1
    return start, end


def merged_evidence(evidence: Sequence[Evidence], texts: Mapping[str, str]) -> list[Evidence]:
    """The evidence to show: spans widened to whole words, and one item for
    evidence of the same kind on the same words (the same "20% off" found by
    several languages' signals), the strongest first seen, its signals joined."""
    merged: dict[tuple, Evidence] = {}
    for item in evidence:
        span = item.span
        if span is not None and (text := texts.get(span.field)) and text[span.start:span.end] == span.text:
            start, end = whole_words(text, span.start, span.end)
            if (start, end) != (span.start, span.end):
                span = Span(span.field, start, end, text[start:end])
                item = item._replace(span=span)
        key = (item.kind, span) if span is not None else (item.kind, item.signal, item.detail)
        kept = merged.get(key)
        if kept is None:
            merged[key] = item
        elif item.signal not in kept.signal.split(", "):
            strongest = item if item.strength.rank > kept.strength.rank else kept
            merged[key] = strongest._replace(signal=f"{kept.signal}, {item.signal}")
    return list(merged.values())


def build_post_view(result: PostResult, rules: Mapping[str, RuleInfo],
                    history: ReportHistory | None = None) -> PostView:
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
    for number, item in enumerate(merged_evidence(result.evidence, texts), 1):
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
    findings, finding_ids = [], []
    for number, finding in enumerate(result.findings, 1):
        ref = f"F{number}"
        for span in finding.spans:
            place(span, "finding", ref, f"{ref} finding: {finding.rule}")
        rule = rules.get(finding.rule)
        review = finding.review
        findings.append(FindingView(
            ref, finding.rule, rule.title if rule and rule.title else finding.rule, finding.severity.value,
            finding.market, finding.message, finding.citation, finding.fix, finding.suppressed,
            finding_status(history, result, finding),
            describe_review(review) if review is not None else "", review is not None and review.stale,
        ))
        finding_ids.append(short_id(fingerprint(result, finding)))

    return PostView(
        *_head_values(result),
        fields=[FieldView(name, FIELD_TITLES[name], segment(text, marks[name])) for name, text in texts.items()],
        evidence=evidence,
        labels=labels,
        findings=findings,
        finding_ids=finding_ids,
    )


# --- per-influencer view ------------------------------------------------------

@dataclass(frozen=True)
class InfluencerSummary:
    """One row of the index, and the header of an influencer's page."""
    handle: str
    slug: str                       # file name stem under influencers/
    platforms: tuple[str, ...]
    markets: tuple[str, ...]
    followers: int | None           # on the creator's largest platform, the latest count given
    tier: str
    first_date: str
    last_date: str
    posts: int
    with_evidence: int              # posts with strong or known evidence
    disclosed: int                  # of those, disclosed
    counts: dict[str, int]
    findings: int
    followers_platform: str | None = None
    key: str = ""                   # creator key: handles compared case-insensitively
    repeat: bool = False            # undisclosed posts in two or more recorded runs

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


class FixedRow(NamedTuple):
    id: str
    post_id: str
    rule: str
    market: str
    severity: str
    how: str              # "deleted", "now disclosed", ...


class DecisionRow(NamedTuple):
    id: str
    at: str               # "2026-04-05 14:30 UTC"
    post_id: str
    rule: str
    market: str
    decision: str
    by: str
    reason: str
    in_force: bool        # the latest decision on its finding


@dataclass(frozen=True)
class HistoryView:
    """An influencer's earlier audits, as their page shows them."""
    run_id: int
    previous_run: int | None
    previous_date: str
    new: int
    fixed: list[FixedRow]
    open: int
    dismissed: int
    trend: list[MonthBucket]          # one bucket per run, labelled with its date (for the chart)
    trend_runs: list[TrendPoint]
    decisions: list[DecisionRow]
    repeat: bool


@dataclass(frozen=True)
class InfluencerDetail:
    summary: InfluencerSummary
    months: list[MonthBucket]
    attention: list[tuple[Verdict, list[PostView]]]    # sections, worst verdict first
    compact: list[PostRow]                              # disclosed and no_evidence posts
    rules_fired: list[RuleUse]
    rules_checked: list[RuleUse]
    history: HistoryView | None = None


def _sort_key(result: PostResult) -> tuple[str, str]:
    return (post_date(result.post) or "9999", result.post.id)


def _markets(result: PostResult) -> set[str]:
    return {*result.post.market, *result.market_verdicts}


def largest_platform(results: Sequence[PostResult]) -> tuple[int | None, str | None]:
    """The follower count on the creator's largest platform (the latest
    count given on each platform, by post date), and that platform."""
    latest: dict[str, tuple[str, int]] = {}
    for result in results:
        post = result.post
        if post.followers is None:
            continue
        dated = (post_date(post), post.followers)
        if post.platform not in latest or dated >= latest[post.platform]:
            latest[post.platform] = dated
    if not latest:
        return None, None
    platform, (_, followers) = max(latest.items(), key=lambda item: (item[1][1], item[0]))
    return followers, platform


def summarise(handle: str, slug: str, results: Sequence[PostResult], repeat: bool = False) -> InfluencerSummary:
    dates = sorted(d for d in (post_date(r.post) for r in results) if d)
    counts = verdict_counts(r.verdict for r in results)
    counted = [r for r in results if has_counted_evidence(r)]
    followers, platform = largest_platform(results)
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
        with_evidence=len(counted),
        disclosed=sum(1 for r in counted if r.verdict is Verdict.DISCLOSED),
        counts=counts,
        findings=sum(1 for r in results for f in r.findings if f.suppressed is None),
        followers_platform=platform,
        key=creator_key(results[0].post.author) if results else "",
        repeat=repeat,
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
    history: ReportHistory | None = None,
) -> InfluencerDetail:
    ordered = sorted(results, key=_sort_key)
    sections: dict[Verdict, list[PostView]] = {v: [] for v in ATTENTION}
    compact = []
    for result in ordered:
        if result.verdict in sections:
            sections[result.verdict].append(build_post_view(result, rules, history))
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
    creator = history.creators.get(summary.key) if history is not None else None
    return InfluencerDetail(
        summary=summary,
        months=month_buckets(results),
        attention=[(v, posts) for v, posts in sections.items() if posts],
        compact=compact,
        rules_fired=rules_fired,
        rules_checked=rules_checked,
        history=history_view(history.run_id, creator) if creator is not None else None,
    )


def _when(timestamp: str) -> str:
    return f"{timestamp[:10]} {timestamp[11:16]} UTC" if len(timestamp) >= 16 else timestamp


def history_view(run_id: int, creator: CreatorHistory) -> HistoryView:
    comparison = creator.comparison
    latest: dict[str, int] = {}
    for decision in creator.decisions:
        latest[decision.fingerprint] = decision.id
    decisions = [DecisionRow(d.short_id, _when(d.at), d.post_id, d.rule, d.market, d.decision, d.by, d.reason,
                             latest[d.fingerprint] == d.id) for d in reversed(creator.decisions)]
    return HistoryView(
        run_id=run_id,
        previous_run=creator.previous_run,
        previous_date=_when(creator.previous_date) if creator.previous_date else "",
        new=len(comparison.new),
        fixed=[FixedRow(f.short_id, f.post_id, f.rule, f.market, f.severity, f.how) for f in comparison.fixed],
        open=len(comparison.open),
        dismissed=len(comparison.dismissed),
        trend=[MonthBucket(point.finished_at[:10],
                           {v.value: point.counts.get(v.value, 0) for v in VERDICT_ORDER}) for point in creator.trend],
        trend_runs=list(creator.trend),
        decisions=decisions,
        repeat=creator.repeat,
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

    @property
    def repeat(self) -> list[InfluencerSummary]:
        return [s for s in self.influencers if s.repeat]


class FlaggedRow(NamedTuple):
    """A post that fails disclosure rules, in the table across creators."""
    handle: str
    slug: str
    anchor: str
    post_id: str
    date: str
    platform: str
    markets: tuple[str, ...]
    brands: tuple[str, ...]
    verdict: str
    rules: str            # the counting findings' rules, "GB-NO-LABEL, US-NO-LABEL"
    status: str           # new, open, or dismissed when every finding is


@dataclass(frozen=True)
class FlaggedPosts:
    rows: list[FlaggedRow]
    markets: tuple[str, ...]
    platforms: tuple[str, ...]
    brands: tuple[str, ...]


def flagged_posts(grouped: Grouped, ranked: Sequence[InfluencerSummary],
                  history: ReportHistory | None) -> FlaggedPosts:
    """Every undisclosed or inadequate post, creators in report order, each
    creator's posts by date."""
    rows = []
    for summary in ranked:
        for result in sorted(grouped.by_handle[summary.handle], key=_sort_key):
            if result.verdict not in FLAGGED:
                continue
            statuses = {finding_status(history, result, f) for f in result.findings}
            counting = [f.rule for f in result.findings if f.suppressed is None]
            status = "new" if "new" in statuses else "open" if "open" in statuses else \
                "dismissed" if "dismissed" in statuses else "suppressed" if statuses else "open"
            post = result.post
            rows.append(FlaggedRow(summary.handle, summary.slug, "post-" + safe_filename(post.id), post.id,
                                   post_date(post), post.platform, tuple(sorted(_markets(result))),
                                   post_brands(result), result.verdict.value,
                                   ", ".join(dict.fromkeys(counting)), status))
    return FlaggedPosts(
        rows=rows,
        markets=tuple(sorted({m for row in rows for m in row.markets})),
        platforms=tuple(sorted({row.platform for row in rows})),
        brands=tuple(sorted({b for row in rows for b in row.brands})),
    )


@dataclass
class Grouped:
    """Results by influencer, in the order the influencers first appear."""
    by_handle: dict[str, list[PostResult]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)


def group_results(results: Iterable[PostResult]) -> Grouped:
    """Posts by creator, handles compared case-insensitively (`@Sam.X` and
    `@sam.x` are one creator, shown as first written)."""
    grouped = Grouped()
    shown: dict[str, str] = {}
    for result in results:
        key = creator_key(result.post.author)
        handle = shown.setdefault(key, result.post.author.strip() if key != UNKNOWN_AUTHOR else UNKNOWN_AUTHOR)
        grouped.by_handle.setdefault(handle, []).append(result)
    taken: set[str] = set()
    for handle in grouped.by_handle:
        # "@Maya" reads better as maya.html (the key drops the "@" and the
        # case); the loop below keeps "maya" apart.
        key = creator_key(handle)
        slug = base = safe_filename(key if key != UNKNOWN_AUTHOR else handle)
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        grouped.slugs[handle] = slug
    return grouped


def overview(summaries: list[InfluencerSummary]) -> Overview:
    """The whole audit; repeat cases first, then those with the most posts
    needing attention."""
    ranked = sorted(summaries, key=lambda s: (
        not s.repeat, *(-s.counts[v.value] for v in ATTENTION), -s.posts, s.handle.casefold(),
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
