"""The on-disk cache of compiled packs: the same rules as loading the YAML,
rebuilt whenever it could be stale, and never read from where someone else
could have written it."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import checker.pack_cache as pack_cache
import checker.packs as packs
from checker.packs import bundled_rules_dir, load_ruleset


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CLEARLABEL_CACHE_DIR", str(directory))
    monkeypatch.delenv("CLEARLABEL_NO_CACHE", raising=False)
    return directory


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """How many times the packs are read from YAML."""
    counted: list[int] = []
    real = packs._load_packs

    def counting(files, disabled):
        counted.append(len(files))
        return real(files, disabled)

    monkeypatch.setattr(packs, "_load_packs", counting)
    return counted


@pytest.fixture(scope="module")
def from_yaml():
    return packs._load_packs(packs.pack_files([bundled_rules_dir()]), set())


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("packs-*.json"))


def test_a_cached_load_gives_the_rules_of_the_yaml(cache, builds, from_yaml):
    assert load_ruleset() == from_yaml and builds == [len(packs.pack_files([bundled_rules_dir()]))]
    assert load_ruleset() == from_yaml and len(builds) == 1          # the second load read the cache
    assert len(entries(cache)) == 1
    assert oct(cache.stat().st_mode & 0o777) == "0o700"


def test_a_changed_pack_is_loaded_again(cache, builds, tmp_path):
    extra = tmp_path / "extra"
    shutil.copytree(Path(__file__).parent / "fixtures" / "packs", extra) if (Path(__file__).parent / "fixtures" / "packs").exists() \
        else extra.mkdir()
    pack = extra / "mine.yml"
    pack.write_text("pack: mine\nversion: '1'\nslots:\n  code_word: [kodeword]\n", encoding="utf-8")
    first = load_ruleset([extra])
    load_ruleset([extra])
    assert len(builds) == 1 and first.packs["mine"] == "1"
    pack.write_text("pack: mine\nversion: '2'\nslots:\n  code_word: [kodeword]\n", encoding="utf-8")
    assert load_ruleset([extra]).packs["mine"] == "2" and len(builds) == 2
    pack.unlink()
    assert "mine" not in load_ruleset([extra]).packs and len(builds) == 3


def test_options_are_part_of_the_key(cache, builds):
    everything = load_ruleset()
    fewer = load_ruleset(disable_packs=["market-nz"])
    assert "market-nz" in everything.packs and "market-nz" not in fewer.packs and len(builds) == 2


def test_another_version_never_reads_the_entry(cache, builds, monkeypatch):
    load_ruleset()
    monkeypatch.setattr(pack_cache, "__version__", "99.0")
    load_ruleset()
    assert len(builds) == 2 and len(entries(cache)) == 2


@pytest.mark.parametrize("damage", ["truncate", "edit", "garbage", "foreign class"])
def test_a_damaged_entry_is_rebuilt(cache, builds, from_yaml, damage):
    load_ruleset()
    [entry] = entries(cache)
    raw = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(raw[: len(raw) // 2])
    elif damage == "edit":
        entry.write_bytes(raw.replace(b'"signals-en"', b'"signals-xx"', 1))
    elif damage == "garbage":
        entry.write_bytes(b"\x80\x81 not json")
    else:
        # Even with a matching checksum, only the pack classes can be built.
        body = json.dumps({"$class": "Popen", "fields": {"args": ["touch", str(cache / "owned")]}}).encode()
        entry.write_bytes(b"sha256 " + __import__("hashlib").sha256(body).hexdigest().encode() + b"\n" + body)
    assert load_ruleset() == from_yaml and len(builds) == 2
    assert not (cache / "owned").exists()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_may_write_is_neither_read_nor_written(cache, builds):
    load_ruleset()
    cache.chmod(0o777)
    [entry] = entries(cache)
    entry.unlink()
    load_ruleset()
    load_ruleset()
    assert len(builds) == 3 and not entries(cache)      # read from YAML each time, nothing written there


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_may_write_is_replaced_not_read(cache, builds, from_yaml):
    load_ruleset()
    [entry] = entries(cache)
    entry.chmod(0o666)            # its content is intact: only who may write it changed
    assert load_ruleset() == from_yaml and len(builds) == 2
    assert oct(entry.stat().st_mode & 0o777) == "0o600"


def test_the_cache_can_be_deleted_or_turned_off(cache, builds, monkeypatch, from_yaml):
    load_ruleset()
    shutil.rmtree(cache)
    assert load_ruleset() == from_yaml and len(builds) == 2 and entries(cache)
    monkeypatch.setenv("CLEARLABEL_NO_CACHE", "1")
    shutil.rmtree(cache)
    assert load_ruleset() == from_yaml and len(builds) == 3 and not cache.exists()


def test_old_entries_are_pruned(cache, monkeypatch):
    for version in range(pack_cache.KEEP_ENTRIES + 3):
        monkeypatch.setattr(pack_cache, "__version__", f"0.{version}")
        load_ruleset()
    assert len(entries(cache)) == pack_cache.KEEP_ENTRIES


def test_phrases_are_cached_per_language(cache):
    from checker.matchers import CompiledMatchers
    from checker.nlp import get_pipeline

    ruleset = load_ruleset()
    first = CompiledMatchers(get_pipeline("en"), ruleset).words
    again = CompiledMatchers(get_pipeline("en"), ruleset).words
    assert first == again and list(cache.glob("phrases-en-*.json"))
    assert first["paid partnership"] == ("paid", "partnership")
