"""Every platform export shape, end to end: file -> `clearlabel audit` -> verdicts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "readers"

EXPECTED = {
    "instagram_graph_media.json": {"17895695668004550": "disclosed", "18031176349113762": "no_evidence"},
    "instagram_business_discovery.json": {"18045391027771932": "undisclosed"},
    "youtube_videos.json": {"q3VbM1rJx7k": "disclosed", "Zx81LmQp0aE": "no_evidence", "Lv9Qe2RtY6w": "no_evidence"},
    "tiktok_research_videos.json": {"7351120938375448874": "undisclosed", "7352011873266404641": "no_evidence"},
    "x_api_v2_posts.json": {"1775201338520334599": "inadequate", "1775509917731795433": "disclosed",
                            "1775611002384123904": "no_evidence"},
    "x_api_v2_single.json": {"1776000112233445566": "undisclosed"},
    "instagram_dyi_posts_1.json": {"instagram_dyi_posts_1.json:2": "inadequate",
                                   "instagram_dyi_posts_1.json:26": "no_evidence"},
    "instagram_dyi_reels.json": {"instagram_dyi_reels.json:3": "undisclosed"},
    "facebook_dyi_your_posts_1.json": {"facebook_dyi_your_posts_1.json:2": "undisclosed",
                                       "facebook_dyi_your_posts_1.json:25": "no_evidence"},
    "canonical_posts.jsonl": {"c-1": "undisclosed", "c-2": "no_evidence"},
}


def audit(*args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(main, ["audit", *args, "--market", "US", "--format", "jsonl"], catch_exceptions=False)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()], result.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_export_is_recognised_and_audited(name):
    code, records, _ = audit(str(FIXTURES / name))
    verdicts = {r["id"]: r["verdict"] for r in records if r["type"] == "post"}
    for post_id, verdict in EXPECTED[name].items():
        assert verdicts.get(post_id) == verdict, (post_id, verdicts)
    summary = records[-1]
    assert summary["read"] == summary["audited"] + summary["rejected"]


def test_platform_flags_titles_and_transcripts_reach_the_rules():
    _, records, _ = audit(str(FIXTURES / "youtube_videos.json"))
    sponsored = next(r for r in records if r.get("id") == "q3VbM1rJx7k")
    assert sponsored["post"]["title"] and sponsored["post"]["paid_partnership"] is True
    _, records, _ = audit(str(FIXTURES / "tiktok_research_videos.json"))
    assert any(r.get("post", {}).get("transcript") for r in records if r["type"] == "post")


def test_mojibake_in_archives_is_repaired_before_auditing():
    _, records, _ = audit(str(FIXTURES / "instagram_dyi_posts_1.json"))
    texts = " ".join(r["post"]["text"] for r in records if r["type"] == "post")
    assert "Café crème" in texts and "Zürich" in texts and "Ã" not in texts


def test_column_map_for_a_social_listening_csv():
    code, records, _ = audit(str(FIXTURES / "mapped.tsv"), "--input-format", "csv",
                             "--map", "text=Message,author=Author,platform=Network")
    posts = [r for r in records if r["type"] == "post"]
    assert posts and posts[0]["verdict"] == "review"


def test_unknown_shape_is_exit_2_naming_the_shapes_tried(tmp_path):
    path = tmp_path / "mystery.json"
    path.write_text(json.dumps({"kind": "something#else", "entries": [{"body_html": "<p>hi</p>"}]}), encoding="utf-8")
    code, _, stderr = audit(str(path))
    assert code == 2
    assert "instagram-graph" in stderr and "youtube-data" in stderr and "x-api-v2" in stderr
