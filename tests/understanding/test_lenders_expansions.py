"""Lender vocabulary and query expansion (data files, no index needed)."""
from __future__ import annotations

import pytest

from bot.engine.citations import is_valid
from bot.engine.lenders import binds, detect_lender, lender_citations, lender_note
from bot.engine.query import build_query, normalize_question
from ingest.corpus import load_corpus
from ingest.lenders import with_lender_words
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.mark.parametrize("text,lender", [
    ("花呗逾期了催收打我妈电话", "online_platform"),
    ("借唄逾期三個月怎麼辦", "online_platform"),          # Traditional spelling of 借呗
    ("美团生活费逾期说要上门", "online_platform"),
    ("微粒贷会爆通讯录吗", "online_platform"),
    ("京东白条多久上征信", "online_platform"),
    ("光大信用卡第三方上门催收怎么办", "bank_credit_card"),
    ("招行卡逾期了", "bank_credit_card"),
    ("捷信逾期收到催款通知", "consumer_finance"),
    ("安逸花逾期2天", "consumer_finance"),
    ("网络小贷不还会怎么样", "microloan"),
    ("借给朋友五万他不接电话", "private"),
    ("建设银行房贷逾期", "bank_loan"),
    ("中信银行催收天天打我紧急联系人电话", "bank"),     # a bank without its product
    ("招商银行信用卡逾期", "bank_credit_card"),
    ("中信银行贷款逾期了", "bank_loan"),
    ("my credit card is overdue", "bank_credit_card"),
])
def test_lender_type_is_detected(text, lender):
    match = detect_lender(normalize_question(text))
    assert match is not None and match.type.id == lender


@pytest.mark.parametrize("text", ["催收打我家人电话合法吗", "征信也会受影响吗", "催收过程中行为很恶劣"])
def test_no_lender_when_none_is_named(text):
    assert detect_lender(normalize_question(text)) is None


def test_credit_card_rules_bind_banks_only(corpus):
    card = detect_lender("信用卡逾期")
    platform = detect_lender("花呗逾期")
    assert binds(card, "credit-card-measures-2011")
    assert not binds(platform, "credit-card-measures-2011")
    assert "只约束发卡银行" in lender_note(platform, "zh-Hans")
    assert "credit-card" in lender_note(platform, "en")
    cited = lender_citations(card, corpus)
    assert [(c.doc_id, c.article) for c in cited] == [("credit-card-measures-2011", "第六十八条")]
    assert all(is_valid(corpus, c) for c in cited)


def test_a_bank_named_alone_gets_both_products_rules(corpus):
    """Most banks' collection calls are about credit cards, but a bank also lends: the answer must not
    tell a credit-card debtor that the credit-card rule does not bind their bank."""
    bank = detect_lender(normalize_question("中信银行的催收打我同事电话"))
    assert binds(bank, "credit-card-measures-2011")
    note = lender_note(bank, "zh-Hans")
    assert "如果是信用卡欠款" in note and "如果是银行贷款" in note
    assert [(c.doc_id, c.article) for c in lender_citations(bank, corpus)] == [
        ("credit-card-measures-2011", "第六十八条")]


def test_private_lending_rules_for_private_lenders(corpus):
    private = detect_lender("借给朋友的钱")
    cited = lender_citations(private, corpus)
    assert ("spc-private-lending-2020", "第一条") in [(c.doc_id, c.article) for c in cited]
    assert "民间借贷司法解释" in lender_note(private, "zh-Hans")


@pytest.mark.parametrize("text,term", [
    ("网贷用还吗", "借款合同"),
    ("花呗逾期会怎样", "网贷"),                # brand names are not in statutes
    ("捷信逾期收到催款通知", "金融机构"),
    ("催收连环call怎么办", "滋扰"),
    ("收到律师函", "催收函"),
    ("收到传票怎么办", "诉讼"),
    ("终审判决后不还会怎样", "执行"),
    ("被炸通讯录了", "个人信息"),
])
def test_short_queries_brands_documents_and_slang_are_expanded(text, term):
    assert term in build_query(text).expansion


@pytest.mark.parametrize("text,expected", [
    ("京东白条逾期有啥后果", "京东白条逾期有啥后果 网贷"),
    ("安逸花逾期2天", "安逸花逾期2天 网贷"),            # a consumer-finance brand people call a 网贷
    ("光大卡逾期了", "光大卡逾期了 信用卡"),
    ("网贷逾期会爆通讯录吗", "网贷逾期会爆通讯录吗"),     # the generic word is there already
    ("催收打我家人电话合法吗", "催收打我家人电话合法吗"),  # no creditor named
])
def test_classifiers_read_a_brand_with_its_kind_of_debt(text, expected):
    assert with_lender_words(normalize_question(text)) == expected


def test_bot_and_ingest_name_the_same_lenders():
    # the bot's notes cover every kind of creditor ingest's vocabulary names, in its matching order
    from bot.engine.lenders import lender_types
    from ingest.lenders import lender_names

    assert list(lender_types()) == [lender.id for lender in lender_names()]
