"""The answer engine: normalise -> classify -> look up or retrieve -> compose -> verify citations.

Loads the corpus, the answer cards and the index once; `answer()` is then cheap.
With an LLM configured (`settings.llm_enabled`) the LLM answerer writes the reply
from the retrieved chunks; any error or timeout falls back to the offline composer.
Whatever produced the answer, every citation is re-verified here against the corpus.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace

from bot.engine.answers import Answer, Citation
from bot.engine.article_refs import LEGAL_REF
from bot.engine.cardmatch import CardMatcher, MemoEmbeddings
from bot.engine.citations import is_valid
from bot.engine.composer import Composed, Evidence, compose_fixed, compose_lookup, compose_topical
from bot.engine.conversation import Turn, context_turn, looks_like_followup
from bot.engine.intent import classify_topic, has_debt_words, has_injection, is_greeting, is_out_of_scope, is_refused
from bot.engine.lenders import lender_citations, lender_note
from bot.engine.llm import LLMAnswerer, LLMError
from bot.engine.lookup import lookup
from bot.engine.not_covered import compose_not_covered
from bot.engine.query import Query, build_query
from bot.engine.quote_claims import quote_note
from bot.engine.refusals import compose_refusal, refusal_kind
from bot.engine.retrieval import HybridRetriever, article_key, best_cards, fused_card, ranked_articles
from bot.engine.roles import THIRD_PARTIES, detect_role, speaks_of_own_contacts
from bot.engine.specifics import echo, extract, suggested_tool
from bot.engine.understanding import QuestionReader, Understanding
from bot.language import detect_language
from ingest.cards import TOPICAL_INTENTS, Card
from ingest.classifiers.question_model import QuestionClassifier, index_folder
from ingest.classifiers.scope_model import ScopeClassifier
from ingest.corpus import Corpus
from ingest.embeddings import serving_embeddings
from ingest.keyword import tokenize
from ingest.reader import SearchHit, open_index
from ingest.sources import load_knowledge

log = logging.getLogger(__name__)

# Measured on tests/eval/questions.yaml with `python -m bot.eval` (see README):
# a question with no domain word is answered only if an answer card is this close (cosine;
# 0.55-0.7 gave the same eval figures, the middle is kept).
CARD_MIN_DENSE = 0.65
# A card found only by weak evidence is not used as the answer (its articles may still be).
CARD_MIN_STRENGTH = 0.25
STRONG_RANK = 5         # both retrievers rank a chunk this high -> cite it even if the card does not
STRONG_TOP = 2
FOLLOWUP_ALONE = 0.6     # card strength at which a follow-up is answered without the previous turn
TOP_CARDS = 5           # how deep in the fused ranking a card may be
ROLE_CARD_SHARE = 0.6   # a card written for a contact replaces a borrower's card if at least this strong
# A card retrieval finds this strong, and the classifier finds likeliest with at least this probability, is on
# the topic of a question asking for a rule the corpus does not hold (measured on train cross-validated by
# page and on dev: `python -m bot.eval --realworld cv|dev`).
RELATED_CARD_STRENGTH = 0.5
RELATED_CARD_PROBABILITY = 0.1


def detect_reply_language(question: str) -> str:
    """The user's language, ignoring Chinese law titles and article numbers inside an English question."""
    stripped = LEGAL_REF.sub(" ", question)
    if stripped.strip() and re.search(r"[A-Za-z\u3400-\u9fff]", stripped):
        return detect_language(stripped)
    return detect_language(question)


@dataclass(frozen=True)
class Knowledge:
    """Everything an answer reads: swapped as one reference, so an answer never mixes two versions."""
    corpus: Corpus
    cards: dict[str, Card]
    index: object
    retriever: HybridRetriever
    reader: QuestionReader      # the question classifier trained with this index version


