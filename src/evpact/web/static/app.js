// evpact web page: pick a scenario, edit its main terms, run, see and download the charts.
// Everything comes from this server (/api, /vendor/plotly.min.js): no CDN, works offline.
"use strict";

const $ = (id) => document.getElementById(id);
const HEADLINE = ["direct_jobs_peak", "total_jobs_peak", "gdp_cumulative", "public_cost_npv",
  "fiscal_net_npv", "fiscal_breakeven_year_plant", "fiscal_breakeven_year_total",
  "local_absorption_share", "linkage_met_share"];
const state = { scenario: null, yaml: null, original: {}, extra: {}, validateTimer: null };

async function api(path, options = {}) {
  const res = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  let body = null;
  try { body = await res.json(); } catch (e) { body = { detail: res.statusText }; }
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return { status: res.status, body };
}

// --- the form --------------------------------------------------------------------------------

function show(value) { return typeof value === "string" ? value : JSON.stringify(value); }

function parse(text) {
  const t = text.trim();
  if (t === "") throw new Error("a value is required");
  try { return JSON.parse(t); } catch (e) { return t; }
}

function renderTerms(terms, overrides) {
  const form = $("terms");
  form.innerHTML = "";
  state.original = {};
  // variant paths of a shared link that are not form fields still take part in the run
  state.extra = Object.fromEntries(Object.entries(overrides)
    .filter(([path]) => !terms.some((t) => t.path === path)));
  for (const term of terms) {
    state.original[term.path] = show(term.value);
    const label = document.createElement("label");
    label.textContent = term.label;
    let input;
    if (term.options) {
      input = document.createElement("select");
      for (const o of term.options) input.add(new Option(o, o));
    } else {
      input = document.createElement("input");
    }
    input.dataset.path = term.path;
    input.name = term.path;
    input.value = term.path in overrides ? show(overrides[term.path]) : show(term.value);
    input.addEventListener("input", scheduleValidate);
    input.addEventListener("change", scheduleValidate);
    label.appendChild(input);
    form.appendChild(label);
  }
}

function variant() {
  const set = { ...state.extra };
  for (const input of $("terms").querySelectorAll("[data-path]")) {
    input.classList.remove("invalid");
    if (input.value !== state.original[input.dataset.path]) {
      try { set[input.dataset.path] = parse(input.value); } catch (e) {
        input.classList.add("invalid");
        throw new Error(`${input.dataset.path}: ${e.message}`);
      }
    }
  }
  return set;
}

function spec() {
  return state.yaml !== null ? { yaml: state.yaml, set: variant() }
    : { scenario: state.scenario, set: variant() };
}

function numbers() {
  const draws = Number($("draws").value), seed = Number($("seed").value);
  if (!Number.isInteger(draws) || draws < 1) throw new Error("draws: a whole number of at least 1");
  if (!Number.isInteger(seed) || seed < 0) throw new Error("seed: a whole number of at least 0");
  return { draws, seed };
}

function scheduleValidate() {
  clearTimeout(state.validateTimer);
  state.validateTimer = setTimeout(validateNow, 250);
}

async function validateNow() {
  const box = $("validation");
  try {
    numbers();
    const { body } = await api("/api/validate", { method: "POST", body: JSON.stringify(spec()) });
    box.className = "ok";
    box.textContent = `valid: ${body.scenario} vs ${body.counterfactual}`;
    $("run").disabled = false;
    return true;
  } catch (e) {
    box.className = "error";
    box.textContent = e.message;
    // mark the fields the message points at: their path, or a section that holds them
    const places = e.message.match(/[\w-]+(\.[\w-]+)+/g) || [];
    for (const input of $("terms").querySelectorAll("[data-path]")) {
      const path = input.dataset.path;
      if (places.some((p) => path === p || path.startsWith(`${p}.`))) input.classList.add("invalid");
    }
    $("run").disabled = true;
    return false;
  }
}

async function loadScenario(name, overrides = {}) {
  state.scenario = name;
  state.yaml = null;
  $("upload-name").textContent = "";
  const { body } = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  $("scenario-title").textContent = `${body.title} (against ${body.counterfactual})`;
  renderTerms(body.terms, overrides);
  await validateNow();
}

