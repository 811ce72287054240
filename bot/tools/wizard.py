"""The wizard protocol shared by every advice tool, and a question-by-question engine.

A front end (CLI, console, Telegram ConversationHandler) calls `start(lang)` once,
then `handle(state, text, lang)` with each user message. `state` is a plain dict
that survives `json.dumps`/`json.loads`, so a conversation resumes after a restart.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from bot.engine.answers import Citation
from bot.errors import BilingualError
from bot.tools.common import default_corpus, say, strip_control
from ingest.corpus import Corpus

MAX_INPUT_CHARS = 4000


@dataclass
class ToolResult:
    text: str
    citations: list[Citation] = field(default_factory=list)
    document_name: str | None = None
    document_bytes: bytes | None = None


@dataclass
class Step:
    prompt: str | None              # next question to show (already in the user's language)
    error: str | None = None        # why the last input was rejected (re-ask)
    done: bool = False
    result: ToolResult | None = None
    choices: list[str] = field(default_factory=list)   # suggested answers (Telegram shows buttons)


class Wizard(Protocol):
    name: str

    def start(self, lang: str) -> tuple[dict, Step]: ...

    def handle(self, state: dict, text: str, lang: str) -> Step: ...


WIZARDS: dict[str, type[Wizard]] = {}


def register(cls):
    """Class decorator: make a wizard available by its name to every front end."""
    WIZARDS[cls.name] = cls
    return cls


class InputError(BilingualError):
    """A user's answer that must be re-asked; `zh` and `en` say why."""


@dataclass(frozen=True)
class Choice:
    value: str                      # stored in the state (language-neutral code)
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()  # extra words that select this choice (Simplified / lower-case English)


@dataclass(frozen=True)
class Question:
    key: str
    zh: str
    en: str
    parse: Callable[[str, dict], Any] | None = None   # (text, answers so far) -> JSON value; raises InputError
    choices: tuple[Choice, ...] = ()
    ask_if: Callable[[dict], bool] | None = None       # skip the question when this returns False
    multi: bool = False                                # several choices allowed ("1 3", "失业、疾病")
    hints: tuple[tuple[str, str], ...] = ()            # (zh, en) suggested answers shown as buttons only

    def prompt(self, lang: str) -> str:
        return say(self.zh, self.en, lang)

    def choice_labels(self, lang: str) -> list[str]:
        if self.choices:
            return [say(c.zh, c.en, lang) for c in self.choices]
        return [say(zh, en, lang) for zh, en in self.hints]


def pick_choice(question: Question, text: str) -> str | list[str]:
    """Match a typed answer to a choice: its number, its label, or a synonym (any script)."""
    from bot.language import to_simplified

    raw = to_simplified(text).strip().lower()
    parts = [p for p in _split_multi(raw)] if question.multi else [raw]
    picked: list[str] = []
    for part in parts:
        value = _match_one(question.choices, part)
        if value is None:
            labels = "、".join(c.zh for c in question.choices)
            labels_en = ", ".join(c.en for c in question.choices)
            raise InputError(f"没有这个选项：“{text.strip()[:20]}”。请从以下选一个（可回复序号）：{labels}",
                             f"“{text.strip()[:20]}” is not one of the options. Pick one (or reply with its "
                             f"number): {labels_en}")
        if value not in picked:
            picked.append(value)
    return picked if question.multi else picked[0]


def _split_multi(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,，、;；/和及与]+|\band\b", text) if p]


def _match_one(choices: tuple[Choice, ...], text: str) -> str | None:
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1].value
    for c in choices:
        names = (c.value.lower(), c.zh.lower(), c.en.lower(), *c.synonyms)
        if text in names:
            return c.value
    # A longer answer that contains a label, e.g. "我失业了": the earliest (then longest) hit wins,
    # so "没有反复打" picks "no" (没有) rather than "yes" (反复).
    best = None
    for c in choices:
        for name in (c.zh.lower(), c.en.lower(), *c.synonyms):
            pos = text.find(name) if name else -1
            if pos >= 0 and (best is None or (pos, -len(name)) < best[0]):
                best = ((pos, -len(name)), c.value)
    return best[1] if best else None


