"""Every exercise is labelled by its difficulty (issue 22), in the edition's language (issue 24):
its title on the page and in its solution's title (_ext/editions.py, ``ExerciseLevels``)."""

import re

import polib
import pytest
from sitetools import EDITIONS, HTML, ROOT, TOC_PAGES

from backprop.lang import ENGLISH

LEVELS = ["Warm-up", "Practice", "Challenge"]


def levels(language):
    """The three levels' words in ``language`` (site.po's)."""
    if language == ENGLISH:
        return LEVELS
    po = polib.pofile(ROOT / "locales" / language / "LC_MESSAGES" / "site.po")
    return [po.find(level).msgstr for level in LEVELS]


@pytest.mark.book
@pytest.mark.parametrize("language", list(EDITIONS))
def test_every_exercise_and_its_solution_name_its_level_in_the_editions_language(
    built_book, language
):
    words, counts = levels(language), {}
    for page in TOC_PAGES:
        text = (HTML / EDITIONS[language][0] / page).read_text(encoding="utf-8")
        exercises = text.count('<div class="exercise admonition"')
        titles = re.findall(r"\(([^()<]+)\)</(?:p|a)>", text)  # "Exercise 3 (Warm-up)"
        labelled = [t for t in titles if t in words]
        assert len(labelled) == 2 * exercises, (page, exercises, titles)  # exercise, solution
        counts |= {level: counts.get(level, 0) + labelled.count(level) for level in words}
    assert all(counts.values()), counts  # every level is used
