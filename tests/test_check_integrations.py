"""The pre-commit hook manifest and the GitHub Action's shell steps."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_hook_manifest_is_valid_for_pre_commit():
    pytest.importorskip("pre_commit")
    completed = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                                str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "clearlabel" and hook["entry"] == "clearlabel check"


def test_hook_files_pattern_selects_drafts():
    import re

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    for name in ("drafts/a.md", "campaigns/drafts/b.yaml", "drafts/x/brief.json", "drafts/c.txt"):
        assert pattern.search(name), name
    for name in ("README.md", ".pre-commit-config.yaml", "drafts/image.png", "mydrafts/a.md"):
        assert not pattern.search(name), name


def action_step(name: str) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step.get("name") == name)


@pytest.fixture
def fake_clearlabel(tmp_path):
    """A `clearlabel` on PATH that records its arguments and environment."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "clearlabel"
    script.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%s\\n" "$@" > "$RECORD"\n'
        'echo "help=${CLEARLABEL_HELP_URI_BASE:-}" >> "$RECORD"\n'
        'prev=""; for arg in "$@"; do if [ "$prev" = "--output" ]; then echo "{}" > "$arg"; fi; prev="$arg"; done\n'
        'exit "${FAKE_STATUS:-0}"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def run_step(name: str, tmp_path: Path, bin_dir: Path, status: int, **inputs: str) -> tuple[int, list[str], str]:
    step = action_step(name)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "RECORD": str(tmp_path / "record"), "FAKE_STATUS": str(status),
           "GITHUB_OUTPUT": str(tmp_path / "github_output"), "GITHUB_ACTION_PATH": str(ROOT)}
    defaults = {"INPUT_PATHS": "drafts/ more/drafts", "INPUT_CONFIG": "", "INPUT_MARKET": "", "INPUT_BASELINE": "",
                "INPUT_FAIL_ON": action_input_default("fail-on"), "INPUT_ARGS": "", "SARIF_FILE": str(tmp_path / "out.sarif"), "ACTION_REPOSITORY": "",
                "ACTION_REF": "", "SERVER_URL": "https://github.com"}
    env.update(defaults)
    env.update(inputs)
    # GitHub runs `shell: bash` steps as `bash --noprofile --norc -eo pipefail {0}`.
    completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                               env=env, cwd=tmp_path, capture_output=True, text=True)
    record = (tmp_path / "record").read_text().splitlines() if (tmp_path / "record").exists() else []
    output = (tmp_path / "github_output").read_text() if (tmp_path / "github_output").exists() else ""
    return completed.returncode, record, output


def test_action_sarif_step_never_fails_on_findings(tmp_path, fake_clearlabel):
    code, args, output = run_step("Check drafts (SARIF)", tmp_path, fake_clearlabel, status=1,
                                  INPUT_MARKET="GB,US", ACTION_REPOSITORY="acme/clearlabel", ACTION_REF="v1.2.0")
    assert code == 0
    assert args[:-1] == ["check", "drafts/", "more/drafts", "--market", "GB,US", "--fail-on", "never",
                         "--format", "sarif", "--output", str(tmp_path / "out.sarif")]
    assert args[-1] == "help=https://github.com/acme/clearlabel/blob/v1.2.0/docs/rules/"
    assert output == f"sarif-file={tmp_path / 'out.sarif'}\n"


def test_action_annotation_step_fails_the_job(tmp_path, fake_clearlabel):
    code, args, _ = run_step("Check drafts", tmp_path, fake_clearlabel, status=1,
                             INPUT_CONFIG="ci/clearlabel.yml", INPUT_BASELINE="base line.json", INPUT_FAIL_ON="warning")
    assert code == 1
    assert args == ["check", "drafts/", "more/drafts", "--config", "ci/clearlabel.yml", "--baseline", "base line.json",
                    "--fail-on", "warning", "--format", "github", "help="]


def action_input_default(name: str) -> str:
    return yaml.safe_load((ROOT / "action.yml").read_text())["inputs"][name]["default"]


def test_action_leaves_fail_on_to_the_configuration_unless_given(tmp_path, fake_clearlabel):
    assert action_input_default("fail-on") == ""
    code, args, _ = run_step("Check drafts", tmp_path, fake_clearlabel, status=0)
    assert code == 0 and "--fail-on" not in args
    assert args == ["check", "drafts/", "more/drafts", "--format", "github", "help="]


def test_action_passes_extra_options(tmp_path, fake_clearlabel):
    _, args, _ = run_step("Check drafts", tmp_path, fake_clearlabel, status=0,
                          INPUT_ARGS="--select GB- --exclude drafts/archive/**")
    assert args == ["check", "drafts/", "more/drafts", "--select", "GB-", "--exclude", "drafts/archive/**",
                    "--format", "github", "help="]
    _, args, _ = run_step("Check drafts (SARIF)", tmp_path, fake_clearlabel, status=0, INPUT_ARGS="--select GB-")
    assert args[3:5] == ["--select", "GB-"] and args[5:7] == ["--fail-on", "never"]


def test_action_upload_step_is_conditional():
    step = next(step for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
                if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert "inputs.upload-sarif == 'true'" in step["if"] and "steps.sarif.outputs.sarif-file" in step["if"]
