"""Fixtures for the advice-tool tests: the real corpus, loaded once (no index needed)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.citations import verify
from ingest.corpus import Corpus, load_corpus

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(KNOWLEDGE)


_REF = re.compile(r"《([^》]+)》(第[零一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?|第[一二三四五六七八九十]+项)")
_QUOTED_LINE = re.compile(r"^\s*(?:\d+\.|-)\s*《([^》]+)》(\S+?)：(.+)$")


def assert_citations_valid(corpus: Corpus, citations, *texts: str) -> None:
    """Every Citation verifies, and every 《title》第X条 named in the texts exists in the corpus,
    with every “quote” on a citation line verbatim in that article."""
    from bot.language import to_simplified

    for citation in citations:
        verify(corpus, citation)
    by_title = {d.short_title: d.id for d in corpus.documents.values()}
    for text in texts:
        text = to_simplified(text)
        for title, label in _REF.findall(text):
            assert title in by_title, f"unknown document 《{title}》"
            label = label[1:-1] if label.endswith("项") else label
            assert corpus.article(by_title[title], label), f"《{title}》{label} is not in the corpus"
        for line in text.splitlines():
            m = _QUOTED_LINE.match(line)
            if not m or m.group(1) not in by_title:
                continue
            doc_id, label = by_title[m.group(1)], m.group(2)
            label = label[1:-1] if label.endswith("项") else label
            for quote in re.findall(r"“([^”]+)”", m.group(3)):
                assert corpus.has_quote(doc_id, label, quote), f"not verbatim in {doc_id} {label}: {quote[:30]}"


@pytest.fixture(scope="session")
def check_citations(corpus):
    """assert_citations_valid bound to the corpus: check_citations(citations, *texts)."""
    return lambda citations, *texts: assert_citations_valid(corpus, citations, *texts)
