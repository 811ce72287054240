"""Creditors the tools know by name (bot/data/creditors.yaml), matched from what people type."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.datafiles import data_path, load_yaml
from bot.language import to_simplified

DATA = data_path("creditors.yaml")


@dataclass(frozen=True)
class Creditor:
    id: str
    name: str
    name_en: str
    kind: str            # bank | platform | other
    hotline: str | None
    verified: bool
    aliases: tuple[str, ...]

    @property
    def is_card_issuer(self) -> bool:
        """Banks issuing credit cards fall under 《信用卡业务监督管理办法》."""
        return self.kind == "bank"

    def to_state(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Directory:
    creditors: tuple[Creditor, ...]
    note_zh: str
    note_en: str

    def get(self, creditor_id: str) -> Creditor | None:
        return next((c for c in self.creditors if c.id == creditor_id), None)

    def match(self, text: str) -> Creditor | None:
        """The creditor whose longest alias appears in the text (中信银行信用卡 -> citic)."""
        norm = _norm(text)
        best, best_len = None, 0
        for c in self.creditors:
            for alias in c.aliases:
                a = _norm(alias)
                if a and a in norm and len(a) > best_len:
                    best, best_len = c, len(a)
        return best


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", to_simplified(text).lower()).strip()


@lru_cache(maxsize=2)
def load_directory(path: str | None = None) -> Directory:
    raw = load_yaml(Path(path or DATA))
    creditors = tuple(
        Creditor(id=c["id"], name=c["name"], name_en=c.get("name_en", c["name"]), kind=c.get("kind", "bank"),
                 hotline=str(c["hotline"]) if c.get("hotline") else None, verified=bool(c.get("verified")),
                 aliases=tuple(str(a) for a in c.get("aliases", ())) + (c["name"],))
        for c in raw["creditors"]
    )
    return Directory(creditors=creditors, note_zh=raw["note"]["zh"], note_en=raw["note"]["en"])


def creditor_answer(text: str) -> dict:
    """Wizard answer for "which creditor": a known id, or the name as typed (unknown lender)."""
    name = text.strip()
    known = load_directory().match(name)
    if known:
        return {"id": known.id, "name": known.name}
    return {"id": None, "name": name[:60]}


def hotline_text(answer: dict, lang: str) -> tuple[str, str]:
    """(name, phone hint) for a stored creditor answer, in Simplified or English."""
    directory = load_directory()
    creditor = directory.get(answer.get("id") or "")
    if creditor is None:
        return (answer.get("name") or ("the lender" if lang == "en" else "贷款机构"),
                "its official customer-service number (on your card, contract or the official app)" if lang == "en"
                else "官方客服电话（见卡片背面、合同或官方App）")
    name = creditor.name_en if lang == "en" else creditor.name
    return name, creditor.hotline
