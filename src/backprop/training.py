"""Mini-batch stochastic gradient descent: the one epoch loop every trainer of the course uses."""


def sgd_epoch(params, gradients, indices, batch_size, eta, rng):
    """One pass of mini-batch SGD over the examples ``indices`` in a shuffled order.

    params: list of arrays, updated in place; gradients(batch) -> list of arrays shaped like
    params, dC/dtheta summed over the examples of ``batch`` (an array of indices).
    ``rng`` (a ``numpy.random.Generator``) draws the order.
    """
    order = rng.permutation(indices)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        for theta, grad in zip(params, gradients(batch)):
            theta -= eta / len(batch) * grad  # theta <- theta - eta/m sum_x dC_x/dtheta
