"""`wuye serve` refuses what it cannot keep: several workers without shared state, Redis without
one signing secret for every instance, an unreachable Redis — each with a bilingual reason and
exit code 2, before anything is started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WUYE = str(Path(sys.executable).parent / "wuye")


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WUYE_")}
    return subprocess.run([WUYE, "serve", "--port", "1", *args], env={**clean, "WUYE_DATA_DIR": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_several_workers_without_redis_are_refused_with_the_reason(tmp_path: Path) -> None:
    done = _serve(tmp_path, "--workers", "2")
    assert done.returncode == 2
    assert "WUYE_REDIS_URL" in done.stderr and "2x its limit" in done.stderr and "退出登录" in done.stderr
    assert "--allow-local-state" in done.stderr and "Traceback" not in done.stderr


def test_redis_without_a_shared_secret_is_refused(tmp_path: Path) -> None:
    done = _serve(tmp_path, WUYE_REDIS_URL="redis://127.0.0.1:6379/0")
    assert done.returncode == 2 and "WUYE_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("secret", ["short", "your-secret-key-here", "sk-…"])
def test_a_weak_or_placeholder_secret_is_refused(tmp_path: Path, secret: str) -> None:
    done = _serve(tmp_path, WUYE_SECRET_KEY=secret)
    assert done.returncode == 2 and "WUYE_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_an_unreachable_redis_is_refused_before_start(tmp_path: Path) -> None:
    done = _serve(tmp_path, WUYE_REDIS_URL="redis://:secret-pw@127.0.0.1:1/0", WUYE_SECRET_KEY="a9f3c2e1b7d64f0e8c5a2b1d9e7f3c6a")
    assert done.returncode == 2 and "cannot reach Redis" in done.stderr
    assert "secret-pw" not in done.stderr  # the URL is shown without its password
