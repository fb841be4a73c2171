/**
 * Token governance through the library the `gov` tasks use, on the deployment of deploy/parameters/local-governor.json:
 * every named action's checks and encoding, the rehearsal (propose, vote, queue, wait, execute) of a fee change and of
 * an upgrade that keeps all state, the state errors of each step, and the guardian's emergency pause with its
 * expiry, resume and new grant through governance.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { getAddress, Interface, parseEther, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { deployLocalProtocol } from "../lib/deploy.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
import { installWithdrawalRequestPredeploy, WithdrawalRequestPredeployMissingError } from "../lib/eip7002.js";
import {
  type GovernancePlan,
  IMPLEMENTATION_SLOT,
  noProposeArguments,
  type PlanContext,
  planFromArguments,
  type ProposeArguments,
  readImplementation,
} from "../lib/govActions.js";
import { localClock } from "../lib/governance.js";
import {
  cancelProposal,
  castVote,
  earliestExecution,
  executeProposal,
  formatGovernanceStatus,
  formatProposal,
  type ProposalReceipt,
  proposeOnGovernor,
  queueProposal,
  readGovernanceStatus,
  readProposal,
  resolveProposalId,
  shortProposalId,
  submitPlan,
} from "../lib/governor.js";
import { PAUSE_TARGETS, pauseAsGuardian, readPauseStatus } from "../lib/pause.js";
import { deposit } from "../lib/pool.js";
import { connectProtocol, type Protocol } from "../lib/protocol.js";
import { expectUserError, timelockSigner } from "./helpers/protocol.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const advance = localClock(connection.provider, "default", true);

const PARAMETERS = path.join(PROJECT_ROOT, "deploy", "parameters", "local-governor.json");
// deploy/parameters/local-governor.json
const VOTING_DELAY = 600n;
const VOTING_PERIOD = 3_600n;
const TIMELOCK_DELAY = 3_600n;
const MAX_PAUSE = 604_800n;
const QUORUM = parseEther("40000");

const signers = await ethers.getSigners();
const account = (index: number): HardhatEthersSigner => {
  const signer = signers[index];
  if (signer === undefined) throw new Error(`tests need account #${index}`);
  return signer;
};
/** The PLURAL holders: 600k, 200k and 200k. */
const whale = account(0);
const holderB = account(5);
const holderC = account(6);
const guardian = account(4);
const stranger = account(7);
const alice = account(8);

/** The deployment, with every holder's votes delegated to itself. */
async function deployGoverned(): Promise<{ protocol: Protocol }> {
  const protocol = await connectProtocol(
    ethers,
    await deployLocalProtocol(connection, { parametersFile: PARAMETERS, deploymentId: "governance-governor" }),
  );
  for (const holder of [whale, holderB, holderC]) await (await protocol.token!.connect(holder).delegate(holder)).wait();
  return { protocol };
}

async function fixture(): Promise<Protocol> {
  return (await networkHelpers.loadFixture(deployGoverned)).protocol;
}

async function contextFor(protocol: Protocol, overrides: Partial<PlanContext> = {}): Promise<PlanContext> {
  return {
    ethers,
    deployer: whale,
    earliestExecution: await earliestExecution(protocol, false),
    simulateAs: protocol.addresses.timelock,
    ...overrides,
  };
}

async function plan(protocol: Protocol, args: Partial<ProposeArguments>, overrides: Partial<PlanContext> = {}) {
  return planFromArguments(protocol, { ...noProposeArguments(), ...args }, await contextFor(protocol, overrides));
}

async function propose(protocol: Protocol, planned: GovernancePlan, description = planned.summary) {
  const submission = await submitPlan(protocol, whale, planned, { description, operations: false });
  if (submission.kind !== "proposal") throw new Error("token governance should make a Governor proposal");
  return submission;
}

/** Votes `for` with the whale (a majority above the quorum), queues and executes, moving the clock. */
async function pass(protocol: Protocol, proposal: ProposalReceipt) {
  const governor = protocol.governor!;
  await castVote(governor, protocol.token!, whale, proposal.id, "for", { advance });
  await queueProposal(governor, whale, proposal.id, { advance });
  return executeProposal(governor, whale, proposal.id, { advance });
}

