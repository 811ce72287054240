"""The real `python -m bot` process, its Bot API base URL pointed at the fake server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.fake_bot_api import FakeBotAPI

TOKEN = "123456:TESTtokenAAbbCCddEEffGGhhIIjjKKllMM_-0"
ADMIN_ID = 424242
# The entry point under test; overridable only to debug against another launcher.
BOT_MODULE = os.environ.get("ZHIQUAN_TEST_BOT_MODULE", "bot")


class BotProcess:
    """The real `python -m bot` with its Bot API base URL pointed at the fake server."""

    def __init__(self, api: FakeBotAPI, settings, workdir: Path, **env):
        self.api = api
        self.workdir = workdir
        self.stderr_path = workdir / f"bot-{len(list(workdir.glob('bot-*.log')))}.log"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATA_DIR": str(settings.data_dir),
            "KNOWLEDGE_DIR": str(settings.knowledge_dir),
            # The same index settings as the fixture that built it, so /reload reuses its cache.
            "EMBEDDING_BACKEND": settings.embedding_backend,
            "EMBEDDING_MODEL": settings.embedding_model,
            **({"EMBEDDING_CACHE": str(settings.embedding_cache)} if settings.embedding_cache else {}),
            "PERSISTENCE_PATH": str(workdir / "state.json"),
            "ADMIN_IDS": str(ADMIN_ID),
            "WEBHOOK_URL": "",
            "LOG_CONTENT": "0",
            "PYTHONUNBUFFERED": "1",
            **{k: str(v) for k, v in env.items()},
        }
        self.proc: subprocess.Popen | None = None

    def start(self, ready_method: str = "getUpdates", timeout: float = 120) -> BotProcess:
        mark = self.api.mark()
        self._log = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", BOT_MODULE], cwd=ROOT, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.api.wait_for(ready_method, after=mark, timeout=1)
                return self
            except TimeoutError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"bot process did not come up (exit {self.proc.returncode}):\n"
                                f"{self.log_text()[-3000:]}")

    def stop(self, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)   # graceful: PTB flushes the persistence
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def log_text(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")
