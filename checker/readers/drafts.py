"""Campaign drafts: Markdown and text files, YAML and JSON briefs.

Markdown / text (`.md`, `.markdown`, `.txt`): the body is the post text. A
line holding only `---` separates posts, so one file can hold a series.
Optional YAML front matter, opened by `---` on the very first line and
closed by the next `---`, gives fields for every post in the file
(platform, format, market, language, title, brand, ...).

Briefs (`.yml`, `.yaml`, `.json`): a list of posts with the canonical fields,
or a mapping with `posts:` whose other keys are defaults for every post.

Every post records where each of its text fields starts in the file
(`Origin.field_starts`, see `checker.locate`), so findings point at the
draft's own lines. Ids are `<path>#<n>` (the n-th post of the file) or
`<path>#<id>` when a brief gives an id.

Inline suppressions (`<!-- clearlabel: disable=... -->` in Markdown and text,
`# clearlabel: disable=...` in YAML) are removed from the post text and
handed to the caller through the `suppressions` mapping, keyed by post id,
filled in before the post is yielded. A directive in the front matter
applies to every post of the file; a YAML directive applies to the post it
sits in, or else to the next post.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, MutableMapping, Sequence

import yaml

from ..model import FORMATS, PLATFORMS, TEXT_FIELDS, Origin, Post, Rejected
from ..pathfilter import PathPattern
from ..suppress import DirectiveError, Suppression, parse_directive
from ..wording import closest
from .draft_files import DRAFT_SUFFIXES, MARKDOWN_SUFFIXES, Skipped, display_path, draft_files

__all__ = ["DRAFT_SUFFIXES", "Skipped", "display_path", "draft_files", "read_draft_file", "read_drafts"]

_PROSE_SUFFIXES = (".md", ".markdown", ".txt")

POST_FIELDS = (
    "id", "text", "title", "transcript", "on_screen_text", "author", "platform", "format",
    "market", "language", "paid_partnership", "followers", "posted_at", "url", "brand",
)
# Fields that make sense once for a whole file: front matter and brief defaults.
SHARED_FIELDS = tuple(name for name in POST_FIELDS if name not in ("id", "text"))
FIELD_ALIASES = {
    "caption": "text", "description": "text", "body": "text",
    "username": "author", "handle": "author", "creator": "author",
    "markets": "market", "lang": "language",
}
_STRING_FIELDS = ("id", "author", "language", "posted_at", "url", "brand")
# How close an unknown field must be to a known one to be taken for a
# misspelling of it (`plaform`, `titel`, `posted`) rather than metadata.
_MISSPELT = 0.8
_MARKET = re.compile(r"[A-Za-z]{2}")

_HTML_DIRECTIVE = re.compile(r"<!--\s*clearlabel\s*:(?P<body>.*?)-->")
_HTML_DIRECTIVE_OPEN = re.compile(r"<!--\s*clearlabel\s*:")
_YAML_DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*clearlabel\s*:")
_HASHTAG_COMMENT = re.compile(r"[ \t]*#\w")
_ID_DIRECTIVE = re.compile(r"\s*id\s*=\s*(?P<id>[^\s\"'<>#]+)\s*")
# An ATX heading (`## Day 2`): a space after the hashes, unlike a hashtag.
_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(?P<title>.*?)[ \t#]*")

Positions = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------
# Files


def read_drafts(
    paths: Sequence[str],
    *,
    suppressions: MutableMapping[str, list[Suppression]] | None = None,
    platform: str | None = None,
    format: str | None = None,
    language: str | None = None,
    exclude: tuple[PathPattern, ...] = (),
    skipped: list[Skipped] | None = None,
) -> Iterator[Post | Rejected]:
    """Posts from draft files and directories, in path order.

    `platform`, `format` and `language` are defaults for drafts that name
    none. When `suppressions` is given, it receives each post's inline
    suppressions under the post id before the post is yielded. Files that
    are not drafts, or that `exclude` leaves out, go to `skipped`.
    """
    defaults = {name: value for name, value in
                (("platform", platform), ("format", format), ("language", language)) if value}
    sink: MutableMapping[str, list[Suppression]] = suppressions if suppressions is not None else {}
    for item in draft_files(paths, exclude, skipped):
        if isinstance(item, Rejected):
            yield item
            continue
        yield from read_draft_file(item, defaults=defaults, suppressions=sink)


def read_draft_file(
    path: Path,
    *,
    defaults: dict[str, Any] | None = None,
    suppressions: MutableMapping[str, list[Suppression]] | None = None,
) -> Iterator[Post | Rejected]:
    name = display_path(path)
    sink: MutableMapping[str, list[Suppression]] = suppressions if suppressions is not None else {}
    try:
        source = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        yield Rejected(name, 0, f"not UTF-8 text ({error.reason} at byte {error.start})")
        return
    except OSError as error:
        yield Rejected(name, 0, f"cannot read: {error.strerror or error}")
        return
    reader = _ProseDraft if path.name.lower().endswith(_PROSE_SUFFIXES) else _Brief
    yield from reader(name, source, dict(defaults or {}), sink).read()


# --------------------------------------------------------------------------
# Field values


class _FieldError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


@dataclass
class _Node:
    """A value of a YAML or JSON document, with where it is in the file."""
    kind: str                                   # "map", "seq" or "scalar"
    line: int                                   # 1-based
    column: int                                 # 1-based
    end_line: int                               # last line holding part of the value
    value: Any = None                           # scalars: the loaded value
    text: str | None = None                     # scalars: the value as a string, None for null
    starts: Positions = ()                      # string scalars: where each line of `text` starts
    items: list[_Node] = field(default_factory=list)
    entries: list[tuple[str, int, _Node]] = field(default_factory=list)   # (key, key line, value)
    lost_hashtag: int | None = None             # line of a `#tag` YAML took for a comment


def _coerce(name: str, node: _Node) -> Any:
    """The Post value of field `name`, checked."""
    if name == "market":
        parts: list[str] = []
        if node.kind == "seq":
            for item in node.items:
                if item.kind != "scalar" or item.text is None:
                    raise _FieldError(item.line, "market: expected a list of country codes")
                parts.append(item.text)
        elif node.kind == "scalar":
            parts = re.split(r"[,\s]+", node.text or "")
        else:
            raise _FieldError(node.line, "market: expected a country code or a list of them")
        codes = tuple(part.strip().upper() for part in parts if part.strip())
        bad = [code for code in codes if not _MARKET.fullmatch(code)]
        if bad:
            raise _FieldError(node.line, f"market: {', '.join(bad)} is not a two-letter country code")
        return codes
    if node.kind != "scalar":
        shape = "list" if node.kind == "seq" else "mapping"
        raise _FieldError(node.line, f"{name}: expected a single value, not a {shape}")
    if node.text is None:
        return None
    if name in TEXT_FIELDS or name in _STRING_FIELDS:
        return node.text
    if name == "platform" or name == "format":
        value = node.text.strip().lower()
        allowed = PLATFORMS if name == "platform" else FORMATS
        if value not in allowed:
            raise _FieldError(node.line, f"{name}: {node.text!r} is not one of {', '.join(allowed)}")
        return value
    if name == "paid_partnership":
        if not isinstance(node.value, bool):
            raise _FieldError(node.line, "paid_partnership: expected true or false")
        return node.value
    if name == "followers":
        if isinstance(node.value, bool) or not isinstance(node.value, int) or node.value < 0:
            raise _FieldError(node.line, "followers: expected a whole number")
        return node.value
    raise AssertionError(name)


def _read_fields(node: _Node, allowed: Sequence[str], what: str,
                 values: dict[str, Any], starts: dict[str, Positions]) -> None:
    """Check and copy a mapping's fields into `values` (and text positions
    into `starts`). A field the reader does not know goes to
    `values["metadata"]`, unless it looks like a misspelt known field."""
    given: dict[str, str] = {}
    for key, key_line, child in node.entries:
        name = FIELD_ALIASES.get(key, key)
        if name not in allowed:
            if name in POST_FIELDS:
                raise _FieldError(key_line, f"field {key!r} cannot be given in {what}; "
                                            f"fields there: {', '.join(allowed)}")
            known = closest(key, (*allowed, *(alias for alias, field in FIELD_ALIASES.items() if field in allowed)),
                            cutoff=_MISSPELT)
            if known is not None:
                raise _FieldError(key_line, f"unknown field {key!r} in {what} (did you mean {known!r}?); "
                                            "other fields are kept as metadata, but this one looks misspelt")
            values["metadata"] = {**values.get("metadata", {}), key: _plain(child)}
            continue
        if name in given:
            raise _FieldError(key_line, f"{key!r} repeats {given[name]!r}")
        given[name] = key
        if name in TEXT_FIELDS and child.lost_hashtag:
            raise _FieldError(child.lost_hashtag, f"{key}: YAML reads '#' after an unquoted value as a comment, "
                                                  "so the hashtag is not part of the text; quote the text or "
                                                  f"write it as a block ({key}: |)")
        value = _coerce(name, child)
        if value is None:
            values.pop(name, None)
            starts.pop(name, None)
            continue
        values[name] = value
        if name in TEXT_FIELDS:
            starts[name] = child.starts


def _plain(node: _Node) -> Any:
    """A metadata value as JSON can hold it (dates become ISO strings)."""
    if node.kind == "seq":
        return [_plain(item) for item in node.items]
    if node.kind == "map":
        return {key: _plain(child) for key, _, child in node.entries}
    value = node.value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else node.text
    return node.text


def _make_post(post_id: str, path: str, line: int, values: dict[str, Any],
               starts: dict[str, Positions], *, positional: bool = False) -> Post:
    if not any(values.get(name) for name in TEXT_FIELDS):
        raise _FieldError(line, "the post has no text, title, transcript or on_screen_text")
    field_starts = tuple((name, at_line, at_column)
                         for name in TEXT_FIELDS if values.get(name)
                         for at_line, at_column in starts.get(name, ()))
    fields = {name: value for name, value in values.items() if name != "id"}
    return Post(id=post_id, origin=Origin(path, line, field_starts, positional), **fields)


def _compress(starts: list[tuple[int, int]]) -> Positions:
    """Drop trailing entries that `checker.locate` can infer (next line, same column)."""
    while len(starts) >= 2 and starts[-1] == (starts[-2][0] + 1, starts[-2][1]):
        starts.pop()
    return tuple(starts)


# --------------------------------------------------------------------------
# Markdown and text


class _ProseDraft:
    """A Markdown or text draft: optional front matter, then posts separated
    by `---` lines.

    A post is named, for ids that survive posts being added or moved, by a
    `<!-- clearlabel: id=NAME -->` line, else (in Markdown) by a heading on
    its first line, which is not part of the post's text; the only post of a
    file may take the front matter's `id:`. Other posts are numbered.
    """

    def __init__(self, path: str, source: str, defaults: dict[str, Any],
                 sink: MutableMapping[str, list[Suppression]]) -> None:
        self.path = path
        self.lines = source.split("\n")
        self.values = defaults
        self.starts: dict[str, Positions] = {}
        self.shared: list[Suppression] = []
        self.sink = sink
        self.headings = path.lower().endswith(MARKDOWN_SUFFIXES)
        self.front_id_line = 0
        self.names: dict[str, int] = {}       # post id -> line that named it

    def read(self) -> Iterator[Post | Rejected]:
        body_from = 0
        if self.lines and self.lines[0].rstrip() == "---":
            close = next((index for index in range(1, len(self.lines)) if self.lines[index].rstrip() == "---"), None)
            if close is None:
                yield Rejected(self.path, 1, "front matter opened by '---' on line 1 is never closed by '---'")
                return
            try:
                self._front_matter(close)
            except _FieldError as error:
                yield Rejected(self.path, error.line, str(error))
                return
            body_from = close + 1
        sections = [section for section in self._sections(body_from) if _has_content(section)]
        if self.values.get("id") is not None and len(sections) > 1:
            yield Rejected(self.path, self.front_id_line,
                           f"front matter 'id' names a single post, but this file holds {len(sections)}; "
                           "name each post with a heading or <!-- clearlabel: id=NAME --> instead")
            return
        count = 0
        for section in sections:
            rejected, post = self._section(section, count + 1)
            yield from rejected
            if post is not None:
                count += 1
                yield post
        if count == 0 and not sections:
            yield Rejected(self.path, max(1, body_from), "no post text in this file")

    def _front_matter(self, close: int) -> None:
        # A leading newline keeps YAML's line numbers equal to the file's.
        source = "\n" + "\n".join(self.lines[1:close])
        root = _yaml_tree(source, self.path)
        if root is None:
            return
        if root.kind != "map":
            raise _FieldError(2, "front matter must be a mapping of fields")
        _read_fields(root, (*SHARED_FIELDS, "id"), "front matter", self.values, self.starts)
        self.front_id_line = next((line for key, line, _ in root.entries if key == "id"), 0)
        for line, column, body in _yaml_comments(source, _scalar_ranges(source)):
            self.shared.append(_directive(body, self.path, line, column))

    def _sections(self, start: int) -> Iterator[list[tuple[int, str]]]:
        section: list[tuple[int, str]] = []
        for index in range(start, len(self.lines)):
            content = self.lines[index]
            if content.rstrip() == "---":
                yield section
                section = []
            else:
                section.append((index + 1, content))
        yield section

    def _section(self, section: list[tuple[int, str]], number: int) -> tuple[list[Rejected], Post | None]:
        rejected: list[Rejected] = []
        own: list[Suppression] = []
        kept: list[tuple[int, int, str]] = []
        name: tuple[str, int] | None = None          # (name, line) from an id directive
        for line, content in section:
            found = list(_HTML_DIRECTIVE.finditer(content))
            if not found:
                if _HTML_DIRECTIVE_OPEN.search(content):
                    rejected.append(Rejected(self.path, line,
                                             "clearlabel directive not closed by '-->' on the same line"))
                    continue
                kept.append((line, 1, content))
                continue
            for match in found:
                named = _ID_DIRECTIVE.fullmatch(match["body"])
                if named:
                    name = (named["id"], line)
                    continue
                try:
                    own.append(_directive(match["body"], self.path, line, match.start() + 1))
                except _FieldError as error:
                    rejected.append(Rejected(self.path, error.line, str(error)))
            column, rest = 1, content
            if not content[:found[0].start()].strip():
                column, rest = found[0].end() + 1, content[found[0].end():]
            rest = _HTML_DIRECTIVE.sub("", rest)
            if rest.strip():
                kept.append((line, column, rest))
        kept = _trimmed(kept)
        heading = _HEADING.fullmatch(kept[0][2]) if kept and self.headings else None
        if heading:
            heading_line = kept[0][0]
            kept = _trimmed(kept[1:])
            if name is None and _slug(heading["title"]):
                name = (_slug(heading["title"]), heading_line)
        if not kept:
            if own:
                rejected.append(Rejected(self.path, own[0].line, "clearlabel directive outside any post"))
            elif heading:
                rejected.append(Rejected(self.path, section[0][0], "the post has a heading but no text"))
            return rejected, None
        values = dict(self.values, text="\n".join(content for _, _, content in kept))
        starts = dict(self.starts, text=_compress([(line, column) for line, column, _ in kept]))
        if name is not None:
            post_id, named_at = f"{self.path}#{name[0]}", name[1]
        elif values.get("id") is not None:
            post_id, named_at = f"{self.path}#{values['id']}", self.front_id_line
        else:
            post_id, named_at = f"{self.path}#{number}", 0
        try:
            if post_id in self.names:
                raise _FieldError(named_at or kept[0][0], f"post id {post_id!r} is already used on line "
                                                          f"{self.names[post_id]}; post names must be unique")
            post = _make_post(post_id, self.path, kept[0][0], values, starts, positional=not named_at)
        except _FieldError as error:
            rejected.append(Rejected(self.path, error.line, str(error)))
            return rejected, None
        self.names[post_id] = named_at or kept[0][0]
        self.sink[post_id] = [*self.shared, *own]
        return rejected, post


def _has_content(section: list[tuple[int, str]]) -> bool:
    return any(content.strip() for _, content in section)


def _trimmed(kept: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Without blank lines at either end."""
    begin, end = 0, len(kept)
    while begin < end and not kept[begin][2].strip():
        begin += 1
    while end > begin and not kept[end - 1][2].strip():
        end -= 1
    return kept[begin:end]


