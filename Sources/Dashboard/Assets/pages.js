// The pages. Everything is built with DOM calls and textContent: no HTML from data, so an
// event's text can never become markup or script.
'use strict';

function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function errorBox(error) { return el('div', { class: 'error', role: 'alert' }, error.message || String(error)); }

function formatValue(value) {
  if (value === null || value === undefined) return '–';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return value.replace('T', ' ').replace(/(:\d\d)(\.\d+)?(\+00:00|Z)$/, '$1');
  return String(value);
}

/// A table of `rows` (objects) with `columns` ([key, label]), or the empty text.
function table(rows, columns, empty, link) {
  if (!rows || rows.length === 0) return el('p', { class: 'empty' }, empty);
  return el('table', {},
    el('thead', {}, el('tr', {}, columns.map(([, label]) => el('th', { scope: 'col' }, label)))),
    el('tbody', {}, rows.map(row => el('tr', {}, columns.map(([key]) => {
      const text = formatValue(row[key]);
      return el('td', {}, link && link[key] ? el('a', { href: link[key](row) }, text) : text);
    })))));
}

const TIER_WORDS = { elite: 'Elite', high: 'High', medium: 'Medium', low: 'Low' };
function tierBadge(tier) {
  return el('span', { class: 'tier tier-' + (tier || 'none') }, tier ? TIER_WORDS[tier] || tier : 'No tier');
}

// MARK: Overview

const KEYS = [
  { id: 'deploymentFrequency', label: 'Deployment frequency', field: 'perDay', unit: ' per day', explain: 'deployments' },
  { id: 'leadTime', label: 'Lead time for changes (median)', field: 'medianHours', unit: ' h', explain: 'commits' },
  { id: 'changeFailureRate', label: 'Change failure rate', field: 'rate', unit: '', percent: true, explain: 'deployments' },
  { id: 'recoveryTime', label: 'Failed-deployment recovery (median)', field: 'medianHours', unit: ' h', explain: 'incidents' },
  { id: 'reworkRate', label: 'Rework rate', field: 'rate', unit: '', percent: true, explain: 'deployments' },
];

function isoDay(date) { return date.toISOString().slice(0, 10); }

