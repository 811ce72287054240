"""`python -m ingest`: build or check the search index.

Exit codes: 0 ok, 2 bad input (file and line named, nothing written),
3 another ingest is running, 1 any other failure.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.corpus import CorpusError
from ingest.settings import IngestSettings

EXIT_BAD_INPUT, EXIT_LOCKED, EXIT_FAILED = 2, 3, 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest", description="Build the 知权 search index from knowledge/.")
    p.add_argument("--check", action="store_true", help="validate knowledge/ and report; write nothing")
    p.add_argument("--stats", action="store_true", help="print chunk counts per document; write nothing")
    p.add_argument("--force", action="store_true", help="rebuild even when nothing changed (cache still used)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--knowledge-dir", type=Path, help="override KNOWLEDGE_DIR")
    p.add_argument("--data-dir", type=Path, help="override DATA_DIR")
    return p


def _settings(args):
    overrides = {}
    if args.knowledge_dir:
        overrides["knowledge_dir"] = args.knowledge_dir
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    return IngestSettings(**overrides)


def _print_stats(sources, data_dir: Path) -> None:
    from ingest.paths import read_current
    from ingest.sources import chunk_counts

    counts = chunk_counts(sources.chunks)
    print(f"{'document':46} {'status':12} {'articles':>8} {'chunks':>7}")
    for doc in sources.corpus.documents.values():
        print(f"{doc.id:46} {doc.status:12} {len(doc.articles):8d} {counts.get(doc.id, 0):7d}")
    for g in sources.guidance:
        print(f"{g.id:46} {g.status:12} {'-':>8} {counts.get(g.id, 0):7d}")
    if sources.cards:
        print(f"{'cards':46} {'card':12} {'-':>8} {len(sources.cards):7d}")
    print(f"{'total':46} {'':12} {sum(len(d.articles) for d in sources.corpus.documents.values()):8d} "
          f"{len(sources.chunks):7d}")
    current = read_current(data_dir)
    print(f"current index: {current['version'] if current else 'none (run python -m ingest)'}")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = _settings(args)
    from ingest.build import BuildVerificationError, IngestLockedError, build_index
    from ingest.embeddings import EmbeddingModelError
    from ingest.sources import load_sources
    from ingest.store import StoreError

    try:
        if args.check or args.stats:
            sources = load_sources(settings.knowledge_dir)
            if args.stats:
                _print_stats(sources, Path(settings.data_dir))
            if args.check:
                print(f"ok: {len(sources.corpus.documents)} documents, "
                      f"{sum(len(d.articles) for d in sources.corpus.documents.values())} articles, "
                      f"{len(sources.guidance)} guidance, {len(sources.cards)} cards, "
                      f"{len(sources.chunks)} chunks (corpus {sources.corpus_version}); nothing written")
            return 0
        report = build_index(settings, force=args.force, progress=not args.quiet)
    except CorpusError as exc:
        print(f"error: {exc}\nnothing was written; the previous index (if any) is still in use.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except IngestLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except (BuildVerificationError, EmbeddingModelError, StoreError) as exc:
        print(f"error: {exc}\nthe previous index (if any) is still in use.", file=sys.stderr)
        return EXIT_FAILED
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
