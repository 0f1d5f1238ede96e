"""Reports of an audit with earlier audits recorded: what is new, fixed and
still open per influencer, the trend, review decisions, repeat cases first,
the table of flagged posts across influencers with its filters, and the
`status` column of findings.csv and all-posts.csv.

`history_report` records two runs of the report fixture in a store (the
first a month older: one post not yet published, one not yet disclosed),
dismisses a finding, and renders the second run's reports; the browser test
takes its screenshots from it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from sqlalchemy import update

from checker import __version__
from checker.model import PostResult, Summary, Verdict
from checker.store import Store, resolve_store
from checker.store.schema import decisions, runs
from checker.suppress import fingerprint
from test_reports import PACKS, load_results, page_of, parse, render

DISMISS_REASON = "Agreed with legal: the brand's #sp is part of a contract labelled elsewhere"


def _record(store: Store, results: list[PostResult]) -> int:
    book = store.decision_book()
    recorder = store.begin_run("audit", {}, PACKS, [], stores_text=False)
    summary = Summary()
    for result in results:
        recorder.add(book.apply(result))
        summary.add(result)
    return recorder.complete(summary)


def earlier_results() -> list[PostResult]:
    """The fixture as a month before: ig-1004 not yet posted, ig-1003 not yet
    disclosed (it had ig-1001's problem)."""
    results = {r.post.id: r for r in load_results()}
    first = results["ig-1001"]
    undisclosed = replace(results["ig-1003"], verdict=Verdict.UNDISCLOSED, findings=[first.findings[0]])
    return [undisclosed if r.post.id == "ig-1003" else r for r in results.values() if r.post.id != "ig-1004"]


def _dated(store: Store, run_id: int, day: str) -> None:
    """Move a run to `day` (the fixture's audits happened in 2024)."""
    with store.writing() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            started_at=f"{day}T09:00:00.000000Z", finished_at=f"{day}T09:00:04.000000Z"))


def history_report(out: Path, store_path: Path):
    with Store.open(resolve_store(str(store_path)), __version__) as store:
        _dated(store, _record(store, earlier_results()), "2024-06-01")
        later = load_results()
        ambiguous = next(r for r in later if r.post.id == "ig-1002")
        store.decide(fingerprint(ambiguous, ambiguous.findings[0]), "dismissed", DISMISS_REASON, "A. Officer")
        with store.writing() as conn:
            conn.execute(update(decisions).values(decided_at="2024-06-12T15:20:00.000000Z"))
        book = store.decision_book()
        results = [book.apply(r) for r in later]
        run_id = _record(store, later)
        _dated(store, run_id, "2024-07-01")
        history = store.report_history(run_id)
    return render(out, results, history=history)


def test_influencer_page_says_what_is_new_fixed_and_still_open(tmp_path):
    report = history_report(tmp_path / "out", tmp_path / "history.sqlite3")
    dom = parse(page_of(report, "@maya.moves"))
    assert "repeat case" in dom.find("h1").text()
    changes = {" ".join(li.find("span", "name").text().split()): li.find("span", "value").text()
               for li in dom.by_id("changes").find_all("li")}
    assert changes == {"new findings": "2", "fixed": "1", "still open": "3", "dismissed by a reviewer": "1"}
    intro = dom.by_id("history-h").parent.find("p").text()
    assert "Compared with run 1 (2024-06-01 09:00 UTC)" in intro and "run 2" in intro
    fixed = [[cell.text().strip() for cell in row.find_all("td")] for row in dom.by_id("fixed").find("tbody").find_all("tr")]
    assert [(row[1], row[2], row[5]) for row in fixed] == [("ig-1003", "GB-UNDISCLOSED", "now disclosed")]
    trend = [row.find("td").text() for row in dom.by_id("trend").find("tbody").find_all("tr")]
    assert trend == ["1", "2"]
    assert dom.by_id("trend-chart-t").text().startswith("Verdicts of this influencer's posts in each of 2")
    decisions = dom.by_id("decisions").find("tbody").find_all("tr")
    assert len(decisions) == 1 and DISMISS_REASON in decisions[0].text() and "A. Officer" in decisions[0].text()
    tags = {}
    for article in dom.find_all("article", "post"):
        post_id = article.find("span", "post-id").text()
        tags[post_id] = sorted(tag.text() for tag in article.find_all("span", "tag"))
    assert tags["ig-1004"] == ["new", "new"] and tags["ig-1001"] == ["open", "open"]
    assert tags["ig-1002"] == ["dismissed"]
    dismissed = next(a for a in dom.find_all("article", "post") if a.find("span", "post-id").text() == "ig-1002")
    assert DISMISS_REASON in dismissed.find("div", "finding").text()
    markdown = next(i.markdown for i in report.influencers if i.handle == "@maya.moves").read_text("utf-8")
    assert "## Since the last audit" in markdown and "2 new findings, 1 fixed, 3 still open" in markdown


