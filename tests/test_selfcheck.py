"""The self-checks (_ext/selfcheck.py, assets/selfcheck.js): every section of every chapter ends
with one, each answers in the page by keyboard alone in both editions, and a bad ``:answer:``
fails the build with the question's place."""

import subprocess
import sys

import pytest
import yaml
from sitetools import CJK, EDITIONS, ROOT, settle

from test_site import open_offline

#: the page the keyboard test answers on, in each edition
PAGE = "book/graph.html"
#: every ## section of a chapter but its exercises, with whether it holds a self-check
SECTIONS = """() => Array.from(document.querySelectorAll('main section'))
  .filter(s => s.querySelector(':scope > h2'))
  .filter(s => !/(^|-)exercises$/.test(s.id))
  .map(s => ({id: s.id, checks: s.querySelectorAll('form.selfcheck').length}))"""


#: the part of the table of contents whose chapters have self-checks
PART = "The notes, section by section"


def chapter_pages():
    """Every chapter of :data:`PART`, in every edition, as a path under the site's root."""
    parts = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"]
    files = [c["file"] for part in parts if part["caption"] == PART for c in part["chapters"]]
    assert files, f"no part {PART!r} in _toc.yml"
    return [folder + f"{file}.html" for folder, _ in EDITIONS.values() for file in files]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("path", chapter_pages())
def test_every_section_of_every_chapter_ends_with_a_self_check(browser, site_url, path):
    """Each ## section (its ### subsections with it; not the exercises) holds a self-check, and
    the page loads the script; a Chinese page's question is in Chinese."""
    page, problems = open_offline(browser, f"{site_url}/{path}")
    try:
        sections = page.evaluate(SECTIONS)
        assert len(sections) >= 4, sections  # noqa: PLR2004 (every chapter has more)
        assert all(s["checks"] for s in sections), [s["id"] for s in sections if not s["checks"]]
        assert page.locator('script[src*="selfcheck.js"]').count() == 1
        if path.startswith("zh/"):
            legends = page.locator("form.selfcheck legend").all_inner_texts()
            assert all(CJK.search(text) for text in legends), legends
        assert not problems["console"] and not problems["pageerror"], problems
    finally:
        page.context.close()


def start_of(form):
    """The keyboard's focus just before ``form``'s controls (as a click beside them)."""
    form.evaluate("f => { f.tabIndex = -1; f.focus(); }")


def verdict(form):
    """The verdict the form shows, once it shows one, and whether its explanation shows."""
    result = form.locator(".selfcheck-result")
    result.wait_for(state="visible")
    return result.inner_text(), form.locator(".selfcheck-explanation").is_visible()


def answer_choice(page, form, index):
    """Choose the choice ``index`` (from 0) by keyboard and press Check: Tab into the group,
    arrow keys to the choice (Space checks the first), Tab to the button, Enter."""
    start_of(form)
    page.keyboard.press("Tab")
    radios = form.locator('input[type="radio"]')
    focused = radios.evaluate_all("rs => rs.indexOf(document.activeElement)")
    assert focused >= 0, "Tab did not reach the choices"
    if not radios.nth(focused).is_checked():
        page.keyboard.press("Space")
    count = radios.count()
    for _ in range((index - focused) % count):
        page.keyboard.press("ArrowDown")
    assert radios.nth(index).is_checked()
    page.keyboard.press("Tab")
    assert form.locator("button").evaluate("b => b === document.activeElement"), "Tab: no button"
    page.keyboard.press("Enter")


