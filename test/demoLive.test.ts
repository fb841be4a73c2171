/**
 * The demo's live mode (`npm run demo:live`): the `hardhat node` it starts and stops, the beacon simulator it keeps
 * following the chain, and its refusals before anything starts. The whole story over HTTP takes minutes; these pieces
 * take seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { BeaconSimulator } from "../lib/beacon/simulator.js";
import { followChain, portIsFree, startLocalNode } from "../lib/localNode.js";
import { expectRefusal, freePort, hardhat, occupy, rpc, startTask, until } from "./helpers/node.js";
import { expectUserError } from "./helpers/protocol.js";

describe("demo live mode", function () {
  this.timeout(120_000);
  let workDir: string;

  before(function () {
    workDir = mkdtempSync(path.join(tmpdir(), "plural-live-"));
  });

  after(function () {
    rmSync(workDir, { recursive: true, force: true });
  });

  describe("startLocalNode", function () {
    it("serves JSON-RPC on 127.0.0.1 until stopped, then frees the port", async function () {
      const port = await freePort();
      const logFile = path.join(workDir, "node.log");
      const node = await startLocalNode({ port, logFile });
      try {
        expect(node.url, "url").to.equal(`http://127.0.0.1:${port}`);
        expect(await rpc(node.url, "eth_chainId"), "chain id 31337").to.equal("0x7a69");
        expect(await portIsFree(port), "port taken while it runs").to.equal(false);
      } finally {
        await node.stop();
      }
      expect(await portIsFree(port), "port free once stopped").to.equal(true);
      expect(readFileSync(logFile, "utf8"), "the node's output goes to the log file").to.include("eth_chainId");
      await node.stop();
    });

    it("refuses a port in use, naming it and the variable to change", async function () {
      const port = await freePort();
      const server = await occupy(port);
      try {
        await expectUserError(
          startLocalNode({ port, logFile: path.join(workDir, "busy.log") }),
          new RegExp(`^127\\.0\\.0\\.1:${port} is in use .*set PLURAL_LOCALHOST_PORT to a free port$`),
        );
      } finally {
        server.close();
      }
    });
  });

  describe("followChain", function () {
    it("moves the beacon chain as others mine, and returns once stopped", async function () {
      const { ethers, networkHelpers, provider } = await network.create();
      const mock = await ethers.deployContract("BeaconDepositMock");
      const simulator = await BeaconSimulator.create(provider, { depositContract: await mock.getAddress() });
      const headBefore = simulator.headEpoch;
      const stopped = new AbortController();
      const following = followChain(simulator, stopped.signal, { pollMs: 20 });
      // Another client mines three epochs later; the loop picks the block up by itself.
      await networkHelpers.time.increase(3 * 32 * 12);
      await until(() => simulator.headEpoch >= headBefore + 3n, 10_000, 20);
      expect(simulator.headEpoch, "followed the chain").to.equal(headBefore + 3n);
      stopped.abort();
      await following;
    });
  });

  describe("scripts/demo.ts with PLURAL_DEMO_LIVE=1", function () {
    /** Free ports for the demo's node, Beacon API and dashboard, and the live mode's environment naming them. */
    async function liveDemo() {
      const [nodePort, beaconPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PLURAL_DEMO_LIVE: "1",
        PLURAL_LOCALHOST_PORT: String(nodePort),
        PLURAL_BEACON_PORT: String(beaconPort),
        PLURAL_DASHBOARD_PORT: String(dashboardPort),
      };
      return { nodePort, beaconPort, dashboardPort, env };
    }

    it("refuses a busy node, Beacon API or dashboard port, or a bad report cadence, in one line before starting anything", async function () {
      const { nodePort, beaconPort, dashboardPort, env: base } = await liveDemo();
      const cases: [NodeJS.ProcessEnv, number | undefined, RegExp][] = [
        [base, nodePort, new RegExp(`^Error: 127\\.0\\.0\\.1:${nodePort} is in use .*PLURAL_LOCALHOST_PORT`, "m")],
        [base, beaconPort, new RegExp(`^Error: 127\\.0\\.0\\.1:${beaconPort} is in use .*PLURAL_BEACON_PORT`, "m")],
        [
          base,
          dashboardPort,
          new RegExp(`^Error: 127\\.0\\.0\\.1:${dashboardPort} is in use .*PLURAL_DASHBOARD_PORT`, "m"),
        ],
        [
          { ...base, PLURAL_DEMO_REPORT_DAYS: "0" },
          undefined,
          /^Error: PLURAL_DEMO_REPORT_DAYS "0": expected a whole number of days from 1 to 30/m,
        ],
      ];
      for (const [env, busy, message] of cases) {
        const server = busy === undefined ? undefined : await occupy(busy);
        try {
          const run = await hardhat(["run", "scripts/demo.ts"], env);
          expectRefusal(run, String(message), message);
          expect(run.stdout, `${message}: nothing deployed`).not.to.include("[1/");
        } finally {
          server?.close();
        }
        expect(await portIsFree(nodePort), `${message}: no node left running`).to.equal(true);
      }
    });

    it("takes its hardhat node down when SIGTERM ends it in the middle of the story", async function () {
      const { nodePort, env } = await liveDemo();
      const demo = startTask(["run", "scripts/demo.ts"], env);
      try {
        await demo.waitFor(/\[1\/\d+\]/, 90_000);
        expect(await rpc(`http://127.0.0.1:${nodePort}`, "eth_chainId"), "the node runs").to.equal("0x7a69");
      } finally {
        // SIGTERM to the demo alone, as `kill` or a supervisor sends it (Ctrl-C reaches the whole process group).
        await demo.stop(15_000);
      }
      const free = await until(() => portIsFree(nodePort), 10_000, 250);
      expect(free, `no hardhat node left on ${nodePort} once the demo is gone`).to.equal(true);
    });
  });
});