class Engine:
    def __init__(self, settings, corpus: Corpus, cards: list[Card], index, retriever: HybridRetriever | None = None,
                 matcher: CardMatcher | None = None):
        self.settings = settings
        self._knowledge = Knowledge(corpus, {c.id: c for c in cards}, index,
                                    retriever or HybridRetriever(index=index, cards=matcher, corpus=corpus),
                                    _reader(settings, index, cards))
        self._llm = None
        self.embeddings = None      # the memoising query embedder (benchmarks clear it between runs)

    @classmethod
    def from_settings(cls, settings=None) -> Engine:
        if settings is None:
            from bot.config import get_settings
            settings = get_settings()
        corpus, cards, index, matcher = _load(settings)
        engine = cls(settings, corpus, cards, index, matcher=matcher)
        engine.embeddings = matcher.embeddings
        return engine

    @property
    def knowledge(self) -> Knowledge:
        return self._knowledge

    @property
    def corpus(self) -> Corpus:
        return self._knowledge.corpus

    @property
    def cards(self) -> dict[str, Card]:
        return self._knowledge.cards

    @property
    def index(self):
        return self._knowledge.index

    @property
    def retriever(self) -> HybridRetriever:
        return self._knowledge.retriever

    @retriever.setter
    def retriever(self, retriever: HybridRetriever) -> None:
        # The evaluation swaps retrieval variants; the rest of the knowledge stays.
        self._knowledge = replace(self._knowledge, retriever=retriever)

    @property
    def reader(self) -> QuestionReader:
        return self._knowledge.reader

    @reader.setter
    def reader(self, reader: QuestionReader) -> None:
        # Cross-validation swaps in classifiers trained without the questions it scores.
        self._knowledge = replace(self._knowledge, reader=reader)

    def reload(self) -> None:
        """Reopen the knowledge and the index after a rebuild (`python -m ingest` / Telegram /reload).

        The new state is built completely (reusing the loaded embedder) while answers go on from the
        old one, then one reference is swapped: an answer in flight finishes on the state it began with.
        """
        corpus, cards, index, matcher = _load(self.settings, self.embeddings)
        _warm_up(index, matcher)     # the first answers on the new state do not pay its loading
        retriever = self.retriever.model_copy(update={"index": index, "cards": matcher, "corpus": corpus})
        knowledge = Knowledge(corpus, {c.id: c for c in cards}, index, retriever,
                              _reader(self.settings, index, cards))
        self.embeddings = matcher.embeddings
        self._knowledge = knowledge
        self._llm = None

    def warm_up(self) -> None:
        """Load now what `from_settings` leaves to the first question that needs it (the embedding
        model, the Chroma collection, jieba's dictionary). A long-running bot calls this at start,
        so a broken index fails at once and the first user does not wait; a one-off question skips
        it. Raises IndexMissingError when the collection is unavailable."""
        k = self._knowledge
        _warm_up(k.index, k.retriever.cards)

    # ------------------------------------------------------------------ answering
    def answer(self, question: str, history: list[Turn] | None = None, language: str | None = None) -> Answer:
        started = time.perf_counter()
        question = question if isinstance(question, str) else str(question or "")
        lang = language or (detect_reply_language(question) if question.strip() else "zh-Hans")
        query = build_query(question)
        notes = ["truncated_note"] if query.truncated else []
        if has_injection(query.text):
            notes.append("injection_note")
        k = self._knowledge     # one version of the knowledge for the whole answer
        role = detect_role(query.text)
        intent, composed, mode = self._decide(k, query, history, lang, notes, role)
        citations = self._verified(k, composed.citations)
        tool = suggested_tool(query.text, intent, role, extract(query.text)) if intent in TOPICAL_INTENTS else None
        text = composed.text
        if intent != "refused":
            # A sentence quoted "from" an article is checked against the article's text.
            text = "\n\n".join(p for p in (quote_note(query.text, k.corpus, lang), text) if p)
        return Answer(question=question, text=text, intent=intent, language=lang, mode=mode,
                      citations=citations, latency_ms=(time.perf_counter() - started) * 1000,
                      followups=composed.followups, topic=composed.topic, role=role, suggested_tool=tool)

    def _decide(self, k: Knowledge, query: Query, history, lang: str, notes: list[str],
                role: str = "borrower") -> tuple[str, Composed, str]:
        text = query.text
        if not text or is_greeting(text):
            return "greeting", compose_fixed("greeting", lang, [n for n in notes if n != "injection_note"]), "offline"
        kind = refusal_kind(text)
        if kind is not None or is_refused(text):
            return "refused", compose_refusal(kind, lang, k.corpus, notes), "offline"
        terms = tokenize(query.search_text)
        found = lookup(text, k.corpus)
        if found is not None:
            return "article_lookup", compose_lookup(found, lang, k.corpus, terms, notes), "offline"
        if is_out_of_scope(text):
            return "out_of_scope", compose_fixed("out_of_scope", lang, notes), "offline"
        understood = k.reader.read(text)
        if understood.not_covered is not None and understood.not_covered.related is None and not understood.refused:
            # A not-covered verdict naming no card (the classifier's generic one, a platform's own policy): the
            # card retrieval and the classifier agree on is what the corpus does say on the topic, given after
            # "not held"; without agreement nothing is cited.
            docs, _ = self._retrieve(k, query, None)
            understood = replace(understood, not_covered=replace(
                understood.not_covered, related=self._related_card(k, docs, terms, understood, lang, role,
                                                                   speaks_of_own_contacts(text))))
        special = self._understood(k, understood, lang, terms, notes)
        if special is not None:
            return special
        docs, previous = self._retrieve(k, query, history)
        evidence = self._evidence(k, docs, terms, understood, lang, role, speaks_of_own_contacts(text))
        in_domain = has_debt_words(text) or (previous is not None) or understood.card_in_domain
        if not in_domain and self._card_dense(docs) < CARD_MIN_DENSE:
            return "out_of_scope", compose_fixed("out_of_scope", lang, notes), "offline"
        intent = self._intent(text, evidence, previous)
        # Below the relevance threshold: no card answers it and no article is a hit for both retrievers,
        # so say it is outside what the bot knows rather than cite something unrelated.
        if intent is None or (evidence.card is None and not evidence.strong):
            return "out_of_scope", compose_fixed("out_of_scope", lang, notes), "offline"
        if self.settings is not None and self.settings.llm_enabled:
            llm_answer = self._llm_answer(k, query, docs, lang, history)
            if llm_answer is not None:
                return intent, Composed(llm_answer.text, llm_answer.citations, llm_answer.followups,
                                        evidence.card.id if evidence.card else intent), "llm"
        echoed = echo(extract(text), lang)
        return intent, compose_topical(evidence, intent, lang, k.corpus, notes, k.cards, role, echoed), "offline"

    def _retrieve(self, k: Knowledge, query: Query, history):
        """Retrieve; a weak follow-up ("联系人呢？") also searches with the previous topical question."""
        docs = k.retriever.search(query)
        previous = context_turn(history) if history else None
        if previous is None or not looks_like_followup(query.text):
            return docs, None
        if self._stands_alone(query.text, docs):
            return docs, previous
        topic_card = k.cards.get(previous.answer_topic or "")
        context = build_query(previous.question).text + (" " + topic_card.topic if topic_card else "")
        return k.retriever.search(query, context=context), previous

    def _stands_alone(self, text: str, docs: list) -> bool:
        """A follow-up with its own strong topic ("那如果他们上门呢？") is answered on that topic."""
        strength = next((_card_strength(d.metadata, i) for i, d in enumerate(docs[:TOP_CARDS])
                         if d.metadata.get("source") == "card"), 0.0)
        return strength >= FOLLOWUP_ALONE and classify_topic(text) is not None

    def _understood(self, k: Knowledge, understood: Understanding, lang: str, terms: list[str], notes: list[str]):
        """Not-covered, out-of-scope or refused, as the classifier and topic rules read the question."""
        if understood.refused:
            return "refused", compose_refusal(None, lang, k.corpus, notes), "offline"
        if understood.not_covered is not None:
            return "not_covered", compose_not_covered(understood.not_covered, lang, k.corpus, k.cards,
                                                      terms, notes, understood.lender), "offline"
        if understood.out_of_scope:
            return "out_of_scope", compose_fixed("out_of_scope", lang, notes), "offline"
        return None

    def _related_card(self, k: Knowledge, docs: list, terms: list[str], understood: Understanding, lang: str,
                      role: str, own_contacts: bool = False) -> str | None:
        """The card on a not-covered question's topic: the answer card retrieval finds (at least RELATED_CARD_STRENGTH
        strong) when it is also the classifier's likeliest card (at least RELATED_CARD_PROBABILITY); else None, and
        no article is cited. Either alone named unrelated cards ("信用卡逾期会影响孩子考大学吗" → contacts' calls)."""
        evidence = self._evidence(k, docs, terms, understood, lang, role, own_contacts)
        probabilities = understood.prediction.card_probabilities() if understood.prediction is not None else {}
        if evidence.card is None or evidence.card_strength < RELATED_CARD_STRENGTH or not probabilities:
            return None
        likeliest = max(probabilities, key=probabilities.get)
        agreed = likeliest == evidence.card.id and probabilities[likeliest] >= RELATED_CARD_PROBABILITY
        return evidence.card.id if agreed else None

    def _evidence(self, k: Knowledge, docs: list, terms: list[str], understood: Understanding | None = None,
                  lang: str = "zh-Hans", role: str = "borrower", own_contacts: bool = False) -> Evidence:
        card, strength = None, 0.0
        for doc in best_cards(docs, 1, TOP_CARDS):
            meta = doc.metadata
            if meta.get("card_id") in k.cards:
                strength = _card_strength(meta, 0)
                if strength >= CARD_MIN_STRENGTH:
                    card = k.cards[meta["card_id"]]
        # The classifier learned from Chinese phrasings: an English question's card stays retrieval's.
        if card is not None and understood is not None and understood.prediction is not None and lang != "en":
            card, strength = self._fused_card(k, docs, understood.prediction, card, strength, role, own_contacts)
        # It learned mostly from borrowers: its confidence alone does not replace the card found for a contact,
        # relative or employer (the fusion above, which weighs retrieval too, may).
        if understood is not None and understood.card_id is not None \
                and (card is None or (understood.card_overrides and role not in THIRD_PARTIES)):
            # The classifier is confident (or retrieval found no card): its card answers, as strongly as its
            # probability says.
            same = card is not None and card.id == understood.card_id
            card = k.cards[understood.card_id]
            strength = max(strength if same else 0.0, understood.prediction.confidence, CARD_MIN_STRENGTH)
        if card is not None and not _speaks_to(card, role, own_contacts):
            card, strength = self._card_for_role(k, docs, role, card, strength, own_contacts)
        articles = [a for a in ranked_articles(docs, corpus=k.corpus, expand_cards=False)
                    if k.corpus.document(a[0]).in_force]
        strong = [a for a, d in _direct_hits(docs, k.corpus) if _agreed(d.metadata) and a in articles][:STRONG_TOP]
        evidence = Evidence(card=card, card_strength=strength, articles=articles, strong=strong, terms=terms)
        lender = understood.lender if understood is not None else None
        if lender is not None:
            evidence.lender_note = lender_note(lender, lang)
            evidence.lender_citations = lender_citations(lender, k.corpus)
            evidence.exclude_docs = lender.type.not_binding
        return evidence

    @staticmethod
    def _fused_card(k: Knowledge, docs: list, prediction, card: Card, strength: float,
                    role: str = "borrower", own_contacts: bool = False) -> tuple[Card, float]:
        """Retrieval found a card: the classifier's probabilities may pick another of the retrieved or predicted
        cards (bot.engine.retrieval.fused_card); a switched card is as strong as retrieval or the classifier says.
        A contact, relative or employer is switched only to a card written for them; a borrower who speaks of
        their own contacts never to a contact's card: the classifier reads 紧急联系人 as a contact's word, even
        in "我填了紧急联系人，就等于同意他们联系我所有亲戚朋友吗"."""
        probabilities = prediction.card_probabilities()
        if role in THIRD_PARTIES:
            probabilities = {c: p for c, p in probabilities.items() if c in k.cards and _written_for(k.cards[c], role)}
        elif own_contacts:
            probabilities = {c: p for c, p in probabilities.items() if c in k.cards and k.cards[c].audience != "contact"}
        fused = fused_card(docs, probabilities, card.id, TOP_CARDS)
        if fused is None or fused[0] not in k.cards:
            return card, strength
        retrieved = [d for d in docs if d.metadata.get("source") == "card"][:TOP_CARDS]
        rank = next((i for i, d in enumerate(retrieved) if d.metadata.get("card_id") == fused[0]), None)
        if rank is None and fused[1] < k.reader.thresholds["card"]:
            return card, strength       # a card retrieval never ranked needs a confident classifier
        own = _card_strength(retrieved[rank].metadata, rank) if rank is not None else 0.0
        return k.cards[fused[0]], max(own, fused[1], CARD_MIN_STRENGTH)

    def _card_for_role(self, k: Knowledge, docs: list, role: str, card: Card, strength: float,
                       own_contacts: bool = False) -> tuple[Card, float]:
        """A third party (contact, relative, employer) whose best card is written for the borrower, or a
        borrower speaking of their own contacts whose best card is a contact's: the next good card written
        for them, else the same card (same law)."""
        for rank, doc in enumerate(best_cards(docs, TOP_CARDS, TOP_CARDS)):
            other = k.cards.get(doc.metadata.get("card_id") or "")
            other_strength = _card_strength(doc.metadata, rank)
            if other is not None and other is not card and _speaks_to(other, role, own_contacts) \
                    and other_strength >= max(CARD_MIN_STRENGTH, strength * ROLE_CARD_SHARE):
                return other, other_strength
        return card, strength

    @staticmethod
    def _card_dense(docs: list) -> float:
        return max((d.metadata.get("card_dense_score") or d.metadata.get("dense_score") or 0.0
                    for d in docs if d.metadata.get("source") == "card"), default=0.0)

    def _intent(self, text: str, evidence: Evidence, previous: Turn | None) -> str | None:
        card_intent = evidence.card.intent if evidence.card else None
        intent = classify_topic(text, card_intent, evidence.card_strength)
        if intent is None and previous is not None:
            intent = previous.intent
        if intent is None and evidence.articles:
            intent = card_intent
        return intent

    def _llm_answer(self, k: Knowledge, query: Query, docs: list, lang: str, history) -> Answer | None:
        hits = [SearchHit(d.metadata["chunk_id"], d.page_content, d.metadata, float(d.metadata.get("score") or 0))
                for d in docs]
        try:
            if self._llm is None:
                self._llm = LLMAnswerer(self.settings, k.corpus)
            return self._llm.answer(question=query.original, hits=hits, language=lang, history=history)
        except LLMError as exc:   # the answerer turns endpoint failures and timeouts into LLMError
            log.warning("LLM answer failed, using the offline composer: %s", type(exc).__name__)
        return None

    def _verified(self, k: Knowledge, citations: list[Citation]) -> list[Citation]:
        """Drop any citation whose article is missing or whose quote is not verbatim (checked in code)."""
        kept = []
        for citation in citations:
            if is_valid(k.corpus, citation):
                kept.append(citation)
            else:
                log.warning("dropped an unverifiable citation to %s %s", citation.doc_id, citation.article)
        return kept


