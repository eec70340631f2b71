"""Rendering untrusted templates: the sandbox, unknown fields, no fetches."""

from importlib import resources

import pytest
import tinycss2
from weasyprint import HTML

from attendwise.letters.errors import LetterError
from attendwise.letters.fields import example_context
from attendwise.letters.kinds import LetterKind
from attendwise.letters.render import (
    check_template,
    default_template,
    render_html,
    render_pdf,
)

SCHOOL_EDIT = """{% extends "base.html" %}
{% block body %}<p>{{ pupil_forename }} attended {{ attendance_percent }}.</p>
{% endblock %}"""


def test_a_schools_own_wording_renders_with_the_figures_merged_in():
    html = render_html(SCHOOL_EDIT, example_context(), name="letter_1 (edited)")

    assert "<p>Pat attended 94.7%.</p>" in html
    assert "Oakfield Academy" in html


def test_merged_text_is_escaped():
    context = example_context() | {"pupil_forename": "<b>Pat</b> & Co"}

    html = render_html(SCHOOL_EDIT, context)

    assert "<p>&lt;b&gt;Pat&lt;/b&gt; &amp; Co attended 94.7%.</p>" in html


def test_an_unknown_field_is_named_with_its_template():
    source = "<p>{{ pupil_nickname }}</p>"

    with pytest.raises(LetterError) as caught:
        render_html(source, example_context(), name="letter_2 (edited)")

    assert str(caught.value) == (
        "The template 'letter_2 (edited)' uses 'pupil_nickname', which is not a "
        "merge field of this letter (docs/letters.md lists them)."
    )


def test_a_field_missing_from_the_context_is_named():
    context = example_context()
    del context["meeting_date"]

    with pytest.raises(LetterError, match="'letter_3' uses 'meeting_date'"):
        render_html(default_template("letter_3"), context, name="letter_3")


def test_check_template_names_every_unknown_field_before_saving():
    source = "{{ pupil_name }} {{ nickname }} {{ shoe_size }}"

    with pytest.raises(LetterError, match="uses 'nickname', 'shoe_size', which"):
        check_template(source)


def test_check_template_accepts_a_packaged_template():
    check_template(default_template("letter_4"))


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ pupil_name.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__ }}",
        '{{ "{0.__class__}".format(pupil_name) }}',
    ],
)
def test_the_sandbox_refuses_to_reach_python_internals(source):
    with pytest.raises(LetterError, match="tries something a letter may not do"):
        render_html(source, example_context(), name="letter_1 (edited)")


def test_a_template_may_only_extend_packaged_templates():
    with pytest.raises(LetterError, match=r"refers to '\.\./render\.py'"):
        render_html('{% include "../render.py" %}', example_context())


def test_an_attribute_a_field_lacks_is_named():
    source = "{% for p in parents_named %}{{ p.shoe_size }}{% endfor %}"

    with pytest.raises(LetterError) as caught:
        render_html(source, example_context(), name="fpn_referral (edited)")

    assert str(caught.value) == (
        "The template 'fpn_referral (edited)' asks for something a field lacks: "
        "'dict object' has no attribute 'shoe_size'"
    )


def test_a_syntax_error_gives_its_line():
    source = "<p>fine</p>\n{% if pupil_name %}unfinished"

    with pytest.raises(LetterError, match="mistake on line 2"):
        render_html(source, example_context(), name="letter_1 (edited)")


def test_an_unknown_letter_has_no_template():
    with pytest.raises(LetterError, match="There is no letter called 'letter_9'"):
        default_template("letter_9")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/logo.png",
        "https://example.org/pixel.png",
        "file:///etc/hostname",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_a_pdf_fetches_nothing_but_packaged_files(url):
    html = f'<html><body><p>Hello</p><img src="{url}"></body></html>'

    with pytest.raises(LetterError, match="may only use files packaged"):
        render_pdf(html)


def test_a_pdf_may_use_a_packaged_file():
    css = resources.files("attendwise.letters").joinpath("templates/letter.css")
    html = (
        f'<html><head><link rel="stylesheet" href="{css.as_uri()}">'
        "</head><body><p>Hello</p></body></html>"
    )

    assert render_pdf(html).startswith(b"%PDF-")


def test_a_relative_link_resolves_inside_the_package():
    html = (
        '<html><head><link rel="stylesheet" href="letter.css"></head>'
        "<body><p>Hello</p></body></html>"
    )

    assert render_pdf(html).startswith(b"%PDF-")


def test_a_relative_link_cannot_climb_out_of_the_package():
    html = '<html><body><img src="../../../../../../etc/hostname"></body></html>'

    with pytest.raises(LetterError, match="may only use files packaged"):
        render_pdf(html)


# What a process keeps between letters changes no PDF --------------------

TEMPLATES = resources.files("attendwise.letters").joinpath("templates")
TEMPLATES_URL = TEMPLATES.as_uri() + "/"
SWAP_FONT = (
    '<style>@font-face { font-family: "Arial"; src: local("DejaVu Serif"); }</style>'
)


def from_scratch(html: str) -> bytes:
    """Return the PDF WeasyPrint makes of `html` with nothing kept from before."""
    pdf = HTML(string=html, base_url=TEMPLATES_URL).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def letter_html(kind: LetterKind | str, body_extra: str = "") -> str:
    source = default_template(kind).replace(
        "{% block body %}", "{% block body %}" + body_extra
    )
    return render_html(source, example_context())


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_letter_is_the_pdf_weasyprint_makes_from_scratch(kind):
    html = letter_html(kind)

    first, again = render_pdf(html), render_pdf(html)

    assert first == again == from_scratch(html)


def test_a_template_with_a_stylesheet_of_its_own_is_printed_as_written():
    html = letter_html("letter_1", "<style>p { font-size: 20pt; }</style>")

    pdf = render_pdf(html)

    assert pdf == from_scratch(html)
    assert pdf != render_pdf(letter_html("letter_1"))


def test_a_letter_may_not_add_fonts_and_the_next_letter_is_not_changed_by_it():
    with pytest.raises(LetterError, match="may only use files packaged"):
        render_pdf(letter_html("letter_1", SWAP_FONT))
    html = letter_html("letter_2")

    assert render_pdf(html) == from_scratch(html)


def test_letter_css_holds_nothing_that_would_change_when_parsed_once():
    # render_pdf gives the parsed letter.css to WeasyPrint as a stylesheet
    # of its own: the same cascade only while it has no !important, and
    # @font-face or @counter-style rules would be kept from letter to letter.
    css = TEMPLATES.joinpath("letter.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    declarations = [
        declaration
        for rule in rules
        if rule.type in ("qualified-rule", "at-rule") and rule.content is not None
        for declaration in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        )
        if declaration.type == "declaration"
    ]

    assert [r.type for r in rules if r.type not in ("qualified-rule", "at-rule")] == []
    assert {r.lower_at_keyword for r in rules if r.type == "at-rule"} == {"page"}
    assert "@" not in css.replace("@page", "").replace("@bottom-", "")
    assert len(declarations) > 50
    assert [d.name for d in declarations if d.important] == []
