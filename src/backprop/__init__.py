"""backprop: the computations, figures and widgets of the course *Backprop, interactively*.

One module per part of the course:

- :mod:`backprop.activations`: sigma, tanh, ReLU and their derivatives.
- :mod:`backprop.gradcheck`: central differences and the relative error.
- :mod:`backprop.mlp`: forward and backward pass of a fully connected network.
- :mod:`backprop.linked`: widgets whose controls work without a kernel.
"""

__version__ = "0.1.0"
