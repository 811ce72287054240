"""The post-check on its own: markers, article references, quotes (no HTTP needed)."""
from __future__ import annotations

import pytest

from bot.engine.citations import verify
from bot.engine.llm.postcheck import ReplyChecker, choose_quote, finish_text
from bot.engine.llm.prompt import build_sources, history_pairs
from bot.engine.sentences import reply_pieces
from bot.messages import t
from tests.support.llm_stub import card_hit, guidance_hit, regulation_hit


@pytest.fixture(scope="module")
def checker(corpus):
    return ReplyChecker(corpus)


@pytest.fixture
def sources(corpus):
    return build_sources(corpus, [regulation_hit(corpus, "civil-code", "第一千零三十三条"),
                                  regulation_hit(corpus, "criminal-law", "第二百九十三条之一")])


def test_sources_are_regulation_articles_once_each(corpus):
    hits = [regulation_hit(corpus, "consumer-protection-law", "第五十六条"),
            regulation_hit(corpus, "consumer-protection-law", "第五十六条", part=2),
            card_hit(corpus, "contact-may-they-call"), guidance_hit(),
            regulation_hit(corpus, "pipl", "第十三条")]
    bogus = regulation_hit(corpus, "pipl", "第十三条")
    bogus.metadata["article"] = "第九千条"
    sources = build_sources(corpus, hits + [bogus])
    assert [(s.marker, *s.key) for s in sources] == [(1, "consumer-protection-law", "第五十六条"),
                                                     (2, "pipl", "第十三条")]
    assert sources[0].text == corpus.article("consumer-protection-law", "第五十六条").text  # whole article


@pytest.mark.parametrize("marker", ["【S2】", "[S2]", "[ s2 ]", "[S2、S2]"])
def test_marker_spellings(checker, sources, marker):
    checked = checker.check(f"催收非法债务情节严重的可能构成犯罪{marker}。", sources, "zh-Hans")
    assert [c.article for c in checked.citations] == ["第二百九十三条之一"]
    assert checked.text == "催收非法债务情节严重的可能构成犯罪[1]。"


def test_citations_are_numbered_in_order_of_appearance(checker, sources):
    checked = checker.check("恐吓、骚扰他人的可能构成犯罪[S2]。以电话、短信侵扰私人生活安宁也不行[S1, S2]。",
                            sources, "zh-Hans")
    assert [c.doc_id for c in checked.citations] == ["criminal-law", "civil-code"]
    assert checked.text == "恐吓、骚扰他人的可能构成犯罪[1]。以电话、短信侵扰私人生活安宁也不行[2][1]。"


def test_marker_after_the_full_stop_belongs_to_the_sentence_before(checker, sources):
    checked = checker.check("恐吓、骚扰他人的可能构成犯罪。[S2]\n\n另一段。", sources, "zh-Hans")
    assert checked.citations[0].quote.startswith("（三）恐吓、跟踪、骚扰他人的") or "骚扰" in checked.citations[0].quote
    assert checked.text == "恐吓、骚扰他人的可能构成犯罪。[1]\n\n另一段。"


def test_named_article_without_marker_is_still_cited(checker, sources, corpus):
    checked = checker.check("《民法典》第一千零三十三条禁止以电话侵扰他人的私人生活安宁。", sources, "zh-Hans")
    [citation] = checked.citations
    assert citation.article == "第一千零三十三条" and checked.report.clean
    verify(corpus, citation)


@pytest.mark.parametrize("reference, reason", [
    ("《民法典》第2000条", "article does not exist in the corpus"),
    ("民法典第一千零三十二条", "article not among the retrieved sources"),
    ("《中华人民共和国个人信息保护法》第十三条第一款", "article not among the retrieved sources"),
    ("《合同法》第一百零七条", "document not in the corpus"),
    ("第五十条", "article not among the retrieved sources"),
    ("民法典1032条", "article not among the retrieved sources"),
    ("《刑法》第293条之二", "article does not exist in the corpus"),
])
def test_unverifiable_reference_is_cut_but_the_cited_claim_stays(checker, sources, reference, reason):
    checked = checker.check(f"以电话侵扰私人生活安宁是不允许的[S1]，另见{reference}。", sources, "zh-Hans")
    assert checked.report.removed_references == [(reference, reason)]
    assert reference not in checked.text
    assert checked.text == "以电话侵扰私人生活安宁是不允许的[1]，另见[已删除未经核实的引用]。"


