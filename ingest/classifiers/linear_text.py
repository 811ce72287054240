"""A trained TF-IDF (character n-grams) + logistic regression pipeline as plain arrays, applied with numpy.

Importing scikit-learn takes about a second (it imports SciPy's statistics), which a one-off
`python -m bot ask` would pay for a handful of multiplications. So `python -m ingest` also writes
the trained classifiers' numbers (vocabulary, idf, coefficients) next to their joblib files,
and the bot applies them here the way scikit-learn's `transform` and `predict_proba` do: the same
`char` or `char_wb` n-grams, counts, sublinear tf, idf weights, l2 norm and softmax. A pipeline of any other
shape is not exported (the joblib file is loaded instead). The probabilities agree with
scikit-learn's to rounding error (tests/understanding/test_question_model.py).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")    # as sklearn.feature_extraction.text
ANALYZERS = ("char", "char_wb")


def export(pipeline, path: Path) -> bool:
    """Write `pipeline`'s numbers to `path` (.npz) if it has the shape applied here; False otherwise."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    steps = [step for _, step in pipeline.steps]
    if len(steps) != 2 or not isinstance(steps[0], TfidfVectorizer) or not isinstance(steps[1], LogisticRegression):
        return False
    vectorizer, regression = steps
    plain = (vectorizer.analyzer in ANALYZERS and vectorizer.input == "content" and vectorizer.preprocessor is None
             and vectorizer.strip_accents is None and not vectorizer.binary and vectorizer.norm == "l2"
             and vectorizer.use_idf and len(regression.classes_) > 2)     # two classes use another formula
    if not plain:
        return False
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    np.savez(path, terms=np.array(terms), idf=vectorizer.idf_, coef=regression.coef_,
             intercept=regression.intercept_, classes=np.array([str(c) for c in regression.classes_]),
             ngram_range=np.array(vectorizer.ngram_range), lowercase=np.array(vectorizer.lowercase),
             sublinear_tf=np.array(vectorizer.sublinear_tf), analyzer=np.array(vectorizer.analyzer))
    return True


class LinearTextModel:
    """`predict_proba` and `classes_` of the exported pipeline (what QuestionClassifier uses)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.vocabulary = {term: i for i, term in enumerate(arrays["terms"].tolist())}
        self.idf = arrays["idf"]
        self.coef = arrays["coef"]
        self.intercept = arrays["intercept"]
        self.classes_ = arrays["classes"].tolist()
        self.min_n, self.max_n = (int(n) for n in arrays["ngram_range"])
        self.lowercase = bool(arrays["lowercase"])
        self.sublinear_tf = bool(arrays["sublinear_tf"])
        self.analyzer = str(arrays["analyzer"]) if "analyzer" in arrays else "char_wb"

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        with np.load(path, allow_pickle=False) as stored:
            return cls({name: stored[name] for name in stored.files})

    def _ngrams(self, text: str) -> list[str]:
        return self._char_ngrams(text) if self.analyzer == "char" else self._char_wb_ngrams(text)

    def _char_ngrams(self, text: str) -> list[str]:
        """scikit-learn's `_char_ngrams`: every n-gram of the whole text, spaces included."""
        text = _WHITE_SPACES.sub(" ", text)
        return [text[i:i + n] for n in range(self.min_n, min(self.max_n, len(text)) + 1)
                for i in range(len(text) - n + 1)]

    def _char_wb_ngrams(self, text: str) -> list[str]:
        """scikit-learn's `_char_wb_ngrams`: n-grams inside words, padded with one space each side."""
        ngrams = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            word = f" {word} "
            for n in range(self.min_n, self.max_n + 1):
                offset = 0
                ngrams.append(word[offset:offset + n])
                while offset + n < len(word):
                    offset += 1
                    ngrams.append(word[offset:offset + n])
                if offset == 0:      # a word shorter than n is counted once
                    break
        return ngrams

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The tf-idf row of `text`: column indices (ascending) and their l2-normalised weights."""
        text = text.lower() if self.lowercase else text
        counts = Counter(self.vocabulary[g] for g in self._ngrams(text) if g in self.vocabulary)
        columns = np.array(sorted(counts), dtype=np.int64)
        weights = np.array([counts[c] for c in columns], dtype=np.float64)
        if self.sublinear_tf:
            weights = np.log(weights) + 1.0
        weights *= self.idf[columns]
        norm = math.sqrt(float(weights @ weights))
        return columns, (weights / norm if norm > 0 else weights)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            columns, weights = self._features(text)
            decision = self.coef[:, columns] @ weights + self.intercept
            decision = np.exp(decision - decision.max())
            rows.append(decision / decision.sum())
        return np.array(rows)


__all__ = ["LinearTextModel", "export"]
