"""Is every cited article referred to in the answer's own text?

A citation is shown only when a sentence or step of the answer relies on it, i.e. names it
("…可依治安管理处罚法第五十条处拘留或罚款", "Civil Code Art. 1033"). An article the body never
mentions supports nothing the user reads, so it is dropped (a 支付令 article under an answer
about fake court calls).

A reference 第X条 belongs to the law named last before it in the same paragraph or step
("侮辱诽谤（第二百四十六条）" after "刑法上的…"); a reference with no law named before it
matches that article number in any document. English references (Art. 1033, Arts. 681, 685,
item 1) are matched by number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.answers import Citation
from bot.engine.article_refs import ANSWER_EN_NUM, ANSWER_EN_REF, ANSWER_MORE, ANSWER_REF
from bot.engine.article_refs import number as read_number
from bot.engine.lookup import _alias_pattern, load_document_data
from bot.engine.sentences import SENTENCE_ENDS, english_spans
from bot.engine.sentences import spans as sentence_spans
from bot.language import to_simplified
from bot.messages import t
from ingest.corpus import Corpus

_MIN_CLAIM = 12          # a reference this close after another one shares its claim (第192条、第193条)


@dataclass(frozen=True)
class Reference:
    docs: frozenset[str] | None   # documents the named law stands for (None: no law named before it)
    number: int
    suffix: int = 0
    item: bool = False            # 第一项 / item 1 (a numbered provision of a decision or 意见)


def _family(alias_doc: str) -> frozenset[str]:
    """An alias of a law family (治安管理处罚法) stands for each of its versions."""
    variant = (load_document_data().get("variants") or {}).get(alias_doc)
    if not variant:
        return frozenset({alias_doc})
    return frozenset({variant["default"], *(c["doc"] for c in variant.get("choices", []))})


def _int(text: str | None) -> int:
    return read_number(text) or 0


def _zh_references(block: str) -> list[tuple[int, Reference]]:
    pattern, by_alias = _alias_pattern()
    laws = [(m.start(), _family(by_alias[m.group(0).lower()])) for m in pattern.finditer(block)]
    refs: list[tuple[int, Reference]] = []
    consumed = 0      # end of the last "第X条、第Y条" list, whose members are already counted
    for match in ANSWER_REF.finditer(block):
        if match.start() < consumed:
            continue
        named = [docs for start, docs in laws if start < match.start()]
        docs = named[-1] if named else None
        unit = match.group(2)
        refs.append((match.start(), Reference(docs, _int(match.group(1)), _int(match.group(3)), unit == "项")))
        rest, offset = block[match.end():], match.end()
        while (more := ANSWER_MORE.match(rest)):
            refs.append((offset, Reference(docs, _int(more.group(1)), _int(more.group(3)),
                                           (more.group(2) or unit) == "项")))
            rest, offset = rest[more.end():], offset + more.end()
        consumed = offset
    return refs


def _en_references(block: str) -> list[tuple[int, Reference]]:
    refs = []
    for match in ANSWER_EN_REF.finditer(block):
        item = match.group(1).lower().startswith("item")
        numbers = [(int(n), int(s or 0)) for n, s in ANSWER_EN_NUM.findall(match.group(2))]
        if re.search(r"\bto\b", match.group(2)) and len(numbers) == 2:
            numbers = [(n, 0) for n in range(numbers[0][0], numbers[1][0] + 1)]
        refs += [(match.start(), Reference(None, n, s, item)) for n, s in numbers]
    return refs


@lru_cache(maxsize=4096)
def _located(block: str) -> tuple[tuple[int, Reference], ...]:
    """(position, reference) for one paragraph or step, in Simplified text."""
    return tuple(sorted(_zh_references(block) + _en_references(block), key=lambda p: p[0]))


def references(text: str) -> list[Reference]:
    """Every article reference in a Simplified (or English) text, each with the law named before it
    in its paragraph. Answers are composed in Simplified; `answer_body` converts a localised answer."""
    return [ref for block in text.split("\n") for _, ref in _located(block)]


def _matches(ref: Reference, doc_id: str, label: str, corpus: Corpus) -> bool:
    shape = _shape(corpus, doc_id, label)
    if shape is None or (ref.number, ref.suffix) != shape[:2]:
        return False
    if ref.docs is not None and doc_id not in ref.docs:
        return False
    # A decision's item is written 第一项 / item 1; an 意见's provision 第一条; an article 第一条.
    return ref.item == shape[2] or ref.docs is not None


@lru_cache(maxsize=4096)
def _shape(corpus: Corpus, doc_id: str, label: str) -> tuple[int, int, bool] | None:
    """(number, suffix, is a decision item) of an article, or None if it does not exist."""
    article = corpus.article(doc_id, label)
    if article is None:
        return None
    return article.number, article.suffix, article.is_item and article.unit == "项"


def is_referred(doc_id: str, label: str, text: str, corpus: Corpus) -> bool:
    return any(_matches(ref, doc_id, label, corpus) for ref in references(text))


def referring_sentences(doc_id: str, label: str, text: str, corpus: Corpus, whole: bool = False) -> list[str]:
    """The claims of a Simplified text that name the article: for each reference, the words from
    the previous reference (or the sentence start) up to it.

    "事实清楚…15日内作出处理决定；复杂的可延长至30日（第十八条）" is the claim of 第十八条; in
    "…（第一百九十二条、第一百九十三条）" both share the words before the pair. References resolve
    within the whole paragraph (the law may be named in an earlier sentence). whole=True gives the
    whole sentences instead (what the sentence as a whole is about).
    """
    out = []
    for block in text.split("\n"):
        located = _located(block)
        if not any(_matches(ref, doc_id, label, corpus) for _, ref in located):
            continue
        spans = english_spans(block) if block.isascii() else sentence_spans(block, SENTENCE_ENDS)
        starts = [start for start, _ in spans]
        for i, (pos, ref) in enumerate(located):
            if not _matches(ref, doc_id, label, corpus):
                continue
            if whole:
                out += [block[a:b].strip() for a, b in spans if a <= pos < b]
                continue
            begin = max([s for s in starts if s <= pos] or [0])
            earlier = [p for p, _ in located[:i] if p >= begin and pos - p > _MIN_CLAIM]
            out.append(block[max([begin, *earlier]):pos + 1].strip())
    return out


def answer_body(text: str) -> str:
    """An answer's text without its 法律依据 block (the quotes themselves do not count as referring),
    in Simplified script."""
    heads = {t("citations", lang) for lang in ("zh-Hans", "zh-Hant", "en")}
    blocks = [b for b in text.split("\n\n") if not any(b.lstrip().startswith(h) for h in heads)]
    return to_simplified("\n\n".join(blocks))


def keep_referred(citations: list[Citation], body: str, corpus: Corpus) -> list[Citation]:
    """The citations the body refers to, in order; the rest support nothing the user reads."""
    refs = references(body)
    return [c for c in citations if any(_matches(r, c.doc_id, c.article, corpus) for r in refs)]


def all_referred(citations: list[Citation], body: str, corpus: Corpus) -> bool:
    return len(keep_referred(citations, body, corpus)) == len(citations)


__all__ = ["Reference", "references", "is_referred", "referring_sentences", "answer_body", "keep_referred",
           "all_referred"]
