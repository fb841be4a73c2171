/**
 * Exit requests from the operator's side, on the in-process chain with a beacon simulator and its Beacon API: the
 * registry asks for exits (the accounting oracle, impersonated, forwards exit data as its committee would), `operators
 * exits` reads what each operator owes, and the exit daemon signs voluntary exits the simulator checks and applies.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import type { SecretKey } from "@chainsafe/blst";
import { expect } from "chai";
import { concat } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { FAR_FUTURE_EPOCH } from "../lib/beacon/preset.js";
import { formatDuration } from "../lib/amounts.js";
import { type BeaconApiServer, startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient, BeaconConnectionError } from "../lib/beacon/client.js";
import type { SignedVoluntaryExit } from "../lib/beacon/signing.js";
import { BeaconSimulator } from "../lib/beacon/simulator.js";
import {
  countExits,
  type ExitProgress,
  exitProgressOf,
  exitsToStart,
  formatExitStatus,
  listExitRequests,
  outstandingRequests,
  owedExits,
  readExitStatus,
} from "../lib/exitRequests.js";
import { decideExit, type ExitResponderSummary, refusalMayLift, runExitResponder } from "../lib/exitResponder.js";
import { deriveValidatorKeys, mnemonicToSeed, signingKeyPath } from "../lib/keys/derivation.js";
import { encryptKeystore, serializeKeystore, WrongKeystorePasswordError } from "../lib/keys/keystore.js";
import { type SigningKeySet, signingKeysFromKeystores, signingKeysFromMnemonic } from "../lib/keys/signingKeys.js";
import { committedKeys, readCommittedBatches } from "../lib/operators.js";
import type { Progress } from "../lib/progress.js";
import type { Protocol } from "../lib/protocol.js";
import { freePort } from "./helpers/node.js";
import { expectUserError, timelockSigner } from "./helpers/protocol.js";
import { operatorMnemonic, stakedFixture, type StakedFixture } from "./helpers/staked.js";
import { row } from "./helpers/table.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployStaked = stakedFixture(connection);

/** Mainnet preset: activation takes some 6 epochs after the deposits, and an exit SHARD_COMMITTEE_PERIOD (256) more. */
const ACTIVATION_EPOCHS = 10;
const EXIT_AGE_EPOCHS = 256;
/** deploy/parameters/local.json: four days to meet a batch of requests. */
const RESPONSE_TIME = 345_600n;

interface World {
  fixture: StakedFixture;
  protocol: Protocol;
  simulator: BeaconSimulator;
  api: BeaconApiServer;
  beacon: CountingBeaconClient;
  /** Each operator's deposited pubkeys, by key index. */
  pubkeys: string[][];
}

/** A real Beacon API client that counts the exits it submits: what "nothing is submitted twice" is checked with. */
class CountingBeaconClient extends BeaconClient {
  submitted: SignedVoluntaryExit[] = [];
  override async submitVoluntaryExit(signed: SignedVoluntaryExit): Promise<void> {
    this.submitted.push(signed);
    return super.submitVoluntaryExit(signed);
  }
}

const opened: BeaconApiServer[] = [];
const running: AbortController[] = [];
const folders: string[] = [];
function stopSignal(): AbortController {
  const controller = new AbortController();
  running.push(controller);
  return controller;
}

/** The staked fixture (4 operators, 2 validators each) with a simulator whose validators are `epochs` old. */
async function world(options: { epochs?: number } = {}): Promise<World> {
  const fixture = await networkHelpers.loadFixture(deployStaked);
  const { protocol } = fixture;
  const [config] = await protocol.accountingOracle.getFrameConfig();
  const simulator = await BeaconSimulator.create(connection.provider, {
    depositContract: protocol.addresses.depositContract,
    genesisTime: config.genesisTime,
    historyEpochs: 8,
  });
  await simulator.advance(ACTIVATION_EPOCHS + (options.epochs ?? EXIT_AGE_EPOCHS));
  const api = await startBeaconApi(simulator);
  opened.push(api);
  const keys = committedKeys(await readCommittedBatches(protocol.operatorRegistry));
  const pubkeys = [0, 1, 2, 3].map((id) =>
    keys.filter((key) => key.operatorId === id).map((key) => key.pubkey.toLowerCase()),
  );
  return { fixture, protocol, simulator, api, beacon: new CountingBeaconClient(api.url), pubkeys };
}

const keysOf = (operatorId: number, start = 0, count = 2) =>
  signingKeysFromMnemonic(operatorMnemonic(operatorId), start, count);

