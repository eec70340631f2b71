"""Letters from templates: HTML with Jinja2's sandbox, PDF with WeasyPrint.

A school may edit its letters' wording, so a template is untrusted text:
it renders in Jinja2's sandbox, with autoescape on, and may use only the
declared merge fields (fields.py). Rendering the PDF fetches nothing but
files packaged with Attendwise: no network, no other file.
"""

from __future__ import annotations

import mimetypes
import os
import re
import threading
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
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
        return _compiled(template_source).render(context)
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

    What can be kept between letters is kept, per process and thread: the
    font configuration and the packaged stylesheet parsed once (see
    _Renderer). The PDF is the same, byte for byte, as WeasyPrint makes it
    from scratch.
    """
    if base_url is None:
        base_url = _packaged_root_url()
    renderer = _renderer()
    document = HTML(string=html, base_url=base_url, url_fetcher=_PackagedFilesOnly())
    try:
        pdf = document.write_pdf(
            font_config=renderer.fonts,
            stylesheets=renderer.take_shared_stylesheet(document),
        )
    except FatalURLFetchingError as error:
        reason = error.__cause__ or error
        raise LetterError(str(reason)) from None
    finally:
        renderer.after_document()
    if not isinstance(pdf, bytes):
        raise LetterError("WeasyPrint returned no PDF.")
    return pdf


class _Fonts(FontConfiguration):  # type: ignore[misc]
    """A font configuration that says whether a document added fonts to it."""

    added_fonts = False

    def add_font_face(self, rule_descriptors: object, url_fetcher: object) -> object:
        self.added_fonts = True
        return super().add_font_face(rule_descriptors, url_fetcher)


class _Renderer:
    """What one process (one thread) keeps from one letter to the next.

    Building a font configuration (Fontconfig and Pango loading the fonts)
    and parsing letter.css cost a third of a letter's rendering; both are
    kept. Neither carries anything from one letter to the next:

    - a document that adds fonts of its own (@font-face) dirties the font
      configuration, which is then dropped after that document;
    - letter.css is used parsed only when it is the document's one and only
      stylesheet, a <style> without attributes holding exactly the packaged
      text. It is then given to WeasyPrint as a stylesheet of its own (the
      `stylesheets` argument, the "user" origin) and the <style> element
      emptied. With no other author stylesheet, and letter.css having no
      !important declaration, no @font-face and no @counter-style
      (tests/letters/test_render.py checks it), the cascade is the same:
      the user-agent sheet below it, style attributes above it.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.fonts = _Fonts()
        #: letter.css parsed, and the base URL it was parsed for
        self.stylesheet: tuple[str | None, CSS] | None = None

    def take_shared_stylesheet(self, document: HTML) -> list[CSS]:
        """Return [letter.css parsed] after emptying its <style>, or []."""
        found = list(document.wrapper_element.query_all("style", "link"))
        if len(found) != 1:
            return []
        element = found[0].etree_element
        if (
            element.tag != "style"
            or element.attrib
            or len(element)
            or (element.text or "").strip() != _letter_css()
        ):
            return []
        if self.stylesheet is None or self.stylesheet[0] != document.base_url:
            sheet = CSS(
                string=element.text,
                base_url=document.base_url,
                url_fetcher=_PackagedFilesOnly(),
                media_type=document.media_type,
                font_config=self.fonts,
            )
            self.stylesheet = (document.base_url, sheet)
        element.text = ""
        return [self.stylesheet[1]]

    def after_document(self) -> None:
        if self.fonts.added_fonts:
            _local.renderer = None


_local = threading.local()


def _renderer() -> _Renderer:
    # A forked process (the letter workers) starts its own: Pango and
    # Fontconfig state is not shared across processes.
    renderer: _Renderer | None = getattr(_local, "renderer", None)
    if renderer is None or renderer.pid != os.getpid():
        renderer = _local.renderer = _Renderer()
    return renderer


@cache
def _letter_css() -> str:
    return _TEMPLATES.joinpath("letter.css").read_text(encoding="utf-8").strip()


def _load_packaged(name: str) -> str | None:
    if not _SHARED_NAME.fullmatch(name):
        return None
    path = _TEMPLATES.joinpath(name)
    return path.read_text(encoding="utf-8") if path.is_file() else None


@lru_cache(maxsize=64)
def _compiled(template_source: str) -> jinja2.Template:
    """Return `template_source` compiled, once per process for each text.

    Compiling costs more than merging a letter (a daily run merges hundreds
    with a handful of templates); a compiled template renders in any thread.
    """
    return _environment().from_string(template_source)


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
