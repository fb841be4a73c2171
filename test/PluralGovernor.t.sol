// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

import {IDepositContract} from "../contracts/interfaces/IDepositContract.sol";
import {IEmergencyPause} from "../contracts/interfaces/IEmergencyPause.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {PluralGovernor} from "../contracts/PluralGovernor.sol";
import {PluralTimelock} from "../contracts/PluralTimelock.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {GovernanceFixture} from "./utils/GovernanceFixture.sol";

/// @dev The new implementation of the upgrade rehearsal: the pool as it is, plus a version number. It needs no
/// initializer of its own: it only ever replaces the implementation of an initialized proxy, and adds no state.
/// @custom:oz-upgrades-from contracts/StakingPool.sol:StakingPool
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract StakingPoolV2 is StakingPool {
    /// @custom:oz-upgrades-unsafe-allow constructor
    // solhint-disable-next-line no-empty-blocks
    constructor(IDepositContract depositContract_) StakingPool(depositContract_) {}

    /// @notice The implementation's version.
    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @dev Tests of PluralGovernor and a governance rehearsal over the real protocol: settings within hard limits, the
/// whole path of a proposal (propose, vote, queue, wait, execute) for a fee change and a pool upgrade, defeated
/// proposals, nothing reaching an admin function except through the timelock, the operations timelock's reach, and
/// the emergency pause under governance.
contract PluralGovernorTest is GovernanceFixture {
    /// @dev How an admin function refuses a caller.
    enum Refusal {
        MissingRole, // AccessControlUnauthorizedAccount(caller, role)
        NotTheTimelockItself, // TimelockUnauthorizedCaller(caller)
        NotTheExecutor, // GovernorOnlyExecutor(caller)
        FixedDelay // DelayIsFixed(delay): an administered timelock's delay never changes
    }

    /// @dev An admin function and the one account (if any) allowed to call it directly.
    struct AdminCall {
        string name;
        address target;
        bytes data;
        Refusal refusal;
        bytes32 role;
        address holder;
    }

    uint256 private constant REWARDS = 0.1 ether;
    uint256 private constant ALL_TARGETS = 7; // DEPOSITS | WITHDRAWALS | STAKING

    AdminCall[] private adminCalls;
    address private stranger;

    function setUp() public {
        _deployGovernedProtocol();
        stranger = makeAddr("stranger");
    }

    // =================================================================================================================
    // settings: hard limits
    // =================================================================================================================

    function test_RevertWhen_ConstructorSettingIsOutOfBounds() public {
        vm.expectRevert(_outOfBounds(30 days + 1, 0, 30 days));
        _newGovernor(30 days + 1, VOTING_PERIOD, QUORUM_PERCENT);
        vm.expectRevert(_outOfBounds(0, 1 hours, 30 days));
        _newGovernor(VOTING_DELAY, 0, QUORUM_PERCENT);
        vm.expectRevert(_outOfBounds(1 hours - 1, 1 hours, 30 days));
        _newGovernor(VOTING_DELAY, 1 hours - 1, QUORUM_PERCENT);
        vm.expectRevert(_outOfBounds(30 days + 1, 1 hours, 30 days));
        _newGovernor(VOTING_DELAY, 30 days + 1, QUORUM_PERCENT);
        vm.expectRevert(_outOfBounds(0, 1, 50));
        _newGovernor(VOTING_DELAY, VOTING_PERIOD, 0);
        vm.expectRevert(_outOfBounds(51, 1, 50));
        _newGovernor(VOTING_DELAY, VOTING_PERIOD, 51);
    }

    function testFuzz_Constructor_VotingPeriodWithinBounds(uint32 period) public {
        bool valid = 1 hours <= period && period <= 30 days;
        if (!valid) vm.expectRevert(_outOfBounds(period, 1 hours, 30 days));
        PluralGovernor created = _newGovernor(VOTING_DELAY, period, QUORUM_PERCENT);
        if (valid) assertEq(created.votingPeriod(), period, "voting period");
    }

    function test_Proposal_ChangesSettingsWithinBounds() public {
        address[] memory targets = new address[](3);
        bytes[] memory calldatas = new bytes[](3);
        (targets[0], calldatas[0]) = (address(governor), abi.encodeCall(governor.setVotingDelay, (2 days)));
        (targets[1], calldatas[1]) = (address(governor), abi.encodeCall(governor.setVotingPeriod, (1 hours)));
        (targets[2], calldatas[2]) = (address(governor), abi.encodeCall(governor.updateQuorumNumerator, (50)));
        _pass(targets, calldatas, "Settings at their edges");
        assertEq(governor.votingDelay(), 2 days, "voting delay");
        assertEq(governor.votingPeriod(), 1 hours, "voting period");
        assertEq(governor.quorumNumerator(), 50, "quorum percent");
    }

    function test_RevertWhen_ProposalSetsVotingDelayAboveTheLongest() public {
        _assertSettingRejected(
            abi.encodeCall(governor.setVotingDelay, (30 days + 1)),
            _outOfBounds(30 days + 1, 0, 30 days),
            "Voting delay: 30 days and a second"
        );
        assertEq(governor.votingDelay(), VOTING_DELAY, "voting delay unchanged");
    }

    function test_RevertWhen_ProposalSetsVotingPeriodBelowTheShortest() public {
        _assertSettingRejected(
            abi.encodeCall(governor.setVotingPeriod, (1 hours - 1)),
            _outOfBounds(1 hours - 1, 1 hours, 30 days),
            "Voting period: an hour less a second"
        );
        assertEq(governor.votingPeriod(), VOTING_PERIOD, "voting period unchanged");
    }

    function test_RevertWhen_ProposalSetsVotingPeriodAboveTheLongest() public {
        _assertSettingRejected(
            abi.encodeCall(governor.setVotingPeriod, (30 days + 1)),
            _outOfBounds(30 days + 1, 1 hours, 30 days),
            "Voting period: 30 days and a second"
        );
    }

    function test_RevertWhen_ProposalSetsQuorumOutOfBounds() public {
        _assertSettingRejected(
            abi.encodeCall(governor.updateQuorumNumerator, (0)),
            _outOfBounds(0, 1, 50),
            "Quorum: none"
        );
        _assertSettingRejected(
            abi.encodeCall(governor.updateQuorumNumerator, (51)),
            _outOfBounds(51, 1, 50),
            "Quorum: 51%"
        );
        assertEq(governor.quorumNumerator(), QUORUM_PERCENT, "quorum unchanged");
    }

    function test_RevertWhen_SettingIsChangedOutsideAProposal() public {
        address[3] memory callers = [alice, address(governor), stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, callers[i]));
            governor.setVotingPeriod(2 days);
        }
    }

    // =================================================================================================================
    // the whole path: a fee change
    // =================================================================================================================

    function test_Proposal_ChangesTheFeesThroughTheWholePath() public {
        // A pool with validators seen by a first report, so a later report has rewards to take a fee from.
        _stakeValidators(4);
        _reportNextFrame(4 * VALIDATOR_DEPOSIT);

        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setFees, (800, 400))
        );
        string memory description = "Fees: 8% treasury, 4% operators";
        uint256 id = _propose(targets, calldatas, description);
        assertEq(governor.proposalCount(), 1, "proposalCount");
        (, , , bytes32 descriptionHash) = governor.proposalDetails(id);
        assertEq(descriptionHash, keccak256(bytes(description)), "stored description hash");
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending), "pending");
        assertEq(governor.proposalSnapshot(id), block.timestamp + VOTING_DELAY, "snapshot");
        assertEq(governor.proposalDeadline(id), block.timestamp + VOTING_DELAY + VOTING_PERIOD, "deadline");

        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Pending,
                _states(IGovernor.ProposalState.Active)
            )
        );
        governor.castVote(id, FOR);

        _warpToVoting(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Active), "active");
        _vote(id, alice, FOR);
        _vote(id, bob, AGAINST);
        _vote(id, carol, ABSTAIN);
        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(id);
        assertEq(forVotes, ALICE_TOKENS, "for");
        assertEq(against, BOB_TOKENS, "against");
        assertEq(abstain, CAROL_TOKENS, "abstain");
        assertTrue(governor.hasVoted(id, carol), "carol voted");
        assertFalse(governor.hasVoted(id, dave), "dave did not");

        _warpPastDeadline(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded), "succeeded");
        governor.queue(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued), "queued");
        assertEq(governor.proposalEta(id), block.timestamp + TIMELOCK_DELAY, "eta");

        // One second before the eta the timelock refuses.
        bytes32 operationId = _operationId(targets, calldatas, description);
        assertTrue(timelock.isOperationPending(operationId), "scheduled on the timelock");
        vm.warp(governor.proposalEta(id) - 1);
        vm.expectRevert(_notReady(operationId));
        governor.execute(id);

        vm.warp(governor.proposalEta(id));
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.FeesSet(800, 400);
        vm.prank(stranger); // anyone executes a queued proposal
        governor.execute(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Executed), "executed");
        assertTrue(timelock.isOperationDone(operationId), "done on the timelock");
        IStakingPool.ReportState memory state = pool.getReportState();
        assertEq(state.treasuryFeeBps, 800, "treasury fee");
        assertEq(state.operatorFeeBps, 400, "operator fee");

        // The next report takes 12% of its rewards, 8% for the treasury.
        uint256 treasuryBefore = _valueOf(treasury);
        uint256 operatorsBefore = _valueOf(address(registry));
        _reportNextFrame(4 * VALIDATOR_DEPOSIT + REWARDS);
        assertApproxEqAbs(_valueOf(treasury) - treasuryBefore, (REWARDS * 800) / 10_000, 10, "treasury's fee");
        assertApproxEqAbs(
            _valueOf(address(registry)) - operatorsBefore,
            (REWARDS * 400) / 10_000,
            10,
            "operators' fee"
        );

        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Executed,
                _states(IGovernor.ProposalState.Queued)
            )
        );
        governor.execute(id);
    }

    // =================================================================================================================
    // the whole path: an upgrade to a new implementation
    // =================================================================================================================

    function test_Proposal_UpgradesThePoolKeepingEveryState() public {
        // State everywhere: validators, a report with rewards (fees to the treasury and operators), deposits, a
        // transfer, an allowance, a withdrawal request.
        _stakeValidators(4);
        _reportNextFrame(4 * VALIDATOR_DEPOSIT);
        // One frame after the first: within the reward cap for a day.
        _reportNextFrame(4 * VALIDATOR_DEPOSIT + 0.01 ether);
        address user = makeAddr("user");
        _deposit(user, 10 ether);
        _deposit(bob, 3 ether);
        vm.prank(user);
        pool.transfer(carol, 1 ether);
        vm.prank(user);
        pool.approve(dave, 2 ether);
        uint256 requestId = _request(bob, 1 ether);

        StakingPoolV2 v2 = new StakingPoolV2(IDepositContract(address(beaconDeposit)));
        uint256 id = _proposeAndQueue(
            _one(address(pool)),
            _one(abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (address(v2), ""))),
            "Upgrade the pool to V2"
        );
        vm.warp(governor.proposalEta(id));

        address[6] memory holders = [user, bob, carol, treasury, address(registry), address(queue)];
        bytes memory before = _poolState(holders, user, dave);
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        uint256 rate = pool.convertToAssets(1 ether);
        governor.execute(id);

        assertEq(
            vm.load(address(pool), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(v2)))),
            "the proxy points to V2"
        );
        assertEq(StakingPoolV2(payable(address(pool))).version(), 2, "V2's new function");
        _assertAccountingEq(pool.getAccounting(), accounting);
        assertEq(pool.convertToAssets(1 ether), rate, "share rate");
        assertEq(keccak256(_poolState(holders, user, dave)), keccak256(before), "every piece of pool state");
        assertEq(queue.ownerOf(requestId), bob, "the request");

        // And V2 works: a deposit at the same rate, a report with rewards and fees.
        uint256 expectedShares = pool.convertToShares(1 ether);
        assertEq(_deposit(makeAddr("late depositor"), 1 ether), expectedShares, "deposit after the upgrade");
        uint256 treasuryBefore = _valueOf(treasury);
        _reportNextFrame(pool.getAccounting().beaconBalance + REWARDS);
        assertGt(_valueOf(treasury), treasuryBefore, "fees after the upgrade");
    }

    function test_RevertWhen_UpgradeIsNotProposed() public {
        StakingPoolV2 v2 = new StakingPoolV2(IDepositContract(address(beaconDeposit)));
        address[5] memory callers = [address(governor), alice, address(this), protocolDeployer, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(_unauthorized(callers[i], DEFAULT_ADMIN_ROLE));
            pool.upgradeToAndCall(address(v2), "");
        }
    }

    // =================================================================================================================
    // defeated proposals
    // =================================================================================================================

    function test_RevertWhen_QueueingAProposalBelowTheQuorum() public {
        // Dave holds exactly the threshold: enough to propose, far from the 4% quorum.
        vm.prank(dave);
        uint256 id = governor.propose(
            _one(address(pool)),
            new uint256[](1),
            _one(abi.encodeCall(pool.setFees, (0, 0))),
            "No fees"
        );
        _warpToVoting(id);
        _vote(id, dave, FOR);
        _warpPastDeadline(id);
        assertEq(governor.quorum(governor.proposalSnapshot(id)), (TOTAL_TOKENS * QUORUM_PERCENT) / 100, "quorum");
        _assertDefeated(id);
    }

    function test_RevertWhen_QueueingAProposalVotedDown() public {
        uint256 id = _propose(_one(address(pool)), _one(abi.encodeCall(pool.setFees, (0, 0))), "No fees");
        _warpToVoting(id);
        _vote(id, bob, FOR);
        _vote(id, alice, AGAINST);
        _warpPastDeadline(id);
        _assertDefeated(id);
    }

    function test_RevertWhen_QueueingATie() public {
        // 250,000 for, 250,000 against: a tie is no majority.
        vm.prank(alice);
        token.transfer(carol, BOB_TOKENS - CAROL_TOKENS);
        uint256 id = _propose(_one(address(pool)), _one(abi.encodeCall(pool.setFees, (0, 0))), "No fees");
        _warpToVoting(id);
        _vote(id, bob, FOR);
        _vote(id, carol, AGAINST);
        _warpPastDeadline(id);
        _assertDefeated(id);
    }

    function test_Proposal_AbstentionsCountTowardsTheQuorum() public {
        uint256 id = _propose(_one(address(pool)), _one(abi.encodeCall(pool.setFees, (600, 400))), "Fees 6/4");
        _warpToVoting(id);
        _vote(id, dave, FOR);
        _vote(id, carol, ABSTAIN);
        _warpPastDeadline(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded), "1,000 for, none against");
    }

    function testFuzz_Vote_WeightsDecideTheOutcome(
        uint256 forVotes,
        uint256 againstVotes,
        uint256 abstainVotes
    ) public {
        // Alice hands out votes and keeps at least the threshold to propose; only the three voters vote.
        forVotes = bound(forVotes, 0, 199_000 ether);
        againstVotes = bound(againstVotes, 0, 199_000 ether);
        abstainVotes = bound(abstainVotes, 0, 199_000 ether);
        address[3] memory voters = [makeAddr("for"), makeAddr("against"), makeAddr("abstain")];
        uint256[3] memory weights = [forVotes, againstVotes, abstainVotes];
        for (uint256 i; i < 3; ++i) {
            vm.prank(alice);
            token.transfer(voters[i], weights[i]);
            _delegateToSelf(voters[i]);
        }
        vm.warp(block.timestamp + 1);
        uint256 id = _propose(_one(address(pool)), _one(abi.encodeCall(pool.setFees, (700, 300))), "Fees 7/3");
        _warpToVoting(id);
        _vote(id, voters[0], FOR);
        _vote(id, voters[1], AGAINST);
        _vote(id, voters[2], ABSTAIN);
        _warpPastDeadline(id);

        bool passes = forVotes > againstVotes && forVotes + abstainVotes >= (TOTAL_TOKENS * QUORUM_PERCENT) / 100;
        if (passes) {
            assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded), "succeeded");
            governor.queue(id);
            vm.warp(governor.proposalEta(id));
            governor.execute(id);
            assertEq(pool.getReportState().treasuryFeeBps, 700, "executed");
        } else {
            _assertDefeated(id);
        }
    }

    // =================================================================================================================
    // nothing bypasses the timelock
    // =================================================================================================================

    function test_RevertWhen_AnyoneButTheTimelockCallsAnAdminFunction() public {
        _listAdminCalls();
        address[14] memory callers = [
            address(governor),
            alice,
            bob,
            carol,
            dave,
            address(this),
            address(governanceDeployer),
            protocolDeployer,
            pauseGuardian,
            opsMultisig,
            oracleMembers[0],
            guardianAddresses[0],
            treasury,
            stranger
        ];
        uint256 checked;
        for (uint256 c; c < callers.length; ++c) {
            for (uint256 i; i < adminCalls.length; ++i) {
                AdminCall storage call = adminCalls[i];
                if (call.holder == callers[c]) continue;
                vm.prank(callers[c]);
                (bool success, bytes memory returned) = call.target.call(call.data);
                assertFalse(success, call.name);
                assertEq(returned, _refusal(call, callers[c]), call.name);
                ++checked;
            }
        }
        // Every call for every caller, but the two each of the Governor and the operations multisig may make.
        assertEq(checked, callers.length * adminCalls.length - 4, "calls checked");
    }

    function test_RevertWhen_TheTimelockExecutesWhatNoProposalQueued() public {
        bytes memory data = abi.encodeCall(pool.setFees, (0, 0));
        bytes32 operationId = timelock.hashOperation(address(pool), 0, data, bytes32(0), bytes32(0));
        vm.prank(stranger);
        vm.expectRevert(_notReady(operationId));
        timelock.execute(address(pool), 0, data, bytes32(0), bytes32(0));
    }

    function test_RevertWhen_ASucceededProposalIsExecutedWithoutQueueing() public {
        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setFees, (0, 0))
        );
        uint256 id = _propose(targets, calldatas, "No fees");
        _warpToVoting(id);
        _vote(id, alice, FOR);
        _warpPastDeadline(id);
        // A proposal that needs queueing executes only once queued, and the timelock holds no operation for it.
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Succeeded,
                _states(IGovernor.ProposalState.Queued)
            )
        );
        governor.execute(id);
        assertFalse(timelock.isOperation(_operationId(targets, calldatas, "No fees")), "nothing scheduled");
    }

    function test_RevertWhen_AnActiveProposalIsQueued() public {
        uint256 id = _propose(_one(address(pool)), _one(abi.encodeCall(pool.setFees, (0, 0))), "No fees");
        _warpToVoting(id);
        _vote(id, alice, FOR);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Active,
                _states(IGovernor.ProposalState.Succeeded)
            )
        );
        governor.queue(id);
    }

    function test_Cancel_TheProposerWithdrawsAPendingProposalOnly() public {
        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setFees, (0, 0))
        );
        uint256 id = _propose(targets, calldatas, "withdrawn");
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorUnableToCancel.selector, id, bob));
        governor.cancel(id);

        vm.prank(alice);
        vm.expectEmit(true, true, true, true, address(governor));
        emit IGovernor.ProposalCanceled(id);
        governor.cancel(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Canceled), "canceled");
        _warpToVoting(id);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Canceled,
                _states(IGovernor.ProposalState.Active)
            )
        );
        governor.castVote(id, FOR);

        // Once its vote has started, not even its proposer can withdraw it: the vote decides.
        uint256 active = _propose(targets, calldatas, "voted on");
        _warpToVoting(active);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorUnableToCancel.selector, active, alice));
        governor.cancel(active);
    }

    function test_RevertWhen_ProposerIsBelowTheThreshold() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorInsufficientProposerVotes.selector,
                stranger,
                0,
                PROPOSAL_THRESHOLD
            )
        );
        governor.propose(_one(address(pool)), new uint256[](1), _one(abi.encodeCall(pool.setFees, (0, 0))), "x");
    }

    function test_ProposalThreshold_IsCappedAtTenPercentOfTheSupply() public {
        uint256 cap = (TOTAL_TOKENS * governor.MAX_PROPOSAL_THRESHOLD_PERCENT()) / 100;
        // A passed proposal sets the threshold above the whole supply, which would leave nobody able to propose.
        _pass(address(governor), abi.encodeCall(governor.setProposalThreshold, (TOTAL_TOKENS + 1)), "lock governance");
        assertEq(governor.proposalThreshold(), cap, "the threshold in force: the cap");

        // Bob holds 25 % of the supply, above the cap: he can still propose.
        vm.warp(block.timestamp + 1);
        vm.prank(bob);
        uint256 id = governor.propose(
            _one(address(governor)),
            new uint256[](1),
            _one(abi.encodeCall(governor.setProposalThreshold, (PROPOSAL_THRESHOLD))),
            "unlock governance"
        );
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Pending), "bob's proposal exists");

        // Carol (14.9 %) could too; Dave (0.1 %) cannot.
        vm.prank(dave);
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, dave, DAVE_TOKENS, cap)
        );
        governor.propose(_one(address(pool)), new uint256[](1), _one(abi.encodeCall(pool.setFees, (0, 0))), "x");
    }

    function testFuzz_ProposalThreshold_NeverAboveTheCap(uint256 threshold) public {
        threshold = bound(threshold, 0, type(uint208).max);
        _pass(address(governor), abi.encodeCall(governor.setProposalThreshold, (threshold)), "any threshold");
        uint256 cap = (TOTAL_TOKENS * governor.MAX_PROPOSAL_THRESHOLD_PERCENT()) / 100;
        assertEq(governor.proposalThreshold(), threshold < cap ? threshold : cap, "min(threshold, cap)");
    }

    // =================================================================================================================
    // the operations timelock
    // =================================================================================================================

    function test_OperationsTimelock_AddsOperatorsAndVetsKeys() public {
        uint256 operatorId = registry.operatorCount();
        address manager = _managerOf(operatorId);
        bytes memory addOperator = abi.encodeCall(registry.addOperator, ("Ops Node", manager, manager));
        _opsSchedule(address(registry), addOperator, 0);

        vm.warp(block.timestamp + OPERATIONS_DELAY - 1);
        bytes memory notReady = _notReady(_opsId(address(registry), addOperator, 0));
        vm.prank(opsMultisig);
        vm.expectRevert(notReady);
        opsTimelock.execute(address(registry), 0, addOperator, bytes32(0), bytes32(0));
        vm.warp(block.timestamp + 1);
        bytes memory unauthorized = _unauthorized(stranger, opsTimelock.EXECUTOR_ROLE());
        vm.prank(stranger);
        vm.expectRevert(unauthorized);
        opsTimelock.execute(address(registry), 0, addOperator, bytes32(0), bytes32(0));
        _opsExecute(address(registry), addOperator, 0);
        assertEq(registry.operatorCount(), operatorId + 1, "operator added");
        assertEq(registry.getOperator(operatorId).name, "Ops Node", "its name");

        _addKeys(operatorId, 3);
        bytes memory vet = abi.encodeCall(registry.setVettedKeys, (operatorId, 3));
        _opsSchedule(address(registry), vet, 0);
        vm.warp(block.timestamp + OPERATIONS_DELAY);
        _opsExecute(address(registry), vet, 0);
        assertEq(registry.getOperator(operatorId).vettedKeys, 3, "keys vetted");
    }

    function test_OperationsTimelock_VetsOnlyWithinTheVettingLimit() public {
        _pass(address(registry), abi.encodeCall(registry.setVettingLimit, (2)), "Vetting limit: 2");
        uint256 operatorId = registry.operatorCount();
        address manager = _managerOf(operatorId);
        bytes memory addOperator = abi.encodeCall(registry.addOperator, ("Ops Node", manager, manager));
        _opsSchedule(address(registry), addOperator, 0);
        vm.warp(block.timestamp + OPERATIONS_DELAY);
        _opsExecute(address(registry), addOperator, 0);
        _addKeys(operatorId, 3);

        bytes memory vetThree = abi.encodeCall(registry.setVettedKeys, (operatorId, 3));
        bytes memory vetTwo = abi.encodeCall(registry.setVettedKeys, (operatorId, 2));
        _opsSchedule(address(registry), vetThree, 0);
        _opsSchedule(address(registry), vetTwo, 0);
        vm.warp(block.timestamp + OPERATIONS_DELAY);
        vm.prank(opsMultisig);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, 3, 0, 2));
        opsTimelock.execute(address(registry), 0, vetThree, bytes32(0), bytes32(0));
        _opsExecute(address(registry), vetTwo, 0);
        assertEq(registry.getOperator(operatorId).vettedKeys, 2, "vetted up to the limit");
    }

    function test_RevertWhen_OperationsTimelockReachesBeyondItsRegistryRoles() public {
        _listAdminCalls();
        bytes32 addOperatorRole = registry.ADD_OPERATOR_ROLE();
        bytes32 vetKeysRole = registry.VET_KEYS_ROLE();
        bool[] memory scheduled = new bool[](adminCalls.length);
        uint256 count;
        for (uint256 i; i < adminCalls.length; ++i) {
            AdminCall storage call = adminCalls[i];
            // Its own roles, and its own administration (it administers itself, as every timelock does).
            bool allowed = call.role == addOperatorRole || call.role == vetKeysRole;
            if (allowed || call.target == address(opsTimelock)) continue;
            _opsSchedule(call.target, call.data, i);
            scheduled[i] = true;
            ++count;
        }
        vm.warp(block.timestamp + OPERATIONS_DELAY);
        for (uint256 i; i < adminCalls.length; ++i) {
            if (!scheduled[i]) continue;
            AdminCall storage call = adminCalls[i];
            vm.prank(opsMultisig);
            vm.expectRevert(_refusal(call, address(opsTimelock)));
            opsTimelock.execute(call.target, 0, call.data, bytes32(0), bytes32(i));
        }
        // All but its two registry roles' three functions and its own five.
        assertEq(count, adminCalls.length - 8, "calls refused");
    }

    function test_Proposal_CancelsAnOperationAndRevokesTheOperationsMultisig() public {
        uint256 operatorId = registry.operatorCount();
        bytes memory addOperator = abi.encodeCall(registry.addOperator, ("Rogue", stranger, stranger));
        // Scheduled with a longer delay than the minimum, which governance has time to act within.
        vm.prank(opsMultisig);
        opsTimelock.schedule(address(registry), 0, addOperator, bytes32(0), bytes32(0), 10 days);
        bytes32 opsId = _opsId(address(registry), addOperator, 0);

        address[] memory targets = new address[](3);
        bytes[] memory calldatas = new bytes[](3);
        bytes32 proposerRole = opsTimelock.PROPOSER_ROLE();
        bytes32 cancellerRole = opsTimelock.CANCELLER_ROLE();
        (targets[0], calldatas[0]) = (address(opsTimelock), abi.encodeCall(opsTimelock.cancel, (opsId)));
        (targets[1], calldatas[1]) = (
            address(opsTimelock),
            abi.encodeCall(IAccessControl.revokeRole, (proposerRole, opsMultisig))
        );
        (targets[2], calldatas[2]) = (
            address(opsTimelock),
            abi.encodeCall(IAccessControl.revokeRole, (cancellerRole, opsMultisig))
        );
        _pass(targets, calldatas, "Cancel the rogue operator and revoke the operations multisig");

        assertFalse(opsTimelock.isOperation(opsId), "the operation is gone");
        assertFalse(opsTimelock.hasRole(proposerRole, opsMultisig), "no longer proposes");
        assertFalse(opsTimelock.hasRole(cancellerRole, opsMultisig), "no longer cancels");
        vm.warp(block.timestamp + 10 days);
        vm.prank(opsMultisig);
        vm.expectRevert(_notReady(opsId));
        opsTimelock.execute(address(registry), 0, addOperator, bytes32(0), bytes32(0));
        assertEq(registry.operatorCount(), operatorId, "no operator added");
        vm.prank(opsMultisig);
        vm.expectRevert(_unauthorized(opsMultisig, proposerRole));
        opsTimelock.schedule(address(registry), 0, addOperator, bytes32(0), bytes32(uint256(1)), OPERATIONS_DELAY);
    }

    // =================================================================================================================
    // the emergency pause under governance
    // =================================================================================================================

    function test_EmergencyPause_ExpiresByItself() public {
        address user = makeAddr("user");
        _deposit(user, 5 ether);
        vm.prank(user);
        pool.approve(address(queue), 1 ether);

        uint256 until = block.timestamp + 3 days;
        vm.prank(pauseGuardian);
        emergencyPause.pause(ALL_TARGETS, 3 days);
        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.depositsPausedUntil, until, "deposits paused");
        assertEq(state.withdrawalsPausedUntil, until, "withdrawals paused");
        assertEq(state.stakingPausedUntil, until, "staking paused");
        assertFalse(state.pauseAvailable, "grant used");

        vm.deal(user, 1 ether);
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.requestWithdrawals(_oneAmount(1 ether), user);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(ALL_TARGETS, 1 days);

        // Nobody resumes it; at `until` it is over.
        vm.warp(until);
        vm.prank(user);
        pool.deposit{value: 1 ether}(address(0));
        vm.prank(user);
        queue.requestWithdrawals(_oneAmount(1 ether), user);
        // And the guardian cannot pause again without a new grant.
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(ALL_TARGETS, 1 days);
    }

    function test_EmergencyPause_GovernanceResumesAndGrantsAgain() public {
        vm.prank(pauseGuardian);
        emergencyPause.pause(ALL_TARGETS, MAX_PAUSE_DURATION);
        uint256 until = block.timestamp + MAX_PAUSE_DURATION;

        address[] memory targets = new address[](2);
        bytes[] memory calldatas = new bytes[](2);
        (targets[0], calldatas[0]) = (address(emergencyPause), abi.encodeCall(emergencyPause.resume, (ALL_TARGETS)));
        (targets[1], calldatas[1]) = (
            address(emergencyPause),
            abi.encodeCall(emergencyPause.grantPause, (pauseGuardian))
        );
        _pass(targets, calldatas, "Resume everything and grant the guardian a new pause");
        assertLt(block.timestamp, until, "resumed before the pause would have ended");

        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertLe(state.depositsPausedUntil, block.timestamp, "deposits resumed");
        assertLe(state.withdrawalsPausedUntil, block.timestamp, "withdrawals resumed");
        assertLe(state.stakingPausedUntil, block.timestamp, "staking resumed");
        assertTrue(state.pauseAvailable, "granted again");
        _deposit(makeAddr("user"), 1 ether);

        uint256 deposits = emergencyPause.DEPOSITS();
        vm.prank(pauseGuardian);
        emergencyPause.pause(deposits, 1 days);
        assertEq(pool.depositsPausedUntil(), block.timestamp + 1 days, "paused with the new grant");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _newGovernor(uint48 delay, uint32 period, uint256 quorumPercent) private returns (PluralGovernor) {
        return new PluralGovernor(IVotes(address(token)), timelock, delay, period, PROPOSAL_THRESHOLD, quorumPercent);
    }

    /// @dev A proposal calling `data` on the Governor passes and is queued, then its execution reverts with `reason`.
    function _assertSettingRejected(bytes memory data, bytes memory reason, string memory description) private {
        uint256 id = _proposeAndQueue(_one(address(governor)), _one(data), description);
        vm.warp(governor.proposalEta(id));
        vm.expectRevert(reason);
        governor.execute(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued), "still queued, not executed");
    }

    /// @dev `id` was defeated: it can be neither queued nor executed.
    function _assertDefeated(uint256 id) private {
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated), "defeated");
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Defeated,
                _states(IGovernor.ProposalState.Succeeded)
            )
        );
        governor.queue(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                id,
                IGovernor.ProposalState.Defeated,
                _states(IGovernor.ProposalState.Queued)
            )
        );
        governor.execute(id);
    }

    function _opsSchedule(address target, bytes memory data, uint256 salt) private {
        vm.prank(opsMultisig);
        opsTimelock.schedule(target, 0, data, bytes32(0), bytes32(salt), OPERATIONS_DELAY);
    }

    function _opsExecute(address target, bytes memory data, uint256 salt) private {
        vm.prank(opsMultisig);
        opsTimelock.execute(target, 0, data, bytes32(0), bytes32(salt));
    }

    function _opsId(address target, bytes memory data, uint256 salt) private view returns (bytes32) {
        return opsTimelock.hashOperation(target, 0, data, bytes32(0), bytes32(salt));
    }

    /// @dev The pool's state in one blob: balances, allowances, nonces, fees and report state, stake limit, pause,
    /// contracts, credentials, domain, and every role's holders. Compared whole before and after an upgrade.
    function _poolState(
        address[6] memory holders,
        address owner,
        address spender
    ) private view returns (bytes memory state) {
        uint256[] memory balances = new uint256[](holders.length + 1);
        for (uint256 i; i < holders.length; ++i) balances[i] = pool.balanceOf(holders[i]);
        balances[holders.length] = pool.balanceOf(DEAD_SHARES_HOLDER);
        state = abi.encode(
            balances,
            pool.totalSupply(),
            pool.totalPooledEther(),
            pool.allowance(owner, spender),
            pool.nonces(owner),
            pool.getReportState(),
            pool.getStakeLimit(),
            pool.depositsPausedUntil(),
            pool.stakingContracts(),
            pool.withdrawalCredentials()
        );
        state = bytes.concat(
            state,
            abi.encode(pool.DOMAIN_SEPARATOR(), pool.name(), pool.symbol(), pool.depositContract(), _poolRoles())
        );
    }

    /// @dev Bit i × 4 + j: whether the j-th account holds the i-th role.
    function _poolRoles() private view returns (uint256 bits) {
        bytes32[5] memory roles = [
            DEFAULT_ADMIN_ROLE,
            pool.PAUSE_ROLE(),
            pool.RESUME_ROLE(),
            pool.STAKE_LIMIT_ROLE(),
            pool.MANAGE_ACCOUNTING_ROLE()
        ];
        address[4] memory accounts = [address(timelock), address(emergencyPause), address(governor), opsMultisig];
        for (uint256 i; i < roles.length; ++i) {
            for (uint256 j; j < accounts.length; ++j) {
                if (pool.hasRole(roles[i], accounts[j])) bits |= 1 << (i * 4 + j);
            }
        }
        // The timelock holds every role but PAUSE_ROLE, the emergency pause PAUSE_ROLE and RESUME_ROLE.
        assertEq(bits, 0x11321, "pool roles");
    }

    // --- the admin functions of every contract ---

    /// @dev Every function reserved to the timelocks (or to the emergency pause, the oracle or the guard on the
    /// protocol's behalf) on the eight proxies, both timelocks and the Governor.
    function _listAdminCalls() private {
        bytes32 manageAccounting = pool.MANAGE_ACCOUNTING_ROLE();
        bytes32 stakeLimit = pool.STAKE_LIMIT_ROLE();
        _add("pool.setFees", address(pool), abi.encodeCall(pool.setFees, (0, 0)), manageAccounting);
        _add("pool.setTreasury", address(pool), abi.encodeCall(pool.setTreasury, (stranger)), manageAccounting);
        _add("pool.setMaxReportAge", address(pool), abi.encodeCall(pool.setMaxReportAge, (1 days)), manageAccounting);
        _add("pool.setStakeLimit", address(pool), abi.encodeCall(pool.setStakeLimit, (1 ether, 1 days)), stakeLimit);
        _add("pool.removeStakeLimit", address(pool), abi.encodeCall(pool.removeStakeLimit, ()), stakeLimit);
        _add(
            "pool.pauseDeposits",
            address(pool),
            abi.encodeCall(pool.pauseDeposits, (block.timestamp + 1 days)),
            pool.PAUSE_ROLE()
        );
        _add("pool.resumeDeposits", address(pool), abi.encodeCall(pool.resumeDeposits, ()), pool.RESUME_ROLE());

        bytes32 manageOperators = registry.MANAGE_OPERATORS_ROLE();
        bytes32 addOperator = registry.ADD_OPERATOR_ROLE();
        _add(
            "registry.addOperator",
            address(registry),
            abi.encodeCall(registry.addOperator, ("x", stranger, stranger)),
            addOperator
        );
        address[] memory members = new address[](2);
        (members[0], members[1]) = (alice, bob);
        _add(
            "registry.addCluster",
            address(registry),
            abi.encodeCall(registry.addCluster, ("x", stranger, stranger, 2, members)),
            addOperator
        );
        _add(
            "registry.setOperatorActive",
            address(registry),
            abi.encodeCall(registry.setOperatorActive, (0, false)),
            manageOperators
        );
        _add(
            "registry.setRewardAddress",
            address(registry),
            abi.encodeCall(registry.setRewardAddress, (0, stranger)),
            manageOperators
        );
        _add("registry.setShareCap", address(registry), abi.encodeCall(registry.setShareCap, (1)), manageOperators);
        _add(
            "registry.setVettedKeys",
            address(registry),
            abi.encodeCall(registry.setVettedKeys, (0, 1)),
            registry.VET_KEYS_ROLE()
        );
        _add(
            "registry.unvetKeys",
            address(registry),
            abi.encodeCall(registry.unvetKeys, (0)),
            registry.UNVET_KEYS_ROLE()
        );
        _add(
            "registry.applyExitUpdates",
            address(registry),
            abi.encodeCall(registry.applyExitUpdates, (new IOperatorRegistry.ExitUpdate[](0))),
            registry.REPORT_EXITS_ROLE()
        );
        _add(
            "registry.setVettingLimit",
            address(registry),
            abi.encodeCall(registry.setVettingLimit, (1)),
            manageOperators
        );
        _add(
            "registry.setExitResponseTime",
            address(registry),
            abi.encodeCall(registry.setExitResponseTime, (1 days)),
            manageOperators
        );

        _add(
            "guard.pauseStakingUntil",
            address(guard),
            abi.encodeCall(guard.pauseStakingUntil, (block.timestamp + 1 days)),
            guard.PAUSE_ROLE()
        );
        _add("guard.resumeStaking", address(guard), abi.encodeCall(guard.resumeStaking, ()), guard.RESUME_ROLE());
        _add("guard.addGuardian", address(guard), abi.encodeCall(guard.addGuardian, (stranger)), DEFAULT_ADMIN_ROLE);
        _add(
            "guard.removeGuardian",
            address(guard),
            abi.encodeCall(guard.removeGuardian, (guardianAddresses[0])),
            DEFAULT_ADMIN_ROLE
        );
        _add("guard.setQuorum", address(guard), abi.encodeCall(guard.setQuorum, (1)), DEFAULT_ADMIN_ROLE);
        _add("guard.setMaxBlockAge", address(guard), abi.encodeCall(guard.setMaxBlockAge, (1)), DEFAULT_ADMIN_ROLE);
        _add(
            "guard.setPauseDuration",
            address(guard),
            abi.encodeCall(guard.setPauseDuration, (1 hours)),
            DEFAULT_ADMIN_ROLE
        );

        bytes32 manageMembers = oracle.MANAGE_MEMBERS_ROLE();
        bytes32 manageConfig = oracle.MANAGE_CONFIG_ROLE();
        _add("oracle.addMember", address(oracle), abi.encodeCall(oracle.addMember, (stranger, 2)), manageMembers);
        _add(
            "oracle.removeMember",
            address(oracle),
            abi.encodeCall(oracle.removeMember, (oracleMembers[0], 1)),
            manageMembers
        );
        _add("oracle.setQuorum", address(oracle), abi.encodeCall(oracle.setQuorum, (3)), manageMembers);
        _add(
            "oracle.setEpochsPerFrame",
            address(oracle),
            abi.encodeCall(oracle.setEpochsPerFrame, (100)),
            manageConfig
        );
        _add(
            "oracle.setSanityBounds",
            address(oracle),
            abi.encodeCall(oracle.setSanityBounds, (_sanityBounds())),
            manageConfig
        );
        _add(
            "oracle.allowLoss",
            address(oracle),
            abi.encodeCall(oracle.allowLoss, (1 ether, 1)),
            oracle.ALLOW_LOSS_ROLE()
        );

        _add(
            "vault.forceExits",
            address(vault),
            abi.encodeCall(vault.forceExits, (new bytes(48), 1 gwei)),
            vault.FORCE_EXIT_ROLE()
        );
        _add(
            "vault.setMaxExitRequestFee",
            address(vault),
            abi.encodeCall(vault.setMaxExitRequestFee, (1 gwei)),
            DEFAULT_ADMIN_ROLE
        );

        _add(
            "queue.pauseWithdrawals",
            address(queue),
            abi.encodeCall(queue.pauseWithdrawals, (block.timestamp + 1 days)),
            queue.PAUSE_ROLE()
        );
        _add(
            "queue.resumeWithdrawals",
            address(queue),
            abi.encodeCall(queue.resumeWithdrawals, ()),
            queue.RESUME_ROLE()
        );

        _add(
            "emergencyPause.resume",
            address(emergencyPause),
            abi.encodeCall(emergencyPause.resume, (ALL_TARGETS)),
            DEFAULT_ADMIN_ROLE
        );
        _add(
            "emergencyPause.grantPause",
            address(emergencyPause),
            abi.encodeCall(emergencyPause.grantPause, (stranger)),
            DEFAULT_ADMIN_ROLE
        );
        _add(
            "emergencyPause.setMaxPauseDuration",
            address(emergencyPause),
            abi.encodeCall(emergencyPause.setMaxPauseDuration, (1 days)),
            DEFAULT_ADMIN_ROLE
        );

        // Upgrades and role administration on every proxy.
        address[8] memory proxies = [
            address(pool),
            address(registry),
            address(guard),
            address(vault),
            address(elVault),
            address(oracle),
            address(queue),
            address(emergencyPause)
        ];
        for (uint256 i; i < proxies.length; ++i) {
            address implementation_ = address(uint160(uint256(vm.load(proxies[i], ERC1967Utils.IMPLEMENTATION_SLOT))));
            _add(
                "proxy.upgradeToAndCall",
                proxies[i],
                abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (implementation_, "")),
                DEFAULT_ADMIN_ROLE
            );
            _add(
                "proxy.grantRole",
                proxies[i],
                abi.encodeCall(IAccessControl.grantRole, (DEFAULT_ADMIN_ROLE, stranger)),
                DEFAULT_ADMIN_ROLE
            );
            _add(
                "proxy.revokeRole",
                proxies[i],
                abi.encodeCall(IAccessControl.revokeRole, (DEFAULT_ADMIN_ROLE, address(timelock))),
                DEFAULT_ADMIN_ROLE
            );
        }

        _listTimelockCalls(timelock, address(governor), "timelock");
        _listTimelockCalls(opsTimelock, opsMultisig, "opsTimelock");

        bytes[6] memory governorCalls = [
            abi.encodeCall(governor.relay, (address(pool), 0, abi.encodeCall(pool.setFees, (0, 0)))),
            abi.encodeCall(governor.setVotingDelay, (0)),
            abi.encodeCall(governor.setVotingPeriod, (1 hours)),
            abi.encodeCall(governor.setProposalThreshold, (0)),
            abi.encodeCall(governor.updateQuorumNumerator, (1)),
            abi.encodeCall(governor.updateTimelock, (TimelockController(payable(stranger))))
        ];
        for (uint256 i; i < governorCalls.length; ++i) {
            adminCalls.push(
                AdminCall(
                    "governor setting",
                    address(governor),
                    governorCalls[i],
                    Refusal.NotTheExecutor,
                    0,
                    address(0)
                )
            );
        }
    }

    /// @dev A timelock's scheduling (its proposer's), cancelling (its proposer's), role administration and delay.
    function _listTimelockCalls(PluralTimelock target, address proposer, string memory name) private {
        bytes memory setFees = abi.encodeCall(pool.setFees, (0, 0));
        bytes32 proposerRole = target.PROPOSER_ROLE();
        adminCalls.push(
            AdminCall(
                string.concat(name, ".schedule"),
                address(target),
                abi.encodeCall(target.schedule, (address(pool), 0, setFees, bytes32(0), bytes32(0), 30 days)),
                Refusal.MissingRole,
                proposerRole,
                proposer
            )
        );
        adminCalls.push(
            AdminCall(
                string.concat(name, ".cancel"),
                address(target),
                abi.encodeCall(target.cancel, (bytes32(uint256(1)))),
                Refusal.MissingRole,
                target.CANCELLER_ROLE(),
                proposer
            )
        );
        _add(
            string.concat(name, ".grantRole"),
            address(target),
            abi.encodeCall(IAccessControl.grantRole, (proposerRole, stranger)),
            DEFAULT_ADMIN_ROLE
        );
        _add(
            string.concat(name, ".revokeRole"),
            address(target),
            abi.encodeCall(IAccessControl.revokeRole, (proposerRole, proposer)),
            DEFAULT_ADMIN_ROLE
        );
        adminCalls.push(
            AdminCall(
                string.concat(name, ".updateDelay"),
                address(target),
                abi.encodeCall(target.updateDelay, (1 days)),
                target.ADMINISTERED() ? Refusal.FixedDelay : Refusal.NotTheTimelockItself,
                0,
                address(0)
            )
        );
    }

    function _add(string memory name, address target, bytes memory data, bytes32 role) private {
        adminCalls.push(AdminCall(name, target, data, Refusal.MissingRole, role, address(0)));
    }

    /// @dev How `call` refuses `caller`.
    function _refusal(AdminCall storage call, address caller) private view returns (bytes memory) {
        if (call.refusal == Refusal.MissingRole) return _unauthorized(caller, call.role);
        if (call.refusal == Refusal.NotTheTimelockItself) {
            return abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, caller);
        }
        if (call.refusal == Refusal.FixedDelay) {
            return
                abi.encodeWithSelector(
                    PluralTimelock.DelayIsFixed.selector,
                    PluralTimelock(payable(call.target)).getMinDelay()
                );
        }
        return abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, caller);
    }

    // --- encodings ---

    function _outOfBounds(uint256 value, uint256 min, uint256 max) private pure returns (bytes memory) {
        return abi.encodeWithSelector(PluralGovernor.GovernorSettingOutOfBounds.selector, value, min, max);
    }

    function _notReady(bytes32 operationId) private pure returns (bytes memory) {
        return
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                operationId,
                _timelockStates(TimelockController.OperationState.Ready)
            );
    }

    /// @dev The Governor's bitmap of one proposal state (Governor's `_encodeStateBitmap`).
    function _states(IGovernor.ProposalState state) private pure returns (bytes32) {
        return bytes32(1 << uint8(state));
    }

    function _one(address target) private pure returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = target;
    }

    function _one(bytes memory data) private pure returns (bytes[] memory calldatas) {
        calldatas = new bytes[](1);
        calldatas[0] = data;
    }

    function _oneAmount(uint256 amount) private pure returns (uint256[] memory amounts) {
        amounts = new uint256[](1);
        amounts[0] = amount;
    }
}
