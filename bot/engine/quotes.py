"""Pick the sentence(s) of an article most relevant to a question, verbatim.

Quotes are always contiguous substrings of the article body, so
`bot.engine.citations.make_citation` can prove them.
"""
from __future__ import annotations

import re

from bot.engine.sentences import sentences
from ingest.corpus import Article

_ITEM_HEAD = re.compile(r"^[“\"]?[（(]([一二三四五六七八九十]+)[）)]")
_LONG_ARTICLE = 120     # shorter articles are quoted whole
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"))


def trim_quote_marks(quote: str) -> str:
    """Drop leading/trailing quotation marks that have no partner inside the quote (or wrap all of it).

    The 2018 amending decision quotes whole new articles inside “ … ”, so a sentence taken from
    the middle starts with an opening mark that closes paragraphs later; shown inside our own
    quotation marks it would read “”对于…. Trimming only the ends keeps the quote a verbatim substring.
    """
    text = quote.strip()
    while text:
        trimmed = _trim_once(text)
        if trimmed == text:
            break
        text = trimmed
    return text or quote


def _trim_once(text: str) -> str:
    for opening, closing in _QUOTE_PAIRS:
        if len(text) > 2 and text[0] == opening and _partner(text, opening, closing) == len(text) - 1:
            return text[1:-1].strip()   # one pair wraps the whole quote: we add our own marks
        unbalanced_open = text.count(opening) > text.count(closing)
        unbalanced_close = text.count(closing) > text.count(opening)
        if text[0] == closing or (text[0] == opening and unbalanced_open):
            return text[1:].strip()
        if text[-1] == opening or (text[-1] == closing and unbalanced_close):
            return text[:-1].strip()
    return text


def _partner(text: str, opening: str, closing: str) -> int | None:
    """Index of the mark closing the one that opens text[0], if any."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == opening) - (ch == closing)
        if depth == 0:
            return i
    return None


def _score(sentence: str, terms: list[str]) -> float:
    # Longer matching terms are stronger evidence (征信机构 over 信).
    return sum(min(len(t), 4) for t in terms if len(t) >= 2 and t in sentence)


def item_quote(article: Article, item: int) -> str | None:
    """The text of list item （N） of an article, if it has one."""
    from ingest.numerals import int_to_chinese

    want = int_to_chinese(item)
    for line in article.body.split("\n"):
        m = _ITEM_HEAD.match(line.strip())
        if m and m.group(1) == want:
            return trim_quote_marks(line.strip())
    return None


def best_quote(article: Article, terms: list[str], max_chars: int = 160) -> str:
    """The whole article if short; else the best-scoring sentence, plus its neighbour if it is short.

    Quotation marks left unbalanced by the cut are trimmed (`trim_quote_marks`).
    """
    return trim_quote_marks(_best_span(article, terms, max_chars))


def _best_span(article: Article, terms: list[str], max_chars: int) -> str:
    body = article.body.strip()
    if len(body) <= _LONG_ARTICLE:
        return body
    parts = sentences(body)
    if not parts:
        return body
    scored = [(_score(s, terms), -i, i) for i, s in enumerate(parts)]
    best_score, _, idx = max(scored)
    if best_score == 0:
        idx = 0
    quote = parts[idx]
    # A list item alone lacks its subject: prepend the lead-in line when it comes right before the item.
    if _ITEM_HEAD.match(quote):
        lead = _lead_line(body, quote)
        if lead and len(lead) + len(quote) <= max_chars * 2:
            return f"{lead}\n{quote}"
        return quote
    if len(quote) < 40 and idx + 1 < len(parts):
        candidate = _join(body, quote, parts[idx + 1])
        if candidate and len(candidate) <= max_chars:
            return candidate
    return quote


def _lead_line(body: str, item: str) -> str | None:
    """The whole line just before `item` if it is an introduction (not itself an item)."""
    lines = [line.strip() for line in body.split("\n")]
    for i, line in enumerate(lines):
        if line.startswith(item) and i > 0 and not _ITEM_HEAD.match(lines[i - 1]):
            return lines[i - 1]
    return None


def _join(body: str, first: str, second: str) -> str | None:
    """first+second as they appear contiguously in the body (keeping the line break), else None."""
    start = body.find(first)
    if start < 0:
        return None
    end = body.find(second, start + len(first))
    if end < 0 or body[start + len(first):end].strip():
        return None
    return body[start:end + len(second)]


__all__ = ["best_quote", "item_quote", "trim_quote_marks"]
