/**
 * The dashboard as a user opens it: `hardhat node` on 127.0.0.1 with the Ignition CLI's deployment, the short scenario
 * of helpers/dashboard.ts run through the library on that node (staking, a beacon simulator and its Beacon API, oracle
 * reports, a finalized withdrawal, a pause, a waiting timelock operation), `hardhat dashboard` in a child process, and
 * the page in Debian's Chromium driven by playwright-core. Checks every figure on the page against the server's
 * snapshot and the key ones against the library's own reads, takes a screenshot (the README's, docs/dashboard.png, with
 * PLURAL_UPDATE_SCREENSHOT=1; otherwise one in the system's temporary folder, so a test run changes no tracked file), then
 * has the committee report a new frame and waits for the page to show it. Last, the task's refusals, one line each.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Browser, chromium, type Page } from "playwright-core";

import { formatEth } from "../lib/amounts.js";
import { RATE_DECIMALS, SHORT_DECIMALS } from "../lib/dashboard/snapshot.js";
import type { DashboardSnapshot } from "../lib/dashboard/types.js";
import { PROJECT_ROOT, readDeployment } from "../lib/deployment.js";
import { listOperators, operatorConcentration } from "../lib/operators.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import { getPoolStatus } from "../lib/status.js";
import { getQueueStatus } from "../lib/withdrawals.js";
import { type BeaconWorld, reportNextFrame, runDashboardScenario, startBeaconWorld } from "./helpers/dashboard.js";
import {
  type BackgroundTask,
  deployLocalArgs,
  expectRefusal,
  expectSuccess,
  freePort,
  hardhat,
  type LocalNode,
  startNode,
  startTask,
} from "./helpers/node.js";
import { STAKED_ACCOUNTS, stakeThroughOperators } from "./helpers/staked.js";

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser here. */
const CHROMIUM = "/usr/bin/chromium";
/**
 * Headless and quiet: no sandbox (CI runs as root), no GPU, and none of Chromium's own network traffic (update checks,
 * sync, QUIC), which a machine without internet access refuses.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOT =
  process.env.PLURAL_UPDATE_SCREENSHOT === "1"
    ? path.join(PROJECT_ROOT, "docs", "dashboard.png")
    : path.join(tmpdir(), `plural-dashboard-${process.pid}.png`);

/**
 * `.ci/run` installs Chromium in the background when it is missing, and names in PLURAL_CHROMIUM_STATUS the file it
 * writes when done ("<exit status> <log file>"): wait for it, at most 8 minutes, and fail with the log when the install
 * failed. Without the variable there is nothing to wait for.
 */
