"""The weekly digest a coordinator reads: figures for one ISO week beside the week before,
as an HTML page in Indonesian (readable on a phone) with bar charts, a CSV of every figure,
and a short Telegram message with the headlines. No names, numbers, chat ids, texts or exact places:
the figures come from referral/digest.py and messaging/digest.py, and small counts are
shown as "<5"."""

from __future__ import annotations

import csv
import html
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.duties.alerts import coordinator_chats
from wiring.delivery_settings import DigestDelivery
from messaging.digest import message_figures
from messaging.store import queue_staff_message
from referral.digest import JAKARTA, SMALL_COUNT, Week, backlog, case_figures, facility_figures, shown
from referral.gazetteer import region_names
from referral.storage import make_private_dir, unit_of_work

CATEGORY_NAMES = {"violence": "Kekerasan", "bullying": "Perundungan", "elderly_care": "Perawatan lansia", "aid": "Bantuan"}
URGENCY_NAMES = {"emergency": "Darurat", "high": "Tinggi", "normal": "Biasa"}
STATUS_NAMES = {"new": "Baru", "referred": "Dirujuk", "accepted": "Diterima", "in_progress": "Ditangani", "closed": "Selesai"}
LANGUAGE_NAMES = {"id": "Indonesia", "en": "Inggris", "jv": "Jawa", "su": "Sunda"}


@dataclass(frozen=True)
class Digest:
    week: Week
    generated_at: datetime
    this: dict
    previous: dict


def build_digest(session: Session, week: Week, now: datetime, ack_after_s: float) -> Digest:
    def figures(of: Week) -> dict:
        return {
            "cases": case_figures(session, of),
            "messages": message_figures(session, of, ack_after_s),
            "facilities": facility_figures(session, of, now),
        }

    this = figures(week) | {"backlog": backlog(session, now)}
    return Digest(week, now, this, figures(week.previous()))


def region_label(code: str, names: dict[str, str]) -> str:
    return f"{names[code]} ({code})" if code in names else code


def rows(digest: Digest) -> list[tuple[str, str, str, object, object]]:
    """Every figure as (section, metric, key, this week, previous week), counts under five
    suppressed. The CSV is these rows; the HTML shows them grouped."""
    this, previous = digest.this, digest.previous
    regions = region_names()
    out: list[tuple[str, str, str, object, object]] = []

    def counts(section: str, metric: str, now: dict, before: dict, names: dict | None = None) -> None:
        for key in sorted(set(now) | set(before)):
            label = (names or {}).get(key, key)
            out.append((section, metric, label, shown(now.get(key, 0)), shown(before.get(key, 0))))

    c, p = this["cases"], previous["cases"]
    out.append(("kasus", "dibuka", "semua", shown(c["opened"]), shown(p["opened"])))
    out.append(("kasus", "darurat", "semua", shown(c["emergencies"]), shown(p["emergencies"])))
    counts("kasus", "kategori", c["by_category"], p["by_category"], CATEGORY_NAMES)
    counts("kasus", "urgensi", c["by_urgency"], p["by_urgency"], URGENCY_NAMES)
    for code in sorted(set(c["by_province"]) | set(p["by_province"])):
        out.append(("kasus", "provinsi", region_label(code, regions), shown(c["by_province"].get(code, 0)),
                    shown(p["by_province"].get(code, 0))))
    for regency, count in sorted(c["by_regency"].items(), key=lambda item: (-item[1], item[0]))[:10]:  # this week's ten busiest
        out.append(("kasus", "kabupaten/kota teratas", region_label(regency, regions), shown(count),
                    shown(p["by_regency"].get(regency, 0))))
    m, pm = this["messages"], previous["messages"]
    counts("kasus", "kanal", m["cases_by_channel"], pm["cases_by_channel"])
    counts("kasus", "bahasa pelapor", m["cases_by_language"], pm["cases_by_language"], LANGUAGE_NAMES)
    for metric, key in (("ditanya", "asked"), ("bantuan sudah diterima", "help_received"), ("bantuan belum diterima", "help_not_received")):
        out.append(("tindak lanjut", metric, "semua", shown(c["follow_ups"][key]), shown(p["follow_ups"][key])))
    speeds = [("jam sampai tindakan petugas pertama", c["hours_to_first_officer_action"], p["hours_to_first_officer_action"]),
              ("jam sampai diterima layanan", c["hours_to_acceptance"], p["hours_to_acceptance"]),
              ("jam sampai selesai", c["hours_to_closure"], p["hours_to_closure"]),
              ("detik sampai jawaban bot pertama", m["seconds_to_first_answer"], pm["seconds_to_first_answer"])]
    for metric, now, before in speeds:
        for key, label in (("median", "median"), ("p90", "persentil 90")):
            out.append(("kecepatan", metric, label, timing(now, key), timing(before, key)))
    for metric, key in (("pesan masuk", "messages_in"), ("pesan keluar", "messages_out"), ("balasan gagal terkirim", "replies_failed"),
                        ("pesan menunggu melewati batas tanggapan", "waited_past_acknowledgement"),
                        ("pesan yang menunggu Rasa kembali (gangguan)", "waited_for_rasa")):
        out.append(("layanan", metric, "semua", shown(m[key]), shown(pm[key])))
    f, pf = this["facilities"], previous["facilities"]
    for kind in sorted(set(f["per_kind"]) | set(pf["per_kind"])):
        now_kind, before_kind = f["per_kind"].get(kind, {}), pf["per_kind"].get(kind, {})
        for metric, label in REFERRAL_METRICS:
            out.append(("rujukan per jenis layanan", label, kind, shown(now_kind.get(metric, 0)), shown(before_kind.get(metric, 0))))
    for code in sorted(set(f["per_facility"]) | set(pf["per_facility"])):
        now_facility, before = f["per_facility"].get(code, {}), pf["per_facility"].get(code, {})
        name = (now_facility or before)["name"]
        for metric, label in REFERRAL_METRICS:
            out.append(("rujukan per layanan", label, name, shown(now_facility.get(metric, 0)), shown(before.get(metric, 0))))
        out.append(("rujukan per layanan", "median jam sampai diterima", name, timing(now_facility, "median_hours_to_accept"),
                    timing(before, "median_hours_to_accept")))
    b = this["backlog"]
    for key in sorted(b["by_status"]):
        out.append(("tunggakan", "status", STATUS_NAMES.get(key, key), shown(b["by_status"][key]), None))  # now, not a week
    for label, count in b["by_age"].items():
        out.append(("tunggakan", "umur", label, shown(count), None))
    return out


