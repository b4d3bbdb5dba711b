// The reference web player: what seed 000 asks of a client when a concurrency limit is hit. Explain the
// limit, show the streams in use and let the user pick one to stop (or cancel), cope with a conflict that
// lists nothing to stop, tell the user when another device or a newer stream ended theirs, never crash,
// and never lose their selection (subscriber, device name, channel): the form is only ever read, never reset.
import {
  ConcurrencyClient, ConcurrencyConflict, MalformedResponseError, startedAgo,
} from "/js/cm-client.js";

const params = new URLSearchParams(location.search);
const applicationId = params.get("app") || "demo-app";
const idp = params.get("idp") || "demo-idp";

const $ = (id) => document.getElementById(id);
const form = $("selection");
const screen = $("screen");
const dialog = $("conflict");

const client = new ConcurrencyClient({ applicationId, onWait: waiting });
let session = null;
/** The conflict the dialog shows, while it is open. */
let shown = null;
let ticker = null;

$("app-id").textContent = applicationId;
$("subject").value = params.get("subject") || "demo-user";
$("device").value = params.get("device") || "";
if (params.has("channel")) $("channel").value = params.get("channel");

form.addEventListener("submit", (event) => {
  event.preventDefault();
  play(() => client.start(idp, $("subject").value.trim(), selection()));
});
$("stop").addEventListener("click", () => stop());
$("conflict-cancel").addEventListener("click", () => {
  closeDialog();
  setState("idle", "Not started", "Your selection is kept: press Play when a screen is free.");
});
$("conflict-retry").addEventListener("click", () => {
  const conflict = shown;
  closeDialog();
  play(() => client.start(idp, $("subject").value.trim(), conflict.metadata));
});
dialog.addEventListener("cancel", () => { // Escape: the same as Cancel
  shown = null;
  setState("idle", "Not started", "Your selection is kept: press Play when a screen is free.");
});
window.addEventListener("pagehide", () => {
  if (session?.active) session.stop().catch(() => {}); // sent with keepalive; the service expires it otherwise
});

/** What the user picked, as the stream's metadata. */
function selection() {
  return { deviceName: $("device").value.trim(), channel: $("channel").value, contentType: "live" };
}

/** Runs a start (first try, retry after a conflict, watch again) and shows its outcome. Never throws. */
async function play(start) {
  hideMessage();
  setState("starting", "Starting…", "");
  setBusy(true);
  try {
    playing(await start());
  } catch (error) {
    if (error instanceof ConcurrencyConflict) {
      setState("idle", "Not started", "");
      openDialog(error);
    } else {
      setState("idle", "Not started", "");
      showMessage("error", failureText(error), detailOf(error), "Try again", () => form.requestSubmit());
    }
  } finally {
    setBusy(false);
  }
}

function playing(started) {
  session = started;
  const { deviceName, channel } = started.metadata;
  setState("playing", `Playing ${channel}`, `on ${deviceName}`);
  hideMessage();
  session.setListener({
    dismissed(conflict) {
      const limit = conflict.violations[0];
      ended("This stream was stopped because a newer stream started on another device.",
        limit ? `Your plan allows ${limit.threshold} at once, and the oldest one stops first.` : "",
        () => play(() => conflict.retryTerminating()));
    },
    terminatedRemotely(terminator) {
      const by = [terminator.deviceName, terminator.channel && `(${terminator.channel})`].filter(Boolean).join(" ");
      ended("This stream was stopped from another device.",
        by ? `${by} started watching in its place.` : "Another device started watching in its place.", resume);
    },
    expired() {
      ended("This stream ended: the player lost contact with the service for too long.", "", resume);
    },
    failed(error) {
      ended("This stream ended: the service could not be reached.", detailOf(error), resume);
    },
  });
}

function resume() {
  play(() => client.start(idp, $("subject").value.trim(), selection()));
}

function ended(text, detail, again) {
  session = null;
  setState("stopped", "Stopped", "");
  showMessage("ended", text, detail, "Watch here again", again);
}

async function stop() {
  const running = session;
  session = null;
  setState("idle", "Stopped", "Your selection is kept.");
  try {
    await running?.stop();
  } catch (error) {
    showMessage("error", "The service was not told that this stream stopped; it will notice by itself.",
      detailOf(error));
  }
}

// ---- The conflict dialog.

function openDialog(conflict) {
  shown = conflict;
  const rules = $("conflict-rules");
  rules.replaceChildren(...conflict.violations.map(ruleView));
  if (conflict.violations.length === 0) {
    rules.replaceChildren(paragraph("You have reached the maximum number of streams you can watch at once."));
  }
  const sessions = conflict.sessions;
  $("conflict-sessions").replaceChildren(...sessions.map((s) => sessionView(s, conflict.serverTime)));
  $("conflict-lead").textContent = sessions.length > 0 ? "To watch here, stop one of these streams:" : "";
  $("conflict-lead").hidden = sessions.length === 0;
  const none = $("conflict-none");
  none.hidden = conflict.hasResolvableConflicts;
  none.textContent = sessions.length === 0
    ? "No stream was listed that can be stopped from here: the streams counted against this limit belong "
      + "to other apps or devices. Stop one of them there, then try again."
    : "Stopping one of these is not enough for every limit: another stream counts that can only be stopped "
      + "on its own device.";
  $("conflict-retry").hidden = sessions.length > 0;
  $("conflict-error").hidden = true;
  if (!dialog.open) dialog.showModal();
}

