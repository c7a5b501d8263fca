"""The built wheel runs outside the checkout: it carries the playbook, the policy, the prompts, the
migrations, the eval suites and every template as package data; ``guardrails/`` is never importable
as ``guardrails`` (guardrails-ai's package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_package_is_listed_for_the_wheel():
    from setuptools import find_packages

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(ROOT), include=["agent*", "api*", "evals*", "cli*"]))
    assert found <= listed, f"add to pyproject's packages: {sorted(found - listed)}"
    assert not (ROOT / "guardrails" / "__init__.py").exists()


@pytest.mark.slow
def test_the_wheel_drafts_from_another_directory(tmp_path):
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True,
                   capture_output=True, timeout=300)
    wheel = next(wheels.glob("wuye_copilot-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True,
                   capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "WUYE_DATA_DIR": str(elsewhere / "data")}
    run = [sys.executable, "-c", "import sys; sys.argv[0] = 'wuye'; from cli.main import main; main()"]
    done = subprocess.run([*run, "draft", "楼道的灯坏了一个星期了,晚上回家黑乎乎的", "--json"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    draft = json.loads(done.stdout)
    assert draft["drafter"] == "offline" and all(s["guardrail"]["passed"] for s in draft["stages"])
    where = subprocess.run([sys.executable, "-c", "import agent, guardrails, wuye_content.prompts as p; "
                            "print(agent.__file__); print(guardrails.__file__); print(list(p.__path__)[0])"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.splitlines()
    assert where[0].startswith(str(target)) and not where[1].startswith(str(target))  # guardrails-ai, not ours
    assert (Path(where[2]) / "draft.system.j2").is_file()
