"""The deployment files (no Docker in CI): they parse, and name only settings that exist."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.M))


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_env_example_lists_exactly_the_settings():
    assert _env_example_names() == {name.upper() for name in Settings.model_fields}


def test_compose_runs_replicas_redis_chroma_and_a_proxy():
    services = _compose()["services"]
    assert {"bot", "redis", "chroma", "caddy"} <= set(services)
    assert services["bot"]["deploy"]["replicas"] >= 2
    assert services["bot"]["build"] == "."
    assert services["ingest"]["entrypoint"] == ["python", "-m", "ingest"]


def test_compose_names_the_same_settings_as_env_example():
    services = _compose()["services"]
    names = _env_example_names()
    for name in ("bot", "ingest"):
        environment = services[name]["environment"]
        assert set(environment) <= names, set(environment) - names
        Settings(_env_file=None, **{k.lower(): v for k, v in environment.items()})   # values parse
    env = services["bot"]["environment"]
    assert env["REDIS_URL"].startswith("redis://redis:") and env["CHROMA_HOST"] == "chroma"
    assert env["CHROMA_MODE"] == "http"


def test_proxy_forwards_to_the_replicas_webhook_port():
    port = _compose()["services"]["bot"]["environment"]["WEBHOOK_PORT"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    assert re.search(rf"dynamic a bot {port}\b", caddyfile)
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in _compose()["services"]["caddy"]["volumes"]


def test_image_entrypoint_is_the_bot_and_env_names_are_settings():
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    entrypoint = next(line for line in lines if line.startswith("ENTRYPOINT"))
    assert entrypoint == 'ENTRYPOINT ["python", "-m", "bot"]'
    assert any(line.startswith('RUN pip install "torch==2.13.0"') for line in lines)   # pinned as in pyproject
    env_names = {pair.split("=")[0] for line in lines if line.startswith("ENV ")
                 for pair in shlex.split(line[4:])}
    settings = _env_example_names()
    assert {"KNOWLEDGE_DIR", "DATA_DIR", "WEBHOOK_LISTEN", "WEBHOOK_PORT"} <= env_names
    assert {n for n in env_names if not n.startswith(("PYTHON", "PIP_"))} <= settings
