"""Drafting and approving the letters of a worklist item.

`draft_letters` turns a task into one PDF per copy (one per household for
parents, one for an agency), stored under ``LETTERS_DIR``; `approve_letter`
approves one draft, once. The wording comes from the packaged template or
the school's edited one; everything else comes from the task.

What the service reads from the task
------------------------------------

``task.figures`` (the figures the step rests on):

- ``period_first``, ``period_last``: ISO dates of the period (required);
- ``possible``, ``attended``, ``unauthorised``: session counts (required);
- ``authorised``: optional, else possible - attended - unauthorised;
- ``i_possible``, ``i_attended``: the intervention figures, optional (else
  the statutory ones), for the second figures line;
- ``not_possible_codes``: the codes those figures leave out, e.g. ["C2"];
- ``illness``, ``medical``: sessions coded I and M (the medical letter).

``task.payload``:

- ``letter``: the letter kind (``letter_1``, ...); if absent, ``task.kind``
  when it names a letter;
- ``target_percent``: the policy's attendance target (96);
- ``sessions``: ``[[date, "AM" | "PM"], ...]``, the U sessions of Letter L or
  the N sessions of Letter N;
- ``meeting``: ``{"date", "time" ("15:30"), "place"}``, each optional;
- ``missed_meeting``: ISO date of the panel the parents missed;
- ``penalty_window``: ``{"first", "last", "unauthorised"}``, the 10 school
  weeks in which the penalty-notice threshold was met (FPN referral);
- ``recipients``: contact ids chosen by staff, replacing the default;
- ``parents_named``: contact ids a referral names, replacing the default;
- ``agency``: ``{"name", "address_lines"}`` of a referral's addressee;
- ``history``: ``[{"date", "text"}, ...]``; else the case's events (the
  safeguarding ones only in the MASH record);
- ``concern_summary``: the safeguarding lead's summary (MASH record).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from attendwise.core.calendar import academic_year_of
from attendwise.core.figures import WindowFigures
from attendwise.letters.errors import LetterError
from attendwise.letters.kinds import LetterKind
from attendwise.letters.merge import (
    Agency,
    HistoryEntry,
    LetterFacts,
    Letterhead,
    Meeting,
    PupilInfo,
    Session,
    ThresholdWindow,
    letter_context,
)
from attendwise.letters.recipients import (
    Addressee,
    ContactInfo,
    addressees,
    named_parents,
)
from attendwise.letters.render import default_template, render_html, render_pdf
from attendwise.web.cases.models import Event, Letter, Task
from attendwise.web.register.models import Contact, Pupil

logger = logging.getLogger(__name__)

DRAFTABLE = (Task.Status.PROPOSED, Task.Status.CONFIRMED)


@dataclass
class PreparedDrafts:
    """A task's letters merged into HTML, one per copy, waiting to be rendered."""

    task: Task
    kind: LetterKind
    folder: Path
    copies: list[tuple[Addressee | Agency, dict[str, object], str]]

    @property
    def htmls(self) -> list[str]:
        return [html for _, _, html in self.copies]


def prepare_drafts(
    task: Task,
    *,
    sender_name: str,
    sender_role: str,
    on_day: dt.date,
    template_source: str | None = None,
    letterhead: Letterhead | None = None,
) -> PreparedDrafts:
    """Return `task`'s letter merged for each copy (the PDFs are not made yet).

    LetterError when the task is not open, is not a letter, lacks figures,
    has nobody to write to, or its template cannot be rendered.
    """
    if task.status not in DRAFTABLE:
        raise LetterError(
            f"This item is {task.get_status_display().lower()}: "
            "its letters can no longer be drafted."
        )
    kind = _kind_of(task)
    pupil = task.pupil
    contacts = [_contact_info(c) for c in pupil.contacts.all()]
    facts = _facts(
        task,
        kind,
        contacts,
        sender_name=sender_name,
        sender_role=sender_role,
        on_day=on_day,
        letterhead=letterhead or Letterhead(pupil.school.name),
    )
    source = template_source if template_source is not None else default_template(kind)
    copies = []
    for copy in _copies(task, kind, contacts):
        context = letter_context(facts, copy)
        copies.append((copy, context, render_html(source, context, name=kind.value)))
    folder = (
        Path(settings.LETTERS_DIR) / pupil.school.slug / str(academic_year_of(on_day))
    )
    return PreparedDrafts(task, kind, folder, copies)


