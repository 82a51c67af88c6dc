"""backprop: the computations, figures and widgets of the course *Backprop, interactively*.

One module per part of the course, in layers: compute (numpy only: the equations), ``*_plots``
(matplotlib figures of computed arrays) and ``*_widgets`` (compute and plots linked into widgets
that work without a kernel, by :mod:`backprop.linked`). ``docs/DESIGN.md`` in the repository
lists the modules and the rules of each layer; ``book/api.md`` renders their docstrings.
"""

__version__ = "0.1.0"