REFERRAL_METRICS = (("sent", "dikirim"), ("accepted", "diterima"), ("declined", "ditolak"),
                    ("unanswered_past_sla", "belum dijawab lewat 24 jam"))


def timing(figures: dict, key: str) -> object:
    """A median or percentile as published: "<5 kasus" when it rests on fewer than five
    (one case's exact time could point at it); "–" without data."""
    count = figures.get("n", figures.get("accepted", 0))
    value = figures.get(key)
    if value is None:
        return None
    return "<5 kasus" if count < SMALL_COUNT else value


def draw_charts(digest: Digest, folder: Path) -> list[str]:
    """Bar charts (PNG, matplotlib's Agg backend: no screen needed) of this week beside the
    last; returns their file names. Labels are categories and bands, never anything personal."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    charts = []

    def bars(name: str, title: str, labels: list[str], now: list[int], before: list[int]) -> None:
        figure, axes = pyplot.subplots(figsize=(6.4, 3.4), dpi=110)
        positions = range(len(labels))
        for offset, values, label, colour in ((-0.2, before, "Minggu lalu", "#9bc9b8"), (0.2, now, "Minggu ini", "#0a7a5a")):
            # A count under five is not drawn to scale (it could point at someone): a "<5" marks it.
            heights = [0 if 0 < value < SMALL_COUNT else value for value in values]
            axes.bar([p + offset for p in positions], heights, width=0.4, label=label, color=colour)
            for position, value in zip(positions, values):
                if 0 < value < SMALL_COUNT:
                    axes.annotate("<5", (position + offset, 0), ha="center", va="bottom", fontsize=8, color=colour)
        axes.set_xticks(list(positions), labels)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylim(bottom=0, top=max([SMALL_COUNT, *now, *before]) * 1.15)
        axes.set_title(title)
        axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        figure.savefig(folder / name)
        pyplot.close(figure)
        charts.append(name)

    categories = list(CATEGORY_NAMES)
    this, previous = digest.this["cases"]["by_category"], digest.previous["cases"]["by_category"]
    bars("kasus-per-kategori.png", "Kasus baru per kategori", [CATEGORY_NAMES[c] for c in categories],
         [this.get(c, 0) for c in categories], [previous.get(c, 0) for c in categories])
    kinds = sorted(set(digest.this["facilities"]["per_kind"]) | set(digest.previous["facilities"]["per_kind"])) or ["PSKM", "AUMSOS"]
    accepted = lambda figures, kind: figures["facilities"]["per_kind"].get(kind, {}).get("accepted", 0)  # noqa: E731
    bars("rujukan-diterima.png", "Rujukan yang diterima, per jenis layanan", kinds,
         [accepted(digest.this, k) for k in kinds], [accepted(digest.previous, k) for k in kinds])
    return charts


def write_files(digest: Digest, reports_dir: Path) -> tuple[Path, Path]:
    """var/reports/YYYY-Www/digest.html, digest.csv and the charts; returns the first two."""
    folder = reports_dir / str(digest.week)
    folder.mkdir(parents=True, exist_ok=True)
    table = rows(digest)
    charts = draw_charts(digest, folder)
    csv_path = folder / "digest.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["bagian", "ukuran", "rincian", "minggu_ini", "minggu_lalu"])
        writer.writerows(table)
    html_path = folder / "digest.html"
    html_path.write_text(render_html(digest, table, charts), encoding="utf-8")
    return html_path, csv_path


def _cell(value: object) -> str:
    return "–" if value is None else html.escape(str(value))


def render_html(digest: Digest, table: list[tuple[str, str, str, object, object]], charts: list[str] = ()) -> str:
    cases = digest.this["cases"]
    start = digest.week.start
    sections: dict[str, list[str]] = {}
    for section, metric, key, now, before in table:
        sections.setdefault(section, []).append(
            f"<tr><td>{html.escape(metric)}</td><td>{html.escape(key)}</td><td class=n>{_cell(now)}</td><td class=n>{_cell(before)}</td></tr>"
        )
    oldest = "".join(
        f"<li>{html.escape(item['ticket'])} — {item['age_days']} hari</li>" for item in digest.this["backlog"]["oldest"]
    ) or "<li>Tidak ada kasus terbuka.</li>"
    pictures = "".join(f'<img src="{html.escape(name)}" alt="" width="640">' for name in charts)
    quiet = "" if cases["opened"] else "<p class=note>Tidak ada kasus baru minggu ini. Angka layanan tetap tercatat di bawah.</p>"
    body = "".join(
        f"<h2>{html.escape(section.capitalize())}</h2><table><tr><th>Ukuran</th><th>Rincian</th><th>Minggu ini</th><th>Minggu lalu</th></tr>"
        + "".join(lines) + "</table>"
        for section, lines in sections.items()
    )
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ringkasan mingguan {digest.week}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#1b1b1b;line-height:1.4}}
h1{{font-size:1.4rem;margin-bottom:.2rem}} h2{{font-size:1.1rem;margin-top:1.6rem;border-bottom:2px solid #0a7a5a}}
table{{border-collapse:collapse;width:100%;font-size:.92rem}} td,th{{padding:.35rem .4rem;border-bottom:1px solid #ddd;text-align:left}}
td.n{{text-align:right;font-variant-numeric:tabular-nums}} .head{{display:flex;gap:.6rem;flex-wrap:wrap;margin:1rem 0}}
.box{{flex:1 1 9rem;background:#eef7f3;border-radius:.5rem;padding:.6rem}} .box b{{font-size:1.5rem;display:block}}
.note{{background:#fff6e0;padding:.6rem;border-radius:.4rem}} img{{max-width:100%;height:auto;margin:.4rem 0}} footer{{margin-top:2rem;font-size:.8rem;color:#555}}
</style></head><body>
<h1>Ringkasan mingguan layanan pengaduan MPKS</h1>
<p>Minggu {digest.week} (mulai Senin {start.astimezone(JAKARTA):%d-%m-%Y}), dibandingkan dengan minggu sebelumnya.</p>
<div class=head>
<div class=box><b>{shown(cases['opened'])}</b>kasus baru</div>
<div class=box><b>{shown(cases['emergencies'])}</b>darurat</div>
<div class=box><b>{shown(digest.this['backlog']['open'])}</b>kasus masih terbuka</div>
</div>
{quiet}
{pictures}
{body}
<h2>Sepuluh kasus terbuka tertua</h2><ul>{oldest}</ul>
<footer>Dibuat {digest.generated_at.astimezone(JAKARTA):%Y-%m-%d %H:%M} WIB. Tanpa data pribadi: wilayah paling rinci kabupaten/kota;
angka di bawah 5 ditulis "&lt;5".</footer>
</body></html>
"""


