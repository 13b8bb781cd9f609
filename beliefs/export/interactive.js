// The beliefs report's one script (beliefs/export/interactive.py says what it computes and why).
// Odds form, as beliefs.update.update(): posterior log-odds = prior log-odds + sum of w_i ln LR_i, with
// each weight w_i written by Python from update()'s own result. Text is written only with textContent.
(function () {
  "use strict";
  var LN2 = Math.log(2), LN10 = Math.log(10);
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("beliefs-report-data").textContent);
  var scenarioText = document.getElementById("beliefs-scenario").textContent;
  function el(name) { return document.querySelector('[data-beliefs="' + name + '"]'); }
  var priorInput = el("prior");
  var lrInputs = data.items.map(function (_, i) { return el("lr-" + i); });

  // -- numbers as the library writes them (beliefs.format) -------------------------------------
  function gfmt(x, prec) { // Python's "%.{prec}g"
    if (x === 0) return "0";
    var e = x.toExponential(prec - 1), parts = e.split("e"), exp = parseInt(parts[1], 10);
    if (exp < -4 || exp >= prec) {
      var m = parts[0].indexOf(".") >= 0 ? parts[0].replace(/0+$/, "").replace(/\.$/, "") : parts[0];
      return m + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    var f = x.toFixed(Math.max(0, prec - 1 - exp));
    return f.indexOf(".") >= 0 ? f.replace(/0+$/, "").replace(/\.$/, "") : f;
  }
  function prob(x) { if (x >= 0) return 1 / (1 + Math.exp(-x)); var e = Math.exp(x); return e / (1 + e); }
  function log10Prob(x) { // log10 of 1/(1 + e^-x), finite for any finite x
    var y = -x, sp = y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y));
    return -sp / LN10;
  }
  function scientific(log10v, pad) {
    var whole = Math.floor(log10v), m = Math.pow(10, log10v - whole);
    if (Math.round(m * 100) / 100 >= 10) { whole += 1; m /= 10; }
    var exp = pad ? (whole < 0 ? "-" : "+") + (Math.abs(whole) < 10 ? "0" : "") + Math.abs(whole) : String(whole);
    return Math.round(m * 100) / 100 !== 1 ? gfmt(m, 3) + "e" + exp : "1e" + exp;
  }
  function percentSmall(l10, x) { return l10 > -300 ? gfmt(100 * prob(x), 3) : scientific(l10 + 2, true); }
  function formatProbability(x) { // beliefs.format.format_probability
    if (isNaN(x)) return "n/a";
    if (x === -Infinity) return "0% (certain)";
    if (x === Infinity) return "100% (certain)";
    var p10 = log10Prob(x), q10 = log10Prob(-x);
    if (q10 < -4) return "100% - " + percentSmall(q10, -x) + "%";
    if (p10 < -4) return percentSmall(p10, x) + "%";
    return gfmt(100 * prob(x), 4) + "%";
  }
  function fourDigits(l10, x) { // a percentage with four significant digits, from its log10 where no float holds it
    if (l10 > -300) return (100 * prob(x)).toExponential(3).replace("e+", "e");
    var whole = Math.floor(l10 + 2), m = Math.pow(10, l10 + 2 - whole), t = m.toFixed(3);
    if (t === "10.000") { whole += 1; t = "1.000"; }
    return t + "e" + whole;
  }
  function posteriorText(x) { // the reader's posterior: at least four significant digits
    if (!isFinite(x)) return formatProbability(x);
    var p10 = log10Prob(x), q10 = log10Prob(-x);
    if (q10 < -4) return "100% - " + fourDigits(q10, -x) + "%";
    if (p10 < -4) return fourDigits(p10, x) + "%";
    return (100 * prob(x)).toPrecision(4) + "%";
  }
  function formatOdds(x) { // beliefs.format.format_odds
    if (x === Infinity) return "1:0";
    if (x === -Infinity) return "0:1";
    if (Math.abs(x) > Math.log(1e6)) { var big = scientific(Math.abs(x) / LN10, false); return x > 0 ? big + ":1" : "1:" + big; }
    var o = Math.exp(x);
    for (var d = 1; d <= 20; d++) {
      var n = Math.round(o * d);
      if (n >= 1 && n <= 1000 && Math.abs(n / d - o) <= 1e-9 * o) return n + ":" + d;
    }
    return o >= 1 ? gfmt(o, 3) + ":1" : "1:" + gfmt(1 / o, 3);
  }
  function signed(x, digits) { return (x >= 0 && !Object.is(x, -0) ? "+" : "") + x.toFixed(digits); }
  function fsum(xs) { // Neumaier's compensated sum (update() uses math.fsum)
    var s = 0, c = 0;
    for (var i = 0; i < xs.length; i++) {
      var t = s + xs[i];
      c += Math.abs(s) >= Math.abs(xs[i]) ? (s - t) + xs[i] : (xs[i] - t) + s;
      s = t;
    }
    return s + c;
  }
  function logOdds(p) { return p === 0 ? -Infinity : p === 1 ? Infinity : Math.log(p) - Math.log1p(-p); }

  // -- what the reader typed ------------------------------------------------------------------------
  var NUMBER = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  var ZERO = /^\+?(0+\.?0*|\.0+)(e[+-]?\d+)?$/i;
  function shown(text) { return "'" + text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "?").slice(0, 40) + "'"; }
  function readPrior(errors) {
    var text = priorInput.value.trim();
    if (priorInput.value === data.prior_input) return data.prior; // untouched: the author's exact number
    var allowed = "a percentage from 0 to 100 (10 means 10%)";
    if (!NUMBER.test(text)) { errors.push(["prior", "Prior P(H), %: got " + shown(text) + "; expected " + allowed]); return null; }
    var v = Number(text), p = v / 100;
    if (!(v <= 100)) { errors.push(["prior", "Prior P(H), %: got " + shown(text) + "; expected " + allowed]); return null; }
    if (p === 0 && !ZERO.test(text)) { errors.push(["prior", "Prior P(H), %: got " + shown(text) + "; it rounds to exactly 0%, which is certainty: type 0 for that, or a larger number"]); return null; }
    if (p === 1 && v !== 100) { errors.push(["prior", "Prior P(H), %: got " + shown(text) + "; it rounds to exactly 100%, which is certainty: type 100 for that, or a smaller number"]); return null; }
    return p;
  }
  function readRatio(i, errors) {
    var input = lrInputs[i], item = data.items[i], text = input.value.trim();
    if (input.value === item.input) return { lr: item.likelihood_ratio, logLr: item.log_lr, edited: false };
    var name = "Ratio of item " + (i + 1) + ": got " + shown(text) + "; expected a likelihood ratio > 0 (3 means 3:1 for H, 0.5 means 1:2) or a:b";
    var parts = text.split(":"), lr;
    if (parts.length === 1 && NUMBER.test(text)) lr = Number(text);
    else if (parts.length === 2 && NUMBER.test(parts[0].trim()) && NUMBER.test(parts[1].trim())) lr = Number(parts[0].trim()) / Number(parts[1].trim());
    if (!(lr > 0 && isFinite(lr))) { errors.push(["lr-" + i, name]); return null; }
    return { lr: lr, logLr: Math.log(lr), edited: true };
  }

  // -- the update ------------------------------------------------------------------------------------
  function compute() {
    var errors = [], p = readPrior(errors), ratios = data.items.map(function (_, i) { return readRatio(i, errors); });
    if (errors.length) return { errors: errors };
    var priorX = p === data.prior && data.prior_log_odds !== null ? data.prior_log_odds : logOdds(p);
    var terms = ratios.map(function (r, i) { return data.items[i].weight * r.logLr; });
    var certain = !isFinite(priorX);
    var path = [priorX];
    for (var j = 1; j <= terms.length; j++) path.push(certain ? priorX : priorX + fsum(terms.slice(0, j)));
    return { errors: [], p: p, ratios: ratios, terms: terms, priorX: priorX, certain: certain,
             posteriorX: path[path.length - 1], path: path, totalBits: fsum(terms) / LN2 };
  }

  var last = null, linkSeq = 0;
  function render() {
    var r = compute(), box = el("error");
    [priorInput].concat(lrInputs).forEach(function (input) { input.removeAttribute("aria-invalid"); });
    if (r.errors.length) {
      r.errors.forEach(function (e) { el(e[0]).setAttribute("aria-invalid", "true"); });
      box.textContent = r.errors.map(function (e) { return e[1]; }).join(". ") + ". Showing your last valid numbers.";
      box.hidden = false;
      document.getElementById("reader").classList.add("stale");
      return;
    }
    box.hidden = true;
    document.getElementById("reader").classList.remove("stale");
    last = r;
    el("posterior").textContent = posteriorText(r.posteriorX);
    el("posterior").setAttribute("data-log-odds", String(r.posteriorX)); // the unrounded number, for checking
    el("odds").textContent = formatOdds(r.posteriorX);
    el("bits-total").textContent = signed(r.totalBits, 3);
    r.terms.forEach(function (t, i) { el("bits-" + i).textContent = signed(t / LN2, 3); });
    var note = el("note");
    note.hidden = !r.certain;
    note.textContent = r.certain ? data.cromwell[r.priorX > 0 ? 1 : 0] : "";
    drawWaterfall(r);
    updateLink(r);
  }

  // -- the waterfall (beliefs.plots.update.waterfall_values / waterfall_layout, as plain SVG) --------
  var ROUND = [1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 - 1e-4, 1 - 1e-6, 1 - 1e-9];
  var FINE = [0.2, 0.3, 0.4, 0.45, 0.55, 0.6, 0.7, 0.8];
  function pBits(p) { return (Math.log(p) - Math.log1p(-p)) / LN2; }
  function tailBits(k, m) { return (Math.log(m) - k * LN10 - Math.log1p(-m * Math.pow(10, -k))) / LN2; }
  function decadeTicks(lo, hi, ms) {
    var to10 = LN2 / LN10, out = [];
    [[-1, -hi * to10, -lo * to10], [1, lo * to10, hi * to10]].forEach(function (s) {
      for (var k = Math.max(1, Math.floor(s[1]) - 1); k < Math.min(340, Math.ceil(s[2]) + 2); k++)
        ms.forEach(function (m) { if (m * Math.pow(10, -k) < 0.5) out.push(s[0] * -tailBits(k, m)); });
    });
    return out;
  }
  function ticks(lo, hi) { // beliefs.plots.style.probability_ticks
    var inside = function (ts) { return ts.filter(function (t) { return lo <= t && t <= hi; }).sort(function (a, b) { return a - b; }); };
    if (hi - lo <= 80) {
      var sets = [ROUND.map(pBits), ROUND.concat(FINE).map(pBits), decadeTicks(lo, hi, [1]), decadeTicks(lo, hi, [1, 2, 5])];
      for (var i = 0; i < sets.length; i++) { var t = inside(sets[i]); if (t.length >= 3) return t; }
    } else {
      var lo10 = lo * LN2 / LN10, hi10 = hi * LN2 / LN10, span = hi10 - lo10, steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
      var step = steps.filter(function (s) { return span / s <= 6; })[0] || Math.pow(10, Math.ceil(Math.log10(span))), out = [];
      for (var m = Math.ceil(lo10 / step); m <= Math.floor(hi10 / step); m++) {
        var v = m === 0 ? 0 : Math.sign(m) * Math.abs(tailBits(Math.abs(m * step), 1));
        if (lo <= v && v <= hi) out.push(v);
      }
      if (out.length >= 2) return out;
    }
    var mag = Math.pow(10, Math.floor(Math.log10(Math.max(hi - lo, 1e-9) / 4)));
    var best = [1, 2, 5, 10].map(function (m) { return m * mag; }).sort(function (a, b) { return Math.abs((hi - lo) / a - 5) - Math.abs((hi - lo) / b - 5); })[0];
    var even = [];
    for (var k2 = Math.ceil(lo / best); k2 <= Math.floor(hi / best); k2++) even.push(k2 * best);
    return even;
  }
  function node(parent, name, attrs, text) {
    var n = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    parent.appendChild(n);
    return n;
  }
  function wrapWords(text, chars) {
    var lines = [], line = "";
    text.split(" ").forEach(function (w) { if (line && (line + " " + w).length > chars) { lines.push(line); line = w; } else line = line ? line + " " + w : w; });
    return lines.concat(line ? [line] : []);
  }
  var CHAR = 7, LINE = 15, BAR = 14; // px: a 12 px character's width (estimate), a label line, a bar
  function drawWaterfall(r) {
    var box = el("waterfall");
    box.textContent = "";
    if (r.certain) return; // infinite log-odds have no place on the axis; the note says why
    var c = data.colours, rows = [], b = r.path.map(function (x) { return x / LN2; });
    rows.push({ kind: "level", start: b[0], end: b[0], lines: ["prior"], value: formatProbability(r.path[0]), name: "prior" });
    r.terms.forEach(function (t, i) {
      var ch = t / LN2, after = formatProbability(r.path[i + 1]);
      rows.push({ kind: ch >= 0 ? "for" : "against", start: b[i], end: b[i + 1], lines: data.items[i].lines,
                  value: signed(ch, 2) + " bits → " + after, name: data.items[i].lines.join(" ") });
    });
    var post = b[b.length - 1];
    rows.push({ kind: "level", start: post, end: post, lines: ["posterior"], value: formatProbability(r.posteriorX), name: "posterior" });
    var top = 0; // beliefs.plots.style.Rows.place
    rows.forEach(function (row) { row.label = top + 3; row.bar = row.label + LINE * row.lines.length + 3; top = row.bar + BAR + 6; });
    var ends = [];
    rows.forEach(function (row) { ends.push(row.start, row.end); });
    var lo = Math.min.apply(null, ends), hi = Math.max.apply(null, ends), span = Math.max(hi - lo, 2);
    lo -= 0.05 * span; hi += 0.6 * span; // waterfall_layout's margins: room on the right for the text
    var width = Math.max(280, Math.floor(box.clientWidth || 600)), plotTop = 26, plotHeight = Math.round(top);
    var axisTitle = wrapWords("P(H), log-odds scale; bars: each item's evidence in bits", Math.floor(width / CHAR));
    var height = plotTop + plotHeight + 22 + LINE * axisTitle.length + 4;
    var x = function (v) { return 2 + (v - lo) / (hi - lo) * (width - 4); };
    var svg = node(box, "svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Your log-odds waterfall", "font-family": "sans-serif", "font-size": 12, fill: c.ink });
    var legend = [["for", "for H", c.for], ["against", "against H", c.against], ["level", "prior / posterior", c.level]]
      .filter(function (l) { return rows.some(function (row) { return row.kind === l[0]; }); });
    var lx = 0;
    legend.forEach(function (l) {
      node(svg, "rect", { x: lx, y: 4, width: 12, height: 12, fill: l[2] });
      node(svg, "text", { x: lx + 16, y: 14 }, l[1]);
      lx += 16 + l[1].length * CHAR + 14;
    });
    var plot = node(svg, "g", { transform: "translate(0," + plotTop + ")" });
    var ts = ticks(lo, hi), right = -Infinity;
    ts.forEach(function (t) {
      var tx = x(t), label = formatProbability(t * LN2), w = label.length * CHAR;
      node(plot, "line", { x1: tx, x2: tx, y1: 0, y2: plotHeight, stroke: c.rule, "stroke-width": 1 });
      var left = Math.min(Math.max(tx - w / 2, 0), width - w);
      if (left >= right + 6) { // drop a tick label that would overlap the last one (Vega's "greedy")
        node(plot, "text", { x: left, y: plotHeight + 16 }, label);
        right = left + w;
      }
    });
    axisTitle.forEach(function (line, i) { node(plot, "text", { x: 0, y: plotHeight + 34 + LINE * i }, line); });
    var postX = x(post);
    rows.forEach(function (row) {
      var g = node(plot, "g", {});
      node(g, "title", {}, row.name + ": " + row.value);
      row.lines.forEach(function (line, i) { node(g, "text", { x: 0, y: row.label + LINE * i + 11 }, line); });
      node(g, "line", { x1: postX, x2: postX, y1: row.bar - 3, y2: row.bar + BAR + 3, stroke: c.level, "stroke-dasharray": "4 3" });
      var mid = row.bar + BAR / 2, a = x(Math.min(row.start, row.end)), z = x(Math.max(row.start, row.end));
      if (row.kind === "level") {
        node(g, "path", { d: "M" + z + " " + (mid - 9) + "l9 9l-9 9l-9 -9z", fill: c.level });
        z += 9;
      } else {
        node(g, "rect", { x: a, y: row.bar, width: Math.max(z - a, 1), height: BAR, fill: row.kind === "for" ? c.for : c.against });
      }
      var w = row.value.length * CHAR, tx = z + 8, anchor = "start";
      if (tx + w > width) { tx = a - 8; anchor = "end"; if (tx - w < 0) { tx = width; } }
      node(g, "text", { x: tx, y: mid + 4, "text-anchor": anchor }, row.value);
    });
  }

  // -- taking the view away: a scenario file and a link into the app -----------------------------------
  function editedScenario(r) {
    var s = JSON.parse(scenarioText), changed = false;
    if (r.p !== data.prior) { s.prior = r.p; changed = true; }
    r.ratios.forEach(function (ratio, i) {
      if (!ratio.edited) return;
      var item = s.evidence[data.items[i].index];
      item.likelihood_ratio = ratio.lr;
      ["p_e_given_h", "p_e_given_not_h", "p_e_given_h_dist", "p_e_given_not_h_dist"].forEach(function (k) { item[k] = null; });
      var said = "Edited by a reader of the report: likelihood ratio " + gfmt(ratio.lr, 6) + " (the author's: " + data.items[i].ratio_text + ").";
      item.note = item.note ? said + " " + item.note : said;
      changed = true;
    });
    if (changed) s.title = "Edited from: " + (s.title || s.name);
    return s;
  }
  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 8192) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function updateLink(r) {
    var a = el("link"), note = el("link-note"), L = data.link, seq = ++linkSeq;
    if (!L.base) {
      a.hidden = true;
      note.textContent = "This report was made without the app's public address (BELIEFS_BASE_URL), so it cannot link to the app: download your view and load it there.";
      return;
    }
    var json = JSON.stringify(editedScenario(r));
    var stream = new Blob([json]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    new Response(stream).arrayBuffer().then(function (buf) {
      if (seq !== linkSeq) return; // a later edit has its own link
      var value = L.version + base64url(new Uint8Array(buf));
      if (value.length > L.max) {
        a.hidden = true;
        note.textContent = "Your view is too long for a link (" + value.length + " characters; at most " + L.max + "): download it and load the file in the app.";
        return;
      }
      a.href = L.base + "?s=" + value;
      a.hidden = false;
      note.textContent = L.local ? "This link opens only on the machine that made the report (the report was made without BELIEFS_BASE_URL); the downloaded file opens anywhere the app runs." : "";
    });
  }
  function download() {
    if (!last) return;
    var s = editedScenario(last);
    var url = URL.createObjectURL(new Blob([JSON.stringify(s, null, 2) + "\n"], { type: "application/json" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = s.name + "-your-view.json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  function reset() {
    priorInput.value = data.prior_input;
    lrInputs.forEach(function (input, i) { input.value = data.items[i].input; });
    render();
  }

  priorInput.value = data.prior_input;
  lrInputs.forEach(function (input, i) { input.value = data.items[i].input; });
  [priorInput].concat(lrInputs).forEach(function (input) {
    input.addEventListener("input", render);
    input.addEventListener("change", render);
  });
  el("reset").addEventListener("click", reset);
  el("download").addEventListener("click", download);
  var width = 0;
  window.addEventListener("resize", function () {
    var w = el("waterfall").clientWidth;
    if (w !== width && last) { width = w; drawWaterfall(last); }
  });
  render();
  width = el("waterfall").clientWidth;
})();
