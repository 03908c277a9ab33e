"""The coordinators' pages of the web desk: digest, facilities and their figures, the
directory's CSV import and export, officers, audit, and the de-identified export."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from referral import logins
from referral.officers import add_officer
from referral.referrals import refer_case
from referral.facilities import import_rows, read_csv_text
from referral.models import Case, Facility
from referral.routing_cache import RoutingCache
from referral.storage import unit_of_work
from tests.helpers import PROJECT_ROOT
from tests.integration.test_officers import DIRECTORY, reporter_case
from tests.integration.test_web_console import PASSWORD, client, events, officer_with_login, sessions_of, signed_in  # noqa: F401

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
    from datetime import timedelta

    officer_with_login(client, "koor", role="coordinator", regions=())
    now = client.app_state["gateway"].desk.clock()
    last_week = now - timedelta(days=7)

    def opened(count: int, category: str = "violence", **where) -> None:
        for _ in range(count):
            _, case_id, _ = reporter_case(sessions_of(client), alert=False, **where)
            with unit_of_work(sessions_of(client)) as session:
                case = session.get(Case, case_id)
                case.created_at, case.category = last_week, category

    opened(6)
    opened(5, "aid", province="33", regency="33.74")
    opened(1, "bullying", province="33", regency="33.74")  # one small category among larger ones
    opened(2, province="35", regency="35.78")  # a handful of cases
    reporter_case(sessions_of(client))  # this week: not over yet, not exported
    signed_in(client, "koor")
    rows = {r["regency_code"]: r for r in client.get("/console/export.json?weeks=4").json()["rows"]}
    assert set(rows) == {"34.04", "33.74", "35.78"}
    assert rows["34.04"]["cases_opened"] == 6 and rows["34.04"]["violence"] == 6 and rows["34.04"]["emergencies"] == 0
    assert rows["33.74"]["cases_opened"] == 6 and {rows["33.74"][c] for c in ("violence", "bullying", "elderly_care", "aid")} == {"<5"}
    assert rows["35.78"]["cases_opened"] == "<5" and rows["35.78"]["violence"] == "<5" and rows["35.78"]["emergencies"] == "<5"
    text = client.get("/console/export.csv?weeks=4").text
    assert text.splitlines()[0].split(",")[:3] == ["week", "province_code", "regency_code"]
    for personal in ("Ibu Sari", "0812", "MPKS-"):
        assert personal not in text
    assert client.get("/console/export.html").status_code == 404


def test_the_directory_export_cannot_carry_a_spreadsheet_formula(client):
    officer_with_login(client, "koor", role="coordinator", regions=())
    csrf = signed_in(client, "koor")
    hostile = DIRECTORY.replace("PSKM Sleman (contoh)", "=HYPERLINK(\"http://x\")").replace(",,,true\nPSKM-BANTUL", ",@SUM(1+1),+62274123,true\nPSKM-BANTUL", 1)
    assert client.post("/console/facilities/import", data={"csrf_token": csrf},
                       files={"file": ("f.csv", hostile.encode(), "text/csv")}).status_code == 200
    exported = client.get("/console/facilities/export.csv").text
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert rows["PSKM-SLEMAN"]["name"] == "'=HYPERLINK(\"http://x\")"
    assert rows["PSKM-SLEMAN"]["address"] == "'@SUM(1+1)" and rows["PSKM-SLEMAN"]["phone"] == "'+62274123"
    assert rows["PSKM-SLEMAN"]["latitude"] == "-7.716000"  # numbers stay numbers
    client.post("/console/facilities/import", data={"csrf_token": csrf}, files={"file": ("f.csv", exported.encode(), "text/csv")})
    with unit_of_work(sessions_of(client)) as session:  # read back as they were written
        sleman = session.scalar(select(Facility).where(Facility.code == "PSKM-SLEMAN"))
        assert (sleman.name, sleman.phone) == ('=HYPERLINK("http://x")', "+62274123")


def test_the_audit_and_officers_pages(client):
    coordinator = officer_with_login(client, "koor", role="coordinator", regions=())
    officer_with_login(client, "rina")
    signed_in(client, "koor")
    officers = client.get("/console/officers").text
    assert "Rina Petugas" in officers and "koordinator" in officers
    audit_page = client.get(f"/console/audit?officer={coordinator}").text
    assert "masuk" in audit_page and "menyetujui kode etik" in audit_page


def referred_case(client, gazetteer) -> tuple[int, str, str]:
    """A case referred to the nearest facility: (referral id, ticket, facility code)."""
    routing = RoutingCache(PROJECT_ROOT / "config" / "routing.yml")
    routing._gazetteer = gazetteer
    client.app_state["gateway"].desk.routing._gazetteer = gazetteer
    _, case_id, ticket = reporter_case(sessions_of(client))
    with unit_of_work(sessions_of(client)) as session:
        if not session.scalar(select(Facility.id).limit(1)):
            import_rows(session, read_csv_text(DIRECTORY))
        case = session.get(Case, case_id)
        case.latitude, case.longitude = -7.72, 110.36
        refer_case(session, case, routing.routing_index(session), gazetteer, actor="bot")
        referral = case.referrals[-1]
        return referral.id, ticket, referral.facility.code


def test_a_facility_contact_sees_only_its_referrals_and_answers_them(client, gazetteer):
    mine, ticket, code = referred_case(client, gazetteer)
    with unit_of_work(sessions_of(client)) as session:
        officer = add_officer(session, "Dewi PSKM", "facility", facility_code=code, username="dewi")
        logins.set_password(session, officer, PASSWORD)
        other = session.scalar(select(Facility.code).where(Facility.code != code))
        contact = add_officer(session, "Eko PSKM", "facility", facility_code=other, username="eko")
        logins.set_password(session, contact, PASSWORD)
    signed_in(client, "eko")
    assert ticket not in client.get("/console").text
    assert client.get(f"/console/referrals/{mine}").status_code == 404
    assert client.get(f"/console/cases/{ticket}").status_code == 404
    client.cookies.clear()
    csrf = signed_in(client, "dewi")
    assert ticket in client.get("/console").text
    before = client.get(f"/console/referrals/{mine}").text
    assert "Terima" in before and "Ibu Sari" not in before  # the story only after accepting
    assert client.get(f"/console/cases/{ticket}").status_code == 404  # no transcript, no case page
    accepted = client.post(f"/console/referrals/{mine}/accept", data={"csrf_token": csrf})
    assert "Ibu Sari dipukul suaminya" in accepted.text
    with unit_of_work(sessions_of(client)) as session:
        assert session.scalar(select(Case.status).where(Case.ticket == ticket)) == "accepted"
    assert "referral_accepted" in events(client, ticket=ticket)


def test_a_coordinator_reroutes_a_referral_and_assigns_the_case(client, gazetteer):
    referral_id, ticket, code = referred_case(client, gazetteer)
    officer_with_login(client, "koor", role="coordinator", regions=())
    rina = officer_with_login(client, "rina", regions=("34",))
    far = officer_with_login(client, "budi", regions=("35",))
    csrf = signed_in(client, "koor")
    page = client.get(f"/console/cases/{ticket}").text
    assert "Alihkan ke layanan lain" in page and "Rina Petugas" in page and "Budi Petugas" not in page
    assert "Ditugaskan kepada" not in page
    refused = client.post(f"/console/cases/{ticket}/assign", data={"csrf_token": csrf, "officer_id": str(far)})
    assert "tidak bisa ditugaskan" in refused.text
    client.post(f"/console/cases/{ticket}/assign", data={"csrf_token": csrf, "officer_id": str(rina)})
    with unit_of_work(sessions_of(client)) as session:
        assert session.scalar(select(Case.assigned_officer_id).where(Case.ticket == ticket)) == rina
    page = client.get(f"/console/cases/{ticket}").text  # referred: only closing is a person's to choose
    assert re.findall(r'<option value="(\w+)">', page.split('name="status"')[1].split("</select>")[0]) == ["closed"]
    rerouted = client.post(f"/console/cases/{ticket}/reroute", data={"csrf_token": csrf, "referral_id": str(referral_id)})
    assert "Rujukan dialihkan" in rerouted.text
    figures = client.get(f"/console/facilities/{code}").text  # sent on by the coordinator: not the facility's decline
    row = re.search(r"<tr><td>\d{4}-\d{2}</td>(.*?)</tr>", figures, re.S).group(1)
    assert [int(n) for n in re.findall(r'class="n">(\d+)<', row)][:4] == [1, 0, 0, 1]
    with unit_of_work(sessions_of(client)) as session:
        statuses = [(r.facility.code, r.status) for r in session.scalar(select(Case).where(Case.ticket == ticket)).referrals]
    assert statuses[0] == (code, "declined") and statuses[1][1] == "sent"
    assert {"assign", "referral_rerouted"} <= set(events(client, ticket=ticket))


def test_a_referral_past_its_time_is_flagged_in_the_queue(client, gazetteer):
    from datetime import timedelta

    from referral.models import Referral

    referral_id, ticket, _ = referred_case(client, gazetteer)
    officer_with_login(client, "koor", role="coordinator", regions=())
    signed_in(client, "koor")
    label = {i["ticket"]: i["label"] for i in client.get("/console/api/queue").json()["items"]}
    assert label[ticket] != "Rujukan perlu tindakan"
    with unit_of_work(sessions_of(client)) as session:
        referral = session.get(Referral, referral_id)
        referral.sent_at = referral.sent_at - timedelta(hours=25)
    label = {i["ticket"]: i["label"] for i in client.get("/console/api/queue").json()["items"]}
    assert label[ticket] == "Rujukan perlu tindakan"


def test_the_welfare_export_has_each_facilitys_referrals_by_ended_week(client, gazetteer):
    from datetime import timedelta

    from referral.models import Referral

    referral_id, _, code = referred_case(client, gazetteer)
    with unit_of_work(sessions_of(client)) as session:
        referral = session.get(Referral, referral_id)
        referral.sent_at = referral.sent_at - timedelta(days=7)  # last week: ended
    officer_with_login(client, "koor", role="coordinator", regions=())
    signed_in(client, "koor")
    data = client.get("/console/export.json?weeks=2").json()
    [row] = [r for r in data["facility_rows"] if r["facility_code"] == code]
    assert row["referrals_received"] == "<5" and row["facility_kind"] == "PSKM"
    text = client.get("/console/export.csv?weeks=2&table=facilities").text
    assert text.splitlines()[0].startswith("week,facility_code,facility_kind") and code in text
    assert "Ibu Sari" not in text and "MPKS-" not in text
