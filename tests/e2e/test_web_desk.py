"""The officers' desk in a real browser (headless Chromium driven by Selenium) against the
real stack: log in, see a web chat reporter's emergency arrive without a reload, open it,
take over, talk with the reporter, write a note, hand back, and the bot answers again; the
audit shows each step. Screenshots of the queue and the case page at 1280 and 360 px go to
var/screenshots/ (the README shows copies from docs/img/)."""

from __future__ import annotations

import os
import re
import subprocess
import time

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.test_officers_flow import conversation_of, helpline, to_chat, write
from tests.e2e.test_report_flow import new_sender, say, texts
from tests.helpers import PROJECT_ROOT, wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "meja-petugas-2026"
SHOTS = PROJECT_ROOT / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--lang=id"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def set_password(stack, officer_id: int) -> None:
    done = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "helpline"), "officers", "set-password", str(officer_id), "--password-stdin"],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": stack.database_url, "HELPLINE_DATA_DIR": str(stack.data_dir)},
    )
    assert done.returncode == 0, done.stderr


def shoot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 640), 2400))
        driver.save_screenshot(str(SHOTS / f"console-{name}-{width}.png"))
    driver.set_window_size(1280, 900)


@pytest.fixture(scope="module")
def coordinator(postgres_stack) -> int:
    added = helpline(postgres_stack, "officers", "add", "Sari Koordinator", "--role", "coordinator", "--username", "sari")
    set_password(postgres_stack, added["id"])
    return added["id"]


def sign_in(browser, base: str) -> None:
    """Sign in as Sari (and accept the code of conduct) unless the browser already is."""
    wait = WebDriverWait(browser, 30)
    browser.get(f"{base}/console")
    if not browser.current_url.endswith("/console/login"):
        return
    browser.find_element(By.NAME, "username").send_keys("sari")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    if "/console/conduct" in browser.current_url:
        wait.until(seen.element_to_be_clickable((By.XPATH, "//button[contains(., 'menyetujui kode etik')]"))).click()
    wait.until(seen.presence_of_element_located((By.ID, "queue")))


def test_an_officer_handles_an_emergency_from_the_browser(postgres_stack, browser, coordinator):
    base = postgres_stack.base_url
    added = {"id": coordinator}
    wait = WebDriverWait(browser, 30)

    # Wrong password first: refused, with the reason in Indonesian
    browser.get(f"{base}/console")
    assert browser.current_url.endswith("/console/login")
    browser.find_element(By.NAME, "username").send_keys("sari")
    browser.find_element(By.NAME, "password").send_keys("bukan-sandinya")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    assert "kata sandi salah" in wait.until(seen.presence_of_element_located((By.CLASS_NAME, "error"))).text
    browser.find_element(By.NAME, "username").send_keys("sari")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # First, the safeguarding code of conduct: read and accepted before anything else
    accept = wait.until(seen.element_to_be_clickable((By.XPATH, "//button[contains(., 'menyetujui kode etik')]")))
    assert "Kode Etik Perlindungan" in browser.page_source
    accept.click()
    wait.until(seen.presence_of_element_located((By.ID, "queue")))

    # A web chat reporter in danger now: the queue shows it without a reload, on top
    sender = new_sender()
    first = texts(say(postgres_stack, sender, text="tolong sekarang suami lagi mukulin saya"))
    assert "112" in first
    def ticket_told() -> str | None:  # other tests' emergencies share this stack's queue: find ours
        answer = httpx.get(f"{base}/webchat/messages", params={"sender_id": sender, "after": 0}, timeout=30).json()
        found = re.search(r"MPKS-\d{4}-\d+", " ".join(m["text"] or "" for m in answer["replies"]))
        return found.group(0) if found else None

    ticket = wait_until(ticket_told, 60, "the emergency's ticket")
    raised = time.monotonic()  # the case and its alert exist once the reporter has the ticket
    item = wait.until(lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, f'#queue .item.rank-0[data-ticket="{ticket}"]')), None))
    shown_after = time.monotonic() - raised
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "emergency-shown-after.txt").write_text(f"{shown_after:.2f} s\n")
    assert shown_after <= 5, f"the emergency took {shown_after:.1f} s to appear in the queue"  # the page polls every 3 s
    assert "DARURAT" in item.text
    shoot(browser, "queue")

    item.find_element(By.TAG_NAME, "a").click()
    wait.until(seen.text_to_be_present_in_element((By.TAG_NAME, "h1"), ticket))
    assert "tolong sekarang suami lagi mukulin saya" in browser.find_element(By.ID, "transcript").text
    browser.find_element(By.XPATH, "//button[normalize-space()='Ambil alih']").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "holder"), "Anda memegang"))

    def reporter_sees(needle: str) -> bool:
        answer = httpx.get(f"{base}/webchat/messages", params={"sender_id": sender, "after": 0}, timeout=30).json()
        return any(needle in (m["text"] or "") for m in answer["replies"])

    browser.find_element(By.NAME, "text").send_keys("Ibu, saya Sari dari MPKS. Apakah Ibu bisa ke tempat aman sekarang?")
    browser.find_element(By.XPATH, "//button[normalize-space()='Kirim ke pelapor']").click()
    wait_until(lambda: reporter_sees("saya Sari dari MPKS"), 60, "the officer's message in the web chat")
    say(postgres_stack, sender, text="iya saya sudah di rumah tetangga")
    wait.until(seen.text_to_be_present_in_element((By.ID, "transcript"), "sudah di rumah tetangga"))  # live, no reload
    shoot(browser, "case")

    browser.find_element(By.CSS_SELECTOR, ".notes textarea[name=text]").send_keys("Pelapor aman di rumah tetangga")
    browser.find_element(By.XPATH, "//button[normalize-space()='Simpan catatan']").click()
    wait.until(seen.text_to_be_present_in_element((By.CLASS_NAME, "events"), "Pelapor aman di rumah tetangga"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Kembalikan ke bot']").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "holder"), "Dijawab oleh bot"))
    assert not reporter_sees("Pelapor aman di rumah tetangga")  # a note never reaches the reporter

    answer = texts(say(postgres_stack, sender, text="halo"))
    assert answer.strip()  # the bot answers again

    actions = [e["action"] for e in reversed(helpline(postgres_stack, "audit", "--ticket", ticket)["events"])]
    for step in ("view_case", "takeover", "message_sent", "note", "hand_back"):
        assert step in actions
    logins = [e["action"] for e in helpline(postgres_stack, "audit", "--officer", str(added["id"]))["events"]]
    assert "login_failed" in logins and "login" in logins


def test_an_officer_talks_with_a_telegram_reporter_from_the_browser(postgres_stack, bot_api, browser, coordinator):
    base = postgres_stack.base_url
    wait = WebDriverWait(browser, 30)
    sign_in(browser, base)
    reporter = 5100009901
    write(bot_api, reporter, "saya mau bicara dengan petugas")
    conversation = wait_until(lambda: conversation_of(postgres_stack, "telegram", str(reporter)), 60, "the reporter's conversation")
    link = f"/console/conversations/{conversation.id}"
    item = wait.until(lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, f'#queue a[href="{link}"]')), None))  # live
    assert "Minta petugas" in item.text
    item.click()
    wait.until(seen.element_to_be_clickable((By.XPATH, "//button[normalize-space()='Ambil alih']"))).click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "holder"), "Anda memegang"))
    browser.find_element(By.NAME, "text").send_keys("Halo, saya Sari. Ada yang bisa saya bantu?")
    browser.find_element(By.XPATH, "//button[normalize-space()='Kirim ke pelapor']").click()
    wait_until(lambda: any("Ada yang bisa saya bantu?" in m.get("text", "") for m in to_chat(bot_api, reporter)), 60,
               "the officer's message on the reporter's Telegram")
    write(bot_api, reporter, "iya, saya mau cerita soal tetangga saya")
    wait.until(seen.text_to_be_present_in_element((By.ID, "transcript"), "soal tetangga saya"))
    browser.find_element(By.XPATH, "//button[normalize-space()='Kembalikan ke bot']").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "holder"), "Dijawab oleh bot"))
    actions = [e["action"] for e in helpline(postgres_stack, "audit", "--officer", str(coordinator))["events"]]
    assert {"takeover", "message_sent", "hand_back"} <= set(actions)