async function loadUpload(file) {
  const text = await file.text();
  state.yaml = text;
  $("upload-name").textContent = file.name;
  try {
    const { body } = await api("/api/validate", {
      method: "POST", body: JSON.stringify({ yaml: text, set: {} }) });
    $("scenario-title").textContent = `uploaded: ${body.scenario} (against ${body.counterfactual})`;
    renderTerms(body.terms, {});
    $("error").textContent = "";
  } catch (e) {
    $("terms").innerHTML = "";
    $("error").textContent = e.message;
  }
  await validateNow();
}

// --- running -------------------------------------------------------------------------------

async function runJob(path, payload) {
  const box = $("progress-box");
  const started = Date.now();
  let { status, body } = await api(`${path}?mode=job`, { method: "POST", body: JSON.stringify(payload) });
  if (status === 200) return body;
  box.hidden = Date.now() - started < 300;
  while (body.status === "queued" || body.status === "running") {
    await new Promise((r) => setTimeout(r, 200));
    ({ body } = await api(`/api/jobs/${body.id}`));
    $("progress").value = body.progress;
    $("progress-text").textContent = `${body.status} ${(100 * body.progress).toFixed(0)}%`;
    if (Date.now() - started > 300) box.hidden = false;
  }
  box.hidden = true;
  if (body.status !== "done") throw new Error(body.error || "the run failed");
  return body.result;
}

function fmt(value, unit) {
  if (value === null || value === undefined) return unit === "year" ? "not reached" : "n/a";
  if (unit === "year") return value.toFixed(0);
  if (unit === "share") return `${(100 * value).toFixed(0)}%`;
  const a = Math.abs(value);
  if (a >= 1e9) return `${(value / 1e9).toFixed(2)} B`;
  if (a >= 1e6) return `${(value / 1e6).toFixed(0)} M`;
  return value.toLocaleString("en", { maximumSignificantDigits: 4 });
}

function summaryTable(run) {
  const m = run.summary.metrics;
  const rows = HEADLINE.filter((n) => n in m).map((n) =>
    `<tr><td>${n}</td><td>${m[n].unit}</td><td class="num">${fmt(m[n].p50, m[n].unit)}</td>` +
    `<td class="num">${fmt(m[n].p5, m[n].unit)} to ${fmt(m[n].p95, m[n].unit)}</td></tr>`).join("");
  return `<table><tr><th>metric</th><th>unit</th><th>median</th><th>90% interval</th></tr>${rows}</table>` +
    `<p><a class="csv" href="${run.links.summary_csv}" download>all metrics (CSV)</a> ` +
    `<a href="${run.links.json}">JSON</a></p>`;
}

function renderCharts(container, run, prefix) {
  container.innerHTML = "";
  container.dataset.runId = run.id;
  for (const chart of run.charts) {
    const card = document.createElement("div");
    card.className = "chart-card";
    const div = document.createElement("div");
    div.id = `${prefix}-${chart.id}`;
    div.className = "chart";
    const link = document.createElement("a");
    link.href = run.links.charts_csv[chart.id];
    link.className = "csv";
    link.download = `${run.scenario}-${chart.id}.csv`;
    link.textContent = `data behind "${chart.title}" (CSV)`;
    card.append(div, link);
    container.appendChild(card);
    Plotly.react(div, chart.figure.data, chart.figure.layout, { displaylogo: false, responsive: true });
  }
}

function provenance(run) {
  return `${run.scenario} vs ${run.counterfactual}: ${run.draws.toLocaleString("en")} draws, ` +
    `seed ${run.seed}, model ${run.model_version}, data ${run.data_version}, ` +
    `scenario sha256 ${run.scenario_sha256.slice(0, 12)}, run ${run.id}`;
}

function shareUrl(payload, nums) {
  const q = new URLSearchParams();
  if (payload.scenario) q.set("scenario", payload.scenario);
  for (const [path, value] of Object.entries(payload.set)) q.append("set", `${path}=${show(value)}`);
  q.set("seed", nums.seed);
  q.set("draws", nums.draws);
  return `${location.origin}${location.pathname}?${q}`;
}

