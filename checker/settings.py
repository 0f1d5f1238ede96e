"""Effective settings of a run: what configuration files and options decide.

`checker.config` finds and reads configuration into this shape; the CLI
overlays its options; the engine and reporters only ever see `Settings`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .budget import DEFAULT_SECONDS
from .model import Severity
from .pathfilter import PathPattern
from .selection import RuleSelector


@dataclass(frozen=True)
class Relationship:
    """A commercial relationship the user declares (issue: declared relationships)."""
    brand: str
    type: str                                  # paid | gifted | affiliate | employee | own_brand
    handles: tuple[str, ...] = ()              # "@brand" handles
    hashtags: tuple[str, ...] = ()             # "#brand" hashtags
    creators: tuple[str, ...] = ()             # empty = all creators
    date_from: str | None = None               # ISO date, inclusive
    date_to: str | None = None                 # ISO date, inclusive


@dataclass(frozen=True)
class Settings:
    markets: tuple[str, ...] = ()              # default markets for posts that name none
    fail_on: Severity | None = Severity.ERROR  # None = never fail
    select: tuple[RuleSelector, ...] = ()      # rules to run (ids, prefixes, globs); empty: all
    ignore: tuple[RuleSelector, ...] = ()      # rules not to run; wins over select
    # The engine's view of select/ignore: rule ids, resolved by `selection.apply_to_settings`.
    enable_rules: tuple[str, ...] = ()         # when non-empty, only these rules run
    disable_rules: tuple[str, ...] = ()
    disable_packs: tuple[str, ...] = ()
    rule_dirs: tuple[str, ...] = ()            # extra rule pack directories
    brands: tuple[str, ...] = ()               # brand handles/hashtags known to the user
    folds: dict[str, dict[str, int]] = field(default_factory=dict)   # platform -> {"chars": n, "lines": n}
    platform: str | None = None                # default platform for drafts
    format: str | None = None                  # default format for drafts
    language: str | None = None                # default language when a post gives none
    relationships: tuple[Relationship, ...] = ()
    post_timeout: float | None = DEFAULT_SECONDS   # seconds an audit of one post may take; None = no limit
    exclude: tuple[PathPattern, ...] = ()      # check mode: files and directories not to read
    baseline: str | None = None                # check mode: baseline file of accepted findings
    known_relationship: bool = False           # check mode: every post is a campaign post
    store: str | None = None                   # history store: path or URL; None = the default file
    store_text: bool = False                   # keep post text in the store (else hashes and report fields)