const overview = {
  filters: { service: '', team: '', days: '30' },
  charts: [],
  sources: [],

  window() {
    const to = new Date(Date.now() + 86400000);
    const from = new Date(to.getTime() - Number(this.filters.days) * 86400000);
    return { from: isoDay(from), to: isoDay(to) };
  },

  async render(root) {
    const { from, to } = this.window();
    const parameters = { from, to, service: this.filters.service, team: this.filters.team, bucket: 'week', explain: 'true' };
    const report = await looplineApi.get('/v1/dora', parameters);
    this.sources = Object.keys(report.readModels || {});
    // The window and filters it shows, on the page for scripts and tests to read.
    const page = el('section', { id: 'overview', 'data-from': from, 'data-to': to, 'data-service': this.filters.service,
      'data-team': this.filters.team, 'aria-labelledby': 'overview-title' });
    page.append(el('h1', { id: 'overview-title' }, 'Delivery performance'), this.filterBar(report));
    const metrics = report.overall || {};
    const tiles = el('div', { class: 'tiles' });
    const panel = el('div', { class: 'panel', id: 'explain' });
    for (const key of KEYS) tiles.append(this.tile(key, metrics[key.id], report, panel));
    page.append(tiles);
    if ((metrics.deploymentFrequency || {}).deployments === 0) {
      page.append(el('p', { class: 'empty' }, 'No production deployments in this period yet. Send one with ',
        el('code', {}, 'loopline send succeed-deployment …'), ' or point a GitHub/GitLab webhook at Loopline (docs/ingest.md).'));
    }
    page.append(this.trend(report), panel);
    root.replaceChildren(page);
    this.drawTrend(report);
  },

  /// After live events: again only when a read model the report is computed from changed.
  async refresh(root, touched) {
    if (this.sources.some(name => touched.has(name))) await this.render(root);
  },

  filterBar(report) {
    const option = (value, text, selected) => el('option', { value, selected: selected ? true : null }, text);
    const names = list => ['', ...(list || []).map(entry => entry.name)];
    const select = (label, name, values, texts) => el('label', {}, label,
      el('select', { name, onchange: event => { this.filters[name] = event.target.value; router.refresh(); } },
        values.map((value, index) => option(value, texts ? texts[index] : value || 'All', this.filters[name] === value))));
    return el('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: event => event.preventDefault() },
      select('Service', 'service', names(report.services)),
      select('Team', 'team', names(report.teams)),
      select('Period', 'days', ['7', '30', '90'], ['Last 7 days', 'Last 30 days', 'Last 90 days']));
  },

  tile(key, metric, report, panel) {
    metric = metric || {};
    const raw = metric[key.field];
    const absent = raw === undefined || raw === null;
    const number = absent ? '–' : key.percent ? (raw * 100).toFixed(2) : String(raw);
    const unit = absent ? '' : key.percent ? ' %' : key.unit;
    const value = el('div', { class: 'value', 'data-value': absent ? '' : String(raw) }, number, el('span', { class: 'unit' }, unit));
    const detail = key.id === 'leadTime' ? 'p90 ' + formatValue(metric.p90Hours) + ' h over ' + formatValue(metric.commits) + ' commits'
      : key.id === 'changeFailureRate' ? formatValue(metric.failedChanges) + ' failed of ' + formatValue(metric.attempts) + ' attempts'
      : key.id === 'recoveryTime' ? formatValue(metric.recoveries) + ' recoveries'
      : key.id === 'reworkRate' ? formatValue(metric.reworkDeployments) + ' rework of ' + formatValue(metric.deployments)
      : formatValue(metric.deployments) + ' deployments';
    return el('button', { type: 'button', class: 'card tile', id: 'tile-' + key.id, 'aria-controls': 'explain',
      onclick: () => this.explain(key, report, panel) },
      el('div', { class: 'label' }, key.label), value,
      key.id === 'reworkRate' ? el('span', { class: 'muted' }, 'no published tiers') : tierBadge(metric.tier),
      el('div', { class: 'muted' }, detail));
  },

  explain(key, report, panel) {
    const rows = (report.explain || {})[key.explain] || [];
    const columns = {
      deployments: [['deploymentId', 'Deployment'], ['service', 'Service'], ['status', 'Status'], ['finishedAt', 'Finished'],
        ['failedChange', 'Failed change'], ['reasons', 'Why'], ['recoveryHours', 'Recovery h']],
      commits: [['sha', 'Commit'], ['service', 'Service'], ['integratedAt', 'Integrated'], ['deliveredAt', 'Delivered'], ['leadTimeHours', 'Lead h']],
      incidents: [['incidentId', 'Incident'], ['service', 'Service'], ['openedAt', 'Opened'], ['resolvedAt', 'Resolved'],
        ['deploymentId', 'Deployment'], ['rule', 'Attributed by']],
    }[key.explain];
    panel.replaceChildren(el('div', { class: 'card' }, el('h2', {}, 'Behind “' + key.label + '”'),
      table(rows, columns, 'Nothing in this period.')));
    panel.scrollIntoView({ block: 'nearest' });
  },

  trend(report) {
    return el('div', { class: 'card' }, el('h2', {}, 'Weekly trend'),
      (report.series || []).length ? el('div', { class: 'chart' }, el('canvas', { id: 'trend', 'aria-label': 'Weekly DORA trend', role: 'img' }))
        : el('p', { class: 'empty' }, 'No weeks to show yet.'));
  },

  drawTrend(report) {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const canvas = document.getElementById('trend');
    if (!canvas || !window.Chart) return;
    const series = report.series || [];
    const value = (entry, id, field) => ((entry.metrics || {})[id] || {})[field] ?? null;
    this.charts.push(new Chart(canvas, {
      type: 'line',
      data: {
        labels: series.map(entry => (entry.start || '').slice(0, 10)),
        datasets: [
          { label: 'Deploys per day', data: series.map(e => value(e, 'deploymentFrequency', 'perDay')), borderColor: '#1b7f3b', yAxisID: 'y' },
          { label: 'Lead time median (h)', data: series.map(e => value(e, 'leadTime', 'medianHours')), borderColor: '#2457c5', yAxisID: 'y' },
          { label: 'Change failure rate (%)', data: series.map(e => { const r = value(e, 'changeFailureRate', 'rate'); return r === null ? null : r * 100; }),
            borderColor: '#c0392b', borderDash: [6, 4], yAxisID: 'y' },
        ],
      },
      options: { animation: false, maintainAspectRatio: false, spanGaps: true, plugins: { legend: { position: 'bottom' } } },
    }));
  },
};

