/**
 * The operator flow as operators, governance and guardians run it: `hardhat node` on 127.0.0.1, the Ignition CLI
 * deployment, then every step as a task in a child process, its output and exit code checked. Governance adds
 * operators and a cluster through the timelock, operators generate and submit keys, governance vets them, guardians
 * attest and anyone stakes; refusals (bad submissions, the share cap, front-running) end with one `Error:` line and
 * send nothing.
 *
 * One node and one deployment for the file: the tests run in order and each builds on the chain the previous left.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { expect } from "chai";
import { Contract, getAddress, JsonRpcProvider, parseEther } from "ethers";

import { isLocalNetwork, PROJECT_ROOT, type ProtocolAddresses, readDeployment } from "../lib/deployment.js";
import { computeDepositDataRoot } from "../lib/depositData.js";
import { UserInputError } from "../lib/errors.js";
import { localDelaySkipper } from "../lib/governance.js";
import { type DepositDataEntry, executionWithdrawalCredentials } from "../lib/keys/depositData.js";
import { freePort, hardhat, type LocalNode, type Run, startNode } from "./helpers/node.js";

/** Account indices of the local node (deploy/parameters/local.json: #1 governance, #17-#19 guardians). */
const GOVERNANCE = 1;
const STAKER = 0;
const FRONT_RUNNER = 5;
/** Plain operators in registry order (the cluster is id 2), each with 4 keys from its own mnemonic. */
const OPERATORS = [
  { id: 0, name: "Op A", manager: 8 },
  { id: 1, name: "Op B", manager: 9 },
  { id: 3, name: "Op C", manager: 10 },
  { id: 4, name: "Op D", manager: 7 },
] as const;
const [OP_A, OP_B, OP_C, OP_D] = OPERATORS;
const CLUSTER = { id: 2, name: "Cluster", manager: 11, members: [12, 13, 14, 15], threshold: 3 };
const KEYS_PER_OPERATOR = 4;

function expectSuccess(run: Run, label: string): void {
  expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(0);
}

/** A refusal as users should see it: exit code 1, exactly one `Error:` line, no stack trace. */
function expectRefusal(run: Run, label: string, pattern: RegExp): void {
  expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(1);
  const errorLines = run.stderr.split("\n").filter((line) => line.startsWith("Error:"));
  expect(errorLines, `${label}: one Error: line\n${run.stderr}`).to.have.length(1);
  expect(run.stderr, `${label}: no stack trace`).not.to.match(/^\s+at /m);
  expect(run.stderr, `${label}: names the problem`).to.match(pattern);
}

