// The API client: the token lives in sessionStorage only and goes out as a Bearer header;
// every failure becomes an ApiError with words a person can read.
'use strict';

const TOKEN_KEY = 'loopline.token';

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const api = {
  failed: 0,
  token() { return sessionStorage.getItem(TOKEN_KEY); },
  setToken(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  clear() { sessionStorage.removeItem(TOKEN_KEY); },
  headers() { return { Authorization: 'Bearer ' + this.token() }; },

  async get(path, parameters) {
    const query = parameters ? '?' + new URLSearchParams(Object.entries(parameters).filter(([, v]) => v !== '' && v != null)) : '';
    let response;
    try {
      response = await fetch(path + query, { headers: this.headers() });
    } catch (error) {
      this.failed += 1;
      throw new ApiError(0, 'network', 'Loopline cannot be reached: ' + error.message);
    }
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
    if (!response.ok) {
      this.failed += 1;
      const detail = body && body.error ? body.error : { code: 'http_' + response.status, message: text.slice(0, 200) };
      throw new ApiError(response.status, detail.code, describe(response.status, detail));
    }
    return body;
  },
};

function describe(status, detail) {
  if (status === 401) return 'That token was not accepted (401 ' + detail.code + '). Sign in with a valid API token.';
  if (status === 403) return 'This token may not read this (403 ' + detail.code + '): it needs a broader scope.';
  if (status === 503) return 'Loopline is unavailable right now (503 ' + detail.code + '): ' + detail.message + ' It retries by itself; reload in a moment.';
  return detail.message + ' (' + status + ' ' + detail.code + ')';
}

window.looplineApi = api;
window.ApiError = ApiError;
Object.defineProperty(window, 'looplineFailedRequests', { get: () => api.failed });
