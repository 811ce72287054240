"""End to end: the real bot process receives a screenshot, fetches it through getFile and the
file URL of the fake Bot API, replies with findings, logs it with one button, and exports the log."""
from __future__ import annotations

import io

import pytest

from tests.support import screens
from tests.support.bot_process import BotProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(fake_api, bot_index, tmp_path_factory):
    if screens.cjk_font_path() is None:
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk (make test installs it)")
    workdir = tmp_path_factory.mktemp("bot-evidence")
    process = BotProcess(fake_api, bot_index, workdir, TELEGRAM_BASE_FILE_URL=fake_api.base_file_url,
                         LOG_DIR=str(workdir / "evidence"), RATE_LIMIT_PER_MINUTE=30)
    process.start()
    process.log_dir = workdir / "evidence"
    yield process
    process.stop()


def test_photo_is_fetched_read_and_checked_then_logged_and_exported(bot, fake_api):
    from docx import Document

    user = 7101
    mark = fake_api.mark()
    fake_api.send_photo(user, screens.to_bytes(screens.THREAT_SMS))
    reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark, timeout=120,
                              predicate=lambda c: "识别出的文字" in c.text)
    get_file = fake_api.calls_to("getFile", after=mark)
    assert get_file and get_file[0]["file_id"] in fake_api.files
    assert any(path.startswith("photos/") for path in fake_api.downloads)
    assert "联系你的家人和单位" in reply.text
    assert "威胁" in reply.text and "《" in reply.text and "原话" in reply.text
    buttons = {b["callback_data"] for b in reply.buttons}
    add = next(b for b in buttons if b.startswith("ev:i:"))

    mark = fake_api.mark()
    fake_api.press(user, reply, add)
    added = fake_api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "已加入记录" in c.text)
    assert "共 1 条" in added.text
    kept = [p for p in bot.log_dir.rglob("*") if p.is_file() and p.suffix == ".png"]
    assert len(kept) == 1                                   # the user asked to keep the screenshot

    mark = fake_api.mark()
    fake_api.send_command(user, "/log\n时间：昨晚11点\n号码：10690000\n方式：电话\n内容：打电话骂我老赖")
    fake_api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "共 2 条" in c.text)

    mark = fake_api.mark()
    fake_api.send_command(user, "/log list")
    listing = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    assert "共 2 条记录" in listing.text and "本工具的提示阈值" in listing.text

    mark = fake_api.mark()
    before = len(fake_api.documents)
    fake_api.send_command(user, "/export")
    fake_api.wait_for("sendMessage", chat_id=user, after=mark, predicate=lambda c: "提示阈值" in c.text)
    sent = fake_api.documents[before:]
    docx = next(d for d in sent if d["filename"].endswith(".docx"))
    table = Document(io.BytesIO(docx["bytes"])).tables[0]
    assert len(table.rows) == 3                             # header + one row per incident
    assert any(d["filename"].endswith(".csv") for d in sent)

    mark = fake_api.mark()
    fake_api.send_command(user, "/forget")
    confirm = fake_api.wait_for("sendMessage", chat_id=user, after=mark)
    fake_api.press(user, confirm, "fg:y")
    fake_api.wait_for("editMessageText", after=mark)
    assert not [p for p in bot.log_dir.rglob("*") if p.is_file()]   # log and screenshot deleted


def test_bad_images_and_media_get_clear_replies(bot, fake_api):
    user = 7102
    cases = [
        (lambda: fake_api.send_image_document(user, b"\x89PNG\r\n\x1a\n broken"), "无法读取这张图片"),
        (lambda: fake_api.send_photo(user, _blank_png()), "没有识别到文字"),
        (lambda: fake_api.send_sticker(user), "贴纸"),
        (lambda: fake_api.send_voice(user), "语音不会被转成文字"),
    ]
    for send, expected in cases:
        mark = fake_api.mark()
        send()
        reply = fake_api.wait_for("sendMessage", chat_id=user, after=mark, timeout=120)
        assert expected in reply.text


def test_no_message_text_in_the_log_and_no_rejected_calls(bot, fake_api):
    log = bot.log_text()
    assert "联系你的家人" not in log and "老赖" not in log and "10690000" not in log
    assert not fake_api.unknown and not fake_api.errors


def _blank_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (720, 1280), "#f0f0f0").save(buffer, "PNG")
    return buffer.getvalue()
