/**
 * A line chart of one series as a standalone SVG document (no script, no external font or stylesheet), for the
 * demo's share rate over time: any browser or image viewer opens it. Pure: data and labels in, text out.
 */

/** One point of the series: x and y in the data's own units (days, ETH per plETH). */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

/** What the chart says about its data, and its size. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Pixels; default 900. */
  readonly width?: number;
  /** Pixels; default 500. */
  readonly height?: number;
}

/** Where the plot area sits inside the image: data is drawn inside this rectangle only. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A rejected series or option: the message names the offending value. */
export class ChartInputError extends Error {
  override name = "ChartInputError";
}

const DEFAULT_WIDTH = 900;
const DEFAULT_HEIGHT = 500;
/** Room for the y tick labels and axis label on the left, the x ones below, the title above. */
const MARGIN = { left: 110, right: 30, top: 50, bottom: 70 } as const;
const TARGET_TICKS = 6;
/** The smallest image the margins leave a plot area in. */
const MIN_WIDTH = MARGIN.left + MARGIN.right + 100;
const MIN_HEIGHT = MARGIN.top + MARGIN.bottom + 100;

/**
 * Evenly spaced round values covering [min, max]: steps of 1, 2 or 5 times a power of ten, about `target` of them,
 * the first at or below `min` and the last at or above `max`. A degenerate range (min = max) is widened around its
 * value first so there is something to label.
 *
 * @throws ChartInputError when a bound is not finite, min > max, or target is not a positive integer.
 */
export function niceTicks(min: number, max: number, target = TARGET_TICKS): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new ChartInputError(`tick range: expected finite numbers, got [${min}, ${max}]`);
  }
  if (min > max) throw new ChartInputError(`tick range: min ${min} is above max ${max}`);
  if (!Number.isInteger(target) || target < 1) {
    throw new ChartInputError(`tick count: expected a positive integer, got ${target}`);
  }
  // A range too narrow to divide (one value, or two a rounding error apart) is widened around its middle.
  const middle = (min + max) / 2;
  if (max - min <= Math.abs(middle) * 1e-12) {
    const pad = Math.abs(middle) * 0.01 || 1;
    [min, max] = [middle - pad, middle + pad];
  }
  const rough = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough)!;
  const decimals = decimalsOf(step);
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  // Multiples of the step computed from integers, not accumulated, and rounded to the step's decimals: no drift
  // (0.1 + 0.2) in the labels.
  for (let i = first; i <= last; i++) ticks.push(decimals <= MAX_DECIMALS ? roundTo(i * step, decimals) : i * step);
  return ticks;
}

/** The most decimals a tick label is written with; finer steps are written in exponent notation. */
const MAX_DECIMALS = 20;

/** A tick's label: `decimals` decimals (see `decimalsOf`), or exponent notation beyond `MAX_DECIMALS`. */
export function formatTick(value: number, decimals: number): string {
  return decimals <= MAX_DECIMALS ? value.toFixed(decimals) : value.toExponential(3);
}

/** The decimals a tick step needs: 0.002 → 3, 5 → 0, 0.25 → 2; `MAX_DECIMALS` + 1 when it needs more. */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) throw new ChartInputError(`tick step: expected > 0, got ${step}`);
  for (let decimals = 0; decimals <= MAX_DECIMALS; decimals++) {
    if (Math.abs(roundTo(step, decimals) - step) <= step * 1e-9) return decimals;
  }
  return MAX_DECIMALS + 1;
}

function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/**
 * The plot area of a chart `width` × `height` pixels, and the function mapping a data point into it: the ticks'
 * first and last values are its edges, larger y upwards.
 */
export function plotScale(
  xTicks: readonly number[],
  yTicks: readonly number[],
  width: number,
  height: number,
): { area: PlotArea; toPixel: (point: ChartPoint) => { x: number; y: number } } {
  const area = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  return {
    area,
    toPixel: (point) => ({
      x: area.left + ((point.x - x0) / (x1 - x0)) * (area.right - area.left),
      y: area.bottom - ((point.y - y0) / (y1 - y0)) * (area.bottom - area.top),
    }),
  };
}

/**
 * Renders `points` (in increasing x) as a line chart with a title, both axes with round ticks and grid lines, axis
 * labels, and a dot on each point.
 *
 * @throws ChartInputError naming the problem: no points, a coordinate that is not a finite number, x not increasing,
 *   an empty title or label, a size that is not an integer or leaves no room to plot.
 */
