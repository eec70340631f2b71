"""The benchmark harness and the synthetic year (no timings are asserted)."""

import io

import polars as pl
from benchmarks.__main__ import discover, main
from benchmarks.bench_measures import synthetic_year
from benchmarks.harness import Measurement, Result, measure, report

from attendwise.core.codes import classify
from attendwise.core.measures import pupil_measures


def test_the_harness_finds_every_bench_module():
    assert "bench_measures" in discover()
    assert discover(["measures"]) == ["bench_measures"]
    assert discover(["no such benchmark"]) == []


def test_asking_for_a_benchmark_that_does_not_exist_fails_with_a_message():
    out = io.StringIO()

    assert main(["no such benchmark"], out) == 2
    assert "no benchmark matches" in out.getvalue()


def test_the_synthetic_year_marks_every_session_with_a_valid_code():
    marks, pupils, calendar = synthetic_year(pupils=30)

    assert marks.height == 30 * 190 * 2
    assert pupils["pupil_id"].to_list() == list(range(1, 31))
    assert pupils["entry_date"].max() <= calendar.school_days[0]
    for code, day in marks.select("code", "date").unique().iter_rows():
        classify(code, day)


def test_the_synthetic_year_is_the_same_for_the_same_seed():
    first, _, _ = synthetic_year(pupils=30, seed=7)
    again, _, _ = synthetic_year(pupils=30, seed=7)
    other, _, _ = synthetic_year(pupils=30, seed=8)

    assert first.equals(again)
    assert not first.equals(other)


def test_measure_returns_the_first_value_and_counts_its_runs():
    calls = []
    measurement, value = measure(
        "a step", lambda: calls.append(1) or len(calls), runs=3
    )

    assert value == 1
    assert len(calls) == 3
    assert measurement.runs == 3
    assert measurement.memory_method in (
        "peak RSS",
        "tracemalloc (Python objects only)",
    )


def test_a_result_reports_its_ratio_against_the_scaled_baseline():
    subject = Measurement("polars", 0.5, 5, 2**20, "peak RSS")
    baseline = Measurement("python", 2.0, 1, 2**20, "peak RSS", scale=20)
    result = Result("example", subject, baseline, notes=("a note",))
    out = io.StringIO()

    report(result, out)

    assert result.ratio == 80
    assert "2.000 s x 20 = 40.0 s" in out.getvalue()
    assert "80.0x faster than the baseline" in out.getvalue()
    assert "- a note" in out.getvalue()


def test_a_slower_subject_says_how_many_times_slower():
    subject = Measurement("database", 1.5, 1, None, "n/a")
    baseline = Measurement("loop", 0.2, 5, None, "n/a")
    out = io.StringIO()

    report(Result("example", subject, baseline), out)

    assert "7.5x slower than the baseline" in out.getvalue()


def test_the_synthetic_year_has_roughly_national_absence():
    marks, pupils, calendar = synthetic_year(pupils=2_000)

    measures = pupil_measures(marks, pupils, calendar, calendar.school_days[-1])
    figures = measures.select(
        absence=1 - pl.col("ytd_attended").sum() / pl.col("ytd_possible").sum(),
        pa=pl.col("pa").mean(),
    ).row(0)

    assert 0.05 < figures[0] < 0.09
    assert 0.15 < figures[1] < 0.25


def test_the_large_import_benchmark_is_found_but_not_run_by_the_tests():
    assert "bench_import_large" in discover(["import"])