// MARK: Stages

const STAGES = [
  ['Planning', [
    ['Backlog by priority', 'planning', 'backlog', { limit: 8 }, 'stories', [['storyId', 'Story'], ['title', 'Title'], ['priority', 'Priority'], ['service', 'Service']],
      'No backlog yet: create a story (loopline send create-story …) or connect Jira (docs/ingest.md).'],
    ['Work in progress', 'planning', 'wip', {}, 'byService', [['service', 'Service'], ['count', 'Stories in progress']], 'Nothing in progress.'],
    ['Cycle time', 'planning', 'cycle-time', {}, 'byService', [['service', 'Service'], ['count', 'Done'], ['p50Hours', 'p50 h'], ['p85Hours', 'p85 h']], 'No story completed in the last 90 days.'],
  ]],
  ['Integration', [
    ['Builds', 'integration', 'builds', { limit: 8 }, 'builds', [['buildId', 'Build'], ['service', 'Service'], ['status', 'Status'], ['finishedAt', 'Finished']],
      'No builds yet: point a GitHub or GitLab webhook at /v1/ingest/… (docs/ingest.md).'],
    ['Red main streaks', 'integration', 'red-main', {}, 'streaks', [['service', 'Service'], ['redSince', 'Red since'], ['greenAt', 'Green at'], ['hoursToGreen', 'Hours']], 'Main has not been red.'],
    ['Build time', 'integration', 'build-time', {}, 'byService', [['service', 'Service'], ['builds', 'Builds'], ['p50Seconds', 'p50 s'], ['p90Seconds', 'p90 s']], 'No finished builds.'],
  ]],
  ['Testing', [
    ['Pass rate', 'testing', 'pass-rate', {}, 'byService', [['service', 'Service'], ['runs', 'Runs'], ['passRate', 'Pass rate']], 'No test runs yet: send complete-test-run from CI.'],
    ['Flaky tests', 'testing', 'flaky', {}, 'tests', [['test', 'Test'], ['suite', 'Suite'], ['service', 'Service'], ['commits', 'Commits']], 'No flaky tests.'],
    ['Slowest suites', 'testing', 'slowest-suites', {}, 'suites', [['suite', 'Suite'], ['service', 'Service'], ['p90Seconds', 'p90 s']], 'No timed suites.'],
  ]],
  ['Delivery', [
    ['Live versions', 'delivery', 'live', {}, 'live', [['service', 'Service'], ['environment', 'Environment'], ['version', 'Version'], ['sha', 'Commit'], ['since', 'Since']],
      'Nothing deployed yet: send succeed-deployment or connect your deploy tool.'],
    ['Recent deployments', 'delivery', 'deployments', { limit: 8 }, 'deployments', [['deploymentId', 'Deployment'], ['service', 'Service'], ['environment', 'Env'], ['status', 'Status'], ['finishedAt', 'Finished']], 'No deployments.'],
    ['Rollbacks', 'delivery', 'rollbacks', {}, 'rollbacks', [['deploymentId', 'Deployment'], ['service', 'Service'], ['rolledBackAt', 'Rolled back'], ['rollbackReason', 'Why']], 'No rollbacks.'],
  ]],
  ['Monitoring', [
    ['Active breaches', 'monitoring', 'breaches', {}, 'breaches', [['service', 'Service'], ['metric', 'Metric'], ['value', 'Value'], ['threshold', 'Threshold'], ['breachedAt', 'Since']],
      'No active breaches. Alerts arrive from Alertmanager (docs/ingest.md).'],
    ['Open incidents', 'monitoring', 'incidents', { status: 'open' }, 'incidents', [['incidentId', 'Incident'], ['service', 'Service'], ['severity', 'Severity'], ['title', 'Title'], ['openedAt', 'Opened']], 'No open incidents.'],
    ['Time to restore', 'monitoring', 'time-to-restore', {}, 'byService', [['service', 'Service'], ['incidents', 'Incidents'], ['medianHours', 'Median h']], 'No resolved incidents.'],
  ]],
  ['Feedback', [
    ['Ratings by week', 'feedback', 'rating-trend', {}, 'weeks', [['weekStart', 'Week'], ['count', 'Answers'], ['meanRating', 'Mean rating']], 'No feedback yet: post a survey answer or import a CSV.'],
    ['Unanswered negative feedback', 'feedback', 'unanswered-negative', {}, 'feedback', [['feedbackId', 'Feedback'], ['rating', 'Rating'], ['text', 'Said'], ['service', 'Service']], 'Nothing unanswered.'],
  ]],
  ['Improvement', [
    ['Open actions', 'improvement', 'improvements', { status: 'proposed' }, 'improvements', [['improvementId', 'Action'], ['title', 'Title'], ['trigger', 'Triggered by'], ['proposedAt', 'Proposed']],
      'No open improvement actions.'],
  ]],
];

