// The live debugger page: follows /debugger/events and shows each sampled message beside what it became.
'use strict';
(function () {
  const MAX_ROWS = 500;
  const TOKEN_KEY = 'mixrelay.debugger.token';
  const $ = (id) => document.getElementById(id);

  // The admin token comes once in ?token=; it is kept for this tab only and taken out of the address bar.
  const query = new URLSearchParams(location.search);
  const token = query.get('token') || sessionStorage.getItem(TOKEN_KEY) || '';
  if (query.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname);
  }

  let source = null;
  let paused = false;
  let waiting = [];
  let selected = null;
  let lastStats = null;
  const rowsById = new Map();

  function status(text, kind) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + kind;
  }

  function filters() {
    return { source: $('f-source').value, type: $('f-type').value,
      user: $('f-user').value.trim(), event: $('f-event').value.trim() };
  }

  function connect() {
    if (source) {
      source.close();
    }
    const params = new URLSearchParams({ token: token });
    const f = filters();
    Object.keys(f).forEach((k) => { if (f[k]) { params.set(k, f[k]); } });
    source = new EventSource(location.pathname.replace(/\/$/, '') + '/events?' + params.toString());
    status('connecting', 'connecting');
    source.addEventListener('hello', (e) => {
      fillOptions(JSON.parse(e.data));
      status(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
    });
    source.addEventListener('row', (e) => {
      const item = JSON.parse(e.data);
      if (paused) {
        waiting.push(item);
        if (waiting.length > MAX_ROWS) {
          waiting.shift();
        }
        showStats();
      } else {
        addRow(item);
      }
    });
    source.addEventListener('stats', (e) => {
      lastStats = JSON.parse(e.data);
      showStats();
    });
    source.onerror = () => {
      status(source.readyState === EventSource.CLOSED ? 'disconnected: check the admin token' : 'reconnecting',
        'error');
    };
  }

  function showStats() {
    let text = '';
    if (lastStats) {
      text = lastStats.matched + ' matching messages, ' + lastStats.shown + ' sent to this page';
    }
    if (paused) {
      text += (text ? ' · ' : '') + waiting.length + ' waiting';
    }
    $('stats').textContent = text;
  }

  function fillOptions(hello) {
    [['f-source', hello.sources], ['f-type', hello.types]].forEach(([id, values]) => {
      const select = $(id);
      if (select.options.length > 1) {
        return;
      }
      values.forEach((v) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      });
    });
  }

  function cell(tr, text, cls) {
    const td = document.createElement('td');
    if (text !== null && text !== undefined) {
      td.textContent = text;
      td.title = text;
    }
    if (cls) {
      td.className = cls;
    }
    tr.appendChild(td);
    return td;
  }

  function describe(record) {
    const body = record.body || {};
    if (record.endpoint === '/import') {
      return body.event;
    }
    const ops = Object.keys(body).filter((k) => k.charAt(0) === '$' && k !== '$token'
      && k !== '$distinct_id' && k !== '$group_key' && k !== '$group_id');
    return record.endpoint + ' ' + ops.join(' ');
  }

  function summary(item) {
    const m = item.message || {};
    if (m.event) {
      return m.event;
    }
    if ((item.type === 'page' || item.type === 'screen') && m.name) {
      return m.name;
    }
    if (item.type === 'identify' && m.traits) {
      return 'traits: ' + Object.keys(m.traits).join(', ');
    }
    if (item.type === 'group') {
      return 'group ' + m.groupId;
    }
    if (item.type === 'alias') {
      return m.previousId + ' \u2192 ' + m.userId;
    }
    return item.messageId;
  }

  function chips(td, records, user) {
    records.forEach((r) => {
      const span = document.createElement('span');
      const props = (r.body && r.body.properties) || {};
      // a message can close another user's session (it moved the event-time watermark past it)
      const whose = user !== undefined && props.distinct_id && props.distinct_id !== user
        ? ' \u00b7 ' + props.distinct_id : '';
      span.textContent = describe(r) + whose;
      td.appendChild(span);
    });
  }

  function addRow(item) {
    $('empty').hidden = true;
    const tr = document.createElement('tr');
    tr.dataset.id = item.id;
    tr.dataset.type = item.type;
    cell(tr, new Date(item.time).toISOString().substring(11, 23));
    cell(tr, item.source);
    cell(tr, item.type, 'type');
    cell(tr, item.userId || item.anonymousId || '');
    cell(tr, summary(item), 'message');
    const records = cell(tr, null, 'records');
    if (item.outcome === 'translated') {
      chips(records, item.records);
    } else {
      records.textContent = item.outcome;
      records.classList.add('outcome-bad');
    }
    chips(cell(tr, null, 'sessions'), item.sessionRecords, item.userId || item.anonymousId || '');
    tr.addEventListener('click', () => select(tr, item));
    rowsById.set(String(item.id), item);
    const body = $('rows');
    body.insertBefore(tr, body.firstChild);
    while (body.children.length > MAX_ROWS) {
      rowsById.delete(body.lastChild.dataset.id);
      body.removeChild(body.lastChild);
    }
  }

  function select(tr, item) {
    if (selected) {
      selected.classList.remove('selected');
    }
    selected = tr;
    tr.classList.add('selected');
    $('detail').hidden = false;
    $('detail-message').textContent = JSON.stringify(item.message, null, 2);
    $('detail-records').textContent = item.outcome === 'translated'
      ? JSON.stringify(item.records, null, 2) : item.outcome;
    $('detail-sessions').textContent = item.sessionRecords.length
      ? JSON.stringify(item.sessionRecords, null, 2) : 'none';
  }

  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    clear();
    connect();
  });
  $('f-source').addEventListener('change', () => { clear(); connect(); });
  $('f-type').addEventListener('change', () => { clear(); connect(); });
  $('pause').addEventListener('click', () => {
    paused = !paused;
    $('pause').textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      waiting.forEach(addRow);
      waiting = [];
    }
    status(paused ? 'paused' : 'live', paused ? 'paused' : 'live');
    showStats();
  });
  $('clear').addEventListener('click', clear);

  function clear() {
    $('rows').replaceChildren();
    rowsById.clear();
    waiting = [];
    $('empty').hidden = false;
    $('detail').hidden = true;
    selected = null;
  }

  connect();
})();
