"""Benchmark (not a test): the vectorised conv and pooling layers of backprop.cnn against their
loop forms in backprop.cnn_loops.

Workload: a batch of 64 one-channel 28×28 images, 8 filters 3×3 (z: 64×8×26×26), then 2×2 max
pooling of z (out: 64×8×13×13). Each row times a forward plus a backward pass.

The loop forms take seconds on the whole batch, so they run once on the first LOOP_SAMPLES
samples and their time is scaled by 64 / LOOP_SAMPLES (their cost is linear in the batch size);
the vectorised forms run on the whole batch, best of REPEATS runs.

    python bench/bench_cnn.py    # prints the table (needs the package, or PYTHONPATH=src)
"""

import time

import numpy as np

from backprop import cnn, cnn_loops

N, C, H, W, F, K, POOL = 64, 1, 28, 28, 8, 3, 2
LOOP_SAMPLES = 8
REPEATS = 5


def best_time(step, repeats):
    """The shortest wall-clock time of ``repeats`` calls of ``step()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def conv_step(forward, backward, a, weights, bias, delta):
    """One forward and one backward pass of a conv layer."""
    return lambda: backward(delta, forward(a, weights, bias)[1])


def pool_step(forward, backward, a, delta):
    """One forward and one backward pass of a max-pooling layer."""
    return lambda: backward(delta, forward(a, POOL, "max")[1])


def row(operation, loops_step, vectorised_step):
    """Time both forms; the loop form on LOOP_SAMPLES samples, scaled to the batch of N."""
    loops_s = best_time(loops_step, 1) * N / LOOP_SAMPLES
    vectorised_s = best_time(vectorised_step, REPEATS)
    return {
        "operation": operation,
        "batch": f"{N}x{C}x{H}x{W}",
        "loop_samples": LOOP_SAMPLES,
        "loops_s": loops_s,
        "vectorised_s": vectorised_s,
        "ratio": loops_s / vectorised_s,
    }


def run(seed=0):
    """Time the conv and the pooling layer, both forms. Returns one dict per row of the table."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((N, C, H, W))
    weights, bias = rng.standard_normal((F, C, K, K)), rng.standard_normal(F)
    z, _ = cnn.conv2d_forward(a, weights, bias)
    dz = rng.standard_normal(z.shape)
    dpool = rng.standard_normal((N, F, z.shape[2] // POOL, z.shape[3] // POOL))
    few = slice(0, LOOP_SAMPLES)
    return [
        row(
            f"conv {F}x{K}x{K} forward+backward",
            conv_step(
                cnn_loops.conv2d_forward_loops,
                cnn_loops.conv2d_backward_loops,
                a[few],
                weights,
                bias,
                dz[few],
            ),
            conv_step(cnn.conv2d_forward, cnn.conv2d_backward, a, weights, bias, dz),
        ),
        row(
            f"max pool {POOL}x{POOL} forward+backward",
            pool_step(
                cnn_loops.pool_forward_loops, cnn_loops.pool_backward_loops, z[few], dpool[few]
            ),
            pool_step(cnn.pool_forward, cnn.pool_backward, z, dpool),
        ),
    ]


def table(rows):
    """The rows as a plain-text table."""
    lines = [f"{'operation':<34} {'loops (s)':>10} {'vectorised (s)':>15} {'ratio':>8}"]
    for r in rows:
        times = f"{r['loops_s']:>10.3f} {r['vectorised_s']:>15.5f} {r['ratio']:>7.0f}x"
        lines.append(f"{r['operation']:<34} {times}")
    lines.append(
        f"batch {rows[0]['batch']}; loop times measured on {LOOP_SAMPLES} samples and "
        f"scaled by {N}/{LOOP_SAMPLES}; vectorised: best of {REPEATS}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
