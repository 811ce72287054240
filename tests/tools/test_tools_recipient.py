"""Who received a collector's message: the third-party findings the recipient adds to the checker,
their wording for the person who received it, and what must not trigger them."""
from __future__ import annotations

import pytest
import yaml

from bot.tools.checker import RULES_PATH, check_message
from bot.tools.recipient import PATTERNS_PATH, RECIPIENTS, load_patterns, recipient_hits

THIRD_PARTIES = ("contact", "relative", "employer")
DISCLOSURE, CONTACT = "third_party_disclosure", "third_party_contact"


@pytest.mark.parametrize("recipient", THIRD_PARTIES)
def test_debt_demand_received_by_a_third_party_discloses_the_debt(recipient, corpus):
    text = "別再躲了，欠錢遲早要還。"          # written to the debtor; the text alone shows no third party
    assert check_message(text, corpus).lawful
    result = check_message(text, corpus, recipient=recipient)
    # A demand to the debtor that reached someone else tells them; it asks them for nothing.
    assert result.codes == {DISCLOSURE}
    finding = result.findings[0]
    assert finding.source == "recipient" and finding.excerpt == "別再躲了，欠錢遲早要還。"
    assert result.recipient == recipient and not result.lawful


def test_request_to_pass_on_is_collection_through_the_recipient(corpus, check_citations):
    text = "您好，这里是XX金融。借款人王某已逾期三个月。请您转告他今天之内还款，否则后果自负。"
    before = check_message(text, corpus, model=None)
    result = check_message(text, corpus, model=None, recipient="contact")
    assert {DISCLOSURE, CONTACT} <= result.codes and result.codes - before.codes <= {DISCLOSURE, CONTACT}
    by_code = {f.code: f for f in result.findings}
    assert "逾期" in by_code[DISCLOSURE].excerpt                 # the excerpt shows the debt mention
    assert "转告" in by_code[CONTACT].excerpt
    text_out = result.render()
    check_citations(result.citations, text_out)
    # Explained to the person who received it, not to the borrower.
    assert "发给的不是借款人本人" in by_code[DISCLOSURE].explanation
    assert "不是借款合同的当事人" in by_code[CONTACT].explanation
    assert "可以拒绝转告" in by_code[CONTACT].advice
    # A spouse may owe a joint marital debt: the wording never tells every relative they owe nothing.
    assert "夫妻共同债务" in by_code[CONTACT].explanation
    assert "不要替借款人还款" not in by_code[CONTACT].advice
    assert any("第一千零六十四条" in str(c) for c in result.citations)
    assert result.summary.startswith("按您所说，这条信息是借款人的朋友或紧急联系人收到的。")


def test_message_naming_another_debtor_collects_through_the_recipient():
    hits = recipient_hits("贵单位员工张某某在我司的借款已严重逾期。", "employer")
    assert set(hits) == {DISCLOSURE, CONTACT}
    hits = recipient_hits("Your son borrowed money from us and has not paid it back.", "relative")
    assert set(hits) == {DISCLOSURE, CONTACT}


@pytest.mark.parametrize("text", [
    "【招商银行】您尾号1234的信用卡本期账单已逾期，欠款5,320元，请尽快还款。详询95555。",
    "您好，您的朋友张某的借款已逾期，请转告他尽快还款。",
    "This is an attempt to collect a debt. Please call us back.",
])
@pytest.mark.parametrize("recipient", ["borrower", None])
def test_the_borrower_or_an_unstated_recipient_adds_nothing(text, recipient, corpus):
    # A lawful reminder to the borrower stays lawful; the text rules alone answer for the rest.
    assert recipient_hits(text, recipient) == {}
    plain = check_message(text, corpus, model=None)
    stated = check_message(text, corpus, model=None, recipient=recipient)
    assert stated.codes == plain.codes and stated.summary == plain.summary


def test_lawful_reminder_to_the_borrower_stays_lawful(corpus):
    result = check_message("【中信银行】您的信用卡已逾期，请尽快还款，详询95558。", corpus, recipient="borrower")
    assert result.lawful and result.recipient == "borrower"


@pytest.mark.parametrize("text", [
    "你好，周末一起吃饭吗？",
    "我们公司明天下午三点开会，请准时参加。",
    "【招商银行】贷款利率低至3.5%，欢迎办理信用卡。",
    "Hi, are you free this weekend? Let's catch up.",
    "You did an outstanding job on the report, thank you.",
    "Don't pay attention to the noise upstairs, see you tomorrow.",
])
@pytest.mark.parametrize("recipient", THIRD_PARTIES)
def test_unrelated_text_to_a_third_party_adds_nothing(text, recipient, corpus):
    assert recipient_hits(text, recipient) == {}
    assert not {DISCLOSURE, CONTACT} & check_message(text, corpus, model=None, recipient=recipient).codes


