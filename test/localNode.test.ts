/**
 * The README's day-to-day sequence, for real: `hardhat node` on 127.0.0.1 in a child process, an Ignition deployment
 * to `--network localhost`, then the `pool deposit` and `pool status` tasks as child processes, their output checked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { PROJECT_ROOT } from "../lib/deployment.js";
import { deployLocalArgs, freePort, hardhat, HARDHAT_CLI, waitForNode } from "./helpers/node.js";

describe("local node, deployment and tasks as child processes", function () {
  this.timeout(240_000);

  let node: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;

  before(async function () {
    const port = await freePort();
    deploymentId = `it-${process.pid}-${Date.now()}`;
    env = { ...process.env, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: PROJECT_ROOT,
      env,
      stdio: "ignore",
    });
    await waitForNode(`http://127.0.0.1:${port}`, node, 60_000);
  });

  after(function () {
    node?.kill();
    rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("refuses the tasks before anything is deployed, saying how to deploy", async function () {
    const run = await hardhat(["pool", "status", "--network", "localhost"], env);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/^Error: no Plural deployment on network "localhost"/);
    expect(run.stderr).to.include("npx hardhat ignition deploy deploy/modules/PluralLocal.ts --network localhost");
  });

  it("deploys with the Ignition module and parameters of the README", async function () {
    const run = await hardhat(deployLocalArgs(deploymentId), env);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stdout).to.match(/PluralLocal#StakingPool - 0x[0-9a-fA-F]{40}/);
  });

  it("deposits 1.5 ETH with `pool deposit`", async function () {
    const run = await hardhat(["pool", "deposit", "1.5", "--network", "localhost"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Deposited 1\.5 ETH, received 1\.5 plETH \(tx 0x[0-9a-f]{64}, block \d+, \d+ gas\)/);
  });

  it("shows the deposit in `pool status`", async function () {
    const run = await hardhat(["pool", "status", "--network", "localhost"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/total pooled ether\s+│\s+1\.501 ETH/);
    expect(run.stdout).to.match(/plETH supply\s+│\s+1\.501 plETH/);
    expect(run.stdout).to.match(/plETH\s+│\s+1\.5 plETH/);
    expect(run.stdout).to.match(/value\s+│\s+1\.5 ETH/);
  });

  it("answers bad input with one line naming the argument, and sends nothing", async function () {
    const cases: [string[], RegExp][] = [
      [["--", "-1"], /^Error: amount "-1" is negative/],
      [["abc"], /^Error: amount "abc" is not a number/],
      [["1", "--from", "0x12"], /^Error: --from "0x12" is not an address/],
      [["1", "--referral", "nobody"], /^Error: --referral "nobody" is not an address/],
      [["200000"], /^Error: amount 200,000 ETH is above the stake limit/],
    ];
    for (const [args, expected] of cases) {
      const run = await hardhat(["pool", "deposit", "--network", "localhost", ...args], env);
      expect(run.code, `${args.join(" ")}: exit code`).to.equal(1);
      expect(run.stderr.trim().split("\n"), `${args.join(" ")}: one line`).to.have.length(1);
      expect(run.stderr, args.join(" ")).to.match(expected);
    }
    const status = await hardhat(["pool", "status", "--network", "localhost"], env);
    expect(status.stdout, "nothing more deposited").to.match(/total pooled ether\s+│\s+1\.501 ETH/);
  });
});
