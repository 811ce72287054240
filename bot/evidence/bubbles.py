"""Group OCR lines into chat bubbles: a message wrapped over several lines is one message.

Lines belong to the same bubble when they follow each other closely and start at the same
left edge. Lines centred on the screen are the chat's title or a timestamp, never a message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.evidence.ocr import OcrLine

GAP_FACTOR = 0.75          # a gap below this many line heights continues the bubble
ALIGN_FACTOR = 1.2         # left edges closer than this many line heights are aligned
CENTRE_TOLERANCE = 0.06    # share of the width a centred line's middle may be off the centre
_TIMESTAMP = re.compile(r"^(?:(?:今天|昨天|前天|星期.|周.|\d{1,4}[年/-]\d{1,2}[月/-]\d{1,2}日?|\d{1,2}月\d{1,2}日)\s*)?"
                        r"(?:上午|下午|晚上|凌晨|中午)?\s*\d{1,2}[:：]\d{2}$")


@dataclass
class Bubble:
    kind: str                                   # message | time | header
    lines: list[OcrLine] = field(default_factory=list)
    side: str = "left"                          # left (them) | right (me) | centre

    @property
    def text(self) -> str:
        return join_lines([line.text for line in self.lines])

    @property
    def box(self) -> tuple[float, float, float, float]:
        boxes = [line.box for line in self.lines]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def join_lines(parts: list[str]) -> str:
    """Join wrapped lines: no space inside Chinese text, one space between Latin words."""
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and part[:1].isascii() and part[:1].isalnum():
            out += " "
        out += part
    return out


def _width(lines: list[OcrLine]) -> float:
    # Screenshots have symmetric margins, so the rightmost edge plus the leftmost margin is a fair width.
    return max(line.box[2] for line in lines) + min(line.box[0] for line in lines)


def _is_centred(line: OcrLine, width: float) -> bool:
    middle = (line.box[0] + line.box[2]) / 2
    return abs(middle - width / 2) <= CENTRE_TOLERANCE * width and line.box[2] - line.box[0] < 0.6 * width


def _continues(bubble: Bubble, line: OcrLine) -> bool:
    last = bubble.lines[-1]
    height = max(last.height, line.height, 1.0)
    gap = line.box[1] - last.box[3]
    aligned = abs(line.box[0] - bubble.box[0]) <= ALIGN_FACTOR * height
    return gap <= GAP_FACTOR * height and aligned


def group(lines: list[OcrLine], width: float | None = None) -> list[Bubble]:
    """Bubbles in reading order (top to bottom); `width` is the image's (estimated when not given)."""
    if not lines:
        return []
    width = width or _width(lines)
    bubbles: list[Bubble] = []
    for n, line in enumerate(sorted(lines, key=lambda item: (item.box[1], item.box[0]))):
        if _is_centred(line, width):
            kind = "time" if _TIMESTAMP.match(line.text.replace(" ", "")) else ("header" if n == 0 else "time")
            if kind == "time" and not _TIMESTAMP.match(line.text.replace(" ", "")):
                kind = "message"     # a short centred message, e.g. one word
            if kind != "message":
                bubbles.append(Bubble(kind, [line], "centre"))
                continue
        current = bubbles[-1] if bubbles and bubbles[-1].kind == "message" else None
        if current is not None and _continues(current, line):
            current.lines.append(line)
            continue
        side = "left" if (line.box[0] + line.box[2]) / 2 < width / 2 else "right"
        bubbles.append(Bubble("message", [line], side))
    return bubbles


def messages(bubbles: list[Bubble]) -> list[Bubble]:
    return [b for b in bubbles if b.kind == "message"]
