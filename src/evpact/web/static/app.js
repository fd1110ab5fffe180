// evpact web page: pick a scenario, edit its main terms, run, read the scorecard and charts.
// Everything comes from this server (/api, /vendor/plotly.min.js): no CDN, works offline.
// plotly.js loads deferred: the page, the form and a loading state show before it arrives.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { scenario: null, yaml: null, terms: [], original: {}, extra: {},
  validateTimer: null, horizon: null, chainFor: null, tab: "run", schema: null,
  metrics: {}, scenarios: [], ranKey: null };

/** plotly.js, once its deferred script has run (deferred scripts run before DOMContentLoaded). */
const plotlyReady = new Promise((resolve) => {
  if (window.Plotly) resolve(window.Plotly);
  else document.addEventListener("DOMContentLoaded", () => resolve(window.Plotly));
});

async function api(path, options = {}) {
  const res = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  let body = null;
  try { body = await res.json(); } catch (e) { body = { detail: res.statusText }; }
  if (!res.ok) {
    const wait = res.headers.get("Retry-After");
    throw new Error((body.detail || res.statusText) + (wait ? ` (retry in ${wait} s)` : ""));
  }
  return { status: res.status, body };
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// --- ranges from the scenario's JSON Schema -------------------------------------------------

function deref(node) {
  while (node && node.$ref) node = state.schema.$defs[node.$ref.split("/").pop()];
  return node;
}

/** The {minimum, maximum} a variant path allows, read from the JSON Schema (null if unknown). */
function rangeOf(path) {
  if (!state.schema) return null;
  let node = state.schema;
  for (const part of path.split(".")) {
    node = deref(node);
    if (node && node.anyOf) node = deref(node.anyOf.find((n) => deref(n).properties || deref(n).items) || node);
    if (!node) return null;
    if (node.type === "array" || (node.items && !node.properties)) node = deref(node.items);
    else node = node.properties ? node.properties[part] : null;
    if (!node) return null;
  }
  const flat = (n) => { n = deref(n); return n.anyOf ? n.anyOf.flatMap(flat) : [n]; };
  const numeric = flat(node).find((n) => n.type === "number" || n.type === "integer");
  if (!numeric) return null;
  return { min: numeric.minimum ?? numeric.exclusiveMinimum ?? -Infinity,
    max: numeric.maximum ?? numeric.exclusiveMaximum ?? Infinity };
}

const num = (x) => (Math.abs(x) >= 1e12 ? x.toExponential() : Math.abs(x) >= 1e4 ? x.toLocaleString("en") : String(x));

// --- the form: each term by its kind and up to three numbers --------------------------------

const KINDS = {
  fixed: ["value"],
  uniform: ["low", "high"],
  triangular: ["low", "most likely", "high"],
  pert: ["low", "most likely", "high"],
};
const KIND_WORDS = { fixed: "exact", uniform: "uniform", triangular: "triangular", pert: "PERT" };

/** A term's value as {kind, numbers}, or null when the form cannot edit it (then raw text). */
function asDistribution(value) {
  if (typeof value === "number") return { kind: "fixed", numbers: [value] };
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] in KINDS) {
      const v = value[keys[0]];
      const numbers = Array.isArray(v) ? v : [v];
      if (numbers.length === KINDS[keys[0]].length && numbers.every((x) => typeof x === "number")) {
        return { kind: keys[0], numbers };
      }
    }
  }
  return null;
}

function density(kind, [a, c, b]) {
  if (kind === "uniform") return () => 1;
  if (kind === "triangular") return (x) => (x <= c ? (c > a ? (x - a) / (c - a) : 1) : (b > c ? (b - x) / (b - c) : 1));
  const al = 1 + 4 * (c - a) / (b - a), be = 1 + 4 * (b - c) / (b - a);
  return (x) => { const z = (x - a) / (b - a); return Math.pow(z, al - 1) * Math.pow(1 - z, be - 1); };
}

/** A small sketch of the distribution's shape, with its words for screen readers. */
function preview(svg, kind, numbers) {
  const words = kind === "fixed" ? `exactly ${num(numbers[0])}`
    : kind === "uniform" ? `uniform from ${num(numbers[0])} to ${num(numbers[1])}`
      : `${KIND_WORDS[kind]} from ${num(numbers[0])} to ${num(numbers[2])}, most likely ${num(numbers[1])}`;
  svg.setAttribute("aria-label", words);
  const [a, b] = [numbers[0], numbers[numbers.length - 1]];
  svg.style.display = kind === "fixed" ? "none" : "";
  let points = "";
  if (kind === "fixed" || !(b > a)) points = "40,22 40,2";
  else {
    const f = density(kind, kind === "uniform" ? [a, a, b] : numbers);
    const ys = Array.from({ length: 41 }, (_, i) => f(a + (b - a) * i / 40));
    const top = Math.max(...ys.filter(Number.isFinite)) || 1;
    points = `0,22 ${ys.map((y, i) => `${i * 2},${(22 - 20 * (Number.isFinite(y) ? y : 0) / top).toFixed(1)}`).join(" ")} 80,22`;
  }
  svg.innerHTML = `<polyline points="${points}" fill="#cfe0f1" stroke="#16324f" stroke-width="1.2"/>`;
}

/** A number as the form shows it: years whole, large amounts with thousands separators. */
function yearsShown(term, x) { return term.kind === "year" ? String(Math.round(x)) : num(x); }

