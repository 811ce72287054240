"""Building, incremental rebuilds, atomic switch, kill -9 mid-way, the lock."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import build as build_mod
from ingest import store
from ingest.build import CURRENT_FILE, DELAY_ENV, BuildVerificationError, IngestLockedError, build_index, read_current
from ingest.reader import IndexMissingError, open_index
from tests.support import KNOWLEDGE, ROOT


def _ingest_cmd(settings, *extra):
    return [sys.executable, "-m", "ingest", "--knowledge-dir", str(settings.knowledge_dir),
            "--data-dir", str(settings.data_dir), *extra]


def _collections(settings) -> list[str]:
    return store.list_collections(store.make_client(settings))


def test_build_writes_manifest_and_pointer(small_settings, use_embeddings):
    report = build_index(small_settings, embeddings=use_embeddings)
    assert report.changed and report.embedded == report.chunks > 0
    current = read_current(small_settings.data_dir)
    assert current["version"] == report.version and current["collection"] == report.collection
    manifest = json.loads(report.manifest_path.read_text(encoding="utf-8"))
    assert manifest["embedding"] == {"backend": "use", "model_id": use_embeddings.model_id, "dimension": 512}
    files = manifest["files"]
    assert set(files) == {"regulations/credit-card-measures-2011.md", "regulations/spc-limit-consumption-2015.md",
                          "regulations/spc-bank-card-disputes-2021.md", "guidance/citic-overdue-contacts.raw.txt",
                          "cards/test-contact-calls.md"}
    assert all(len(f["sha256"]) == 64 and f["chunks"] > 0 for f in files.values())
    assert files["regulations/spc-bank-card-disputes-2021.md"]["chunks"] == 16
    assert manifest["corpus_version"] and manifest["built_at"]
    assert manifest["totals"]["chunks"] == report.chunks == len(open_index(small_settings, use_embeddings))


def test_second_run_embeds_nothing_and_says_so(small_settings, use_embeddings):
    first = build_index(small_settings, embeddings=use_embeddings)
    second = build_index(small_settings, embeddings=use_embeddings)
    assert (second.embedded, second.changed, second.version) == (0, False, first.version)
    assert f"0 of {first.chunks} chunks embedded, manifest unchanged" in second.summary()
    forced = build_index(small_settings, force=True, embeddings=use_embeddings)
    assert forced.changed and forced.embedded == 0 and forced.version != first.version
    # the old version is gone, the new one serves
    assert _collections(small_settings) == [forced.collection]
    assert os.listdir(Path(small_settings.data_dir) / "indexes") == [forced.version]


def test_changed_file_reembeds_only_its_chunks(small_settings, use_embeddings):
    first = build_index(small_settings, embeddings=use_embeddings)
    card = Path(small_settings.knowledge_dir) / "cards" / "test-contact-calls.md"
    card.write_text(card.read_text(encoding="utf-8").replace("保留通话记录。", "保留通话录音和截图。"),
                    encoding="utf-8")
    second = build_index(small_settings, embeddings=use_embeddings)
    assert second.changed and second.embedded == 1 and second.chunks == first.chunks
    assert "录音和截图" in open_index(small_settings, use_embeddings).get("card:test-contact-calls").text


def test_cli_second_run_reports_nothing_embedded(small_settings, use_embeddings):
    build_index(small_settings, embeddings=use_embeddings)
    second = subprocess.run(_ingest_cmd(small_settings), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    n = json.loads((Path(small_settings.data_dir) / CURRENT_FILE).read_text())["version"]
    assert "0 of " in second.stdout and "manifest unchanged" in second.stdout and n in second.stdout
    stats = subprocess.run(_ingest_cmd(small_settings, "--stats"), cwd=ROOT, capture_output=True, text=True,
                           timeout=300)
    assert stats.returncode == 0
    assert "spc-bank-card-disputes-2021" in stats.stdout and f"current index: {n}" in stats.stdout


def test_open_index_without_build_is_clear(small_settings):
    with pytest.raises(IndexMissingError, match="python -m ingest"):
        open_index(small_settings)


def test_lock_blocks_a_second_ingest(small_settings, use_embeddings):
    data = Path(small_settings.data_dir)
    data.mkdir(parents=True)
    with open(data / "ingest.lock", "w") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        with pytest.raises(IngestLockedError, match="another ingest is running"):
            build_index(small_settings, embeddings=use_embeddings)
        run = subprocess.run(_ingest_cmd(small_settings), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert run.returncode == 3 and "another ingest is running" in run.stderr
    assert read_current(data) is None
    assert build_index(small_settings, embeddings=use_embeddings).changed   # released lock: works again


def test_failed_verification_keeps_previous_index(small_settings, use_embeddings, monkeypatch):
    first = build_index(small_settings, embeddings=use_embeddings)

    def broken_verify(*args):
        raise BuildVerificationError("simulated count mismatch")

    monkeypatch.setattr(build_mod, "_verify", broken_verify)
    with pytest.raises(BuildVerificationError):
        build_index(small_settings, force=True, embeddings=use_embeddings)
    assert read_current(small_settings.data_dir)["version"] == first.version
    assert open_index(small_settings, use_embeddings).dense("第三人催收", 3)
    monkeypatch.undo()
    # the next run removes the half-finished version
    again = build_index(small_settings, force=True, embeddings=use_embeddings)
    assert _collections(small_settings) == [again.collection]


def test_kill_9_mid_embedding_leaves_old_index_serving(small_settings, use_embeddings):
    old = build_index(small_settings, embeddings=use_embeddings)
    # more text to embed, slowed down so the kill lands mid-embedding
    shutil.copy(KNOWLEDGE / "regulations" / "spc-limitation-2020.md",
                Path(small_settings.knowledge_dir) / "regulations")
    proc = subprocess.Popen(_ingest_cmd(small_settings), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, DELAY_ENV: "30"})
    try:
        deadline = time.monotonic() + 120
        seen = b""
        while b"embedding" not in seen and time.monotonic() < deadline:
            data = os.read(proc.stderr.fileno(), 4096)
            if not data:   # the ingest exited before embedding
                break
            seen += data
        assert b"embedding" in seen, f"progress bar never started: {seen.decode(errors='replace')}"
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    index = open_index(small_settings, use_embeddings)
    assert index.version == old.version and len(index) == old.chunks
    assert index.dense("催收能打给我的家人吗", 3) and index.keyword("第三人 催收", 3)

    rebuilt = build_index(small_settings, embeddings=use_embeddings)
    assert rebuilt.changed and rebuilt.chunks == old.chunks + 21
    assert rebuilt.embedded <= 21   # vectors finished before the kill were cached
    assert _collections(small_settings) == [rebuilt.collection]
    assert build_index(small_settings, embeddings=use_embeddings).embedded == 0


def test_reader_survives_a_rebuild_by_another_process(small_settings, use_embeddings):
    """The bot keeps serving while `python -m ingest --force` replaces (and drops) its version."""
    build_index(small_settings, embeddings=use_embeddings)
    index = open_index(small_settings, use_embeddings)
    before = index.version
    assert index.dense("紧急联系人", 3)
    run = subprocess.run(_ingest_cmd(small_settings, "--force", "--quiet"), cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert index.keyword("第三人 催收", 3)            # in-memory parts keep answering
    hits = index.dense("紧急联系人", 3)               # the dropped collection is replaced by CURRENT's
    assert hits and index.version != before
    assert open_index(small_settings, use_embeddings).version == index.version
