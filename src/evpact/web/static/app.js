// evpact web page: pick a scenario, edit its main terms, run, see and download the charts.
// Everything comes from this server (/api, /vendor/plotly.min.js): no CDN, works offline.
"use strict";

const $ = (id) => document.getElementById(id);
const HEADLINE = ["direct_jobs_peak", "total_jobs_peak", "gdp_cumulative", "public_cost_npv",
  "fiscal_net_npv", "fiscal_breakeven_year_plant", "fiscal_breakeven_year_total",
  "local_absorption_share", "linkage_met_share"];
const state = { scenario: null, yaml: null, original: {}, extra: {}, validateTimer: null,
  horizon: null, chainFor: null, tab: "run" };

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
  state.horizon = body.horizon;
  renderTerms(body.terms, overrides);
  if (state.tab === "chain") await loadChain();
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
    state.horizon = body.horizon;
    renderTerms(body.terms, {});
    if (state.tab === "chain") await loadChain();
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

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function warningList(run) {
  const warnings = run.summary.warnings || [];
  if (!warnings.length) return "";
  const items = warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("");
  return `<ul class="warnings" role="status">${items}</ul>`;
}

function summaryTable(run) {
  const m = run.summary.metrics;
  const rows = HEADLINE.filter((n) => n in m).map((n) =>
    `<tr><td>${n}</td><td>${m[n].kind || ""}</td><td>${m[n].unit}</td>` +
    `<td class="num">${fmt(m[n].p50, m[n].unit)}</td>` +
    `<td class="num">${fmt(m[n].p5, m[n].unit)} to ${fmt(m[n].p95, m[n].unit)}</td></tr>`).join("");
  return warningList(run) +
    `<table><tr><th>metric</th><th>kind</th><th>unit</th><th>median</th><th>90% interval</th></tr>${rows}</table>` +
    `<p class="note">impact: the scenario minus its counterfactual, draw by draw; ` +
    `level: the scenario's own value</p>` +
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
  state.tab = name;
  for (const t of ["run", "compare", "chain"]) {
    $(`tab-${t}`).classList.toggle("active", name === t);
    $(`${t}-view`).hidden = name !== t;
  }
  if (name === "chain") loadChain();
}

// --- supply chain and stress tests ---------------------------------------------------------

const pct = (x) => (x === null || x === undefined ? "n/a" : `${(100 * x).toFixed(0)}%`);