function renderTerms(terms, overrides) {
  const form = $("terms");
  form.innerHTML = "";
  state.terms = terms;
  state.original = {};
  // variant paths of a shared link that are not form fields still take part in the run
  state.extra = Object.fromEntries(Object.entries(overrides)
    .filter(([path]) => !terms.some((t) => t.path === path)));
  terms.forEach((term, i) => {
    const box = document.createElement("fieldset");
    box.className = "term";
    box.dataset.path = term.path;
    box.dataset.kind = term.kind;
    const legend = document.createElement("legend");
    legend.textContent = term.label;
    box.appendChild(legend);
    const value = term.path in overrides ? overrides[term.path] : term.value;
    const dist = asDistribution(value);
    if (term.options) {
      const select = document.createElement("select");
      for (const o of term.options) select.add(new Option(o, o));
      select.value = value;
      select.className = "raw";
      select.setAttribute("aria-label", term.label);
      box.appendChild(select);
    } else if (dist === null) {
      const input = document.createElement("input");
      input.className = "raw";
      input.value = JSON.stringify(value);
      input.setAttribute("aria-label", `${term.label} (as JSON)`);
      box.appendChild(input);
    } else {
      const kind = document.createElement("select");
      kind.className = "dist-kind";
      kind.setAttribute("aria-label", `${term.label}: kind`);
      for (const k of Object.keys(KINDS)) kind.add(new Option(KIND_WORDS[k], k));
      kind.value = dist.kind;
      const numbers = document.createElement("span");
      numbers.className = "numbers";
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("viewBox", "0 0 80 24");
      svg.setAttribute("class", "preview");
      svg.setAttribute("role", "img");
      box.append(kind, numbers, svg);
      kind.addEventListener("change", () => {
        const old = readNumbers(box);
        const wanted = KINDS[kind.value].length;
        const mid = old[Math.floor(old.length / 2)];
        const next = wanted === 1 ? [mid] : wanted === 2 ? [old[0], old[old.length - 1]]
          : old.length === 3 ? old : [old[0], old.length === 1 ? old[0] : (old[0] + old[1]) / 2, old[old.length - 1]];
        fillNumbers(box, term, kind.value, next.map((x) => (Number.isFinite(x) ? x : "")));
        changed();
      });
      fillNumbers(box, term, dist.kind, dist.numbers.map((x) => yearsShown(term, x)));
      if (term.kind === "year" && dist.numbers.some((x) => !Number.isInteger(x))) {
        const note = document.createElement("span");
        note.className = "note";
        note.textContent = `scenario value ${dist.numbers.join(", ")} (a fraction of a year); kept unless you edit it`;
        box.appendChild(note);
      }
    }
    const message = document.createElement("span");
    message.className = "field-error";
    message.id = `term-error-${i}`;
    box.appendChild(message);
    form.appendChild(box);
  });
  for (const box of form.querySelectorAll("fieldset.term")) {
    state.original[box.dataset.path] = JSON.stringify(readTerm(box, false));
  }
  if (Object.keys(overrides).length) {  // a shared link's value differs from the scenario's
    for (const term of terms) if (term.path in overrides) state.original[term.path] = JSON.stringify(term.value);
  }
}

function fillNumbers(box, term, kind, values) {
  const span = box.querySelector(".numbers");
  span.innerHTML = "";
  KINDS[kind].forEach((name, k) => {
    const label = document.createElement("label");
    label.className = "num";
    label.textContent = name;
    const input = document.createElement("input");
    input.type = "text";
    input.inputMode = term.kind === "year" ? "numeric" : "decimal";
    input.value = values[k] ?? "";
    input.dataset.part = name;
    input.setAttribute("aria-describedby", `${box.querySelector(".field-error") ? box.querySelector(".field-error").id : ""}`);
    input.addEventListener("input", changed);
    label.appendChild(input);
    span.appendChild(label);
  });
  const svg = box.querySelector("svg.preview");
  if (svg) preview(svg, kind, values.map(Number));
}

/** A typed number: digits with optional thousands commas, a decimal part and an exponent;
 *  NaN for anything else (so "NaN", "Infinity", "1e400" and "" are all refused). */
