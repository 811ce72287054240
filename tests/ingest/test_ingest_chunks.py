"""Article splitting on the real documents, card and long-article chunks."""
from __future__ import annotations

import json

import pytest

from ingest.build import load_sources
from ingest.cards import load_cards
from ingest.chunks import article_chunks, card_chunks
from ingest.corpus import load_corpus
from tests.support import KNOWLEDGE


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(KNOWLEDGE)


@pytest.fixture(scope="module")
def sources():
    return load_sources(KNOWLEDGE)


def test_criminal_law_293_1_is_its_own_chunk(sources):
    chunk = next(c for c in sources.chunks if c.id == "reg:criminal-law:第二百九十三条之一")
    meta = chunk.metadata
    assert (meta["article"], meta["article_number"], meta["article_suffix"]) == ("第二百九十三条之一", 293, 1)
    assert chunk.text.startswith("《刑法》第二百九十三条之一（第二编 分则 > 第六章 妨害社会管理秩序罪")
    assert "催收高利放贷等产生的非法债务" in chunk.text
    assert "第二百九十四条" not in chunk.text
    plain = next(c for c in sources.chunks if c.id == "reg:criminal-law:第二百九十三条")
    assert (plain.metadata["article_number"], plain.metadata["article_suffix"]) == (293, 0)


def test_civil_code_has_1260_article_chunks(sources):
    civil = [c for c in sources.chunks if c.metadata.get("doc_id") == "civil-code"]
    articles = {c.metadata["article_number"] for c in civil}
    assert len([c for c in civil if c.metadata["part"] == 1]) == 1260
    assert articles == set(range(1, 1261))
    assert all(c.metadata["status"] == "in_force" and c.metadata["short_title"] == "民法典" for c in civil)


def test_document_metadata_travels_into_chunks(sources):
    old = next(c for c in sources.chunks if c.metadata.get("doc_id") == "public-security-penalties-2012")
    assert old.metadata["status"] == "superseded" and old.metadata["effective"] == "2013-01-01"
    partial = next(c for c in sources.chunks if c.metadata.get("doc_id") == "credit-card-measures-2011")
    assert partial.metadata["partial"] is True and partial.metadata["verification"]
    items = [c for c in sources.chunks if c.metadata.get("doc_id") == "spc-spp-credit-card-crimes-amendment-2018"]
    assert [c.metadata["article"] for c in items][:2] == ["一", "二"]
    assert items[0].text.startswith("《")
    for chunk in sources.chunks:   # Chroma accepts only flat scalars
        assert all(isinstance(v, (str, int, float, bool)) for v in chunk.metadata.values()), chunk.id


def test_long_article_split_repeats_header(corpus):
    doc = corpus.document("civil-code")
    article = max(doc.articles, key=lambda a: len(a.text))
    parts = article_chunks(doc, article, max_chars=200)
    assert len(parts) > 1
    assert parts[0].id == f"reg:civil-code:{article.label}"
    assert [p.id for p in parts[1:]] == [f"reg:civil-code:{article.label}#p{i}" for i in range(2, len(parts) + 1)]
    for part in parts:
        assert part.text.startswith(f"《民法典》{article.label}")
        assert part.metadata["parts"] == len(parts)
    # together the parts hold every paragraph of the article, in order
    body = "\n".join(p.text.split("\n", 1)[1] for p in parts)
    for para in article.paragraphs:
        assert para in body


def test_chunk_ids_are_unique_and_stable(sources):
    ids = [c.id for c in sources.chunks]
    assert len(ids) == len(set(ids))
    assert load_sources(KNOWLEDGE).chunks[0].id == ids[0]


def test_card_chunk_has_questions_and_body(small_knowledge):
    corpus = load_corpus(small_knowledge)
    [chunk] = card_chunks(load_cards(small_knowledge, corpus), corpus)
    assert chunk.id == "card:test-contact-calls"
    assert chunk.text.startswith("催收可以打我紧急联系人电话吗\n逾期了催收天天打我爸妈电话合法吗")
    assert "## 直接回答" in chunk.text
    assert json.loads(chunk.metadata["cites"])[0] == {"doc": "credit-card-measures-2011", "article": "第六十八条"}
    assert chunk.metadata["intent"] == "contact_rights" and chunk.metadata["source"] == "card"


def test_real_cards_all_load(corpus):
    cards = load_cards(KNOWLEDGE, corpus)
    assert all(card.questions and card.cites for card in cards)


def test_no_cards_folder_is_fine(small_knowledge):
    import shutil

    shutil.rmtree(small_knowledge / "cards")
    sources = load_sources(small_knowledge)
    assert not sources.cards and sources.chunks
