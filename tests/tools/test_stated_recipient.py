"""Who the user says they are, in the words sent with a message to check or in a question: the role
taken (Simplified, Traditional, English), the words quoted back, the collector's text left to check,
and the statements that must not make the user a third party."""
from __future__ import annotations

import pytest

from bot.tools.recipient import RECIPIENTS
from bot.tools.stated_recipient import load_stated_patterns, stated_note, stated_recipient


@pytest.mark.parametrize("text, role", [
    ("我是他的紧急联系人，收到短信：您的朋友张三已逾期，请转告他还款。", "contact"),
    ("我是他的緊急聯絡人，收到簡訊：您的朋友張三已逾期。", "contact"),
    ("他把我填成了紧急联系人，催收发来：请转告他还款。", "contact"),
    ("我被朋友填成紧急联系人了", "contact"),
    ("我是他同学，刚收到：你同学欠款不还", "contact"),
    ("朋友欠分期乐为什么给我打电话", "contact"),
    ("他人网贷留存我方电话号码，导致我方遭受频繁骚扰", "contact"),
    ("收到催收好友欠款的短信怎么办", "contact"),
    ("I'm his emergency contact. They wrote: tell him to pay.", "contact"),
    ("She listed me as her emergency contact: pay now", "contact"),
    ("我是她妈妈", "relative"),
    ("我是她媽媽，收到這條：你女兒欠錢不還。", "relative"),
    ("你好，我是张三的老婆：你老公欠款已逾期", "relative"),
    ("我儿子欠了网贷，催收发给我：你儿子再不还就起诉", "relative"),
    ("离婚了，前夫以前借的网贷，催收现在还来找我，我要还吗", "relative"),
    ("I am her mother. Message: your daughter owes us", "relative"),
    ("我是他领导，单位收到：贵单位员工欠款", "employer"),
    ("我是他們公司的人事：貴公司員工欠款逾期", "employer"),
    ("I'm his manager: your employee owes us money", "employer"),
    ("我是借款人，收到：请尽快还款", "borrower"),
    ("I'm the borrower: pay by Friday", "borrower"),
])
def test_a_clear_statement_gives_the_role(text, role):
    statement = stated_recipient(text)
    assert statement is not None and statement.role == role


@pytest.mark.parametrize("text", [
    "我朋友是紧急联系人，催收说要起诉我",            # someone else is the contact
    "我的紧急联系人是我妈",                          # the borrower speaking of their contact
    "我不是他的紧急联系人，为什么打给我",            # a denial names no role
    "我是不是他的紧急联系人？",                      # a question
    "我是否是他的紧急联系人",
    "如果我是他的紧急联系人，要替他还钱吗",          # a hypothetical
    "What if I'm his emergency contact?",
    "I'm not his emergency contact",
    "你是他的紧急联系人，请转告他还款。",            # the collector's words
    "您好，我是XX公司的催收专员，您的朋友欠款逾期。",
    "我是妈妈",                                      # whose mother? no one is named
    "欠款已逾期三天，请今天内还清。",
    "朋友欠我钱不还，他老婆发消息给我说没钱",        # the user lent the money
    "我老公弟弟借了我们的钱五年了，没写欠条",        # the brother-in-law borrowed from the user
    "您老公借的网贷已经逾期，请转告他。",            # the collector speaking of the recipient's husband
    "阿姨您好，您家儿子借的钱三个月没还了",
])
def test_no_clear_statement_gives_no_role(text):
    statement = stated_recipient(text)
    assert statement is None or statement.role not in ("contact", "relative", "employer"), statement


def test_the_borrower_is_not_made_a_contact():
    assert stated_recipient("我是借款人").role == "borrower"
    assert stated_recipient("我是借款人的紧急联系人").role == "contact"
    assert stated_recipient("我朋友是紧急联系人") is None


def test_a_role_word_before_de_is_someone_elses_role():
    # "我是他妈妈的朋友": the user is a friend, not the mother.
    assert stated_recipient("我是他妈妈的朋友").role == "contact"


