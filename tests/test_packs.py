"""Rule packs load, and a malformed pack fails at load time with file, line and reason."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checker.checks import CHECK_FUNCTIONS
from checker.packs import CHECKS, PackError, load_ruleset

GOOD_MARKET = """\
pack: market-zz
version: "1"
labels:
  - id: zz-ad
    language: en
    phrases: ["#zzad"]
market:
  id: ZZ
  name: Testland
  languages: [en]
  citation: "Testland Consumer Act s. 1"
  accepted: [zz-ad]
  rules:
    - id: ZZ-NO-LABEL
      check: missing_label
      severity: error
      verdict: undisclosed
      title: No label
      message: No label.
      citation: "Testland Consumer Act s. 1"
      fix: Add #zzad.
      examples:
        fail: ["use code TEST10 for 10% off"]
        pass: ["#zzad use code TEST10 for 10% off"]
"""


def write_pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> PackError:
    path = write_pack(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_ruleset([path])
    assert caught.value.path == str(path)
    return caught.value


def test_bundled_packs_load_with_versions():
    ruleset = load_ruleset()
    assert {"US", "GB"} <= set(ruleset.markets)
    assert all("@" in version for version in ruleset.pack_versions())
    for rule in ruleset.rules.values():
        assert rule.citation and rule.fix and rule.message
        assert rule.failing_examples and rule.passing_examples


def test_every_check_name_has_a_function():
    assert set(CHECKS) == set(CHECK_FUNCTIONS)


def test_extra_pack_adds_a_market(tmp_path):
    ruleset = load_ruleset([write_pack(tmp_path, GOOD_MARKET)])
    assert "ZZ" in ruleset.markets
    assert ruleset.rules["ZZ-NO-LABEL"].line == 14


@pytest.mark.parametrize("change, line, reason", [
    (("  citation:", "  citatoin:"), 11, "unknown key 'citatoin'"),
    (("check: missing_label", "check: label_is_missing"), 15, "unknown check 'label_is_missing'"),
    (("severity: error", "severity: fatal"), 16, "'severity' must be one of"),
    (('        pass: ["#zzad use code TEST10 for 10% off"]\n', ""), 22, "at least one 'fail' and one 'pass'"),
    (("accepted: [zz-ad]", "accepted: [zz-ad, zz-missing]"), 8, "unknown label 'zz-missing'"),
    (("  id: ZZ\n", "  id: Testland\n"), 8, "ISO 3166 alpha-2"),
])
def test_malformed_pack_names_file_line_and_reason(tmp_path, change, line, reason):
    old, new = change
    assert old in GOOD_MARKET
    error = load_error(tmp_path, GOOD_MARKET.replace(old, new, 1))
    assert reason in error.reason
    assert error.line == line
    assert str(error).startswith(f"{error.path}:{line}: ")


def test_yaml_syntax_error_has_line(tmp_path):
    error = load_error(tmp_path, "pack: broken\nversion: 1\nsignals:\n  - id: [unclosed\n")
    assert error.line >= 4


def test_yaml_syntax_error_names_the_column_and_character(tmp_path):
    error = load_error(tmp_path, "pack: broken\nversion: 1\nsignals: @oops\n")
    assert error.line == 3
    assert error.reason.endswith("(column 10: '@')")


def test_a_control_character_is_a_load_error_on_its_line(tmp_path):
    error = load_error(tmp_path, "pack: broken\nversion: 1\nsignals: \"\x07\"\n")
    assert error.line == 3
    assert "'\\x07' is not allowed" in error.reason


def test_duplicate_keys_are_rejected(tmp_path):
    error = load_error(tmp_path, "pack: dup\nversion: 1\nversion: 2\n")
    assert "duplicate key 'version'" in error.reason
    assert error.line == 3


def test_python_tags_are_not_executed(tmp_path):
    error = load_error(tmp_path, "pack: evil\nversion: !!python/object/apply:os.system ['echo pwned']\n")
    assert error.line == 2


@pytest.mark.parametrize("regex", ["^(a+)+$", "(\\w*)*x", "^(x|xx){1,}(y+)*$", "(a)\\1"])
def test_catastrophic_regexes_are_rejected(tmp_path, regex):
    pack = f"""\
pack: regex
version: 1
signals:
  - id: bad
    kind: cta
    strength: weak
    patterns:
      - - {{TEXT: {{REGEX: "{regex.replace(chr(92), chr(92) * 2)}"}}}}
"""
    error = load_error(tmp_path, pack)
    assert "exponential" in error.reason
    assert error.line == 8


def test_invalid_regex_is_a_load_error(tmp_path):
    pack = "pack: r\nversion: 1\nsignals:\n  - id: bad\n    kind: cta\n    strength: weak\n    patterns:\n      - - {TEXT: {REGEX: '([a-z'}}\n"
    error = load_error(tmp_path, pack)
    assert "invalid REGEX" in error.reason and error.line == 8


def test_unknown_token_attribute_is_a_load_error(tmp_path):
    pack = "pack: r\nversion: 1\nsignals:\n  - id: bad\n    kind: cta\n    strength: weak\n    patterns:\n      - - {LEMMA_X: buy}\n"
    error = load_error(tmp_path, pack)
    assert "unsupported token attribute 'LEMMA_X'" in error.reason


def test_pack_defined_twice(tmp_path):
    first = write_pack(tmp_path, GOOD_MARKET)
    second = tmp_path / "again.yml"
    second.write_text(GOOD_MARKET, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_ruleset([first, second])
    assert "defined twice" in caught.value.reason


def test_missing_rule_directory_is_an_error(tmp_path):
    with pytest.raises(PackError) as caught:
        load_ruleset([tmp_path / "nope"])
    assert "not found" in caught.value.reason


def test_disabled_pack_is_skipped(tmp_path):
    ruleset = load_ruleset([write_pack(tmp_path, GOOD_MARKET)], disable_packs=["market-zz"])
    assert "ZZ" not in ruleset.markets


def test_packs_load_the_same_without_libyaml():
    """PyYAML built without libyaml parses in Python: same data, same lines."""
    import subprocess
    import sys
    code = textwrap.dedent("""
        import sys
        sys.modules["yaml._yaml"] = None          # as if PyYAML had no libyaml
        from checker import yamlsafe
        from checker.packs import load_ruleset
        assert yamlsafe._PARSING[0] is yamlsafe.Reader
        ruleset = load_ruleset()
        print(len(ruleset.rules), len(ruleset.markets))
        try:
            yamlsafe.load_yaml("a: 1\\nb: &x 2\\nc: *x\\n", "f")
        except yamlsafe.YamlError as error:
            print(error.line, "aliases" in error.reason)
    """)
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    rules, markets = (int(n) for n in result.stdout.split()[:2])
    assert (rules, markets) == (len(load_ruleset().rules), len(load_ruleset().markets))
    assert result.stdout.split()[2:] == ["3", "True"]
