"""Every cited article is named in the answer's own text; references resolve to the law named before them."""
from __future__ import annotations

from bot.engine.citation_relevance import answer_body, is_referred, keep_referred, referring_sentences
from bot.engine.citations import make_citation
from ingest.cards import load_cards
from tests.support import KNOWLEDGE

TEXT = ("不论欠不欠钱：多次发送侮辱恐吓信息，可依治安管理处罚法（2025年修订）第五十条处拘留或罚款；"
        "殴打他人依第五十一条处罚。情节严重的，可能构成刑法上的非法拘禁（第二百三十八条）、侮辱诽谤（第二百四十六条）。")


def test_a_reference_belongs_to_the_law_named_before_it(corpus):
    assert is_referred("public-security-penalties-2025", "第五十一条", TEXT, corpus)
    assert is_referred("criminal-law", "第二百四十六条", TEXT, corpus)
    assert not is_referred("civil-code", "第二百四十六条", TEXT, corpus)
    assert not is_referred("civil-procedure-law", "第二百二十七条", TEXT, corpus)


def test_english_references_and_decision_items(corpus):
    text = "Civil Code Art. 1033 and Arts. 681, 685; intent may not be inferred (2018 decision, item 1)."
    assert is_referred("civil-code", "第六百八十五条", text, corpus)
    assert is_referred("spc-spp-credit-card-crimes-amendment-2018", "一", text, corpus)


def test_the_claim_of_a_reference_is_the_words_before_it(corpus):
    claims = referring_sentences("criminal-law", "第二百四十六条", TEXT, corpus)
    assert claims and "侮辱诽谤" in claims[0] and "非法拘禁" not in claims[0]


def test_unreferred_citations_are_dropped(corpus):
    kept = make_citation(corpus, "public-security-penalties-2025", "第五十条")
    stray = make_citation(corpus, "civil-procedure-law", "第二百二十七条")
    assert keep_referred([kept, stray], TEXT, corpus) == [kept]


def test_the_legal_basis_block_does_not_count_as_a_reference():
    text = "直接回答。\n\n法律依据：\n1. 《民法典》第一千零三十三条：“……”\n\n怎么做：\n- 报警"
    assert "第一千零三十三条" not in answer_body(text)
    assert "第一千零三十三条" not in answer_body(text.replace("法律依据", "法律依據"))


def test_every_reference_in_every_card_resolves_to_one_of_its_cites(corpus):
    """A card naming 第X条 right after another law (\"…刑法…依同法第三十条\") would be read as that law."""
    from bot.engine.citation_relevance import _located, _matches

    for card in load_cards(KNOWLEDGE, corpus):
        texts = [card.body] + [t for parts in card.roles.values()
                               for t in [parts.get("direct", ""), *parts.get("steps", []), *parts.get("avoid", [])]]
        cites = {(c.doc_id, corpus.article(c.doc_id, c.article).label) for c in card.cites}
        for text in texts:
            for block in text.split("\n"):
                for pos, ref in _located(block):
                    assert any(_matches(ref, d, a, corpus) for d, a in cites), (card.id, block[max(0, pos - 30):pos + 10])
