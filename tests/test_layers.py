"""The package's layers (docs/DESIGN.md): who may import what, and chapters that call the package
rather than redefine it. Read from the source, so a new module is checked by the rule of its kind.

- compute (every module not named below): the standard library, numpy, other compute modules and
  ``memory`` (joblib: training runs kept between the build's executions);
- ``*_plots``: compute, ``plotting`` and matplotlib; never a widget or ipywidgets;
- ``*_widgets``: compute, plots, ``linked``, ipywidgets;
- the helpers ``plotting`` (matplotlib), ``linked`` (ipywidgets, IPython.display for its stills,
  matplotlib, PIL), ``tables``
  (IPython.display) and ``exercises`` (numpy) import no course module but ``lang`` (IPython,
  matplotlib, polib), the language of the text a cell draws, which imports none.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "backprop"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
HELPERS = {
    "lang": {"IPython", "matplotlib", "polib"},
    "plotting": {"numpy", "matplotlib", "lang"},
    "linked": {"numpy", "matplotlib", "ipywidgets", "IPython", "PIL", "lang"},
    "tables": {"IPython", "lang"},
    "exercises": {"numpy", "lang"},
    "memory": {"joblib"},
}


def kind(module):
    if module in HELPERS:
        return module
    if module.endswith("_plots"):
        return "plots"
    return "widgets" if module.endswith("_widgets") else "compute"


def allowed(module):
    """The top-level packages and the course modules ``module`` may import."""
    compute = {m for m in MODULES if kind(m) == "compute"}
    plots = {m for m in MODULES if kind(m) == "plots"}
    rules = {
        "compute": {"numpy", "exercises", "memory"} | compute,  # a checker returns a Verdict
        "plots": {"numpy", "matplotlib", "plotting"} | compute,
        "widgets": {"numpy", "ipywidgets", "linked", "plotting"} | compute | plots,
    }
    return rules.get(kind(module), HELPERS.get(module, set()))


def imports(module):
    """What ``module`` imports: top-level package names, and ``backprop.x`` as ``x``."""
    names = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.removeprefix("backprop.").split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "backprop":
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").removeprefix("backprop.").split(".")[0])
    return names - set(sys.stdlib_module_names)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_only_what_its_layer_may(module):
    extra = imports(module) - allowed(module) - {module}
    assert not extra, f"{module} ({kind(module)}) imports {sorted(extra)}: see docs/DESIGN.md"


def package_functions():
    """Every function and class name defined at the top of a package module."""
    names = set()
    for module in MODULES:
        tree = ast.parse((PACKAGE / f"{module}.py").read_text())
        names |= {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return names


@pytest.mark.parametrize("chapter", sorted((ROOT / "book").glob("*.md")), ids=lambda p: p.name)
def test_chapters_do_not_redefine_a_package_function(chapter):
    import jupytext  # imports jsonschema, seconds: here, not at the module's top (collection)

    defined = set()
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type == "code":
            tree = ast.parse("\n".join(l for l in cell.source.splitlines() if l[:1] not in "%!"))
            defined |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    clash = defined & package_functions()
    assert not clash, f"{chapter.name} redefines {sorted(clash)}: import them from backprop"


def test_the_api_page_renders_every_module():
    api = (ROOT / "book" / "api.md").read_text()
    missing = [m for m in MODULES if f".. automodule:: backprop.{m}\n" not in api]
    assert not missing, f"book/api.md has no automodule entry for {missing}"
