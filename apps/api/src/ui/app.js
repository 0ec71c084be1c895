// hourglass results page: plain ES module, no build step, no third-party code. The API key lives
// in sessionStorage and travels only in the Authorization header (never in a URL): images and
// event streams are fetched with it too, so thumbnails become blob: URLs and server-sent events
// are read from a fetch body instead of EventSource (which cannot send headers).
const KEY = 'hourglass.apiKey';
const MAX_STREAMS = 3; // browsers allow ~6 connections per host; keep room for everything else
const RESULT_ROWS = 200;

const $ = (id) => document.getElementById(id);
const state = { key: sessionStorage.getItem(KEY), batches: new Map(), streams: new Map(), selected: null, thumbs: [] };

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), authorization: `Bearer ${state.key}` } });
  if (response.status === 401) throw new Unauthorized('invalid API key');
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
  }
  return response;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- key --------------------------------------------------------------------------------------

function showKeyForm(message = '') {
  stopStreams();
  $('app').hidden = true;
  $('forget').hidden = true;
  $('key-form').hidden = false;
  $('key-error').textContent = message;
  $('key').focus();
}

$('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  state.key = $('key').value.trim();
  $('key').value = '';
  await start();
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  state.key = null;
  showKeyForm();
});

async function start() {
  if (!state.key) return showKeyForm();
  try {
    await refreshBatches();
  } catch (error) {
    state.key = null;
    sessionStorage.removeItem(KEY);
    return showKeyForm(error instanceof Unauthorized ? 'That key was refused.' : String(error.message || error));
  }
  sessionStorage.setItem(KEY, state.key);
  $('key-form').hidden = true;
  $('app').hidden = false;
  $('forget').hidden = false;
  void loadBench();
  setTimeout(poll, 5000);
}

async function poll() {
  if (!state.key) return;
  try {
    await refreshBatches();
  } catch (error) {
    if (error instanceof Unauthorized) return showKeyForm('The key stopped working.');
  }
  setTimeout(poll, 5000);
}

// ---- batches ----------------------------------------------------------------------------------

async function refreshBatches() {
  const { batches } = await (await api('/v1/batches?limit=50')).json();
  for (const view of batches) state.batches.set(view.id, view);
  renderBatches(batches.map((b) => b.id));
  $('batches-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  for (const view of batches) if (view.status !== 'completed') follow(view.id);
}

function renderBatches(order) {
  const body = $('batches').tBodies[0];
  $('no-batches').hidden = order.length > 0;
  body.replaceChildren(...order.map((id) => batchRow(state.batches.get(id))));
}

function batchRow(view) {
  const done = view.counts.completed + view.counts.failed;
  const pct = (n) => `${view.total ? (100 * n) / view.total : 0}%`;
  const row = el('tr', { class: `batch${state.selected === view.id ? ' selected' : ''}`, 'data-batch': view.id, 'data-status': view.status }, [
    el('td', {}, [el('code', { text: view.id })]),
    el('td', { text: view.model }),
    el('td', { class: `status-${view.status}`, text: view.status }),
    el('td', {}, [el('div', { class: 'bar', title: `${done} of ${view.total}` }, [el('span', { class: 'ok' }), el('span', { class: 'bad' })])]),
    el('td', { class: 'done', text: `${done} / ${view.total}` }),
    el('td', { class: 'failed', text: String(view.counts.failed) }),
    el('td', { text: view.imagesPerSecond.toFixed(1) }),
    el('td', { text: new Date(view.timings.createdAt).toLocaleString() }),
  ]);
  const [ok, bad] = row.querySelectorAll('.bar > span');
  ok.style.width = pct(view.counts.completed);
  bad.style.width = pct(view.counts.failed);
  row.addEventListener('click', () => void showResults(view.id));
  return row;
}

function updateBatch(view) {
  state.batches.set(view.id, view);
  const old = document.querySelector(`tr[data-batch="${CSS.escape(view.id)}"]`);
  if (old) old.replaceWith(batchRow(view));
  if (view.status === 'completed' && state.selected === view.id) void showResults(view.id);
}

/** Reads the batch's server-sent events through fetch (EventSource cannot send the key). */
async function follow(id) {
  if (state.streams.has(id) || state.streams.size >= MAX_STREAMS) return;
  const controller = new AbortController();
  state.streams.set(id, controller);
  try {
    const response = await api(`/v1/batches/${encodeURIComponent(id)}/events`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data) updateBatch(JSON.parse(data));
      }
    }
  } catch (error) {
    if (error.name !== 'AbortError') console.warn('event stream ended', id, error);
  } finally {
    state.streams.delete(id);
  }
}

function stopStreams() {
  for (const controller of state.streams.values()) controller.abort();
  state.streams.clear();
}

// ---- results ----------------------------------------------------------------------------------

