"""The coordinators' pages of the web desk: digest, facilities and their figures, the
directory's CSV import and export, officers, audit, and the de-identified export."""

from __future__ import annotations

import csv
import io

from referral.referrals import refer_case
from referral.facilities import import_rows, read_csv_text
from referral.models import Case
from referral.routing_cache import RoutingCache
from referral.storage import unit_of_work
from tests.helpers import PROJECT_ROOT
from tests.integration.test_officers import DIRECTORY, reporter_case
from tests.integration.test_web_console import client, events, officer_with_login, sessions_of, signed_in  # noqa: F401

PAGES = ("/console/digest", "/console/facilities", "/console/officers", "/console/audit", "/console/export",
         "/console/export.csv", "/console/export.json", "/console/facilities/export.csv")


def test_the_coordinators_pages_are_for_coordinators_only(client):
    officer_with_login(client)
    signed_in(client)
    for page in PAGES:
        assert client.get(page).status_code == 404, page


def test_the_digest_page_shows_the_weeks_figures_and_charts(client):
    officer_with_login(client, "koor", role="coordinator", regions=())
    _, _, ticket = reporter_case(sessions_of(client))
    signed_in(client, "koor")
    this_week = client.get("/console/digest").text  # the week that ended last
    assert "Ringkasan mingguan" in this_week and "kasus-per-kategori.png" in this_week
    week = client.app_state["gateway"].desk.clock().isocalendar()
    current = f"{week[0]}-W{week[1]:02d}"
    page = client.get(f"/console/digest?week={current}")
    assert page.status_code == 200 and ticket in page.text  # among the oldest open cases
    assert "Ibu Sari" not in page.text and "0812" not in page.text  # no personal data
    chart = client.get(f"/console/digest/{current}/kasus-per-kategori.png")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert client.get(f"/console/digest/{current}/..%2Fsecret.key").status_code == 404
    assert "view_digest" in events(client)


def test_the_directory_imports_all_rows_or_none_and_exports(client):
    officer_with_login(client, "koor", role="coordinator", regions=())
    csrf = signed_in(client, "koor")
    broken = DIRECTORY + "RUSAK,Tanpa koordinat,PSKM,konseling,,,,,,,,true\n"
    refused = client.post("/console/facilities/import", data={"csrf_token": csrf},
                          files={"file": ("fasilitas.csv", broken.encode(), "text/csv")})
    assert refused.status_code == 400 and "Tidak ada yang diimpor" in refused.text and "baris" in refused.text.lower()
    assert "PSKM-SLEMAN" not in client.get("/console/facilities").text
    done = client.post("/console/facilities/import", data={"csrf_token": csrf},
                       files={"file": ("fasilitas.csv", DIRECTORY.encode(), "text/csv")})
    assert done.status_code == 200 and "2 baru" in done.text
    exported = client.get("/console/facilities/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert {row["code"] for row in csv.DictReader(io.StringIO(exported.text))} == {"PSKM-SLEMAN", "PSKM-BANTUL"}
    no_token = client.post("/console/facilities/import", files={"file": ("f.csv", DIRECTORY.encode(), "text/csv")})
    assert no_token.status_code == 403
    assert "facilities_import" in events(client) and "export" in events(client)


def test_a_facility_page_has_its_monthly_figures(client, gazetteer):
    officer_with_login(client, "koor", role="coordinator", regions=())
    routing = RoutingCache(PROJECT_ROOT / "config" / "routing.yml")
    routing._gazetteer = gazetteer
    _, case_id, _ = reporter_case(sessions_of(client))
    with unit_of_work(sessions_of(client)) as session:
        import_rows(session, read_csv_text(DIRECTORY))
        case = session.get(Case, case_id)
        case.latitude, case.longitude = -7.72, 110.36
        refer_case(session, case, routing.routing_index(session), gazetteer, actor="bot")
        code = case.referrals[0].facility.code
    signed_in(client, "koor")
    page = client.get(f"/console/facilities/{code}")
    assert page.status_code == 200 and "Rujukan masuk" in page.text
    month = client.app_state["gateway"].desk.clock().strftime("%Y-%m")
    assert month in page.text
    assert client.get("/console/facilities/TIDAK-ADA").status_code == 404


def test_the_welfare_export_is_de_identified(client):
    officer_with_login(client, "koor", role="coordinator", regions=())
    for _ in range(6):
        reporter_case(sessions_of(client))
    signed_in(client, "koor")
    data = client.get("/console/export.json?weeks=4").json()
    [row] = [r for r in data["rows"] if r["regency_code"] == "34.04"]
    assert row["cases_opened"] == 6 and row["violence"] == 6 and row["emergencies"] == 0
    text = client.get("/console/export.csv?weeks=4").text
    assert text.splitlines()[0].split(",")[:3] == ["week", "province_code", "regency_code"]
    for personal in ("Ibu Sari", "0812", "MPKS-"):
        assert personal not in text
    reporter_case(sessions_of(client), province="35", regency="35.78")
    small = [r for r in client.get("/console/export.json").json()["rows"] if r["regency_code"] == "35.78"]
    assert small[0]["cases_opened"] == "<5"


def test_the_audit_and_officers_pages(client):
    coordinator = officer_with_login(client, "koor", role="coordinator", regions=())
    officer_with_login(client, "rina")
    signed_in(client, "koor")
    officers = client.get("/console/officers").text
    assert "Rina Petugas" in officers and "koordinator" in officers
    audit_page = client.get(f"/console/audit?officer={coordinator}").text
    assert "login" in audit_page and "conduct_accepted" in audit_page
