"""Pick the sentence(s) of an article most relevant to a question, verbatim.

Quotes are always contiguous substrings of the article body, so
`bot.citations.make_citation` can prove them.
"""
from __future__ import annotations

import re

from ingest.corpus import Article

_SENT = re.compile(r"[^。；！？\n]+[。；！？]?")
_ITEM_HEAD = re.compile(r"^[“\"]?[（(]([一二三四五六七八九十]+)[）)]")
_LONG_ARTICLE = 120     # shorter articles are quoted whole


def sentences(body: str) -> list[str]:
    """Split an article body into sentences / list items (terminators kept)."""
    return [s.strip() for s in _SENT.findall(body) if s.strip()]


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
            return line.strip()
    return None


def best_quote(article: Article, terms: list[str], max_chars: int = 160) -> str:
    """The whole article if short; else the best-scoring sentence, plus its neighbour if it is short."""
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


__all__ = ["sentences", "best_quote", "item_quote"]