function parseNumber(text) {
  const t = String(text).trim().replace(/,(?=\d{3}(\D|$))/g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return NaN;
  const x = Number(t);
  return Number.isFinite(x) ? x : NaN;
}

function readNumbers(box) {
  return [...box.querySelectorAll(".numbers input")].map((i) => parseNumber(i.value));
}

/** The term's value (a number or {kind: [numbers]}); with check, refuse what the schema does. */
function readTerm(box, check = true) {
  const raw = box.querySelector(".raw");
  if (raw) {
    if (raw.tagName === "SELECT") return raw.value;
    try { return JSON.parse(raw.value); } catch (e) { return raw.value; }
  }
  const kind = box.querySelector(".dist-kind").value;
  const inputs = [...box.querySelectorAll(".numbers input")];
  const label = box.querySelector("legend").textContent;
  const range = rangeOf(box.dataset.path);
  const values = [];
  for (const input of inputs) {
    const text = input.value.trim();
    const x = parseNumber(text);
    const name = KINDS[kind].length > 1 ? `${label}, ${input.dataset.part}` : label;
    const allowed = range ? `${num(range.min)} to ${num(range.max)}` : "a finite number";
    const fail = (why) => {
      if (check) {
        input.setAttribute("aria-invalid", "true");
        throw Object.assign(new Error(`${name}: ${why}; allowed: ${allowed}${box.dataset.kind === "year" ? ", whole years" : ""}`), { input });
      }
    };
    if (!Number.isFinite(x)) fail(`"${text}" is not a number`);
    else if (range && (x < range.min || x > range.max)) fail(`${num(x)} is out of range`);
    else if (box.dataset.kind === "year" && !Number.isInteger(x)) fail(`${text} is not a whole year`);
    values.push(x);
  }
  if (check && values.some((v, k) => k > 0 && v < values[k - 1])) {
    inputs.forEach((i) => i.setAttribute("aria-invalid", "true"));
    throw new Error(`${label}: low, most likely and high must be in increasing order`);
  }
  const svg = box.querySelector("svg.preview");
  if (svg && values.every(Number.isFinite)) preview(svg, kind, values);
  return kind === "fixed" ? values[0] : { [kind]: values };
}

function variant() {
  const set = { ...state.extra };
  let first = null;
  for (const el of $("terms").querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const box of $("terms").querySelectorAll("fieldset.term")) {
    box.querySelector(".field-error").textContent = "";
    try {
      const value = readTerm(box);
      if (JSON.stringify(value) !== state.original[box.dataset.path]) set[box.dataset.path] = value;
    } catch (e) {
      box.querySelector(".field-error").textContent = e.message;
      if (first === null) first = e;
    }
  }
  if (first !== null) throw first;
  return set;
}

function spec() {
  return state.yaml !== null ? { yaml: state.yaml, set: variant() }
    : { scenario: state.scenario, set: variant() };
}

function numbers() {
  const fields = { draws: $("draws"), seed: $("seed") };
  for (const f of Object.values(fields)) f.removeAttribute("aria-invalid");
  const read = (key, min, max) => {
    const text = fields[key].value.trim();
    const x = Number(text);
    if (!/^\d+$/.test(text) || x < min || x > max) {
      fields[key].setAttribute("aria-invalid", "true");
      throw new Error(`${key}: "${text}" is not allowed; a whole number from ${num(min)} to ${num(max)}`);
    }
    return x;
  };
  return { draws: read("draws", 1, state.limits ? state.limits.max_draws : 1e7), seed: read("seed", 0, 2 ** 32 - 1) };
}

function runKey() {
  try { return JSON.stringify([spec(), numbers()]); } catch (e) { return "invalid"; }
}

function changed() {
  markStale();
  scheduleValidate();
}

const STALE = "These results are for earlier terms: a term, the draws or the seed changed " +
  "since. Run the scenario again to update them.";

function markStale() {
  const stale = state.ranKey !== null && runKey() !== state.ranKey;
  if (state.ranKey !== "history") $("stale").textContent = STALE;
  $("stale").hidden = !stale;
  $("results").classList.toggle("is-stale", stale);
}

function scheduleValidate() {
  clearTimeout(state.validateTimer);
  const box = $("validation");
  try {  // local checks at once, as you type; the server's check shortly after
    numbers();
    variant();
  } catch (e) {
    box.className = "error";
    box.textContent = e.message;
    $("run").disabled = true;
    return;
  }
  state.validateTimer = setTimeout(validateNow, 250);
}

async function validateNow() {
  const box = $("validation");
  try {
    numbers();
    const { body } = await api("/api/validate", { method: "POST", body: JSON.stringify(spec()) });
    box.className = "ok";
    box.textContent = `valid: ${body.scenario} against ${body.counterfactual}`;
    $("run").disabled = false;
    return true;
  } catch (e) {
    box.className = "error";
    box.textContent = e.message;
    // mark the fields the message points at: their path, or a section that holds them
    const places = e.message.match(/[\w-]+(\.[\w-]+)+/g) || [];
    for (const term of $("terms").querySelectorAll("fieldset.term")) {
      const path = term.dataset.path;
      if (places.some((p) => path === p || path.startsWith(`${p}.`))) {
        for (const input of term.querySelectorAll("input,select.raw")) input.setAttribute("aria-invalid", "true");
      }
    }
    $("run").disabled = true;
    return false;
  }
}

function compatible() {
  // B must cover the same years as A: the engine compares year by year
  const select = $("compare-with");
  const keep = select.value;
  select.innerHTML = "";
  const same = state.scenarios.filter((s) => JSON.stringify(s.horizon) === JSON.stringify(state.horizon));
  for (const s of same) select.add(new Option(`${s.name}: ${s.title}`, s.name));
  const other = state.scenarios.length - same.length;
  $("compare-note").textContent = state.horizon
    ? `Scenarios over ${state.horizon[0]}-${state.horizon[1]}, as A` +
      (other ? ` (${other} over other years are not offered)` : "") : "";
  const pick = [keep, "canada-korea-2026-unlinked"].find((n) => same.some((s) => s.name === n));
  if (pick) select.value = pick;
}

async function loadScenario(name, overrides = {}) {
  state.scenario = name;
  state.yaml = null;
  $("upload-name").textContent = "";
  const { body } = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  $("scenario-title").textContent = `${body.title} (against ${body.counterfactual})`;
  state.horizon = body.horizon;
  renderTerms(body.terms, overrides);
  compatible();
  if (state.tab === "chain") await loadChain();
  if (state.tab === "design") designDefaults();
  markStale();
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
    compatible();
    if (state.tab === "chain") await loadChain();
    $("design-form").dataset.scenario = "";  // the Design tab starts again from this file
    if (state.tab === "design") designDefaults();
    $("error").textContent = "";
  } catch (e) {
    $("terms").innerHTML = "";
    $("error").textContent = e.message;
  }
  markStale();
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
  const money = /^CAD/.test(unit) ? "C$ " : "";
  const sign = value < 0 ? "−" : "";
  const a = Math.abs(value);
  if (a >= 1e9) return `${sign}${money}${(a / 1e9).toFixed(2)} B`;
  if (a >= 1e6) return `${sign}${money}${(a / 1e6).toFixed(0)} M`;
  return `${sign}${money}${a.toLocaleString("en", { maximumSignificantDigits: 4 })}`;
}

/** A unit in words: CAD_2026 -> C$ 2026 (as evpact/labels.py), other underscores as spaces. */
function unitText(unit) {
  const m = /^CAD_(\d{4})$/.exec(unit || "");
  return m ? `C$ ${m[1]}` : String(unit || "").replace(/_/g, " ");
}

function words(name) {
  const m = state.metrics[name];
  return m ? m : { label: name.replace(/_/g, " "), unit_label: "", note: "" };
}

function warningList(run) {
  const warnings = run.summary.warnings || [];
  if (!warnings.length) return "";
  const items = warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("");
  return `<ul class="warnings" role="status">${items}</ul>`;
}

let explainCount = 0;
function explainButton(name) {
  const id = `explain-${++explainCount}`;
  return `<details class="explain" data-metric="${escapeHtml(name)}"><summary>Explain` +
    `<span class="sr"> ${escapeHtml(words(name).label)}</span></summary><div id="${id}" class="explain-body">` +
    "loading…</div></details>";
}

