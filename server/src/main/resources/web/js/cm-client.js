/**
 * cm-client.js: the browser client of the Concurrency Monitor session API (ES module, no dependencies).
 *
 * Does for a web player what the Java client does for an app: a started stream heartbeats itself on the
 * service's schedule (Expires − Date, both by the service's clock, so a wrong device clock changes nothing);
 * a refused start is a typed ConcurrencyConflict that explains the limit, lists the streams the user could
 * stop and retries in place of the one they pick (X-Terminate) with the same selection; how a stream ends
 * without the player stopping it (another device took its place, a newer stream displaced it, it expired)
 * goes to a listener; 429 and 503 are waited out as the service asks, within bounds. Every failure is a
 * rejected promise of a ConcurrencyError (or a listener call), never an exception thrown into the page.
 *
 *   import { ConcurrencyClient, ConcurrencyConflict } from "/js/cm-client.js";
 *   const client = new ConcurrencyClient({ applicationId: "demo-app" });
 *   try {
 *     session = await client.start("idp1", "alice", { deviceName: "Laptop", channel: "News" });
 *   } catch (e) {
 *     if (!(e instanceof ConcurrencyConflict)) throw e;
 *     show(e.explain(), e.sessions);                        // the limit, the streams to choose from
 *     session = await e.retryTerminating(picked.terminationCode);
 *   }
 *   session.setListener({ dismissed(conflict) {}, terminatedRemotely(terminator) {}, expired() {}, failed(error) {} });
 */

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_MARGIN_MS = 5_000;
const MIN_INTERVAL_MS = 1_000;
/** A wait asked for by the service is never shortened; up to this share is added so that clients spread out. */
const SERVER_DELAY_JITTER = 0.1;

/** Calls a user waits on (start, update, stop, listings): a few seconds at most before an answer. */
const INTERACTIVE = Object.freeze({ maxAttempts: 4, firstBackoffMs: 500, maxBackoffMs: 4_000 });
/** Scheduled heartbeats: about 20 to 40 s of attempts, which the service's default grace (30 s) covers. */
const HEARTBEAT = Object.freeze({ maxAttempts: 7, firstBackoffMs: 1_000, maxBackoffMs: 8_000 });

/** A call that did not succeed. `status` is the HTTP status (null when no answer came), `code` the body's error.code. */
export class ConcurrencyError extends Error {
  constructor(message, { status = null, code = null, retryAfterMs = null, cause = undefined } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ConcurrencyError";
    this.status = status;
    this.code = code;
    /** For a 429 or 503 whose wait was longer than the client may wait: how long the service asked for. */
    this.retryAfterMs = retryAfterMs;
  }
}

/** The service answered something this client cannot read: not the documented JSON, a field missing, a header missing. */
export class MalformedResponseError extends ConcurrencyError {
  constructor(message, status) {
    super(message, { status });
    this.name = "MalformedResponseError";
  }
}

/** A start was refused (400) because metadata the application's policies need was not sent; `missing` names it. */
export class MissingMetadataError extends ConcurrencyError {
  constructor(message, missing) {
    super(message, { status: 400, code: "METADATA_MISSING" });
    this.name = "MissingMetadataError";
    this.missing = missing;
  }
}

/**
 * The service refused a start (409), or dismissed a running stream (FIFO: 409 on its heartbeat), because a
 * concurrency rule is broken. `violations` are the broken rules ({policy, rule, message, threshold, current,
 * attribute, value, dismissedBy, conflicts}); `sessions` every stream the user could stop, each once
 * ({sessionId, terminationCode, applicationId, applicationName, startTime: Date, metadata}). The list can be
 * empty (the streams belong to applications this one may not see): `hasResolvableConflicts` is then false
 * and `explain()` says what the user can do instead.
 */
export class ConcurrencyConflict extends ConcurrencyError {
  #client;
  #request;

  constructor(violations, serverTime, request, client) {
    super(summary(violations), { status: 409, code: "POLICY_VIOLATION" });
    this.name = "ConcurrencyConflict";
    this.violations = violations;
    /** The service's Date of the answer (its clock), or null. */
    this.serverTime = serverTime;
    this.#request = request;
    this.#client = client;
  }

