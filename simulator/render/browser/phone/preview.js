// The live preview's link to the simulator: the phone's messages arrive over Server-Sent Events, and a person's
// taps, typing and button presses go back as POSTs. A new page load is a new session: the simulator relaunches the
// app for it (a reconnect of the same session does not).
'use strict';

(function () {
  const session = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const connection = document.getElementById('connection');
  const error = document.getElementById('error');

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then((res) => (res.ok ? null : res.json().then((j) => { throw new Error(j.error && j.error.message ? j.error.message : `HTTP ${res.status}`); })))
      .then(() => { error.textContent = ''; })
      .catch((err) => { error.textContent = String(err.message || err); });
  }

  window.__phone.onAction = (action) => post('action', Object.assign({ session }, action));
  document.getElementById('relaunch').addEventListener('click', () => post('relaunch', { session }));

  const events = new EventSource(`events?session=${encodeURIComponent(session)}`);
  events.onopen = () => {
    connection.textContent = 'live: every setData shows here';
    connection.classList.remove('down');
  };
  events.onerror = () => {
    connection.textContent = 'disconnected from the simulator (retrying)…';
    connection.classList.add('down');
  };
  events.onmessage = (e) => {
    window.__phone.apply(JSON.parse(e.data));
    document.body.setAttribute('data-updated', String(Date.now()));
  };
})();
