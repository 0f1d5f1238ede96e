"""Configuration files: where they are, what they may say, and `config show`.

The first of these wins: `--config FILE`; else, walking up from the working
directory, a `.clearlabel.yml` (or `.clearlabel.yaml`) or a `pyproject.toml`
with a `[tool.clearlabel]` table. Keys are kebab-case and the same in both
formats; an unknown key is an error naming the file and line.

    markets: [GB, US]            # default markets for drafts that name none
    platform: instagram          # default platform, format and language of drafts
    format: post
    language: en
    fail-on: error               # error | warning | info | never
    select: [GB-, US-]           # only these rules run (ids, prefixes, globs)
    ignore: ["*-BRAND-TAG-REVIEW"]         # these rules do not run
    disable-packs: []
    rule-dirs: [compliance/rules]          # relative to the configuration file
    exclude: [README.md, "drafts/archive/**"]   # check: files not to read
    baseline: .clearlabel-baseline.json    # check: findings accepted for now
    store: audits/history.sqlite3          # history store: a path (relative to this file) or
                                           # postgresql://…; default: the user's data directory
    store-text: false                      # keep post text in the store
    brands: ["@glowco", "#glowco"]
    folds: {instagram: {chars: 125, lines: 3}}
    relationships:
      - {brand: Glow Co, type: paid, handles: ["@glowco"], from: 2025-06-01, to: 2025-08-31}

`enable-rules` and `disable-rules` are older names of `select` and `ignore`.

`load_settings` also returns where each value came from, keyed by the
`Settings` field name ("default", "pyproject.toml:12", or whatever the CLI
records when an option overrides it), plus "config_file".
"""
from __future__ import annotations

import datetime
import os
import re
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Callable

import yaml

from .model import FORMATS, PLATFORMS, Severity
from .pathfilter import PathPattern
from .selection import RuleSelector
from .settings import Relationship, Settings
from .wording import did_you_mean
from .yamlsafe import LineDict, LineList, YamlError, load_yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_NAMES = (".clearlabel.yml", ".clearlabel.yaml")
RELATIONSHIP_TYPES = ("paid", "gifted", "affiliate", "employee", "own_brand")
FAIL_ON_VALUES = ("error", "warning", "info", "never")

# config key -> Settings field, in the order `config show` prints them
KEYS = {
    "markets": "markets",
    "platform": "platform",
    "format": "format",
    "language": "language",
    "fail-on": "fail_on",
    "select": "select",
    "ignore": "ignore",
    "disable-packs": "disable_packs",
    "rule-dirs": "rule_dirs",
    "brands": "brands",
    "folds": "folds",
    "relationships": "relationships",
    "post-timeout": "post_timeout",
    "exclude": "exclude",
    "baseline": "baseline",
    "store": "store",
    "store-text": "store_text",
}
# Older names that still work.
KEY_ALIASES = {"enable-rules": "select", "disable-rules": "ignore"}
_RELATIONSHIP_KEYS = ("brand", "type", "handles", "hashtags", "creators", "from", "to")
_FOLD_KEYS = ("chars", "lines")
_CODE = re.compile(r"[A-Z]{2}")


def parse_post_timeout(value: Any) -> float | None:
    """The time budget per post in seconds, None for no limit (0 or never)."""
    if isinstance(value, str) and value.strip().lower() in ("never", "none"):
        return None
    try:
        seconds = -1.0 if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError("expected seconds (a positive number), or 0 or never for no limit")
    return seconds or None


