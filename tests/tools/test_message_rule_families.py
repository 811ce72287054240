"""The collector-message rules by family of wording: each family finds messages written from the
finding-code definitions (ingest/data/written_messages.yaml, not copied from the real-world dataset),
and leaves alone the lawful reminders that share its words (a bank's anti-fraud note, a promise not to
call late or not to tell the family, a mediation centre the borrower may contact). Traditional twins
give the same codes."""
from __future__ import annotations

import re

import pytest
import yaml

from bot.language import to_traditional
from bot.tools.checker import check_message
from ingest.classifiers.message_rules import load_message_rules, rule_hits
from ingest.classifiers.message_training import WRITTEN_MESSAGES_PATH

DISCLOSURE, CONTACT, THREAT, INSULT = "third_party_disclosure", "third_party_contact", "threat", "insult"
IMPERSONATION, FAKE_DOCUMENT, FALSE_CRIME = "impersonation", "fake_legal_document", "false_criminal_claim"
VISIT, HOURS, FREQUENCY = "home_or_work_visit_threat", "unreasonable_hours", "excessive_frequency"
ACCOUNT, FEE = "personal_account_payment", "fee_or_new_loan_demand"

WRITTEN = yaml.safe_load(WRITTEN_MESSAGES_PATH.read_text(encoding="utf-8"))
FAMILIES = {family: [(item["text"], set(item["codes"])) for item in items]
            for family, items in WRITTEN["families"].items()}
POSITIVES = [(family, text, codes) for family, items in FAMILIES.items() for text, codes in items]
LAWFUL = WRITTEN["lawful"]

# Each narrowed pattern still catches what it is meant for.
NARROWED_POSITIVES = [
    ("请您转告他今天之内还款，否则后果自负。", THREAT),
    ("家人出了什么事，后果自负。", THREAT),
    ("Pay now or face the consequences.", THREAT),
    ("我们会让大家都知道你欠钱不还。", DISCLOSURE),
    ("We will post your photos on Facebook.", DISCLOSURE),
    ("我们是XX律师事务所，受托处理您的欠款。", IMPERSONATION),
    ("We will call you early in the morning every day until you pay.", HOURS),
    ("They called me from several numbers today.", FREQUENCY),
    ("Send the money to my personal number now.", ACCOUNT),
    ("先交2000元服务费，可以帮您8折结清。", FEE),
]


@pytest.fixture(scope="module")
def rules():
    return load_message_rules()


@pytest.mark.parametrize("family,text,codes", POSITIVES, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(POSITIVES)])
def test_family_finds_its_codes(family, text, codes, rules):
    assert codes <= set(rule_hits(text, rules)), family


@pytest.mark.parametrize("text", LAWFUL)
def test_lawful_reminders_sharing_the_words_stay_unflagged(text, rules):
    assert rule_hits(text, rules) == {}


@pytest.mark.parametrize("text,code", NARROWED_POSITIVES)
def test_narrowed_patterns_still_catch_their_target(text, code, rules):
    assert code in rule_hits(text, rules)


@pytest.mark.parametrize("text", [t for _, t, _ in POSITIVES if re.search(r"[\u4e00-\u9fff]", t)][::3])
def test_traditional_twin_gives_the_same_codes(text, rules):
    assert set(rule_hits(to_traditional(text), rules)) == set(rule_hits(text, rules))


def test_every_macro_is_expanded(rules):
    """A macro may use the macros defined before it; none is left as literal text in a regex."""
    for rule in rules.rules:
        for regex in [r for p in rule.patterns for r in p.regexes] + rule.unless:
            assert not re.search(r"\{[A-Z_]+\}", regex.pattern), (rule.code, regex.pattern[:60])


def test_a_rule_exclusion_also_stops_its_detector(rules):
    assert "unreasonable_hours" in rule_hits("昨天晚上11点还在打电话催我。", rules)
    assert "unreasonable_hours" not in rule_hits("我们不会在晚上11点后联系您。", rules)


def test_new_family_findings_show_their_excerpt_and_verified_citations(corpus, check_citations):
    result = check_message("您好，你是刘某的姐姐吧？她借的钱到期没还，你帮忙联系一下她。后果自负。", corpus, model=None)
    assert {DISCLOSURE, CONTACT, THREAT} <= result.codes
    for finding in result.findings:
        assert finding.excerpt and finding.excerpt in "您好，你是刘某的姐姐吧？她借的钱到期没还，你帮忙联系一下她。后果自负。"
    check_citations(result.citations, result.render())
