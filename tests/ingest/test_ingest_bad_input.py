"""Bad input: an error naming the file (and line), nothing written, the previous index keeps serving."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.build import build_index, read_current
from ingest.corpus import CorpusError
from ingest.reader import open_index
from tests.support import ROOT, make_settings
from tests.support.knowledge import make_small_knowledge


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _append(path: Path, text: str) -> int:
    """Append a line; returns its 1-based line number."""
    content = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(content + text + "\n", encoding="utf-8")
    return content.count("\n") + 1


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


def malformed_front_matter(k):
    p = k / "regulations/credit-card-measures-2011.md"
    _edit(p, "kind: department_rule", "kind: [department_rule")
    return p, None, "malformed front matter"


def missing_front_matter(k):
    p = k / "regulations/spc-limit-consumption-2015.md"
    text = p.read_text(encoding="utf-8")
    p.write_text(text.split("---\n", 2)[2], encoding="utf-8")
    return p, 1, "missing YAML front matter"


def unknown_kind(k):
    p = k / "regulations/credit-card-measures-2011.md"
    _edit(p, "kind: department_rule", "kind: statute")
    return p, _line_of(p, "kind: statute"), "unknown kind 'statute'"


def unknown_status(k):
    p = k / "regulations/spc-bank-card-disputes-2021.md"
    _edit(p, "status: in_force", "status: valid")
    return p, _line_of(p, "status: valid"), "unknown status 'valid'"


def duplicate_article(k):
    p = k / "regulations/spc-bank-card-disputes-2021.md"
    line = _append(p, "第十六条 重复的条文。")
    return p, line, "duplicate article 第十六条"


def out_of_order_article(k):
    p = k / "regulations/spc-bank-card-disputes-2021.md"
    line = _append(p, "第十条之一 顺序错误的条文。")
    return p, line, "out of order"


def empty_document(k):
    p = k / "regulations/spc-limit-consumption-2015.md"
    text = p.read_text(encoding="utf-8")
    front = "---\n" + text.split("---\n", 2)[1] + "---\n\n# 标题\n"
    p.write_text(front, encoding="utf-8")
    return p, None, "no articles"


def card_cites_missing_article(k):
    p = k / "cards/test-contact-calls.md"
    _edit(p, "article: 第六十八条", "article: 第九十九条")
    return p, _line_of(p, "第九十九条"), "does not exist"


def card_cites_unknown_document(k):
    p = k / "cards/test-contact-calls.md"
    _edit(p, "doc: spc-limit-consumption-2015", "doc: contract-law")
    return p, _line_of(p, "contract-law"), "unknown document 'contract-law'"


def card_without_front_matter(k):
    p = k / "cards/test-contact-calls.md"
    p.write_text("## 直接回答\n没有前置信息。\n", encoding="utf-8")
    return p, 1, "missing YAML front matter"


def card_id_mismatch(k):
    p = k / "cards/test-contact-calls.md"
    _edit(p, "id: test-contact-calls", "id: other-id")
    return p, _line_of(p, "id: other-id"), "does not match the file name"


def card_empty_questions(k):
    p = k / "cards/test-contact-calls.md"
    text = p.read_text(encoding="utf-8")
    text = re.sub(r"questions:\n(  - .*\n)+", "questions: []\n", text)
    p.write_text(text, encoding="utf-8")
    return p, _line_of(p, "questions:"), "non-empty list"


def regulation_not_utf8(k):
    p = k / "regulations/credit-card-measures-2011.md"
    p.write_bytes(p.read_text(encoding="utf-8").encode("gb18030"))
    return p, None, "not UTF-8"


def card_not_utf8(k):
    p = k / "cards/test-contact-calls.md"
    p.write_bytes(p.read_text(encoding="utf-8").encode("big5", errors="replace"))
    return p, None, "not UTF-8"


def guidance_sidecar_unknown_status(k):
    p = k / "guidance/citic-overdue-contacts.meta.yaml"
    _edit(p, "status: not_law", "status: official")
    return p, None, "unknown status 'official'"


def guidance_sidecar_missing(k):
    (k / "guidance/citic-overdue-contacts.meta.yaml").unlink()
    return k / "guidance/citic-overdue-contacts.raw.txt", None, "sidecar"


CASES = [malformed_front_matter, missing_front_matter, unknown_kind, unknown_status, duplicate_article,
         out_of_order_article, empty_document, card_cites_missing_article, card_cites_unknown_document,
         card_without_front_matter, card_id_mismatch, card_empty_questions, regulation_not_utf8, card_not_utf8,
         guidance_sidecar_unknown_status, guidance_sidecar_missing]


@pytest.fixture(scope="module")
def template(tmp_path_factory, use_embeddings):
    """A good small index, built once; each test works on a copy."""
    root = tmp_path_factory.mktemp("bad-input-template")
    settings = make_settings(knowledge_dir=make_small_knowledge(root), data_dir=root / "data")
    build_index(settings, embeddings=use_embeddings)
    return root


@pytest.fixture
def served(template, tmp_path):
    """A copy of the good index; the bad input must not disturb it."""
    shutil.copytree(template / "knowledge", tmp_path / "knowledge")
    shutil.copytree(template / "data", tmp_path / "data")
    settings = make_settings(knowledge_dir=tmp_path / "knowledge", data_dir=tmp_path / "data")
    return settings, read_current(settings.data_dir), sorted(os.listdir(settings.data_dir))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_bad_input_names_file_and_keeps_index(case, served, use_embeddings):
    settings, current, listing = served
    path, line, fragment = case(settings.knowledge_dir)
    with pytest.raises(CorpusError) as err:
        build_index(settings, embeddings=use_embeddings)
    message = str(err.value)
    assert str(path) in message and fragment in message, message
    if line is not None:
        assert f"{path}:{line}:" in message, message
    assert read_current(settings.data_dir) == current
    assert sorted(os.listdir(settings.data_dir)) == listing
    index = open_index(settings, embeddings=use_embeddings)
    assert index.version == current["version"]
    assert index.keyword("第三人 催收", 3) and index.dense("催收打电话给我家人", 3)


def test_cli_bad_input_exit_code_2_and_nothing_written(small_settings):
    unknown_kind(small_settings.knowledge_dir)
    run = subprocess.run([sys.executable, "-m", "ingest", "--knowledge-dir", str(small_settings.knowledge_dir),
                          "--data-dir", str(small_settings.data_dir)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert "credit-card-measures-2011.md:5: unknown kind 'statute'" in run.stderr
    assert not Path(small_settings.data_dir).exists()


def test_check_validates_without_writing(small_settings):
    run = subprocess.run([sys.executable, "-m", "ingest", "--check", "--knowledge-dir",
                          str(small_settings.knowledge_dir), "--data-dir", str(small_settings.data_dir)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "ok: 3 documents" in run.stdout and "1 cards" in run.stdout and "nothing written" in run.stdout
    assert not Path(small_settings.data_dir).exists()
    duplicate_article(small_settings.knowledge_dir)
    run = subprocess.run([sys.executable, "-m", "ingest", "--check", "--knowledge-dir",
                          str(small_settings.knowledge_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "spc-bank-card-disputes-2021.md:" in run.stderr
