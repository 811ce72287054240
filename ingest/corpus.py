"""Load and validate the legal corpus in knowledge/regulations.

The corpus is the single source of truth for every citation the bot makes:
`Corpus.article(doc_id, label)` is how answers, cards and generated letters
prove that an article exists and that a quote is verbatim.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.datafiles import parse_yaml
from ingest.numerals import ARTICLE_RE, canonical_article, chinese_to_int, parse_article_label

# judicial_document: a joint normative document of the courts, procuratorates and ministries (a 两高两部 意见),
# binding guidance but not formally a 司法解释.
KINDS = {"law", "administrative_regulation", "judicial_interpretation", "judicial_document", "department_rule",
         "guidance"}
# Numbered provisions 一、二… are cited as 第一条 in a joint 意见 (its own text says 本意见第一条),
# but as items (第一项) in an amending decision.
PROVISION_UNIT = {"judicial_document": "条"}
STATUSES = {"in_force", "superseded", "amended", "repealed"}
REQUIRED_FIELDS = ("id", "title", "short_title", "kind", "issuer", "promulgated", "effective",
                   "status", "source", "verification")
STATUS_LABELS = {"in_force": "现行有效", "superseded": "已被取代", "amended": "已修改", "repealed": "已废止"}

ELISION = "……"
_ARTICLE_LINE = re.compile(r"^(第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?) ")
_ITEM_LINE = re.compile(r"^([一二三四五六七八九十]+)、")
_HEADING = re.compile(r"^(#+)\s*(.+?)\s*$")


class CorpusError(ValueError):
    """A knowledge file is malformed. Names the file and, where it applies, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.reason = Path(path), line, message
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Article:
    doc_id: str
    label: str              # as written: 第二百九十三条之一, or 一 for numbered items of a decision
    number: int             # 293
    suffix: int             # 1 for 之一, else 0
    text: str               # full text, header included, paragraphs joined by "\n"
    path: tuple[str, ...]   # headings above it: ("第二编 分则", "第六章 …", "第一节 …")
    line: int               # 1-based line of the header in the source file
    unit: str = "项"         # how a numbered provision 一、 is cited: 第一项, or 第一条 in a joint 意见

    @property
    def is_item(self) -> bool:
        """Numbered item (一、二、) of an amending decision rather than a 第X条 article."""
        return not self.label.startswith("第")

    @property
    def display(self) -> str:
        return f"第{self.label}{self.unit}" if self.is_item else self.label

    @property
    def body(self) -> str:
        """Text without the leading label."""
        head = self.label + ("、" if self.is_item else " ")
        return self.text[len(head):] if self.text.startswith(head) else self.text

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class Document:
    id: str
    title: str
    short_title: str
    kind: str
    issuer: str
    doc_no: str | None
    promulgated: str
    effective: str
    status: str
    source: str
    verification: str
    partial: bool
    note: str | None
    path: Path
    sha256: str
    preamble: str = ""      # 题注 / promulgating order lines
    articles: list[Article] = field(default_factory=list)

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    @property
    def single_source(self) -> bool:
        return "single" in self.verification.lower()

    @property
    def caveat(self) -> str | None:
        """A short warning to show wherever this document is cited, or None."""
        notes = []
        if self.status != "in_force":
            notes.append(STATUS_LABELS.get(self.status, self.status))
        if self.partial:
            notes.append("仅收录部分条文")
        if self.single_source:
            notes.append("文本仅有单一来源")
        return "；".join(notes) or None

    def metadata(self) -> dict[str, str | bool]:
        """Flat metadata carried into every chunk of this document."""
        return {
            "doc_id": self.id, "title": self.title, "short_title": self.short_title,
            "kind": self.kind, "issuer": self.issuer, "doc_no": self.doc_no or "",
            "promulgated": self.promulgated, "effective": self.effective,
            "status": self.status, "verification": self.verification,
            "partial": self.partial, "single_source": self.single_source,
        }


