// The dashboard's live parts: poll SIA's API and the dashboard's mock views, redraw.
// No framework and no build step; every value from the systems goes in as text, never HTML.
"use strict";

const FAST = 2000;       // status, feed and the chosen person's records
const SLOW = 5000;       // mocks' clocks and faults, settings
const GRID_EVERY = 20000; // the Smart Grid asks Marketo itself (A-GRID): not every tick
const FEED_KEEP = 300;

const state = { person: null, feedAfter: {}, gridAt: 0, gridBusy: false, emails: null };

// --- helpers -------------------------------------------------------------------------------
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

async function api(method, url, body) {
  const options = { method, headers: {} };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body || {});
  }
  const response = await fetch(url, options);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const message = (data && data.message) || `${response.status} ${response.statusText}`;
    const error = new Error(message);
    error.code = data && data.error;
    throw error;
  }
  return data;
}

function record(dl, obj, keys) {
  dl.replaceChildren();
  if (!obj) { dl.append(h("dd", { class: "muted" }, "not found")); return; }
  for (const key of keys || Object.keys(obj)) {
    const value = obj[key];
    if (value === null || value === undefined || value === "") continue;
    dl.append(h("dt", {}, key), h("dd", {}, typeof value === "object" ? JSON.stringify(value) : value));
  }
}

function list(el, items, render, empty) {
  el.replaceChildren(...(items.length ? items.map(render) : [h("li", { class: "muted" }, empty)]));
}

function say(message, ok = true) {
  const el = $("#action-result");
  el.textContent = message;
  el.className = ok ? "ok" : "error";
}

// "2030-01-31T09:00:00.000+0000" (Salesforce), "...Z" (Marketo, SIA): shown in UTC, to the second
const time = (iso) => (iso ? iso.replace("T", " ").replace(/(\.\d+)?(Z|[+-]\d\d:?\d\d)$/, "") : "");

// --- people --------------------------------------------------------------------------------
let searchTimer = null;
async function loadPeople() {
  const q = $("#person-search").value.trim();
  try {
    const data = await api("GET", `/api/people?limit=100&q=${encodeURIComponent(q)}`);
    $("#people-count").textContent = `${data.total} ${data.total === 1 ? "person" : "people"}` +
      (data.total > data.people.length ? ` (first ${data.people.length})` : "");
    list($("#people-list"), data.people, (p) => h("li", {},
      h("button", { type: "button", "data-person": p["Marketo ID"],
                    class: state.person === p["Marketo ID"] ? "chosen" : null,
                    onclick: () => choose(p["Marketo ID"]) },
        h("b", {}, `${p["First Name"] || ""} ${p["Last Name"] || ""}`.trim() || "(no name)"),
        h("small", {}, p.Email || ""), h("small", {}, p.Company || ""))),
      q ? "nobody matches" : "nobody yet: the data sync has not brought anyone");
  } catch (e) {
    $("#people-count").textContent = e.message;
  }
}

function choose(marketoId) {
  state.person = marketoId;
  state.gridAt = 0;
  $("#person-empty").hidden = true;
  $("#person-view").hidden = false;
  $$("#people-list button").forEach((b) =>
    b.classList.toggle("chosen", Number(b.dataset.person) === marketoId));
  $("#smart-grid").replaceChildren();
  say("");
  refreshPerson();
  loadGrid();
}

// --- the chosen person, in three systems --------------------------------------------------
async function refreshPerson() {
  const id = state.person;
  if (id === null) return;
  const [sia, acts, tasks, emails, mocks] = await Promise.allSettled([
    api("GET", `/api/people/${id}`), api("GET", `/api/people/${id}/activities`),
    api("GET", `/api/people/${id}/tasks`), api("GET", `/api/people/${id}/emails`),
    api("GET", `/dashboard/api/person/${id}`)]);
  if (id !== state.person) return; // another person was chosen meanwhile
  if (sia.status === "fulfilled") {
    const p = sia.value;
    $("#person-title").textContent =
      `${p["First Name"] || ""} ${p["Last Name"] || ""} · ${p.Email || "no email"} · Marketo ID ${id}`;
    const { status, unsubscribed, ...fields } = p;
    record($("#sia-record"), fields);
    $("#sia-state").textContent = `${status}${unsubscribed ? ", unsubscribed" : ""}`;
  } else {
    $("#sia-state").textContent = sia.reason.message;
  }
  if (acts.status === "fulfilled") {
    list($("#sia-activities"), acts.value.activities.slice().reverse(), (a) =>
      h("li", { class: `delivery-${a.delivery}` }, h("time", {}, time(a.occurredAt)), " ",
        h("b", {}, a.type), " ", a.primary || "", " ", h("small", { class: "tag" }, a.delivery)),
      "no sales activity yet");
  }
  if (tasks.status === "fulfilled") {
    list($("#sia-tasks"), tasks.value.tasks, (t) => h("li", {},
      h("b", {}, t.name), ` ${t.status} · ${t.priority}`, t.dueDate ? ` · due ${t.dueDate}` : "",
      t.salesforceTaskId ? h("small", { class: "tag" }, "in Salesforce") : null, " ",
      t.status === "Open" ? h("button", { type: "button", class: "small",
        onclick: () => act("POST", `/api/tasks/${t.id}/complete`, {}, "Task completed") }, "complete") : null,
      h("button", { type: "button", class: "small",
        onclick: () => act("DELETE", `/api/tasks/${t.id}`, {}, "Task deleted") }, "delete")),
    "no reminder tasks");
  }
  if (emails.status === "fulfilled") showEmails(emails.value.emails);
  if (mocks.status === "fulfilled") showMocks(mocks.value);
  else $("#sf-type").textContent = mocks.reason.message;
}

