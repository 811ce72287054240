"""Answers fitted to the question: the item that applies is quoted, no stray citation,
the asker's role and own facts are used, the seed article's title is answered."""
from __future__ import annotations

import pytest

from bot.engine.citation_relevance import all_referred, answer_body
from bot.engine.claim_quotes import ends_at_list_head
from bot.engine.roles import speaks_to_borrower

pytestmark = pytest.mark.slow


def keys(answer) -> set[tuple[str, str]]:
    return {(c.doc_id, c.article) for c in answer.citations}


def test_threat_messages_quote_the_item_with_its_article_and_item_label(engine):
    answer = engine.answer("催收天天给我发恐吓短信，说要弄我")
    fifty = next(c for c in answer.citations if c.article == "第五十条")
    assert fifty.locator.startswith("第一款第（") and "……（" in fifty.quote
    assert fifty.display in answer.text
    assert not any(ends_at_list_head(c.quote) for c in answer.citations)


def test_a_fake_court_call_cites_nothing_the_answer_does_not_rely_on(engine):
    answer = engine.answer("有人自称法院打电话说我被起诉了，让我马上转账")
    assert ("civil-procedure-law", "第二百二十七条") not in keys(answer)
    assert all(c.locator != "第二款" for c in answer.citations if c.article == "第六十九条")
    assert all_referred(answer.citations, answer_body(answer.text), engine.corpus)


def test_an_emergency_contact_is_answered_as_the_contact(engine):
    answer = engine.answer("我是紧急联系人，催收天天打我电话")
    assert answer.role == "contact" and answer.suggested_tool == "contact"
    assert not speaks_to_borrower(answer.text), answer.text
    assert ("credit-card-measures-2011", "第六十八条") in keys(answer)


def test_the_users_amount_lender_and_job_loss_are_echoed_and_the_script_tool_offered(engine):
    answer = engine.answer("我欠了招商银行信用卡8万，现在失业了，怎么跟银行谈分期")
    assert answer.text.startswith("您提到：招商银行、欠款8万元、目前失业。")
    assert answer.suggested_tool == "script"
    assert answer.text != engine.answer("停息挂账靠谱吗").text


def test_the_seed_articles_own_title_is_answered(engine):
    answer = engine.answer("中信逾期打聯(lián)系人正確嗎")
    assert answer.intent == "contact_rights" and answer.language == "zh-Hant"
    assert keys(answer) & {("credit-card-measures-2011", "第六十八条"), ("civil-code", "第一千零三十三条")}


@pytest.mark.parametrize("question, expected", [
    ("催收把我的照片发到网上了", {("civil-code", "第一千零一十九条"), ("civil-code", "第一千零二十四条")}),
    ("催收在我家门口拉横幅、放哀乐", {("spc-spp-mps-moj-soft-violence-2019", "二")}),
    ("手机短信收到律师函说要起诉我", {("civil-procedure-law", "第九十条"), ("public-security-penalties-2025", "第六十二条")}),
    ("网贷是不是可以不还本金", {("civil-code", "第六百七十五条")}),
])
def test_new_cards_answer_their_questions(engine, question, expected):
    answer = engine.answer(question)
    assert keys(answer) & expected, (question, keys(answer))


def test_a_partial_document_carries_its_caveat_where_cited(engine):
    answer = engine.answer("催收在我家门口拉横幅、放哀乐")
    opinion = next(c for c in answer.citations if c.doc_id == "spc-spp-mps-moj-soft-violence-2019")
    assert opinion.display.startswith("《两高两部软暴力意见》第二条第（")
    assert "仅收录部分条文" in answer.text


def test_a_guarantor_is_not_told_a_contact_owes_nothing(engine):
    answer = engine.answer("我给朋友做了担保，他现在不还了，银行找我还钱，我要还吗")
    assert answer.role == "guarantor"
    assert "你只是被填成紧急联系人" not in answer.text
    assert ("civil-code", "第六百八十一条") in keys(answer)