describe("staking tasks on a local node", function () {
  this.timeout(600_000);

  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;
  let workDir: string;
  let provider: JsonRpcProvider;
  let accounts: string[];
  let deployment: ProtocolAddresses;
  /** Deposit data files by operator id, and one made for withdrawal credentials that are not the vault's. */
  const depositFiles = new Map<number, string>();
  let foreignFile: string;

  /** `hardhat --network localhost <args>` against this file's node and deployment. */
  const task = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    hardhat(["--network", "localhost", ...args], { ...env, ...extraEnv });
  const nonceOf = (account: number) => provider.getTransactionCount(accounts[account]!, "latest");
  const attestationFile = (name: string) => path.join(workDir, name);
  const readEntries = (file: string) => JSON.parse(readFileSync(file, "utf8")) as DepositDataEntry[];

  before(async function () {
    const port = await freePort();
    deploymentId = `staking-tasks-${process.pid}-${Date.now()}`;
    workDir = mkdtempSync(path.join(tmpdir(), "plural-staking-tasks-"));
    const { PLURAL_MNEMONIC: _ignored, ...inherited } = process.env;
    env = { ...inherited, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = await startNode(port, env);
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    accounts = ((await provider.send("eth_accounts", [])) as string[]).map((account) => getAddress(account));

    const deploy = await hardhat(
      [
        "ignition",
        "deploy",
        "deploy/modules/PluralLocal.ts",
        "--network",
        "localhost",
        "--parameters",
        "deploy/parameters/local.json",
        "--deployment-id",
        deploymentId,
      ],
      env,
    );
    expectSuccess(deploy, "ignition deploy");
    deployment = readDeployment("localhost", deploymentId);
  });

  after(async function () {
    provider?.destroy();
    await node?.stop();
    rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  describe("operators add", function () {
    it("adds two operators and a 3-of-4 cluster through the timelock in one run each with --skip-delay", async function () {
      const members = CLUSTER.members.map((account) => accounts[account]!);
      const runs = [
        ["operators", "add", OP_A.name, "--manager", String(OP_A.manager), "--skip-delay"],
        ["operators", "add", OP_B.name, "--manager", String(OP_B.manager), "--skip-delay"],
        [
          "operators",
          "add",
          CLUSTER.name,
          "--manager",
          String(CLUSTER.manager),
          "--threshold",
          String(CLUSTER.threshold),
          "--members",
          members.join(","),
          "--skip-delay",
        ],
      ];
      const outputs = [];
      for (const args of runs) {
        const run = await task(args);
        expectSuccess(run, args.slice(0, 3).join(" "));
        outputs.push(run.stdout);
      }
      expect(outputs[0], "Op A executed").to.match(
        new RegExp(
          `^Executed through the timelock: add operator "Op A" managed by ${accounts[OP_A.manager]} \\(tx 0x[0-9a-f]{64}\\)`,
        ),
      );
      expect(outputs[1], "Op B executed").to.include(`add operator "Op B" managed by ${accounts[OP_B.manager]}`);
      expect(outputs[2], "cluster executed").to.include(
        `Executed through the timelock: add cluster "Cluster" (3-of-4) managed by ${accounts[CLUSTER.manager]}`,
      );
    });

    it("schedules without --skip-delay, refuses a second run before the delay saying when, then executes", async function () {
      const args = ["operators", "add", OP_C.name, "--manager", String(OP_C.manager)];
      const first = await task(args);
      expectSuccess(first, "first run");
      expect(first.stdout, "first run schedules").to.match(
        /^Scheduled on the timelock: add operator "Op C" managed by 0x[0-9a-fA-F]{40} \(operation 0x[0-9a-f]{64}, tx 0x[0-9a-f]{64}\); executable from (\S+Z): run the same command again then/,
      );
      const readyAt = /executable from (\S+Z)/.exec(first.stdout)![1]!;
      const scheduledAt = (await provider.getBlock("latest"))!.timestamp;
      expect(Date.parse(readyAt) / 1000 - scheduledAt, "the timelock's delay after scheduling").to.equal(3600);

      const early = await task(args);
      expectRefusal(
        early,
        "second run before the delay",
        new RegExp(
          `^Error: "add operator "Op C" managed by ${accounts[OP_C.manager]}" is scheduled and can be executed from ` +
            `${readyAt.replace(/\./g, "\\.")}; run the same command again then$`,
          "m",
        ),
      );

      // --skip-delay finishes what the first run scheduled.
      const skipped = await task([...args, "--skip-delay"]);
      expectSuccess(skipped, "run with --skip-delay");
      expect(skipped.stdout, "executes the scheduled operation").to.match(
        /^Executed through the timelock: add operator "Op C"/,
      );

      const fourth = await task(["operators", "add", OP_D.name, "--manager", String(OP_D.manager), "--skip-delay"]);
      expectSuccess(fourth, "Op D");
      const registry = new Contract(
        deployment.operatorRegistry,
        ["function operatorCount() view returns (uint256)"],
        provider,
      );
      expect(await registry.getFunction("operatorCount")(), "operators in the registry").to.equal(5n);
    });

    it("refuses --skip-delay on a network that is not local, before moving any clock", async function () {
      const sent: string[] = [];
      const stub = { send: async (method: string) => void sent.push(method) };
      expect(isLocalNetwork("localhost"), "localhost is local").to.equal(true);
      expect(() => localDelaySkipper(stub, "sepolia", isLocalNetwork("sepolia")), "sepolia refused")
        .to.throw(UserInputError)
        .with.property("message")
        .that.matches(/^--skip-delay moves the chain's clock and works on local networks only, not "sepolia"$/);
      await localDelaySkipper(stub, "localhost", true)(60n);
      expect(sent, "a local skip moves the clock and mines").to.deep.equal(["evm_increaseTime", "evm_mine"]);
    });
  });

  describe("keys generate and keys submit", function () {
    it("generates 4 keys per operator from different mnemonics, for the vault's withdrawal credentials", async function () {
      const generate = (outDir: string, withdrawalAddress: string) =>
        task(
          [
            "keys",
            "generate",
            "--count",
            String(KEYS_PER_OPERATOR),
            "--no-keystores",
            "--chain",
            "local",
            "--withdrawal-address",
            withdrawalAddress,
            "--out-dir",
            outDir,
          ],
          { PLURAL_MNEMONIC: generateMnemonic(wordlist, 256) },
        );
      const jobs = [
        ...OPERATORS.map((op) => ({
          id: op.id,
          dir: path.join(workDir, `operator-${op.id}`),
          to: deployment.withdrawalVault,
        })),
        { id: -1, dir: path.join(workDir, "foreign"), to: accounts[FRONT_RUNNER]! },
      ];
      const runs = await Promise.all(jobs.map((job) => generate(job.dir, job.to)));
      for (const [i, run] of runs.entries()) {
        const job = jobs[i]!;
        expectSuccess(run, `keys generate ${job.dir}`);
        const match = /^Wrote (\S+deposit_data-\d+\.json) \(4 deposits for local\)/.exec(run.stdout);
        expect(match, `${job.dir}: names the file`).not.to.equal(null);
        if (job.id === -1) foreignFile = match![1]!;
        else depositFiles.set(job.id, match![1]!);
      }
      const vaultCredentials = executionWithdrawalCredentials(deployment.withdrawalVault).slice(2);
      const pubkeys = new Set<string>();
      for (const file of depositFiles.values()) {
        for (const entry of readEntries(file)) {
          expect(entry.withdrawal_credentials, "credentials are the vault's").to.equal(vaultCredentials);
          pubkeys.add(entry.pubkey);
        }
      }
      expect(pubkeys.size, "no key shared between operators").to.equal(OPERATORS.length * KEYS_PER_OPERATOR);
    });

    it("submits operator 0's keys, printing the gas a key", async function () {
      const run = await task(["keys", "submit", depositFiles.get(0)!, "--operator", "0", "--from", "8"]);
      expectSuccess(run, "keys submit");
      expect(run.stdout, "one batch of 4").to.match(/keys 0\.\.3: tx 0x[0-9a-f]{64}, \d+ gas \(\d+ a key\)/);
      expect(run.stdout, "summary").to.include(
        `Submitted 4 keys for operator 0 on localhost; governance vets them with "operators vet --operator 0 --keys <count>"`,
      );
    });

    it("refuses bad submissions with one Error: line naming the problem, and sends no transaction", async function () {
      const noncesBefore = await Promise.all([8, 9].map(nonceOf));
      const vault = executionWithdrawalCredentials(deployment.withdrawalVault).slice(2);
      const cases: [string, string[], RegExp][] = [
        [
          "wrong manager",
          [depositFiles.get(1)!, "--operator", "0", "--from", "9"],
          new RegExp(`^Error: ${accounts[9]} is not the manager of operator 0 \\(${accounts[8]} is\\): use --from`),
        ],
        [
          "unknown operator",
          [depositFiles.get(1)!, "--operator", "99", "--from", "9"],
          /^Error: --operator 99 is not an operator: the registry has ids 0 to 4$/m,
        ],
        [
          "keys already submitted",
          [depositFiles.get(0)!, "--operator", "0", "--from", "8"],
          /^Error: nothing was submitted: 4 problem\(s\)[^]*deposit 0 \(pubkey 0x[0-9a-f]{12}…\): already submitted as key 0 of operator 0$/m,
        ],
        [
          "credentials not the vault's",
          [foreignFile, "--operator", "0", "--from", "8"],
          new RegExp(
            `^Error: nothing was submitted: 4 problem\\(s\\)[^]*withdrawal_credentials 01\\w+ are not the expected ${vault}`,
            "m",
          ),
        ],
        [
          "malformed --batch-size",
          [depositFiles.get(1)!, "--operator", "0", "--from", "8", "--batch-size", "ten"],
          /^Error: --batch-size "ten": expected a whole number from 1 to 1000$/m,
        ],
        [
          "--batch-size out of range",
          [depositFiles.get(1)!, "--operator", "0", "--from", "8", "--batch-size", "0"],
          /^Error: --batch-size 0: expected a whole number from 1 to 1000$/m,
        ],
        [
          "missing file",
          [path.join(workDir, "nothing-here.json"), "--operator", "0", "--from", "8"],
          /^Error: cannot read deposit data file \S+nothing-here\.json/,
        ],
      ];
      const runs = await Promise.all(cases.map(([, args]) => task(["keys", "submit", ...args])));
      for (const [i, run] of runs.entries()) expectRefusal(run, cases[i]![0], cases[i]![2]);
      expect(await Promise.all([8, 9].map(nonceOf)), "managers sent nothing").to.deep.equal(noncesBefore);
    });

    it("checks a file against the deployment with keys verify --protocol: new keys pass, submitted ones are named", async function () {
      const [fresh, submitted] = await Promise.all([
        task(["keys", "verify", depositFiles.get(1)!, "--protocol"]),
        task(["keys", "verify", depositFiles.get(0)!, "--protocol"]),
      ]);
      expectSuccess(fresh, "operator 1's file");
      expect(fresh.stdout, "operator 1's file: verdict").to.include(
        "all 4 deposits verify for local and are new to Plural's registry and the deposit contract",
      );
      expectRefusal(submitted, "operator 0's file", /^Error: \S+deposit_data-\d+\.json does not verify for local$/m);
      expect(submitted.stderr, "names the submitted key").to.match(/already submitted as key 0 of operator 0/);
    });

    it("submits the other operators' keys, each from its manager", async function () {
      const others = OPERATORS.filter((op) => op.id !== 0);
      const runs = await Promise.all(
        others.map((op) =>
          task(["keys", "submit", depositFiles.get(op.id)!, "--operator", String(op.id), "--from", String(op.manager)]),
        ),
      );
      for (const [i, run] of runs.entries()) {
        expectSuccess(run, `operator ${others[i]!.id}`);
        expect(run.stdout, `operator ${others[i]!.id}: summary`).to.include(
          `Submitted 4 keys for operator ${others[i]!.id} on localhost`,
        );
      }
    });
  });

  describe("operators vet", function () {
    it("vets the keys of operators 0 and 1, and refuses a count beyond the submitted keys, naming the range", async function () {
      for (const id of [0, 1]) {
        const run = await task(["operators", "vet", "--operator", String(id), "--keys", "4", "--skip-delay"]);
        expectSuccess(run, `vet operator ${id}`);
        expect(run.stdout, `operator ${id} vetted`).to.match(
          new RegExp(`^Executed through the timelock: vet 4 keys of operator ${id} \\(from 0\\)`),
        );
      }
      const before = await nonceOf(GOVERNANCE);
      const beyond = await task(["operators", "vet", "--operator", "3", "--keys", "5", "--skip-delay"]);
      expectRefusal(
        beyond,
        "vet beyond the submitted keys",
        /^Error: --keys 5 is out of range for operator 3: expected from 0 \(deposited\) to 4 \(submitted\)$/m,
      );
      expect(await nonceOf(GOVERNANCE), "governance sent nothing").to.equal(before);
    });
  });

  describe("guardian attest and pool stake", function () {
    it("refuses to stake while only two operators have vetted keys: the share cap", async function () {
      const deposit = await task(["pool", "deposit", "300", "--from", "2"]);
      expectSuccess(deposit, "pool deposit");

      const attest = await task(["guardian", "attest", "--guardian", "17,18", "--out", attestationFile("early.json")]);
      expectSuccess(attest, "guardian attest");
      expect(attest.stdout, "checks the 8 vetted keys").to.match(/^Checked 8 vetted, undeposited keys at block \d+/);

      const before = await nonceOf(STAKER);
      const stake = await task(["pool", "stake", "--attestation", attestationFile("early.json")]);
      expectRefusal(
        stake,
        "stake with two operators",
        /^Error: no validator can be allocated: .*share cap of 30 % of active validators/,
      );
      expect(await nonceOf(STAKER), "nothing sent").to.equal(before);
    });

    it("stakes 8 validators, 2 for each of four operators, once all four are vetted", async function () {
      for (const id of [3, 4]) {
        expectSuccess(
          await task(["operators", "vet", "--operator", String(id), "--keys", "4", "--skip-delay"]),
          `vet operator ${id}`,
        );
      }
      const attest = await task([
        "guardian",
        "attest",
        "--guardian",
        "17,18",
        "--out",
        attestationFile("attestation.json"),
      ]);
      expectSuccess(attest, "guardian attest");
      expect(attest.stdout, "checks the 16 vetted keys").to.match(/^Checked 16 vetted, undeposited keys/);
      expect(attest.stdout, "quorum reached").to.match(
        new RegExp(
          `Signed by ${accounts[17]}, ${accounts[18]}; \\S+attestation\\.json holds 2 of the 2 signatures needed: ready for pool stake`,
        ),
      );

      // 300 ETH buffer: 9 validators, but with four operators no count above 8 keeps each within 30 %.
      const stake = await task(["pool", "stake", "--attestation", attestationFile("attestation.json")]);
      expectSuccess(stake, "pool stake");
      expect(stake.stdout, "title").to.include("Staked 8 validators (256 ETH)");
      for (const op of OPERATORS) {
        expect(stake.stdout, `operator ${op.id}: 2 validators`).to.match(new RegExp(`│ ${op.id}\\s+│\\s+2 │`));
      }
      expect(stake.stdout, "cluster without keys gets none").not.to.match(/│ 2\s+│/);
      expect(stake.stdout, "gas a validator").to.match(/tx 0x[0-9a-f]{64}: \d+ gas, \d+ a validator/);
    });

    it("shows deposited counts, Nakamoto coefficient and HHI in operators list, and the validators in pool status", async function () {
      const [list, status] = await Promise.all([task(["operators", "list"]), task(["pool", "status"])]);
      expectSuccess(list, "operators list");
      expectSuccess(status, "pool status");
      for (const op of OPERATORS) {
        expect(list.stdout, `${op.name}: 4 submitted, 4 vetted, 2 deposited, 2 active, 25 %`).to.match(
          new RegExp(`│ ${op.id} ${op.name}\\s+│\\s+active │\\s+4 │\\s+4 │\\s+2 │\\s+2 │\\s+25\\.00 % │`),
        );
      }
      expect(list.stdout, "cluster row").to.match(
        /│ 2 Cluster \(cluster 3-of-4\)\s+│\s+active │\s+0 │\s+0 │\s+0 │\s+0 │\s+0\.00 % │/,
      );
      expect(list.stdout, "cluster members").to.include(accounts[CLUSTER.members[0]!]!);
      expect(list.stdout, "active validators").to.match(/active validators\s+│\s+8 │/);
      expect(list.stdout, "share cap").to.match(/share cap\s+│\s+30\.00 % │/);
      expect(list.stdout, "Nakamoto coefficient").to.match(/Nakamoto coefficient \(> 1\/3\)\s+│\s+2 │/);
      expect(list.stdout, "HHI").to.match(/Herfindahl-Hirschman index \(0-10,000\)\s+│\s+2500\.00 │/);
      expect(status.stdout, "validators deposited").to.match(/validators deposited \/ seen\s+│\s+8 \/ 0/);
    });

    it("refuses a non-guardian, and a missing or malformed attestation file, sending nothing", async function () {
      writeFileSync(attestationFile("not-json.json"), "{ not json");
      writeFileSync(attestationFile("wrong-shape.json"), JSON.stringify({ chainId: "31337", signatures: [] }));
      const noncesBefore = await Promise.all([STAKER, 3].map(nonceOf));
      const cases: [string, string[], RegExp][] = [
        [
          "not a guardian",
          ["guardian", "attest", "--guardian", "3", "--out", attestationFile("stranger.json")],
          new RegExp(`^Error: ${accounts[3]} is not a guardian of ${deployment.depositGuard}$`, "m"),
        ],
        [
          "no --attestation",
          ["pool", "stake"],
          /^Error: --attestation is required: the file "guardian attest" wrote$/m,
        ],
        [
          "missing file",
          ["pool", "stake", "--attestation", attestationFile("missing.json")],
          /^Error: cannot read --attestation \S+missing\.json: ENOENT/,
        ],
        [
          "not JSON",
          ["pool", "stake", "--attestation", attestationFile("not-json.json")],
          /^Error: \S+not-json\.json is not JSON: /,
        ],
        [
          "not an attestation",
          ["pool", "stake", "--attestation", attestationFile("wrong-shape.json")],
          /^Error: \S+wrong-shape\.json is not a Plural attestation: expected chainId, depositGuard, depositRoot/,
        ],
      ];
      const runs = await Promise.all(cases.map(([, args]) => task(args)));
      for (const [i, run] of runs.entries()) expectRefusal(run, cases[i]![0], cases[i]![2]);
      expect(existsSync(attestationFile("stranger.json")), "no attestation written").to.equal(false);
      expect(await Promise.all([STAKER, 3].map(nonceOf)), "nothing sent").to.deep.equal(noncesBefore);
    });
  });

  describe("front-running", function () {
    it("refuses the stake after a direct deposit of a vetted key, and guardians then refuse to attest", async function () {
      expectSuccess(await task(["pool", "deposit", "100", "--from", "3"]), "pool deposit");
      const attest = await task(["guardian", "attest", "--guardian", "17,18", "--out", attestationFile("before.json")]);
      expectSuccess(attest, "guardian attest");
      expect(attest.stdout, "ready").to.include("ready for pool stake");

      // Operator 0's last key is vetted and not deposited (2 of its 4 were): someone deposits it first, with their
      // own withdrawal credentials. The mock checks only the deposit_data_root, so 1 ETH and any signature do.
      const key = readEntries(depositFiles.get(0)!)[3]!;
      const credentials = executionWithdrawalCredentials(accounts[FRONT_RUNNER]!);
      const depositContract = new Contract(
        deployment.depositContract!,
        [
          "function deposit(bytes pubkey, bytes withdrawal_credentials, bytes signature, bytes32 deposit_data_root) payable",
        ],
        await provider.getSigner(FRONT_RUNNER),
      );
      const root = computeDepositDataRoot(`0x${key.pubkey}`, credentials, 1_000_000_000n, `0x${key.signature}`);
      const tx = await depositContract.getFunction("deposit")(
        `0x${key.pubkey}`,
        credentials,
        `0x${key.signature}`,
        root,
        {
          value: parseEther("1"),
        },
      );
      expect((await tx.wait())?.status, "front-running deposit mined").to.equal(1);

      const before = await nonceOf(STAKER);
      const stake = await task(["pool", "stake", "--attestation", attestationFile("before.json")]);
      expectRefusal(
        stake,
        "stake with the old attestation",
        /^Error: the transaction would revert: DepositRootChanged\(0x[0-9a-f]{64}, 0x[0-9a-f]{64}\): a deposit happened since the guardians attested/,
      );
      expect(await nonceOf(STAKER), "nothing sent").to.equal(before);

      const again = await task(["guardian", "attest", "--guardian", "17,18", "--out", attestationFile("after.json")]);
      expectRefusal(
        again,
        "fresh attestation",
        /^Error: not attesting: 1 problem\(s\); a guardian quorum should unvet operator\(s\) 0 /m,
      );
      expect(again.stderr, "names the key").to.include(`operator 0 key 3 (pubkey 0x${key.pubkey.slice(0, 12)}…)`);
      expect(again.stderr, "names the cause").to.include(
        `a deposit with other withdrawal credentials ${credentials.toLowerCase()} exists`,
      );
      expect(existsSync(attestationFile("after.json")), "no attestation written").to.equal(false);
    });
  });
});
