// The live log: GET /v1/events/stream read with fetch (EventSource cannot send a token),
// parsed as Server-Sent Events, resumed after a drop with Last-Event-ID: no gap, no duplicate.
'use strict';

const live = {
  last: null,
  listeners: new Set(),
  controller: null,
  delay: 500,
  running: false,

  subscribe(listener) { this.listeners.add(listener); return () => this.listeners.delete(listener); },

  status(text) { const element = document.getElementById('live-status'); if (element) element.textContent = text; },

  start() {
    if (this.running) return;
    this.running = true;
    this.loop();
  },

  stop() {
    this.running = false;
    if (this.controller) this.controller.abort();
    this.status('');
  },

  async loop() {
    while (this.running) {
      try {
        await this.connect();
        this.delay = 500;
      } catch (error) {
        if (!this.running) return;
        if (error instanceof ApiError && error.status === 401) { this.status('Live updates stopped: sign in again'); return; }
      }
      if (!this.running) return;
      this.status('Reconnecting…');
      await new Promise(resolve => setTimeout(resolve, this.delay));
      this.delay = Math.min(this.delay * 2, 15000);
    }
  },

  async connect() {
    this.controller = new AbortController();
    const headers = looplineApi.headers();
    let url = '/v1/events/stream?after=head';
    if (this.last !== null) headers['Last-Event-ID'] = String(this.last);
    const response = await fetch(url, { headers, signal: this.controller.signal, cache: 'no-store' });
    if (!response.ok) throw new ApiError(response.status, 'stream', 'the live feed answered ' + response.status);
    this.status('Live');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let message = { id: null, data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (message.data.length) this.deliver(message);
          message = { id: null, data: [] };
        } else if (line.startsWith('id:')) {
          message.id = line.slice(3).trim();
        } else if (line.startsWith('data:')) {
          message.data.push(line.slice(5).trimStart());
        }
      }
    }
  },

  deliver(message) {
    const position = Number(message.id);
    if (this.last !== null && position <= this.last) return; // already seen
    let event;
    try { event = JSON.parse(message.data.join('\n')); } catch (_) { return; }
    this.last = position;
    for (const listener of this.listeners) listener(event);
  },
};

window.looplineLive = live;

// Leaving the page ends the stream at once: otherwise Chromium kept a left page's stream open for
// tens of seconds, and a few reloads filled its six sockets for this origin (the sixth stalled 29 s).
window.addEventListener('pagehide', () => live.stop());
