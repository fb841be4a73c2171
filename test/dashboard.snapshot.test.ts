import { EventEmitter } from "node:events";

import { expect } from "chai";
import { network } from "hardhat";

import { BeaconClient } from "../lib/beacon/client.js";
import { countValidatorStates, type DashboardSources, readDashboardSnapshot } from "../lib/dashboard/snapshot.js";
import { EventStream, isLoopbackHost, startDashboard } from "../lib/dashboard/server.js";
import type { DashboardSnapshot } from "../lib/dashboard/types.js";
import { listOperators, operatorConcentration } from "../lib/operators.js";
import { readOracleStatus } from "../lib/oracle/status.js";
import { readPauseStatus } from "../lib/pause.js";
import { aprFromReport, averageApr, formatApr, getPoolStatus, readAppliedReports } from "../lib/status.js";
import { getQueueStatus } from "../lib/withdrawals.js";
import { type BeaconWorld, reportNextFrame, runDashboardScenario, startBeaconWorld } from "./helpers/dashboard.js";
import { freePort, occupy } from "./helpers/node.js";
import { expectUserError } from "./helpers/protocol.js";
import { stakedFixture } from "./helpers/staked.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployStaked = stakedFixture(connection);
const ONE_SHARE = 10n ** 18n;

describe("dashboard snapshot", function () {
  let world: BeaconWorld;
  let snapshot: DashboardSnapshot;
  /** Where the dashboard reads: the chain and the Beacon API of `world` (set in `before`). */
  const sources = (): DashboardSources => ({
    protocol: world.protocol,
    provider: ethers.provider,
    beacon: world.beacon,
    networkName: connection.networkName,
  });

  before(async function () {
    const { protocol } = await networkHelpers.loadFixture(deployStaked);
    world = await startBeaconWorld(connection, protocol);
    await runDashboardScenario(world);
    snapshot = await readDashboardSnapshot(sources());
  });

  after(async function () {
    await world?.api.close();
  });

  describe("readDashboardSnapshot", function () {
    it("shows the pool's status and APRs as lib/status.ts computes them", async function () {
      const { pool } = world.protocol;
      const status = await getPoolStatus(pool, ethers.provider);
      const reports = await readAppliedReports(pool, 0, await ethers.provider.getBlockNumber());
      expect(snapshot.blockNumber, "the block read").to.equal(status.blockNumber);
      expect(snapshot.pool.totalPooledEther.value, "total pooled ether").to.equal(status.totalPooledEther.toString());
      expect(snapshot.pool.plEthSupply.value, "plETH supply").to.equal(status.totalShares.toString());
      expect(snapshot.pool.shareRate.value, "share rate").to.equal(status.shareRate.toString());
      expect(snapshot.pool.shareRate.text, "share rate, as the tasks print it").to.match(/^1\.\d+ ETH$/);
      expect(snapshot.pool.reportsApplied, "reports").to.equal(2);
      expect(snapshot.pool.apr.lastReport.value, "APR of the last report").to.equal(
        aprFromReport(reports.at(-1)!)!.toString(),
      );
      expect(snapshot.pool.apr.lastReport.text, "its text").to.equal(formatApr(aprFromReport(reports.at(-1)!)!));
      // Both reports fall within a week (the second frame follows the first by a day).
      expect(snapshot.pool.apr.days7.value, "APR over 7 days").to.equal(averageApr(reports, 2)!.toString());
      expect(snapshot.pool.apr.days7.reports, "reports in 7 days").to.equal(2);
      expect(snapshot.pool.apr.days30.value, "APR over 30 days").to.equal(snapshot.pool.apr.days7.value);
      expect(BigInt(snapshot.pool.apr.lastReport.value!), "rewards: a positive APR").to.be.greaterThan(0n);
    });

    it("charts the share rate each report left, as the pool converted at that block", async function () {
      const { pool } = world.protocol;
      const history = snapshot.pool.rateHistory;
      expect(history.length, "one point per report").to.equal(2);
      for (const [i, point] of history.entries()) {
        const rate = await pool.convertToAssets(ONE_SHARE, { blockTag: point.blockNumber });
        expect(point.rate.value, `point ${i}: the pool's rate at its block`).to.equal(rate.toString());
      }
      expect(BigInt(history[1]!.rate.value), "the rate grew").to.be.greaterThan(BigInt(history[0]!.rate.value));
      expect(history[1]!.time.unix, "later").to.be.greaterThan(history[0]!.time.unix);
    });

    it("counts the pool's validators by state on the Beacon API", async function () {
      const onBeacon = await world.beacon.validators("head");
      expect(snapshot.validators.deposited, "deposited").to.equal(8);
      expect(snapshot.validators.active, "active").to.equal(
        onBeacon.filter((v) => v.status === "active_ongoing").length,
      );
      expect(snapshot.validators.active, "all of them active").to.equal(8);
      expect(
        snapshot.validators.pending + snapshot.validators.exiting + snapshot.validators.slashed,
        "none else",
      ).to.equal(0);
      expect(snapshot.validators.beaconUrl, "the API asked").to.equal(world.beacon.url);
    });

    it("shows the operators and their concentration as lib/operators.ts and lib/decentralization.ts compute them", async function () {
      const operators = await listOperators(world.protocol.operatorRegistry);
      const concentration = operatorConcentration(operators);
      expect(
        snapshot.operators.list.map((op) => op.activeValidators),
        "validators per operator",
      ).to.deep.equal(operators.map((op) => Number(op.activeValidators)));
      expect(
        snapshot.operators.list.map((op) => op.shareText),
        "shares",
      ).to.deep.equal(Array(4).fill("25.00 %"));
      expect(snapshot.operators.nakamotoCoefficient.value, "Nakamoto coefficient").to.equal(
        concentration.nakamotoCoefficient,
      );
      expect(snapshot.operators.nakamotoCoefficient.value, "2 of 4 equal operators hold more than a third").to.equal(2);
      expect(snapshot.operators.herfindahlHirschmanIndex.value, "HHI").to.equal(concentration.herfindahlHirschmanIndex);
      expect(snapshot.operators.herfindahlHirschmanIndex.text, "HHI of 4 equal operators").to.equal("2500.00");
      expect(snapshot.operators.shareCapText, "the cap").to.equal("30.00 %");
      for (const [i, op] of operators.entries()) {
        expect(snapshot.operators.list[i]!.feesClaimable.value, `operator ${i}: claimable fees`).to.equal(
          op.claimableFees.toString(),
        );
        expect(BigInt(snapshot.operators.list[i]!.feesEarned.value), `operator ${i}: earned some`).to.be.greaterThan(
          0n,
        );
      }
      for (const key of ["nakamotoCoefficient", "herfindahlHirschmanIndex", "largestShare"] as const) {
        expect(snapshot.operators[key].explanation, `${key}: explained in one line`).to.match(/^[^\n]{40,240}$/);
      }
    });

    it("shows the withdrawal queue as lib/withdrawals.ts reads it, with the finalization", async function () {
      const queue = await getQueueStatus(world.protocol, ethers.provider);
      expect(snapshot.queue.lockedEther.value, "locked ether").to.equal(queue.lockedEther.toString());
      expect(snapshot.queue.unfinalizedDemand.value, "unfinalized demand").to.equal(queue.unfinalizedEther.toString());
      expect(snapshot.queue.expectedWait.seconds, "expected wait").to.equal(queue.expectedWait.toString());
      expect(snapshot.queue.lastFinalizedId, "request 1 finalized").to.equal("1");
      expect(snapshot.queue.recentFinalizations.length, "one finalization").to.equal(1);
      expect(snapshot.queue.recentFinalizations[0]!.etherLocked.value, "what it locked").to.equal(
        queue.lockedEther.toString(),
      );
    });

    it("shows governance's delays, the waiting operation and the pause with its expiry", async function () {
      const { protocol } = world;
      const pause = await readPauseStatus(protocol.emergencyPause);
      expect(snapshot.governance.timelockDelay.seconds, "timelock delay").to.equal(
        (await protocol.timelock.getMinDelay()).toString(),
      );
      expect(snapshot.governance.queuedOperations.length, "one operation waiting").to.equal(1);
      expect(snapshot.governance.queuedOperations[0]!.calls, "described").to.match(
        /OperatorRegistry\.setOperatorActive/,
      );
      expect(snapshot.governance.queuedOperations[0]!.state, "its state").to.equal("waiting");
      const deposits = snapshot.governance.pause.targets.find((target) => target.name === "deposits")!;
      expect(deposits.paused, "deposits paused").to.equal(true);
      expect(deposits.until?.unix, "until").to.equal(Number(pause.pausedUntil.deposits));
      expect(snapshot.governance.pause.available, "the grant is used").to.equal(false);
    });

    it("shows the oracle's committee, last report and bounds as lib/oracle/status.ts reads them", async function () {
      const oracle = await readOracleStatus(world.protocol.accountingOracle);
      expect(snapshot.oracle.quorum, "quorum").to.equal(Number(oracle.quorum));
      expect(
        snapshot.oracle.members.map((m) => m.address),
        "members",
      ).to.deep.equal(oracle.members.map((m) => m.address));
      expect(snapshot.oracle.lastReport?.refSlot, "last report's slot").to.equal(
        oracle.frame.lastProcessedRefSlot.toString(),
      );
      expect(snapshot.oracle.bounds.maxApr, "max APR").to.equal("10.00 % a year");
    });
  });

  describe("countValidatorStates", function () {
    it("counts slashed validators as slashed whatever their status, and unknown keys as unseen", function () {
      const found = new Map([
        ["0xa", { status: "pending_queued" as const, slashed: false }],
        ["0xb", { status: "active_ongoing" as const, slashed: false }],
        ["0xc", { status: "active_exiting" as const, slashed: false }],
        ["0xd", { status: "active_slashed" as const, slashed: true }],
        ["0xe", { status: "withdrawal_done" as const, slashed: false }],
        ["0xf", { status: "exited_slashed" as const, slashed: true }],
      ]);
      expect(countValidatorStates(["0xA", "0xb", "0xc", "0xd", "0xe", "0xf", "0x0"], found)).to.deep.equal({
        deposited: 7,
        unseen: 1,
        pending: 1,
        active: 1,
        exiting: 1,
        exited: 1,
        slashed: 2,
      });
    });
  });

  describe("EventStream", function () {
    /** A sink whose buffer is full after `room` writes until `drain()` empties it, as a socket's is. */
    class SlowSink extends EventEmitter {
      written: string[] = [];
      buffered = 0;
      ended = false;
      constructor(private readonly room: number) {
        super();
      }
      write(chunk: string): boolean {
        this.written.push(chunk);
        this.buffered++;
        return this.buffered < this.room;
      }
      drain() {
        this.buffered = 0;
        this.emit("drain");
      }
      end() {
        this.ended = true;
      }
    }

    it("writes every event to a page that keeps up", function () {
      const sink = new SlowSink(Infinity);
      const stream = new EventStream(sink, () => "the whole state");
      for (const n of [1, 2, 3]) stream.send(`snapshot ${n}`);
      expect(sink.written).to.deep.equal(["snapshot 1", "snapshot 2", "snapshot 3"]);
    });

    it("holds nothing but the newest state for a page that reads slower than blocks come", function () {
      const sink = new SlowSink(1);
      let state = 0;
      const render = () => `snapshot ${state}`;
      const stream = new EventStream(sink, render);
      state = 1;
      stream.send(render());
      for (state = 2; state <= 100; state++) stream.send(render());
      state = 100;
      expect(sink.written, "nothing written while the buffer is full").to.deep.equal(["snapshot 1"]);
      sink.drain();
      expect(sink.written, "the newest state at the drain, once").to.deep.equal(["snapshot 1", "snapshot 100"]);
      sink.drain();
      expect(sink.written, "nothing owed after it").to.have.length(2);
      expect(sink.listenerCount("drain"), "no listener left behind").to.equal(0);
      stream.send(render());
      expect(sink.written.at(-1), "writes again once drained").to.equal("snapshot 100");
      stream.end();
      expect(sink.ended, "ends its sink").to.equal(true);
    });
  });

  describe("startDashboard", function () {
    const options = () => ({ ...sources(), pollMs: 100 });

    it("serves the snapshot and pushes a new one when a report lands", async function () {
      const dashboard = await startDashboard(options());
      try {
        expect(dashboard.url, "on the loopback interface").to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        const served = (await (await fetch(`${dashboard.url}api/snapshot`)).json()) as DashboardSnapshot;
        expect(served.pool.totalPooledEther, "the snapshot").to.deep.equal(dashboard.latest().pool.totalPooledEther);
        const page = await fetch(dashboard.url);
        expect(page.headers.get("content-security-policy"), "nothing from elsewhere").to.match(/default-src 'self'/);
        expect(await (await fetch(`${dashboard.url}app.js`)).text(), "the bundled script").to.match(/api\/events/);

        const pushed = new Promise<DashboardSnapshot>((resolve, reject) => {
          const controller = new AbortController();
          // Unref'd: a stream that ends early must not hold the test run open for the rest of the minute.
          setTimeout(() => controller.abort(), 60_000).unref();
          fetch(`${dashboard.url}api/events`, { signal: controller.signal })
            .then(async (response) => {
              let buffer = "";
              const decoder = new TextDecoder();
              for await (const chunk of response.body!) {
                buffer += decoder.decode(chunk as Uint8Array, { stream: true });
                for (const message of buffer.split("\n\n").slice(0, -1)) {
                  const data = /^event: snapshot\ndata: (.*)$/s.exec(message)?.[1];
                  const parsed = data === undefined ? undefined : (JSON.parse(data) as DashboardSnapshot);
                  if (parsed !== undefined && parsed.pool.reportsApplied === 3) {
                    controller.abort();
                    resolve(parsed);
                    return;
                  }
                }
                buffer = buffer.slice(buffer.lastIndexOf("\n\n") + 2);
              }
            })
            .catch(reject);
        });
        await reportNextFrame(world);
        const next = await pushed;
        expect(next.oracle.lastReport?.refSlot, "the new report's slot").to.equal(
          (await world.protocol.accountingOracle.lastProcessedRefSlot()).toString(),
        );
      } finally {
        await dashboard.close();
      }
    });

    it("refuses a host that is not loopback unless allowed", async function () {
      expect(isLoopbackHost("127.0.0.1") && isLoopbackHost("::1") && isLoopbackHost("localhost"), "loopback").to.equal(
        true,
      );
      expect(isLoopbackHost("0.0.0.0") || isLoopbackHost("192.168.1.2"), "others").to.equal(false);
      await expectUserError(startDashboard({ ...options(), host: "0.0.0.0" }), /--host 0\.0\.0\.0 is not a loopback/);
    });

    it("names the port when it is taken", async function () {
      const port = await freePort();
      const blocker = await occupy(port);
      try {
        await expectUserError(
          startDashboard({ ...options(), port }),
          new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`),
        );
      } finally {
        blocker.close();
      }
    });

    it("names the Beacon API's URL when it does not answer", async function () {
      const url = `http://127.0.0.1:${await freePort()}`;
      await expectUserError(
        startDashboard({ ...options(), beacon: new BeaconClient(url) }),
        new RegExp(`the Beacon API at ${url.replace(/\./g, "\\.")} does not answer`),
      );
    });

    it("refuses requests naming another host (DNS rebinding)", async function () {
      const dashboard = await startDashboard(options());
      try {
        const { request } = await import("node:http");
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = request(`${dashboard.url}api/snapshot`, { headers: { host: "evil.example:80" } }, (response) => {
            response.resume();
            resolve(response.statusCode);
          });
          req.once("error", reject);
          req.end();
        });
        expect(status, "misdirected request").to.equal(421);
      } finally {
        await dashboard.close();
      }
    });
  });

  // Last: it lands a report the tests above do not expect.
  describe("at one block", function () {
    it("reads every figure at the block it names, whatever landed after it", async function () {
      const before = await readDashboardSnapshot(sources());
      await reportNextFrame(world);
      const now = await readDashboardSnapshot(sources());
      expect(now.pool.reportsApplied, "a report landed since").to.equal(before.pool.reportsApplied + 1);
      const then = await readDashboardSnapshot(sources(), before.blockNumber);
      // The validators come from the beacon node's head, which has no block to pin.
      const { validators: _head, ...pinned } = then;
      const { validators: _earlierHead, ...expected } = before;
      expect(pinned).to.deep.equal(expected);
    });
  });
});
