"""The read side on the full knowledge/ index (built once per session by `built_index`)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from ingest.reader import SearchHit, open_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(built_index):
    return open_index(built_index)


def test_counts_and_manifest(index):
    totals = index.manifest["totals"]
    assert len(index) == totals["chunks"] and totals["regulation"] >= 3522
    assert totals["guidance"] > 10
    assert index.version and index.manifest["embedding"]["dimension"] == 512


def test_keyword_finds_the_article_by_its_words(index):
    hits = index.keyword("催收非法债务 暴力 胁迫", 5)
    assert "reg:criminal-law:第二百九十三条之一" in [h.chunk_id for h in hits[:3]]
    assert isinstance(hits[0], SearchHit) and hits[0].score >= hits[-1].score > 0


def test_traditional_and_fullwidth_queries_are_normalised(index):
    simplified = [h.chunk_id for h in index.keyword("催收非法债务", 5)]
    assert [h.chunk_id for h in index.keyword("催收非法債務", 5)] == simplified
    assert [h.chunk_id for h in index.dense("催收非法債務", 5)] == [h.chunk_id for h in index.dense("催收非法债务", 5)]


def test_dense_finds_colloquial_question(index):
    hits = index.dense("我没签担保，催收能让我替朋友还钱吗", 10)
    assert len(hits) == 10 and hits[0].score >= hits[-1].score
    regs = index.dense("银行可以找与债务无关的第三人催收吗", 5, where={"source": "regulation"})
    assert len(regs) == 5 and all(h.metadata["source"] == "regulation" for h in regs)
    # an article's own text finds that article first
    article = index.get("reg:credit-card-measures-2011:第六十八条")
    top = index.dense(article.text, 1)[0]
    assert top.chunk_id == article.chunk_id and top.score > 0.99


def test_empty_queries_and_get(index):
    assert index.keyword("", 5) == [] and index.dense("", 5) == [] and index.keyword("的了吗？", 5) == []
    hit = index.get("reg:civil-code:第一千零三十三条")
    assert hit.metadata["article"] == "第一千零三十三条" and "私人生活安宁" in hit.text
    assert index.get("reg:civil-code:第九千条") is None
    assert len(index.all_hits("guidance")) == index.manifest["totals"]["guidance"]


def test_concurrent_reads(index):
    queries = ["催收打我家人电话", "征信多久恢复", "恶意透支", "暴力催收怎么投诉"] * 4
    with ThreadPoolExecutor(4) as pool:
        dense = list(pool.map(lambda q: [h.chunk_id for h in index.dense(q, 5)], queries))
        keyword = list(pool.map(lambda q: [h.chunk_id for h in index.keyword(q, 5)], queries))
    assert dense[:4] == dense[4:8] == dense[12:] and keyword[:4] == keyword[8:12]