def test_in_the_browser_lockout_csrf_and_remit_hold(postgres_stack, browser):
    from referral.cases import NewCase, open_case
    from referral.storage import make_engine, make_session_factory, unit_of_work

    base = postgres_stack.base_url
    added = helpline(postgres_stack, "officers", "add", "Budi Jatim", "--role", "officer", "--region", "35", "--username", "budi")
    set_password(postgres_stack, added["id"])
    engine = make_engine(postgres_stack.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:  # a case in DI Yogyakarta: not Budi's
            case = open_case(session, NewCase(category="aid", is_emergency=False, description="butuh sembako"), actor="bot")
            case.province_code, case.regency_code = "34", "34.04"
            elsewhere = case.ticket
    finally:
        engine.dispose()
    browser.delete_all_cookies()
    wait = WebDriverWait(browser, 30)

    def try_password(password: str) -> str:
        browser.get(f"{base}/console/login")
        browser.find_element(By.NAME, "username").send_keys("budi")
        browser.find_element(By.NAME, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        return wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, ".error, #queue, form[action='/console/conduct/accept']"))).text

    for _ in range(5):
        assert "kata sandi salah" in try_password("salah-terus-ya")
    assert "Terlalu banyak percobaan" in try_password(PASSWORD)  # locked from this address, the right password too
    helpline(postgres_stack, "officers", "unlock", str(added["id"]))
    try_password(PASSWORD)
    wait.until(seen.element_to_be_clickable((By.XPATH, "//button[contains(., 'menyetujui kode etik')]"))).click()
    wait.until(seen.presence_of_element_located((By.ID, "queue")))

    # A form posted without its CSRF token is refused
    browser.execute_script("document.querySelector('form.duty input[name=csrf_token]').remove()")
    browser.find_element(By.CSS_SELECTOR, "form.duty button").click()
    wait.until(seen.text_to_be_present_in_element((By.TAG_NAME, "body"), "token keamanan (CSRF)"))

    # A case outside the remit is the same page as an unknown ticket
    browser.get(f"{base}/console/cases/{elsewhere}")
    outside = browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{base}/console/cases/MPKS-2099-99999")
    assert browser.find_element(By.TAG_NAME, "main").text == outside and "tidak ditemukan" in outside.lower()

    actions = [e["action"] for e in reversed(helpline(postgres_stack, "audit", "--officer", str(added["id"]))["events"])]
    assert actions[:6] == ["password_set"] + ["login_failed"] * 5 and "login" in actions and "conduct_accepted" in actions
