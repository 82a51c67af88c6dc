"""A Sphinx extension of the course's site: fixes to the Jupyter Book 1 stack, each explained.

- The package's docstrings are plain text with ASCII maths (|w|, a * b, x^T), as a reader sees
  them in help() and in the chapters' code; reST would read |w| as a substitution and *x* as
  emphasis. The API reference shows each docstring as it is written, in a literal block.

- sphinx-thebe registers its inline configuration script on every ``env-before-read-docs``,
  which Jupyter Book 1.0.4 fires twice, so every page declared ``const THEBE_JS_URL`` twice
  ("Identifier 'THEBE_JS_URL' has already been declared" in the console). Each page's scripts are
  de-duplicated here, keeping the first of any identical registrations.

- The math is typeset when the site is built (``typeset.py``): the pages load no MathJax script.
"""

from typeset import drop_mathjax_scripts, typeset_site


def dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script is registered with filename None or "" depending on the path it took
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def docstring_as_written(app, what, name, obj, options, lines):
    if any(line.strip() for line in lines):
        lines[:] = ["::", ""] + ["    " + line for line in lines] + [""]


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", drop_mathjax_scripts, priority=901)
    app.connect("build-finished", typeset_site)
    app.connect("autodoc-process-docstring", docstring_as_written)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
