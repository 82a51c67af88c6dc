"""A Sphinx extension of the course's site: self-check questions that answer on the static page,
with JavaScript only (``assets/selfcheck.js``), offline, by keyboard too.

A question at a section's end, in MyST::

    ```{selfcheck} Which way does the gradient of $\\max(x, y)$ go at $x > y$?
    :answer: 1
    - all of it to $x$
    - half to each
    - all of it to $y$

    Max routes: the larger input takes the whole upstream gradient.
    ```

- **Multiple choice**: the body starts with a bullet list, the choices; ``:answer:`` is the
  right one's number, counted from 1. What follows the list is the explanation, shown once the
  reader has answered (right or not).
- **A number**: no list; ``:answer:`` is the number, ``:tolerance:`` how far from it an answer
  may be (absolute; 0 when absent, with a float's rounding allowed). The whole body is the
  explanation.

A bad ``:answer:`` (not a number, not a choice's number, a number with a tolerance below 0) fails
the build with the question's place, and so does a question holding a backtick (a role such as
``{eq}``, code): the info string of a backtick fence may not hold one, so Markdown would not see
the directive at all (the roles belong in the choices and the explanation).

The question, each choice and the explanation are ordinary translatable text (Sphinx's gettext
extracts them: the question's msgid is the directive's argument, a choice's its list item's
text), so the Chinese edition shows them from the page's catalogue and ``tools/binder.py``
translates them in the Chinese notebooks. The interface's own words (the button, the verdicts)
are in :data:`MESSAGES`, translated from ``locales/<language>/LC_MESSAGES/site.po`` as
``seo.py``'s 404 texts; the page carries them, the script holds no text.

The page renders a ``<form>``: a ``<fieldset>`` whose ``<legend>`` is the question, native radio
buttons (one Tab stop, arrow keys) or a number field with its label, a Check button, and a
verdict region (``aria-live="polite"``). Only a page with a self-check loads the script.
"""

import hashlib
import html
import math
import re
from pathlib import Path

import seo
from docutils import nodes
from docutils.parsers.rst import directives
from seo import translate_message
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

#: the texts of the self-checks' interface: translated from site.po
MESSAGES = {
    "check": "Check",
    "right": "Right.",
    "wrong": "Not quite.",
    "choose": "Choose an answer first.",
    "number": "Enter a number, such as 0.25 or 1/4.",
    "your answer": "Your answer",
    "self-check": "Self-check",
}
#: a backtick fence whose question holds a backtick: Markdown does not take it for a fence (an
#: info string of a backtick fence holds no backtick), and the page's next cells become its text
BACKTICK_IN_QUESTION = re.compile(r"^`{3,}\{selfcheck\}[^\n]*`", re.M)
SCRIPT = "selfcheck.js"  #: in assets/ (html_static_path): loaded by the pages with a self-check


class selfcheck(nodes.General, nodes.Element):  # noqa: N801 (docutils' node naming)
    """A question: ``kind`` ("choice" or "number"), ``answer`` (a choice's index from 0, or the
    number), ``tolerance``."""


class selfcheck_question(nodes.TextElement):  # noqa: N801
    """The question's text (the legend)."""


class selfcheck_choice(nodes.TextElement):  # noqa: N801
    """One choice's text (a radio button's label)."""


class selfcheck_explanation(nodes.General, nodes.Element):  # noqa: N801
    """What is shown once the reader has answered."""


def number(text, what):
    """``text`` as a finite float, or ValueError naming ``what`` and the text."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a number, got {text!r}")
    return value


class SelfCheck(SphinxDirective):
    """``{selfcheck}``: see the module's docstring."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {"answer": directives.unchanged_required, "tolerance": directives.unchanged}

    def run(self):
        node = selfcheck()
        self.set_source_info(node)
        question = self.arguments[0]
        inline, messages = self.state.inline_text(question, self.lineno)
        legend = selfcheck_question(question, "", *inline)
        self.set_source_info(legend)
        body = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, body)
        try:
            self.fill(node, legend, list(body.children))
        except ValueError as error:
            raise self.error(f"selfcheck {question!r}: {error}") from None
        return [node, *messages]

    def fill(self, node, legend, children):
        """The node's attributes and children from the parsed body, or ValueError."""
        if "answer" not in self.options:
            raise ValueError("it needs an :answer:")
        answer = self.options["answer"].strip()
        node += legend
        if children and isinstance(children[0], nodes.bullet_list):
            items = children.pop(0).children
            if "tolerance" in self.options:
                raise ValueError("a multiple-choice question takes no :tolerance:")
            if len(items) < 2:  # noqa: PLR2004
                raise ValueError("it needs two choices or more")
            if not answer.isdigit() or not 1 <= int(answer) <= len(items):
                raise ValueError(
                    f":answer: must be the right choice's number, 1 to {len(items)}, got {answer!r}"
                )
            node["kind"], node["answer"] = "choice", int(answer) - 1
            for item in items:
                if len(item.children) != 1 or not isinstance(item[0], nodes.paragraph):
                    raise ValueError("each choice must be one paragraph")
                paragraph = item[0]
                choice = selfcheck_choice(paragraph.rawsource, "", *paragraph.children)
                choice.source, choice.line = paragraph.source, paragraph.line
                node += choice
        else:
            node["kind"], node["answer"] = "number", number(answer, ":answer:")
            node["tolerance"] = number(self.options.get("tolerance", "0"), ":tolerance:")
            if node["tolerance"] < 0:
                raise ValueError(f":tolerance: must be 0 or more, got {node['tolerance']}")
        if not children:
            raise ValueError("it needs an explanation after its choices")
        node += selfcheck_explanation("", *children)


