"""Interactive console chat with per-session history (`python -m bot chat`)."""
from __future__ import annotations

import sys

from bot.engine.conversation import History, Turn
from bot.language import localize

_QUIT = {"/quit", "/exit", "quit", "exit", "退出", "/q"}
_RESET = {"/reset", "/new", "重新开始"}

BANNER = ("知权 Zhiquan — 被催收时的权利（离线）。直接输入问题；/reset 重新开始，/quit 退出。\n"
          "Zhiquan — your rights when a debt collector calls. Type a question; /reset to start over, /quit to leave.")


def chat(engine, settings, stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    history = History(settings.history_turns)
    print(BANNER, file=stdout)
    interactive = stdin.isatty()
    while True:
        if interactive:
            print("\n> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        question = line.strip()
        if question.lower() in _QUIT:
            break
        if question.lower() in _RESET:
            history.clear()
            print("（已清空对话 / conversation cleared）", file=stdout)
            continue
        answer = engine.answer(question, history=history.turns())
        history.add(Turn(question=question, answer_topic=answer.topic, intent=answer.intent))
        print("\n" + answer.text, file=stdout)
        if answer.followups:
            lead = "You could also ask" if answer.language == "en" else localize("您还可以问", answer.language)
            print(f"\n{lead}: " + " / ".join(answer.followups), file=stdout)
        stdout.flush()
    return 0


__all__ = ["chat", "BANNER"]
