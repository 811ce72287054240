"""Telegram HTML helpers: escaping, splitting at 4096 without breaking tags, callback data size."""
import re
from pathlib import Path

import pytest

from bot.engine.answers import Answer, Citation
from bot.telegram_app.formatting import article_callback, esc, find_article, fits_callback, format_answer, split_html, utf16_len
from ingest.corpus import load_corpus
from tests.support.fake_bot_api import BadRequest, visible_html

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(KNOWLEDGE)


def _balanced(part: str) -> bool:
    try:
        visible_html(part)
        return True
    except BadRequest:
        return False


def test_short_text_is_one_message():
    assert split_html("<b>标题</b>\n\n正文") == ["<b>标题</b>\n\n正文"]


def test_splits_on_paragraph_boundaries():
    paragraphs = [f"第{i}段" + "字" * 1000 for i in range(10)]
    parts = split_html("\n\n".join(paragraphs))
    assert all(utf16_len(p) <= 4096 for p in parts)
    # Every paragraph survives whole, in order.
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    assert all(p.startswith("第") for p in parts)


def test_oversize_paragraph_keeps_tags_balanced():
    quote = "<blockquote>" + "这是一句很长的法条原文，" * 500 + "完。</blockquote>"
    text = "<b>法律依据</b>\n\n" + quote + "\n\n<i>提示</i>"
    parts = split_html(text)
    assert len(parts) >= 2
    for part in parts:
        assert utf16_len(part) <= 4096
        assert _balanced(part), part[:80]
    visible = "".join(visible_html(p) for p in parts)
    assert visible.count("这是一句很长的法条原文") == 500


def test_entities_are_never_cut():
    text = "&lt;b&gt;" * 2000  # 18,000 characters of entities, no break points
    parts = split_html(text, limit=500)
    assert all(_balanced(p) for p in parts)
    assert "".join(parts) == text


def test_nested_tags_reopened_in_next_part():
    text = "<b><i>" + "句。" * 100 + "</i></b>"
    parts = split_html(text, limit=60)
    assert len(parts) > 3
    assert all(p.startswith("<b><i>") and p.endswith("</i></b>") for p in parts)
    assert all(_balanced(p) and utf16_len(p) <= 60 for p in parts)


def test_astral_characters_counted_as_two_units():
    parts = split_html("😀" * 3000)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == "😀" * 3000


def test_dynamic_strings_are_escaped():
    answer = Answer(question="q", text="<script>&“催收”</script>\n\n第二段", intent="x", language="zh-Hans",
                    citations=[Citation("d", "t", "<刑法>", "第一条", "in_force", "a < b & c", "仅收录<部分>")])
    html = format_answer(answer, "zh-Hans")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert _balanced(html)
    assert "12348" in html  # the disclaimer


def test_callback_data_for_every_article_fits_64_bytes(corpus):
    for doc in corpus.documents.values():
        for article in doc.articles:
            data = article_callback(doc.id, article)
            assert fits_callback(data), data
            found_doc, found = find_article(corpus, data)
            assert (found_doc.id, found.label) == (doc.id, article.label)


def test_unknown_article_callback(corpus):
    assert find_article(corpus, "a:00000000:a1.0") == (None, None)
    assert find_article(corpus, "a:garbage") == (None, None)


def test_esc():
    assert esc("<a href='x'>&") == "&lt;a href='x'&gt;&amp;"
    assert re.search(r"[<>]", esc("<<>>")) is None


def test_legal_basis_listed_by_the_engine_is_not_repeated():
    cite = Citation("civil-code", "中华人民共和国民法典", "民法典", "第一千零三十三条", "in_force", "任何组织")
    text = "不可以。\n\n法律依据：\n1. 《民法典》第一千零三十三条：“任何组织……”\n\n以上是法律信息……12348。"
    html = format_answer(Answer(question="q", text=text, intent="x", language="zh-Hans", citations=[cite]),
                         "zh-Hans")
    assert html.count("《民法典》第一千零三十三条") == 1
    assert "<b>法律依据：</b>" in html and html.count("12348") == 1
    # Not listed in the text: the front end adds the legal basis itself, in the reader's script.
    bare = format_answer(Answer(question="q", text="不可以。", intent="x", language="zh-Hant", citations=[cite]),
                         "zh-Hant")
    assert "《民法典》第一千零三十三條" in bare and "12348" in bare


def test_tool_result_is_not_given_its_citations_twice(corpus):
    """Tool texts end with their own legal basis and disclaimer; the front end must not repeat them."""
    from bot.tools.contact_guide import ContactGuideWizard  # noqa: PLC0415 - tools import the corpus lazily

    wizard = ContactGuideWizard(corpus)
    state, step = wizard.start("zh-Hans")
    while not step.done:
        step = wizard.handle(state, (step.choices or ["否"])[0], "zh-Hans")
    html = format_answer(step.result, "zh-Hans")
    assert step.result.citations
    assert html.count("12348") == 1
    first = step.result.citations[0].display
    assert html.count(first) == step.result.text.count(first)
