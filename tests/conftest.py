"""Session-wide fixtures shared by every module's tests.

- `chroma_server`: a real `chroma run` on 127.0.0.1 (or CHROMA_TEST_URL when set); fails, never skips,
  when the `chroma` executable is missing.
- `built_index`: the real knowledge/ built once per session into a tmp DATA_DIR; yields Settings.
- `redis_server` / `redis_url`: a real `redis-server` (Debian package) on 127.0.0.1 on a free port in a
  tmp dir, torn down after the session; `redis_url` empties its database before each test.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.support import KNOWLEDGE, ROOT, free_port, make_settings


def _chroma_executable() -> str:
    candidate = Path(sys.executable).parent / "chroma"
    found = str(candidate) if candidate.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` executable (pip package chromadb) is not installed next to this Python")
    return found


def _wait_heartbeat(url: str, proc: subprocess.Popen | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"`chroma run` exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"Chroma server at {url} did not answer its heartbeat within {timeout:.0f}s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """(host, port) of a live Chroma server."""
    external = os.environ.get("CHROMA_TEST_URL")
    if external:
        parsed = urlparse(external)
        _wait_heartbeat(external.rstrip("/"), None)
        yield parsed.hostname, parsed.port
        return
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([_chroma_executable(), "run", "--host", "127.0.0.1", "--port", str(port),
                             "--path", str(path / "db")], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        _wait_heartbeat(f"http://127.0.0.1:{port}", proc)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def built_index(tmp_path_factory):
    """Settings pointing at a DATA_DIR holding an index of the real knowledge/ (built once)."""
    from ingest.build import build_index

    data_dir = tmp_path_factory.mktemp("built-index")
    # The embedding cache (keyed by model id + text hash, so never stale) outlives the session:
    # only the first run on a machine pays for embedding the whole corpus.
    cache = ROOT / ".pytest_cache" / "zhiquan-embedding-cache.sqlite"
    settings = make_settings(knowledge_dir=KNOWLEDGE, data_dir=data_dir, embedding_cache=cache)
    build_index(settings, progress=False)
    yield settings


def _wait_redis(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"`redis-server` exited with code {proc.returncode}")
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"redis-server at {url} did not answer PING within {timeout:.0f}s")
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """URL of a real redis-server on 127.0.0.1 (fails, never skips, when it is not installed)."""
    executable = shutil.which("redis-server")
    if not executable:
        pytest.fail("`redis-server` is not installed (Debian package redis-server; .ci/run installs it)")
    port = free_port()
    path = tmp_path_factory.mktemp("redis-server")
    log = open(path / "server.log", "w")
    # No persistence to disk: the tests need a live server, not durability across its restarts.
    proc = subprocess.Popen([executable, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(path),
                             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_redis(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis with an empty database, so tests never see each other's keys."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server
