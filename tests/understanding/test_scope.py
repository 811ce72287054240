"""The scope classifier (answer / not_covered / out_of_scope), its verdict, and the rules beside it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.engine.intent import is_out_of_scope
from bot.engine.not_covered import match_topic
from bot.engine.query import normalize_question
from bot.engine.scope import read_scope, settings, verdict
from bot.engine.understanding import QuestionReader
from ingest.cards import load_cards
from ingest.classifiers.scope_model import (
    CLASSES,
    META_FILE,
    MODEL_FILE,
    ScopeClassifier,
    ScopeProbabilities,
    legal_questions,
    train,
    train_and_save,
    training_examples,
)
from ingest.corpus import load_corpus
from ingest.lenders import classifier_text
from ingest.realworld import load_questions, load_train_only_questions
from tests.conftest import KNOWLEDGE

FIXTURE = [
    ("催收打我妈电话合法吗", "answer"), ("信用卡还不上会坐牢吗", "answer"), ("催收上门威胁我怎么办", "answer"),
    ("花呗逾期多久会打给家人", "not_covered"), ("京东白条逾期几天上征信", "not_covered"),
    ("借呗的催收政策是什么", "not_covered"),
    ("离婚后孩子抚养权归谁", "out_of_scope"), ("交通事故对方全责怎么赔", "out_of_scope"),
    ("儿媳是第几顺序继承人", "out_of_scope"),
]


@pytest.fixture(scope="module")
def cards():
    return load_cards(KNOWLEDGE, load_corpus(KNOWLEDGE))


@pytest.fixture(scope="module")
def fixture_model():
    texts, labels = zip(*FIXTURE)
    return ScopeClassifier(train(list(texts), list(labels)))


def test_classifier_learns_a_small_fixture(fixture_model):
    assert fixture_model.predict("离婚后孩子的抚养权").out_of_scope > 0.5
    assert fixture_model.predict("催收打我妈妈的电话合法吗").answer > 0.5
    p = fixture_model.predict("白条逾期几天会打给家人")
    assert p.not_covered == max(p.answer, p.not_covered, p.out_of_scope)
    assert sum((p.answer, p.not_covered, p.out_of_scope)) == pytest.approx(1.0)


def test_training_uses_the_train_split_and_the_other_fields_questions(cards):
    texts, labels = training_examples(KNOWLEDGE, cards)
    assert set(labels) == set(CLASSES)
    trained = set(texts)
    train_texts = {classifier_text(q.text) for q in load_questions(KNOWLEDGE, splits=("train",))}
    held_out = [classifier_text(q.text) for q in load_questions(KNOWLEDGE, splits=("dev", "test"))]
    assert not [t for t in held_out if t in trained and t not in train_texts]
    train_only = {(classifier_text(q.text), q.label) for q in load_train_only_questions(KNOWLEDGE) if q.label in CLASSES}
    assert train_only and train_only <= set(zip(texts, labels))
    other = {classifier_text(t) for t in legal_questions(KNOWLEDGE)}
    assert len(other) >= 200 and other <= trained
    assert all(label == "out_of_scope" for text, label in zip(texts, labels) if text in other - train_texts)


def test_other_fields_questions_are_train_only_with_provenance():
    items = yaml.safe_load((Path(KNOWLEDGE) / "realworld" / "legal_questions.yaml").read_text(encoding="utf-8"))
    assert len({i["id"] for i in items}) == len(items) == len({i["text"] for i in items})
    assert all(i["split"] == "train" and i["label"] == "out_of_scope" for i in items)
    assert all(i["url"].startswith("https://github.com/") and i["text"].strip() for i in items)
    evaluated = {q.text for q in load_questions(KNOWLEDGE)}
    assert not evaluated & {i["text"] for i in items}


def test_missing_file_means_no_other_fields_questions(tmp_path):
    assert legal_questions(tmp_path) == []


def test_model_is_saved_with_the_index_and_loads(tmp_path, cards):
    meta = train_and_save(KNOWLEDGE, cards, tmp_path)
    assert (tmp_path / MODEL_FILE).is_file()
    assert json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["splits"] == ["train"]
    model = ScopeClassifier.load(tmp_path)
    assert model is not None and sorted(meta["classes"]) == sorted(CLASSES)
    assert model.predict(normalize_question("二婚没有房产证房子怎么继承")).out_of_scope > 0.5
    assert model.predict(normalize_question("催收打我妈电话合法吗")).answer > 0.5
    assert ScopeClassifier.load(tmp_path / "missing") is None


@pytest.mark.parametrize("probs,expected", [
    ((0.2, 0.7, 0.1), "not_covered"),
    ((0.2, 0.1, 0.7), "out_of_scope"),
    ((0.9, 0.05, 0.05), None),
    ((0.4, 0.3, 0.3), None),                     # neither negative is likely enough
])
def test_verdict_needs_one_negative_above_its_threshold(probs, expected):
    assert verdict(ScopeProbabilities(*probs)) == expected


def test_a_long_message_gets_no_verdict(fixture_model):
    story = "离婚后孩子抚养权归谁" * (settings()["max_chars"] // 10 + 1)
    assert read_scope(fixture_model, "离婚后孩子抚养权归谁") == "out_of_scope"
    assert read_scope(fixture_model, story) is None
    assert read_scope(None, "离婚后孩子抚养权归谁") is None


def test_reader_uses_the_scope_verdict(fixture_model, cards):
    reader = QuestionReader(None, {c.id for c in cards}, fixture_model)
    assert reader.read("交通事故对方全责怎么赔偿").out_of_scope
    understood = reader.read("白条逾期几天会打给家人")
    assert understood.not_covered is not None and not understood.out_of_scope
    plain = reader.read("催收打我妈妈的电话合法吗")
    assert plain.not_covered is None and not plain.out_of_scope


@pytest.mark.parametrize("text", ["四大国有银行个人贷款利息哪家低", "借钱一个月利息多少", "贷款买车首付多少",
                                  "买房对征信有什么要求", "信用卡积分怎么兑换", "法院拍卖资产怎么做账"])
def test_banking_questions_outside_collection_are_out_of_scope(text):
    assert is_out_of_scope(normalize_question(text))


@pytest.mark.parametrize("text", ["借给同事两万块他一直拖着怎么办", "债务人跑路了怎么办", "几个债权人怎么分执行款",
                                  "怎么追回借出去的钱", "贷款利息是怎么计算的", "做保证人有什么条件",
                                  "怎么防止爸妈乱借网贷", "欠钱老赖怎么处理最有效", "欠钱执行时，债务人有多个债权人，怎么分配",
                                  "欠钱怎么保全对方转移财产", "朋友借我钱不还", "银行贷款担保人有啥要求和条件",
                                  "同学借了钱一直拖着，怎么追讨", "当催收员有没有前途", "催收这行赚钱吗"])
def test_creditors_questions_and_loan_pricing_are_out_of_scope(text):
    assert is_out_of_scope(normalize_question(text))


@pytest.mark.parametrize("text", ["我是担保人，债务人跑了，银行找我还钱", "我是紧急联系人，债务人失联了催收天天找我",
                                  "逾期利息怎么算", "网贷利息怎么算合法", "成了老赖会怎样", "担保人要承担什么责任",
                                  "老公借了网贷催收找我怎么办", "我把身份证借给了朋友，现在催收天天找我",
                                  "被列为失信被执行人，成了老赖怎么办最好", "我欠了多个债权人的钱，可以一起协商分期吗",
                                  "老公欠网贷逾期了，法院会不会查封他的房子", "被冒充公安的催收骗了转账，如何追回钱",
                                  "我是担保人，银行要求我替借款人还钱，合法吗", "担保人被要求还款怎么办",
                                  "网贷利息怎么算的，年化超过24%的部分还要还吗", "催收员怎么样才算违法",
                                  "我欠了网贷，催收说要上门追讨", "干催收的能随便打我家人电话吗"])
def test_guarantors_contacts_and_overdue_interest_stay_in_scope(text):
    assert not is_out_of_scope(normalize_question(text))


@pytest.mark.parametrize("text", ["年利息多少合法", "网贷年利率多少合法", "一个月利息多少算高利贷",
                                  "信用卡逾期会影响买房吗", "利息超过本金合法吗"])
def test_interest_and_credit_questions_stay_in_scope(text):
    assert not is_out_of_scope(normalize_question(text))


@pytest.mark.parametrize("text", ["催收公司打电话到我公司做账的同事那里", "催收威胁要拍卖我付了首付的房子",
                                  "催收说不还钱就扣光我的信用卡积分，合法吗", "逾期一天利息多少",
                                  "逾期会影响我的芝麻信用积分吗"])
def test_banking_words_inside_a_collection_question_do_not_make_it_out_of_scope(text):
    assert not is_out_of_scope(normalize_question(text))


@pytest.mark.parametrize("text,topic", [("花呗逾期怎么申请个性化分期", "platform_installments"),
                                        ("建行逾期上征信时间", "platform_policy")])
def test_new_not_covered_topics(text, topic):
    found = match_topic(normalize_question(text))
    assert found is not None and found.id == topic


@pytest.mark.parametrize("text", ["个性化分期怎么申请", "信用卡个性化分期条件", "网贷逾期可以申请停息挂账吗"])
def test_bank_instalments_are_answerable(text):
    assert match_topic(normalize_question(text)) is None


@pytest.mark.parametrize("in_domain,expected", [(False, "out_of_scope"), (True, None)])
def test_out_of_scope_verdict_with_debt_words_has_its_own_threshold(monkeypatch, in_domain, expected):
    monkeypatch.setitem(settings()["thresholds"], "out_of_scope_in_domain", 0.8)
    assert verdict(ScopeProbabilities(0.25, 0.05, 0.7), in_domain=in_domain) == expected


def test_read_scope_applies_the_debt_word_threshold(fixture_model, monkeypatch):
    text = "交通事故对方全责，欠的赔偿款怎么要"
    probability = fixture_model.predict(text).out_of_scope
    assert probability > 0.5
    monkeypatch.setitem(settings()["thresholds"], "out_of_scope_in_domain", probability + 0.01)
    assert read_scope(fixture_model, text) is None
    monkeypatch.setitem(settings()["thresholds"], "out_of_scope_in_domain", probability - 0.01)
    assert read_scope(fixture_model, text) == "out_of_scope"


def test_out_of_scope_verdict_yields_to_a_card_guess(fixture_model, cards):
    from ingest.classifiers.question_model import QuestionClassifier
    from ingest.classifiers.question_model import train as train_questions

    guesses = QuestionClassifier(train_questions(["交通事故对方全责怎么赔", "催收打我妈电话合法吗"],
                                                 ["out_of_scope", "contact-may-they-call"]))
    reader = QuestionReader(guesses, {c.id for c in cards}, fixture_model)
    assert fixture_model.predict("交通事故对方全责怎么赔偿").out_of_scope > 0.5
    assert reader.read("交通事故对方全责怎么赔偿").out_of_scope
    card_guess = QuestionReader(QuestionClassifier(train_questions(["交通事故对方全责怎么赔", "红烧肉怎么做"],
                                                                   ["contact-may-they-call", "out_of_scope"])),
                                {c.id for c in cards}, fixture_model)
    assert not card_guess.read("交通事故对方全责怎么赔偿").out_of_scope


def test_no_out_of_scope_verdict_for_a_debt_being_collected_or_enforced(fixture_model, monkeypatch):
    monkeypatch.setitem(settings()["thresholds"], "out_of_scope_in_domain", 0.0)
    plain, enforced = "离婚后孩子抚养权归谁", "离婚判决后孩子抚养权归谁"
    probabilities = fixture_model.predict(enforced)
    assert probabilities.out_of_scope > probabilities.not_covered
    assert read_scope(fixture_model, plain) == "out_of_scope"
    assert read_scope(fixture_model, enforced) is None


def test_a_card_guess_takes_in_a_question_without_debt_words_only_when_confident(cards, monkeypatch):
    """"短信被停" has no debt word: a weak guess of the court-SMS card must not make it a debt question."""
    from bot.engine import understanding
    from ingest.classifiers.question_model import QuestionClassifier
    from ingest.classifiers.question_model import train as train_questions

    guesses = QuestionClassifier(train_questions(["收到法院短信是真的吗", "明天天气怎么样"],
                                                 ["court-letter-sms", "out_of_scope"]))
    reader = QuestionReader(guesses, {c.id for c in cards})
    confidence = guesses.predict("收到短信").confidence
    monkeypatch.setitem(understanding.thresholds(), "card", confidence - 0.01)
    monkeypatch.setitem(understanding.thresholds(), "card_in_domain", confidence + 0.01)
    weak = reader.read("收到短信")
    assert weak.card_id == "court-letter-sms" and not weak.card_in_domain
    monkeypatch.setitem(understanding.thresholds(), "card_in_domain", confidence - 0.01)
    assert QuestionReader(guesses, {c.id for c in cards}).read("收到短信").card_in_domain
