"""Who is asking, and what they said about their own debt."""
from __future__ import annotations

import pytest

from bot.engine.query import normalize_question
from bot.engine.roles import detect_role, speaks_of_own_contacts, speaks_to_borrower
from bot.engine.specifics import echo, extract, suggested_tool


@pytest.mark.parametrize("question, role", [
    ("我是紧急联系人，催收天天打我电话", "contact"),
    ("朋友借网贷填了我的电话，催收天天打给我", "contact"),
    ("我被填成了紧急联系人", "contact"),
    ("I'm only listed as an emergency contact on my friend's loan", "contact"),
    ("我老公欠了网贷，催收打我电话", "relative"),
    ("离婚了，前夫以前借的网贷，催收现在还来找我", "relative"),
    ("My husband owes 50k on credit cards", "relative"),
    ("我给朋友做了担保，他不还了", "guarantor"),
    ("我既是担保人又是紧急联系人", "guarantor"),
    ("我们公司有个员工欠了网贷，催收天天打到公司", "employer"),
    ("催收天天打我妈电话，这合法吗", "borrower"),
    ("我填了我妈做紧急联系人，催收会打给她吗", "borrower"),      # the asker listed the contact
    ("我留了我老公当紧急联系人，他们会找他吗", "borrower"),
    ("借款时我写了我同事的电话作为联系人", "borrower"),
    ("催收打到我公司领导那里去了", "borrower"),
    ("Can debt collectors call my parents and my boss about my credit card debt?", "borrower"),
])
def test_detect_role(question, role):
    assert detect_role(normalize_question(question)) == role


@pytest.mark.parametrize("question, own", [
    ("网贷催收说我填了紧急联系人，就等于同意他们联系我所有亲戚朋友吗", True),
    ("催收一直打給我的緊急聯絡人，這樣合法嗎？", True),
    ("朋友把我填成了紧急联系人", False),
    ("我是紧急联系人要替他还钱吗", False),
    ("催收可以打给紧急联系人吗", False),
])
def test_the_borrower_speaking_of_their_own_contacts(question, own):
    assert speaks_of_own_contacts(normalize_question(question)) is own


def test_borrower_phrases_are_recognised_in_any_script():
    assert speaks_to_borrower("留一个你本人能接通的电话")
    assert speaks_to_borrower("留一個你本人能接通的電話")
    assert not speaks_to_borrower("明确告诉来电者：我不是借款人，请停止联系我。")


@pytest.mark.parametrize("question, zh, en", [
    ("我欠了招商银行信用卡8万，现在失业了，怎么跟银行谈分期", "您提到：招商银行、欠款8万元、目前失业。",
     "You mentioned: China Merchants Bank (CMB), 80,000 yuan owed, currently out of work."),
    ("信用卡逾期3个月了，欠了五万块", "您提到：欠款5万元、逾期3个月。", "You mentioned: 50,000 yuan owed, 3 months overdue."),
    ("网贷逾期半年了，生病住院", "您提到：逾期半年、身患疾病。", "You mentioned: half a year overdue, ill."),
    ("交通事故赔偿还不上", "", ""),           # 交通 alone is not the Bank of Communications
    ("民法典第1033条", "", ""),               # an article number is not an amount
])
def test_specifics_are_echoed(question, zh, en):
    found = extract(normalize_question(question))
    assert echo(found, "zh-Hans") == zh
    assert echo(found, "en") == en


def test_the_matching_tool():
    job_loss = extract("我失业了")
    assert suggested_tool("我失业了还不上", "negotiation", "borrower", job_loss) == "script"
    assert suggested_tool("催收打我", "contact_rights", "contact", extract("")) == "contact"
    assert suggested_tool("催收发短信说：“再不还钱就去你单位闹，让你全家社死”", "collector_conduct", "borrower",
                          extract("")) == "check"
    assert suggested_tool("去哪里投诉", "complaint", "borrower", extract("")) == "complain"
    assert suggested_tool("征信多久消除", "credit_report", "borrower", extract("")) is None


def test_question_normalisation_reuses_the_ingest_cleaner():
    assert normalize_question("中信逾期打聯(lián)系人正確嗎") == "中信逾期打联系人正确吗"
    assert normalize_question("資深用戶\n中信逾期打聯(lián)系人正確\n2024-11-10 14:18:37 瀏覽 作者:某人") == "中信逾期打联系人正确"
    assert normalize_question("我的电话13812345678被爆了") == "我的电话被爆了"
    assert normalize_question("民法典第1033条") == "民法典第1033条"
