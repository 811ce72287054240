"""Claim-level quotes: the smallest verbatim span of an article that supports a claim, labelled.

A list article (有下列行为之一的……：（一）…（二）…) is quoted as its lead-in plus the item that
applies, with the omitted text shown as ……, and labelled with its paragraph and item:
《治安管理处罚法》第五十条第一款第（五）项. A quote never ends at a list head's colon, which
would show the rule's consequence without the conduct it applies to.

The answer composer, the message checker and the tools all quote through this module;
every part of a quote is verbatim, so `Corpus.has_quote` (which accepts …… between parts)
and `bot.citations.make_citation` can prove it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.quotes import best_quote, trim_quote_marks
from bot.engine.sentences import sentences
from ingest.corpus import ELISION, Article
from ingest.numerals import int_to_chinese

_ITEM_HEAD = re.compile(r"^[“\"]?[（(]([一二三四五六七八九十]+)[）)]")
_LIST_HEAD_END = ("：", ":")
_LONG_LEAD = 40          # a longer lead-in is cut after its first clause (……marks the cut)
_CLAUSE_END = "；"


@dataclass(frozen=True)
class ClaimQuote:
    quote: str           # verbatim parts joined by ……
    locator: str = ""    # 第一款第（五）项, 第二款, 第（三）项, or "" for the article as a whole


@dataclass(frozen=True)
class _Line:
    text: str
    paragraph: int       # 款, 1-based
    item: str | None     # the item numeral （五） -> "五", None for a paragraph line


def ends_at_list_head(quote: str) -> bool:
    """True when the quote stops at the colon that introduces a list of items."""
    return quote.rstrip().endswith(_LIST_HEAD_END)


def _lines(article: Article) -> list[_Line]:
    out: list[_Line] = []
    paragraph = 0
    for raw in article.body.split("\n"):
        text = raw.strip()
        if not text:
            continue
        head = _ITEM_HEAD.match(text)
        if head and paragraph:
            out.append(_Line(text, paragraph, head.group(1)))
        else:
            paragraph += 1
            out.append(_Line(text, paragraph, None))
    return out


def _locates_items(article: Article) -> bool:
    """Items of an amending decision quote a whole new article: its （一） belongs to that quoted text."""
    return not (article.is_item and article.unit == "项")


def _score(text: str, terms: list[str]) -> float:
    # Longer matching terms are stronger evidence (征信机构 over 信).
    return sum(min(len(t), 4) for t in terms if len(t) >= 2 and t in text)


def _weighted(text: str, question_terms: list[str], claim_terms: list[str]) -> float:
    # The question decides which item applies to this user; the answer's own sentence breaks ties.
    return 2 * _score(text, question_terms) + _score(text, claim_terms)


def _locator(lines: list[_Line], line: _Line) -> str:
    paragraphs = max(ln.paragraph for ln in lines)
    where = f"第{int_to_chinese(line.paragraph)}款" if paragraphs > 1 else ""
    if line.item:
        where += f"第（{line.item}）项"
    return where


def _lead_of(lines: list[_Line], item: _Line) -> _Line:
    return next(ln for ln in reversed(lines[:lines.index(item)]) if ln.item is None)


def _short_lead(lead: str) -> tuple[str, bool]:
    """The lead-in, cut after its first clause when long; (text, was_cut)."""
    if len(lead) > _LONG_LEAD:
        cut = lead.find(_CLAUSE_END)
        if 0 < cut < len(lead) - 1:
            return lead[:cut + 1], True
    return lead, False


def _item_quote(lines: list[_Line], item: _Line, phrase: str | None = None) -> ClaimQuote:
    lead = _lead_of(lines, item)
    lead_text, cut = _short_lead(lead.text)
    items = [ln for ln in lines if ln.paragraph == item.paragraph and ln.item]
    body = trim_quote_marks(phrase or item.text.rstrip("；;"))
    elided = cut or items.index(item) > 0 or phrase is not None
    joiner = ELISION if elided else "\n"
    return ClaimQuote(f"{trim_quote_marks(lead_text)}{joiner}{body}", _locator(lines, item))


def _paragraph_locator(lines: list[_Line], quote: str) -> str:
    """第N款 of a multi-paragraph article containing the quote ("" when it spans paragraphs or there is one)."""
    if "\n" in quote.strip():
        return ""
    for line in lines:
        if line.item is None and quote.split("\n")[0] in line.text:
            return _locator(lines, line)
    return ""


def claim_quote(article: Article, question_terms: list[str], claim_terms: list[str] | None = None) -> ClaimQuote:
    """The span of `article` that best supports a claim, never ending at a list head.

    question_terms: tokens of the user's question; claim_terms: tokens of the answer sentence(s)
    that rely on the article.
    """
    claim_terms = claim_terms or []
    lines = _lines(article)
    items = [ln for ln in lines if ln.item]
    terms = [*question_terms, *claim_terms]
    if not items or not _locates_items(article):
        quote = best_quote(article, terms)
        if ends_at_list_head(quote) and items:
            return _first_item_after(article, quote)
        return ClaimQuote(quote, _paragraph_locator(lines, quote) if _locates_items(article) else "")
    best_item = max(items, key=lambda ln: (_weighted(ln.text, question_terms, claim_terms), -lines.index(ln)))
    item_score = _weighted(best_item.text, question_terms, claim_terms)
    prose = [(s, ln) for ln in lines if ln.item is None for s in sentences(ln.text) if not ends_at_list_head(s)]
    if prose:
        sentence, line = max(prose, key=lambda p: (_weighted(p[0], question_terms, claim_terms),
                                                    -lines.index(p[1])))
        if _weighted(sentence, question_terms, claim_terms) > item_score:
            return ClaimQuote(trim_quote_marks(sentence), _locator(lines, line))
    return _item_quote(lines, best_item)


def _first_item_after(article: Article, quote: str) -> ClaimQuote:
    """An amending decision's quoted list head: add the first item after it, elided."""
    body = article.body
    start = body.find(quote)
    rest = [ln.strip() for ln in body[start + len(quote):].split("\n") if ln.strip()]
    item = next((ln for ln in rest if _ITEM_HEAD.match(ln)), None)
    if item is None:
        return ClaimQuote(quote.rstrip("：:"), "")
    shown = trim_quote_marks(item.rstrip("；;"))
    # A quotation mark dropped before the item breaks contiguity: show the cut.
    joiner = "\n" if item.startswith(shown) else ELISION
    return ClaimQuote(f"{quote}{joiner}{shown}", "")


def anchor_quote(article: Article, phrase: str) -> ClaimQuote:
    """A phrase chosen elsewhere (a checker rule's quote) placed in its item with the item's lead-in.

    A phrase the article does not contain is returned as it is, for make_citation to reject.
    """
    lines = _lines(article)
    if not _locates_items(article):
        return ClaimQuote(phrase)
    for line in lines:
        if phrase and phrase in line.text:
            if line.item:
                return _item_quote(lines, line, phrase)
            return ClaimQuote(phrase, _locator(lines, line))
    return ClaimQuote(phrase)


__all__ = ["ClaimQuote", "claim_quote", "anchor_quote", "ends_at_list_head"]
