"""OCR on generated screenshots (real rapidocr + onnxruntime, models from the wheel), and bad images."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.evidence import bubbles, ocr
from bot.evidence.screenshot import read_screenshot
from tests.support import screens


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_engine_uses_the_models_inside_the_wheel():
    params = ocr.engine_params()
    assert params["Global.use_cls"] is False and params["Det.limit_side_len"] == 960
    for key in ("Det.model_path", "Rec.model_path"):       # an explicit path is rapidocr's no-download path
        assert "site-packages" in params[key] or "rapidocr" in params[key]
        assert __import__("pathlib").Path(params[key]).is_file()


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"GIF89a this is not really an image", "corrupt"),
    (b"\x00" * (ocr.MAX_IMAGE_BYTES + 1), "too_large"),
])
def test_bad_files_are_clear_errors_before_ocr(data, code):
    with pytest.raises(ocr.ImageInputError) as exc:
        ocr.decode_image(data)
    assert exc.value.code == code and exc.value.zh and exc.value.en


def test_truncated_png_is_corrupt(cjk_font):
    data = screens.to_bytes(screens.THREAT_SMS)
    with pytest.raises(ocr.ImageInputError) as exc:
        ocr.decode_image(data[: len(data) // 2])
    assert exc.value.code == "corrupt"


def test_bubbles_join_wrapped_lines_and_skip_timestamps():
    line = lambda text, x, y: ocr.OcrLine(text, 1.0, (x, y, x + 600, y + 46))   # noqa: E731
    lines = [ocr.OcrLine("10690000", 1.0, (450, 60, 630, 104)), ocr.OcrLine("昨天23:40", 1.0, (466, 184, 614, 220)),
             line("你欠的钱今天必须还清，不然我们就联", 87, 273), line("系你的家人和单位。", 88, 331),
             line("再不还款就上门找你。", 86, 460)]
    found = bubbles.group(lines, 1080)
    assert [b.kind for b in found] == ["header", "time", "message", "message"]
    assert found[2].text == "你欠的钱今天必须还清，不然我们就联系你的家人和单位。"


@pytest.mark.slow
def test_screenshot_findings_match_the_true_text(cjk_font, corpus):
    from bot.tools.checker import check_message

    report = read_screenshot(screens.to_bytes(screens.THREAT_SMS), corpus)
    assert "联系你的家人和单位" in report.text
    truth = set().union(*(check_message(t, corpus).codes for _, t in screens.THREAT_SMS.messages[1:]))
    assert report.codes == truth and "threat" in report.codes
    rendered = report.render()
    assert "识别出的文字" in rendered and "《" in rendered and "第" in rendered


@pytest.mark.slow
def test_blank_image_has_no_text_and_a_photo_is_not_a_chat(cjk_font):
    with pytest.raises(ocr.ImageInputError) as exc:
        ocr.recognise(png(Image.new("RGB", (600, 800), "#88aacc")))
    assert exc.value.code == "no_text"
    selfie = Image.radial_gradient("L").resize((600, 800)).convert("RGB")    # smooth shapes, no text
    with pytest.raises(ocr.ImageInputError) as exc:
        ocr.recognise(png(selfie))
    assert exc.value.code in ("no_text", "not_chat")