class FormWizard:
    """A wizard that asks `questions` in order and builds a result from the answers.

    Subclasses set `name`, `questions` and implement `build(answers, lang) -> ToolResult`.
    """

    name: ClassVar[str] = ""
    questions: ClassVar[tuple[Question, ...]] = ()

    def __init__(self, corpus: Corpus | None = None):
        self.corpus = corpus if corpus is not None else default_corpus()

    # --- protocol --------------------------------------------------------------------
    def start(self, lang: str) -> tuple[dict, Step]:
        state: dict = {"tool": self.name, "answers": {}, "pending": None, "done": False}
        return state, self._advance(state, lang)

    def handle(self, state: dict, text: str, lang: str) -> Step:
        if not self._state_ok(state):
            # A state from another tool or an older version: start over rather than crash.
            fresh, step = self.start(lang)
            state.clear()
            state.update(fresh)
            step.error = say("会话记录已失效，我们从头开始。", "The saved session is no longer valid; starting over.", lang)
            return step
        if state["done"]:
            return Step(prompt=None, done=True, error=say("这次已经完成。要重新开始，请再次使用该功能。",
                                                          "This one is finished. Start the tool again for a new one.",
                                                          lang))
        question = self._question(state["pending"])
        text = strip_control(text or "").strip()
        if not text:
            return self._reask(question, lang, "没有收到内容，请再输入一次。", "Nothing received; please answer again.")
        if len(text) > MAX_INPUT_CHARS:
            return self._reask(question, lang, f"内容太长（超过 {MAX_INPUT_CHARS} 字），请精简后再发。",
                               f"That is too long (over {MAX_INPUT_CHARS} characters); please shorten it.")
        try:
            value = self._parse(question, text, state["answers"])
        except InputError as exc:
            return self._reask(question, lang, exc.zh, exc.en)
        except ValueError as exc:   # AmountError and friends carry zh/en too
            return self._reask(question, lang, getattr(exc, "zh", str(exc)), getattr(exc, "en", str(exc)))
        state["answers"][question.key] = value
        return self._advance(state, lang)

    # --- non-interactive use (CLI flags, tests) -----------------------------------------
    def run(self, answers: dict[str, str], lang: str) -> ToolResult:
        """Feed answers by key; raise InputError naming the first missing or rejected one."""
        state, step = self.start(lang)
        while not step.done:
            key = state["pending"]
            if key not in answers or answers[key] in (None, ""):
                raise InputError(f"缺少回答：{key}（{step.prompt}）", f"missing answer: {key} ({step.prompt})")
            step = self.handle(state, str(answers[key]), lang)
            if step.error:
                raise InputError(f"{key}：{step.error}", f"{key}: {step.error}")
        return step.result

    # --- subclass hook ---------------------------------------------------------------
    def build(self, answers: dict, lang: str) -> ToolResult:
        raise NotImplementedError

    # --- internals -------------------------------------------------------------------
    def _parse(self, question: Question, text: str, answers: dict):
        if question.hints and text.isdigit() and 1 <= int(text) <= len(question.hints):
            text = question.hints[int(text) - 1][0]     # a button number stands for its suggestion
        if question.choices and question.parse is None:
            return pick_choice(question, text)
        if question.choices:
            try:
                return pick_choice(question, text)
            except InputError:
                return question.parse(text, answers)
        return question.parse(text, answers)

    def _state_ok(self, state: dict) -> bool:
        return (isinstance(state, dict) and state.get("tool") == self.name
                and isinstance(state.get("answers"), dict)
                and (state.get("done") or self._question(state.get("pending")) is not None))

    def _question(self, key) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def _next_question(self, answers: dict) -> Question | None:
        for q in self.questions:
            if q.key not in answers and (q.ask_if is None or q.ask_if(answers)):
                return q
        return None

    def _advance(self, state: dict, lang: str) -> Step:
        question = self._next_question(state["answers"])
        if question is None:
            state["done"], state["pending"] = True, None
            return Step(prompt=None, done=True, result=self.build(state["answers"], lang))
        state["pending"] = question.key
        return Step(prompt=question.prompt(lang), choices=question.choice_labels(lang))

    def _reask(self, question: Question, lang: str, zh: str, en: str) -> Step:
        return Step(prompt=question.prompt(lang), error=say(zh, en, lang), choices=question.choice_labels(lang))
