// The officers' desk: live updates without a reload (polling every 3 s), no inline script.
// Everything a reporter wrote is put on the page as text (textContent), never as HTML.
"use strict";

const POLL_MS = 3000;
const CATEGORY = { violence: "kekerasan", bullying: "perundungan", elderly_care: "perawatan lansia", aid: "bantuan" };
const URGENCY = { emergency: "DARURAT", high: "tinggi", normal: "biasa" };
const STATUS = { new: "baru", referred: "dirujuk", accepted: "diterima", in_progress: "sedang ditangani", closed: "selesai" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function wib(iso) {
  const when = new Date(iso);
  const parts = new Intl.DateTimeFormat("id-ID", { timeZone: "Asia/Jakarta", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false }).formatToParts(when);
  const part = (type) => (parts.find((p) => p.type === type) || {}).value;
  return `${part("day")}-${part("month")}-${part("year")} ${part("hour")}:${part("minute")}`;
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (response.status === 401) { window.location.assign("/console/login"); return null; }
  if (!response.ok) return null;
  return response.json();
}

function queueItem(item) {
  const li = el("li", `item rank-${item.rank}`);
  li.dataset.ticket = item.ticket;
  const link = el("a");
  link.href = item.link;
  if (item.label) link.append(el("span", "flag", item.label));
  link.append(el("span", "ticket", item.ticket));
  link.append(el("span", "", item.category
    ? `${CATEGORY[item.category] || item.category} · ${URGENCY[item.urgency] || item.urgency} · ${STATUS[item.status] || item.status}`
    : "belum ada kasus tercatat"));
  let meta = `${wib(item.created_at)} WIB`;
  if (item.region) meta += ` · wilayah ${item.region}`;
  if (item.held_by) meta += ` · dipegang ${item.held_by_me ? "Anda" : item.held_by}`;
  link.append(el("span", "meta", meta));
  li.append(link);
  return li;
}

async function refreshQueue(list) {
  const data = await fetchJson(list.dataset.live + window.location.search);
  if (!data) return;
  list.replaceChildren(...(data.items.length ? data.items.map(queueItem) : [el("li", "empty", "Tidak ada kasus terbuka di wilayah tugas Anda.")]));
  for (const [key, value] of Object.entries(data.counts)) {
    const node = document.querySelector(`[data-count="${key}"]`);
    if (node) node.textContent = value === null ? "-" : String(value);
  }
}

async function refreshTranscript(list) {
  const data = await fetchJson(`${list.dataset.live}?after=${list.dataset.after}`);
  if (!data) return;
  for (const line of data.messages) {
    const li = el("li", line.from_reporter ? "reporter" : line.from_officer ? "officer" : "bot");
    li.append(el("span", "meta", `${line.at} ${line.who}`), document.createTextNode(" "), el("span", "text", line.text));
    if (line.media_url) {
      const link = el("a", "media", `Buka lampiran (${line.media_type || "berkas"})`);
      link.href = line.media_url;
      link.target = "_blank";
      link.rel = "noopener";
      li.append(document.createTextNode(" "), link);
    }
    list.append(li);
    list.dataset.after = String(line.id);
  }
  if (data.messages.length) list.scrollTop = list.scrollHeight;
}

function every(run) {
  run();
  window.setInterval(run, POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  const queue = document.getElementById("queue");
  if (queue) every(() => refreshQueue(queue));
  const transcript = document.getElementById("transcript");
  if (transcript) {
    transcript.scrollTop = transcript.scrollHeight;
    window.setInterval(() => refreshTranscript(transcript), POLL_MS);
  }
});
