/* global window, document, EventSource, Chart */
// The Lookout sandbox console: lays out the stack's dashboard on CloudWatch's 24-column grid,
// then applies each snapshot the server streams (counters, widget data, alarms, Slack messages,
// traces), re-runs the log search when new lines arrive and lists the CPU profiles again when
// one is written.
import {
  el,
  formatDuration,
  formatNumber,
  formatTick,
  formatTime,
  formatWindow,
  renderMarkdown,
  renderMrkdwn,
  renderPlainText,
} from './render.js';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];
// The Slack notifier's colours for alarm states.
const STATE_COLOR = { ALARM: '#E01E5A', OK: '#2EB67D', INSUFFICIENT_DATA: '#9E9E9E' };
const STATE_ORDER = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
const SLACK_NAMED_COLORS = { good: '#2EB67D', warning: '#ECB22E', danger: '#E01E5A' };

const state = {
  dashboard: null,
  widgets: new Map(), // index → { widget, body }
  charts: new Map(), // index → Chart
  snapshot: null,
  alarms: [],
  logFilter: {},
  logsVersion: undefined,
  logRequest: 0,
  profilesVersion: undefined,
  profileRequest: 0,
  shippedFilter: {},
  shippedVersion: undefined,
  shippedRequest: 0,
  selectedTrace: null,
  traceSignature: '',
  slackSignature: '',
  snapshots: 0,
};

// Read by the browser test (and handy in the devtools console).
window.lookout = {
  state,
  charts: state.charts,
  chartSummary() {
    return [...state.charts].map(([index, chart]) => ({
      index,
      title: state.widgets.get(index)?.widget.title ?? null,
      type: chart.config.type,
      datasets: chart.data.datasets.map((dataset) => ({ label: dataset.label, points: dataset.data.length })),
    }));
  },
};

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
  return body;
}

// ------------------------------------------------------------------ dashboard layout

function renderDashboard(dashboard) {
  state.dashboard = dashboard;
  const grid = $('grid');
  grid.replaceChildren();
  if (dashboard.name) $('dashboard-title').textContent = `Dashboard: ${dashboard.name}`;
  if (!dashboard.present) {
    grid.append(el('p', { class: 'hint' }, 'No dashboard: the stack has none, or it could not be read.'));
    return;
  }
  for (const widget of dashboard.widgets) {
    const body = el('div', { class: 'widget-body' });
    const title = widget.title ? el('h3', { class: 'widget-title' }, widget.title) : null;
    const node = el(
      'article',
      {
        class: `widget widget-${widget.type}${widget.type === 'text' && widget.background === 'transparent' ? ' transparent' : ''}`,
        'data-testid': 'widget',
        'data-widget-type': widget.type,
        'data-widget-index': widget.index,
        'aria-label': widget.title ?? `${widget.type} widget`,
        style: {
          gridColumn: `${widget.x + 1} / span ${widget.width}`,
          gridRow: `${widget.y + 1} / span ${widget.height}`,
        },
      },
      title,
      body,
    );
    state.widgets.set(widget.index, { widget, body });
    if (widget.type === 'text') body.append(renderMarkdown(widget.markdown));
    else if (widget.type === 'log') renderLogWidget(widget, body);
    else if (widget.type === 'unreadable') {
      body.append(
        el(
          'p',
          { class: 'widget-problem' },
          `This ${widget.widgetType} widget cannot be shown: ${widget.problem}`,
        ),
      );
    } else if (widget.type === 'metric') body.append(el('p', { class: 'hint' }, 'waiting for data…'));
    grid.append(node);
  }
}

function renderLogWidget(widget, body) {
  const mentionsErrors = /\bERROR\b/.test(widget.query);
  body.append(
    el('div', { class: 'log-widget-rows' }, el('p', { class: 'hint' }, 'waiting for log lines…')),
    el(
      'details',
      { class: 'log-widget-query' },
      el('summary', {}, 'Query'),
      el('pre', { class: 'query' }, widget.query),
      el(
        'button',
        {
          type: 'button',
          onclick: () => {
            setLogForm({ level: mentionsErrors ? 'ERROR' : '' });
            applyLogForm();
            $('logs').scrollIntoView({ behavior: 'smooth' });
          },
        },
        mentionsErrors ? 'Show ERROR lines in log search' : 'Open log search',
      ),
    ),
  );
}

