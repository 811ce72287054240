"""Claim-level quotes: lead-in + the matching item, elided with ……, labelled with 款 and 项."""
from __future__ import annotations

import pytest

from bot.engine.citations import make_citation, verify
from bot.engine.claim_quotes import anchor_quote, claim_quote, ends_at_list_head
from ingest.corpus import ELISION

PSL = "public-security-penalties-2025"


def test_threat_messages_quote_item_five_of_article_fifty_with_its_lead_in(corpus):
    article = corpus.article(PSL, "第五十条")
    quoted = claim_quote(article, ["多次", "发送", "恐吓", "信息", "滋扰"])
    assert quoted.locator == "第一款第（五）项"
    lead, item = quoted.quote.split(ELISION)
    assert lead == "有下列行为之一的，处五日以下拘留或者一千元以下罚款；"
    assert item.startswith("（五）多次发送淫秽、侮辱、恐吓等信息")
    citation = make_citation(corpus, PSL, "第五十条", quoted.quote, quoted.locator)
    verify(corpus, citation)
    assert citation.display == "《治安管理处罚法（2025年修订）》第五十条第一款第（五）项"


def test_a_second_paragraph_is_labelled_as_such(corpus):
    quoted = claim_quote(corpus.article(PSL, "第五十条"), ["禁止", "接触", "被侵害人"])
    assert quoted.locator == "第二款" and quoted.quote.startswith("有前款第五项规定的")


def test_single_paragraph_list_is_labelled_by_item_only(corpus):
    quoted = claim_quote(corpus.article("civil-code", "第一千零三十三条"), ["电话", "短信", "侵扰"])
    assert quoted.locator == "第（一）项"
    assert quoted.quote.endswith("侵扰他人的私人生活安宁")


def test_no_quote_of_any_list_article_ends_at_its_colon(corpus):
    """With no matching words at all, a list article still quotes an item, never the bare lead-in."""
    for article in corpus.all_articles():
        for terms in ([], ["下列"]):
            quoted = claim_quote(article, terms)
            assert not ends_at_list_head(quoted.quote), (article.doc_id, article.label, quoted.quote)
            assert corpus.has_quote(article.doc_id, article.label, quoted.quote), (article.doc_id, article.label)


def test_checker_phrase_is_placed_in_its_item(corpus):
    quoted = anchor_quote(corpus.article(PSL, "第五十条"), "写恐吓信或者以其他方法威胁他人人身安全的")
    assert quoted.locator == "第一款第（一）项"
    assert quoted.quote.endswith(ELISION + "写恐吓信或者以其他方法威胁他人人身安全的")


@pytest.mark.parametrize("quote, ok", [
    ("有下列行为之一的……（六）偷窥、偷拍、窃听、散布他人隐私的", True),
    ("（六）偷窥、偷拍……有下列行为之一的", False),            # parts out of order
    ("有下列行为之一的……（七）殴打他人的", False),              # an invented item
    ("……", False),
])
def test_elided_quotes_are_verbatim_only_part_by_part_in_order(corpus, quote, ok):
    assert corpus.has_quote(PSL, "第五十条", quote) is ok


def test_joint_opinion_provision_is_cited_as_an_article_with_its_item(corpus):
    article = corpus.article("spc-spp-mps-moj-soft-violence-2019", "二")
    quoted = claim_quote(article, ["拉挂横幅", "播放哀乐"])
    citation = make_citation(corpus, article.doc_id, article.label, quoted.quote, quoted.locator)
    assert citation.display == "《两高两部软暴力意见》第二条第（二）项"
    assert "仅收录部分条文" in citation.caveat
