import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { expect } from "chai";
import { getAddress, parseEther, recoverAddress, Signature, TypedDataEncoder } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { describeConcentration, herfindahlHirschmanIndex, nakamotoCoefficient } from "../lib/decentralization.js";
import { computeDepositDataRoot } from "../lib/depositData.js";
import { UserInputError } from "../lib/errors.js";
import { advanceOperation, describeOutcome, localDelaySkipper } from "../lib/governance.js";
import {
  type DepositDataEntry,
  executionWithdrawalCredentials,
  generateDepositData,
  VALIDATOR_DEPOSIT_GWEI,
} from "../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import {
  checkVettedKeys,
  committedKeys,
  formatOperators,
  listOperators,
  parseOperatorId,
  readCommittedBatches,
  type RegistryRequest,
  registryOperation,
  resolveProposer,
} from "../lib/operators.js";
import { deposit } from "../lib/pool.js";
import type { Protocol } from "../lib/protocol.js";
import {
  type AttestationFile,
  attestationStruct,
  connectedBeaconNetwork,
  guardianCheck,
  mergeAttestations,
  parseAttestation,
  planStake,
  readDepositLogs,
  signAttestation,
  stake,
  submitKeys,
} from "../lib/staking.js";
import { renderGrid } from "../lib/table.js";
import { expectUserError, pluralFixture, timelockSigner } from "./helpers/protocol.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);

const LOCAL = BEACON_NETWORKS.local;
const VALIDATOR_ETHER = parseEther("32");
// deploy/parameters/local.json
const TIMELOCK_DELAY = 3600n;
const SHARE_CAP_BPS = 3000n;

const signers = await ethers.getSigners();
function account(index: number): HardhatEthersSigner {
  const signer = signers[index];
  if (signer === undefined) throw new Error(`tests need account #${index}`);
  return signer;
}
const staker = account(0);
const governance = account(1);
const stranger = account(5);
const depositor = account(16);
const guardians = [account(17), account(18), account(19)] as const;
const managers = [8, 9, 10, 11, 12, 13].map(account);
const manager = (operatorId: number) => managers[operatorId]!;
const OPERATOR_NAMES = ["Aurora Staking", "Borealis Nodes", "Cirrus Validators", "Delta Nodes", "Equinox", "Fjord"];
const skipDelay = localDelaySkipper(connection.provider, "default", true);

/** A fixed, valid 24-word mnemonic per seed. */
const mnemonicOf = (seed: number) => entropyToMnemonic(new Uint8Array(32).fill(seed), wordlist);

const depositDataCache = new Map<string, DepositDataEntry[]>();
/** Real BLS deposits of mnemonic `seed` (keys start..start+count) for `withdrawalAddress`, made once per run. */
function depositData(seed: number, count: number, withdrawalAddress: string, start = 0): DepositDataEntry[] {
  const cacheKey = `${seed}:${start}:${count}:${withdrawalAddress}`;
  let entries = depositDataCache.get(cacheKey);
  if (entries === undefined) {
    entries = generateDepositData({
      mnemonic: mnemonicOf(seed),
      start,
      count,
      network: LOCAL,
      withdrawal: { kind: "execution", address: withdrawalAddress },
    }).deposits;
    depositDataCache.set(cacheKey, entries);
  }
  return entries;
}

/** Deposits staking to the protocol's vault. */
const keysFor = (protocol: Protocol, seed: number, count: number, start = 0) =>
  depositData(seed, count, protocol.addresses.withdrawalVault, start);

const hex = (entry: DepositDataEntry, field: "pubkey" | "signature") => `0x${entry[field]}`;
const packed = (entries: readonly DepositDataEntry[], field: "pubkey" | "signature") =>
  `0x${entries.map((entry) => entry[field]).join("")}`;
/** Escapes `text` for a RegExp. */
const literal = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

/** Governance's request, through the timelock, the delay skipped. */
async function govern(protocol: Protocol, request: RegistryRequest) {
  const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, request);
  return advanceOperation(protocol.timelock, governance, operation, skipDelay);
}

const addRequest = (operatorId: number): RegistryRequest => ({
  kind: "add",
  name: OPERATOR_NAMES[operatorId]!,
  manager: manager(operatorId).address,
  rewardAddress: manager(operatorId).address,
});

/** Commits keys as the manager, straight to the registry: none of `submitKeys`' checks. */
async function commitRaw(protocol: Protocol, operatorId: number, entries: readonly DepositDataEntry[]) {
  await (
    await protocol.operatorRegistry
      .connect(manager(operatorId))
      .addKeys(operatorId, packed(entries, "pubkey"), packed(entries, "signature"))
  ).wait();
}

/** A deposit straight to the mock deposit contract, as anyone may make one. */
async function depositDirectly(protocol: Protocol, entry: DepositDataEntry, credentials: string) {
  const root = computeDepositDataRoot(
    hex(entry, "pubkey"),
    credentials,
    VALIDATOR_DEPOSIT_GWEI,
    hex(entry, "signature"),
  );
  await (
    await protocol.depositContract
      .connect(stranger)
      .deposit(hex(entry, "pubkey"), credentials, hex(entry, "signature"), root, { value: VALIDATOR_ETHER })
  ).wait();
}

async function fillBuffer(protocol: Protocol, validators: number) {
  await deposit(protocol.pool, depositor, VALIDATOR_ETHER * BigInt(validators));
}

/** A guardian check of the latest block signed by `by` (a quorum by default), merged. */
async function attest(protocol: Protocol, by: readonly HardhatEthersSigner[] = guardians.slice(0, 2)) {
  const report = await guardianCheck(protocol, LOCAL);
  const files: AttestationFile[] = [];
  for (const guardian of by) files.push(await signAttestation(protocol, guardian, report));
  return mergeAttestations(files);
}