function cellText(column, value) {
  if (value === null || value === undefined) return '';
  if (column === '@timestamp' && typeof value === 'number') return formatTime(value);
  return String(value);
}

function updateLogWidgets(logWidgets) {
  for (const data of logWidgets ?? []) {
    const entry = state.widgets.get(data.index);
    const target = entry?.body.querySelector('.log-widget-rows');
    if (!target) continue;
    const problems = data.problems.length
      ? el('p', { class: 'widget-problem' }, data.problems.join(' · '))
      : null;
    if (data.columns.length === 0) {
      target.replaceChildren(problems ?? '');
      continue;
    }
    target.replaceChildren(
      problems ?? '',
      data.rows.length === 0
        ? el('p', { class: 'hint' }, 'No matching log lines.')
        : el(
            'table',
            { class: 'log-table', 'data-testid': 'log-widget-table' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                data.columns.map((column) => el('th', { scope: 'col' }, column)),
              ),
            ),
            el(
              'tbody',
              {},
              data.rows.map((row) =>
                el(
                  'tr',
                  {},
                  row.map((value, i) => el('td', {}, cellText(data.columns[i], value))),
                ),
              ),
            ),
          ),
    );
  }
}

// ------------------------------------------------------------------ metric widgets

const colorOf = (series, i) => series.color ?? PALETTE[i % PALETTE.length];

function updateMetricWidgets(widgetData) {
  for (const data of widgetData ?? []) {
    const entry = state.widgets.get(data.index);
    if (!entry) continue;
    const { widget, body } = entry;
    const problems = [
      ...data.problems,
      ...data.series.filter((s) => s.error).map((s) => `${s.label}: ${s.error}`),
    ];
    if (widget.view === 'timeSeries') updateLineChart(widget, body, data);
    else if (widget.view === 'bar' || widget.view === 'pie') updateCategoryChart(widget, body, data);
    else updateSingleValues(widget, body, data);
    let note = body.querySelector(':scope > .widget-problem');
    if (problems.length) {
      if (!note) body.append((note = el('p', { class: 'widget-problem' })));
      note.textContent = problems.join(' · ');
    } else note?.remove();
  }
}

// Horizontal annotations (thresholds, timeouts) drawn over the chart, as CloudWatch does.
const annotationPlugin = {
  id: 'lookoutAnnotations',
  afterDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea } = chart;
    for (const line of options.lines ?? []) {
      if (line.visible === false) continue;
      const scale = chart.scales[line.yAxis === 'right' ? 'right' : 'left'] ?? chart.scales.left;
      if (!scale) continue;
      const color = line.color ?? '#d62728';
      const y = scale.getPixelForValue(line.value);
      ctx.save();
      if (line.toValue !== undefined) {
        const y2 = scale.getPixelForValue(line.toValue);
        ctx.fillStyle = `${color}22`;
        ctx.fillRect(chartArea.left, Math.min(y, y2), chartArea.right - chartArea.left, Math.abs(y2 - y));
      }
      if (y >= chartArea.top && y <= chartArea.bottom) {
        ctx.strokeStyle = color;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(chartArea.left, y);
        ctx.lineTo(chartArea.right, y);
        ctx.stroke();
        if (line.label) {
          ctx.fillStyle = color;
          ctx.font = '10px system-ui, sans-serif';
          ctx.fillText(line.label, chartArea.left + 4, y - 3);
        }
      }
      ctx.restore();
    }
  },
};

const TICK_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/** Time ticks on round minutes (11:45, 12:00...) rather than wherever the window happens to start. */
function roundTimeTicks(scale) {
  const span = scale.max - scale.min;
  const stepMs = (TICK_STEPS_MIN.find((minutes) => span / (minutes * 60_000) <= 6) ?? 1440) * 60_000;
  const ticks = [];
  for (let t = Math.ceil(scale.min / stepMs) * stepMs; t <= scale.max; t += stepMs) ticks.push({ value: t });
  scale.ticks = ticks;
}

