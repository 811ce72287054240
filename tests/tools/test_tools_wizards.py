"""The three wizards through the Wizard protocol: realistic runs, bad inputs re-asked with a reason,
state that survives a JSON round trip mid-flow, verified citations, Traditional and English output,
and documents that open in python-docx."""
from __future__ import annotations

import json

import pytest

from bot.tools import WIZARDS
from bot.tools.documents import docx_text
from bot.tools.wizard import InputError, Step

DISCLAIMER = "以上是法律信息，不是律师意见，也不保证任何结果；具体情况请咨询律师或拨打法律援助热线12348。"

SCRIPT = {"creditor": "中信银行信用卡", "total": "5万", "months_overdue": "3个月", "hardship": "我失业了",
          "detail": "公司裁员，正在找工作", "monthly": "1500", "goal": "1"}
CONTACT = {"guarantee": "没有", "relation": "朋友", "repeated": "是的，天天打", "creditor": "中信"}
COMPLAIN = {"creditor": "中信银行", "when": "11月3日晚上10点半；11月5日上午9点", "number": "021-12345678",
            "said": "说我再不还钱就上门找我，还说要告我诈骗坐牢，让我妈帮我还", "others": "我爸和我领导",
            "evidence": "1 3"}
ANSWERS = {"script": SCRIPT, "contact": CONTACT, "complain": COMPLAIN}


@pytest.fixture(scope="module")
def wizards(corpus):
    return {name: cls(corpus) for name, cls in WIZARDS.items()}


def run(wizard, answers, lang="zh-Hans", roundtrip=True):
    """Drive a wizard like a front end would, serialising the state between every message."""
    state, step = wizard.start(lang)
    while not step.done:
        if roundtrip:
            state = json.loads(json.dumps(state, ensure_ascii=False))
        step = wizard.handle(state, answers[state["pending"]], lang)
        assert step.error is None, step.error
    return step.result


def test_registry_has_the_three_wizards():
    assert set(WIZARDS) == {"script", "complain", "contact"}
    for name, cls in WIZARDS.items():
        assert cls.name == name


@pytest.mark.parametrize("name", ["script", "contact", "complain"])
def test_realistic_run_has_verified_citations_disclaimer_and_document(name, wizards, check_citations):
    result = run(wizards[name], ANSWERS[name])
    assert DISCLAIMER in result.text
    assert result.citations
    document = docx_text(result.document_bytes)
    assert result.document_name.endswith(".docx")
    check_citations(result.citations, result.text, document)
    assert DISCLAIMER in document or name == "contact"


@pytest.mark.parametrize("name", ["script", "contact", "complain"])
def test_traditional_output_has_no_simplified_only_characters(name, wizards, check_citations, check_traditional):
    state, step = wizards[name].start("zh-Hant")
    check_traditional(step.prompt)
    result = run(wizards[name], ANSWERS[name], "zh-Hant")
    check_traditional(result.text)
    document = docx_text(result.document_bytes)
    check_traditional(document)
    assert "發卡銀行" in result.text or name != "contact"   # not OpenCC's 髮卡 ("hairpin")
    assert "髮" not in result.text
    check_citations(result.citations, result.text)


@pytest.mark.parametrize("name", ["script", "contact", "complain"])
def test_english_run(name, wizards, check_citations):
    answers = {"script": {**SCRIPT, "creditor": "CITIC", "detail": "skip", "hardship": "illness"},
               "contact": {"guarantee": "no", "relation": "friend", "repeated": "no", "creditor": "skip"},
               "complain": {**COMPLAIN, "said": "They said they would break my legs", "others": "none",
                            "evidence": "none"}}[name]
    result = run(wizards[name], answers, "en")
    assert "not a lawyer's advice, and no outcome is promised" in result.text
    check_citations(result.citations, result.text)


# --- script ----------------------------------------------------------------------------------

def test_script_contents(wizards):
    text = run(wizards["script"], SCRIPT).text
    for part in ("【一、电话沟通脚本】", "【二、个性化分期还款申请书】", "【三、还款计划测算】", "【四、证据清单】"):
        assert part in text
    assert "95558" in text and "卡片背面" in text
    assert "必须先还最低还款额" in text and "只能分12期" in text and "移交法务" in text
    assert "50,000元 ÷ 每月1,500元 = 34期" in text and "最后一期约500元" in text
    assert "诉讼时效中断并重新计算" in text                      # spc-limitation-2020 第十四条 warning
    assert "第十四条" in text and "仅收录部分条文" in text         # partial source shown
    assert "恳请" in text and "保证" not in text.split("【二、")[1].split("【三、")[0]  # asks, never promises
    assert "不要编造或夸大困难" in text


