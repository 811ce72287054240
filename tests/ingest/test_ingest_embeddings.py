"""Embedding backends: the USE default and sentence-transformers with a tiny model built here (no download)."""
from __future__ import annotations

import numpy as np
import pytest

from ingest.build import build_index
from ingest.embeddings import EmbeddingModelError, SentenceTransformerEmbeddings, make_embeddings
from ingest.reader import IndexMissingError, open_index
from tests.support import make_settings


def test_use_default_is_normalised_512_and_semantic(use_embeddings):
    vectors = use_embeddings.embed_array(["催收打电话给我妈", "催收联系我的家人", "今天天气很好"])
    assert vectors.shape == (3, 512) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert use_embeddings.model_id.startswith("use-multilingual-v3")
    assert len(use_embeddings.embed_query("你好")) == 512
    assert make_embeddings(make_settings()).model_id == use_embeddings.model_id


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A sentence-transformers model from a randomly initialised 1-layer BERT and a small vocab."""
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizer

    root = tmp_path_factory.mktemp("tiny-st")
    chars = sorted(set("催收打电话给我的紧急联系人合法吗家人第三人银行信用卡逾期不得对与债务无关进行条之一二三四五六七八九十"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (root / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    bert_dir = root / "bert"
    BertTokenizer(str(root / "vocab.txt")).save_pretrained(str(bert_dir))
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512)
    BertModel(config).save_pretrained(str(bert_dir))
    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Pooling, Transformer
    transformer = Transformer(str(bert_dir), max_seq_length=256)
    pooling = Pooling(32, pooling_mode="mean")
    out = root / "tiny-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


def test_sentence_transformers_local_path_offline(tiny_model):
    emb = make_embeddings(make_settings(embedding_backend="sentence-transformers", embedding_model=str(tiny_model)))
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert emb.dimension == 32 and emb.model_id.startswith("sentence-transformers/tiny-model@")
    vectors = emb.embed_array(["催收打电话给我的家人", "银行信用卡逾期"])
    assert vectors.shape == (2, 32) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_sentence_transformers_build_and_search(tiny_model, small_knowledge, tmp_path, use_embeddings):
    settings = make_settings(knowledge_dir=small_knowledge, data_dir=tmp_path / "data",
                             embedding_backend="sentence-transformers", embedding_model=str(tiny_model))
    report = build_index(settings)
    assert report.dimension == 32 and report.embedded == report.chunks
    index = open_index(settings)
    hits = index.dense("催收打电话给我的紧急联系人", 5)
    assert len(hits) == 5 and all(-1.0 <= h.score <= 1.0 for h in hits)
    # an index built with one model refuses queries embedded by another
    with pytest.raises(IndexMissingError, match="rebuild"):
        open_index(settings, embeddings=use_embeddings)


def test_missing_model_is_a_clear_error_not_a_download(tmp_path):
    settings = make_settings(embedding_backend="sentence-transformers",
                             embedding_model="zhiquan-test/no-such-model-anywhere")
    with pytest.raises(EmbeddingModelError, match="not available offline"):
        make_embeddings(settings)
    with pytest.raises(EmbeddingModelError, match="not available offline"):
        make_embeddings(make_settings(embedding_backend="sentence-transformers",
                                      embedding_model=str(tmp_path / "missing-folder")))
