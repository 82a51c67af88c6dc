"""A Sphinx extension of the course's site: a page paints before any of its scripts runs, and
the widgets' manager loads only on a page that has widgets, once the reader comes to them.

- **Scripts deferred.** Sphinx and the themes' extensions put a dozen ``<script src>`` in every
  page's ``<head>``, each of which the browser fetched and ran before it showed a word. Each is
  deferred here (run in order once the page is parsed: none of them draws the page); an inline
  script that uses one of them (``DOCUMENTATION_OPTIONS``) runs once the page is parsed too. The
  search page keeps them as they are: its template loads the search's scripts, which need them,
  undeferred (the other pages no longer load those: ``course_site.py``).
- **The widgets' manager.** myst-nb puts into a page with widgets the manager (``embed.js``,
  1.9 MB, pinned in package.json) and the page's widget state (every frame of every figure: up
  to 2 MB of JSON) as two ``<script>``\\ s in its ``<head>``. Both leave it: the state goes to a
  file beside the page, ``<page>.widgets.js``, a script that hands it to :data:`LOADER` as text
  (a script, not a JSON file: it loads from a ``file://`` page too); the page keeps
  :data:`LOADER`, a few lines that load the state, then the manager, the first time the reader
  comes within half a screen of a figure or moves about the page (scrolls, turns the wheel,
  presses a key, touches or clicks): a reader who starts to read has the figures by the time
  they reach one, and a page read at its top loads nothing more.

The manager finds the state as it always does, in a ``<script type="...widget-state+json">``
(``LOADER`` adds it to the page), and renders every widget on the window's ``load`` event
(``lib/embed.js`` of @jupyter-widgets/html-manager): loaded after that event, it is given it
again. ``sitetools.settle`` (the tests, the benchmark) turns the mouse wheel, as a reader does.
"""

import hashlib
import json
from pathlib import Path

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
#: what a page's widget state file is named after: ``book/rnn.html`` -> ``book/rnn.widgets.js``
STATE_SUFFIX = ".widgets.js"

LOADER = """(function (here) {
  const VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]';
  const READER = ["scroll", "wheel", "keydown", "pointerdown", "touchstart"];
  let observer = null;
  function load(src) {
    return new Promise(function (loaded, failed) {
      const script = document.createElement("script");
      script.src = src;
      script.onload = loaded;
      script.onerror = failed;
      document.body.append(script);
    });
  }
  function start() {
    READER.forEach(function (type) { window.removeEventListener(type, start); });
    observer.disconnect();
    if (window.courseWidgetState) { return; }
    window.courseWidgetState = function (json) {  // called by the state's file
      const state = document.createElement("script");
      state.type = "application/vnd.jupyter.widget-state+json";
      state.textContent = json;
      document.body.append(state);
    };
    load(here.dataset.state).then(function () { return load(here.dataset.manager); })
      .then(function () {  // the manager renders on the load event: give it again if it is past
        if (document.readyState === "complete") { window.dispatchEvent(new Event("load")); }
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) { start(); }
    }, {rootMargin: "50% 0px"});
    document.querySelectorAll(VIEWS).forEach(function (view) {
      observer.observe(view.parentElement);
    });
    READER.forEach(function (type) { window.addEventListener(type, start, {passive: true}); });
  });
})(document.currentScript);"""


def state_file(outdir, pagename):
    """Where a page's widget state is written: beside the page."""
    return Path(outdir, pagename + STATE_SUFFIX)


def load_widgets_later(app, pagename, templatename, context, doctree):
    """Take the widget state and the manager out of a page's scripts (myst-nb added them at
    priority 500), write the state beside the page, and put :data:`LOADER` in their place."""
    scripts = context.get("script_files", [])
    state = next((s for s in scripts if s.attributes.get("type") == STATE_TYPE), None)
    if state is None:
        return  # no widget on this page: no manager either
    # the manager is the first script of nb_ipywidgets_js (_config.yml); the others (the
    # controls' accessibility, widget-a11y.js) stay in the page, deferred: they wait for the views
    manager = f"_static/{next(iter(app.config.nb_ipywidgets_js))}"
    scripts[:] = [s for s in scripts if s is not state and str(s.filename) != manager]
    text = json.dumps(state.attributes["body"])  # the state's JSON, as a JavaScript string
    path = state_file(app.outdir, pagename)
    path.write_text(f"courseWidgetState({text});\n", encoding="utf-8")
    version = hashlib.sha256(text.encode()).hexdigest()[:12]  # a new state is fetched anew
    app.add_js_file(
        None,
        body=LOADER,
        **{
            "data-state": f"{path.name}?v={version}",
            "data-manager": context["pathto"](manager, resource=True),
        },
    )


#: what an inline script that needs a deferred script starts with: Sphinx's page options
NEEDS_DEFERRED = "DOCUMENTATION_OPTIONS"


def defer_scripts(app, pagename, templatename, context, doctree):
    """Every script file of the page deferred, and every inline script that uses one run once
    the page is parsed (after the deferred ones); not on the search page (module docstring)."""
    if pagename == "search":
        return
    scripts = context.get("script_files", [])
    for index, script in enumerate(scripts):
        attributes = script.attributes
        if script.filename and not {"async", "defer"} & set(attributes):
            scripts[index] = type(script)(
                script.filename, priority=script.priority, **attributes, defer="defer"
            )
        elif not script.filename and NEEDS_DEFERRED in attributes.get("body", ""):
            body = (
                f'document.addEventListener("DOMContentLoaded", () => {{ {attributes["body"]} }});'
            )
            scripts[index] = type(script)(
                None, priority=script.priority, **{**attributes, "body": body}
            )


def setup(app):
    app.connect("html-page-context", load_widgets_later, priority=550)
    app.connect("html-page-context", defer_scripts, priority=560)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