function showEmails(emails) {
  const select = $("#email-choice");
  const key = emails.map((e) => `${e.id}:${e.events.length}`).join(",");
  if (key === state.emails) return;
  state.emails = key;
  const chosen = select.value;
  select.replaceChildren(...(emails.length
    ? emails.map((e) => h("option", { value: e.id }, `${e.subject} (${e.marker})` +
        (e.events.length ? ` · ${e.events.map((x) => x.event).join(", ")}` : "")))
    : [h("option", { value: "" }, "no email sent yet")]));
  if (chosen) select.value = chosen;
}

function showMocks(view) {
  const sf = view.salesforce;
  $("#sf-type").textContent = sf.type
    ? `${sf.type}${sf.owner ? ` · owner ${sf.owner.Name || sf.owner.Id} (${sf.owner.kind})` : " · no owner"}`
    : "no record";
  record($("#sf-record"), sf.record);
  record($("#mkto-record"), view.marketo);
  list($("#sf-tasks"), view.tasks, (t) => h("li", {},
    h("time", {}, time(t.CreatedDate)), " ", h("b", {}, t.Subject || "(no subject)"), " ",
    h("small", { class: "tag" }, t.Type || "reminder"), ` ${t.Status || ""}`,
    t.ActivityDate ? ` · ${t.ActivityDate}` : ""), "no Tasks");
}

async function loadGrid() {
  const id = state.person;
  if (id === null || state.gridBusy) return;
  state.gridBusy = true;
  state.gridAt = Date.now();
  try {
    const data = await api("GET", `/api/people/${id}/smart-grid`);
    if (id !== state.person) return;
    $("#grid-loaded").textContent = `asked Marketo at ${new Date().toLocaleTimeString()}`;
    list($("#smart-grid"), data.activities, (a) => h("li", { class: `cat-${a.category.replace(/ /g, "-")}` },
      h("time", {}, time(a.date)), " ", h("b", {}, a.type), " ", a.primary || "",
      h("small", { class: "attrs" }, Object.entries(a.attributes || {})
        .filter(([, v]) => v !== null && v !== "").map(([k, v]) => `${k}: ${v}`).join(" · "))),
    "no activity in Marketo");
  } catch (e) {
    $("#grid-loaded").textContent = e.message;
  } finally {
    state.gridBusy = false;
  }
}

// --- actions -------------------------------------------------------------------------------
async function act(method, url, body, done) {
  try {
    const result = await api(method, url, body);
    say(typeof done === "function" ? done(result) : done, true);
  } catch (e) {
    say(e.message, false);
  }
  await refreshPerson();
  loadGrid();
  refreshStatus();
}

function formData(form, submitter) {
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "submit" || el.value === "") continue;
    data[el.name] = el.type === "number" ? Number(el.value) : el.value;
  }
  if (submitter && submitter.name) data[submitter.name] = submitter.value;
  return data;
}

const ACTIONS = {
  "send-email": (id, d) => ["POST", `/api/people/${id}/emails`, d,
    (r) => `Email sent: ${r.subject}`],
  "email-event": (id, { emailId, ...d }) => ["POST", `/api/emails/${emailId}/events`, d,
    (r) => `Recorded: ${r.activity}`],
  "log-call": (id, d) => ["POST", `/api/people/${id}/calls`, d, (r) => `Call logged (${r.marker})`],
  campaign: (id, { op, campaign }) => op === "remove"
    ? ["DELETE", `/api/people/${id}/campaigns/${encodeURIComponent(campaign)}`, {},
       (r) => `${r.activity}: ${campaign}`]
    : ["POST", `/api/people/${id}/campaigns`, { campaign }, (r) => `${r.activity}: ${campaign}`],
  task: (id, d) => ["POST", `/api/people/${id}/tasks`, d, (r) => `Task created: ${r.name}`],
  subscription: (id, { op }) => ["POST", `/api/people/${id}/${op}`, {},
    (r) => (r.unsubscribed ? `Unsubscribed${r.pushedToSalesforce ? " (and in Salesforce)" : ""}`
                           : "Resubscribed (in SIA only)")],
};

