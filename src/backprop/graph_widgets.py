"""Widgets of the chapter "Backprop on a graph": the passes through a small graph of
:class:`backprop.graph.Value` nodes, drawn by :mod:`backprop.graph_plots`, linked for the static
website by :mod:`backprop.linked`; and the still of what a gradient costs."""

from backprop import linked
from backprop.graph import backward_steps
from backprop.graph_exercises import fan_out_graph
from backprop.graph_plots import GraphFigure, cost_figure

#: where each node of :func:`backprop.graph_exercises.fan_out_graph` sits (points, y down): the
#: inputs in the bottom row, mu and nu above them, C at the top
POSITIONS = {
    "α": (56, 285),
    "β": (168, 285),
    "γ": (280, 285),
    "μ": (112, 190),
    "ν": (224, 190),
    "C": (168, 95),
}
RULES = {"+": "add distributes", "*": "multiply swaps", "max": "max routes"}  #: by node._op
GRAPH = "C = (α + β)·max(β, γ)"


def number(v):
    """A node's number as the figure shows it: 3, -4, 0.5 (Unicode minus, as matplotlib's)."""
    return f"{v:g}".replace("-", "−")


def expression(node):
    """The operation that made ``node``, on its inputs' names: 'α + β', 'μν', 'max(β, γ)'."""
    a, b = (p.label for p in node._prev)
    return {"+": f"{a} + {b}", "*": f"{a}{b}", "max": f"max({a}, {b})"}[node._op]


def pass_frames(root):
    """Every frame of the two passes through ``root``'s graph: a list of dicts with the keys of
    :meth:`backprop.graph_plots.GraphFigure.draw` (title, subtitle, values, grads, active, hot,
    edge_labels), texts in English.

    Frame 0 shows the inputs; then one frame per operation of the forward pass (inputs first), the
    last also seeding dC/dC = 1; then one frame per operation of the backward pass (``root``
    first, as :func:`backprop.graph.backward_steps` visits them), each input's gradient written
    as the sum of the terms it has received so far.
    """
    nodes, steps = backward_steps(root)
    ops = [n for n in nodes if n._prev]
    values = {n.label: (None if n._prev else f"{n.label} = {number(n.data)}") for n in nodes}
    grads = {n.label: None for n in nodes}
    labels, frames = {}, []
    frame = {"title": "Forward pass: the inputs", "subtitle": "", "active": None, "hot": ()}
    frames.append({**frame, "values": dict(values), "grads": dict(grads), "edge_labels": {}})
    for node in ops:  # forward, in topological order: each after its inputs
        values[node.label] = f"{node.label} = {number(node.data)}"
        for p, local in zip(node._prev, node._local):  # the local derivatives, known now
            labels[p.label, node.label] = f"×{number(local)}"
        subtitle = f"{node.label} = {expression(node)} = {number(node.data)}"
        if node is root:
            grads[root.label] = "∂C/∂C = 1"
            subtitle += "; the backward pass starts from ∂C/∂C = 1"
        frames.append(
            {
                "title": "Forward pass",
                "subtitle": subtitle,
                "active": node.label,
                "hot": (),
                "values": dict(values),
                "grads": dict(grads),
                "edge_labels": dict(labels),
            }
        )
    terms = {n.label: [] for n in nodes}
    for node, _ in steps:
        if not node._prev:  # an input: nothing to pass on
            continue
        received = []
        for p, local in zip(node._prev, node._local):  # (chain) input.grad += local * node.grad
            terms[p.label].append(local * node.grad)
            received.append(f"∂C/∂{p.label} += {number(local)} × {number(node.grad)}")
            total = number(sum(terms[p.label]))
            parts = " + ".join(number(t) for t in terms[p.label])
            grads[p.label] = f"∂C/∂{p.label} = " + (
                total if len(terms[p.label]) == 1 else f"{parts} = {total}"
            )
        frames.append(
            {
                "title": f"Backward pass at {node.label} = {expression(node)}",
                "subtitle": f"{RULES[node._op]}: " + ", ".join(received),
                "active": node.label,
                "hot": tuple((p.label, node.label) for p in node._prev),
                "values": dict(values),
                "grads": dict(grads),
                "edge_labels": dict(labels),
            }
        )
    return frames


def frame_alt(frame, step, count):
    """The alt text of one frame, with every number it shows."""
    shown = [t for t in frame["values"].values() if t] + [t for t in frame["grads"].values() if t]
    return (
        f"The graph {GRAPH}, step {step} of {count}. {frame['title']}"
        + (f": {frame['subtitle']}" if frame["subtitle"] else "")
        + f". Shown: {'; '.join(shown)}."
    )


def pass_widget(dpi=72):
    """Step the forward and backward pass through :func:`fan_out_graph` (a play button and a
    slider over the steps); each frame one panel, its numbers in its alt text."""
    root = fan_out_graph()[-1]
    frames = pass_frames(root)
    edges = [(p.label, n.label) for n in (root, *root._prev) for p in n._prev]
    figure = GraphFigure(POSITIONS, edges)
    steps = {str(k + 1): k for k in range(len(frames))}

    def draw(k):
        f = frames[k]
        title = f"Step {k + 1} of {len(frames)}. {f['title']}"
        return figure.draw(
            title, f["subtitle"], f["values"], f["grads"], f["active"], f["hot"], f["edge_labels"]
        )

    def alt(label):
        return frame_alt(frames[steps[label]], steps[label] + 1, len(frames))

    return linked.figure(draw, [linked.play("step", steps, interval=1500)], alt=alt, dpi=dpi)


def cost_static(n_params, fd_seconds, bp_seconds, dpi=72):
    """The still of :func:`backprop.graph_plots.cost_figure`, its numbers in its alt text."""
    alt = (
        f"Seconds per whole gradient against the number of parameters, log-log, for networks of "
        f"{n_params[0]} to {n_params[-1]} parameters: finite differences from "
        f"{fd_seconds[0]:.2g} s to {fd_seconds[-1]:.2g} s, growing with the parameters; backprop "
        f"from {bp_seconds[0]:.2g} s to {bp_seconds[-1]:.2g} s."
    )
    return linked.static(cost_figure(n_params, fd_seconds, bp_seconds), alt, dpi=dpi)
