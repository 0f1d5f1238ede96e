"""Post -> PostFacts: the evidence and the label candidates found in its text.

This stage knows nothing of markets. It folds each text field, runs the
compiled matchers over a spaCy Doc of the folded text, maps every hit back to
the original text, applies negations ("not sponsored", "#pr" at the gym),
keeps denials apart from labels, decides which @mentions are brand tags
(`brands`), and records the structure the placement checks need (frames,
trailing hashtag runs, an explicit "… more" fold).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import NamedTuple

from .brands import (
    BrandSettings, Context, brand_account, brand_evidence, hashtag_spellings, letters, spelled_as_hashtag,
)
from .language import detect_language
from .matchers import LABEL, CompiledMatchers, Hit, Tokens, MatchKey, ends_line, opens_line
from .model import Evidence, Post, Span, Strength
from .negations import Canceller, NegationHit, Negator, clause_words_before, negated_at
from .normalise import Normalised, normalise
from .nlp import make_doc
from .packs import LexiconLabel, RuleSet, Signal, fold_word
from .screen import QuietScreen
from .sentences import Sentences
from .settings import Relationship, Settings

# The slots of the rule packs that list the words negating a label ("not",
# "nicht", "inte" …) and the words that may stand between ("been", "an").
NEGATOR_SLOT = "negator"
NEGATION_GAP_SLOT = "negation_gap"
# The slot listing handle parts that name a business (@oakandcrumb.bakery).
ACCOUNT_WORD_SLOT = "brand_account_word"
# Posts scanned before the screen of posts with nothing to find is built.
SCREEN_AFTER = 32
# Evidence that a negator turns into a denial ("nobody is paying me").
NEGATABLE_KINDS = frozenset({"paid_language", "gifted", "invitation", "employee", "own_brand"})
# Slots telling a business's voice ("our", "notre") from a person's ("I", "je").
PLURAL_OWNER_SLOT = "plural_owner"
FIRST_PERSON_SLOT = "first_person_singular"
SELF_REFERENCE_SLOT = "self_reference"


class LabelHit(NamedTuple):
    label: LexiconLabel
    span: Span
    obfuscated: bool
    # Set apart as a label (a hashtag, in brackets, opening a line, in the
    # title) rather than words in a sentence ("the race is sponsored by …").
    declares: bool = False


@dataclass(frozen=True)
class Frame:
    """One frame of a story or carousel written inline as "[Frame 2] ..."."""
    field: str
    index: int
    start: int          # original offsets of the frame's text, marker included
    end: int


@dataclass
class PostFacts:
    post: Post
    declared_language: str | None
    evidence: list[Evidence] = field(default_factory=list)
    labels: list[LabelHit] = field(default_factory=list)
    denials: list[Span] = field(default_factory=list)         # "not sponsored", "isn't an ad"
    negations: list[NegationHit] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)     # promotional context for brand tags
    frames: list[Frame] = field(default_factory=list)
    hashtag_runs: dict[str, list[tuple[int, int, list[tuple[int, int]]]]] = field(default_factory=dict)
    mentions: list[Span] = field(default_factory=list)
    folds: dict[str, int] = field(default_factory=dict)       # field -> where an explicit "… more" cuts it
    posted_on: date | None = None
    brand_account: str = ""      # why the author is taken to be a brand posting on its own account
    # Every signal whose evidence survived negation, also those whose span
    # was merged into another's (`_merge_overlapping`).
    signals_found: frozenset[str] = frozenset()
    # A commercial relationship is signalled by strong or known evidence: set
    # once the evidence is final, then asked by every market's checks.
    relationship: bool = False

    @cached_property
    def language(self) -> str | None:
        """The post's language as given, else detected from its text, only
        when a rule asks (detection is the slowest step of an audit)."""
        if self.declared_language:
            return self.declared_language
        return detect_language([text for _, text in self.post.text_fields()])

    def sentences(self, name: str) -> Sentences:
        found = self._sentences.get(name)
        if found is None:
            found = self._sentences[name] = Sentences(self.post.field_text(name))
        return found

    @cached_property
    def _sentences(self) -> dict[str, Sentences]:
        return {}

    def hashtags(self) -> list[Span]:
        return [Span(name, start, end, self.post.field_text(name)[start:end])
                for name, runs in self.hashtag_runs.items() for _, _, tags in runs for start, end in tags]


class ScannedField(NamedTuple):
    name: str
    text: str
    folded: Normalised
    tokens: Tokens
    hits: list[Hit]


class Scan(NamedTuple):
    """What the matchers found in each text field of a post."""
    post: Post
    language: str | None
    fields: list[ScannedField]


class Analyser:
    """Turns posts into facts with the pipelines and matchers built once."""

    def __init__(self, ruleset: RuleSet, settings: Settings, pipelines) -> None:
        self.ruleset = ruleset
        self.settings = settings
        self.pipelines = pipelines           # callable: language -> (nlp, CompiledMatchers)
        self._screens: dict[str, QuietScreen] = {}      # by pipeline language
        self._scanned = 0
        self.pack_languages = frozenset(entry.language for entry in (*ruleset.signals, *ruleset.labels.values())
                                        if entry.language)
        self.signals: dict[str, Signal] = {s.id: s for s in ruleset.signals}
        self.frame_marker = _frame_marker_regex(ruleset.frame_markers)
        self.fold_marker = _fold_marker_regex(ruleset.fold_markers)
        self.negators = _slot_words(ruleset, NEGATOR_SLOT)
        self.negator_languages = _word_languages(ruleset, NEGATOR_SLOT)
        self.negation_gaps = _slot_words(ruleset, NEGATION_GAP_SLOT)
        self.plural_owners = _slot_words(ruleset, PLURAL_OWNER_SLOT)
        self.first_person = _slot_words(ruleset, FIRST_PERSON_SLOT)
        self.self_references = _slot_words(ruleset, SELF_REFERENCE_SLOT)
        declared = (name for r in settings.relationships for name in r.handles)
        self.brand_settings = BrandSettings(
            configured=frozenset(letters(b) for b in (*settings.brands, *declared) if letters(b)),
            known_relationship=settings.known_relationship,
            account_words=frozenset(ruleset.slots.get(ACCOUNT_WORD_SLOT, ())))

    def fold(self, post: Post) -> list[tuple[str, str, Normalised]]:
        """(name, text, folded text) of every text field of `post`."""
        return [(name, text, normalise(text)) for name, text in post.text_fields()]

    def quiet(self, post: Post, folded: list[tuple[str, str, Normalised]]) -> bool:
        """Whether `post` is certain to have nothing to find (as
        `nothing_to_find` would say after a scan) without tokenizing it:
        no evidence from outside its text, not both an @mention and a
        hashtag, and the chunks of its folded fields, to the language's
        screen, meeting every requirement of no hit that counts."""
        mentions = any("@" in text or "@" in f.text for _, text, f in folded)
        if (mentions and any("#" in f.text for _, _, f in folded)) or not self._may_have_nothing(post):
            return False                # an @mention and a hashtag may spell one brand (`_tags_spelled_as_hashtags`)
        nlp, matchers = self.pipelines(post.language or self.settings.language)
        screen = self._screen(matchers)
        if screen is None:
            return False
        return all(screen.quiet(f.text, nlp, mentions) for _, _, f in folded) and not brand_account(
            post, self.brand_settings, speaks_as_business=False)

    def scan(self, post: Post, folded: list[tuple[str, str, Normalised]] | None = None) -> Scan:
        """Fold (unless `folded` is given), tokenize and match every text
        field of `post`: the one step every post the screen cannot decide
        pays for, whatever it holds."""
        language = post.language or self.settings.language
        nlp, matchers = self.pipelines(language)
        screen = self._screen(matchers)
        self._scanned += 1
        fields = []
        for name, text, folded_text in folded if folded is not None else self.fold(post):
            doc = make_doc(nlp, folded_text.text)     # linear even for long runs without spaces
            tokens = Tokens(doc, folded_text.text)
            hits = matchers.find(doc, tokens)
            hits += _labels_across_lines(nlp, matchers, folded_text.text, hits)
            if screen is not None:
                screen.learn(folded_text.text, tokens)
            fields.append(ScannedField(name, text, folded_text, tokens, hits))
        return Scan(post, language, fields)

    def _screen(self, matchers: CompiledMatchers) -> QuietScreen | None:
        """The screen of a pipeline's matchers, once `SCREEN_AFTER` posts
        were scanned: building it takes longer than auditing a few posts."""
        if self._scanned < SCREEN_AFTER:
            return None
        screen = self._screens.get(matchers.nlp.lang)
        if screen is None:
            screen = self._screens[matchers.nlp.lang] = QuietScreen(matchers, self._counts_alone, self.pack_languages)
        return screen

    def nothing_to_find(self, scan: Scan) -> bool:
        """Whether the facts of a scanned post are certain to be empty, so
        that no market can judge it other than `no_evidence`: no signal or
        label was found that could count (`_inert`), the platform label is
        off, no relationship is known or declared, no brand is configured,
        the author's handle does not name a business, and no @mention is
        spelled as a hashtag."""
        post = scan.post
        mentions = any("@" in f.text for f in scan.fields)
        return (all(self._inert(hit, mentions) for f in scan.fields for hit in f.hits)
                and self._may_have_nothing(post)
                and not brand_account(post, self.brand_settings, speaks_as_business=False)
                and not self._tags_spelled_as_hashtags(scan))

    def _may_have_nothing(self, post: Post) -> bool:
        """No evidence comes from outside the text: the platform label is
        off, no relationship is known or declared, no brand configured."""
        return (not post.paid_partnership and not self.settings.known_relationship
                and not self.settings.relationships and not self.brand_settings.configured)

    def _inert(self, hit: Hit | MatchKey, mentions: bool) -> bool:
        """Whether a hit can change nothing in a post with no other hit:
        promotional context in a post with no @mention it could make a brand
        tag, or a negation that cancels hits and denies nothing."""
        if hit.target == LABEL:
            return False
        signal = self.signals[hit.id]
        if signal.kind == "brand_context":
            return not mentions
        return signal.kind == "negation" and not signal.denies

    def _counts_alone(self, key: MatchKey, mentions: bool) -> bool:
        """Whether a hit of a matcher key can change a post with no other
        hit, with or without an @mention (the screen looks only for those)."""
        return not self._inert(key, mentions)

    def _tags_spelled_as_hashtags(self, scan: Scan) -> bool:
        """Whether an @mention of the post is spelled as one of its hashtags,
        which makes it a brand tag with no hit at all (`brands`)."""
        texts = [f.text for f in scan.fields]
        if not any("@" in text for text in texts) or not any("#" in text for text in texts):
            return False
        facts = PostFacts(scan.post, declared_language=scan.language)
        for name, text, folded, tokens, _ in scan.fields:
            self._structure(facts, name, text, tokens, folded)
        tags = hashtag_spellings(facts.hashtags())
        return any(spelled_as_hashtag(letters(mention.text), tags) for mention in facts.mentions)

    def analyse(self, post: Post, scan: Scan | None = None) -> PostFacts:
        scan = scan or self.scan(post)
        facts = PostFacts(post, declared_language=scan.language, posted_on=_date_of(post.posted_at))
        for name, text, folded, tokens, hits in scan.fields:
            for hit in _drop_nested(hits):
                self._record(facts, name, folded, hit)
            self._structure(facts, name, text, tokens, folded)
        canceller = Canceller(facts.negations, facts.sentences)
        if canceller:
            _cancel(facts, canceller)
        facts.evidence += brand_evidence(post, facts.mentions, facts.hashtags(), _brand_contexts(facts),
                                         facts.sentences, self.brand_settings)
        self._declared(facts)
        if post.paid_partnership:
            facts.evidence.append(Evidence("platform_label", Strength.STRONG, "platform-flag", None,
                                           "the platform's paid-partnership label was on"))
        if canceller:
            _cancel(facts, canceller)
        facts.brand_account = brand_account(post, self.brand_settings, self._speaks_as_business(facts))
        facts.relationship = not facts.brand_account and any(e.strength is not Strength.WEAK for e in facts.evidence)
        facts.signals_found = frozenset(e.signal for e in facts.evidence)
        facts.evidence = _merge_overlapping(facts.evidence)
        facts.labels.sort(key=lambda hit: (hit.span.field, hit.span.start))
        return facts

    def _record(self, facts: PostFacts, name: str, folded: Normalised, hit: Hit) -> None:
        """File one matcher hit as a label, a denial, a negation, context or evidence."""
        span = _original_span(name, folded, hit)
        if hit.target == LABEL:
            negator = self._negator(facts, folded.text, hit.start)
            if negator is not None:
                begin, _ = folded.to_original(negator.start, hit.end)
                facts.denials.append(Span(name, begin, span.end, folded.original[begin:span.end]))
            else:
                facts.labels.append(LabelHit(self.ruleset.labels[hit.id], span, folded.is_obfuscated(hit.start, hit.end),
                                             self._declares(name, folded.text, hit)))
            return
        signal = self.signals[hit.id]
        if signal.kind in NEGATABLE_KINDS and self._negator(facts, folded.text, hit.start) is not None:
            facts.denials.append(span)      # "nobody is paying me", "they didn't send me this"
            return
        if signal.kind == "negation":
            facts.negations.append(NegationHit(signal, span))
            if signal.denies:
                facts.denials.append(span)
        elif signal.kind == "brand_context":
            facts.contexts.append(Context(span, signal.id, signal.business_only))
        else:
            facts.evidence.append(Evidence(signal.kind, signal.strength, signal.id, span, hit.detail))

    def _negator(self, facts: PostFacts, text: str, start: int) -> Negator | None:
        """The negator of a hit at `start`, or None. A negator counts only in
        a language that has it, when the post's language is known: Swedish
        "ni" is "you", Dutch "pas" is "just", not the French negations."""
        negator = negated_at(text, start, self.negators, self.negation_gaps)
        if negator is None:
            return None
        languages = self.negator_languages.get(negator.word, ())
        if languages and facts.language and facts.language not in languages:
            return None
        return negator

    def _structure(self, facts: PostFacts, name: str, text: str, tokens: Tokens, folded: Normalised) -> None:
        for index in tokens.starting_with("@"):
            # The handle only: a Finnish case ending stays on the token ("@kahvila.kuu:lta").
            handle = _HANDLE.match(tokens.text, tokens.starts[index], tokens.end_of(index))
            if handle and handle.end() - handle.start() >= 2:
                begin, end = folded.to_original(handle.start(), handle.end())
                facts.mentions.append(Span(name, begin, end, text[begin:end]))
        facts.hashtag_runs[name] = _hashtag_runs(tokens, folded)
        if self.frame_marker is not None and "[" in text:       # every marker opens with "["
            facts.frames.extend(_frames(name, text, self.frame_marker))
        if self.fold_marker is not None:
            cut = self.fold_marker.search(text)
            if cut:
                facts.folds[name] = cut.start()

    def _declares(self, name: str, text: str, hit: Hit) -> bool:
        return _declares(name, text, hit, self.self_references)

    def _speaks_as_business(self, facts: PostFacts) -> bool:
        """Own-business evidence in the plural ("our Portland shop", "notre
        boutique") in a post with no first-person singular word: a business
        talking about itself, not a creator about their own brand."""
        plural = [e for e in facts.evidence if e.kind == "own_brand" and e.span is not None
                  and _first_word(normalise(e.span.text).text) in self.plural_owners]
        if not plural:
            return False
        return not any(_words(normalise(text).text) & self.first_person for _, text in facts.post.text_fields())

    def _declared(self, facts: PostFacts) -> None:
        if self.settings.known_relationship:
            facts.evidence.append(Evidence("declared", Strength.KNOWN, "campaign-draft", None,
                                           "a campaign draft: the commercial relationship is known"))
        for relationship in self.settings.relationships:
            spans = _relationship_spans(facts, relationship)
            if spans is None:
                continue
            detail = f"declared {relationship.type} relationship with {relationship.brand}"
            if not spans:
                facts.evidence.append(Evidence("declared", Strength.KNOWN, "relationship", None, detail))
            for span in spans:
                facts.evidence.append(Evidence("declared", Strength.KNOWN, "relationship", span, detail))


_WORD_CHARS = re.compile(r"[\w'’]+")
_HANDLE = re.compile(r"@\w(?:[\w.]*\w)?")


def _merge_overlapping(evidence: list[Evidence]) -> list[Evidence]:
    """One item per stretch of text and kind: where signals of several
    languages or patterns find the same code or offer ("use code MAYA15",
    "code MAYA15 for 15%", "% off" and "15% off"), the strongest is kept and
    its span widened to cover them all."""
    merged: list[Evidence] = []
    by_kind_then_place = sorted(evidence, key=lambda e: (e.kind, e.span is not None, _evidence_order(e)))
    for item in by_kind_then_place:
        last = merged[-1] if merged else None
        if (last is None or item.span is None or last.span is None or item.kind != last.kind
                or item.span.field != last.span.field or item.span.start >= last.span.end):
            merged.append(item)
            continue
        strongest = max((last, item), key=lambda e: e.strength.rank)
        if item.span.end > last.span.end:
            text = last.span.text + item.span.text[last.span.end - item.span.start:]
            span = Span(last.span.field, last.span.start, item.span.end, text)
        else:
            span = last.span
        merged[-1] = strongest._replace(span=span)
    merged.sort(key=_evidence_order)
    return merged


def _slot_words(ruleset: RuleSet, name: str) -> frozenset[str]:
    """A slot's words folded like post text, for comparing with folded words."""
    return frozenset(_folded_slot_word(word) for word in ruleset.slots.get(name, ()))


def _word_languages(ruleset: RuleSet, name: str) -> dict[str, tuple[str, ...]]:
    """A slot's words, folded like post text, with the languages that use them."""
    found: dict[str, tuple[str, ...]] = {}
    for word, languages in ruleset.slot_languages.get(name, {}).items():
        key = _folded_slot_word(word)
        found[key] = found.get(key, ()) + languages
    return found


def _folded_slot_word(word: str) -> str:
    return fold_word(word).replace("’", "'")


def _words(text: str) -> set[str]:
    return {word.lower().replace("’", "'") for word in _WORD_CHARS.findall(text)}


def _first_word(text: str) -> str:
    found = _WORD_CHARS.search(text)
    return found.group().lower() if found else ""


def _brand_contexts(facts: PostFacts) -> list[Context]:
    """What makes an @mention nearby a brand tag: the packs' brand context,
    any other evidence, a label, and a denial ("not sponsored, I just love
    my @x trainers"); a thank-you only for a handle that names a business."""
    contexts = list(facts.contexts)
    contexts += [Context(e.span, e.signal) for e in facts.evidence if e.span is not None]
    contexts += [Context(h.span, h.label.id, business_only=not h.label.states_relationship) for h in facts.labels]
    contexts += [Context(span, "denial") for span in facts.denials]
    return contexts


# What may stand before a label that opens its own sentence or follows a
# separator ("… choklad. I samarbete med TUI", "the rules: Ad").
_SET_APART = re.compile(r"(?:^|[.!?…:|•·/\-–(\[])\s*$")


def _declares(name: str, text: str, hit: Hit, self_words: frozenset[str]) -> bool:
    """Whether a label declares the post: set apart as one (in the title or
    said or shown in the video, a hashtag, in brackets, opening a sentence or
    following a separator, ending a line) or said of the author or the post
    itself ("I'm an ambassador for them", "this video is sponsored")."""
    return (name != "text" or text[hit.start] in "#([*" or opens_line(text, hit.start)
            or bool(_SET_APART.search(text[max(0, hit.start - 8):hit.start]))
            or ends_line(text, hit.end) or bool(clause_words_before(text, hit.start, 4) & self_words))


def _cancel(facts: PostFacts, canceller: Canceller) -> None:
    """Drop the evidence, labels and context the post's negations cancel."""
    facts.evidence = [e for e in facts.evidence if not canceller.cancels((e.kind, e.signal), e.span)]
    facts.labels = [h for h in facts.labels if not canceller.cancels(("label", h.label.id), h.span)]
    facts.contexts = [c for c in facts.contexts if not canceller.cancels(("brand_context", c.signal), c.span)]


def _relationship_spans(facts: PostFacts, relationship: Relationship) -> list[Span] | None:
    """The spans naming a declared relationship's brand, or None when it does not apply."""
    post = facts.post
    if relationship.creators and letters(post.author or "") not in {letters(c) for c in relationship.creators}:
        return None
    if facts.posted_on and relationship.date_from and facts.posted_on.isoformat() < relationship.date_from:
        return None
    if facts.posted_on and relationship.date_to and facts.posted_on.isoformat() > relationship.date_to:
        return None
    names = {letters(n) for n in (relationship.brand, *relationship.handles, *relationship.hashtags) if letters(n)}
    spans = [m for m in facts.mentions if letters(m.text) in names]
    for name, runs in facts.hashtag_runs.items():
        text = post.field_text(name)
        spans.extend(Span(name, s, e, text[s:e]) for _, _, tags in runs for s, e in tags
                     if letters(text[s:e]) in names)
    if not spans and not any(n and n in letters(text) for n in names for _, text in post.text_fields()):
        return None
    return spans


def _original_span(name: str, folded: Normalised, hit: Hit) -> Span:
    start, end = folded.to_original(hit.start, hit.end)
    return Span(name, start, end, folded.original[start:end])


# One line break (with any spaces around it) between two words.
_WORD_BREAK = re.compile(r"(?<=\w)[ \t]*\r?\n[ \t]*(?=\w)")


def _labels_across_lines(nlp, matchers: CompiledMatchers, text: str, hits: list[Hit]) -> list[Hit]:
    """Labels broken over two lines ("Paid\npartnership with @brand"), for a
    field where no label was found: the text is matched once more with each
    line break between two words read as spaces (same length, so offsets
    hold), and the label hits that cross a break are kept."""
    if "\n" not in text or any(hit.target == LABEL for hit in hits):
        return []
    breaks = [match.span() for match in _WORD_BREAK.finditer(text)]
    if not breaks:
        return []
    pieces, cursor = [], 0
    for start, end in breaks:
        pieces += [text[cursor:start], " " * (end - start)]
        cursor = end
    joined = "".join(pieces) + text[cursor:]
    doc = make_doc(nlp, joined)
    break_starts = [start for start, _ in breaks]
    crossing = []
    for hit in matchers.find(doc, Tokens(doc, joined)):
        first = bisect_left(break_starts, hit.start)
        if hit.target == LABEL and first < len(breaks) and breaks[first][1] <= hit.end:
            crossing.append(hit)
    return crossing


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """A hit inside an earlier or longer hit of the same signal or label is
    dropped. Overlapping labels of different lexicon entries are all kept:
    which of them wins is decided per market (`checks.MarketView.build`), since
    one market may list `#publi` as Spanish and another as Portuguese."""
    if len(hits) < 2:
        return hits
    ordered = sorted(set(hits), key=lambda h: (h.start, -(h.end - h.start), h.target, h.id))
    kept: list[Hit] = []
    # Hits come by start, so a hit overlaps a kept one of its key exactly when
    # it starts before the furthest end kept so far: one pass, not a pairwise
    # comparison (a post stuffed with 25,000 "#ad" took minutes).
    reach: dict[tuple[str, str], int] = {}
    for hit in ordered:
        key = (hit.target, hit.id)
        if hit.start < reach.get(key, -1):
            continue
        kept.append(hit)
        reach[key] = max(reach.get(key, -1), hit.end)
    return kept


def _hashtag_runs(tokens: Tokens, folded: Normalised) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Runs of hashtags separated only by white space (or a lone '.', '·',
    '•'), as original offsets: (run start, run end, [(tag start, tag end), ...])."""
    runs: list[tuple[int, int, list[tuple[int, int]]]] = []
    current: list[tuple[int, int]] = []
    previous = -1
    for index in tokens.starting_with("#"):
        if tokens.lengths[index] == 1:
            continue                     # a lone '#' is not a tag, and ends a run below
        if current and not all(_between_tags(tokens, i) for i in range(previous + 1, index)):
            runs.append((current[0][0], current[-1][1], current))
            current = []
        current.append(folded.to_original(tokens.starts[index], tokens.end_of(index)))
        previous = index
    if current:
        runs.append((current[0][0], current[-1][1], current))
    return runs


def _between_tags(tokens: Tokens, index: int) -> bool:
    """A token that may separate two hashtags of one run."""
    first = tokens.text[tokens.starts[index]]
    return first.isspace() or (tokens.lengths[index] == 1 and first in ".·•")


def _frame_marker_regex(markers: tuple[str, ...]) -> re.Pattern | None:
    if not markers:
        return None
    words = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
    return re.compile(rf"\[(?:{words})\s*\d+\]", re.IGNORECASE)


def _fold_marker_regex(markers: tuple[str, ...]) -> re.Pattern | None:
    """An ellipsis and a platform's "more" word where a source kept the cut
    of a caption ("… more", "... mehr", "… mer")."""
    if not markers:
        return None
    words = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
    return re.compile(rf"(?:…|\.\.\.)[ \t]*(?:{words})\b", re.IGNORECASE)


def _frames(name: str, text: str, marker: re.Pattern) -> list[Frame]:
    starts = [m.start() for m in marker.finditer(text)]
    return [Frame(name, index, start, starts[index + 1] if index + 1 < len(starts) else len(text))
            for index, start in enumerate(starts)]


def _date_of(value: str | None) -> date | None:
    """The post's day; a date given only to the year or month ("2017",
    "2018-12") is read as the period's first day."""
    if not value:
        return None
    day = value[:10]
    if len(day) in (4, 7):
        day += "-01-01"[len(day) - 4:]
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None


_FIELD_ORDER = {"title": 0, "text": 1, "transcript": 2, "on_screen_text": 3}


def _evidence_order(evidence: Evidence) -> tuple:
    if evidence.span is None:
        return (-1, 0, evidence.kind)
    return (_FIELD_ORDER.get(evidence.span.field, 9), evidence.span.start, evidence.kind)
