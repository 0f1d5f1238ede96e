"""Safe YAML loading that remembers where every mapping and item came from.

Rule packs and configuration files are untrusted data: they are built with
PyYAML's safe constructor only (no Python objects, no aliases), and every
mapping records its line so that errors can name the file and line of the
offending key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner


class LineDict(dict):
    """A mapping that knows the 1-based line it starts on and the line of each key."""
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


class YamlError(ValueError):
    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


try:   # libyaml's parser, when PyYAML was built with it: several times faster
    from yaml._yaml import CParser
    _PARSING: tuple[type, ...] = (CParser,)
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _PARSING = (Reader, Scanner, Parser)


class _LineLoader(Composer, *_PARSING, SafeConstructor, Resolver):  # type: ignore[misc]
    """PyYAML's safe loader, parsing with libyaml when it can. The composer
    stays PyYAML's own, in Python, so that it sees every alias where it is
    used and can refuse it."""

    def __init__(self, stream: str) -> None:
        if _PARSING[0] is Reader:  # pragma: no cover
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
        else:
            _PARSING[0].__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        # An alias shares a node, and ten levels of ten aliases each describe
        # 10^10 items to anything that walks the data ("billion laughs").
        # Rule packs and configuration have no use for them.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not allowed; write the value out",
                event.start_mark)
        return super().compose_node(parent, index)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain strings", key_node.start_mark)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, path: str) -> Any:
    """Parse YAML text safely; syntax errors become `YamlError` with the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader constructs like SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(path, line, _problem(error, text)) from None
    except yaml.reader.ReaderError as error:
        # libyaml gives the character as a number, PyYAML's reader as text
        character = chr(error.character) if isinstance(error.character, int) else error.character
        line = text.count("\n", 0, error.position) + 1
        raise YamlError(path, line, f"character {character!r} is not allowed in YAML ({error.reason})") from None
    except yaml.YAMLError as error:
        raise YamlError(path, 0, str(error)) from None


def _problem(error: yaml.MarkedYAMLError, text: str) -> str:
    """The parser's problem, with the column and character it stopped at."""
    problem = (error.problem or str(error)).strip()
    mark = error.problem_mark
    if mark is None or not 0 <= mark.index < len(text):
        return problem
    return f"{problem} (column {mark.column + 1}: {text[mark.index]!r})"


def load_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlError(str(path), 0, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise YamlError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    return load_yaml(text, str(path))
