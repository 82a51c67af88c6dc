"""Fixtures shared by the tests: the built book, a loopback server for it, headless Chromium."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "_ext"))  # what a test checks against
from sitetools import BUILD, CHROMIUM, CHROMIUM_ARGS, HTML, ROOT, serve  # noqa: E402  (shared with bench/)

#: the fixtures whose tests `make test-fast` must leave out, and the marker it leaves them out by
MARKER_OF_FIXTURE = {
    "build_log": "book",
    "built_book": "book",
    "site_url": "book",
    "browser": "browser",
}


def pytest_collection_modifyitems(items):
    """Refuse a test that uses the built book or Chromium without its marker: `make test-fast`
    deselects by marker, and such a test would build the book or drive Chromium there."""
    unmarked = [
        f"{item.nodeid} uses the fixture {fixture} but is not marked {marker}"
        for item in items
        for fixture, marker in MARKER_OF_FIXTURE.items()
        if fixture in item.fixturenames and not item.get_closest_marker(marker)
    ]
    if unmarked:
        raise pytest.UsageError("\n".join(unmarked))


def build_book():
    """Build the book with `make book` (which re-runs chapters whose package changed)."""
    return subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def build_log():
    """The book, built once per test session (execution is cached, so a rebuild is quick): the
    output of `make book`."""
    result = build_book()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def built_book(build_log):
    """The built site's folder (both editions)."""
    return HTML


@pytest.fixture(scope="session")
def site_url(built_book):
    """The built site served on loopback for the session."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright. Skips without Chromium, except under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium is required under CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip("no /usr/bin/chromium here: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: what a reader's environment is made from, as Binder (repo2docker) makes it: a change to any of
#: them builds the reader's venv again
READER_INPUTS = ["requirements.txt", "pyproject.toml", "runtime.txt"]


def reader_python():
    """The Python of runtime.txt (``python-3.11`` -> ``python3.11``) if installed, else this one."""
    version = (ROOT / "runtime.txt").read_text().strip().removeprefix("python-")
    return shutil.which(f"python{version}") or sys.executable


@pytest.fixture(scope="session")
def reader_venv():
    """A venv made from requirements.txt alone, as Binder installs it (no constraints.txt, no
    development tools): ``_build/reader-venv``, made again when :data:`READER_INPUTS` change."""
    venv, python = BUILD / "reader-venv", reader_python()
    digest = hashlib.sha256(python.encode())
    for name in READER_INPUTS:
        digest.update((ROOT / name).read_bytes())
    stamp = venv / "made-from"
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-r", "requirements.txt"], cwd=ROOT, check=True)
        stamp.write_text(digest.hexdigest())
    return venv


@pytest.fixture(scope="session")
def reader_kernel(reader_venv, tmp_path_factory):
    """A Jupyter data folder whose kernelspec ``python3`` is the reader venv's Python: put first
    in ``JUPYTER_PATH``, it shadows every other ``python3`` (the chapters name that kernel)."""
    path = tmp_path_factory.mktemp("jupyter-path")
    spec = path / "kernels" / "python3"
    spec.mkdir(parents=True)
    python = str(reader_venv / "bin" / "python")
    argv = [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (reader)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return path


@pytest.fixture(scope="session")
def post_build(reader_venv, tmp_path_factory):
    """The repository's postBuild run as Binder runs it, after requirements.txt: with the reader
    venv's commands first on PATH. Returns the Jupyter configuration folder it wrote to."""
    config = tmp_path_factory.mktemp("jupyter-config")
    path = f"{reader_venv / 'bin'}:{os.environ['PATH']}"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), PATH=path)
    subprocess.run(["bash", str(ROOT / "postBuild")], env=env, check=True)
    return config
