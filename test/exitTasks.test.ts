/**
 * `operators exits` and `operators exit-daemon` as operators run them: tasks in child processes against `hardhat node`
 * on 127.0.0.1 with the Ignition CLI's deployment. The setup goes through the library in this process, on the same
 * node: four operators with two validators each staked through the real path (helpers/staked.ts), a beacon simulator
 * and its Beacon API with the validators old enough to exit, and exit requests from the accounting oracle
 * (impersonated: it holds REPORT_EXITS_ROLE).
 *
 * One node and one deployment for the file: the tests run in order and each builds on the chain the previous left.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { concat } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { type BeaconApiServer, startBeaconApi } from "../lib/beacon/api.js";
import { BeaconClient } from "../lib/beacon/client.js";
import { BeaconSimulator } from "../lib/beacon/simulator.js";
import { PROJECT_ROOT, readDeployment } from "../lib/deployment.js";
import { deriveValidatorKeys, mnemonicToSeed, signingKeyPath } from "../lib/keys/derivation.js";
import { encryptKeystore, serializeKeystore } from "../lib/keys/keystore.js";
import { committedKeys, readCommittedBatches } from "../lib/operators.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import {
  deployLocalArgs,
  expectRefusal,
  expectSuccess,
  freePort,
  hardhat,
  type LocalNode,
  type Run,
  startNode,
} from "./helpers/node.js";
import { operatorMnemonic, STAKED_ACCOUNTS, stakeThroughOperators } from "./helpers/staked.js";
import { row } from "./helpers/table.js";

/** Epochs from the deposits to activation (mainnet preset), then SHARD_COMMITTEE_PERIOD before an exit is allowed. */
const ACTIVATION_EPOCHS = 10;
const EXIT_AGE_EPOCHS = 256;
const KEYS_PER_OPERATOR = 2;

/** The log lines of a daemon run without their time prefix. */
const lines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => /^\d\d:\d\d:\d\d /.test(line))
    .map((line) => line.slice(9));

