"""Load and clean third-party guidance articles in knowledge/guidance.

The raw files stay byte-identical to what was collected; every clean-up is done
here so it is repeatable and reviewable: converter pinyin artefacts such as
`聯(lián)`, site boilerplate, phone numbers and e-mail addresses are removed, the text
is converted to Simplified Chinese and split by its headings.
Metadata comes from a sidecar `<name>.meta.yaml` next to `<name>.raw.txt`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.corpus import CorpusError, read_text
from ingest.normalize import normalize_text

GUIDANCE_STATUSES = {"not_law"}
GUIDANCE_REQUIRED = ("title", "date", "kind", "status", "note")

# One pinyin syllable: lowercase latin letters, tone-marked vowels (ā á ǎ à …, ü ǖ …, ń ň ǹ ḿ),
# an optional tone digit. Uppercase/long words are not pinyin, so real parentheticals survive.
_TONE_VOWELS = "āáǎàēéěèêīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
_SYLLABLE = rf"[a-z{_TONE_VOWELS}]{{1,6}}[1-5]?"
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
PINYIN_ARTIFACT = re.compile(rf"(?<={_CJK})\s?[(（]{_SYLLABLE}[)）]")

# Mobile numbers (optionally +86), landlines with an area code, 400/800 service numbers.
PHONE = re.compile(
    r"(?<![\d.])(?:(?:\+|00)?86[-\s]?)?(?:1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"
    r"|0\d{2,3}[-\s]?\d{7,8}|[48]00[-\s]?\d{3}[-\s]?\d{4})(?![\d])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Boilerplate, matched on Simplified text. A terminator drops its line and everything after
# (disclaimers, "further reading" and "latest articles" lists close these pages).
_TERMINATORS = re.compile(r"^(?:免责)?声明[:：]|^版权声明|^内容侵权|^延伸阅读|^最新文章|^相关(?:推荐|阅读|文章)"
                          r"|^热门(?:推荐|文章)|^随机看看|^猜你喜欢")
_DROP_LINE = re.compile(r"^(?:资深用户|认证用户|小编导语|导语|本文导读|编者按)$"
                        r"|^\d{4}-\d{1,2}-\d{1,2}.*(?:浏览|阅读|作者)"
                        r"|^(?:作者|来源|浏览|阅读)[:：]")

_HEADING_L1 = re.compile(r"^[一二三四五六七八九十]+、\s*\S")
_HEADING_L2 = re.compile(r"^\d+\.\d+\s*\S")
_MAX_HEADING = 40


@dataclass(frozen=True)
class GuidanceSection:
    heading_path: tuple[str, ...]   # ("一、…", "1.1 …"); empty for the introduction
    text: str                       # cleaned paragraphs, "\n" separated, headings excluded


@dataclass
class GuidanceDoc:
    id: str
    title: str
    date: str
    kind: str
    status: str
    note: str
    source: str
    path: Path                      # the raw file
    meta_path: Path
    sha256: str                     # of raw + sidecar, so editing either triggers a rebuild
    sections: list[GuidanceSection]

    def metadata(self) -> dict[str, str | bool]:
        return {"doc_id": self.id, "title": self.title, "short_title": self.title, "kind": self.kind,
                "status": self.status, "promulgated": self.date, "effective": "",
                "verification": "third-party web article, not law", "partial": False,
                "single_source": True, "note": self.note}


def strip_pinyin(text: str) -> str:
    """Remove `字(pinyin)` converter artefacts, keeping the character."""
    return PINYIN_ARTIFACT.sub("", text)


def strip_contacts(text: str) -> str:
    """Remove e-mail addresses and phone numbers."""
    return PHONE.sub("", EMAIL.sub("", text))


def _is_heading(line: str) -> int:
    if len(line) > _MAX_HEADING or line.endswith(("。", "，", ",", "；", "：", ":")):
        return 0
    if _HEADING_L1.match(line):
        return 1
    if _HEADING_L2.match(line):
        return 2
    return 0


def clean_lines(raw: str, title: str = "") -> list[str]:
    """Cleaned, Simplified, non-empty lines with boilerplate and contact data removed."""
    text = normalize_text(strip_pinyin(raw))
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if _TERMINATORS.search(line):
            break
        if not line or _DROP_LINE.search(line):
            continue
        line = strip_contacts(line).strip()
        if line:
            lines.append(line)
    title = normalize_text(title)
    # Repeated page titles and truncated teasers (a line contained in a later, longer line).
    lines = [line for line in lines if line != title]
    return [line for i, line in enumerate(lines) if _is_heading(line) or not _is_teaser(line, lines[i + 1:])]


def _is_teaser(line: str, later: list[str]) -> bool:
    return any(line in other and line != other for other in later)


def split_sections(lines: list[str]) -> list[GuidanceSection]:
    """Group lines under their 一、/1.1 headings; drop headings with no text of their own."""
    sections: list[GuidanceSection] = []
    path: list[str] = []
    body: list[str] = []

    def flush():
        if body:
            sections.append(GuidanceSection(tuple(path), "\n".join(body)))
        body.clear()

    for line in lines:
        level = _is_heading(line)
        if level:
            flush()
            path[:] = path[:level - 1] + [line]
        else:
            body.append(line)
    flush()
    return sections


def _load_meta(meta_path: Path, raw_path: Path) -> dict:
    if not meta_path.exists():
        raise CorpusError(raw_path, f"metadata sidecar {meta_path.name} is missing")
    try:
        meta = yaml.safe_load(read_text(meta_path)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CorpusError(meta_path, f"malformed YAML: {getattr(exc, 'problem', exc)}",
                          mark.line + 1 if mark else None) from None
    if not isinstance(meta, dict):
        raise CorpusError(meta_path, "metadata must be a mapping of fields", 1)
    missing = [f for f in GUIDANCE_REQUIRED if meta.get(f) in (None, "")]
    if missing:
        raise CorpusError(meta_path, f"metadata lacks {', '.join(missing)}")
    if meta["kind"] != "guidance":
        raise CorpusError(meta_path, f"unknown kind {meta['kind']!r} for guidance (expected 'guidance')")
    if meta["status"] not in GUIDANCE_STATUSES:
        raise CorpusError(meta_path, f"unknown status {meta['status']!r} (expected one of {sorted(GUIDANCE_STATUSES)})")
    return meta


def load_guidance_file(raw_path: Path) -> GuidanceDoc:
    stem = raw_path.name.removesuffix(".raw.txt")
    meta_path = raw_path.with_name(f"{stem}.meta.yaml")
    meta = _load_meta(meta_path, raw_path)
    raw = read_text(raw_path)
    sections = split_sections(clean_lines(raw, str(meta["title"])))
    if not sections:
        raise CorpusError(raw_path, "guidance file has no text after cleaning")
    digest = hashlib.sha256(raw_path.read_bytes() + b"\0" + meta_path.read_bytes()).hexdigest()
    return GuidanceDoc(id=str(meta.get("id") or stem), title=normalize_text(str(meta["title"])),
                       date=str(meta["date"]), kind="guidance", status=str(meta["status"]),
                       note=" ".join(str(meta["note"]).split()), source=str(meta.get("source", "")),
                       path=raw_path, meta_path=meta_path, sha256=digest, sections=sections)


def load_guidance(knowledge_dir: Path | str) -> list[GuidanceDoc]:
    """Every knowledge/guidance/*.raw.txt with its sidecar; an absent folder means no guidance."""
    folder = Path(knowledge_dir) / "guidance"
    if not folder.is_dir():
        return []
    return [load_guidance_file(p) for p in sorted(folder.glob("*.raw.txt"))]


__all__ = ["GuidanceDoc", "GuidanceSection", "load_guidance", "load_guidance_file", "clean_lines",
           "split_sections", "strip_pinyin", "strip_contacts", "PINYIN_ARTIFACT", "PHONE", "EMAIL"]