def test_sentences_resting_only_on_bad_sources_are_removed_whole(checker, sources):
    checked = checker.check("你不用还钱[S5]。银行必须停催，见《民法典》第二千条。骚扰他人的可能构成犯罪[S2]。",
                            sources, "zh-Hans")
    assert checked.text == "[已删除未经核实的引用]骚扰他人的可能构成犯罪[1]。"
    assert checked.report.removed_markers == ["[S5]"]


def test_counts_that_are_not_citations_are_left_alone(checker, sources):
    checked = checker.check("以电话侵扰私人生活安宁是不允许的[S1]。以下3条建议供参考。", sources, "zh-Hans")
    assert checked.report.clean and "以下3条建议" in checked.text


def test_valid_references_in_any_spelling_are_kept(checker, sources):
    for text in ("刑法293条之一", "《刑法》第293条之一", "刑法第二百九十三条之一", "《中华人民共和国民法典》第一千零三十三条第（一）项"):
        checked = checker.check(f"依据{text}。", sources, "zh-Hans")
        assert checked.report.clean and text in checked.text


def test_english_article_numbers_are_checked(checker, sources):
    checked = checker.check("Calls that disturb private life are banned [S1]. See also Art. 1032 and Article 1033.",
                            sources, "en")
    assert "1032" not in checked.text and "Article 1033" in checked.text
    assert "[unverified citation removed]" in checked.text


def test_choose_quote_picks_the_item_the_model_paraphrased(corpus):
    article = corpus.article("civil-code", "第一千零三十三条")
    quote = choose_quote(article, "不能拍摄、窥视你身体的私密部位")
    assert quote == "（四）拍摄、窥视他人身体的私密部位；"
    assert choose_quote(article, "No overlap at all") is None


def test_choose_quote_trims_the_amending_decisions_paragraph_marks(corpus):
    article = corpus.article("spc-spp-credit-card-crimes-amendment-2018", "二")
    quote = choose_quote(article, "是否属于有效催收，要根据银行的电话录音、信息送达记录等原始证据判断")
    assert quote.startswith("对于是否属于有效催收") and corpus.has_quote(article.doc_id, article.label, quote)


def test_quote_falls_back_to_the_first_sentence_when_nothing_overlaps(checker, sources, corpus):
    checked = checker.check("This is forbidden [S2].", sources, "en")
    [citation] = checked.citations
    assert citation.quote.startswith("有下列情形之一，催收高利放贷等产生的非法债务")
    verify(corpus, citation)


@pytest.mark.parametrize("text", ["一句。两句！\n\n三句？[S1]尾巴", "Art. 5 is here. Next one.[S2]\n", "", "无标点"])
def test_sentence_split_loses_nothing(text):
    assert "".join(reply_pieces(text)) == text


def test_history_is_bounded_and_accepts_turn_shapes():
    class Turn:
        def __init__(self, q, a):
            self.question, self.answer = q, a

    class Ans:
        text = "旧回答"

    history = [("q0", "a0"), {"question": "q1", "answer": "a1"}, Turn("q2", Ans()), Turn("q3", "x" * 1000)]
    pairs = history_pairs(history, 3)
    assert [q for q, _ in pairs] == ["q1", "q2", "q3"]
    assert pairs[1][1] == "旧回答" and len(pairs[2][1]) == 300


def test_finish_text_lists_quotes_and_disclaimer(checker, sources, corpus):
    checked = checker.check("骚扰他人的可能构成犯罪[S2]。", sources, "zh-Hans")
    text = finish_text(checked.text, checked.citations, "zh-Hans", corpus)
    body, basis, disclaimer = text.split("\n\n")
    assert body == "骚扰他人的可能构成犯罪[1]。"
    cited = checked.citations[0]
    assert cited.display.startswith("《刑法》第二百九十三条之一")      # + the item quoted, e.g. 第（三）项
    assert basis.startswith(f"法律依据：\n1. {cited.display}：“{cited.quote.replace(chr(10), '')}”")
    assert disclaimer == t("disclaimer", "zh-Hans")
