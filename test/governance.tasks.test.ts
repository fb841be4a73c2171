/**
 * The `gov` tasks as users run them: child processes against `hardhat node` on 127.0.0.1, with the Ignition CLI's
 * deployment of deploy/parameters/local-governor.json (token governance). One node and one deployment for the file:
 * the tests run in order and each builds on the chain the previous left (a fee change proposed, voted, queued and
 * executed with --advance, then the status, then the guardian's pause).
 */
import { rmSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { PROJECT_ROOT, readDeployment } from "../lib/deployment.js";
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

describe("gov tasks on a local node", function () {
  // The Ignition CLI compiles first when a `hardhat test` run has just built another profile: minutes on a busy
  // machine, once; the rest takes about a minute.
  this.timeout(600_000);

  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;
  let connection: NetworkConnection | undefined;
  let protocol: Protocol;
  /** The fee proposal's id, as `gov propose` printed it. */
  let proposalId: string;

  const task = (args: string[]) => hardhat(["--network", "localhost", ...args], env);

  before(async function () {
    const port = await freePort();
    deploymentId = `gov-tasks-${process.pid}-${Date.now()}`;
    env = { ...process.env, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = await startNode(port, env);
    const deploy = deployLocalArgs(deploymentId).map((arg) =>
      arg === "deploy/parameters/local.json" ? "deploy/parameters/local-governor.json" : arg,
    );
    expectSuccess(await hardhat(deploy, env), "ignition deploy");
    connection = await network.create({ network: "localhost", override: { url: node.url } });
    protocol = await connectProtocol(connection.ethers, readDeployment("localhost", deploymentId));
  });

  after(async function () {
    await connection?.provider.close();
    await node?.stop();
    rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("gov delegate, then gov propose makes a Governor proposal and refuses a fee above the cap", async function () {
    const delegated = await task(["gov", "delegate"]);
    expectSuccess(delegated, "gov delegate");
    expect(delegated.stdout, "self-delegation").to.match(
      /delegated its 600,000 PLURAL to 0x[0-9a-fA-F]{40}, who now has 600,000 PLURAL of votes/,
    );

    const refused = await task(["gov", "propose", "set-fee", "--treasury-bps", "2000", "--operator-bps", "500"]);
    expectRefusal(refused, "over the cap", /is above the pool's hard cap MAX_FEE_BPS, 2000 bps \(20\.00 %\)/);

    const dry = await task([
      "gov",
      "propose",
      "set-fee",
      "--treasury-bps",
      "600",
      "--operator-bps",
      "400",
      "--dry-run",
    ]);
    expectSuccess(dry, "gov propose --dry-run");
    expect(dry.stdout, "the transaction").to.match(/Not sent \(--dry-run\): propose on 0x[0-9a-fA-F]{40}/);
    expect(await protocol.governor!.proposalCount(), "nothing proposed").to.equal(0n);

    const proposed = await task(["gov", "propose", "set-fee", "--treasury-bps", "600", "--operator-bps", "400"]);
    expectSuccess(proposed, "gov propose");
    proposalId = /proposal id\s+│\s+(\d+)/.exec(proposed.stdout)![1]!;
    expect(proposed.stdout, "the call").to.include("StakingPool.setFees(600, 400)");
    expect(proposed.stdout, "the next step").to.match(/Next: gov vote \d{10} --support for/);
    const proposals = await protocol.governor!.proposalCount();
    expect(proposals, "one proposal on chain").to.equal(1n);
  });

  it("gov vote, queue and execute with --advance carry the fee change out", async function () {
    const early = await task(["gov", "queue", proposalId]);
    expectRefusal(early, "queue while pending", /is Pending: voting starts at .*Z and ends at .*Z/);

    const voted = await task([
      "gov",
      "vote",
      proposalId.slice(0, 10),
      "--support",
      "for",
      "--reason",
      "cheaper",
      "--advance",
    ]);
    expectSuccess(voted, "gov vote");
    expect(voted.stdout, "the vote").to.match(/Voted for on proposal \d{10}… with 600,000 PLURAL/);

    const queued = await task(["gov", "queue", proposalId, "--advance"]);
    expectSuccess(queued, "gov queue");
    expect(queued.stdout, "queued").to.match(/Queued proposal \d{10}… on the timelock, executable from .*Z/);

    const executed = await task(["gov", "execute", proposalId, "--advance"]);
    expectSuccess(executed, "gov execute");
    expect(executed.stdout, "executed").to.match(/Executed proposal \d{10}… \(tx 0x[0-9a-f]{64}\)/);
    const state = await protocol.pool.getReportState();
    expect([state.treasuryFeeBps, state.operatorFeeBps], "the new fee on chain").to.deep.equal([600n, 400n]);

    const again = await task(["gov", "execute", proposalId]);
    expectRefusal(again, "executed twice", /was already executed/);
  });

  it("gov execute runs an operations timelock operation by its id; --advance is refused off local chains", async function () {
    const proposed = await task([
      "gov",
      "propose",
      "add-operator",
      "--name",
      "Aurora",
      "--manager",
      "8",
      "--operations",
    ]);
    expectSuccess(proposed, "gov propose --operations");
    const id = /operation id\s+│\s+(0x[0-9a-f]{64})/.exec(proposed.stdout)![1]!;
    const executed = await task(["gov", "execute", id, "--advance"]);
    expectSuccess(executed, "gov execute <operation id>");
    expect(executed.stdout, "executed by the operations account").to.match(/Executed on the operations timelock/);
    expect((await protocol.operatorRegistry.getOperator(0)).name, "the operator").to.equal("Aurora");

    const remote = await hardhat(["--network", "sepolia", "gov", "execute", id, "--advance"], env);
    expectRefusal(
      remote,
      "--advance on sepolia",
      /--advance moves the chain's clock and works on local networks only, not "sepolia"/,
    );
  });

  it("gov cancel: the pause guardian vetoes an operations timelock operation; a stranger is refused", async function () {
    const proposed = await task([
      "gov",
      "propose",
      "add-operator",
      "--name",
      "Rogue",
      "--manager",
      "9",
      "--operations",
    ]);
    expectSuccess(proposed, "gov propose --operations");
    const id = /operation id\s+│\s+(0x[0-9a-f]{64})/.exec(proposed.stdout)![1]!;
    expectRefusal(
      await task(["gov", "cancel", id, "--from", "7"]),
      "gov cancel by a stranger",
      /may not cancel operations of the operations timelock: it lacks CANCELLER_ROLE/,
    );
    // Account #4: the pause guardian, one of the operations timelock's cancellers.
    const cancelled = await task(["gov", "cancel", id, "--from", "4"]);
    expectSuccess(cancelled, "gov cancel by the pause guardian");
    expect(cancelled.stdout, "says so").to.match(/Cancelled on the operations timelock/);
    expect(await protocol.operationsTimelock!.isOperation(id), "gone from the timelock").to.equal(false);
  });

  it("gov status shows the setup, the pause and the proposal", async function () {
    const status = await task(["gov", "status"]);
    expectSuccess(status, "gov status");
    for (const text of [
      "token: PLURAL holders vote on the Governor",
      // Aurora's, executed, and Rogue's, cancelled by the pause guardian.
      "Operations timelock operations (2)",
      "OperatorRegistry.addOperator(Aurora",
      "cancelled",
      "operations proposer",
      "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      "4 % of 1,000,000 PLURAL = 40,000 PLURAL",
      "Proposals (1)",
      "Executed",
      "600,000 PLURAL",
      "not paused",
    ]) {
      expect(status.stdout, `shows ${text}`).to.include(text);
    }
    const one = await task(["gov", "status", "--proposal", proposalId]);
    expectSuccess(one, "gov status --proposal");
    expect(one.stdout, "the full id").to.include(proposalId);
  });

  it("gov pause: the guardian pauses once; a second pause needs a new grant", async function () {
    const paused = await task(["gov", "pause", "deposits", "--duration", "2h"]);
    expectSuccess(paused, "gov pause");
    expect(paused.stdout, "paused").to.match(/Paused deposits for 2 h, until .*Z/);
    expect(paused.stdout, "the table").to.match(/deposits\s+│\s+paused until .*Z \(2 h left\)/);
    const again = await task(["gov", "pause", "withdrawals", "--duration", "1h"]);
    expectRefusal(
      again,
      "second pause",
      /has used its pause: one pause per grant; ask governance for a new grant: gov propose grant-pause --guardian 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65/,
    );
    const stranger = await task(["gov", "pause", "staking", "--duration", "1h", "--from", "7"]);
    expectRefusal(
      stranger,
      "not the guardian",
      /is not the pause guardian \(0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65\)/,
    );
    expect(await protocol.pool.depositsPausedUntil(), "deposits paused on chain").to.be.gt(0n);
  });
});
