"""The real pre-commit framework runs clearlabel as a hook.

`pre-commit try-repo` installs this repository into a hook environment of
its own (pip needs the package index for the dependencies) and runs the
installed `clearlabel check` on the drafts of a throwaway git repository:
it fails on an unlabelled draft and passes once the draft is fixed.

The hook is installed from a snapshot commit of the working tree (tracked
and untracked, not ignored, files), so the test exercises what would be
committed. It takes a minute or two.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
---
platform: instagram
market: GB
brand: Solenne Skin
---
Ad | Three weeks with the @solenne.skin SPF 50 ☀️ Code GLOW15 for 15% off.
"""
BAD = """\
---
platform: instagram
market: GB
brand: Solenne Skin
---
Three weeks with the @solenne.skin SPF 50 ☀️ Code GLOW15 for 15% off.
"""

pytestmark = pytest.mark.slow


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "clearlabel tests", "GIT_AUTHOR_EMAIL": "tests@localhost",
           "GIT_COMMITTER_NAME": "clearlabel tests", "GIT_COMMITTER_EMAIL": "tests@localhost"}
    completed = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                               cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return completed.stdout


def snapshot_of_this_repository(target: Path) -> Path:
    """A one-commit copy of the working tree, as pre-commit clones hook repositories."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    files = [name for name in listed if name and (ROOT / name).is_file()]
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


def try_repo(source: Path, project: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(source), "clearlabel",
                           "--verbose", "--files", *files],
                          cwd=project, env=env, capture_output=True, text=True, timeout=1200)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and a git checkout of clearlabel")
def test_pre_commit_hook_fails_on_bad_draft_then_passes_after_fix(tmp_path):
    pytest.importorskip("pre_commit")
    source = snapshot_of_this_repository(tmp_path / "clearlabel")
    project = tmp_path / "brand"
    (project / "drafts").mkdir(parents=True)
    git(project, "init", "-q")
    (project / "drafts" / "good.md").write_text(GOOD, encoding="utf-8")
    (project / "drafts" / "bad.md").write_text(BAD, encoding="utf-8")
    git(project, "add", "-A")
    home = tmp_path / "pre-commit-home"

    failing = try_repo(source, project, home, "drafts/good.md", "drafts/bad.md")
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert re.search(r"^drafts/bad\.md:6:\d+: error GB-NO-LABEL ", output, re.MULTILINE), output
    assert "drafts/good.md:" not in output, output

    (project / "drafts" / "bad.md").write_text(BAD.replace("\nThree", "\nAd | Three"), encoding="utf-8")
    passing = try_repo(source, project, home, "drafts/good.md", "drafts/bad.md")
    assert passing.returncode == 0, passing.stdout + passing.stderr