const stages = {
  async render(root) {
    const page = el('section', { id: 'stages' }, el('h1', {}, 'Stages'));
    const boards = await Promise.all(STAGES.map(async ([name, cards]) => {
      const rendered = await Promise.all(cards.map(card => this.card(...card)));
      return el('section', { class: 'stage', 'aria-label': name }, el('h2', {}, name), el('div', { class: 'grid' }, rendered));
    }));
    page.append(...boards);
    root.replaceChildren(page);
  },

  /// After live events: only the cards of the read models they changed are asked again.
  async refresh(root, touched) {
    const cards = STAGES.flatMap(([, list]) => list).filter(([, stage]) => touched.has(stage));
    await Promise.all(cards.map(async card => {
      const fresh = await this.card(...card);
      const old = document.getElementById(fresh.id);
      if (old) old.replaceWith(fresh);
    }));
  },

  async card(title, stage, query, parameters, key, columns, empty) {
    const card = el('div', { class: 'card', id: 'card-' + stage + '-' + query }, el('h3', {}, title));
    try {
      const answer = await looplineApi.get('/v1/stages/' + stage + '/' + query, parameters);
      const rows = (answer[key] || []).slice(0, 8);
      const link = stage === 'planning' ? { storyId: row => '#/value-stream/' + encodeURIComponent(row.storyId) } : null;
      card.append(table(rows, columns, empty, link));
    } catch (error) {
      if (error.status === 401) throw error; // the whole page goes back to sign-in
      card.append(errorBox(error));
    }
    return card;
  },
};

// MARK: Value stream

const valueStream = {
  story: '',

  /// After live events: a story's stream reads every model, so any change asks again.
  async refresh(root, touched) {
    if (this.story && touched.size) await this.render(root, this.story);
  },

  async render(root, storyId) {
    this.story = storyId;
    const form = el('form', { class: 'filters', onsubmit: event => {
      event.preventDefault();
      const id = new FormData(event.target).get('story');
      if (id) location.hash = '#/value-stream/' + encodeURIComponent(id);
    } }, el('label', {}, 'Story id', el('input', { name: 'story', value: storyId || '', required: true, autocomplete: 'off' })),
    el('button', { type: 'submit' }, 'Show'));
    const page = el('section', { id: 'value-stream' }, el('h1', {}, 'Value stream of a story'), form);
    root.replaceChildren(page);
    if (!storyId) {
      page.append(el('p', { class: 'muted' }, 'Give a story id, or follow one from the Planning board.'));
      return;
    }
    const stream = await looplineApi.get('/v1/value-stream/stories/' + encodeURIComponent(storyId));
    const story = stream.story || {};
    page.append(el('div', { class: 'card' }, el('h2', {}, story.storyId + ': ' + story.title),
      el('p', { class: 'muted' }, 'Status ' + story.status + ' · service ' + story.service + ' · lead time ' +
        (stream.leadTimeHours === null ? 'not yet in production' : stream.leadTimeHours + ' h') +
        ' · bottleneck: ' + (stream.bottleneck || 'none yet'))));
    const timeline = el('ol', { class: 'timeline', id: 'timeline', 'aria-label': 'Steps' });
    const longest = Math.max(0, ...(stream.steps || []).map(step => step.hours || 0));
    for (const step of stream.steps || []) {
      const bottleneck = step.step === stream.bottleneck;
      // The bar is each step's share of the longest one; the hours beside it say the same in words.
      const share = longest > 0 && step.hours !== null ? Math.max(2, Math.round(step.hours / longest * 100)) : 0;
      const fill = el('span');
      // Through the CSSOM: the CSP (style-src 'self') refuses style attributes, setAttribute included.
      fill.style.width = share + '%';
      timeline.append(el('li', { 'data-step': step.step, class: bottleneck ? 'bottleneck' : step.hours === null ? 'unreached' : '' },
        el('strong', {}, step.step), bottleneck ? el('span', { class: 'badge' }, 'Bottleneck') : null,
        el('div', {}, step.hours === null ? 'not reached' : step.hours + ' h'),
        el('div', { class: 'bar', 'aria-hidden': 'true' }, fill),
        el('div', { class: 'muted' }, formatValue(step.from) + ' → ' + formatValue(step.to))));
    }
    page.append(el('div', { class: 'card' }, el('h2', {}, 'Steps'), timeline));
    const parts = [
      ['Commits', stream.commits, [['sha', 'Commit'], ['message', 'Message'], ['integratedAt', 'Integrated']]],
      ['Builds', stream.builds, [['buildId', 'Build'], ['status', 'Status'], ['finishedAt', 'Finished']]],
      ['Tests', stream.testRuns, [['suite', 'Suite'], ['passed', 'Passed'], ['failed', 'Failed'], ['completedAt', 'Completed']]],
      ['Environments reached', stream.environments, [['environment', 'Environment'], ['deploymentId', 'Deployment'], ['reachedAt', 'Reached']]],
      ['Deployments', stream.deployments, [['deploymentId', 'Deployment'], ['environment', 'Env'], ['status', 'Status'], ['finishedAt', 'Finished']]],
      ['Incidents', stream.incidents, [['incidentId', 'Incident'], ['severity', 'Severity'], ['openedAt', 'Opened'], ['resolvedAt', 'Resolved'], ['rule', 'Attributed by']]],
      ['Feedback', stream.feedback, [['feedbackId', 'Feedback'], ['rating', 'Rating'], ['receivedAt', 'Received']]],
      ['Improvements', stream.improvements, [['improvementId', 'Improvement'], ['title', 'Title'], ['completedAt', 'Completed']]],
    ];
    page.append(el('div', { class: 'grid' }, parts.map(([title, rows, columns]) =>
      el('div', { class: 'card' }, el('h3', {}, title), table(rows, columns, 'None.')))));
  },
};

