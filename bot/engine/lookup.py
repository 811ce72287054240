"""Direct article lookup when the user names one: 民法典第1032条, 刑法293条之一, PIPL art. 13.

Document aliases, version variants (治安管理处罚法 -> 2025 text unless 2012 is asked for)
and laws that are repealed or do not exist (合同法, 反骚扰法) are data in
bot/data/documents.yaml. A named article that is not in the corpus is reported as
such; nothing is ever guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.datafiles import load_yaml
from bot.engine.article_refs import (
    BARE_ZH_ARTICLE,
    BRACKET_TITLE,
    EN_ARTICLE,
    LAW_TITLE_REF,
    ZH_ARTICLE,
    ZH_ITEM_ONLY,
    article_parts,
)
from bot.engine.article_refs import (
    number as read_number,
)
from ingest.corpus import Article, Corpus
from ingest.numerals import article_label, int_to_chinese


@dataclass(frozen=True)
class LookupResult:
    kind: str                 # article | missing_article | not_in_partial | false_document | unknown_document
    doc_id: str | None = None
    article: Article | None = None
    requested: str = ""       # the label the user asked for (canonical when parseable)
    item: int | None = None   # （五） / 第五项 inside the article
    message_zh: str = ""
    message_en: str = ""
    replacement: str | None = None  # doc id that replaced a repealed law


@lru_cache(maxsize=1)
def load_document_data() -> dict:
    return load_yaml("documents.yaml", empty={})


@lru_cache(maxsize=1)
def _alias_pattern() -> tuple[re.Pattern, dict[str, str]]:
    aliases = load_document_data().get("aliases", {})
    by_alias = {alias.lower(): doc for doc, names in aliases.items() for alias in names}
    keys = sorted(by_alias, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys), re.IGNORECASE), by_alias


# A version marker counts only when it is attached to the law's name: 2012年(版)治安管理处罚法,
# 旧版治安管理处罚法, 治安管理处罚法（2012）, 治安管理处罚法第42条(旧法), old public security law.
# "我2012年借的钱…" mentions a year, not a version of a law.
_BEFORE_GLUE = r"(?:\s*(?:年|版本|版|本|的|修正|修订|文本|version|text|edition|of|the|《))*\s*$"
_AFTER_GLUE = (r"^\s*》?(?:\s*(?:的|第?\s*(?:[0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条(?:之[一二三四五六七八九十]+)?"
               r"|[（(,，]))*\s*")


@lru_cache(maxsize=64)
def _marker_patterns(markers: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    words = "|".join((r"\b" if m[0].isascii() and m[0].isalpha() else "") + re.escape(m)
                     for m in sorted(markers, key=len, reverse=True))
    return (re.compile(f"(?:{words}){_BEFORE_GLUE}", re.IGNORECASE),
            re.compile(f"{_AFTER_GLUE}(?:{words})", re.IGNORECASE))


def _marker_attached(question: str, span: tuple[int, int], markers) -> bool:
    before, after = _marker_patterns(tuple(str(m).lower() for m in markers))
    start, end = span
    return bool(before.search(question[max(0, start - 24):start]) or after.match(question[end:end + 24]))


def _alias_spans(question: str, key: str) -> list[tuple[int, int]]:
    pattern, by_alias = _alias_pattern()
    return [m.span() for m in pattern.finditer(question) if by_alias[m.group(0).lower()] == key]


def resolve_variant(key: str, question: str, span: tuple[int, int] | None = None) -> str:
    """Pick the document a family alias means (治安管理处罚法 -> 2025 unless 2012 is asked for).

    `span` is where the alias occurs in the question; without it, every occurrence of the family counts.
    """
    variant = load_document_data().get("variants", {}).get(key)
    if not variant:
        return key
    spans = [span] if span else _alias_spans(question, key)
    for choice in variant.get("choices", []):
        if any(_marker_attached(question, s, choice["keywords"]) for s in spans):
            return choice["doc"]
    return variant["default"]


def asks_for_old_version(question: str) -> bool:
    """True when the question names a law together with a marker for its superseded text."""
    variants = load_document_data().get("variants", {})
    pattern, by_alias = _alias_pattern()
    for match in pattern.finditer(question):
        key = by_alias[match.group(0).lower()]
        if key in variants and resolve_variant(key, question, match.span()) != variants[key]["default"]:
            return True
    return False


def find_false_document(question: str) -> LookupResult | None:
    """合同法 (repealed), 反骚扰法 (does not exist) … named in the question."""
    lowered = question.lower()
    for name, info in load_document_data().get("false_documents", {}).items():
        pos = lowered.find(name.lower())
        # 劳动合同法 is a different, valid law that merely contains 合同法.
        if pos < 0 or lowered[max(0, pos - 2):pos] == "劳动":
            continue
        return LookupResult(kind="false_document", requested=name, message_zh=info["zh"],
                            message_en=info["en"], replacement=info.get("replacement"))
    return None


def mentioned_documents(question: str) -> list[str]:
    """Doc ids the question names (variants resolved), in order of appearance."""
    pattern, by_alias = _alias_pattern()
    out: list[str] = []
    for match in pattern.finditer(question):
        doc = resolve_variant(by_alias[match.group(0).lower()], question, match.span())
        if doc not in out:
            out.append(doc)
    return out


def _reference_near(question: str, start: int, end: int):
    """Article number written right after (or, in English, before) the alias at [start, end)."""
    tail = question[end:end + 32]
    # A version note may sit between the name and the number: 治安管理处罚法（2012）第四十二条.
    m = re.match(r"[》\s]*(?:[（(][^（）()]{1,12}[）)])?\s*(?:的|中的|里的|里|中)?\s*" + ZH_ARTICLE.pattern, tail)
    if m:
        return article_parts(m)
    m = re.match(r"[》\s]*(?:的|中的)?\s*" + ZH_ITEM_ONLY.pattern, tail)
    if m:
        return read_number(m.group(1)), -1, None   # -1: item of a decision (第一项)
    m = re.match(r"[》\s,]*(?:" + EN_ARTICLE.pattern + ")", tail, re.IGNORECASE)
    if m:
        return read_number(m.group(1)), 0, None
    head = question[max(0, start - 30):start]
    m = re.search(EN_ARTICLE.pattern + r"\s*(?:of\s+(?:the\s+)?)?(?:(?:old|previous|former|original|current|new|\d{4})\s+)?$",
                  head, re.IGNORECASE)
    if m:
        return read_number(m.group(1)), 0, None
    return None


def _label(number: int, suffix: int) -> str:
    try:
        return article_label(number, suffix)
    except ValueError:
        return f"第{number}条"


def _resolve(corpus: Corpus, doc_id: str, number: int, suffix: int, item: int | None) -> LookupResult:
    doc = corpus.document(doc_id)
    if suffix == -1:   # decision item 第一项
        label = int_to_chinese(number) if 0 < number < 10000 else str(number)
        suffix = 0
    else:
        label = _label(number, suffix)
    found = corpus.article(doc_id, label) if doc is not None else None
    if found is not None:
        return LookupResult(kind="article", doc_id=doc_id, article=found, requested=found.label, item=item)
    if doc is None:
        return LookupResult(kind="missing_article", doc_id=doc_id, requested=label)
    shown = label if label.startswith("第") else f"第{label}项"
    if doc.partial:
        first, last = doc.articles[0].display, doc.articles[-1].display
        return LookupResult(
            kind="not_in_partial", doc_id=doc_id, requested=label,
            message_zh=f"本库只收录了《{doc.short_title}》的部分条文（{first}至{last}），没有{shown}的文本，无法回答它的内容。",
            message_en=f"The knowledge base holds only part of 《{doc.short_title}》 ({first}–{last}); "
                       f"it has no text for {shown}, so I cannot tell you what it says.")
    last = doc.articles[-1]
    return LookupResult(
        kind="missing_article", doc_id=doc_id, requested=label,
        message_zh=f"《{doc.short_title}》没有{shown}：它的最后一条是{last.display}。请核对条文编号。",
        message_en=f"《{doc.short_title}》 has no {shown}: its last article is {last.display} "
                   f"(article {last.number}). Please check the number.")


def lookup(question: str, corpus: Corpus) -> LookupResult | None:
    """Return the article the question names, or why it cannot be cited; None if no article is named."""
    false_doc = find_false_document(question)
    if false_doc is not None:
        return false_doc
    pattern, by_alias = _alias_pattern()
    for match in pattern.finditer(question):
        ref = _reference_near(question, match.start(), match.end())
        if ref is None or ref[0] is None:
            continue
        key = by_alias[match.group(0).lower()]
        doc_id = resolve_variant(key, question, match.span())
        result = _resolve(corpus, doc_id, ref[0], ref[1], ref[2])
        if result.kind == "article" and _asks_about_old_numbering(question):
            return _renumbered(corpus, key, doc_id, ref[0], question) or result
        return result
    unknown = _unknown_document(question)
    if unknown is not None:
        return unknown
    return _bare_lookup(question, corpus)


_OLD_NUMBERING_HINT = re.compile(r"(现在还是|还是这条|现在是不是|现在还|还有效|还适用|听说|以前|原来|旧的|老的|之前的)")


def _asks_about_old_numbering(question: str) -> bool:
    return _OLD_NUMBERING_HINT.search(question) is not None


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _renumbered(corpus: Corpus, key: str, doc_id: str, number: int, question: str) -> LookupResult | None:
    """"听说治安管理处罚法第四十二条管骚扰短信，现在还是这条吗": the user has the old numbering.

    When an older variant's article of that number matches the question's words better than the
    current article does, answer with the current article whose text is closest to the old one.
    """
    variant = load_document_data().get("variants", {}).get(key)
    if not variant or doc_id != variant["default"]:
        return None
    current = corpus.article(doc_id, _label(number, 0))
    words = _bigrams(re.sub(r"[^\u4e00-\u9fff]", "", question))
    for choice in variant.get("choices", []):
        old_doc = corpus.document(choice["doc"])
        if old_doc is None or old_doc.id == doc_id:
            continue
        old = corpus.article(old_doc.id, _label(number, 0))
        if old is None or current is None:
            continue
        if len(words & _bigrams(old.body)) <= len(words & _bigrams(current.body)):
            continue
        target = _bigrams(old.body)
        best = max(corpus.document(doc_id).articles,
                   key=lambda a: len(target & _bigrams(a.body)) / (len(target | _bigrams(a.body)) or 1))
        new_doc = corpus.document(doc_id)
        return LookupResult(
            kind="article", doc_id=doc_id, article=best, requested=best.label,
            message_zh=f"您说的可能是旧版《{old_doc.short_title}》的{old.label}。现行的《{new_doc.short_title}》"
                       f"（{new_doc.effective}起施行）中，对应内容在{best.label}；现行版的{current.label}讲的是别的事。",
            message_en=f"You probably mean {old.label} of the old 《{old_doc.short_title}》. In the current "
                       f"《{new_doc.short_title}》 (in force from {new_doc.effective}) the same rule is {best.label}; "
                       f"the current {current.label} is about something else.")
    return None


_LEAD_WORDS = re.compile(r"^(按照|根据|依照|依据|听说|请问|关于|那个|这个|我看|看到|查了)+")


def _unknown_document(question: str) -> LookupResult | None:
    """A law named with an article number (or in 《》) that is not in the corpus: say so, cite nothing."""
    pattern, _ = _alias_pattern()
    titles = BRACKET_TITLE.findall(question) + [m.group(1) for m in LAW_TITLE_REF.finditer(question)]
    for title in titles:
        title = _LEAD_WORDS.sub("", title)
        if pattern.search(title):
            continue
        return LookupResult(
            kind="unknown_document", requested=title,
            message_zh=f"本库没有收录《{title}》，我也无法确认它是否存在或者其中某一条的内容，所以不会引用它。"
                       "催收行为主要受《民法典》、《个人信息保护法》、《治安管理处罚法》、《刑法》等规定约束。",
            message_en=f"I hold no document called 《{title}》 and cannot confirm that it exists or what any of its "
                       "articles says, so I will not cite it. Collection is mainly governed by the Civil Code, the "
                       "PIPL, the Public Security Administration Punishments Law and the Criminal Law.")
    return None


def _bare_lookup(question: str, corpus: Corpus) -> LookupResult | None:
    """第一千零三十二条 without a law name: the first document (in a fixed order) that has it."""
    m = BARE_ZH_ARTICLE.search(question)
    if not m:
        return None
    number, suffix, item = article_parts(m)
    if number is None:
        return None
    order = load_document_data().get("bare_article_order", [])
    for doc_id in order:
        result = _resolve(corpus, doc_id, number, suffix, item)
        if result.kind == "article":
            return result
    return LookupResult(
        kind="missing_article", requested=_label(number, suffix),
        message_zh=f"在本库收录的主要法律中没有找到{_label(number, suffix)}。请写明法律名称，例如“民法典第1032条”。",
        message_en=f"I could not find {_label(number, suffix)} in the main laws I hold. "
                   "Please name the law, e.g. \"Civil Code article 1032\".")


__all__ = ["LookupResult", "lookup", "mentioned_documents", "resolve_variant", "asks_for_old_version",
           "find_false_document", "load_document_data"]
