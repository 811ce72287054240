"""Collector-message checker: exact finding codes on realistic messages, verified citations,
Traditional/English handling, and the rules file's own validation."""
from __future__ import annotations

import json

import pytest
import yaml

from bot.engine.citations import CitationError
from bot.tools.checker import CODES, RULES_PATH, CheckerInputError, check_message, load_rules
from ingest.classifiers.message_model import CASES_PATH

CASES = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))["cases"]


def test_case_file_is_big_and_balanced():
    assert len(CASES) >= 45
    assert sum(1 for c in CASES if not c["expect"]) >= 10
    assert len({c["id"] for c in CASES}) == len(CASES)
    covered = {code for c in CASES for code in c["expect"]}
    assert covered == set(CODES), f"codes without an example: {set(CODES) - covered}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_exact_codes(case, corpus):
    result = check_message(case["text"], corpus)
    assert result.codes == set(case["expect"])
    assert result.lawful == (not case["expect"])
    for finding in result.findings:
        assert finding.excerpt and len(finding.excerpt) <= 121
        assert finding.citations and finding.explanation and finding.advice


def test_every_rule_citation_verifies(corpus, check_citations):
    rules = load_rules(corpus)
    assert {r.code for r in rules.rules} == set(CODES)
    for rule in rules.rules:
        check_citations(rule.citations)


def test_lawful_reminder_says_so_plainly(corpus):
    result = check_message("【中信银行】您尾号1234的信用卡已逾期，欠款5,320元，请尽快还款。详询95558。", corpus)
    assert result.lawful and not result.findings
    text = result.render()
    assert "没有发现违规内容" in text and "合法" in text
    assert "以上是法律信息，不是律师意见，也不保证任何结果" in text


def test_excerpt_is_the_offending_sentence(corpus):
    text = "您好，这里是银行信用卡中心。再不还钱，找人打断你的腿！请尽快处理。"
    finding = check_message(text, corpus).findings[0]
    assert finding.code == "threat"
    assert finding.excerpt == "再不还钱，找人打断你的腿！"


def test_rendered_findings_cite_the_corpus(corpus, check_citations):
    result = check_message("我是派出所的民警，你已经涉嫌诈骗，把钱转到我个人账户就不抓你。", corpus)
    assert {"impersonation", "false_criminal_claim", "personal_account_payment"} <= result.codes
    text = result.render()
    assert "110" in text
    check_citations(result.citations, text)
    assert "仅收录部分条文" in text or "单一来源" in text   # caveats shown where cited


def test_json_shape(corpus):
    data = json.loads(json.dumps(check_message("你这个老赖，爆你通讯录", corpus).to_json(), ensure_ascii=False))
    assert data["lawful"] is False
    finding = data["findings"][0]
    assert {"code", "excerpt", "explanation", "advice", "citations"} <= set(finding)
    assert {"doc_id", "article", "short_title", "quote", "status"} <= set(finding["citations"][0])


def test_traditional_input_gets_traditional_output(corpus, check_traditional):
    text = "你這個老賴，再不還錢就爆你通訊錄。"
    result = check_message(text, corpus)
    assert result.language == "zh-Hant"
    assert result.codes == {"insult", "third_party_disclosure"}
    rendered = result.render()
    check_traditional(rendered)
    assert result.findings[0].excerpt == "你這個老賴，再不還錢就爆你通訊錄。"


def test_english_input_gets_english_explanations(corpus):
    result = check_message("They said they will break my legs and called my boss at 11 pm.", corpus)
    assert result.language == "en"
    assert result.codes == {"threat", "third_party_contact", "unreasonable_hours"}
    assert "Threat" in result.findings[0].title
    assert "Nothing unlawful" in check_message("Please repay 500 yuan by Friday.", corpus).summary


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_message_is_a_clear_error(text, corpus):
    with pytest.raises(CheckerInputError) as info:
        check_message(text, corpus)
    assert "粘贴" in info.value.zh


def test_service_hours_are_not_a_late_call(corpus):
    assert check_message("客服热线服务时间 8:00-22:00，夜间请留言。", corpus).lawful
    assert check_message("他们22:30还打电话来。", corpus).codes == {"unreasonable_hours"}
    assert check_message("早上7点就打电话催款", corpus).codes == {"unreasonable_hours"}
    assert check_message("晚上9点接到提醒电话", corpus).lawful
    assert check_message("晚上1点还在打电话", corpus).codes == {"unreasonable_hours"}   # after midnight
    assert check_message("晚上12点打来", corpus).codes == {"unreasonable_hours"}
    assert check_message("下午5点打来", corpus).lawful


def test_bad_quote_in_rules_file_fails_loading(corpus, tmp_path):
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    raw["rules"]["threat"]["cites"] = [{"doc": "credit-card-measures-2011", "article": "第六十八条",
                                        "quote": "银行可以随意催收"}]
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CitationError):
        load_rules(corpus, bad)


def test_unknown_code_in_rules_file_fails_loading(corpus, tmp_path):
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    raw["rules"]["made_up"] = raw["rules"]["threat"]
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="made_up"):
        load_rules(corpus, bad)
