"""Speed and scale without changing a byte: the shortcut for posts with
nothing to find, blocks of input read by workers, `--jobs` and `--jobs auto`,
start-up without spaCy, and progress bars only for people watching.

Nothing here times anything: every test compares outputs, counts calls or
looks at what was imported."""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine import Auditor
from checker.model import Post
from checker.progress import progress_for
from checker.readers import read_options, read_posts
from checker.readers.blocks import Block, WholeFile, count_line_ends, number_blocks, plan_pieces, read_piece
from checker.runloop import AUTO_MIN_BYTES, available_cores, resolve_jobs
from checker.serialize import result_to_dict
from checker.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
EVERYDAY = ROOT / "tests" / "fixtures" / "everyday"
sys.path.insert(0, str(ROOT / "bench"))

from tokenizer_baseline import generate_posts  # noqa: E402


def corpus(name: str) -> list[Post]:
    path = SHARED / name if (SHARED / name).exists() else EVERYDAY / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return [post for post in read_posts([str(path)]) if isinstance(post, Post)]


def generated(count: int, seed: int) -> list[Post]:
    languages = ("en", "de", "fr", None)
    return [Post(id=f"g{i}", text=text, author=f"@creator{i % 50}", platform="instagram",
                 market=("US", "GB", "DE"), language=languages[i % 4])
            for i, text in enumerate(generate_posts(count, seed=seed))]


# --------------------------------------------------------------------------- the shortcut

@pytest.fixture(scope="module")
def ruleset():
    from checker.packs import load_ruleset
    return load_ruleset()


@pytest.fixture(scope="module")
def auditor(ruleset):
    return Auditor(ruleset, Settings(markets=("GB",)))


@pytest.mark.parametrize("name", ["dev.jsonl", "rulings-public.jsonl", "everyday.jsonl", "creator-fine.jsonl"])
def test_the_shortcut_gives_every_corpus_post_the_result_of_a_full_audit(auditor, name):
    posts = corpus(name)
    shortcut = [auditor.analyser.nothing_to_find(auditor.analyser.scan(post)) for post in posts]
    assert any(shortcut) and not all(shortcut)         # both paths are exercised
    for post in posts:
        assert result_to_dict(auditor.audit(post)) == result_to_dict(auditor.audit_in_full(post)), post.id


def test_the_shortcut_gives_generated_posts_the_result_of_a_full_audit(auditor):
    posts = generated(1500, seed=11)
    # Half the posts stripped of what most often makes evidence, so that
    # many have nothing to find.
    plain = [Post(id=p.id + "-plain", text=" ".join(w for w in p.text.split() if w[:1] not in "#@" and "." not in w),
                  market=p.market, language=p.language, author="@someone") for p in posts[::2]]
    quiet = 0
    for post in posts + plain:
        quiet += auditor.analyser.nothing_to_find(auditor.analyser.scan(post))
        assert result_to_dict(auditor.audit(post)) == result_to_dict(auditor.audit_in_full(post)), post.text
    assert quiet > 100


def test_the_shortcut_skips_evidence_and_judging(auditor, monkeypatch):
    post = Post(id="calm", text="Sunday walk by the river, the light was lovely", market=("GB", "US"))
    calls = []
    monkeypatch.setattr(type(auditor.analyser), "analyse", lambda self, *a: calls.append("analyse"))
    monkeypatch.setattr(type(auditor), "_judge", lambda self, *a: calls.append("judge"))
    result = auditor.audit(post)
    assert calls == [] and result.verdict.value == "no_evidence"
    assert {m: v.value for m, v in result.market_verdicts.items()} == {"GB": "no_evidence", "US": "no_evidence"}


def test_what_only_settings_or_the_platform_know_is_never_skipped(ruleset):
    quiet = Post(id="q", text="Sunday walk by the river", market=("GB",), author="@sam")
    for settings, post in [
        (Settings(known_relationship=True), quiet),
        (Settings(brands=("@riverco",)), quiet),
        (Settings(), Post(id="p", text="Sunday walk by the river", market=("GB",), paid_partnership=True)),
        (Settings(), Post(id="b", text="Sunday walk by the river", market=("GB",), author="@oakandcrumb.bakery")),
    ]:
        auditor = Auditor(ruleset, settings)
        assert not auditor.analyser.nothing_to_find(auditor.analyser.scan(post))
        assert result_to_dict(auditor.audit(post)) == result_to_dict(auditor.audit_in_full(post))


