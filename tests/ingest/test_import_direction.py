"""Imports go one way: `bot` uses `ingest` (reader and knowledge model), `ingest` never uses `bot`."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import ingest

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: a meta-path finder refuses `bot` and every `bot.*`, then every
# module of `ingest` is imported; any import of `bot` on the way fails the run.
_PROBE = """
import importlib, sys

class BlockBot:
    def find_spec(self, name, path=None, target=None):
        if name == "bot" or name.startswith("bot."):
            raise ImportError(f"ingest imported {name}")
        return None

sys.meta_path.insert(0, BlockBot())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("imported", len(sys.argv) - 1)
"""


def _ingest_modules() -> list[str]:
    names = [info.name for info in pkgutil.walk_packages(ingest.__path__, "ingest.")]
    return ["ingest", *names]


def test_every_ingest_module_imports_without_bot():
    modules = _ingest_modules()
    assert "ingest.reader" in modules and "ingest.build" in modules and "ingest.__main__" in modules
    proc = subprocess.run([sys.executable, "-c", _PROBE, *modules], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == f"imported {len(modules)}"


def test_the_probe_catches_an_import_of_bot():
    """The check itself can fail: importing a module that uses `bot` is refused."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, "bot.config"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0 and "imported bot" in proc.stderr
