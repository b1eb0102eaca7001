// Sign-in and routing. The live feed runs for the whole signed-in session. Operations lists each
// event at once; the other parts of a page are asked again only once the read models an event
// changes have applied it (a poll of GET /v1/projections keyed by their positions), and only
// those parts.
'use strict';

const PAGES = { overview, stages, 'value-stream': valueStream, operations };

const router = {
  current: null,
  pending: { position: 0, types: new Set() },
  catchingUp: false,

  async show() {
    const root = document.getElementById('app');
    if (!looplineApi.token()) return signIn(root);
    document.getElementById('nav').hidden = false;
    document.getElementById('sign-out').hidden = false;
    const [, page = 'overview', argument] = location.hash.split('/');
    for (const link of document.querySelectorAll('#nav a')) {
      link.toggleAttribute('aria-current', link.getAttribute('href') === '#/' + page);
      if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
    }
    this.current = PAGES[page] ? page : 'overview';
    looplineLive.start();
    // The argument is the value stream's story id; the other pages take none.
    await this.guard(root, () => PAGES[this.current].render(root, argument ? decodeURIComponent(argument) : ''));
  },

  refresh() { this.show(); },

  /// Runs a page's work; a refused token goes back to sign-in, other errors are shown in words.
  async guard(root, work) {
    try {
      await work();
    } catch (error) {
      if (error.status === 401) return signIn(root, error.message);
      root.replaceChildren(errorBox(error));
    }
  },

  /// A live event: Operations shows it at once; the rest waits for the read models.
  changed(event) {
    operations.received(event);
    this.pending.position = Math.max(this.pending.position, event.position);
    this.pending.types.add(event.type);
    if (!this.catchingUp) this.catchUp();
  },

  /// Waits until every read model changed by the pending event types has applied the pending
  /// position (or 10 s have passed), then refreshes what those models feed. Events arriving
  /// meanwhile are taken in the next round, so a busy log costs one poll loop, not one per event.
  async catchUp() {
    this.catchingUp = true;
    try {
      while (this.pending.types.size) {
        const { position, types } = this.pending;
        this.pending = { position: 0, types: new Set() };
        const root = document.getElementById('app');
        await this.guard(root, async () => {
          const { touched, statuses } = await this.applied(position, types);
          // The page showing now (the user may have moved on meanwhile), not the sign-in form or an error.
          const page = PAGES[this.current];
          if (root.firstElementChild?.id === this.current) await keepingFocus(() => page.refresh(root, touched, statuses));
        });
      }
    } finally {
      this.catchingUp = false;
    }
  },

  async applied(position, types) {
    const deadline = Date.now() + 10000;
    for (;;) {
      const statuses = (await looplineApi.get('/v1/projections')).projections;
      const affected = statuses.filter(status => (status.eventTypes || []).some(type => types.has(type)));
      if (affected.every(status => status.position >= position) || Date.now() > deadline) {
        return { touched: new Set(affected.map(status => status.name)), statuses };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  },
};
window.router = router;

function signIn(root, message) {
  looplineLive.stop();
  looplineApi.clear();
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  const form = el('form', { id: 'sign-in', onsubmit: async event => {
    event.preventDefault();
    const token = new FormData(event.target).get('token').trim();
    if (!token) return;
    looplineApi.setToken(token);
    try {
      await looplineApi.get('/v1/projections');
      if (!location.hash || location.hash === '#/') location.hash = '#/overview';
      router.show();
    } catch (error) {
      signIn(root, error.message);
    }
  } },
  el('label', { for: 'token' }, 'API token (a read token is enough)'),
  el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true }),
  el('button', { type: 'submit' }, 'Sign in'));
  root.replaceChildren(el('section', { class: 'card signin', 'aria-labelledby': 'sign-in-title' },
    el('h1', { id: 'sign-in-title' }, 'Sign in to Loopline'),
    message ? el('div', { class: 'error', role: 'alert', id: 'sign-in-error' }, message) : null,
    el('p', { class: 'muted' }, 'Create one with ', el('code', {}, 'loopline token create --name dashboard --scope read'),
      '. It stays in this tab only and is sent to Loopline alone.'),
    form));
  document.getElementById('token').focus();
}

/// Runs `work` (which may replace the page) and puts the keyboard focus back on the control with
/// the same id or name, so a live refresh never throws a keyboard user out of a filter.
async function keepingFocus(work) {
  const active = document.activeElement;
  const key = active && active !== document.body ? (active.id ? '#' + active.id : active.name ? '[name="' + active.name + '"]' : null) : null;
  await work();
  if (key && !document.activeElement?.matches(key)) document.querySelector(key)?.focus();
}

looplineLive.subscribe(event => router.changed(event));
window.addEventListener('hashchange', () => router.show());
document.getElementById('sign-out').addEventListener('click', () => signIn(document.getElementById('app')));
router.show();
