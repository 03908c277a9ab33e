"""The weekly digest on seeded data (SQLite and PostgreSQL): its figures equal figures
computed here from the seed, the week is Western Indonesia Time, small counts are hidden,
and nothing personal reaches the HTML, the CSV or the message."""

from __future__ import annotations

import csv
import json
import statistics
from datetime import datetime, timedelta, timezone

import pytest

from bot.cli.main import main
from bot.duties.digest import build_digest, headline, write_files
from messaging.models import Conversation, Message, Reporter
from referral.digest import Week, median_and_p90, shown
from referral.models import Case, CaseEvent, Facility, Referral
from referral.storage import unit_of_work

WEEK = Week.parse("2026-W47")  # Monday 16 November 2026, WIB
MONDAY = datetime(2026, 11, 15, 17, 0, tzinfo=timezone.utc)  # 00:00 WIB on Monday 16 November
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
SECRET_NAME, SECRET_PHONE, SECRET_TEXT = "Siti Rahmawati", "+6281299988877", "dipukul di gang mawar nomor 13"


def seed(sessions) -> dict:
    """Twelve cases in the week and three in the week before, with replies, referrals and
    status changes whose times the test knows; returns what the test expects."""
    expected = {"categories": {}, "accept_hours": [], "close_hours": [], "answer_seconds": [], "regencies": {}}
    with unit_of_work(sessions) as session:
        pskm = Facility(code="PSKM-T1", name="PSKM Uji", kind="PSKM", services="konseling")
        panti = Facility(code="AUM-T1", name="Panti Uji", kind="AUMSOS", services="perawatan_lansia")
        session.add_all([pskm, panti])
        reporter = Reporter(channel="telegram", pseudonym="p" * 20, language="en")
        session.add(reporter)
        session.flush()
        conversation = Conversation(reporter_id=reporter.id, channel="telegram", engine_sender_id="tg-x", channel_address="5550001")
        session.add(conversation)
        session.flush()
        for i in range(15):
            in_week = i < 12
            opened = (MONDAY + timedelta(hours=6 * i)) if in_week else (MONDAY - timedelta(days=2, hours=i))
            category = ("violence", "bullying", "elderly_care", "aid")[i % 4] if in_week else "aid"
            regency = "34.04" if i % 3 else "34.71"
            inbound = Message(conversation_id=conversation.id, direction="in", channel="telegram", text=SECRET_TEXT,
                              status="answered", attempts=2 if i == 5 else 1, created_at=opened, updated_at=opened)
            session.add(inbound)
            session.flush()
            answer_after = 2 + i  # seconds
            session.add(Message(conversation_id=conversation.id, direction="out", channel="telegram", text=f"zq-reply {SECRET_PHONE}",
                                status="failed" if i == 0 else "sent", in_reply_to_id=inbound.id,
                                created_at=opened + timedelta(seconds=answer_after), updated_at=opened))
            case = Case(ticket=f"MPKS-2026-{90000 + i:05d}", category=category, is_emergency=i == 1, urgency="emergency" if i == 1 else "normal",
                        status="new", description=f"{SECRET_NAME} {SECRET_TEXT}", victim="anak", reporter_id=reporter.id,
                        conversation_id=conversation.id, source_message_id=inbound.id, location_text=SECRET_TEXT,
                        province_code="34", regency_code=regency, contact_phone=SECRET_PHONE, consent_contact=True,
                        contact_preference="phone", created_at=opened, updated_at=opened)
            case.events.append(CaseEvent(at=opened, actor="bot", kind="opened", to_status="new"))
            session.add(case)
            session.flush()
            facility = pskm if i % 2 else panti
            referral = Referral(case_id=case.id, facility_id=facility.id, status="sent", sent_at=opened)
            session.add(referral)
            if in_week:
                expected["categories"][category] = expected["categories"].get(category, 0) + 1
                expected["regencies"][regency] = expected["regencies"].get(regency, 0) + 1
                expected["answer_seconds"].append(answer_after)
                if i % 2:  # accepted after i hours; every fourth closed after a day
                    referral.status, referral.responded_at = "accepted", opened + timedelta(hours=i)
                    case.status = "accepted"
                    case.events.append(CaseEvent(at=opened + timedelta(hours=i), actor="PSKM-T1", kind="status",
                                                 from_status="referred", to_status="accepted"))
                    expected["accept_hours"].append(float(i))
                if i % 4 == 3:
                    case.status = "closed"
                    case.events.append(CaseEvent(at=opened + timedelta(days=1), actor="officer:1", kind="status",
                                                 from_status="accepted", to_status="closed"))
                    expected["close_hours"].append(24.0)
                if i == 3:  # asked after closing, and the help had not arrived
                    case.events.append(CaseEvent(at=opened + timedelta(days=2), actor="bot", kind="follow_up_sent"))
                    case.events.append(CaseEvent(at=opened + timedelta(days=2, hours=1), actor="reporter", kind="follow_up_answered",
                                                 detail={"received": False}))
    return expected