async function chromiumInstalledInTheBackground(): Promise<void> {
  const statusFile = process.env.PLURAL_CHROMIUM_STATUS;
  if (statusFile === undefined || statusFile === "" || existsSync(CHROMIUM)) return;
  const deadline = Date.now() + 480_000;
  while (!existsSync(statusFile)) {
    if (Date.now() > deadline) throw new Error(`Chromium's install did not finish in 8 minutes (${statusFile})`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const [status, log] = readFileSync(statusFile, "utf8").trim().split(" ");
  if (status !== "0") throw new Error(`installing Chromium failed (exit ${status}): see ${log}`);
}

/** The value at `path` ("pool.apr.days7.text") of the snapshot, as the page prints it. */
function at(snapshot: DashboardSnapshot, figure: string): string {
  let value: unknown = snapshot;
  for (const key of figure.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value === null || value === undefined ? "-" : String(value);
}

/** Every `[data-figure]` element of the page: its path and its text. */
function figuresOn(page: Page): Promise<[string, string][]> {
  return page.$$eval("[data-figure]", (elements) =>
    elements.map((element) => [element.getAttribute("data-figure")!, element.textContent ?? ""] as [string, string]),
  );
}

describe("dashboard in Chromium", function () {
  // A node, a deployment through the Ignition CLI and the scenario: about a minute on a busy machine.
  this.timeout(600_000);

  let node: LocalNode | undefined;
  let env: NodeJS.ProcessEnv;
  let deploymentId: string;
  let connection: NetworkConnection | undefined;
  let protocol: Protocol;
  let world: BeaconWorld | undefined;
  let dashboard: BackgroundTask | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  const snapshotNow = async () => (await (await fetch(`${url}api/snapshot`)).json()) as DashboardSnapshot;

  before(async function () {
    // Never skipped: a machine without the browser fails here, saying how to get it.
    await chromiumInstalledInTheBackground();
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install Debian's package with \`apt-get install -y chromium\` ` +
          `(.ci/run does when it is missing); playwright-core drives it and downloads no browser`,
      );
    }
    const port = await freePort();
    deploymentId = `dashboard-${process.pid}-${Date.now()}`;
    env = { ...process.env, PLURAL_LOCALHOST_PORT: String(port), PLURAL_DEPLOYMENT_ID: deploymentId };
    node = await startNode(port, env);
    expectSuccess(await hardhat(deployLocalArgs(deploymentId), env), "ignition deploy");

    connection = await network.create({ network: "localhost", override: { url: node.url } });
    protocol = await connectProtocol(connection.ethers, readDeployment("localhost", deploymentId));
    const plans = STAKED_ACCOUNTS.managers.map((manager, id) => ({
      name: ["Aurora Staking", "Borealis Nodes", "Cirrus Validators", "Delta Nodes"][id]!,
      manager,
      rewardAddress: manager,
    }));
    await stakeThroughOperators(connection, protocol, plans, 2);
    world = await startBeaconWorld(connection, protocol);
    await runDashboardScenario(world);

    dashboard = startTask(
      ["--network", "localhost", "dashboard", "--port", "0", "--beacon-url", world.api.url, "--poll-ms", "200"],
      env,
    );
    url = (await dashboard.waitFor(/Plural dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/, 180_000))[1]!;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.waitForSelector("#status.live", { timeout: 60_000 });
  });

  after(async function () {
    await browser?.close();
    await dashboard?.stop();
    await world?.api.close();
    await connection?.provider.close();
    await node?.stop();
    if (deploymentId !== undefined) {
      rmSync(path.join(PROJECT_ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    }
  });

  it("shows every figure of the snapshot, and the snapshot's figures are the library's", async function () {
    const snapshot = await snapshotNow();
    expect(await page.getAttribute("body", "data-block"), "the page shows the latest block").to.equal(
      String(snapshot.blockNumber),
    );
    const figures = await figuresOn(page);
    expect(figures.length, "figures on the page").to.be.greaterThan(60);
    for (const [figure, text] of figures) expect(text, figure).to.equal(at(snapshot, figure));

    // The figures against the library's own reads of the same chain.
    const { ethers } = connection!;
    const status = await getPoolStatus(protocol.pool, ethers.provider);
    const shown = new Map(figures);
    expect(shown.get("pool.totalPooledEther.short"), "total pooled ether").to.equal(
      formatEth(status.totalPooledEther, SHORT_DECIMALS),
    );
    expect(
      await page.getAttribute('[data-figure="pool.totalPooledEther.short"]', "title"),
      "exactly, on hover",
    ).to.equal(formatEth(status.totalPooledEther));
    expect(shown.get("pool.shareRate.short"), "share rate").to.equal(formatEth(status.shareRate, RATE_DECIMALS));
    const concentration = operatorConcentration(await listOperators(protocol.operatorRegistry));
    expect(shown.get("operators.nakamotoCoefficient.text"), "Nakamoto coefficient").to.equal(
      String(concentration.nakamotoCoefficient),
    );
    expect(shown.get("operators.herfindahlHirschmanIndex.text"), "HHI").to.equal(
      concentration.herfindahlHirschmanIndex.toFixed(2),
    );
    const queue = await getQueueStatus(protocol, ethers.provider);
    expect(shown.get("queue.lockedEther.short"), "locked ether").to.equal(formatEth(queue.lockedEther, SHORT_DECIMALS));
    expect(shown.get("validators.active"), "validators active on the Beacon API").to.equal("8");
    expect(shown.get("governance.pause.targets.0.until.text"), "deposits paused, with the expiry").to.match(/^20\d\d-/);
    expect(await page.getAttribute("svg.line-chart", "data-points"), "a rate point per report").to.equal("2");
    expect(await page.getAttribute("svg.bar-chart", "data-bars"), "a bar per operator").to.equal("4");

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT), `the screenshot at ${SCREENSHOT}`).to.equal(true);
    if (process.env.PLURAL_UPDATE_SCREENSHOT !== "1") rmSync(SCREENSHOT);
  });

  it("shows a new oracle report without a reload", async function () {
    const before = await snapshotNow();
    expect(before.pool.reportsApplied, "two reports so far").to.equal(2);
    await reportNextFrame(world!);
    await page.waitForSelector('body[data-reports="3"]', { timeout: 60_000 });
    const refSlot = (await protocol.accountingOracle.lastProcessedRefSlot()).toString();
    expect(refSlot, "a new frame").not.to.equal(before.oracle.lastReport?.refSlot);
    expect(await page.textContent('[data-figure="oracle.lastReport.refSlot"]'), "the new report's slot").to.equal(
      refSlot,
    );
    expect(await page.getAttribute("svg.line-chart", "data-points"), "a third rate point").to.equal("3");
    const after = await snapshotNow();
    expect(await page.textContent('[data-figure="pool.apr.lastReport.text"]'), "its APR").to.equal(
      after.pool.apr.lastReport.text,
    );
  });

  it("refuses with one line: no deployment, a Beacon API that does not answer, a host that is not loopback", async function () {
    const silent = `http://127.0.0.1:${await freePort()}`;
    const dashboardTask = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
      hardhat(["--network", "localhost", "dashboard", "--port", "0", ...args], { ...env, ...extra });
    const [undeployed, noBeacon, remote] = await Promise.all([
      dashboardTask(["--beacon-url", world!.api.url], { PLURAL_DEPLOYMENT_ID: `${deploymentId}-none` }),
      dashboardTask(["--beacon-url", silent]),
      dashboardTask(["--beacon-url", world!.api.url, "--host", "0.0.0.0"]),
    ]);
    expectRefusal(undeployed, "no deployment", /no Plural deployment on network "localhost"/);
    expectRefusal(
      noBeacon,
      "Beacon API down",
      new RegExp(`the Beacon API at ${silent.replace(/\./g, "\\.")} does not answer`),
    );
    expectRefusal(remote, "remote host", /--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
  });
});
