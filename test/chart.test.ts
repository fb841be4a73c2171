import { expect } from "chai";
import fc from "fast-check";

import {
  ChartInputError,
  decimalsOf,
  escapeXml,
  niceTicks,
  plotScale,
  renderLineChartSvg,
  type ChartPoint,
} from "../lib/chart.js";

const OPTIONS = { title: "plETH share rate", xLabel: "days", yLabel: "ETH per plETH" } as const;

/**
 * Checks that `text` is a well-formed XML document of the kind the chart writes (no DTD, CDATA or comments): one root
 * element, every tag closed in order, attributes quoted and unique, only the five predefined entities and character
 * references. Returns the elements in document order, with their attributes and text.
 */
function parseXml(text: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const elements: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const open: { name: string; text: string; index: number }[] = [];
  let roots = 0;
  let rest = text.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/, "");
  expect(rest.length, "an XML declaration first").to.be.below(text.length);
  const checkText = (chunk: string) => {
    const withoutEntities = chunk.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, "");
    expect(withoutEntities, `text "${chunk}": no bare & or <`).not.to.match(/[&<]/);
  };
  while (rest.length > 0) {
    const lt = rest.indexOf("<");
    const chunk = lt === -1 ? rest : rest.slice(0, lt);
    checkText(chunk);
    if (open.length === 0) expect(chunk.trim(), "nothing outside the root element").to.equal("");
    else open[open.length - 1]!.text += chunk;
    if (lt === -1) break;
    rest = rest.slice(lt);
    const close = /^<\/([A-Za-z][\w:.-]*)\s*>/.exec(rest);
    if (close !== null) {
      const top = open.pop();
      expect(top?.name, `</${close[1]}> closes the element open`).to.equal(close[1]);
      elements[top!.index]!.text = top!.text;
      rest = rest.slice(close[0].length);
      continue;
    }
    const tag = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(rest);
    expect(tag, `a well-formed tag at "${rest.slice(0, 60)}"`).not.to.equal(null);
    const attributes: Record<string, string> = {};
    for (const match of tag![2]!.matchAll(/([A-Za-z][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      expect(attributes, `attribute ${match[1]} once on <${tag![1]}>`).not.to.have.property(match[1]!);
      const value = match[2] ?? match[3]!;
      checkText(value);
      attributes[match[1]!] = value;
    }
    if (open.length === 0) roots++;
    elements.push({ name: tag![1]!, attributes, text: "" });
    if (tag![3] !== "/") open.push({ name: tag![1]!, text: "", index: elements.length - 1 });
    rest = rest.slice(tag![0].length);
  }
  expect(
    open.map((element) => element.name),
    "every element closed",
  ).to.deep.equal([]);
  expect(roots, "one root element").to.equal(1);
  return elements;
}

/** The points of the chart's polyline, in pixels. */
function polylinePixels(svg: string): { x: number; y: number }[] {
  const line = parseXml(svg).find((element) => element.name === "polyline")!;
  return line.attributes.points!.split(" ").map((pair) => {
    const [x, y] = pair.split(",").map(Number);
    return { x: x!, y: y! };
  });
}

/** The plot area the chart's axes draw: the x axis is the bottom edge, the y axis the left one. */
function plotArea(svg: string) {
  const axes = parseXml(svg).filter((element) => element.name === "line");
  const xAxis = axes.find((a) => a.attributes.y1 === a.attributes.y2 && a.attributes.x1 !== a.attributes.x2)!;
  return {
    left: Number(xAxis.attributes.x1),
    right: Number(xAxis.attributes.x2),
    bottom: Number(xAxis.attributes.y1),
    top: 50,
  };
}

const YEAR: ChartPoint[] = Array.from({ length: 53 }, (_, week) => ({ x: week * 7, y: 1 + week * 0.0005 }));

describe("chart", function () {
  describe("renderLineChartSvg", function () {
    it("writes a well-formed standalone SVG document with the title, both axis labels and one dot a point", function () {
      const svg = renderLineChartSvg(YEAR, OPTIONS);
      const elements = parseXml(svg);
      expect(elements[0]!.name, "root").to.equal("svg");
      expect(elements[0]!.attributes.xmlns, "SVG namespace").to.equal("http://www.w3.org/2000/svg");
      expect(elements[0]!.attributes.viewBox, "viewBox").to.equal("0 0 900 500");
      const texts = elements.filter((element) => element.name === "text").map((element) => element.text);
      expect(texts, "title, axis labels").to.include.members(["plETH share rate", "days", "ETH per plETH"]);
      expect(
        elements.filter((element) => element.name === "circle"),
        "one dot a point",
      ).to.have.length(53);
      expect(svg, "nothing fetched: no external reference").not.to.match(/href|<script|url\(/);
    });

    it("labels round ticks covering the data on both axes", function () {
      const texts = parseXml(renderLineChartSvg(YEAR, OPTIONS))
        .filter((element) => element.name === "text")
        .map((element) => element.text);
      expect(texts, "x ticks every 100 days").to.include.members(["0", "100", "200", "300", "400"]);
      expect(texts, "y ticks every 0.005").to.include.members(["1.000", "1.005", "1.025", "1.030"]);
    });

    it("scales every point into the plot area, the first at the left, larger values higher", function () {
      const svg = renderLineChartSvg(YEAR, OPTIONS);
      const area = plotArea(svg);
      const pixels = polylinePixels(svg);
      expect(pixels, "one pixel a point").to.have.length(YEAR.length);
      for (const [i, p] of pixels.entries()) {
        expect(p.x, `point ${i} x inside`).to.be.within(area.left, area.right);
        expect(p.y, `point ${i} y inside`).to.be.within(area.top, area.bottom);
        if (i > 0) expect(p.y, `point ${i} higher than the one before (the rate grows)`).to.be.below(pixels[i - 1]!.y);
      }
      expect(pixels[0]!.x, "day 0 on the y axis").to.equal(area.left);
      expect(pixels[0]!.y, "1.000 on the x axis").to.equal(area.bottom);
    });

    it("escapes markup in the title and labels", function () {
      const svg = renderLineChartSvg(YEAR, { title: `<b>"A" & 'B'</b>`, xLabel: "x<y", yLabel: "a&b" });
      const texts = parseXml(svg)
        .filter((element) => element.name === "text")
        .map((element) => element.text);
      expect(texts, "escaped").to.include.members(["&lt;b&gt;&quot;A&quot; &amp; &apos;B&apos;&lt;/b&gt;", "x&lt;y"]);
    });

    it("draws a single point and a flat series (a degenerate range is widened)", function () {
      for (const series of [[{ x: 3, y: 1 }], YEAR.map((point) => ({ x: point.x, y: 1 }))]) {
        const svg = renderLineChartSvg(series, OPTIONS);
        const area = plotArea(svg);
        for (const p of polylinePixels(svg)) {
          expect(p.x, "x inside").to.be.within(area.left, area.right);
          expect(p.y, "y strictly inside: the widened range centres it").to.be.within(area.top + 1, area.bottom - 1);
        }
      }
    });

    it("fits any increasing series into the plot area", function () {
      const series = fc
        .array(
          fc.tuple(fc.double({ min: 0.001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
          {
            minLength: 1,
            maxLength: 40,
          },
        )
        .map((steps) => {
          let x = -1e5;
          return steps.map(([dx, y]) => ({ x: (x += dx), y }));
        });
      fc.assert(
        fc.property(series, (points) => {
          const svg = renderLineChartSvg(points, OPTIONS);
          const area = plotArea(svg);
          for (const p of polylinePixels(svg)) {
            expect(p.x, "x inside").to.be.within(area.left - 0.01, area.right + 0.01);
            expect(p.y, "y inside").to.be.within(area.top - 0.01, area.bottom + 0.01);
          }
        }),
      );
    });

    it("refuses bad input with an error naming the problem", function () {
      const cases: [ChartPoint[], object, RegExp][] = [
        [[], {}, /series: expected at least one point, got none/],
        [
          [
            { x: 0, y: 1 },
            { x: 1, y: Number.NaN },
          ],
          {},
          /series\[1\]\.y: expected a finite number, got NaN/,
        ],
        [[{ x: Number.POSITIVE_INFINITY, y: 1 }], {}, /series\[0\]\.x: expected a finite number, got Infinity/],
        [[{ x: 0, y: "1" as unknown as number }], {}, /series\[0\]\.y: expected a finite number, got 1/],
        [
          [
            { x: 2, y: 1 },
            { x: 2, y: 1 },
          ],
          {},
          /series\[1\]\.x: expected above the previous point's 2, got 2/,
        ],
        [
          [
            { x: 2, y: 1 },
            { x: 1, y: 1 },
          ],
          {},
          /series\[1\]\.x: expected above the previous point's 2, got 1/,
        ],
        [YEAR, { title: " " }, /title: expected text, got an empty string/],
        [YEAR, { yLabel: "" }, /yLabel: expected text, got an empty string/],
        [YEAR, { width: 100 }, /width: expected an integer of at least 240 pixels, got 100/],
        [YEAR, { height: 300.5 }, /height: expected an integer of at least 220 pixels, got 300.5/],
      ];
      for (const [points, options, message] of cases) {
        expect(() => renderLineChartSvg(points, { ...OPTIONS, ...options }), String(message))
          .to.throw(ChartInputError)
          .with.property("message")
          .that.matches(message);
      }
    });
  });

  describe("niceTicks", function () {
    it("steps by 1, 2 or 5 times a power of ten from at or below min to at or above max", function () {
      expect(niceTicks(0, 365), "days").to.deep.equal([0, 100, 200, 300, 400]);
      expect(niceTicks(0.953, 1.012), "rates").to.deep.equal([0.95, 0.96, 0.97, 0.98, 0.99, 1, 1.01, 1.02]);
      expect(niceTicks(-3, 7), "negative").to.deep.equal([-4, -2, 0, 2, 4, 6, 8]);
      expect(niceTicks(5, 5), "a single value is widened").to.deep.equal([4.94, 4.96, 4.98, 5, 5.02, 5.04, 5.06]);
    });

    it("covers any range with a few ticks", function () {
      fc.assert(
        fc.property(
          fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
          (min, span) => {
            const ticks = niceTicks(min, min + span);
            expect(ticks[0], "first at or below min").to.be.at.most(min + span * 1e-9);
            expect(ticks[ticks.length - 1], "last at or above max").to.be.at.least(min + span - span * 1e-9);
            expect(ticks.length, "a handful").to.be.within(2, 13);
          },
        ),
      );
    });

    it("refuses a bad range or count", function () {
      expect(() => niceTicks(Number.NaN, 1)).to.throw(ChartInputError, /expected finite numbers, got \[NaN, 1\]/);
      expect(() => niceTicks(2, 1)).to.throw(ChartInputError, /min 2 is above max 1/);
      expect(() => niceTicks(0, 1, 0)).to.throw(ChartInputError, /tick count: expected a positive integer, got 0/);
    });
  });

  describe("decimalsOf", function () {
    it("gives the decimals a step needs", function () {
      expect([5, 0.5, 0.25, 0.002, 20].map(decimalsOf)).to.deep.equal([0, 1, 2, 3, 0]);
      expect(() => decimalsOf(0)).to.throw(ChartInputError, /tick step: expected > 0, got 0/);
    });
  });

  describe("plotScale", function () {
    it("maps the ticks' corners to the plot area's corners", function () {
      const { area, toPixel } = plotScale([0, 10], [1, 2], 900, 500);
      expect(toPixel({ x: 0, y: 1 }), "bottom left").to.deep.equal({ x: area.left, y: area.bottom });
      expect(toPixel({ x: 10, y: 2 }), "top right").to.deep.equal({ x: area.right, y: area.top });
      expect(toPixel({ x: 5, y: 1.5 }), "centre").to.deep.equal({
        x: (area.left + area.right) / 2,
        y: (area.top + area.bottom) / 2,
      });
    });
  });

  describe("escapeXml", function () {
    it("escapes the five XML special characters", function () {
      expect(escapeXml(`<a href="x">'&'</a>`)).to.equal("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    });
  });
});
