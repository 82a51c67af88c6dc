"""backprop.graph.Value: random graphs with fan-out and reuse against central differences
(gradcheck's one rule), CS231n's (x + y) z by hand, a 2-2-1 network of Values against mlp.backward,
the assign-instead-of-add bug caught where a value fans out, and errors for bad input."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import mlp
from backprop.gradcheck import matches, numerical_gradient
from backprop.graph import Value, backward_steps, topological_order
from gradients import assert_gradient

#: the operations of a random expression, applied to two nodes a, b and a number c: every
#: operation of Value, numbers on either side; log, / and a fractional ** on positive arguments
OPS = {
    "a + b": lambda a, b, c: a + b,
    "c + a": lambda a, b, c: c + a,
    "a - b": lambda a, b, c: a - b,
    "c - a": lambda a, b, c: c - a,
    "a * b": lambda a, b, c: a * b,
    "c * a": lambda a, b, c: c * a,
    "a / (b^2 + 1)": lambda a, b, c: a / (b**2 + 1),
    "c / (a^2 + 1)": lambda a, b, c: c / (a * a + 1),
    "-a": lambda a, b, c: -a,
    "a ** 3": lambda a, b, c: a**3,
    "(a^2 + 1) ** -0.5": lambda a, b, c: (a * a + 1) ** -0.5,
    "exp(-a^2)": lambda a, b, c: (-(a * a)).exp(),
    "log(a^2 + 1)": lambda a, b, c: (a * a + 1).log(),
    "tanh(a)": lambda a, b, c: a.tanh(),
    "sigmoid(a)": lambda a, b, c: a.sigmoid(),
    "relu(a)": lambda a, b, c: a.relu(),
    "max(a, b)": lambda a, b, c: a.max(b),
    "max(a, c)": lambda a, b, c: a.max(c),
}

#: a program: steps (operation, a, b, c); a and b pick any earlier node (index modulo their
#: count), so values fan out and are reused, and a = b gives a + a, a * a
programs = st.lists(
    st.tuples(
        st.sampled_from(sorted(OPS)),
        st.integers(0, 30),
        st.integers(0, 30),
        st.floats(-2, 2),
    ),
    min_size=1,
    max_size=10,
)
inputs = st.lists(st.floats(-2, 2), min_size=1, max_size=4)


def run(program, xs):
    """The program on leaves holding xs: returns (leaves, output), the output the sum of every
    node (each node feeds the sum, and maybe later steps too)."""
    leaves = [Value(x) for x in xs]
    nodes = list(leaves)
    for op, i, j, c in program:
        nodes.append(OPS[op](nodes[i % len(nodes)], nodes[j % len(nodes)], c))
    return leaves, sum(nodes)


@st.composite
def graphs(draw):
    """(program, xs), every value of every step within 10 in size: no step overflows, and the
    round-off of central differences, ulp(f)/eps, stays below the rule's tolerance."""
    program, xs = draw(programs), draw(inputs)
    for k in range(1, len(program) + 1):  # step k's operands were checked before it runs
        assume(all(abs(n.data) < 10 for n in topological_order(run(program[:k], xs)[1])))
    return program, xs


def smooth(output):
    """No relu or max within 1e-2 of its kink: central differences would straddle it."""
    nodes = topological_order(output)
    kinks = [n._prev[0].data for n in nodes if n._op == "relu"]
    kinks += [a.data - b.data for a, b in (n._prev for n in nodes if n._op == "max") if a is not b]
    return all(abs(k) > 1e-2 for k in kinks)


def leaf_gradients(program, xs):
    """(backward's d output/d leaf, central differences of the output), as arrays."""
    leaves, output = run(program, xs)
    output.backward()
    numeric = numerical_gradient(lambda x: run(program, list(x))[1].data, np.array(xs), 1e-5)
    return np.array([leaf.grad for leaf in leaves]), numeric


@settings(max_examples=150, deadline=None)
@given(graph=graphs())
def test_backward_matches_finite_differences_on_random_graphs(graph):
    program, xs = graph
    assume(smooth(run(program, xs)[1]))
    assert_gradient(*leaf_gradients(program, xs))