function csvText(columns, rows) {
  const cell = (v) => {
    const t = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

async function loadChain() {
  const note = $("chain-note");
  if (state.yaml !== null) {
    note.textContent = "The chain map reads bundled scenarios; the stress test below runs the uploaded one.";
    $("chain-table").innerHTML = "";
    Plotly.purge($("chain-sankey"));
    $("chain-csv").hidden = true;
    setStressYear();
    return;
  }
  if (state.chainFor === state.scenario) return;
  try {
    const { body } = await api(`/api/scenarios/${encodeURIComponent(state.scenario)}/chain`);
    state.chainFor = body.scenario;
    const stage = $("stress-stage");
    if (stage.options.length === 0) for (const s of body.stages) stage.add(new Option(s, s));
    if (!stage.value || stage.dataset.auto !== "false") {
      const sourced = body.rows.find((r) => r.sourced);
      if (sourced) stage.value = sourced.stage;
    }
    setStressYear();
    if (body.rows.length === 0) {
      note.textContent = `${body.scenario}: no deal declares a chain or builds a battery-chain plant`;
      $("chain-table").innerHTML = "";
      Plotly.purge($("chain-sankey"));
      $("chain-csv").hidden = true;
      return;
    }
    note.textContent = `${body.scenario} (home ${body.home}): domestic_chain_share ` +
      `${pct(body.domestic_chain_share)}, chain_hhi_max ` +
      `${body.chain_hhi_max === null ? "n/a" : body.chain_hhi_max.toLocaleString("en")} ` +
      "(HHI 0-10,000 over the stages the deals source; FTA = free-trade partner of the home country)";
    const rows = body.rows.map((r) => `<tr><td>${r.deal}</td><td>${r.stage}</td>` +
      [r.domestic, r.usmca, r.fta, r.other].map((x) => `<td class="num">${pct(x)}</td>`).join("") +
      `<td class="num">${r.hhi.toLocaleString("en", { maximumFractionDigits: 0 })}` +
      `${r.sourced ? "" : " (own plants)"}</td><td>${r.largest}</td></tr>`).join("");
    $("chain-table").innerHTML = "<table><tr><th>deal</th><th>stage</th><th>domestic</th>" +
      "<th>usmca</th><th>fta</th><th>other</th><th>HHI</th><th>largest</th></tr>" + rows + "</table>";
    $("chain-csv").href = body.links.csv;
    $("chain-csv").download = `${body.scenario}-chain.csv`;
    $("chain-csv").hidden = false;
    await Plotly.react($("chain-sankey"), body.figure.data, body.figure.layout,
      { displaylogo: false, responsive: true });
    $("chain-view").dataset.scenario = body.scenario;
  } catch (e) {
    note.textContent = "";
    $("error").textContent = e.message;
  }
}

function setStressYear() {
  const input = $("stress-year");
  if (state.horizon) {
    input.min = state.horizon[0];
    input.max = state.horizon[1];
    const y = Number(input.value);
    if (!input.value || y < state.horizon[0] || y > state.horizon[1]) {
      input.value = Math.floor((state.horizon[0] + state.horizon[1]) / 2);
    }
  }
  checkStress();
}

function stressInputs() {
  const fields = {
    country: $("stress-country"), share: $("stress-share"), weeks: $("stress-weeks"), year: $("stress-year"),
  };
  for (const f of Object.values(fields)) f.classList.remove("invalid");
  const bad = (key, message) => { fields[key].classList.add("invalid"); throw new Error(`${key}: ${message}`); };
  const country = fields.country.value.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) bad("country", "a 2-letter ISO code, e.g. CN");
  const share = Number(fields.share.value);
  if (fields.share.value.trim() === "" || !(share >= 0 && share <= 1)) bad("share", "a number in [0, 1]");
  const weeks = Number(fields.weeks.value);
  if (fields.weeks.value.trim() === "" || !(weeks > 0 && weeks <= 520)) bad("weeks", "a number in (0, 520]");
  const year = Number(fields.year.value);
  if (!Number.isInteger(year) || (state.horizon && (year < state.horizon[0] || year > state.horizon[1]))) {
    bad("year", state.horizon ? `a year in ${state.horizon[0]}-${state.horizon[1]}` : "a whole year");
  }
  return { cuts: [{ stage: $("stress-stage").value, country, share }], weeks, year };
}

function checkStress() {
  const box = $("stress-validation");
  try {
    const s = stressInputs();
    numbers();
    box.className = "ok";
    box.textContent = `cut ${s.cuts[0].stage}:${s.cuts[0].country}=${s.cuts[0].share} for ${s.weeks} weeks from ${s.year}`;
    $("stress-run").disabled = false;
    return true;
  } catch (e) {
    box.className = "error";
    box.textContent = e.message;
    $("stress-run").disabled = true;
    return false;
  }
}

async function runStress() {
  $("error").textContent = "";
  if (!checkStress()) return;
  $("stress-run").disabled = true;
  try {
    const result = await runJob("/api/stress", { ...spec(), ...numbers(), ...stressInputs() });
    const rows = result.losses.map((r) => `<tr><td>${r.world}</td><td>${r.loss}</td><td>${r.unit}</td>` +
      `<td class="num">${fmt(r.mean, r.unit)}</td><td class="num">${fmt(r.p50, r.unit)}</td>` +
      `<td class="num">${fmt(r.p5, r.unit)} to ${fmt(r.p95, r.unit)}</td></tr>`).join("");
    const box = $("stress-result");
    box.innerHTML = `<p class="note">${result.scenario} vs ${result.counterfactual}: ` +
      `${result.draws.toLocaleString("en")} draws, seed ${result.seed}; losses are positive</p>` +
      "<table><tr><th>world</th><th>loss</th><th>unit</th><th>mean</th><th>median</th>" +
      `<th>90% interval</th></tr>${rows}</table>` +
      '<div class="chart-card"><div id="stress-chart" class="chart"></div>' +
      '<a id="stress-csv" class="csv">losses (CSV)</a></div>';
    const blob = new Blob([csvText(result.columns, result.losses)], { type: "text/csv" });
    $("stress-csv").href = URL.createObjectURL(blob);
    $("stress-csv").download = `${result.scenario}-stress.csv`;
    await Plotly.react($("stress-chart"), result.figure.data, result.figure.layout,
      { displaylogo: false, responsive: true });
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    checkStress();
  }
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
  $("tab-chain").addEventListener("click", () => showTab("chain"));
  $("stress-run").addEventListener("click", runStress);
  for (const id of ["stress-stage", "stress-country", "stress-share", "stress-weeks", "stress-year"]) {
    $(id).addEventListener("input", checkStress);
    $(id).addEventListener("change", checkStress);
  }
  $("stress-stage").addEventListener("change", () => { $("stress-stage").dataset.auto = "false"; });
  $("draws").addEventListener("input", scheduleValidate);
  $("seed").addEventListener("input", scheduleValidate);
  $("draws").addEventListener("input", checkStress);
  $("seed").addEventListener("input", checkStress);
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
