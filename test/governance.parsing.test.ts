/**
 * The `gov` tasks' argument parsers, without a chain: calls files, durations, pause targets, pubkeys, actions and
 * votes, with fast-check properties for the calls parser and the duration parser.
 */
import { expect } from "chai";
import { getAddress, Interface, parseEther, Wallet } from "ethers";
import fc from "fast-check";

import { UserInputError } from "../lib/errors.js";
import {
  parseAction,
  parseBps,
  parseCallsJson,
  parsePubkeys,
  parseUpgradeableContract,
  parseWholeNumber,
} from "../lib/govActions.js";
import { formatPlural, parseSupport, shortProposalId } from "../lib/governor.js";
import { describePauseTargets, parseDuration, parsePauseTargets } from "../lib/pause.js";
import { expectUserError } from "./helpers/protocol.js";

const POOL = getAddress(`0x${"11".repeat(20)}`);
const VAULT = getAddress(`0x${"22".repeat(20)}`);
const TARGETS = new Map([
  ["StakingPool", POOL],
  ["WithdrawalVault", VAULT],
]);

/** A function the property generates calls of, with an arbitrary for its arguments. */
const FUNCTIONS: { signature: string; args: fc.Arbitrary<unknown[]> }[] = [
  {
    signature: "setFees(uint256,uint256)",
    args: fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }).map(String), fc.nat()),
  },
  {
    signature: "grantPause(address)",
    args: fc.tuple(
      fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((bytes) => getAddress(Buffer.from(bytes).toString("hex").padStart(40, "0").replace(/^/, "0x"))),
    ),
  },
  {
    signature: "forceExits(bytes,uint256)",
    args: fc.tuple(
      fc.uint8Array({ maxLength: 96 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
      fc.nat(),
    ),
  },
  { signature: "setActive(bool)", args: fc.tuple(fc.boolean()) },
  {
    signature: "addOperator(string,address,address)",
    args: fc.tuple(fc.string(), fc.constant(POOL), fc.constant(VAULT)),
  },
  { signature: "resume()", args: fc.constant([]) },
];

describe("gov argument parsing", function () {
  describe("parseCallsJson", function () {
    it("encodes signature calls and data calls, resolving the protocol's names", function () {
      const calls = parseCallsJson(
        JSON.stringify([
          { target: "StakingPool", signature: "setFees(uint256,uint256)", args: [600, "400"] },
          { target: VAULT.toLowerCase(), value: "0.5", data: "0xAABBCCDD01" },
          { target: "WithdrawalVault", value: "0", signature: "function resume()" },
        ]),
        "calls.json",
        TARGETS,
      );
      expect(calls, "the calls").to.deep.equal([
        {
          target: POOL,
          value: 0n,
          data: new Interface(["function setFees(uint256,uint256)"]).encodeFunctionData("setFees", [600n, 400n]),
        },
        { target: VAULT, value: parseEther("0.5"), data: "0xaabbccdd01" },
        { target: VAULT, value: 0n, data: new Interface(["function resume()"]).encodeFunctionData("resume", []) },
      ]);
    });

    it("names the wrong entry and what is wrong with it", function () {
      const cases: [unknown, RegExp][] = [
        [{ target: "StakingPool" }, /^c\.json entry 2 has neither a signature nor data: expected one of them$/],
        [
          { target: "Pool", data: "0x12345678" },
          /^c\.json entry 2: target "Pool" is neither an address nor one of StakingPool, WithdrawalVault$/,
        ],
        [{ target: POOL, data: "0x12" }, /^c\.json entry 2: data 0x12 is shorter than a function selector/],
        [{ target: POOL, data: "12345678" }, /^c\.json entry 2: data must be hex call data/],
        [{ target: POOL, data: "0x12345678", signature: "f()" }, /has both a signature and data/],
        [
          { target: POOL, signature: "setFees(uint256)", args: ["x"] },
          /^c\.json entry 2: args do not fit setFees\(uint256\): /,
        ],
        [
          { target: POOL, signature: "setFees uint256", args: [] },
          /^c\.json entry 2: signature "setFees uint256" is not a function signature/,
        ],
        [
          { target: POOL, signature: "f(uint256)", args: [2 ** 60] },
          /the number 1152921504606847000 in args is too large for JSON: write it as a string$/,
        ],
        [{ target: POOL, value: 1, data: "0x12345678" }, /value 1 must be ETH written as a string/],
        [{ target: POOL, value: "-1", data: "0x12345678" }, /^c\.json entry 2: value "-1" is negative/],
        [{ target: POOL, data: "0x12345678", gas: 1 }, /^c\.json entry 2 has an unknown field "gas"/],
        ["setFees", /^c\.json entry 2 is not an object/],
      ];
      for (const [entry, pattern] of cases) {
        const text = JSON.stringify([{ target: POOL, data: "0x12345678" }, entry]);
        expect(() => parseCallsJson(text, "c.json", TARGETS), JSON.stringify(entry))
          .to.throw(UserInputError)
          .with.property("message")
          .that.matches(pattern);
      }
      expect(() => parseCallsJson("[", "c.json", TARGETS)).to.throw(UserInputError, /^c\.json is not JSON/);
      expect(() => parseCallsJson("{}", "c.json", TARGETS)).to.throw(UserInputError, /^c\.json: expected a JSON list/);
      expect(() => parseCallsJson("[]", "c.json", TARGETS)).to.throw(UserInputError, /^c\.json lists no calls/);
    });

    it("encodes any well-formed call exactly as ethers does (property)", function () {
      const entry = fc.oneof(
        ...FUNCTIONS.map(({ signature, args }) => args.map((list) => ({ signature, args: list }))),
      );
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              call: entry,
              target: fc.constantFrom("StakingPool", "WithdrawalVault", Wallet.createRandom().address),
              wei: fc.bigInt({ min: 0n, max: 10n ** 24n }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
          (entries) => {
            const text = JSON.stringify(
              entries.map(({ call, target, wei }) => ({
                target,
                value: `${wei / 10n ** 18n}.${(wei % 10n ** 18n).toString().padStart(18, "0")}`,
                signature: call.signature,
                args: call.args,
              })),
            );
            const parsed = parseCallsJson(text, "p.json", TARGETS);
            expect(
              parsed.map((call) => call.value),
              "values",
            ).to.deep.equal(entries.map((e) => e.wei));
            expect(
              parsed.map((call) => call.target),
              "targets",
            ).to.deep.equal(entries.map((e) => TARGETS.get(e.target) ?? getAddress(e.target)));
            expect(
              parsed.map((call) => call.data),
              "data",
            ).to.deep.equal(
              entries.map(({ call }) =>
                new Interface([`function ${call.signature}`]).encodeFunctionData(call.signature, call.args),
              ),
            );
          },
        ),
      );
    });

    it("refuses any other JSON with a UserInputError, never another error (property)", function () {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          try {
            parseCallsJson(JSON.stringify(value), "j.json", TARGETS);
          } catch (error) {
            expect(error, String(error)).to.be.instanceOf(UserInputError);
          }
        }),
      );
    });
  });

  describe("parseDuration", function () {
    it("reads seconds and units, alone or together", function () {
      const cases: [string, bigint][] = [
        ["3600", 3_600n],
        ["90s", 90n],
        ["15m", 900n],
        ["15min", 900n],
        ["2h", 7_200n],
        ["1d", 86_400n],
        ["1w", 604_800n],
        ["1h30m", 5_400n],
        ["1d 12h", 129_600n],
        [" 2H ", 7_200n],
      ];
      for (const [text, seconds] of cases) expect(parseDuration(text), text).to.equal(seconds);
      for (const text of ["", "0", "0h", "2 hours", "1.5h", "-1h", "h", "1y"]) {
        expect(() => parseDuration(text), text)
          .to.throw(UserInputError)
          .with.property("message")
          .that.matches(/^--duration ".*" is (not a duration|zero): expected seconds or a duration such as 90m/);
      }
    });

    it("sums any list of amounts with units (property)", function () {
      const units = { s: 1n, m: 60n, min: 60n, h: 3_600n, d: 86_400n, w: 604_800n } as const;
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.nat({ max: 10_000 }), fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[]))),
            {
              minLength: 1,
              maxLength: 4,
            },
          ),
          fc.boolean(),
          (parts, spaced) => {
            const total = parts.reduce((sum, [amount, unit]) => sum + BigInt(amount) * units[unit], 0n);
            const text = parts.map(([amount, unit]) => `${amount}${unit}`).join(spaced ? " " : "");
            if (total === 0n) expect(() => parseDuration(text), text).to.throw(UserInputError, /is zero/);
            else expect(parseDuration(text), text).to.equal(total);
          },
        ),
      );
    });
  });

  describe("the other arguments", function () {
    it("pause targets become EmergencyPause's bit mask", function () {
      expect(parsePauseTargets("deposits"), "deposits").to.equal(1n);
      expect(parsePauseTargets("Staking, withdrawals,staking"), "two, one twice").to.equal(6n);
      expect(describePauseTargets(7n), "all").to.equal("deposits, withdrawals, staking");
      expect(() => parsePauseTargets(" , ")).to.throw(UserInputError, /^--targets is empty/);
      expect(() => parsePauseTargets("deposit")).to.throw(
        UserInputError,
        /^--targets names "deposit": expected one or more of deposits, withdrawals, staking/,
      );
    });

    it("numbers, basis points, pubkeys, contract names, actions and votes", function () {
      expect(parseWholeNumber(" 42 ", "--keys"), "whole").to.equal(42n);
      expect(() => parseWholeNumber("", "--keys", "a key count")).to.throw(
        UserInputError,
        /^--keys is required: expected a key count$/,
      );
      expect(() => parseBps("10001", "--treasury-bps")).to.throw(UserInputError, /above 10,000 basis points/);
      const key = `0x${"ab".repeat(48)}`;
      expect(parsePubkeys(`${key.toUpperCase().replace("0X", "0x")}, ${"cd".repeat(48)}`), "pubkeys").to.deep.equal([
        key,
        `0x${"cd".repeat(48)}`,
      ]);
      expect(() => parsePubkeys(`${key},${key}`)).to.throw(UserInputError, /lists 0xabab.* twice/);
      expect(() => parsePubkeys("")).to.throw(UserInputError, /^--pubkeys is required/);
      expect(parseUpgradeableContract("accountingoracle"), "any case").to.equal("AccountingOracle");
      expect(parseAction({ action: "", calls: "x.json" }), "calls").to.equal("calls");
      expect(parseAction({ action: "Set-Fee", calls: "" }), "named").to.equal("set-fee");
      expect(() => parseAction({ action: "", calls: "" })).to.throw(
        UserInputError,
        /^no action: expected one of set-fee/,
      );
      expect(() => parseAction({ action: "mint", calls: "" })).to.throw(UserInputError, /^unknown action "mint"/);
      expect(parseSupport("Abstain"), "abstain").to.equal("abstain");
      expect(() => parseSupport("yes")).to.throw(
        UserInputError,
        /^--support "yes" is not a vote: expected for, against or abstain$/,
      );
      expect(formatPlural(parseEther("1234567.5")), "PLURAL").to.equal("1,234,567.5 PLURAL");
      expect(shortProposalId(12345678901234567890n), "short id").to.equal("1234567890…");
      expect(shortProposalId(42n), "a short id stays").to.equal("42");
    });
  });
});
