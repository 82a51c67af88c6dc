"""backprop: the computations, figures and widgets of the course *Backprop, interactively*.

Compute (numpy only), one module per part of the course:

- :mod:`backprop.activations`: sigma, tanh, ReLU and their derivatives.
- :mod:`backprop.gradcheck`: central differences and the relative error.
- :mod:`backprop.mlp`: forward and backward pass of a fully connected network (chapter one).
- :mod:`backprop.vanishing`: gradients of deep networks, saturation, training, a checker (MLP).
- :mod:`backprop.cnn`: convolution and pooling, forward and backward (CNN).
- :mod:`backprop.rnn`: a recurrent network and backpropagation through time (RNN);
  :mod:`backprop.rnn_time` (gradients through time), :mod:`backprop.rnn_training` (ensembles).
- :mod:`backprop.datasets`: the UCI handwritten digits, shipped with the package.

Figures (``*_plots``, matplotlib) and widgets (``*_widgets``) per chapter, built on
:mod:`backprop.plotting` and :mod:`backprop.linked` (widgets whose controls work without a kernel).
"""

__version__ = "0.1.0"
