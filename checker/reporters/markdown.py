"""Markdown versions of the audit report, to paste into or attach to tickets.

Markdown has no autoescape, so the environment's `finalize` escapes every
value a template prints, unless it is `MdText` (Markdown this module built
from escaped pieces). Post text cannot inject links, HTML, headings or table
cells this way.
"""
from __future__ import annotations

import re
from functools import lru_cache

from jinja2 import BaseLoader

from .report_data import (
    TIERS, VERDICT_ICONS, VERDICT_ORDER, VERDICT_TITLES, FieldView, FlaggedPosts, InfluencerDetail, Overview, ReportError,
    ReportMeta, format_number, format_percent,
)
from .templates_path import fragment_renderer, text_environment

MARKER = "<!-- generator: clearlabel"
# Backslash-escaped wherever they appear: they open emphasis, code, links,
# HTML, entities, tables, strikethrough, headings or mentions. The backslash
# comes first, so that the backslashes added for the others stay single.
_INLINE = tuple((char, "\\" + char) for char in "\\`*_[]<>&|~#@!")
# Escaped only at the start of a line, where they open lists, quotes or headings.
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d{1,9}(?=[.)](?:\s|$)))", re.MULTILINE)
_NEWLINES = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_NEEDS_NEWLINE_FOLD = re.compile(r"[\r\n\u2028\u2029]")
# Most values (numbers, words, dates) need nothing: one search spares them the rest.
_NEEDS_ESCAPE = re.compile(r"^\s*(?:[-+=>]|\d{1,9}[.)])|[\\`*_\[\]<>&|~#@!\r\n\u2028\u2029]")


class MdText(str):
    """A string that is already Markdown and must not be escaped again."""


def escape(value: object) -> str:
    """`value` as literal Markdown text on one line."""
    text = str(value)
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    if _NEEDS_NEWLINE_FOLD.search(text):
        text = _NEWLINES.sub(" ", text)
    # One replace per character present: posts are full of # and @, and
    # str.translate looks every character of the text up in a table.
    for char, escaped in _INLINE:
        if char in text:
            text = text.replace(char, escaped)
    # The text is one line now, so only its start can open a list or quote.
    opener = _LINE_START.match(text)
    return text if opener is None else _escape_line_start(opener) + text[opener.end():]


def _escape_line_start(match: re.Match[str]) -> str:
    indent, opener = match.groups()
    if opener[0].isdigit():     # "1." opens a list; escape its dot, digits cannot be escaped
        return f"{indent}{opener}\\"
    return f"{indent}\\{opener}"


def _finalize(value: object) -> object:
    if isinstance(value, MdText):
        return value
    if isinstance(value, str):
        return _escape_repeated(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape(value)


# Pages print the same platform names, dates, verdicts and rule texts over and over.
_escape_repeated = lru_cache(maxsize=8192)(escape)


# Highlighted text is mostly the same brands, codes and labels, post after post.
@lru_cache(maxsize=4096)
def _bold(text: str) -> str:
    """Escape `text` and make it bold, keeping surrounding spaces outside
    the asterisks, where Markdown needs them to be."""
    core = text.strip()
    if not core:
        return escape(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    return f"{escape(lead)}**{escape(core)}**{escape(trail)}"


def quote_field(field: FieldView) -> MdText:
    """A field's text as a block quote. Highlighted text is bold, and every
    highlighted span is followed by its reference, e.g. `**MAYA15**[E1]`.

    Markdown cannot nest or overlap emphasis the way spans overlap, so runs
    are not styled by kind: adjacent highlighted runs are joined into one bold
    stretch, cut only where a reference has to be placed.
    """
    lines: list[str] = [""]
    pending = ""        # highlighted text not yet written

    def emit(text: str, bold: bool) -> None:
        if not text:
            return
        for number, piece in enumerate(_NEWLINES.split(text)):
            if number:
                lines.append("")
            lines[-1] += _bold(piece) if bold else escape(piece)

    for segment in field.segments:
        if segment.plain:
            emit(pending, True)
            pending = ""
            emit(segment.text, False)
        else:
            pending += segment.text
        if segment.ends:
            emit(pending, True)
            pending = ""
            lines[-1] += "".join(f"\\[{ref}\\]" for ref in segment.ends)
    emit(pending, True)
    # A trailing backslash keeps the post's own line breaks (a hard break);
    # an empty line stays a paragraph break.
    quoted = [
        f"> {line}\\" if line.strip() and following.strip() else f"> {line}".rstrip()
        for line, following in zip(lines, [*lines[1:], ""])
    ]
    return MdText("\n".join(quoted))


def link(text: object, url: str) -> MdText:
    """A Markdown link; `url` is one the report built or an http(s) address
    checked by `report_data.http_url`, with brackets and spaces encoded."""
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return MdText(f"[{escape(text)}]({target})")


class MarkdownPages:
    def __init__(self, loader: BaseLoader, meta: ReportMeta) -> None:
        self.env = text_environment(loader, _finalize)
        self.env.filters.update(
            percent=format_percent,
            number=format_number,
            quote=quote_field,
            md=MdText,
            link=link,
            finding=fragment_renderer(self.env, "partials/finding.md", "f", MdText),
        )
        self.env.globals.update(
            verdicts=[(v.value, VERDICT_TITLES[v.value]) for v in VERDICT_ORDER],
            verdict_titles=VERDICT_TITLES,
            verdict_icons=VERDICT_ICONS,
            tiers=TIERS,
            meta=meta,
        )

    def _render(self, name: str, **context: object) -> str:
        page = self.env.get_template(name).render(**context)
        if MARKER not in page[:8192]:
            raise ReportError(f"template {name}: the page must start with the {MARKER} --> comment")
        return page

    def index(self, view: Overview, flagged: FlaggedPosts) -> str:
        return self._render("index.md", overview=view, flagged=flagged, root="")

    def influencer(self, detail: InfluencerDetail) -> str:
        return self._render("influencer.md", detail=detail, summary=detail.summary, root="../")
