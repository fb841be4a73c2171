/**
 * The testnet flow, for real, against `hardhat node --hostname 127.0.0.1` in a child process: the `Plural` module
 * (not `PluralLocal`) with a parameter file whose deposit contract is the mock deployed first (deploy/parameters/
 * localhost.json), `deploy check`, then the one `ignition deploy` command; a deployment interrupted twice (slow
 * blocks, the process killed once its transactions are sent, then once some are confirmed) and resumed with the same
 * command, nothing deployed twice; a deposit through `pool deposit`. Then the public networks' configuration: Hoodi's
 * secrets from the Hardhat keystore (its password typed at the prompt), Sepolia's from environment variables, their
 * shipped parameter files refused before anything is sent.
 *
 * One node and one deployment for the file: the tests run in order and each builds on the chain the previous left.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { getVerificationInformation } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import { concat, Interface, type InterfaceAbi } from "ethers";

import {
  deploymentDirectory,
  type JournalEntry,
  PROJECT_ROOT,
  readDeployedAddresses,
  readJournal,
} from "../lib/deployment.js";
import { DEPLOYMENT_GAS_ESTIMATE } from "../lib/deployPreflight.js";
import {
  type BackgroundTask,
  expectRefusal,
  expectSuccess,
  freePort,
  hardhat,
  HARDHAT_CLI,
  type LocalNode,
  rpc,
  type Run,
  startNode,
  startTask,
} from "./helpers/node.js";
import { TEAM_ADDRESS_PARAMETERS } from "./helpers/parameters.js";
import { row } from "./helpers/table.js";

/** Account #0 of Hardhat's test mnemonic, the deployer; its first contract lands at a fixed address. */
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/** Hardhat's published test key of account #0 (never holds real funds). */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const MOCK_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
/** The Plural module's contract creations: PluralDeployer needs the nine others' addresses, so it goes last. */
const CONTRACT_FUTURES = 10;
const FIRST_BATCH = CONTRACT_FUTURES - 1;
const KEYSTORE_PASSWORD = "plural-test-password";
/** A refusal as users see it (one `Error:` line, then the problems, one a line): the problems. */
function refusedProblems(run: Run, label: string): string[] {
  return expectRefusal(run, label)
    .filter((line) => line.startsWith("  - "))
    .map((line) => line.slice(4));
}

/** The parameter each problem line names. */
const named = (problems: string[]) => problems.map((line) => line.split(":")[0]);

/**
 * Runs `hardhat <args>` and types `answers` at its prompts, each once its prompt text appears on stdout, as someone at
 * the terminal would; killed after `deadlineMs` so that an unanswered prompt cannot hang the test.
 */
