"""The LangChain retriever over the real index."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from langchain_core.retrievers import BaseRetriever

from bot.engine.query import build_query
from bot.engine.retrieval import fused_card, ranked_articles

ROOT = Path(__file__).resolve().parents[2]


def test_is_a_langchain_retriever_with_full_metadata(engine):
    retriever = engine.retriever.as_langchain()
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("催收爆通讯录违法吗")
    assert docs
    for doc in docs:
        meta = doc.metadata
        assert meta["chunk_id"] and isinstance(meta["score"], float)
        assert meta["source"] in ("regulation", "card", "guidance")
        if meta["source"] == "regulation":
            assert {"doc_id", "title", "short_title", "article", "status", "effective"} <= set(meta)
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_named_article_ranks_first(engine):
    docs = engine.retriever.as_langchain().invoke("民法典第1032条讲什么")
    assert docs[0].metadata["chunk_id"] == "reg:civil-code:第一千零三十二条"


def test_superseded_text_is_demoted_unless_asked(engine):
    def rank_of(docs, doc_id):
        return next((i for i, d in enumerate(docs) if d.metadata.get("doc_id") == doc_id), 99)

    docs = engine.retriever.search(build_query("多次发送侮辱恐吓信息干扰他人正常生活 治安管理处罚"), k=20)
    assert rank_of(docs, "public-security-penalties-2025") < rank_of(docs, "public-security-penalties-2012")


def test_an_unrelated_year_does_not_promote_the_superseded_text(engine):
    # "2012" here dates the loan, not the law: the 2012 治安管理处罚法 stays demoted.
    docs = engine.retriever.search(build_query("我2012年借的钱，现在还能告我吗"), k=10)
    assert all(d.metadata.get("status") != "superseded" for d in docs)


def test_modes_use_one_retriever_each(engine):
    query = build_query("信用卡欠钱会坐牢吗")
    dense = engine.retriever.model_copy(update={"mode": "dense"}).search(query)
    keyword = engine.retriever.model_copy(update={"mode": "keyword"}).search(query)
    assert all(d.metadata["keyword_rank"] is None for d in dense)
    assert all(d.metadata["dense_rank"] is None for d in keyword)


def test_ranked_articles_never_include_guidance(engine):
    docs = engine.retriever.search(build_query("中信银行逾期打联系人电话 反骚扰法"), k=20)
    for doc_id, label in ranked_articles(docs, corpus=engine.corpus):
        assert engine.corpus.article(doc_id, label) is not None


def test_eval_json_on_a_small_question_file(engine_settings, tmp_path):
    questions = [
        {"id": "a", "question": "信用卡欠3万会坐牢吗", "lang": "zh-Hans", "intent": "criminal_risk",
         "gold": [{"doc": "criminal-law", "article": "第一百九十六条"}], "expect": "answer"},
        {"id": "b", "question": "明天上海天气怎么样", "lang": "zh-Hans", "intent": "out_of_scope",
         "gold": [], "expect": "out_of_scope"},
    ]
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "DATA_DIR": str(engine_settings.data_dir), "KNOWLEDGE_DIR": str(engine_settings.knowledge_dir),
           "LLM_MODEL": "", "LLM_BASE_URL": ""}
    proc = subprocess.run([sys.executable, "-m", "bot.eval", "--json", "--questions", str(path)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report["variants"]) == {"bm25", "dense", "hybrid"}
    hybrid = report["variants"]["hybrid"]
    assert hybrid["recall@10"] == 1.0 and hybrid["answers_citing_gold"] == 1.0 and hybrid["negatives_handled"] == 1.0
    assert report["startup_s"] > 0 and report["rss_mb"] > 0


def test_fused_card_keeps_retrievals_card_unless_the_classifier_clearly_prefers_another(engine):
    docs = engine.retriever.search(build_query("网贷逾期了，还能出国吗"))
    cards = [d.metadata["card_id"] for d in docs if d.metadata.get("source") == "card"]
    first, other = cards[0], "enforcement-shixin-xiangao"
    assert first != other
    # A near tie stays with retrieval's card; a clear classifier preference switches.
    assert fused_card(docs, {first: 0.2, other: 0.21}, first) is None
    assert fused_card(docs, {first: 0.05, other: 0.6}, first) == (other, 0.6)
    assert fused_card(docs, {}, first) is None


def test_engine_answers_from_the_card_the_classifier_and_retrieval_agree_on(engine):
    answer = engine.answer("被执行人还能不能出境旅游")
    assert answer.topic == "enforcement-shixin-xiangao"
    assert ("civil-procedure-law", "第二百六十六条") in [(c.doc_id, c.article) for c in answer.citations]
