"""The kinds of check a market rule can run, each a small pure function.

A rule pack picks a check by name and tunes it with `params`; a check looks
at the facts of one post as one market sees them and returns the spans that
make it fire, an empty tuple when it fires with nothing to point at, or None
when it does not fire. Adding a market or a label never needs a new check.

Each check declares in `CHECK_NEEDS` what a view must hold for it to be
able to fire; the engine runs only the checks a view can fire, which for
most posts is a few of a market's rules.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping

from .evidence import LabelHit, PostFacts
from .model import VIDEO_FORMATS, Span, Strength
from .packs import Market

Result = tuple[Span, ...] | None
DEFAULT_FOLD = {"chars": 125, "lines": 3}

# What a view can hold that lets checks fire: the bits of `MarketView.holds`.
RELATIONSHIP = 1        # strong or known evidence
WEAK_EVIDENCE = 2
ACCEPTED = 4            # a label this market accepts
AMBIGUOUS = 8           # a label this market finds unclear
PLATFORM_LABEL = 16     # the platform's paid-partnership label
DENIAL = 32             # words denying a relationship ("not sponsored")
BRAND_ACCOUNT = 64      # the author is a brand posting on its own account
ALL_HOLDS = RELATIONSHIP | WEAK_EVIDENCE | ACCEPTED | AMBIGUOUS | PLATFORM_LABEL | DENIAL | BRAND_ACCOUNT


@dataclass
class MarketView:
    """One post's facts as one market classifies its labels (built for every
    market of every post, so not frozen: a frozen dataclass pays a call per
    field to construct)."""
    facts: PostFacts
    market: Market
    accepted: tuple[LabelHit, ...]
    ambiguous: tuple[LabelHit, ...]
    folds: Mapping[str, Mapping[str, int]]

    @classmethod
    def build(cls, facts: PostFacts, market: Market, folds: Mapping[str, Mapping[str, int]]) -> "MarketView":
        if not facts.labels:
            return cls(facts, market, (), (), folds)
        kept = _one_label_per_stretch(facts.labels, market)
        return cls(
            facts, market,
            tuple(h for h in facts.labels if id(h) in kept and h.label.id in market.accepted),
            tuple(h for h in facts.labels if id(h) in kept and h.label.id in market.ambiguous),
            folds,
        )

    @property
    def platform_label(self) -> bool:
        return self.facts.post.paid_partnership

    @property
    def holds(self) -> int:
        """What the view holds that can make a check fire (see `CHECK_NEEDS`)."""
        holds = RELATIONSHIP if self.facts.relationship else 0
        if any(e.strength is Strength.WEAK for e in self.facts.evidence):
            holds |= WEAK_EVIDENCE
        if self.accepted:
            holds |= ACCEPTED
        if self.ambiguous:
            holds |= AMBIGUOUS
        if self.platform_label:
            holds |= PLATFORM_LABEL
        if self.facts.denials:
            holds |= DENIAL
        if self.facts.brand_account:
            holds |= BRAND_ACCOUNT
        return holds

    # Indexes the placement checks look hits up in, built once per view: a
    # post stuffed with thousands of labels, frames or mentions must not cost
    # a scan of all of them per label.
    @cached_property
    def frame_starts(self) -> dict[str, list[tuple[int, int, int]]]:
        """Per field, (start, end, index) of its frames, by start."""
        starts: dict[str, list[tuple[int, int, int]]] = {}
        for frame in self.facts.frames:
            starts.setdefault(frame.field, []).append((frame.start, frame.end, frame.index))
        for items in starts.values():
            items.sort()
        return starts

    @cached_property
    def brand_starts(self) -> dict[str, list[int]]:
        """Per field, the sorted starts of @mentions and brand hashtags."""
        starts: dict[str, list[int]] = {}
        spans = [*self.facts.mentions, *(e.span for e in self.facts.evidence if e.kind == "brand_hashtag" and e.span)]
        for span in spans:
            starts.setdefault(span.field, []).append(span.start)
        for items in starts.values():
            items.sort()
        return starts

    @cached_property
    def trailing_runs(self) -> dict[str, tuple[int, int, list[tuple[int, int]], list[int]]]:
        """Per field, its trailing hashtag run (the last run, when nothing but
        white space follows it and text precedes it) and the starts of its tags."""
        trailing = {}
        for name, runs in self.facts.hashtag_runs.items():
            if not runs:
                continue
            run_start, run_end, tags = runs[-1]
            text = self.facts.post.field_text(name)
            if not text[run_end:].strip(" \t\r\n.·•") and text[:run_start].strip():
                trailing[name] = (run_start, run_end, tags, [start for start, _ in tags])
        return trailing

    @property
    def platform_label_counts(self) -> bool:
        return self.platform_label and self.market.platform_label == "accepted"

    @cached_property
    def relationship(self) -> bool:
        """Strong or known evidence, or a label that states a relationship
        ("#ad", "#gifted"; not a thank-you) and either declares the post
        (a hashtag, up front, in brackets) or stands with other evidence.
        "The race is sponsored by the council" alone is not an ad."""
        if self.facts.relationship:
            return True
        stating = [h for h in self.accepted + self.ambiguous if h.label.states_relationship]
        return bool(stating) and (bool(self.facts.evidence) or any(h.declares for h in stating))

    def fold(self, params: Mapping[str, Any]) -> Mapping[str, int]:
        platform_fold = self.folds.get(self.facts.post.platform) or self.folds.get("default") or DEFAULT_FOLD
        return {**platform_fold, **{k: params[k] for k in ("chars", "lines") if k in params}}


def _one_label_per_stretch(hits, market: Market) -> set[int]:
    """Of the labels this market lists, one per stretch of text: the earliest,
    longest wins over those overlapping it ('this stream is sponsored' over
    'sponsored by'); on the very same words an accepted entry wins over an
    unclear one. Returns the `id()`s of the hits kept."""
    known = [h for h in hits if h.label.id in market.accepted or h.label.id in market.ambiguous]
    known.sort(key=lambda h: (h.span.field, h.span.start, -(h.span.end - h.span.start),
                              h.label.id not in market.accepted, h.label.id))
    kept: list = []
    reach: dict[str, int] = {}      # per field, the furthest end kept (hits come by start)
    for hit in known:
        if hit.span.start < reach.get(hit.span.field, -1):
            continue
        kept.append(hit)
        reach[hit.span.field] = max(reach.get(hit.span.field, -1), hit.span.end)
    return {id(h) for h in kept}


def _spans(hits) -> tuple[Span, ...]:
    return tuple(h.span for h in hits if h.span is not None)


def _relationship_spans(view: MarketView) -> tuple[Span, ...]:
    return tuple(e.span for e in view.facts.evidence if e.strength is not Strength.WEAK and e.span is not None)


# --------------------------------------------------------------------------- label presence

def missing_label(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Commercial evidence, and no label of any kind (text or platform).

    `evident_when` lists sets of evidence kinds that, found together, made
    the relationship evident without a label under a version of a code
    (the Dutch RSM of 2014: a personal discount code with the brand)."""
    if not view.facts.relationship or view.accepted or view.ambiguous or view.platform_label:
        return None
    kinds = {e.kind for e in view.facts.evidence}
    if any(set(combination) <= kinds for combination in params.get("evident_when", ())):
        return None
    return _relationship_spans(view)