export function renderLineChartSvg(points: readonly ChartPoint[], options: LineChartOptions): string {
  if (points.length === 0) throw new ChartInputError("series: expected at least one point, got none");
  points.forEach((point, i) => {
    for (const axis of ["x", "y"] as const) {
      if (typeof point[axis] !== "number" || !Number.isFinite(point[axis])) {
        throw new ChartInputError(`series[${i}].${axis}: expected a finite number, got ${String(point[axis])}`);
      }
    }
    if (i > 0 && point.x <= points[i - 1]!.x) {
      throw new ChartInputError(
        `series[${i}].x: expected above the previous point's ${points[i - 1]!.x}, got ${point.x}`,
      );
    }
  });
  for (const key of ["title", "xLabel", "yLabel"] as const) {
    if (options[key].trim() === "") throw new ChartInputError(`${key}: expected text, got an empty string`);
  }
  const width = options.width ?? DEFAULT_WIDTH;
  const height = options.height ?? DEFAULT_HEIGHT;
  if (!Number.isInteger(width) || width < MIN_WIDTH) {
    throw new ChartInputError(`width: expected an integer of at least ${MIN_WIDTH} pixels, got ${width}`);
  }
  if (!Number.isInteger(height) || height < MIN_HEIGHT) {
    throw new ChartInputError(`height: expected an integer of at least ${MIN_HEIGHT} pixels, got ${height}`);
  }

  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs));
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys));
  const { area, toPixel } = plotScale(xTicks, yTicks, width, height);
  const xDecimals = decimalsOf(xTicks[1]! - xTicks[0]!);
  const yDecimals = decimalsOf(yTicks[1]! - yTicks[0]!);
  const px = (value: number) => value.toFixed(2);

  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="sans-serif" font-size="13">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="${MARGIN.top / 2 + 6}" text-anchor="middle" font-size="17" font-weight="bold">` +
      `${escapeXml(options.title)}</text>`,
    `<g class="grid" stroke="#e3e3e3" stroke-width="1">`,
  ];
  for (const tick of xTicks) {
    const x = px(toPixel({ x: tick, y: yTicks[0]! }).x);
    out.push(`<line x1="${x}" y1="${area.top}" x2="${x}" y2="${area.bottom}"/>`);
  }
  for (const tick of yTicks) {
    const y = px(toPixel({ x: xTicks[0]!, y: tick }).y);
    out.push(`<line x1="${area.left}" y1="${y}" x2="${area.right}" y2="${y}"/>`);
  }
  out.push(`</g>`, `<g class="axes" stroke="#333333" stroke-width="1.5">`);
  out.push(`<line x1="${area.left}" y1="${area.bottom}" x2="${area.right}" y2="${area.bottom}"/>`);
  out.push(`<line x1="${area.left}" y1="${area.top}" x2="${area.left}" y2="${area.bottom}"/>`);
  out.push(`</g>`, `<g class="x-ticks" text-anchor="middle" fill="#333333">`);
  for (const tick of xTicks) {
    const x = px(toPixel({ x: tick, y: yTicks[0]! }).x);
    out.push(
      `<line x1="${x}" y1="${area.bottom}" x2="${x}" y2="${area.bottom + 6}" stroke="#333333"/>`,
      `<text x="${x}" y="${area.bottom + 22}">${formatTick(tick, xDecimals)}</text>`,
    );
  }
  out.push(`</g>`, `<g class="y-ticks" text-anchor="end" fill="#333333">`);
  for (const tick of yTicks) {
    const y = toPixel({ x: xTicks[0]!, y: tick }).y;
    out.push(
      `<line x1="${area.left - 6}" y1="${px(y)}" x2="${area.left}" y2="${px(y)}" stroke="#333333"/>`,
      `<text x="${area.left - 10}" y="${px(y + 4)}">${formatTick(tick, yDecimals)}</text>`,
    );
  }
  out.push(`</g>`);
  out.push(
    `<text x="${(area.left + area.right) / 2}" y="${height - 20}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text x="20" y="${(area.top + area.bottom) / 2}" text-anchor="middle" ` +
      `transform="rotate(-90 20 ${(area.top + area.bottom) / 2})">${escapeXml(options.yLabel)}</text>`,
  );
  const pixels = points.map(toPixel);
  out.push(
    `<polyline class="series" fill="none" stroke="#1f6feb" stroke-width="2" stroke-linejoin="round" points="` +
      `${pixels.map((p) => `${px(p.x)},${px(p.y)}`).join(" ")}"/>`,
    `<g class="points" fill="#1f6feb">`,
  );
  for (const [i, p] of pixels.entries()) {
    out.push(
      `<circle cx="${px(p.x)}" cy="${px(p.y)}" r="2.5"><title>${points[i]!.x}: ` + `${points[i]!.y}</title></circle>`,
    );
  }
  out.push(`</g>`, `</svg>`, "");
  return out.join("\n");
}

/** Text safe inside an XML element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}
