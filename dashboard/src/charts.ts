/**
 * Two small SVG charts, enough for the dashboard and nothing more: a line over time (the share rate) and horizontal
 * bars with an optional cap line (validators per operator). Values arrive already computed; a chart only places them.
 */

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface LinePoint {
  /** Unix seconds. */
  x: number;
  y: number;
  /** Shown on hover. */
  label: string;
}

/** A line chart of `points` (oldest first) with the lowest and highest value and the first and last time marked. */
export function lineChart(points: readonly LinePoint[], formatY: (y: number) => string, empty: string): SVGSVGElement {
  const width = 560;
  const height = 200;
  const pad = { left: 96, right: 16, top: 14, bottom: 30 };
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart line-chart" });
  chart.setAttribute("data-points", String(points.length));
  if (points.length === 0) {
    chart.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" }, empty));
    return chart;
  }
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  let [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  let [minY, maxY] = [Math.min(...ys), Math.max(...ys)];
  if (maxX === minX) [minX, maxX] = [minX - 1, maxX + 1];
  if (maxY === minY) [minY, maxY] = [minY - Math.abs(minY) * 1e-6 - 1e-12, maxY + Math.abs(maxY) * 1e-6 + 1e-12];
  const px = (x: number) => pad.left + ((x - minX) / (maxX - minX)) * (width - pad.left - pad.right);
  const py = (y: number) => height - pad.bottom - ((y - minY) / (maxY - minY)) * (height - pad.top - pad.bottom);
  const axis = { class: "axis" };
  chart.append(
    svg("line", { ...axis, x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom }),
    svg("line", { ...axis, x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom }),
    svg("text", { x: pad.left - 6, y: py(maxY) + 4, "text-anchor": "end", class: "tick" }, formatY(maxY)),
    svg("text", { x: pad.left - 6, y: py(minY) + 4, "text-anchor": "end", class: "tick" }, formatY(minY)),
    svg("text", { x: pad.left, y: height - 8, "text-anchor": "start", class: "tick" }, day(minX)),
    svg("text", { x: width - pad.right, y: height - 8, "text-anchor": "end", class: "tick" }, day(maxX)),
  );
  const path = points.map((point, i) => `${i === 0 ? "M" : "L"}${px(point.x).toFixed(1)},${py(point.y).toFixed(1)}`);
  chart.append(svg("path", { d: path.join(" "), class: "series" }));
  for (const point of points) {
    const dot = svg("circle", { cx: px(point.x).toFixed(1), cy: py(point.y).toFixed(1), r: 3.5, class: "dot" });
    dot.append(svg("title", {}, point.label));
    chart.append(dot);
  }
  return chart;
}

export interface Bar {
  label: string;
  value: number;
  /** Shown at the bar's end. */
  text: string;
}

/** Horizontal bars, longest = the largest value (or `capFraction` of the total when drawn), with a cap line. */
export function barChart(bars: readonly Bar[], options: { cap?: { fraction: number; label: string }; empty: string }) {
  const width = 560;
  const row = 26;
  const pad = { left: 170, right: 110, top: 8, bottom: options.cap === undefined ? 8 : 26 };
  const height = pad.top + pad.bottom + Math.max(bars.length, 1) * row;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart bar-chart" });
  chart.setAttribute("data-bars", String(bars.length));
  if (bars.length === 0) {
    chart.append(
      svg("text", { x: width / 2, y: height / 2 + 4, "text-anchor": "middle", class: "empty" }, options.empty),
    );
    return chart;
  }
  const total = bars.reduce((sum, bar) => sum + bar.value, 0);
  const capValue = options.cap === undefined ? 0 : options.cap.fraction * total;
  const scale = Math.max(...bars.map((bar) => bar.value), capValue, 1);
  const span = width - pad.left - pad.right;
  bars.forEach((bar, i) => {
    const y = pad.top + i * row;
    chart.append(
      svg("text", { x: pad.left - 8, y: y + row / 2 + 4, "text-anchor": "end", class: "label" }, bar.label),
      svg("rect", {
        x: pad.left,
        y: y + 4,
        width: Math.max((bar.value / scale) * span, 1),
        height: row - 8,
        class: "bar",
      }),
      svg("text", { x: pad.left + (bar.value / scale) * span + 6, y: y + row / 2 + 4, class: "tick" }, bar.text),
    );
  });
  if (options.cap !== undefined && total > 0) {
    const x = pad.left + (capValue / scale) * span;
    chart.append(
      svg("line", { x1: x, y1: pad.top, x2: x, y2: height - pad.bottom + 4, class: "cap" }),
      svg("text", { x, y: height - 6, "text-anchor": "middle", class: "tick cap-label" }, options.cap.label),
    );
  }
  return chart;
}

function day(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ");
}