def test_script_plan_over_sixty_months(wizards):
    text = run(wizards["script"], {**SCRIPT, "monthly": "500", "goal": "暂缓催收"}).text
    assert "100期" in text and "超过了60期的上限" in text and "每月至少需要约834元" in text
    assert "只有双方签署分期还款协议后，银行才应当停止催收" in text
    assert "不能保证结果" in text


def test_script_unknown_platform_drops_credit_card_rule(wizards):
    result = run(wizards["script"], {**SCRIPT, "creditor": "某某网贷平台"})
    assert all(c.doc_id != "credit-card-measures-2011" for c in result.citations)
    assert "第七十条并不直接适用" in result.text or "并不直接适用" in result.text


@pytest.mark.parametrize("key, bad, reason", [
    ("total", "-5000", "负数"), ("total", "0", "不能为 0"), ("total", "3亿", "1 亿"), ("total", "很多", "看不懂"),
    ("months_overdue", "700", "600"), ("hardship", "外星人", "没有这个选项"), ("monthly", "6万", "比欠款总额"),
    ("goal", "9", "没有这个选项"), ("creditor", "12345", "名称"), ("detail", "x" * 400, "太长"),
])
def test_script_reasks_with_a_reason(key, bad, reason, wizards):
    wizard = wizards["script"]
    state, step = wizard.start("zh-Hans")
    while state["pending"] != key:
        step = wizard.handle(state, SCRIPT[state["pending"]], "zh-Hans")
    asked = step.prompt
    step = wizard.handle(state, bad, "zh-Hans")
    assert not step.done and reason in step.error and step.prompt == asked
    assert state["pending"] == key and key not in state["answers"]
    state = json.loads(json.dumps(state))            # resume after a "restart"
    step = wizard.handle(state, SCRIPT[key], "zh-Hans")
    assert step.error is None


def test_bad_input_in_english_gets_english_reason(wizards):
    wizard = wizards["script"]
    state, _ = wizard.start("en")
    wizard.handle(state, "CITIC", "en")
    step = wizard.handle(state, "minus five", "en")
    assert step.error.startswith("Could not read")


# --- robustness --------------------------------------------------------------------------------

NASTY = ["", " ", "😀", "-1", "1e309", "NaN", "99999999999999999999", "１２３", "\x00", "x" * 5000, "0", "0.001",
         "万", "...", "¥", "半", "三分之一", "--5", "<script>", "%s", "{0}", "/cancel", "1 2 3", "skip"]


@pytest.mark.parametrize("name", ["script", "contact", "complain"])
def test_garbage_never_crashes_and_state_stays_json(name, wizards):
    wizard = wizards[name]
    for junk in NASTY:
        state, step = wizard.start("zh-Hans")
        for _ in range(len(wizard.questions) + 2):
            step = wizard.handle(state, junk, "zh-Hans")
            state = json.loads(json.dumps(state))
            assert isinstance(step, Step)
            assert step.done or step.prompt
            if step.done:
                break


def test_corrupt_or_foreign_state_restarts(wizards):
    wizard = wizards["script"]
    for state in ({}, {"tool": "contact", "answers": {}, "pending": "guarantee", "done": False},
                  {"tool": "script", "answers": {}, "pending": "nope", "done": False}):
        step = wizard.handle(state, "5万", "zh-Hans")
        assert step.error and "从头开始" in step.error
        assert state["pending"] == "creditor"


def test_finished_state_is_not_reused(wizards):
    wizard = wizards["contact"]
    state, step = wizard.start("zh-Hans")
    for key in ("guarantee", "relation", "repeated", "creditor"):
        step = wizard.handle(state, CONTACT[key], "zh-Hans")
    assert step.done
    again = wizard.handle(state, "hello", "zh-Hans")
    assert again.done and again.result is None and again.error


def test_run_names_missing_and_rejected_answers(wizards):
    with pytest.raises(InputError, match="total"):
        wizards["script"].run({"creditor": "中信"}, "zh-Hans")
    with pytest.raises(InputError, match="monthly"):
        wizards["script"].run({**SCRIPT, "monthly": "99万"}, "zh-Hans")


def test_choice_numbers_and_buttons(wizards):
    wizard = wizards["script"]
    state, step = wizard.start("zh-Hans")
    assert step.choices[0] == "中信银行"
    step = wizard.handle(state, "1", "zh-Hans")          # a button number stands for its suggestion
    assert state["answers"]["creditor"] == {"id": "citic", "name": "中信银行"}


