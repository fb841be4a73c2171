/**
 * The demo's live mode (`npm run demo:live`): the `hardhat node` it starts and stops, the beacon simulator it keeps
 * following the chain, and its refusals before anything starts. The whole story over HTTP takes minutes; these pieces
 * take seconds.
 */
import { createServer, type Server } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { BeaconSimulator } from "../lib/beacon/simulator.js";
import { UserInputError } from "../lib/errors.js";
import { followChain, portIsFree, startLocalNode } from "../lib/localNode.js";
import { expectRefusal, freePort, hardhat, startTask } from "./helpers/node.js";

/** Holds 127.0.0.1:`port` until closed, as another program would. */
function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

async function rpc(url: string, method: string): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

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
        await startLocalNode({ port, logFile: path.join(workDir, "busy.log") }).then(
          () => expect.fail("a second node on a busy port should be refused"),
          (error: unknown) => {
            expect(error, "a user error").to.be.instanceOf(UserInputError);
            expect((error as Error).message).to.match(
              new RegExp(`^127\\.0\\.0\\.1:${port} is in use .*set PLURAL_LOCALHOST_PORT to a free port$`),
            );
          },
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
      const deadline = Date.now() + 10_000;
      while (simulator.headEpoch < headBefore + 3n && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(simulator.headEpoch, "followed the chain").to.equal(headBefore + 3n);
      stopped.abort();
      await following;
    });
  });

  describe("scripts/demo.ts with PLURAL_DEMO_LIVE=1", function () {
    it("refuses a busy node, Beacon API or dashboard port, or a bad report cadence, in one line before starting anything", async function () {
      const [nodePort, beaconPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
      const base = {
        ...process.env,
        PLURAL_DEMO_LIVE: "1",
        PLURAL_LOCALHOST_PORT: String(nodePort),
        PLURAL_BEACON_PORT: String(beaconPort),
        PLURAL_DASHBOARD_PORT: String(dashboardPort),
      };
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
      const [nodePort, beaconPort, dashboardPort] = [await freePort(), await freePort(), await freePort()];
      const demo = startTask(["run", "scripts/demo.ts"], {
        ...process.env,
        PLURAL_DEMO_LIVE: "1",
        PLURAL_LOCALHOST_PORT: String(nodePort),
        PLURAL_BEACON_PORT: String(beaconPort),
        PLURAL_DASHBOARD_PORT: String(dashboardPort),
      });
      try {
        await demo.waitFor(/\[1\/\d+\]/, 90_000);
        expect(await rpc(`http://127.0.0.1:${nodePort}`, "eth_chainId"), "the node runs").to.equal("0x7a69");
      } finally {
        // SIGTERM to the demo alone, as `kill` or a supervisor sends it (Ctrl-C reaches the whole process group).
        await demo.stop(15_000);
      }
      let free = await portIsFree(nodePort);
      for (let waited = 0; !free && waited < 10_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        free = await portIsFree(nodePort);
      }
      expect(free, `no hardhat node left on ${nodePort} once the demo is gone`).to.equal(true);
    });
  });
});
