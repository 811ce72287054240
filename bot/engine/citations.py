"""Citations are built and verified against the corpus in code, never trusted from a prompt."""
from __future__ import annotations

from bot.engine.answers import Citation
from bot.engine.sentences import first_sentence
from ingest.corpus import Corpus


class CitationError(ValueError):
    """A citation names an article that does not exist, or quotes words the article does not contain."""


def make_citation(corpus: Corpus, doc_id: str, article: str, quote: str | None = None,
                  locator: str = "") -> Citation:
    """Build a Citation from the corpus; raise CitationError if the article or quote is not there.

    Without a quote, the article's first sentence (after its label) is quoted. `locator`
    (第一款第（五）项) names the part of the article an elided claim-level quote comes from.
    """
    doc = corpus.document(doc_id)
    if doc is None:
        raise CitationError(f"unknown document {doc_id!r}")
    found = corpus.article(doc_id, article)
    if found is None:
        raise CitationError(f"{doc.short_title} has no article {article!r}")
    if quote is None:
        quote = first_sentence(found.body)
    elif not corpus.has_quote(doc_id, found.label, quote):
        raise CitationError(f"quote is not verbatim in {doc.short_title}{found.display}: {quote[:40]!r}")
    return Citation(doc_id=doc.id, title=doc.title, short_title=doc.short_title, article=found.label,
                    status=doc.status, quote=quote, caveat=doc.caveat, locator=locator, unit=found.unit)


def verify(corpus: Corpus, citation: Citation) -> None:
    """Raise CitationError unless the citation's article exists and its quote is verbatim."""
    doc = corpus.document(citation.doc_id)
    if doc is None or corpus.article(citation.doc_id, citation.article) is None:
        raise CitationError(f"citation to a missing article: {citation.doc_id} {citation.article}")
    if not corpus.has_quote(citation.doc_id, citation.article, citation.quote):
        raise CitationError(f"quote not verbatim in {citation.doc_id} {citation.article}")


def is_valid(corpus: Corpus, citation: Citation) -> bool:
    try:
        verify(corpus, citation)
    except CitationError:
        return False
    return True
