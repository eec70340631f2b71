"""The child process of test_interrupted_import (`python -m` this module).

Phases (the database comes from DATABASE_URL):

- setup: migrate, create a school, import 50 pupils and their first week;
- snapshot: print every register table as JSON;
- import: import the later file (35 days, a few first-week marks changed);
- kill: the same import, killed with SIGKILL by its own progress callback
  once the first chunk of new marks has been written inside the
  transaction (reading reports progress in other amounts).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys

PUPILS = 50
FIRST = dt.date(2025, 9, 8)


def _school_days(count: int) -> list[dt.date]:
    days, day = [], FIRST
    while len(days) < count:
        if day.weekday() < 5 and not (
            dt.date(2025, 10, 27) <= day <= dt.date(2025, 10, 31)
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _register(days: int, *, changed: bool) -> bytes:
    lines = ["pupil,date,session,mark"]
    for number in range(PUPILS):
        for index, day in enumerate(_school_days(days)):
            for session, present in (("AM", "/"), ("PM", "\\")):
                mark = present
                if changed and index == 0 and number % 10 == 0:
                    mark = "I"
                lines.append(f"{4000 + number},{day.isoformat()},{session},{mark}")
    return ("\n".join(lines) + "\n").encode()


def main(phase: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendwise.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from attendwise.web.register import services
    from attendwise.web.register.models import School
    from tests.import_factories import IMPORT_DAY, pupil_row, pupils_csv
    from tests.web.register_factories import REFERENCE_CALENDAR, snapshot

    if phase == "setup":
        call_command("migrate", verbosity=0)
        school = services.create_school("elm", "Elm School", REFERENCE_CALENDAR)
        rows = [pupil_row(str(4000 + n)) for n in range(PUPILS)]
        services.import_pupils(school, pupils_csv(*rows), "pupils.csv", on=IMPORT_DAY)
        services.import_register(school, _register(5, changed=False), "week.csv")
        return
    if phase == "snapshot":
        json.dump(snapshot(), sys.stdout, default=str, sort_keys=True)
        return
    school = School.objects.get(slug="elm")
    data = _register(35, changed=True)

    def die_after_first_chunk(done: int) -> None:
        if phase == "kill" and done == services.CHUNK:
            os.kill(os.getpid(), signal.SIGKILL)

    services.import_register(school, data, "term.csv", progress=die_after_first_chunk)


if __name__ == "__main__":
    main(sys.argv[1])
