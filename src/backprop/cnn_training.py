"""The small CNN of the chapter "CNN", trained end to end on the digits with the layers of
:mod:`backprop.cnn` and the fully connected layer of :mod:`backprop.mlp`.

conv (F filters k×k) -> activation f -> pool (size×size, max or mean) -> fully connected sigmoid
layer, quadratic cost C = 1/2 sum ||y - out||² summed over the batch. Images are (N, H, W), one
channel; labels (N,) integers 0..n_out-1; y (n_out, N) one-hot, one example per column.

The layers that make the network (activation, pool, mode) are passed to every pass and recorded
in the training history, so nothing falls back on a default that the training did not use.
"""

import numpy as np

from backprop import activations as act
from backprop import cnn, datasets, mlp, training
from backprop.memory import kept


def init_small_cnn(rng, filters=6, kernel=3, image=8, pool=2, n_out=10):
    """Parameters of conv (filters kernel×kernel) -> activation -> pool -> fully connected.

    Returns a dict: "W" (F, 1, k, k) ~ N(0, 1/k²), "b" (F,) zeros, and the fully connected layer
    "V" (n_out, F·p·p) ~ N(0, 1/(F·p·p)), "c" (n_out, 1) zeros, with p = (image-k+1)/pool.
    """
    side = image - kernel + 1
    if side < 1 or side % pool:
        raise ValueError(
            f"image - kernel + 1 must be positive and divide by pool={pool}, "
            f"got image={image}, kernel={kernel}"
        )
    n_flat = filters * (side // pool) ** 2
    return {
        "W": rng.standard_normal((filters, 1, kernel, kernel)) / kernel,
        "b": np.zeros(filters),
        "V": rng.standard_normal((n_out, n_flat)) / np.sqrt(n_flat),
        "c": np.zeros((n_out, 1)),
    }


def small_cnn_forward(params, images, activation, pool, mode):
    """Forward pass of the small CNN on images (N, H, W). Returns ``(out, cache)``.

    z1 = a0 ⋆ W + b (CONV-FP), a1 = f(z1) (F maps per image), p = pool(a1) (POOL-FP),
    x = p flattened to columns (F·p·p, N), out = sigmoid(V x + c), shape (n_out, N): the fully
    connected layer is :func:`backprop.mlp.forward`. ``cache`` is a dict (z1 and a1 among it).
    """
    f, _ = act.get(activation)
    images = np.asarray(images, dtype=np.float64)
    z1, conv_cache = cnn.conv2d_forward(images[:, None], params["W"], params["b"])  # (CONV-FP)
    a1 = f(z1)  # (N, F, side, side)
    p, pool_cache = cnn.pool_forward(a1, pool, mode)  # (POOL-FP)
    x = p.reshape(len(images), -1).T  # one example per column
    zs, activations = mlp.forward([params["V"]], [params["c"]], x)  # (FP1), (FP2)
    cache = {"z1": z1, "a1": a1, "conv": conv_cache, "pool": pool_cache, "p_shape": p.shape}
    cache.update(zs=zs, activations=activations, activation=activation)
    return activations[-1], cache


def small_cnn_backward(params, cache, y):
    """Gradients of the quadratic cost C = 1/2 sum ||y - out||² (summed over the batch).

    y: (n_out, N). Returns a dict of gradients shaped like ``params``, and delta1 = dC/dz1.
    """
    _, f_prime = act.get(cache["activation"])
    deltas, grad_V, grad_c = mlp.backward(  # (BP1), (BP3), (BP4)
        [params["V"]], cache["zs"], cache["activations"], y
    )
    grad_x = params["V"].T @ deltas[0]  # (BP2) before the ⊙: the pooling layer has no sigma
    # grad_x is (F·p·p, N), one example per column; .T gives a row per example, and reshape
    # turns each row back into that example's F pooled maps: dC/dp of shape (N, F, p, p)
    delta_pool = grad_x.T.reshape(cache["p_shape"])
    upsample = cnn.pool_backward(delta_pool, cache["pool"])  # (POOL-BP)
    delta1 = upsample * f_prime(cache["z1"])  # (POOL-DELTA) delta1 = upsample(delta) ⊙ f'(z1)
    grad_W, grad_b = cnn.conv2d_parameter_backward(delta1, cache["conv"])  # (CONV-BP-W, -b)
    return {"W": grad_W, "b": grad_b, "V": grad_V[0], "c": grad_c[0]}, delta1


def accuracy(params, images, labels, layers):
    """The fraction of images (N, H, W) whose largest output is their label (N,)."""
    out, _ = small_cnn_forward(params, images, **layers)
    return float(np.mean(out.argmax(axis=0) == labels))


@kept  # the same result in every edition's execution (backprop.memory)
def train_small_cnn(
    images,
    labels,
    rng,
    epochs=15,
    batch_size=20,
    eta=2.0,
    activation="tanh",
    pool=2,
    mode="max",
    test_fraction=0.2,
    **shape,
):
    """Mini-batch SGD (``backprop.training.sgd_epoch``) on the quadratic cost of the small CNN.

    images: (N, H, W); labels: (N,) integers 0..9; activation, pool and mode: the network's layers
    (see :func:`small_cnn_forward`); ``shape``: filters and kernel of :func:`init_small_cnn`.
    ``rng`` draws, in this order, the parameters, the train/test split and each epoch's order.
    Returns a dict: "layers" (the record every later pass must use), "params" (trained),
    "snapshots" (a copy of params before each epoch and after the last), "test_accuracy" per
    snapshot, "test_idx".
    """
    layers = {"activation": activation, "pool": pool, "mode": mode}
    images = np.asarray(images, dtype=np.float64)
    params = init_small_cnn(rng, image=images.shape[1], pool=pool, **shape)
    train_idx, test_idx = datasets.train_test_split(len(images), test_fraction, rng)
    y = datasets.one_hot(labels, params["V"].shape[0])

    def gradients(batch):  # dC/dtheta on the batch, in the order of params
        _, cache = small_cnn_forward(params, images[batch], **layers)
        grads, _ = small_cnn_backward(params, cache, y[:, batch])
        return [grads[name] for name in params]

    history = {"layers": layers, "snapshots": [], "test_accuracy": []}
    for epoch in range(epochs + 1):  # snapshot 0: before training
        if epoch > 0:
            training.sgd_epoch(list(params.values()), gradients, train_idx, batch_size, eta, rng)
        history["snapshots"].append({k: v.copy() for k, v in params.items()})
        history["test_accuracy"].append(
            accuracy(params, images[test_idx], labels[test_idx], layers)
        )
    return {**history, "params": params, "test_idx": test_idx}
