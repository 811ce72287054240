"""Trained collector-message classifier: which finding codes a clause of a message shows.

The rules (ingest/data/message_rules.yaml) are precise but only catch wordings someone wrote down.
This model generalises from labelled messages. Each finding code (one-vs-rest) has two logistic
regressions whose probabilities are averaged: one over TF-IDF character n-grams of the text
normalised to Simplified, half-width and lower case, one over the clause's sentence embedding from
the embedder the index uses (ingest/classifiers/clause_vectors.py), which carries meaning across
wordings that share no characters. It is applied per clause (sentence punctuation and line breaks),
so every finding can still show the clause that triggered it. Thresholds are chosen per code on held-out messages
(train scored out of fold, grouped by source page, pooled with dev) and stored with the model;
`python -m ingest` trains it (ingest/classifiers/message_training.py) and writes it next to the
index manifest; the bot's checker loads it from there (`serving_model`).
"""
from __future__ import annotations

import json
import logging
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.datafiles import data_path
from ingest.normalize import normalize_message
from ingest.paths import CURRENT_FILE
from ingest.settings import IngestSettings

log = logging.getLogger(__name__)

MODEL_FILE = "message_model.pkl"
MODEL_INFO_FILE = "message_model.json"
# Bump when features or training change, so ingest retrains an unchanged dataset. 4: the pickled
# class moved to ingest.classifiers (same features and training as 3). 5: thresholds are the lowest
# that keep lawful messages flagged within 2 % (out-of-fold train lawful pooled with dev). 6: thresholds
# on train out of fold (grouped by source page) pooled with dev, with a lawful margin, a cost per wrong
# code and a 1 % lawful bound. 8: no threshold below 0.5. 9: a second classifier per code over the
# clause's sentence embedding, averaged with the n-gram one.
MODEL_VERSION = 9
UNLAWFUL = "_unlawful"         # the any-code head: a message flagged by it gets its best code
CASES_PATH = data_path("checker_cases.yaml")
DEFAULT_THRESHOLD = 0.5
# The embedding classifiers' regularisation and their share of a code's probability. Chosen in
# cross-validation by page over train and dev: averaging half and half found more than adding the
# scaled embedding to the n-gram features, which flagged more lawful messages at any margin.
EMBEDDING_C = 1.0
EMBEDDING_WEIGHT = 0.5

