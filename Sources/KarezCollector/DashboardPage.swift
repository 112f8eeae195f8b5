/// The live dashboard served at `/`: one self-contained page (no CDN, works offline) that polls
/// `/api/summary` every second and draws throughput, latency and queue charts on canvases,
/// plus processes, stage latencies and the domain figures.
///
/// For tests and scripts the body carries `data-updates` (summaries received), `data-points`
/// (points in the charts) and `data-done` (items done) once live data has arrived.
enum DashboardPage {
    static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Karez dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#0f1720;color:#e5e7eb}
header{padding:10px 18px;background:#111c28;display:flex;gap:16px;align-items:baseline;border-bottom:1px solid #1f2d3d}
h1{font-size:20px;margin:0;color:#7dd3fc}h2{font-size:15px;margin:0 0 8px;color:#93c5fd}
#status{color:#9ca3af}.live{color:#4ade80}
main{padding:14px 18px;display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
.card{background:#111c28;border:1px solid #1f2d3d;border-radius:8px;padding:12px}
.tiles{grid-column:1/-1;display:grid;grid-template-columns:repeat(8,1fr);gap:10px}
.tile{background:#111c28;border:1px solid #1f2d3d;border-radius:8px;padding:10px}
.tile b{display:block;font-size:22px;color:#f9fafb}.tile span{color:#9ca3af;font-size:12px}
canvas{width:100%;height:180px;display:block}
table{width:100%;border-collapse:collapse;font-size:13px}td,th{padding:3px 6px;text-align:right;border-bottom:1px solid #1f2d3d}
td:first-child,th:first-child{text-align:left}.wide{grid-column:span 2}.dead{color:#f87171}.ok{color:#4ade80}
.legend span{margin-right:12px;font-size:12px}
</style></head>
<body data-updates="0" data-points="0" data-done="0">
<header><h1>Karez</h1><span id="status">connecting…</span></header>
<main>
<div class="tiles">
 <div class="tile"><b id="t-accepted">–</b><span>accepted</span></div>
 <div class="tile"><b id="t-done">–</b><span>done</span></div>
 <div class="tile"><b id="t-rate">–</b><span>done / s</span></div>
 <div class="tile"><b id="t-queue">–</b><span>queued</span></div>
 <div class="tile"><b id="t-inflight">–</b><span>in flight</span></div>
 <div class="tile"><b id="t-redelivered">–</b><span>redelivered</span></div>
 <div class="tile"><b id="t-dead">–</b><span>dead letters</span></div>
 <div class="tile"><b id="t-workers">–</b><span>workers live</span></div>
</div>
<div class="card"><h2>Throughput (items/s)</h2><canvas id="c-rate"></canvas><div class="legend"><span style="color:#38bdf8">■ accepted</span><span style="color:#4ade80">■ done</span></div></div>
<div class="card"><h2>End-to-end latency (ms)</h2><canvas id="c-lat"></canvas><div class="legend"><span style="color:#facc15">■ p50</span><span style="color:#f87171">■ p99</span></div></div>
<div class="card"><h2>Queue</h2><canvas id="c-queue"></canvas><div class="legend"><span style="color:#a78bfa">■ queued</span><span style="color:#fb923c">■ in flight</span></div></div>
<div class="card"><h2>Latency per stage (ms)</h2><table id="stages"></table></div>
<div class="card wide"><h2>Work per kind</h2><table id="kinds"></table></div>
<div class="card wide"><h2>Processes</h2><table id="procs"></table></div>
<div class="card"><h2>Patients seen</h2><table id="patients"></table></div>
<div class="card"><h2>Investment leads</h2><table id="leads"></table></div>
<div class="card"><h2>News stories per outlet</h2><table id="news"></table></div>
<div id="kind-sections" style="display:contents"></div>
</main>
<script>
"use strict";
const $ = id => document.getElementById(id);
const fmt = v => v >= 1e6 ? (v/1e6).toFixed(2)+"M" : v >= 1e4 ? (v/1e3).toFixed(1)+"k" : (Math.round(v*10)/10).toString();
const ms = s => (s*1000).toFixed(s < 0.01 ? 2 : 1);
const esc = s => String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
let updates = 0;
function chart(id, series, colors) {
  const c = $(id), r = c.getBoundingClientRect(), d = window.devicePixelRatio || 1;
  c.width = r.width * d; c.height = r.height * d;
  const g = c.getContext("2d"); g.scale(d, d);
  const w = r.width, h = r.height, pad = 34;
  g.clearRect(0, 0, w, h);
  const n = Math.max(...series.map(s => s.length), 2);
  const max = Math.max(1e-9, ...series.flat()) * 1.1;
  g.strokeStyle = "#1f2d3d"; g.fillStyle = "#9ca3af"; g.font = "11px sans-serif";
  for (let i = 0; i <= 4; i++) { const y = 8 + (h - 26) * i / 4; g.beginPath(); g.moveTo(pad, y); g.lineTo(w, y); g.stroke(); g.fillText(fmt(max * (1 - i / 4)), 2, y + 4); }
  series.forEach((s, k) => {
    g.strokeStyle = colors[k]; g.lineWidth = 2; g.beginPath();
    s.forEach((v, i) => { const x = pad + (w - pad - 4) * i / (n - 1), y = 8 + (h - 26) * (1 - v / max); i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  });
  g.fillText(n + " s", w - 30, h - 4);
}
function table(id, head, rows) {
  $(id).innerHTML = "<tr>" + head.map(h => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
    rows.map(r => "<tr>" + r.map(c => "<td>" + c + "</td>").join("") + "</tr>").join("");
}
function render(s) {
  const t = s.totals, pts = s.series.slice(-300);
  $("t-accepted").textContent = fmt(t.accepted); $("t-done").textContent = fmt(t.done);
  $("t-rate").textContent = fmt(s.rates.done_per_s); $("t-queue").textContent = fmt(s.queue.items);
  $("t-inflight").textContent = fmt(s.queue.in_flight); $("t-redelivered").textContent = fmt(t.redelivered);
  $("t-dead").textContent = fmt(t.dead_lettered);
  $("t-workers").textContent = s.processes.filter(p => p.role == "worker" && p.live).length;
  chart("c-rate", [pts.map(p => p.accepted_per_s), pts.map(p => p.done_per_s)], ["#38bdf8", "#4ade80"]);
  chart("c-lat", [pts.map(p => p.p50_ms), pts.map(p => p.p99_ms)], ["#facc15", "#f87171"]);
  chart("c-queue", [pts.map(p => p.queue), pts.map(p => p.in_flight)], ["#a78bfa", "#fb923c"]);
  table("stages", ["stage", "count", "p50", "p90", "p99", "p99.9"], Object.entries(s.latency_seconds).map(([k, v]) =>
    [esc(k), fmt(v.count), ms(v.p50), ms(v.p90), ms(v.p99), ms(v.p999)]));
  table("kinds", ["kind", "state", "scheduled", "in flight", "oldest waiting", "limits", "done", "dead", "expired", "cancelled"],
    Object.entries(s.kinds).map(([k, v]) => [esc(k), v.paused ? '<span class="dead">paused</span>' : '<span class="ok">running</span>',
      fmt(v.scheduled), fmt(v.in_flight), v.oldest_age_s.toFixed(1) + " s",
      [v.concurrency_limit > 0 ? "≤ " + fmt(v.concurrency_limit) + " at once" : "", v.rate_limit > 0 ? fmt(v.rate_limit) + "/s" : ""].filter(x => x).join(", ") || "none",
      fmt(v.done), fmt(v.dead_lettered), fmt(v.expired), fmt(v.cancelled)]));
  table("procs", ["role", "name", "host", "pid", "state", "last seen", "uptime", "done"], s.processes.map(p =>
    [esc(p.role), esc(p.name), esc(p.host), p.pid, p.live ? '<span class="ok">live</span>' : '<span class="dead">gone</span>',
     p.last_seen_s.toFixed(1) + " s", Math.round(p.uptime_s) + " s", fmt(p.done)]));
  const r = s.report;
  if (r) {
    table("patients", ["facility", "visits", "checkups", "surgeries"], r.patients.facilities.map(f =>
      [esc(f.name), f.visits, f.checkups, f.surgeries]));
    table("leads", ["stage", "reached", "amount (CNY)"], ["contacted", "agreement_signed", "landed"].map(k =>
      [k, r.leads.reached[k] || 0, fmt(r.leads.amount_cny_by_stage[k] || 0)]));
    table("news", ["outlet", "stories"], Object.entries(r.news.stories_by_source).sort((a, b) => b[1] - a[1]).map(([k, v]) => [esc(k), v]));
    // Tables of further kinds (their descriptors' report sections), a card each.
    for (const sec of (r.sections || [])) {
      const id = "section-" + sec.key.replace(/[^A-Za-z0-9_-]/g, "_");
      if (!$(id)) {
        const card = document.createElement("div");
        card.className = "card";
        card.innerHTML = "<h2>" + esc(sec.title) + "</h2><table id=\"" + id + "\"></table>";
        $("kind-sections").appendChild(card);
      }
      table(id, sec.columns, sec.rows.map(cells => cells.map(esc)));
    }
  }
  updates += 1;
  document.body.dataset.updates = updates;
  document.body.dataset.points = pts.length;
  document.body.dataset.done = t.done;
  $("status").innerHTML = '<span class="live">● live</span> ' + esc(s.time) + " · " + s.collector.received + " snapshots";
}
// Opened as /?token=TOKEN when the collector requires one: the API calls carry it as a header.
const pageToken = new URLSearchParams(location.search).get("token");
const authHeaders = pageToken ? {"Authorization": "Bearer " + pageToken} : {};
async function poll() {
  try { const r = await fetch("/api/summary", {cache: "no-store", headers: authHeaders}); render(await r.json()); }
  catch (e) { $("status").textContent = "collector unreachable: " + e; }
  setTimeout(poll, 1000);
}
poll();
</script></body></html>
"""#
}