function axisOptions(settings, position, stacked, annotations) {
  const values = annotations
    .filter((a) => a.visible !== false)
    .flatMap((a) => [a.value, a.toValue ?? a.value]);
  return {
    type: 'linear',
    position,
    stacked,
    beginAtZero: settings.min === undefined,
    ...(settings.min !== undefined ? { min: settings.min } : {}),
    ...(settings.max !== undefined ? { max: settings.max } : {}),
    ...(values.length && settings.max === undefined ? { suggestedMax: Math.max(...values) } : {}),
    title: { display: Boolean(settings.label), text: settings.label ?? '' },
    ticks: { callback: (value) => formatNumber(value), maxTicksLimit: 6 },
    grid: { drawOnChartArea: position === 'left' },
  };
}

function updateLineChart(widget, body, data) {
  const datasets = data.series.map((series, i) => ({
    label: series.label,
    data: series.points.map(([x, y]) => ({ x, y })),
    borderColor: colorOf(series, i),
    backgroundColor: `${colorOf(series, i)}44`,
    yAxisID: series.yAxis === 'right' ? 'right' : 'left',
    fill: widget.stacked,
    pointRadius: series.points.length > 60 ? 0 : 2,
    borderWidth: 1.5,
    spanGaps: true,
  }));
  const hasRight = data.series.some((series) => series.yAxis === 'right');
  const horizontal = data.horizontal;
  let chart = state.charts.get(widget.index);
  if (!chart) {
    body.replaceChildren();
    const canvas = el('canvas', { role: 'img', 'aria-label': `Chart: ${widget.title ?? 'metrics'}` });
    body.append(el('div', { class: 'chart-box' }, canvas));
    chart = new Chart(canvas, {
      type: 'line',
      data: { datasets },
      plugins: [annotationPlugin],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {},
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } },
          tooltip: { callbacks: { title: (items) => (items.length ? formatTime(items[0].parsed.x) : '') } },
          lookoutAnnotations: { lines: [] },
        },
      },
    });
    state.charts.set(widget.index, chart);
  } else {
    // Update in place so Chart.js keeps hidden/shown legend choices.
    datasets.forEach((dataset, i) => {
      if (chart.data.datasets[i]) Object.assign(chart.data.datasets[i], dataset);
      else chart.data.datasets.push(dataset);
    });
    chart.data.datasets.length = datasets.length;
  }
  chart.options.scales = {
    x: {
      type: 'linear',
      min: data.start,
      max: data.end,
      afterBuildTicks: roundTimeTicks,
      ticks: { callback: (value) => formatTick(value), maxRotation: 0, autoSkip: false },
    },
    left: axisOptions(
      widget.yAxis.left,
      'left',
      widget.stacked,
      horizontal.filter((a) => a.yAxis !== 'right'),
    ),
    ...(hasRight
      ? {
          right: axisOptions(
            widget.yAxis.right,
            'right',
            widget.stacked,
            horizontal.filter((a) => a.yAxis === 'right'),
          ),
        }
      : {}),
  };
  chart.options.plugins.lookoutAnnotations.lines = horizontal;
  chart.update('none');
}

function updateCategoryChart(widget, body, data) {
  const labels = data.series.map((series) => series.label);
  const values = data.series.map((series) => series.latest ?? null);
  const colors = data.series.map((series, i) => colorOf(series, i));
  let chart = state.charts.get(widget.index);
  if (!chart) {
    body.replaceChildren();
    const canvas = el('canvas', { role: 'img', 'aria-label': `Chart: ${widget.title ?? 'metrics'}` });
    body.append(el('div', { class: 'chart-box' }, canvas));
    chart = new Chart(canvas, {
      type: widget.view,
      data: {
        labels,
        datasets: [{ label: widget.title ?? 'latest', data: values, backgroundColor: colors }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: widget.view === 'pie', position: 'bottom' } },
      },
    });
    state.charts.set(widget.index, chart);
    return;
  }
  chart.data.labels = labels;
  Object.assign(chart.data.datasets[0], { data: values, backgroundColor: colors });
  chart.update('none');
}

function updateSingleValues(widget, body, data) {
  const { min, max } = widget.yAxis.left;
  const items = data.series.map((series, i) =>
    el(
      'div',
      { class: 'single-value', 'data-testid': 'single-value' },
      el('span', { class: 'sv-number', style: { color: colorOf(series, i) } }, formatNumber(series.latest)),
      widget.view === 'gauge' && series.latest !== undefined
        ? el('meter', { min: min ?? 0, max: max ?? 100, value: series.latest, 'aria-label': series.label })
        : null,
      el('span', { class: 'sv-label' }, series.label),
    ),
  );
  body.replaceChildren(el('div', { class: 'single-values' }, items));
}