class ConfigError(ValueError):
    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def find_config(cwd: Path) -> Path | None:
    """The configuration file that applies in `cwd`, if any."""
    for directory in (cwd, *cwd.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _toml_table(pyproject, required=False) is not None:
            return pyproject
    return None


def load_settings(config_path: str | None, cwd: Path, *, no_config: bool = False
                  ) -> tuple[Settings, dict[str, str]]:
    """Settings from the configuration file that applies, and where each came
    from; `no_config` ignores every configuration file."""
    provenance = {field.name: "default" for field in fields(Settings)
                  if field.name not in ("known_relationship", "enable_rules", "disable_rules")}
    if no_config:
        provenance["config_file"] = "none (--no-config)"
        return Settings(), provenance
    if config_path is not None:
        path = Path(config_path) if Path(config_path).is_absolute() else cwd / config_path
        if not path.is_file():
            raise ConfigError(config_path, 0, "no such configuration file")
    else:
        path = find_config(cwd)
    if path is None:
        provenance["config_file"] = "none"
        return Settings(), provenance
    shown = _display(path, cwd)
    provenance["config_file"] = shown
    if path.suffix == ".toml":
        table = _toml_table(path, required=True)
        data = _toml_located(table, path.read_text(encoding="utf-8"))
    else:
        data = _yaml_document(path, shown)
    values: dict[str, Any] = {}
    reader = _Reader(shown, path.parent, cwd)
    given: dict[str, str] = {}
    for key, value in data.items():
        name = KEY_ALIASES.get(key, key)
        if name not in KEYS:
            raise ConfigError(shown, data.line_of(key), _unknown(key, KEYS))
        if name in given:
            raise ConfigError(shown, data.line_of(key), f"{key!r} repeats {given[name]!r} (the same setting)")
        given[name] = key
        field = KEYS[name]
        values[field] = reader.read(name, value, data.line_of(key))
        provenance[field] = f"{shown}:{data.line_of(key)}"
    return replace(Settings(), **values), provenance


def load_relationships(path: Path) -> tuple[Relationship, ...]:
    """Declared relationships from their own YAML (or JSON) file: a list, or a
    mapping with a `relationships` list, in the form of the configuration key."""
    shown = path.as_posix()
    if not path.is_file():
        raise ConfigError(shown, 0, "no such relationships file")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), shown)     # JSON is YAML too
    except YamlError as error:
        raise ConfigError(shown, error.line, error.reason) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(shown, 0, f"cannot read: {error}") from None
    if isinstance(data, LineDict):
        unknown = [key for key in data if key != "relationships"]
        if unknown:
            raise ConfigError(shown, data.line_of(unknown[0]), _unknown(unknown[0], ["relationships"]))
        return _Reader(shown, path.parent, path.parent).relationships(
            "relationships", data.get("relationships", []), data.line_of("relationships"))
    return _Reader(shown, path.parent, path.parent).relationships("relationships", data, 1)


def _display(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), cwd.resolve())).as_posix()
    except ValueError:      # another drive on Windows
        return path.as_posix()


def _unknown(key: object, known: Any) -> str:
    return f"unknown key {key!r}{did_you_mean(str(key), known)}; known keys: {', '.join(known)}"


def _yaml_document(path: Path, shown: str) -> LineDict:
    try:
        text = path.read_text(encoding="utf-8")
        data = load_yaml(text, shown)
    except YamlError as error:
        raise ConfigError(shown, error.line, error.reason) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(shown, 0, f"cannot read: {error}") from None
    if data is None:
        empty = LineDict()
        empty.line, empty.key_lines = 1, {}
        return empty
    if not isinstance(data, LineDict):
        raise ConfigError(shown, 1, "the configuration must be a mapping of keys")
    return data


# --------------------------------------------------------------------------
# pyproject.toml


def _toml_table(path: Path, *, required: bool) -> dict | None:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path.as_posix(), 0, f"invalid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path.as_posix(), 0, f"cannot read: {error}") from None
    table = document.get("tool", {}).get("clearlabel")
    if table is None and required:
        raise ConfigError(path.as_posix(), 0, "no [tool.clearlabel] table")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(path.as_posix(), 0, "tool.clearlabel must be a table")
    return table


def _toml_located(table: dict, text: str) -> LineDict:
    """The [tool.clearlabel] table with the line of each key, found by
    reading the text (tomllib keeps no positions)."""
    lines = text.split("\n")
    begin = next((number for number, content in enumerate(lines, start=1)
                  if re.match(r"\s*\[\[?\s*tool\.clearlabel\b", content)
                  or re.match(r"\s*tool\.clearlabel\.", content)), 1)

    def line_of(key: str, after: int) -> int:
        quoted = re.escape(key)
        pattern = re.compile(rf"""\s*(?:["']?{quoted}["']?\s*="""                # key = ...
                             rf"""|\[\[?\s*tool\.clearlabel\.["']?{quoted}\b"""  # [tool.clearlabel.key]
                             rf"""|tool\.clearlabel\.{quoted}\s*=)""")             # tool.clearlabel.key = ...
        for number in range(after, len(lines) + 1):
            if pattern.match(lines[number - 1]):
                return number
        return after

    def locate(value: Any, line: int, list_key: str | None = None) -> Any:
        if isinstance(value, dict):
            located = LineDict()
            located.line, located.key_lines = line, {}
            for key, item in value.items():
                key_line = line_of(key, line)
                located.key_lines[key] = key_line
                located[key] = locate(item, key_line, key)
            return located
        if isinstance(value, list):
            located_list = LineList()
            located_list.line, located_list.item_lines = line, []
            header = re.compile(rf"\s*\[\[\s*tool\.clearlabel\.{re.escape(list_key or '')}\s*\]\]")
            headers = [number for number, content in enumerate(lines, start=1) if header.match(content)]
            for index, item in enumerate(value):
                item_line = headers[index] if index < len(headers) else line
                located_list.item_lines.append(item_line)
                located_list.append(locate(item, item_line))
            return located_list
        return value

    return locate(table, begin)


