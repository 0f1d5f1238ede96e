"""Where report templates come from, and the Jinja environments that read them.

The templates live in `reports/templates/` at the top of the repository and
ship inside the package as `checker._templates`. A user's `--templates DIR`
sits in front of them: a file found there wins, any other falls back to the
shipped copy, so rebranding can start from a single changed file.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Hashable, TypeVar

from jinja2 import (
    BaseLoader, ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound,
    select_autoescape,
)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

T = TypeVar("T", bound=str)
# Distinct fragments kept per page set; a run repeats a few hundred at most.
_FRAGMENTS_KEPT = 4096

_SOURCE_CHECKOUT = Path(__file__).resolve().parents[2] / "reports" / "templates"


def default_templates() -> Traversable:
    """The shipped templates: the installed package data, or the repository's
    own folder when running from a source checkout."""
    try:
        root = resources.files("checker._templates")
    except ModuleNotFoundError:
        return _SOURCE_CHECKOUT
    return root if root.joinpath("base.html").is_file() else _SOURCE_CHECKOUT


class TraversableLoader(BaseLoader):
    """Loads templates from package data, wherever importlib keeps it."""

    def __init__(self, root: Traversable) -> None:
        self.root = root

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        parts = [part for part in template.split("/") if part]
        if not parts or any(part in (".", "..") for part in parts):
            raise TemplateNotFound(template)
        node = self.root
        for part in parts:
            node = node.joinpath(part)
        if not node.is_file():
            raise TemplateNotFound(template)
        return node.read_text(encoding="utf-8"), str(node), lambda: True


def make_loader(templates_dir: Path | None) -> BaseLoader:
    shipped = TraversableLoader(default_templates())
    if templates_dir is None:
        return shipped
    if not Path(templates_dir).is_dir():
        raise FileNotFoundError(f"{templates_dir}: templates directory not found")
    return ChoiceLoader([FileSystemLoader(str(templates_dir)), shipped])


def html_environment(loader: BaseLoader) -> Environment:
    """Escapes every value in HTML and SVG templates; stylesheets and scripts
    are partials of fixed text and are not escaped."""
    return Environment(
        loader=loader,
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "svg", "xml"),
            disabled_extensions=("css", "js"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def text_environment(loader: BaseLoader, finalize: Callable[[object], object]) -> Environment:
    """For Markdown: no HTML escaping, but every value passes `finalize`,
    which escapes it for Markdown unless it is already Markdown."""
    return Environment(
        loader=loader,
        autoescape=False,
        finalize=finalize,
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def fragment_renderer(env: Environment, name: str, variable: str, wrap: Callable[[str], T]) -> Callable[[Hashable], T]:
    """A function that renders template `name` with `variable` set to its
    argument, once for each distinct (hashable) argument: pages repeat the
    same blocks, such as a finding, on thousands of posts. `wrap` marks the
    output as already escaped for the page that prints it."""

    @lru_cache(maxsize=_FRAGMENTS_KEPT)
    def render(value: Hashable) -> T:
        return wrap(env.get_template(name).render({variable: value}))

    return render
