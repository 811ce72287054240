"""The question classifier: training on a small fixture, saving with an index, what it trains on."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from ingest.cards import load_cards
from ingest.classifiers import question_model
from ingest.classifiers.linear_text import LinearTextModel, export
from ingest.classifiers.question_model import (
    META_FILE,
    MODEL_FILE,
    QuestionClassifier,
    train,
    train_and_save,
    training_examples,
    written_card_examples,
)
from ingest.corpus import load_corpus
from ingest.realworld import load_questions
from tests.conftest import KNOWLEDGE
from tests.support import ROOT

FIXTURE = [
    ("催收打我妈电话合法吗", "contact-may-they-call"), ("催收给我家人打电话", "contact-may-they-call"),
    ("催收一直打我爸妈手机", "contact-may-they-call"),
    ("信用卡还不上会坐牢吗", "criminal-risk-jail"), ("欠信用卡会被抓吗", "criminal-risk-jail"),
    ("恶意透支判几年", "criminal-risk-jail"),
    ("催收一天打几次算合法", "not_covered"), ("催收几点可以打电话", "not_covered"),
    ("今天天气怎么样", "out_of_scope"), ("红烧肉怎么做", "out_of_scope"),
]


def test_classifier_learns_a_small_fixture():
    texts, labels = zip(*FIXTURE)
    model = QuestionClassifier(train(list(texts), list(labels)))
    assert set(model.classes) == set(labels)
    assert model.predict("催收打我妈妈的电话").label == "contact-may-they-call"
    assert model.predict("信用卡欠款会坐牢吗").label == "criminal-risk-jail"
    prediction = model.predict("红烧肉怎么做好吃")
    assert prediction.label == "out_of_scope" and 0 < prediction.confidence <= 1 and prediction.margin >= 0


def test_training_uses_the_train_split_only():
    corpus = load_corpus(KNOWLEDGE)
    cards = load_cards(KNOWLEDGE, corpus)
    texts, labels = training_examples(KNOWLEDGE, cards)
    from ingest.lenders import classifier_text

    trained = set(texts)
    train_texts = {classifier_text(q.text) for q in load_questions(KNOWLEDGE, splits=("train",))}
    held_out = [classifier_text(q.text) for q in load_questions(KNOWLEDGE, splits=("dev", "test"))]
    assert train_texts <= trained
    assert not [t for t in held_out if t in trained and t not in train_texts]
    assert {"not_covered", "out_of_scope", "refused"} <= set(labels)
    assert {c.id for c in cards} <= set(labels)


@pytest.mark.parametrize("model", ["question", "scope"])
def test_held_out_pages_are_left_out_of_training(model):
    """Cross-validation by page (bot.realworld_eval) trains without a fold's pages: none of their questions is seen."""
    from ingest.classifiers import scope_model
    from ingest.lenders import classifier_text

    cards = load_cards(KNOWLEDGE, load_corpus(KNOWLEDGE))
    examples = question_model.training_examples if model == "question" else scope_model.training_examples
    train_questions = [q for q in load_questions(KNOWLEDGE, splits=("train",)) if q.label != "refused"]
    pages = frozenset(q.url for q in train_questions[::5])
    held = {classifier_text(q.text) for q in train_questions if q.url in pages}
    kept = {classifier_text(q.text) for q in train_questions if q.url not in pages}
    all_texts, _ = examples(KNOWLEDGE, cards)
    texts, _ = examples(KNOWLEDGE, cards, pages)
    assert held and held <= set(all_texts)
    assert not (held - kept) & set(texts)
    assert len(texts) == len(all_texts) - sum(1 for q in train_questions if q.url in pages)


def test_model_is_saved_with_the_index_and_loads(tmp_path):
    corpus = load_corpus(KNOWLEDGE)
    cards = load_cards(KNOWLEDGE, corpus)
    meta = train_and_save(KNOWLEDGE, cards, tmp_path)
    assert (tmp_path / MODEL_FILE).is_file()
    assert json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))["splits"] == ["train"]
    model = QuestionClassifier.load(tmp_path)
    assert model is not None and model.classes == meta["classes"]
    assert model.predict("催收打我妈电话合法吗").label in meta["classes"]


