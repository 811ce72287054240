"""Evidence: screenshots read by OCR and checked, a per-user harassment log, and its export.

Modules: ocr (image -> lines), bubbles (lines -> messages), screenshot (messages -> findings),
when (typed dates), incidents (the record), log_store (per-user storage), timeline (counts and
flags), export (.docx / .csv), complaint_log (the log's part of a complaint letter), cli.
"""