def test_traditional_and_english_wording_for_a_third_party(corpus, check_traditional):
    hant = check_message("您的好友XXX欠款逾期，請協助催繳。", corpus, model=None, recipient="contact")
    assert hant.language == "zh-Hant" and {DISCLOSURE, CONTACT} <= hant.codes
    check_traditional(hant.render())
    assert "按您所說" in hant.summary
    en = check_message("Your friend Zhou has a payment outstanding; kindly pass this on to him.", corpus,
                       model=None, recipient="relative")
    assert en.codes == {DISCLOSURE, CONTACT}
    assert en.summary.startswith("You said this message was received by a member of the borrower's family.")
    by_code = {f.code: f for f in en.findings}
    assert "went to someone other than the borrower" in by_code[DISCLOSURE].explanation
    assert "joint marital debt" in by_code[CONTACT].explanation


def test_text_rule_finding_is_reworded_for_a_third_party(corpus):
    # The text rules find third_party_contact already; the stated recipient changes whom it speaks to.
    text = "您的朋友周某有笔待还款，烦请转达。"
    plain = {f.code: f for f in check_message(text, corpus, model=None).findings}
    stated = {f.code: f for f in check_message(text, corpus, model=None, recipient="contact").findings}
    assert plain[CONTACT].source == stated[CONTACT].source == "rule"
    assert plain[CONTACT].explanation != stated[CONTACT].explanation
    assert plain[CONTACT].citations == stated[CONTACT].citations


def test_json_carries_the_recipient(corpus):
    data = check_message("欠钱还钱，天经地义，尽快处理。", corpus, model=None, recipient="relative").to_json()
    assert data["recipient"] == "relative"
    assert {f["source"] for f in data["findings"]} == {"recipient"}


@pytest.mark.parametrize("bad", ["unknown", "friend", ""])
def test_unknown_recipient_is_refused(bad, corpus):
    with pytest.raises(ValueError, match="recipient"):
        check_message("请尽快还款", corpus, recipient=bad)


def test_third_party_wording_is_complete_for_both_codes():
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))["rules"]
    for code in (DISCLOSURE, CONTACT):
        wording = raw[code]["third_party"]
        for part in ("explanation", "advice"):
            assert wording[part]["zh"] and wording[part]["en"]


def test_bad_regex_in_patterns_file_fails_loading(tmp_path):
    raw = yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8"))
    raw["debt"].append("欠(款")
    bad = tmp_path / "recipient.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="debt"):
        load_patterns(bad)


def test_recipients_are_the_dataset_values_but_unknown():
    from ingest.realworld import load_messages
    from tests.tools.conftest import KNOWLEDGE

    stated = {m.recipient for m in load_messages(KNOWLEDGE, splits=("train",))}
    assert stated - {"unknown"} <= set(RECIPIENTS)


def test_screenshot_applies_the_recipient_to_received_bubbles_only(corpus):
    from bot.evidence import bubbles, ocr
    from bot.evidence.screenshot import check_bubbles

    def line(text: str, x: int, y: int) -> ocr.OcrLine:
        return ocr.OcrLine(text, 1.0, (x, y, x + 420, y + 46))

    received, reply = "这个月的欠款请在周五前还清。", "我不欠你们钱，别再发了。"
    found = bubbles.group([line(received, 60, 300), line(reply, 600, 420)], 1080)
    assert [b.side for b in bubbles.messages(found)] == ["left", "right"]
    assert not check_bubbles(found, corpus).codes
    report = check_bubbles(found, corpus, recipient="relative")
    by_text = {m.text: m.result for m in report.messages}
    assert by_text[received].codes == {DISCLOSURE}
    assert by_text[reply].codes == set() and by_text[reply].recipient is None   # the recipient's own words
    assert report.render().startswith("按您所说，这条信息是借款人的家人收到的。")


def test_court_assistance_notice_to_the_employer_adds_nothing():
    # A court may lawfully ask the employer to withhold wages; 协助 and 贵单位 do not make it collection.
    assert recipient_hits("请贵单位协助扣留被执行人张某的工资收入。", "employer") == {}


@pytest.mark.parametrize("text", ["您有义务按时还款。", "我们有责任提醒您按时还款。"])
def test_duty_written_to_the_debtor_only_discloses(text):
    # Read by a relative the demand tells them of the debt; it asks nothing of them.
    assert set(recipient_hits(text, "relative")) == {DISCLOSURE}
    assert set(recipient_hits("你有义务督促他还款，他已逾期。", "relative")) == {DISCLOSURE, CONTACT}


@pytest.mark.parametrize("text", ["马上还有惊喜活动，欢迎到店。", "年终大促，不还价。"])
def test_the_adverb_huan_is_no_debt(text):
    assert recipient_hits(text, "contact") == {}


@pytest.mark.parametrize("text", ["他借的钱到现在还没还。", "Your son didn't repay us.",
                                  "Your son haven't paid yet."])
def test_a_negated_repayment_is_a_debt(text):
    assert DISCLOSURE in recipient_hits(text, "relative")