def test_index_puts_repeat_cases_first_and_lists_flagged_posts(tmp_path):
    report = history_report(tmp_path / "out", tmp_path / "history.sqlite3")
    dom = parse(report.index_html)
    assert "@maya.moves" in dom.by_id("repeat-h").parent.text()
    first = dom.by_id("influencers").find("tbody").find("tr")
    assert first.find("td").text().startswith("@maya.moves") and first.find("span", "tag-repeat")
    rows = dom.by_id("flagged").find("tbody").find_all("tr")
    flagged = {row.find_all("td")[2].text(): row for row in rows}
    assert set(flagged) == {"ig-1001", "ig-1002", "ig-1004", "yt-3001", '=HYPERLINK("http://x")'}
    assert flagged["ig-1004"].find("span", "tag").text() == "new"
    assert flagged["ig-1001"].find("span", "tag").text() == "open"
    assert flagged["ig-1002"].find("span", "tag").text() == "dismissed"
    assert flagged["ig-1001"].attrs["data-markets"] == "GB|US" and flagged["ig-1001"].attrs["data-platform"] == "instagram"
    assert "@glowbrand" in flagged["ig-1001"].attrs["data-brands"].split("|")
    link = flagged["ig-1001"].find_all("td")[2].find("a").attrs["href"]
    assert link == "influencers/maya.moves.html#post-ig-1001"
    filters = dom.find("div", "filters")
    assert "hidden" in filters.attrs and filters.attrs["data-filters-for"] == "flagged"
    options = {select.attrs["data-filter"]: [o.text() for o in select.find_all("option")]
               for select in filters.find_all("select")}
    assert options["markets"][0] == "all" and {"GB", "US", "DE"} <= set(options["markets"])
    assert "youtube" in options["platform"] and "@glowbrand" in options["brands"]


def read(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_findings_csv_has_a_status_and_all_posts_csv_lists_every_post(tmp_path):
    report = history_report(tmp_path / "out", tmp_path / "history.sqlite3")
    findings = read(report.findings_csv)
    status = {(row["post_id"], row["rule"]): row["status"] for row in findings}
    assert status[("ig-1004", "GB-UNDISCLOSED")] == "new" and status[("ig-1001", "GB-UNDISCLOSED")] == "open"
    assert status[("ig-1002", "GB-AMBIGUOUS")] == "dismissed" and status[("fb-6001", "GB-UNDISCLOSED")] == "suppressed"
    dismissed = next(row for row in findings if row["status"] == "dismissed")
    assert (dismissed["decision"], dismissed["decision_by"]) == ("dismissed", "A. Officer")
    assert dismissed["finding_id"].startswith("F-")
    posts = read(report.posts_csv)
    assert len(posts) == len(load_results())
    verdicts = {row["post_id"]: row["verdict"] for row in posts}
    assert verdicts["ig-1003"] == "disclosed" and verdicts["blog-501"] == "no_evidence"
    ig_1002 = next(row for row in posts if row["post_id"] == "ig-1002")
    assert (ig_1002["findings"], ig_1002["dismissed"]) == ("0", "1")


def test_reports_without_a_history_still_give_a_status(tmp_path):
    report = render(tmp_path / "out")
    assert {row["status"] for row in read(report.findings_csv)} == {"open", "suppressed"}
    assert parse(page_of(report, "@maya.moves")).find_all("section")[1].attrs.get("aria-labelledby") != "history-h"