def test_handle_business_words_do_not_depend_on_set_order():
    from checker.brands import _business_word

    words = frozenset({"bakery", "shop", "bakeryshop", "official", "store", "house", "bakehouse"})
    for _ in range(20):
        shuffled = frozenset(random.sample(sorted(words), len(words)))
        assert _business_word("goodgrainbakehouse", shuffled) == "bakehouse"
        assert _business_word("storehouse", shuffled) == "store"       # equal lengths: the start wins
        assert _business_word("officialstore", shuffled) == "official"


def test_currency_anchor_lists_every_currency_symbol_of_this_python():
    import unicodedata

    from checker.matchers import currency_chars

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Sc")
    assert currency_chars() == every


def test_patterns_without_a_word_run_only_around_their_anchor(ruleset):
    from checker.matchers import CompiledMatchers
    from checker.nlp import get_pipeline

    matchers = CompiledMatchers(get_pipeline("en"), ruleset)
    assert not matchers.patterns.always            # nothing runs over every token of every post
    assert {"<currency>", "<digit>"} <= set(matchers.patterns.by_class)
    assert any(name.startswith("<lower-literals>:") for name in matchers.patterns.by_class)


def pack_example_texts(ruleset) -> list[str]:
    texts = []
    for entry in (*ruleset.signals, *ruleset.labels.values()):
        texts += [str(example.get("text", "")) for example in (*entry.examples.match, *entry.examples.no_match)]
    return [text for text in texts if text]


@pytest.mark.parametrize("language", ["en", "fi", "pl", "de"])
def test_anchored_patterns_find_what_the_whole_post_holds(ruleset, language):
    """Every pattern group run over every token finds what running it
    around its anchors finds, on the packs' examples and generated posts."""
    from checker.matchers import CompiledMatchers, Tokens
    from checker.nlp import get_pipeline, make_doc
    from checker.normalise import normalise

    nlp = get_pipeline(language)
    matchers = CompiledMatchers(nlp, ruleset)
    texts = pack_example_texts(ruleset) + generate_posts(400, seed=21) + ["aaa kaupassani İstanbul KAUPASSA"]
    for text in texts:
        folded = normalise(text).text
        doc = make_doc(nlp, folded)
        tokens = Tokens(doc, folded)
        anchors = [(key, start) for key, start, _ in matchers.phrases(doc, tokens) if key not in matchers.keys]
        anchored = sorted(matchers.patterns(doc, tokens, anchors))
        everywhere = [match for group in matchers.patterns.groups.values() for match in group.run(doc)]
        assert set(anchored) == set(everywhere), text


# --------------------------------------------------------------------------- blocks of input

def write_posts(path: Path, count: int, seed: int = 5, extras: bool = True, padding: int = 0) -> Path:
    rng = random.Random(seed)
    texts = generate_posts(count, seed=seed)
    lines = []
    for i, text in enumerate(texts):
        record = {"author": f"@creator{i % 40}", "platform": "instagram", "market": ["US", "GB"], "text": text}
        if padding:
            record["notes"] = "x" * padding       # kept as metadata, never judged: bytes without work
        if i % 7:                       # others get a file:line id
            record["id"] = f"p{i % 250}"      # and some ids repeat
        lines.append(json.dumps(record, ensure_ascii=False))
        if extras and rng.random() < 0.01:
            lines.append('{"id": "broken", "text": ')                       # malformed
        if extras and rng.random() < 0.01:
            lines.append("")                                                # blank
        if extras and rng.random() < 0.005:
            lines.append(json.dumps({"id": f"se{i}", "text": "Use code MAYA15", "market": ["ZZ"]}))
        if extras and rng.random() < 0.003:
            lines.append(json.dumps({"id": f"long{i}", "text": "#ad " * 3000, "market": ["GB"]}))
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))
    return path


@pytest.mark.parametrize("block_bytes", [97, 4096, 65_536])
def test_blocks_read_together_are_the_whole_file(tmp_path, block_bytes):
    path = write_posts(tmp_path / "posts.jsonl", 400)
    options = read_options()
    pieces = plan_pieces([str(path)], options, block_bytes)
    assert all(isinstance(piece, Block) for piece in pieces) and len(pieces) > 1
    numbered = list(number_blocks((piece, count_line_ends(piece)) for piece in pieces))
    together = [item for piece in numbered for item in read_piece(piece, options)]
    assert together == list(read_posts([str(path)]))


