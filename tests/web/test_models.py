import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendwise.web.register.models import Mark, Pupil, School

pytestmark = pytest.mark.django_db


def make_pupil() -> Pupil:
    school = School.objects.create(
        name="Test School", slug="test", calendar_text="", policy_text=""
    )
    return Pupil.objects.create(
        school=school,
        mis_id="1",
        legal_surname="Example",
        legal_forename="Pat",
        entry_date=dt.date(2025, 9, 3),
    )


def test_a_session_holds_one_mark():
    pupil = make_pupil()
    fields = {"pupil": pupil, "date": dt.date(2025, 9, 3), "session": "AM"}
    Mark.objects.create(**fields, code="/", source_code="/", updated_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(
            **fields, code="N", source_code="N", updated_at=timezone.now()
        )

    assert Mark.objects.get(**fields).code == "/"
