"""Posts written to dodge the checker, run through `clearlabel audit`.

Every case in fixtures/hostile/evasion.jsonl carries the plain spelling it
stands for. The disguised post must get the same verdict as the plain one in
the US and in GB, the disguised label or evidence must be found with a span
that points at exactly the disguised characters of the original text, and a
label that screen readers and search cannot read must get the market's
*-OBFUSCATED-LABEL finding (a plain one must not).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "hostile" / "evasion.jsonl"
CASES = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
MARKETS = ("US", "GB")


@pytest.fixture(scope="module")
def audits(tmp_path_factory) -> dict[tuple[str, str, str], dict]:
    """(market, 'evasion' | 'plain', id) -> the post's JSONL record."""
    plain = tmp_path_factory.mktemp("plain") / "plain.jsonl"
    plain.write_text("".join(json.dumps({**case, "text": case["expected"]["plain"]}) + "\n" for case in CASES),
                     encoding="utf-8")
    records = {}
    for market in MARKETS:
        for kind, path in (("evasion", FIXTURE), ("plain", plain)):
            result = CliRunner().invoke(main, ["audit", str(path), "--market", market, "--format", "jsonl",
                                               "--fail-on", "never"], catch_exceptions=False)
            assert result.exit_code == 0, result.stderr
            lines = [json.loads(line) for line in result.stdout.splitlines()]
            summary = lines[-1]
            assert summary["type"] == "summary" and summary["audited"] == len(CASES) == summary["read"]
            for record in lines[:-1]:
                records[(market, kind, record["id"])] = record
    return records


def _obfuscation_findings(record: dict) -> list[dict]:
    return [f for f in record["findings"] if f["rule"].endswith("-OBFUSCATED-LABEL")]


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_disguise_gets_the_verdict_of_the_plain_spelling(audits, case, market):
    disguised = audits[(market, "evasion", case["id"])]
    plain = audits[(market, "plain", case["id"])]
    assert disguised["verdict"] == plain["verdict"], (disguised["findings"], plain["findings"])
    assert {f["rule"] for f in disguised["findings"]} - {f["rule"] for f in plain["findings"]} <= {
        f"{market}-OBFUSCATED-LABEL"}


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_disguised_text_is_found_where_it_is(audits, case, market):
    record = audits[(market, "evasion", case["id"])]
    text = case["text"]
    expected = case["expected"]
    spans = [item["span"] for item in record["labels"] + record["evidence"] if item["span"]]
    for span in spans:                       # every span indexes the original text
        assert text[span["start"]:span["end"]] == span["text"]
    if expected["label"] is not None:
        labels = [label["span"]["text"] for label in record["labels"] if label["span"]]
        assert any(expected["label"] in found for found in labels), labels
        assert all(label["obfuscated"] == expected["obfuscated"] for label in record["labels"]
                   if label["span"] and expected["label"] in label["span"]["text"])
    if expected["evidence"] is not None:
        found = [item["span"]["text"] for item in record["evidence"] if item["span"]]
        assert any(expected["evidence"] in text for text in found), found


@pytest.mark.parametrize("market", MARKETS)
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_unreadable_labels_are_reported_as_obfuscated(audits, case, market):
    findings = _obfuscation_findings(audits[(market, "evasion", case["id"])])
    assert bool(findings) == case["expected"]["obfuscated"]
    for finding in findings:
        assert finding["severity"] == "warning" and finding["market"] == market
        assert any(case["expected"]["label"] in span["text"] for span in finding["spans"])
    assert not _obfuscation_findings(audits[(market, "plain", case["id"])])


def test_the_table_of_cases_still_covers_what_the_issue_names():
    ids = {case["id"] for case in CASES}
    for required in ("zero-width-space-in-ad", "fullwidth-ad", "cyrillic-a-in-ad", "greek-alpha-in-ad",
                     "combining-strikethrough-ad", "letter-spaced-hash-a-d", "spaced-code-word", "math-bold-ad",
                     "math-italic-ad", "circled-letters-ad", "negative-squared-AD", "label-split-across-lines",
                     "shortener-bitly", "link-in-b!o"):
        assert required in ids


if __name__ == "__main__":            # pragma: no cover
    # python tests/test_hostile_evasion.py: the table of verdicts for the issue note.
    rows = {}
    for market in MARKETS:
        out = CliRunner().invoke(main, ["audit", str(FIXTURE), "--market", market, "--format", "jsonl",
                                        "--fail-on", "never"]).stdout
        for line in out.splitlines():
            record = json.loads(line)
            if record["type"] == "post":
                rows.setdefault(record["id"], {})[market] = (record["verdict"], bool(_obfuscation_findings(record)))
    print("| case | US | GB | obfuscation finding |\n|---|---|---|---|")
    for case_id, by_market in rows.items():
        flag = "yes" if by_market["US"][1] else "no"
        print(f"| {case_id} | {by_market['US'][0]} | {by_market['GB'][0]} | {flag} |")
