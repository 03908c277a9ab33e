"""The `helpline` command as operators and scripts use it: --json output, one-line errors."""

import json
import os
import subprocess

import pytest

from tests.helpers import PROJECT_ROOT

HELPLINE = str(PROJECT_ROOT / ".venv" / "bin" / "helpline")
SAMPLE = str(PROJECT_ROOT / "referral" / "data" / "sample_facilities.csv")


def runner(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "HELPLINE_DATA_DIR": str(tmp_path)}

    def helpline(*args):
        return subprocess.run([HELPLINE, *args], env=env, capture_output=True, text=True, timeout=120)

    return helpline


@pytest.fixture
def run(tmp_path):
    """The command on the embedded SQLite database, migrated first as an operator would."""
    helpline = runner(f"sqlite:///{tmp_path / 'helpline.db'}", tmp_path)
    assert helpline("db", "upgrade").returncode == 0
    return helpline


def test_commands_refuse_a_database_that_is_not_migrated_and_db_upgrade_migrates(tmp_path):
    helpline = runner(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    refused = helpline("cases", "list", "--json")
    assert refused.returncode == 2
    assert one_line_error(refused) == "helpline: error: the database schema is not up to date; run `helpline db upgrade`"
    upgraded = helpline("db", "upgrade", "--json")
    assert upgraded.returncode == 0 and json.loads(upgraded.stdout) == {"status": "ok"}
    assert json.loads(helpline("cases", "list", "--json").stdout) == {"cases": []}


@pytest.fixture
def run_on_each_database(database_url, tmp_path):
    """The command on SQLite, then on PostgreSQL."""
    return runner(database_url, tmp_path)


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_lists_the_contract_commands(run):
    out = run("--help").stdout
    for command in ("run", "gazetteer", "route", "facilities", "cases"):
        assert command in out


def test_gazetteer_json(run):
    result = run("gazetteer", "--json", "kec. kasihan, bantul")
    data = json.loads(result.stdout)
    best = data["matches"][0]
    assert best["code"] == "34.02.16" and best["regency_code"] == "34.02" and 0 < best["score"] <= 1
    assert best["latitude"] and best["longitude"]


def test_gazetteer_bad_input(run):
    result = run("gazetteer", "   ")
    assert result.returncode == 2 and one_line_error(result).startswith("helpline: error:")


def test_import_route_and_export(run_on_each_database):
    run = run_on_each_database
    imported = run("facilities", "import", "--json", SAMPLE)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["created"] == 185

    routed = json.loads(run("route", "--json", "--category", "violence", "--lat", "-7.80", "--lon", "110.36").stdout)
    assert routed["facility"]["distance_km"] < 10
    assert "pendampingan_korban" in routed["required_services"]
    assert len(routed["alternatives"]) == 3
    assert all(a["distance_km"] >= routed["facility"]["distance_km"] for a in routed["alternatives"])

    by_place = json.loads(run("route", "--json", "--category", "elderly_care", "--place", "sleman").stdout)
    assert by_place["region"]["code"] == "34.04"
    assert set(by_place["facility"]["services"]) & {"perawatan_lansia", "home_care_lansia"}

    exported = run("facilities", "export").stdout.splitlines()
    assert exported[0].startswith("code,name,kind,services,latitude,longitude")
    assert len(exported) == 186


@pytest.mark.parametrize(
    "args, reason",
    [
        (("route", "--category", "weather", "--place", "sleman"), "unknown category 'weather'"),
        (("route", "--category", "aid", "--lat", "200", "--lon", "110"), "--lat must be between -90 and 90"),
        (("route", "--category", "aid", "--lat", "abc", "--lon", "110"), "--lat must be a number"),
        (("route", "--category", "aid", "--lat", "-7.8"), "give both --lat and --lon"),
        (("route", "--category", "aid", "--place", "qqqqzzzz"), "no region matches 'qqqqzzzz'"),
        (("cases", "show", "MPKS-26-1"), "not a ticket number"),
        (("cases", "show", "MPKS-2026-99999"), "no case with ticket MPKS-2026-99999"),
        (("facilities", "import", "/nonexistent.csv"), "no such file"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(run, args, reason):
    result = run(*args)
    assert result.returncode == 2
    assert reason in one_line_error(result)


def test_bad_directory_lists_rows_and_imports_nothing(run_on_each_database, tmp_path):
    run = run_on_each_database
    bad = tmp_path / "bad.csv"
    bad.write_text(open(SAMPLE).read() + "X,Nama,UNKNOWN,konseling,-7,110,,,,,,true\n")
    result = run("facilities", "import", str(bad))
    assert result.returncode == 2
    assert "row 187: unknown kind 'UNKNOWN'" in result.stderr
    assert run("facilities", "export").stdout.strip().splitlines() == [
        "code,name,kind,services,latitude,longitude,province_code,regency_code,district_code,address,phone,active"
    ]


def test_cases_list_json_empty(run):
    assert json.loads(run("cases", "list", "--json").stdout) == {"cases": []}
