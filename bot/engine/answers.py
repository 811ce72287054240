"""Answer and citation records shared by the engine, the tools and every front end."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    doc_id: str            # corpus front-matter id
    title: str
    short_title: str
    article: str           # label as written, e.g. 第二百九十三条之一 (bare 一 for decision items)
    status: str            # in_force | superseded | amended | repealed
    quote: str             # verbatim sentence(s) from the article
    caveat: str | None = None  # partial / single-source / not in force — shown wherever cited

    @property
    def display(self) -> str:
        """《刑法》第二百九十三条之一"""
        label = self.article if self.article.startswith("第") else f"第{self.article}项"
        return f"《{self.short_title}》{label}"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str
    intent: str
    language: str
    mode: str = "offline"          # offline | llm
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    followups: list[str] = field(default_factory=list)
    topic: str | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["citations"] = [c.to_json() for c in self.citations]
        data["latency_ms"] = round(self.latency_ms, 1)
        return data