// ------------------------------------------------------------------ alarms

function alarmBadge(stateName) {
  return el(
    'span',
    { class: 'state-badge', style: { background: STATE_COLOR[stateName] ?? '#9E9E9E' } },
    stateName === 'INSUFFICIENT_DATA' ? 'INSUFFICIENT DATA' : stateName,
  );
}

function renderAlarms(alarms) {
  state.alarms = alarms ?? [];
  const sorted = [...state.alarms].sort(
    (a, b) => (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) || a.name.localeCompare(b.name),
  );
  const list = $('alarm-list');
  list.replaceChildren(
    ...sorted.map((alarm) =>
      el(
        'li',
        {
          class: `alarm alarm-${alarm.state}`,
          'data-testid': 'alarm',
          'data-state': alarm.state,
          'aria-label': `${alarm.name}: ${alarm.state}`,
          style: { borderLeftColor: STATE_COLOR[alarm.state] ?? '#9E9E9E' },
        },
        el(
          'div',
          { class: 'alarm-head' },
          alarmBadge(alarm.state),
          el('strong', { class: 'alarm-name' }, alarm.name),
          alarm.severity
            ? el('span', { class: `severity severity-${alarm.severity}` }, alarm.severity)
            : null,
          el(
            'time',
            { class: 'alarm-time', datetime: new Date(alarm.updatedAt).toISOString() },
            formatTime(alarm.updatedAt),
          ),
        ),
        el('p', { class: 'alarm-reason' }, alarm.reason),
      ),
    ),
  );
  if (sorted.length === 0) list.append(el('li', { class: 'hint' }, 'No alarms.'));
  for (const { widget, body } of state.widgets.values()) {
    if (widget.type === 'alarm') updateAlarmStatusWidget(widget, body);
  }
}

function findAlarm(reference) {
  const name = /:alarm:(.+)$/.exec(reference)?.[1] ?? reference;
  return (
    state.alarms.find((alarm) => alarm.arn === reference) ?? state.alarms.find((alarm) => alarm.name === name)
  );
}

function updateAlarmStatusWidget(widget, body) {
  const tiles = widget.alarms.map((reference) => {
    const alarm = findAlarm(reference);
    const name = alarm?.name ?? /:alarm:(.+)$/.exec(reference)?.[1] ?? reference;
    const alarmState = alarm?.state ?? 'INSUFFICIENT_DATA';
    return el(
      'div',
      {
        class: 'alarm-tile',
        'data-testid': 'alarm-tile',
        'data-state': alarmState,
        title: alarm?.reason ?? 'not evaluated by the sandbox',
        style: { borderColor: STATE_COLOR[alarmState] },
      },
      alarmBadge(alarmState),
      el('span', { class: 'alarm-tile-name' }, name),
    );
  });
  body.replaceChildren(el('div', { class: 'alarm-tiles' }, tiles));
}

// ------------------------------------------------------------------ Slack messages

function slackColor(color) {
  if (typeof color !== 'string') return '#DDDDDD';
  if (SLACK_NAMED_COLORS[color]) return SLACK_NAMED_COLORS[color];
  return /^#?[0-9a-f]{3,8}$/i.test(color) ? (color.startsWith('#') ? color : `#${color}`) : '#DDDDDD';
}

function textObject(text) {
  if (!text || typeof text.text !== 'string') return null;
  return text.type === 'mrkdwn' ? renderMrkdwn(text.text) : renderPlainText(text.text, text.emoji !== false);
}

function slackBlock(block) {
  switch (block?.type) {
    case 'header':
      return el('h3', { class: 'slack-header' }, textObject(block.text));
    case 'section':
      return el(
        'div',
        { class: 'slack-section' },
        block.text ? el('div', {}, textObject(block.text)) : null,
        Array.isArray(block.fields)
          ? el(
              'div',
              { class: 'slack-fields' },
              block.fields.map((field) => el('div', { class: 'slack-field' }, textObject(field))),
            )
          : null,
      );
    case 'context':
      return el(
        'div',
        { class: 'slack-context' },
        (block.elements ?? []).map((element) => el('span', {}, textObject(element))),
      );
    case 'divider':
      return el('hr');
    default:
      return el('pre', { class: 'slack-pre' }, JSON.stringify(block, null, 2));
  }
}