async function fillExplain(details) {
  if (details.dataset.filled) return;
  details.dataset.filled = "1";
  const body = details.querySelector(".explain-body");
  try {
    const { body: e } = await api(`/api/metrics/${encodeURIComponent(details.dataset.metric)}/explain`);
    const list = (xs) => (xs.length ? `<ul>${xs.map((x) => `<li><code>${escapeHtml(x)}</code></li>`).join("")}</ul>` : "<p>none listed</p>");
    body.innerHTML = `<p>${escapeHtml(e.description)}${e.note ? ` (${escapeHtml(e.note)})` : ""}</p>` +
      `<p><strong>Equation</strong><br><code>${escapeHtml(e.equation || "see the summary-metrics table")}</code></p>` +
      `<p><strong>Inputs</strong></p>${list(e.inputs)}` +
      (e.variables && e.variables.length ? `<p><strong>Variables</strong></p>${list(e.variables)}` : "") +
      `<p><strong>Source</strong>: <code>${escapeHtml(e.docs)}</code>; reference tables named above carry their own sources</p>`;
  } catch (err) {
    body.textContent = err.message;
  }
}

document.addEventListener("toggle", (e) => {
  if (e.target.classList && e.target.classList.contains("explain") && e.target.open) fillExplain(e.target);
}, true);

/** The headline numbers first: jobs, public money by government where the run splits it,
 *  break-even by government and scope, and the chance the link holds; each with its range. */
function scorecard(run) {
  const m = run.summary.metrics;
  const has = (n) => n in m;
  const byGov = (base) => (has(`${base}_federal`) ? [`${base}_federal`, `${base}_provincial`] : [base]);
  const names = ["total_jobs_peak", "direct_jobs_peak", ...byGov("fiscal_net_npv"), ...byGov("public_cost_npv"),
    ...byGov("fiscal_breakeven_year").filter((n) => n !== "fiscal_breakeven_year"),
    "fiscal_breakeven_year_plant", "fiscal_breakeven_year_total", "linkage_holds_over_deal", "linkage_met_share"]
    .filter(has);
  const cards = names.map((n) => {
    const x = m[n], w = words(n);
    const probability = n === "linkage_holds_over_deal";
    const value = probability ? fmt(x.mean, "share") : fmt(x.p50, x.unit);
    let extra = "";
    if (n.startsWith("fiscal_net_npv") && x.p50 !== null) extra = x.p50 >= 0 ? "a net public benefit" : "a net public cost";
    if (has(`${n}_reached_share`)) extra = `reached in ${fmt(m[`${n}_reached_share`].mean, "share")} of draws`;
    const range = probability ? "mean of draws (probability)" : `90% range ${fmt(x.p5, x.unit)} to ${fmt(x.p95, x.unit)}`;
    return `<div class="card" data-metric="${n}"><h3>${escapeHtml(w.label)}</h3>` +
      `<p class="value">${value}</p><p class="range">${range}</p>` +
      `<p class="unit">${escapeHtml(w.unit_label)}${x.kind ? ` · ${x.kind}` : ""}${extra ? ` · ${extra}` : ""}</p>` +
      explainButton(n) + "</div>";
  });
  return warningList(run) + cards.join("");
}

function summaryTable(run) {
  const m = run.summary.metrics;
  const rows = Object.keys(m).map((n) => {
    const w = words(n);
    return `<tr><th scope="row">${escapeHtml(w.label)}${explainButton(n)}</th><td>${escapeHtml(w.unit_label)}</td>` +
      `<td>${m[n].kind || ""}</td><td class="num">${fmt(m[n].p50, m[n].unit)}</td>` +
      `<td class="num">${fmt(m[n].p5, m[n].unit)} to ${fmt(m[n].p95, m[n].unit)}</td></tr>`;
  }).join("");
  return `<details class="all-metrics"><summary>All ${Object.keys(m).length} metrics</summary>` +
    `<div class="scroll" tabindex="0" role="region" aria-label="All metrics table"><table><tr><th scope="col">metric</th><th scope="col">unit</th><th scope="col">kind</th>` +
    `<th scope="col">median</th><th scope="col">90% range</th></tr>${rows}</table></div>` +
    `<p class="note">impact: the scenario minus its counterfactual, draw by draw; ` +
    `level: the scenario's own value</p></details>` +
    `<p><a class="csv" href="${run.links.summary_csv}" download>all metrics (CSV)</a> ` +
    `<a href="${run.links.json}">run as JSON</a></p>`;
}

/** A sentence per chart for readers who cannot see it: each series' range over its x axis. */
function chartSummary(chart) {
  const parts = [];
  for (const t of chart.figure.data || []) {
    // a horizontal chart (the benefit-cost waterfall) carries its values on x
    const values = t.orientation === "h" ? t.x : t.y, labels = t.orientation === "h" ? t.y : t.x;
    if (!Array.isArray(values) || !values.length || t.showlegend === false && !t.name) continue;
    const ys = values.filter((v) => typeof v === "number");
    if (!ys.length) continue;
    const xs = Array.isArray(labels) ? labels : [];
    const hi = Math.max(...ys), at = xs[values.indexOf(hi)];
    parts.push(`${t.name || "series"}: ${fmt(ys[0], "")} to ${fmt(ys[ys.length - 1], "")}` +
      `${at !== undefined ? `, highest ${fmt(hi, "")} at ${at}` : ""}`);
    if (parts.length >= 4) break;
  }
  return `${chart.title}. ` + (parts.length ? parts.join("; ") + "." : "Data in the CSV below.");
}