def visit_selfcheck(self, node):
    index = self.__dict__.setdefault("selfcheck_count", 0) + 1
    self.selfcheck_count = index
    self.selfcheck_id = f"selfcheck-{index}"
    self.selfcheck_choice = 0
    app = self.builder.app
    data = {
        "kind": node["kind"],
        "answer": repr(node["answer"]),
        "tolerance": repr(node.get("tolerance", 0)),
        **{
            f"msg-{key.replace(' ', '-')}": translate_message(app, MESSAGES, key)
            for key in ("right", "wrong", "choose", "number")
        },
    }
    attributes = " ".join(f'data-{k}="{html.escape(str(v))}"' for k, v in data.items())
    label = html.escape(translate_message(app, MESSAGES, "self-check"))
    self.body.append(
        f'<form class="selfcheck" id="{self.selfcheck_id}" {attributes} novalidate>'
        f'<p class="selfcheck-label">{label}</p><fieldset>'
    )


def depart_selfcheck(self, node):
    self.body.append("</form>")


def visit_question(self, node):
    self.body.append('<legend class="selfcheck-question">')


def depart_question(self, node):
    self.body.append("</legend>")
    if node.parent["kind"] == "number":
        field = f"{self.selfcheck_id}-answer"
        label = html.escape(translate_message(self.builder.app, MESSAGES, "your answer"))
        self.body.append(
            f'<div class="selfcheck-number"><label for="{field}">{label}</label>'
            f'<input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" '
            f'id="{field}" name="{field}"></div>'
        )


#: TeX of a choice that is a formula alone, as plain text: its radio button's name (see
#: :func:`plain_name`)
TEX_WORDS = {
    r"\times": "×",
    r"\cdot": "·",
    r"\partial": "∂",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\delta": "δ",
    r"\sigma": "σ",
    r"\mu": "μ",
    r"\nu": "ν",
    "^T": "ᵀ",
    r"\,": " ",
    r"\ ": " ",
    r"\left": "",
    r"\right": "",
}


def plain_name(node):
    """A choice made of formulas alone, as plain text (``$3 \\times 2$`` -> ``3 × 2``), or None if
    it has words. The typeset formula carries MathML for a screen reader, but the accessibility
    checkers (axe-core) give a label of MathML alone no name, so its radio button gets this one."""
    if any(isinstance(c, nodes.Text) and c.strip() for c in node.children):
        return None
    text = " ".join(c.astext() for c in node.children)
    for tex, plain in TEX_WORDS.items():
        text = text.replace(tex, plain)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def visit_choice(self, node):
    value = self.selfcheck_choice
    self.selfcheck_choice += 1
    field = f"{self.selfcheck_id}-{value}"
    name = plain_name(node)
    label = f' aria-label="{html.escape(name)}"' if name else ""
    self.body.append(
        f'<div class="selfcheck-choice"><input type="radio" id="{field}" '
        f'name="{self.selfcheck_id}" value="{value}"{label}><label for="{field}">'
    )


def depart_choice(self, node):
    self.body.append("</label></div>")


def visit_explanation(self, node):
    check = html.escape(translate_message(self.builder.app, MESSAGES, "check"))
    self.body.append(
        f'</fieldset><div class="selfcheck-actions"><button type="submit">{check}</button></div>'
        '<div class="selfcheck-verdict" aria-live="polite"><p class="selfcheck-result"></p>'
        '<div class="selfcheck-explanation" hidden>'
    )


def depart_explanation(self, node):
    self.body.append("</div></div>")


def no_backtick_in_question(app, docname, source):
    """Fail on a question with a backtick (a role, code): see :data:`BACKTICK_IN_QUESTION`."""
    found = BACKTICK_IN_QUESTION.search(source[0])
    if found:
        line = source[0].count("\n", 0, found.start()) + 1
        raise ExtensionError(
            f"{app.env.doc2path(docname)}:{line}: a selfcheck's question may not hold a backtick "
            "(no role, no code): Markdown would not read the fence; put it in a choice or the "
            "explanation"
        )


def add_script(app, pagename, templatename, context, doctree):
    """The script, deferred, on a page with a self-check only."""
    if doctree is not None and next(iter(doctree.findall(selfcheck)), None) is not None:
        app.add_js_file(SCRIPT, defer="defer")


def setup(app):
    if "seo" not in app.extensions:
        raise ExtensionError("selfcheck needs the seo extension (site.po's texts)")
    seo.SITE_MESSAGES["_ext/selfcheck.py"] = MESSAGES
    app.add_node(selfcheck, html=(visit_selfcheck, depart_selfcheck))
    app.add_node(selfcheck_question, html=(visit_question, depart_question))
    app.add_node(selfcheck_choice, html=(visit_choice, depart_choice))
    app.add_node(selfcheck_explanation, html=(visit_explanation, depart_explanation))
    app.add_directive("selfcheck", SelfCheck)
    # Sphinx does not read an extension's code: a change to this file reads every page again
    # (the directive makes the doctree, the visitors its HTML)
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    app.add_config_value("course_selfcheck_code", digest, "env")
    app.connect("source-read", no_backtick_in_question)
    app.connect("html-page-context", add_script, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