function renderSlack(messages) {
  const signature = JSON.stringify(messages ?? []);
  if (signature === state.slackSignature) return;
  state.slackSignature = signature;
  const list = $('slack-list');
  list.replaceChildren();
  if (!messages?.length) {
    list.append(
      el('p', { class: 'hint' }, 'No Slack messages yet. They arrive when an alarm changes state.'),
    );
    return;
  }
  for (const message of messages) {
    const payload =
      message.payload && typeof message.payload === 'object'
        ? message.payload
        : { text: String(message.payload) };
    const attachments = Array.isArray(payload.attachments) ? payload.attachments : [];
    const blocks = [
      ...(Array.isArray(payload.blocks) ? payload.blocks : []),
      ...attachments.flatMap((a) => (Array.isArray(a.blocks) ? a.blocks : [])),
    ];
    const color = slackColor(attachments.find((a) => a.color)?.color);
    const header = blocks.find((block) => block.type === 'header')?.text?.text;
    list.append(
      el(
        'article',
        {
          class: 'slack-message',
          'data-testid': 'slack-message',
          'aria-label': renderPlainText(header ?? payload.text ?? 'Slack message'),
        },
        el('div', { class: 'slack-bar', style: { background: color } }),
        el(
          'div',
          { class: 'slack-body' },
          el(
            'p',
            { class: 'slack-meta' },
            el('span', { class: 'slack-app' }, 'Lookout'),
            ` ${formatTime(message.receivedAt)}`,
            message.route ? ` · ${message.route}` : '',
          ),
          payload.text ? el('div', { class: 'slack-text' }, renderMrkdwn(payload.text)) : null,
          blocks.map(slackBlock),
        ),
      ),
    );
  }
}

// ------------------------------------------------------------------ logs

function setLogForm(filter) {
  if ('correlationId' in filter) $('log-correlation').value = filter.correlationId ?? '';
  if ('level' in filter) $('log-level').value = filter.level ?? '';
  if ('function' in filter) $('log-function').value = filter.function ?? '';
  if ('q' in filter) $('log-text').value = filter.q ?? '';
}

function applyLogForm() {
  state.logFilter = {
    correlationId: $('log-correlation').value.trim(),
    level: $('log-level').value,
    function: $('log-function').value,
    q: $('log-text').value.trim(),
  };
  return searchLogs();
}

async function searchLogs() {
  const request = ++state.logRequest;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.logFilter)) if (value) params.set(name, value);
  params.set('limit', '200');
  let result;
  try {
    result = await getJson(`/api/logs?${params}`);
  } catch (error) {
    $('log-summary').textContent = `Log search failed: ${error.message}`;
    return;
  }
  if (request !== state.logRequest) return; // a newer search has been sent
  renderFunctionOptions(result.functionNames ?? []);
  const filters = Object.entries(state.logFilter).filter(([, value]) => value);
  $('log-summary').textContent =
    `${result.records.length} line${result.records.length === 1 ? '' : 's'}, newest first` +
    (filters.length
      ? ` · filtered by ${filters.map(([name, value]) => `${name === 'q' ? 'text' : name} ${value}`).join(', ')}`
      : '');
  $('log-rows').replaceChildren(...result.records.map(logRow));
}

function renderFunctionOptions(names) {
  renderSelectOptions($('log-function'), names);
}

/** A filter's choices: "any", then `names`; the current choice kept while it is still one of them. */
function renderSelectOptions(select, names) {
  const current = select.value;
  const existing = [...select.options].map((option) => option.value).filter(Boolean);
  if (existing.join('\n') === names.join('\n')) return;
  select.replaceChildren(
    el('option', { value: '' }, 'any'),
    ...names.map((name) => el('option', { value: name }, name)),
  );
  select.value = names.includes(current) ? current : '';
}