def test_cs231n_x_plus_y_times_z_by_hand():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data, f.grad) == (3.0, -12.0, 1.0)
    assert (q.grad, z.grad) == (-4.0, 3.0)  # multiply swaps: df/dq = z, df/dz = q
    assert (x.grad, y.grad) == (-4.0, -4.0)  # add distributes: df/dx = df/dy = df/dq


def test_backward_steps_replays_x_plus_y_times_z():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    nodes, steps = backward_steps(f)
    assert nodes == [x, y, q, z, f]
    assert [n._op for n in nodes] == ["", "", "+", "", "*"]  # what a drawing writes in a node
    assert [node for node, _ in steps] == [f, z, q, y, x]
    assert [grads for _, grads in steps] == [
        (0.0, 0.0, -4.0, 3.0, 1.0),  # f passes 1 on: q gets z, z gets q
        (0.0, 0.0, -4.0, 3.0, 1.0),  # z, a leaf: nothing to pass
        (-4.0, -4.0, -4.0, 3.0, 1.0),  # q passes -4 on to x and y
        (-4.0, -4.0, -4.0, 3.0, 1.0),
        (-4.0, -4.0, -4.0, 3.0, 1.0),
    ]
    assert [n.grad for n in nodes] == [-4.0, -4.0, -4.0, 3.0, 1.0]  # as f.backward() leaves them


@settings(max_examples=40, deadline=None)
@given(graph=graphs())
def test_backward_reaches_a_node_once_its_grad_is_complete(graph):
    _, output = run(*graph)
    nodes, steps = backward_steps(output)
    position = {node: i for i, node in enumerate(nodes)}
    assert all(position[p] < position[n] for n in nodes for p in n._prev)  # inputs first
    assert [node for node, _ in steps] == nodes[::-1]
    final = steps[-1][1]
    assert final == tuple(n.grad for n in nodes)
    for node, grads in steps:  # when its turn comes, every user of the node has added its term
        assert grads[position[node]] == final[position[node]]


@pytest.mark.parametrize(
    "f, df",
    [
        (lambda a: a + a, 2.0),
        (lambda a: a * a, 6.0),  # d(a^2)/da = 2a at a = 3
        (lambda a: a * 2 + a, 3.0),  # a used twice, along two paths
        (lambda a: (a + 1) * (a - 1), 6.0),  # a^2 - 1
        (lambda a: a.tanh() * a.tanh(), 2 * math.tanh(3) * (1 - math.tanh(3) ** 2)),
    ],
)
def test_gradients_add_where_a_value_fans_out(f, df):
    a = Value(3.0)
    f(a).backward()
    assert a.grad == pytest.approx(df, rel=1e-14)


def assigning_backward(node):
    """The classic bug: the chain rule's += written =, so a second use overwrites the first."""
    for prev, local in zip(node._prev, node._local):
        prev.grad = local * node.grad


def test_the_assign_bug_fails_the_fan_out_check_and_hides_on_a_tree(monkeypatch):
    fan_out = [("a * b", 0, 0, 0.0)]  # output x + x * x: x used three times
    assert matches(*leaf_gradients(fan_out, [0.7]))
    monkeypatch.setattr(Value, "_backward", assigning_backward)
    assert not matches(*leaf_gradients(fan_out, [0.7]))
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 1.0  # not 2: the second use overwrote the first
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    ((x + y) * z).backward()  # a tree: every value used once, so = and += agree
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def value_network(weights, biases, x, y, activation):
    """mlp's network and cost built from Values, one multiply and add at a time.

    Returns (cost, W, b, z): W[l][j][k], b[l][j] the parameters as Values, z[l][j][i] the node
    z^{l+1}_j of example i."""
    W = [[[Value(w) for w in row] for row in Wl] for Wl in weights]
    b = [[Value(bj) for bj in bl[:, 0]] for bl in biases]
    z = [[[] for _ in bl] for bl in b]
    cost = 0
    for i in range(x.shape[1]):  # each example's path passes through the same W and b
        a = list(x[:, i])
        for l in range(len(W)):
            for j, (row, bj) in enumerate(zip(W[l], b[l])):
                z[l][j].append(sum(w * ak for w, ak in zip(row, a)) + bj)
            a = [getattr(zj[i], activation)() for zj in z[l]]
        cost += sum(0.5 * (yj - aj) ** 2 for yj, aj in zip(y[:, i], a))
    return cost, W, b, z


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("seed, m", [(0, 1), (1, 1), (2, 3)])
def test_a_2_2_1_network_of_values_matches_the_vectorised_backward(activation, seed, m):
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network([2, 2, 1], rng)
    x, y = rng.standard_normal((2, m)), rng.standard_normal((1, m))
    zs, activations = mlp.forward(weights, biases, x, activation)
    deltas, grad_w, grad_b = mlp.backward(weights, zs, activations, y)
    cost, W, b, z = value_network(weights, biases, x, y, activation)
    cost.backward()
    assert cost.data == pytest.approx(mlp.cost(activations[-1], y), rel=1e-13)
    for l in range(2):
        np.testing.assert_allclose([[w.grad for w in row] for row in W[l]], grad_w[l], rtol=1e-12)
        np.testing.assert_allclose([[bj.grad] for bj in b[l]], grad_b[l], rtol=1e-12)
        np.testing.assert_allclose([[n.grad for n in zj] for zj in z[l]], deltas[l], rtol=1e-12)


