"""Rule packs: YAML files under rules/ turned into a validated `RuleSet`.

A pack file may hold any of these sections (each documented in
docs/rule-packs.md):

- ``signals``   evidence of a commercial relationship, with a strength, and
                the context words that qualify other hits (``brand_context``,
                ``negation``);
- ``labels``    the lexicon of disclosure labels (no verdict of their own);
- ``slots``     named word classes (``code_word``, ``negator`` ...) that token
                patterns use as ``{SLOT: name}``; every pack may add words to
                a slot, so a new language extends the shared patterns;
- ``folds``     where each platform truncates a caption;
- ``frame_markers`` words that mark frames of a story (``[Frame 2]``);
- ``market``    one market: which lexicon labels it accepts or finds
                ambiguous, and its ``rules`` (each a check with parameters,
                a citation, a fix and examples that must fail and pass).

Everything is validated here, at load time, so that a malformed pack fails
with its file, line and reason before any post is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

from .model import RuleInfo, Severity, Strength, Verdict
from .yamlsafe import LineDict, LineList, YamlError, load_yaml_file

EVIDENCE_KINDS = (
    "affiliate_link", "discount_code", "gifted", "paid_language", "brand_mention",
    "brand_hashtag", "cta", "giveaway", "own_brand", "employee", "invitation",
    "platform_label", "declared", "negation", "brand_context",
)
# Kinds that are not evidence themselves: a negation cancels hits, and a
# brand context turns a nearby @mention into a brand tag.
CONTEXT_KINDS = ("negation", "brand_context")
NEGATION_SCOPES = ("span", "sentence", "post")
CHECKS = (
    "missing_label", "ambiguous_label_only", "platform_label_only", "weak_evidence_only",
    "label_after_fold", "label_in_hashtag_cluster", "video_label_outside_video",
    "live_label_not_repeated", "story_frames_unlabelled", "label_wrong_language",
    "label_without_brand", "obfuscated_label", "denial_with_evidence", "brand_own_account",
)


class PackError(YamlError):
    """A rule pack that cannot be used: file, line and reason."""


@dataclass(frozen=True)
class Matchable:
    """What the matchers compile: phrases (token sequences compared on the
    lower-cased, folded text), spaCy token patterns, and URL hosts, with the
    conditions on where a match may sit."""
    phrases: tuple[str, ...] = ()
    patterns: tuple[tuple[dict, ...], ...] = ()
    hosts: tuple[str, ...] = ()
    url_params: tuple[str, ...] = ()      # URL query keys that mark a tracking link
    at_line_start: bool = False           # the match must open a line, frame or field
    at_line_end: bool = False             # the match must end a line, frame or field
    not_after: frozenset[str] = frozenset()    # lower-case words that may not come just before it
    not_before: frozenset[str] = frozenset()   # ... or just after it


@dataclass(frozen=True)
class Examples:
    """Texts a signal or label must be found in (`match`) and must not be
    found in (`no_match`): its own tests, run by `clearlabel rules test`."""
    match: tuple[Mapping[str, Any], ...] = ()
    no_match: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Signal:
    id: str
    kind: str
    strength: Strength
    match: Matchable
    cancels: tuple[str, ...] = ()         # negations: evidence kinds, "label", or signal / label ids
    scope: str = "span"                   # negations: "span", "sentence" or "post"
    denies: bool = False                  # negations: the words deny a relationship ("not sponsored")
    # brand context: it makes a mention a brand tag only when the handle names
    # a business ("best flat white in town @dockroasters", not "@sarah")
    business_only: bool = False
    pack: str = ""
    line: int = 0
    path: str = ""
    language: str | None = None           # the pack's language: its examples are read in it
    examples: Examples = Examples()


@dataclass(frozen=True)
class LexiconLabel:
    id: str
    language: str | None
    match: Matchable
    pack: str = ""
    line: int = 0
    description: str = ""
    # Whether the label alone shows a commercial relationship ("#ad",
    # "#gifted" do; a thank-you does not: friends are thanked too).
    states_relationship: bool = True
    path: str = ""
    examples: Examples = Examples()


@dataclass(frozen=True)
class Rule:
    id: str
    market: str
    check: str
    severity: Severity
    verdict: Verdict
    title: str
    message: str
    citation: str
    fix: str
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    failing_examples: tuple[Mapping[str, Any], ...] = ()
    passing_examples: tuple[Mapping[str, Any], ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    pack: str = ""
    path: str = ""
    line: int = 0

    def in_force(self, on: date | None) -> bool:
        if on is None:
            return self.effective_to is None
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)

    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id, title=self.title, severity=self.severity, market=self.market,
            verdict=self.verdict, message=self.message, citation=self.citation, fix=self.fix,
            description=self.description, pack=self.pack,
            effective_from=self.effective_from.isoformat() if self.effective_from else None,
            effective_to=self.effective_to.isoformat() if self.effective_to else None,
            failing_examples=tuple(example_text(e) for e in self.failing_examples),
            passing_examples=tuple(example_text(e) for e in self.passing_examples),
        )


@dataclass(frozen=True)
class Market:
    id: str
    name: str
    languages: tuple[str, ...]
    citation: str
    accepted: frozenset[str]
    ambiguous: frozenset[str]
    platform_label: str                    # "accepted" or "not_enough"
    rules: tuple[Rule, ...]
    extends: str | None = None
    pack: str = ""
    path: str = ""
    line: int = 0
    drop_rules: tuple[str, ...] = ()       # base rules (id or check) a member does not inherit


@dataclass
class RuleSet:
    signals: list[Signal] = field(default_factory=list)
    labels: dict[str, LexiconLabel] = field(default_factory=dict)
    markets: dict[str, Market] = field(default_factory=dict)
    folds: dict[str, dict[str, int]] = field(default_factory=dict)
    frame_markers: tuple[str, ...] = ()
    fold_markers: tuple[str, ...] = ()    # the words after "…" where a caption is cut off ("… more")
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # slot -> word -> the languages of the packs that list it (packs without a `language` add none)
    slot_languages: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    packs: dict[str, str] = field(default_factory=dict)       # pack id -> version

    @property
    def rules(self) -> dict[str, Rule]:
        return {rule.id: rule for market in self.markets.values() for rule in market.rules}

    def rule_infos(self) -> dict[str, RuleInfo]:
        return {rule_id: rule.info() for rule_id, rule in self.rules.items()}

    def label_wordings(self, label_ids) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(label id, its phrases, or its description when it is a token
        pattern) for documentation, in id order."""
        return tuple((label_id, self.labels[label_id].match.phrases or (self.labels[label_id].description,))
                     for label_id in sorted(label_ids))

    def pack_versions(self) -> tuple[str, ...]:
        return tuple(f"{pack}@{version}" for pack, version in sorted(self.packs.items()))


