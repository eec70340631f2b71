"""Every packaged template: declared fields only, renders to HTML and PDF."""

import io
import re
from importlib import resources
from pathlib import Path

import pytest
from pypdf import PdfReader

from attendwise.letters.fields import FIELD_NAMES, FIELDS, example_context
from attendwise.letters.kinds import LetterKind
from attendwise.letters.render import (
    default_template,
    render_html,
    render_pdf,
    template_fields,
)

TEMPLATES = resources.files("attendwise.letters").joinpath("templates")
TEMPLATE_FILES = sorted(
    p.name for p in TEMPLATES.iterdir() if p.name.endswith((".html", ".css"))
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "letters.md"


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


@pytest.mark.parametrize("file_name", TEMPLATE_FILES)
def test_a_packaged_template_uses_declared_fields_only(file_name):
    source = TEMPLATES.joinpath(file_name).read_text(encoding="utf-8")

    assert template_fields(source, name=file_name) <= FIELD_NAMES


def test_there_is_one_template_per_letter_of_the_policy():
    assert {f"{kind.value}.html" for kind in LetterKind} <= set(TEMPLATE_FILES)
    assert len(LetterKind) == 12


def test_every_declared_field_has_help_text_and_is_used_by_a_template():
    used = set().union(
        *(
            template_fields(TEMPLATES.joinpath(name).read_text(encoding="utf-8"))
            for name in TEMPLATE_FILES
        )
    )

    assert [f.name for f in FIELDS if len(f.help.strip()) < 10] == []
    assert sorted(FIELD_NAMES - used) == []


def test_each_field_is_declared_once():
    assert len(FIELDS) == len(FIELD_NAMES)


def test_docs_list_every_merge_field():
    assert re.sub(r"\s+\n", "\n", markdown_table_in_docs()) == markdown_table()


def markdown_table_in_docs() -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("| field | group | what it holds |")
    end = text.index("\n\n", start)
    return text[start : end + 1]


def markdown_table() -> str:
    from attendwise.letters.fields import markdown_table as table

    return table()


@pytest.mark.parametrize("kind", list(LetterKind))
def test_every_letter_renders_to_a_real_pdf_with_its_figures(kind):
    context = example_context()
    html = render_html(default_template(kind), context, name=kind.value)

    pdf = render_pdf(html)
    pages, text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert 1 <= pages <= 3
    for expected in (
        "Oakfield Academy",
        "Mrs June Allen",
        "23 Patricia Cliff",
        "29 September 2025",
        "4004/123",
        "94.7%",
        "from 3 September 2025 to 29 September 2025",
        "Sam Patel",
        "Child and Family Support Worker",
        "Private and confidential",
    ):
        assert expected in text, expected


def test_the_html_of_a_letter_shows_each_figure_in_the_figures_box():
    html = render_html(default_template("letter_1"), example_context())

    box = html[html.index('<section class="figures">') : html.index("</section>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", box).split())
    assert text == (
        "Pat's attendance from 3 September 2025 to 29 September 2025 "
        "Sessions possible 38 Sessions attended 36 "
        "Sessions missed 2 (2 authorised, 0 unauthorised) Attendance 94.7% "
        "Each school day has two sessions, morning and afternoon."
    )


def test_the_second_figures_line_appears_when_the_policy_figure_differs():
    context = example_context() | {
        "intervention_line": "leaving out sessions coded C2: 90.0%"
    }

    html = render_html(default_template("letter_2"), context)

    assert "leaving out sessions coded C2: 90.0%" in html


def test_letter_l_explains_that_a_late_after_the_register_closed_is_an_absence():
    html = render_html(default_template("letter_l"), example_context())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "after the register has closed" in text
    assert "unauthorised absence (code U)" in text
    assert "Monday 8 September 2025, morning" in text


def test_the_enforcement_letter_states_the_national_penalty_framework():
    html = render_html(default_template("enforcement_1"), example_context())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "10 or more sessions of unauthorised absence" in text
    assert "within 10 school weeks" in text
    assert "£80 if paid within 21 days, or £160 if paid within 28 days" in text


@pytest.mark.parametrize("kind", ["letter_3", "letter_4"])
def test_a_meeting_letter_gives_the_date_and_time_when_they_are_set(kind):
    html = render_html(default_template(kind), example_context())

    assert "<strong>Monday 20 October 2025 at 3.30pm</strong>" in html
    assert "the Attendance Office" in html


@pytest.mark.parametrize("kind", ["letter_3", "letter_4", "did_not_attend"])
def test_a_meeting_letter_says_we_will_be_in_touch_without_a_date(kind):
    context = example_context() | {"meeting_date": "", "meeting_time": ""}

    html = render_html(default_template(kind), context)

    assert "Monday 20 October 2025" not in html
    assert (
        "We will contact you shortly to arrange a time" in html
        or "contact us within the next week to arrange another meeting" in html
    )


@pytest.mark.parametrize("kind", ["fpn_referral", "la_referral", "mash_referral"])
def test_a_referral_carries_the_pupil_the_parents_and_the_history(kind):
    context = example_context() | {
        "pupil_address_lines": ["23 Patricia Cliff", "Saraville", "LA90 8SP"]
    }

    html = render_html(default_template(kind), context)

    for expected in (
        "14 March 2013",
        "A801200001001",
        "23 Patricia Cliff, Saraville, LA90 8SP",
        "Mother",
        "01632 960123",
        "Letter 1 sent.",
        "94.7%",
    ):
        assert expected in html, expected


@pytest.mark.parametrize(
    "kind",
    [
        "letter_n",
        "letter_l",
        "letter_1",
        "letter_2",
        "letter_3",
        "medical",
        "letter_4",
        "did_not_attend",
    ],
)
def test_a_routine_letter_to_parents_fits_on_one_page(kind):
    html = render_html(default_template(kind), example_context(), name=kind)

    pages, _text = pdf_text(render_pdf(html))

    assert pages == 1


def test_one_late_session_reads_as_one_occasion():
    html = render_html(default_template("letter_l"), example_context())

    assert "after the register had closed on the occasion below" in html
