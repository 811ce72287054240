"""Who is asking: the borrower, an emergency contact, a relative or spouse, a guarantor, or an employer.

The same law applies to all of them but the advice differs ("留一个你本人能接通的电话" is for the
borrower; the contact needs "我不是借款人也不是担保人，请停止联系我"). Patterns are data in
bot/data/roles.yaml.
"""
from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.datafiles import data_path

DATA_FILE = data_path("roles.yaml")
ROLES = ("borrower", "contact", "relative", "guarantor", "employer")
# Readers who owe nothing themselves unless they signed: answered as a third party.
THIRD_PARTIES = frozenset({"contact", "relative", "employer"})


@lru_cache(maxsize=1)
def _rules() -> dict:
    with open(DATA_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    compiled = {role: [re.compile(p, re.IGNORECASE) for p in data["patterns"].get(role, [])]
                for role in data["order"]}
    return {"order": list(data["order"]), "patterns": compiled,
            "own_contacts": [re.compile(p) for p in data.get("own_contacts") or []],
            "borrower_phrases": list(data.get("borrower_phrases") or [])}


def detect_role(text: str) -> str:
    """The asker's role from a normalised (Simplified) question; "borrower" when nothing says otherwise."""
    lowered = (text or "").lower()
    rules = _rules()
    for role in rules["order"]:
        if any(p.search(lowered) for p in rules["patterns"][role]):
            # Whoever listed the contacts is the borrower, whatever else the sentence says of a contact.
            if role == "contact" and speaks_of_own_contacts(text):
                return "borrower"
            return role
    return "borrower"


def speaks_of_own_contacts(text: str) -> bool:
    """The asker names the emergency contacts as their own (a normalised Simplified question): the borrower."""
    return any(p.search(text or "") for p in _rules()["own_contacts"])


def speaks_to_borrower(answer_text: str) -> bool:
    """True when the answer addresses the borrower (wrong for a contact, relative or employer)."""
    from bot.language import to_simplified

    text = to_simplified(answer_text)
    return any(p in text for p in _rules()["borrower_phrases"])


__all__ = ["ROLES", "THIRD_PARTIES", "detect_role", "speaks_of_own_contacts", "speaks_to_borrower"]
