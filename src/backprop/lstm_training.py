"""Training LSTMs beside the plain RNN (chapter "The cures"): on the RNN chapter's delay task, and
on the marked-bit task (:func:`marked_task`), which the LSTM learns and the plain RNN does not.

The network is :mod:`backprop.lstm`'s layer with the RNN chapter's readout on top::

    o^t = V h^t + c                                   (LSTM-O)
    ŷ^t = sigmoid(o^t)                                (LSTM-YHAT)
    C = sum_t 1/2 (ŷ^t - y^t)^2                       (RNN-LOSS), or its cross-entropy

so the only difference from ``rnn_training``'s network is the recurrent layer: the same task,
loss, readout and SGD. Backward, the readout gives dC/do^t (``rnn.output_delta``), then::

    dC/dV = sum_t dC/do^t (h^t)^T,  dC/dc = sum_t dC/do^t         (LSTM-BP-V)
    dhs^t = V^T dC/do^t                                           (LSTM-BP-OUT)

and dhs is the upstream gradient that ``lstm.backward_with_cells`` carries back through time.

An ensemble is B independent networks, one per seed, stored with a leading member axis as in
``rnn_training``: W_ih (B, 4H, D), W_hh (B, 4H, H), b_ih, b_hh (B, 4H), V (B, n_y, H), c (B, n_y).
Each member reads its own sequence (one per SGD step): xs (T, B, D), ys (T, B, n_y). ``lstm``'s
step functions take the member axis by broadcasting, so the ensemble costs about one network.
The marked-bit task trains on a batch of N sequences per step and member: each member's
parameters are repeated N times along the member axis (:func:`per_sequence`), every copy reads
its own sequence, and the N copies' gradients are averaged back into the member's.
"""

import numpy as np

from backprop import activations, lstm, rnn, rnn_training, validate
from backprop.memory import kept

PARAMS = (*lstm.PARAMS, "V", "c")
#: the plain RNN's activation on the marked task, in training and in scoring
RNN_ACTIVATION = "tanh"


def init_ensemble(seeds, H, D=1, n_y=1, forget_bias=1.0):
    """One LSTM with readout per seed, stacked along a leading member axis (see the docstring).

    The layer is ``lstm.init_params(D, H, rng, forget_bias)``, then V is drawn from the same rng
    (standard normal / sqrt(H), as ``rnn.init_params`` draws it) and c is zero;
    rng = np.random.default_rng(seed).
    """
    validate.positive_int("H", H)
    validate.positive_int("n_y", n_y)
    nets = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        net = lstm.init_params(D, H, rng, forget_bias)
        net["V"], net["c"] = rng.standard_normal((n_y, H)) / np.sqrt(H), np.zeros(n_y)
        nets.append(net)
    if not nets:
        raise ValueError("seeds must name at least one seed, got none")
    return {name: np.stack([net[name] for net in nets]) for name in PARAMS}


