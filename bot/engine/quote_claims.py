"""Is a sentence the user quotes really in the article they name? Checked against the corpus text.

"[引用：《民法典》第一千零三十三条“催收员每天只能打一次电话”] 请确认" quotes a sentence
that the article does not contain; the answer must say so rather than let the
quote stand beside the real article. Comparison ignores whitespace, punctuation
and the Traditional/Simplified difference, nothing else: a paraphrase is not a quote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.language import localize, to_simplified

MIN_QUOTE_CHARS = 4          # shorter quotes are terms ("催收"), not claimed sentences
MAX_QUOTE_CHARS = 300

_QUOTED = re.compile(r"“([^”]+)”|「([^」]+)」|\"([^\"]+)\"|『([^』]+)』")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class QuoteClaim:
    quote: str
    article: str      # display name, e.g. 《民法典》第一千零三十三条
    found: bool


@lru_cache(maxsize=1)
def _wording() -> dict:
    return load_yaml("quote_claims.yaml")


def _bare(text: str) -> str:
    return _NOISE.sub("", to_simplified(text)).lower()


def quoted_sentences(question: str) -> list[str]:
    quotes = []
    for match in _QUOTED.finditer(question):
        quote = next(g for g in match.groups() if g is not None).strip()
        if MIN_QUOTE_CHARS <= len(_bare(quote)) and len(quote) <= MAX_QUOTE_CHARS:
            quotes.append(quote)
    return quotes


def check_quotes(question: str, corpus) -> list[QuoteClaim]:
    """Each quoted sentence of a question that names an article, with whether the article contains it."""
    from bot.engine.lookup import lookup

    quotes = quoted_sentences(question)
    if not quotes:
        return []
    without_quotes = _QUOTED.sub(" ", question)
    found = lookup(without_quotes, corpus)
    if found is None or found.kind != "article" or found.article is None:
        return []
    document = corpus.documents[found.doc_id]
    name = f"《{document.short_title}》{found.article.display}"
    text = _bare(found.article.text)
    return [QuoteClaim(quote, name, _bare(quote) in text) for quote in quotes]


def quote_note(question: str, corpus, lang: str) -> str:
    """The sentence(s) to put first in the answer; empty when nothing is quoted from a named article."""
    lines = []
    for claim in check_quotes(question, corpus):
        template = _wording()["in_article" if claim.found else "not_in_article"]
        base = template["en"] if lang == "en" else template["zh-Hans"]
        article = localize(claim.article, lang) if lang == "zh-Hant" else claim.article
        line = localize(base, lang) if lang == "zh-Hant" else base
        lines.append(line.format(quote=claim.quote, article=article))
    return "\n".join(lines)


__all__ = ["QuoteClaim", "check_quotes", "quote_note", "quoted_sentences"]
