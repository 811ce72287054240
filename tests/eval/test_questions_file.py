"""Validate the evaluation question set against the schema and the real corpus.

The eval harness trusts this file: a gold article that does not exist would make
a correct answer look wrong, so every reference is resolved in knowledge/.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from ingest.cards import INTENTS as ENGINE_INTENTS
from ingest.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = Path(__file__).with_name("questions.yaml")

LANGS = {"zh-Hans", "zh-Hant", "en"}
INTENTS = set(ENGINE_INTENTS)
EXPECTS = {"answer", "out_of_scope", "refused", "greeting", "false_premise"}
# Intents that must go with a given non-answer expectation.
EXPECT_INTENT = {"out_of_scope": "out_of_scope", "refused": "refused", "greeting": "greeting"}
REQUIRED = {"id", "question", "lang", "intent", "gold", "expect"}
OPTIONAL = {"must_not_cite", "note"}


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    assert isinstance(data, list), "questions.yaml must be a YAML list"
    return data


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "knowledge")


def test_enough_questions_with_unique_ids(questions):
    assert len(questions) >= 80
    ids = [q["id"] for q in questions]
    duplicated = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicated, f"duplicate ids: {duplicated}"
    texts = [q["question"].strip() for q in questions]
    assert len(set(texts)) == len(texts), "duplicate question texts"


def test_fields_are_valid(questions):
    for q in questions:
        keys = set(q)
        assert REQUIRED <= keys, f"{q.get('id')}: missing {REQUIRED - keys}"
        assert keys <= REQUIRED | OPTIONAL, f"{q['id']}: unknown fields {keys - REQUIRED - OPTIONAL}"
        assert isinstance(q["question"], str) and q["question"].strip(), q["id"]
        assert q["lang"] in LANGS, f"{q['id']}: lang {q['lang']}"
        assert q["intent"] in INTENTS, f"{q['id']}: intent {q['intent']}"
        assert q["expect"] in EXPECTS, f"{q['id']}: expect {q['expect']}"
        assert isinstance(q["gold"], list), q["id"]


def test_gold_matches_expectation(questions):
    for q in questions:
        if q["expect"] == "answer":
            assert 1 <= len(q["gold"]) <= 5, f"{q['id']}: answer questions need 1-5 gold articles"
            assert q["intent"] not in {"greeting", "out_of_scope", "refused"}, q["id"]
        else:
            assert q["gold"] == [], f"{q['id']}: gold must be empty when expect={q['expect']}"
        if q["expect"] in EXPECT_INTENT:
            assert q["intent"] == EXPECT_INTENT[q["expect"]], q["id"]


def _refs(q: dict):
    for field in ("gold", "must_not_cite"):
        for ref in q.get(field) or []:
            yield field, ref


def test_every_referenced_article_exists(questions, corpus):
    missing = []
    for q in questions:
        for field, ref in _refs(q):
            assert set(ref) == {"doc", "article"}, f"{q['id']}: bad {field} entry {ref}"
            article = corpus.article(ref["doc"], ref["article"])
            if article is None:
                missing.append(f"{q['id']} {field} {ref['doc']} {ref['article']}")
            elif article.label != ref["article"]:
                # Labels are written exactly as in the corpus so the harness can compare strings.
                missing.append(f"{q['id']} {field} {ref['doc']} {ref['article']} (label is {article.label})")
    assert not missing, "unresolved articles:\n" + "\n".join(missing)


def test_gold_prefers_in_force_documents(questions, corpus):
    for q in questions:
        for ref in q["gold"]:
            assert corpus.document(ref["doc"]).in_force, f"{q['id']}: gold cites superseded {ref['doc']}"


def test_language_and_category_coverage(questions):
    langs = Counter(q["lang"] for q in questions)
    assert langs["zh-Hant"] >= 10
    assert langs["en"] >= 8
    expects = Counter(q["expect"] for q in questions)
    for kind in EXPECTS:
        assert expects[kind] >= 1, f"no {kind} questions"
    intents = {q["intent"] for q in questions}
    assert intents == INTENTS, f"intents never expected: {INTENTS - intents}"