function hardhatAnswering(args: string[], env: NodeJS.ProcessEnv, answers: [string, string][], deadlineMs = 120_000) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], { cwd: PROJECT_ROOT, env });
    const pending = [...answers];
    let stdout = "";
    let stderr = "";
    let unanswered = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      unanswered += chunk.toString();
      const next = pending[0];
      if (next !== undefined && unanswered.includes(next[0])) {
        pending.shift();
        unanswered = "";
        child.stdin.write(`${next[1]}\n`);
        if (pending.length === 0) child.stdin.end();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment variables by which Hardhat (`isCi` of hardhat-utils) takes a machine for a CI runner. */
const CI_VARIABLES = [
  "CI",
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
];

describe("deploying with the testnet flow to hardhat node", function () {
  // The Ignition CLI compiles first when a `hardhat test` run has just built another profile: minutes on a busy
  // machine, once; the rest takes about two minutes.
  this.timeout(900_000);

  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;
  let workDir: string;
  let running: BackgroundTask | undefined;

  const nonce = async () => Number(await rpc<string>(node!.url, "eth_getTransactionCount", [DEPLOYER, "latest"]));
  const deployArgs = (parameters = "deploy/parameters/localhost.json") => [
    // The build the test run already made (see helpers/node.ts deployLocalArgs).
    "--build-profile",
    "default",
    "ignition",
    "deploy",
    "deploy/modules/Plural.ts",
    "--network",
    "localhost",
    "--parameters",
    parameters,
    "--deployment-id",
    deploymentId,
  ];
  const futuresOf = (entries: JournalEntry[], type: string) =>
    entries.filter((entry) => entry.type === type).map((entry) => entry.futureId!);

  /** Resolves once `test` holds for the journal; rejects when `task` exits first or `deadlineMs` passes. */
  async function journalShows(task: BackgroundTask, test: (entries: JournalEntry[]) => boolean, deadlineMs = 180_000) {
    let exited = false;
    void task.done.then(() => (exited = true));
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if (test(readJournal(deploymentId))) return;
      if (exited) throw new Error(`ignition deploy exited first\n${task.stdout}${task.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the journal did not get there within ${deadlineMs} ms\n${task.stdout}${task.stderr}`);
  }

  before(async function () {
    const port = await freePort();
    deploymentId = `it-testnet-${process.pid}-${Date.now()}`;
    workDir = mkdtempSync(path.join(tmpdir(), "plural-testnet-"));
    // No secret of the machine leaks in, and no keystore of its user is consulted: HOME is a fresh folder. Without
    // HH_TEST (set by `hardhat test`), the tasks read the production keystore as a user's terminal does.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(HOODI_|SEPOLIA_|ETHERSCAN_|PLURAL_|XDG_|HH_TEST$)/.test(name)),
    );
    env = { ...inherited, HOME: workDir, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = await startNode(port, env);
  });

  after(async function () {
    await running?.stop();
    await node?.stop();
    rmSync(deploymentDirectory(deploymentId), { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  it("deploy check refuses while the deposit contract does not exist, and sends nothing", async function () {
    const run = await hardhat(["deploy", "check", "--network", "localhost"], env);
    expect(refusedProblems(run, "deploy check")).to.deep.equal([
      `depositContract: no contract at ${MOCK_ADDRESS} on this chain`,
    ]);
    expect(run.stderr).to.match(
      /^Error: deploy\/parameters\/localhost\.json on network "localhost": 1 problem, nothing was sent:$/m,
    );
    expect(await nonce(), "nothing sent").to.equal(0);
  });

  it("the deposit contract mock deploys first, at account #0's first contract address", async function () {
    const run = await hardhat(
      [
        "--build-profile",
        "default",
        "ignition",
        "deploy",
        "deploy/modules/BeaconDepositMock.ts",
        "--network",
        "localhost",
        "--deployment-id",
        deploymentId,
      ],
      env,
    );
    expectSuccess(run, "ignition deploy BeaconDepositMock");
    expect(readDeployedAddresses(deploymentId)).to.deep.equal({ "BeaconDepositMock#BeaconDepositMock": MOCK_ADDRESS });
  });

  it("deploy check passes, prints the plan and the one command that deploys", async function () {
    const run = await hardhat(["deploy", "check", "--network", "localhost"], env);
    expectSuccess(run, "deploy check");
    expect(row(run.stdout, "deployer")[1], "deployer").to.match(
      /^0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 \(9,999\.\d+ ETH\)$/,
    );
    expect(row(run.stdout, "deposit contract")[1], "mock").to.equal(`${MOCK_ADDRESS} (0 deposits)`);
    expect(row(run.stdout, "PLURAL supply")[1], "token").to.equal("1,000,000 PLURAL to 3 holders");
    expect(row(run.stdout, "operations timelock")[1]).to.equal("delay 10 min, proposer 0x90F7…b906, executor anyone");
    expect(row(run.stdout, "record")[1], "new").to.equal(`deploy/deployments/${deploymentId}: new`);
    expect(run.stdout).to.include(
      `npx hardhat ignition deploy deploy/modules/Plural.ts --network localhost --parameters ` +
        `deploy/parameters/localhost.json --deployment-id ${deploymentId}\n`,
    );
  });

  it("refuses unfilled and invalid parameters, in deploy check and in ignition deploy, before anything is sent", async function () {
    const file = path.join(workDir, "broken.json");
    const broken = {
      Plural: {
        ...(
          JSON.parse(readFileSync(path.join(PROJECT_ROOT, "deploy", "parameters", "localhost.json"), "utf8")) as {
            Plural: Record<string, unknown>;
          }
        ).Plural,
        treasury: "<treasury address>",
        guardianQuorum: "4n",
        treasuryFeeBps: "1600n",
        votingPeriod: "60n",
        oracleMembers: [
          "0xbcd4042de499d14e55001ccbb24a551f3b954096",
          "0x71bE63f3384f5fb98995898A86B02Fb2426c5788",
          "0xFABB0ac9d68B0B445fB7357272Ff202C5651694a",
        ],
      },
    };
    writeFileSync(file, JSON.stringify(broken));
    const journalBefore = readJournal(deploymentId).length;
    const expected = [
      "votingPeriod",
      "treasury",
      "oracleMembers[0]",
      "treasuryFeeBps + operatorFeeBps",
      "guardianQuorum",
    ];
    const check = await hardhat(["deploy", "check", "--network", "localhost", "--parameters", file], env);
    expect(named(refusedProblems(check, "deploy check")), "deploy check").to.have.members(expected);
    const deploy = await hardhat(deployArgs(file), env);
    const problems = refusedProblems(deploy, "ignition deploy");
    expect(named(problems), "ignition deploy").to.have.members(expected);
    expect(problems).to.include(
      "oracleMembers[0]: 0xbcd4042de499d14e55001ccbb24a551f3b954096 is not checksummed: write " +
        "0xBcd4042DE499D14e55001CcbB24a551F3b954096",
    );
    expect(deploy.stdout, "Ignition never started").not.to.include("Hardhat Ignition");
    expect(readJournal(deploymentId), "journal untouched").to.have.length(journalBefore);
    expect(await nonce(), "only the mock was sent").to.equal(1);
  });

  it("an interrupted deployment resumes with the same command and deploys nothing twice", async function () {
    // Slow blocks, so that Ignition waits for its five confirmations (automine would need one) and can be stopped
    // in between.
    // Ignition refuses to start while the deployer has transactions with fewer confirmations (the mock's).
    await rpc(node!.url, "hardhat_mine", ["0x5"]);
    await rpc(node!.url, "evm_setAutomine", [false]);
    await rpc(node!.url, "evm_setIntervalMining", [2_000]);
    const marks: number[] = [];
    try {
      const ofPlural = (futures: string[]) => futures.filter((future) => future.startsWith("Plural#"));
      const sent = (entries: JournalEntry[]) => ofPlural(futuresOf(entries, "TRANSACTION_SEND"));
      const confirmed = (entries: JournalEntry[]) => ofPlural(futuresOf(entries, "TRANSACTION_CONFIRM"));

      // Where each run's journal entries start and end: one process writes at a time.
      marks.push(readJournal(deploymentId).length);

      // First stop: every transaction of the first batch sent (so none is between its nonce and its sending), none
      // confirmed.
      running = startTask(deployArgs(), env);
      await journalShows(running, (entries) => sent(entries).length === FIRST_BATCH);
      await running.stop();
      running = undefined;
      marks.push(readJournal(deploymentId).length);
      expect(confirmed(readJournal(deploymentId)), "killed before any confirmation").to.deep.equal([]);

      // Second stop: the first batch confirmed, PluralDeployer sent and not yet confirmed.
      running = startTask(deployArgs(), env);
      await journalShows(running, (entries) => sent(entries).includes("Plural#PluralDeployer"));
      await running.stop();
      running = undefined;
      marks.push(readJournal(deploymentId).length);
      const second = readJournal(deploymentId);
      expect(confirmed(second), "some confirmed: the first batch").to.have.length(FIRST_BATCH);
      expect(confirmed(second), "the deployer not yet").not.to.include("Plural#PluralDeployer");
      expect(readDeployedAddresses(deploymentId), "no proxy recorded yet").not.to.have.property("Plural#StakingPool");

      const third = await hardhat(deployArgs(), env);
      expectSuccess(third, "ignition deploy, resumed");
      marks.push(readJournal(deploymentId).length);
      expect(third.stdout).to.match(/\[ Plural \] successfully deployed/);
    } finally {
      await rpc(node!.url, "evm_setIntervalMining", [0]);
      await rpc(node!.url, "evm_setAutomine", [true]);
    }

    const journal = readJournal(deploymentId);
    const runs = [0, ...marks].slice(0, -1).map((start, index) => journal.slice(start, marks[index]));
    const [mockRun, first, second, third] = runs;
    expect(runs, "the mock's run and three of Plural").to.have.length(4);
    expect(futuresOf(mockRun!, "TRANSACTION_SEND"), "the mock").to.deep.equal(["BeaconDepositMock#BeaconDepositMock"]);
    expect(futuresOf(first!, "TRANSACTION_SEND"), "run 1: the first batch").to.have.length(FIRST_BATCH);
    expect(futuresOf(second!, "TRANSACTION_SEND"), "run 2: only the deployer").to.deep.equal(["Plural#PluralDeployer"]);
    expect(futuresOf(third!, "TRANSACTION_SEND"), "run 3: nothing left to send").to.deep.equal([]);
    runs.forEach((entries, index) => {
      const before = new Set(
        runs.slice(0, index).flatMap((earlier) => futuresOf(earlier, "NETWORK_INTERACTION_REQUEST")),
      );
      const again = futuresOf(entries, "NETWORK_INTERACTION_REQUEST").filter((future) => before.has(future));
      expect(again, `run ${index}: no future started again`).to.deep.equal([]);
    });
    const sends = futuresOf(readJournal(deploymentId), "TRANSACTION_SEND");
    expect(new Set(sends).size, "every future sent once").to.equal(sends.length);
    expect(sends, "eleven transactions in all").to.have.length(CONTRACT_FUTURES + 1);

    const again = await hardhat(deployArgs(), env);
    expectSuccess(again, "ignition deploy, once more");
    expect(again.stdout).to.include("Nothing new to deploy");
  });

  it("nothing was deployed twice: one creation per contract future, every recorded address distinct and with code", async function () {
    const record = readDeployedAddresses(deploymentId)!;
    const addresses = Object.values(record);
    expect(addresses, "the mock and 22 of Plural").to.have.length(23);
    expect(new Set(addresses.map((address) => address.toLowerCase())).size, "distinct").to.equal(addresses.length);
    for (const [future, address] of Object.entries(record)) {
      expect(await rpc<string>(node!.url, "eth_getCode", [address, "latest"]), future).not.to.equal("0x");
    }

    // Every transaction the deployer ever sent, read from the chain itself.
    const latest = Number(await rpc<string>(node!.url, "eth_blockNumber"));
    const creations: { address: string; gas: bigint }[] = [];
    let sentByDeployer = 0;
    for (let number = 0; number <= latest; number++) {
      const block = await rpc<{ transactions: { from: string; to: string | null; hash: string }[] }>(
        node!.url,
        "eth_getBlockByNumber",
        [`0x${number.toString(16)}`, true],
      );
      for (const tx of block.transactions) {
        if (tx.from.toLowerCase() !== DEPLOYER.toLowerCase()) continue;
        sentByDeployer++;
        if (tx.to !== null) continue;
        const receipt = await rpc<{ contractAddress: string; gasUsed: string }>(
          node!.url,
          "eth_getTransactionReceipt",
          [tx.hash],
        );
        creations.push({ address: receipt.contractAddress.toLowerCase(), gas: BigInt(receipt.gasUsed) });
      }
    }
    const completed = readJournal(deploymentId)
      .filter((entry) => entry.type === "DEPLOYMENT_EXECUTION_STATE_COMPLETE")
      .map((entry) => entry.futureId!);
    expect(completed, "contract futures").to.have.length(CONTRACT_FUTURES + 1);
    expect(sentByDeployer, "the deployer sent only the creations").to.equal(creations.length);
    expect(creations, "one creation per contract future").to.have.length(completed.length);
    expect(
      creations.map((creation) => creation.address),
      "created exactly where the record says",
    ).to.have.members(completed.map((future) => record[future]!.toLowerCase()));

    // The deployer's balance check assumes this much gas: keep it above what a deployment takes.
    const pluralGas = creations
      .filter((creation) => creation.address !== MOCK_ADDRESS.toLowerCase())
      .reduce((sum, creation) => sum + creation.gas, 0n);
    expect(pluralGas < DEPLOYMENT_GAS_ESTIMATE, `estimate above the ${pluralGas} gas used`).to.equal(true);
    expect(DEPLOYMENT_GAS_ESTIMATE < (pluralGas * 3n) / 2n, "estimate not far above it").to.equal(true);
  });

  it("verification offline: each contract's record (source, compiler settings, constructor arguments) reproduces its creation", async function () {
    // What `ignition deploy --verify` (`ignition verify`) submits: Ignition's verification information from the
    // record, compiled as the record's build info says. Explorers cannot be reached here; what they will compare,
    // the creation code, can: the artifact's bytecode with the recorded arguments must be the creation transaction.
    const infos: unknown[] = [];
    for await (const info of getVerificationInformation(deploymentDirectory(deploymentId))) infos.push(info);
    expect(
      infos.filter((info) => typeof info === "string"),
      "every artifact found",
    ).to.deep.equal([]);
    expect(infos, "every contract future").to.have.length(CONTRACT_FUTURES + 1);
    const record = readDeployedAddresses(deploymentId)!;
    for (const info of infos as {
      address: string;
      contract: string;
      constructorArgs: unknown[];
      creationTxHash: string;
    }[]) {
      const futureId = Object.keys(record).find((future) => record[future] === info.address)!;
      expect(futureId, `${info.contract}: recorded`).not.to.equal(undefined);
      const artifact = JSON.parse(
        readFileSync(path.join(deploymentDirectory(deploymentId), "artifacts", `${futureId}.json`), "utf8"),
      ) as { abi: InterfaceAbi; bytecode: string; sourceName: string; contractName: string; buildInfoId: string };
      expect(info.contract, futureId).to.equal(`${artifact.sourceName}:${artifact.contractName}`);
      const transaction = await rpc<{ input: string }>(node!.url, "eth_getTransactionByHash", [info.creationTxHash]);
      const creationCode = concat([artifact.bytecode, new Interface(artifact.abi).encodeDeploy(info.constructorArgs)]);
      expect(transaction.input, `${futureId}: creation code`).to.equal(creationCode);

      const buildInfo = JSON.parse(
        readFileSync(
          path.join(deploymentDirectory(deploymentId), "build-info", `${artifact.buildInfoId}.json`),
          "utf8",
        ),
      ) as { solcVersion: string; input: { settings: { optimizer: { runs: number }; evmVersion: string } } };
      expect(
        [buildInfo.solcVersion, buildInfo.input.settings.optimizer.runs, buildInfo.input.settings.evmVersion],
        `${futureId}: compiler`,
      ).to.deep.equal(["0.8.30", 1_000, "prague"]);
    }
  });

  it("deposits 1.5 ETH with `pool deposit` and holds plETH", async function () {
    const deposit = await hardhat(["pool", "deposit", "1.5", "--network", "localhost"], env);
    expectSuccess(deposit, "pool deposit");
    expect(deposit.stdout).to.match(
      /Deposited 1\.5 ETH, received 1\.5 plETH \(tx 0x[0-9a-f]{64}, block \d+, \d+ gas\)/,
    );
    const status = await hardhat(["pool", "status", "--network", "localhost"], env);
    expectSuccess(status, "pool status");
    expect(row(status.stdout, "plETH")[1], "plETH held").to.equal("1.5 plETH");
    expect(row(status.stdout, "total pooled ether")[1], "with the initial deposit").to.equal("1.501 ETH");
  });

  it("deploy check of the finished deployment says the same command resumes from its record", async function () {
    const run = await hardhat(["deploy", "check", "--network", "localhost"], env);
    expectSuccess(run, "deploy check");
    expect(row(run.stdout, "record")[1]).to.equal(
      `deploy/deployments/${deploymentId}: 22 addresses of Plural recorded, the command resumes from there`,
    );
  });

  it("Hoodi: the RPC URL and deployer key come from the Hardhat keystore; the shipped file is refused, nothing sent", async function () {
    // A user's terminal: none of the variables by which Hardhat recognizes a CI machine, where it never opens the
    // keystore (this suite itself runs in CI too).
    const userEnv = Object.fromEntries(
      Object.entries(env).filter(([name]) => !CI_VARIABLES.includes(name)),
    ) as NodeJS.ProcessEnv;
    const set = (key: string, value: string, first: boolean) =>
      hardhatAnswering(["keystore", "set", key], userEnv, [
        ["Enter the password:", KEYSTORE_PASSWORD],
        ...(first ? ([["confirm your password:", KEYSTORE_PASSWORD]] as [string, string][]) : []),
        ["Enter secret", value],
      ]);
    // The node stands in for a Hoodi RPC: it answers the wrong chain id, which the check reports first.
    expectSuccess(await set("HOODI_RPC_URL", node!.url, true), "keystore set HOODI_RPC_URL");
    expectSuccess(await set("HOODI_DEPLOYER_KEY", DEPLOYER_KEY, false), "keystore set HOODI_DEPLOYER_KEY");
    const nonceBefore = await nonce();

    const password: [string, string][] = [["Enter the password:", KEYSTORE_PASSWORD]];
    const check = await hardhatAnswering(["deploy", "check", "--network", "hoodi"], userEnv, password);
    expect(
      check.stdout.match(/Enter the password:/g),
      `the password, asked once\n${check.stdout}${check.stderr}`,
    ).to.have.length(1);
    const problems = refusedProblems(check, "deploy check --network hoodi");
    expect(problems[0], "the keystore's URL reached").to.equal(
      'chain id: the RPC of network "hoodi" answers chain id 31337, not 560048: check its URL',
    );
    expect(named(problems.slice(1)), "the team's addresses").to.deep.equal(TEAM_ADDRESS_PARAMETERS);

    const deploy = await hardhatAnswering(
      [
        "ignition",
        "deploy",
        "deploy/modules/Plural.ts",
        "--network",
        "hoodi",
        "--parameters",
        "deploy/parameters/hoodi.json",
        "--verify",
      ],
      userEnv,
      password,
    );
    const refused = refusedProblems(deploy, "ignition deploy --network hoodi --verify");
    expect(named(refused), "the same problems, and the Etherscan key --verify needs").to.deep.equal([
      ...named(problems),
      "ETHERSCAN_API_KEY",
    ]);
    expect(await nonce(), "nothing sent").to.equal(nonceBefore);
  });

  it("Sepolia: secrets from environment variables, as in CI; the check says its deposit contract is token-gated", async function () {
    // As in CI: the keystore the Hoodi test made stays closed (in CI the keystore plugin is not consulted at all).
    const sepoliaEnv = { ...env, CI: "true", SEPOLIA_RPC_URL: node!.url, SEPOLIA_DEPLOYER_KEY: DEPLOYER_KEY };
    const check = await hardhat(["deploy", "check", "--network", "sepolia"], sepoliaEnv);
    expect(check.stderr).to.match(/^Note: Sepolia's deposit contract is token-gated: .*deploy to Hoodi/m);
    const problems = refusedProblems(check, "deploy check --network sepolia");
    expect(problems[0]).to.equal(
      'chain id: the RPC of network "sepolia" answers chain id 31337, not 11155111: check its URL',
    );
    expect(named(problems.slice(1))).to.deep.equal(TEAM_ADDRESS_PARAMETERS);
    expect(check.stdout, "no keystore prompt").not.to.include("Enter the password");
    expect(problems.at(-1), "no Etherscan key: a note for deploy check, not a problem").not.to.match(/ETHERSCAN/);
    expect(check.stderr).to.match(/^Note: ETHERSCAN_API_KEY: not set, and --verify needs it for Etherscan/m);
  });
});
