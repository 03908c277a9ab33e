import csv
import io

import pytest

from referral.facilities import COLUMNS, ImportFailed, export_csv, import_rows, parse_csv, read_csv_text, routing_points
from referral.models import Facility
from referral.service_catalogue import KINDS, SERVICES
from referral.storage import unit_of_work
from tests.helpers import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "referral" / "data" / "sample_facilities.csv"
HEADER = ",".join(COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


GOOD = "PSKM-1,PSKM Sleman (contoh),PSKM,pendampingan_korban;konseling,-7.716,110.356,,,,Jl. Contoh,,true"


def test_region_codes_are_filled_from_the_gazetteer(gazetteer):
    [row] = read_csv_text(csv_text(GOOD), gazetteer)
    assert (row.province_code, row.regency_code, row.district_code) == ("34", "34.04", "34.04.13")
    assert row.services == ("pendampingan_korban", "konseling") and row.active


@pytest.mark.parametrize(
    "line, message",
    [
        ("X-1,Nama,HOSPITAL,konseling,-7.7,110.3,,,,,,true", "row 2: unknown kind 'HOSPITAL'"),
        ("X-1,Nama,PSKM,konseling;pijat,-7.7,110.3,,,,,,true", "row 2: unknown service(s) pijat"),
        ("X-1,Nama,PSKM,konseling,51.5,-0.12,,,,,,true", "row 2: coordinates 51.5, -0.12 are outside Indonesia"),
        ("X-1,,PSKM,konseling,-7.7,110.3,,,,,,true", "row 2: name is required"),
        ("X-1,Nama,PSKM,,-7.7,110.3,,,,,,true", "row 2: services is required"),
        ("X-1,Nama,PSKM,konseling,abc,110.3,,,,,,true", "row 2: latitude 'abc' is not a number"),
        ("X-1,Nama,PSKM,konseling,-7.7,,,,,,,true", "row 2: give both latitude and longitude, or neither"),
        ("X-1,Nama,PSKM,konseling,,,,,,,,true", "row 2: needs coordinates or at least a province_code"),
        ("X-1,Nama,PSKM,konseling,,,99,,,,,true", "row 2: province_code '99' is not a known region"),
        ("X-1,Nama,PSKM,konseling,-7.7,110.3,,,,,,maybe", "row 2: active 'maybe' must be true or false"),
    ],
)
def test_each_bad_row_is_named(gazetteer, line, message):
    with pytest.raises(ImportFailed) as caught:
        read_csv_text(csv_text(line), gazetteer)
    assert any(error.startswith(message) for error in caught.value.errors), caught.value.errors


def test_all_problems_are_listed_with_row_numbers_and_duplicates_caught(gazetteer):
    text = csv_text(GOOD, GOOD.replace("PSKM Sleman", "Lagi"), "X-2,Nama,PSKM,konseling,51.5,-0.12,,,,,,true")
    with pytest.raises(ImportFailed) as caught:
        read_csv_text(text, gazetteer)
    assert caught.value.errors == [
        "row 3: duplicate code 'PSKM-1' (first on row 2)",
        "row 4: coordinates 51.5, -0.12 are outside Indonesia (latitude -11.5..6.5, longitude 94.5..141.5)",
    ]


def test_missing_columns_are_named():
    with pytest.raises(ImportFailed, match="missing column"):
        read_csv_text("code,name\nA,B\n")


def test_import_is_all_or_nothing_and_export_round_trips(sessions, gazetteer):
    with unit_of_work(sessions) as session:
        summary = import_rows(session, read_csv_text(csv_text(GOOD), gazetteer))
        assert (summary.created, summary.updated) == (1, 0)
    with pytest.raises(ImportFailed):  # one bad row: the good one beside it is not written either
        read_csv_text(csv_text(GOOD.replace("PSKM-1", "PSKM-2"), "X-3,Nama,NOPE,konseling,-7,110,,,,,,true"), gazetteer)
    with unit_of_work(sessions) as session:
        assert session.query(Facility).count() == 1
        updated = import_rows(session, read_csv_text(csv_text(GOOD.replace("true", "false")), gazetteer))
        assert (updated.created, updated.updated) == (0, 1)
        out = io.StringIO()
        export_csv(session, out)
    exported = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert exported[0]["code"] == "PSKM-1" and exported[0]["active"] == "false"
    assert read_csv_text(out.getvalue(), gazetteer)[0].district_code == "34.04.13"


def test_sample_directory_covers_every_province_kind_and_service(gazetteer):
    with SAMPLE.open(encoding="utf-8") as handle:
        rows = parse_csv(handle, gazetteer)
    provinces = {r.code for r in gazetteer.regions.values() if r.level == "province"}
    assert {row.province_code for row in rows} == provinces
    assert {row.kind for row in rows} == set(KINDS)
    assert {s for row in rows for s in row.services} == set(SERVICES)
    assert all("(contoh" in row.name for row in rows)
    assert all(row.phone is None for row in rows)


def test_facilities_without_coordinates_sit_at_their_region(sessions, gazetteer):
    line = "NOCOORD,PSKM Jayawijaya (contoh),PSKM,santunan,,,95,95.01,,,,true"
    with unit_of_work(sessions) as session:
        import_rows(session, read_csv_text(csv_text(line, GOOD), gazetteer))
        points = {p.code: p for p in routing_points(session, gazetteer)}
    assert points["NOCOORD"].approximate
    assert points["NOCOORD"].latitude == pytest.approx(gazetteer.get("95.01").latitude)
    assert not points["PSKM-1"].approximate


def test_inactive_facilities_are_not_routed_to(sessions, gazetteer):
    with unit_of_work(sessions) as session:
        import_rows(session, read_csv_text(csv_text(GOOD.replace(",true", ",false")), gazetteer))
        assert routing_points(session, gazetteer) == []
