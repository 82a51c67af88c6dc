"""Backpropagation on a graph of numbers: a scalar autograd small enough to read in one sitting.

Every :class:`Value` remembers the operation that made it (``_op``), its inputs (``_prev``) and
the local derivatives of the operation, d out / d input, one per input (``_local``)::

    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z          # f = -12
    f.backward()             # df/dx = df/dy = z = -4, df/dz = x + y = 3

:meth:`Value.backward` visits the nodes from ``f`` back to the inputs, every node after all the
nodes that use it, and at each node applies the chain rule to each input::

    input.grad += local * node.grad      (d f/d input += d node/d input * d f/d node)

The gradients ADD: a value used twice (``a + a``, ``a * a``, a weight reaching the cost along two
paths) gets one term per use, and d f/d a is their sum, the sum over paths of the chain rule.
"""

import math
import numbers

from backprop import activations as act


class Value:
    """A float ``data`` in a computational graph, with ``grad`` = d(output)/d(data), filled by the
    output's :meth:`backward`. ``label`` names the value in a drawing of the graph.

    Operations take a Value or a number on either side (``2 * a``, ``a - 1``, ``1 / a``) and return
    a new Value; a number becomes a constant leaf of the graph.
    """

    def __init__(self, data, _prev=(), _local=(), _op="", label=""):
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise ValueError(f"a Value holds a real number, got {data!r}")
        if not math.isfinite(data):
            raise ValueError(f"a Value holds a finite number, got {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)  # the inputs of the operation that made this value
        self._local = tuple(_local)  # d self / d input, for each input, at these inputs
        self._op = _op
        self.label = label

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    def _backward(self):
        """The chain rule at this node: pass ``self.grad`` on to each input, times its local
        derivative. ``+=``, not ``=``: an input used twice gets both terms."""
        for prev, local in zip(self._prev, self._local):
            prev.grad += local * self.grad

    # Each operation returns its result, its inputs and d result / d input for each input, the
    # rule named beside it. A number on either side becomes a constant Value first.

    def __add__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        # add distributes: d(a+b)/da = d(a+b)/db = 1, both inputs get the output's gradient
        return Value(a + b, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        # subtract: d(a-b)/da = 1, d(a-b)/db = -1
        return Value(a - b, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        # multiply swaps: d(ab)/da = b, d(ab)/db = a, each input gets the other's value
        return Value(a * b, (self, other), (b, a), "*")

    def __truediv__(self, other):
        other = _as_value(other)
        a, b = self.data, other.data
        # quotient rule: d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
        return Value(a / b, (self, other), (1 / b, -a / b**2), "/")

    def __neg__(self):
        # negate: d(-a)/da = -1
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __radd__(self, other):  # other + self, other a number
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def __rpow__(self, base):  # base ** self: a Value exponent, refused by __pow__
        return _as_value(base) ** self

    def __pow__(self, n):
        """a ** n for a number n. Raises ValueError for a Value exponent, and where a^n or its
        derivative is not a finite real number: a < 0 with n not an integer, a = 0 with n < 1."""
        if isinstance(n, bool) or not isinstance(n, numbers.Real):  # a Value is not a number
            raise ValueError(
                f"the exponent of ** must be a number, got {n!r}; for a Value b, write "
                f"(b * a.log()).exp() for a ** b"
            )
        a = self.data
        if a < 0 and not float(n).is_integer():
            raise ValueError(f"a ** {n} at a = {a:g} is not real: a < 0 needs an integer exponent")
        if a == 0 and n < 1:
            raise ValueError(f"a ** {n} at a = 0 divides by 0 (in a^n or n a^(n-1)): use n >= 1")
        # power rule: d(a^n)/da = n a^(n-1)
        return Value(a**n, (self,), (float(n * a ** (n - 1)),), f"**{n:g}")

    def exp(self):
        e = math.exp(self.data)
        # exp is its own derivative: d(e^a)/da = e^a
        return Value(e, (self,), (e,), "exp")

    def log(self):
        a = self.data
        if a <= 0:
            raise ValueError(f"log needs a number > 0, got {a:g}")
        # d(log a)/da = 1/a
        return Value(math.log(a), (self,), (1 / a,), "log")

    def tanh(self):
        t = math.tanh(self.data)
        # d(tanh a)/da = 1 - tanh(a)^2, from the output alone
        return Value(t, (self,), (1 - t**2,), "tanh")

    def sigmoid(self):
        s = float(act.sigmoid(self.data))  # the course's sigmoid, stable for any a
        # d(sigma(a))/da = sigma(a) (1 - sigma(a)), from the output alone
        return Value(s, (self,), (s * (1 - s),), "sigmoid")

    def relu(self):
        a = self.data
        # relu gates: d relu(a)/da = 1 if a > 0, else 0 (0 at the kink, as activations.relu_prime)
        return Value(max(a, 0.0), (self,), (float(a > 0),), "relu")

    def max(self, other):
        """max(a, b), the max-pool's operation on two numbers."""
        other = _as_value(other)
        a, b = self.data, other.data
        # max routes: the whole gradient goes to the larger input, to a at a tie (the first
        # maximum, as the max-pool's rule): d max/da = 1 if a >= b else 0, d max/db the other
        return Value(max(a, b), (self, other), (float(a >= b), float(a < b)), "max")

    def backward(self, on_step=None):
        """Fill ``.grad`` of every node this Value depends on with d self / d node.

        The grads start from 0 (a second call gives the same numbers), ``self.grad`` from 1; then
        each node, in :func:`topological_order` reversed (self first), passes its grad on to its
        inputs (``_backward``). By then every node that uses it has added its term, so its grad is
        complete. ``on_step(node)``, if given, is called after each node's step
        (:func:`backward_steps` records the pass with it).
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # d self / d self = 1
        for node in reversed(order):
            node._backward()
            if on_step is not None:
                on_step(node)


def _as_value(x):
    """x as a Value: a Value as it is, a number as a constant leaf; else a ValueError."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"a Value combines with a Value or a number, got {x!r}")
    return Value(x)


def topological_order(root):
    """The nodes ``root`` depends on, each after all of its inputs: inputs first, ``root`` last.

    Depth-first, inputs in the order the operation takes them, with a stack rather than recursion
    (a sum of thousands of terms is a chain that deep): a node is appended on its second visit,
    once all of its inputs have been.
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((prev, False) for prev in reversed(node._prev))  # first input on top
    return order


def backward_steps(root):
    """``root.backward()``, recorded node by node (for a widget that steps through the pass).

    Returns ``(nodes, steps)``: ``nodes`` in :func:`topological_order`, and one ``(node, grads)``
    pair per step, in the order backward visits the nodes (``root`` first): ``node`` has just
    passed its grad to its inputs and ``grads[i]`` is ``nodes[i].grad`` after it. Before the first
    step the grads are 0, but ``root``'s 1. The nodes' grads are left as ``root.backward()``
    leaves them.
    """
    nodes = topological_order(root)
    steps = []
    root.backward(on_step=lambda node: steps.append((node, tuple(n.grad for n in nodes))))
    return nodes, steps