/** Asserts that `action` is refused with a `UserInputError` and that no transaction went out. */
async function expectRefusedBeforeSending(
  protocol: Protocol,
  signer: HardhatEthersSigner,
  action: () => Promise<unknown>,
  pattern: RegExp,
) {
  const registry = protocol.operatorRegistry;
  const operators = await listOperators(registry);
  const nonce = await registry.nonce();
  const sent = await ethers.provider.getTransactionCount(signer.address);
  const block = await ethers.provider.getBlockNumber();
  await expectUserError(action, pattern);
  expect(await listOperators(registry), "the registry's operators are unchanged").to.deep.equal(operators);
  expect(await registry.nonce(), "the registry's nonce is unchanged").to.equal(nonce);
  expect(await ethers.provider.getTransactionCount(signer.address), "the signer's nonce is unchanged").to.equal(sent);
  expect(await ethers.provider.getBlockNumber(), "no block was mined").to.equal(block);
}

/** The deployment with operators 0-3 added by governance (managers #8-#11), no keys. */
async function withOperators() {
  const fixture = await networkHelpers.loadFixture(deployPlural);
  for (let operatorId = 0; operatorId < 4; operatorId++) await govern(fixture.protocol, addRequest(operatorId));
  return fixture;
}

/** `withOperators`, each operator with 3 keys (seed = id + 1) submitted two a batch and all vetted; empty buffer. */
async function withVettedKeys() {
  const fixture = await networkHelpers.loadFixture(withOperators);
  const { protocol } = fixture;
  for (let operatorId = 0; operatorId < 4; operatorId++) {
    await submitKeys(protocol, manager(operatorId), operatorId, keysFor(protocol, operatorId + 1, 3), {
      network: LOCAL,
      batchSize: 2,
    });
    await govern(protocol, { kind: "vet", operatorId, vettedKeys: 3n });
  }
  return fixture;
}