/**
 * The accounting oracle (impersonated: it holds REPORT_EXITS_ROLE) forwards exit data: for each operator, its exited
 * count (unchanged unless given) and the keys it must exit. Returns the block's timestamp.
 */
async function applyExitUpdates(
  w: World,
  updates: { operatorId: number; keyIndices?: number[]; exitedKeys?: bigint }[],
): Promise<bigint> {
  const registry = w.protocol.operatorRegistry;
  const address = w.protocol.addresses.accountingOracle;
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 18n);
  const oracle = await ethers.getImpersonatedSigner(address);
  const encoded = [];
  for (const update of updates) {
    const keyIndices = update.keyIndices ?? [];
    const exitedKeys = update.exitedKeys ?? (await registry.getExitState(update.operatorId)).exitedKeys;
    encoded.push({
      operatorId: update.operatorId,
      exitedKeys,
      keyIndices,
      pubkeys: keyIndices.length === 0 ? "0x" : concat(keyIndices.map((i) => w.pubkeys[update.operatorId]![i]!)),
    });
  }
  const receipt = await (await registry.connect(oracle).applyExitUpdates(encoded)).wait();
  return BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
}

function respond(
  w: World,
  options: { operatorId?: number; keys?: SigningKeySet; delaySeconds?: number; once?: boolean; log?: string[] } = {},
): Promise<ExitResponderSummary> {
  const operatorId = options.operatorId ?? 0;
  return runExitResponder({
    protocol: w.protocol,
    beacon: w.beacon,
    operatorId,
    keys: options.keys ?? keysOf(operatorId),
    delaySeconds: options.delaySeconds ?? 0,
    pollMs: 20,
    maxBackoffMs: 100,
    once: options.once ?? true,
    signal: stopSignal().signal,
    ...(options.log === undefined ? {} : { log: (line: string) => options.log!.push(line) }),
  });
}

