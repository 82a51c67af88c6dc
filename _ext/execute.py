"""Execute the book's chapters in parallel (one process per core) into Jupyter Book's execution
cache, before the Sphinx build, which then reads every chapter's outputs from the cache.

Jupyter Book executes the chapters one after another; they are independent, so here jupyter-cache's
``local-parallel`` executor runs them side by side. Each chapter is read by myst-nb's own reader
(``myst_nb_md``), so its hash is the one the build looks up. A chapter that is already cached is not
run again; a chapter whose cell raises fails this step (and the build), with its traceback.

The chapters execute once for every edition of the site: ``BACKPROP_EDITIONS`` tells the package to
draw each output in every edition's language (``backprop.lang``).

Usage: python _ext/execute.py _build/.jupyter_cache
"""

import os
import sys
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor
from sitetools import CHAPTERS, EDITIONS, ROOT

#: seconds a cell may run: the book's own setting
TIMEOUT = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]


def main(cache_path):
    os.environ["BACKPROP_EDITIONS"] = " ".join(EDITIONS)  # the kernels inherit it
    cache = get_cache(cache_path)
    drawn_in = Path(cache_path) / "editions.txt"  # the languages the cached outputs hold
    if drawn_in.exists() and drawn_in.read_text() != os.environ["BACKPROP_EDITIONS"]:
        cache.clear_cache()  # a language added: every chapter draws its outputs again
    Path(cache_path).mkdir(parents=True, exist_ok=True)
    drawn_in.write_text(os.environ["BACKPROP_EDITIONS"])
    for path in CHAPTERS:
        cache.add_nb_to_project(str(path), read_data={"name": "myst_nb_md", "type": "plugin"})
    result = load_executor("local-parallel", cache).run_and_cache(timeout=TIMEOUT)
    failed = result.errored + result.excepted
    for uri in failed:
        print(f"{uri} failed:\n{cache.get_project_record(uri).traceback}", file=sys.stderr)
    print(f"executed {len(result.succeeded)} chapter(s), {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
