"""`newsflow search --count / --by`: how many articles match, per period, source and agency;
and the contract of an empty result (--json prints [] and exits 0).

The store is tests/db/test_timeline.py's: nine articles with known dates, one copy, one
undated, one in French.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner, Result

from newsflow.cli import main
from newsflow.cli.search import plural, sparkline
from tests.db.test_timeline import store_timeline_articles


def _search(*args: str) -> Result:
    return CliRunner().invoke(main, ["search", *args], prog_name="newsflow")


@pytest.fixture
def stored(database_url: str) -> dict[str, int]:
    return store_timeline_articles(database_url)


def test_counts_and_series(stored: dict[str, int]) -> None:
    counted = _search("Aleppo", "--count")
    assert counted.exit_code == 0, counted.output
    assert counted.stdout == "8\n"
    assert counted.stderr == "8 articles match 'Aleppo' (7 originals, 1 copy)\n"
    one = _search("Kremlin", "--count")
    assert one.stderr == "1 article matches 'Kremlin' (1 original, 0 copies)\n"
    assert _search("Aleppo", "--count", "--json").stdout == '{"count": 8}\n'
    assert _search("nowhere", "--count", "--json").stdout == '{"count": 0}\n'
    narrowed = _search("Aleppo", "--count", "--lang", "en", "--source", "sana-en", "--json")
    assert json.loads(narrowed.stdout) == {"count": 3}  # the undated one too

    weekly = _search("Aleppo", "--by", "week", "--per", "agency")
    assert weekly.exit_code == 0, weekly.output
    assert weekly.stdout.splitlines() == [
        "week of     total  sana  tass  xinhua",
        "2016-10-17      5     3     2       0",
        "2016-10-24      1     0     0       1",
        "2016-10-31      1     0     0       1",
        "",
        "2016-10-17 … 2016-10-31",
        "total   █▂▂  7",  # the undated article is in no week
        "sana    █▁▁  3",
        "tass    █▁▁  2",
        "xinhua  ▁██  2",
    ]
    assert weekly.stderr == "7 articles (6 originals) match 'Aleppo' over 3 weeks\n"

    monthly = _search(
        "Aleppo", "--by", "month", "--per", "source", "--since", "2016-09-01", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(monthly.stdout)))
    assert list(rows[0]) == ["period", "source", "agency", "articles", "originals"]
    assert [(r["period"], r["source"], r["articles"]) for r in rows if r["articles"] != "0"] == [
        ("2016-10-01", "sana-en", "2"),
        ("2016-10-01", "sana-fr", "1"),
        ("2016-10-01", "tass-en", "2"),
        ("2016-10-01", "xinhua-en", "1"),
        ("2016-11-01", "xinhua-en", "1"),
    ]
    assert {r["period"] for r in rows} == {"2016-09-01", "2016-10-01", "2016-11-01"}
    days = _search("Aleppo", "--by", "day", "--since", "2016-10-18", "--until", "2016-10-19")
    assert days.stdout.splitlines()[:3] == [
        "day         articles",
        "2016-10-18         0",
        "2016-10-19         4",
    ]
    as_json = _search("Aleppo", "--by", "day", "--until", "2016-10-17", "--json")
    assert json.loads(as_json.stdout) == [{"period": "2016-10-17", "articles": 1, "originals": 1}]


def test_nothing_found(stored: dict[str, int]) -> None:
    listed = _search("nowhere", "--json")
    assert (listed.exit_code, listed.stdout) == (0, "[]\n")  # programs want a list
    assert listed.stderr == "0 results (copies and stories folded; --all-copies lists them)\n"
    people = _search("nowhere")
    assert people.exit_code == 1 and people.stdout == ""
    assert people.stderr == "newsflow: error: no stored article matches 'nowhere'\n"
    one = _search("Kremlin")
    assert one.stderr == "1 result (copies and stories folded; --all-copies lists them)\n"
    series = _search("nowhere", "--by", "day")
    assert series.exit_code == 1
    assert series.stderr == "newsflow: error: no dated stored article matches 'nowhere'\n"
    assert _search("nowhere", "--by", "day", "--format", "csv").stdout == (
        "period,articles,originals\n"
    )
    assert _search("nowhere", "--by", "day", "--json").stdout == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--count", "--by", "day"), "--count gives one total, --by a series"),
        (("--per", "agency"), "--per needs --by day, week or month"),
        (("--format", "csv"), "--format goes with --count or --by"),
        (("--count", "--all-copies"), "--all-copies and --limit shape the list of results"),
        (("--by", "day", "--limit", "5"), "--all-copies and --limit shape the list of results"),
        (("--by", "day", "--json", "--format", "csv"), "--json and --format csv ask for two"),
        (("--by", "year"), "'year' is not one of 'day', 'week', 'month'"),
    ],
)
def test_options_that_do_not_go_together(args: tuple[str, ...], message: str) -> None:
    result = _search("Aleppo", *args)
    assert result.exit_code != 0
    assert message in result.stderr and result.stdout == ""


def test_sparklines_and_plurals() -> None:
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([1000, 1]) == "█▂"  # a little is more than nothing
    assert sparkline(list(range(120)), width=60) == sparkline(
        [2 * i + 2 * i + 1 for i in range(60)]
    )
    assert len(sparkline([1] * 1000)) == 59  # 1,000 days in marks of 17
    assert [plural(n, "copy", "copies") for n in (0, 1, 2)] == ["0 copies", "1 copy", "2 copies"]
    assert plural(1234, "result") == "1,234 results"