/** Waits until a line of `log` matches `pattern`. */
async function logged(log: string[], pattern: RegExp, deadlineMs = 20_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const line = log.find((entry) => pattern.test(entry));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the log:\n${log.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A Beacon API in front of the world's simulator whose spec says otherwise for the `overrides`' keys. */
async function specProxy(
  w: World,
  overrides: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const upstream = await fetch(`${w.api.url}${request.url}`, {
          method: request.method!,
          headers: { "content-type": "application/json" },
          ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
        });
        let text = await upstream.text();
        if (request.url === "/eth/v1/config/spec") {
          const spec = JSON.parse(text) as { data: Record<string, string> };
          Object.assign(spec.data, overrides);
          text = JSON.stringify(spec);
        }
        response.writeHead(upstream.status, { "content-type": "application/json" });
        response.end(text);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const statusOf = async (w: World, pubkey: string) => (await w.beacon.validator("head", pubkey))!.status;
const isoTime = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

describe("exit requests", function () {
  afterEach(async function () {
    for (const controller of running.splice(0)) controller.abort();
    for (const api of opened.splice(0)) await api.close();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  describe("listExitRequests", function () {
    it("lists every request since the deployment with its block time, and each validator's state from the Beacon API", async function () {
      const w = await world();
      const time = await applyExitUpdates(w, [
        { operatorId: 0, keyIndices: [0] },
        { operatorId: 1, keyIndices: [0] },
      ]);

      const bare = await listExitRequests(w.protocol);
      expect(
        bare.map((request) => [request.operatorId, request.keyIndex, request.pubkey]),
        "both requests, in chain order",
      ).to.deep.equal([
        [0, 0, w.pubkeys[0]![0]],
        [1, 0, w.pubkeys[1]![0]],
      ]);
      expect(bare[0]!.blockTime, "the block's time").to.equal(time);
      expect(bare[0]!.deadline, "due the response time after it").to.equal(time + RESPONSE_TIME);
      expect(bare[0]!.progress, "no beacon node asked").to.equal("unknown");
      expect(bare[0]!.validatorIndex, "no index without a node").to.equal(undefined);

      const withStates = await listExitRequests(w.protocol, { beacon: w.beacon, operatorId: 0 });
      expect(withStates, "operator 0's only").to.have.length(1);
      const index = (await w.beacon.validator("head", w.pubkeys[0]![0]!))!.index;
      expect(withStates[0]!.validatorIndex, "its validator").to.equal(index);
      expect(withStates[0]!.status, "status").to.equal("active_ongoing");
      expect(withStates[0]!.progress, "to exit").to.equal("active");

      await respond(w);
      const after = await listExitRequests(w.protocol, { beacon: w.beacon, operatorId: 0 });
      expect(after[0]!.status, "exiting once the daemon ran").to.equal("active_exiting");
      expect(after[0]!.progress, "done").to.equal("exiting");
    });
  });

  describe("readExitStatus and formatExitStatus", function () {
    it("counts requested and owed exits, the deadline and the penalty per operator, and the keys still to exit", async function () {
      const w = await world();
      const time = await applyExitUpdates(w, [
        { operatorId: 0, keyIndices: [0, 1] },
        { operatorId: 1, keyIndices: [0] },
      ]);
      await respond(w, { keys: keysOf(0, 0, 1) }); // operator 0 exits its key 0 (its daemon holds no other)
      // Operator 1's validator is reported exited: its request is met.
      await applyExitUpdates(w, [{ operatorId: 1, exitedKeys: 1n }]);
      // Operator 0 misses its deadline; the oracle's next exit data names it, and the registry penalizes it.
      await networkHelpers.time.increaseTo(time + RESPONSE_TIME + 1n);
      await applyExitUpdates(w, [{ operatorId: 0 }]);
      await w.simulator.sync();

      const status = await readExitStatus(w.protocol, { beacon: w.beacon });
      expect(status.timestamp, "read after the deadline").to.be.above(time + RESPONSE_TIME);
      expect(status.responseTime, "response time").to.equal(RESPONSE_TIME);
      expect(status.requests, "three requests").to.have.length(3);
      const [op0, op1, op2] = status.operators;
      expect(op0!.requested, "operator 0: requested").to.equal(2);
      expect(op0!.owed, "operator 0: owed (its exit is not counted exited yet)").to.equal(2n);
      expect(op0!.dueBy, "operator 0: due by").to.equal(time + RESPONSE_TIME);
      expect(op0!.penalized, "operator 0: penalized").to.equal(true);
      expect(
        op0!.toExit!.map((request) => request.keyIndex),
        "operator 0: key 1 still to exit",
      ).to.deep.equal([1]);
      expect(op1!.requested, "operator 1: requested").to.equal(1);
      expect(op1!.exitedKeys, "operator 1: exited").to.equal(1n);
      expect(op1!.activeValidators, "operator 1: active").to.equal(1n);
      expect(op1!.owed, "operator 1: nothing owed").to.equal(0n);
      expect(op1!.dueBy, "operator 1: no deadline").to.equal(0n);
      expect(op1!.penalized, "operator 1: not penalized").to.equal(false);
      expect(op2!.requested, "operator 2: no request").to.equal(0);
      expect(op0!.beacon, "operator 0 on the beacon chain: key 0 exited").to.deep.equal({ exited: 1, exiting: 0 });
      expect(op1!.beacon, "operator 1: its exit is only reported").to.deep.equal({ exited: 0, exiting: 0 });
      expect(op1!.toExit, "operator 1: its request is met, nothing to exit").to.deep.equal([]);

      const table = formatExitStatus(status, "hardhat", 0);
      expect(row(table, "0 Operator 0"), "operator 0's row").to.deep.equal([
        "0 Operator 0",
        "2",
        "0",
        "0",
        "2",
        "2",
        `${isoTime(time + RESPONSE_TIME)} (passed ${formatDuration(status.timestamp - time - RESPONSE_TIME)} ago)`,
        "yes: fees burned",
        "1",
      ]);
      expect(table, "--operator shows that operator alone").not.to.include("1 Operator 1");
      const all = formatExitStatus(status, "hardhat");
      expect(row(all, "1 Operator 1"), "operator 1's row").to.deep.equal([
        "1 Operator 1",
        "1",
        "1",
        "0",
        "1",
        "0",
        "-",
        "no",
        "0",
      ]);
      expect(row(table, "response time")[1], "response time").to.equal("4 days");
      expect(row(table, "validator states from")[1], "the node asked").to.equal(w.beacon.url);
      const index0 = (await w.beacon.validator("head", w.pubkeys[0]![0]!))!.index;
      const key0 = row(table, "0");
      expect(key0[1], "key 0's pubkey").to.equal(w.pubkeys[0]![0]);
      expect(key0[4], "key 0's validator").to.equal(String(index0));
      // Four days are 900 epochs: key 0's validator has exited and been withdrawn since.
      expect(key0[5], "key 0 exited").to.equal("exited (withdrawal_done)");
      expect(row(table, "1")[5], "key 1 to exit").to.equal("to exit (active_ongoing)");

      const bare = formatExitStatus(await readExitStatus(w.protocol), "hardhat");
      expect(row(bare, "0 Operator 0")[3], "exiting unknown without a node").to.equal("?");
      expect(row(bare, "0 Operator 0")[8], "keys to exit unknown without a node").to.equal("?");
      expect(bare, "no key list without --operator").not.to.include("Requests to operator");
    });
  });

  describe("runExitResponder", function () {
    it("signs the requested exit under the node's domain: the simulator accepts it and the validator goes active_exiting", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      const log: string[] = [];
      const summary = await respond(w, { log });

      expect(summary.submitted, "one exit submitted").to.have.length(1);
      const [exit] = summary.submitted;
      const validator = (await w.beacon.validator("head", w.pubkeys[0]![0]!))!;
      expect(exit!.validatorIndex, "the requested validator").to.equal(validator.index);
      expect(validator.status, "the simulator applied it").to.equal("active_exiting");
      expect(validator.exitEpoch, "an exit epoch").to.not.equal(FAR_FUTURE_EPOCH);
      const headEpoch = await w.simulator.read((sim) => sim.headEpoch);
      expect(exit!.epoch, "signed at the head epoch").to.equal(headEpoch);
      expect(w.beacon.submitted, "one POST").to.have.length(1);
      expect(
        log.filter((line) => /^submitted/.test(line)),
        "one line for it",
      ).to.deep.equal([
        `submitted the voluntary exit of validator ${validator.index} (key #0 ${w.pubkeys[0]![0]}) at epoch ` +
          `${headEpoch}: now active_exiting, exit epoch ${validator.exitEpoch}`,
      ]);
      expect(await statusOf(w, w.pubkeys[0]![1]!), "the other validator stays").to.equal("active_ongoing");
    });

    it("waits out the delay counted from the request's block, then exits", async function () {
      const w = await world();
      const time = await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      const log: string[] = [];
      const early = await respond(w, { delaySeconds: 3_600, log });
      expect(early.submitted, "nothing before the delay").to.have.length(0);
      expect(early.waiting, "waiting").to.have.length(1);
      expect(log, "says until when").to.include(
        `key #0 ${w.pubkeys[0]![0]}: waiting until ${isoTime(time + 3_600n)} (the delay after its request)`,
      );

      await networkHelpers.time.increaseTo(time + 3_599n);
      expect((await respond(w, { delaySeconds: 3_600 })).submitted, "a second before").to.have.length(0);
      await networkHelpers.time.increaseTo(time + 3_600n);
      await w.simulator.sync();
      const late = await respond(w, { delaySeconds: 3_600 });
      expect(late.submitted, "exited once the delay passed").to.have.length(1);
      expect(await statusOf(w, w.pubkeys[0]![0]!), "exiting").to.equal("active_exiting");
    });

    it("retries a validator too young to exit and submits once the simulator has advanced past SHARD_COMMITTEE_PERIOD", async function () {
      const w = await world({ epochs: 0 });
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      const log: string[] = [];
      const controller = stopSignal();
      const run = runExitResponder({
        protocol: w.protocol,
        beacon: w.beacon,
        operatorId: 0,
        keys: keysOf(0),
        pollMs: 20,
        signal: controller.signal,
        log: (line) => log.push(line),
      });
      const young = await logged(log, /may exit from epoch/);
      const validator = (await w.beacon.validator("head", w.pubkeys[0]![0]!))!;
      expect(young, "explains the wait").to.equal(
        `validator ${validator.index} (key #0 ${w.pubkeys[0]![0]}) has been active since epoch ` +
          `${validator.activationEpoch}: it may exit from epoch ${validator.activationEpoch + 256n} ` +
          `(SHARD_COMMITTEE_PERIOD 256), the head epoch is ${await w.simulator.read((sim) => sim.headEpoch)}; ` +
          `trying again every poll`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(w.beacon.submitted, "nothing submitted while too young").to.have.length(0);
      expect(
        log.filter((line) => /may exit from epoch/.test(line)),
        "said once",
      ).to.have.length(1);

      await w.simulator.advance(EXIT_AGE_EPOCHS);
      await logged(log, /^submitted the voluntary exit/);
      controller.abort();
      const summary = await run;
      expect(summary.submitted, "submitted after the advance").to.have.length(1);
      expect(w.beacon.submitted, "one POST").to.have.length(1);
      expect(await statusOf(w, w.pubkeys[0]![0]!), "exiting").to.equal("active_exiting");
    });

    it("retries at later polls an exit the node refuses for a reason time lifts, logging the node's message once", async function () {
      const w = await world({ epochs: 0 });
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      // A node whose spec understates SHARD_COMMITTEE_PERIOD: the daemon believes the validator may exit, the
      // simulator behind it refuses the exit as too young.
      const proxy = await specProxy(w, { SHARD_COMMITTEE_PERIOD: "0" });
      try {
        const beacon = new CountingBeaconClient(proxy.url);
        const log: string[] = [];
        const controller = stopSignal();
        const run = runExitResponder({
          protocol: w.protocol,
          beacon,
          operatorId: 0,
          keys: keysOf(0),
          pollMs: 20,
          signal: controller.signal,
          log: (line) => log.push(line),
        });
        const refusal = await logged(log, /for now/);
        expect(refusal, "the node's message").to.match(
          /^the beacon node refused the exit of validator \d+ \(key #0 0x[0-9a-f]{96}\) for now: Invalid voluntary exit: validator \d+ has been active since epoch \d+: it may exit from epoch \d+ \(SHARD_COMMITTEE_PERIOD 256\).*; trying again every poll$/,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(beacon.submitted.length, "tried again at later polls").to.be.above(1);
        expect(
          log.filter((line) => /for now/.test(line)),
          "logged once",
        ).to.have.length(1);
        await w.simulator.advance(EXIT_AGE_EPOCHS);
        await logged(log, /^submitted the voluntary exit/);
        controller.abort();
        expect((await run).submitted, "accepted once old enough").to.have.length(1);
        expect(await statusOf(w, w.pubkeys[0]![0]!), "exiting").to.equal("active_exiting");
      } finally {
        await proxy.close();
      }
    });

    it("refuses a beacon node that follows another deposit contract", async function () {
      const w = await world({ epochs: 0 });
      const other = "0x00000000219ab540356cBB839Cbe05303d7705Fa";
      const proxy = await specProxy(w, { DEPOSIT_CONTRACT_ADDRESS: other });
      try {
        await expectUserError(
          runExitResponder({
            protocol: w.protocol,
            beacon: new BeaconClient(proxy.url),
            operatorId: 0,
            keys: keysOf(0),
            once: true,
          }),
          new RegExp(
            `^the beacon node at ${proxy.url} follows the deposit contract ${other}, not the deployment's ` +
              `${w.protocol.addresses.depositContract}: it is another network's node$`,
          ),
        );
      } finally {
        await proxy.close();
      }
    });

    it("restarts without submitting twice: the beacon node says the validator is exiting", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      expect((await respond(w)).submitted, "first run").to.have.length(1);
      const log: string[] = [];
      const again = await respond(w, { log });
      expect(again.submitted, "second run submits nothing").to.have.length(0);
      expect(
        again.alreadyExiting.map((exit) => exit.pubkey),
        "found exiting",
      ).to.deep.equal([w.pubkeys[0]![0]]);
      expect(w.beacon.submitted, "one POST in all").to.have.length(1);
      expect(
        log.some((line) => /is already active_exiting \(exit epoch \d+\): nothing to do$/.test(line)),
        "says so",
      ).to.be.true;
    });

    it("reports, once, a requested key it holds no key for, and exits the one it holds", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0, 1] }]);
      const log: string[] = [];
      const controller = stopSignal();
      const run = runExitResponder({
        protocol: w.protocol,
        beacon: w.beacon,
        operatorId: 0,
        keys: keysOf(0, 0, 1),
        pollMs: 20,
        signal: controller.signal,
        log: (line) => log.push(line),
      });
      await logged(log, /^submitted/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      controller.abort();
      const summary = await run;
      const missing = `operator 0 must exit ${w.pubkeys[0]![1]} (key #1) but this daemon holds no key for it`;
      expect(
        log.filter((line) => line === missing),
        `logged once over several polls\n${log.join("\n")}`,
      ).to.have.length(1);
      expect(
        summary.missingKeys.map((exit) => exit.keyIndex),
        "summary: missing",
      ).to.deep.equal([1]);
      expect(
        summary.submitted.map((exit) => exit.keyIndex),
        "summary: submitted",
      ).to.deep.equal([0]);
    });

    it("logs a refusal time does not lift once, with the node's message, and does not retry it", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      // A key file that pairs the validator's pubkey with another secret key: the signature cannot verify.
      const wrong = keysOf(1, 0, 1).keys.values().next().value as SecretKey;
      const keys: SigningKeySet = { keys: new Map([[w.pubkeys[0]![0]!, wrong]]), source: "a corrupted key file" };
      const log: string[] = [];
      const controller = stopSignal();
      const run = runExitResponder({
        protocol: w.protocol,
        beacon: w.beacon,
        operatorId: 0,
        keys,
        pollMs: 20,
        signal: controller.signal,
        log: (line) => log.push(line),
      });
      const refusal = await logged(log, /refused/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      controller.abort();
      const summary = await run;
      expect(refusal, "the node's message").to.match(
        /^the beacon node refused the exit of validator \d+ \(key #0 0x[0-9a-f]{96}\): Invalid voluntary exit: the signature is not validator \d+'s/,
      );
      expect(
        log.filter((line) => /refused/.test(line)),
        "once",
      ).to.have.length(1);
      expect(w.beacon.submitted, "not retried").to.have.length(1);
      expect(summary.refused, "summary").to.have.length(1);
      expect(await statusOf(w, w.pubkeys[0]![0]!), "still active").to.equal("active_ongoing");
    });

    it("exits no more than the operator still needs: another of its validators exiting meets the request", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      // Key 1 was not asked for, but its validator's exit (a slashing here) counts towards the request all the same.
      await w.simulator.slash(w.pubkeys[0]![1]!);
      const log: string[] = [];
      const summary = await respond(w, { log });
      expect(summary.submitted, "nothing submitted").to.have.length(0);
      expect(
        summary.met.map((exit) => exit.keyIndex),
        "key 0 left alone",
      ).to.deep.equal([0]);
      expect(log, "says why").to.include(
        `key #0 ${w.pubkeys[0]![0]}: not exited: operator 0's requests are met by exits under way (it must reach 1 ` +
          `exited; 0 counted by the registry, 0 exited and 1 exiting on the beacon chain)`,
      );
      expect(w.beacon.submitted, "no POST").to.have.length(0);
      expect(await statusOf(w, w.pubkeys[0]![0]!), "key 0 still active").to.equal("active_ongoing");

      // A second request raises the target: now one more exit is needed, and the oldest requested key goes.
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [1] }]);
      const again = await respond(w);
      expect(
        again.submitted.map((exit) => exit.keyIndex),
        "key 0 exits now",
      ).to.deep.equal([0]);
      expect(
        again.alreadyExiting.map((exit) => exit.keyIndex),
        "key 1 is exiting",
      ).to.deep.equal([1]);
    });

    it("waits for an unreachable beacon node, saying so once, then exits; with once it fails instead", async function () {
      const w = await world();
      await applyExitUpdates(w, [{ operatorId: 0, keyIndices: [0] }]);
      await w.api.close();
      opened.splice(opened.indexOf(w.api), 1);
      const port = await freePort();
      const beacon = new BeaconClient(`http://127.0.0.1:${port}`);
      try {
        await runExitResponder({ protocol: w.protocol, beacon, operatorId: 0, keys: keysOf(0), once: true });
        expect.fail("expected BeaconConnectionError");
      } catch (error) {
        expect(error, "with once: the error").to.be.instanceOf(BeaconConnectionError);
      }

      const log: string[] = [];
      const controller = stopSignal();
      const run = runExitResponder({
        protocol: w.protocol,
        beacon,
        operatorId: 0,
        keys: keysOf(0),
        pollMs: 20,
        maxBackoffMs: 80,
        signal: controller.signal,
        log: (line) => log.push(line),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        log.filter((line) => /unreachable/.test(line)),
        "said once that the node is down",
      ).to.have.length(1);
      opened.push(await startBeaconApi(w.simulator, { port }));
      await logged(log, /^submitted the voluntary exit/);
      controller.abort();
      expect((await run).submitted, "exited once the node came back").to.have.length(1);
    });

    it("refuses keys that are none of the operator's deposited keys", async function () {
      const w = await world({ epochs: 0 });
      await expectUserError(
        respond(w, { operatorId: 0, keys: keysOf(1) }),
        /^none of the 2 keys loaded \(mnemonic indices 0 to 1\) is one of the 2 deposited keys of operator 0 \(Operator 0\)/,
      );
    });

    it("refuses a distributed-validator cluster, explaining the threshold signatures an exit needs", async function () {
      const w = await world({ epochs: 0 });
      const timelock = await timelockSigner(connection, w.protocol);
      const members = w.fixture.signers.slice(2, 5).map((signer) => signer.address);
      await (
        await w.protocol.operatorRegistry.connect(timelock).addCluster("DV", members[0]!, members[0]!, 2, members)
      ).wait();
      await expectUserError(
        respond(w, { operatorId: 4 }),
        /^operator 4 \(DV\) is a 2-of-3 distributed-validator cluster: .* needs 2 members' partial signatures over the exit, combined into one/,
      );
    });
  });

  describe("signing keys", function () {
    it("derives the signing keys of a mnemonic's index range", function () {
      const set = keysOf(0, 3, 2);
      const expected = deriveValidatorKeys(mnemonicToSeed(operatorMnemonic(0)), 3, 2).map((key) =>
        ethers.hexlify(key.publicKey),
      );
      expect([...set.keys.keys()], "pubkeys of m/12381/3600/3 and 4").to.deep.equal(expected);
      expect(set.source, "source").to.equal("mnemonic indices 3 to 4");
    });

    it("decrypts a folder's keystores with progress, ignores other files, and names a keystore with a wrong password", async function () {
      const folder = mkdtempSync(path.join(tmpdir(), "plural-exit-keys-"));
      folders.push(folder);
      const derived = deriveValidatorKeys(mnemonicToSeed(operatorMnemonic(0)), 0, 2);
      for (const key of derived) {
        const keystore = await encryptKeystore({
          secret: key.signingKey.toBytes(),
          password: "correct horse",
          path: signingKeyPath(key.index),
          kdf: { function: "scrypt", n: 16 },
        });
        writeFileSync(path.join(folder, `keystore-${key.index}.json`), serializeKeystore(keystore));
      }
      writeFileSync(path.join(folder, "deposit_data-1.json"), "[]");
      const ticks: number[] = [];
      const progress = (total: number): Progress => ({ tick: () => ticks.push(total), finish: () => {} });
      const set = await signingKeysFromKeystores(folder, "correct horse", { progress });
      expect([...set.keys.keys()].sort(), "both keys").to.deep.equal(
        derived.map((key) => ethers.hexlify(key.publicKey)).sort(),
      );
      expect(ticks, "a tick a keystore, of 2").to.deep.equal([2, 2]);
      expect(set.source, "source").to.equal(`2 keystores in ${folder}`);
      try {
        await signingKeysFromKeystores(folder, "wrong horse");
        expect.fail("expected WrongKeystorePasswordError");
      } catch (error) {
        expect(error, "the keystore module's error type").to.be.instanceOf(WrongKeystorePasswordError);
        expect((error as Error).message, "names the file").to.match(/^keystore-\d\.json: wrong password for keystore/);
      }
      await expectUserError(
        signingKeysFromKeystores(path.join(folder, "missing"), "x", { argument: "--keystores" }),
        /^--keystores \S+missing: cannot read it/,
      );
      const empty = mkdtempSync(path.join(tmpdir(), "plural-exit-keys-"));
      folders.push(empty);
      await expectUserError(signingKeysFromKeystores(empty, "x"), /holds no keystore\*\.json file/);
    });
  });

  describe("pure logic", function () {
    const STATUSES = [
      "pending_initialized",
      "pending_queued",
      "active_ongoing",
      "active_exiting",
      "active_slashed",
      "exited_unslashed",
      "exited_slashed",
      "withdrawal_possible",
      "withdrawal_done",
    ] as const;

    it("decides to submit exactly when the key is held, the delay passed and the validator is active, old enough and not exiting", function () {
      const validator = fc.record({
        index: fc.nat({ max: 1_000 }),
        status: fc.constantFrom(...STATUSES),
        activationEpoch: fc.bigInt({ min: 0n, max: 600n }),
        exiting: fc.boolean(),
        exitEpoch: fc.bigInt({ min: 0n, max: 1_000n }),
      });
      fc.assert(
        fc.property(
          fc.option(validator, { nil: null }),
          fc.boolean(),
          fc.bigInt({ min: 0n, max: 10_000n }),
          fc.bigInt({ min: 0n, max: 5_000n }),
          fc.bigInt({ min: 0n, max: 20_000n }),
          fc.bigInt({ min: 0n, max: 1_000n }),
          fc.bigInt({ min: 0n, max: 300n }),
          (drawn, hasKey, requestTime, delaySeconds, now, headEpoch, shardCommitteePeriod) => {
            // A validator's exit epoch is far in the future exactly while it is not exiting.
            const v =
              drawn === null
                ? null
                : {
                    index: drawn.index,
                    status: drawn.status,
                    activationEpoch: drawn.activationEpoch,
                    exitEpoch: drawn.exiting ? drawn.exitEpoch : FAR_FUTURE_EPOCH,
                  };
            const decision = decideExit({
              validator: v,
              hasKey,
              requestTime,
              delaySeconds,
              now,
              headEpoch,
              shardCommitteePeriod,
            });
            const exiting = v !== null && v.exitEpoch !== FAR_FUTURE_EPOCH;
            expect(decision.kind === "done", "done exactly when exiting").to.equal(exiting);
            const eligible =
              v !== null &&
              !exiting &&
              hasKey &&
              now >= requestTime + delaySeconds &&
              !v.status.startsWith("pending") &&
              v.activationEpoch + shardCommitteePeriod <= headEpoch;
            expect(decision.kind === "submit", "submit exactly when eligible").to.equal(eligible);
            if (decision.kind === "submit") {
              expect(decision.epoch, "at the head epoch").to.equal(headEpoch);
              expect(decision.validatorIndex, "its index").to.equal(v!.index);
            }
            if (decision.kind === "noKey") expect(hasKey, "no key").to.equal(false);
            if (decision.kind === "delay") expect(decision.until, "until").to.equal(requestTime + delaySeconds);
          },
        ),
      );
    });

    it("keeps the first request of each key whose validator has not started to exit, in order", function () {
      const progress = fc.constantFrom<ExitProgress>("unknown", "absent", "pending", "active", "exiting", "exited");
      const request = fc.record({ pubkey: fc.constantFrom("0xaa", "0xbb", "0xcc", "0xdd", "0xAA"), progress });
      fc.assert(
        fc.property(fc.array(request, { maxLength: 30 }), (requests) => {
          const outstanding = outstandingRequests(requests);
          const firsts = requests.filter(
            (r, i) => requests.findIndex((other) => other.pubkey.toLowerCase() === r.pubkey.toLowerCase()) === i,
          );
          expect(outstanding, "first requests not started").to.deep.equal(
            firsts.filter((r) => r.progress !== "exiting" && r.progress !== "exited"),
          );
        }),
      );
    });

    it("counts the exits still to start from the target, the larger exited count and the exits under way", function () {
      const count = fc.nat({ max: 50 });
      fc.assert(
        fc.property(count, count, count, count, (target, exitedKeys, exited, exiting) => {
          const state = { targetExited: BigInt(target), exitedKeys: BigInt(exitedKeys) };
          const toStart = exitsToStart(state, { exited, exiting });
          expect(toStart, "the formula").to.equal(BigInt(Math.max(0, target - Math.max(exitedKeys, exited) - exiting)));
          expect(toStart, "never more than owed").to.be.at.most(owedExits(state));
          expect(exitsToStart(state, { exited, exiting: exiting + 1 }), "one more exit under way").to.equal(
            toStart > 0n ? toStart - 1n : 0n,
          );
        }),
      );
      const validators = fc.array(
        fc.record({
          status: fc.constantFrom(...STATUSES),
          exitEpoch: fc.constantFrom(FAR_FUTURE_EPOCH, 5n),
        }),
        { maxLength: 20 },
      );
      fc.assert(
        fc.property(validators, (drawn) => {
          const counts = countExits(drawn);
          const progress = drawn.map((v) => exitProgressOf(v));
          expect(counts.exited, "exited").to.equal(progress.filter((p) => p === "exited").length);
          expect(counts.exiting, "exiting").to.equal(progress.filter((p) => p === "exiting").length);
          expect(counts.exited + counts.exiting, "every validator with an exit epoch").to.equal(
            drawn.filter((v) => v.exitEpoch !== FAR_FUTURE_EPOCH).length,
          );
        }),
      );
    });

    it("reads progress from the exit epoch and status; owes exits only above the exited count; knows lifting refusals", function () {
      expect(exitProgressOf(undefined), "no node").to.equal("unknown");
      expect(exitProgressOf(null), "no validator").to.equal("absent");
      expect(exitProgressOf({ status: "pending_queued", exitEpoch: FAR_FUTURE_EPOCH }), "pending").to.equal("pending");
      expect(exitProgressOf({ status: "active_ongoing", exitEpoch: FAR_FUTURE_EPOCH }), "active").to.equal("active");
      expect(exitProgressOf({ status: "active_slashed", exitEpoch: 9n }), "slashed").to.equal("exiting");
      expect(exitProgressOf({ status: "withdrawal_done", exitEpoch: 9n }), "withdrawn").to.equal("exited");
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 100n }),
          fc.bigInt({ min: 0n, max: 100n }),
          (targetExited, exitedKeys) => {
            const owed = owedExits({ targetExited, exitedKeys });
            expect(owed, "owed").to.equal(targetExited > exitedKeys ? targetExited - exitedKeys : 0n);
          },
        ),
      );
      expect(
        refusalMayLift(
          "Invalid voluntary exit: validator 3 has been active since epoch 1: it may exit from epoch 257 " +
            "(SHARD_COMMITTEE_PERIOD 256), the current epoch is 10",
        ),
        "the simulator's too young",
      ).to.be.true;
      expect(refusalMayLift("Invalid voluntary exit: validator 3 is not active (status pending_queued)"), "pending").to
        .be.true;
      expect(refusalMayLift("Invalid exit: TooYoungToExit"), "lighthouse").to.be.true;
      expect(refusalMayLift("validator is not active"), "not active").to.be.true;
      expect(refusalMayLift("Invalid voluntary exit: the signature is not validator 3's"), "signature").to.be.false;
    });
  });
});
