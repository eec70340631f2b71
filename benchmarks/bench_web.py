"""The worklist and a pupil's page under 20 concurrent users, on loopback.

Builds the demo school (600 pupils, registers to mid-November) in a
temporary SQLite database, runs the daily run once, then starts
`attendwise serve` on 127.0.0.1 and lets 20 signed-in users each open
the page a fixed number of times at once. Reports p50 and p95 latency;
the baseline is the sign-in page (no database work beyond the session)
under the same load in the same run. Bounded: a fixed count of requests
per user, and a time limit after which the load stops.

Run alone with `python -m benchmarks web`.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness import Measurement, Result

USERS = 20
REQUESTS_PER_USER = 10
TIME_LIMIT = 120.0
THROUGH = dt.date(2025, 11, 14)
PASSWORD = "benchmark-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(home: Path) -> dict[str, str]:
    return os.environ | {
        "ATTENDWISE_HOME": str(home),
        "DATABASE_URL": f"sqlite:///{home}/bench.sqlite3",
        "ATTENDWISE_TODAY": THROUGH.isoformat(),
        "DJANGO_SETTINGS_MODULE": "attendwise.web.settings",
        # As deployed: debug off (cached templates, no query log).
        "ATTENDWISE_DEBUG": "0",
        "ATTENDWISE_SECRET_KEY": "benchmark-only-secret-key-not-for-use",
    }


def _build_school(home: Path) -> tuple[int, int]:
    """Create the demo school in a child process; return (pupils, a pupil id)."""
    script = f"""
import datetime
from pathlib import Path
from attendwise.cli import _setup_django
_setup_django()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from attendwise.calendars import __file__ as cal
from attendwise.core.calendar import load_calendar
from attendwise.core.policy import shipped_policy_text
from attendwise.demo import DEFAULT_SEED, generate_school, write_sims_export
from attendwise.web.cases.models import Task
from attendwise.web.cases.services import daily_run
from attendwise.web.register import services
from attendwise.web.ui.cli import add_user
from attendwise.web.ui.roles import Role
text = (Path(cal).parent / "reference-2025-26.toml").read_text()
calendar = load_calendar(text)
demo = generate_school(seed=DEFAULT_SEED, calendar=calendar, through={THROUGH!r})
files = write_sims_export(demo, Path({str(home)!r}) / "export")
school = services.create_school("demo", demo.name if hasattr(demo, "name") else "Demo",
                                text, shipped_policy_text())
services.import_pupils(school, files["pupils"].read_bytes(), "pupils.csv",
                       on=datetime.date(2025, 12, 11))
services.import_contacts(school, files["contacts"].read_bytes(), "contacts.csv")
services.import_register(school, files["sessions"].read_bytes(), "sessions.csv", "sims")
daily_run(school, {THROUGH!r}, draft=False)
for number in range({USERS}):
    add_user(f"user{{number}}", school, Role.OFFICER, {PASSWORD!r})
task = Task.objects.filter(school=school, status="proposed").order_by("-id").first()
waiting = Task.objects.filter(status="proposed").count()
print(school.pupils.count(), task.pupil_id, waiting)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=_environment(home),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    pupils, pupil_id, _ = (int(v) for v in done.stdout.split()[-3:])
    return pupils, pupil_id


class _User:
    """One signed-in browser: a cookie jar and its CSRF token."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(f"{base}/sign-in/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": PASSWORD,
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/sign-in/", data=form, headers={"Referer": f"{base}/sign-in/"}
        )
        landed = self.opener.open(request, timeout=30)
        assert landed.url.endswith("/worklist/"), landed.url

    def get(self, path: str) -> float:
        start = time.perf_counter()
        with self.opener.open(f"{self.base}{path}", timeout=60) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
        return time.perf_counter() - start


def _load(users: list[_User], path: str) -> tuple[list[float], int]:
    """Return every latency and the number of failed requests."""
    latencies: list[float] = []
    failures = [0]
    deadline = time.monotonic() + TIME_LIMIT
    barrier = threading.Barrier(len(users))
    lock = threading.Lock()

    def work(user: _User) -> None:
        barrier.wait(timeout=60)
        for _ in range(REQUESTS_PER_USER):
            if time.monotonic() > deadline:
                return
            try:
                seconds = user.get(path)
            except Exception:
                with lock:
                    failures[0] += 1
                continue
            with lock:
                latencies.append(seconds)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT + 60)
    return latencies, failures[0]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _measurement(label: str, latencies: list[float]) -> Measurement:
    return Measurement(
        label=label,
        seconds=statistics.median(latencies),
        runs=len(latencies),
        peak_bytes=None,
        memory_method="not measured (another process)",
    )


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("attendwise serve stopped before answering")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("attendwise serve did not answer within a minute")


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory)
        pupils, pupil_id = _build_school(home)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "attendwise.cli", "serve", "--port", str(port)],
            env=_environment(home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"{base}/sign-in/", server)
            users = [_User(base, f"user{number}") for number in range(USERS)]
            baseline, _ = _load(users, "/sign-in/")
            results = []
            pages: list[tuple[str, str]] = [
                ("worklist", "/worklist/"),
                ("pupil page", f"/pupils/{pupil_id}/"),
            ]
            for name, path in pages:
                latencies, failures = _load(users, path)
                results.append(_result(name, latencies, failures, baseline, pupils))
            return results
        finally:
            server.terminate()
            server.wait(timeout=30)


def _result(
    name: str,
    latencies: list[float],
    failures: int,
    baseline: list[float],
    pupils: int,
) -> Result:
    return Result(
        name=f"web: the {name}, {USERS} concurrent users ({pupils} pupils)",
        subject=_measurement(f"{name} p50", latencies),
        baseline=_measurement("sign-in page p50", baseline),
        notes=(
            f"{name}: p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms over "
            f"{len(latencies)} requests, {failures} failed",
            f"sign-in page: p50 {statistics.median(baseline) * 1000:.0f} ms, "
            f"p95 {_percentile(baseline, 0.95) * 1000:.0f} ms",
            "waitress, 8 threads, SQLite, loopback; the ratio is below 1 when "
            "the page is slower than the baseline",
        ),
    )


def main(write: Callable[[str], object] = print) -> None:
    import io

    from benchmarks.harness import report

    out = io.StringIO()
    for result in run():
        report(result, out)
    write(out.getvalue())


if __name__ == "__main__":
    main()