function fit(layout) {
  const narrow = window.innerWidth < 600;
  const out = { ...layout, autosize: true };
  delete out.width;
  if (narrow) {
    out.margin = { l: 50, r: 10, t: 50, b: 60 };
    out.legend = { ...(layout.legend || {}), orientation: "h", y: -0.25 };
    out.font = { ...(layout.font || {}), size: 10 };
    out.xaxis = { ...(layout.xaxis || {}), automargin: true, tickangle: -45 };
    out.yaxis = { ...(layout.yaxis || {}), automargin: true };
    // subplots side by side (the stress chart): axis titles would overlap; the caption says units
    for (const key of Object.keys(layout)) {
      if (/^yaxis\d+$/.test(key)) out[key] = { ...layout[key], title: { text: "" }, automargin: true };
    }
    if (Object.keys(layout).some((k) => /^yaxis\d+$/.test(k))) out.yaxis = { ...out.yaxis, title: { text: "" } };
    if (layout.title) out.title = typeof layout.title === "object" ? { ...layout.title, font: { size: 12 } } : { text: layout.title, font: { size: 12 } };
  }
  return out;
}

async function plot(div, figure) {
  const Plotly = await plotlyReady;
  await Plotly.react(div, figure.data, fit(figure.layout || {}), { displaylogo: false, responsive: true });
}

function renderCharts(container, run, prefix, ranges = {}) {
  container.innerHTML = "";
  container.dataset.runId = run.id;
  for (const chart of run.charts) {
    const card = document.createElement("figure");
    card.className = "chart-card";
    const div = document.createElement("div");
    div.id = `${prefix}-${chart.id}`;
    div.className = "chart";
    const caption = document.createElement("figcaption");
    caption.className = "chart-summary";
    caption.textContent = chartSummary(chart);
    const link = document.createElement("a");
    link.href = run.links.charts_csv[chart.id];
    link.className = "csv";
    link.download = `${run.scenario}-${chart.id}.csv`;
    link.textContent = `data behind "${chart.title}" (CSV)`;
    card.append(div, caption, link);
    container.appendChild(card);
    const layout = { ...chart.figure.layout };
    if (ranges[chart.id]) layout.yaxis = { ...(layout.yaxis || {}), range: ranges[chart.id], autorange: false };
    plot(div, { data: chart.figure.data, layout });
  }
}

function provenance(run) {
  return `${run.scenario} against ${run.counterfactual}: ${run.draws.toLocaleString("en")} draws, ` +
    `seed ${run.seed}, model ${run.model_version}, data ${run.data_version}, ` +
    `scenario sha256 ${run.scenario_sha256.slice(0, 12)}, run ${run.id}`;
}

function shareUrl(payload, nums) {
  const q = new URLSearchParams();
  if (payload.scenario) q.set("scenario", payload.scenario);
  for (const [path, value] of Object.entries(payload.set)) q.append("set", `${path}=${JSON.stringify(value)}`);
  q.set("seed", nums.seed);
  q.set("draws", nums.draws);
  return `${location.origin}${location.pathname}?${q}`;
}

function showRun(result) {
  $("no-results").hidden = true;
  $("share-row").hidden = false;
  $("scorecard").innerHTML = scorecard(result);
  renderCharts($("charts"), result, "chart");
  $("summary").innerHTML = summaryTable(result);
  $("provenance").textContent = provenance(result);
}

async function run() {
  $("error").textContent = "";
  $("run").disabled = true;
  try {
    const nums = numbers();
    const payload = spec();
    const key = runKey();
    const result = await runJob("/api/runs", { ...payload, ...nums });
    showRun(result);
    if (window.innerWidth < 600) $("run-view").scrollIntoView();  // phones: results, not form
    state.ranKey = key;
    markStale();
    const url = shareUrl(payload, nums);
    $("share-url").value = payload.scenario ? url : "(uploaded scenarios are not shareable by link)";
    if (payload.scenario) history.replaceState(null, "", url);
    loadHistory();
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("run").disabled = false;
  }
}

async function loadHistory() {
  try {
    const { body } = await api("/api/runs?limit=10");
    $("history").innerHTML = body.runs.map((r) => {
      const when = new Date(r.created).toLocaleString("en-CA", { dateStyle: "short", timeStyle: "short" });
      const changes = Object.keys(r.variant || {}).length;
      return `<li><button type="button" class="link" data-run="${r.id}">Open run ${r.id.slice(0, 8)}</button> ` +
        `${escapeHtml(r.scenario)} against ${escapeHtml(r.counterfactual || "nothing")}, ` +
        `${r.draws.toLocaleString("en")} draws, ${changes ? `${changes} changed term${changes > 1 ? "s" : ""}` : "scenario as bundled"}, ${when}</li>`;
    }).join("") || "<li>no runs yet</li>";
  } catch (e) {
    $("history").innerHTML = `<li>${escapeHtml(e.message)}</li>`;
  }
}

async function openRun(id) {
  try {
    const { body } = await api(`/api/runs/${id}`);
    showRun(body);
    state.ranKey = "history";  // a saved run: its terms may not be the form's
    markStale();
    $("stale").textContent = `This is saved run ${id.slice(0, 8)} (${body.scenario}); its terms ` +
      "may differ from the form above. Run the scenario to see results for the form's terms.";
    showTab("run");
  } catch (e) {
    $("error").textContent = e.message;
  }
}

/** The y range that holds both figures' traces: A and B drawn on the same scale. Stacked
 *  traces (areas or bars) count by their totals at each x, not one by one. */
function sharedRange(fa, fb) {
  const ys = [];
  for (const f of [fa, fb]) {
    const stacked = (f.layout || {}).barmode === "stack";
    const totals = [];
    for (const t of f.data || []) {
      if (!Array.isArray(t.y) || (t.type && t.type !== "scatter" && t.type !== "bar")) continue;
      t.y.forEach((v, i) => {
        if (typeof v !== "number" || !Number.isFinite(v)) return;
        if (stacked || t.stackgroup) totals[i] = (totals[i] || 0) + v;
        else ys.push(v);
      });
    }
    ys.push(...totals.filter((v) => v !== undefined));
  }
  if (!ys.length) return null;
  const lo = Math.min(0, ...ys), hi = Math.max(0, ...ys), pad = 0.05 * (hi - lo || 1);
  return [lo - pad, hi + pad];
}

