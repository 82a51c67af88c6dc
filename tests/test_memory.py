"""backprop.memory: a result kept on disk only when BACKPROP_MEMORY names a folder."""

from backprop import memory


def counted():
    """A function that counts its calls, decorated with kept."""
    calls = []

    @memory.kept
    def square(x):
        """x squared."""
        calls.append(x)
        return x * x

    return square, calls


def test_without_a_folder_the_function_simply_runs(monkeypatch):
    monkeypatch.delenv(memory.VARIABLE, raising=False)
    square, calls = counted()
    assert square(3) == square(3) == 9 and calls == [3, 3]
    assert square.__doc__ == "x squared."


def test_with_a_folder_a_result_is_computed_once_per_argument(monkeypatch, tmp_path):
    monkeypatch.setenv(memory.VARIABLE, str(tmp_path))
    square, calls = counted()
    assert square(3) == square(3) == 9 and square(4) == 16
    assert calls == [3, 4]
    assert any(tmp_path.iterdir())