def headline(digest: Digest, html_path: Path | None) -> str:
    """The short message to coordinators: the headline figures and where the report is."""
    cases, previous = digest.this["cases"], digest.previous["cases"]
    text = (
        f"📊 Ringkasan mingguan {digest.week}: {shown(cases['opened'])} kasus baru (minggu lalu {shown(previous['opened'])}), "
        f"{shown(cases['emergencies'])} darurat, {shown(digest.this['backlog']['open'])} kasus masih terbuka."
    )
    return text + (f" Laporan lengkap: {html_path}" if html_path else "")


class DeliveryFailed(RuntimeError):
    """The digest was written, but could not be e-mailed."""


def tls_context(delivery: DigestDelivery) -> ssl.SSLContext:
    """Certificate and host name checked: against the system's CAs, or only against the PEM
    file HELPLINE_SMTP_CA_FILE names (a self-signed server's own certificate, a private CA)."""
    try:
        return ssl.create_default_context(cafile=delivery.smtp_ca_file)
    except (OSError, ssl.SSLError) as error:
        raise DeliveryFailed(f"HELPLINE_SMTP_CA_FILE could not be read as PEM certificates: {error}") from error


def email_digest(delivery: DigestDelivery, digest: Digest, files: list[Path]) -> None:
    """The headline as the message, the report, its CSV and its charts attached."""
    message = EmailMessage()
    message["Subject"] = f"Ringkasan mingguan {digest.week} — Layanan Pengaduan MPKS"
    message["From"] = delivery.mail_from
    message["To"] = ", ".join(delivery.mail_to)
    message.set_content(headline(digest, None) + "\n\nLaporan lengkap (HTML), angka (CSV) dan grafik terlampir.")
    for path in files:
        kind = {".html": ("text", "html"), ".csv": ("text", "csv"), ".png": ("image", "png")}[path.suffix]
        message.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name)
    if delivery.smtp_user and not delivery.smtp_starttls:
        raise DeliveryFailed("refusing to send the SMTP password unencrypted: set HELPLINE_SMTP_STARTTLS=on")
    if delivery.smtp_ca_file and not delivery.smtp_starttls:
        raise DeliveryFailed("HELPLINE_SMTP_CA_FILE is set but STARTTLS is off: set HELPLINE_SMTP_STARTTLS=on")
    context = tls_context(delivery) if delivery.smtp_starttls else None
    try:
        with smtplib.SMTP(delivery.smtp_host, delivery.smtp_port, timeout=30) as smtp:
            if context is not None:
                smtp.starttls(context=context)  # verified: the password and the report go only to the named server
            if delivery.smtp_user:
                smtp.login(delivery.smtp_user, delivery.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"could not e-mail the digest: {type(error).__name__}: {error}") from error