async function compare() {
  $("error").textContent = "";
  $("compare-run").disabled = true;
  try {
    const nums = numbers();
    const payload = { a: spec(), b: { scenario: $("compare-with").value, set: {} }, ...nums };
    const result = await runJob("/api/compare", payload);
    const box = $("compare-result");
    const d = result.difference;
    box.innerHTML = `<div id="compare-difference"><h3>A − B: ${escapeHtml(d.scenario)} minus ` +
      `${escapeHtml(d.counterfactual)}</h3><div class="scorecard">${scorecard(d)}</div>` +
      '<div class="charts" id="compare-difference-charts"></div>' + summaryTable(d) + "</div>" +
      '<div class="compare"></div>';
    renderCharts($("compare-difference-charts"), d, "compare-difference");
    const ranges = {};
    if (result.a && result.b) {
      for (const ca of result.a.charts) {
        const cb = result.b.charts.find((c) => c.id === ca.id);
        const r = cb && sharedRange(ca.figure, cb.figure);
        if (r) ranges[ca.id] = r;
      }
    }
    const sides = box.querySelector(".compare");
    for (const key of ["a", "b"]) {
      const col = document.createElement("div");
      col.id = `compare-${key}`;
      sides.appendChild(col);
      if (result[key] === null) {
        col.innerHTML = `<h3>${key.toUpperCase()}</h3><p class="note">a world without a deal: ` +
          "it names no counterfactual, so it has no impacts of its own</p>";
        continue;
      }
      col.innerHTML = `<h3>${key.toUpperCase()}: ${escapeHtml(result[key].scenario)} against ${escapeHtml(result[key].counterfactual)}</h3>`;
      const charts = document.createElement("div");
      charts.className = "charts";
      col.appendChild(charts);
      renderCharts(charts, result[key], `compare-${key}`, ranges);
      col.insertAdjacentHTML("beforeend", summaryTable(result[key]));
    }
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    $("compare-run").disabled = false;
  }
}

const TABS = ["run", "compare", "chain", "design"];
function showTab(name) {
  state.tab = name;
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    tab.classList.toggle("active", name === t);
    tab.setAttribute("aria-selected", String(name === t));
    tab.tabIndex = name === t ? 0 : -1;
    $(`${t}-view`).hidden = name !== t;
  }
  if (name === "chain") loadChain();
  if (name === "design") designDefaults();
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
    plotlyReady.then((P) => P.purge($("chain-sankey")));
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
      plotlyReady.then((P) => P.purge($("chain-sankey")));
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
    await plot($("chain-sankey"), body.figure);
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
  for (const f of Object.values(fields)) f.removeAttribute("aria-invalid");
  const bad = (key, message) => { fields[key].setAttribute("aria-invalid", "true"); throw new Error(`${key}: ${message}`); };
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
    const rows = result.losses.map((r) => `<tr><td>${r.world}</td><td>${r.loss}</td><td>${unitText(r.unit)}</td>` +
      `<td class="num">${fmt(r.mean, r.unit)}</td><td class="num">${fmt(r.p50, r.unit)}</td>` +
      `<td class="num">${fmt(r.p5, r.unit)} to ${fmt(r.p95, r.unit)}</td></tr>`).join("");
    const box = $("stress-result");
    box.innerHTML = `<p class="note">${result.scenario} vs ${result.counterfactual}: ` +
      `${result.draws.toLocaleString("en")} draws, seed ${result.seed}; losses are positive</p>` +
      '<div class="scroll" tabindex="0" role="region" aria-label="Stress test losses"><table><tr><th>world</th><th>loss</th><th>unit</th><th>mean</th><th>median</th>' +
      `<th>90% range</th></tr>${rows}</table></div>` +
      '<figure class="chart-card"><div id="stress-chart" class="chart"></div>' +
      '<figcaption class="chart-summary" id="stress-summary"></figcaption>' +
      '<a id="stress-csv" class="csv">losses (CSV)</a></figure>';
    $("stress-summary").textContent = `Mean loss by world and measure: ${result.losses.slice(0, 6)
      .map((r) => `${r.world}, ${r.loss.replace(/_/g, " ")}: ${fmt(r.mean, r.unit)} (${unitText(r.unit)})`).join("; ")}.`;
    const blob = new Blob([csvText(result.columns, result.losses)], { type: "text/csv" });
    $("stress-csv").href = URL.createObjectURL(blob);
    $("stress-csv").download = `${result.scenario}-stress.csv`;
    await plot($("stress-chart"), result.figure);
  } catch (e) {
    $("error").textContent = e.message;
  } finally {
    checkStress();
  }
}


// --- design: a search over deal terms (as evpact optimize) ----------------------------------

const STATS = ["mean", "p5", "p50", "p95", "cvar5", "cvar95"];
let designRows = 0;

function selectOf(cls, label, options, value) {
  const id = `design-${cls}-${++designRows}`;
  const opts = options.map(([v, text]) =>
    `<option value="${escapeHtml(v)}"${v === value ? " selected" : ""}>${escapeHtml(text)}</option>`).join("");
  return `<label for="${id}">${label}<select id="${id}" class="${cls}">${opts}</select></label>`;
}

function inputOf(cls, label, value) {
  const id = `design-${cls}-${++designRows}`;
  return `<label for="${id}">${label}<input id="${id}" class="${cls}" type="text" inputmode="decimal" value="${escapeHtml(value)}"></label>`;
}

function removeButton(what) {
  return `<button type="button" class="remove" aria-label="Remove this ${what}">Remove</button>`;
}

/** The searchable terms: the form's numeric terms (a number now, or a distribution). */
function searchable() {
  return state.terms.filter((t) => t.kind !== "choice");
}