# --- contact guide --------------------------------------------------------------------------

def test_contact_guide_no_guarantee(wizards):
    result = run(wizards["contact"], CONTACT)
    assert "你没有还款义务" in result.text
    assert {("civil-code", "第四百六十五条"), ("civil-code", "第六百八十一条"), ("civil-code", "第五百五十二条")} <= \
        {(c.doc_id, c.article) for c in result.citations}
    assert ("public-security-penalties-2025", "第五十条") in {(c.doc_id, c.article) for c in result.citations}
    notice = docx_text(result.document_bytes)
    assert "停止联系告知函" in notice and "中信银行" in notice and "不代为转告" in notice
    assert "录音" in result.text and "12378" in result.text


def test_contact_guide_guarantor_and_spouse(wizards):
    result = run(wizards["contact"], {**CONTACT, "guarantee": "签过担保", "relation": "老婆"})
    assert "可能需要承担保证责任" in result.text and "夫妻共同债务" in result.text
    articles = {c.article for c in result.citations if c.doc_id == "civil-code"}
    assert {"第六百八十六条", "第六百八十八条", "第一千零六十四条"} <= articles
    assert "没有还款义务" not in result.text


# --- complaint ---------------------------------------------------------------------------------

def test_complaint_finds_rules_and_builds_three_parts(wizards):
    result = run(wizards["complain"], {**COMPLAIN, "said": "说要打断我的腿，还说他是派出所的警察"})
    text = result.text
    assert "向中信银行投诉" in text and "95558" in text and "12378" in text and "【三、报警提纲】" in text
    assert "打断我的腿" in text                     # the user's own words go into their letter
    cited = {(c.doc_id, c.article) for c in result.citations}
    assert ("public-security-penalties-2025", "第六十二条") in cited
    assert ("public-security-penalties-2025", "第五十条") in cited
    document = docx_text(result.document_bytes)
    assert "投诉书" in document and "报警提纲" in document


def test_complaint_without_threats_has_no_police_outline(wizards):
    result = run(wizards["complain"], COMPLAIN)
    assert "报警提纲" not in result.text
    codes_text = result.text
    assert "向家人、单位或联系人催收" in codes_text and "深夜或清晨催收" in codes_text
    assert "停止联系与债务无关的第三人" in codes_text


def test_complaint_with_nothing_unlawful_says_so(wizards):
    result = run(wizards["complain"], {**COMPLAIN, "when": "11月3日下午3点", "said": "提醒我还款", "others": "无"})
    assert "没有自动识别出明确的违规条文" in result.text


@pytest.mark.parametrize("key, bad, reason", [("when", "不记得了", "日期或时间"), ("number", "不知道号码", "来电号码"),
                                              ("evidence", "照片墙", "没有这个选项")])
def test_complaint_reasks(key, bad, reason, wizards):
    wizard = wizards["complain"]
    state, step = wizard.start("zh-Hans")
    while state["pending"] != key:
        step = wizard.handle(state, COMPLAIN[state["pending"]], "zh-Hans")
    step = wizard.handle(state, bad, "zh-Hans")
    assert reason in step.error and state["pending"] == key


def test_script_long_overdue_warns_about_expired_limitation(wizards, check_citations):
    result = run(wizards["script"], {**SCRIPT, "months_overdue": "4年"})
    assert "逾期已满3年" in result.text and "不能再以时效届满为由抗辩" in result.text
    cited = {(c.doc_id, c.article) for c in result.citations}
    assert {("civil-code", "第一百八十八条"), ("civil-code", "第一百九十二条"), ("spc-limitation-2020", "第八条")} <= cited
    check_citations(result.citations, result.text)
    assert "逾期已满3年" not in run(wizards["script"], SCRIPT).text


def test_control_characters_do_not_break_the_document(wizards):
    answers = {**COMPLAIN, "creditor": "中信\x01银行", "number": "021\x0012345678", "said": "说要打我\x00\x1f"}
    result = run(wizards["complain"], answers)
    assert "\x00" not in result.text and "说要打我" in docx_text(result.document_bytes)


def test_contact_guide_spouse_without_guarantee_is_not_told_flatly_no_duty(wizards):
    text = run(wizards["contact"], {**CONTACT, "relation": "配偶"}).text
    assert "仅凭紧急联系人的身份" in text and "夫妻共同债务" in text
    assert not text.startswith("【你需要还钱吗？】\n你没有还款义务")