def _load(settings, embeddings=None):
    """Corpus, cards, index and card matcher; the embedder is loaded once and memoised per question.

    What only some questions need is loaded on first use (see `Engine.warm_up`).
    Raises IndexMissingError when there is no index, IndexStaleError when knowledge/ changed since it was built.
    """
    sources = load_knowledge(settings.knowledge_dir)
    # One BLAS thread: a question is one short text, and the answer threads already run questions
    # in parallel; waking more BLAS threads made a question's encode ~20x slower on busy cores.
    # The message checker embeds clauses with the same instance (one model copy per process).
    embeddings = embeddings or MemoEmbeddings(serving_embeddings(settings))
    index = open_index(settings, embeddings=embeddings)
    index.check_corpus_version(sources.corpus_version)
    matcher = CardMatcher(index.card_phrasings(), embeddings)
    return sources.corpus, sources.cards, index, matcher


def _reader(settings, index, cards: list[Card]) -> QuestionReader:
    """The question reader with the classifiers stored with the serving index version (trained by `python -m ingest`)."""
    folder = index_folder(settings, index.version) if settings is not None and index is not None else None
    return QuestionReader(QuestionClassifier.load(folder), {c.id for c in cards}, ScopeClassifier.load(folder))


def _written_for(card: Card, role: str) -> bool:
    """The card has text for this third party: its own role text, or it is a contact's card."""
    return role in card.roles or card.audience == "contact"