function centre(value) {
  const d = asDistribution(value);
  if (!d) return null;
  const xs = d.numbers;
  return xs.length === 3 ? xs[1] : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function boundsFor(term) {
  const c = centre(term.value);
  if (c === null) return ["", ""];
  if (term.kind === "year") return [String(Math.round(c) - 2), String(Math.round(c) + 3)];
  const range = rangeOf(term.path) || { min: -Infinity, max: Infinity };
  const round = (x) => Number(x.toPrecision(3));
  const low = c === 0 ? 0 : Math.max(range.min, round(c * 0.5));
  const high = c === 0 ? 1 : Math.min(range.max, round(c * 1.5));
  return [String(low), String(high)];
}

function addTermRow(path) {
  const terms = searchable();
  const term = terms.find((t) => t.path === path) || terms[0];
  if (!term) return;
  const row = document.createElement("div");
  row.className = "design-row term-row";
  const [low, high] = boundsFor(term);
  row.innerHTML = selectOf("path", "Term", terms.map((t) => [t.path, t.label]), term.path) +
    inputOf("low", "Low", low) + inputOf("high", "High", high) + removeButton("term");
  row.querySelector("select").addEventListener("change", (e) => {
    const t = terms.find((x) => x.path === e.target.value);
    const [lo, hi] = boundsFor(t);
    row.querySelector("input.low").value = lo;
    row.querySelector("input.high").value = hi;
  });
  $("design-terms").appendChild(row);
}

function metricOptions() {
  return Object.values(state.metrics).map((m) => [m.metric, `${m.label} (${m.metric})`]);
}

function addObjectiveRow(metric = "net_public_benefit_npv", stat = "mean", sense = "max") {
  const row = document.createElement("div");
  row.className = "design-row objective-row";
  row.innerHTML = selectOf("metric", "Metric", metricOptions(), metric) +
    selectOf("stat", "Statistic", STATS.map((x) => [x, x]), stat) +
    selectOf("sense", "Best is", [["max", "highest"], ["min", "lowest"]], sense) + removeButton("objective");
  $("design-objectives").appendChild(row);
}

function addConstraintRow(metric = "public_cost_npv", stat = "mean", op = "<=", bound = "") {
  const row = document.createElement("div");
  row.className = "design-row constraint-row";
  row.innerHTML = selectOf("metric", "Metric", metricOptions(), metric) +
    selectOf("stat", "Statistic", STATS.map((x) => [x, x]), stat) +
    selectOf("op", "Must be", [[">=", "at least"], ["<=", "at most"]], op) +
    inputOf("bound", "Bound", bound) + removeButton("constraint");
  $("design-constraints").appendChild(row);
}

/** The negotiation zone (POST /api/zopa, as `evpact zopa`): two distributions and a summary. */
async function runZopa() {
  $("zopa-error").textContent = "";
  $("zopa-run").disabled = true;
  try {
    const draws = Number($("design-draws").value) || 500;
    const result = await runJob("/api/zopa", { ...spec(), draws, seed: numbers().seed });
    const s = result.summary;
    const pct = (x) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
    $("zopa-summary").textContent =
      `${result.scenario}, ${result.draws.toLocaleString("en")} draws, seed ${result.seed}: the firms ` +
      `accept the terms as written in ${pct(s.firm_accepts_share)} of draws; median support they need ` +
      `${fmt(s.firm_min_support_npv_p50, result.unit)}, median Canada can pay ` +
      `${fmt(s.canada_max_support_npv_p50, result.unit)}; a zone exists in ${pct(s.zopa_exists_share)} ` +
      `of draws (instrument: ${result.instrument.join(", ")}; present value, ${unitText(result.unit)}).`;
    await plot($("zopa-chart"), result.figure);
  } catch (e) {
    $("zopa-error").textContent = e.message;
  } finally {
    $("zopa-run").disabled = false;
  }
}

/** Two deal terms and two objectives to start from, for the scenario above. */
function designDefaults() {
  if ($("design-form").dataset.scenario === state.scenario) return;
  $("design-form").dataset.scenario = state.scenario;
  for (const id of ["design-terms", "design-objectives", "design-constraints"]) $(id).innerHTML = "";
  $("design-result").innerHTML = "";
  const deals = searchable().filter((t) => t.path.startsWith("deals."));
  for (const t of deals.slice(0, 2)) addTermRow(t.path);
  if (!deals.length && searchable().length) addTermRow(searchable()[0].path);
  addObjectiveRow("net_public_benefit_npv", "mean", "max");
  addObjectiveRow("linkage_met_share", "mean", "max");
}

function designRequest() {
  const rows = (id) => [...$(id).querySelectorAll(".design-row")];
  const val = (row, cls) => row.querySelector(`.${cls}`).value.trim();
  const terms = rows("design-terms").map((r) => `${val(r, "path")}=${val(r, "low")}:${val(r, "high")}`);
  const objectives = rows("design-objectives").map((r) => `${val(r, "metric")}.${val(r, "stat")}:${val(r, "sense")}`);
  const constraints = rows("design-constraints").map((r) => `${val(r, "metric")}.${val(r, "stat")}${val(r, "op")}${val(r, "bound")}`);
  const whole = (id, what) => {
    const text = $(id).value.trim();
    $(id).removeAttribute("aria-invalid");
    if (!/^\d+$/.test(text)) {
      $(id).setAttribute("aria-invalid", "true");
      throw new Error(`${what}: "${text}" is not a whole number`);
    }
    return Number(text);
  };
  return { ...spec(), terms, objectives, constraints, draws: whole("design-draws", "draws per candidate"),
    budget: whole("design-budget", "candidates"), seed: numbers().seed };
}

function designTable(result) {
  if (!result.pareto.length) return `<p class="note">${escapeHtml(result.message)}</p>`;
  const head = result.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join("");
  const rows = result.pareto.map((r, i) => `<tr>${result.columns.map((c) =>
    `<td class="num">${r[c] === null ? "n/a" : escapeHtml(Number.isInteger(r[c]) ? String(r[c]) : Number(r[c]).toPrecision(6))}</td>`).join("")}` +
    `<td><button type="button" class="link" data-pareto="${i}">Open run ${i + 1}</button></td></tr>`).join("");
  return '<div class="scroll" tabindex="0" role="region" aria-label="Pareto set">' +
    `<table><tr>${head}<th scope="col">run</th></tr>${rows}</table></div>`;
}

async function openCandidate(set, label) {
  $("design-error").textContent = "";
  try {
    const base = spec();
    const payload = { ...base, set: { ...base.set, ...set }, draws: Number($("design-draws").value), seed: numbers().seed };
    const result = await runJob("/api/runs", payload);
    showRun(result);
    state.ranKey = "history";
    markStale();
    $("stale").textContent = `This is ${label} of the Design search (${Object.entries(set)
      .map(([p, v]) => `${p} = ${v}`).join(", ")}); the form above keeps its own terms.`;
    showTab("run");
    loadHistory();
  } catch (e) {
    $("design-error").textContent = e.message;
  }
}

async function runDesign() {
  $("design-error").textContent = "";
  $("design-run").disabled = true;
  try {
    const result = await runJob("/api/optimize", designRequest());
    state.design = result;
    const stopped = result.interrupted ? " The search reached the server's time limit and shows the best found so far." : "";
    $("design-result").innerHTML =
      `<p class="note" id="design-summary">${escapeHtml(result.scenario)}: ${result.evaluated} candidates ` +
      `(${result.distinct} distinct), ${result.draws.toLocaleString("en")} draws each, seed ${result.seed}; ` +
      `${result.pareto.length} on the Pareto set.${stopped}</p>` +
      '<figure class="chart-card"><div id="design-chart" class="chart"></div>' +
      '<figcaption class="chart-summary">Every candidate on the first two objectives; the Pareto set ' +
      'in red (no other feasible candidate is at least as good on every objective and better on one); ' +
      'infeasible candidates as grey crosses. Click a point to open its run.</figcaption>' +
      '<a id="design-csv" class="csv">Pareto set (CSV)</a></figure>' + designTable(result);
    const cols = [...result.columns, "command"];
    const blob = new Blob([csvText(cols, result.pareto)], { type: "text/csv" });
    $("design-csv").href = URL.createObjectURL(blob);
    $("design-csv").download = `${result.scenario}-pareto.csv`;
    await plot($("design-chart"), result.figure);
    $("design-chart").on("plotly_click", (ev) => {
      const n = ev.points[0].customdata;
      const row = result.evaluations.find((r) => r.evaluation === n);
      if (row) openCandidate(row.set, `candidate ${n}`);
    });
  } catch (e) {
    $("design-error").textContent = e.message;
  } finally {
    $("design-run").disabled = false;
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
  for (const t of TABS) $(`tab-${t}`).addEventListener("click", () => showTab(t));
  document.querySelector("[role=tablist]").addEventListener("keydown", (e) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = TABS[(TABS.indexOf(state.tab) + step + TABS.length) % TABS.length];
    showTab(next);
    $(`tab-${next}`).focus();
  });
  $("history").addEventListener("click", (e) => { if (e.target.dataset.run) openRun(e.target.dataset.run); });
  $("stress-run").addEventListener("click", runStress);
  $("design-run").addEventListener("click", runDesign);
  $("zopa-run").addEventListener("click", runZopa);
  $("design-add-term").addEventListener("click", () => addTermRow());
  $("design-add-objective").addEventListener("click", () => addObjectiveRow());
  $("design-add-constraint").addEventListener("click", () => addConstraintRow());
  $("design-form").addEventListener("click", (e) => {
    if (e.target.classList.contains("remove")) e.target.closest(".design-row").remove();
  });
  $("design-result").addEventListener("click", (e) => {
    const i = e.target.dataset.pareto;
    if (i !== undefined) openCandidate(state.design.pareto[Number(i)].set, `Pareto row ${Number(i) + 1}`);
  });
  for (const id of ["stress-stage", "stress-country", "stress-share", "stress-weeks", "stress-year"]) {
    $(id).addEventListener("input", checkStress);
    $(id).addEventListener("change", checkStress);
  }
  $("stress-stage").addEventListener("change", () => { $("stress-stage").dataset.auto = "false"; });
  $("terms").addEventListener("change", changed);
  for (const id of ["draws", "seed"]) {
    $(id).addEventListener("input", changed);
    $(id).addEventListener("input", checkStress);
  }
  $("scenario").addEventListener("change", (e) => loadScenario(e.target.value));
  $("upload").addEventListener("change", (e) => { if (e.target.files[0]) loadUpload(e.target.files[0]); });

  const [list, schema, metrics, about] = await Promise.all([
    api("/api/scenarios"), api("/api/schema"), api("/api/metrics"), api("/api")]);
  state.schema = schema.body;
  state.limits = about.body.limits;
  for (const m of metrics.body.metrics) state.metrics[m.metric] = m;
  state.scenarios = list.body.scenarios;
  // a world without a deal has nothing to be compared against: offered as B, never run alone
  for (const s of state.scenarios.filter((x) => x.counterfactual)) {
    $("scenario").add(new Option(`${s.name}: ${s.title}`, s.name));
  }
  const q = new URLSearchParams(location.search);
  const overrides = {};
  for (const item of q.getAll("set")) {
    const at = item.indexOf("=");
    if (at > 0) {
      const text = item.slice(at + 1);
      try { overrides[item.slice(0, at)] = JSON.parse(text); } catch (e) { overrides[item.slice(0, at)] = text; }
    }
  }
  if (q.has("seed")) $("seed").value = q.get("seed");
  if (q.has("draws")) $("draws").value = q.get("draws");
  const name = q.get("scenario") || "canada-korea-2026";
  $("scenario").value = name;
  $("loading").hidden = true;
  loadHistory();
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
