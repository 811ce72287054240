"""Content checks for the answer cards in knowledge/cards/.

The cards are the bot's most-read answers, so these tests hold them to the
project's legal-accuracy rules: every cite exists, no superseded or repealed law,
the 14 QA topics of the corpus checklist are covered with their key articles,
and every article a card names in its text is one it cites.

Front matter is parsed here with PyYAML on purpose, independently of
`ingest.cards`, so a loader bug cannot hide a content error (the loader gets its
own round-trip test at the end).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.language import detect_language
from ingest.cards import TOPICAL_INTENTS
from ingest.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
CARDS_DIR = KNOWLEDGE / "cards"

AUDIENCES = {"borrower", "contact", "both"}
SECTIONS = ["## 直接回答", "## 怎么做", "## 不要做"]
MAX_BODY_CHARS = 900

# The 14 topics of the key-article checklist (knowledge/cards/README.md) -> cards that answer them, and the
# key articles of that topic; each listed card must cite at least one of them.
TOPICS: dict[str, tuple[list[str], set[tuple[str, str]]]] = {
    "1 contacts, relatives, employer": (
        ["contact-may-they-call", "contact-stop-calls", "workplace-visit", "contact-info-source"],
        {("credit-card-measures-2011", "第六十八条"), ("civil-code", "第一千零三十三条"), ("pipl", "第十条"),
         ("pipl", "第五条"), ("pipl", "第六条")}),
    "2 must a contact repay": (
        ["contact-must-i-pay", "guarantor-vs-contact", "contact-spouse-debt", "family-debt-parents-children"],
        {("civil-code", "第四百六十五条"), ("civil-code", "第六百八十一条"), ("civil-code", "第一千零六十四条")}),
    "3 disclosure, contact list": (
        ["disclosure-contact-list", "app-contact-permission"],
        {("pipl", "第二十五条"), ("pipl", "第十条"), ("public-security-penalties-2025", "第五十六条")}),
    "4 threats, insults, harassment": (
        ["threats-insults", "harassing-calls-frequency", "illegal-lender-collection"],
        {("public-security-penalties-2025", "第五十条"), ("criminal-law", "第二百九十三条"),
         ("criminal-law", "第二百九十三条之一"), ("criminal-law", "第二百三十八条")}),
    "5 criminal risk, malicious overdraft": (
        ["criminal-risk-jail"],
        {("criminal-law", "第一百九十六条"), ("spc-spp-credit-card-crimes-amendment-2018", "一")}),
    "6 credit report": (
        ["credit-report-how-long", "credit-report-dispute", "contact-credit-impact"],
        {("credit-reporting-regulation", "第十六条"), ("credit-reporting-regulation", "第二十五条"),
         ("credit-reporting-regulation", "第十三条")}),
    "7 negotiation, instalments": (
        ["negotiation-installments", "overdue-first-steps"],
        {("credit-card-measures-2011", "第七十条")}),
    "8 complaints": (
        ["complaint-where"],
        {("complaint-handling-2020", "第十八条"), ("complaint-handling-2020", "第八条")}),
    "9 home and workplace visits": (
        ["home-visit", "workplace-visit"],
        {("public-security-penalties-2025", "第四十七条"), ("public-security-penalties-2025", "第二十六条")}),
    "10 recording calls": (
        ["recording-calls"],
        {("civil-procedure-law", "第六十六条"), ("spc-civil-procedure-interpretation-2022", "第一百一十六条")}),
    "11 limitation": (
        ["limitation"],
        {("civil-code", "第一百八十八条"), ("civil-code", "第一百九十五条")}),
    "12 fees, interest, caps": (
        ["fees-interest", "negotiation-penalty-interest"],
        {("spc-bank-card-disputes-2021", "第二条"), ("civil-code", "第六百八十条")}),
    "13 lawsuits and enforcement": (
        ["lawsuit-payment-order", "enforcement-shixin-xiangao"],
        {("civil-procedure-law", "第二百二十七条"), ("civil-procedure-law", "第二百六十六条"),
         ("spc-limit-consumption-2015", "第三条")}),
    "14 scams": (
        ["scam-collector-account", "fake-police-lawyer", "debt-optimization-agencies"],
        {("anti-telecom-fraud-law", "第二条"), ("public-security-penalties-2025", "第六十二条"),
         ("credit-reporting-regulation", "第二十五条")}),
}

_ARTICLE_IN_TEXT = re.compile(r"第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")
# Phrasings that would promise an outcome nobody can guarantee.
_PROMISES = ("保证停催", "保证修复", "一定能", "肯定能", "包你", "百分之百", "100%", "必定减免", "一定会停")


def _parse(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path.name}: no front matter"
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    meta["_body"], meta["_path"] = body, path
    return meta


CARD_FILES = sorted(p for p in CARDS_DIR.glob("*.md") if p.stem.lower() != "readme")
CARDS = [_parse(p) for p in CARD_FILES]
BY_ID = {c["id"]: c for c in CARDS}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(KNOWLEDGE)


def _cited(card: dict) -> set[tuple[str, str]]:
    return {(c["doc"], str(c["article"])) for c in card["cites"]}


def test_enough_cards_and_ids_unique_and_match_file_names():
    assert len(CARDS) >= 24
    ids = [c["id"] for c in CARDS]
    assert len(ids) == len(set(ids))
    for card in CARDS:
        assert card["id"] == card["_path"].stem


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_front_matter_fields(card):
    assert isinstance(card["topic"], str) and card["topic"].strip()
    assert card["audience"] in AUDIENCES
    assert card["intent"] in TOPICAL_INTENTS
    questions = card["questions"]
    assert 6 <= len(questions) <= 12
    assert len(set(questions)) == len(questions)
    langs = [detect_language(q) for q in questions]
    assert "zh-Hant" in langs, "each card needs a Traditional phrasing"
    assert "en" in langs, "each card needs an English phrasing"
    assert 2 <= len(card["followups"]) <= 4


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_every_cite_resolves_to_an_in_force_article(card, corpus):
    assert card["cites"]
    for cite in card["cites"]:
        article = corpus.article(cite["doc"], str(cite["article"]))
        assert article is not None, f"{cite} not in corpus"
        assert corpus.document(cite["doc"]).status == "in_force", f"{cite['doc']} is not current law"


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_body_has_the_three_sections_in_order_and_is_short(card):
    body = card["_body"]
    headings = [line.strip() for line in body.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS
    for section in re.split(r"^## .*$", body, flags=re.M)[1:]:
        assert section.strip(), "empty section"
    assert len(body.strip()) <= MAX_BODY_CHARS


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_articles_named_in_the_body_are_cited(card):
    """A 第X条 in the text without a matching cite would be an unverified legal claim."""
    cited_labels = {label for _, label in _cited(card)}
    named = set(_ARTICLE_IN_TEXT.findall(card["_body"]))
    assert named <= cited_labels, f"named but not cited: {sorted(named - cited_labels)}"


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_no_superseded_or_repealed_law_and_no_promises(card):
    body = card["_body"]
    assert all(c["doc"] != "public-security-penalties-2012" for c in card["cites"])
    assert "合同法" not in body, "合同法 was repealed by the Civil Code in 2021"
    assert "反骚扰法" not in body, "there is no 反骚扰法"
    for phrase in _PROMISES:
        assert phrase not in body, f"promises an outcome: {phrase}"


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_caveated_documents_are_named_and_scoped(card):
    body, cited = card["_body"], _cited(card)
    docs = {doc for doc, _ in cited}
    if "credit-card-measures-2011" in docs:
        # partial, single-source department rule: the answer must say whose rule it is
        assert "《商业银行信用卡业务监督管理办法》" in body
    if "public-security-penalties-2025" in docs:
        assert "2025年修订" in body
    if ("criminal-law", "第二百九十三条之一") in cited:
        assert "非法债务" in body, "第二百九十三条之一 covers illegal debts only"
    if "spc-private-lending-2020" in docs:
        assert ("spc-private-lending-2020", "第一条") in cited and "不适用" in body


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c["id"])
def test_followups_are_questions_other_cards_answer(card):
    owners = {q: c["id"] for c in CARDS for q in c["questions"]}
    for followup in card["followups"]:
        assert followup in owners, f"no card answers follow-up {followup!r}"
        assert owners[followup] != card["id"], f"follow-up {followup!r} points back to itself"


def test_questions_are_not_shared_between_cards():
    seen: dict[str, str] = {}
    for card in CARDS:
        for q in card["questions"]:
            assert q not in seen, f"{q!r} in both {seen[q]} and {card['id']}"
            seen[q] = card["id"]


@pytest.mark.parametrize("topic", sorted(TOPICS), ids=str)
def test_key_article_topics_are_covered(topic):
    card_ids, key_articles = TOPICS[topic]
    for card_id in card_ids:
        assert card_id in BY_ID, f"topic {topic}: card {card_id} missing"
        assert _cited(BY_ID[card_id]) & key_articles, f"{card_id} cites none of the key articles of {topic}"


def test_emergency_contact_view_is_covered():
    contact_cards = [c for c in CARDS if c["audience"] == "contact"]
    assert len(contact_cards) >= 4
    # the contact's core question: no duty to pay without a guarantee
    must_pay = BY_ID["contact-must-i-pay"]
    assert {("civil-code", "第四百六十五条"), ("civil-code", "第六百八十五条")} <= _cited(must_pay)


def test_cards_load_through_the_ingest_loader(corpus):
    cards_module = pytest.importorskip("ingest.cards")
    loaded = cards_module.load_cards(KNOWLEDGE, corpus)
    assert sorted(c.id for c in loaded) == sorted(BY_ID)
    for card in loaded:
        assert card.body.startswith("## 直接回答")
        assert card.questions == BY_ID[card.id]["questions"]
