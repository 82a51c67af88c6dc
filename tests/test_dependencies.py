"""The package declares what it imports (pyproject.toml), and requirements.txt pins a version of
each declaration that satisfies it."""

import ast
import sys
import tomllib
from importlib.metadata import metadata, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared():
    """{normalised distribution name: Requirement} from pyproject.toml's dependencies."""
    requirements = [Requirement(line) for line in project()["dependencies"]]
    return {r.name.lower().replace("_", "-"): r for r in requirements}


def third_party_imports():
    """The top-level modules that src/backprop imports from outside itself and the stdlib."""
    names = set()
    for path in (ROOT / "src" / "backprop").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"backprop"}


def test_every_module_the_package_imports_is_a_declared_dependency():
    distributions = packages_distributions()
    needed = {m: distributions[m][0].lower() for m in third_party_imports()}
    assert {"numpy", "matplotlib", "ipywidgets", "PIL", "IPython"} <= set(needed)
    missing = {m: d for m, d in needed.items() if d not in declared()}
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"


def pinned(name):
    """{normalised distribution name: version} of a requirements file's ``name==version`` lines."""
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line and not line.startswith(("#", "-")):
            package, version = line.split("==")
            pins[package.lower().replace("_", "-")] = version
    return pins


def test_requirements_txt_pins_a_version_of_every_dependency_that_satisfies_it():
    pins = pinned("requirements.txt")
    for name, requirement in declared().items():
        assert name in pins, f"{name} is a dependency but requirements.txt does not pin it"
        assert requirement.specifier.contains(pins[name]), (requirement, pins[name])


def test_the_oldest_python_declared_can_install_every_pinned_dependency():
    oldest = SpecifierSet(project()["requires-python"]).filter(["3.9", "3.10", "3.11", "3.12"])
    oldest = next(iter(oldest))
    for name in declared():
        needs = SpecifierSet(metadata(name).get("Requires-Python") or "")
        assert needs.contains(oldest), f"{name} (as installed) needs Python {needs}, not {oldest}"


def test_the_requirements_pin_what_constraints_txt_pins():
    """Binder installs requirements.txt alone; the development venv adds constraints.txt: a
    package both name is the same version in both."""
    constraints = pinned("constraints.txt")
    for name in ["requirements.txt", "requirements-dev.txt"]:
        pins = pinned(name)
        assert pins, name
        differ = {p: (v, constraints.get(p)) for p, v in pins.items() if constraints.get(p) != v}
        assert not differ, f"{name} and constraints.txt disagree (theirs, constraints'): {differ}"


def test_a_chapters_first_glue_does_not_compile_rfc3987_grammars():
    # backprop/__init__.py tells jsonschema that rfc3987_syntax is absent: importing it compiles
    # 39 grammars, about 2 s of every chapter (the first glue imports nbformat, then jsonschema).
    # In a fresh interpreter, as a chapter's kernel: the module stays unimported, and nbformat
    # still validates a notebook.
    import subprocess

    script = (
        "import sys, backprop, myst_nb.ext.glue, nbformat\n"
        "assert sys.modules['rfc3987_syntax'] is None, sys.modules['rfc3987_syntax']\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-1000:]
