"""Configuration discovery, validation with file and line, provenance, `config show`."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from checker.config import ConfigError, find_config, format_settings, load_settings
from checker.model import Severity
from checker.selection import RuleSelector
from checker.settings import Relationship, Settings

FULL = """\
markets: [gb, US]
platform: Instagram
format: reel
language: en
fail-on: warning
enable-rules: [GB-NO-LABEL]
disable-rules: GB-BRAND-TAG-REVIEW, US-BRAND-TAG-REVIEW
disable-packs: [market-de]
rule-dirs: [team-rules]
brands: ["@glowco", "#glowco"]
folds:
  instagram: {chars: 100, lines: 2}
relationships:
  - brand: Glow Co
    type: paid
    handles: [glowco]
    hashtags: ["#glowco"]
    creators: ["@maya"]
    from: 2025-06-01
    to: "2025-08-31"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    settings, provenance = load_settings(None, tmp_path)
    assert settings == Settings()
    assert provenance["config_file"] == "none" and provenance["fail_on"] == "default"


def test_every_key_is_read_with_its_line(tmp_path):
    (tmp_path / "team-rules").mkdir()
    write(tmp_path / ".clearlabel.yml", FULL)
    settings, provenance = load_settings(None, tmp_path)
    assert settings.markets == ("GB", "US")
    assert (settings.platform, settings.format, settings.language) == ("instagram", "reel", "en")
    assert settings.fail_on is Severity.WARNING
    # enable-rules and disable-rules are the older names of select and ignore
    assert settings.select == (RuleSelector("GB-NO-LABEL", ".clearlabel.yml:6"),)
    assert settings.ignore == (RuleSelector("GB-BRAND-TAG-REVIEW", ".clearlabel.yml:7"),
                               RuleSelector("US-BRAND-TAG-REVIEW", ".clearlabel.yml:7"))
    assert settings.disable_packs == ("market-de",)
    assert settings.rule_dirs == (str((tmp_path / "team-rules").resolve()),)
    assert settings.brands == ("@glowco", "#glowco")
    assert settings.folds == {"instagram": {"chars": 100, "lines": 2}}
    assert settings.relationships == (Relationship("Glow Co", "paid", ("@glowco",), ("#glowco",), ("@maya",),
                                                   "2025-06-01", "2025-08-31"),)
    assert provenance["markets"] == ".clearlabel.yml:1"
    assert provenance["fail_on"] == ".clearlabel.yml:5"
    assert provenance["relationships"] == ".clearlabel.yml:13"
    assert provenance["config_file"] == ".clearlabel.yml"


def test_found_walking_up_and_yml_before_pyproject(tmp_path):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    write(tmp_path / "pyproject.toml", '[tool.clearlabel]\nmarkets = ["US"]\n')
    assert find_config(deep) == tmp_path / "pyproject.toml"
    settings, provenance = load_settings(None, deep)
    assert settings.markets == ("US",) and provenance["markets"] == "../../pyproject.toml:2"
    write(tmp_path / "a" / ".clearlabel.yml", "markets: [GB]\n")
    assert load_settings(None, deep)[0].markets == ("GB",)


def test_pyproject_without_table_is_skipped(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None


def test_explicit_config_wins(tmp_path):
    write(tmp_path / ".clearlabel.yml", "markets: [GB]\n")
    write(tmp_path / "ci" / "strict.yml", "fail-on: info\n")
    settings, provenance = load_settings("ci/strict.yml", tmp_path)
    assert settings.fail_on is Severity.INFO and settings.markets == ()
    assert provenance["fail_on"] == "ci/strict.yml:1"
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings("missing.yml", tmp_path)


def test_pyproject_table_with_sub_tables(tmp_path):
    write(tmp_path / "pyproject.toml", """\
        [project]
        name = "campaigns"

        [tool.clearlabel]
        markets = ["GB"]
        fail-on = "never"

        [tool.clearlabel.folds.tiktok]
        chars = 90

        [[tool.clearlabel.relationships]]
        brand = "Acme"
        type = "gifted"

        [[tool.clearlabel.relationships]]
        brand = "Beta"
        type = "affiliate"
        handles = ["@beta"]
        """)
    settings, provenance = load_settings(None, tmp_path)
    assert settings.fail_on is None and settings.folds == {"tiktok": {"chars": 90}}
    assert [r.brand for r in settings.relationships] == ["Acme", "Beta"]
    assert provenance["fail_on"] == "pyproject.toml:6"
    assert provenance["folds"] == "pyproject.toml:8"


@pytest.mark.parametrize("text, line, message", [
    ("markets: [GB]\nfail_on: error\n", 2, "unknown key 'fail_on' (did you mean 'fail-on'?)"),
    ("markets: [GBR]\n", 1, "two-letter"),
    ("platform: myspace\n", 1, "platform"),
    ("fail-on: sometimes\n", 1, "fail-on"),
    ("rule-dirs: [nowhere]\n", 1, "not a directory"),
    ("folds:\n  instagram: {chars: 0}\n", 2, "positive"),
    ("folds:\n  myspace: {chars: 10}\n", 2, "myspace"),
    ("folds:\n  instagram: {words: 10}\n", 2, "unknown key 'words'"),
    ("relationships:\n  - brand: A\n    type: paid\n  - brand: B\n    type: bribe\n", 5, "type must be"),
    ("relationships:\n  - brand: A\n    type: paid\n    until: 2025-01-01\n", 4, "unknown key 'until'"),
    ("relationships:\n  - brand: A\n    type: paid\n    from: soon\n", 4, "date"),
    ("relationships:\n  - type: paid\n", 2, "brand"),
    ("markets: [GB]\nmarkets: [US]\n", 2, "duplicate key"),
    ("markets: [GB\n", 2, ""),
    ("- just a list\n", 1, "mapping"),
])
def test_errors_name_file_and_line(tmp_path, text, line, message):
    write(tmp_path / ".clearlabel.yml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(None, tmp_path)
    assert caught.value.path == ".clearlabel.yml" and caught.value.line == line
    assert message in caught.value.reason
    assert str(caught.value).startswith(f".clearlabel.yml:{line}: ")


def test_pyproject_unknown_key_line(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.clearlabel]\nmarkets = ["GB"]\n\n"fail_on" = "error"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(None, tmp_path)
    assert (caught.value.path, caught.value.line) == ("pyproject.toml", 4)


def test_config_show_is_yaml_with_sources(tmp_path):
    (tmp_path / "team-rules").mkdir()
    write(tmp_path / ".clearlabel.yml", FULL)
    settings, provenance = load_settings(None, tmp_path)
    provenance["markets"] = "--market"
    shown = format_settings(settings, provenance)
    assert "markets: [GB, US]  # --market" in shown
    assert "fail-on: warning  # .clearlabel.yml:5" in shown
    assert "relationships:  # .clearlabel.yml:13" in shown
    assert "# configuration file: .clearlabel.yml" in shown
    reloaded = yaml.safe_load(shown)
    assert reloaded["relationships"][0]["handles"] == ["@glowco"]
    assert reloaded["folds"] == {"instagram": {"chars": 100, "lines": 2}}
    never = format_settings(Settings(fail_on=None), {})
    assert "fail-on: never  # default" in never
