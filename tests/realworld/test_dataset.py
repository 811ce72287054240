"""The real-world dataset is well formed, split by page, and its gold articles exist."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from ingest.cards import load_cards
from ingest.corpus import load_corpus
from ingest.realworld import (
    DatasetError,
    load_messages,
    load_questions,
    load_train_only_questions,
    training_questions,
)

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
CODES = set(yaml.safe_load((KNOWLEDGE.parent / "bot" / "data" / "checker_rules.yaml")
                           .read_text(encoding="utf-8"))["rules"])


def page_split(url: str) -> str:
    bucket = int(hashlib.sha1(url.encode()).hexdigest(), 16) % 100
    return "test" if bucket < 33 else "dev" if bucket < 50 else "train"


@pytest.fixture(scope="module")
def questions():
    return load_questions(KNOWLEDGE)


@pytest.fixture(scope="module")
def messages():
    return load_messages(KNOWLEDGE)


@pytest.fixture(scope="module")
def train_only():
    return load_train_only_questions(KNOWLEDGE)


def test_sizes_meet_the_minimums(questions, messages):
    assert len(questions) >= 200
    assert len([m for m in messages if m.lawful]) >= 40
    assert len([q for q in questions if q.split == "test"]) >= 60
    assert len([m for m in messages if m.split == "test"]) >= 60


@pytest.mark.parametrize("load", [load_questions, load_messages])
def test_no_page_is_in_two_splits(load):
    splits_of_page = defaultdict(set)
    for item in load(KNOWLEDGE):
        splits_of_page[item.url].add(item.split)
        assert item.url.startswith(("http://", "https://")), item.id
        if not item.augmented:
            assert item.split == page_split(item.url), item.id
    assert all(len(s) == 1 for s in splits_of_page.values())


def test_augmented_items_are_train_only(questions, messages):
    assert all(i.split == "train" for i in [*questions, *messages] if i.augmented)


def test_ids_and_texts_are_unique(questions, messages):
    for items in (questions, messages):
        assert len({i.id for i in items}) == len(items)
        assert len({i.text for i in items}) == len(items)


def test_answer_questions_name_an_existing_card_and_articles(questions, train_only):
    corpus = load_corpus(KNOWLEDGE)
    cards = {c.id for c in load_cards(KNOWLEDGE, corpus)}
    for q in [*questions, *train_only]:
        if q.label == "answer":
            assert q.card in cards, q.id
            assert q.gold, q.id
            for doc, article in q.gold:
                assert corpus.article(doc, article) is not None, (q.id, doc, article)
        else:
            assert not q.gold, q.id


def test_train_only_questions_are_train_only_with_provenance(questions, train_only):
    assert len(train_only) >= 150
    assert all(q.split == "train" and q.url.startswith("https://github.com/") for q in train_only)
    assert len({q.id for q in train_only}) == len(train_only) == len({q.text for q in train_only})
    assert not {q.id for q in questions} & {q.id for q in train_only}
    assert not {q.text for q in questions} & {q.text for q in train_only}
    assert {"answer", "not_covered", "out_of_scope"} <= {q.label for q in train_only}


def test_training_reads_the_train_split_and_the_train_only_questions(train_only):
    trained = {q.id for q in training_questions(KNOWLEDGE)}
    assert {q.id for q in load_questions(KNOWLEDGE, splits=("train",))} | {q.id for q in train_only} == trained
    assert not trained & {q.id for q in load_questions(KNOWLEDGE, splits=("dev", "test"))}


def write_dataset_file(knowledge_dir: Path, name: str, item: str) -> None:
    (knowledge_dir / "realworld").mkdir()
    (knowledge_dir / "realworld" / name).write_text(f"- {item}\n", encoding="utf-8")


def test_a_train_only_file_refuses_other_splits(tmp_path):
    write_dataset_file(tmp_path, "legal_questions_debt.yaml",
                       "{id: d1, text: 欠钱, url: 'https://a', split: dev, label: out_of_scope, lang: zh-Hans}")
    with pytest.raises(DatasetError, match="d1"):
        load_train_only_questions(tmp_path)
    with pytest.raises(DatasetError, match="d1"):
        training_questions(tmp_path)


def test_a_knowledge_folder_without_the_dataset_has_no_training_questions(tmp_path):
    assert training_questions(tmp_path) == []


def test_message_codes_are_checker_codes(messages):
    for m in messages:
        assert set(m.codes) <= CODES, (m.id, m.codes)


def test_a_malformed_file_names_the_item(tmp_path):
    write_dataset_file(tmp_path, "messages.yaml", "{id: x1, text: hi, url: 'https://a', split: holdout, codes: [], lang: en}")
    with pytest.raises(DatasetError, match="x1"):
        load_messages(tmp_path)


def test_split_filter_keeps_test_out_of_training(messages):
    train = load_messages(KNOWLEDGE, splits=("train",))
    assert train and all(m.split == "train" for m in train)
    assert len(train) < len(messages)
