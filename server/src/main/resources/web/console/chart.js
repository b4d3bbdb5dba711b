// A line chart in plain SVG, sized by its container: one line per series over a fixed time window,
// each series scaled to its own maximum on the shared vertical axis so small rates stay visible.

const SVG = "http://www.w3.org/2000/svg";

function node(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (parent) parent.append(element);
  return element;
}

/**
 * Draws `points` ([{at, ...values}]) from `now - windowMillis` to `now` into `container`.
 * `series`: [{key, className, label}]; the label of each axis maximum is shown at the top left.
 */
export function drawChart(container, points, series, now, windowMillis) {
  const width = Math.max(container.clientWidth, 240);
  const height = 220;
  const pad = { left: 8, right: 8, top: 24, bottom: 22 };
  // Drawn at the container's width; scaled by the viewBox until the next drawing if the container changes.
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart-svg" });
  const x = (at) => pad.left + ((at - (now - windowMillis)) / windowMillis) * (width - pad.left - pad.right);
  const plotHeight = height - pad.top - pad.bottom;
  const y = (fraction) => pad.top + plotHeight * (1 - fraction);

  for (let minutes = 0; minutes <= windowMillis / 60000; minutes += 5) {
    const at = now - minutes * 60000;
    node("line", { x1: x(at), x2: x(at), y1: pad.top, y2: height - pad.bottom, class: "grid" }, svg);
    const anchor = minutes === 0 ? "end" : at === now - windowMillis ? "start" : "middle";
    const label = node("text", { x: x(at), y: height - 6, class: "tick", "text-anchor": anchor }, svg);
    label.textContent = minutes === 0 ? "now" : `−${minutes} min`;
  }
  baseline(svg, pad, width, height);

  const maxima = [];
  for (const { key, className, label } of series) {
    const max = Math.max(1, ...points.map((p) => p[key]));
    maxima.push(`${label} max ${format(max)}`);
    const path = points.filter((p) => p.at >= now - windowMillis)
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p[key] / max).toFixed(1)}`)
      .join(" ");
    if (path) node("path", { d: path, class: `line ${className}` }, svg);
  }
  const scale = node("text", { x: pad.left, y: 14, class: "tick" }, svg);
  scale.textContent = maxima.join(" · ");
  container.replaceChildren(svg);
}

function baseline(svg, pad, width, height) {
  const y = height - pad.bottom;
  node("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: "axis" }, svg);
}

export function format(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

/**
 * Draws one bar per entry of `bars` ([{label, value}]) into `container`, labels under the bars thinned out
 * so that they never overlap, the maximum at the top left.
 */
export function drawBars(container, bars, className, caption) {
  const width = Math.max(container.clientWidth, 240);
  const height = 200;
  const pad = { left: 8, right: 8, top: 24, bottom: 22 };
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart-svg" });
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = (width - pad.left - pad.right) / Math.max(bars.length, 1);
  const plotHeight = height - pad.top - pad.bottom;
  const every = Math.max(1, Math.ceil(bars.length / Math.floor((width - pad.left - pad.right) / 90)));
  bars.forEach((bar, i) => {
    const barHeight = plotHeight * (bar.value / max);
    const barWidth = Math.max(1, Math.min(slot * 0.8, 64));
    const rect = node("rect", {
      x: (pad.left + i * slot + (slot - barWidth) / 2).toFixed(1), width: barWidth.toFixed(1),
      y: (pad.top + plotHeight - barHeight).toFixed(1), height: barHeight.toFixed(1), class: `bar ${className}`,
    }, svg);
    node("title", {}, rect).textContent = `${bar.label}: ${format(bar.value)}`;
    if (i % every === 0) {
      const x = pad.left + i * slot + slot / 2;
      const label = node("text", { x, y: height - 6, class: "tick", "text-anchor": "middle" }, svg);
      label.textContent = bar.label;
    }
  });
  baseline(svg, pad, width, height);
  const scale = node("text", { x: pad.left, y: 14, class: "tick" }, svg);
  scale.textContent = `${caption} · max ${format(max)}`;
  container.replaceChildren(svg);
}
