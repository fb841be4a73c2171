import { expect } from "chai";
import fc from "fast-check";

import { queryInChunks } from "../lib/logs.js";

describe("queryInChunks", function () {
  it("covers [from, to] exactly, in order, with ranges of at most `chunk` blocks", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        // Up to 5,000 blocks: with chunks of one block that is 5,000 calls, enough to show every boundary.
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        async (from, span, chunk) => {
          const ranges: [number, number][] = [];
          const result = await queryInChunks(
            async (start, end) => {
              ranges.push([start, end]);
              return [start];
            },
            from,
            from + span,
            chunk,
          );
          expect(ranges[0]![0], "starts at from").to.equal(from);
          expect(ranges.at(-1)![1], "ends at to").to.equal(from + span);
          for (const [i, [start, end]] of ranges.entries()) {
            expect(end - start + 1, "at most chunk blocks").to.be.at.most(chunk);
            expect(end, "not empty").to.be.at.least(start);
            if (i > 0) expect(start, "contiguous").to.equal(ranges[i - 1]![1] + 1);
          }
          expect(result, "results in block order").to.deep.equal(ranges.map(([start]) => start));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("queries nothing when the range is empty, and refuses a chunk that is not a positive whole number", async function () {
    let calls = 0;
    const query = async () => {
      calls++;
      return [];
    };
    expect(await queryInChunks(query, 10, 9), "empty range").to.deep.equal([]);
    expect(calls, "no query for an empty range").to.equal(0);
    for (const chunk of [0, -1, 1.5]) {
      let error: unknown;
      try {
        await queryInChunks(query, 0, 10, chunk);
      } catch (caught) {
        error = caught;
      }
      expect(error, `chunk ${chunk}`).to.be.instanceOf(RangeError);
    }
  });
});
