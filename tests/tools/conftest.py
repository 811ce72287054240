"""Fixtures for the advice-tool tests: the real corpus, loaded once (no index needed)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine.citations import verify
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
    by_title = {t: d.id for d in corpus.documents.values() for t in (d.short_title, d.title)}
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


# OpenCC's s2t is not idempotent on a few characters that are already correct Traditional:
# 干擾 ("interfere") becomes 幹擾. Only these may differ when Traditional output is re-converted.
_S2T_OVERCONVERTS = set("干")


def assert_traditional(text: str) -> None:
    """No Simplified-only character is left: re-converting changes nothing but known OpenCC over-conversions."""
    from bot.language import to_traditional

    again = to_traditional(text)
    assert len(again) == len(text)
    left = [(i, a, b) for i, (a, b) in enumerate(zip(text, again)) if a != b and a not in _S2T_OVERCONVERTS]
    assert not left, f"Simplified characters left in Traditional output: {left[:5]} near {text[left[0][0]-10:left[0][0]+10]!r}"


@pytest.fixture(scope="session")
def check_traditional():
    return assert_traditional
