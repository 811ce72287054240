"""The stored copy of the USE model (ingest.use_cache): same vectors, read back, rebuilt when broken."""
from __future__ import annotations

import numpy as np

from ingest import use_cache
from ingest.embeddings import USEEmbeddings

TEXTS = ["信用卡逾期会坐牢吗", "催收打我妈电话合法吗？", "Can the collector call my employer?", "逾期３個月　會被起訴嗎"]


def test_stored_copy_gives_the_same_vectors_bit_for_bit(tmp_path, use_embeddings):
    expected = use_embeddings.embed_array(TEXTS)          # the package's own loading, no copy
    first = USEEmbeddings(cache_dir=tmp_path)
    assert np.array_equal(first.embed_array(TEXTS), expected)
    folder = use_cache.cache_folder(tmp_path)
    assert (folder / use_cache.STATE_FILE).is_file() and (folder / use_cache.TABLE_FILE).is_file()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]   # no half-written folder left

    second = USEEmbeddings(cache_dir=tmp_path)            # a later process: reads the copy
    assert np.array_equal(second.embed_array(TEXTS), expected)
    assert isinstance(second._model._backend.table, np.memmap)   # noqa: SLF001 (read, not rebuilt)


def test_a_broken_copy_is_not_trusted_and_is_replaced(tmp_path, use_embeddings, caplog):
    expected = use_embeddings.embed_array(TEXTS[:2])
    folder = use_cache.cache_folder(tmp_path)
    folder.mkdir(parents=True)
    (folder / use_cache.STATE_FILE).write_bytes(b"not a pickle")
    embeddings = USEEmbeddings(cache_dir=tmp_path)
    assert np.array_equal(embeddings.embed_array(TEXTS[:2]), expected)
    assert "unusable" in caplog.text
    assert not isinstance(embeddings._model._backend.table, np.memmap)   # noqa: SLF001 (built afresh)
    again = USEEmbeddings(cache_dir=tmp_path)                 # and stored again, good this time
    assert np.array_equal(again.embed_array(TEXTS[:2]), expected)
    assert isinstance(again._model._backend.table, np.memmap)   # noqa: SLF001


def test_unwritable_data_dir_still_loads(tmp_path, use_embeddings):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the data folder should be")
    embeddings = USEEmbeddings(cache_dir=blocked)
    assert np.array_equal(embeddings.embed_array(TEXTS[:1]), use_embeddings.embed_array(TEXTS[:1]))
