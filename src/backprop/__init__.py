"""backprop: the computations, figures and widgets of the course *Backprop, interactively*.

One module per part of the course, in layers: compute (numpy only: the equations), ``*_plots``
(matplotlib figures of computed arrays) and ``*_widgets`` (compute and plots linked into widgets
that work without a kernel, by :mod:`backprop.linked`). ``docs/DESIGN.md`` in the repository
lists the modules and the rules of each layer; ``book/api.md`` renders their docstrings.
"""

import sys

__version__ = "0.1.0"

# Every chapter's first glue() imports myst_nb's glue module, which imports nbformat and through
# it jsonschema; jsonschema imports the optional rfc3987_syntax if it is installed (it is: a
# dependency of Jupyter's server), which compiles 39 grammars on import, about 2 s of every
# chapter's execution in a fresh kernel. No page validates an IRI against a schema: jsonschema
# is told the module is absent (an import of it raises ImportError, which jsonschema expects).
sys.modules.setdefault("rfc3987_syntax", None)