async function showResults(id) {
  state.selected = id;
  for (const row of document.querySelectorAll('tr.batch')) row.classList.toggle('selected', row.dataset.batch === id);
  const view = state.batches.get(id);
  $('results-section').hidden = false;
  $('results-batch').textContent = id;
  const response = await api(`/v1/batches/${encodeURIComponent(id)}/results`);
  const rows = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (rows.length < RESULT_ROWS) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) if (line && rows.length < RESULT_ROWS) rows.push(JSON.parse(line));
  }
  if (buffer && rows.length < RESULT_ROWS) rows.push(JSON.parse(buffer));
  void reader.cancel().catch(() => undefined);
  if (state.selected !== id) return;
  $('results-note').textContent = `${rows.length} row(s) shown${view && rows.length < view.total ? ` of ${view.total}` : ''}`;
  for (const url of state.thumbs.splice(0)) URL.revokeObjectURL(url);
  $('results').tBodies[0].replaceChildren(...rows.map((r) => resultRow(id, r)));
}

function resultRow(id, r) {
  const img = el('img', { alt: r.source, loading: 'lazy' });
  const conf = r.confidence ?? null;
  const row = el('tr', { 'data-index': String(r.index) }, [
    el('td', { text: String(r.index) }),
    el('td', { class: 'thumb' }, [img]),
    el('td', {}, [el('code', { text: r.source })]),
    el('td', { class: 'label', text: r.label ?? '' }),
    el('td', { class: 'confidence' }, conf === null ? [] : [el('span', { class: 'conf' }), document.createTextNode(conf.toFixed(3))]),
    el('td', { class: 'err', text: r.error ? `${r.error.code}: ${r.error.message}` : '' }),
  ]);
  const bar = row.querySelector('.conf');
  if (bar) bar.style.width = `${Math.round(conf * 60)}px`;
  void thumbnail(id, r.index, img);
  return row;
}

async function thumbnail(id, index, img) {
  try {
    const blob = await (await api(`/v1/batches/${encodeURIComponent(id)}/images/${index}`)).blob();
    const url = URL.createObjectURL(blob);
    state.thumbs.push(url);
    img.src = url;
  } catch {
    img.alt = 'no image';
  }
}

// ---- benchmark report -------------------------------------------------------------------------

async function loadBench() {
  const report = await (await api('/v1/bench/report')).json();
  $('bench-none').hidden = Boolean(report.markdown || report.charts.length);
  $('bench-updated').textContent = report.updatedAt ? `written ${new Date(report.updatedAt).toLocaleString()}` : '';
  $('bench-report').replaceChildren(...(report.markdown ? renderMarkdown(report.markdown) : []));
  const figures = [];
  for (const chart of report.charts) {
    const img = el('img', { alt: chart.name });
    figures.push(el('figure', {}, [img, el('figcaption', { class: 'note', text: chart.name })]));
    api(chart.url)
      .then((r) => r.blob())
      .then((blob) => {
        img.src = URL.createObjectURL(blob); // an <img> never runs an SVG's scripts
      })
      .catch(() => undefined);
  }
  $('bench-charts').replaceChildren(...figures);
}

/** A small Markdown subset (headings, tables, lists, code, paragraphs) built as DOM text: no HTML passes through. */
function renderMarkdown(text) {
  const out = [];
  const lines = text.split('\n');
  const inline = (s) => {
    const span = el('span');
    s.split(/(`[^`]+`|\*\*[^*]+\*\*)/).forEach((part) => {
      if (/^`[^`]+`$/.test(part)) span.append(el('code', { text: part.slice(1, -1) }));
      else if (/^\*\*[^*]+\*\*$/.test(part)) span.append(el('strong', { text: part.slice(2, -2) }));
      else if (part) span.append(document.createTextNode(part));
    });
    return span;
  };
  const cells = (line) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const code = [];
      while (++i < lines.length && !/^```/.test(lines[i])) code.push(lines[i]);
      out.push(el('pre', {}, [el('code', { text: code.join('\n') })]));
    } else if (/^#{1,6} /.test(line)) {
      const level = Math.min(6, line.indexOf(' ') + 2);
      out.push(el(`h${level}`, {}, [inline(line.replace(/^#+ /, ''))]));
    } else if (/^\|/.test(line) && /^\|?\s*:?-{2,}/.test(lines[i + 1] ?? '')) {
      const head = el(
        'tr',
        {},
        cells(line).map((c) => el('th', {}, [inline(c)])),
      );
      const body = [];
      i += 2;
      while (i < lines.length && /^\|/.test(lines[i]))
        body.push(
          el(
            'tr',
            {},
            cells(lines[i++]).map((c) => el('td', {}, [inline(c)])),
          ),
        );
      i--;
      out.push(el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]));
    } else if (/^\s*[-*] /.test(line)) {
      const items = [];
      while (i < lines.length && /^\s*[-*] /.test(lines[i])) items.push(el('li', {}, [inline(lines[i++].replace(/^\s*[-*] /, ''))]));
      i--;
      out.push(el('ul', {}, items));
    } else if (line.trim()) {
      out.push(el('p', {}, [inline(line)]));
    }
  }
  return out;
}

void start();
