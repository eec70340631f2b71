"""Every page is valid HTML with a title and unique ids."""

from __future__ import annotations

from collections import Counter

import html5lib
from django.http import HttpResponse

REFERENCES = ("for", "aria-describedby", "aria-labelledby", "aria-controls")


def check_page(response: HttpResponse) -> None:
    """Raise AssertionError unless `response` is valid HTML5 with a title.

    html5lib parses strictly (any parse error fails); ids must be unique;
    every label's `for` and every aria reference must name an id that
    exists.
    """
    text = response.content.decode()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(text)
    title = document.find(".//head/title")
    assert title is not None, "the page has no title"
    assert (title.text or "").strip(), "the page's title is empty"
    ids = Counter(element.get("id") for element in document.iter() if element.get("id"))
    repeated = sorted(name for name, count in ids.items() if count > 1)
    assert not repeated, f"ids used more than once: {repeated}"
    for element in document.iter():
        for attribute in (
            "for",
            "aria-describedby",
            "aria-labelledby",
            "aria-controls",
        ):
            for name in (element.get(attribute) or "").split():
                assert name in ids, f"{attribute}={name!r} names no element"