describe("staking library", function () {
  describe("governance", function () {
    describe("advanceOperation", function () {
      it("schedules a new operation, refuses it before the delay and executes it after", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const { timelock, operatorRegistry: registry } = protocol;
        const operation = await registryOperation(timelock, registry, addRequest(0));

        const scheduled = await advanceOperation(timelock, governance, operation);
        const readyAt = BigInt(await networkHelpers.time.latest()) + TIMELOCK_DELAY;
        expect(scheduled.status, "first run").to.equal("scheduled");
        expect(scheduled.readyAt, "ready at").to.equal(readyAt);
        expect(await timelock.isOperationPending(operation.id), "pending on the timelock").to.equal(true);
        expect(await registry.operatorCount(), "not executed yet").to.equal(0n);
        const readyText = new Date(Number(readyAt) * 1000).toISOString();
        expect(describeOutcome(scheduled), "scheduled outcome")
          .to.include(operation.description)
          .and.include(readyText);

        await expectUserError(
          advanceOperation(timelock, governance, operation),
          literal(`can be executed from ${readyText}`),
        );

        await networkHelpers.time.increase(TIMELOCK_DELAY);
        const executed = await advanceOperation(timelock, governance, operation);
        expect(executed.status, "second run").to.equal("executed");
        expect(await timelock.isOperationDone(operation.id), "done on the timelock").to.equal(true);
        expect(await registry.operatorCount(), "operator added").to.equal(1n);
        expect(describeOutcome(executed), "executed outcome").to.equal(
          `Executed through the timelock: ${operation.description} (tx ${executed.txHash})`,
        );
      });

      it("schedules and executes in one go with skipDelay", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const before = BigInt(await networkHelpers.time.latest());
        const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, addRequest(0));
        const outcome = await advanceOperation(protocol.timelock, governance, operation, skipDelay);
        expect(outcome.status, "status").to.equal("executed");
        expect(await protocol.operatorRegistry.operatorCount(), "operator added").to.equal(1n);
        expect(BigInt(await networkHelpers.time.latest()) - before, "clock moved by the delay").to.be.gte(
          TIMELOCK_DELAY,
        );
      });

      it("finishes with skipDelay an operation an earlier run scheduled", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, addRequest(0));
        await advanceOperation(protocol.timelock, governance, operation);
        const outcome = await advanceOperation(protocol.timelock, governance, operation, skipDelay);
        expect(outcome.status, "status").to.equal("executed");
        expect(await protocol.operatorRegistry.operatorCount(), "operator added").to.equal(1n);
      });

      it("refuses a signer without PROPOSER_ROLE before sending anything", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, addRequest(0));
        const sent = await ethers.provider.getTransactionCount(stranger.address);
        await expectUserError(
          advanceOperation(protocol.timelock, stranger, operation, skipDelay),
          new RegExp(`${stranger.address} may not propose.*PROPOSER_ROLE`),
        );
        expect(await protocol.timelock.isOperation(operation.id), "not scheduled").to.equal(false);
        expect(await ethers.provider.getTransactionCount(stranger.address), "nothing sent").to.equal(sent);
      });

      it("refuses a signer without EXECUTOR_ROLE once the operation is ready", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, addRequest(0));
        await advanceOperation(protocol.timelock, governance, operation);
        await networkHelpers.time.increase(TIMELOCK_DELAY);
        await expectUserError(advanceOperation(protocol.timelock, stranger, operation), /lacks EXECUTOR_ROLE/);
        expect(await protocol.timelock.isOperationDone(operation.id), "not executed").to.equal(false);
      });

      it("refuses an operation already executed", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const operation = await registryOperation(protocol.timelock, protocol.operatorRegistry, addRequest(0));
        await advanceOperation(protocol.timelock, governance, operation, skipDelay);
        await expectUserError(
          advanceOperation(protocol.timelock, governance, operation, skipDelay),
          literal(`"${operation.description}" was already executed (operation ${operation.id})`),
        );
        expect(await protocol.operatorRegistry.operatorCount(), "added once").to.equal(1n);
      });
    });

    describe("localDelaySkipper", function () {
      it("refuses a network that is not local", function () {
        expect(() => localDelaySkipper(connection.provider, "sepolia", false), "sepolia").to.throw(
          UserInputError,
          /local networks only, not "sepolia"/,
        );
      });

      it("moves a local chain's clock", async function () {
        await networkHelpers.loadFixture(deployPlural);
        const before = await networkHelpers.time.latest();
        await skipDelay(500n);
        expect(await networkHelpers.time.latest(), "latest block's time").to.be.gte(before + 500);
      });
    });

    describe("resolveProposer", function () {
      it("picks the governance account (#1) by default and honours --from", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        expect((await resolveProposer(ethers, protocol.timelock, "")).address, "default").to.equal(governance.address);
        expect((await resolveProposer(ethers, protocol.timelock, "  ")).address, "blank").to.equal(governance.address);
        expect((await resolveProposer(ethers, protocol.timelock, "7")).address, "--from 7").to.equal(
          account(7).address,
        );
        expect(
          (await resolveProposer(ethers, protocol.timelock, stranger.address.toLowerCase())).address,
          "--from <address>",
        ).to.equal(stranger.address);
        await expectUserError(resolveProposer(ethers, protocol.timelock, "99"), /--from 99: .*from 0 to 19/);
      });

      it("says so when no account may propose", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const timelock = protocol.timelock.connect(await timelockSigner(connection, protocol));
        await (await timelock.revokeRole(await timelock.PROPOSER_ROLE(), governance.address)).wait();
        await expectUserError(
          resolveProposer(ethers, protocol.timelock, ""),
          /none of this network's accounts may propose/,
        );
      });
    });
  });

  describe("operators", function () {
    describe("registryOperation", function () {
      it("adds an operator and a cluster, vets keys and deactivates and reactivates an operator", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        const registry = protocol.operatorRegistry;

        const add = await registryOperation(protocol.timelock, registry, addRequest(0));
        expect(add.target, "target").to.equal(protocol.addresses.operatorRegistry);
        expect(add.id, "operation id").to.equal(
          await protocol.timelock.hashOperation(add.target, 0n, add.data, ethers.ZeroHash, add.salt),
        );
        await advanceOperation(protocol.timelock, governance, add, skipDelay);
        const added = await registry.getOperator(0);
        expect(added.name, "name").to.equal(OPERATOR_NAMES[0]);
        expect(added.manager, "manager").to.equal(manager(0).address);
        expect(added.rewardAddress, "reward address").to.equal(manager(0).address);
        expect(added.active, "active").to.equal(true);
        expect(added.clusterThreshold, "single operator").to.equal(0n);

        const members = [account(12).address, account(13).address, account(14).address];
        await govern(protocol, {
          kind: "addCluster",
          name: "Echo DV",
          manager: manager(1).address,
          rewardAddress: account(15).address,
          threshold: 2,
          members,
        });
        const cluster = await registry.getOperator(1);
        expect(cluster.name, "cluster name").to.equal("Echo DV");
        expect(cluster.rewardAddress, "cluster reward address").to.equal(account(15).address);
        expect(cluster.clusterThreshold, "threshold").to.equal(2n);
        expect([...cluster.clusterMembers], "members").to.deep.equal(members);

        await submitKeys(protocol, manager(0), 0, keysFor(protocol, 1, 3), { network: LOCAL });
        await govern(protocol, { kind: "vet", operatorId: 0, vettedKeys: 2n });
        expect((await registry.getOperator(0)).vettedKeys, "vetted").to.equal(2n);

        await govern(protocol, { kind: "setActive", operatorId: 0, active: false });
        const deactivated = await registry.getOperator(0);
        expect(deactivated.active, "deactivated").to.equal(false);
        expect(deactivated.vettedKeys, "deactivation unvets").to.equal(0n);
        await govern(protocol, { kind: "setActive", operatorId: 0, active: true });
        expect((await registry.getOperator(0)).active, "reactivated").to.equal(true);
      });
    });

    describe("checkVettedKeys", function () {
      it("accepts counts from deposited to submitted and refuses others, naming the range", async function () {
        const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
        const registry = protocol.operatorRegistry;
        await checkVettedKeys(registry, 0, 0n);
        await checkVettedKeys(registry, 0, 2n);
        await expectUserError(
          checkVettedKeys(registry, 0, 3n),
          literal("operator 0 already has 3 keys vetted: nothing to change"),
        );
        await expectUserError(
          checkVettedKeys(registry, 0, 4n),
          literal("--keys 4 is out of range for operator 0: expected from 0 (deposited) to 3 (submitted)"),
        );
        await fillBuffer(protocol, 4);
        await stake(protocol, staker, await planStake(protocol), await attest(protocol));
        await expectUserError(
          checkVettedKeys(registry, 0, 0n),
          literal("expected from 1 (deposited) to 3 (submitted)"),
        );
      });
    });

    describe("parseOperatorId", function () {
      it("says the registry has none yet", async function () {
        const { protocol } = await networkHelpers.loadFixture(deployPlural);
        await expectUserError(
          parseOperatorId(protocol.operatorRegistry, "0"),
          literal("--operator 0 is not an operator: the registry has none yet"),
        );
      });

      it("accepts a known id and refuses text, negatives and unknown ids, naming the valid range", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        const registry = protocol.operatorRegistry;
        expect(await parseOperatorId(registry, "3"), "last id").to.equal(3);
        expect(await parseOperatorId(registry, " 0 "), "padded").to.equal(0);
        await expectUserError(
          parseOperatorId(registry, "x"),
          /--operator "x" is not an operator id: expected a whole number/,
        );
        await expectUserError(parseOperatorId(registry, "-1"), /--operator "-1" is not an operator id/);
        await expectUserError(parseOperatorId(registry, "1.5"), /--operator "1.5" is not an operator id/);
        await expectUserError(
          parseOperatorId(registry, "4", "--id"),
          literal("--id 4 is not an operator: the registry has ids 0 to 3"),
        );
      });
    });
  });

  describe("submitKeys", function () {
    it("commits verified keys in batches that readCommittedBatches rebuilds", async function () {
      const { protocol } = await networkHelpers.loadFixture(withOperators);
      const registry = protocol.operatorRegistry;
      const entries = keysFor(protocol, 1, 7);
      const progress: [number, number][] = [];

      const receipt = await submitKeys(protocol, manager(0), 0, entries, {
        network: LOCAL,
        batchSize: 3,
        onBatch: (done, total) => progress.push([done, total]),
      });

      expect(receipt.operatorId, "operator").to.equal(0);
      expect(receipt.keys, "keys").to.equal(7);
      expect(
        receipt.batches.map(({ firstIndex, count }) => [firstIndex, count]),
        "batches (first index, count)",
      ).to.deep.equal([
        [0, 3],
        [3, 3],
        [6, 1],
      ]);
      for (const [i, batch] of receipt.batches.entries()) {
        const mined = await ethers.provider.getTransactionReceipt(batch.txHash);
        expect(mined?.gasUsed, `batch ${i} gas`).to.equal(batch.gasUsed).and.to.be.greaterThan(0n);
      }
      expect(progress, "progress").to.deep.equal([
        [3, 7],
        [6, 7],
        [7, 7],
      ]);
      expect((await registry.getOperator(0)).totalKeys, "registry total keys").to.equal(7n);
      expect(await registry.batchCount(0), "registry batches").to.equal(3n);

      const batches = await readCommittedBatches(registry);
      expect(batches.length, "rebuilt batches").to.equal(3);
      for (const [i, batch] of batches.entries()) {
        const stored = await registry.getBatch(0, i);
        expect(batch.root, `batch ${i} root`).to.equal(stored.root);
        expect(
          [batch.operatorId, batch.batchIndex, batch.firstIndex, batch.size, batch.end],
          `batch ${i}`,
        ).to.deep.equal([0, i, 3 * i, i < 2 ? 3 : 1, Math.min(3 * i + 3, 7)]);
      }
      const keys = committedKeys(batches);
      expect(
        keys.map((key) => [key.index, key.pubkey, key.signature]),
        "committed keys in order",
      ).to.deep.equal(entries.map((entry, i) => [i, hex(entry, "pubkey"), hex(entry, "signature")]));
      expect(
        keys.map((key) => key.batchIndex),
        "batch of each key",
      ).to.deep.equal([0, 0, 0, 1, 1, 1, 2]);
    });

    describe("refuses before sending anything", function () {
      it("a signer that is not the operator's manager", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        await expectRefusedBeforeSending(
          protocol,
          stranger,
          () => submitKeys(protocol, stranger, 0, keysFor(protocol, 1, 2), { network: LOCAL }),
          literal(`${stranger.address} is not the manager of operator 0 (${manager(0).address} is)`),
        );
      });

      it("an inactive operator", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        await govern(protocol, { kind: "setActive", operatorId: 1, active: false });
        await expectRefusedBeforeSending(
          protocol,
          manager(1),
          () => submitKeys(protocol, manager(1), 1, keysFor(protocol, 1, 2), { network: LOCAL }),
          /operator 1 is inactive/,
        );
      });

      it("no entries", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        await expectRefusedBeforeSending(
          protocol,
          manager(0),
          () => submitKeys(protocol, manager(0), 0, [], { network: LOCAL }),
          /holds no deposits/,
        );
      });

      for (const batchSize of [0, 1001, 1.5]) {
        it(`a batch size of ${batchSize}`, async function () {
          const { protocol } = await networkHelpers.loadFixture(withOperators);
          await expectRefusedBeforeSending(
            protocol,
            manager(0),
            () => submitKeys(protocol, manager(0), 0, keysFor(protocol, 1, 2), { network: LOCAL, batchSize }),
            literal(`--batch-size ${batchSize}: expected a whole number from 1 to 1000`),
          );
        });
      }

      it("keys another operator already submitted, naming the operator and key index", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        const first = keysFor(protocol, 1, 3);
        await submitKeys(protocol, manager(0), 0, first, { network: LOCAL });
        const entries = [...keysFor(protocol, 2, 1), first[2]!];
        await expectRefusedBeforeSending(
          protocol,
          manager(1),
          () => submitKeys(protocol, manager(1), 1, entries, { network: LOCAL }),
          /nothing was submitted: 1 problem\(s\)[^]*deposit 1 \(pubkey 0x[0-9a-f]{12}…\): already submitted as key 2 of operator 0/,
        );
      });

      it("deposits for other withdrawal credentials", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        const entries = depositData(1, 2, stranger.address);
        await expectRefusedBeforeSending(
          protocol,
          manager(0),
          () => submitKeys(protocol, manager(0), 0, entries, { network: LOCAL }),
          literal(
            `withdrawal_credentials ${entries[0]!.withdrawal_credentials} are not the expected ` +
              executionWithdrawalCredentials(protocol.addresses.withdrawalVault).slice(2),
          ),
        );
      });

      it("a tampered signature, naming the BLS failure", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        const [a, b] = keysFor(protocol, 1, 2) as [DepositDataEntry, DepositDataEntry];
        // Another key's signature: a valid BLS point that does not verify for this key.
        const swapped = { ...a, signature: b.signature };
        await expectRefusedBeforeSending(
          protocol,
          manager(0),
          () => submitKeys(protocol, manager(0), 0, [swapped, b], { network: LOCAL }),
          /key 0 \(.*signature does not verify under fork 00007a69/,
        );
        const corrupt = { ...a, signature: `${"ff".repeat(96)}` };
        await expectRefusedBeforeSending(
          protocol,
          manager(0),
          () => submitKeys(protocol, manager(0), 0, [corrupt], { network: LOCAL }),
          /signature is not a valid BLS signature/,
        );
      });

      it("a key already on the deposit contract", async function () {
        const { protocol } = await networkHelpers.loadFixture(withOperators);
        const entries = keysFor(protocol, 1, 2);
        await depositDirectly(protocol, entries[1]!, `0x${entries[1]!.withdrawal_credentials}`);
        await expectRefusedBeforeSending(
          protocol,
          manager(0),
          () => submitKeys(protocol, manager(0), 0, entries, { network: LOCAL }),
          /deposit 1 \(pubkey 0x[0-9a-f]{12}…\): already deposited \(deposit #0, block \d+\)/,
        );
      });
    });
  });

  describe("readCommittedBatches", function () {
    it("ends a batch cut by dropKeys early and takes keys re-added at the same indices from their new batch", async function () {
      const { protocol } = await networkHelpers.loadFixture(withOperators);
      const registry = protocol.operatorRegistry;
      const original = keysFor(protocol, 1, 7);
      await submitKeys(protocol, manager(0), 0, original, { network: LOCAL, batchSize: 3 });
      // Cuts batch 1 ([3, 6)) after key 3 and drops batch 2 ([6, 7)) whole.
      await (await registry.connect(manager(0)).dropKeys(0, 4)).wait();
      const replacements = keysFor(protocol, 2, 3);
      await submitKeys(protocol, manager(0), 0, replacements, { network: LOCAL });

      const batches = await readCommittedBatches(registry);
      expect(
        batches.map(({ batchIndex, firstIndex, size, end }) => [batchIndex, firstIndex, size, end]),
        "batches (index, first, size, end)",
      ).to.deep.equal([
        [0, 0, 3, 3],
        [1, 3, 3, 4],
        [2, 4, 3, 7],
      ]);
      expect(batches[1]!.pubkeys, "the cut batch keeps every key it committed").to.deep.equal(
        original.slice(3, 6).map((entry) => hex(entry, "pubkey")),
      );
      expect(batches[2]!.root, "the reused batch index holds the new root").to.equal(
        (await registry.getBatch(0, 2)).root,
      );
      const keys = committedKeys(batches);
      expect(
        keys.map((key) => [key.index, key.batchIndex, key.pubkey]),
        "valid keys",
      ).to.deep.equal(
        [...original.slice(0, 4), ...replacements].map((entry, i) => [
          i,
          i < 3 ? 0 : i < 4 ? 1 : 2,
          hex(entry, "pubkey"),
        ]),
      );
    });
  });

  describe("guardianCheck", function () {
    it("reports vetted, undeposited keys clean, at the latest block", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await fillBuffer(protocol, 4);
      await stake(protocol, staker, await planStake(protocol), await attest(protocol));

      const report = await guardianCheck(protocol, await connectedBeaconNetwork(ethers.provider));
      const operators = await listOperators(protocol.operatorRegistry);
      const latest = await ethers.provider.getBlock("latest");
      expect(report.checkedKeys, "vetted - deposited").to.equal(
        Number(operators.reduce((sum, op) => sum + op.vettedKeys - op.depositedKeys, 0n)),
      );
      expect(report.checkedKeys, "12 vetted, 4 deposited").to.equal(8);
      expect(report.problems, "problems").to.deep.equal([]);
      expect(report.operatorsAtFault, "operators at fault").to.deep.equal([]);
      expect(report.blockNumber, "block").to.equal(latest!.number);
      expect(report.blockHash, "block hash").to.equal(latest!.hash);
      expect(report.depositRoot, "deposit root").to.equal(await protocol.depositContract.get_deposit_root());
      expect(report.registryNonce, "registry nonce").to.equal(await protocol.operatorRegistry.nonce());
    });

    it("finds a key submitted by two operators", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await commitRaw(protocol, 1, keysFor(protocol, 1, 1));
      await govern(protocol, { kind: "vet", operatorId: 1, vettedKeys: 4n });
      const report = await guardianCheck(protocol, LOCAL);
      expect(report.checkedKeys, "checked").to.equal(13);
      expect(report.operatorsAtFault, "operators at fault").to.deep.equal([0, 1]);
      expect(report.problems.length, "one line per copy").to.equal(2);
      expect(report.problems.join("\n"), "problems").to.match(
        /operator 0 key 0 \(pubkey 0x[0-9a-f]{12}…\): also submitted as operator 1 key 3/,
      );
      expect(report.problems.join("\n"), "problems").to.match(
        /operator 1 key 3 .*: also submitted as operator 0 key 0/,
      );
    });

    it("finds a key whose signature is for other withdrawal credentials", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await commitRaw(protocol, 2, depositData(20, 1, stranger.address));
      await govern(protocol, { kind: "vet", operatorId: 2, vettedKeys: 4n });
      const report = await guardianCheck(protocol, LOCAL);
      expect(report.operatorsAtFault, "operators at fault").to.deep.equal([2]);
      expect(report.problems, "problems").to.have.length(1);
      expect(report.problems[0], "problem").to.match(
        /^operator 2 key 3 .*signature does not verify under fork 00007a69/,
      );
    });

    it("finds a front-running deposit with other withdrawal credentials", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const victim = keysFor(protocol, 1, 3)[1]!;
      const foreign = executionWithdrawalCredentials(stranger.address);
      await depositDirectly(protocol, victim, foreign);
      const report = await guardianCheck(protocol, LOCAL);
      expect(report.operatorsAtFault, "operators at fault").to.deep.equal([0]);
      expect(report.problems, "problems").to.have.length(1);
      expect(report.problems[0], "problem").to.match(
        new RegExp(`^operator 0 key 1 .*a deposit with other withdrawal credentials ${foreign} exists \\(deposit #0`),
      );
      await expectUserError(signAttestation(protocol, guardians[0], report), /refusing to attest: 1 problem\(s\)/);
    });

    it("checks an earlier block when pinned, and refuses a future one", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const earlier = await guardianCheck(protocol, LOCAL);
      await submitKeys(protocol, manager(0), 0, keysFor(protocol, 21, 2), { network: LOCAL });
      await govern(protocol, { kind: "vet", operatorId: 0, vettedKeys: 5n });
      const now = await guardianCheck(protocol, LOCAL);
      expect(now.checkedKeys, "latest block sees the new keys").to.equal(14);
      expect(now.registryNonce, "latest nonce").to.not.equal(earlier.registryNonce);

      expect(await guardianCheck(protocol, LOCAL, earlier.blockNumber), "pinned report").to.deep.equal(earlier);
      await expectUserError(
        guardianCheck(protocol, LOCAL, now.blockNumber + 10),
        /--block \d+: the chain has no such block yet/,
      );
    });
  });

  describe("attestations", function () {
    it("signAttestation signs the guard's digest as the guardian", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const report = await guardianCheck(protocol, LOCAL);
      const file = await signAttestation(protocol, guardians[0], report);
      const guard = protocol.depositGuard;
      const { name, version, chainId, verifyingContract } = await guard.eip712Domain();
      const message = {
        depositRoot: report.depositRoot,
        registryNonce: report.registryNonce,
        blockNumber: report.blockNumber,
        blockHash: report.blockHash,
      };
      const digest = TypedDataEncoder.hash(
        { name, version, chainId, verifyingContract },
        {
          DepositAttestation: [
            { name: "depositRoot", type: "bytes32" },
            { name: "registryNonce", type: "uint256" },
            { name: "blockNumber", type: "uint256" },
            { name: "blockHash", type: "bytes32" },
          ],
        },
        message,
      );
      expect(digest, "EIP-712 digest").to.equal(
        await guard.attestationDigest(report.depositRoot, report.registryNonce, report.blockNumber, report.blockHash),
      );
      expect(file.signatures.length, "one signature").to.equal(1);
      const [signature] = file.signatures;
      expect(signature!.guardian, "guardian").to.equal(guardians[0].address);
      expect(
        recoverAddress(digest, Signature.from({ r: signature!.r, yParityAndS: signature!.vs })),
        "signer",
      ).to.equal(guardians[0].address);
      expect(
        [file.chainId, file.depositGuard, file.depositRoot, file.registryNonce, file.blockNumber, file.blockHash],
        "signed fields",
      ).to.deep.equal([
        "31337",
        getAddress(protocol.addresses.depositGuard),
        report.depositRoot,
        report.registryNonce.toString(),
        report.blockNumber,
        report.blockHash,
      ]);
    });

    it("signAttestation refuses a signer that is not a guardian", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const report = await guardianCheck(protocol, LOCAL);
      await expectUserError(
        signAttestation(protocol, stranger, report),
        literal(`${stranger.address} is not a guardian of ${protocol.addresses.depositGuard}`),
      );
    });

    it("mergeAttestations sorts signatures by guardian, keeps each once and refuses different blocks", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const report = await guardianCheck(protocol, LOCAL);
      const [a, b, c] = await Promise.all(guardians.map((guardian) => signAttestation(protocol, guardian, report)));
      const merged = mergeAttestations([c!, a!, b!, a!]);
      const sorted = guardians.map((guardian) => guardian.address).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
      expect(
        merged.signatures.map((signature) => signature.guardian),
        "guardians, ascending, once each",
      ).to.deep.equal(sorted);
      expect({ ...merged, signatures: [] }, "signed fields").to.deep.equal({ ...a!, signatures: [] });

      await networkHelpers.mine();
      const later = await signAttestation(protocol, guardians[1], await guardianCheck(protocol, LOCAL));
      expect(() => mergeAttestations([a!, later]), "different blocks").to.throw(
        UserInputError,
        /attestations sign different states \(block \d+ nonce \d+ vs block \d+ nonce \d+\)/,
      );
      expect(() => mergeAttestations([]), "none").to.throw(UserInputError, /no attestation to merge/);
    });

    it("parseAttestation reads what guardians write and refuses anything else with a message", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const file = await attest(protocol);
      expect(parseAttestation(JSON.stringify(file, null, 2), "a.json"), "round trip").to.deep.equal(file);

      expect(() => parseAttestation("{", "a.json"), "not JSON").to.throw(UserInputError, /^a\.json is not JSON: /);
      const notPlural = /^a\.json is not a Plural attestation: expected chainId, depositGuard, depositRoot/;
      const { blockHash: _blockHash, ...withoutHash } = file;
      for (const [label, value] of [
        ["missing blockHash", withoutHash],
        ["blockNumber as text", { ...file, blockNumber: String(file.blockNumber) }],
        ["short depositRoot", { ...file, depositRoot: "0x1234" }],
        [
          "signature without vs",
          { ...file, signatures: [{ guardian: guardians[0].address, r: file.signatures[0]!.r }] },
        ],
        ["no signatures array", { ...file, signatures: "none" }],
        ["null", null],
        ["an array", [file]],
      ] as const) {
        expect(() => parseAttestation(JSON.stringify(value), "a.json"), label).to.throw(UserInputError, notPlural);
      }
    });

    it("attestationStruct gives the guard what it checks", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const report = await guardianCheck(protocol, LOCAL);
      const a = await signAttestation(protocol, guardians[0], report);
      const b = await signAttestation(protocol, guardians[1], report);
      // Unsorted on purpose: the struct sorts.
      const unsorted = { ...a, signatures: [...b.signatures, ...a.signatures] };
      const struct = attestationStruct(unsorted);
      const sorted = mergeAttestations([unsorted]).signatures;
      expect(struct, "struct").to.deep.equal({
        depositRoot: report.depositRoot,
        registryNonce: report.registryNonce,
        blockNumber: BigInt(report.blockNumber),
        blockHash: report.blockHash,
        signatures: sorted.map(({ r, vs }) => ({ r, vs })),
      });
      // In the pending block, as a transaction would run: the attested block is the latest one.
      await protocol.depositGuard.checkAttestation(struct, { blockTag: "pending" });
    });
  });

  describe("planStake and stake", function () {
    it("planStake refuses an empty buffer", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await expectUserError(planStake(protocol), /the buffer holds less than 32 ETH: nothing to stake/);
    });

    it("planStake refuses when only one operator has keys, naming the share cap", async function () {
      const { protocol } = await networkHelpers.loadFixture(withOperators);
      await submitKeys(protocol, manager(0), 0, keysFor(protocol, 1, 3), { network: LOCAL });
      await govern(protocol, { kind: "vet", operatorId: 0, vettedKeys: 3n });
      await fillBuffer(protocol, 3);
      await expectUserError(
        planStake(protocol),
        /no validator can be allocated: .*share cap of 30 % of active validators/,
      );
    });

    it("plans the largest fully allocatable count, in segments across batch boundaries", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const registry = protocol.operatorRegistry;
      await fillBuffer(protocol, 10);

      const plan = await planStake(protocol);
      const [allocation, allocated] = await registry.allocate(10);
      expect(allocated, "registry allocates 10 in full").to.equal(10n);
      expect(plan.count, "count").to.equal(10);
      expect(plan.allocation, "allocation").to.deep.equal([...allocation]);
      expect(plan.allocation, "fewest first, within the cap of 3").to.deep.equal([3n, 3n, 2n, 2n]);

      // Two keys a batch: operators with 3 validators need keys from batch 0 and batch 1.
      expect(
        plan.segments.map((segment) => [Number(segment.operatorId), Number(segment.batchIndex)]),
        "segments (operator, batch)",
      ).to.deep.equal([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
        [2, 0],
        [3, 0],
      ]);
      for (let operatorId = 0; operatorId < 4; operatorId++) {
        const expected = keysFor(protocol, operatorId + 1, 3).slice(0, Number(plan.allocation[operatorId]));
        const segments = plan.segments.filter((segment) => Number(segment.operatorId) === operatorId);
        expect(
          `0x${segments.map((segment) => String(segment.pubkeys).slice(2)).join("")}`,
          `operator ${operatorId} pubkeys`,
        ).to.equal(packed(expected, "pubkey"));
        expect(
          `0x${segments.map((segment) => String(segment.signatures).slice(2)).join("")}`,
          `operator ${operatorId} signatures`,
        ).to.equal(packed(expected, "signature"));
        expect(
          segments.flatMap((segment) => segment.depositDataRoots),
          `operator ${operatorId} deposit data roots`,
        ).to.deep.equal(expected.map((entry) => `0x${entry.deposit_data_root}`));
      }

      // The cap is measured after the deposit: 3 validators give each operator no room (0.3 × 3 < 1), 4 do.
      await expectUserError(planStake(protocol, 3), /share cap of 30 %/);
      expect((await planStake(protocol, 4)).count, "at most 4").to.equal(4);
    });

    it("stake deposits exactly the planned validators with a quorum attestation", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await fillBuffer(protocol, 10);
      const bufferedBefore = (await protocol.pool.getAccounting()).bufferedEther;
      const plan = await planStake(protocol);
      const receipt = await stake(protocol, staker, plan, await attest(protocol));

      expect(receipt.validators, "receipt validators").to.equal(10);
      expect(receipt.gasUsed, "gas used").to.be.greaterThan(0n);
      const logs = await readDepositLogs(protocol);
      expect(logs.length, "deposits on the deposit contract").to.equal(10);
      expect(new Set(logs.map((log) => log.blockNumber)).size, "in one transaction").to.equal(1);
      const credentials = (await protocol.pool.withdrawalCredentials()).toLowerCase();
      expect(
        logs.every((log) => log.withdrawalCredentials === credentials && log.amountGwei === VALIDATOR_DEPOSIT_GWEI),
        "32 ETH to the vault's credentials",
      ).to.equal(true);
      const operators = await listOperators(protocol.operatorRegistry);
      expect(
        operators.map((op) => op.depositedKeys),
        "deposited per operator",
      ).to.deep.equal(plan.allocation);
      expect((await protocol.pool.getAccounting()).bufferedEther, "buffer").to.equal(
        bufferedBefore - 10n * VALIDATOR_ETHER,
      );
    });

    it("stake refuses a stale attestation by name and sends nothing", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await fillBuffer(protocol, 4);
      const plan = await planStake(protocol);
      const attestation = await attest(protocol);
      await depositDirectly(
        protocol,
        depositData(22, 1, stranger.address)[0]!,
        executionWithdrawalCredentials(stranger.address),
      );

      const sent = await ethers.provider.getTransactionCount(staker.address);
      await expectUserError(
        stake(protocol, staker, plan, attestation),
        /the transaction would revert: DepositRootChanged\(0x[0-9a-f]{64}, 0x[0-9a-f]{64}\): a deposit happened/,
      );
      expect(await ethers.provider.getTransactionCount(staker.address), "staker's nonce").to.equal(sent);
      expect((await readDepositLogs(protocol)).length, "only the direct deposit").to.equal(1);
    });

    it("stake refuses too few signatures by name", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await fillBuffer(protocol, 4);
      const plan = await planStake(protocol);
      await expectUserError(
        stake(protocol, staker, plan, await attest(protocol, [guardians[2]])),
        /NotEnoughSignatures\(1, 2\): gather more guardian signatures/,
      );
    });

    it("stake refuses an attestation for another chain or guard", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      await fillBuffer(protocol, 4);
      const plan = await planStake(protocol);
      const attestation = await attest(protocol);
      const sent = await ethers.provider.getTransactionCount(staker.address);
      await expectUserError(
        stake(protocol, staker, plan, { ...attestation, chainId: "1" }),
        /the attestation is for guard 0x[0-9a-fA-F]{40} on chain 1, not this deployment's/,
      );
      await expectUserError(
        stake(protocol, staker, plan, { ...attestation, depositGuard: protocol.addresses.pool }),
        literal(`the attestation is for guard ${protocol.addresses.pool} on chain 31337`),
      );
      expect(await ethers.provider.getTransactionCount(staker.address), "staker's nonce").to.equal(sent);
    });
  });

  describe("formatOperators and renderGrid", function () {
    /** The cells of the table row that starts with `first`. */
    function row(table: string, first: string): string[] {
      const line = table.split("\n").find((text) => text.startsWith(`│ ${first} `));
      if (line === undefined) throw new Error(`no row "${first}" in\n${table}`);
      return line
        .split("│")
        .slice(1, -1)
        .map((cell) => cell.trim());
    }

    it("shows each operator's counts, the cluster's members and the decentralization figures", async function () {
      const { protocol } = await networkHelpers.loadFixture(withVettedKeys);
      const members = [account(12).address, account(13).address, account(14).address];
      await govern(protocol, {
        kind: "addCluster",
        name: "Echo DV",
        manager: manager(4).address,
        rewardAddress: manager(4).address,
        threshold: 2,
        members,
      });
      await fillBuffer(protocol, 10);
      await stake(protocol, staker, await planStake(protocol), await attest(protocol));

      const operators = await listOperators(protocol.operatorRegistry);
      const table = formatOperators(operators, SHARE_CAP_BPS);

      expect(table, "title").to.include("Operators (5)");
      expect(row(table, "operator"), "header").to.deep.equal([
        "operator",
        "status",
        "submitted",
        "vetted",
        "deposited",
        "active",
        "share",
        "fees claimable",
      ]);
      // No report yet, so no fees.
      const expected = [
        ["0 Aurora Staking", "active", "3", "3", "3", "3", "30.00 %", "0 plETH"],
        ["1 Borealis Nodes", "active", "3", "3", "3", "3", "30.00 %", "0 plETH"],
        ["2 Cirrus Validators", "active", "3", "3", "2", "2", "20.00 %", "0 plETH"],
        ["3 Delta Nodes", "active", "3", "3", "2", "2", "20.00 %", "0 plETH"],
        ["4 Echo DV (cluster 2-of-3)", "active", "0", "0", "0", "0", "0.00 %", "0 plETH"],
      ];
      for (const cells of expected) expect(row(table, cells[0]!), `row of ${cells[0]}`).to.deep.equal(cells);

      expect(row(table, "4 Echo DV: any 2 of 3 sign"), "cluster heading").to.deep.equal(["4 Echo DV: any 2 of 3 sign"]);
      for (const [i, member] of members.entries()) {
        expect(row(table, `  member ${i + 1}`), `member ${i + 1}`).to.deep.equal([`member ${i + 1}`, member]);
      }

      const counts = operators.map((op) => op.activeValidators);
      const concentration = describeConcentration(counts);
      expect(concentration.nakamotoCoefficient, "Nakamoto coefficient: 3 + 3 > 10 / 3").to.equal(2);
      expect(nakamotoCoefficient(counts), "nakamotoCoefficient").to.equal(2);
      expect(herfindahlHirschmanIndex(counts), "HHI: 30² + 30² + 20² + 20²").to.equal(2600);
      expect(row(table, "active validators"), "active validators").to.deep.equal(["active validators", "10"]);
      expect(row(table, "operators with validators"), "operators with validators").to.deep.equal([
        "operators with validators",
        "4",
      ]);
      expect(row(table, "largest share"), "largest share").to.deep.equal(["largest share", "30.00 %"]);
      expect(row(table, "share cap"), "share cap").to.deep.equal(["share cap", "30.00 %"]);
      expect(row(table, "Nakamoto coefficient (> 1/3)"), "Nakamoto row").to.deep.equal([
        "Nakamoto coefficient (> 1/3)",
        String(concentration.nakamotoCoefficient),
      ]);
      expect(row(table, "Herfindahl-Hirschman index (0-10,000)"), "HHI row").to.deep.equal([
        "Herfindahl-Hirschman index (0-10,000)",
        concentration.herfindahlHirschmanIndex.toFixed(2),
      ]);
    });

    it("formatOperators leaves out the cluster section when there is no cluster", function () {
      const table = formatOperators([], SHARE_CAP_BPS);
      expect(table, "title").to.include("Operators (0)");
      expect(table, "no cluster section").to.not.include("Cluster members");
      expect(row(table, "Nakamoto coefficient (> 1/3)"), "no validators").to.deep.equal([
        "Nakamoto coefficient (> 1/3)",
        "0",
      ]);
    });

    it("renderGrid aligns the first column left and the others right", function () {
      expect(
        renderGrid(
          "Keys",
          ["op", "n"],
          [
            ["a", "7"],
            ["bcd", "12"],
          ],
        ),
        "grid",
      ).to.equal(
        [
          "┌──────────┐",
          "│ Keys     │",
          "├─────┬────┤",
          "│ op  │  n │",
          "├─────┼────┤",
          "│ a   │  7 │",
          "│ bcd │ 12 │",
          "└─────┴────┘",
        ].join("\n"),
      );
    });

    it("renderGrid widens the last column for a long title", function () {
      const grid = renderGrid("A long title", ["x", "y"], [["1", "2"]]);
      const lines = grid.split("\n");
      expect(new Set(lines.map((line) => line.length)).size, "every line equally wide").to.equal(1);
      expect(lines[1], "title").to.equal("│ A long title │");
      expect(lines[3], "header").to.equal("│ x │        y │");
    });
  });

  describe("property: planStake and stake", function () {
    it("plans the largest fully allocatable count and keeps every operator within vetted keys and the cap", async function () {
      const { protocol: first } = await networkHelpers.loadFixture(deployPlural);
      // Every run deploys at the same addresses: the keys are made once.
      const keyPool = Array.from({ length: 6 }, (_, operatorId) => keysFor(first, 40 + operatorId, 6));

      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ submitted: fc.nat({ max: 6 }), vetted: fc.nat({ max: 6 }) }), {
            minLength: 2,
            maxLength: 6,
          }),
          fc.nat({ max: 40 * 32 }),
          async (specs, bufferEth) => {
            const { protocol } = await networkHelpers.loadFixture(deployPlural);
            const registry = protocol.operatorRegistry;
            const admin = registry.connect(await timelockSigner(connection, protocol));
            for (const [operatorId, spec] of specs.entries()) {
              const { address } = manager(operatorId);
              await (await admin.addOperator(OPERATOR_NAMES[operatorId]!, address, address)).wait();
              if (spec.submitted > 0)
                await commitRaw(protocol, operatorId, keyPool[operatorId]!.slice(0, spec.submitted));
              const vetted = Math.min(spec.vetted, spec.submitted);
              if (vetted > 0) await (await admin.setVettedKeys(operatorId, vetted)).wait();
            }
            if (bufferEth > 0) await deposit(protocol.pool, depositor, parseEther(String(bufferEth)));

            const { bufferedEther } = await protocol.pool.getAccounting();
            const limit = Math.min(Number(bufferedEther / VALIDATOR_ETHER), 50);
            let largest = 0;
            for (let count = limit; count > 0 && largest === 0; count--) {
              const [, allocated] = await registry.allocate(count);
              if (allocated === BigInt(count)) largest = count;
            }
            if (largest === 0) {
              await expectUserError(planStake(protocol), limit === 0 ? /less than 32 ETH/ : /share cap/);
              return;
            }
            const plan = await planStake(protocol);
            expect(plan.count, "planned count").to.equal(largest);

            await stake(protocol, staker, plan, await attest(protocol));
            const operators = await listOperators(registry);
            const active = operators.reduce((sum, op) => sum + op.activeValidators, 0n);
            expect(active, "active validators").to.equal(BigInt(largest));
            for (const op of operators) {
              expect(op.depositedKeys <= op.vettedKeys, `operator ${op.id} within vetted keys`).to.equal(true);
              expect(
                op.depositedKeys <= (SHARE_CAP_BPS * active) / 10_000n,
                `operator ${op.id} within the share cap`,
              ).to.equal(true);
            }
          },
        ),
        { numRuns: 10 },
      );
    });
  });
});