describe("exit tasks on a local node", function () {
  // The Ignition CLI compiles first when a `hardhat test` run has just built another profile: minutes on a busy
  // machine, once; the rest takes about a minute.
  this.timeout(600_000);

  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;
  let workDir: string;
  let connection: NetworkConnection;
  let protocol: Protocol;
  let simulator: BeaconSimulator;
  let api: BeaconApiServer | undefined;
  let beacon: BeaconClient;
  /** Each operator's deposited pubkeys, by key index. */
  let pubkeys: string[][];
  let mnemonicFile: string;

  const task = (args: string[]) => hardhat(["--network", "localhost", ...args], env);
  const statusOf = async (pubkey: string) => (await beacon.validator("head", pubkey))!.status;
  const indexOf = async (pubkey: string) => (await beacon.validator("head", pubkey))!.index;

  before(async function () {
    const port = await freePort();
    deploymentId = `exit-tasks-${process.pid}-${Date.now()}`;
    workDir = mkdtempSync(path.join(tmpdir(), "plural-exit-tasks-"));
    const { PLURAL_MNEMONIC: _mnemonic, PLURAL_KEYSTORE_PASSWORD: _password, ...inherited } = process.env;
    env = { ...inherited, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = await startNode(port, env);
    const deploy = await hardhat(deployLocalArgs(deploymentId), env);
    expectSuccess(deploy, "ignition deploy");

    connection = await network.create({ network: "localhost", override: { url: node.url } });
    protocol = await connectProtocol(connection.ethers, readDeployment("localhost", deploymentId));
    const plans = STAKED_ACCOUNTS.managers.map((manager, id) => ({
      name: `Op ${id}`,
      manager,
      rewardAddress: manager,
    }));
    await stakeThroughOperators(connection, protocol, plans, KEYS_PER_OPERATOR);
    const keys = committedKeys(await readCommittedBatches(protocol.operatorRegistry));
    pubkeys = plans.map((_, id) => keys.filter((key) => key.operatorId === id).map((key) => key.pubkey.toLowerCase()));

    const { networkHelpers, ethers } = connection;
    const impersonate = async (address: string) => {
      await networkHelpers.impersonateAccount(address);
      await networkHelpers.setBalance(address, 10n ** 18n);
      return ethers.getImpersonatedSigner(address);
    };
    // A 2-of-3 cluster (governance's timelock, impersonated): the daemon must refuse it.
    const members = (await ethers.getSigners()).slice(2, 5).map((signer) => signer.address);
    const timelock = await impersonate(protocol.addresses.timelock);
    await (
      await protocol.operatorRegistry.connect(timelock).addCluster("DV", members[0]!, members[0]!, 2, members)
    ).wait();

    const [config] = await protocol.accountingOracle.getFrameConfig();
    simulator = await BeaconSimulator.create(connection.provider, {
      depositContract: protocol.addresses.depositContract,
      genesisTime: config.genesisTime,
      historyEpochs: 8,
    });
    await simulator.advance(ACTIVATION_EPOCHS + EXIT_AGE_EPOCHS);
    api = await startBeaconApi(simulator);
    beacon = new BeaconClient(api.url);

    // The oracle asks operator 0 for both its validators and operator 1 for its first.
    const oracle = await impersonate(protocol.addresses.accountingOracle);
    const updates = [
      { operatorId: 0, exitedKeys: 0, keyIndices: [0, 1], pubkeys: concat([pubkeys[0]![0]!, pubkeys[0]![1]!]) },
      { operatorId: 1, exitedKeys: 0, keyIndices: [0], pubkeys: pubkeys[1]![0]! },
    ];
    await (await protocol.operatorRegistry.connect(oracle).applyExitUpdates(updates)).wait();

    mnemonicFile = path.join(workDir, "mnemonic.txt");
    writeFileSync(mnemonicFile, `${operatorMnemonic(0)}\n`, { mode: 0o600 });
  });

  after(async function () {
    await api?.close();
    await connection?.provider.close();
    await node?.stop();
    rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  it("operators exits shows what each operator owes, and with --operator the requested keys and their state", async function () {
    const [all, one, bare] = await Promise.all([
      task(["operators", "exits", "--beacon-url", beacon.url]),
      task(["operators", "exits", "--operator", "0", "--beacon-url", beacon.url]),
      task(["operators", "exits"]),
    ]);
    expectSuccess(all, "operators exits");
    expectSuccess(one, "operators exits --operator 0");
    expectSuccess(bare, "operators exits without a beacon node");

    const [, active, exited, exiting, requested, owed, dueBy, penalized, toExit] = row(all.stdout, "0 Op 0");
    expect([active, exited, exiting, requested, owed], "operator 0: counts").to.deep.equal(["2", "0", "0", "2", "2"]);
    expect(dueBy, "operator 0: due in four days").to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 4 days\)$/);
    expect(penalized, "operator 0: not penalized").to.equal("no");
    expect(toExit, "operator 0: both keys to exit").to.equal("2");
    expect(row(all.stdout, "1 Op 1").slice(4, 6), "operator 1: one requested and owed").to.deep.equal(["1", "1"]);
    expect(row(all.stdout, "2 Op 2").slice(4, 7), "operator 2: nothing").to.deep.equal(["0", "0", "-"]);
    expect(row(all.stdout, "4 DV (cluster 2-of-3)").slice(1, 2), "the cluster: no validator").to.deep.equal(["0"]);
    expect(row(all.stdout, "response time")[1], "response time").to.equal("4 days");

    expect(one.stdout, "operator 0 only").not.to.include("1 Op 1");
    for (const key of [0, 1]) {
      const cells = row(one.stdout, String(key));
      expect(cells[1], `key ${key}: pubkey`).to.equal(pubkeys[0]![key]);
      expect(cells[4], `key ${key}: validator`).to.equal(String(await indexOf(pubkeys[0]![key]!)));
      expect(cells[5], `key ${key}: state`).to.equal("to exit (active_ongoing)");
    }
    expect(row(bare.stdout, "0 Op 0")[8], "keys to exit unknown without --beacon-url").to.equal("?");
    expect(row(bare.stdout, "validator states from")[1], "says how to see them").to.match(
      /^no beacon node \(--beacon-url/,
    );
  });

  it("operators exit-daemon --once signs and submits operator 0's exits from its mnemonic; a second run submits nothing", async function () {
    const args = [
      "operators",
      "exit-daemon",
      "--operator",
      "0",
      "--mnemonic-file",
      mnemonicFile,
      "--key-count",
      "5",
      "--beacon-url",
      beacon.url,
      "--once",
    ];
    const first = await task(args);
    expectSuccess(first, "exit-daemon --once");
    const log = lines(first.stdout);
    expect(log[0], "keys").to.equal("loaded 5 signing keys (mnemonic indices 0 to 4)");
    expect(log[1], "setup").to.match(
      /^exit daemon for operator 0 \(Op 0\): holds the keys of 2 of its 2 deposited validators \(mnemonic indices 0 to 4\); beacon node http:\/\/127\.0\.0\.1:\d+ \(voluntary-exit domain of Capella fork version 0x03007a69, genesis validators root 0x[0-9a-f]{8}…\); delay none$/,
    );
    for (const key of [0, 1]) {
      const pubkey = pubkeys[0]![key]!;
      const index = await indexOf(pubkey);
      expect(
        log.filter((line) => line.startsWith(`exit requested: key #${key} ${pubkey} at block `)),
        `key ${key}: one request line`,
      ).to.have.length(1);
      const submitted = log.filter((line) =>
        line.startsWith(`submitted the voluntary exit of validator ${index} (key #${key} ${pubkey})`),
      );
      expect(submitted, `key ${key}: submitted\n${first.stdout}`).to.have.length(1);
      expect(submitted[0], `key ${key}: accepted`).to.match(/at epoch \d+: now active_exiting, exit epoch \d+$/);
      expect(await statusOf(pubkey), `key ${key}: exiting on the beacon chain`).to.equal("active_exiting");
    }
    expect(log.at(-1), "summary").to.equal(
      "done: operator 0: 2 exit requests; 2 submitted, 0 already exiting, 0 without a key here, 0 waiting, 0 refused",
    );

    const [second, listed] = await Promise.all([
      task(args),
      task(["operators", "exits", "--operator", "0", "--beacon-url", beacon.url]),
    ]);
    expectSuccess(second, "second exit-daemon --once");
    expect(lines(second.stdout).at(-1), "nothing submitted twice").to.equal(
      "done: operator 0: 2 exit requests; 0 submitted, 2 already exiting, 0 without a key here, 0 waiting, 0 refused",
    );
    expectSuccess(listed, "operators exits after the exits");
    expect(row(listed.stdout, "0 Op 0").slice(3, 6), "two exiting, two still owed").to.deep.equal(["2", "2", "2"]);
    expect(row(listed.stdout, "0 Op 0")[8], "no key left to exit").to.equal("0");
    expect(row(listed.stdout, "0")[5], "key 0 exiting").to.match(/^exiting \(active_exiting, exit epoch \d+\)$/);
  });

  it("operators exit-daemon --keystores decrypts EIP-2335 keystores with progress and exits operator 1's validator after --delay", async function () {
    const folder = path.join(workDir, "keystores-1");
    mkdirSync(folder);
    const password = "operator one password";
    for (const key of deriveValidatorKeys(mnemonicToSeed(operatorMnemonic(1)), 0, KEYS_PER_OPERATOR)) {
      // A small scrypt cost: the deposit CLI's takes a second a keystore, which proves nothing more here.
      const keystore = await encryptKeystore({
        secret: key.signingKey.toBytes(),
        password,
        path: signingKeyPath(key.index),
        kdf: { function: "scrypt", n: 2 ** 10 },
      });
      writeFileSync(path.join(folder, `keystore-m_12381_3600_${key.index}_0_0-1.json`), serializeKeystore(keystore));
    }
    const passwordFile = path.join(workDir, "password.txt");
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });

    const args = [
      "operators",
      "exit-daemon",
      "--operator",
      "1",
      "--keystores",
      folder,
      "--password-file",
      passwordFile,
      "--beacon-url",
      beacon.url,
      "--delay",
      "3600",
      "--once",
    ];
    const early = await task(args);
    expectSuccess(early, "exit-daemon --keystores --delay 3600");
    expect(early.stderr, "progress").to.match(/\] 2\/2 keystores \(\d+\.\d s\)/);
    const earlyLog = lines(early.stdout);
    expect(earlyLog[0], "keys").to.equal(`loaded 2 signing keys (2 keystores in ${folder})`);
    expect(earlyLog[1], "the delay").to.match(/; delay 1 h$/);
    expect(
      earlyLog.filter((line) => line.startsWith(`key #0 ${pubkeys[1]![0]}: waiting until `)),
      "waits for the delay",
    ).to.have.length(1);
    expect(earlyLog.at(-1), "nothing submitted yet").to.equal(
      "done: operator 1: 1 exit request; 0 submitted, 0 already exiting, 0 without a key here, 1 waiting, 0 refused",
    );
    expect(await statusOf(pubkeys[1]![0]!), "still active").to.equal("active_ongoing");

    await simulator.advance(10); // 64 minutes of chain time
    const late = await task(args);
    expectSuccess(late, "exit-daemon --keystores after the delay");
    expect(lines(late.stdout).at(-1), "submitted").to.equal(
      "done: operator 1: 1 exit request; 1 submitted, 0 already exiting, 0 without a key here, 0 waiting, 0 refused",
    );
    expect(await statusOf(pubkeys[1]![0]!), "exiting").to.equal("active_exiting");
    expect(await statusOf(pubkeys[1]![1]!), "the other stays").to.equal("active_ongoing");
  });

  it("refuses bad arguments, keys of another operator and a cluster with one Error: line each", async function () {
    const daemon = (...args: string[]) => task(["operators", "exit-daemon", "--beacon-url", beacon.url, ...args]);
    const deadPort = await freePort();
    const cases: [string, Promise<Run>, RegExp][] = [
      ["no --operator", daemon("--mnemonic-file", mnemonicFile), /^Error: --operator is required: /m],
      [
        "no keys",
        daemon("--operator", "0"),
        /^Error: no validator keys: expected --mnemonic-file <path> \(or the PLURAL_MNEMONIC variable\), or --keystores <folder> with --password-file <path>$/m,
      ],
      [
        "negative --delay",
        daemon("--operator", "0", "--mnemonic-file", mnemonicFile, "--delay", "-5"),
        /^Error: --delay "-5" is not a whole number from 0 to 2592000$/m,
      ],
      [
        "both key sources",
        daemon("--operator", "0", "--mnemonic-file", mnemonicFile, "--keystores", workDir),
        /^Error: expected one of --mnemonic-file and --keystores, not both$/m,
      ],
      [
        "not an operator",
        daemon("--operator", "9", "--mnemonic-file", mnemonicFile),
        /^Error: --operator 9 is not an operator: the registry has ids 0 to 4$/m,
      ],
      [
        "another operator's keys",
        daemon("--operator", "2", "--mnemonic-file", mnemonicFile),
        /^Error: none of the 100 keys loaded \(mnemonic indices 0 to 99\) is one of the 2 deposited keys of operator 2 \(Op 2\)/m,
      ],
      [
        "a cluster",
        daemon("--operator", "4", "--mnemonic-file", mnemonicFile),
        /^Error: operator 4 \(DV\) is a 2-of-3 distributed-validator cluster: .*needs 2 members' partial signatures/m,
      ],
      [
        "no beacon node",
        task([
          "operators",
          "exit-daemon",
          "--operator",
          "0",
          "--mnemonic-file",
          mnemonicFile,
          "--beacon-url",
          `http://127.0.0.1:${deadPort}`,
          "--once",
        ]),
        new RegExp(`^Error: no beacon node at http://127\\.0\\.0\\.1:${deadPort}: .*ECONNREFUSED.*beacon run`, "m"),
      ],
      [
        "operators exits --operator x",
        task(["operators", "exits", "--operator", "x"]),
        /^Error: --operator "x" is not an operator id: expected a whole number from 0$/m,
      ],
    ];
    const runs = await Promise.all(cases.map(([, run]) => run));
    for (const [i, run] of runs.entries()) expectRefusal(run, cases[i]![0], cases[i]![2]);
  });
});