# --------------------------------------------------------------------------
# Values


class _Reader:
    def __init__(self, path: str, base: Path, cwd: Path) -> None:
        self.path = path
        self.base = base
        self.cwd = cwd

    def fail(self, line: int, reason: str) -> ConfigError:
        return ConfigError(self.path, line, reason)

    def read(self, key: str, value: Any, line: int) -> Any:
        readers: dict[str, Callable[[str, Any, int], Any]] = {
            "markets": self.markets, "platform": self.choice, "format": self.choice,
            "language": self.language, "fail-on": self.fail_on,
            "select": self.selectors, "ignore": self.selectors,
            "disable-packs": self.strings, "brands": self.strings,
            "rule-dirs": self.rule_dirs, "folds": self.folds, "relationships": self.relationships,
            "post-timeout": self.post_timeout, "exclude": self.exclude, "baseline": self.baseline,
            "store": self.store, "store-text": self.flag,
        }
        return readers[key](key, value, line)

    def strings(self, key: str, value: Any, line: int) -> tuple[str, ...]:
        if isinstance(value, str):
            items = [part for part in re.split(r"[,\s]+", value) if part]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = list(value)
        else:
            raise self.fail(line, f"{key}: expected a list of names")
        return tuple(item.strip() for item in items if item.strip())

    def located_strings(self, key: str, value: Any, line: int) -> list[tuple[str, int]]:
        """The names of a list (or comma-separated string), each with its line."""
        names = self.strings(key, value, line)
        lines = value.item_lines if isinstance(value, LineList) else [line] * len(names)
        return list(zip(names, lines))

    def selectors(self, key: str, value: Any, line: int) -> tuple[RuleSelector, ...]:
        return tuple(RuleSelector(name, f"{self.path}:{at}") for name, at in self.located_strings(key, value, line))

    def exclude(self, key: str, value: Any, line: int) -> tuple[PathPattern, ...]:
        base = str(self.base.resolve())
        return tuple(PathPattern(name, base, f"{self.path}:{at}") for name, at in self.located_strings(key, value, line))

    def baseline(self, key: str, value: Any, line: int) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(line, f"{key}: expected the path of a baseline file")
        target = Path(value) if Path(value).is_absolute() else self.base / value
        return _display(target, self.cwd)

    def markets(self, key: str, value: Any, line: int) -> tuple[str, ...]:
        codes = tuple(code.upper() for code in self.strings(key, value, line))
        bad = [code for code in codes if not _CODE.fullmatch(code)]
        if bad:
            raise self.fail(line, f"{key}: {', '.join(bad)} is not a two-letter country code")
        return codes

    def choice(self, key: str, value: Any, line: int) -> str:
        allowed = PLATFORMS if key == "platform" else FORMATS
        if not isinstance(value, str) or value.lower() not in allowed:
            raise self.fail(line, f"{key}: expected one of {', '.join(allowed)}")
        return value.lower()

    def language(self, key: str, value: Any, line: int) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*", value):
            raise self.fail(line, f"{key}: expected a language code such as en or pt-BR")
        return value

    def fail_on(self, key: str, value: Any, line: int) -> Severity | None:
        if not isinstance(value, str) or value.lower() not in FAIL_ON_VALUES:
            raise self.fail(line, f"{key}: expected one of {', '.join(FAIL_ON_VALUES)}")
        return None if value.lower() == "never" else Severity(value.lower())

    def post_timeout(self, key: str, value: Any, line: int) -> float | None:
        try:
            return parse_post_timeout(value)
        except ValueError as error:
            raise self.fail(line, f"{key}: {error}") from None

    def store(self, key: str, value: Any, line: int) -> str:
        """A path (relative to this file) or a database URL."""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(line, f"{key}: expected a file path or a URL such as postgresql://host/db")
        value = value.strip()
        if "://" in value or Path(value).expanduser().is_absolute():
            return value
        return str((self.base / value).resolve())

    def flag(self, key: str, value: Any, line: int) -> bool:
        if not isinstance(value, bool):
            raise self.fail(line, f"{key}: expected true or false")
        return value

    def rule_dirs(self, key: str, value: Any, line: int) -> tuple[str, ...]:
        found = []
        for name in self.strings(key, value, line):
            directory = Path(name) if Path(name).is_absolute() else self.base / name
            if not directory.is_dir():
                raise self.fail(line, f"{key}: {name} is not a directory")
            found.append(str(directory.resolve()))
        return tuple(found)

    def folds(self, key: str, value: Any, line: int) -> dict[str, dict[str, int]]:
        if not isinstance(value, dict):
            raise self.fail(line, f"{key}: expected a mapping of platform to {{chars, lines}}")
        result: dict[str, dict[str, int]] = {}
        for platform, fold in value.items():
            platform_line = _line_of(value, platform, line)
            if platform not in PLATFORMS:
                raise self.fail(platform_line, f"{key}: {platform!r} is not one of {', '.join(PLATFORMS)}")
            if not isinstance(fold, dict):
                raise self.fail(platform_line, f"{key}.{platform}: expected chars and/or lines")
            limits: dict[str, int] = {}
            for name, number in fold.items():
                name_line = _line_of(fold, name, platform_line)
                if name not in _FOLD_KEYS:
                    raise self.fail(name_line, f"{key}.{platform}: " + _unknown(name, _FOLD_KEYS))
                if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
                    raise self.fail(name_line, f"{key}.{platform}.{name}: expected a positive whole number")
                limits[name] = number
            result[platform] = limits
        return result

    def relationships(self, key: str, value: Any, line: int) -> tuple[Relationship, ...]:
        if not isinstance(value, list):
            raise self.fail(line, f"{key}: expected a list of relationships")
        found = []
        for index, item in enumerate(value):
            item_line = value.item_lines[index] if isinstance(value, LineList) else line
            if not isinstance(item, dict):
                raise self.fail(item_line, f"{key}: each relationship is a mapping with brand and type")
            for name in item:
                if name not in _RELATIONSHIP_KEYS:
                    raise self.fail(_line_of(item, name, item_line), f"{key}: " + _unknown(name, _RELATIONSHIP_KEYS))
            brand, kind = item.get("brand"), item.get("type")
            if not isinstance(brand, str) or not brand.strip():
                raise self.fail(item_line, f"{key}: every relationship needs a brand")
            if kind not in RELATIONSHIP_TYPES:
                raise self.fail(_line_of(item, "type", item_line),
                                f"{key}: type must be one of {', '.join(RELATIONSHIP_TYPES)}")
            lists = {name: self.strings(f"{key}.{name}", item.get(name, []), _line_of(item, name, item_line))
                     for name in ("handles", "hashtags", "creators")}
            found.append(Relationship(
                brand=brand.strip(),
                type=kind,
                handles=tuple(_prefixed(handle, "@") for handle in lists["handles"]),
                hashtags=tuple(_prefixed(tag, "#") for tag in lists["hashtags"]),
                creators=tuple(_prefixed(creator, "@") for creator in lists["creators"]),
                date_from=self.date(key, item, "from", item_line),
                date_to=self.date(key, item, "to", item_line),
            ))
        return tuple(found)

    def date(self, key: str, item: dict, name: str, line: int) -> str | None:
        value = item.get(name)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise self.fail(_line_of(item, name, line), f"{key}.{name}: expected a date such as 2025-06-01") from None


