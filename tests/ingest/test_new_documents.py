"""The PBOC 2020 measures and the 2019 soft-violence opinion, and per-role card text."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.cards import parse_card
from ingest.corpus import CorpusError, load_corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "knowledge")


def test_soft_violence_opinion_is_a_partial_judicial_document_numbered_yi_er(corpus):
    doc = corpus.document("spc-spp-mps-moj-soft-violence-2019")
    assert doc.kind == "judicial_document" and doc.partial and doc.in_force
    assert [a.label for a in doc.articles] == ["一", "二"]
    assert [a.display for a in doc.articles] == ["第一条", "第二条"]   # courts cite them as 第一条, 第二条
    assert doc.articles[0].body.startswith("“软暴力”是指")
    second = doc.articles[1]
    assert [line[:3] for line in second.body.split("\n")[1:]] == ["（一）", "（二）", "（三）", "（四）"]
    assert "拉挂横幅" in second.text and "播放哀乐" in second.text
    assert "仅收录部分条文" in doc.caveat
    assert doc.preamble.startswith("（2019年4月9日印发）")


def test_pboc_measures_are_complete_and_single_source(corpus):
    doc = corpus.document("pboc-financial-consumer-protection-2020")
    assert doc.kind == "department_rule" and not doc.partial
    assert len(doc.articles) == 68 and doc.articles[-1].label == "第六十八条"
    assert doc.caveat == "文本仅有单一来源"
    assert corpus.has_quote(doc.id, "第三十四条", "银行、支付机构及其工作人员应当对消费者金融信息严格保密，不得泄露或者非法向他人提供。")
    assert corpus.has_quote(doc.id, "第十四条", "尊重金融消费者的人格尊严")


def test_an_amending_decision_keeps_items_cited_as_items(corpus):
    assert corpus.article("spc-spp-credit-card-crimes-amendment-2018", "一").display == "第一项"


CARD = """---
id: {id}
topic: 测试
intent: contact_rights
questions: [催收打我电话]
cites:
  - {{doc: civil-code, article: 第一千零三十三条}}
roles:
{roles}
---
## 直接回答
不可以（民法典第一千零三十三条）。

## 怎么做
- 保存证据

## 不要做
- 不要转账
"""


def _card(tmp_path: Path, roles: str) -> Path:
    path = tmp_path / "role-card.md"
    path.write_text(CARD.format(id="role-card", roles=roles), encoding="utf-8")
    return path


def test_card_roles_are_read(tmp_path, corpus):
    card = parse_card(_card(tmp_path, "  contact:\n    direct: 你不用替他还钱。\n    steps: [挂断]"), corpus)
    assert card.roles == {"contact": {"direct": "你不用替他还钱。", "steps": ["挂断"]}}


@pytest.mark.parametrize("roles, message", [
    ("  neighbour:\n    direct: 文字", "unknown role 'neighbour'"),
    ("  contact:\n    summary: 文字", "role 'contact' needs some of"),
    ("  contact:\n    steps: 挂断", "'steps' must be a list of text"),
    ("  - contact", "'roles' must map a role"),
])
def test_bad_card_roles_name_the_file_and_line(tmp_path, corpus, roles, message):
    with pytest.raises(CorpusError) as err:
        parse_card(_card(tmp_path, roles), corpus)
    assert message in str(err.value) and "role-card.md:" in str(err.value)