def test_inputs_that_cannot_be_cut_are_read_whole(tmp_path):
    import gzip

    jsonl = write_posts(tmp_path / "a.jsonl", 50, extras=False)
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(jsonl.read_bytes()))
    utf16 = tmp_path / "b.jsonl"
    utf16.write_text(jsonl.read_text(encoding="utf-8-sig"), encoding="utf-16")
    csv = tmp_path / "c.csv"
    csv.write_text("id,text,market\n1,Use code MAYA15,GB\n", encoding="utf-8")
    for path in (packed, utf16, csv):
        assert plan_pieces([str(path)], read_options(), 64) == [WholeFile(str(path))]


# --------------------------------------------------------------------------- --jobs

def audit_bytes(tmp_path: Path, name: str, *args: str) -> tuple[bytes, int, str]:
    out = tmp_path / name
    result = CliRunner().invoke(main, ["audit", *args, "-o", str(out)], catch_exceptions=False)
    return out.read_bytes(), result.exit_code, result.stderr


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """Many blocks, once blocks may be small (`small_blocks`)."""
    return write_posts(tmp_path_factory.mktemp("jobs") / "posts.jsonl", 600)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    import checker.runloop
    monkeypatch.setattr(checker.runloop, "MIN_BLOCK_BYTES", 8 << 10)


@pytest.mark.parametrize("output_format", ["jsonl", "json", "text"])
def test_jobs_give_the_bytes_of_one_process(tmp_path, big_input, output_format):
    one = audit_bytes(tmp_path, "one", str(big_input), "--format", output_format, "--jobs", "1")
    two = audit_bytes(tmp_path, "two", str(big_input), "--format", output_format, "--jobs", "2")
    assert one == two
    assert one[1] == 2                # malformed lines: exit 2, with everything else audited
    assert "was already used at" in one[2] and "no rule pack for market 'ZZ'" in one[2]


def test_jobs_auto_is_the_default_and_gives_the_same_bytes(tmp_path, monkeypatch):
    import checker.runloop

    big_input = write_posts(tmp_path / "big.jsonl", 300, padding=AUTO_MIN_BYTES // 250)
    assert big_input.stat().st_size > AUTO_MIN_BYTES

    used = []
    real = checker.runloop.map_in_workers
    monkeypatch.setattr(checker.runloop, "map_in_workers", lambda chunks, jobs, *a, **k: used.append(jobs) or real(chunks, jobs, *a, **k))
    default = audit_bytes(tmp_path, "auto", str(big_input), "--format", "jsonl")
    one = audit_bytes(tmp_path, "one", str(big_input), "--format", "jsonl", "--jobs", "1")
    assert default == one
    assert used == ([available_cores()] if available_cores() > 1 else [])


def test_jobs_auto_works_in_one_process_for_small_inputs(tmp_path):
    small = write_posts(tmp_path / "small.jsonl", 20, extras=False)
    assert resolve_jobs("auto", [str(small)]) == 1
    assert resolve_jobs("auto", ["-"]) == 1
    assert resolve_jobs(3, [str(small)]) == 3


def test_jobs_with_standard_input_and_files_keep_the_order(tmp_path, big_input):
    small = write_posts(tmp_path / "small.jsonl", 30, extras=False)
    text = small.read_text(encoding="utf-8-sig")
    runner = CliRunner()
    outputs = [runner.invoke(main, ["audit", str(big_input), "-", str(small), "--format", "jsonl", "--jobs", jobs],
                             input=text, catch_exceptions=False).stdout for jobs in ("1", "2")]
    assert outputs[0] == outputs[1]
    sources = [json.loads(line)["post"]["source"]["path"] for line in outputs[0].splitlines()
               if json.loads(line)["type"] == "post"]
    assert sources.index("<stdin>") > sources.index(str(big_input)) and sources[-1] == str(small)


def test_globs_name_every_matching_file_in_order(tmp_path):
    for name in ("b.jsonl", "a.jsonl"):
        write_posts(tmp_path / name, 10, extras=False)
    out = CliRunner().invoke(main, ["audit", str(tmp_path / "*.jsonl"), "--format", "jsonl"]).stdout
    paths = [json.loads(line)["post"]["source"]["path"] for line in out.splitlines() if '"type": "post"' in line]
    assert paths[0].endswith("a.jsonl") and paths[-1].endswith("b.jsonl") and len(paths) == 20


def test_the_parent_gets_rendered_text_not_results_for_json_lines(tmp_path, big_input, monkeypatch):
    """Workers render JSON Lines themselves: no result object reaches the
    parent's sink (unless the history store needs each result there)."""
    from checker.cli_run import FailTracker

    seen = {"post": 0, "rendered": 0}
    real_post, real_rendered = FailTracker.post, FailTracker.rendered
    monkeypatch.setattr(FailTracker, "post", lambda self, r: seen.__setitem__("post", seen["post"] + 1) or real_post(self, r))
    monkeypatch.setattr(FailTracker, "rendered", lambda self, t, f: seen.__setitem__("rendered", seen["rendered"] + 1)
                        or real_rendered(self, t, f))
    without_store = audit_bytes(tmp_path, "out", str(big_input), "--format", "jsonl", "--jobs", "2", "--no-store")
    assert seen["post"] == 0 and seen["rendered"] > 500
    with_store = audit_bytes(tmp_path, "stored", str(big_input), "--format", "jsonl", "--jobs", "2")
    assert seen["post"] > 500 and with_store == without_store


# --------------------------------------------------------------------------- start-up and progress

def imported_modules(*args: str) -> set[str]:
    code = ("import sys; from checker.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    return set(result.stderr.split())


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["audit", "--help"], ["check", "--help"]])
def test_version_and_help_do_not_import_spacy(args):
    modules = imported_modules(*args)
    assert "click" in modules and "spacy" not in modules and "checker.engine" not in modules