# Sentence punctuation and line breaks; an English full stop only before a space or the end,
# so "3.5" and "a.m." stay whole.
_CLAUSE = re.compile(r"[^。！？!?；;\n]+?(?:[。！？!?；;\n]+|\.(?=\s)|$)")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty clause of `text`, in order."""
    spans = []
    for m in _CLAUSE.finditer(text):
        start, end = m.start(), m.end()
        piece = text[start:end]
        stripped = piece.strip(" \t\r\n。！？!?；;.,，")
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, end))
    return spans or [(0, len(text))]


@dataclass(frozen=True)
class Example:
    text: str
    codes: tuple[str, ...]


@dataclass
class ClauseScore:
    code: str
    score: float
    span: tuple[int, int]          # the clause in the original text


class MissingEmbeddingsError(RuntimeError):
    """A model trained with embedding classifiers scores text without an embedder attached."""


@dataclass
class MessageModel:
    """A vectoriser, one classifier per code it has positives for, and per-code thresholds; with
    `embedding_classifiers`, a second classifier per code over the sentence embedding."""
    vectorizer: object
    classifiers: dict[str, object]
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    embedding_classifiers: dict[str, object] = field(default_factory=dict)
    # The embedder (`embed_array`) the embedding classifiers read: attached by `train` and
    # `serving_model`, never pickled (the index's embedder: tens of megabytes of weights, loaded once).
    embeddings: object | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "embeddings": None}

    def scores(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Probability per code for each (already normalised) text."""
        if not texts:
            return {code: np.zeros(0) for code in self.classifiers}
        x = self.vectorizer.transform(texts)
        scores = {code: clf.predict_proba(x)[:, 1] for code, clf in self.classifiers.items()}
        if self.embedding_classifiers:
            if self.embeddings is None:
                raise MissingEmbeddingsError("this message model reads sentence embeddings: attach the "
                                             "index's embedder (serving_model does)")
            vectors = self.embeddings.embed_array(texts)
            for code, clf in self.embedding_classifiers.items():
                scores[code] = ((1 - EMBEDDING_WEIGHT) * scores[code]
                                + EMBEDDING_WEIGHT * clf.predict_proba(vectors)[:, 1])
        return scores

    def message_scores(self, text: str) -> dict[str, ClauseScore]:
        """Best clause and its score per code; the whole message counts as one more clause."""
        spans = clause_spans(text)
        units = spans + ([(0, len(text))] if len(spans) > 1 else [])
        normalised = [normalize_message(text[s:e]) for s, e in units]
        best: dict[str, ClauseScore] = {}
        for code, column in self.scores(normalised).items():
            i = int(np.argmax(column))
            # A whole-message hit points at its best single clause, never at the whole text.
            span = units[i] if i < len(spans) else spans[int(np.argmax(column[:len(spans)]))]
            best[code] = ClauseScore(code, float(column[i]), span)
        return best

    def predict(self, text: str) -> list[ClauseScore]:
        """Codes whose score reaches their threshold, highest first. When none does but the
        any-code head finds the message unlawful, its highest-scoring code (relative to its threshold)."""
        scores = self.message_scores(text)
        unlawful = scores.pop(UNLAWFUL, None)
        hits = [s for s in scores.values() if s.score >= self.thresholds.get(s.code, DEFAULT_THRESHOLD)]
        if not hits and scores and unlawful and unlawful.score >= self.thresholds.get(UNLAWFUL, 1.01):
            hits = [max(scores.values(), key=lambda s: s.score / self.thresholds.get(s.code, DEFAULT_THRESHOLD))]
        return sorted(hits, key=lambda s: -s.score)


# --- training ------------------------------------------------------------------------------