  /** The metadata of the start this conflict answered: the user's selection, which a retry sends again. */
  get metadata() {
    return { ...this.#request.metadata };
  }

  get sessions() {
    const distinct = new Map();
    for (const v of this.violations) {
      for (const s of v.conflicts) if (!distinct.has(s.sessionId)) distinct.set(s.sessionId, s);
    }
    return [...distinct.values()];
  }

  /** True when every broken rule lists at least one stream to stop, so that the user can resolve it from here. */
  get hasResolvableConflicts() {
    return this.violations.length > 0 && this.violations.every((v) => v.conflicts.length > 0);
  }

  /** A text for the user: the limit reached, then the streams they can stop, numbered as in `sessions`. */
  explain() {
    return explanation(this.violations, this.sessions, this.serverTime);
  }

  /**
   * Starts again with the original metadata, ending the streams of `terminationCodes` in the same step
   * (X-Terminate). Codes named by earlier retries of the same start are sent again, since the service
   * evaluates a retry as if only the named streams had ended. Rejects with a fresh ConcurrencyConflict if
   * the start is still refused.
   */
  retryTerminating(...terminationCodes) {
    const terminate = [...new Set([...this.#request.terminate, ...terminationCodes])];
    return this.#client._start({ ...this.#request, terminate });
  }
}

/**
 * The service's session API for one application. `baseUrl` defaults to the page's own origin; `secret` is the
 * application's HTTP Basic password, if it has one. `onWait({what, status, delayMs, attempt})` is told before
 * each wait the service asked for (429, 503; `what` is "start", "heartbeat", "update", "stop", "metadata" or
 * "runningStreams"), so that a page can say why nothing happens yet; a wait longer than
 * `maxWaitMs` (default 2 min) is not waited: the call rejects with the error, its `retryAfterMs` set.
 */
export class ConcurrencyClient {
  #base;
  #authorization;
  #fetch;
  #onWait;
  #maxWaitMs;
  #requiredMetadata = null;

  constructor({ applicationId, secret = "", baseUrl = globalThis.location?.origin, fetch = globalThis.fetch,
                onWait = () => {}, maxWaitMs = 120_000 } = {}) {
    if (typeof applicationId !== "string" || applicationId === "" || applicationId.includes(":")) {
      throw new TypeError(`applicationId must be a non-empty string without ':': ${applicationId}`);
    }
    if (!baseUrl) throw new TypeError("baseUrl is required outside a page");
    this.#base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    this.#authorization = "Basic " + base64(`${applicationId}:${secret}`);
    this.#fetch = fetch.bind(globalThis);
    this.#onWait = onWait;
    this.#maxWaitMs = maxWaitMs;
  }

  /** The metadata keys the application's policies need in every start; asked once, then cached. */
  async requiredMetadata() {
    if (this.#requiredMetadata) return this.#requiredMetadata;
    const response = await this._call("GET", "v2/metadata", { what: "metadata", repeatable: true });
    if (response.status !== 200) throw errorOf(response);
    const keys = json(response);
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) {
      throw malformed(response, "the required metadata is not a JSON array of strings");
    }
    this.#requiredMetadata = keys;
    return keys;
  }

  /**
   * Starts a stream of subscriber `idp`/`subject` with `metadata` (device, channel, content…), ending the
   * streams of `terminate` (termination codes) in the same step if given. Resolves to a StreamSession; rejects
   * with a ConcurrencyConflict (409), MissingMetadataError, MalformedResponseError or ConcurrencyError.
   */
  async start(idp, subject, metadata = {}, { terminate = [] } = {}) {
    for (const [name, value] of [["idp", idp], ["subject", subject]]) {
      if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be a non-empty string`);
    }
    return this._start({ idp, subject, metadata: { ...metadata }, terminate: [...terminate] });
  }

  /** The subscriber's active streams this application may see: {runningStreams: [...], otherStreams}. */
  async runningStreams(idp, subject) {
    const response = await this._call("GET", `v2/runningStreams/${segment(idp)}/${segment(subject)}`,
      { what: "runningStreams", repeatable: true });
    if (response.status !== 200) throw errorOf(response);
    const body = json(response);
    return {
      runningStreams: sessionsOf(response, body.runningStreams, "runningStreams"),
      otherStreams: Number.isInteger(body.otherStreams) ? body.otherStreams : 0,
    };
  }

  async _start(request) {
    const response = await this._call("POST", sessionsPath(request.idp, request.subject), {
      what: "start", metadata: request.metadata, terminate: request.terminate, repeatable: false,
    });
    if (response.status >= 200 && response.status < 300) {
      const location = (response.headers.get("Location") ?? "").trim();
      const id = location.substring(location.lastIndexOf("/") + 1);
      if (id === "") throw malformed(response, "a 202 to a start without the session id in Location");
      return StreamSession._begin(this, { idp: request.idp, subject: request.subject, id }, request.metadata,
        lease(response));
    }
    if (response.status === 409) throw this._conflict(response, request);
    const error = errorOf(response);
    if (error instanceof MissingMetadataError) this.#requiredMetadata = null;
    throw error;
  }

  _conflict(response, request) {
    return new ConcurrencyConflict(violationsOf(response), serverDate(response.headers), request, this);
  }

  /**
   * One logical request and its retries; resolves to {status, headers, body} of the answer the caller reads.
   * 429 and 503 are retried after the wait the service asked for; for requests that are safe to repeat, also
   * network failures and 5xx, with jittered back-off. A start is never repeated after a network failure: fetch
   * cannot tell a request that never left from an answer lost on the way back, and a second start would make
   * a second stream, counted against the user's own limit.
   */
  async _call(method, path, { what, metadata = {}, terminate = [], repeatable, policy = INTERACTIVE,
                               keepalive = false }) {
    const headers = { Authorization: this.#authorization, Accept: "application/json" };
    const form = new URLSearchParams(metadata).toString();
    if (form !== "") headers["Content-Type"] = "application/x-www-form-urlencoded";
    if (terminate.length > 0) headers["X-Terminate"] = terminate.join(",");
    for (let attempt = 1; ; attempt++) {
      let response;
      try {
        response = await this.#send(method, path, headers, form, keepalive);
      } catch (cause) {
        const what = repeatable ? "no answer" : "no answer, and not sent again since the service may have acted on it";
        const error = new ConcurrencyError(`${method} /${path}: ${what} after ${attempt} attempt(s): ${cause}`,
          { cause });
        if (!repeatable || attempt >= policy.maxAttempts) throw error;
        await sleep(backoff(policy, attempt));
        continue;
      }
      if (response.status === 429 || response.status === 503) {
        const asked = retryDelay(response.headers);
        const delayMs = asked === null ? backoff(policy, attempt) : asked + Math.random() * asked * SERVER_DELAY_JITTER;
        if (attempt >= policy.maxAttempts || delayMs > this.#maxWaitMs) {
          const error = errorOf(response);
          error.retryAfterMs = asked;
          throw error;
        }
        notify(this.#onWait, { what, status: response.status, delayMs, attempt });
        await sleep(delayMs);
        continue;
      }
      if (repeatable && response.status >= 500 && attempt < policy.maxAttempts) {
        await sleep(backoff(policy, attempt));
        continue;
      }
      return response;
    }
  }

  async #send(method, path, headers, form, keepalive) {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS);
    try {
      const response = await this.#fetch(this.#base + path, {
        method, headers, body: form === "" ? undefined : form, signal: abort.signal, keepalive,
        credentials: "omit", cache: "no-store", redirect: "error",
      });
      return { status: response.status, headers: response.headers, body: await response.text() };
    } finally {
      clearTimeout(timeout);
    }
  }
}

/**
 * A running stream the service permitted. It heartbeats itself: each answer's Expires − Date is the lease,
 * and the next heartbeat goes out a tenth of it (at most 5 s) before it ends. Failed heartbeats are retried
 * with back-off for about half a minute. How the stream ends, when the player did not stop() it, goes to the
 * listener: dismissed(conflict) (FIFO: a newer stream took its place; conflict.retryTerminating() starts it
 * again), terminatedRemotely(terminator) (another device stopped it: {terminatedBy, reason, applicationName,
 * deviceName, channel, startTime}), expired(), failed(error). Exactly one of them is called, once.
 */
export class StreamSession {
  #client;
  #key;
  #metadata;
  #expiresAt = null;
  #timer = null;
  #listener = null;
  /** How the stream ended, told to a listener set later too; null while it runs. */
  #ending = null;

  constructor(client, key, metadata) {
    this.#client = client;
    this.#key = key;
    this.#metadata = { ...metadata };
  }

  static _begin(client, key, metadata, leaseMs) {
    const session = new StreamSession(client, key, metadata);
    session.#renew(leaseMs);
    return session;
  }

  /** The session id the service issued. */
  get id() {
    return this.#key.id;
  }

  get idp() {
    return this.#key.idp;
  }

  get subject() {
    return this.#key.subject;
  }

  /** The metadata the stream was started with, plus what update() sent since. */
  get metadata() {
    return { ...this.#metadata };
  }

  /** When the current lease ends, on this device's clock (the service's lease added to the local time it arrived). */
  get expiresAt() {
    return this.#expiresAt;
  }

  /** True until the stream ends: stopped, dismissed, terminated, expired or failed. */
  get active() {
    return this.#ending === null;
  }

  /** Sets who is told how the stream ends; told at once if it already has. */
  setListener(listener) {
    this.#listener = listener;
    if (this.#ending !== null) tell(listener, this.#ending);
  }

  /**
   * Sends metadata changes now (a heartbeat with a body) and renews the lease. Rejects with a
   * ConcurrencyConflict if the service ended the stream instead (the listener is told too), or a
   * ConcurrencyError (METADATA_IMMUTABLE: the stream goes on).
   */
  async update(changes) {
    if (!this.active) throw new ConcurrencyError(`Session ${this.id} has ended`);
    const response = await this.#client._call("POST", this.#path(),
      { what: "update", metadata: changes, repeatable: true });
    this.#answered(response, changes);
  }

  /**
   * Ends the stream: no more heartbeats, then DELETE, which frees its slot at once (sent with keepalive, so it
   * goes out even while the page unloads). Stopping a stream that has already ended does nothing; the
   * listener is not called. Rejects with a ConcurrencyError if the service could not be told (it then
   * expires the stream by itself).
   */
  async stop() {
    if (!this.#end({ how: "stopped" })) return;
    const response = await this.#client._call("DELETE", this.#path(),
      { what: "stop", repeatable: true, keepalive: true });
    // 410: it had already ended on the service (expired, terminated), which is all a stop asks for.
    if ((response.status < 200 || response.status >= 300) && response.status !== 410) throw errorOf(response);
  }

  #path() {
    return `${sessionsPath(this.#key.idp, this.#key.subject)}/${segment(this.#key.id)}`;
  }

  async #heartbeat() {
    this.#timer = null;
    if (!this.active) return;
    try {
      const response = await this.#client._call("POST", this.#path(),
        { what: "heartbeat", repeatable: true, policy: HEARTBEAT });
      this.#answered(response, {});
    } catch (error) {
      this.#end({ how: "failed", error: asConcurrencyError(error) }); // no-op when the answer already ended it
    }
  }

  /** A heartbeat's answer: renew the lease, or end the stream and throw what the caller of update() gets. */
  #answered(response, sent) {
    if (response.status === 409 || response.status === 410) throw this.#ended(response);
    if (response.status < 200 || response.status >= 300) throw errorOf(response);
    const leaseMs = lease(response);
    if (!this.active) return;
    this.#metadata = { ...this.#metadata, ...sent };
    this.#renew(leaseMs);
  }

  #ended(response) {
    try {
      if (response.status === 409) {
        const conflict = this.#client._conflict(response,
          { idp: this.idp, subject: this.subject, metadata: this.#metadata, terminate: [] });
        this.#end({ how: "dismissed", conflict });
        return conflict;
      }
      const terminator = terminatorOf(response);
      if (terminator) {
        this.#end({ how: "terminatedRemotely", terminator });
        return new ConcurrencyError(`Session ${this.id} was terminated by session ${terminator.terminatedBy}`,
          { status: 410 });
      }
      this.#end({ how: "expired" });
      return new ConcurrencyError(`Session ${this.id} has expired`, { status: 410 });
    } catch (error) {
      this.#end({ how: "failed", error });
      return error;
    }
  }

  #renew(leaseMs) {
    this.#expiresAt = new Date(Date.now() + leaseMs);
    const interval = leaseMs - Math.min(leaseMs / 10, MAX_MARGIN_MS);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#heartbeat(), Math.max(interval, MIN_INTERVAL_MS));
  }

  /** Ends the stream the first time only; returns whether this call did. */
  #end(ending) {
    if (this.#ending !== null) return false;
    this.#ending = ending;
    clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#listener !== null) tell(this.#listener, ending);
    return true;
  }
}

function tell(listener, ending) {
  const args = { dismissed: [ending.conflict], terminatedRemotely: [ending.terminator], expired: [],
    failed: [ending.error] }[ending.how];
  if (args === undefined) return; // stopped by the player: nobody to tell
  notify(listener?.[ending.how]?.bind(listener), ...args);
}

/** Calls a callback of the page; its own failure must not break the client's timers. */
function notify(callback, ...args) {
  if (typeof callback !== "function") return;
  try {
    callback(...args);
  } catch (error) {
    console.warn("cm-client: a callback failed", error);
  }
}

function asConcurrencyError(error) {
  return error instanceof ConcurrencyError ? error : new ConcurrencyError(String(error), { cause: error });
}

// ---- The service's answers (SPEC §2, §3): strict about what the client needs, lenient about what it shows.

function json(response) {
  try {
    const body = JSON.parse(response.body);
    if (body === null || typeof body !== "object") throw new SyntaxError("not an object or array");
    return body;
  } catch (e) {
    throw new MalformedResponseError(`HTTP ${response.status} with a body that is not JSON: ${excerpt(response)}`,
      response.status);
  }
}

function malformed(response, what) {
  return new MalformedResponseError(`HTTP ${response.status}: ${what} in ${excerpt(response)}`, response.status);
}

function excerpt(response) {
  const body = response.body ?? "";
  return body.length <= 200 ? `'${body}'` : `'${body.substring(0, 200)}…'`;
}

/** The error of an unsuccessful answer: its code and message, or a MalformedResponseError when it is not the service's JSON. */
function errorOf(response) {
  try {
    const body = json(response);
    const code = body.error?.code;
    if (typeof code !== "string") throw malformed(response, "error.code is missing or not a string");
    const message = `HTTP ${response.status} ${code}: ${body.error.message ?? ""}`;
    if (code === "METADATA_MISSING") return new MissingMetadataError(message, missingKeys(body));
    return new ConcurrencyError(message, { status: response.status, code });
  } catch (error) {
    return error;
  }
}

function missingKeys(body) {
  const obligations = body.evaluationResult?.obligations;
  if (!Array.isArray(obligations)) return [];
  return obligations.filter((o) => o?.action === "refresh")
    .flatMap((o) => (Array.isArray(o.attributes?.missing) ? o.attributes.missing : []))
    .filter((k) => typeof k === "string");
}

function violationsOf(response) {
  const advice = json(response).evaluationResult?.associatedAdvice;
  if (!Array.isArray(advice)) throw malformed(response, "evaluationResult.associatedAdvice is not an array");
  return advice.filter((a) => a?.adviceType === "rule-violation").map((a) => {
    const attributes = a.attributes ?? {};
    return {
      policy: optionalText(attributes.policy) ?? "",
      rule: requiredText(response, attributes.rule, "rule"),
      message: optionalText(attributes.message),
      threshold: requiredInt(response, attributes.threshold, "threshold"),
      current: requiredInt(response, attributes.current, "current"),
      attribute: optionalText(attributes.attribute),
      value: optionalText(attributes.value),
      dismissedBy: optionalText(attributes.dismissedBy),
      conflicts: sessionsOf(response, attributes.conflicts, "conflicts"),
    };
  });
}

function sessionsOf(response, list, name) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw malformed(response, `${name} is not an array`);
  return list.map((s) => {
    if (s === null || typeof s !== "object") throw malformed(response, `an entry of ${name} is not an object`);
    return {
      sessionId: requiredText(response, s.sessionId, "sessionId"),
      terminationCode: requiredText(response, s.terminationCode, "terminationCode"),
      applicationId: optionalText(s.applicationId),
      applicationName: optionalText(s.applicationName),
      startTime: Number.isInteger(s.startTime) ? new Date(s.startTime) : null,
      metadata: metadataOf(response, s.metadata),
    };
  });
}

function metadataOf(response, metadata) {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) throw malformed(response, "metadata is not an object");
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw malformed(response, `metadata value ${key} is not a string`);
  }
  return { ...metadata };
}

