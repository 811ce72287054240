"""Multi-turn context: a bounded history of turns and follow-up detection.

A follow-up such as "那如果他们上门呢？" or "what about my employer?" is too weak
to retrieve well on its own, so retrieval also sees the previous turn's question
and the topic it was answered with.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from ingest.cards import TOPICAL_INTENTS


@dataclass(frozen=True)
class Turn:
    question: str
    answer_topic: str | None = None   # card id or intent the answer used
    intent: str | None = None


_ZH_FOLLOWUP = re.compile(r"^(那|那么|那如果|如果|要是|万一|还有|另外|再问|那要是|那他们|那我|那她|那他|那对方)|呢[？?！!。.\s]*$")
_EN_FOLLOWUP = re.compile(r"^\s*(what about|how about|and (if|what|my|the)|what if|same for|also|and)\b", re.IGNORECASE)


class History:
    """Per-conversation turns, keeping only the last `max_turns`."""

    def __init__(self, max_turns: int = 6):
        self._turns: deque[Turn] = deque(maxlen=max(1, max_turns))

    def add(self, turn: Turn) -> None:
        self._turns.append(turn)

    def turns(self) -> list[Turn]:
        return list(self._turns)

    def clear(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)


def looks_like_followup(text: str) -> bool:
    """Elliptical questions that only make sense after a previous one."""
    stripped = text.strip()
    if _ZH_FOLLOWUP.search(stripped) or _EN_FOLLOWUP.search(stripped):
        return True
    return len(stripped) <= 6


def as_turn(turn) -> Turn:
    """Accept Turn objects or their dict form (front ends may persist history as JSON)."""
    if isinstance(turn, Turn):
        return turn
    return Turn(question=str(turn.get("question", "")), answer_topic=turn.get("answer_topic"),
                intent=turn.get("intent"))


def context_turn(history: list | None) -> Turn | None:
    """The most recent turn that had a topical answer (greetings and refusals carry no topic)."""
    for turn in reversed([as_turn(t) for t in history or []]):
        if turn.intent in TOPICAL_INTENTS:
            return turn
    return None


__all__ = ["Turn", "History", "as_turn", "looks_like_followup", "context_turn"]
