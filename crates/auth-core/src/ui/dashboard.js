"use strict";
// The standin dashboard: every call goes to this instance's own /_standin control API.
(() => {
  const TOKEN_KEY = "standin-control-token";
  const MAX_ROWS = 2000;
  const POLL_MS = 400;
  const $ = (id) => document.getElementById(id);

  let token = null;
  let blocked = false;      // waiting for a control token
  let entries = [];         // journal entries held, oldest first
  let lastSeq = 0;
  let product = "";
  let tenant = null;
  let clock = null;         // last clock state and when it was read
  let polls = 0;
  const open = new Set();   // seq numbers whose detail row is open
  const operations = new Set();

  // --- control API ---------------------------------------------------------------------
  class ApiError extends Error {}

  async function api(method, path, body) {
    const headers = {};
    if (token) headers.authorization = "Bearer " + token;
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch("/_standin" + path, init);
    } catch (e) {
      live(false, "instance unreachable");
      throw new ApiError("the instance does not answer");
    }
    const text = await resp.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (resp.status === 403 && data && data.error === "forbidden") {
      askToken();
      throw new ApiError(data.message);
    }
    if (!resp.ok) {
      throw new ApiError((data && data.message) || ("HTTP " + resp.status));
    }
    return data;
  }

  // Run an action from a button or form; show what went wrong, then refresh the panels.
  async function act(fn) {
    try {
      await fn();
      hideError();
    } catch (e) {
      if (!blocked) showError(e.message);
    }
    refreshSide();
  }

  // --- small DOM helpers ---------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined) node.append(kid);
    return node;
  }
  function button(text, onclick, extra) {
    return el("button", Object.assign({ type: "button", text, onclick }, extra || {}));
  }
  let errorTimer = null;
  function showError(msg) {
    const box = $("error-box");
    box.textContent = msg;
    box.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(hideError, 8000);
  }
  function hideError() { $("error-box").hidden = true; }
  function live(ok, text) {
    $("live-dot").className = "dot " + (ok ? "on" : "off");
    $("live-text").textContent = text;
  }

  // --- the control token ---------------------------------------------------------------
  function loadToken() {
    const m = /^#token=(.+)$/.exec(location.hash);
    if (m) {
      token = decodeURIComponent(m[1]);
      try { localStorage.setItem(TOKEN_KEY, token); } catch (_) { /* storage off */ }
      history.replaceState(null, "", location.pathname + location.search);
      return;
    }
    try { token = localStorage.getItem(TOKEN_KEY); } catch (_) { token = null; }
  }
  function askToken() {
    if (blocked) return;
    blocked = true;
    live(false, "needs the control token");
    $("token-box").hidden = false;
    $("token-input").focus();
  }
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    token = $("token-input").value;
    $("token-input").value = "";
    try { localStorage.setItem(TOKEN_KEY, token); } catch (_) { /* storage off */ }
    $("token-box").hidden = true;
    blocked = false;
    start();
  });
  $("forget-token").addEventListener("click", () => {
    try { localStorage.removeItem(TOKEN_KEY); } catch (_) { /* storage off */ }
    token = null;
    $("forget-token").hidden = true;
  });

  // --- journal ---------------------------------------------------------------------------
  function isRefused(e) { return e.status >= 400 || (e.reason !== null && e.reason !== undefined); }

  function filters() {
    return {
      status: $("f-status").value,
      refused: $("f-refused").checked,
      operation: $("f-operation").value.trim(),
      path: $("f-path").value.trim(),
    };
  }
  function matches(e, f) {
    if (f.status && String(e.status)[0] !== f.status) return false;
    if (f.refused && !isRefused(e)) return false;
    if (f.operation && !(e.operation || "").includes(f.operation)) return false;
    if (f.path && !(e.path + (e.query ? "?" + e.query : "")).includes(f.path)) return false;
    return true;
  }
  function fmtLatency(us) {
    return us < 1000 ? us + " µs" : us < 1e6 ? (us / 1000).toFixed(1) + " ms" : (us / 1e6).toFixed(2) + " s";
  }
  // On a product's own dashboard the "<product>." prefix of every operation says nothing.
  function shortOp(op) {
    if (!op) return "—";
    return product && op.startsWith(product + ".") ? op.slice(product.length + 1) : op;
  }
  function row(e) {
    const tr = el("tr", {
      class: "entry" + (isRefused(e) ? " refused" : "") + (open.has(e.seq) ? " open" : ""),
      tabindex: "0", "data-seq": String(e.seq), "aria-expanded": open.has(e.seq) ? "true" : "false",
    },
      el("td", { class: "c-time", text: new Date(e.time_ms).toISOString().slice(11, 23), title: e.time }),
      el("td", { class: "c-method", text: e.method }),
      el("td", { class: "c-path", text: e.path + (e.query ? "?" + e.query : ""), title: e.path + (e.query ? "?" + e.query : "") }),
      el("td", { class: "c-status s" + String(e.status)[0], text: String(e.status) }),
      el("td", { class: "c-op", text: shortOp(e.operation), title: e.operation || "" }),
      el("td", { class: "c-principal", text: e.principal || "—", title: e.principal || "" }),
      el("td", { class: "c-latency", text: fmtLatency(e.latency_us) }),
      el("td", { class: "c-reason", text: e.reason || "", title: e.reason || "" }),
    );
    return tr;
  }
  function detail(e) {
    const dl = el("dl");
    const item = (k, v, cls) => { dl.append(el("dt", { text: k }), el("dd", { text: v, class: cls })); };
    item("seq", String(e.seq));
    item("time", e.time + " (instance clock)");
    item("request", e.method + " " + e.path + (e.query ? "?" + e.query : ""));
    item("status", String(e.status));
    item("operation", e.operation || "— (no route matched)");
    item("principal", e.principal || "— (not authenticated)");
    if (e.reason) item("refused because", e.reason, "reason");
    item("latency", fmtLatency(e.latency_us));
    item("client", e.client || "—");
    if (e.tenant) item("tenant", e.tenant);
    const headers = el("table", { class: "headers" });
    for (const [k, v] of Object.entries(e.headers || {})) {
      headers.append(el("tr", {}, el("td", { text: k }), el("td", { class: "mono", text: v })));
    }
    return el("tr", { class: "detail", "data-detail": String(e.seq) },
      el("td", { colspan: "8" },
        el("div", { class: "detail" }, dl,
          el("h3", { text: "Headers (secrets redacted)" }), headers,
          el("h3", { text: "Body (secrets redacted)" }), body(e))));
  }
  function body(e) {
    if (e.body === null || e.body === undefined) {
      return el("p", { class: "muted", text: "No request body." });
    }
    const note = e.body_truncated ? " (first 4096 bytes)" : "";
    return el("div", {},
      el("pre", { class: "mono body", text: e.body }),
      note ? el("p", { class: "muted", text: "Truncated" + note + "." }) : el("span"));
  }
  function toggle(tr) {
    const seq = Number(tr.dataset.seq);
    const next = tr.nextElementSibling;
    if (open.has(seq)) {
      open.delete(seq);
      if (next && next.classList.contains("detail")) next.remove();
      tr.classList.remove("open");
      tr.setAttribute("aria-expanded", "false");
    } else {
      const e = entries.find((x) => x.seq === seq);
      if (!e) return;
      open.add(seq);
      tr.after(detail(e));
      tr.classList.add("open");
      tr.setAttribute("aria-expanded", "true");
    }
  }
  function rowsFor(e) {
    return open.has(e.seq) ? [row(e), detail(e)] : [row(e)];
  }
  function renderAll() {
    const f = filters();
    const out = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      if (matches(entries[i], f)) out.push(...rowsFor(entries[i]));
    }
    $("rows").replaceChildren(...out);
    counts();
  }
  function counts() {
    const shown = $("rows").querySelectorAll("tr.entry").length;
    $("counts").textContent = entries.length ? shown + " of " + entries.length + " shown" : "";
    $("empty").hidden = entries.length > 0;
    $("empty").textContent = "No requests yet. Point a client at this port; each request shows up here as it is served.";
    if (entries.length && !shown) {
      $("empty").hidden = false;
      $("empty").textContent = "No request matches the filters.";
    }
  }
  function addEntries(list) {
    if (!list.length) return;
    const f = filters();
    const rows = $("rows");
    for (const e of list) {
      if (e.seq <= lastSeq) continue;
      lastSeq = e.seq;
      entries.push(e);
      if (e.operation && !operations.has(e.operation)) {
        operations.add(e.operation);
        $("operations").append(el("option", { value: e.operation }));
      }
      if (matches(e, f)) rows.prepend(...rowsFor(e));
    }
    if (entries.length > MAX_ROWS) {
      const gone = entries.splice(0, entries.length - MAX_ROWS);
      for (const e of gone) {
        open.delete(e.seq);
        const tr = rows.querySelector('tr[data-seq="' + e.seq + '"]');
        if (tr) tr.remove();
        const d = rows.querySelector('tr[data-detail="' + e.seq + '"]');
        if (d) d.remove();
      }
    }
    counts();
  }
  function clearTable() {
    entries = [];
    open.clear();
    renderAll();
  }

  async function loadJournal() {
    const page = await api("GET", "/requests?limit=" + MAX_ROWS);
    entries = [];
    lastSeq = 0;
    open.clear();
    $("rows").replaceChildren();
    addEntries(page.requests);
    renderAll();
  }
  let pollTimer = null;
  async function poll() {
    if (blocked) return;
    try {
      const page = await api("GET", "/requests?since=" + lastSeq);
      addEntries(page.requests);
      // Every few polls, notice a journal cleared by someone else.
      if (++polls % 10 === 0 && entries.length) {
        const newest = await api("GET", "/requests?limit=1");
        if (newest.count === 0) clearTable();
      }
      live(true, "live");
    } catch (_) {
      /* shown by live() or the token box */
    }
    if (!blocked) pollTimer = setTimeout(poll, POLL_MS);
  }

  // --- clock -----------------------------------------------------------------------------
  function fmtOffset(ms) {
    const sign = ms < 0 ? "−" : "+";
    let s = Math.round(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    return sign + (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + s + "s";
  }
  function showClock(c) {
    clock = { state: c, read: performance.now() };
    paintClock();
  }
  function paintClock() {
    if (!clock) return;
    const c = clock.state;
    const ms = c.frozen ? c.now_ms : c.now_ms + (performance.now() - clock.read);
    const now = new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
    $("clock-now").textContent = now;
    $("clock-now").dateTime = new Date(ms).toISOString();
    const mode = $("clock-mode");
    if (c.frozen) { mode.textContent = "frozen"; mode.className = "tag frozen"; }
    else if (Math.abs(c.offset_ms) < 1000) { mode.textContent = "real time"; mode.className = "tag"; }
    else { mode.textContent = "offset " + fmtOffset(c.offset_ms); mode.className = "tag"; }
    $("freeze").textContent = c.frozen ? "Resume" : "Freeze";
  }
  async function clockCmd(body) { showClock(await api("POST", "/clock", body)); }
  for (const b of document.querySelectorAll("button[data-advance]")) {
    b.addEventListener("click", () => act(() => clockCmd({ advance_secs: Number(b.dataset.advance) })));
  }
  $("freeze").addEventListener("click", () => act(() => clockCmd({ freeze: !(clock && clock.state.frozen) })));
  $("clock-set").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(() => clockCmd({ set: $("clock-set-input").value.trim() }));
  });
  $("clock-advance").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const secs = Number($("clock-advance-input").value);
    if (!Number.isInteger(secs)) { showError("advance: whole seconds, e.g. 3600 or -60"); return; }
    act(() => clockCmd({ advance_secs: secs }));
  });

  // --- faults, rate limits, snapshots, tenants -------------------------------------------
  function list(id, items, render, none) {
    const ul = $(id);
    ul.replaceChildren(...(items.length ? items.map(render) : [el("li", { class: "none", text: none })]));
  }
  function faultText(f) {
    const match = [f.method, f.path, f.operation, f.principal && "as " + f.principal].filter(Boolean).join(" ") || "every request";
    let what = f.action;
    if (f.action === "status") what += " " + f.status;
    if (f.action === "delay") what += " " + f.delay_ms + " ms";
    if (f.action === "truncate" && f.bytes !== undefined) what += " to " + f.bytes + " B";
    const extra = [f.probability !== undefined && "p=" + f.probability, f.times && "times " + f.times,
      f.after && "after " + f.after].filter(Boolean).join(", ");
    return f.id + ": " + match + " → " + what + (extra ? " (" + extra + ")" : "") +
      " · matched " + f.matched + ", fired " + f.fired;
  }
  function limitText(r) {
    return r.id + ": per " + r.per + (r.operation ? " " + r.operation : "") + ", " + r.capacity +
      " burst, " + r.refill_per_sec + "/s · refused " + r.refused;
  }
  async function refreshSide() {
    if (blocked) return;
    try {
      const [faults, limits, snaps, tenants] = await Promise.all([
        api("GET", "/faults"), api("GET", "/rate-limits"), api("GET", "/snapshots"), api("GET", "/tenants"),
      ]);
      $("n-faults").textContent = faults.faults.length ? "(" + faults.faults.length + ")" : "";
      list("faults", faults.faults, (f) => el("li", {},
        el("span", { class: "what", text: faultText(f) }),
        button("Remove", () => act(() => api("DELETE", "/faults/" + encodeURIComponent(f.id))), { "aria-label": "Remove fault " + f.id })),
        "No fault rules.");
      $("n-limits").textContent = limits.rate_limits.length ? "(" + limits.rate_limits.length + ")" : "";
      list("limits", limits.rate_limits, (r) => el("li", {},
        el("span", { class: "what", text: limitText(r) }),
        button("Remove", () => act(() => api("DELETE", "/rate-limits/" + encodeURIComponent(r.id))), { "aria-label": "Remove rate limit " + r.id })),
        "No rate limits.");
      list("snapshots", snaps.snapshots, (s) => el("li", {},
        el("span", { class: "what mono", text: s.name }),
        button("Restore", () => act(() => api("POST", "/snapshots/" + encodeURIComponent(s.name) + "/restore")), { "aria-label": "Restore snapshot " + s.name }),
        button("Delete", () => act(() => api("DELETE", "/snapshots/" + encodeURIComponent(s.name))), { "aria-label": "Delete snapshot " + s.name })),
        "No snapshots.");
      $("n-tenants").textContent = tenants.tenants.length ? "(" + tenants.tenants.length + ")" : "";
      list("tenants", tenants.tenants, (t) => el("li", {},
        el("span", { class: "what" },
          el("a", { href: t.url + "/_standin/ui" + (token ? "#token=" + encodeURIComponent(token) : ""), text: t.id }),
          el("span", { class: "muted", text: " " + t.url + (t.id === tenant ? " (this page)" : "") })),
        button("Delete", () => act(() => api("DELETE", "/tenants/" + encodeURIComponent(t.id))), { "aria-label": "Delete tenant " + t.id })),
        "No tenants.");
    } catch (_) { /* shown elsewhere */ }
  }
  function formBody(form, numeric) {
    const body = {};
    for (const [k, v] of new FormData(form).entries()) {
      const s = String(v).trim();
      if (s === "") continue;
      body[k] = numeric.includes(k) ? Number(s) : s;
    }
    return body;
  }
  $("fault-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = formBody(ev.target, ["status", "delay_ms", "times"]);
    if (body.action !== "status") delete body.status;
    if (body.action !== "delay") delete body.delay_ms;
    act(() => api("POST", "/faults", body));
  });
  $("limit-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(() => api("POST", "/rate-limits", formBody(ev.target, ["capacity", "refill_per_sec"])));
  });
  $("snapshot-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const name = $("snapshot-name").value.trim();
    act(async () => { await api("POST", "/snapshots/" + encodeURIComponent(name)); $("snapshot-name").value = ""; });
  });
  $("new-tenant").addEventListener("click", () => act(() => api("POST", "/tenants")));
  $("reset").addEventListener("click", () => act(async () => {
    await api("POST", "/reset");
    await api("DELETE", "/requests");
    clearTable();
    showClock(await api("GET", "/clock"));
  }));
  $("clear-journal").addEventListener("click", () => act(async () => {
    await api("DELETE", "/requests");
    clearTable();
  }));
  $("export").addEventListener("click", () => act(async () => {
    const state = await api("GET", "/state");
    const blob = new Blob([JSON.stringify(state, null, 2) + "\n"], { type: "application/json" });
    const a = $("download");
    a.href = URL.createObjectURL(blob);
    a.download = product + (tenant ? "-" + tenant : "") + "-state.json";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }));

  // --- filters and keyboard --------------------------------------------------------------
  for (const id of ["f-status", "f-refused", "f-operation", "f-path"]) {
    $(id).addEventListener("input", renderAll);
    $(id).addEventListener("change", renderAll);
  }
  $("rows").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr.entry");
    if (tr) { tr.focus(); toggle(tr); }
  });
  $("rows").addEventListener("keydown", (ev) => {
    const tr = ev.target.closest("tr.entry");
    if (!tr) return;
    const step = (dir) => {
      let n = dir > 0 ? tr.nextElementSibling : tr.previousElementSibling;
      while (n && !n.classList.contains("entry")) n = dir > 0 ? n.nextElementSibling : n.previousElementSibling;
      if (n) n.focus();
    };
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(tr); }
    else if (ev.key === "ArrowDown" || ev.key === "j") { ev.preventDefault(); step(1); }
    else if (ev.key === "ArrowUp" || ev.key === "k") { ev.preventDefault(); step(-1); }
    else if (ev.key === "Escape" && open.has(Number(tr.dataset.seq))) toggle(tr);
  });
  document.addEventListener("keydown", (ev) => {
    const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
    if (ev.key === "/" && !typing) { ev.preventDefault(); $("f-path").focus(); }
  });

  // --- start -----------------------------------------------------------------------------
  async function start() {
    clearTimeout(pollTimer);
    try {
      const health = await api("GET", "/health");
      product = health.product;
      tenant = health.tenant;
      $("product").textContent = health.title + " (" + health.product + ") " + health.version;
      document.title = "standin · " + health.product + (tenant ? " · " + tenant : "");
      $("tenant").hidden = !tenant;
      $("tenant").textContent = tenant ? "tenant " + tenant : "";
      $("forget-token").hidden = !token;
      showClock(await api("GET", "/clock"));
      await loadJournal();
      live(true, "live");
    } catch (e) {
      if (!blocked) showError(e.message);
      return;
    }
    refreshSide();
    pollTimer = setTimeout(poll, POLL_MS);
  }
  setInterval(paintClock, 250);
  setInterval(async () => {
    if (blocked) return;
    try { showClock(await api("GET", "/clock")); } catch (_) { /* shown elsewhere */ }
  }, 2000);
  setInterval(refreshSide, 3000);
  loadToken();
  start();
})();