// MARK: Operations

const operations = {
  events: [],
  async render(root) {
    const page = el('section', { id: 'operations' }, el('h1', {}, 'Operations'));
    const projections = await looplineApi.get('/v1/projections');
    page.append(this.projections(projections.projections));
    const dead = el('div', { class: 'card', id: 'dead-letters' }, el('h2', {}, 'Dead letters'));
    try {
      const letters = await looplineApi.get('/v1/deliveries', { disposition: 'dead-lettered', limit: 20 });
      dead.append(table(letters.deliveries, [['id', 'Delivery'], ['source', 'Source'], ['event', 'Event'], ['reason', 'Reason'], ['receivedAt', 'Received']],
        'No dead letters: every delivery was recorded or deliberately ignored.'));
    } catch (error) {
      dead.append(el('p', { class: 'muted' }, error.status === 403 ? 'Dead letters need an admin token.' : error.message));
    }
    const list = el('ol', { class: 'events', id: 'live-events', reversed: true, 'aria-live': 'polite' });
    for (const event of this.events) list.append(this.item(event));
    page.append(dead, el('div', { class: 'card' }, el('h2', {}, 'Recent events, live'),
      el('p', { class: 'muted' }, 'Events appear here as they are recorded.'), list));
    root.replaceChildren(page);
  },

  projections(statuses) {
    return el('div', { class: 'card', id: 'projections' }, el('h2', {}, 'Projections'),
      table(statuses, [['name', 'Projection'], ['state', 'State'], ['position', 'Position'], ['lagEvents', 'Lag (events)'],
        ['lagSeconds', 'Lag (s)'], ['lastError', 'Last error']], 'No projections have run yet.'));
  },

  /// After live events: the projections' positions, from the statuses already read.
  async refresh(root, touched, statuses) {
    const old = document.getElementById('projections');
    if (old) old.replaceWith(this.projections(statuses));
  },

  item(event) {
    return el('li', { 'data-position': String(event.position) },
      '#' + event.position + ' ' + event.type + ' · ' + event.stream + ' · ' + formatValue(event.recordedAt));
  },

  /// Called for every live event, whatever the page: kept for when Operations opens.
  received(event) {
    this.events.unshift(event);
    this.events.length = Math.min(this.events.length, 50);
    const list = document.getElementById('live-events');
    if (!list) return;
    list.prepend(this.item(event));
    while (list.children.length > 50) list.lastElementChild.remove();
  },
};

window.looplinePages = { overview, stages, valueStream, operations, el, errorBox };