def _slug(title: str) -> str:
    """`Day 2: Shakshuka 🍳` -> `day-2-shakshuka`."""
    return re.sub(r"[^\w]+", "-", title.casefold(), flags=re.UNICODE).strip("-_")


def _directive(body: str, path: str, line: int, column: int) -> Suppression:
    try:
        return parse_directive(body, path, line, column)
    except DirectiveError as error:
        raise _FieldError(line, str(error)) from None


# --------------------------------------------------------------------------
# YAML and JSON briefs


class _Brief:
    def __init__(self, path: str, source: str, defaults: dict[str, Any],
                 sink: MutableMapping[str, list[Suppression]]) -> None:
        self.path = path
        self.source = source
        self.defaults = defaults
        self.sink = sink
        self.is_json = path.lower().endswith(".json")

    def read(self) -> Iterator[Post | Rejected]:
        try:
            root = _json_tree(self.source, self.path) if self.is_json else _yaml_tree(self.source, self.path)
        except _FieldError as error:
            yield Rejected(self.path, error.line, str(error))
            return
        values, starts = dict(self.defaults), {}
        if root is not None and root.kind == "map":
            posts = next((child for key, _, child in root.entries if key == "posts"), None)
            if posts is None or posts.kind != "seq":
                yield Rejected(self.path, root.line, "a brief mapping needs 'posts:' with a list of posts")
                return
            header = _Node("map", root.line, root.column, root.end_line,
                           entries=[entry for entry in root.entries if entry[0] != "posts"])
            try:
                _read_fields(header, SHARED_FIELDS, "the brief's defaults", values, starts)
            except _FieldError as error:
                yield Rejected(self.path, error.line, str(error))
                return
            items = posts.items
        elif root is not None and root.kind == "seq":
            items = root.items
        else:
            yield Rejected(self.path, root.line if root else 1,
                           "a brief is a list of posts, or a mapping with 'posts:'")
            return
        if not items:
            yield Rejected(self.path, root.line, "no posts in this brief")
            return
        directives, rejected = self._directives(items)
        yield from rejected
        seen: set[str] = set()
        for number, item in enumerate(items, start=1):
            try:
                if item.kind != "map":
                    raise _FieldError(item.line, "each post must be a mapping of fields")
                post_values, post_starts = dict(values), dict(starts)
                _read_fields(item, POST_FIELDS, "a post", post_values, post_starts)
                given_id = post_values.get("id")
                post_id = f"{self.path}#{given_id if given_id else number}"
                if post_id in seen:
                    raise _FieldError(item.line, f"post id {given_id!r} is used twice in this brief")
                post = _make_post(post_id, self.path, item.line, post_values, post_starts, positional=not given_id)
            except _FieldError as error:
                yield Rejected(self.path, error.line, str(error))
                continue
            seen.add(post_id)
            self.sink[post_id] = directives.get(number - 1, [])
            yield post

    def _directives(self, items: list[_Node]) -> tuple[dict[int, list[Suppression]], list[Rejected]]:
        """YAML comment directives by post index. A directive within a post's
        lines, or after them and indented at least like its fields, belongs
        to that post; one further left belongs to the next post."""
        found: dict[int, list[Suppression]] = {}
        rejected: list[Rejected] = []
        if self.is_json:
            return found, rejected
        for line, column, body in _yaml_comments(self.source, _scalar_ranges(self.source)):
            before = [index for index, item in enumerate(items) if item.line <= line]
            target = before[-1] if before else 0
            previous = items[target]
            if before and line > previous.end_line and column < previous.column:
                target += 1
            if target >= len(items):
                rejected.append(Rejected(self.path, line,
                                         "clearlabel directive after the last post applies to nothing"))
                continue
            try:
                found.setdefault(target, []).append(_directive(body, self.path, line, column))
            except _FieldError as error:
                rejected.append(Rejected(self.path, error.line, str(error)))
        return found, rejected


