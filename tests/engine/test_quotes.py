"""Quote selection: verbatim spans shown inside exactly one pair of quotation marks."""
from __future__ import annotations

import pytest

from bot.engine.citation_text import render_citations
from bot.engine.citations import verify
from bot.engine.composer import cite
from bot.engine.quotes import item_quote, trim_quote_marks

DECISION = "spc-spp-credit-card-crimes-amendment-2018"


@pytest.mark.parametrize("quote, expected", [
    ("“对于是否以非法占有为目的，应当综合判断。", "对于是否以非法占有为目的，应当综合判断。"),
    ("拒不归还的情形。”", "拒不归还的情形。"),
    ("“（六）其他非法占有资金，拒不归还的情形。”", "（六）其他非法占有资金，拒不归还的情形。"),
    ("应当认定为刑法第一百九十六条规定的‘恶意透支’。", "应当认定为刑法第一百九十六条规定的‘恶意透支’。"),
    ("“恶意透支”和“有效催收”", "“恶意透支”和“有效催收”"),
    ("‘以非法占有为目的’，但有证据证明的除外", "‘以非法占有为目的’，但有证据证明的除外"),
])
def test_unbalanced_outer_quotation_marks_are_trimmed(quote, expected):
    assert trim_quote_marks(quote) == expected


@pytest.mark.parametrize("label, terms", [
    ("一", ["是否", "非法占有", "目的", "判断"]),
    ("一", ["以下", "情形", "之一"]),
    ("二", ["是否", "有效催收", "判断"]),
    ("二", ["证据", "签名", "公章"]),
])
def test_quotes_from_the_amending_decision_render_with_one_pair_of_marks(corpus, label, terms):
    citation = cite(corpus, DECISION, label, terms)
    verify(corpus, citation)     # still a verbatim substring of the item
    assert citation.quote[0] not in "“”‘’" and citation.quote[-1] not in "“‘"
    rendered = render_citations([citation], "zh-Hans", corpus)
    assert "““" not in rendered and "“”" not in rendered


def test_item_quote_of_a_quoted_list_drops_the_paragraph_mark(corpus):
    article = corpus.article(DECISION, "一")
    assert item_quote(article, 1).startswith("（一）明知没有还款能力")
