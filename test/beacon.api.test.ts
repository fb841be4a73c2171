import { createServer } from "node:net";

import { expect } from "chai";
import { getAddress, hexlify } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { type BeaconApiServer, blockRoots, startBeaconApi } from "../lib/beacon/api.js";
import {
  BeaconApiError,
  BeaconConnectionError,
  BeaconClient,
  SimulatorClient,
  withRetry,
} from "../lib/beacon/client.js";
import { minimal } from "../lib/beacon/preset.js";
import { computeVoluntaryExitDomain, signVoluntaryExit } from "../lib/beacon/signing.js";
import { BeaconSimulator } from "../lib/beacon/simulator.js";
import { validatorStatus } from "../lib/beacon/state.js";
import { createDepositSigner } from "../lib/keys/depositData.js";
import { deriveValidatorKeys } from "../lib/keys/derivation.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import type { BeaconDepositMock } from "../typechain-types/index.js";

const GWEI = 1_000_000_000n;
const KEYS = deriveValidatorKeys(new Uint8Array(32).fill(9), 0, 4);
const VALIDATORS = 4;
const pubkey = (i: number) => hexlify(KEYS[i]!.publicKey);
const withdrawalAddress = (i: number) => getAddress("0x" + (0x2000 + i).toString(16).padStart(40, "0"));
const FEE_RECIPIENT = getAddress("0x" + "fe".repeat(20));
const sign = createDepositSigner({ network: BEACON_NETWORKS.local });

interface Answer {
  status: number;
  body: Record<string, unknown> & { data?: unknown };
}

