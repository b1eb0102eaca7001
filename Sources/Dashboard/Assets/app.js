// Sign-in and routing. The live feed runs for the whole signed-in session; events re-render the
// current page (debounced), except Operations, whose list takes them one by one.
'use strict';


const router = {
  current: null,
  refreshTimer: null,

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
    this.current = page;
    looplineLive.start();
    try {
      if (page === 'stages') await stages.render(root);
      else if (page === 'value-stream') await valueStream.render(root, argument ? decodeURIComponent(argument) : '');
      else if (page === 'operations') await operations.render(root);
      else await overview.render(root);
    } catch (error) {
      if (error.status === 401) return signIn(root, error.message);
      root.replaceChildren(errorBox(error));
    }
  },

  refresh() { this.show(); },

  /// A live event: Operations shows it at once; other pages refresh after a quiet moment.
  changed(event) {
    operations.received(event);
    if (this.current === 'operations' || this.current === 'value-stream') return;
    clearTimeout(this.refreshTimer);
    // The read models follow the log within milliseconds; a short pause lets them catch up.
    this.refreshTimer = setTimeout(() => this.show(), 700);
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

looplineLive.subscribe(event => router.changed(event));
window.addEventListener('hashchange', () => router.show());
document.getElementById('sign-out').addEventListener('click', () => signIn(document.getElementById('app')));
router.show();