class Corpus:
    """All regulation documents, with article lookup by any spelling of the number."""

    def __init__(self, documents: list[Document]):
        self.documents: dict[str, Document] = {d.id: d for d in documents}
        self._articles: dict[tuple[str, str], Article] = {
            (d.id, a.label): a for d in documents for a in d.articles
        }

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.documents

    def document(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def article(self, doc_id: str, label: str) -> Article | None:
        """Look up an article; `label` may be 第1032条, 一千零三十二, 293条之一 …"""
        try:
            key = canonical_article(label)
        except ValueError:
            return None
        return self._articles.get((doc_id, key))

    def has_quote(self, doc_id: str, label: str, quote: str) -> bool:
        """True when `quote` appears verbatim (modulo line breaks) in that article.

        A quote elided with …… (lead-in……matching item) is verbatim when each part is, in order.
        No legal text in the corpus contains ……, so the mark cannot hide a change of wording.
        """
        article = self.article(doc_id, label)
        if article is None or not quote.strip():
            return False
        text = _squash(article.text)
        start = 0
        for part in (_squash(p) for p in quote.split(ELISION)):
            if not part:
                continue
            found = text.find(part, start)
            if found < 0:
                return False
            start = found + len(part)
        return start > 0

    def all_articles(self):
        for doc in self.documents.values():
            yield from doc.articles


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(path, f"not UTF-8 (byte {exc.start}); save the file as UTF-8") from None


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CorpusError(path, "missing YAML front matter (the file must start with ---)", 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise CorpusError(path, "front matter is not closed by a --- line", 1) from None
    try:
        meta = parse_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise CorpusError(path, f"malformed front matter: {getattr(exc, 'problem', exc)}", line) from None
    if not isinstance(meta, dict):
        raise CorpusError(path, "front matter must be a mapping of fields", 2)
    return meta, "\n".join(lines[end + 1:]), end + 2


def field_line(text: str, name: str) -> int:
    """1-based line of `name:` in the front matter, for error messages (2 if absent)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(f"{name}:"):
            return number
    return 2


def _check_meta(path: Path, meta: dict, text: str) -> None:
    missing = [f for f in REQUIRED_FIELDS if meta.get(f) in (None, "")]
    if missing:
        raise CorpusError(path, f"front matter lacks {', '.join(missing)}", 2)
    if meta["kind"] not in KINDS:
        raise CorpusError(path, f"unknown kind {meta['kind']!r} (expected one of {sorted(KINDS)})",
                          field_line(text, "kind"))
    if meta["status"] not in STATUSES:
        raise CorpusError(path, f"unknown status {meta['status']!r} (expected one of {sorted(STATUSES)})",
                          field_line(text, "status"))
    if meta["id"] != path.stem:
        raise CorpusError(path, f"id {meta['id']!r} does not match the file name {path.stem!r}",
                          field_line(text, "id"))


def parse_document(path: Path) -> Document:
    import hashlib

    raw = path.read_bytes()
    text = read_text(path)
    meta, body, first_line = split_front_matter(path, text)
    _check_meta(path, meta, text)
    doc = Document(
        id=str(meta["id"]), title=str(meta["title"]), short_title=str(meta["short_title"]),
        kind=meta["kind"], issuer=str(meta["issuer"]),
        doc_no=str(meta["doc_no"]) if meta.get("doc_no") else None,
        promulgated=str(meta["promulgated"]), effective=str(meta["effective"]),
        status=meta["status"], source=str(meta["source"]), verification=str(meta["verification"]),
        partial=bool(meta.get("partial", False)), note=meta.get("note"), path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    doc.articles, doc.preamble = _split_articles(path, doc.id, body, first_line,
                                                 PROVISION_UNIT.get(doc.kind, "项"))
    if not doc.articles:
        raise CorpusError(path, "document has no articles (no '第X条 ' or '一、' paragraphs)")
    return doc


def _split_articles(path: Path, doc_id: str, body: str, first_line: int,
                    unit: str = "项") -> tuple[list[Article], str]:
    lines = body.split("\n")
    uses_articles = any(_ARTICLE_LINE.match(line) for line in lines)
    headings: dict[int, str] = {}
    articles: list[Article] = []
    preamble: list[str] = []
    current: dict | None = None
    seen: dict[tuple[int, int], int] = {}

    def close():
        if current:
            articles.append(Article(doc_id=doc_id, label=current["label"], number=current["num"][0],
                                    suffix=current["num"][1], text="\n".join(current["paras"]),
                                    path=current["path"], line=current["line"], unit=unit))

    for offset, raw in enumerate(lines):
        line_no = first_line + offset
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if level == 1:
                continue  # the document title
            close()
            current = None
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = heading.group(2)
            continue
        match = _ARTICLE_LINE.match(line) if uses_articles else _ITEM_LINE.match(line)
        if match:
            close()
            label = match.group(1)
            num = parse_article_label(label) if uses_articles else (chinese_to_int(label), 0)
            if num in seen:
                raise CorpusError(path, f"duplicate article {label} (first at line {seen[num]})", line_no)
            if articles and num <= (articles[-1].number, articles[-1].suffix):
                raise CorpusError(path, f"article {label} is out of order (after {articles[-1].label})", line_no)
            seen[num] = line_no
            path_tuple = tuple(headings[k] for k in sorted(headings))
            current = {"label": label, "num": num, "paras": [line], "path": path_tuple, "line": line_no}
        elif current is not None:
            current["paras"].append(line)
        elif not articles:
            preamble.append(line)
    close()
    return articles, "\n".join(preamble)


def load_corpus(knowledge_dir: Path | str) -> Corpus:
    """Parse every document in knowledge_dir/regulations; raise CorpusError on the first bad file."""
    reg_dir = Path(knowledge_dir) / "regulations"
    if not reg_dir.is_dir():
        raise CorpusError(reg_dir, "regulations folder not found")
    docs = [parse_document(p) for p in sorted(reg_dir.glob("*.md"))]
    if not docs:
        raise CorpusError(reg_dir, "no regulation documents (*.md) found")
    return Corpus(docs)


__all__ = ["Article", "Document", "Corpus", "CorpusError", "load_corpus", "parse_document",
           "split_front_matter", "read_text", "field_line", "KINDS", "ELISION", "STATUSES", "STATUS_LABELS", "ARTICLE_RE"]
