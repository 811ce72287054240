"""The Chroma server mode (HttpClient) against a real `chroma run` on 127.0.0.1."""
from __future__ import annotations

import pytest

from ingest import store
from ingest.build import build_index, read_current
from ingest.reader import open_index
from tests.support import make_settings


@pytest.mark.chroma_server
def test_build_and_search_on_a_chroma_server(chroma_server, small_knowledge, tmp_path, use_embeddings):
    host, port = chroma_server
    settings = make_settings(knowledge_dir=small_knowledge, data_dir=tmp_path / "data", chroma_mode="http",
                             chroma_host=host, chroma_port=port)
    first = build_index(settings, embeddings=use_embeddings)
    assert read_current(settings.data_dir)["store"] == f"http://{host}:{port}"
    assert not (tmp_path / "data" / "chroma").exists()   # nothing embedded-mode on disk
    index = open_index(settings, use_embeddings)
    hits = index.dense("催收可以找与债务无关的第三人吗", 5)
    assert hits and hits[0].score > 0
    assert index.dense("银行卡", 3, where={"source": "regulation"})[0].metadata["source"] == "regulation"

    # a second data dir on the same server is independent of the first
    other = make_settings(knowledge_dir=small_knowledge, data_dir=tmp_path / "other", chroma_mode="http",
                          chroma_host=host, chroma_port=port)
    other_report = build_index(other, embeddings=use_embeddings)

    rebuilt = build_index(settings, force=True, embeddings=use_embeddings)
    names = store.list_collections(store.make_client(settings))
    assert rebuilt.collection in names and other_report.collection in names
    assert first.collection not in names
    assert open_index(settings, use_embeddings).dense("紧急联系人", 3)
    assert build_index(settings, embeddings=use_embeddings).embedded == 0