def example_text(example: Mapping[str, Any]) -> str:
    return "\n".join(str(example[k]) for k in ("title", "text", "transcript") if example.get(k))


# --------------------------------------------------------------------------- loading

_SOURCE_CHECKOUT_RULES = Path(__file__).resolve().parents[1] / "rules"


def bundled_rules_dir() -> Path:
    """The shipped packs: installed package data, or the repository's rules/
    when running from a source checkout."""
    installed = Path(__file__).resolve().parent / "_rules"
    return installed if installed.is_dir() else _SOURCE_CHECKOUT_RULES


def pack_files(directories: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.is_file():
            files.append(directory)
        elif directory.is_dir():
            files.extend(sorted(p for p in directory.rglob("*") if p.suffix in (".yml", ".yaml")))
        else:
            raise PackError(str(directory), 0, "rule directory not found")
    return files


def load_ruleset(extra_dirs: Iterable[str | Path] = (), *, disable_packs: Iterable[str] = (),
                 include_bundled: bool = True) -> RuleSet:
    """The packs of `extra_dirs` (and the bundled ones), validated; from the
    on-disk cache of compiled packs when these very files were loaded
    before (`checker.pack_cache`)."""
    from .pack_cache import cached_ruleset

    directories = ([bundled_rules_dir()] if include_bundled else []) + [Path(d) for d in extra_dirs]
    files = pack_files(directories)
    disabled = sorted(set(disable_packs))
    return cached_ruleset(files, [f"disable {pack}" for pack in disabled], lambda: _load_packs(files, set(disabled)))


def _load_packs(files: list[Path], disabled: set[str]) -> RuleSet:
    ruleset = RuleSet()
    for path in files:
        try:
            data = load_yaml_file(path)
        except YamlError as error:
            raise PackError(error.path, error.line, error.reason) from None
        _PackReader(str(path), data).read_into(ruleset, disabled)
    _resolve_extends(ruleset)
    _check_references(ruleset)
    _resolve_slots(ruleset)
    return ruleset


# --------------------------------------------------------------------------- validation

_PACK_KEYS = {"pack", "version", "description", "language", "signals", "labels", "slots", "folds",
              "frame_markers", "fold_markers", "market"}
_MATCH_KEYS = {"phrases", "patterns", "hosts", "url_params", "at_line_start", "at_line_end", "not_after", "not_before"}
_SIGNAL_KEYS = {"id", "kind", "strength", "cancels", "scope", "denies", "business_only", "description",
                "examples"} | _MATCH_KEYS
_LABEL_KEYS = {"id", "language", "description", "states_relationship", "examples"} | _MATCH_KEYS
_EXAMPLES_KEYS = {"match", "no_match"}
# A word list entry "slot:NAME" stands for the words of that slot.
SLOT_REFERENCE = "slot:"
_MARKET_KEYS = {"id", "name", "languages", "citation", "accepted", "ambiguous",
                "platform_label", "rules", "extends", "drop_rules"}
_RULE_KEYS = {"id", "check", "severity", "verdict", "title", "message", "citation", "fix",
              "description", "params", "examples", "effective_from", "effective_to"}
_EXAMPLE_KEYS = {"text", "title", "transcript", "on_screen_text", "platform", "format",
                 "market", "language", "paid_partnership", "posted_at", "author", "brand",
                 "followers"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_SMALL_RANGE = re.compile(r"\{[0-6],[1-6]\}")
# A REGEX runs on one token at a time (at most nlp.MAX_TOKEN_CHARS long).
# What Python's backtracking engine can take exponential or high-polynomial
# time on is refused at load time: see `regex_risk`.
MAX_REGEX_CHARS = 200
MAX_UNBOUNDED_IN_SEQUENCE = 2
_TOKEN_PATTERN_KEYS = {
    "SLOT", "NOT_SLOT",                   # ours: a slot's words, or none of them (on LOWER)
    "ORTH", "TEXT", "LOWER", "NORM", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT",
    "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "LIKE_NUM",
    "LIKE_URL", "LIKE_EMAIL", "SHAPE", "OP", "IS_SENT_START", "PREFIX", "SUFFIX", "IS_CURRENCY",
    "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT",
}
_PREDICATE_KEYS = {"IN", "NOT_IN", "REGEX", "FUZZY", "==", ">=", "<=", ">", "<", "!=",
                   "INTERSECTS", "IS_SUBSET", "IS_SUPERSET"}


class _PackReader:
    """Validates one parsed pack file and adds its contents to a RuleSet."""

    def __init__(self, path: str, data: Any) -> None:
        self.path = path
        self.data = data
        self.pack = ""
        self.language: str | None = None

    def fail(self, line: int, reason: str) -> PackError:
        return PackError(self.path, line, reason)

    def mapping(self, value: Any, line: int, what: str, allowed: set[str]) -> LineDict:
        if not isinstance(value, LineDict):
            raise self.fail(getattr(value, "line", line), f"{what} must be a mapping")
        for key in value:
            if key not in allowed:
                raise self.fail(value.line_of(key), f"unknown key {key!r} in {what} "
                                f"(expected one of: {', '.join(sorted(allowed))})")
        return value

    def required_str(self, data: LineDict, key: str, what: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(data.line_of(key), f"{what} needs a non-empty string {key!r}")
        return value.strip()

    def str_list(self, data: LineDict, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            hint = ("; YAML reads unquoted yes/no/on/off as true/false, so quote them"
                    if isinstance(value, list) and any(isinstance(v, bool) for v in value) else "")
            raise self.fail(data.line_of(key), f"{key!r} must be a list of non-empty strings{hint}")
        return tuple(value)

    def read_into(self, ruleset: RuleSet, disabled: set[str]) -> None:
        data = self.mapping(self.data, 1, "a rule pack", _PACK_KEYS)
        self.pack = self.required_str(data, "pack", "a rule pack")
        if not _ID.match(self.pack):
            raise self.fail(data.line_of("pack"), f"pack id {self.pack!r} may use letters, digits, '_', '.', ':' and '-' only")
        version = data.get("version")
        if not isinstance(version, (str, int, float)):
            raise self.fail(data.line_of("version"), "a rule pack needs a 'version'")
        if self.pack in disabled:
            return
        if self.pack in ruleset.packs:
            raise self.fail(data.line_of("pack"), f"pack {self.pack!r} is defined twice")
        ruleset.packs[self.pack] = str(version)
        language = data.get("language")
        if language is not None and not (isinstance(language, str) and re.fullmatch(r"[a-z]{2}", language)):
            raise self.fail(data.line_of("language"), "'language' must be an ISO 639-1 code such as en")
        self.language = language
        if "slots" in data:
            for name, words in self.slots(data["slots"], data.line_of("slots")).items():
                known = ruleset.slots.get(name, ())
                ruleset.slots[name] = known + tuple(w for w in words if w not in known)
                if language:
                    spoken = ruleset.slot_languages.setdefault(name, {})
                    for word in words:
                        spoken[word] = spoken.get(word, ()) + (language,)
        for item, line in self.items(data, "signals"):
            signal = self.signal(item, line)
            if any(s.id == signal.id for s in ruleset.signals):
                raise self.fail(line, f"signal {signal.id!r} is defined twice")
            ruleset.signals.append(signal)
        for item, line in self.items(data, "labels"):
            label = self.label(item, line)
            if label.id in ruleset.labels:
                raise self.fail(line, f"label {label.id!r} is already defined in {ruleset.labels[label.id].pack}")
            ruleset.labels[label.id] = label
        if "folds" in data:
            ruleset.folds.update(self.folds(data["folds"], data.line_of("folds")))
        if "frame_markers" in data:
            ruleset.frame_markers += self.str_list(data, "frame_markers")
        if "fold_markers" in data:
            ruleset.fold_markers += self.str_list(data, "fold_markers")
        if "market" in data:
            market = self.market(data["market"], data.line_of("market"))
            if market.id in ruleset.markets:
                raise self.fail(data.line_of("market"), f"market {market.id!r} is defined twice")
            ruleset.markets[market.id] = market

    def items(self, data: LineDict, key: str) -> list[tuple[Any, int]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, LineList):
            raise self.fail(data.line_of(key), f"{key!r} must be a list")
        return list(zip(value, value.item_lines))

    # ------------------------------------------------------------------ signals / labels

    def matchable(self, data: LineDict, what: str) -> Matchable:
        phrases = self.str_list(data, "phrases")
        hosts = tuple(h.lower() for h in self.str_list(data, "hosts"))
        url_params = tuple(p.lower() for p in self.str_list(data, "url_params"))
        patterns = self.patterns(data)
        at_line_start, at_line_end = self.flag(data, "at_line_start"), self.flag(data, "at_line_end")
        if not (phrases or patterns or hosts or url_params):
            raise self.fail(data.line, f"{what} needs 'phrases', 'patterns', 'hosts' or 'url_params'")
        return Matchable(phrases, patterns, hosts, url_params, at_line_start, at_line_end,
                         frozenset(w.lower() for w in self.str_list(data, "not_after")),
                         frozenset(w.lower() for w in self.str_list(data, "not_before")))

    def flag(self, data: LineDict, key: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(data.line_of(key), f"{key!r} must be true or false")
        return value

    def slots(self, value: Any, line: int) -> dict[str, tuple[str, ...]]:
        data = self.mapping(value, line, "'slots'", set(value) if isinstance(value, dict) else set())
        slots = {}
        for name in data:
            if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise self.fail(data.line_of(name), f"slot name {name!r} may use lower-case letters, digits and '_'")
            slots[name] = tuple(w.lower() for w in self.str_list(data, name))
        return slots

    def examples_of(self, data: LineDict, what: str) -> Examples:
        if "examples" not in data:
            return Examples()
        examples = self.mapping(data["examples"], data.line_of("examples"), f"the examples of {what}", _EXAMPLES_KEYS)
        found = {}
        for key in _EXAMPLES_KEYS:
            items = []
            for example, line in self.items(examples, key):
                if isinstance(example, str):
                    example = {"text": example}
                else:
                    self.mapping(example, line, f"an example of {what}", _EXAMPLE_KEYS)
                if not isinstance(example.get("text"), str) or not example["text"]:
                    raise self.fail(line, f"an example of {what} needs a 'text'")
                items.append({**_plain(example), "_line": line})
            found[key] = tuple(items)
        return Examples(found["match"], found["no_match"])

    def patterns(self, data: LineDict) -> tuple[tuple[dict, ...], ...]:
        value = data.get("patterns")
        if value is None:
            return ()
        if not isinstance(value, LineList):
            raise self.fail(data.line_of("patterns"), "'patterns' must be a list of token patterns")
        patterns = []
        for pattern, line in zip(value, value.item_lines):
            if not isinstance(pattern, list) or not pattern:
                raise self.fail(line, "a token pattern must be a non-empty list of token specs")
            for token in pattern:
                self.token_spec(token, line)
            patterns.append(tuple(_plain(token) for token in pattern))
        return tuple(patterns)

    def token_spec(self, token: Any, line: int) -> None:
        if not isinstance(token, dict) or not token:
            raise self.fail(line, "each token spec must be a non-empty mapping such as {LOWER: ad}")
        for key, value in token.items():
            if key not in _TOKEN_PATTERN_KEYS:
                raise self.fail(getattr(token, "line_of", lambda k: line)(key),
                                f"unsupported token attribute {key!r}")
            if key == "OP":
                if value not in ("?", "*", "+", "!") and not _SMALL_RANGE.fullmatch(str(value)):
                    raise self.fail(line, f"unsupported OP {value!r} (use ?, *, +, ! or {{m,n}} with n at most 6)")
            elif key in ("SLOT", "NOT_SLOT"):
                if not isinstance(value, str) or not value:
                    raise self.fail(line, f"{key} must name a slot")
                if "LOWER" in token:
                    raise self.fail(line, f"a token spec cannot have both {key} and LOWER")
            elif isinstance(value, dict):
                for predicate, argument in value.items():
                    if predicate not in _PREDICATE_KEYS:
                        raise self.fail(line, f"unsupported predicate {predicate!r} on {key}")
                    if predicate == "REGEX":
                        self.regex(argument, line)
                    if predicate in ("IN", "NOT_IN") and not (
                            isinstance(argument, list) and all(isinstance(w, (str, int)) and not isinstance(w, bool)
                                                               for w in argument)):
                        raise self.fail(line, f"{key} {predicate} must be a list of words; YAML reads unquoted "
                                              "yes/no/on/off as true/false, so quote them")

    def regex(self, pattern: Any, line: int) -> None:
        if not isinstance(pattern, str):
            raise self.fail(line, "a REGEX must be a string")
        if len(pattern) > MAX_REGEX_CHARS:
            raise self.fail(line, f"a REGEX may be at most {MAX_REGEX_CHARS} characters")
        try:
            re.compile(pattern)
        except re.error as error:
            raise self.fail(line, f"invalid REGEX {pattern!r}: {error}") from None
        risk = regex_risk(pattern)
        if risk:
            raise self.fail(line, f"REGEX {pattern!r} {risk}, which can take exponential or "
                                  "polynomial time on a long token; rewrite it")

    def signal(self, item: Any, line: int) -> Signal:
        data = self.mapping(item, line, "a signal", _SIGNAL_KEYS)
        signal_id = self.identifier(data, "a signal")
        kind = self.required_str(data, "kind", f"signal {signal_id!r}")
        if kind not in EVIDENCE_KINDS:
            raise self.fail(data.line_of("kind"), f"unknown evidence kind {kind!r} (one of: {', '.join(EVIDENCE_KINDS)})")
        strength = self.enum(data, "strength", Strength, "weak" if kind in CONTEXT_KINDS else None)
        cancels = self.str_list(data, "cancels")
        if cancels and kind != "negation":
            raise self.fail(data.line_of("cancels"), "only signals of kind 'negation' may cancel evidence")
        denies = self.flag(data, "denies")
        if denies and kind != "negation":
            raise self.fail(data.line_of("denies"), "only signals of kind 'negation' may deny a relationship")
        business_only = self.flag(data, "business_only")
        if business_only and kind != "brand_context":
            raise self.fail(data.line_of("business_only"), "only signals of kind 'brand_context' may be 'business_only'")
        scope = data.get("scope", "span")
        if scope not in NEGATION_SCOPES:
            raise self.fail(data.line_of("scope"), f"'scope' must be one of: {', '.join(NEGATION_SCOPES)}")
        return Signal(signal_id, kind, strength, self.matchable(data, f"signal {signal_id!r}"),
                      cancels, scope, denies, business_only, self.pack, data.line, self.path, self.language,
                      self.examples_of(data, f"signal {signal_id!r}"))

    def label(self, item: Any, line: int) -> LexiconLabel:
        data = self.mapping(item, line, "a label", _LABEL_KEYS)
        label_id = self.identifier(data, "a label")
        language = data.get("language")
        if language is not None and not isinstance(language, str):
            raise self.fail(data.line_of("language"), "'language' must be an ISO 639-1 code")
        return LexiconLabel(label_id, language, self.matchable(data, f"label {label_id!r}"), self.pack, data.line,
                            str(data.get("description", "")).strip(), self.flag(data, "states_relationship", True),
                            self.path, self.examples_of(data, f"label {label_id!r}"))

    def identifier(self, data: LineDict, what: str) -> str:
        value = self.required_str(data, "id", what)
        if not _ID.match(value):
            raise self.fail(data.line_of("id"), f"id {value!r} may use letters, digits, '_', '.', ':' and '-' only")
        return value

    def enum(self, data: LineDict, key: str, enum: type, default: str | None) -> Any:
        value = data.get(key, default)
        try:
            return enum(value)
        except ValueError:
            choices = ", ".join(member.value for member in enum)
            raise self.fail(data.line_of(key), f"{key!r} must be one of: {choices}") from None

    def folds(self, value: Any, line: int) -> dict[str, dict[str, int]]:
        data = self.mapping(value, line, "'folds'", set(value) if isinstance(value, dict) else set())
        folds = {}
        for platform, fold in data.items():
            fold_map = self.mapping(fold, data.line_of(platform), f"the fold of {platform!r}", {"chars", "lines"})
            for key, number in fold_map.items():
                if not isinstance(number, int) or number <= 0:
                    raise self.fail(fold_map.line_of(key), f"fold {key!r} must be a positive whole number")
            folds[platform] = dict(fold_map)
        return folds

    # ------------------------------------------------------------------ markets and rules

    def market(self, value: Any, line: int) -> Market:
        data = self.mapping(value, line, "'market'", _MARKET_KEYS)
        market_id = self.required_str(data, "id", "a market")
        if not re.fullmatch(r"[A-Z]{2}", market_id):
            raise self.fail(data.line_of("id"), f"market id {market_id!r} must be an ISO 3166 alpha-2 code such as GB")
        platform_label = data.get("platform_label", "not_enough")
        if platform_label not in ("accepted", "not_enough"):
            raise self.fail(data.line_of("platform_label"), "'platform_label' must be 'accepted' or 'not_enough'")
        rules = tuple(self.rule(item, rule_line, market_id) for item, rule_line in self.items(data, "rules"))
        ids = [rule.id for rule in rules]
        for rule in rules:
            if ids.count(rule.id) > 1:
                raise self.fail(rule.line, f"rule {rule.id!r} is defined twice")
        return Market(
            id=market_id,
            name=self.required_str(data, "name", f"market {market_id}"),
            languages=self.str_list(data, "languages"),
            citation=self.required_str(data, "citation", f"market {market_id}"),
            accepted=frozenset(self.str_list(data, "accepted")),
            ambiguous=frozenset(self.str_list(data, "ambiguous")),
            platform_label=platform_label,
            rules=rules,
            extends=data.get("extends"),
            pack=self.pack, path=self.path, line=data.line,
            drop_rules=self.str_list(data, "drop_rules"),
        )

    def rule(self, item: Any, line: int, market: str) -> Rule:
        data = self.mapping(item, line, "a rule", _RULE_KEYS)
        rule_id = self.identifier(data, "a rule")
        check = self.required_str(data, "check", f"rule {rule_id}")
        if check not in CHECKS:
            raise self.fail(data.line_of("check"), f"unknown check {check!r} (one of: {', '.join(CHECKS)})")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise self.fail(data.line_of("params"), "'params' must be a mapping")
        examples = self.mapping(data.get("examples"), data.line_of("examples"),
                                f"the examples of rule {rule_id}", {"fail", "pass"})
        failing = self.examples(examples, "fail", rule_id)
        passing = self.examples(examples, "pass", rule_id)
        if not failing or not passing:
            raise self.fail(data.line_of("examples"), f"rule {rule_id} needs at least one 'fail' and one 'pass' example")
        return Rule(
            id=rule_id, market=market, check=check,
            severity=self.enum(data, "severity", Severity, None),
            verdict=self.enum(data, "verdict", Verdict, None),
            title=self.required_str(data, "title", f"rule {rule_id}"),
            message=self.required_str(data, "message", f"rule {rule_id}"),
            citation=self.required_str(data, "citation", f"rule {rule_id}"),
            fix=self.required_str(data, "fix", f"rule {rule_id}"),
            description=str(data.get("description", "")).strip(),
            params=_plain(params),
            failing_examples=failing, passing_examples=passing,
            effective_from=self.date(data, "effective_from"),
            effective_to=self.date(data, "effective_to"),
            pack=self.pack, path=self.path, line=data.line,
        )

    def examples(self, examples: LineDict, key: str, rule_id: str) -> tuple[Mapping[str, Any], ...]:
        value = examples.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineList):
            raise self.fail(examples.line_of(key), f"examples {key!r} of rule {rule_id} must be a list")
        result = []
        for example, line in zip(value, value.item_lines):
            if isinstance(example, str):
                data = LineDict(text=example)
                data.line, data.key_lines = line, {}
            else:
                data = self.mapping(example, line, f"an example of rule {rule_id}", _EXAMPLE_KEYS)
            if not any(isinstance(data.get(k), str) and data.get(k) for k in ("text", "title", "transcript")):
                raise self.fail(line, f"an example of rule {rule_id} needs 'text', 'title' or 'transcript'")
            result.append({**_plain(data), "_line": line})
        return tuple(result)

    def date(self, data: LineDict, key: str) -> date | None:
        value = data.get(key)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(data.line_of(key), f"{key!r} must be a date such as 2025-10-01") from None


try:                                    # the parser behind `re`, Python 3.11+
    from re import _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:                     # pragma: no cover - Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT} | ({_sre.POSSESSIVE_REPEAT} if hasattr(_sre, "POSSESSIVE_REPEAT") else set())


def regex_risk(pattern: str) -> str | None:
    """Why `pattern` may backtrack catastrophically, or None.

    Conservative, on the parsed pattern: a repeat inside a repeat (`(a+)+`,
    `(.*a){20}`, `((a|b)*)*`), an alternation inside a repeat (`(a|aa)+`:
    the branches can split the same text many ways; a character class such
    as `[ab]+` is the safe spelling), a back-reference (`(a)\\1`), or more
    than `MAX_UNBOUNDED_IN_SEQUENCE` open-ended repeats one after another
    (`a*a*a*b`: polynomial). A pattern not anchored with `^` is tried from
    every position, which counts as one more (`\\w*\\w*x` is cubic)."""
    try:
        tree = _sre_parse.parse(pattern)
    except re.error:
        return None                     # reported as invalid by the caller
    problem, unbounded = _regex_walk(tree, in_repeat=False)
    if problem:
        return problem
    anchored = len(tree) > 0 and tree[0][0] is _sre.AT and tree[0][1] in (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)
    if unbounded + (0 if anchored else 1) > MAX_UNBOUNDED_IN_SEQUENCE:
        return (f"has more than {MAX_UNBOUNDED_IN_SEQUENCE} open-ended repeats in a row "
                "(a pattern without '^' counts as one more: it is tried from every position)")
    return None


def _regex_walk(items: Any, in_repeat: bool) -> tuple[str | None, int]:
    """(problem, most open-ended repeats on one path through `items`)."""
    unbounded = 0
    for op, value in items:
        if op in (_sre.GROUPREF, _sre.GROUPREF_EXISTS) or op == getattr(_sre, "GROUPREF_IGNORE", None):
            return "uses a back-reference", 0
        if op in _REPEATS:
            low, high, body = value
            repeats = high is _sre.MAXREPEAT or high > 1
            if repeats and in_repeat:
                return "nests a quantifier inside another", 0
            if repeats and any(inner_op is _sre.BRANCH for inner_op, _ in _flatten(body)):
                return "repeats an alternation", 0
            problem, inner = _regex_walk(body, in_repeat or repeats)
            if problem:
                return problem, 0
            unbounded += inner + (1 if high is _sre.MAXREPEAT else 0)
        elif op is _sre.BRANCH:
            worst = 0
            for branch in value[1]:
                problem, inner = _regex_walk(branch, in_repeat)
                if problem:
                    return problem, 0
                worst = max(worst, inner)
            unbounded += worst
        elif op is _sre.SUBPATTERN or op in (_sre.ASSERT, _sre.ASSERT_NOT) \
                or op == getattr(_sre, "ATOMIC_GROUP", None):
            body = value if op == getattr(_sre, "ATOMIC_GROUP", None) else value[-1]
            problem, inner = _regex_walk(body, in_repeat)
            if problem:
                return problem, 0
            unbounded += inner
        if unbounded > MAX_UNBOUNDED_IN_SEQUENCE:
            return f"has more than {MAX_UNBOUNDED_IN_SEQUENCE} open-ended repeats in a row", 0
    return None, unbounded


def _flatten(items: Any):
    """Every (op, value) in `items`, groups and repeats opened."""
    for op, value in items:
        yield op, value
        if op is _sre.SUBPATTERN:
            yield from _flatten(value[-1])
        elif op in _REPEATS:
            yield from _flatten(value[2])
        elif op is _sre.BRANCH:
            for branch in value[1]:
                yield from _flatten(branch)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            yield from _flatten(value[1])
        elif op == getattr(_sre, "ATOMIC_GROUP", None):
            yield from _flatten(value)


def _plain(value: Any) -> Any:
    """Strip the line bookkeeping so compiled data holds only builtins."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _resolve_extends(ruleset: RuleSet) -> None:
    """A market that extends another inherits its label classes and the rules
    it does not override (same check) or drop."""
    for market_id, market in list(ruleset.markets.items()):
        if not market.extends:
            continue
        base = ruleset.markets.get(market.extends)
        if base is None:
            raise PackError(market.path, market.line, f"market {market_id} extends unknown market {market.extends!r}")
        own_checks = {rule.check for rule in market.rules}
        unknown = [d for d in market.drop_rules if not any(d in (r.id, r.check) for r in base.rules)]
        if unknown:
            raise PackError(market.path, market.line, f"market {market_id} drops {', '.join(unknown)}, "
                                                      f"which market {base.id} does not define")
        inherited = tuple(
            Rule(**{**rule.__dict__, "id": f"{market_id}-{rule.id.split('-', 1)[-1]}", "market": market_id})
            for rule in base.rules
            if rule.check not in own_checks and rule.id not in market.drop_rules and rule.check not in market.drop_rules
        )
        ruleset.markets[market_id] = Market(
            id=market.id, name=market.name, languages=market.languages or base.languages,
            citation=market.citation,
            accepted=(base.accepted - market.ambiguous) | market.accepted,
            ambiguous=(base.ambiguous - market.accepted) | market.ambiguous,
            platform_label=market.platform_label, rules=market.rules + inherited,
            extends=market.extends, pack=market.pack, path=market.path, line=market.line,
            drop_rules=market.drop_rules,
        )


def _resolve_slots(ruleset: RuleSet) -> None:
    """Spell out the slots that patterns and word lists name, now that every
    pack has added its words (a slot no pack defines is a load error), and
    fold every literal the way post text is folded before matching ("für"
    is matched as "fur", "ambassadör" as "ambassador")."""
    def words(name: str, path: str, line: int) -> list[str]:
        if name not in ruleset.slots:
            known = ", ".join(sorted(ruleset.slots)) or "none"
            raise PackError(path, line, f"unknown slot {name!r} (slots defined: {known})")
        return list(ruleset.slots[name])

    def token(spec: dict, path: str, line: int) -> dict:
        spec = dict(spec)
        if "SLOT" in spec:
            spec["LOWER"] = {"IN": words(spec.pop("SLOT"), path, line)}
        if "NOT_SLOT" in spec:
            spec["LOWER"] = {"NOT_IN": words(spec.pop("NOT_SLOT"), path, line)}
        return {key: _folded_literal(value) if key in ("LOWER", "ORTH", "TEXT", "NORM") else value
                for key, value in spec.items()}

    def word_set(entries: frozenset[str], path: str, line: int) -> frozenset[str]:
        spelled = set()
        for entry in entries:
            spelled.update(words(entry[len(SLOT_REFERENCE):], path, line) if entry.startswith(SLOT_REFERENCE) else [entry])
        return frozenset(fold_word(word) for word in spelled)

    def resolved(match: Matchable, path: str, line: int) -> Matchable:
        return replace(match,
                       patterns=tuple(tuple(token(t, path, line) for t in pattern) for pattern in match.patterns),
                       not_after=word_set(match.not_after, path, line),
                       not_before=word_set(match.not_before, path, line))

    ruleset.signals = [replace(s, match=resolved(s.match, s.path, s.line)) for s in ruleset.signals]
    ruleset.labels = {i: replace(label, match=resolved(label.match, label.path, label.line))
                      for i, label in ruleset.labels.items()}
    targets = set(EVIDENCE_KINDS) | {"label"} | {s.id for s in ruleset.signals} | set(ruleset.labels)
    for signal in ruleset.signals:
        unknown = [c for c in signal.cancels if c not in targets]
        if unknown:
            raise PackError(signal.path, signal.line, f"signal {signal.id!r} cancels {', '.join(unknown)}: "
                                                      "not an evidence kind, 'label', or a signal or label id")


def fold_word(word: str) -> str:
    """A word as it reads in folded post text: accents, look-alike letters
    and invisible characters folded away."""
    from .normalise import normalise
    return normalise(word).text


def _folded_literal(value: Any) -> Any:
    """A token predicate with its words (and regular expression) folded."""
    if isinstance(value, str):
        return fold_word(value)
    if isinstance(value, dict):
        folded = {}
        for predicate, argument in value.items():
            if predicate in ("IN", "NOT_IN") and isinstance(argument, list):
                folded[predicate] = list(dict.fromkeys(fold_word(w) if isinstance(w, str) else w for w in argument))
            elif predicate == "REGEX" and isinstance(argument, str) and not argument.isascii():
                folded[predicate] = fold_word(argument)
            else:
                folded[predicate] = argument
        return folded
    return value


def _check_references(ruleset: RuleSet) -> None:
    for market in ruleset.markets.values():
        for label_id in sorted(market.accepted | market.ambiguous):
            if label_id not in ruleset.labels:
                raise PackError(market.path, market.line, f"market {market.id} names unknown label {label_id!r}")
        both = market.accepted & market.ambiguous
        if both:
            raise PackError(market.path, market.line, f"market {market.id} lists {', '.join(sorted(both))} as both accepted and ambiguous")