def check_ensemble(params):
    """The six parameters as float64 copies, after checking their shapes: ``(params, B, H)``.

    W_hh (B, 4H, H) sets B and H, W_ih (B, 4H, D) sets D, V (B, n_y, H) sets n_y."""
    if not isinstance(params, dict) or set(params) != set(PARAMS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {list(PARAMS)}, got {got}")
    shapes = {name: np.shape(params[name]) for name in PARAMS}
    W_hh, W_ih, V = shapes["W_hh"], shapes["W_ih"], shapes["V"]
    if len(W_hh) != 3 or min(W_hh) < 1 or W_hh[1] != 4 * W_hh[2]:
        raise ValueError(f"W_hh must be (B, 4H, H) with B, H >= 1, got shape {W_hh}")
    B, H = W_hh[0], W_hh[2]
    D = W_ih[2] if len(W_ih) == 3 and W_ih[2] >= 1 else 1
    n_y = V[1] if len(V) == 3 and V[1] >= 1 else 1
    expected = {
        "W_ih": ((B, 4 * H, D), "(B, 4H, D)"),
        "W_hh": ((B, 4 * H, H), "(B, 4H, H)"),
        "b_ih": ((B, 4 * H), "(B, 4H)"),
        "b_hh": ((B, 4 * H), "(B, 4H)"),
        "V": ((B, n_y, H), "(B, n_y, H)"),
        "c": ((B, n_y), "(B, n_y)"),
    }
    return {name: validate.array(name, params[name], *expected[name]) for name in PARAMS}, B, H


def check_sequences(params, xs, ys=None):
    """xs (T, B, D) and ys (T, B, n_y) (when given) as float64, shapes checked against params."""
    B, D = params["W_ih"].shape[0], params["W_ih"].shape[2]
    T = np.shape(xs)[0] if np.ndim(xs) == 3 and np.shape(xs)[0] >= 1 else 1
    xs = validate.array("xs", xs, (T, B, D), "(T, B, D)")
    if ys is None:
        return xs
    return xs, validate.array("ys", ys, (T, B, params["V"].shape[1]), "(T, B, n_y)")


def outputs(params, xs):
    """The forward pass, unchecked: ``(os, hs, cache)`` with os (T, B, n_y) the outputs o^t
    (LSTM-O), hs (T, B, H) and ``cache`` lstm's (each member one sequence: N = 1)."""
    layer = {name: params[name] for name in lstm.PARAMS}
    zeros = np.zeros(params["b_ih"].shape[:1] + (1, params["W_hh"].shape[-1]))  # (B, 1, H)
    hs, cache = lstm.run_forward(layer, xs[:, :, None, :], zeros, zeros)
    hs = hs[:, :, 0, :]
    return rnn.matvec(params["V"], hs) + params["c"], hs, cache  # (LSTM-O) o^t = V h^t + c


def ensemble_step(params, xs, ys, loss="squared"):
    """Loss C (B,) and its gradients (dict, shaped like params) of every member on its own
    sequence: xs (T, B, D), ys (T, B, n_y). Full BPTT; (LSTM-BP-V), (LSTM-BP-OUT), then lstm's."""
    params, _, _ = check_ensemble(params)
    return unchecked_step(params, *check_sequences(params, xs, ys), loss)


def unchecked_step(params, xs, ys, loss, last_only=False):
    """:func:`ensemble_step` unchecked (the training loop's: its arrays are already checked);
    last_only: the loss of the last step alone (``rnn_training.scored``)."""
    os, hs, cache = outputs(params, xs)
    dos = rnn_training.scored(rnn.output_delta(os, ys, loss), last_only)  # dC^t/do^t, (T, B, n_y)
    dhs = rnn.vecmat(dos, params["V"])  # (LSTM-BP-OUT) dhs^t = V^T dC^t/do^t, (T, B, H)
    layer = lstm.backward_with_cells(dhs[:, :, None, :], cache)[0]
    grads = {name: layer[name] for name in lstm.PARAMS}
    grads["V"] = rnn.outer_sum(dos, hs)  # (LSTM-BP-V) dC/dV = Σ_t dC^t/do^t (h^t)^T
    grads["c"] = dos.sum(axis=0)  # (LSTM-BP-V) dC/dc = Σ_t dC^t/do^t
    return rnn_training.scored(rnn.loss_terms(os, ys, loss), last_only).sum(axis=(0, 2)), grads


def check_training(params, delay, steps, eta, T, loss):
    """The checks of :func:`train_ensemble`'s arguments; returns float64 copies of params."""
    params, _, _ = check_ensemble(params)
    if params["W_ih"].shape[2] != 1 or params["V"].shape[1] != 1:
        shape = (params["W_ih"].shape[2], params["V"].shape[1])
        raise ValueError(f"the delay task needs (D, n_y) = (1, 1), got {shape}")
    validate.positive_int("steps", steps)
    validate.positive_int("T", T, minimum=2)
    rnn.check_loss(loss)
    rates = np.asarray(eta, dtype=np.float64)
    if rates.shape not in ((), (len(params["c"]),)) or not np.all(np.isfinite(rates) & (rates > 0)):
        B = len(params["c"])
        raise ValueError(f"eta must be > 0, a number or one per member (B,) = ({B},), got {eta!r}")
    rnn_training.delay_task(T, delay, np.random.default_rng(0))  # raises on a bad delay
    return params


@kept  # the same result in every edition's execution (backprop.memory)
def train_ensemble(params, delay, steps, eta, rng, T=20, max_norm=None, loss="squared"):
    """Plain SGD on fresh ``rnn_training.delay_task`` sequences, one per step and member, as
    ``rnn_training.train_ensemble`` trains the RNN: θ <- θ - eta dC/dθ, full BPTT.

    params: an ensemble (:func:`init_ensemble`, D = n_y = 1). eta and max_norm (None or inf: no
    clipping; else the global norm per member, ``rnn_training.clip_by_norm``) are numbers or one
    per member. Returns ``(params, losses, norms)``: the trained parameters (new arrays), and per
    step and member, (steps, B), the loss C / T and the global gradient norm before clipping.
    """
    params = check_training(params, delay, steps, eta, T, loss)
    members = len(params["c"])
    max_norm = np.inf if max_norm is None else max_norm
    losses, norms = np.zeros((steps, members)), np.zeros((steps, members))
    for i in range(steps):
        xs, ys = rnn_training.delay_task(T, delay, rng, members)
        losses[i], grads = unchecked_step(params, xs, ys, loss)
        norms[i] = rnn_training.global_norm(grads, members=1)
        grads, _ = rnn_training.clip_by_norm(grads, max_norm * np.ones(members), members=1)
        for name in params:
            params[name] -= rnn_training.per_member(eta, params[name]) * grads[name]  # θ -= eta ∇
    return params, losses / T, norms


def recall_accuracy(params, delay, rng, T=500):
    """Per member (B,): the fraction of steps t >= delay of a fresh ``delay_task`` sequence where
    (ŷ^t > 1/2) equals the bit x^{t-delay}, as ``rnn_training.recall_accuracy`` counts it."""
    params, B, _ = check_ensemble(params)
    xs, ys = rnn_training.delay_task(T, delay, rng, B)
    os = outputs(params, check_sequences(params, xs))[0]
    return np.mean((os[delay:] > 0.0) == (ys[delay:] > 0.5), axis=(0, 2))  # ŷ > 1/2 iff o > 0


@kept  # trained once per build, read back by the second edition (backprop.memory)
def recall_by_delay(delays, seeds, steps, T=16, H=8, eta=0.2, max_norm=None):
    """Both nets' recall accuracy per delay and seed: ``{"rnn": (len(delays), B), "lstm": ...}``.

    At each delay both ensembles (one member per seed) train with plain SGD on the same ``steps``
    fresh ``delay_task`` sequences of length T (rng 0), at the same learning rate eta and with the
    same clipping (max_norm, None: no clipping), and are scored on the same fresh sequences of
    500 steps (rng 1). The RNN is the RNN chapter's: 8 tanh units, spectral radius 0.5, full
    BPTT, ``rnn_training.train_ensemble``; the LSTM has H units and the same readout and loss
    (:func:`train_ensemble`).
    """
    seeds = list(seeds)
    accuracy = {"rnn": [], "lstm": []}
    for delay in delays:
        start = rnn_training.init_ensemble(seeds, 1, 8, 1, spectral_radius=0.5)
        rnn_net = rnn_training.train_ensemble(
            start, delay, steps, eta, np.random.default_rng(0), T, max_norm=max_norm
        )[0]
        accuracy["rnn"].append(
            rnn_training.recall_accuracy(rnn_net, delay, np.random.default_rng(1))
        )
        lstm_net = train_ensemble(
            init_ensemble(seeds, H), delay, steps, eta, np.random.default_rng(0), T, max_norm
        )[0]
        accuracy["lstm"].append(recall_accuracy(lstm_net, delay, np.random.default_rng(1)))
    return {net: np.array(rows) for net, rows in accuracy.items()}


# ------------------------------------------------------------- the marked bit: a task it learns


def marked_task(T, rng, members):
    """Sequences of the task "recall the bit shown at the marked step". Returns ``(xs, ys)``.

    Each step reads two inputs, a random bit ±1 and a marker, 1 at one step k < T // 2 drawn at
    random and 0 elsewhere: xs (T, members, 2). The target is the marked bit as 0 or 1, y =
    (x^k + 1) / 2, scored at the last step only (ys (T, members, 1) holds it at every step), so
    the network must keep it through at least T - T // 2 later steps of new bits.
    """
    validate.positive_int("T", T, minimum=2)
    bits = rng.choice([-1.0, 1.0], size=(T, members, 1))
    k = rng.integers(0, T // 2, size=members)  # the marked step of each sequence
    marker = (np.arange(T)[:, None, None] == k[None, :, None]).astype(np.float64)
    y = (np.take_along_axis(bits, k[None, :, None], axis=0) + 1.0) / 2.0  # (1, members, 1)
    return np.concatenate([bits, marker], axis=-1), np.broadcast_to(y, bits.shape)


def per_sequence(params, N):
    """Each member's parameters repeated N times along the member axis (member b's copies are
    rows b N, ..., b N + N - 1): one copy per sequence of a batch of N."""
    return {name: np.repeat(p, N, axis=0) for name, p in params.items()}


def gradient_step(kind, params, xs, ys):
    """dC/dθ of each copy on its own sequence, the last step scored, full BPTT: ``(losses,
    grads)``. kind "rnn" (``rnn_training.ensemble_step``) or "lstm" (:func:`unchecked_step`)."""
    if kind == "rnn":
        return rnn_training.ensemble_step(params, xs, ys, len(xs), "squared", RNN_ACTIVATION, True)
    return unchecked_step(params, xs, ys, "squared", last_only=True)


def last_outputs(kind, params, xs):
    """o^T of every member on its sequence: (B, n_y). kind "rnn" or "lstm"."""
    if kind == "lstm":
        return outputs(params, xs)[0][-1]
    h0 = np.zeros(params["b"].shape)
    f, _ = activations.get(RNN_ACTIVATION)
    return rnn.run_steps(xs, **params, h0=h0, f=f)[2][-1]  # (RNN-O) o^T


def train_marked(kind, params, steps, eta, rng, T, N):
    """Plain SGD on the marked task: at every step a batch of N fresh sequences per member, and
    θ <- θ - eta dC/dθ with C the mean over the batch of the last step's loss. Returns the
    trained parameters (new arrays)."""
    params = {name: np.array(p, dtype=np.float64) for name, p in params.items()}
    B = len(params["c"])
    for _ in range(steps):
        xs, ys = marked_task(T, rng, B * N)
        _, grads = gradient_step(kind, per_sequence(params, N), xs, ys)
        for name, p in params.items():
            p -= eta * grads[name].reshape((B, N) + p.shape[1:]).mean(axis=1)  # θ -= eta ∇C
    return params


def marked_recall(kind, params, steps, eta, T, N, tests):
    """Per member (B,): ``params`` trained by :func:`train_marked` on fresh sequences (rng 0),
    then scored on ``tests`` fresh sequences each (rng 1): the fraction whose last output ŷ^T
    lies on the marked bit's side of 1/2. kind "rnn" or "lstm"."""
    B = len(params["c"])
    trained = train_marked(kind, params, steps, eta, np.random.default_rng(0), T, N)
    xs, ys = marked_task(T, np.random.default_rng(1), B * tests)
    o = last_outputs(kind, per_sequence(trained, tests), xs)  # ŷ > 1/2 iff o > 0
    return np.mean(((o > 0) == (ys[-1] > 0.5)).reshape(B, -1), axis=1)


def marked_start(kind, seeds, start, H=8):
    """One network per seed for the marked task's two inputs: kind "rnn", the RNN chapter's (8 tanh
    units) with spectral radius ``start``; or "lstm", H units with forget bias ``start``."""
    if kind == "rnn":
        return rnn_training.init_ensemble(list(seeds), 2, 8, 1, spectral_radius=start)
    return init_ensemble(list(seeds), H, D=2, forget_bias=start)


@kept  # trained once per build, read back by the second edition (backprop.memory)
def recall_marked(seeds, steps=200, eta=6.0, T=10, N=8, H=8, forget_bias=3.0, tests=500):
    """Both nets' recall on the marked task per seed: ``{"rnn": (B,), "lstm": (B,)}``.

    Each net, one member per seed, trains on the same fresh sequences and is scored on the same
    ones (:func:`marked_recall`): the RNN from spectral radius 0.5, the LSTM with H units, forget
    bias ``forget_bias`` and the same readout and loss (:func:`marked_start`).
    """
    start = {"rnn": 0.5, "lstm": forget_bias}
    return {
        kind: marked_recall(kind, marked_start(kind, seeds, s, H), steps, eta, T, N, tests)
        for kind, s in start.items()
    }


@kept  # trained once per build, read back by the second edition (backprop.memory)
def marked_settings(seeds, settings, steps=200, T=10, N=8, tests=500):
    """Recall on the marked task per setting and seed: (len(settings), B). A setting is
    ``(kind, start, eta)``: a network of :func:`marked_start` trained at rate eta on the same
    sequences as every other (:func:`marked_recall`)."""
    return np.array(
        [
            marked_recall(kind, marked_start(kind, seeds, start), steps, eta, T, N, tests)
            for kind, start, eta in settings
        ]
    )
