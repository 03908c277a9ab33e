"""The officers' desk on the web, over HTTP: logins, CSRF, lockout, remit, the case page's
operations and their audit, security headers and escaping, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from bot.cli.main import main as helpline
from messaging.models import Conversation, Message
from referral import audit, logins
from referral.models import Case, LoginAttempt, Officer
from referral.officers import add_officer, disable_officer
from referral.storage import unit_of_work
from tests.integration.test_gateway import rasa_down_client
from tests.integration.test_officers import reporter_case

PASSWORD = "kata-sandi-rahasia-1"


@pytest.fixture
def client(database_url, tmp_path):
    with rasa_down_client(database_url, tmp_path, "0") as test_client:
        yield test_client


def sessions_of(client):
    return client.app_state["gateway"].sessions


def officer_with_login(client, username="rina", role="officer", regions=("34",)) -> int:
    with unit_of_work(sessions_of(client)) as session:
        officer = add_officer(session, f"{username.title()} Petugas", role, list(regions) or None, username=username)
        logins.set_password(session, officer, PASSWORD)
        return officer.id


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, username="rina", password=PASSWORD):
    token = csrf_of(client.get("/console/login").text)
    return client.post("/console/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def signed_in(client, username="rina") -> str:
    """Sign in and accept the code of conduct; the CSRF token of the session."""
    assert log_in(client, username).status_code == 303
    page = client.get("/console/conduct").text
    version = re.search(r'name="version" value="([^"]+)"', page)
    if version:
        client.post("/console/conduct/accept", data={"csrf_token": csrf_of(page), "version": version.group(1)})
    return csrf_of(client.get("/console").text)


def events(client, **where) -> list[str]:
    with unit_of_work(sessions_of(client)) as session:
        return [e.action for e in reversed(audit.list_events(session, **where))]


def test_without_a_session_every_page_goes_to_the_login(client):
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert client.get("/console/cases/MPKS-2026-00001", follow_redirects=False).status_code == 303
    assert client.get("/console/api/queue").status_code == 401
    assert client.get("/console", headers={"Accept": "application/json"}).status_code == 401
    form = client.get("/console/login").text
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in form


def test_a_login_sets_a_private_cookie_and_is_audited(client):
    officer = officer_with_login(client)
    refused = client.post("/console/login", data={"username": "rina", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    assert log_in(client, password="salah-sekali-ya").status_code == 401
    response = log_in(client, username="  RINA ")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("helpline_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # plain HTTP in this test
    assert events(client, officer_id=officer) == ["login_failed", "login"]
    page = client.get("/console")
    assert page.status_code == 200 and "Kode Etik" in page.text  # read and accepted before anything else


def test_the_session_rotates_at_each_login_and_logout_ends_it(client):
    officer_with_login(client)
    first = log_in(client).cookies.get("helpline_console")
    second = log_in(client).cookies.get("helpline_console")
    assert first and second and first != second
    token = csrf_of(client.get("/console").text)
    assert client.post("/console/logout", data={}, follow_redirects=False).status_code == 403
    assert client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set("helpline_console", second)
    assert client.get("/console", follow_redirects=False).status_code == 303  # ended for good


def test_repeated_wrong_passwords_make_that_address_wait_without_locking_the_officer_out(client, capsys, monkeypatch):
    officer = officer_with_login(client)
    for _ in range(logins.FAILURES_PER_ACCOUNT_AND_ADDRESS):
        assert log_in(client, password="tebak-tebakan").status_code == 401
    locked = log_in(client)  # the right password, too late
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.text
    assert "helpline_console=" not in locked.headers.get("set-cookie", "")
    for _ in range(5):  # trying while waiting is not counted: the wait does not grow
        log_in(client, password="tebak-lagi")
    with unit_of_work(sessions_of(client)) as session:
        assert logins.locked_until(session, "rina", "127.0.0.1", now=client.app_state["gateway"].desk.clock()) is not None
        failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False)))
    assert failures == logins.FAILURES_PER_ACCOUNT_AND_ADDRESS
    with unit_of_work(sessions_of(client)) as session:  # the officer, from their own address, is not kept out
        assert logins.log_in(session, "rina", PASSWORD, "198.51.100.9").token is not None
    settings = client.app_state["gateway"].settings
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert helpline(["officers", "unlock", str(officer)]) == 0
    assert log_in(client).status_code == 303


def test_a_case_outside_the_remit_is_the_same_404_as_an_unknown_ticket(client):
    officer_with_login(client, regions=("35",))
    _, _, ticket = reporter_case(sessions_of(client), province="34", regency="34.04", alert=False)
    signed_in(client)
    outside = client.get(f"/console/cases/{ticket}")
    unknown = client.get("/console/cases/MPKS-2099-99999")
    assert outside.status_code == unknown.status_code == 404
    assert outside.text == unknown.text
    assert ticket not in client.get("/console").text
    assert client.get(f"/console/api/cases/{ticket}/messages").status_code == 404


def test_take_over_write_note_and_hand_back_from_the_case_page(client):
    officer = officer_with_login(client)
    conversation_id, _, ticket = reporter_case(sessions_of(client))
    csrf = signed_in(client)
    page = client.get(f"/console/cases/{ticket}")
    assert page.status_code == 200 and "Ambil alih" in page.text
    assert client.post(f"/console/cases/{ticket}/takeover", data={}, follow_redirects=False).status_code == 403
    taken = client.post(f"/console/cases/{ticket}/takeover", data={"csrf_token": csrf})
    assert "Anda memegang percakapan ini" in taken.text
    client.post(f"/console/cases/{ticket}/messages", data={"csrf_token": csrf, "text": "Halo, saya Rina dari MPKS."})
    client.post(f"/console/cases/{ticket}/notes", data={"csrf_token": csrf, "text": "Pelapor aman di rumah saudara"})
    back = client.post(f"/console/cases/{ticket}/handback", data={"csrf_token": csrf, "note": "selesai"})
    assert "Dijawab oleh bot" in back.text
    with unit_of_work(sessions_of(client)) as session:
        assert session.get(Conversation, conversation_id).handled_by == "bot"
        sent = [m.text for m in session.scalars(select(Message).where(Message.conversation_id == conversation_id, Message.direction == "out"))]
    assert "Halo, saya Rina dari MPKS." in sent and not any("Pelapor aman" in (t or "") for t in sent)
    assert events(client, ticket=ticket) == ["view_case", "takeover", "view_case", "message_sent", "view_case",
                                             "note", "view_case", "hand_back", "view_case"]
    assert events(client, officer_id=officer)[:2] == ["login", "conduct_accepted"]


def test_pages_carry_security_headers_and_escape_the_reporters_words(client):
    officer_with_login(client)
    _, case_id, ticket = reporter_case(sessions_of(client))
    with unit_of_work(sessions_of(client)) as session:
        session.get(Case, case_id).description = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    signed_in(client)
    page = client.get(f"/console/cases/{ticket}")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text and "<img src=x" not in page.text
    headers = page.headers
    assert "script-src 'self'" in headers["content-security-policy"] and "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "<script>" not in page.text.replace('<script src="/console/assets/console.js" defer></script>', "")  # no inline script


def test_disabling_an_officer_ends_their_console_session(client):
    officer = officer_with_login(client)
    signed_in(client)
    with unit_of_work(sessions_of(client)) as session:
        disable_officer(session, officer)
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_one_time_link_chooses_the_password_once(client, capsys, monkeypatch):
    settings = client.app_state["gateway"].settings
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    with unit_of_work(sessions_of(client)) as session:
        officer_id = add_officer(session, "Sari Koordinator", "coordinator", username="sari").id
    assert helpline(["officers", "login-link", str(officer_id), "--json"]) == 0
    import json
    url = json.loads(capsys.readouterr().out)["url"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{path}")
    assert form.status_code == 200 and "Pilih kata sandi" in form.text
    token = csrf_of(form.text)
    short = client.post(f"/{path}", data={"csrf_token": token, "password": "pendek", "password_again": "pendek"})
    assert short.status_code == 400
    done = client.post(f"/{path}", data={"csrf_token": token, "password": PASSWORD, "password_again": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/{path}").status_code == 404  # single use
    assert log_in(client, "sari").status_code == 303
    assert events(client, officer_id=officer_id) == ["login_link", "password_set", "login"]


def test_the_code_of_conduct_comes_first_and_again_when_it_changes(client):
    officer = officer_with_login(client)
    officer_with_login(client, "koor", role="coordinator", regions=())
    assert log_in(client).status_code == 303
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/conduct"
    assert client.get("/console/api/queue").status_code == 403
    page = client.get("/console/conduct").text
    assert "Kode Etik Perlindungan" in page and "Ubah kode etik" not in page  # officers read, coordinators edit
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    stale = client.post("/console/conduct/accept", data={"csrf_token": csrf_of(page), "version": "lama"}, follow_redirects=False)
    assert stale.headers["location"] == "/console/conduct"  # not the version they read: nothing recorded
    client.post("/console/conduct/accept", data={"csrf_token": csrf_of(page), "version": version})
    assert client.get("/console/api/queue").status_code == 200
    edit = client.post("/console/conduct/edit", data={"csrf_token": csrf_of(page), "text": "bukan hak petugas"})
    assert edit.status_code == 400
    client.cookies.clear()
    csrf = signed_in(client, "koor")
    client.post("/console/conduct/edit", data={"csrf_token": csrf, "text": "Kode etik versi kedua: keselamatan anak nomor satu."})
    client.cookies.clear()
    assert log_in(client).status_code == 303
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/conduct"
    assert "versi kedua" in client.get("/console/conduct").text
    with unit_of_work(sessions_of(client)) as session:
        accepted = [e.detail["version"] for e in audit.list_events(session, officer_id=officer) if e.action == "conduct_accepted"]
    assert accepted == [version]


def test_set_password_reads_standard_input(client, capsys, monkeypatch):
    import io
    settings = client.app_state["gateway"].settings
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    with unit_of_work(sessions_of(client)) as session:
        officer_id = add_officer(session, "Budi Admin", "admin", username="budi").id
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert helpline(["officers", "set-password", str(officer_id), "--password-stdin"]) == 0
    assert log_in(client, "budi").status_code == 303
    assert helpline(["audit", "--json", "--officer", str(officer_id)]) == 0
    import json
    listed = json.loads(capsys.readouterr().out.splitlines()[-1])["events"]
    assert [e["action"] for e in listed] == ["login", "password_set"]
    assert set(listed[0]) >= {"at", "officer_id", "action", "ticket"}


def test_the_shared_token_reads_health_figures_only(client):
    token = client.app_state["gateway"].console_token
    assert client.get("/console/api/health").status_code == 401
    health = client.get("/console/api/health", headers={"Authorization": f"Bearer {token}"}).json()
    assert set(health) == {"attention"}
    assert client.get("/console/api/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_possible_emergency_without_a_case_tops_the_queue_for_whom_may_see_it(client):
    from messaging.store import get_or_create_conversation
    from referral.models import CaseAlert
    from tests.helpers import web_sender

    officer_with_login(client, "koor", role="coordinator", regions=())
    officer_with_login(client, "rina", regions=("35",))
    with unit_of_work(sessions_of(client)) as session:
        conversation = get_or_create_conversation(session, secret_key="k" * 32, channel="webchat", address=web_sender("possible"))
        session.add(CaseAlert(conversation_id=conversation.id, reason="possible_emergency"))
        conversation_id = conversation.id
    reporter_case(sessions_of(client), alert=False)  # an ordinary open case, below it
    signed_in(client, "koor")
    items = client.get("/console/api/queue").json()["items"]
    assert items[0]["link"] == f"/console/conversations/{conversation_id}" and items[0]["label"] == "Mungkin darurat"
    csrf = csrf_of(client.get(items[0]["link"]).text)
    taken = client.post(f"/console/conversations/{conversation_id}/takeover", data={"csrf_token": csrf})
    assert "Anda memegang percakapan ini" in taken.text
    client.post(f"/console/conversations/{conversation_id}/messages", data={"csrf_token": csrf, "text": "Apakah Anda aman sekarang?"})
    assert "Apakah Anda aman sekarang?" in client.get(f"/console/api/conversations/{conversation_id}/messages").text
    client.cookies.clear()
    signed_in(client, "rina")  # another region, never alerted: sees nothing of it
    assert all(i["link"] != f"/console/conversations/{conversation_id}" for i in client.get("/console/api/queue").json()["items"])
    assert client.get(f"/console/conversations/{conversation_id}").status_code == 404
    assert client.get("/console/conversations/abc").status_code == 404


def test_an_emergency_stays_on_top_however_many_cases_are_open(client):
    from referral.models import CaseAlert
    officer_with_login(client, "koor", role="coordinator", regions=())
    _, _, emergency = reporter_case(sessions_of(client), emergency=True)
    with unit_of_work(sessions_of(client)) as session:  # 205 newer ordinary cases
        from referral.cases import NewCase, open_case
        for _ in range(205):
            open_case(session, NewCase(category="aid", is_emergency=False, description="butuh sembako"), actor="bot")
    signed_in(client, "koor")
    items = client.get("/console/api/queue").json()["items"]
    assert items[0]["ticket"] == emergency and items[0]["label"] == "DARURAT"
    with unit_of_work(sessions_of(client)) as session:
        assert session.scalar(select(func.count()).select_from(CaseAlert).where(CaseAlert.resolved_at.is_(None))) >= 1


def test_opening_a_page_does_not_silence_a_possible_emergency_but_the_check_button_does(client):
    from referral.models import CaseAlert
    officer_with_login(client)
    conversation_id, case_id, ticket = reporter_case(sessions_of(client), alert=False)
    with unit_of_work(sessions_of(client)) as session:
        session.add(CaseAlert(case_id=case_id, conversation_id=conversation_id, reason="possible_emergency"))

    def open_checks() -> int:
        with unit_of_work(sessions_of(client)) as session:
            return session.scalar(select(func.count()).select_from(CaseAlert).where(
                CaseAlert.reason == "possible_emergency", CaseAlert.resolved_at.is_(None)))

    csrf = signed_in(client)
    page = client.get(f"/console/cases/{ticket}")
    assert "Sudah saya cek" in page.text and open_checks() == 1
    client.post(f"/console/cases/{ticket}/checked", data={"csrf_token": csrf})
    assert open_checks() == 0
    assert "possible_emergency_checked" in events(client, ticket=ticket)


def test_a_case_page_hides_a_conversation_that_now_follows_a_case_in_another_region(client):
    officer_with_login(client, regions=("34",))
    conversation_id, _, ticket = reporter_case(sessions_of(client), province="34", regency="34.04", alert=False)
    with unit_of_work(sessions_of(client)) as session:
        from referral.cases import NewCase, open_case
        newer = open_case(session, NewCase(category="violence", is_emergency=False, conversation_id=conversation_id,
                                           description="kasus kedua di Jawa Timur"), actor="bot")
        newer.province_code, newer.regency_code = "35", "35.78"
        session.add(Message(conversation_id=conversation_id, direction="in", channel="webchat", kind="text",
                            text="cerita rahasia di Surabaya", status="answered"))
    signed_in(client)
    page = client.get(f"/console/cases/{ticket}")
    assert page.status_code == 200 and "cerita rahasia" not in page.text and "di luar wilayah tugas Anda" in page.text
    assert client.get(f"/console/api/cases/{ticket}/messages").status_code == 404


def test_live_polls_that_show_new_messages_are_audited(client):
    officer_with_login(client)
    conversation_id, _, ticket = reporter_case(sessions_of(client))
    signed_in(client)
    client.get(f"/console/cases/{ticket}")
    with unit_of_work(sessions_of(client)) as session:
        session.add(Message(conversation_id=conversation_id, direction="in", channel="webchat", kind="text",
                            text="halo masih di sana?", status="answered"))
    assert "halo masih di sana?" in client.get(f"/console/api/cases/{ticket}/messages?after=0").text
    last = client.get(f"/console/api/cases/{ticket}/messages?after=0").json()["messages"][-1]["id"]
    assert client.get(f"/console/api/cases/{ticket}/messages?after={last}").json()["messages"] == []
    assert events(client, ticket=ticket).count("view_messages") == 2  # the empty poll showed nothing


def test_every_console_answer_carries_the_security_headers_and_odd_ids_are_404(client):
    officer_with_login(client)
    signed_in(client)
    for response in (client.get("/console/logout"), client.get("/console/nope/x/y/z"),
                     client.put("/console/cases/X/status"), client.get("/console/api/health"),
                     client.get("/console/conversations/%C2%B2"), client.get("/console/api/cases/X/messages?after=%C2%B2")):
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", ""), response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.status_code < 500


def test_metrics_answer_a_signed_in_coordinator_and_refuse_an_officer(client):
    officer_with_login(client, "koor", role="coordinator", regions=())
    officer_with_login(client)
    assert client.get("/metrics").status_code == 401
    signed_in(client)
    assert client.get("/metrics").status_code == 401  # a duty officer's session is not enough
    client.cookies.clear()
    signed_in(client, "koor")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "helpline_" in metrics.text


def test_a_second_factor_when_required_for_coordinators(database_url, tmp_path):
    import pyotp
    from starlette.testclient import TestClient

    from bot.gateway.app import create_app
    from wiring.settings import Settings

    settings = Settings.from_env({"HELPLINE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url,
                                  "RASA_URL": "http://127.0.0.1:9", "ACTION_SERVER_URL": "http://127.0.0.1:9",
                                  "HELPLINE_INBOX_INTERVAL": "0", "HELPLINE_CONSOLE_TOTP": "required"})
    with TestClient(create_app(settings), client=("127.0.0.1", 50001)) as client:
        officer_with_login(client, "koor", role="coordinator", regions=())
        assert log_in(client, "koor").status_code == 303
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/totp"
        page = client.get("/console/totp").text
        secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', page).group(1)
        assert 'src="data:image/svg+xml' in page
        wrong = client.post("/console/totp", data={"csrf_token": csrf_of(page), "secret": secret, "code": "000000"}, follow_redirects=False)
        assert wrong.headers["location"] == "/console/totp?error=1"
        client.post("/console/totp", data={"csrf_token": csrf_of(page), "secret": secret, "code": pyotp.TOTP(secret).now()})
        client.cookies.clear()
        assert log_in(client, "koor").status_code == 303  # the password alone is not enough now
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/login/totp"
        assert client.get("/console/totp", follow_redirects=False).headers["location"] == "/console/login/totp"
        assert client.get("/metrics").status_code == 401
        form = client.get("/console/login/totp").text
        assert client.post("/console/login/totp", data={"csrf_token": csrf_of(form), "code": "123456"}).status_code == 401
        assert client.post("/console/login/totp", data={"csrf_token": csrf_of(form), "code": pyotp.TOTP(secret).now()}).status_code == 401  # used at enrolment
        import time
        code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step's (a clock a little ahead)
        client.post("/console/login/totp", data={"csrf_token": csrf_of(form), "code": code})
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/conduct"  # then the code
        client.cookies.clear()
        assert log_in(client, "koor").status_code == 303
        form = client.get("/console/login/totp").text
        replayed = client.post("/console/login/totp", data={"csrf_token": csrf_of(form), "code": code})
        assert replayed.status_code == 401  # a code works once
        with unit_of_work(sessions_of(client)) as session:
            actions = [e.action for e in reversed(audit.list_events(session))]
        assert actions.count("totp_enrolled") == 1 and "login_failed" in actions
        with unit_of_work(sessions_of(client)) as session:
            failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.username == "koor#totp", LoginAttempt.succeeded.is_(False)))
        assert failures == 3  # wrong codes counted apart: a right password never resets them


def test_the_queue_filters_by_region_and_age_and_the_duty_switch(client):
    from datetime import timedelta

    officer_id = officer_with_login(client, "koor", role="coordinator", regions=())
    _, old_id, old = reporter_case(sessions_of(client), province="34", regency="34.04", alert=False)
    _, _, recent = reporter_case(sessions_of(client), province="35", regency="35.78", alert=False)
    with unit_of_work(sessions_of(client)) as session:
        session.get(Case, old_id).created_at = client.app_state["gateway"].desk.clock() - timedelta(days=8)
    csrf = signed_in(client, "koor")

    def tickets(query: str) -> set[str]:
        return {i["ticket"] for i in client.get(f"/console/api/queue?{query}").json()["items"]}

    assert tickets("") >= {old, recent}
    assert old in tickets("region=34") and recent not in tickets("region=34")
    assert tickets("region=35.78") >= {recent} and old not in tickets("region=35.78")
    assert old in tickets("older_than_days=7") and recent not in tickets("older_than_days=7")
    assert tickets("region=%3Cscript%3E") >= {old, recent}  # nonsense is ignored, not an error
    assert "Mulai siaga" in client.get("/console").text
    on = client.post("/console/duty", data={"csrf_token": csrf, "state": "on"})
    assert "Anda sekarang siaga" in on.text and "Selesai siaga" in on.text
    with unit_of_work(sessions_of(client)) as session:
        assert session.get(Officer, officer_id).duty_override == "on"
    client.post("/console/duty", data={"csrf_token": csrf, "state": "off"})
    with unit_of_work(sessions_of(client)) as session:
        assert session.get(Officer, officer_id).duty_override is None


def test_an_alert_about_one_case_does_not_flag_another_case_of_the_conversation(client):
    from referral.cases import NewCase, open_case
    from referral.models import CaseAlert

    officer_with_login(client, "koor", role="coordinator", regions=())
    conversation_id, emergency_id, emergency = reporter_case(sessions_of(client), emergency=True)  # its alert names it
    with unit_of_work(sessions_of(client)) as session:
        aid = open_case(session, NewCase(category="aid", is_emergency=False, conversation_id=conversation_id,
                                         description="butuh sembako"), actor="bot").ticket
        session.add(CaseAlert(conversation_id=conversation_id, reason="handoff"))  # about the conversation: both cases
    signed_in(client, "koor")
    labels = {i["ticket"]: i["label"] for i in client.get("/console/api/queue").json()["items"]}
    assert labels[emergency] == "DARURAT" and labels[aid] == "Minta petugas"
