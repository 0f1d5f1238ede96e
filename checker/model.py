"""The vocabulary every stage shares: posts in, findings and verdicts out.

Data flows one way: readers build `Post`s (or `Rejected` records), the
pipeline turns a post into `Evidence` and `Label`s, rules turn those into
`Finding`s, and a `PostResult` carries all of it to the reporters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

PLATFORMS = (
    "instagram", "tiktok", "youtube", "x", "facebook", "snapchat",
    "pinterest", "twitch", "linkedin", "blog", "other",
)
FORMATS = ("post", "story", "reel", "video", "short", "live")
VIDEO_FORMATS = ("reel", "video", "short", "live")

# The text-bearing fields of a post, in the order a viewer meets them.
TEXT_FIELDS = ("title", "text", "transcript", "on_screen_text")


class Verdict(str, Enum):
    UNDISCLOSED = "undisclosed"
    INADEQUATE = "inadequate"
    DISCLOSED = "disclosed"
    REVIEW = "review"
    NO_EVIDENCE = "no_evidence"

    @property
    def rank(self) -> int:
        """Higher is worse: the verdict of a multi-market post is the worst."""
        return _VERDICT_RANK[self]


_VERDICT_RANK = {
    Verdict.NO_EVIDENCE: 0,
    Verdict.DISCLOSED: 1,
    Verdict.REVIEW: 2,
    Verdict.INADEQUATE: 3,
    Verdict.UNDISCLOSED: 4,
}


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Strength(str, Enum):
    KNOWN = "known"      # declared by configuration, or a draft in check mode
    STRONG = "strong"
    WEAK = "weak"

    @property
    def rank(self) -> int:
        return {"weak": 0, "strong": 1, "known": 2}[self.value]


class LabelStatus(str, Enum):
    ACCEPTED = "accepted"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Origin:
    """Where a post came from: the file, the line its record starts on, and,
    for drafts, where each text field starts inside that file (line, column),
    both 1-based."""
    path: str
    line: int
    field_starts: tuple[tuple[str, int, int], ...] = ()
    # The post id only numbers the post within its file (`drafts/a.md#2`):
    # baselines then key the post by its file, not by its place in it.
    positional: bool = False

    def field_start(self, name: str) -> tuple[int, int] | None:
        for field_name, line, column in self.field_starts:
            if field_name == name:
                return line, column
        return None


@dataclass(frozen=True)
class Post:
    id: str
    text: str = ""
    title: str | None = None
    transcript: str | None = None
    on_screen_text: str | None = None
    author: str | None = None
    platform: str = "other"
    format: str = "post"
    market: tuple[str, ...] = ()
    language: str | None = None
    paid_partnership: bool = False
    followers: int | None = None
    posted_at: str | None = None          # ISO 8601 as given
    url: str | None = None
    brand: str | None = None              # drafts: the brand the campaign is for
    origin: Origin | None = None
    expected: dict | None = None          # labelled data: {"verdict": ...}
    # Fields the reader does not know (`campaign: spring-2026`), kept as given:
    # shown in JSON output and usable in summaries, never judged.
    metadata: dict = field(default_factory=dict)

    def field_text(self, name: str) -> str:
        return getattr(self, name) or ""

    def text_fields(self) -> list[tuple[str, str]]:
        """(field, text) for every non-empty text field, title first."""
        return [(name, text) for name in TEXT_FIELDS if (text := self.field_text(name))]


# Spans, evidence and labels are built several times for every post audited:
# they are named tuples, immutable like the frozen dataclasses here but three
# to five times cheaper to construct.
class Span(NamedTuple):
    """A piece of a post's text. `start`/`end` index the original,
    un-normalised field text, so `post.<field>[start:end] == text`."""
    field: str
    start: int
    end: int
    text: str


class Evidence(NamedTuple):
    kind: str             # affiliate_link, discount_code, gifted, paid_language, ...
    strength: Strength
    signal: str           # id of the signal in the rule pack that found it
    span: Span | None     # None for evidence with no text (platform flag, declared relationship)
    detail: str = ""      # e.g. the affiliate host, the code, the declared relationship


class Label(NamedTuple):
    market: str
    status: LabelStatus
    label: str            # id of the lexicon entry, e.g. "ad"
    span: Span | None     # None for the platform's paid-partnership label
    language: str | None = None
    obfuscated: bool = False  # found only after folding look-alikes or spacing


@dataclass(frozen=True)
class Review:
    """A reviewer's decision on a finding, as the history store keeps it.

    `decision` is dismissed, confirmed or reopened. A decision is made on the
    evidence a finding rests on; when a later audit finds the same rule on
    the same post with other evidence, the decision is `stale`: shown, but
    it no longer applies and the finding counts again."""
    decision: str
    reason: str
    by: str
    at: str                # ISO 8601, UTC
    stale: bool = False

    @property
    def dismisses(self) -> bool:
        return self.decision == "dismissed" and not self.stale


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    market: str
    verdict: Verdict      # the verdict this rule pushes the post to
    message: str
    citation: str
    fix: str
    spans: tuple[Span, ...] = ()
    pack: str = ""        # "pack-id@version" the rule came from
    suppressed: str | None = None   # the reason, when a suppression applies
    # (line, column) in the post's file for a finding about the file rather
    # than about the text (a suppression directive, which is not post text).
    at: tuple[int, int] | None = None
    review: Review | None = None    # a reviewer's decision from the history store


@dataclass
class PostResult:
    post: Post
    verdict: Verdict
    market_verdicts: dict[str, Verdict] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


@dataclass(frozen=True)
class Rejected:
    """A record that could not be read; it is reported, never dropped."""
    path: str
    line: int
    reason: str


def rules_sending_to_review(result: PostResult) -> tuple[str, ...]:
    """The rules that sent a post to review (none unless its verdict is review)."""
    if result.verdict is not Verdict.REVIEW:
        return ()
    return tuple(sorted({f.rule for f in result.findings if f.verdict is Verdict.REVIEW}))


@dataclass
class Summary:
    read: int = 0
    audited: int = 0
    rejected: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)
    by_author: dict[str, dict[str, int]] = field(default_factory=dict)
    file_errors: list[Rejected] = field(default_factory=list)  # whole files that could not be read
    review_rules: dict[str, int] = field(default_factory=dict)  # rule -> posts it sent to review

    def add(self, result: PostResult) -> None:
        self.add_verdict(result.verdict, result.post.author, rules_sending_to_review(result))

    def add_verdict(self, verdict_of_post: Verdict, author_of_post: str | None,
                    sent_to_review: tuple[str, ...] = ()) -> None:
        self.read += 1
        self.audited += 1
        verdict = verdict_of_post.value
        self.by_verdict[verdict] = self.by_verdict.get(verdict, 0) + 1
        for rule in sent_to_review:
            self.review_rules[rule] = self.review_rules.get(rule, 0) + 1
        author = author_of_post or "(unknown)"
        per_author = self.by_author.setdefault(author, {})
        per_author[verdict] = per_author.get(verdict, 0) + 1

    def add_rejected(self) -> None:
        self.read += 1
        self.rejected += 1


@dataclass(frozen=True)
class RuleInfo:
    """What reporters and docs need to know about a rule, without the engine."""
    id: str
    title: str
    severity: Severity
    market: str
    verdict: Verdict
    message: str
    citation: str
    fix: str
    description: str = ""
    pack: str = ""                                  # "pack-id@version"
    effective_from: str | None = None
    effective_to: str | None = None
    failing_examples: tuple[str, ...] = ()
    passing_examples: tuple[str, ...] = ()
