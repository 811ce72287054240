"""The one grammar of article references — 《民法典》第一千零三十二条之一第（五）项, 民法典1032条,
PIPL art. 13 — shared by the lookup of a named article (`bot.engine.lookup`), the check that an
answer names what it cites (`bot.engine.citation_relevance`), the LLM reply check
(`bot.engine.llm.postcheck`) and language detection (`bot.engine.engine`).

Each caller matches a different context (a user's question, our own answer, a model's reply),
so each has its own pattern here, built from the same numeral, suffix and item parts; the
numbers are read by `number`, which goes through `ingest.numerals` like the corpus does.
"""
from __future__ import annotations

import re
import unicodedata

from ingest.numerals import chinese_to_int

NUMERAL = r"[0-9]+|[零〇一二两三四五六七八九十百千]+"
SMALL_NUMERAL = r"[0-9]+|[一二三四五六七八九十]+"          # 之一, 第五项, （五）
_SUFFIX = rf"(?:\s*之\s*({SMALL_NUMERAL}))?"
_ITEM = (rf"(?:\s*(?:第\s*[0-9一二三四五六七八九十]+\s*款)?\s*(?:第\s*({SMALL_NUMERAL})\s*项"
         rf"|[（(]\s*({SMALL_NUMERAL})\s*[）)]))?")

# In a question. 第1032条 / 1032条 / 第一千零三十二条之一 (+ optional item 第五项 or （五）):
# groups number, suffix, item (第N项), item (（N）).
ZH_ARTICLE = re.compile(rf"第?\s*({NUMERAL})\s*条{_SUFFIX}{_ITEM}")
BARE_ZH_ARTICLE = re.compile(rf"第\s*({NUMERAL})\s*条{_SUFFIX}{_ITEM}")
ZH_ITEM_ONLY = re.compile(rf"第\s*({NUMERAL})\s*项")        # items of a decision: 第一项
# article 13 / art. 13 / art13 / § 13 / section 13
EN_ARTICLE = re.compile(r"(?:\barticles?|\barts?\.?|§|\bsection)\s*(\d+)", re.IGNORECASE)
BRACKET_TITLE = re.compile(r"《([^》]{2,40})》")
LAW_TITLE_REF = re.compile(rf"([\u4e00-\u9fff]{{2,14}}?(?:法|条例|办法|规定|解释|决定|细则))\s*(?:的)?\s*第\s*(?:{NUMERAL})\s*条")
# A law title or article reference inside an English question, which says nothing of its language.
LEGAL_REF = re.compile(r"《[^》]*》|[\u3400-\u9fff]{0,14}第[0-9零〇一二两三四五六七八九十百千]+[条條](之[一二三四五六七八九十]+)?")

# In our own answer: groups number, unit (条|项), suffix.
ANSWER_REF = re.compile(rf"第\s*({NUMERAL})\s*(条|项)(?:之\s*([一二三四五六七八九十]+))?")
# "第一千零三十二条、第一千零三十三条" and "第六十六至七十条" are each a list of references.
ANSWER_MORE = re.compile(rf"^\s*(?:、|和|及|至|或者|或)\s*(?:第)?\s*({NUMERAL})\s*(条|项)?(?:之\s*([一二三四五六七八九十]+))?")
ANSWER_EN_REF = re.compile(r"\b(arts?\.?|articles?|items?)\s*((?:\d+(?:-\d+)?)(?:\s*(?:,|and|&|or|to)\s*\d+(?:-\d+)?)*)",
                           re.IGNORECASE)
ANSWER_EN_NUM = re.compile(r"(\d+)(?:-(\d+))?")

# In a model's reply, which may use full-width digits.
REPLY_NUMERAL = r"[0-9０-９]+|[零〇一二两三四五六七八九十百千]+"
# 第二款 / 第（一）项 after an article label belong to the same reference.
REPLY_TAIL = r"(?:\s*第\s*(?:[0-9０-９]+|[一二三四五六七八九十]+|[（(][一二三四五六七八九十]+[)）])\s*[款项])*"
REPLY_EN_REF = re.compile(r"\b(?:Article|Art\.)\s*(\d+)(?:\s*\(\d+\))?", re.IGNORECASE)


def reply_reference(names_alt: str) -> re.Pattern:
    """《title》 or a known title (then 第 is optional: 民法典1032条), or a bare 第N条; then 之M and
    any 款/项. A bare "3条" is left alone: "以下3条建议" is no citation. Groups title, name, num, suffix."""
    return re.compile(
        rf"(?:(?:《(?P<title>[^《》\n]{{1,60}})》|(?P<name>(?:中华人民共和国)?(?:{names_alt})))\s*第?|第)"
        rf"\s*(?P<num>{REPLY_NUMERAL})\s*条(?:\s*之\s*(?P<suffix>{SMALL_NUMERAL}))?{REPLY_TAIL}"
    )


def number(text: str | None) -> int | None:
    """一千零三十二 / 1032 / １０３２ -> 1032; None when absent or not a numeral."""
    if not text:
        return None
    try:
        return chinese_to_int(unicodedata.normalize("NFKC", text))
    except ValueError:
        return None


def article_parts(match: re.Match) -> tuple[int | None, int, int | None]:
    """(number, suffix, item) of a ZH_ARTICLE / BARE_ZH_ARTICLE match."""
    return number(match.group(1)), number(match.group(2)) or 0, number(match.group(3) or match.group(4))


__all__ = ["ANSWER_EN_NUM", "ANSWER_EN_REF", "ANSWER_MORE", "ANSWER_REF", "BARE_ZH_ARTICLE", "BRACKET_TITLE",
           "EN_ARTICLE", "LAW_TITLE_REF", "LEGAL_REF", "NUMERAL", "REPLY_EN_REF", "ZH_ARTICLE", "ZH_ITEM_ONLY",
           "article_parts", "number", "reply_reference"]
