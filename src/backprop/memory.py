"""Results of long computations kept on disk between executions, when the build asks for it.

The book's build executes every chapter once per edition, in the edition's language. The
training runs of a chapter give the same numbers in every language, so they are computed once:
with ``BACKPROP_MEMORY`` naming a folder (``tools/build.py`` sets it), a function decorated with
:func:`kept` stores its result there, keyed by its code and its arguments (``joblib.Memory``),
and the next edition reads it back instead of training again. Without it (a reader's kernel,
the tests) the function simply runs.

Only the wrapped function's own code is in the key, not the code it calls: the build drops the
folder whenever the package changes (``make book``).
"""

import functools
import os

from joblib import Memory

VARIABLE = "BACKPROP_MEMORY"  #: the environment variable naming the folder


def kept(function):
    """Decorator: ``function``, its results kept in ``BACKPROP_MEMORY``'s folder when that is set
    at the time of the call."""

    @functools.wraps(function)
    def call(*args, **kwargs):
        location = os.environ.get(VARIABLE)
        if not location:
            return function(*args, **kwargs)
        return Memory(location, verbose=0).cache(function)(*args, **kwargs)

    return call