/** A 410's remote-termination advice; null for the bodiless 410 of an expired or stopped stream. */
function terminatorOf(response) {
  if ((response.body ?? "").trim() === "") return null;
  const advice = json(response).evaluationResult?.associatedAdvice;
  const termination = Array.isArray(advice) ? advice.find((a) => a?.adviceType === "remote-termination") : undefined;
  if (!termination) throw malformed(response, "a 410 with a body but no remote-termination advice");
  const attributes = termination.attributes ?? {};
  const terminator = attributes.terminator ?? {};
  return {
    terminatedBy: requiredText(response, attributes.terminatedBy, "terminatedBy"),
    reason: optionalText(attributes.reason) ?? "",
    applicationName: optionalText(terminator.applicationName),
    deviceName: optionalText(terminator.deviceName),
    channel: optionalText(terminator.channel),
    startTime: Number.isInteger(terminator.startTime) ? new Date(terminator.startTime) : null,
  };
}

function requiredText(response, value, field) {
  if (typeof value !== "string") throw malformed(response, `${field} is missing or not a string`);
  return value;
}

function requiredInt(response, value, field) {
  if (!Number.isInteger(value)) throw malformed(response, `${field} is missing or not an integer`);
  return value;
}

function optionalText(value) {
  return typeof value === "string" ? value : null;
}

