"""Re-sweep the question and scope classifiers' thresholds on real users' questions: `python -m bot.threshold_sweep`.

The classifiers are trained once on the whole `train` split (as `python -m ingest` trains them; they
answer `dev`) and once per fold of `train` grouped by source page (each answers its fold). Then one
threshold at a time is moved over its values, the others kept as bot/data/question_model.yaml and
bot/data/scope_model.yaml have them, and dev and the cross-validated train are measured (gold
citation, negatives handled). `test` is never read. Run it after the training data changes; choose
on both measures (dev is small) and write the choice into those files.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import realworld_eval
from bot.engine import scope, understanding
from ingest.realworld import load_questions

# Values tried per threshold ("question." are bot/data/question_model.yaml, "scope." bot/data/scope_model.yaml).
GRID: dict[str, tuple[float, ...]] = {
    "question.card": (0.1, 0.15, 0.2, 0.3, 0.4),
    "question.card_override": (0.3, 0.4, 0.5, 0.6),
    "question.card_in_domain": (0.3, 0.4, 0.45, 0.5),
    "question.not_covered": (0.25, 0.3, 0.35, 0.45),
    "question.out_of_scope": (0.2, 0.25, 0.3, 0.4),
    "scope.not_covered": (0.4, 0.5, 0.6, 0.7),
    "scope.out_of_scope": (0.4, 0.5, 0.6),
    "scope.out_of_scope_in_domain": (0.45, 0.5, 0.55, 0.6, 0.7),
}


def _table(name: str) -> dict[str, float]:
    """The live thresholds dict a name points into (both modules read it on every question)."""
    family, _ = name.split(".", 1)
    return understanding.thresholds() if family == "question" else scope.thresholds()


def measure(engine, jobs: dict[str, list]) -> dict[str, dict]:
    return {split: realworld_eval.summarize(split, *realworld_eval.answer_with(engine, split_jobs))
            for split, split_jobs in jobs.items()}


def sweep(engine, knowledge_dir: Path | str, grid: dict[str, tuple[float, ...]], folds: int = 5):
    """Yield (threshold name, value, {"dev": report, "cv": report}) for every value in `grid`."""
    jobs = {"dev": [(realworld_eval.trained_reader(engine, knowledge_dir), load_questions(knowledge_dir, splits=("dev",)))],
            "cv": list(realworld_eval.held_out_folds(engine, knowledge_dir, folds))}
    for name, values in grid.items():
        table, key = _table(name), name.split(".", 1)[1]
        current = current_value(name)
        try:
            for value in values:
                table[key] = value
                yield name, value, measure(engine, jobs)
        finally:
            table[key] = current


def current_value(name: str) -> float:
    return _table(name)[name.split(".", 1)[1]]


def row(name: str, value: float, reports: dict[str, dict], current: float) -> str:
    cells = [f"{name} = {value}{' (now)' if value == current else ''}"]
    for split in ("dev", "cv"):
        r, per = reports[split], reports[split]["per_label"]
        cells += [f"{r['gold_citation']:.1%}", f"{r['negatives_handled']:.1%}",
                  f"{per['not_covered']['ok']}/{per['not_covered']['n']}", f"{per['out_of_scope']['ok']}/{per['out_of_scope']['n']}"]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.threshold_sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(GRID), help="sweep only these thresholds")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    from bot.config import get_settings
    from bot.engine import Engine

    settings = get_settings().model_copy(update={"llm_model": None})
    engine = Engine.from_settings(settings)
    grid = {name: GRID[name] for name in args.only} if args.only else GRID
    now = {name: current_value(name) for name in grid}
    print("| threshold | dev gold | dev handled | dev not covered | dev out of scope "
          "| cv gold | cv handled | cv not covered | cv out of scope |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, value, reports in sweep(engine, settings.knowledge_dir, grid, args.folds):
        print(row(name, value, reports, now[name]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