describe("Beacon API", function () {
  let connection: NetworkConnection;
  let sim: BeaconSimulator;
  let api: BeaconApiServer;
  let client: SimulatorClient;

  async function get(path: string): Promise<Answer> {
    const response = await fetch(api.url + path);
    const text = await response.text();
    return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Answer["body"]) };
  }

  async function post(path: string, body: unknown): Promise<Answer> {
    const response = await fetch(api.url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Answer["body"]) };
  }

  function expectError(answer: Answer, status: number, message: RegExp): void {
    expect(answer.status, "status").to.equal(status);
    expect(answer.body.code, "code").to.equal(status);
    expect(answer.body.message, "message").to.match(message);
  }

  before(async function () {
    connection = await network.create();
    const mock = (await connection.ethers.deployContract("BeaconDepositMock")) as unknown as BeaconDepositMock;
    for (let i = 0; i < VALIDATORS; i++) {
      const entry = sign(KEYS[i]!.signingKey, "0x01" + "00".repeat(11) + withdrawalAddress(i).slice(2).toLowerCase());
      await (
        await mock.deposit(
          "0x" + entry.pubkey,
          "0x" + entry.withdrawal_credentials,
          "0x" + entry.signature,
          "0x" + entry.deposit_data_root,
          { value: 32n * GWEI * GWEI },
        )
      ).wait();
    }
    sim = await BeaconSimulator.create(connection.provider, {
      depositContract: await mock.getAddress(),
      preset: "minimal",
      rewardRateBps: 10_000,
      feeRecipient: FEE_RECIPIENT,
      historyEpochs: 8,
    });
    // Minimal churn activates 2 a epoch from epoch 7: all 4 by epoch 8; then old enough to exit.
    await sim.advance(9);
    await sim.advance(Number(minimal.SHARD_COMMITTEE_PERIOD));
    await sim.advance(1);
    api = await startBeaconApi(sim, { port: 0 });
    client = new SimulatorClient(api.url);
  });

  after(async function () {
    await api?.close();
  });

  describe("node and config", function () {
    it("serves genesis, spec, deposit contract, version, syncing and health", async function () {
      const genesis = await client.genesis();
      expect(genesis, "genesis").to.deep.equal({
        genesisTime: sim.genesisTime,
        genesisValidatorsRoot: sim.genesisValidatorsRoot,
        genesisForkVersion: "0x00007a69",
      });
      const raw = await get("/eth/v1/beacon/genesis");
      expect(raw.body.data, "raw genesis, numbers as strings").to.deep.equal({
        genesis_time: sim.genesisTime.toString(),
        genesis_validators_root: sim.genesisValidatorsRoot,
        genesis_fork_version: "0x00007a69",
      });

      const spec = await client.spec();
      expect(spec.PRESET_BASE, "preset").to.equal("minimal");
      expect(spec.SECONDS_PER_SLOT, "seconds per slot").to.equal("6");
      expect(spec.SLOTS_PER_EPOCH, "slots per epoch").to.equal("8");
      expect(spec.GENESIS_FORK_VERSION, "genesis fork").to.equal("0x00007a69");
      expect(spec.CAPELLA_FORK_VERSION, "capella fork").to.equal("0x03007a69");
      expect(spec.DOMAIN_VOLUNTARY_EXIT, "exit domain").to.equal("0x04000000");
      expect(spec.DEPOSIT_CONTRACT_ADDRESS, "deposit contract").to.equal(sim.depositContract);
      expect((await get("/eth/v1/config/deposit_contract")).body.data, "deposit contract").to.deep.equal({
        chain_id: "31337",
        address: sim.depositContract,
      });

      expect(await client.version(), "version").to.match(/^Plural\/beacon-simulator\//);
      expect(await client.syncing(), "syncing").to.deep.equal({
        headSlot: sim.headSlot,
        syncDistance: 0n,
        isSyncing: false,
        isOptimistic: false,
      });
      const health = await get("/eth/v1/node/health");
      expect(health.status, "health").to.equal(200);
    });
  });

  describe("blocks", function () {
    it("serves headers and blocks by head, genesis, checkpoint, slot and root", async function () {
      const headBlock = sim.headBlock()!;
      const head = await client.header("head");
      expect(head?.slot, "head slot").to.equal(headBlock.slot);
      expect(head?.root, "head root").to.equal(blockRoots(headBlock).root);
      expect((await client.header(head!.root))?.slot, "by root").to.equal(head!.slot);
      expect((await client.header(Number(head!.slot)))?.root, "by slot").to.equal(head!.root);
      const parent = await client.header(head!.parentRoot);
      expect(parent?.slot, "parent before head").to.be.lessThan(head!.slot);

      expect((await client.header("genesis"))?.slot, "genesis").to.equal(0n);
      const finalized = await client.header("finalized");
      expect(finalized!.slot, "finalized block at or before the checkpoint").to.be.at.most(
        sim.finalizedEpoch * minimal.SLOTS_PER_EPOCH,
      );
      const raw = await get("/eth/v1/beacon/headers/finalized");
      expect(raw.body.finalized, "finalized flag").to.equal(true);
      expect(raw.body.execution_optimistic, "not optimistic").to.equal(false);
      expect((await get("/eth/v1/beacon/headers/head")).body.finalized, "head not finalized").to.equal(false);
      expect((await client.header("justified"))!.slot, "justified").to.be.at.least(finalized!.slot);

      const block = await client.block("head");
      const execution = await connection.provider.request({
        method: "eth_getBlockByNumber",
        params: ["0x" + headBlock.executionBlock.number.toString(16), false],
      });
      const { hash, timestamp } = execution as { hash: string; timestamp: string };
      expect(block, "block").to.deep.include({
        slot: headBlock.slot,
        proposerIndex: headBlock.proposerIndex,
        executionBlockNumber: headBlock.executionBlock.number,
        executionBlockHash: hash,
        executionTimestamp: BigInt(timestamp),
        feeRecipient: FEE_RECIPIENT.toLowerCase(),
      });
      const rawBlock = await get("/eth/v2/beacon/blocks/head");
      expect(rawBlock.body.version, "fork").to.equal("deneb");
      const message = (rawBlock.body.data as { message: { slot: string; body: { execution_payload: object } } })
        .message;
      expect(message.slot, "slot as a string").to.equal(headBlock.slot.toString());
      expect(message.body.execution_payload, "payload").to.include({
        block_number: headBlock.executionBlock.number.toString(),
        block_hash: hash,
        timestamp: BigInt(timestamp).toString(),
      });
    });

    it("answers 404 for an empty, future or unkept slot and 400 for a malformed id", async function () {
      const kept = sim.keptBlocks();
      let empty = sim.headSlot - 1n;
      while (kept.some((b) => b.slot === empty)) empty--;
      expect(await client.header(empty), "empty slot header").to.equal(null);
      expect(await client.block(empty), "empty slot block").to.equal(null);
      expectError(await get(`/eth/v1/beacon/headers/${empty}`), 404, /slot is empty/);
      expectError(await get(`/eth/v2/beacon/blocks/${sim.headSlot + 5n}`), 404, /head slot is/);
      expectError(await get("/eth/v1/beacon/headers/1"), 404, /not kept|empty/);
      expectError(await get("/eth/v1/beacon/headers/0xabc"), 400, /Invalid block ID: 0xabc/);
      expectError(await get("/eth/v1/beacon/headers/" + "0x" + "00".repeat(32)), 404, /No block with root/);
    });
  });

  describe("validators", function () {
    it("lists validators with id and status filters, by GET and POST", async function () {
      const all = await client.validators("head");
      expect(
        all.map((v) => v.index),
        "all",
      ).to.deep.equal([0, 1, 2, 3]);
      expect(all[0], "fields").to.deep.include({
        pubkey: pubkey(0),
        status: "active_ongoing",
        effectiveBalanceGwei: 32n * GWEI,
        slashed: false,
        exitEpoch: minimal.FAR_FUTURE_EPOCH,
      });
      expect(all[0]!.withdrawalCredentials, "credentials").to.equal(
        "0x01" + "00".repeat(11) + withdrawalAddress(0).slice(2).toLowerCase(),
      );

      const byIds = await get(`/eth/v1/beacon/states/head/validators?id=2,${pubkey(0)}&id=1&id=99`);
      expect(
        (byIds.body.data as { index: string }[]).map((v) => v.index),
        "ids comma-separated and repeated, unknown left out, index order",
      ).to.deep.equal(["0", "1", "2"]);
      const raw = (byIds.body.data as Record<string, unknown>[])[0]!;
      expect(raw.balance, "balance as a decimal string").to.match(/^\d+$/);
      expect(raw.validator, "validator fields").to.include.keys(
        "pubkey",
        "withdrawal_credentials",
        "effective_balance",
        "slashed",
        "activation_eligibility_epoch",
        "activation_epoch",
        "exit_epoch",
        "withdrawable_epoch",
      );

      expect((await client.validators("head", [], ["active"])).length, "group filter").to.equal(4);
      expect((await client.validators("head", [], ["active_ongoing"])).length, "exact filter").to.equal(4);
      expect((await client.validators("head", [], ["pending", "exited"])).length, "no match").to.equal(0);

      const posted = await post("/eth/v1/beacon/states/head/validators", {
        ids: ["3", pubkey(1)],
        statuses: ["active_ongoing"],
      });
      expect(
        (posted.body.data as { index: string }[]).map((v) => v.index),
        "POST",
      ).to.deep.equal(["1", "3"]);

      // 150 ids: two batches, each in a POST body.
      const many = Array.from({ length: 150 }, (_, i) => i);
      expect(
        (await client.validators("head", many)).map((v) => v.index),
        "batched",
      ).to.deep.equal([0, 1, 2, 3]);

      expect((await client.validator("head", pubkey(2)))?.index, "one by pubkey").to.equal(2);
      expect((await client.validator("head", 3))?.pubkey, "one by index").to.equal(pubkey(3));
      expect(await client.validator("head", 42), "unknown").to.equal(null);
      expectError(await get("/eth/v1/beacon/states/head/validators/42"), 404, /Validator not found: 42/);
    });

    it("serves states by head, finalized, justified, genesis and slot; 404 beyond history or in the future", async function () {
      const genesis = await client.validators("genesis");
      expect(
        genesis.map((v) => v.status),
        "genesis: end of epoch 0",
      ).to.deep.equal(Array(VALIDATORS).fill("pending_initialized"));
      const finalized = await get("/eth/v1/beacon/states/finalized/validators?id=0");
      expect(finalized.body.finalized, "finalized flag").to.equal(true);
      expect((await get("/eth/v1/beacon/states/head/validators?id=0")).body.finalized, "head").to.equal(false);
      const slot = (sim.headEpoch - 1n) * minimal.SLOTS_PER_EPOCH + 2n;
      const atSlot = await client.validators(slot, [0]);
      const lookup = sim.stateAtSlot(slot);
      if (lookup.kind !== "found") throw new Error("state missing");
      expect(atSlot[0]!.balanceGwei, "state at a slot: its epoch's").to.equal(lookup.state.validators[0]!.balance);
      expect((await client.validators("justified", [0])).length, "justified").to.equal(1);

      expectError(await get(`/eth/v1/beacon/states/${sim.headSlot + 1n}/validators`), 404, /head slot is/);
      expectError(await get("/eth/v1/beacon/states/9/validators"), 404, /not kept/);
      expectError(await get("/eth/v1/beacon/states/nope/validators"), 400, /Invalid state ID: nope/);
      expectError(await get("/eth/v1/beacon/states/head/validators?id=0x1234"), 400, /Invalid validator ID/);
      expectError(await get("/eth/v1/beacon/states/head/validators?status=sleeping"), 400, /Invalid validator status/);
      expectError(await post("/eth/v1/beacon/states/head/validators", { ids: "0" }), 400, /Invalid ids/);
    });

    it("serves finality checkpoints", async function () {
      const checkpoints = await client.finalityCheckpoints("head");
      expect(checkpoints.finalized.epoch, "finalized").to.equal(sim.headEpoch - 2n);
      expect(checkpoints.currentJustified.epoch, "justified").to.equal(sim.headEpoch - 1n);
      expect(checkpoints.previousJustified.epoch, "previous justified").to.equal(sim.headEpoch - 2n);
      expect(checkpoints.finalized.root, "root of the checkpoint block").to.equal(
        blockRoots(sim.latestBlockAtOrBefore(checkpoints.finalized.epoch * minimal.SLOTS_PER_EPOCH)!).root,
      );
      const raw = await get("/eth/v1/beacon/states/finalized/finality_checkpoints");
      expect(raw.status, "status").to.equal(200);
      expect(raw.body.data, "shape").to.have.keys("previous_justified", "current_justified", "finalized");
    });
  });

  describe("voluntary exits", function () {
    it("accepts a correctly signed exit and refuses a wrong signature, an unknown validator or a bad body", async function () {
      const domain = computeVoluntaryExitDomain(sim.capellaForkVersion, sim.genesisValidatorsRoot);
      const epoch = sim.headEpoch;
      const wrong = signVoluntaryExit(KEYS[2]!.signingKey, { epoch, validatorIndex: 1 }, domain);
      await expect(client.submitVoluntaryExit(wrong), "wrong key").to.be.rejectedWith(
        BeaconApiError,
        /HTTP 400: Invalid voluntary exit: the signature is not validator 1's/,
      );
      const raw = await post("/eth/v1/beacon/pool/voluntary_exits", {
        message: { epoch: epoch.toString(), validator_index: "77" },
        signature: wrong.signature,
      });
      expectError(raw, 400, /no validator at index 77/);
      expectError(
        await post("/eth/v1/beacon/pool/voluntary_exits", { message: { epoch: "x" }, signature: "0x" }),
        400,
        /message.epoch: expected a decimal string/,
      );
      expectError(await post("/eth/v1/beacon/pool/voluntary_exits", "{not json"), 400, /Invalid JSON body/);

      const right = signVoluntaryExit(KEYS[1]!.signingKey, { epoch, validatorIndex: 1 }, domain);
      await client.submitVoluntaryExit(right);
      expect((await client.validator("head", 1))?.status, "exiting").to.equal("active_exiting");
      await expect(client.submitVoluntaryExit(right), "twice").to.be.rejectedWith(BeaconApiError, /already exiting/);
    });
  });

  describe("control endpoints", function () {
    it("reports status, advances, syncs and slashes", async function () {
      const status = await client.status();
      expect(status, "status").to.deep.include({
        preset: "minimal",
        chainId: 31337n,
        headEpoch: sim.headEpoch,
        validators: VALIDATORS,
      });
      expect(status!.deposits, "deposits").to.deep.equal({ seen: 4, created: 4, toppedUp: 0, lost: 0 });
      const epoch = sim.headEpoch;
      const advanced = await client.advance(2);
      expect(advanced.headEpoch, "advanced").to.equal(epoch + 2n);
      expect((await client.sync()).payment, "synced, nothing owed").to.equal(undefined);

      const slashed = await client.slash(pubkey(3));
      expect(slashed, "slashed").to.deep.equal({ index: 3, status: "active_slashed" });
      expect(validatorStatus(sim.headState(), 3), "in the simulator").to.equal("active_slashed");
      await expect(client.slash(3), "twice").to.be.rejectedWith(BeaconApiError, /HTTP 400: .*cannot be slashed/);
      await expect(client.slash(99), "unknown").to.be.rejectedWith(
        BeaconApiError,
        /HTTP 404: no validator at index 99/,
      );
      const penalized = await client.penalize(2, 1000n);
      expect(penalized.index, "penalized").to.equal(2);
      expectError(await post("/plural/v1/advance", { epochs: "0" }), 400, /epochs: expected 1 to 1000000/);
      expectError(await post("/plural/v1/slash", {}), 400, /expected \{validator\}/);
    });
  });

  describe("errors", function () {
    it("answers unknown routes with 404, wrong methods with 405, both with the standard body", async function () {
      expectError(await get("/eth/v1/nothing/here"), 404, /Route GET \/eth\/v1\/nothing\/here not found/);
      expectError(await post("/eth/v1/beacon/genesis", {}), 405, /Method POST not allowed/);
      expectError(await get("/eth/v1/beacon/states/%E0%A4%A/validators"), 400, /percent-encoding/);
    });

    it("names the URL and status of an error answer, and says when no node answers", async function () {
      const failure = await client.header("0xzz").catch((error: unknown) => error);
      expect(failure, "API error").to.be.instanceOf(BeaconApiError);
      expect((failure as BeaconApiError).status, "status").to.equal(400);
      expect((failure as Error).message, "message").to.contain(`${api.url}/eth/v1/beacon/headers/0xzz: HTTP 400`);

      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, "127.0.0.1", () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const nobody = new BeaconClient(`http://127.0.0.1:${port}`);
      await expect(nobody.genesis(), "refused").to.be.rejectedWith(
        BeaconConnectionError,
        new RegExp(`no beacon node at http://127.0.0.1:${port}: .*ECONNREFUSED`),
      );
      expect(() => new BeaconClient("localhost:5052"), "not a URL").to.throw(TypeError, /expected http/);
    });

    it("retries transient failures with backoff, and not client errors", async function () {
      const delays: number[] = [];
      let calls = 0;
      const value = await withRetry(
        async () => {
          calls++;
          if (calls < 3) throw new BeaconConnectionError("http://127.0.0.1:1", new Error("ECONNREFUSED"));
          return "ok";
        },
        { attempts: 4, baseDelayMs: 1, onRetry: (_error, _attempt, delayMs) => delays.push(delayMs) },
      );
      expect(value, "value").to.equal("ok");
      expect(delays, "doubling delays").to.deep.equal([1, 2]);

      let tries = 0;
      const refused = withRetry(
        async () => {
          tries++;
          throw new BeaconApiError("GET x", 400, "bad");
        },
        { attempts: 4, baseDelayMs: 1 },
      );
      await expect(refused, "400 thrown at once").to.be.rejectedWith(BeaconApiError);
      expect(tries, "one try").to.equal(1);
    });
  });
});
