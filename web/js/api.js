// Talking to imsd: the token (kept in this tab's sessionStorage only; sent in the
// Authorization header, never in a URL or a cookie), JSON reads of the API, the live stream.

const KEY = 'ims.board.token';

export function token() { return sessionStorage.getItem(KEY); }
export function setToken(t) { sessionStorage.setItem(KEY, t); }
export function clearToken() { sessionStorage.removeItem(KEY); }

export class ApiError extends Error {
  constructor(status, message) { super(message || `HTTP ${status}`); this.status = status; }
}

function headers() {
  return { 'Authorization': `Bearer ${token()}`, 'Content-Type': 'application/json' };
}

// A read of the gRPC API: call('ims.v1.Level/GetSecurityLevel', {tenant: 'x'}).
export async function call(method, request = {}) {
  const res = await fetch(`/board/api/call/${method}`, {
    method: 'POST', headers: headers(), body: JSON.stringify(request),
    cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
  });
  if (!res.ok) {
    let message = '';
    try { message = (await res.json()).error; } catch (e) { /* no body */ }
    throw new ApiError(res.status, message);
  }
  return res.json();
}

// The management report as a Blob (text/html).
export async function report(tenant) {
  const res = await fetch('/board/api/report', {
    method: 'POST', headers: headers(), body: JSON.stringify({ tenant }),
    cache: 'no-store', credentials: 'omit',
  });
  if (!res.ok) throw new ApiError(res.status);
  return res.blob();
}

// Follows a tenant's level: onLevel(level) for each event until stop() is called. The
// stream is read with fetch (not EventSource) so that the token travels in a header.
export function live(tenant, onLevel, onState) {
  const abort = new AbortController();
  let stopped = false;
  let retry = 500;
  async function run() {
    while (!stopped) {
      try {
        const res = await fetch('/board/api/live', {
          method: 'POST', headers: headers(), body: JSON.stringify({ tenant }),
          cache: 'no-store', credentials: 'omit', signal: abort.signal,
        });
        if (!res.ok) throw new ApiError(res.status);
        onState(true);
        retry = 500;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trim());
            }
            if (event === 'level' && data.length) onLevel(JSON.parse(data.join('\n')));
          }
        }
      } catch (e) {
        if (stopped) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          onState(false, e);
          return;
        }
      }
      onState(false);
      await new Promise((r) => setTimeout(r, retry));
      retry = Math.min(retry * 2, 10000);
    }
  }
  run();
  return { stop() { stopped = true; abort.abort(); } };
}
