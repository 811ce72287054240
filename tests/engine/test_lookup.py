"""Direct article lookup against the real corpus."""
from __future__ import annotations

import pytest

from bot.engine.composer import compose_lookup
from bot.engine.lookup import asks_for_old_version, lookup, mentioned_documents
from bot.engine.query import normalize_question
from bot.engine.retrieval import wants_old_version


@pytest.mark.parametrize("question, doc, label", [
    ("民法典第1032条", "civil-code", "第一千零三十二条"),
    ("第一千零三十二条是什么", "civil-code", "第一千零三十二条"),
    ("刑法293条之一", "criminal-law", "第二百九十三条之一"),
    ("PIPL art. 13", "pipl", "第十三条"),
    ("What does Article 196 of the Criminal Law say?", "criminal-law", "第一百九十六条"),
    ("个人信息保护法第十三条", "pipl", "第十三条"),
    ("个保法第44条", "pipl", "第四十四条"),
    ("民法典第一千零三十三條", "civil-code", "第一千零三十三条"),
    ("《信用卡业务监督管理办法》第六十八条原文", "credit-card-measures-2011", "第六十八条"),
    ("治安管理处罚法第五十条", "public-security-penalties-2025", "第五十条"),
    ("2012年治安管理处罚法第四十二条", "public-security-penalties-2012", "第四十二条"),
    ("旧法 治安管理处罚法第42条", "public-security-penalties-2012", "第四十二条"),
    ("旧版治安管理处罚法第四十二条", "public-security-penalties-2012", "第四十二条"),
    ("治安管理处罚法（2012）第四十二条", "public-security-penalties-2012", "第四十二条"),
    ("治安管理处罚法第42条（2012年版）", "public-security-penalties-2012", "第四十二条"),
    ("What does article 42 of the old public security law say?", "public-security-penalties-2012", "第四十二条"),
    # a year or "旧" elsewhere in the question is not a version of the law
    ("我2012年办的信用卡，催收说要按治安管理处罚法第五十条处罚我", "public-security-penalties-2025", "第五十条"),
    ("旧账还没还清，治安管理处罚法第50条管骚扰短信吗", "public-security-penalties-2025", "第五十条"),
])
def test_named_articles_are_found(corpus, question, doc, label):
    result = lookup(normalize_question(question), corpus)
    assert result.kind == "article"
    assert (result.doc_id, result.article.label) == (doc, label)


@pytest.mark.parametrize("question, old", [
    ("2012年治安管理处罚法怎么规定骚扰短信", True),
    ("旧版治安管理处罚法对恐吓短信怎么处罚", True),
    ("治安管理处罚法（2012）对发送淫秽信息怎么罚", True),
    ("What did the old public security law say about threatening messages?", True),
    ("我2012年借的钱，现在还能告我吗", False),
    ("2012年借的网贷，催收发恐吓短信，治安管理处罚法怎么处罚", False),
    ("旧法里催收能不能上门", False),
    ("治安管理处罚法怎么处罚骚扰短信", False),
])
def test_old_version_only_when_the_marker_is_attached_to_the_law(question, old):
    question = normalize_question(question)
    assert asks_for_old_version(question) is old
    assert wants_old_version(question) is old
    expected = "public-security-penalties-2012" if old else "public-security-penalties-2025"
    assert [d for d in mentioned_documents(question) if d.startswith("public-security")] in ([], [expected])


def test_old_numbering_maps_to_the_current_article(corpus):
    result = lookup(normalize_question("听说治安管理处罚法第四十二条管骚扰短信，现在还是这条吗"), corpus)
    assert (result.doc_id, result.article.label) == ("public-security-penalties-2025", "第五十条")
    assert "2012" in result.message_zh


def test_item_of_an_article(corpus):
    result = lookup("治安管理处罚法第五十条第一款第五项", corpus)
    composed = compose_lookup(result, "zh-Hans", corpus, [])
    assert composed.citations[0].quote.startswith("（五）多次发送")


@pytest.mark.parametrize("question, kind", [
    ("民法典第2000条", "missing_article"),
    ("刑法第五百条之九讲的是什么", "missing_article"),
    ("《徵信業管理條例》第八十八條說什麼？", "missing_article"),
    ("合同法第二百零六条", "false_document"),
    ("反骚扰法第3条怎么规定的", "false_document"),
    ("担保法第十九条", "false_document"),
    ("《债务催收管理条例》第二十条", "false_document"),
    ("网络借贷催收管理办法第5条", "unknown_document"),
    ("信用卡业务监督管理办法第五条", "not_in_partial"),
])
def test_articles_that_cannot_be_cited(corpus, question, kind):
    result = lookup(normalize_question(question), corpus)
    assert result.kind == kind
    composed = compose_lookup(result, "zh-Hans", corpus, [])
    assert composed.citations == []


def test_missing_article_is_said_plainly(corpus):
    composed = compose_lookup(lookup("民法典第2000条", corpus), "zh-Hans", corpus, [])
    assert "没有第二千条" in composed.text


def test_laodong_hetongfa_is_not_mistaken_for_hetongfa(corpus):
    assert lookup("劳动合同法有什么规定", corpus) is None