def produce_digest(
    sessions: sessionmaker[Session], week: Week, now: datetime, *, data_dir: Path, ack_after_s: float, send: bool,
    delivery: DigestDelivery | None = None,
) -> dict:
    """Build and write one week's digest. With `send`: queue its headline for every active
    coordinator's Telegram chat and the leadership chat (the outbox sends them), and e-mail
    it when SMTP is configured. Returns what `helpline digest --json` prints."""
    delivery = delivery or DigestDelivery()
    with unit_of_work(sessions) as session:
        digest = build_digest(session, week, now, ack_after_s)
    html_path, csv_path = write_files(digest, make_private_dir(data_dir / "reports"))
    result: dict = {"week": str(week), "html": str(html_path), "csv": str(csv_path), "cases": digest.this["cases"]["opened"]}
    if not send:
        return result
    with unit_of_work(sessions) as session:
        chats = coordinator_chats(session)
        if delivery.leadership_chat and delivery.leadership_chat not in chats:
            chats.append(delivery.leadership_chat)
        for chat_id in chats:
            queue_staff_message(session, channel="telegram", address=chat_id, text=headline(digest, html_path))
    result["queued_messages"] = len(chats)
    if delivery.email_enabled:
        email_digest(delivery, digest, [html_path, csv_path, *sorted(html_path.parent.glob("*.png"))])
        result["emailed_to"] = len(delivery.mail_to)
    return result
