// Reads the figures the dashboard shows from the server's Prometheus text (/metrics), and turns two readings
// into rates. Counters only ever grow while a server runs; a smaller value means it restarted, and the
// new value is then the whole increase.

/** The sample lines of a Prometheus text exposition as [name, labels, value]; comments skipped. */
export function parseSamples(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const [, key, value] of (match[3] || "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key] = value;
    }
    samples.push([match[1], labels, Number(match[4])]);
  }
  return samples;
}

/** What one reading says: active sessions now, decisions and denials counted since start. */
export function reading(text, at) {
  let active = null;
  let decisions = 0;
  let denials = 0;
  for (const [name, labels, value] of parseSamples(text)) {
    if (name === "cm_active_sessions") active = value;
    if (name === "cm_decisions_total") {
      decisions += value;
      if (labels.outcome === "deny") denials += value;
    }
  }
  return { at, active, decisions, denials };
}

/** Per second between two readings. */
export function rates(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const increase = (a, b) => (b >= a ? b - a : b);
  return {
    decisions: seconds > 0 ? increase(before.decisions, after.decisions) / seconds : 0,
    denials: seconds > 0 ? increase(before.denials, after.denials) / seconds : 0,
  };
}
