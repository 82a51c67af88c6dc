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

- **Stills as files.** A still (``linked.static``) is an ``<img>`` whose WebP is written into the
  notebook's output (``data:`` URI), so that a notebook shows it anywhere. In a page that made a
  chapter's HTML 120 kB gzipped instead of 40 (base64 does not compress), all of it fetched
  before the first paint. Each is written to ``_images/`` (named by its content) and loaded as
  the reader comes near it (``loading="lazy"``); its width and height keep its place meanwhile.

- **Plain code tokens plain.** Pygments wraps every token of a code cell in a ``<span>``, even a
  name, a bracket or a space (``n``, ``p``, ``w``), which the highlighting style colours as the
  block's own text: two thousand of a chapter's nine thousand elements, each laid out before the
  first paint. Those are left as text (``assets/course.css`` gives the block's text the style's
  colour); every token with a colour of its own keeps its ``<span>``.

The manager finds the state as it always does, in a ``<script type="...widget-state+json">``
(``LOADER`` adds it to the page), and renders every widget on the window's ``load`` event
(``lib/embed.js`` of @jupyter-widgets/html-manager): loaded after that event, it is given it
again. ``sitetools.settle`` (the tests, the benchmark) turns the mouse wheel, as a reader does.
"""

import base64
import hashlib
import json
import re
from pathlib import Path

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
#: a still's image, inline: its format and its bytes in base64
INLINE_IMAGE = re.compile(r'<img src="data:image/(webp|png);base64,([A-Za-z0-9+/=]+)"')
#: a code block, and a token in it that the highlighting style draws in the block's own colour
CODE_BLOCK = re.compile(r'<div class="highlight[^"]*"><pre>.*?</pre>', re.S)
PLAIN_TOKEN = re.compile(r'<span class="[npw]">([^<]*)</span>')
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


def stills_as_files(app, pagename, templatename, context, doctree):
    """Every inline image of the page's body written to ``_images/`` and loaded lazily."""

    def as_file(match):
        data = base64.b64decode(match[2])
        name = f"{hashlib.sha256(data).hexdigest()[:16]}.{match[1]}"
        path = Path(app.outdir, "_images", name)
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        source = context["pathto"](f"_images/{name}", resource=True)
        return f'<img src="{source}" loading="lazy" decoding="async"'

    if "body" in context:
        context["body"] = INLINE_IMAGE.sub(as_file, context["body"])


def plain_tokens_as_text(app, pagename, templatename, context, doctree):
    """Every plain token of the page's code blocks as text, not a ``<span>``."""
    if "body" in context:
        context["body"] = CODE_BLOCK.sub(
            lambda block: PLAIN_TOKEN.sub(r"\1", block[0]), context["body"]
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
    # Sphinx rewrites only the pages it finds outdated, and does not read an extension's code;
    # a changed "html" setting rewrites them all: this module's edits, as one
    app.add_config_value(
        "course_first_paint", hashlib.sha256(Path(__file__).read_bytes()).hexdigest(), "html"
    )
    app.connect("html-page-context", load_widgets_later, priority=550)
    app.connect("html-page-context", defer_scripts, priority=560)
    app.connect("html-page-context", stills_as_files)
    app.connect("html-page-context", plain_tokens_as_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
