"""Generated phone screenshots (Pillow + a CJK system font) for the OCR tests and benchmark.

Each screenshot is drawn from known text, so OCR output can be scored against the truth.
Styles: an SMS thread, WeChat light and dark mode; any of them can be saved as a rotated,
blurred JPEG (a photo of a screen, re-compressed by a messenger).
"""
from __future__ import annotations

import glob
import io
import textwrap
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_GLOBS = ("/usr/share/fonts/**/NotoSansCJK-Regular.ttc", "/usr/share/fonts/**/NotoSansCJK*.ttc",
              "/usr/share/fonts/**/wqy-*.ttc", "/usr/share/fonts/**/*CJK*.ttc")
FACE_INDEX = {"zh-Hans": 2, "zh-Hant": 3}   # Noto Sans CJK collection: SC, TC faces
WIDTH = 1080
FONT_SIZE = 40
WRAP = 17                                   # characters per bubble line


def cjk_font_path() -> str | None:
    for pattern in FONT_GLOBS:
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    return None


def font(size: int = FONT_SIZE, script: str = "zh-Hans") -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")
    index = FACE_INDEX[script] if "NotoSansCJK" in path else 0
    return ImageFont.truetype(path, size, index=index)


STYLES = {
    #             background     theirs        mine          text       text-on-mine  time
    "sms":          ("#ffffff", "#e9e9eb", "#34c759", "#000000", "#ffffff", "#8e8e93"),
    "wechat_light": ("#ededed", "#ffffff", "#95ec69", "#111111", "#111111", "#9a9a9a"),
    "wechat_dark":  ("#111111", "#2c2c2c", "#3eb575", "#d5d5d5", "#111111", "#6f6f6f"),
}


@dataclass
class Screen:
    style: str
    title: str
    messages: list[tuple[str, str]]           # (side: "them" | "me" | "time", text)
    script: str = "zh-Hans"
    rotate: float = 0.0
    blur: float = 0.0
    jpeg: bool = False
    name: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def true_text(self) -> str:
        """What was said, one message per line (timestamps and title excluded)."""
        return "\n".join(text for side, text in self.messages if side != "time")


def render(screen: Screen) -> Image.Image:
    bg, theirs, mine, fg, fg_mine, time_colour = STYLES[screen.style]
    body, small = font(FONT_SIZE, screen.script), font(30, screen.script)
    rows = []
    for side, text in screen.messages:
        rows.append((side, textwrap.wrap(text, WRAP) if side != "time" else [text]))
    height = 200 + sum(len(lines) * 58 + 70 for _, lines in rows) + 80
    image = Image.new("RGB", (WIDTH, height), bg)
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 80), screen.title, font=body, fill=fg if screen.style != "sms" else "#000000",
              anchor="mm")
    draw.line((0, 140, WIDTH, 140), fill=time_colour, width=1)
    y = 180
    for side, lines in rows:
        if side == "time":
            draw.text((WIDTH // 2, y + 20), lines[0], font=small, fill=time_colour, anchor="mm")
            y += 70
            continue
        width = max(draw.textlength(line, font=body) for line in lines) + 60
        bubble_h = len(lines) * 58 + 30
        x = 60 if side == "them" else WIDTH - 60 - width
        colour = theirs if side == "them" else mine
        draw.rounded_rectangle((x, y, x + width, y + bubble_h), radius=24, fill=colour)
        for n, line in enumerate(lines):
            draw.text((x + 30, y + 15 + n * 58), line, font=body, fill=fg if side == "them" else fg_mine)
        y += bubble_h + 40
    if screen.rotate:
        image = image.rotate(screen.rotate, expand=True, fillcolor=bg, resample=Image.BICUBIC)
    if screen.blur:
        image = image.filter(ImageFilter.GaussianBlur(screen.blur))
    return image


def to_bytes(screen: Screen) -> bytes:
    buffer = io.BytesIO()
    image = render(screen)
    if screen.jpeg:
        image.save(buffer, "JPEG", quality=70)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


THREAT_SMS = Screen("sms", "10690000", [
    ("time", "昨天 23:40"),
    ("them", "你欠的钱今天必须还清，不然我们就联系你的家人和单位。"),
    ("them", "再不还款就上门找你，出门小心点。"),
], name="sms_threat")


def corpus_screens() -> list[Screen]:
    """Ten or more screenshots of varied layouts and content for the benchmark."""
    return [
        THREAT_SMS,
        Screen("sms", "95555", [
            ("time", "12月3日 09:15"),
            ("them", "尊敬的客户，您的信用卡本期账单已逾期，请尽快还款，如有疑问请致电客服。"),
        ], name="sms_lawful"),
        Screen("wechat_light", "催收员小王", [
            ("time", "今天 22:50"),
            ("them", "你就是个老赖，不要脸，赶紧还钱！"),
            ("me", "我在想办法，请不要骂人。"),
            ("them", "把钱转到我个人账户，卡号发你。"),
        ], name="wechat_light_insult"),
        Screen("wechat_dark", "法务部张主任", [
            ("time", "昨天 23:10"),
            ("them", "我们是法院的，已经对你立案，明天就来抓你。"),
            ("them", "你的通讯录我们都有，会通知你所有的同事。"),
        ], name="wechat_dark_impersonation"),
        Screen("sms", "10690123", [
            ("time", "11月30日 08:15"),
            ("them", "再不还钱就把你的欠款信息发给你全家和公司领导。"),
        ], name="sms_disclosure"),
        Screen("wechat_light", "贷后管理", [
            ("them", "今天一共给你打了十几个电话，你为什么不接？"),
            ("them", "限你今天下午三点前还清，否则后果自负。"),
        ], name="wechat_light_frequency"),
        Screen("sms", "10691888", [
            ("time", "昨天 21:03"),
            ("them", "你好，这里是某某银行信用卡中心，请于本月二十日前还款。"),
        ], name="sms_plain"),
        Screen("wechat_dark", "催收专员", [
            ("them", "再不还款我们就去你单位找你，让你领导知道。"),
            ("me", "我已经联系银行协商分期了。"),
        ], name="wechat_dark_visit"),
        Screen("wechat_light", "債務處理中心", [
            ("time", "昨天 23:20"),
            ("them", "你這個老賴，再不還錢就讓你全家不得安寧。"),
            ("them", "我們知道你家住在哪裡。"),
        ], script="zh-Hant", name="wechat_traditional"),
        Screen("sms", "10692222", [
            ("them", "请先交两千元手续费，才能给你办理停催和减免。"),
        ], name="sms_fee"),
        Screen("sms", "10690000", list(THREAT_SMS.messages), rotate=2.5, blur=1.2, jpeg=True,
               name="sms_rotated_blurred_jpeg"),
        Screen("wechat_dark", "催收员小王", [
            ("them", "晚上11点我再打给你，不接就打给你妈。"),
        ], rotate=-1.5, blur=0.8, jpeg=True, name="wechat_dark_rotated_jpeg"),
    ]