def store_drafts(prepared: PreparedDrafts, pdfs: Sequence[bytes]) -> list[Letter]:
    """Return the draft rows of `prepared`, given each copy's PDF, in order.

    Drafts already made for the task are replaced (rows and files). A copy
    approved or printed stays as it is, and its household or agency gets no
    new draft.
    """
    drafts = [
        (copy, context, pdf)
        for (copy, context, _), pdf in zip(prepared.copies, pdfs, strict=True)
    ]
    with transaction.atomic():
        letters = _replace_drafts(prepared.task, prepared.kind, drafts, prepared.folder)
    logger.info(
        "letters drafted",
        extra={
            "task": prepared.task.pk,
            "pupil": prepared.task.pupil_id,
            "count": len(letters),
        },
    )
    return letters


def draft_letters(
    task: Task,
    *,
    sender_name: str,
    sender_role: str,
    on_day: dt.date,
    template_source: str | None = None,
    letterhead: Letterhead | None = None,
) -> list[Letter]:
    """Return the new drafts of `task`'s letter, one per copy, in order.

    `template_source` is the school's edited template (default: the
    packaged one); `letterhead` defaults to the school's name alone. See
    prepare_drafts and store_drafts (a run drafting many letters renders
    their PDFs in parallel between the two).
    """
    prepared = prepare_drafts(
        task,
        sender_name=sender_name,
        sender_role=sender_role,
        on_day=on_day,
        template_source=template_source,
        letterhead=letterhead,
    )
    return store_drafts(prepared, [render_pdf(html) for html in prepared.htmls])


def approve_letter(
    letter: Letter, user: User, at: dt.datetime, *, on: dt.date
) -> Letter:
    """Return `letter` approved by `user` at `at`, recording the approval.

    `on` is the school day the approval is made on (the worklist's day:
    the web application's today, the CLI's --on, the demo's replayed
    day); the approval's event belongs to that day, and keeps `at` as
    when it was recorded.

    Compare-and-set: only a draft is approved, so two people approving at
    once approve it once. LetterError when it is already approved or
    printed, when the draft has been replaced, when a contact it is
    addressed to has since been barred by a court order, or when its PDF is
    no longer the file that was drafted.
    """
    with transaction.atomic():
        current = Letter.objects.select_for_update().filter(pk=letter.pk).first()
        if current is None:
            raise LetterError("This draft has been replaced: approve the new draft.")
        if current.status != Letter.Status.DRAFT:
            raise LetterError(
                f"This letter has already been {current.get_status_display().lower()}."
            )
        ids = current.addressees.get("contact_ids", [])
        if Contact.objects.filter(pk__in=ids, court_order_bar=True).exists():
            raise LetterError(
                "Someone this draft is addressed to is now barred by a court "
                "order: draft it again."
            )
        if _sha256_of(Path(settings.LETTERS_DIR) / current.pdf_path) != current.sha256:
            raise LetterError(
                "The PDF of this letter has changed since it was drafted: "
                "draft it again."
            )

        updated = Letter.objects.filter(
            pk=letter.pk, status=Letter.Status.DRAFT
        ).update(status=Letter.Status.APPROVED, approved_at=at, approved_by=user)
        if updated != 1:
            raise LetterError("This letter has already been approved.")
        _record_approval(current, user, at, on)

    letter.refresh_from_db()
    return letter


def withdraw_drafts(pupil_id: int) -> int:
    """Return how many drafts of the pupil's open items were withdrawn.

    Their rows go now and their files once the caller's transaction
    commits. The caller drafts them again (draft_pending); an item left
    without a draft is drafted when it is confirmed, on the contacts as
    they are then. Approved and printed letters stay as they are.
    """
    drafts = Letter.objects.select_for_update().filter(
        pupil_id=pupil_id,
        status=Letter.Status.DRAFT,
        task__status__in=(Task.Status.PROPOSED, Task.Status.QUEUED),
    )
    rows = list(drafts.values_list("pk", "pdf_path"))
    Letter.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    paths = {path for _, path in rows}
    transaction.on_commit(lambda: _remove(paths))
    return len(rows)


def _record_approval(letter: Letter, user: User, at: dt.datetime, on: dt.date) -> None:
    task = letter.task
    title = LetterKind(letter.kind).info.title
    names = ", ".join(letter.addressees.get("names", []))
    Event.objects.create(
        school=task.school,
        pupil=letter.pupil,
        case=task.case,
        kind="letter.approved",
        school_day=on,
        recorded_at=at,
        actor=user,
        summary=f"{title} to {names} approved by {user.get_username()}.",
        figures=task.figures,
        data={"letter": letter.pk, "task": task.pk, "sha256": letter.sha256},
        safeguarding=task.safeguarding,
    )


# Drafting, step by step -------------------------------------------------


