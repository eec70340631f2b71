"""Counts printed for people agree with their noun."""

import pytest

from attendwise.core.figures import counted


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 new items"),
        (1, "1 new item"),
        (2, "2 new items"),
        (1204, "1,204 new items"),
    ],
)
def test_a_count_takes_the_singular_only_for_one(count, text):
    assert counted(count, "new item") == text


def test_a_noun_with_its_own_plural_uses_it():
    assert counted(3, "child", "children") == "3 children"