async function run() {
  $("error").textContent = "";
  $("run").disabled = true;
  try {
    const nums = numbers();
    const payload = spec();
    const result = await runJob("/api/runs", { ...payload, ...nums });
    renderCharts($("charts"), result, "chart");
    $("summary").innerHTML = summaryTable(result);
    $("provenance").textContent = provenance(result);
    const url = shareUrl(payload, nums);
    $("share-url").value = payload.scenario ? url : "(uploaded scenarios are not shareable by link)";
    if (payload.scenario) history.replaceState(null, "", url);
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("run").disabled = false;
  }
}

async function compare() {
  $("error").textContent = "";
  $("compare-run").disabled = true;
  try {
    const nums = numbers();
    const payload = { a: spec(), b: { scenario: $("compare-b").value, set: {} }, ...nums };
    const result = await runJob("/api/compare", payload);
    const box = $("compare-result");
    box.innerHTML = "";
    for (const key of ["a", "b"]) {
      const col = document.createElement("div");
      col.id = `compare-${key}`;
      box.appendChild(col);
      if (result[key] === null) {
        col.innerHTML = `<h3>${key.toUpperCase()}</h3><p class="note">a world without a deal: ` +
          "it names no counterfactual, so it has no impacts of its own</p>";
        continue;
      }
      col.innerHTML = `<h3>${key.toUpperCase()}: ${result[key].scenario} vs ${result[key].counterfactual}</h3>`;
      const charts = document.createElement("div");
      charts.className = "charts";
      col.appendChild(charts);
      renderCharts(charts, result[key], `compare-${key}`);
      col.insertAdjacentHTML("beforeend", summaryTable(result[key]));
    }
    box.insertAdjacentHTML("beforeend", `<div id="compare-difference"><h3>A minus B: ` +
      `${result.difference.scenario} minus ${result.difference.counterfactual}</h3>` +
      summaryTable(result.difference) + "</div>");
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("compare-run").disabled = false;
  }
}

function showTab(name) {
  $("tab-run").classList.toggle("active", name === "run");
  $("tab-compare").classList.toggle("active", name === "compare");
  $("run-view").hidden = name !== "run";
  $("compare-view").hidden = name !== "compare";
}

async function copyLink() {
  const input = $("share-url");
  input.select();
  try { await navigator.clipboard.writeText(input.value); } catch (e) { document.execCommand("copy"); }
  $("copy-link").textContent = "Copied";
  setTimeout(() => { $("copy-link").textContent = "Copy link"; }, 1500);
}

async function init() {
  $("run").addEventListener("click", run);
  $("compare-run").addEventListener("click", compare);
  $("copy-link").addEventListener("click", copyLink);
  $("tab-run").addEventListener("click", () => showTab("run"));
  $("tab-compare").addEventListener("click", () => showTab("compare"));
  $("draws").addEventListener("input", scheduleValidate);
  $("seed").addEventListener("input", scheduleValidate);
  $("scenario").addEventListener("change", (e) => loadScenario(e.target.value));
  $("upload").addEventListener("change", (e) => { if (e.target.files[0]) loadUpload(e.target.files[0]); });

  const { body } = await api("/api/scenarios");
  for (const s of body.scenarios) {
    $("scenario").add(new Option(`${s.name}: ${s.title}`, s.name));
    $("compare-b").add(new Option(s.name, s.name));
  }
  const q = new URLSearchParams(location.search);
  const overrides = {};
  for (const item of q.getAll("set")) {
    const at = item.indexOf("=");
    if (at > 0) overrides[item.slice(0, at)] = parse(item.slice(at + 1));
  }
  if (q.has("seed")) $("seed").value = q.get("seed");
  if (q.has("draws")) $("draws").value = q.get("draws");
  const name = q.get("scenario") || "canada-korea-2026";
  $("scenario").value = name;
  $("compare-b").value = body.scenarios.some((s) => s.name === "canada-korea-2026-unlinked")
    ? "canada-korea-2026-unlinked" : body.scenarios[0].name;
  try {
    await loadScenario(name, overrides);
  } catch (e) {
    $("error").textContent = e.message;
    return;
  }
  document.body.dataset.ready = "true";
  if (q.has("scenario")) await run();
}

init();