function logRow(record) {
  const correlation = record.correlationId
    ? el(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'correlation-link',
          title: 'Show every line of this request',
          onclick: () => {
            setLogForm({ correlationId: record.correlationId, level: '', q: '' });
            applyLogForm();
          },
        },
        record.correlationId,
      )
    : '';
  const traceId = record.traceId?.split(';')[0]?.replace(/^Root=/, '');
  const trace = traceId
    ? el(
        'button',
        { type: 'button', class: 'link', title: 'Show this trace', onclick: () => showTrace(traceId, true) },
        traceId.slice(-8),
      )
    : '';
  const details = record.fields ? JSON.stringify(record.fields, null, 2) : record.raw;
  return el(
    'tr',
    { 'data-testid': 'log-row', 'data-level': record.level },
    el(
      'td',
      { class: 'nowrap' },
      el('time', { datetime: new Date(record.timestamp).toISOString() }, formatTime(record.timestamp)),
    ),
    el('td', {}, el('span', { class: `level level-${record.level}` }, record.level)),
    el('td', { class: 'nowrap' }, record.functionName),
    el(
      'td',
      { class: 'message' },
      el('details', {}, el('summary', {}, record.message), el('pre', {}, details)),
    ),
    el('td', {}, correlation),
    el('td', {}, trace),
  );
}

// ------------------------------------------------------------------ shipped logs

function applyShippedForm() {
  state.shippedFilter = {
    q: $('shipped-text').value.trim(),
    correlationId: $('shipped-correlation').value.trim(),
    index: $('shipped-index').value,
  };
  return searchShipped();
}

async function searchShipped() {
  const request = ++state.shippedRequest;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.shippedFilter)) if (value) params.set(name, value);
  params.set('limit', '100');
  let result;
  try {
    result = await getJson(`/api/shipped-logs?${params}`);
  } catch (error) {
    $('shipped-summary').textContent = `Shipped-log search failed: ${error.message}`;
    return;
  }
  if (request !== state.shippedRequest) return; // a newer search has been sent
  const indices = result.indices ?? [];
  const documents = indices.reduce((sum, index) => sum + index.documents, 0);
  $('shipped-indices').textContent = indices.length
    ? `${documents} document${documents === 1 ? '' : 's'} in ${indices.length} ind${indices.length === 1 ? 'ex' : 'ices'}: ` +
      indices.map((index) => `${index.name} (${index.documents})`).join(', ')
    : 'Nothing shipped yet.';
  renderSelectOptions(
    $('shipped-index'),
    indices.map((index) => index.name),
  );
  $('shipped-summary').textContent =
    `${result.total} matching, ${result.documents.length} shown, newest first`;
  $('shipped-rows').replaceChildren(...result.documents.map(shippedRow));
}

function shippedRow(row) {
  const correlation = row.correlationId
    ? el(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'shipped-correlation-link',
          title: 'Show every shipped document of this request',
          onclick: () => {
            $('shipped-correlation').value = row.correlationId;
            $('shipped-text').value = '';
            applyShippedForm();
          },
        },
        row.correlationId,
      )
    : '';
  const level = row.level ?? '';
  return el(
    'tr',
    { 'data-testid': 'shipped-row', 'data-index': row.index },
    el('td', { class: 'nowrap' }, el('time', { datetime: row.timestamp }, row.timestamp)),
    el('td', {}, level ? el('span', { class: `level level-${level.toUpperCase()}` }, level) : ''),
    el('td', { class: 'nowrap' }, row.service ?? ''),
    el('td', {}, correlation),
    el(
      'td',
      { class: 'message' },
      el(
        'details',
        {},
        el('summary', {}, row.message),
        el('pre', {}, JSON.stringify({ _index: row.index, _id: row.id, _source: row.source }, null, 2)),
      ),
    ),
  );
}

// ------------------------------------------------------------------ CPU profiles

function formatBytes(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}

async function listProfiles() {
  const request = ++state.profileRequest;
  let profiles;
  try {
    profiles = await getJson('/api/profiles');
  } catch (error) {
    $('profile-summary').textContent = `Listing profiles failed: ${error.message}`;
    return;
  }
  if (request !== state.profileRequest) return; // a newer listing has been asked for
  $('profile-summary').textContent = profiles.length
    ? `${profiles.length} profile${profiles.length === 1 ? '' : 's'}, newest first`
    : 'None yet. A function with profiling writes one for each slow or sampled invocation.';
  $('profile-rows').replaceChildren(...profiles.map(profileRow));
}

