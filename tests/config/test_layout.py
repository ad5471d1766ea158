"""The project's shape: no stdlib shadowing, a compose file that runs real modules."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["config", "accounts", "marketplace", "matching", "worker", "api", "web"]


def test_the_stdlib_platform_module_is_not_shadowed() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() in {"Linux", "Darwin", "Windows"}
    assert not (ROOT / "platform").exists()


def test_every_layer_folder_exists_with_a_docstring() -> None:
    for name in [*PACKAGES, "matching/engine", "bench"]:
        init = ROOT / name / "__init__.py"
        assert init.exists(), name
        assert init.read_text().lstrip().startswith('"""'), f"{name} lacks a module docstring"


def test_the_engine_never_imports_django() -> None:
    for path in (ROOT / "matching" / "engine").rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+django", path.read_text(), re.M), path


def test_nothing_imports_api_or_web() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+(api|web)\b", re.M)
    for package in ["accounts", "marketplace", "matching", "worker"]:
        for path in (ROOT / package).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


def test_ruff_selects_a005() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "A005" in config["tool"]["ruff"]["lint"]["select"]


def _module_exists(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _commands(service: dict) -> list[list[str]]:
    command = service.get("command")
    if command is None:
        return []
    text = command if isinstance(command, str) else shlex.join(command)
    # `sh -c "a && b"` runs several commands; check each.
    if text.startswith("sh -c "):
        text = shlex.split(text)[2]
    return [shlex.split(part) for part in re.split(r"&&|;", text) if part.strip()]


def test_compose_commands_name_modules_that_exist() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    checked = 0
    for name in ("web", "worker", "beat"):
        for argv in _commands(services[name]):
            if argv[0] == "gunicorn":
                module = argv[1].split(":")[0]
                assert _module_exists(module), f"{name}: {module}"
                checked += 1
            elif argv[0] == "celery":
                app = argv[argv.index("-A") + 1]
                assert _module_exists(app), f"{name}: {app}"
                checked += 1
            elif argv[:2] == ["python", "manage.py"]:
                assert (ROOT / "manage.py").exists()
                checked += 1
    assert checked == 5  # migrate + load_reference_data + gunicorn, worker, beat
    assert "-Q" in _commands(services["worker"])[0]
    queues = _commands(services["worker"])[0]
    assert set(queues[queues.index("-Q") + 1].split(",")) == {"default", "matching"}
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert "pgdata" in compose["volumes"]
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_the_dockerfile_copies_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in PACKAGES:
        assert f"COPY {package} ./{package}" in dockerfile, package


def test_procfile_runs_web_worker_and_beat() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile.dev").read_text().splitlines() if line
    )
    assert set(lines) == {"web", "worker", "beat"}
    assert "-A worker worker" in lines["worker"]
    assert "-A worker beat" in lines["beat"]