def training_units(examples: list[Example]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Whole messages with their codes, plus clauses: the model is applied per clause, so it must learn
    what an unlawful clause looks like on its own, and that ordinary reminder clauses are lawful.
    Each clause of a lawful message is a lawful unit. A clause of an unlawful message is a unit only
    when the rules find one of the message's codes in it, labelled with those codes (a weak label):
    the gold codes name the message, and most of its clauses ("您好", "请尽快还款") show none of them."""
    from ingest.classifiers.message_rules import load_message_rules, rule_hits

    rules = load_message_rules()
    texts, labels = [], []
    for ex in examples:
        texts.append(normalize_message(ex.text))
        labels.append(ex.codes)
        spans = clause_spans(ex.text)
        if len(spans) < 2:
            continue
        for s, e in spans:
            codes = tuple(sorted(set(rule_hits(ex.text[s:e], rules)) & set(ex.codes))) if ex.codes else ()
            if codes or not ex.codes:
                texts.append(normalize_message(ex.text[s:e]))
                labels.append(codes)
    return texts, labels


def train(examples: list[Example], codes: tuple[str, ...], c: float = 10.0, embeddings=None) -> MessageModel:
    """Fit the vectoriser and one balanced logistic regression per code with positives; with
    `embeddings` (the index's embedder), a second one per code over the units' sentence embeddings."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    texts, labels = training_units(examples)
    # `char`, not `char_wb`: Chinese has no spaces to cut at, and across spaces the English n-grams
    # ("d your", "to your") carried a little more in cross-validation by page.
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    x = vectorizer.fit_transform(texts)
    vectors = embeddings.embed_array(texts) if embeddings is not None else None
    classifiers, embedding_classifiers = {}, {}
    # One thread: small fits, and on a shared 2-core machine BLAS threads fighting over the cores
    # made training about twenty times slower.
    with threadpool_limits(limits=1):
        for code in (*codes, UNLAWFUL):
            y = np.array([bool(lab) if code == UNLAWFUL else code in lab for lab in labels], dtype=int)
            if y.sum() == 0:
                continue          # no example: the rules alone speak for this code
            classifiers[code] = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y)
            if vectors is not None:
                embedding_classifiers[code] = LogisticRegression(C=EMBEDDING_C, class_weight="balanced",
                                                                 max_iter=2000).fit(vectors, y)
    return MessageModel(vectorizer=vectorizer, classifiers=classifiers, embedding_classifiers=embedding_classifiers,
                        embeddings=embeddings,
                        info={"model_version": MODEL_VERSION, "train_units": len(texts),
                              "embedding_model_id": embeddings.model_id if embeddings is not None else None,
                              "train_messages": len(examples),
                              "positives": {code: int(sum(code in lab for lab in labels)) for code in codes}})


# --- storage -------------------------------------------------------------------------------

def save(model: MessageModel, folder: Path) -> Path:
    """Write the model and a readable summary (thresholds, counts) into an index folder."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MODEL_FILE
    with open(path, "wb") as fh:
        pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
    (folder / MODEL_INFO_FILE).write_text(json.dumps({**model.info, "thresholds": model.thresholds},
                                                     ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def load(folder: Path) -> MessageModel | None:
    """The model stored in an index folder, or None when there is none (an index built before it)."""
    path = Path(folder) / MODEL_FILE
    try:
        with open(path, "rb") as fh:
            model = pickle.load(fh)
    except FileNotFoundError:
        return None
    except (pickle.UnpicklingError, AttributeError, ModuleNotFoundError, EOFError, TypeError):
        return None       # written by another version of this module: the rules still work
    if not isinstance(model, MessageModel) or model.info.get("model_version") != MODEL_VERSION:
        return None
    return model


# --- the model of the serving index --------------------------------------------------------

_LOADED: dict[str, tuple[str, MessageModel | None]] = {}


def serving_model(data_dir: Path | str, settings=None) -> MessageModel | None:
    """The model of the index DATA_DIR/CURRENT points at, loaded on first use and again only after
    a rebuild switched CURRENT, with the embedder `settings` name (default: the environment's);
    None without an index, with one built before the model existed, or without its embedder."""
    data_dir = Path(data_dir)
    try:
        current = json.loads((data_dir / CURRENT_FILE).read_text(encoding="utf-8"))
        index_dir = data_dir / current["index_dir"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    key = str(data_dir.resolve())
    cached = _LOADED.get(key)
    if cached and cached[0] == str(index_dir):
        return cached[1]
    model = with_embeddings(load(index_dir), settings or IngestSettings(data_dir=data_dir))
    _LOADED[key] = (str(index_dir), model)
    return model


def with_embeddings(model: MessageModel | None, settings) -> MessageModel | None:
    """`model` with the embedder of `settings` attached; None when it reads embeddings these
    settings cannot give (another embedder than it was trained with, or one not available offline):
    the rules then answer alone, as without a model."""
    if model is None or not model.embedding_classifiers:
        return model
    from ingest.embeddings import EmbeddingModelError, serving_embeddings

    try:
        embeddings = serving_embeddings(settings)
    except EmbeddingModelError as exc:
        log.warning("message model unused: its embedder cannot be loaded (%s)", type(exc).__name__)
        return None
    if embeddings.model_id != model.info.get("embedding_model_id"):
        log.warning("message model unused: trained with embedder %s, the settings give %s",
                    model.info.get("embedding_model_id"), embeddings.model_id)
        return None
    model.embeddings = embeddings
    return model


__all__ = ["CASES_PATH", "DEFAULT_THRESHOLD", "MODEL_FILE", "MODEL_VERSION", "UNLAWFUL", "ClauseScore", "Example",
           "MessageModel", "MissingEmbeddingsError", "clause_spans", "load", "save", "serving_model", "train",
           "training_units", "with_embeddings"]
