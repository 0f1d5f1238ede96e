"""Rule packs from third parties are data, never code, and cannot stall an audit.

YAML is read with a SafeLoader (no Python objects) and without aliases (no
"billion laughs"); a REGEX predicate that Python's backtracking engine could
spend exponential or high-polynomial time on is refused at load time with
the file and line; and no token a REGEX sees is longer than
`nlp.MAX_TOKEN_CHARS`, which bounds what an accepted pattern can cost.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.nlp import MAX_TOKEN_CHARS, get_pipeline, make_doc
from checker.packs import PackError, load_ruleset, regex_risk

PACK_WITH_REGEX = """\
pack: third-party
version: 1
signals:
  - id: sneaky
    kind: cta
    strength: weak
    patterns:
      - - {{TEXT: {{REGEX: '{regex}'}}}}
"""
REGEX_LINE = 8

CATASTROPHIC = [
    "(a|aa)+", "(a+)+", "(.*a){20}", "^(a+)+$", "(a|a)*", "((a+))+", "(a{1,10}){1,10}", "(?:a|b|ab)*c",
    "(\\w*)*x", "(?:x+y+)+", "((ab)*)+", "(?=(a+)+)b", "(a)\\1", "(?P<n>a)(?P=n)", "a*a*a*b", ".*.*=",
    "\\w*\\w*x", "^a*b*c*d", "(?>a+)+",
]
SAFE = ["^@", "^(@|[A-Z])", "^[^\\w#]", "^#[a-z0-9_]{3,}(partner|ambassador)$", "(merch|kauppa)", "[ab]+",
        "(?:ha)+", "^a{2,5}$", "^\\w*\\w*x$", "\\w+x", "^(?:[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[A-Z]{2,}[0-9]*)$"]


def _pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "third-party.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(tmp_path: Path, text: str) -> PackError:
    path = _pack(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_ruleset([path], include_bundled=False)
    assert caught.value.path == str(path)
    return caught.value


@pytest.mark.parametrize("regex", CATASTROPHIC)
def test_catastrophic_patterns_are_refused_with_file_and_line(tmp_path, regex):
    error = _load_error(tmp_path, PACK_WITH_REGEX.format(regex=regex))
    assert error.line == REGEX_LINE
    assert "exponential or polynomial time" in error.reason


@pytest.mark.parametrize("regex", SAFE)
def test_ordinary_patterns_load(tmp_path, regex):
    assert regex_risk(regex) is None
    ruleset = load_ruleset([_pack(tmp_path, PACK_WITH_REGEX.format(regex=regex))], include_bundled=False)
    assert ruleset.signals[0].id == "sneaky"


def test_every_bundled_pattern_passes_the_guard():
    ruleset = load_ruleset()                   # raises if a bundled REGEX were refused
    assert ruleset.markets


def test_the_guard_is_reported_by_the_command_line(tmp_path):
    path = _pack(tmp_path, PACK_WITH_REGEX.format(regex="(a|aa)+$"))
    result = CliRunner().invoke(main, ["rules", "list", "--rules", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{REGEX_LINE}:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("regex, words", [("([a-z", "invalid REGEX"), ("x" * 201, "at most 200")])
def test_invalid_or_oversized_patterns_are_load_errors(tmp_path, regex, words):
    error = _load_error(tmp_path, PACK_WITH_REGEX.format(regex=regex))
    assert error.line == REGEX_LINE and words in error.reason


def test_refused_patterns_really_are_slow_and_accepted_ones_are_not():
    """The guard's premise, measured on a token as long as a token can be."""
    token = "a" * MAX_TOKEN_CHARS + "!"
    started = time.perf_counter()
    for regex in SAFE:
        re.search(regex, token)
    assert time.perf_counter() - started < 1.0
    started = time.perf_counter()
    re.search("^(a|aa)+$", "a" * 30 + "!")        # refused: 30 characters already take a while
    assert time.perf_counter() - started > 0.02


@pytest.mark.parametrize("text", [
    "a" * 10_000, "#" + "b" * 9_000 + " tail", "https://example.com/" + "p" * 5_000 + ".", "😀" * 5_000,
    "!" * 5_000 + " #ad", "x " * 10 + "A1" * 4_000,
])
def test_no_token_is_longer_than_the_cap(text):
    doc = make_doc(get_pipeline(None), text)
    assert doc.text == text
    assert max(len(token) for token in doc) <= MAX_TOKEN_CHARS


def test_a_long_run_without_spaces_is_tokenised_in_linear_time():
    nlp = get_pipeline(None)
    started = time.perf_counter()
    make_doc(nlp, "😀" * 50_000 + " " + "#a" * 25_000)       # spaCy alone: minutes
    assert time.perf_counter() - started < 5


# --------------------------------------------------------------------------- YAML

def test_python_objects_are_not_constructed(tmp_path):
    error = _load_error(tmp_path, "pack: evil\nversion: !!python/object/apply:os.system ['echo pwned']\n")
    assert error.line == 2


def test_yaml_aliases_are_refused_before_they_can_expand(tmp_path):
    lines = ['x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, 10)]
    pack = ("pack: bomb\nversion: 1\nmarket:\n  id: ZZ\n  name: Z\n  citation: c\n  rules:\n"
            "    - id: ZZ-X\n      check: missing_label\n      severity: error\n      verdict: undisclosed\n"
            "      title: t\n      message: m\n      citation: c\n      fix: f\n      params:\n"
            + "".join(f"        {line}\n" for line in lines)
            + "      examples:\n        fail: ['code MAYA15 @x']\n        pass: ['#ad code MAYA15']\n")
    started = time.perf_counter()
    error = _load_error(tmp_path, pack)
    assert time.perf_counter() - started < 5
    assert error.line == 18 and "aliases" in error.reason


def test_a_recursive_alias_is_a_load_error(tmp_path):
    error = _load_error(tmp_path, "pack: loop\nversion: 1\nfolds: &a\n  x: *a\n")
    assert error.line == 4