@pytest.mark.parametrize("text, role", [
    ("这是催收发给我妈的短信：你儿子欠款不还，请转告他。", "relative"),
    ("我老公收到的：你老婆欠钱不还", "relative"),
    ("催收打给我领导：贵单位员工欠款逾期", "employer"),
    ("發給我朋友的：你朋友欠款不還", "contact"),
    ("My mom got this: your son owes us", "relative"),
])
def test_whom_a_message_was_sent_to_names_its_recipient_in_the_lead_only(text, role):
    statement = stated_recipient(text)
    assert statement is not None and statement.role == role
    # In a question it names who was called, not the asker: no role for the asker's later checks.
    assert stated_recipient(text, lead_only=False) is None


def test_a_collectors_own_company_is_not_the_users_employer():
    assert stated_recipient("请尽快打给我们公司处理：欠款已逾期") is None
    assert stated_recipient("催收打给我妈合法吗", lead_only=False) is None


def test_the_statement_is_cut_from_the_text_to_check():
    statement = stated_recipient("我是他的紧急联系人，收到短信：您的朋友张三已逾期，请转告他还款。")
    assert statement.words == "我是他的紧急联系人"
    assert statement.rest == "您的朋友张三已逾期，请转告他还款。"
    # Without a colon, only the statement's own clause goes.
    statement = stated_recipient("我是他老婆，你老公欠钱不还。请尽快还款。")
    assert (statement.words, statement.rest) == ("我是他老婆", "你老公欠钱不还。请尽快还款。")
    assert stated_recipient("我是她妈妈").rest == ""


def test_in_a_message_to_check_only_the_lead_counts():
    # Past the user's introduction the words are the collector's, who may pose as a colleague.
    assert stated_recipient("您好。我是他的同事，他欠我们的钱。") is None
    assert stated_recipient("您好。我是他的同事，他欠我们的钱。", lead_only=False).role == "employer"
    # Whoever says "your husband's colleague" speaks to the recipient: never the user's own words.
    assert stated_recipient("我是你老公的同事，他欠我们的钱不还", lead_only=False) is None
    # A question is all the user's own words.
    assert stated_recipient("催收天天打电话。我是他的紧急联系人，要替他还吗", lead_only=False).role == "contact"
    assert stated_recipient("催收天天打电话。我是他的紧急联系人，要替他还吗") is None


@pytest.mark.parametrize("lang, expected", [
    ("zh-Hans", "按您说的“我是她妈妈”，这里当作借款人的家人收到的信息来检查"),
    ("zh-Hant", "按您說的“我是她妈妈”，這裡當作借款人的家人收到的信息來檢查"),   # the user's words as written
    ("en", "From your words “我是她妈妈”, this was checked as a message received by a member of the borrower's family"),
])
def test_the_reply_says_which_role_was_assumed(lang, expected):
    assert expected in stated_note(stated_recipient("我是她妈妈"), lang)


def test_every_stated_role_is_a_recipient_and_every_pattern_compiles():
    patterns = load_stated_patterns()
    assert set(patterns.roles) == set(RECIPIENTS)
    assert all(patterns.roles[role] for role in RECIPIENTS)
    assert set(patterns.sent_to) == {"contact", "relative", "employer"}   # sent to the borrower: the default


def test_a_bad_pattern_is_refused(tmp_path):
    from bot.tools.recipient import PATTERNS_PATH

    broken = PATTERNS_PATH.read_text(encoding="utf-8").replace("stated_sent_to:\n  relative:\n",
                                                                 "stated_sent_to:\n  relative:\n    - '(unclosed'\n", 1)
    path = tmp_path / "recipient_rules.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="stated_sent_to"):
        load_stated_patterns(path)


def test_measured_no_wrong_role_and_none_read_in_collectors_words():
    from bot.stated_eval import ROOT, evaluate, markdown

    report = evaluate(ROOT / "knowledge", "dev")
    for questions in (report["in_house"], report["realworld"]):
        assert questions["right"] == questions["roles_read"]          # precision first: no wrong role
    assert report["in_house"]["found"] == report["in_house"]["third_party_askers"] > 0
    assert report["collector_messages"] > 0 and report["collector_messages_with_a_role"] == 0
    assert "third-party askers found" in markdown(report)
