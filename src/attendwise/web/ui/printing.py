"""Print runs: every approved letter of a school, once, in one PDF.

The letters are joined as the PDFs that were approved (their digests are
checked), and each is marked printed in the same transaction, so a letter
is never printed in two runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from pypdf import PdfReader, PdfWriter

from attendwise.letters.errors import LetterError
from attendwise.letters.kinds import LetterKind
from attendwise.web.cases.models import Event, Letter
from attendwise.web.register.models import School
from attendwise.web.ui.models import PrintRun

log = logging.getLogger(__name__)
LONDON = zoneinfo.ZoneInfo("Europe/London")


def approved_letters(school: School, *, safeguarding: bool) -> list[Letter]:
    """Return the school's approved letters not yet printed, oldest first."""
    letters = Letter.objects.filter(
        pupil__school=school, status=Letter.Status.APPROVED
    ).select_related("task", "pupil")
    if not safeguarding:
        letters = letters.filter(task__safeguarding=False)
    return list(letters.order_by("approved_at", "id"))


def print_run(
    school: School, user: User, at: dt.datetime, *, safeguarding: bool
) -> PrintRun | None:
    """Return a new print run of every approved letter, or None if none wait.

    LetterError when an approved PDF is missing or no longer the file that
    was approved: nothing is marked printed then.
    """
    with transaction.atomic():
        letters = list(
            Letter.objects.select_for_update().filter(
                pk__in=[
                    letter.pk
                    for letter in approved_letters(school, safeguarding=safeguarding)
                ],
                status=Letter.Status.APPROVED,
            )
        )
        if not letters:
            return None
        writer = PdfWriter()
        root = Path(settings.LETTERS_DIR)
        for letter in sorted(letters, key=lambda item: (item.approved_at, item.pk)):
            data = _read(root / letter.pdf_path)
            if hashlib.sha256(data).hexdigest() != letter.sha256:
                raise LetterError(
                    f"Letter {letter.pk}'s PDF has changed since it was approved: "
                    "draft and approve it again."
                )
            for page in PdfReader(io.BytesIO(data)).pages:
                writer.add_page(page)
        ids = [letter.pk for letter in letters]
        Letter.objects.filter(pk__in=ids, status=Letter.Status.APPROVED).update(
            status=Letter.Status.PRINTED
        )
        folder = Path(settings.PRINT_RUNS_DIR) / school.slug
        folder.mkdir(parents=True, exist_ok=True)
        run = PrintRun.objects.create(
            school=school, created_at=at, created_by=user, letter_ids=ids
        )
        path = folder / f"print-run-{run.pk}.pdf"
        with path.open("wb") as stream:
            writer.write(stream)
        run.pdf_path = str(path.relative_to(Path(settings.PRINT_RUNS_DIR)))
        run.save(update_fields=["pdf_path"])
        day = at.astimezone(LONDON).date()
        Event.objects.bulk_create(
            Event(
                school=school,
                pupil_id=letter.pupil_id,
                case_id=letter.task.case_id,
                kind="letter.printed",
                school_day=day,
                recorded_at=at,
                actor=user,
                summary=f"{LetterKind(letter.kind).info.title} to "
                f"{', '.join(letter.addressees.get('names', []))} printed "
                f"(print run {run.pk}).",
                data={"letter": letter.pk, "print_run": run.pk},
                safeguarding=letter.task.safeguarding,
            )
            for letter in letters
        )
    log.info("print run", extra={"school": school.pk, "letters": len(ids)})
    return run


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LetterError(
            "An approved letter's PDF is missing: draft and approve it again."
        ) from None