function profileRow(profile) {
  const correlation = profile.correlationId
    ? el(
        'button',
        {
          type: 'button',
          class: 'link',
          'data-testid': 'profile-correlation-link',
          title: 'Show the log lines of this request',
          onclick: () => {
            setLogForm({ correlationId: profile.correlationId, level: '', function: '', q: '' });
            applyLogForm();
            $('logs').scrollIntoView({ behavior: 'smooth' });
          },
        },
        profile.correlationId,
      )
    : '';
  const fileName = profile.key.replace('/', '_');
  return el(
    'tr',
    { 'data-testid': 'profile-row', 'data-reason': profile.reason },
    el(
      'td',
      { class: 'nowrap' },
      el('time', { datetime: new Date(profile.capturedAt).toISOString() }, formatTime(profile.capturedAt)),
    ),
    el('td', {}, profile.reason),
    el('td', { class: 'nowrap' }, profile.functionName),
    el('td', { class: 'mono' }, profile.requestId),
    el('td', {}, correlation),
    el('td', { class: 'nowrap' }, formatBytes(profile.bytes)),
    el(
      'td',
      {},
      el('a', { href: profile.url, download: fileName, 'data-testid': 'profile-download' }, 'download'),
    ),
  );
}

// ------------------------------------------------------------------ traces

function renderTraceList(traces) {
  const signature = JSON.stringify(traces ?? []);
  if (signature === state.traceSignature) return;
  state.traceSignature = signature;
  const list = $('trace-list');
  list.replaceChildren();
  if (!traces?.length) {
    list.append(el('li', { class: 'hint' }, 'No traces yet.'));
    return;
  }
  for (const trace of traces) {
    const flags = trace.fault ? 'fault' : trace.error ? 'error' : trace.throttle ? 'throttle' : 'ok';
    list.append(
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            class: `trace-item trace-${flags}`,
            'data-testid': 'trace-item',
            'data-trace-id': trace.id,
            'aria-pressed': String(trace.id === state.selectedTrace),
            onclick: () => showTrace(trace.id, false),
          },
          el('span', { class: 'trace-name' }, trace.name),
          el(
            'span',
            { class: 'trace-meta' },
            [trace.method, trace.url ? new URL(trace.url, 'http://x').pathname : null, trace.status]
              .filter(Boolean)
              .join(' '),
            ` · ${formatDuration(trace.durationMs)} · ${trace.segmentCount} segments · ${formatTime(trace.startTime)}`,
          ),
        ),
      ),
    );
  }
  if (!state.selectedTrace) showTrace(traces[0].id, false);
  else if (traces.some((trace) => trace.id === state.selectedTrace)) showTrace(state.selectedTrace, false);
}

/** The duration after the bar, or before it when the bar ends near the right edge. */
function durationLabel(row, total) {
  const end = (row.offsetMs + row.durationMs) / total;
  const text = formatDuration(row.durationMs) + (row.inProgress ? ' (in progress)' : '');
  const style =
    end > 0.85
      ? { left: `${(row.offsetMs / total) * 100}%`, transform: 'translateX(calc(-100% - 8px))' }
      : { left: `${end * 100}%` };
  return el('span', { class: 'wf-duration', style }, text);
}

async function showTrace(id, scroll) {
  state.selectedTrace = id;
  for (const button of document.querySelectorAll('[data-testid="trace-item"]')) {
    button.setAttribute('aria-pressed', String(button.dataset.traceId === id));
  }
  const target = $('waterfall');
  let waterfall;
  try {
    waterfall = await getJson(`/api/traces/${encodeURIComponent(id)}`);
  } catch (error) {
    target.replaceChildren(el('p', { class: 'hint' }, `Trace ${id}: ${error.message}`));
    return;
  }
  if (state.selectedTrace !== id) return;
  const total = Math.max(waterfall.durationMs, 0.001);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    el(
      'span',
      { class: 'wf-tick', style: { left: `${f * 100}%` } },
      formatDuration(f * waterfall.durationMs),
    ),
  );
  const rows = waterfall.rows.map((row) => {
    const status = row.fault ? 'fault' : row.error ? 'error' : row.throttle ? 'throttle' : 'ok';
    const detail = [row.origin, row.method && `${row.method} ${row.url ?? ''}`, row.status, row.errorMessage]
      .filter(Boolean)
      .join(' · ');
    return el(
      'div',
      {
        class: `wf-row wf-${status}`,
        'data-testid': 'waterfall-row',
        'data-depth': row.depth,
        'aria-label': `${row.name}: ${formatDuration(row.durationMs)} at +${formatDuration(row.offsetMs)}`,
      },
      el(
        'div',
        { class: 'wf-label', style: { paddingLeft: `${row.depth * 14 + 4}px` }, title: detail || row.name },
        row.name,
      ),
      el(
        'div',
        { class: 'wf-track' },
        el('div', {
          class: 'wf-bar',
          style: {
            left: `${(row.offsetMs / total) * 100}%`,
            width: `max(2px, ${(row.durationMs / total) * 100}%)`,
          },
          title: detail,
        }),
        durationLabel(row, total),
      ),
    );
  });
  target.replaceChildren(
    el(
      'h3',
      { class: 'wf-title' },
      `Trace ${waterfall.traceId}`,
      el(
        'span',
        { class: 'hint' },
        ` ${formatDuration(waterfall.durationMs)} · ${waterfall.rows.length} segments`,
      ),
    ),
    el(
      'div',
      { class: 'wf-row wf-axis', 'aria-hidden': 'true' },
      el('div', { class: 'wf-label' }),
      el('div', { class: 'wf-track' }, ticks),
    ),
    ...rows,
  );
  if (scroll) $('traces').scrollIntoView({ behavior: 'smooth' });
}