# --------------------------------------------------------------------------
# YAML with positions


def _yaml_tree(source: str, path: str) -> _Node | None:
    try:
        loader = yaml.SafeLoader(source)       # refuses control characters at once
    except yaml.YAMLError as error:
        raise _FieldError(1, f"invalid YAML: {error}") from None
    try:
        root = loader.get_single_node()
        return None if root is None else _YamlWalk(loader, source).node(root, 0)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _FieldError(mark.line + 1 if mark else 1, f"invalid YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise _FieldError(1, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()


def _end_line(mark: yaml.Mark) -> int:
    return mark.line + 1 if mark.column > 0 else max(1, mark.line)


class _YamlWalk:
    """Composed YAML nodes -> `_Node`s. Aliases are followed, so the walk is
    bounded: a self-referencing or exponentially aliased document is refused."""
    MAX_DEPTH = 32
    MAX_NODES = 100_000

    def __init__(self, loader: yaml.SafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.visited = 0

    def node(self, node: yaml.Node, depth: int) -> _Node:
        self.visited += 1
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if depth > self.MAX_DEPTH or self.visited > self.MAX_NODES:
            raise _FieldError(line, "document nests or repeats aliases too deeply")
        if isinstance(node, yaml.MappingNode):
            result = _Node("map", line, column, line)
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _FieldError(key_line, "mapping keys must be plain names")
                if key_node.value in seen:
                    raise _FieldError(key_line, f"duplicate key {key_node.value!r}")
                seen.add(key_node.value)
                child = self.node(value_node, depth + 1)
                result.entries.append((key_node.value, key_line, child))
                result.end_line = max(result.end_line, child.end_line)
            return result
        if isinstance(node, yaml.SequenceNode):
            result = _Node("seq", line, column, line)
            for item in node.value:
                child = self.node(item, depth + 1)
                result.items.append(child)
                result.end_line = max(result.end_line, child.end_line)
            return result
        value = self.loader.construct_object(node, deep=True)
        text = None if value is None else node.value
        starts = _yaml_scalar_starts(self.source, node, text) if text else ()
        scalar = _Node("scalar", line, column, _end_line(node.end_mark), value=value, text=text, starts=starts)
        if node.style is None and text:
            scalar.lost_hashtag = _hashtag_comment(self.source, node.end_mark)
        return scalar


def _hashtag_comment(source: str, end: yaml.Mark) -> int | None:
    """The line of a hashtag-like comment (`#ad`, not `# note`) right after an
    unquoted value, on its last line or on comment lines that follow it."""
    lines = source[end.index:].split("\n")
    for number, content in enumerate(lines, start=end.line + 1):
        stripped = content.strip()
        if number > end.line + 1 and stripped and not stripped.startswith("#"):
            return None
        if _HASHTAG_COMMENT.match(content) and not _YAML_DIRECTIVE.search(content):
            return number
    return None


def _yaml_scalar_starts(source: str, node: yaml.ScalarNode, text: str) -> Positions:
    start, end = node.start_mark, node.end_mark
    raw = source[start.index:end.index]
    line, column = start.line + 1, start.column + 1
    indent = None
    if node.style in ("|", ">"):
        header_end = raw.find("\n")
        if header_end < 0:
            return ((line, column),)
        raw = raw[header_end + 1:]
        line, column = line + 1, 1
        first = next((content for content in raw.split("\n") if content.strip()), "")
        indent = len(first) - len(first.lstrip(" "))
    elif node.style in ("'", '"'):
        raw, column = raw[1:], column + 1
    positions = _align(text, raw, line, column, escapes=node.style == '"', indent=indent)
    return _compress(positions) if positions else ((start.line + 1, start.column + 1),)


def _scalar_ranges(source: str) -> list[tuple[int, int]]:
    """Character ranges of every scalar, so that a `#` inside a value is
    not taken for a comment."""
    ranges: list[tuple[int, int]] = []
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.ScalarEvent):
                ranges.append((event.start_mark.index, event.end_mark.index))
    except yaml.YAMLError:
        pass
    return ranges


def _yaml_comments(source: str, ranges: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """(line, column, body) of each `# clearlabel:` comment outside any value."""
    offset = 0
    starts = [begin for begin, _ in ranges]
    for number, content in enumerate(source.split("\n"), start=1):
        for match in _YAML_DIRECTIVE.finditer(content):
            index = offset + match.start()
            position = bisect.bisect_right(starts, index) - 1
            if position < 0 or not ranges[position][0] <= index < ranges[position][1]:
                yield number, match.start() + 1, content[match.end():]
                break
        offset += len(content) + 1


# --------------------------------------------------------------------------
# JSON with positions

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_WORDS = {"true": True, "false": False, "null": None,
               "NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def _json_tree(source: str, path: str) -> _Node | None:
    try:
        json.loads(source)
    except json.JSONDecodeError as error:
        raise _FieldError(error.lineno, f"invalid JSON: {error.msg} (column {error.colno})") from None
    if not source.strip():
        return None
    return _JsonPositions(source).parse(_JSON_SPACE.match(source, 0).end())[0]


class _JsonPositions:
    """A JSON parser for text `json.loads` already accepted, that keeps where
    each value is."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.newlines = [index for index, char in enumerate(source) if char == "\n"]

    def position(self, index: int) -> tuple[int, int]:
        before = bisect.bisect_left(self.newlines, index)
        line_begin = self.newlines[before - 1] + 1 if before else 0
        return before + 1, index - line_begin + 1

    def _space(self, index: int) -> int:
        return _JSON_SPACE.match(self.source, index).end()

    def parse(self, index: int) -> tuple[_Node, int]:
        source = self.source
        line, column = self.position(index)
        char = source[index]
        if char == "{":
            node = _Node("map", line, column, line)
            index = self._space(index + 1)
            keys: set[str] = set()
            while source[index] != "}":
                key, index = json.decoder.scanstring(source, index + 1)
                key_line = self.position(index)[0]
                if key in keys:
                    raise _FieldError(key_line, f"duplicate key {key!r}")
                keys.add(key)
                index = self._space(self._space(index) + 1)
                child, index = self.parse(index)
                node.entries.append((key, key_line, child))
                index = self._space(index)
                if source[index] == ",":
                    index = self._space(index + 1)
            node.end_line = self.position(index)[0]
            return node, index + 1
        if char == "[":
            node = _Node("seq", line, column, line)
            index = self._space(index + 1)
            while source[index] != "]":
                child, index = self.parse(index)
                node.items.append(child)
                index = self._space(index)
                if source[index] == ",":
                    index = self._space(index + 1)
            node.end_line = self.position(index)[0]
            return node, index + 1
        if char == '"':
            value, end = json.decoder.scanstring(source, index + 1)
            starts = _align(value, source[index + 1:end - 1], line, column + 1, escapes=True, indent=None)
            return _Node("scalar", line, column, line, value=value, text=value,
                         starts=_compress(starts) if starts else ((line, column + 1),)), end
        for word, value in _JSON_WORDS.items():
            if source.startswith(word, index):
                text = None if value is None else word
                return _Node("scalar", line, column, line, value=value, text=text), index + len(word)
        match = _JSON_NUMBER.match(source, index)
        assert match is not None, "json.loads accepted this text"
        number = match.group()
        value = float(number) if any(mark in number for mark in ".eE") else int(number)
        return _Node("scalar", line, column, line, value=value, text=number), match.end()


# --------------------------------------------------------------------------
# Where each line of a scalar's value starts in the file

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _escape(raw: str, index: int) -> tuple[str, int]:
    """(decoded text, width) of the escape sequence at raw[index] == '\\'."""
    code = raw[index + 1:index + 2]
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code], 2
    if code in _HEX_ESCAPES:
        width = _HEX_ESCAPES[code]
        try:
            point = int(raw[index + 2:index + 2 + width], 16)
        except ValueError:
            return "", 2
        if code == "u" and 0xD800 <= point < 0xDC00 and raw[index + 6:index + 8] == "\\u":
            try:
                low = int(raw[index + 8:index + 12], 16)
            except ValueError:
                low = 0
            if 0xDC00 <= low < 0xE000:
                return chr(0x10000 + ((point - 0xD800) << 10) + (low - 0xDC00)), 12
        return chr(point), 2 + width
    return "", 2 if code else 1     # an escaped line break folds away


def _align(value: str, raw: str, line: int, column: int, *, escapes: bool,
           indent: int | None) -> list[tuple[int, int]]:
    """Walk the loaded value and its source side by side and return the file
    position of the first character of each line of the value.

    The source may hold escapes, quotes doubled, line breaks folded into
    spaces and block indentation; characters of the source that do not match
    the next character of the value are skipped. If the walk runs out of
    source, the positions found so far are returned.
    """
    starts: list[tuple[int, int]] = []
    index = 0

    def skip_indent() -> None:
        nonlocal index, column
        if indent:
            limit = index + indent
            while index < min(limit, len(raw)) and raw[index] == " ":
                index += 1
                column += 1

    skip_indent()
    for position, char in enumerate(value):
        while True:
            if index >= len(raw):
                return starts
            here = (line, column)
            current = raw[index]
            if escapes and current == "\\":
                decoded, width = _escape(raw, index)
                for consumed in raw[index:index + width]:
                    line, column = (line + 1, 1) if consumed == "\n" else (line, column + 1)
                index += width
                if decoded == char:
                    break
                continue
            index += 1
            if current == "\n":
                line, column = line + 1, 1
                skip_indent()
            else:
                column += 1
            if current == char or (current == "\n" and char == " "):
                break
        if position == 0 or value[position - 1] == "\n":
            starts.append(here)
    return starts