describe("governance under token governance", function () {
  describe("gov propose: checks and encoding", function () {
    it("set-fee encodes StakingPool.setFees and refuses fees above MAX_FEE_BPS or unchanged", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "set-fee", treasuryBps: "600", operatorBps: "400" });
      expect(planned.calls, "one call").to.deep.equal([
        {
          target: getAddress(protocol.addresses.pool),
          value: 0n,
          data: protocol.pool.interface.encodeFunctionData("setFees", [600n, 400n]),
        },
      ]);
      expect(planned.summary, "summary").to.equal(
        "Set the protocol fee to 6.00 % for the treasury and 4.00 % for operators (from 5.00 % and 5.00 %)",
      );
      expect(planned.operationsAllowed, "not for the operations timelock").to.equal(false);
      await expectUserError(
        plan(protocol, { action: "set-fee", treasuryBps: "1500", operatorBps: "1000" }),
        /^--treasury-bps 1500 \+ --operator-bps 1000 = 2500 bps \(25\.00 %\) is above the pool's hard cap MAX_FEE_BPS, 2000 bps \(20\.00 %\)$/,
      );
      await expectUserError(
        plan(protocol, { action: "set-fee", treasuryBps: "500", operatorBps: "500" }),
        /already 500 bps for the treasury and 500 bps for operators: nothing to change/,
      );
      await expectUserError(
        plan(protocol, { action: "set-fee", treasuryBps: "5%", operatorBps: "1" }),
        /^--treasury-bps "5%" is not a whole number of basis points/,
      );
      await expectUserError(
        plan(protocol, { action: "set-fee", treasuryBps: "600", operatorBps: "400", quorum: "2" }),
        /^--quorum does not apply to set-fee, which reads --treasury-bps, --operator-bps$/,
      );
    });

    it("add-operator encodes addOperator, or addCluster with --threshold and --members, and checks clusters", async function () {
      const protocol = await fixture();
      const registry = protocol.operatorRegistry;
      const single = await plan(protocol, { action: "add-operator", name: "Aurora", manager: "8" });
      expect(single.calls[0]!.data, "addOperator with the manager as reward address").to.equal(
        registry.interface.encodeFunctionData("addOperator", ["Aurora", alice.address, alice.address]),
      );
      expect(single.operationsAllowed, "the operations timelock may add operators").to.equal(true);
      const members = [account(10).address, account(11).address, account(12).address];
      const cluster = await plan(protocol, {
        action: "add-operator",
        name: "DV",
        manager: alice.address,
        rewardAddress: "9",
        threshold: "2",
        members: members.join(","),
      });
      expect(cluster.calls[0]!.data, "addCluster").to.equal(
        registry.interface.encodeFunctionData("addCluster", ["DV", alice.address, account(9).address, 2n, members]),
      );
      await expectUserError(
        plan(protocol, {
          action: "add-operator",
          name: "DV",
          manager: "8",
          threshold: "4",
          members: members.join(","),
        }),
        /^--threshold 4 with 3 --members: a cluster needs 2 <= threshold <= members <= 32$/,
      );
      await expectUserError(
        plan(protocol, {
          action: "add-operator",
          name: "DV",
          manager: "8",
          threshold: "2",
          members: `${members[0]},${members[0]}`,
        }),
        /--members lists an address twice/,
      );
      await expectUserError(plan(protocol, { action: "add-operator", name: "X" }), /^--manager is required/);
      await expectUserError(plan(protocol, { action: "add-operator", manager: "8" }), /^--name is required/);
    });

    it("vet-keys checks the operator, its keys and the vetting limit", async function () {
      const protocol = await fixture();
      const registry = protocol.operatorRegistry;
      await expectUserError(
        plan(protocol, { action: "vet-keys", operator: "0", keys: "1" }),
        /^--operator 0 is not an operator: the registry has none yet$/,
      );
      // An operator with 3 keys (the registry commits bytes; BLS is the guardians' check) and a vetting limit of 1.
      const timelock = await timelockSigner(connection, protocol);
      await (await registry.connect(timelock).addOperator("Aurora", alice, alice)).wait();
      await (await registry.connect(timelock).setVettingLimit(1)).wait();
      const pubkeys = `0x${"11".repeat(48)}${"22".repeat(48)}${"33".repeat(48)}`;
      await (await registry.connect(alice).addKeys(0, pubkeys, `0x${"ab".repeat(96 * 3)}`)).wait();
      const vet = await plan(protocol, { action: "vet-keys", operator: "0", keys: "1" });
      expect(vet.calls[0]!.data, "setVettedKeys").to.equal(
        registry.interface.encodeFunctionData("setVettedKeys", [0n, 1n]),
      );
      expect(vet.summary, "summary").to.equal("Vet 1 keys of operator 0 (Aurora), from 0");
      await expectUserError(
        plan(protocol, { action: "vet-keys", operator: "0", keys: "2" }),
        /^--keys 2 would leave 2 keys of operator 0 \(Aurora\) vetted and not deposited, above the registry's vetting limit of 1: vet at most 1/,
      );
      await expectUserError(
        plan(protocol, { action: "vet-keys", operator: "0", keys: "4" }),
        /^--keys 4 is out of range for operator 0 \(Aurora\): expected from 0 \(deposited\) to 3 \(submitted\)$/,
      );
      await expectUserError(
        plan(protocol, { action: "vet-keys", operator: "0", keys: "0" }),
        /already has 0 keys vetted/,
      );
      await expectUserError(
        plan(protocol, { action: "vet-keys", operator: "x", keys: "1" }),
        /^--operator "x" is not an operator id/,
      );
    });

    it("set-oracle-quorum needs more than half the members and at most all", async function () {
      const protocol = await fixture();
      const planned = await plan(protocol, { action: "set-oracle-quorum", quorum: "3" });
      expect(planned.calls[0]!.data, "setQuorum").to.equal(
        protocol.accountingOracle.interface.encodeFunctionData("setQuorum", [3n]),
      );
      for (const quorum of ["1", "4"]) {
        await expectUserError(
          plan(protocol, { action: "set-oracle-quorum", quorum }),
          new RegExp(`^--quorum ${quorum} does not fit the oracle's 3 members: .* from 2 to 3$`),
        );
      }
      await expectUserError(plan(protocol, { action: "set-oracle-quorum", quorum: "2" }), /already 2 of 3/);
    });

    it("accept-loss encodes allowLoss in wei and needs a reference slot after the last processed", async function () {
      const protocol = await fixture();
      const oracle = protocol.accountingOracle;
      const [refSlot] = await oracle.currentFrame();
      const lastProcessed = await oracle.lastProcessedRefSlot();
      const planned = await plan(protocol, { action: "accept-loss", amount: "20", untilRefSlot: refSlot.toString() });
      expect(planned.calls[0]!.data, "allowLoss").to.equal(
        oracle.interface.encodeFunctionData("allowLoss", [parseEther("20"), refSlot]),
      );
      await expectUserError(
        plan(protocol, { action: "accept-loss", amount: "20", untilRefSlot: lastProcessed.toString() }),
        new RegExp(
          `^--until-ref-slot ${lastProcessed} is not after the last processed reference slot ${lastProcessed}`,
        ),
      );
      await expectUserError(
        plan(protocol, { action: "accept-loss", amount: "-1", untilRefSlot: "5" }),
        /^--amount "-1" is negative/,
      );
    });

    it("force-exit needs the EIP-7002 contract and Plural's own deposited keys", async function () {
      const protocol = await fixture();
      const pubkey = `0x${"12".repeat(48)}`;
      const args = { action: "force-exit", pubkeys: pubkey, maxFee: "0.001" };
      try {
        await plan(protocol, args);
        expect.fail("a chain without the EIP-7002 contract should be refused");
      } catch (error) {
        expect(error, "the error type").to.be.instanceOf(WithdrawalRequestPredeployMissingError);
      }
      await installWithdrawalRequestPredeploy(connection.provider);
      await expectUserError(
        plan(protocol, args),
        /^--pubkeys entry 1 \(0x12121212…121212 \(48 bytes\)\) is not a key of any Plural operator/,
      );
      await expectUserError(
        plan(protocol, { ...args, pubkeys: `${pubkey},0x12` }),
        /^--pubkeys entry 2 "0x12" is not a validator pubkey/,
      );
      await expectUserError(plan(protocol, { ...args, maxFee: "" }), /^--max-fee is required/);
    });

    it("upgrade checks the implementation, or deploys the current artifact with --deploy", async function () {
      const protocol = await fixture();
      const current = await readImplementation(ethers.provider, protocol.addresses.pool);
      await expectUserError(
        plan(protocol, { action: "upgrade", contract: "StakingPool", implementation: current }),
        /^StakingPool already runs implementation 0x[0-9a-fA-F]{40}: nothing to upgrade$/,
      );
      await expectUserError(
        plan(protocol, { action: "upgrade", contract: "StakingPool", implementation: alice.address }),
        /holds no contract: deploy it first, or use --deploy$/,
      );
      await expectUserError(
        plan(protocol, { action: "upgrade", contract: "StakingPool", implementation: protocol.addresses.token! }),
        /is not a UUPS implementation/,
      );
      await expectUserError(
        plan(protocol, { action: "upgrade", contract: "Pool", deploy: true }),
        /^--contract "Pool" is not an upgradeable Plural contract/,
      );
      await expectUserError(plan(protocol, { action: "upgrade", contract: "StakingPool" }), /not neither$/);
      const planned = await plan(protocol, { action: "upgrade", contract: "withdrawalqueue", deploy: true });
      const implementation = planned.summary.match(/implementation (0x[0-9a-fA-F]{40})$/)![1]!;
      expect(await ethers.provider.getCode(implementation), "deployed").not.to.equal("0x");
      expect(planned.calls[0], "upgradeToAndCall on the queue's proxy").to.deep.equal({
        target: getAddress(protocol.addresses.withdrawalQueue),
        value: 0n,
        data: new Interface(["function upgradeToAndCall(address,bytes)"]).encodeFunctionData("upgradeToAndCall", [
          implementation,
          "0x",
        ]),
      });
    });

    it("grant-pause and resume-pause check the pause's state", async function () {
      const protocol = await fixture();
      await expectUserError(
        plan(protocol, { action: "grant-pause", guardian: guardian.address }),
        /is the pause guardian and its pause is still unused: nothing to grant$/,
      );
      const grant = await plan(protocol, { action: "grant-pause", guardian: "9" });
      expect(grant.calls[0]!.data, "grantPause").to.equal(
        protocol.emergencyPause.interface.encodeFunctionData("grantPause", [account(9).address]),
      );
      await expectUserError(
        plan(protocol, { action: "resume-pause", targets: "deposits,staking" }),
        /^--targets deposits,staking: none of them is paused, nothing to resume$/,
      );
      await pauseAsGuardian(protocol.emergencyPause, guardian, PAUSE_TARGETS.deposits, 3_600n);
      // An hour's pause ends before the voting delay, the vote (an hour) and the timelock delay are over.
      await expectUserError(
        plan(protocol, { action: "resume-pause", targets: "deposits" }),
        /^the pause of deposits ends at .*, by itself, before this proposal could execute \(at the earliest/,
      );
      await expectUserError(plan(protocol, { action: "resume-pause", targets: "everything" }), /names "everything"/);
    });

    it("--calls parses a file, names the wrong entry, and tries each call as the timelock", async function () {
      const protocol = await fixture();
      const dir = mkdtempSync(path.join(tmpdir(), "plural-gov-calls-"));
      const file = (name: string, calls: unknown) => {
        const where = path.join(dir, name);
        writeFileSync(where, JSON.stringify(calls));
        return where;
      };
      const good = file("good.json", [
        { target: "StakingPool", signature: "setFees(uint256,uint256)", args: [700, "300"] },
        { target: protocol.addresses.emergencyPause, signature: "setMaxPauseDuration(uint256)", args: [86_400] },
      ]);
      const planned = await plan(protocol, { calls: good });
      expect(
        planned.calls.map((call) => call.data),
        "encoded",
      ).to.deep.equal([
        protocol.pool.interface.encodeFunctionData("setFees", [700n, 300n]),
        protocol.emergencyPause.interface.encodeFunctionData("setMaxPauseDuration", [86_400n]),
      ]);
      expect(planned.summary, "summary").to.equal(
        "2 calls: StakingPool.setFees(700, 300); EmergencyPause.setMaxPauseDuration(86400)",
      );
      await expectUserError(
        plan(protocol, {
          calls: file("bad.json", [{ target: "StakingPool", signature: "setFees(uint256,uint256)", args: [1] }]),
        }),
        /bad\.json entry 1: setFees\(uint256,uint256\) takes 2 argument\(s\), args has 1$/,
      );
      await expectUserError(
        plan(protocol, {
          calls: file("over.json", [{ target: "StakingPool", signature: "setFees(uint256,uint256)", args: [3000, 0] }]),
        }),
        /^StakingPool\.setFees\(3000, 0\), would revert if executed now: InvalidFees\(3000, 0\)$/,
      );
      await expectUserError(
        plan(protocol, { action: "set-fee", calls: good }),
        /^both an action \(set-fee\) and --calls were given/,
      );
      await expectUserError(plan(protocol, { calls: path.join(dir, "missing.json") }), /missing\.json cannot be read/);
    });
  });

  describe("the rehearsal: propose, vote, queue, wait, execute", function () {
    it("changes the fee, with each step refused until its time", async function () {
      const protocol = await fixture();
      const governor = protocol.governor!;
      const proposal = await propose(
        protocol,
        await plan(protocol, { action: "set-fee", treasuryBps: "600", operatorBps: "400" }),
      );
      expect(proposal.voteEnd - proposal.voteStart, "the voting period").to.equal(VOTING_PERIOD);
      const id = shortProposalId(proposal.id);
      await expectUserError(
        castVote(governor, protocol.token!, whale, proposal.id, "for"),
        new RegExp(
          `^proposal ${id} is Pending: voting starts at \\d{4}-.*Z and ends at .*Z; on a local chain, --advance moves the clock there$`,
        ),
      );
      await castVote(governor, protocol.token!, whale, proposal.id, "for", { advance, reason: "cheaper" });
      await expectUserError(
        queueProposal(governor, whale, proposal.id),
        /^proposal \d{10}… is Active: voting ends at .*Z \(600,000 for, 0 against, 0 abstain, quorum 40,000 PLURAL\)/,
      );
      await castVote(governor, protocol.token!, holderB, proposal.id, "against");
      await castVote(governor, protocol.token!, holderC, proposal.id, "abstain");
      await expectUserError(castVote(governor, protocol.token!, holderC, proposal.id, "for"), /already voted/);
      await expectUserError(executeProposal(governor, whale, proposal.id, { advance }), /Active/);
      await advance(proposal.voteEnd + 1n);
      await expectUserError(
        executeProposal(governor, whale, proposal.id),
        /Succeeded but is not queued yet: gov queue/,
      );
      const queued = await queueProposal(governor, whale, proposal.id);
      expect(queued.proposal.state, "queued").to.equal("Queued");
      await expectUserError(
        executeProposal(governor, whale, proposal.id),
        /^proposal \d{10}… is queued, executable from .*Z; on a local chain, --advance/,
      );
      expect((await protocol.pool.getReportState()).treasuryFeeBps, "unchanged while queued").to.equal(500n);
      const executed = await executeProposal(governor, whale, proposal.id, { advance });
      const executedIn = await ethers.provider.getBlock(
        (await ethers.provider.getTransactionReceipt(executed.txHash))!.blockNumber,
      );
      expect(BigInt(executedIn!.timestamp), "not before the eta").to.be.gte(queued.proposal.eta);
      expect(queued.proposal.eta - (proposal.voteEnd + 1n), "the timelock delay after the vote").to.be.gte(
        TIMELOCK_DELAY,
      );
      const state = await protocol.pool.getReportState();
      expect([state.treasuryFeeBps, state.operatorFeeBps], "the new fee").to.deep.equal([600n, 400n]);
      const info = await readProposal(governor, proposal.id);
      expect(info.state, "executed").to.equal("Executed");
      expect(info.votes, "the tally").to.deep.equal({
        for: parseEther("600000"),
        against: parseEther("200000"),
        abstain: parseEther("200000"),
      });
      expect(info.description, "the description from its event").to.equal(proposal.description);
      await expectUserError(executeProposal(governor, whale, proposal.id), /was already executed$/);
      expect(formatProposal(protocol, info), "the printout").to.match(/StakingPool\.setFees\(600, 400\)/);
    });

    it("upgrades the pool to a new implementation that keeps all state", async function () {
      const protocol = await fixture();
      const { pool } = protocol;
      await deposit(pool, alice, parseEther("5"));
      const before = {
        accounting: [...(await pool.getAccounting())],
        report: [...(await pool.getReportState())],
        // The current limit refills with time; its parameters must stay.
        limit: [...(await pool.getStakeLimit())].slice(0, 3),
        supply: await pool.totalSupply(),
        alice: await pool.balanceOf(alice),
        contracts: [...(await pool.stakingContracts())],
        admin: await pool.hasRole(await pool.DEFAULT_ADMIN_ROLE(), protocol.addresses.timelock),
        pauser: await pool.hasRole(await pool.PAUSE_ROLE(), protocol.addresses.emergencyPause),
        depositContract: await pool.depositContract(),
      };
      const oldImplementation = await readImplementation(ethers.provider, protocol.addresses.pool);
      const planned = await plan(protocol, { action: "upgrade", contract: "StakingPool", deploy: true });
      const newImplementation = planned.summary.match(/(0x[0-9a-fA-F]{40})$/)![1]!;
      await pass(protocol, await propose(protocol, planned));
      expect(await readImplementation(ethers.provider, protocol.addresses.pool), "the proxy's implementation").to.equal(
        newImplementation,
      );
      expect(newImplementation, "a new one").not.to.equal(oldImplementation);
      expect(
        await ethers.provider.getStorage(protocol.addresses.pool, IMPLEMENTATION_SLOT),
        "the ERC-1967 slot",
      ).to.equal(`0x${"00".repeat(12)}${newImplementation.slice(2).toLowerCase()}`);
      expect(
        {
          accounting: [...(await pool.getAccounting())],
          report: [...(await pool.getReportState())],
          // The current limit refills with time; its parameters must stay.
          limit: [...(await pool.getStakeLimit())].slice(0, 3),
          supply: await pool.totalSupply(),
          alice: await pool.balanceOf(alice),
          contracts: [...(await pool.stakingContracts())],
          admin: await pool.hasRole(await pool.DEFAULT_ADMIN_ROLE(), protocol.addresses.timelock),
          pauser: await pool.hasRole(await pool.PAUSE_ROLE(), protocol.addresses.emergencyPause),
          depositContract: await pool.depositContract(),
        },
        "every state kept",
      ).to.deep.equal(before);
      const shares = await pool.balanceOf(alice);
      await deposit(pool, alice, parseEther("1"));
      expect(await pool.balanceOf(alice), "deposits still work").to.be.gt(shares);
    });

    it("refuses to queue a defeated proposal, saying why it lost", async function () {
      const protocol = await fixture();
      const governor = protocol.governor!;
      const outvoted = await propose(protocol, await plan(protocol, { action: "set-oracle-quorum", quorum: "3" }));
      await castVote(governor, protocol.token!, holderB, outvoted.id, "for", { advance });
      await castVote(governor, protocol.token!, whale, outvoted.id, "against");
      await expectUserError(
        queueProposal(governor, whale, outvoted.id, { advance }),
        /^proposal \d{10}… is Defeated: 200,000 for, 600,000 against, 0 abstain, quorum 40,000 PLURAL; no more for than against$/,
      );
      const unvoted = await propose(
        protocol,
        await plan(protocol, { action: "set-oracle-quorum", quorum: "3" }),
        "Set the oracle quorum to 3, nobody cares",
      );
      await advance(unvoted.voteEnd + 1n);
      const info = await readProposal(governor, unvoted.id);
      expect(info.quorum, "the quorum at the snapshot").to.equal(QUORUM);
      await expectUserError(
        queueProposal(governor, whale, unvoted.id),
        /is Defeated: 0 for, 0 against, 0 abstain, quorum 40,000 PLURAL; the quorum was not reached/,
      );
      await expectUserError(castVote(governor, protocol.token!, holderC, unvoted.id, "for"), /is Defeated/);
    });

    it("refuses proposers below the threshold, voters without votes, and the same proposal twice", async function () {
      const protocol = await fixture();
      const governor = protocol.governor!;
      const planned = await plan(protocol, { action: "set-oracle-quorum", quorum: "3" });
      await expectUserError(
        proposeOnGovernor(governor, protocol.token!, stranger, planned.calls, planned.summary),
        /has 0 PLURAL of votes, below the proposal threshold of 1,000 PLURAL \(it holds 0 PLURAL, delegated to nobody\)/,
      );
      const proposal = await propose(protocol, planned);
      await expectUserError(propose(protocol, planned), /exists already: \d{10}…, Pending; pass another --description/);
      await expectUserError(
        castVote(governor, protocol.token!, stranger, proposal.id, "for", { advance }),
        /had no votes at proposal \d{10}…'s snapshot .*: votes count only when delegated before it/,
      );
      expect(await resolveProposalId(governor, proposal.id.toString().slice(0, 10)), "by its first digits").to.equal(
        proposal.id,
      );
      await expectUserError(resolveProposalId(governor, "12345678901"), /^no proposal 12345678901 on the Governor/);
      await expectUserError(resolveProposalId(governor, "0x12"), /is not a proposal id/);
    });

    it("lets the proposer withdraw a proposal before its vote, and nobody else or later", async function () {
      const protocol = await fixture();
      const governor = protocol.governor!;
      const proposal = await propose(protocol, await plan(protocol, { action: "set-oracle-quorum", quorum: "3" }));
      await expectUserError(
        cancelProposal(governor, holderB, proposal.id),
        new RegExp(`only proposal \\d{10}…'s proposer ${whale.address} may cancel it, not ${holderB.address}`),
      );
      const cancelled = await cancelProposal(governor, whale, proposal.id);
      expect(cancelled.proposal.state, "its state").to.equal("Canceled");
      await expectUserError(
        castVote(governor, protocol.token!, whale, proposal.id, "for", { advance }),
        /was canceled/,
      );

      const voting = await propose(
        protocol,
        await plan(protocol, { action: "set-oracle-quorum", quorum: "3" }),
        "Set the oracle quorum to 3, with a vote",
      );
      await advance(voting.voteStart + 1n);
      await expectUserError(
        cancelProposal(governor, whale, voting.id),
        /is Active: a proposal can be cancelled only before its vote starts/,
      );
    });

    it("gov status reads every proposal, the setup and the pause", async function () {
      const protocol = await fixture();
      const proposal = await propose(protocol, await plan(protocol, { action: "set-oracle-quorum", quorum: "3" }));
      await castVote(protocol.governor!, protocol.token!, holderB, proposal.id, "for", { advance });
      const status = await readGovernanceStatus(protocol, await readPauseStatus(protocol.emergencyPause));
      expect(status.setup.mode, "mode").to.equal("token");
      expect(status.setup.timelock.delay, "timelock delay").to.equal(TIMELOCK_DELAY);
      expect(status.setup.timelock.anyoneExecutes, "anyone executes").to.equal(true);
      expect(status.setup.operations?.proposers, "the operations proposer").to.deep.equal([account(3).address]);
      expect(status.setup.governor?.votingDelay, "voting delay").to.equal(VOTING_DELAY);
      expect(status.setup.governor?.quorum, "quorum").to.equal(QUORUM);
      expect(
        status.proposals.map((p) => [p.id, p.state, p.votes.for]),
        "the proposal",
      ).to.deep.equal([[proposal.id, "Active", parseEther("200000")]]);
      const printed = formatGovernanceStatus(protocol, status, "hardhat");
      for (const text of [
        "token: PLURAL holders vote on the Governor",
        "1 h",
        "4 % of 1,000,000 PLURAL = 40,000 PLURAL",
        shortProposalId(proposal.id),
        "200,000 PLURAL",
        "Active",
        "7 days",
        "not paused",
      ]) {
        expect(printed, `shows ${text}`).to.include(text);
      }
    });
  });

  describe("the emergency pause", function () {
    it("pauses once per grant, within the bound, and the pause expires by itself", async function () {
      const protocol = await fixture();
      const emergencyPause = protocol.emergencyPause;
      await expectUserError(
        pauseAsGuardian(emergencyPause, stranger, PAUSE_TARGETS.deposits, 3_600n),
        new RegExp(`^${stranger.address} is not the pause guardian \\(${guardian.address}\\)`),
      );
      await expectUserError(
        pauseAsGuardian(emergencyPause, guardian, PAUSE_TARGETS.deposits, MAX_PAUSE + 1n),
        /^--duration 7 days 1 s is above the longest pause allowed, 7 days \(604800 s\)$/,
      );
      const paused = await pauseAsGuardian(emergencyPause, guardian, PAUSE_TARGETS.deposits, 7_200n);
      expect(paused.status.pausedUntil.deposits, "deposits paused for 2 h").to.equal(paused.until);
      expect(paused.status.pauseAvailable, "grant used").to.equal(false);
      await expect(
        protocol.pool.connect(alice).deposit(ZeroAddress, { value: parseEther("1") }),
        "deposits stop",
      ).to.be.revertedWithCustomError(protocol.pool, "DepositsArePaused");
      await expectUserError(
        pauseAsGuardian(emergencyPause, guardian, PAUSE_TARGETS.withdrawals, 60n),
        new RegExp(
          `has used its pause: one pause per grant; ask governance for a new grant: gov propose grant-pause --guardian ${guardian.address}$`,
        ),
      );
      await advance(paused.until);
      const after = await readPauseStatus(emergencyPause);
      expect(after.pausedUntil.deposits, "expired").to.be.lte(after.now);
      await deposit(protocol.pool, alice, parseEther("1"));
    });

    it("governance resumes early and grants a new pause", async function () {
      const protocol = await fixture();
      const emergencyPause = protocol.emergencyPause;
      await pauseAsGuardian(emergencyPause, guardian, PAUSE_TARGETS.withdrawals | PAUSE_TARGETS.staking, MAX_PAUSE);
      const resume = await plan(protocol, { action: "resume-pause", targets: "withdrawals" });
      const grant = await plan(protocol, { action: "grant-pause", guardian: guardian.address });
      expect(grant.summary, "summary").to.equal(
        `Grant one emergency pause to ${guardian.address} (its last pause used)`,
      );
      await pass(protocol, await propose(protocol, resume));
      await pass(protocol, await propose(protocol, grant));
      const status = await readPauseStatus(emergencyPause);
      expect(status.pausedUntil.withdrawals, "withdrawals resumed").to.be.lte(status.now);
      expect(status.pausedUntil.staking, "staking still paused").to.be.gt(status.now);
      expect(status.pauseAvailable, "a new grant").to.equal(true);
      const again = await pauseAsGuardian(emergencyPause, guardian, PAUSE_TARGETS.deposits, 60n);
      expect(again.status.pausedUntil.deposits, "the guardian pauses again").to.equal(again.until);
    });
  });
});