// ------------------------------------------------------------------ snapshots

const COUNTER_LABELS = { invocations: 'Invocations', coldStarts: 'Cold starts', errors: 'Errors' };

function renderCounters(counters) {
  if (!counters) return;
  const names = [
    ...Object.keys(COUNTER_LABELS),
    ...Object.keys(counters).filter((name) => !(name in COUNTER_LABELS)),
  ];
  $('counters').replaceChildren(
    ...names.map((name) =>
      el(
        'div',
        { class: 'counter' },
        el('dt', {}, COUNTER_LABELS[name] ?? name.replace(/([A-Z])/g, ' $1').toLowerCase()),
        el('dd', { 'data-testid': `counter-${name}` }, formatNumber(counters[name] ?? 0)),
      ),
    ),
  );
}

function renderProblems(errors) {
  const node = $('problems');
  const entries = Object.entries(errors ?? {});
  node.hidden = entries.length === 0;
  node.textContent = entries.map(([part, message]) => `${part}: ${message}`).join(' · ');
}

function applySnapshot(snapshot) {
  state.snapshot = snapshot;
  state.snapshots++;
  renderProblems(snapshot.errors);
  renderCounters(snapshot.counters);
  if (snapshot.alarms) renderAlarms(snapshot.alarms);
  if (snapshot.widgets) updateMetricWidgets(snapshot.widgets);
  if (snapshot.logWidgets) updateLogWidgets(snapshot.logWidgets);
  if (snapshot.slack) renderSlack(snapshot.slack);
  if (snapshot.traces) renderTraceList(snapshot.traces);
  if (state.dashboard?.present && snapshot.now) {
    $('dashboard-window').textContent =
      `Last ${formatWindow(state.dashboard.windowMs)} up to ${formatTime(snapshot.now)} (sandbox time)`;
  }
  if (snapshot.logsVersion !== undefined && snapshot.logsVersion !== state.logsVersion) {
    state.logsVersion = snapshot.logsVersion;
    searchLogs();
  }
  if (snapshot.shippedLogsVersion !== undefined && snapshot.shippedLogsVersion !== state.shippedVersion) {
    state.shippedVersion = snapshot.shippedLogsVersion;
    searchShipped();
  }
  if (snapshot.profilesVersion !== undefined && snapshot.profilesVersion !== state.profilesVersion) {
    state.profilesVersion = snapshot.profilesVersion;
    listProfiles();
  }
}

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('snapshot', (event) => applySnapshot(JSON.parse(event.data)));
  events.addEventListener('open', () => {
    $('connection').textContent = 'live';
    $('connection').dataset.state = 'live';
  });
  events.addEventListener('error', () => {
    $('connection').textContent = 'reconnecting…';
    $('connection').dataset.state = 'down';
  });
}

async function start() {
  $('log-search').addEventListener('submit', (event) => {
    event.preventDefault();
    applyLogForm();
  });
  $('shipped-search').addEventListener('submit', (event) => {
    event.preventDefault();
    applyShippedForm();
  });
  $('log-clear').addEventListener('click', () => {
    setLogForm({ correlationId: '', level: '', function: '', q: '' });
    applyLogForm();
  });
  try {
    renderDashboard(await getJson('/api/dashboard'));
  } catch (error) {
    renderProblems({ dashboard: error.message });
  }
  connect();
}

start();
