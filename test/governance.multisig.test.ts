/**
 * Multisig governance (deploy/parameters/local.json: account #1 proposes to the timelock and executes) and the
 * operations timelock (account #3 proposes and executes), through the library the `gov` tasks use; and a forced exit
 * of a staked validator through EIP-7002, paid by the vault or by the executor.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { parseEther } from "ethers";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import {
  installWithdrawalRequestPredeploy,
  MIN_WITHDRAWAL_REQUEST_FEE,
  readWithdrawalRequestFee,
  SYSTEM_ADDRESS,
  WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
} from "../lib/eip7002.js";
import { noProposeArguments, type PlanContext, planFromArguments, type ProposeArguments } from "../lib/govActions.js";
import {
  cancelScheduledBatch,
  executeScheduledBatch,
  localClock,
  readScheduledBatches,
  scheduleBatch,
} from "../lib/governance.js";
import {
  earliestExecution,
  formatDryRun,
  formatGovernanceStatus,
  readGovernanceStatus,
  submissionTransaction,
  submitPlan,
} from "../lib/governor.js";
import { readPauseStatus } from "../lib/pause.js";
import type { Protocol } from "../lib/protocol.js";
import { expectUserError, pluralFixture } from "./helpers/protocol.js";
import { stakedFixture } from "./helpers/staked.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const deployPlural = pluralFixture(connection);
const advance = localClock(connection.provider, "default", true);

// deploy/parameters/local.json
const TIMELOCK_DELAY = 3_600n;
const OPERATIONS_DELAY = 600n;

const signers = await ethers.getSigners();
const account = (index: number): HardhatEthersSigner => {
  const signer = signers[index];
  if (signer === undefined) throw new Error(`tests need account #${index}`);
  return signer;
};
const multisig = account(1);
const operationsAccount = account(3);
const pauseGuardian = account(4);
const stranger = account(5);
const alice = account(8);

async function fixture(): Promise<Protocol> {
  return (await networkHelpers.loadFixture(deployPlural)).protocol;
}

async function plan(
  protocol: Protocol,
  args: Partial<ProposeArguments>,
  options: { operations?: boolean; ethers?: typeof ethers } = {},
) {
  const operations = options.operations ?? false;
  const context: PlanContext = {
    ethers: options.ethers ?? ethers,
    deployer: multisig,
    earliestExecution: await earliestExecution(protocol, operations),
    operations,
    simulateAs: operations ? protocol.addresses.operationsTimelock! : protocol.addresses.timelock,
  };
  return planFromArguments(protocol, { ...noProposeArguments(), ...args }, context);
}

function callsFile(name: string, calls: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "plural-gov-")), name);
  writeFileSync(file, JSON.stringify(calls));
  return file;
}

describe("governance under multisig governance", function () {
  describe("the governance timelock", function () {
    it("schedules a fee change from the multisig and executes it after the delay, once", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "set-fee", treasuryBps: "700", operatorBps: "300" });
      const submission = await submitPlan(protocol, multisig, planned, {
        description: planned.summary,
        operations: false,
      });
      if (submission.kind !== "scheduled") throw new Error("a multisig schedules on the timelock");
      expect(submission.timelock, "the governance timelock").to.equal("governance");
      expect(submission.delay, "its delay").to.equal(TIMELOCK_DELAY);
      const label = "the governance timelock";
      await expectUserError(
        executeScheduledBatch(protocol.timelock, multisig, submission.id, { label }),
        /^operation 0x[0-9a-f]{64} on the governance timelock is scheduled, executable from .*Z: run gov execute again then/,
      );
      expect((await protocol.pool.getReportState()).treasuryFeeBps, "unchanged while waiting").to.equal(500n);
      const done = await executeScheduledBatch(protocol.timelock, multisig, submission.id, { advance, label });
      expect(done.batch.calls, "the calls rebuilt from the events").to.deep.equal(planned.calls);
      const state = await protocol.pool.getReportState();
      expect([state.treasuryFeeBps, state.operatorFeeBps], "the new fee").to.deep.equal([700n, 300n]);
      await expectUserError(
        executeScheduledBatch(protocol.timelock, multisig, submission.id, { label }),
        /on the governance timelock was already executed$/,
      );
      const [batch] = await readScheduledBatches(protocol.timelock);
      expect([batch?.id, batch?.state], "listed as executed").to.deep.equal([submission.id, "executed"]);
      await expectUserError(
        submitPlan(protocol, multisig, planned, { description: planned.summary, operations: false }),
        /were already scheduled on the governance timelock as operation 0x[0-9a-f]{64} \(executed\): pass another --description/,
      );
    });

    it("encodes the scheduling transaction for a proposer that signs elsewhere (--dry-run)", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "set-oracle-quorum", quorum: "3" });
      const transaction = await submissionTransaction(protocol, planned, {
        description: planned.summary,
        operations: false,
      });
      expect([transaction.to, transaction.method], "scheduleBatch on the timelock").to.deep.equal([
        protocol.addresses.timelock,
        "scheduleBatch",
      ]);
      expect(await readScheduledBatches(protocol.timelock), "nothing sent").to.deep.equal([]);
      // The multisig sends it as it is (a Safe would), and the operation is the one the tasks execute.
      await (await multisig.sendTransaction({ to: transaction.to, data: transaction.data })).wait();
      const [batch] = await readScheduledBatches(protocol.timelock);
      await executeScheduledBatch(protocol.timelock, multisig, batch!.id, { advance });
      expect(await protocol.accountingOracle.quorum(), "executed").to.equal(3n);
      expect(formatDryRun(protocol, planned, planned.summary, transaction), "the printout").to.include(
        transaction.data,
      );
    });

    it("refuses proposers and executors without their role", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "set-oracle-quorum", quorum: "3" });
      await expectUserError(
        submitPlan(protocol, stranger, planned, { description: planned.summary, operations: false }),
        new RegExp(`^${stranger.address} may not propose to the governance timelock .*: it lacks PROPOSER_ROLE`),
      );
      const submission = await submitPlan(protocol, multisig, planned, {
        description: planned.summary,
        operations: false,
      });
      await expectUserError(
        executeScheduledBatch(protocol.timelock, stranger, submission.kind === "scheduled" ? submission.id : "", {
          advance,
        }),
        /may not execute operations of the timelock: it lacks EXECUTOR_ROLE/,
      );
      await expectUserError(
        executeScheduledBatch(protocol.timelock, multisig, `0x${"ab".repeat(32)}`),
        /^no operation 0xabab.* was scheduled on the timelock/,
      );
    });

    it("gov status lists the multisig's operations", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "grant-pause", guardian: "9" });
      await submitPlan(protocol, multisig, planned, { description: planned.summary, operations: false });
      const status = await readGovernanceStatus(protocol, await readPauseStatus(protocol.emergencyPause));
      expect(status.setup.mode, "mode").to.equal("multisig");
      expect(status.setup.timelock.proposers, "the multisig").to.deep.equal([multisig.address]);
      expect(status.setup.timelock.executors, "its executor").to.deep.equal([multisig.address]);
      expect(
        status.operations.map((batch) => batch.state),
        "one operation waiting",
      ).to.deep.equal(["waiting"]);
      const printed = formatGovernanceStatus(protocol, status, "hardhat");
      expect(printed, "mode").to.include(`multisig: ${multisig.address} proposes`);
      expect(printed, "the call").to.include(`EmergencyPause.grantPause(${account(9).address})`);
      expect(printed, "the operations delay").to.include("10 min");
    });
  });

  describe("the operations timelock", function () {
    it("adds an operator and vets its keys", async function () {
      const protocol = await fixture();
      const operations = protocol.operationsTimelock!;
      const label = "the operations timelock";
      const add = await plan(protocol, { action: "add-operator", name: "Aurora", manager: "8" }, { operations: true });
      const scheduled = await submitPlan(protocol, operationsAccount, add, {
        description: add.summary,
        operations: true,
      });
      if (scheduled.kind !== "scheduled") throw new Error("the operations account schedules");
      expect([scheduled.timelock, scheduled.delay], "on the operations timelock, its delay").to.deep.equal([
        "operations",
        OPERATIONS_DELAY,
      ]);
      await expectUserError(
        executeScheduledBatch(operations, stranger, scheduled.id, { advance, label }),
        /may not execute operations of the operations timelock: it lacks EXECUTOR_ROLE/,
      );
      await executeScheduledBatch(operations, operationsAccount, scheduled.id, { advance, label });
      expect((await protocol.operatorRegistry.getOperator(0)).name, "added").to.equal("Aurora");

      const pubkeys = `0x${"11".repeat(48)}${"22".repeat(48)}`;
      await (await protocol.operatorRegistry.connect(alice).addKeys(0, pubkeys, `0x${"ab".repeat(192)}`)).wait();
      const vet = await plan(protocol, { action: "vet-keys", operator: "0", keys: "2" }, { operations: true });
      const vetting = await submitPlan(protocol, operationsAccount, vet, {
        description: vet.summary,
        operations: true,
      });
      await executeScheduledBatch(operations, operationsAccount, vetting.kind === "scheduled" ? vetting.id : "", {
        advance,
        label,
      });
      expect((await protocol.operatorRegistry.getOperator(0)).vettedKeys, "vetted").to.equal(2n);
    });

    it("lets the pause guardian veto an operation at once; refuses a stranger, a second cancel and the execution", async function () {
      const protocol = await fixture();
      const operations = protocol.operationsTimelock!;
      const label = "the operations timelock";
      const add = await plan(protocol, { action: "add-operator", name: "Rogue", manager: "8" }, { operations: true });
      const scheduled = await submitPlan(protocol, operationsAccount, add, {
        description: add.summary,
        operations: true,
      });
      if (scheduled.kind !== "scheduled") throw new Error("the operations account schedules");
      await expectUserError(
        cancelScheduledBatch(operations, stranger, scheduled.id, { label }),
        new RegExp(`${stranger.address} may not cancel operations of the operations timelock: it lacks CANCELLER_ROLE`),
      );
      const cancelled = await cancelScheduledBatch(operations, pauseGuardian, scheduled.id, { label });
      expect(cancelled.batch.state, "the batch's state").to.equal("cancelled");
      expect(await operations.isOperation(scheduled.id), "gone from the timelock").to.equal(false);
      expect(
        (await readScheduledBatches(operations)).find((batch) => batch.id === scheduled.id)?.state,
        "as gov status reads it",
      ).to.equal("cancelled");
      await expectUserError(
        cancelScheduledBatch(operations, pauseGuardian, scheduled.id, { label }),
        /was already cancelled/,
      );
      await expectUserError(
        executeScheduledBatch(operations, operationsAccount, scheduled.id, { advance, label }),
        /was cancelled/,
      );
      expect(await protocol.operatorRegistry.operatorCount(), "no operator added").to.equal(0n);
      await expectUserError(
        cancelScheduledBatch(operations, pauseGuardian, `0x${"12".repeat(32)}`, { label }),
        /no operation 0x1212.* was scheduled on the operations timelock/,
      );
    });

    it("refuses everything but adding operators and vetting keys", async function () {
      const protocol = await fixture();
      const nonce = await ethers.provider.getTransactionCount(multisig);
      const reason = /the operations timelock holds only ADD_OPERATOR_ROLE and VET_KEYS_ROLE on the operator registry/;
      for (const args of [
        { action: "set-fee", treasuryBps: "600", operatorBps: "400" },
        { action: "set-oracle-quorum", quorum: "3" },
        { action: "grant-pause", guardian: "9" },
        { action: "resume-pause", targets: "deposits" },
        { action: "upgrade", contract: "StakingPool", deploy: true },
      ]) {
        await expectUserError(
          plan(protocol, args, { operations: true }),
          new RegExp(`^--operations cannot run ${args.action}: ${reason.source}`),
        );
      }
      expect(await ethers.provider.getTransactionCount(multisig), "refused before deploying anything").to.equal(nonce);
      await expectUserError(
        plan(
          protocol,
          {
            calls: callsFile("fees.json", [
              { target: "StakingPool", signature: "setFees(uint256,uint256)", args: [600, 400] },
            ]),
          },
          { operations: true },
        ),
        /^--operations cannot run these calls: /,
      );
      const allowed = await plan(
        protocol,
        {
          calls: callsFile("add.json", [
            {
              target: "OperatorRegistry",
              signature: "addOperator(string,address,address)",
              args: ["B", alice.address, alice.address],
            },
          ]),
        },
        { operations: true },
      );
      expect(allowed.operationsAllowed, "a calls file of registry additions").to.equal(true);
      // Past the library: the timelock itself holds no other role, so a batch scheduled by hand fails at execution.
      const batch = await scheduleBatch(
        protocol.operationsTimelock!,
        operationsAccount,
        [
          {
            target: protocol.addresses.pool,
            value: 0n,
            data: protocol.pool.interface.encodeFunctionData("setFees", [600n, 400n]),
          },
        ],
        "by hand",
      );
      await expect(
        executeScheduledBatch(protocol.operationsTimelock!, operationsAccount, batch.id, { advance }),
        "the pool refuses the operations timelock",
      ).to.be.revertedWithCustomError(protocol.pool, "AccessControlUnauthorizedAccount");
    });
  });
});

describe("gov propose force-exit", function () {
  let staked: NetworkConnection;
  let deployStaked: ReturnType<typeof stakedFixture>;

  before(async function () {
    staked = await network.create();
    // Four operators with a validator each: the 30 % share cap needs several.
    deployStaked = stakedFixture(staked, 4, 1);
  });

  /** The staked deployment with the EIP-7002 contract installed and its first system call run (fee: 1 wei). */
  async function withExitContract() {
    const fixture = await staked.networkHelpers.loadFixture(deployStaked);
    if (await installWithdrawalRequestPredeploy(staked.provider)) {
      await staked.networkHelpers.impersonateAccount(SYSTEM_ADDRESS);
      await staked.networkHelpers.setBalance(SYSTEM_ADDRESS, parseEther("1"));
      const system = await staked.ethers.getImpersonatedSigner(SYSTEM_ADDRESS);
      await (await system.sendTransaction({ to: WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, data: "0x" })).wait();
    }
    expect(await readWithdrawalRequestFee(staked.provider), "the minimum fee").to.equal(MIN_WITHDRAWAL_REQUEST_FEE);
    return fixture;
  }

  async function stakedPlan(protocol: Protocol, args: Partial<ProposeArguments>) {
    const governance = (await staked.ethers.getSigners())[1]!;
    return planFromArguments(
      protocol,
      { ...noProposeArguments(), action: "force-exit", ...args },
      {
        ethers: staked.ethers,
        deployer: governance,
        earliestExecution: await earliestExecution(protocol, false),
        simulateAs: protocol.addresses.timelock,
      },
    );
  }

  it("refuses an empty vault's fees unless the executor pays them with --value, then exits", async function () {
    const { protocol, pubkeys, signers } = await withExitContract();
    const governance = signers[1]!;
    await expectUserError(
      stakedPlan(protocol, { pubkeys: pubkeys[0]!, maxFee: "0.001" }),
      /^the withdrawal vault holds 0 ETH, less than 1 request\(s\) at the current fee of 0\.000000000000000001 ETH: pass --value/,
    );
    await expectUserError(
      stakedPlan(protocol, { pubkeys: pubkeys[0]!, maxFee: "0.001", value: "1" }),
      /^--value 1 ETH is more than 1 request\(s\) can cost at 0\.001 ETH each/,
    );
    const planned = await stakedPlan(protocol, {
      pubkeys: pubkeys[0]!,
      maxFee: "0.001",
      value: "0.000000000000000001",
    });
    expect(planned.calls[0], "forceExits with the fee as value").to.deep.equal({
      target: protocol.addresses.withdrawalVault,
      value: 1n,
      data: protocol.withdrawalVault.interface.encodeFunctionData("forceExits", [pubkeys[0]!, parseEther("0.001")]),
    });
    const submission = await submitPlan(protocol, governance, planned, {
      description: planned.summary,
      operations: false,
    });
    const done = await executeScheduledBatch(
      protocol.timelock,
      governance,
      submission.kind === "scheduled" ? submission.id : "",
      {
        advance: localClock(staked.provider, "default", true),
      },
    );
    const receipt = await staked.ethers.provider.getTransactionReceipt(done.txHash);
    const forced = receipt!.logs
      .filter((log) => log.address === protocol.addresses.withdrawalVault)
      .map((log) => protocol.withdrawalVault.interface.parseLog(log))
      .find((parsed) => parsed?.name === "ExitsForced");
    expect(forced?.args.toArray(), "one request, its fee from the executor's value").to.deep.equal([1n, 1n, 0n, 0n]);
  });

  it("lets a funded vault pay, and refuses keys that are not deposited validators", async function () {
    const { protocol, pubkeys, signers } = await withExitContract();
    await (
      await signers[0]!.sendTransaction({ to: protocol.addresses.withdrawalVault, value: parseEther("1") })
    ).wait();
    const planned = await stakedPlan(protocol, { pubkeys: pubkeys.slice(0, 2).join(","), maxFee: "0.001" });
    expect(planned.calls[0]!.value, "no value: the vault pays").to.equal(0n);
    expect(planned.summary, "summary").to.match(/^Force the exit of 2 validator\(s\) through EIP-7002/);
    // A second key of operator 0, committed but never deposited.
    const manager = signers[8]!;
    const extra = `0x${"5a".repeat(48)}`;
    await (await protocol.operatorRegistry.connect(manager).addKeys(0, extra, `0x${"ab".repeat(96)}`)).wait();
    await expectUserError(
      stakedPlan(protocol, { pubkeys: extra, maxFee: "0.001" }),
      /^--pubkeys entry 1 \(0x5a5a5a5a…5a5a5a \(48 bytes\)\) is key 1 of operator 0, not deposited yet/,
    );
  });
});