def _kind_of(task: Task) -> LetterKind:
    value = task.payload.get("letter", task.kind)
    try:
        return LetterKind(value)
    except ValueError:
        raise LetterError(f"This item ({task.title}) has no letter.") from None


def _contact_info(contact: Contact) -> ContactInfo:
    lines = (contact.address_line_1,) if contact.address_line_1 else ()
    return ContactInfo(
        title=contact.title,
        forename=contact.forename,
        surname=contact.surname,
        relationship=contact.relationship,
        parental_responsibility=contact.parental_responsibility,
        lives_with_pupil=contact.lives_with_pupil,
        address_lines=lines,
        town=contact.town,
        postcode=contact.postcode,
        receives_correspondence=contact.receives_correspondence,
        court_order_bar=contact.court_order_bar,
        priority=contact.priority,
        phone=contact.mobile,
        contact_id=contact.pk,
    )


def _copies(
    task: Task, kind: LetterKind, contacts: list[ContactInfo]
) -> list[Addressee | Agency]:
    if kind.to_agency:
        agency = task.payload.get("agency") or {}
        return [
            Agency(
                str(agency.get("name") or kind.info.agency),
                tuple(str(line) for line in agency.get("address_lines", ())),
            )
        ]

    copies = addressees(contacts, chosen=_ids(task.payload, "recipients"))
    if not copies:
        raise LetterError(
            "Nobody can receive this letter: no contact of the pupil has parental "
            "responsibility or lives with the pupil and may receive correspondence."
        )
    return list(copies)


def _facts(
    task: Task,
    kind: LetterKind,
    contacts: list[ContactInfo],
    *,
    sender_name: str,
    sender_role: str,
    on_day: dt.date,
    letterhead: Letterhead,
) -> LetterFacts:
    payload = task.payload
    pupil = task.pupil
    home = next(
        (c for c in sorted(contacts, key=_priority) if c.lives_with_pupil), None
    )
    target = payload.get("target_percent")
    return LetterFacts(
        kind=kind,
        letterhead=letterhead,
        sender_name=sender_name,
        sender_role=sender_role,
        on_day=on_day,
        reference=f"{pupil.mis_id}/{task.pk}",
        pupil=_pupil_info(pupil),
        figures=_window(task.figures),
        left_out_codes=tuple(
            str(c) for c in task.figures.get("not_possible_codes", ())
        ),
        target_percent=None if target is None else int(target),
        listed_sessions=tuple(
            Session(_date(day, "payload sessions"), str(part))
            for day, part in payload.get("sessions", ())
        ),
        meeting=_meeting(payload.get("meeting") or {}),
        missed_meeting=_optional_date(payload.get("missed_meeting"), "missed_meeting"),
        threshold=_threshold(payload.get("penalty_window")),
        pupil_address_lines=home.postal_lines if home else (),
        parents_named=_parents_named(task, kind, contacts),
        history=_history(task, kind) if kind.to_agency else (),
        concern_summary=str(payload.get("concern_summary", "")),
    )


def _priority(contact: ContactInfo) -> int:
    return contact.priority


def _pupil_info(pupil: Pupil) -> PupilInfo:
    return PupilInfo(
        forename=pupil.legal_forename,
        surname=pupil.legal_surname,
        date_of_birth=pupil.date_of_birth,
        upn=pupil.upn,
        year_group=pupil.year_group,
        reg_group=pupil.reg_group,
        sen=pupil.get_sen_display(),
    )


def _window(figures: Mapping[str, Any]) -> WindowFigures:
    possible = _count(figures, "possible")
    attended = _count(figures, "attended")
    unauthorised = _count(figures, "unauthorised")
    authorised = int(figures.get("authorised", possible - attended - unauthorised))
    return WindowFigures(
        first=_date(figures.get("period_first"), "figures period_first"),
        last=_date(figures.get("period_last"), "figures period_last"),
        possible=possible,
        attended=attended,
        authorised=authorised,
        unauthorised=unauthorised,
        i_possible=int(figures.get("i_possible", possible)),
        i_attended=int(figures.get("i_attended", attended)),
        illness=int(figures.get("illness", 0)),
        medical=int(figures.get("medical", 0)),
    )


def _count(figures: Mapping[str, Any], key: str) -> int:
    value = figures.get(key)
    if not isinstance(value, int) or value < 0:
        raise LetterError(
            f"The item's figures lack '{key}' (a count of sessions): "
            "the letter cannot show them."
        )
    return value