def test_missing_model_loads_as_none(tmp_path):
    assert QuestionClassifier.load(tmp_path) is None


def test_exported_arrays_give_scikit_learns_probabilities(tmp_path):
    corpus = load_corpus(KNOWLEDGE)
    cards = load_cards(KNOWLEDGE, corpus)
    texts, labels = training_examples(KNOWLEDGE, cards)
    pipeline = train(texts, labels)
    assert export(pipeline, tmp_path / question_model.ARRAYS_FILE)
    arrays = LinearTextModel.load(tmp_path / question_model.ARRAYS_FILE)
    assert arrays.classes_ == list(pipeline.classes_)
    unseen = ["催收打我妈妈的电话  合法吗？", "Can they call my EMPLOYER", "欠款", "", "   ", "😀", "民法典第1032条"]
    questions = texts[::7] + unseen
    expected = pipeline.predict_proba(questions)
    got = arrays.predict_proba(questions)
    assert np.allclose(got, expected, rtol=0, atol=1e-12)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_a_pipeline_of_another_shape_is_not_exported(tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = zip(*FIXTURE)
    words = make_pipeline(TfidfVectorizer(analyzer="word"), LogisticRegression()).fit(texts, labels)
    assert not export(words, tmp_path / question_model.ARRAYS_FILE) and not (tmp_path / question_model.ARRAYS_FILE).exists()


def test_saved_model_answers_without_importing_scikit_learn(tmp_path):
    corpus = load_corpus(KNOWLEDGE)
    meta = train_and_save(KNOWLEDGE, load_cards(KNOWLEDGE, corpus), tmp_path)
    assert meta["arrays"] and (tmp_path / question_model.ARRAYS_FILE).is_file()
    expected = QuestionClassifier(train(*training_examples(KNOWLEDGE, load_cards(KNOWLEDGE, corpus))))
    code = ("import sys; from ingest.classifiers.question_model import QuestionClassifier; "
            f"p = QuestionClassifier.load({str(tmp_path)!r}).predict('催收打我妈电话合法吗'); "
            "print(p.label, repr(p.confidence), 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    label, confidence, imported = out.split()
    want = expected.predict("催收打我妈电话合法吗")
    assert label == want.label and abs(float(confidence) - want.confidence) < 1e-12
    assert imported == "False"


def test_written_card_phrasings_train_their_cards_and_stay_apart_from_the_dataset():
    """Every written card phrasing names an existing card, trains it, and is no real user's question."""
    corpus = load_corpus(KNOWLEDGE)
    cards = load_cards(KNOWLEDGE, corpus)
    written = written_card_examples({c.id for c in cards})
    assert written and all(len(phrasings) >= 5 for phrasings in written.values())
    texts, labels = training_examples(KNOWLEDGE, cards)
    trained = set(zip(texts, labels))
    from ingest.lenders import classifier_text

    assert all((classifier_text(p), card_id) in trained for card_id, ps in written.items() for p in ps)
    real = {classifier_text(q.text) for q in load_questions(KNOWLEDGE)}
    assert not [p for ps in written.values() for p in ps if classifier_text(p) in real]


def test_written_card_phrasings_name_only_existing_cards_and_a_subset_keeps_its_own():
    corpus = load_corpus(KNOWLEDGE)
    every_card = {c.id for c in load_cards(KNOWLEDGE, corpus)}
    assert set(written_card_examples()) <= every_card         # a renamed card would lose its phrasings
    assert set(written_card_examples({"contact-may-they-call", "no-such-card"})) == {"contact-may-they-call"}


def test_prediction_carries_every_card_probability():
    texts, labels = zip(*FIXTURE)
    prediction = QuestionClassifier(train(list(texts), list(labels))).predict("催收打我妈妈的电话")
    cards = prediction.card_probabilities()
    assert set(cards) == {"contact-may-they-call", "criminal-risk-jail"}
    assert max(cards, key=cards.get) == prediction.label
    assert sum(p for _, p in prediction.probabilities) == pytest.approx(1.0)