function closeDialog() {
  shown = null;
  if (dialog.open) dialog.close();
}

/** "3 of 3 streams in use", the service's own sentence, and the numbers it is made of. */
function ruleView(v) {
  const inUse = Math.max(0, v.current - 1);
  const what = v.attribute
    ? (v.value ? `streams with ${v.attribute} ${v.value}` : `different ${v.attribute} values`)
    : "streams";
  const block = document.createElement("div");
  block.className = "rule";
  const headline = document.createElement("p");
  headline.className = "headline";
  headline.textContent = `${inUse} of ${v.threshold} ${what} in use`;
  block.append(headline);
  if (v.message) block.append(paragraph(v.message + "."));
  block.append(paragraph(`Limit ${v.threshold}; watching here too would make ${v.current}.`, "numbers"));
  return block;
}

function sessionView(s, serverTime) {
  const item = document.createElement("li");
  const device = document.createElement("strong");
  device.className = "device";
  device.textContent = s.metadata.deviceName || s.metadata.deviceId || "Unnamed device";
  const channel = document.createElement("span");
  channel.className = "channel";
  channel.textContent = s.metadata.channel || "—";
  const started = document.createElement("span");
  started.className = "started";
  started.textContent = s.startTime
    ? `${s.startTime.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} · ${startedAgo(s.startTime, serverTime)}`
    : "start time unknown";
  if (s.applicationName) started.title = s.applicationName;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "danger";
  button.textContent = "Stop this stream";
  button.addEventListener("click", () => stopOther(s));
  item.append(device, channel, started, button);
  return item;
}

/** Stops the picked stream and starts this one in its place, with the selection of the refused start. */
async function stopOther(picked) {
  const conflict = shown;
  if (!conflict) return;
  dialog.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  setState("starting", "Starting…", "");
  try {
    const started = await conflict.retryTerminating(picked.terminationCode);
    closeDialog();
    playing(started);
  } catch (error) {
    if (error instanceof ConcurrencyConflict) {
      openDialog(error); // still refused: another rule, or the picked stream had already ended
    } else {
      closeDialog();
      setState("idle", "Not started", "");
      showMessage("error", failureText(error), detailOf(error), "Try again", () => form.requestSubmit());
    }
  } finally {
    dialog.querySelectorAll("button").forEach((b) => { b.disabled = false; });
  }
}

// ---- Screen, messages, waits.

function setState(state, title, detail) {
  screen.dataset.state = state;
  $("screen-title").textContent = title;
  $("screen-detail").textContent = detail;
  const running = state === "playing";
  $("play").hidden = running;
  $("stop").hidden = !running;
  for (const field of form.querySelectorAll("input, select")) field.disabled = running || state === "starting";
  clearInterval(ticker);
  if (running) {
    const since = Date.now();
    ticker = setInterval(() => {
      const seconds = Math.floor((Date.now() - since) / 1000);
      $("screen-detail").textContent = `${detail} · ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    }, 1000);
  }
}

function setBusy(busy) {
  $("play").disabled = busy;
}

function showMessage(kind, text, detail = "", actionLabel = "", action = null) {
  const box = $("message");
  box.dataset.kind = kind;
  $("message-text").textContent = text;
  $("message-detail").textContent = detail;
  const button = $("message-action");
  button.hidden = !action;
  button.textContent = actionLabel;
  button.onclick = action && (() => { hideMessage(); action(); });
  box.hidden = false;
}

function hideMessage() {
  $("message").hidden = true;
}

function waiting({ what, delayMs }) {
  if (what !== "start") return; // a heartbeat waits quietly: the stream plays on meanwhile
  const seconds = Math.ceil(delayMs / 1000);
  showMessage("wait", `The service is busy: trying again in ${seconds} s…`,
    "Too many attempts in a short time; nothing to do, the player retries by itself.");
}

function failureText(error) {
  if (error instanceof MalformedResponseError) {
    return "The service sent an answer this player cannot read. Nothing was started; try again in a moment.";
  }
  if (error?.code === "THROTTLED") {
    const seconds = error.retryAfterMs ? Math.ceil(error.retryAfterMs / 1000) : null;
    return seconds ? `Too many attempts: try again in ${seconds} s.` : "Too many attempts: try again in a minute.";
  }
  if (error?.status === null || error?.status === undefined) return "The service could not be reached.";
  return "The stream could not be started.";
}

function detailOf(error) {
  return error?.message ?? String(error);
}

function paragraph(text, className = "") {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) p.className = className;
  return p;
}