def ambiguous_label_only(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Only labels this market finds unclear (#sp, #collab, #gifted in GB ...).

    `unclear_labels` lists accepted labels that this version of the rule
    treats as unclear too, for a code whose lists changed on a date (Spain's
    2025 code rejects "Regalo de" that the 2020 code allowed): the market
    accepts the label, and the dated rule versions disagree about it."""
    if not (view.accepted or view.ambiguous) or not view.relationship:
        return None
    unclear = set(params.get("unclear_labels", ()))
    accepted = [h for h in view.accepted if h.label.id not in unclear]
    ambiguous = [*view.ambiguous, *(h for h in view.accepted if h.label.id in unclear)]
    if accepted or not ambiguous or view.platform_label_counts:
        return None
    return _spans(ambiguous)


def platform_label_only(view: MarketView, params: Mapping[str, Any]) -> Result:
    """The platform's paid-partnership label with no label in the text."""
    if not view.platform_label or view.accepted or view.ambiguous or view.market.platform_label == "accepted":
        return None
    return ()


def weak_evidence_only(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Only weak signs (a brand tagged in promotional context): a person should look."""
    if view.relationship or view.platform_label or view.facts.brand_account:
        return None
    kinds = set(params.get("kinds", ("brand_mention", "brand_hashtag")))
    spans = tuple(e.span for e in view.facts.evidence
                  if e.strength is Strength.WEAK and e.kind in kinds and e.span is not None)
    return spans or None


# --------------------------------------------------------------------------- placement

def _upfront(view: MarketView, hit: LabelHit, params: Mapping[str, Any]) -> bool:
    span = hit.span
    if span.field == "title":
        return True
    if span.field in ("transcript", "on_screen_text"):
        return span.start < params.get("spoken_chars", 300)
    explicit_fold = view.facts.folds.get(span.field)
    if explicit_fold is not None:
        return span.start < explicit_fold
    text = view.facts.post.field_text(span.field)
    start_of_view = _frame_start(view, span)
    fold = view.fold(params)
    # Length first: counting lines in all the text before every label of a
    # long post would be quadratic.
    return (span.start - start_of_view < fold["chars"]
            and text.count("\n", start_of_view, span.start) < fold["lines"])


def _frame_start(view: MarketView, span: Span) -> int:
    frames = view.frame_starts.get(span.field, ())
    before = bisect_right(frames, (span.start, float("inf"), 0))
    return frames[before - 1][0] if before else 0


def label_after_fold(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Every accepted label sits below the fold ("… more") or late in the video."""
    if not view.accepted or view.platform_label_counts or not view.relationship:
        return None
    if any(_upfront(view, hit, params) for hit in view.accepted):
        return None
    return _spans(view.accepted)


def _in_trailing_run(view: MarketView, hit: LabelHit, params: Mapping[str, Any]) -> bool:
    # Only the last run of a field can be trailing: any other has a run after it.
    trailing = view.trailing_runs.get(hit.span.field)
    if trailing is None:
        return False
    run_start, run_end, tags, tag_starts = trailing
    if len(tags) < params.get("min_hashtags", 3) or not run_start <= hit.span.start < run_end:
        return False
    position = bisect_right(tag_starts, hit.span.start) - 1
    if position < 0 or not hit.span.start < tags[position][1]:
        return True
    if position < params.get("allowed_first", 0):
        return False
    if params.get("allow_edges") and position in (0, len(tags) - 1):
        return False
    return True


def label_in_hashtag_cluster(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Every accepted label is buried in a trailing run of hashtags."""
    if not view.accepted or view.platform_label_counts or not view.relationship:
        return None
    if all(_in_trailing_run(view, hit, params) for hit in view.accepted):
        return _spans(view.accepted)
    return None


def video_label_outside_video(view: MarketView, params: Mapping[str, Any]) -> Result:
    """A video whose label is only in the description, not said or shown in it."""
    post = view.facts.post
    formats = params.get("formats", VIDEO_FORMATS)
    if post.format not in formats or not view.accepted or not view.relationship:
        return None
    in_video_fields = set(params.get("fields", ("title", "transcript", "on_screen_text")))
    if not any(post.field_text(f) for f in in_video_fields - {"title"}):
        return None              # nothing of the video itself to judge
    if any(hit.span.field in in_video_fields for hit in view.accepted):
        return None
    # Labels that belong next to what they explain, such as an affiliate-link
    # note above the links (the German asterisk method), satisfy the rule there.
    exempt = set(params.get("exempt_labels", ()))
    if any(hit.label.id in exempt for hit in view.accepted):
        return None
    return _spans(view.accepted)


def live_label_not_repeated(view: MarketView, params: Mapping[str, Any]) -> Result:
    """A livestream that says its label fewer times than the market expects."""
    post = view.facts.post
    if post.format != "live" or not post.transcript or not view.relationship:
        return None
    spoken = [hit for hit in view.accepted if hit.span.field == "transcript"]
    if len(spoken) >= params.get("min_mentions", 2):
        return None
    return _spans(spoken) or _spans(view.accepted) or ()


def story_frames_unlabelled(view: MarketView, params: Mapping[str, Any]) -> Result:
    """A story or carousel with frames that carry no label."""
    frames = view.facts.frames
    if len(frames) < 2 or not view.accepted or not view.relationship:
        return None
    labelled = set()
    for hit in view.accepted:
        in_field = view.frame_starts.get(hit.span.field, ())
        before = bisect_right(in_field, (hit.span.start, float("inf"), 0))
        if before and hit.span.start < in_field[before - 1][1]:
            labelled.add(in_field[before - 1][2])
    required = {0, len(frames) - 1} if params.get("require") == "first_and_last" else set(range(len(frames)))
    missing = sorted(required - labelled)
    if not missing:
        return None
    return tuple(Span(f.field, f.start, f.end, view.facts.post.field_text(f.field)[f.start:f.end])
                 for f in frames if f.index in missing)


# --------------------------------------------------------------------------- wording

def label_wrong_language(view: MarketView, params: Mapping[str, Any]) -> Result:
    """Accepted labels exist, but none is in the language of the post."""
    if not view.accepted or not view.relationship:
        return None              # before the language, which may need detecting
    language = view.facts.language
    if not language or language not in params.get("languages", view.market.languages):
        return None
    if "formats" in params and view.facts.post.format not in params["formats"]:
        return None              # a rule for some formats only (the Dutch CvdM on video)
    if any(hit.label.language in (None, language) for hit in view.accepted):
        return None
    return _spans(view.accepted)


def label_without_brand(view: MarketView, params: Mapping[str, Any]) -> Result:
    """The market wants the brand named with the label (Ad @brand, Mainos X)."""
    ids = set(params.get("labels", ())) or {h.label.id for h in view.accepted}
    hits = [h for h in view.accepted if h.label.id in ids]
    if not hits or len(hits) < len(view.accepted) or not view.relationship:
        return None
    window = params.get("window", 60)
    for hit in hits:
        starts = view.brand_starts.get(hit.span.field, ())
        nearest = bisect_left(starts, hit.span.end - window)
        if nearest < len(starts) and starts[nearest] <= hit.span.end + window:
            return None
    return _spans(hits)


def obfuscated_label(view: MarketView, params: Mapping[str, Any]) -> Result:
    """A label written with look-alike or invisible characters."""
    hits = [h for h in view.accepted + view.ambiguous if h.obfuscated]
    return _spans(hits) or None


# --------------------------------------------------------------------------- denials and brand accounts

def denial_with_evidence(view: MarketView, params: Mapping[str, Any]) -> Result:
    """The post denies a relationship ("not sponsored") yet carries evidence
    of one of `kinds` (by default a discount code or an affiliate link)."""
    if not view.facts.denials or view.facts.brand_account or view.accepted:
        return None              # a post labelled as an ad: its denial is about something else
    kinds = set(params.get("kinds", ("discount_code", "affiliate_link")))
    evidence = tuple(e.span for e in view.facts.evidence if e.kind in kinds and e.span is not None)
    if not evidence:
        return None
    return tuple(view.facts.denials) + evidence


def brand_own_account(view: MarketView, params: Mapping[str, Any]) -> Result:
    """The author is a brand or shop posting on its own account: its posts
    are its own advertising, and influencer labelling rules do not apply."""
    return () if view.facts.brand_account else None


CHECK_FUNCTIONS: dict[str, Callable[[MarketView, Mapping[str, Any]], Result]] = {
    "missing_label": missing_label,
    "ambiguous_label_only": ambiguous_label_only,
    "platform_label_only": platform_label_only,
    "weak_evidence_only": weak_evidence_only,
    "label_after_fold": label_after_fold,
    "label_in_hashtag_cluster": label_in_hashtag_cluster,
    "video_label_outside_video": video_label_outside_video,
    "live_label_not_repeated": live_label_not_repeated,
    "story_frames_unlabelled": story_frames_unlabelled,
    "label_wrong_language": label_wrong_language,
    "label_without_brand": label_without_brand,
    "obfuscated_label": obfuscated_label,
    "denial_with_evidence": denial_with_evidence,
    "brand_own_account": brand_own_account,
}

# What a view must hold (any of these bits) for each check to be able to
# fire; `tests/test_engine.py` checks each declaration against the corpus.
CHECK_NEEDS: dict[str, int] = {
    "missing_label": RELATIONSHIP,
    "ambiguous_label_only": ACCEPTED | AMBIGUOUS,
    "platform_label_only": PLATFORM_LABEL,
    "weak_evidence_only": WEAK_EVIDENCE,
    "label_after_fold": ACCEPTED,
    "label_in_hashtag_cluster": ACCEPTED,
    "video_label_outside_video": ACCEPTED,
    "live_label_not_repeated": RELATIONSHIP | ACCEPTED | AMBIGUOUS,
    "story_frames_unlabelled": ACCEPTED,
    "label_wrong_language": ACCEPTED,
    "label_without_brand": ACCEPTED,
    "obfuscated_label": ACCEPTED | AMBIGUOUS,
    "denial_with_evidence": DENIAL,
    "brand_own_account": BRAND_ACCOUNT,
}
