"""Letters from templates: HTML with Jinja2's sandbox, PDF with WeasyPrint.

A school may edit its letters' wording, so a template is untrusted text:
it renders in Jinja2's sandbox, with autoescape on, and may use only the
declared merge fields (fields.py). Rendering the PDF fetches nothing but
files packaged with Attendwise: no network, no other file.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from attendwise.letters.errors import LetterError
from attendwise.letters.fields import FIELD_NAMES
from attendwise.letters.kinds import LetterKind

_TEMPLATES = resources.files("attendwise.letters").joinpath("templates")
#: templates a letter may extend or include: the packaged ones, by file name
_SHARED_NAME = re.compile(r"[a-z0-9_]+\.(html|css)")
_MISSING = re.compile(r"'(\w+)' is undefined")


def default_template(kind: LetterKind | str) -> str:
    """Return the packaged template text of `kind` (a LetterKind value).

    LetterError for a name that is not a letter.
    """
    try:
        letter = LetterKind(kind)
    except ValueError:
        raise LetterError(f"There is no letter called {kind!r}.") from None
    return _TEMPLATES.joinpath(f"{letter.value}.html").read_text(encoding="utf-8")


def render_html(
    template_source: str, context: Mapping[str, object], *, name: str = "letter"
) -> str:
    """Return the HTML of `template_source` with `context` merged in.

    `name` only labels errors. LetterError when the template is not valid
    Jinja2, uses a field the context does not hold, reaches for anything
    the sandbox forbids, or extends a template that is not packaged.
    """
    try:
        template = _environment().from_string(template_source)
        return template.render(context)
    except jinja2.exceptions.SecurityError as error:
        raise LetterError(
            f"The template {name!r} tries something a letter may not do: {error}"
        ) from None
    except jinja2.UndefinedError as error:
        raise LetterError(_unknown_field_message(name, error.message)) from None
    except jinja2.TemplateSyntaxError as error:
        raise LetterError(
            f"The template {name!r} has a mistake on line {error.lineno}: "
            f"{error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise LetterError(
            f"The template {name!r} refers to {error.name!r}, which is not one "
            "of the packaged letter templates."
        ) from None
    except jinja2.TemplateError as error:
        raise LetterError(f"The template {name!r} cannot be used: {error}") from None


def _unknown_field_message(name: str, message: str | None) -> str:
    # Jinja2 words a missing top-level name as "'x' is undefined".
    missing = _MISSING.fullmatch(message or "")
    if missing:
        return (
            f"The template {name!r} uses {missing[1]!r}, which is not a merge "
            "field of this letter (docs/letters.md lists them)."
        )
    return f"The template {name!r} asks for something a field lacks: {message}"


def template_fields(template_source: str, *, name: str = "letter") -> frozenset[str]:
    """Return the names `template_source` reads from its context.

    Names set inside the template (`{% set %}`, loop variables) are not
    included. LetterError when the template is not valid Jinja2.
    """
    try:
        tree = _environment().parse(template_source)
    except jinja2.TemplateSyntaxError as error:
        raise LetterError(
            f"The template {name!r} has a mistake on line {error.lineno}: "
            f"{error.message}"
        ) from None
    return frozenset(meta.find_undeclared_variables(tree))


def check_template(template_source: str, *, name: str = "letter") -> None:
    """Raise LetterError unless `template_source` uses declared fields only.

    For a school's edited template, before it is saved: the message names
    every unknown field.
    """
    unknown = sorted(template_fields(template_source, name=name) - FIELD_NAMES)
    if unknown:
        raise LetterError(
            f"The template {name!r} uses {', '.join(map(repr, unknown))}, which "
            "are not merge fields (docs/letters.md lists them)."
        )


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """Return `html` printed as a PDF (A4, the layout's own print CSS).

    `base_url` resolves relative links; by default the packaged templates
    folder. Only files packaged with Attendwise are fetched: any other URL
    (http, data, another file) is a LetterError, never a network request.
    """
    if base_url is None:
        base_url = _packaged_root_url()
    document = HTML(string=html, base_url=base_url, url_fetcher=_PackagedFilesOnly())
    try:
        pdf = document.write_pdf()
    except FatalURLFetchingError as error:
        reason = error.__cause__ or error
        raise LetterError(str(reason)) from None
    if not isinstance(pdf, bytes):
        raise LetterError("WeasyPrint returned no PDF.")
    return pdf


def _load_packaged(name: str) -> str | None:
    if not _SHARED_NAME.fullmatch(name):
        return None
    path = _TEMPLATES.joinpath(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=jinja2.FunctionLoader(_load_packaged),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _packaged_root() -> Path | None:
    """Return the package's folder on disk, or None (a zipped install)."""
    root = resources.files("attendwise.letters")
    return root.resolve() if isinstance(root, Path) else None


def _packaged_root_url() -> str | None:
    root = _packaged_root()
    return None if root is None else root.joinpath("templates").as_uri() + "/"


class _PackagedFilesOnly(URLFetcher):  # type: ignore[misc]
    """Serve files from the letters package; refuse every other URL."""

    def __init__(self) -> None:
        # fail_on_errors: a refused URL stops the PDF rather than leaving a
        # hole in the letter.
        super().__init__(fail_on_errors=True)

    def fetch(
        self, url: str, headers: Mapping[str, str] | None = None
    ) -> URLFetcherResponse:
        path = _packaged_file(url)
        if path is None:
            raise LetterError(
                f"The letter refers to {url[:80]!r}; letters may only use files "
                "packaged with Attendwise."
            )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def _packaged_file(url: str) -> Path | None:
    root = _packaged_root()
    if root is None or not url.startswith("file:"):
        return None
    try:
        path = Path(_file_path(url)).resolve()
    except ValueError:
        return None
    inside = path.is_relative_to(root) and path.is_file()
    return path if inside else None


def _file_path(url: str) -> str:
    """Return the local path of a file: URL; ValueError for another host."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(url)
    return unquote(parts.path)
