import { expect } from "chai";
import { keccak256, ZeroHash } from "ethers";
import fc from "fast-check";

import { FAR_FUTURE_EPOCH } from "../lib/beacon/preset.js";
import type { ValidatorInfo } from "../lib/beacon/client.js";
import {
  decodeExitPage,
  type ExitPlanInput,
  MAX_EXIT_REQUESTS_PER_PAGE,
  MAX_OPERATORS_PER_PAGE,
  type OperatorExitInput,
  paginateExitData,
  planExits,
  type ExitUpdate,
} from "../lib/oracle/exits.js";

const ETH = 10n ** 18n;
const GWEI = 10n ** 9n;
const REF_EPOCH = 1_000n;
const SHARD_COMMITTEE_PERIOD = 256n;

type Lifecycle = "active" | "young" | "exiting" | "exited" | "slashed" | "unseen";

/** A pubkey unique to (operator, index). */
const pubkeyOf = (operator: number, index: number) =>
  `0x${operator.toString(16).padStart(4, "0")}${index.toString(16).padStart(8, "0")}${"ab".repeat(42)}`;

function validatorOf(pubkey: string, lifecycle: Lifecycle, balanceEth = 32n): ValidatorInfo | undefined {
  if (lifecycle === "unseen") return undefined;
  const activationEpoch = lifecycle === "young" ? REF_EPOCH - 10n : 100n;
  const exitEpoch =
    lifecycle === "exiting" ? REF_EPOCH + 5n : lifecycle === "exited" ? REF_EPOCH - 5n : FAR_FUTURE_EPOCH;
  return {
    index: 0,
    balanceGwei: (balanceEth * ETH) / GWEI,
    status: "active_ongoing",
    pubkey,
    withdrawalCredentials: "0x01",
    effectiveBalanceGwei: 32n * 10n ** 9n,
    slashed: lifecycle === "slashed",
    activationEligibilityEpoch: activationEpoch - 1n,
    activationEpoch,
    exitEpoch,
    withdrawableEpoch: exitEpoch === FAR_FUTURE_EPOCH ? FAR_FUTURE_EPOCH : exitEpoch + 256n,
  };
}

function operator(
  id: number,
  lifecycles: readonly Lifecycle[],
  state: Partial<Pick<OperatorExitInput, "exitedKeys" | "nextExitIndex" | "targetExited" | "dueBy">> = {},
): OperatorExitInput {
  return {
    id,
    exitedKeys: state.exitedKeys ?? 0n,
    nextExitIndex: state.nextExitIndex ?? 0n,
    targetExited: state.targetExited ?? 0n,
    dueBy: state.dueBy ?? 0n,
    keys: lifecycles.map((lifecycle, index) => ({
      index,
      pubkey: pubkeyOf(id, index),
      validator: validatorOf(pubkeyOf(id, index), lifecycle),
    })),
  };
}

function input(operators: OperatorExitInput[], demand: bigint, available = 0n): ExitPlanInput {
  return { refEpoch: REF_EPOCH, shardCommitteePeriod: SHARD_COMMITTEE_PERIOD, demand, available, operators };
}

