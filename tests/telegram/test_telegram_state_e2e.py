"""End to end: the real `python -m bot` with a state path that cannot be used or breaks while running.

Start-up problems are one line and a non-zero exit, before the engine loads; a save
that fails later is reported once (log and admin message), retried, and the state
survives shutdown, in the state file or a rescue copy.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.support import ROOT
from tests.support.bot_process import ADMIN_ID, TOKEN, BotProcess


def _run_bot(fake_api, bot_index, state_path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake_api.base_url,
           "DATA_DIR": str(bot_index.data_dir), "KNOWLEDGE_DIR": str(bot_index.knowledge_dir),
           "PERSISTENCE_PATH": str(state_path), "WEBHOOK_URL": ""}
    return subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def _one_clean_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode not in (0, None)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_directory_in_place_of_the_state_file_stops_start_up(fake_api, bot_index, tmp_path):
    state = tmp_path / "state.json"
    state.mkdir()
    line = _one_clean_line(_run_bot(fake_api, bot_index, state))
    assert str(state) in line and "directory" in line


def test_unwritable_state_directory_stops_start_up(fake_api, bot_index, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    line = _one_clean_line(_run_bot(fake_api, bot_index, blocker / "state.json"))
    assert "not writable" in line and "PERSISTENCE_PATH" in line


def test_corrupt_state_file_is_one_line_and_left_untouched(fake_api, bot_index, tmp_path):
    for content in (b"", b'{"version": 1, "users": {"1": ', b"\x80\x04\x95garbage"):
        state = tmp_path / "state.json"
        state.write_bytes(content)
        line = _one_clean_line(_run_bot(fake_api, bot_index, state))
        assert str(state) in line and "move it aside" in line
        assert state.read_bytes() == content


def test_failed_saves_are_reported_retried_and_never_lose_state(fake_api, bot_index, tmp_path):
    rescue_dir = tmp_path / "tmp"
    rescue_dir.mkdir()
    bot = BotProcess(fake_api, bot_index, tmp_path, TMPDIR=str(rescue_dir)).start()
    state = tmp_path / "state.json"
    try:
        _set_language(fake_api, 701, "en")
        _wait_until(lambda: state.is_file() and "701" in json.loads(state.read_text())["users"])
        state.unlink()
        state.mkdir()                                    # every save now fails (even for root)
        mark = fake_api.mark()
        _set_language(fake_api, 702, "zh-Hant")
        _forget(fake_api, 701)                           # /forget saves at once
        alert = fake_api.wait_for("sendMessage", chat_id=ADMIN_ID, after=mark, timeout=30,
                                  predicate=lambda c: "保存失败" in c.text)
        assert str(state) in alert.text
        state.rmdir()                                    # fixed: the next periodic save succeeds
        _wait_until(lambda: state.is_file())
        saved = json.loads(state.read_text())["users"]
        assert "702" in saved and "701" not in saved
        state.unlink()
        state.mkdir()                                    # broken again, and it stays broken at shutdown
        _set_language(fake_api, 703, "en")
    finally:
        code = bot.stop()
    log = bot.log_text()
    assert code == 1 and "Traceback" not in log
    assert log.count("state not saved, will retry") == 2       # once per failure, not once per attempt
    [rescue] = list(rescue_dir.glob("state.json.rescue-*"))
    assert str(rescue) in log
    assert {"702", "703"} <= set(json.loads(rescue.read_text())["users"])


def _set_language(api, user: int, code: str) -> None:
    mark = api.mark()
    api.send_command(user, "/lang")
    picker = api.wait_for("sendMessage", chat_id=user, after=mark)
    api.press(user, picker, f"l:{code}@{user}")
    api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)


def _forget(api, user: int) -> None:
    mark = api.mark()
    api.send_command(user, "/forget")
    confirm = api.wait_for("sendMessage", chat_id=user, after=mark)
    api.press(user, confirm, f"fg:y@{user}")
    api.wait_for("editMessageText", after=mark, predicate=lambda c: c.get("chat_id") == user)


def _wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