def test_the_week_is_western_indonesia_time_and_a_bad_week_is_refused():
    assert (WEEK.start, WEEK.end) == (MONDAY, MONDAY + timedelta(days=7))
    assert Week.parse(" 2026-w47 ") == WEEK
    assert str(WEEK.previous()) == "2026-W46" and str(Week.parse("2027-W01").previous()) == "2026-W53"
    assert Week.containing(datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)) == Week.parse("2026-W48")  # Monday 01:00 WIB
    for bad in ("2026-47", "2026-W54", "2025-W53", "W47", "2026-W4"):
        with pytest.raises(ValueError):
            Week.parse(bad)


def test_percentiles_and_small_counts():
    assert median_and_p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == {"median": 5.5, "p90": 9, "n": 10}
    assert median_and_p90([]) == {"median": None, "p90": None, "n": 0}
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, "<5", "<5", 5, 12]


def test_the_digests_figures_equal_the_seeds(sessions):
    expected = seed(sessions)
    with unit_of_work(sessions) as session:
        digest = build_digest(session, WEEK, NOW, ack_after_s=10)
    cases, messages, facilities = digest.this["cases"], digest.this["messages"], digest.this["facilities"]
    assert cases["opened"] == 12 and digest.previous["cases"]["opened"] == 3
    assert cases["by_category"] == expected["categories"] and cases["emergencies"] == 1
    assert cases["by_regency"] == expected["regencies"]
    accept = sorted(expected["accept_hours"])
    assert cases["hours_to_acceptance"]["median"] == statistics.median(accept)
    assert cases["hours_to_acceptance"]["p90"] == accept[-(-9 * len(accept) // 10) - 1]
    assert cases["hours_to_closure"] == {"median": 24.0, "p90": 24.0, "n": len(expected["close_hours"])}
    assert cases["hours_to_first_officer_action"]["n"] == 3  # the closings by "officer:1" (a facility's acceptance is not)
    assert cases["follow_ups"] == {"asked": 1, "help_received": 0, "help_not_received": 1}
    answer = sorted(expected["answer_seconds"])
    assert messages["seconds_to_first_answer"]["median"] == statistics.median(answer)
    assert messages["cases_by_channel"] == {"telegram": 12} and messages["cases_by_language"] == {"en": 12}
    assert (messages["messages_in"], messages["messages_out"], messages["replies_failed"]) == (12, 12, 1)
    assert messages["waited_past_acknowledgement"] == sum(1 for s in answer if s > 10)
    assert messages["waited_for_rasa"] == 1  # tried twice: Rasa was away
    assert facilities["per_kind"]["PSKM"]["accepted"] == 6 and facilities["per_kind"]["AUMSOS"]["accepted"] == 0
    assert facilities["per_kind"]["AUMSOS"]["unanswered_past_sla"] == 6  # sent a week ago, never answered
    assert digest.this["backlog"]["open"] == 15 - len(expected["close_hours"])


def test_nothing_personal_reaches_the_files_or_the_message(sessions, tmp_path):
    seed(sessions)
    with unit_of_work(sessions) as session:
        digest = build_digest(session, WEEK, NOW, ack_after_s=10)
    html_path, csv_path = write_files(digest, tmp_path)
    assert html_path == tmp_path / "2026-W47" / "digest.html"
    everything = html_path.read_text() + csv_path.read_text() + headline(digest, html_path)
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_TEXT, "5550001", "mawar", "zq-reply", "tg-x", "p" * 20):
        assert secret not in everything, secret
    charts = sorted(path.name for path in html_path.parent.glob("*.png"))
    assert charts == ["kasus-per-kategori.png", "rujukan-diterima.png"]
    assert all((html_path.parent / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in charts)
    assert all(f'src="{name}"' in html_path.read_text() for name in charts)
    rows = list(csv.reader(csv_path.open()))
    assert rows[0] == ["bagian", "ukuran", "rincian", "minggu_ini", "minggu_lalu"]
    assert ["kasus", "dibuka", "semua", "12", "<5"] in rows  # three last week: shown as "<5"
    assert ["kasus", "kabupaten/kota teratas", "Kabupaten Sleman (34.04)", "8", "<5"] in rows  # regions by name
    assert ["kasus", "provinsi", "Daerah Istimewa Yogyakarta (34)", "12", "<5"] in rows
    assert "<5" in html_path.read_text().replace("&lt;", "<")


def test_the_command_writes_a_friendly_report_for_an_empty_week_and_refuses_a_malformed_one(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    assert main(["digest", "--week", "2026-W10", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["week"] == "2026-W10" and printed["cases"] == 0
    assert "Tidak ada kasus baru minggu ini" in open(printed["html"]).read()
    assert main(["digest", "--week", "2026-W99"]) == 2
    assert "2026 has no week 99" in capsys.readouterr().err


def test_send_queues_the_headline_for_coordinators_and_leadership_and_emails_the_files(sessions, tmp_path):
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    from wiring.delivery_settings import DigestDelivery
    from bot.duties.digest import produce_digest
    from messaging.models import Message
    from referral.models import Officer
    from tests.helpers import free_port

    seed(sessions)
    with unit_of_work(sessions) as session:
        session.add_all([Officer(name="Koordinator", telegram_chat_id="701", role="coordinator"),
                         Officer(name="Petugas", telegram_chat_id="702", role="officer")])

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        delivery = DigestDelivery(leadership_chat="-100900", smtp_host="127.0.0.1", smtp_port=server.port,
                                  mail_to=("koordinator@example.org",))
        result = produce_digest(sessions, WEEK, NOW, data_dir=tmp_path, ack_after_s=10, send=True, delivery=delivery)
    finally:
        server.stop()
    assert (result["queued_messages"], result["emailed_to"]) == (2, 1)
    with unit_of_work(sessions) as session:
        queued = session.query(Message).filter(Message.conversation_id.is_(None)).all()
        assert sorted(m.address for m in queued) == ["-100900", "701"]  # coordinators and leadership, not every officer
        assert all(m.text.startswith("📊 Ringkasan mingguan 2026-W47: 12 kasus baru") for m in queued)
    [(recipients, content)] = inbox.messages
    mail = message_from_bytes(content)
    assert recipients == ["koordinator@example.org"] and "2026-W47" in mail["Subject"]
    names = sorted(part.get_filename() for part in mail.walk() if part.get_filename())
    assert names == ["digest.csv", "digest.html", "kasus-per-kategori.png", "rujukan-diterima.png"]
    assert SECRET_PHONE not in content.decode("utf-8", "replace") and SECRET_NAME not in content.decode("utf-8", "replace")


def test_an_unreachable_mail_server_is_a_clear_error_and_the_files_stay(sessions, tmp_path, database_url, monkeypatch, capsys):
    from tests.helpers import free_port

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HELPLINE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELPLINE_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("HELPLINE_DIGEST_EMAIL_TO", "koordinator@example.org")
    assert main(["digest", "--week", "2026-W47", "--send"]) == 1
    assert "could not e-mail the digest: ConnectionRefusedError" in capsys.readouterr().err
    assert (tmp_path / "reports" / "2026-W47" / "digest.html").exists()


def self_signed_certificate(directory) -> tuple[str, str]:
    """A mail server's own certificate for 127.0.0.1, signed by itself: (cert path, key path)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.test")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "mail-cert.pem", directory / "mail-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_mail_server(tmp_path):
    """A mail server that speaks STARTTLS with a self-signed certificate and takes a login
    only over TLS; yields (port, its certificate's path, the logins it saw, the mails it took)."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.helpers import free_port

    cert_path, key_path = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    logins, mails = [], []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            mails.append(envelope.rcpt_tos)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.password == b"rahasia-smtp")

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        yield controller.port, cert_path, logins, mails
    finally:
        controller.stop()


def test_starttls_checks_the_certificate_and_trusts_a_self_signed_one_only_when_named(sessions, tmp_path, tls_mail_server):
    from wiring.delivery_settings import DigestDelivery
    from bot.duties.digest import DeliveryFailed, produce_digest

    port, cert_path, logins, mails = tls_mail_server
    seed(sessions)
    delivery = DigestDelivery(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True, smtp_user="helpline",
                              smtp_password="rahasia-smtp", mail_to=("koordinator@example.org",))
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):  # the system's CAs do not know it
        produce_digest(sessions, WEEK, NOW, data_dir=tmp_path, ack_after_s=10, send=True, delivery=delivery)
    assert logins == [] and mails == []  # neither the password nor the report went to an unverified server
    named = DigestDelivery(**{**delivery.__dict__, "smtp_ca_file": cert_path})
    result = produce_digest(sessions, WEEK, NOW, data_dir=tmp_path, ack_after_s=10, send=True, delivery=named)
    assert result["emailed_to"] == 1 and logins == ["helpline"] and mails == [["koordinator@example.org"]]


def test_the_ca_file_setting_is_read_from_the_environment_and_a_wrong_one_is_a_clear_error(
    sessions, tmp_path, database_url, monkeypatch, capsys, tls_mail_server
):
    port, cert_path, _, mails = tls_mail_server
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    for name, value in {"HELPLINE_SMTP_HOST": "127.0.0.1", "HELPLINE_SMTP_PORT": str(port), "HELPLINE_SMTP_STARTTLS": "on",
                        "HELPLINE_DIGEST_EMAIL_TO": "koordinator@example.org", "HELPLINE_SMTP_CA_FILE": cert_path}.items():
        monkeypatch.setenv(name, value)
    assert main(["digest", "--week", "2026-W47", "--send"]) == 0
    assert mails == [["koordinator@example.org"]]
    monkeypatch.setenv("HELPLINE_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    assert main(["digest", "--week", "2026-W47", "--send"]) == 1
    assert "HELPLINE_SMTP_CA_FILE could not be read" in capsys.readouterr().err and len(mails) == 1