def answer_number(page, form, text):
    """Type ``text`` into the form's number field by keyboard and press Enter."""
    start_of(form)
    page.keyboard.press("Tab")
    field = form.locator("input")
    assert field.evaluate("f => f === document.activeElement"), "Tab did not reach the field"
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("folder", [folder for folder, _ in EDITIONS.values()])
def test_a_self_check_answers_right_and_wrong_by_keyboard(browser, site_url, folder):
    """A multiple-choice and a number question, each answered right, then wrong, by keyboard
    alone: the verdict in the page's language, the explanation shown after an answer."""
    page, problems = open_offline(browser, f"{site_url}/{folder}{PAGE}")
    try:
        settle(page)
        choice = page.locator('form.selfcheck[data-kind="choice"]').first
        right, wrong = (
            choice.get_attribute("data-msg-right"),
            choice.get_attribute("data-msg-wrong"),
        )
        if folder:  # the Chinese edition's verdicts are Chinese
            assert CJK.search(right) and CJK.search(wrong), (right, wrong)
        explanation = choice.locator(".selfcheck-explanation")
        assert not explanation.is_visible(), "the explanation shows before an answer"
        answer = int(choice.get_attribute("data-answer"))
        count = choice.locator('input[type="radio"]').count()
        answer_choice(page, choice, answer)
        assert verdict(choice) == (right, True)
        answer_choice(page, choice, (answer + 1) % count)
        assert verdict(choice) == (wrong, True)

        number = page.locator('form.selfcheck[data-kind="number"]').first
        value = float(number.get_attribute("data-answer"))
        answer_number(page, number, "abc")
        assert verdict(number) == (number.get_attribute("data-msg-number"), False)
        typed = f"{value:g}"
        if folder:  # a Chinese keyboard may type full-width digits
            typed = typed.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        answer_number(page, number, typed)
        assert verdict(number) == (right, True)
        answer_number(page, number, f"{value + 1:g}")
        assert verdict(number) == (wrong, True)
        assert number.locator(".selfcheck-verdict").get_attribute("aria-live") == "polite"
        assert not problems["console"] and not problems["pageerror"], problems
    finally:
        page.context.close()


CONF = """
import sys
sys.path[:0] = [{ext!r}, {tools!r}, {src!r}]
extensions = ["myst_parser", "editions", "seo", "selfcheck"]
myst_enable_extensions = ["dollarmath"]
"""
QUESTION = """# Questions

```{{selfcheck}} Which way does the gradient of $\\max(x, y)$ go when $x > y$?
{options}
- all of it to $x$
- half to each

Max routes.
```
"""


def build(tmp_path, page):
    """Sphinx (warnings as errors) run on a one-page project whose index.md is ``page``."""
    (tmp_path / "conf.py").write_text(
        CONF.format(ext=str(ROOT / "_ext"), tools=str(ROOT / "tools"), src=str(ROOT / "src"))
    )
    (tmp_path / "index.md").write_text(page)
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", ".", "_out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (":answer: 3", ":answer: must be the right choice's number, 1 to 2, got '3'"),
        (":answer: first", ":answer: must be the right choice's number, 1 to 2, got 'first'"),
        (":answer: 1\n:tolerance: 0.1", "a multiple-choice question takes no :tolerance:"),
        ("", "it needs an :answer:"),
    ],
)
def test_a_bad_answer_fails_the_build_with_the_questions_place(tmp_path, options, error):
    """Sphinx stops on a bad :answer: and names the file, the line and what is wrong."""
    result = build(tmp_path, QUESTION.format(options=options))
    assert result.returncode != 0
    assert "index.md:3" in result.stderr and error in result.stderr, result.stderr


def test_a_question_with_a_backtick_fails_the_build(tmp_path):
    """A role in the question would end the fence's info string: the build stops and says so."""
    result = build(
        tmp_path, QUESTION.format(options=":answer: 1").replace("$x > y$?", "{math}`x > y`?")
    )
    assert result.returncode != 0
    assert "index.md:3: a selfcheck's question may not hold a backtick" in result.stderr


def test_a_number_question_takes_a_number():
    """:answer: of a question without choices is a number; the tolerance is 0 or more."""
    sys.path.insert(0, str(ROOT / "_ext"))
    from selfcheck import number  # noqa: PLC0415

    assert number("0.25", ":answer:") == 0.25  # noqa: PLR2004
    with pytest.raises(ValueError, match="must be a number, got 'nan'"):
        number("nan", ":answer:")
