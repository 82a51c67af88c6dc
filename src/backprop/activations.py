"""Activation functions and their derivatives, elementwise on float64 arrays.

Each ``f_prime`` is the derivative ``f'(z)`` written as a function of ``z``, the
form the backward pass multiplies by (``delta = ... ⊙ f'(z)``).
"""

import numpy as np


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), stable for any finite z (no overflow warning).

    For z >= 0 it evaluates 1 / (1 + e^{-z}); for z < 0 the equal form
    e^{z} / (1 + e^{z}), so the exponent is never positive.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # e^{-|z|} lies in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)); at most 1/4, reached at z = 0."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z); numpy's is already stable for large |z|."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2; at most 1, reached at z = 0."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_prime(z):
    """relu'(z) = 1 for z > 0, else 0 (the subgradient 0 is taken at z = 0)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


LEAK = 0.01  # leaky_relu's slope for z < 0


def leaky_relu(z):
    """leaky_relu(z) = z for z > 0, else LEAK * z (LEAK = 0.01): relu with a small slope below 0."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, LEAK * z)


def leaky_relu_prime(z):
    """leaky_relu'(z) = 1 for z > 0, else LEAK = 0.01 (taken at z = 0 too): never 0."""
    return np.where(np.asarray(z, dtype=np.float64) > 0, 1.0, LEAK)


# max_z f'(z), at z = 0 (relu and leaky_relu: any z > 0)
MAX_PRIME = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0}

ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}


def get(name):
    """The pair ``(f, f_prime)`` for an activation name: "sigmoid", "tanh", "relu" or
    "leaky_relu"."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
