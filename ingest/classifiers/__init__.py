"""Classifiers trained by `python -m ingest` and stored with each index version.

`question_model`: which answer card (or not-covered / out-of-scope / refused) a question asks for.
`message_model`: which unlawful-collection codes a collector's message shows, beside the pattern
rules of `message_rules`; `message_training` trains it and picks its thresholds on
held-out messages (train out of fold, and dev); `clause_vectors` gives it the sentence embeddings of
the clauses it reads, from the index's embedder.
`scope_model`: whether a question is answerable, asks for a rule not held, or is out of scope.
`linear_text`: a trained model as numpy arrays, so the bot answers without importing scikit-learn.
Features, training, save/load and fingerprints live here; the bot only loads and predicts.
"""