def _line_of(mapping: Any, key: Any, fallback: int) -> int:
    return mapping.line_of(key) if isinstance(mapping, LineDict) else fallback


def _prefixed(name: str, sigil: str) -> str:
    return name if name.startswith(sigil) else sigil + name


# --------------------------------------------------------------------------
# config show


def _plain(value: Any) -> Any:
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, (RuleSelector, PathPattern)):
        return value.pattern
    if isinstance(value, Relationship):
        data = {"brand": value.brand, "type": value.type, "handles": list(value.handles),
                "hashtags": list(value.hashtags), "creators": list(value.creators),
                "from": value.date_from, "to": value.date_to}
        return {name: item for name, item in data.items() if item not in (None, [])}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    return value


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 20)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def format_settings(settings: Settings, provenance: dict[str, str]) -> str:
    """The effective configuration as YAML, each key commented with its source."""
    out = ["# clearlabel configuration in effect",
           f"# configuration file: {provenance.get('config_file', 'none')}"]
    for key, field in KEYS.items():
        value = getattr(settings, field)
        plain = "never" if field in ("fail_on", "post_timeout") and value is None else _plain(value)
        source = provenance.get(field, "default")
        nested = isinstance(plain, dict) and plain or (
            isinstance(plain, list) and any(isinstance(item, dict) for item in plain))
        if nested:
            block = yaml.safe_dump(plain, default_flow_style=False, allow_unicode=True, sort_keys=False)
            out.append(f"{key}:  # {source}")
            out.extend("  " + content for content in block.rstrip("\n").split("\n"))
        else:
            out.append(f"{key}: {_flow(plain)}  # {source}")
    return "\n".join(out) + "\n"
