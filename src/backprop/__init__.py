"""backprop: the computations, figures and widgets of the course *Backprop, interactively*.

Compute (numpy only), one module per part of the course:

- :mod:`backprop.activations`: sigma, tanh, ReLU and their derivatives.
- :mod:`backprop.gradcheck`: central differences and the relative error.
- :mod:`backprop.mlp`: forward and backward pass of a fully connected network (chapter one).
- :mod:`backprop.vanishing`: per-layer gradient sizes and saturation of deep networks (MLP).
- :mod:`backprop.jacobians`: the gradient as a product of Jacobians (MLP).
- :mod:`backprop.saturation_band`: where one sigmoid unit passes the error undiminished (MLP).
- :mod:`backprop.learning_speed`: an ensemble of networks trained side by side (MLP).
- :mod:`backprop.cnn`: convolution and pooling, forward and backward (CNN).
- :mod:`backprop.rnn`: a recurrent network and backpropagation through time (RNN).
- :mod:`backprop.datasets`: the UCI handwritten digits, shipped with the package.

Figures (``*_plots``, matplotlib) and widgets (``*_widgets``) per chapter, built on
:mod:`backprop.plotting` and :mod:`backprop.linked` (widgets whose controls work without a kernel).
"""

__version__ = "0.1.0"