// ---- The service's times (Date, Expires, Retry-After): durations between two instants of its clock.

function httpDate(headers, name) {
  const value = headers.get(name);
  if (value === null) return null;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? null : millis;
}

function serverDate(headers) {
  const millis = httpDate(headers, "Date");
  return millis === null ? null : new Date(millis);
}

/** Expires − Date in ms, or null when either is missing or unreadable. */
function untilExpires(headers) {
  const date = httpDate(headers, "Date");
  const expires = httpDate(headers, "Expires");
  return date === null || expires === null || expires < date ? null : expires - date;
}

/** The lease a 2xx to a start or heartbeat grants. */
function lease(response) {
  const ms = untilExpires(response.headers);
  if (ms === null) throw malformed(response, "no valid Date and Expires headers");
  return ms;
}

/** The longer of Retry-After (seconds, or an HTTP date read against Date) and Expires − Date; null when neither. */
function retryDelay(headers) {
  const value = (headers.get("Retry-After") ?? "").trim();
  let retryAfter = null;
  if (/^\d{1,9}$/.test(value)) {
    retryAfter = Number(value) * 1000;
  } else if (value !== "") {
    const at = Date.parse(value);
    const date = httpDate(headers, "Date");
    if (!Number.isNaN(at) && date !== null && at >= date) retryAfter = at - date;
  }
  const expires = untilExpires(headers);
  if (retryAfter === null) return expires;
  return expires === null ? retryAfter : Math.max(retryAfter, expires);
}

