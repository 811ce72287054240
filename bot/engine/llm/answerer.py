"""Optional LLM answers: a chat model writes from retrieved articles, code checks every citation.

The model sees only numbered sources [S1]…[Sn] built from regulation hits (answer cards as
unnumbered background; guidance never), and its reply is not trusted: markers are mapped back
to the sources, quotes are taken from the corpus (never from the model), and every article
number the model writes that is not among the sources is cut out of the text. When no verified
citation is left, or the endpoint fails, `LLMError` tells the engine to use the offline composer.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from bot.engine.answers import Answer
from bot.engine.llm.postcheck import CheckReport, ReplyChecker, finish_text, promises_outcome
from bot.engine.llm.prompt import MAX_HISTORY_TURNS, build_messages, build_sources, history_pairs, hit_meta, reply_intent
from ingest.corpus import Corpus

log = logging.getLogger(__name__)

MAX_TOKENS = 800
TEMPERATURE = 0.2          # low: the model should restate the sources, not improvise
NO_KEY = "not-needed"      # local servers (Ollama) take no key; the SDK insists on one



class LLMError(RuntimeError):
    """The LLM path produced no verified answer; the engine falls back to the offline composer."""


# ---------------------------------------------------------------------------------------------
# The answerer
# ---------------------------------------------------------------------------------------------

class LLMAnswerer:
    """Answers from retrieved hits with any OpenAI-compatible chat endpoint."""

    def __init__(self, settings, corpus: Corpus):
        if not (settings.llm_model and settings.llm_base_url):
            raise LLMError("LLM answers need LLM_MODEL and LLM_BASE_URL (see docs/llm.md)")
        self.corpus = corpus
        self.timeout = float(settings.llm_timeout)
        self.history_turns = min(getattr(settings, "history_turns", MAX_HISTORY_TURNS), MAX_HISTORY_TURNS)
        self.model = make_chat_model(settings)
        self.checker = ReplyChecker(corpus)

    def answer(self, question: str, hits: Sequence[Any], language: str = "zh-Hans",
               history: Sequence[Any] | None = None, intent: str | None = None) -> Answer:
        return self.answer_with_report(question, hits, language, history, intent)[0]

    def answer_with_report(self, question: str, hits: Sequence[Any], language: str = "zh-Hans",
                           history: Sequence[Any] | None = None,
                           intent: str | None = None) -> tuple[Answer, CheckReport]:
        """Like `answer`, also returning what the post-check removed (tests, diagnostics)."""
        started = time.perf_counter()
        sources = build_sources(self.corpus, hits)
        if not sources:
            # Without a citable article there is nothing to ground an answer in.
            raise LLMError("no regulation hits to answer from")
        cards = [h for h in hits if hit_meta(h).get("source") == "card"]
        messages = build_messages(question, sources, cards, language, history_pairs(history, self.history_turns))
        raw = self._complete(messages)
        if promises_outcome(raw):
            # Never promise 停催, 征信修复 or a result; the offline composer's wording is reviewed.
            raise LLMError("the model's reply promises an outcome")
        checked = self.checker.check(raw, sources, language)
        if not checked.report.clean:
            log.info("llm reply post-check removed %d marker(s) and %d reference(s): %s",
                     len(checked.report.removed_markers), len(checked.report.removed_references),
                     [reason for _, reason in checked.report.removed_references])
        if not checked.citations:
            raise LLMError("the model's reply has no verifiable citation")
        text = finish_text(checked.text, checked.citations, language, self.corpus)
        answer = Answer(question=question, text=text, intent=reply_intent(intent, cards), language=language,
                        mode="llm", citations=checked.citations,
                        latency_ms=(time.perf_counter() - started) * 1000,
                        topic=hit_meta(cards[0]).get("card_id") if cards else None)
        return answer, checked.report

    def _complete(self, messages: list) -> str:
        try:
            reply = self.model.invoke(messages)
        except Exception as exc:  # noqa: BLE001 - any endpoint failure means "fall back", never a crash
            reason = describe_error(exc, self.timeout)
            log.warning("llm request failed: %s", reason)
            raise LLMError(reason) from exc
        text = content_text(getattr(reply, "content", reply))
        if not text.strip():
            raise LLMError("the model returned an empty reply")
        return text


def make_chat_model(settings):
    """A LangChain ChatOpenAI for any OpenAI-compatible endpoint, failing fast (no retries)."""
    from langchain_openai import ChatOpenAI  # imported here: offline-only installs never load it

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    try:
        return ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url,
            # An explicit placeholder keeps OPENAI_API_KEY from the environment away from other hosts.
            api_key=key or NO_KEY,
            timeout=settings.llm_timeout, max_retries=0,
            temperature=TEMPERATURE, max_tokens=MAX_TOKENS,
            # Compatible endpoints only speak /chat/completions, never the Responses API.
            use_responses_api=False,
        )
    except Exception as exc:  # noqa: BLE001 - pydantic/SDK validation of a bad setting
        raise LLMError(f"cannot configure the LLM client: {type(exc).__name__}") from exc


def describe_error(exc: BaseException, timeout: float) -> str:
    """A short reason without the response body (it may echo the prompt, i.e. user text)."""
    import openai

    chain = [exc]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    for err in chain:
        if isinstance(err, openai.APITimeoutError):
            return f"LLM request timed out after {timeout:g}s"
        if isinstance(err, openai.APIStatusError):
            return f"LLM endpoint answered HTTP {err.status_code}"
        if isinstance(err, openai.APIConnectionError):
            return "cannot connect to the LLM endpoint"
    return f"LLM request failed ({type(exc).__name__})"


def content_text(content: Any) -> str:
    """Chat content is a string, or a list of parts of which the text parts count."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p if isinstance(p, str) else p.get("text", "") for p in content if isinstance(p, (str, dict))]
        return "".join(str(p) for p in parts)
    return ""



__all__ = ["LLMAnswerer", "LLMError", "content_text", "describe_error", "make_chat_model"]