describe("oracle exit data", function () {
  describe("planExits", function () {
    it("asks for nothing while the buffer, the vaults and the exits under way cover the demand", function () {
      const plan = planExits(input([operator(0, ["active", "active", "exiting"])], 100n * ETH, 68n * ETH));
      expect(plan.expected, "the exiting validator's balance").to.equal(32n * ETH);
      expect(plan.shortfall, "shortfall").to.equal(0n);
      expect(plan.requests, "requests").to.deep.equal([]);
      expect(plan.updates, "no operator needs the registry").to.deep.equal([]);
    });

    it("asks the operator with the most validators first, oldest key first, until the shortfall is covered", function () {
      const operators = [
        operator(0, ["active", "active"]),
        operator(1, ["active", "active", "active", "active"]),
        operator(2, ["active", "active", "active"]),
      ];
      const plan = planExits(input(operators, 70n * ETH, 0n));
      expect(plan.shortfall, "shortfall").to.equal(70n * ETH);
      expect(
        plan.requests.map((r) => [r.operatorId, r.keyIndex]),
        "4 → 3 validators left at operator 1, then 3 each at 1 and 2: the lower id, then operator 2",
      ).to.deep.equal([
        [1, 0],
        [1, 1],
        [2, 0],
      ]);
      expect(plan.requested, "three validators' balances").to.equal(96n * ETH);
      expect(
        plan.updates.map((u) => [u.operatorId, u.keyIndices]),
        "updates by id",
      ).to.deep.equal([
        [1n, [0n, 1n]],
        [2n, [0n]],
      ]);
      expect(plan.updates[0]!.pubkeys, "the keys' bytes, in order").to.equal(
        `0x${pubkeyOf(1, 0).slice(2)}${pubkeyOf(1, 1).slice(2)}`,
      );
    });

    it("passes over keys that cannot exit: exiting, exited, slashed, unseen, too young, or below the next exit index", function () {
      const plan = planExits(
        input(
          [operator(0, ["active", "exiting", "exited", "slashed", "unseen", "young", "active"], { nextExitIndex: 1n })],
          1_000n * ETH,
        ),
      );
      expect(
        plan.requests.map((r) => r.keyIndex),
        "only the last key: key 0 is below the next exit index",
      ).to.deep.equal([6]);
      expect(plan.updates[0]!.exitedKeys, "one exited").to.equal(1n);
    });

    it("counts exits an operator owes as ether on its way, and leaves it fewer validators for the priority", function () {
      // Operator 0 has 4 validators but owes 2 exits not started: 2 left; operator 1 has 3.
      const operators = [
        operator(0, ["active", "active", "active", "active"], { nextExitIndex: 2n, targetExited: 2n, dueBy: 5n }),
        operator(1, ["active", "active", "active"]),
      ];
      const plan = planExits(input(operators, 65n * ETH + 1n, 0n));
      expect(plan.expected, "two owed exits").to.equal(64n * ETH);
      expect(plan.shortfall, "shortfall").to.equal(ETH + 1n);
      expect(
        plan.requests.map((r) => [r.operatorId, r.keyIndex]),
        "from operator 1",
      ).to.deep.equal([[1, 0]]);
      expect(
        plan.updates.map((u) => u.operatorId),
        "operator 0 is named though unchanged: it owes exits and the registry checks its deadline",
      ).to.deep.equal([0n, 1n]);
    });

    it("reports exited counts that changed, never below the count on chain", function () {
      const plan = planExits(
        input([operator(0, ["exited", "active"]), operator(1, ["active"], { exitedKeys: 0n })], 0n),
      );
      expect(plan.updates, "operator 0's count rose").to.deep.equal([
        { operatorId: 0n, exitedKeys: 1n, keyIndices: [], pubkeys: "0x" },
      ]);
      const kept = planExits(input([operator(0, ["active"], { exitedKeys: 1n })], 0n));
      expect(kept.updates, "a count on chain is never lowered").to.deep.equal([]);
    });

    it("stops when no validator can exit yet, asking for what it can", function () {
      const plan = planExits(input([operator(0, ["young", "active"])], 1_000n * ETH));
      expect(
        plan.requests.map((r) => r.keyIndex),
        "requests",
      ).to.deep.equal([1]);
      expect(plan.requested < plan.shortfall, "the rest waits").to.equal(true);
    });

    it("holds its promises on random pools (fast-check)", function () {
      const lifecycle = fc.constantFrom<Lifecycle>(
        "active",
        "active",
        "active",
        "young",
        "exiting",
        "exited",
        "slashed",
        "unseen",
      );
      const operatorArb = fc
        .record({
          lifecycles: fc.array(lifecycle, { maxLength: 12 }),
          nextExitIndex: fc.nat({ max: 12 }),
          owed: fc.nat({ max: 3 }),
        })
        .map(({ lifecycles, nextExitIndex, owed }) => ({ lifecycles, nextExitIndex, owed }));
      fc.assert(
        fc.property(
          fc.array(operatorArb, { maxLength: 8 }),
          fc.bigInt({ min: 0n, max: 500n * ETH }),
          fc.bigInt({ min: 0n, max: 100n * ETH }),
          (specs, demand, available) => {
            const operators = specs.map((spec, id) => {
              const base = operator(id, spec.lifecycles);
              const exitedNow = BigInt(spec.lifecycles.filter((l) => l === "exited").length);
              const next = BigInt(Math.min(spec.nextExitIndex, spec.lifecycles.length));
              return {
                ...base,
                nextExitIndex: next,
                targetExited: spec.owed === 0 ? 0n : exitedNow + BigInt(spec.owed),
                dueBy: spec.owed === 0 ? 0n : 1n,
              };
            });
            const plan = planExits(input(operators, demand, available));
            const byId = new Map(operators.map((o) => [o.id, o]));
            // Requests name keys that can exit, at or above the operator's next index, each once.
            const seen = new Set<string>();
            for (const request of plan.requests) {
              const op = byId.get(request.operatorId)!;
              const key = op.keys[request.keyIndex]!;
              expect(BigInt(request.keyIndex) >= op.nextExitIndex, "at or above the next exit index").to.equal(true);
              expect(key.validator?.exitEpoch, "not exiting").to.equal(FAR_FUTURE_EPOCH);
              expect(key.validator?.slashed, "not slashed").to.equal(false);
              expect(
                key.validator!.activationEpoch + SHARD_COMMITTEE_PERIOD <= REF_EPOCH,
                "old enough to exit",
              ).to.equal(true);
              const id = `${request.operatorId}/${request.keyIndex}`;
              expect(seen.has(id), "each key once").to.equal(false);
              seen.add(id);
            }
            // Enough, and not one too many: without its last request the shortfall would not be covered.
            if (plan.requests.length > 0) {
              const last = plan.requests[plan.requests.length - 1]!;
              expect(plan.requested - last.balance < plan.shortfall, "no request beyond the shortfall").to.equal(true);
            }
            if (plan.requested < plan.shortfall) {
              const left = operators.flatMap((op) =>
                op.keys.filter(
                  (key) =>
                    BigInt(key.index) >= op.nextExitIndex &&
                    key.validator !== undefined &&
                    key.validator.exitEpoch === FAR_FUTURE_EPOCH &&
                    !key.validator.slashed &&
                    key.validator.activationEpoch + SHARD_COMMITTEE_PERIOD <= REF_EPOCH &&
                    !seen.has(`${op.id}/${key.index}`),
                ),
              );
              expect(left, "short only when nothing else can exit").to.deep.equal([]);
            }
            // Updates: ascending ids, indices ascending from the next exit index, one pubkey each.
            let previous = -1n;
            for (const update of plan.updates) {
              expect(update.operatorId > previous, "ascending ids").to.equal(true);
              previous = update.operatorId;
              const op = byId.get(Number(update.operatorId))!;
              expect(update.exitedKeys >= op.exitedKeys, "exited never decreases").to.equal(true);
              expect(update.exitedKeys <= BigInt(op.keys.length), "exited <= deposited").to.equal(true);
              const sorted = [...update.keyIndices].sort((a, b) => (a < b ? -1 : 1));
              expect(update.keyIndices, "indices ascending").to.deep.equal(sorted);
              expect((update.pubkeys.length - 2) / 96, "one pubkey per index").to.equal(update.keyIndices.length);
            }
            expect(plan.shortfall, "shortfall").to.equal(
              demand > available + plan.expected ? demand - available - plan.expected : 0n,
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe("paginateExitData", function () {
    const update = (id: number, requests: number): ExitUpdate => ({
      operatorId: BigInt(id),
      exitedKeys: 0n,
      keyIndices: Array.from({ length: requests }, (_, i) => BigInt(i)),
      pubkeys: "0x" + Array.from({ length: requests }, (_, i) => pubkeyOf(id, i).slice(2)).join(""),
    });

    it("has no page and the zero hash when there is nothing to say", function () {
      expect(paginateExitData([]), "empty").to.deep.equal({ pages: [], hashes: [], hash: ZeroHash });
    });

    it("chains pages by hash from the first to the last, which names the zero hash", function () {
      const updates = Array.from({ length: MAX_OPERATORS_PER_PAGE * 2 + 3 }, (_, id) => update(id, 1));
      const data = paginateExitData(updates);
      expect(data.pages.length, "three pages").to.equal(3);
      expect(data.hash, "the report's hash is the first page's").to.equal(keccak256(data.pages[0]!));
      const decoded = data.pages.map(decodeExitPage);
      for (let i = 0; i < data.pages.length; i++) {
        expect(data.hashes[i], `hash ${i}`).to.equal(keccak256(data.pages[i]!));
        expect(decoded[i]!.nextPageHash, `page ${i} names the next`).to.equal(data.hashes[i + 1] ?? ZeroHash);
      }
      expect(
        decoded.flatMap((page) => page.updates),
        "every update, in order",
      ).to.deep.equal(updates);
    });

    it("closes a page before it would hold too many exit requests, and gives a large operator its own page", function () {
      const data = paginateExitData([
        update(0, 60),
        update(1, 60),
        update(2, MAX_EXIT_REQUESTS_PER_PAGE + 5),
        update(3, 1),
      ]);
      expect(
        data.pages.map((page) => decodeExitPage(page).updates.map((u) => Number(u.operatorId))),
        "pages",
      ).to.deep.equal([[0], [1], [2], [3]]);
    });

    it("keeps every update and respects the limits (fast-check)", function () {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: 120 }), { maxLength: 80 }), (requestCounts) => {
          const updates = requestCounts.map((count, id) => update(id, count));
          const data = paginateExitData(updates);
          const pages = data.pages.map(decodeExitPage);
          expect(
            pages.flatMap((page) => page.updates),
            "all updates in order",
          ).to.deep.equal(updates);
          for (const page of pages) {
            expect(page.updates.length <= MAX_OPERATORS_PER_PAGE, "operators per page").to.equal(true);
            const requests = page.updates.reduce((sum, u) => sum + u.keyIndices.length, 0);
            expect(requests <= MAX_EXIT_REQUESTS_PER_PAGE || page.updates.length === 1, "requests per page").to.equal(
              true,
            );
          }
        }),
        { numRuns: 100 },
      );
    });
  });
});
