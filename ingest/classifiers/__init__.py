"""Classifiers trained by `python -m ingest` and stored with each index version.

`question_model`: which answer card (or not-covered / out-of-scope / refused) a question asks for.
`message_model`: which unlawful-collection codes a collector's message shows, beside the pattern
rules of `message_rules`; `message_training` trains it and picks its thresholds on dev.
`linear_text`: the question model as numpy arrays, so the bot answers without importing scikit-learn.
Features, training, save/load and fingerprints live here; the bot only loads and predicts.
"""