@pytest.mark.parametrize(
    "f, expected",
    [
        (lambda a: 2 - a, 2 - 0.3),
        (lambda a: 2 / a, 2 / 0.3),
        (lambda a: a / 2, 0.3 / 2),
        (lambda a: 2 * a - 1, 2 * 0.3 - 1),
        (lambda a: a**-1.5, 0.3**-1.5),
        (lambda a: a.exp(), math.exp(0.3)),
        (lambda a: a.log(), math.log(0.3)),
        (lambda a: a.tanh(), math.tanh(0.3)),
        (lambda a: a.sigmoid(), 1 / (1 + math.exp(-0.3))),
        (lambda a: (-a).relu(), 0.0),
        (lambda a: a.max(0.5), 0.5),
    ],
)
def test_each_operation_computes_its_value(f, expected):
    out = f(Value(0.3))
    assert isinstance(out.data, float) and out.data == pytest.approx(expected, rel=1e-14)


def test_max_routes_the_gradient_to_the_larger_input_and_at_a_tie_to_the_first():
    a, b = Value(2.0), Value(1.0)
    a.max(b).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    b.max(a).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    c = Value(2.0)
    a.max(c).backward()
    assert (a.grad, c.grad) == (1.0, 0.0)  # the first maximum, as cnn's max-pool


def test_backward_starts_from_zero_and_reaches_deep_graphs():
    xs = [Value(0.001 * i) for i in range(3000)]
    total = sum(x * x for x in xs)  # a chain of 3000 additions: deeper than Python's recursion
    total.backward()
    total.backward()
    assert [x.grad for x in xs[:3]] == [0.0, 0.002, 0.004]  # 2x, once, not twice


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda: Value(0.0).log(), "log needs a number > 0, got 0"),
        (lambda: Value(-1.0).log(), "log needs a number > 0, got -1"),
        (lambda: Value(2.0) ** Value(3.0), "the exponent of \\*\\* must be a number"),
        (lambda: 2 ** Value(3.0), "the exponent of \\*\\* must be a number"),
        (lambda: Value(-8.0) ** (1 / 3), "a < 0 needs an integer exponent"),
        (lambda: Value(0.0) ** -1, "at a = 0 divides by 0"),
        (lambda: Value(0.0) ** 0.5, "at a = 0 divides by 0"),
        (lambda: Value("3"), "a Value holds a real number, got '3'"),
        (lambda: Value(True), "a Value holds a real number, got True"),
        (lambda: Value(float("nan")), "a Value holds a finite number, got nan"),
        (lambda: Value(1e200) * 1e200, "a Value holds a finite number, got inf"),
        (lambda: Value(1.0) + "a", "a Value combines with a Value or a number, got 'a'"),
        (lambda: Value(1.0).max(None), "a Value combines with a Value or a number, got None"),
    ],
)
def test_bad_input_raises_instead_of_a_wrong_number(bad, message):
    with pytest.raises(ValueError, match=message):
        bad()
