"""`python -m bot` as a user runs it (real subprocess, real index)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(settings, *args, stdin: str | None = None, timeout: float = 240):
    env = {**os.environ, "DATA_DIR": str(settings.data_dir), "KNOWLEDGE_DIR": str(settings.knowledge_dir),
           "TELEGRAM_BOT_TOKEN": "", "LLM_MODEL": "", "LLM_BASE_URL": "", "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def batch(engine_settings):
    questions = ["催收爆通讯录违法吗", "民法典第1032条", "催收一直打給我的緊急聯絡人，這樣合法嗎？",
                 "Can collectors call my boss?", "明天上海天气怎么样"]
    proc = _run(engine_settings, "ask", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_ask_json_prints_one_object(engine_settings):
    proc = _run(engine_settings, "ask", "--json", "信用卡欠3万会坐牢吗")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {"question", "answer", "intent", "language", "mode", "citations", "latency_ms"} <= set(data)
    assert data["intent"] == "criminal_risk" and data["mode"] == "offline" and data["language"] == "zh-Hans"
    first = data["citations"][0]
    assert {"doc_id", "title", "short_title", "article", "status", "quote"} <= set(first)
    # citations are listed in the order the answer presents them
    def display(c):
        label = c["article"] if c["article"].startswith("第") else f"第{c['article']}项"
        return f"《{c['short_title']}》{label}"

    positions = [data["answer"].index(display(c)) for c in data["citations"]]
    assert positions == sorted(positions)


def test_batch_reads_stdin_and_writes_json_lines(batch):
    assert [b["language"] for b in batch] == ["zh-Hans", "zh-Hans", "zh-Hant", "en", "zh-Hans"]
    assert batch[1]["intent"] == "article_lookup"
    assert batch[1]["citations"][0]["article"] == "第一千零三十二条"
    assert batch[4]["intent"] == "out_of_scope" and batch[4]["citations"] == []
    assert all(b["citations"] for b in batch[:4])


def test_ask_prints_plain_text(engine_settings):
    proc = _run(engine_settings, "ask", "民法典第2000条")
    assert proc.returncode == 0, proc.stderr
    assert "没有第二千条" in proc.stdout


def test_chat_keeps_history(engine_settings):
    proc = _run(engine_settings, "chat", stdin="催收天天打我电话骚扰我\n那如果他们上门呢？\n/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("法律依据") == 2
    assert "住宅" in proc.stdout


def test_no_token_prints_how_to_set_one_then_chats(engine_settings):
    proc = _run(engine_settings, stdin="你好\n")
    assert proc.returncode == 0, proc.stderr
    assert "TELEGRAM_BOT_TOKEN" in proc.stderr
    assert "知权" in proc.stdout


def test_sources_lists_documents_with_dates_and_status(engine_settings):
    proc = _run(engine_settings, "sources")
    assert proc.returncode == 0, proc.stderr
    assert "public-security-penalties-2012" in proc.stdout and "已被取代" in proc.stdout
    assert "2026-01-01" in proc.stdout


def test_missing_index_is_a_clear_error(tmp_path, engine_settings):
    settings = engine_settings.model_copy(update={"data_dir": tmp_path / "empty"})
    proc = _run(settings, "ask", "你好")
    assert proc.returncode == 2
    assert "python -m ingest" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_tool_subcommands_are_routed(engine_settings):
    proc = _run(engine_settings, "check", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "usage" in proc.stdout.lower()


def test_batch_answers_past_a_line_of_invalid_utf8(engine_settings):
    env = {**os.environ, "DATA_DIR": str(engine_settings.data_dir), "KNOWLEDGE_DIR": str(engine_settings.knowledge_dir),
           "TELEGRAM_BOT_TOKEN": "", "LLM_MODEL": "", "LLM_BASE_URL": "", "LOG_LEVEL": "WARNING"}
    stdin = "催收爆通讯录违法吗\n".encode() + b"\xff\xfe bad \xc3\x28\n" + "催收可以打给我同事吗\n".encode()
    proc = subprocess.run([sys.executable, "-m", "bot", "ask"], input=stdin, capture_output=True, cwd=ROOT,
                          env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    assert len(rows) == 3
    assert rows[1] == {"line": 2, "error": rows[1]["error"]} and "UTF-8" in rows[1]["error"]
    assert rows[0]["citations"] and rows[2]["question"] == "催收可以打给我同事吗"


def test_bad_admin_ids_is_one_line():
    env = {**os.environ, "ADMIN_IDS": "123,abc", "TELEGRAM_BOT_TOKEN": ""}
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", "你好"], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "ADMIN_IDS" in proc.stderr and "Traceback" not in proc.stderr


def test_corrupt_current_pointer_says_corrupt(tmp_path, engine_settings):
    data = tmp_path / "data"
    data.mkdir()
    (data / "CURRENT").write_bytes(b"\x00{not json")
    proc = _run(engine_settings.model_copy(update={"data_dir": data}), "ask", "你好")
    assert proc.returncode == 2
    assert "corrupt" in proc.stderr and "not found" not in proc.stderr and "Traceback" not in proc.stderr


def test_jieba_cache_lives_under_data_dir():
    from bot.config import get_settings
    from ingest.keyword import _tokenizer

    assert Path(_tokenizer().tmp_dir).resolve() == Path(get_settings().data_dir).resolve()