def _date(value: object, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise LetterError(f"The item's {where} is not a date: {value!r}.") from None


def _optional_date(value: object, where: str) -> dt.date | None:
    return None if value in (None, "") else _date(value, where)


def _meeting(meeting: Mapping[str, Any]) -> Meeting:
    time = meeting.get("time")
    try:
        clock = None if time in (None, "") else dt.time.fromisoformat(str(time))
    except ValueError:
        raise LetterError(f"The meeting time {time!r} is not a time.") from None
    return Meeting(
        date=_optional_date(meeting.get("date"), "meeting date"),
        time=clock,
        place=str(meeting.get("place", "")),
    )


def _threshold(window: Mapping[str, Any] | None) -> ThresholdWindow | None:
    if not window:
        return None
    return ThresholdWindow(
        first=_date(window.get("first"), "penalty_window first"),
        last=_date(window.get("last"), "penalty_window last"),
        unauthorised=int(window.get("unauthorised", 0)),
    )


def _ids(payload: Mapping[str, Any], key: str) -> list[int] | None:
    ids = payload.get(key)
    return None if ids is None else [int(i) for i in ids]


def _parents_named(
    task: Task, kind: LetterKind, contacts: list[ContactInfo]
) -> tuple[ContactInfo, ...]:
    if not kind.to_agency:
        return ()
    return named_parents(
        contacts,
        living_with_only=kind is LetterKind.FPN_REFERRAL,
        chosen=_ids(task.payload, "parents_named"),
    )


def _history(task: Task, kind: LetterKind) -> tuple[HistoryEntry, ...]:
    given: Sequence[Mapping[str, Any]] | None = task.payload.get("history")
    if given is not None:
        return tuple(
            HistoryEntry(_date(e.get("date"), "history date"), str(e.get("text", "")))
            for e in given
        )
    if task.case is None:
        return ()
    events = task.case.events.all()
    if kind is not LetterKind.MASH_REFERRAL:
        # Safeguarding records go to the MASH record only.
        events = events.filter(safeguarding=False)
    return tuple(HistoryEntry(e.school_day, e.summary) for e in events)


def _copy_record(copy: Addressee | Agency) -> dict[str, object]:
    if isinstance(copy, Agency):
        return {
            "key": "agency",
            "names": [copy.name],
            "address_lines": list(copy.address_lines),
            "contact_ids": [],
        }
    return {
        "key": copy.address_key or "contacts " + ",".join(map(str, copy.contact_ids)),
        "names": list(copy.names),
        "address_lines": list(copy.address_lines),
        "contact_ids": list(copy.contact_ids),
    }


def _replace_drafts(
    task: Task,
    kind: LetterKind,
    drafts: list[tuple[Addressee | Agency, dict[str, object], bytes]],
    folder: Path,
) -> list[Letter]:
    """Return the new draft rows, replacing the task's old drafts.

    Runs inside the caller's transaction, holding the task's row so that two
    drafts of one task cannot interleave.
    """
    Task.objects.select_for_update().filter(pk=task.pk).first()
    existing = list(Letter.objects.select_for_update().filter(task=task))
    kept = [letter for letter in existing if letter.status != Letter.Status.DRAFT]
    kept_keys = {letter.addressees.get("key") for letter in kept}
    taken = {letter.pdf_path for letter in kept}
    old = [letter for letter in existing if letter.status == Letter.Status.DRAFT]
    Letter.objects.filter(pk__in=[letter.pk for letter in old]).delete()

    relative = folder.relative_to(Path(settings.LETTERS_DIR))
    created: list[Letter] = []
    number = 0
    now = timezone.now()
    for copy, context, pdf in drafts:
        record = _copy_record(copy)
        if record["key"] in kept_keys:
            continue
        number += 1
        while str(relative / _file_name(task, number)) in taken:
            number += 1
        path = relative / _file_name(task, number)
        _write(Path(settings.LETTERS_DIR) / path, pdf)
        created.append(
            Letter.objects.create(
                task=task,
                pupil=task.pupil,
                kind=kind.value,
                addressees=record,
                merge=context,
                pdf_path=str(path),
                sha256=hashlib.sha256(pdf).hexdigest(),
                created_at=now,
            )
        )

    stale = {letter.pdf_path for letter in old} - {ltr.pdf_path for ltr in created}
    transaction.on_commit(lambda: _remove(stale))
    return created


def _file_name(task: Task, number: int) -> str:
    # Ids only: a file name must never carry a pupil's or parent's name.
    return f"{task.pupil_id}-{task.pk}-{number}.pdf"


def _write(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (rename over the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(paths: set[str]) -> None:
    for path in paths:
        (Path(settings.LETTERS_DIR) / path).unlink(missing_ok=True)


def _sha256_of(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""
