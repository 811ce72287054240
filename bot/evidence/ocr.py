"""Offline OCR of screenshots (rapidocr + onnxruntime, PP-OCR models shipped inside the wheel).

The engine is heavy (about half a gigabyte once loaded), so it is built on the first image
and reused; callers run `recognise` in a worker thread, never on an event loop. The model
files are passed by path, which is the code path in rapidocr that never downloads anything.
Images are decoded with Pillow first so a corrupt or oversized upload is a clear error
before the engine sees it.
"""
from __future__ import annotations

import io
import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000          # a phone screenshot is ~3 Mpx; beyond this is a decompression bomb
MIN_SIDE = 32
LONE_GLYPH_SCORE = 0.8
MIN_TEXT_CHARS = 4               # fewer recognised characters than this is not a chat screenshot
ENGINE_PARAMS = {
    "Global.use_cls": False,            # screenshots are upright; the classifier only costs time
    "Global.log_level": "warning",
    "Det.limit_side_len": 960,
}


class ImageInputError(ValueError):
    """An image we cannot read; `code` names the case, `zh` / `en` say it to the user."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[float, float, float, float]     # left, top, right, bottom in image pixels

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def _models_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


def engine_params() -> dict:
    """The engine configuration, with the wheel's model files named explicitly."""
    models = _models_dir()
    return {**ENGINE_PARAMS,
            "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
            "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx")}


_engine = None
_engine_lock = threading.Lock()


def get_engine():
    """The shared OCR engine, built on first use (thread-safe)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr import RapidOCR

                _engine = RapidOCR(params=engine_params())
                log.info("OCR engine loaded")
    return _engine


def engine_loaded() -> bool:
    return _engine is not None


def decode_image(data: bytes) -> Image.Image:
    """Validate and decode an upload into an RGB image, or raise ImageInputError."""
    if not data:
        raise ImageInputError("empty", "图片是空的，请重新发送截图。", "The image is empty; please send the screenshot again.")
    if len(data) > MAX_IMAGE_BYTES:
        mb = MAX_IMAGE_BYTES // (1024 * 1024)
        raise ImageInputError("too_large", f"图片超过 {mb} MB，请发送原始截图或裁剪后再发。",
                              f"The image is over {mb} MB; send the plain screenshot or crop it.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError("too_large", "图片尺寸过大，请发送原始截图。",
                              "The image is too large in pixels; send the plain screenshot.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageInputError("corrupt", "无法读取这张图片（文件损坏或不是图片）。请重新截图后发送 PNG 或 JPG。",
                              "This image cannot be read (corrupt or not an image). Take the screenshot "
                              "again and send a PNG or JPG.") from None
    if min(image.size) < MIN_SIDE:
        raise ImageInputError("too_small", "图片太小，看不清文字。请发送完整的截图。",
                              "The image is too small to read; send the full screenshot.")
    return image.convert("RGB")


def _lines(output) -> list[OcrLine]:
    if output.txts is None or output.boxes is None:
        return []
    lines = []
    for text, score, box in zip(output.txts, output.scores, output.boxes):
        xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        # A lone low-confidence glyph is usually punctuation misread (a wrapped "。" read as "O").
        if text.strip() and not (len(text.strip()) == 1 and score < LONE_GLYPH_SCORE):
            lines.append(OcrLine(text.strip(), float(score), (min(xs), min(ys), max(xs), max(ys))))
    return lines


def _meaningful_chars(lines: list[OcrLine]) -> int:
    return sum(ch.isalnum() for line in lines for ch in line.text)


def recognise(image_bytes: bytes) -> list[OcrLine]:
    """The text lines of a screenshot, top to bottom; ImageInputError for unreadable or text-less images."""
    return recognise_with_width(image_bytes)[0]


def recognise_with_width(image_bytes: bytes) -> tuple[list[OcrLine], int]:
    """(lines, image width): the width tells which lines are centred (titles, timestamps)."""
    image = decode_image(image_bytes)
    lines = _lines(get_engine()(image))
    if not lines:
        raise ImageInputError("no_text", "图片里没有识别到文字。请发送催收短信或聊天记录的截图，或直接把内容打字发给我。",
                              "No text was found in the image. Send a screenshot of the collector's "
                              "message or chat, or type what was said.")
    if _meaningful_chars(lines) < MIN_TEXT_CHARS:
        raise ImageInputError("not_chat", 
            "这张图片看起来不是短信或聊天截图（几乎没有文字）。请发送聊天记录截图，或把对方说的话打字发给我。",
                              "This does not look like a message or chat screenshot (hardly any text). "
                              "Send a chat screenshot, or type what was said.")
    return sorted(lines, key=lambda line: (line.box[1], line.box[0])), image.width