function wireActions() {
  $$("#actions form").forEach((form) => form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.person === null) return;
    const [method, url, body, done] = ACTIONS[form.dataset.action](
      state.person, formData(form, event.submitter));
    act(method, url, body, done).then(() => {
      if (form.dataset.action !== "email-event" && !$("#action-result.error")) form.reset();
    });
  }));
  $("#grid-reload").addEventListener("click", loadGrid);
}

// --- sync status and settings --------------------------------------------------------------
async function refreshStatus() {
  let s;
  try { s = await api("GET", "/api/sync"); } catch (e) {
    $("#sync-pill").textContent = `SIA does not answer: ${e.message}`;
    $("#sync-pill").className = "pill bad";
    return;
  }
  const w = s.worker;
  const people = s.people.active || 0;
  const pill = $("#sync-pill");
  $('[data-sync="initial"]').hidden = Boolean(s.initialDone);
  if (!s.initiated) {
    pill.textContent = "data sync not started";
    pill.className = "pill warn";
  } else if (w.lastError) {
    pill.textContent = `last pass failed: ${w.lastError.message}`;
    pill.className = "pill bad";
  } else {
    pill.textContent = `${people} people · ${w.continuous ? `syncing every ${w.interval} s` : "continuous mode off"}` +
      (w.lastFinished ? ` · last pass ${time(w.lastFinished)}` : "");
    pill.className = "pill good";
  }
  record($("#sync-status"), {
    "started": time(s.initiated), "initial sync done": time(s.initialDone),
    "change feed cursor": s.feedToken ? `${s.feedToken.slice(0, 18)}…` : null,
    "people": Object.entries(s.people).map(([k, v]) => `${v} ${k}`).join(", ") || "none",
    "continuous": w.continuous ? `every ${w.interval} s, ${w.passes} passes` : "off",
    "last pass": w.lastFinished ? `${time(w.lastFinished)} (${w.lastSeconds} s)` : null,
    "last error": w.lastError ? `${w.lastError.error}: ${w.lastError.message}` : null,
  });
  list($("#sync-runs"), s.lastRuns, (r) => h("li", { class: `run-${r.status}` },
    h("time", {}, time(r.finished_at || r.started_at)), " ", h("b", {}, r.kind), ` ${r.status} `,
    h("small", {}, r.error || Object.entries(r.counts || {})
      .filter(([k, v]) => k !== "kind" && v !== 0 && typeof v !== "object")
      .map(([k, v]) => `${k} ${v}`).join(", "))), "no runs yet");
}

async function refreshSettings() {
  try {
    const { settings } = await api("GET", "/api/settings");
    for (const s of settings) {
      const input = $(`[data-setting="${s.key}"]`);
      if (!input || input === document.activeElement) continue;
      if (input.type === "checkbox") input.checked = s.value; else input.value = s.value;
    }
  } catch (e) { /* the status pill already says SIA does not answer */ }
}

function wireSettings() {
  $$("[data-setting]").forEach((input) => input.addEventListener("change", async () => {
    const value = input.type === "checkbox" ? input.checked : input.value;
    try {
      const r = await api("PUT", `/api/settings/${input.dataset.setting}`, { value });
      say(`${r.key} is now ${r.value === true ? "on" : r.value === false ? "off" : r.value}`);
    } catch (e) {
      say(e.message, false);
      refreshSettings();
    }
  }));
  $$("[data-sync]").forEach((b) => b.addEventListener("click", async () => {
    const initial = b.dataset.sync === "initial";
    say(initial ? "Initial sync running…" : "Sync pass running…");
    try {
      const r = await api("POST", initial ? "/api/sync/initial" : "/api/sync/run", {});
      say(initial ? `Initial sync done: ${r.added} people` : "Sync pass done");
    } catch (e) { say(e.message, false); }
    refreshStatus();
    loadPeople();
    refreshPerson();
  }));
}

