"""The project's shape: no stdlib shadowing, a compose file that runs real modules."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "config",
    "accounts",
    "audit",
    "marketplace",
    "matching",
    "learning",
    "notifications",
    "insights",
    "privacy",
    "worker",
    "api",
    "web",
]

# Which of the project's packages each may import: the one table of the layers
# (README, "Architecture in brief", draws it). Each package's __init__ docstring
# says the same in words. ``matching.engine`` is the pure library inside matching.
DOMAIN = {
    "accounts",
    "audit",
    "marketplace",
    "matching",
    "learning",
    "notifications",
    "insights",
    "privacy",
}
MAY_IMPORT: dict[str, set[str]] = {
    "config": set(),
    "matching.engine": set(),
    "accounts": set(),
    "audit": {"accounts"},
    "marketplace": {"accounts", "audit", "matching.engine"},
    "matching": {"accounts", "audit", "marketplace"},
    "learning": {"accounts", "audit", "marketplace", "matching", "matching.engine"},
    "notifications": {"accounts", "audit", "marketplace", "matching", "learning"},
    "insights": {"accounts", "audit", "marketplace", "matching", "learning"},
    "privacy": {
        "accounts",
        "audit",
        "marketplace",
        "matching",
        "learning",
        "notifications",
        "insights",
    },
    "worker": DOMAIN,
    "api": DOMAIN,
    "web": DOMAIN,
}


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


def _layer(module: str) -> str | None:
    """The row of ``MAY_IMPORT`` a dotted module belongs to, if it is the project's."""
    if module == "matching.engine" or module.startswith("matching.engine."):
        return "matching.engine"
    top = module.split(".")[0]
    return top if top in MAY_IMPORT else None


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from matching import engine" reaches the engine, not matching's models.
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_every_package_imports_only_what_the_table_allows() -> None:
    assert set(MAY_IMPORT) == {*PACKAGES, "matching.engine"}
    broken = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue  # migrations name models by string, and the table is about code
            own = _layer(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for module in _imports(path):
                layer = _layer(module)
                if layer is None or layer == own:
                    continue
                if own == "matching" and layer == "matching.engine":
                    continue  # matching feeds its own engine
                if layer not in MAY_IMPORT[own]:
                    broken.append(f"{path.relative_to(ROOT)}: {module}")
    assert broken == []


def test_the_table_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from privacy import services\nfrom matching.engine.words import lookup_key\n")
    assert {_layer(m) for m in _imports(bad)} == {"privacy", "matching.engine"}
    assert "privacy" not in MAY_IMPORT["matching"]


def test_every_package_states_its_imports() -> None:
    """Each __init__ docstring names the packages it may import, as the table does."""
    for package, allowed in MAY_IMPORT.items():
        if package in ("config", "matching.engine"):
            continue
        doc = (ROOT / package.replace(".", "/") / "__init__.py").read_text()
        said = doc.split('"""')[1]
        for other in sorted(allowed):
            assert f"``{other}``" in said, f"{package} does not name {other}"


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
