"""The seed article is cleaned by code: no pinyin artefacts, contacts, boilerplate; Simplified; headings kept."""
from __future__ import annotations

import hashlib
import re

import pytest

from bot.language import detect_language, to_simplified
from ingest.chunks import guidance_chunks
from ingest.guidance import clean_lines, load_guidance, strip_contacts, strip_pinyin
from tests.support import KNOWLEDGE

RAW = KNOWLEDGE / "guidance" / "citic-overdue-contacts.raw.txt"
# Any parenthesised latin run right after a Chinese character: the artefact family, tone marks or not.
ARTEFACT = re.compile(r"[\u4e00-\u9fff]\s?[(（][A-Za-zà-ǜ\u0300-\u036f]+\d?[)）]")
PHONE_LIKE = re.compile(r"\d{7,}")
EMAIL_LIKE = re.compile(r"@|qq\.com", re.I)


@pytest.fixture(scope="module")
def doc():
    return load_guidance(KNOWLEDGE)[0]


@pytest.fixture(scope="module")
def chunks(doc):
    return guidance_chunks([doc])


def test_raw_file_is_untouched_and_dirty(doc):
    before = hashlib.sha256(RAW.read_bytes()).hexdigest()
    load_guidance(KNOWLEDGE)
    assert hashlib.sha256(RAW.read_bytes()).hexdigest() == before
    raw = RAW.read_text(encoding="utf-8")
    assert ARTEFACT.search(raw) and "@qq.com" in raw   # the test input really has the problems


def test_no_pinyin_artefacts_anywhere(chunks):
    for chunk in chunks:
        assert not ARTEFACT.search(chunk.text), chunk.text
        assert "(lián)" not in chunk.text and "(tǒng)" not in chunk.text


def test_no_phone_numbers_or_emails(chunks):
    for chunk in chunks:
        assert not PHONE_LIKE.search(chunk.text), chunk.text
        assert not EMAIL_LIKE.search(chunk.text), chunk.text


def test_output_is_simplified(chunks):
    for chunk in chunks:
        assert to_simplified(chunk.text) == chunk.text
        assert detect_language(chunk.text) == "zh-Hans"
    assert any("联系人" in c.text for c in chunks)


def test_boilerplate_removed(chunks):
    text = "\n".join(c.text for c in chunks)
    for junk in ("声明", "侵权", "延伸阅读", "最新文章", "随机看看", "浏览", "作者", "小编导语", "资深用户"):
        assert junk not in text, junk
    # the truncated teaser before 小编导语 is a duplicate of the introduction
    assert text.count("信用不仅影响个人的贷款") == 1


def test_headings_kept_as_paths(chunks):
    paths = [c.metadata["heading_path"] for c in chunks]
    assert "一、中信银行逾期催收的背景 > 1.1 信用体系的建立" in paths
    assert "二、中信逾期催收的法律法规 > 2.3 反骚扰法" in paths
    assert "七、小编总结" in paths
    assert [c.id for c in chunks] == [f"guide:{i}" for i in range(1, len(chunks) + 1)]
    first_section = next(c for c in chunks if c.metadata["heading_path"].endswith("1.1 信用体系的建立"))
    assert first_section.text.startswith("中信逾期打联系人正确 > 一、中信银行逾期催收的背景 > 1.1 信用体系的建立\n")
    assert "个人信用体系逐渐建立" in first_section.text


def test_metadata_marks_it_not_law(chunks):
    for chunk in chunks:
        meta = chunk.metadata
        assert (meta["source"], meta["kind"], meta["status"]) == ("guidance", "guidance", "not_law")
        assert meta["title"] == "中信逾期打联系人正确" and meta["promulgated"] == "2024-11-10"
        assert "合同法" in meta["note"] and "反骚扰法" in meta["note"]


@pytest.mark.parametrize("dirty, clean", [
    ("聯(lián)系人", "聯系人"), ("系統(tǒng)", "系統"), ("發(fā)送", "發送"), ("綠（lǜ）色", "綠色"),
    ("聯(lian2)系", "聯系"), ("經(jīng)濟", "經濟"), ("個(gè)人", "個人"),
])
def test_strip_pinyin_is_general(dirty, clean):
    assert strip_pinyin(dirty) == clean


@pytest.mark.parametrize("text", ["第一条（一）", "中国(China)银行", "USB(A)接口", "刑法(1997)"])
def test_strip_pinyin_keeps_real_parentheses(text):
    assert strip_pinyin(text) == text


@pytest.mark.parametrize("text", [
    "联系方式:13812345678 谢谢", "电话 +86 138-1234-5678。", "座机010-12345678", "客服400-123-4567",
    "邮箱 someone.name@example.com.cn 或 12345@qq.com",
])
def test_strip_contacts_is_general(text):
    cleaned = strip_contacts(text)
    assert not re.search(r"\d{7,}|\d{3}-\d{4}|@", cleaned), cleaned


def test_cleaner_on_other_pages():
    page = ("資深用戶\n標題\n2023-01-02 10:00 瀏覽 作者:某人\n小編導語\n一、第一部分\n1.1 小節\n"
            "銀行會聯(lián)系你。電話13900001111\n聲明:本文\n延伸閱讀\n更多")
    assert clean_lines(page, "標題") == ["一、第一部分", "1.1 小节", "银行会联系你。电话"]