// --- the mocks: clocks and faults ---------------------------------------------------------
async function refreshMocks() {
  let data;
  try { data = await api("GET", "/dashboard/api/mocks"); } catch (e) { return; }
  for (const [name, m] of Object.entries(data)) {
    const box = $(`[data-mock="${name}"]`);
    if (!box) continue;
    $(".clock", box).textContent = m.error ? m.error
      : `${time(m.clock.now)}${m.clock.offsetSeconds ? ` (+${Math.round(m.clock.offsetSeconds / 3600)} h)` : ""}`;
    $(".faults", box).textContent = m.faults && m.faults.length
      ? m.faults.map((f) => `${f.error || f.status || (f.drop ? `drop ${f.drop}` : `${f.latencyMs} ms`)} on ${f.path}` +
          (f.remaining ? ` ×${f.remaining}` : "")).join("; ")
      : "none";
  }
}

function wireMocks() {
  $$("[data-mock]").forEach((box) => {
    const name = box.dataset.mock;
    const base = `/dashboard/api/mocks/${name}`;
    $$("[data-clock]", box).forEach((b) => b.addEventListener("click", async () => {
      const body = b.dataset.clock === "reset" ? { reset: true } : { advance: Number(b.dataset.clock) };
      try { const c = await api("POST", `${base}/clock`, body); say(`${name} clock: ${time(c.now)}`); }
      catch (e) { say(e.message, false); }
      refreshMocks();
    }));
    $$("[data-fault]", box).forEach((b) => b.addEventListener("click", async () => {
      try { await api("POST", `${base}/faults`, { preset: b.dataset.fault }); say(`${name}: ${b.textContent}`); }
      catch (e) { say(e.message, false); }
      refreshMocks();
    }));
    $$("[data-clear-faults]", box).forEach((b) => b.addEventListener("click", async () => {
      try { await api("DELETE", `${base}/faults`, {}); say(`${name}: faults cleared`); }
      catch (e) { say(e.message, false); }
      refreshMocks();
    }));
    $$("[data-salesforce-sync]", box).forEach((b) => b.addEventListener("click", async () => {
      try { await api("POST", "/dashboard/api/marketo/salesforce-sync", {}); say("Marketo synced with Salesforce"); }
      catch (e) { say(e.message, false); }
      refreshPerson();
    }));
  });
}

// --- the live feed -------------------------------------------------------------------------
async function refreshFeed() {
  if ($("#feed-pause").checked) return;
  const query = Object.entries(state.feedAfter).map(([k, v]) => `${k}=${v}`).join("&");
  let data;
  try { data = await api("GET", `/dashboard/api/feed?${query}`); } catch (e) { return; }
  const fresh = [];
  for (const [name, part] of Object.entries(data)) {
    if (part.error) continue;
    if (part.lastId < (state.feedAfter[name] || 0)) state.feedAfter[name] = 0; // journal cleared
    else state.feedAfter[name] = part.lastId;
    fresh.push(...part.entries);
  }
  if (!fresh.length) return;
  fresh.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const feed = $("#feed-list");
  for (const e of fresh) {
    const klass = `svc-${e.service} status-${String(e.status)[0]}xx kind-${e.kind}` +
      (e.fault ? " fault" : "");
    // a fault's tag comes before the path, which may be long enough to be cut
    feed.prepend(h("li", { class: klass },
      h("details", {}, h("summary", {},
        h("time", {}, time(e.time)), " ", h("span", { class: "svc" }, e.service), " ",
        e.fault ? h("span", { class: "tag", "data-testid": "feed-fault" }, e.fault) : null,
        h("b", {}, e.method), " ", h("span", { class: "path" }, e.path), " → ",
        h("span", { class: "status" }, e.status), h("small", {}, ` ${e.ms} ms`)),
      e.request ? h("pre", {}, e.request) : null, h("pre", {}, e.response))));
  }
  while (feed.children.length > FEED_KEEP) feed.lastChild.remove();
  // SIA wrote to Marketo: the Smart Grid may have changed
  if (fresh.some((e) => e.service === "marketo" && e.kind === "write")) loadGrid();
}

// --- start ---------------------------------------------------------------------------------
function every(ms, fn) { fn(); setInterval(fn, ms); }

function wireFeed() {
  $("#feed-writes").addEventListener("change", (event) =>
    $("#feed-list").classList.toggle("writes-only", event.target.checked));
}

document.addEventListener("DOMContentLoaded", () => {
  wireActions();
  wireSettings();
  wireMocks();
  wireFeed();
  $("#person-search").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadPeople, 200);
  });
  loadPeople();
  every(FAST, () => { refreshStatus(); refreshFeed(); refreshPerson(); });
  every(SLOW, () => { refreshMocks(); refreshSettings(); if (state.person !== null && Date.now() - state.gridAt > GRID_EVERY) loadGrid(); });
  // the people list grows while the initial sync runs
  setInterval(() => { if (!$("#person-search").value) loadPeople(); }, SLOW * 2);
});
