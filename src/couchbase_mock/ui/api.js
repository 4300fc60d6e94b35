// The REST calls of the console: same origin, the session cookie, and the
// ns-server-ui header the cluster requires of cookie-authenticated changes.

const HEADERS = { 'ns-server-ui': 'yes', 'invalid-auth-response': 'on' };

export class ApiError extends Error {
  constructor(status, body) {
    super(ApiError.describe(status, body));
    this.status = status;
    this.body = body;
  }

  static describe(status, body) {
    if (body && typeof body === 'object') {
      if (body.errors) return Object.values(body.errors).join('; ');
      if (body.reason) return `${body.error || 'error'}: ${body.reason}`;
      if (body.error) return String(body.error);
    }
    if (Array.isArray(body)) return body.join('; ');
    return `HTTP ${status}${body ? `: ${body}` : ''}`;
  }
}

let unauthorizedHandler = () => {};
export function onUnauthorized(handler) { unauthorizedHandler = handler; }

export async function request(method, path, { form, json, raw } = {}) {
  const init = { method, headers: { ...HEADERS }, credentials: 'same-origin' };
  if (form) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  } else if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let body = text;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
  if (raw) return { status: response.status, body };
  if (response.status === 401) {
    unauthorizedHandler();
    throw new ApiError(401, body);
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const get = (path) => request('GET', path);
export const post = (path, form) => request('POST', path, { form });

export function bucketPath(bucket) {
  return `/pools/default/buckets/${encodeURIComponent(bucket)}`;
}

export function docsPath(bucket, scope, collection) {
  return `${bucketPath(bucket)}/scopes/${encodeURIComponent(scope)}` +
    `/collections/${encodeURIComponent(collection)}/docs`;
}

// A N1QL statement through the management port's query proxy: the whole answer
// (status, results, errors, metrics), failures included.
export async function query(statement, extra = {}) {
  const { status, body } = await request('POST', '/_p/query/query/service',
    { form: { statement, ...extra }, raw: true });
  if (status === 401) unauthorizedHandler();
  return body && typeof body === 'object' ? body
    : { status: 'fatal', errors: [{ code: status, msg: String(body) }] };
}

export async function bucketNames() {
  const buckets = await get('/pools/default/buckets');
  return buckets.map((b) => b.name).sort();
}