// ---- Small helpers.

/** Between half of the doubled back-off and all of it ("equal jitter"). */
function backoff(policy, attempt) {
  const doubled = Math.min(policy.firstBackoffMs * 2 ** Math.min(attempt - 1, 20), policy.maxBackoffMs);
  return doubled / 2 + Math.random() * (doubled / 2);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sessionsPath(idp, subject) {
  return `v2/sessions/${segment(idp)}/${segment(subject)}`;
}

function segment(value) {
  return encodeURIComponent(value);
}

function base64(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function summary(violations) {
  if (violations.length === 0) return "HTTP 409: concurrent usage limit exceeded";
  return "HTTP 409: concurrent usage limit exceeded:" + violations.map((v) =>
    ` ${v.policy}/${v.rule} ${v.current} > ${v.threshold} (${v.conflicts.length} conflicts)`).join("");
}

/** The seed's advice for a 409: explain the limit, show the streams and the choices, say what to do when there are none. */
function explanation(violations, sessions, serverTime) {
  const lines = [];
  if (violations.length === 0) lines.push("You have reached the maximum number of streams you can watch at once.");
  for (const v of violations) {
    lines.push((v.message ?? `You have reached a limit of ${v.threshold} streams (${v.rule})`) + ".");
  }
  if (sessions.length === 0) {
    lines.push("The streams counted against this limit cannot be stopped from here: "
      + "stop one on another device, then try again.");
    return lines.join("\n");
  }
  lines.push("To watch here, stop one of these streams:");
  sessions.forEach((s, i) => lines.push(`  ${i + 1}. ${describe(s, serverTime)}`));
  return lines.join("\n");
}

function describe(session, serverTime) {
  let line = session.applicationName ?? "A stream";
  const entries = Object.entries(session.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > 0) line += ` (${entries.map(([k, v]) => `${k}=${v}`).join(", ")})`;
  if (session.startTime) line += `, ${startedAgo(session.startTime, serverTime)}`;
  return line;
}

/**
 * When a stream started, relative to the service's Date (so a wrong device clock cannot make it absurd);
 * without a Date, as the time of day in UTC.
 */
export function startedAgo(startTime, serverTime) {
  if (!serverTime) return `started at ${startTime.toISOString().substring(0, 16).replace("T", " ")} UTC`;
  const minutes = Math.max(0, Math.floor((serverTime - startTime) / 60_000));
  if (minutes < 1) return "started less than a minute ago";
  if (minutes < 60) return `started ${minutes} min ago`;
  return `started ${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
}
