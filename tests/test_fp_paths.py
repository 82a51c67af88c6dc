"""Every chapter, with every assert, under floating-point paths other than this machine's own.

The chapters' training runs are chaotic: the last bits of a matrix product (which OpenBLAS kernel
runs) or of an exp or tanh (which of numpy's SIMD loops runs) can decide whether a run blows up.
A reader's laptop, a CI runner or Binder runs other kernels than the machine that built the book,
so each chapter is executed again here under two foreign paths (in a fresh kernel each, two at a
time, OPENBLAS_NUM_THREADS=1), and fails with the cell's error as the build would:

- ``old-blas-no-simd``: OpenBLAS's Prescott kernel (SSE3; threadpoolctl reports "Katmai", the
  name of the oldest x86 core, which this OpenBLAS build maps onto the Prescott kernel) and
  numpy's SIMD loops beyond its baseline turned off;
- ``sandybridge``: OpenBLAS's Sandy Bridge kernel (AVX), numpy's SIMD on.

The first test shows that each path really changes the kernel, the SIMD loops and the bits.
Select these tests with ``pytest -m fp_paths`` (or leave them out with ``-m "not fp_paths"``).
Run as a script (``python tests/test_fp_paths.py book/X.md``) this file executes one chapter in the
current environment and prints what it found as JSON: that is what the tests run.
"""

import json
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # also when run as a script
from sitetools import CHAPTERS, ROOT, execute_chapter  # noqa: E402  (shared with the build)

# numpy 2.4's names for the SIMD levels it dispatches to beyond its x86-64-v2 baseline
# (`numpy.show_runtime()`, "simd_extensions"); older names (AVX2, AVX512F, ...) are not disabled
# but ignored with an ImportWarning, which the environment check below turns into a failure.
NUMPY_EXTRA_SIMD = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
PATHS = {
    "old-blas-no-simd": {
        "OPENBLAS_CORETYPE": "Prescott",
        "NPY_DISABLE_CPU_FEATURES": NUMPY_EXTRA_SIMD,
    },
    "sandybridge": {"OPENBLAS_CORETYPE": "SandyBridge"},
}
FOREIGN = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")
WORKERS = 2  # the machine's cores; each kernel uses one BLAS thread

# Runs first in every kernel: the OpenBLAS kernel (threadpoolctl), numpy's SIMD levels in use
# (show_runtime's "found" list, computed as it does) and a fingerprint of a few float64 results
# whose last bits depend on both. Leaves no name behind in the chapter's namespace.
PROBE = """\
def _fp_path():
    import json
    import numpy as np
    import threadpoolctl
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    rng = np.random.default_rng(0)
    w, h, x = rng.normal(size=(20, 20)) / 4, rng.normal(size=(20, 1)), rng.normal(size=(64, 300))
    for _ in range(200):
        h = np.tanh(w @ h + 0.1)  # a small recurrent net run for 200 steps
    sums = [(rng.normal(size=(30, 64)) @ x).sum(), h.sum(), np.exp(x).sum(), np.tanh(x).sum()]
    print(json.dumps({
        "blas": [i["architecture"] for i in threadpoolctl.threadpool_info()
                 if i["internal_api"] == "openblas"],
        "simd": [f for f in __cpu_dispatch__ if __cpu_features__[f]],
        "bits": " ".join(float(s).hex() for s in sums),
    }))
_fp_path()
del _fp_path
"""

pytestmark = [
    pytest.mark.fp_paths,
    pytest.mark.skipif(
        platform.machine() not in ("x86_64", "AMD64"),
        reason="the foreign paths name x86 OpenBLAS kernels and numpy's x86 SIMD levels",
    ),
]


def environment(path):
    """os.environ with the path's variables (None: the machine's own path, as the book builds)."""
    env = {k: v for k, v in os.environ.items() if path is None or k not in FOREIGN}
    env.update(PATHS.get(path, {}), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return env


def probe(path):
    """The probe's findings in a fresh interpreter on ``path``; an ImportWarning (a SIMD name
    numpy does not know) is an error."""
    result = subprocess.run(
        [sys.executable, "-W", "error::ImportWarning", "-c", PROBE],
        env=environment(path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # the probe prints one line of JSON


@pytest.fixture(scope="module")
def probes():
    """The probe on the machine's own path (key None) and on each foreign path."""
    return {path: probe(path) for path in [None, *PATHS]}


def test_each_path_changes_the_blas_kernel_the_simd_loops_and_the_bits(probes):
    own, found = probes[None], probes
    kernels = [own["blas"][0]] + [found[path]["blas"][0] for path in PATHS]
    assert len(set(kernels)) == len(kernels), f"the paths share an OpenBLAS kernel: {kernels}"
    assert found["old-blas-no-simd"]["simd"] == [], found["old-blas-no-simd"]
    assert found["sandybridge"]["simd"] == own["simd"]
    for path in PATHS:
        assert found[path]["bits"] != own["bits"], f"{path} computes the same bits as this machine"


def execute(chapter):
    """Execute ``chapter`` (a book/*.md path) after the probe, in a fresh kernel whose environment
    is this process's; returns the probe's findings, the seconds taken and the first error
    (a cell's exception, or text a cell printed on stderr, which the build turns into an error)."""
    nb, seconds, error = execute_chapter(chapter, first_cells=[PROBE])
    probe_out = "".join(o.get("text", "") for o in nb.cells[0].get("outputs", []))
    found = json.loads(probe_out) if probe_out else None
    return {"probe": found, "seconds": seconds, "error": error}


def run(path, chapter):
    """Execute one chapter in a subprocess on ``path``: this file run as a script."""
    result = subprocess.run(
        [sys.executable, __file__, str(chapter)],
        env=environment(path),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if result.returncode != 0:
        return {"probe": None, "seconds": None, "error": result.stdout + result.stderr}
    return json.loads(result.stdout.splitlines()[-1])  # the last line: what execute() found


@pytest.fixture(scope="module")
def executions():
    """Every chapter on every path, executed two at a time: {(path, chapter name): result}."""
    jobs = [(path, chapter) for path in PATHS for chapter in CHAPTERS]
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda job: run(*job), jobs))
    for (path, chapter), result in zip(jobs, results):
        status = "ok" if result["error"] is None else "FAILED"
        print(f"{path:18} {chapter.name:14} {result['seconds'] or 0:6.1f} s {status}")
    return {(path, chapter.name): result for (path, chapter), result in zip(jobs, results)}


@pytest.mark.parametrize("chapter", [c.name for c in CHAPTERS])
@pytest.mark.parametrize("path", list(PATHS))
def test_chapter_runs_with_its_asserts_on_a_foreign_path(executions, probes, path, chapter):
    result = executions[(path, chapter)]
    if result["error"] is not None:
        pytest.fail(f"{chapter} on {path} ({PATHS[path]}):\n{result['error']}", pytrace=False)
    assert result["probe"] == probes[path], "the chapter's kernel did not run on the path"


if __name__ == "__main__":
    print(json.dumps(execute(Path(sys.argv[1]).resolve())))