def _speaks_to(card: Card, role: str, own_contacts: bool = False) -> bool:
    """The card's text fits this reader: written for them, for everyone, or with their own text.

    A contact's card ("you owe nothing") does not fit a guarantor, nor a borrower who speaks of their own
    contacts ("我填了我妈做紧急联系人"), nor a borrower's card a contact."""
    if role in card.roles:
        return True
    if own_contacts and role == "borrower":
        return card.audience != "contact"
    if role in THIRD_PARTIES:
        return card.audience != "borrower"
    if role == "guarantor":
        return card.audience != "contact"
    return True


def _warm_up(index, matcher: CardMatcher | None) -> None:
    index.open_collection()
    index.embeddings.embed_array(["催收"])   # the first encode loads the model: slow
    if matcher is not None:
        matcher.keyword_match("催收")         # builds the phrasings' BM25, loading jieba


def _direct_hits(docs: list, corpus: Corpus):
    for doc in docs:
        key = article_key(doc.metadata)
        article = corpus.article(*key) if key else None
        if article is not None:
            yield (key[0], article.label), doc


def _agreed(meta: dict) -> bool:
    """Dense and BM25 both rank the chunk high (or the user named it)."""
    if meta.get("lookup_rank"):
        return True
    dense, keyword = meta.get("dense_rank"), meta.get("keyword_rank")
    return bool(dense and keyword and dense <= STRONG_RANK and keyword <= STRONG_RANK)


def _card_strength(meta: dict, rank: int) -> float:
    """0..1 from the card's similarity to its listed phrasings and its BM25 rank (either may be missing)."""
    dense = meta.get("card_dense_score") or meta.get("dense_score") or 0.0
    keyword_rank = meta.get("card_keyword_rank") or meta.get("keyword_rank")
    dense_part = max(0.0, min(1.0, (dense - 0.3) / 0.4))
    keyword_part = 1.0 / keyword_rank if keyword_rank else 0.0
    return max(dense_part, keyword_part) * (1.0 if rank < 3 else 0.7)


__all__ = ["Engine", "detect_reply_language"]