def test_progress_only_for_a_terminal_and_never_when_quiet(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = write_posts(tmp_path / "p.jsonl", 5, extras=False)
    assert progress_for([str(path)], quiet=False, stream=io.StringIO()) is None
    assert progress_for([str(path)], quiet=True, stream=Terminal()) is None
    terminal = Terminal()
    assert progress_for([str(path)], quiet=False, output=terminal, stream=terminal) is None
    bar = progress_for([str(path)], quiet=False, stream=terminal)
    assert bar is not None and bar.bar.total == path.stat().st_size
    bar.close()


def test_a_run_with_a_progress_bar_writes_the_same_report(tmp_path, big_input, monkeypatch):
    """The bar goes to standard error only: the report is unchanged."""
    import checker.cli
    import checker.progress

    bars = []

    class Counting(checker.progress.AuditProgress):
        def __init__(self, total, stream):
            super().__init__(total, io.StringIO())
            bars.append(self)
            self.done = 0

        def advance(self, done_bytes, posts):
            self.done += done_bytes
            super().advance(done_bytes, posts)

    monkeypatch.setattr(checker.cli, "progress_for", lambda paths, **kw: Counting(big_input.stat().st_size, None))
    shown = audit_bytes(tmp_path, "shown", str(big_input), "--format", "jsonl", "--jobs", "2")
    monkeypatch.undo()
    plain = audit_bytes(tmp_path, "plain", str(big_input), "--format", "jsonl", "--jobs", "2")
    assert shown == plain
    assert bars and bars[0].done == big_input.stat().st_size      # every byte, in blocks


def test_the_entry_point_answers_version_without_building_the_command_line():
    code = ("import sys; sys.argv = ['clearlabel', '--version']\n"
            "from checker.entry import main; main()\n"
            "print('checker.cli' in sys.modules, 'click' in sys.modules, file=sys.stderr)")
    fast = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert fast.stderr.split() == ["False", "False"]
    assert fast.stdout == CliRunner().invoke(main, ["--version"]).stdout


def test_records_sharing_a_key_set_are_each_read_from_their_own_values(tmp_path):
    """Field names are worked out once per set of keys (`readers.fields`);
    each record still gets its own values, its own blanks and its metadata,
    and a record with very many keys is read like any other."""
    wide = {f"extra_{i}": f"v{i}" for i in range(80)}
    records = [{"id": "a", "caption": "first", "Campaign": "spring", "lang": "en"},
               {"id": "b", "caption": "  ", "text": "second", "Campaign": "", "lang": "de"},
               {"id": "c", "caption": "third", "Campaign": "autumn", "lang": "en"},
               {"id": "d", "text": "fourth", **wide}]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    posts = [p for p in read_posts([str(path)]) if isinstance(p, Post)]
    assert [(p.id, p.text, p.language) for p in posts] == [
        ("a", "first", "en"), ("b", "second", "de"), ("c", "third", "en"), ("d", "fourth", None)]
    assert [p.metadata.get("Campaign") for p in posts] == ["spring", None, "autumn", None]
    assert len(posts[3].metadata) == 50 and posts[3].metadata["extra_0"] == "v0"


def test_records_whose_keys_are_equal_but_not_alike_keep_their_own_names():
    """1 == True as dictionary keys, but they name different fields."""
    from checker.readers.pipeline import posts_from_values

    posts = list(posts_from_values([{"text": "first", 1: "one"}, {"text": "second", True: "yes"}], "mem",
                                   read_options()))
    assert [p.metadata for p in posts] == [{"1": "one"}, {"True": "yes"}]
