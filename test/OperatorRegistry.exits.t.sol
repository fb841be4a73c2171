// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev The registry's exit bookkeeping: exited counts, exit requests and their two cohorts of deadlines, the penalty
/// of a late operator (fees burned, no new validators) and its lifting, the nonce, and every refusal. The protocol is
/// deployed as in production; the accounting oracle's calls are made in its name (its own side of the exit data has
/// its tests in AccountingOracle.exitData.t.sol), fees come from real reports.
contract OperatorRegistryExitsTest is OracleFixture {
    uint256 private constant OPERATORS = 3;
    /// @dev Validators each operator runs after setUp (it has three times as many keys vetted).
    uint256 private constant PER_OPERATOR = 8;
    uint256 private constant STAKED = OPERATORS * PER_OPERATOR * 32 ether;
    /// @dev Beacon rewards per report: well inside the reward cap of a day.
    uint256 private constant REWARDS = 0.03 ether;

    address private alice;
    address private stranger;
    bytes32 private reportExitsRole;
    uint256 private beaconBalance;

    /// @dev The fuzzed beacon chain: which keys have exited (the oracle asks only keys still active to exit).
    mapping(uint256 operatorId => mapping(uint256 keyIndex => bool)) private keyExited;

    function setUp() public {
        _deployPool();
        alice = makeAddr("alice");
        stranger = makeAddr("stranger");
        vm.deal(alice, 10 ether);
        vm.prank(alice);
        pool.deposit{value: 10 ether}(address(0));
        _stakeValidators(OPERATORS * PER_OPERATOR);
        // The first report sees the validators at 32 ether each: nothing gained or lost.
        beaconBalance = STAKED;
        _reportNextFrame(beaconBalance);
        reportExitsRole = registry.REPORT_EXITS_ROLE();
    }

    // =================================================================================================================
    // initialize and setExitResponseTime
    // =================================================================================================================

    function test_Initialize_GivesTheOracleReportExitsRoleAndSetsTheResponseTime() public view {
        assertEq(reportExitsRole, keccak256("REPORT_EXITS_ROLE"), "REPORT_EXITS_ROLE");
        assertTrue(registry.hasRole(reportExitsRole, address(oracle)), "oracle has REPORT_EXITS_ROLE");
        assertFalse(registry.hasRole(reportExitsRole, admin), "timelock has REPORT_EXITS_ROLE");
        assertFalse(registry.hasRole(reportExitsRole, address(guard)), "guard has REPORT_EXITS_ROLE");
        assertFalse(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), address(oracle)), "oracle is an admin");
        assertFalse(registry.hasRole(registry.MANAGE_OPERATORS_ROLE(), address(oracle)), "oracle manages operators");
        assertEq(registry.exitResponseTime(), EXIT_RESPONSE_TIME, "exitResponseTime");
        assertEq(registry.MIN_EXIT_RESPONSE_TIME(), 1 hours, "MIN_EXIT_RESPONSE_TIME");
        assertEq(registry.MAX_EXIT_RESPONSE_TIME(), 30 days, "MAX_EXIT_RESPONSE_TIME");
    }

    function test_RevertWhen_InitializeOracleIsZero() public {
        _expectInitializeRevert(
            address(0),
            EXIT_RESPONSE_TIME,
            abi.encodeWithSelector(IOperatorRegistry.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeExitResponseTimeIsOutOfRange() public {
        uint256[3] memory times = [uint256(0), 1 hours - 1, 30 days + 1];
        for (uint256 i; i < times.length; ++i) {
            _expectInitializeRevert(address(oracle), times[i], _invalidResponseTime(times[i]));
        }
    }

    function test_Initialize_AcceptsTheResponseTimeBounds() public {
        uint256[2] memory times = [uint256(1 hours), 30 days];
        for (uint256 i; i < times.length; ++i) {
            OperatorRegistry proxy = OperatorRegistry(
                address(new ERC1967Proxy(address(new OperatorRegistry()), _initializeData(address(oracle), times[i])))
            );
            assertEq(proxy.exitResponseTime(), times[i], "exitResponseTime");
        }
    }

    function test_SetExitResponseTime_StoresAndEmits() public {
        _expectRegistryEvent();
        emit IOperatorRegistry.ExitResponseTimeSet(2 days);
        vm.prank(admin);
        registry.setExitResponseTime(2 days);
        assertEq(registry.exitResponseTime(), 2 days, "exitResponseTime");
    }

    function test_SetExitResponseTime_AcceptsTheBounds() public {
        vm.startPrank(admin);
        registry.setExitResponseTime(1 hours);
        assertEq(registry.exitResponseTime(), 1 hours, "at the minimum");
        registry.setExitResponseTime(30 days);
        assertEq(registry.exitResponseTime(), 30 days, "at the maximum");
        vm.stopPrank();
    }

    function test_RevertWhen_SetExitResponseTimeIsOutOfRange() public {
        uint256[4] memory times = [uint256(0), 1 hours - 1, 30 days + 1, type(uint256).max];
        vm.startPrank(admin);
        for (uint256 i; i < times.length; ++i) {
            vm.expectRevert(_invalidResponseTime(times[i]));
            registry.setExitResponseTime(times[i]);
        }
        vm.stopPrank();
        assertEq(registry.exitResponseTime(), EXIT_RESPONSE_TIME, "unchanged");
    }

    function test_RevertWhen_SetExitResponseTimeCallerLacksTheRole() public {
        bytes32 manageRole = registry.MANAGE_OPERATORS_ROLE();
        address[3] memory callers = [stranger, address(oracle), address(guard)];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectUnauthorized(callers[i], manageRole);
            registry.setExitResponseTime(1 days);
        }
    }

    function test_SetExitResponseTime_AppliesToLaterRequestsOnly() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 1));
        vm.prank(admin);
        registry.setExitResponseTime(1 days);
        vm.warp(t0 + 1 hours);
        IOperatorRegistry.ExitUpdate memory update = _request(0, 1, 1);

        _expectRegistryEvent();
        emit IOperatorRegistry.ValidatorExitRequested(0, 1, pubkeyAt[0][1], t0 + 1 hours + 1 days);
        _apply(update);

        IOperatorRegistry.ExitState memory state = registry.getExitState(0);
        assertEq(state.dueBy, t0 + EXIT_RESPONSE_TIME, "the earlier request keeps its deadline");
        assertEq(state.targetBy, t0 + 1 hours + 1 days, "the later one has the new time");
    }

    // =================================================================================================================
    // applyExitUpdates: exited counts
    // =================================================================================================================

    function test_ApplyExitUpdates_RaisesExitedCountsAndTheTotal() public {
        uint256 activeBefore = registry.activeValidators();
        uint256 nonceBefore = registry.nonce();
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](2);
        updates[0] = _exited(0, 2);
        updates[1] = _exited(2, 3);

        _expectRegistryEvent();
        emit IOperatorRegistry.ExitedKeysUpdated(0, 2, 2);
        _expectRegistryEvent();
        emit IOperatorRegistry.ExitedKeysUpdated(2, 3, 5);
        // One nonce change for the whole call.
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        _applyAll(updates);

        assertEq(registry.getOperator(0).exitedKeys, 2, "operator 0 exited");
        assertEq(registry.getOperator(1).exitedKeys, 0, "operator 1 not named");
        assertEq(registry.getOperator(2).exitedKeys, 3, "operator 2 exited");
        assertEq(registry.getExitState(2).exitedKeys, 3, "exit state's exited");
        assertEq(registry.activeValidators(), activeBefore - 5, "active = deposited - exited");
        assertEq(registry.nonce(), nonceBefore + 1, "nonce");
        assertEq(registry.getOperator(0).depositedKeys, PER_OPERATOR, "deposited unchanged");

        // Every deposited validator may exit.
        _apply(_exited(1, PER_OPERATOR));
        assertEq(registry.getOperator(1).exitedKeys, PER_OPERATOR, "all of operator 1 exited");
        assertEq(registry.activeValidators(), activeBefore - 5 - PER_OPERATOR, "active after");
    }

    function test_ApplyExitUpdates_NothingNewEmitsNothing() public {
        _apply(_exited(0, 2));
        uint256 nonceBefore = registry.nonce();

        vm.recordLogs();
        _apply(_exited(0, 2));
        _applyAll(new IOperatorRegistry.ExitUpdate[](0));
        assertEq(vm.getRecordedLogs().length, 0, "events");
        assertEq(registry.nonce(), nonceBefore, "nonce");
    }

    function test_ApplyExitUpdates_ExitedValidatorsEarnNoMoreFees() public {
        _apply(_exited(0, PER_OPERATOR / 2));
        uint256[OPERATORS] memory before;
        for (uint256 id; id < OPERATORS; ++id) before[id] = registry.claimableFees(id);

        _reportWithRewards();

        uint256 half = registry.claimableFees(0) - before[0];
        uint256 full = registry.claimableFees(1) - before[1];
        assertGt(half, 0, "operator 0 still earns");
        assertApproxEqAbs(half * 2, full, 2, "half the validators, half the fees");
    }

    // =================================================================================================================
    // applyExitUpdates: requests and their cohorts
    // =================================================================================================================

    function test_ApplyExitUpdates_RequestsExitsDueAfterTheResponseTime() public {
        uint256 nonceBefore = registry.nonce();
        uint256 deadline = block.timestamp + EXIT_RESPONSE_TIME;
        IOperatorRegistry.ExitUpdate memory update = _request(1, 0, 3);

        for (uint256 k; k < 3; ++k) {
            _expectRegistryEvent();
            emit IOperatorRegistry.ValidatorExitRequested(1, k, pubkeyAt[1][k], deadline);
        }
        vm.recordLogs();
        _apply(update);
        assertEq(vm.getRecordedLogs().length, 3, "three requests, nothing else");

        _assertExitState(1, ExpectedState(0, 3, 3, deadline, 3, deadline, false), "after the request");
        // Requests alone change no active count and no penalty: deposit attestations stay valid.
        assertEq(registry.nonce(), nonceBefore, "nonce");
        assertEq(registry.getExitState(0).dueBy, 0, "other operators owe nothing");
    }

    function test_ApplyExitUpdates_RequestsMayPassKeysOver() public {
        // Keys 0 and 2 are exiting already (the oracle skips them): keys 1 and 3 are asked.
        _apply(_update(0, 0, _list(1, 3)));
        IOperatorRegistry.ExitState memory state = registry.getExitState(0);
        assertEq(state.nextExitIndex, 4, "next exit index after the last key asked");
        assertEq(state.dueExited, 2, "two exits owed");

        // Keys below the next exit index cannot be asked again, even one passed over.
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidExitKeyIndex.selector, 0, 2, 4, PER_OPERATOR));
        _apply(_update(0, 0, _list(2)));
    }

    function test_ApplyExitUpdates_ExitsMeetRequestsByCount() public {
        _apply(_request(0, 0, 2));
        uint256 deadline = registry.getExitState(0).dueBy;

        // One exit is not enough.
        _apply(_exited(0, 1));
        _assertExitState(0, ExpectedState(1, 2, 2, deadline, 2, deadline, false), "one of two");

        // Any two of its validators count, not only the keys asked.
        vm.recordLogs();
        _apply(_exited(0, 2));
        assertEq(vm.getRecordedLogs().length, 2, "ExitedKeysUpdated and NonceChanged only");
        _assertExitState(0, ExpectedState(2, 2, 0, 0, 2, 0, false), "met");
    }

    function test_ApplyExitUpdates_ExitsMadeBeforeARequestDoNotMeetIt() public {
        // Three exits nobody asked for.
        _apply(_exited(0, 3));
        _assertExitState(0, ExpectedState(3, 0, 0, 0, 0, 0, false), "voluntary exits owe nothing");

        uint256 deadline = block.timestamp + EXIT_RESPONSE_TIME;
        _apply(_request(0, 3, 2));
        _assertExitState(0, ExpectedState(3, 5, 5, deadline, 5, deadline, false), "two more than exited");

        // In the same update as the request, too: exits first, then the request counts from them.
        _apply(_update(1, 2, _list(2, 3)));
        _assertExitState(1, ExpectedState(2, 4, 4, deadline, 4, deadline, false), "exits and request at once");
    }

    function test_ApplyExitUpdates_ExitsBeyondTheRequestsDoNotPayForLaterOnes() public {
        _apply(_request(0, 0, 1));
        // Three exits for one request: met, and two extra.
        _apply(_exited(0, 3));
        assertEq(registry.getExitState(0).dueBy, 0, "met");

        uint256 deadline = block.timestamp + EXIT_RESPONSE_TIME;
        _apply(_request(0, 3, 1));
        _assertExitState(0, ExpectedState(3, 4, 4, deadline, 4, deadline, false), "counted from the exited");
    }

    function test_ApplyExitUpdates_NeverOwesMoreThanEveryDepositedValidator() public {
        // Six of eight exited on their own; data that names the last two and two already exited keys (a committee
        // mistake) would owe ten exits of eight validators: the target stops at eight.
        _apply(_exited(0, PER_OPERATOR - 2));
        uint256 deadline = block.timestamp + EXIT_RESPONSE_TIME;
        _apply(_request(0, PER_OPERATOR - 4, 4));
        _assertExitState(
            0,
            ExpectedState(PER_OPERATOR - 2, PER_OPERATOR, PER_OPERATOR, deadline, PER_OPERATOR, deadline, false),
            "capped at the deposited count"
        );
        _apply(_exited(0, PER_OPERATOR));
        assertEq(registry.getExitState(0).dueBy, 0, "every validator exited: met");
    }

    function test_ApplyExitUpdates_ASecondBatchKeepsTheFirstDeadline() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 2));
        vm.warp(t0 + 1 days);
        IOperatorRegistry.ExitUpdate memory update = _request(0, 2, 3);

        _expectRegistryEvent();
        emit IOperatorRegistry.ValidatorExitRequested(0, 2, pubkeyAt[0][2], t0 + 1 days + EXIT_RESPONSE_TIME);
        _apply(update);

        _assertExitState(
            0,
            ExpectedState(0, 5, 2, t0 + EXIT_RESPONSE_TIME, 5, t0 + 1 days + EXIT_RESPONSE_TIME, false),
            "two cohorts"
        );

        // A third batch merges into the newer cohort, due by its own deadline; the oldest one does not move.
        vm.warp(t0 + 2 days);
        _apply(_request(0, 5, 1));
        _assertExitState(
            0,
            ExpectedState(0, 6, 2, t0 + EXIT_RESPONSE_TIME, 6, t0 + 2 days + EXIT_RESPONSE_TIME, false),
            "newer batches merged"
        );
    }

    function test_ApplyExitUpdates_MeetingTheFirstBatchMovesTheSecondUpWithItsOwnDeadline() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 2));
        vm.warp(t0 + 1 days);
        _apply(_request(0, 2, 3));
        uint256 secondDeadline = t0 + 1 days + EXIT_RESPONSE_TIME;

        // Three exits: the first batch (two) is met, the second (three more) is not.
        vm.warp(t0 + 2 days);
        _apply(_exited(0, 3));
        _assertExitState(
            0,
            ExpectedState(3, 5, 5, secondDeadline, 5, secondDeadline, false),
            "the second batch is now the oldest unmet"
        );

        // Its own deadline, not the first one's: still fine just after the first deadline...
        vm.warp(t0 + EXIT_RESPONSE_TIME + 1);
        _apply(_exited(0, 3));
        assertFalse(registry.getExitState(0).penalized, "not late by the first deadline");
        // ...late after its own.
        vm.warp(secondDeadline + 1);
        _apply(_exited(0, 3));
        assertTrue(registry.getExitState(0).penalized, "late by its own deadline");
    }

    /// @dev The first batch met in the same update that brings a third: the second batch becomes the oldest unmet one
    /// with its own deadline, not the third's.
    function test_ApplyExitUpdates_ABatchRequestedAsTheFirstIsMetLeavesTheSecondItsOwnDeadline() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 2));
        vm.warp(t0 + 1 days);
        _apply(_request(0, 2, 1));
        uint256 secondDeadline = t0 + 1 days + EXIT_RESPONSE_TIME;

        vm.warp(t0 + EXIT_RESPONSE_TIME - 1 hours);
        _apply(_update(0, 2, _list(3)));
        uint256 thirdDeadline = block.timestamp + EXIT_RESPONSE_TIME;
        _assertExitState(
            0,
            ExpectedState(2, 4, 3, secondDeadline, 4, thirdDeadline, false),
            "the second batch is due by its own deadline"
        );

        vm.warp(secondDeadline + 1);
        _expectRegistryEvent();
        emit IOperatorRegistry.ExitPenaltySet(0, true);
        _apply(_exited(0, 2));
        assertTrue(registry.getExitState(0).penalized, "late on the second batch");
    }

    function test_ApplyExitUpdates_ABatchAfterEverythingIsMetStartsAFreshCohort() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 2));
        vm.warp(t0 + 1 days);
        _apply(_exited(0, 2));
        assertEq(registry.getExitState(0).dueBy, 0, "met");

        vm.warp(t0 + 10 days);
        _apply(_request(0, 2, 1));
        uint256 deadline = t0 + 10 days + EXIT_RESPONSE_TIME;
        _assertExitState(0, ExpectedState(2, 3, 3, deadline, 3, deadline, false), "a fresh deadline");
    }

    // =================================================================================================================
    // the penalty
    // =================================================================================================================

    function test_ApplyExitUpdates_PenalizesAnOperatorPastItsDeadline() public {
        _apply(_request(0, 0, 2));
        uint256 deadline = registry.getExitState(0).dueBy;
        uint256 nonceBefore = registry.nonce();

        // At the deadline itself it is still on time.
        vm.warp(deadline);
        vm.recordLogs();
        _apply(_exited(0, 1));
        assertFalse(registry.getExitState(0).penalized, "on time at the deadline");
        assertEq(vm.getRecordedLogs().length, 2, "ExitedKeysUpdated and NonceChanged");

        vm.warp(deadline + 1);
        _expectRegistryEvent();
        emit IOperatorRegistry.ExitPenaltySet(0, true);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 2);
        _apply(_exited(0, 1));

        _assertExitState(0, ExpectedState(1, 2, 2, deadline, 2, deadline, true), "penalized");
        assertEq(registry.nonce(), nonceBefore + 2, "nonce");
        assertFalse(registry.getExitState(1).penalized, "others are not");
    }

    function test_ApplyExitUpdates_ChecksTheDeadlineOnlyOfTheOperatorsNamed() public {
        _apply(_request(0, 0, 1));
        _apply(_request(1, 0, 1));
        vm.warp(block.timestamp + EXIT_RESPONSE_TIME + 1);

        _apply(_exited(1, 0));
        assertFalse(registry.getExitState(0).penalized, "operator 0 was not named");
        assertTrue(registry.getExitState(1).penalized, "operator 1 was");
        // Until named, operator 0 still earns and still gets validators.
        (uint256[] memory allocation, ) = registry.allocate(3);
        assertGt(allocation[0], 0, "operator 0 allocated");
        assertEq(allocation[1], 0, "operator 1 not allocated");
    }

    function test_ApplyExitUpdates_StaysPenalizedWhileTheNewerBatchIsLateToo() public {
        uint256 t0 = block.timestamp;
        _apply(_request(0, 0, 1));
        vm.warp(t0 + 1 days);
        _apply(_request(0, 1, 1));
        vm.warp(t0 + 1 days + EXIT_RESPONSE_TIME + 1);
        _apply(_exited(0, 0));
        assertTrue(registry.getExitState(0).penalized, "penalized");

        // The first batch met, the second one is past its deadline too: no change, no event.
        vm.recordLogs();
        _apply(_exited(0, 1));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IOperatorRegistry.ExitPenaltySet.selector, "no ExitPenaltySet");
        }
        assertTrue(registry.getExitState(0).penalized, "still penalized");
        assertEq(registry.getExitState(0).dueBy, t0 + 1 days + EXIT_RESPONSE_TIME, "the second deadline");
    }

    function test_ApplyExitUpdates_LiftsThePenaltyOnceCaughtUp() public {
        _penalize(0);
        uint256 nonceBefore = registry.nonce();
        uint256 owed = registry.getExitState(0).dueExited;

        _expectRegistryEvent();
        emit IOperatorRegistry.ExitedKeysUpdated(0, owed, owed);
        _expectRegistryEvent();
        emit IOperatorRegistry.ExitPenaltySet(0, false);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        _apply(_exited(0, owed));

        _assertExitState(0, ExpectedState(owed, owed, 0, 0, owed, 0, false), "caught up");
        (uint256[] memory allocation, ) = registry.allocate(3);
        assertGt(allocation[0], 0, "allocated again");
    }

    function test_Allocate_PassesAPenalizedOperatorBy() public {
        _penalize(0);
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(6);
        assertEq(allocation[0], 0, "penalized operator");
        assertEq(allocation[1], 3, "operator 1");
        assertEq(allocation[2], 3, "operator 2");
        assertEq(allocated, 6, "allocated");

        // A real deposit follows the allocation.
        _reportWithRewards();
        _fundBuffer(6 * VALIDATOR_DEPOSIT);
        _stake(6);
        assertEq(registry.getOperator(0).depositedKeys, PER_OPERATOR, "operator 0 got no validator");
        assertEq(registry.getOperator(1).depositedKeys, PER_OPERATOR + 3, "operator 1");
        assertEq(registry.getOperator(2).depositedKeys, PER_OPERATOR + 3, "operator 2");
    }

    function test_ApplyExitUpdates_VoidsDepositAttestationsMadeBeforeAPenalty() public {
        _apply(_request(0, 0, 1));
        vm.warp(block.timestamp + EXIT_RESPONSE_TIME + 1);
        _reportWithRewards();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        vm.roll(block.number + 1);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        uint256 attested = attestation.registryNonce;

        _apply(_exited(0, 0));

        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.RegistryNonceChanged.selector, attested, registry.nonce())
        );
        pool.depositValidators(segments, attestation);
    }

    // =================================================================================================================
    // fees of a penalized operator
    // =================================================================================================================

    function test_ApplyExitUpdates_SettlesFeesAtThePenalty() public {
        _reportWithRewards();
        uint256 earned = registry.claimableFees(0);
        assertGt(earned, 0, "earned before");

        _penalize(0);
        assertEq(registry.claimableFees(0), earned, "earned before the penalty is kept");

        _reportWithRewards();
        assertEq(registry.claimableFees(0), earned, "no growth while penalized");
        assertGt(registry.claimableFees(1), earned, "others keep earning");
    }

    function test_ClaimFees_BurnsWhatAPenalizedOperatorEarnedAndRaisesEveryOtherShare() public {
        _reportWithRewards();
        uint256 kept = registry.claimableFees(0);
        _penalize(0);
        uint256 otherBefore = registry.claimableFees(1);
        _reportWithRewards();
        // Operator 1 runs as many validators: what it earned is what operator 0 forfeits (to rounding).
        uint256 forfeitedThisReport = registry.claimableFees(1) - otherBefore;
        assertGt(forfeitedThisReport, 0, "fees earned while penalized");

        uint256 totalSupply = pool.totalSupply();
        uint256 pooledEther = pool.totalPooledEther();
        uint256 registryShares = pool.balanceOf(address(registry));
        uint256 aliceShares = pool.balanceOf(alice);
        uint256 aliceValue = _valueOf(alice);
        uint256 treasuryValue = _valueOf(treasury);
        address rewardAddress = registry.getOperator(0).rewardAddress;

        vm.recordLogs();
        uint256 claimed = registry.claimFees(0);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 burned = _forfeitedIn(logs, 0);
        assertApproxEqAbs(burned, forfeitedThisReport, 1, "burned what it earned while penalized");
        _assertBurnedByTheRegistry(logs, burned);
        assertEq(claimed, kept, "paid what it earned before the penalty");
        assertEq(pool.balanceOf(rewardAddress), kept, "reward address");
        assertEq(pool.totalSupply(), totalSupply - burned, "total supply falls by the forfeited fees");
        assertEq(pool.totalPooledEther(), pooledEther, "the ether stays pooled");
        assertEq(pool.balanceOf(address(registry)), registryShares - burned - kept, "registry's plETH");
        assertEq(pool.balanceOf(alice), aliceShares, "alice's shares");
        assertEq(_valueOf(alice), (aliceShares * pooledEther) / (totalSupply - burned), "alice's value");
        assertGt(_valueOf(alice), aliceValue, "alice gained");
        assertGt(_valueOf(treasury), treasuryValue, "the treasury gained");
        assertEq(registry.claimableFees(0), 0, "nothing left to claim");
    }

    function test_ApplyExitUpdates_BurnsFeesEarnedWhilePenalizedAtTheLift() public {
        _penalize(0);
        _reportWithRewards();
        uint256 registryShares = pool.balanceOf(address(registry));
        uint256 totalSupply = pool.totalSupply();
        uint256 owed = registry.getExitState(0).dueExited;

        vm.recordLogs();
        _apply(_exited(0, owed));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 burned = _forfeitedIn(logs, 0);
        assertGt(burned, 0, "forfeited at the lift");
        _assertBurnedByTheRegistry(logs, burned);
        assertEq(pool.balanceOf(address(registry)), registryShares - burned, "registry's plETH");
        assertEq(pool.totalSupply(), totalSupply - burned, "total supply");
        assertEq(registry.claimableFees(0), 0, "nothing kept of it");
        assertFalse(registry.getExitState(0).penalized, "lifted");

        // From now on it earns again, for its remaining validators.
        uint256 otherBefore = registry.claimableFees(1);
        _reportWithRewards();
        uint256 earned = registry.claimableFees(0);
        uint256 otherEarned = registry.claimableFees(1) - otherBefore;
        assertGt(earned, 0, "earns again");
        assertApproxEqAbs(
            earned * PER_OPERATOR,
            otherEarned * (PER_OPERATOR - owed),
            2 * PER_OPERATOR,
            "per validator"
        );
    }

    function test_ApplyExitUpdates_BurnsFeesWhenAPenalizedOperatorsValidatorsExit() public {
        _apply(_request(0, 0, 3));
        vm.warp(block.timestamp + EXIT_RESPONSE_TIME + 1);
        _apply(_exited(0, 0));
        _reportWithRewards();

        // One exit of three: still penalized, and the fees of the exited validator up to now are burned.
        vm.recordLogs();
        _apply(_exited(0, 1));
        uint256 burned = _forfeitedIn(vm.getRecordedLogs(), 0);
        assertGt(burned, 0, "settled and burned");
        assertTrue(registry.getExitState(0).penalized, "still penalized");
    }

    function test_RevertWhen_ClaimFeesOfAPenalizedOperatorThatKeptNothing() public {
        _penalize(0);
        _reportWithRewards();
        uint256 registryShares = pool.balanceOf(address(registry));
        // The burn is undone with the claim: the forfeited fees wait in the registry for the next settlement.
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NoFeesToClaim.selector, 0));
        registry.claimFees(0);
        assertEq(pool.balanceOf(address(registry)), registryShares, "nothing burned");
        assertEq(registry.claimableFees(0), 0, "nothing claimable");
    }

    // =================================================================================================================
    // refusals
    // =================================================================================================================

    function test_RevertWhen_ApplyExitUpdatesCallerLacksTheRole() public {
        address[5] memory callers = [stranger, admin, address(guard), address(pool), oracleMembers[0]];
        IOperatorRegistry.ExitUpdate[] memory updates = _one(_exited(0, 1));
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectUnauthorized(callers[i], reportExitsRole);
            registry.applyExitUpdates(updates);
        }
        assertEq(registry.getOperator(0).exitedKeys, 0, "nothing applied");
    }

    function test_RevertWhen_ExitUpdatesAreNotSorted() public {
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](2);
        updates[0] = _exited(1, 1);
        updates[1] = _exited(0, 1);
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitUpdatesNotSorted.selector, 0, 1));
        _applyAll(updates);

        // Each operator once.
        updates[1] = _exited(1, 2);
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitUpdatesNotSorted.selector, 1, 1));
        _applyAll(updates);
    }

    function test_RevertWhen_ExitUpdateOperatorNotFound() public {
        IOperatorRegistry.ExitUpdate memory update;
        update.operatorId = OPERATORS;
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, OPERATORS));
        _apply(update);

        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, OPERATORS));
        registry.getExitState(OPERATORS);
    }

    function test_RevertWhen_ExitedKeysDecrease() public {
        _apply(_exited(0, 2));
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidExitedKeys.selector, 0, 1, 2, PER_OPERATOR));
        _apply(_exited(0, 1));
    }

    function test_RevertWhen_ExitedKeysExceedDeposited() public {
        _expectRevert(
            abi.encodeWithSelector(IOperatorRegistry.InvalidExitedKeys.selector, 0, PER_OPERATOR + 1, 0, PER_OPERATOR)
        );
        _apply(_exited(0, PER_OPERATOR + 1));
    }

    function test_RevertWhen_ExitKeyIndexIsBelowTheNextExitIndex() public {
        _apply(_request(0, 0, 2));
        IOperatorRegistry.ExitUpdate memory update = _request(0, 1, 1);
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidExitKeyIndex.selector, 0, 1, 2, PER_OPERATOR));
        _apply(update);
    }

    function test_RevertWhen_ExitKeyIndexIsNotDeposited() public {
        // Key PER_OPERATOR is committed and vetted, not deposited.
        IOperatorRegistry.ExitUpdate memory update = _request(0, PER_OPERATOR, 1);
        _expectRevert(_invalidKeyIndex(0, PER_OPERATOR, 0));
        _apply(update);

        // After the last deposited key, in the same batch.
        update = _request(0, PER_OPERATOR - 1, 2);
        _expectRevert(_invalidKeyIndex(0, PER_OPERATOR, PER_OPERATOR));
        _apply(update);
    }

    function test_RevertWhen_ExitKeyIndicesDoNotAscend() public {
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidExitKeyIndex.selector, 0, 1, 3, PER_OPERATOR));
        _apply(_update(0, 0, _list(2, 1)));

        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidExitKeyIndex.selector, 0, 2, 3, PER_OPERATOR));
        _apply(_update(0, 0, _list(2, 2)));
    }

    function test_RevertWhen_ExitPubkeysDoNotMatchTheKeys() public {
        IOperatorRegistry.ExitUpdate memory update = _request(0, 0, 2);
        // One pubkey for two keys.
        update.pubkeys = pubkeyAt[0][0];
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitPubkeysMismatch.selector, 0, 2, 48));
        _apply(update);

        // A byte short.
        update = _request(0, 0, 1);
        update.pubkeys = _truncated(update.pubkeys, 47);
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitPubkeysMismatch.selector, 0, 1, 47));
        _apply(update);

        // A pubkey without a key.
        update = _exited(0, 0);
        update.pubkeys = pubkeyAt[0][0];
        _expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitPubkeysMismatch.selector, 0, 0, 48));
        _apply(update);
    }

    function test_RevertWhen_ALaterUpdateFailsNothingIsApplied() public {
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](2);
        updates[0] = _update(0, 2, _list(2));
        updates[1] = _exited(1, PER_OPERATOR + 1);
        _expectRevert(
            abi.encodeWithSelector(IOperatorRegistry.InvalidExitedKeys.selector, 1, PER_OPERATOR + 1, 0, PER_OPERATOR)
        );
        _applyAll(updates);
        _assertExitState(0, ExpectedState(0, 0, 0, 0, 0, 0, false), "operator 0 untouched");
    }

    function test_GetExitState_OfAnOperatorWithoutExitsIsEmpty() public {
        uint256 operatorId = _addOperatorWithKeys(2, 2);
        _assertExitState(operatorId, ExpectedState(0, 0, 0, 0, 0, 0, false), "fresh operator");
    }

    // =================================================================================================================
    // fuzz
    // =================================================================================================================

    /// @dev Eight frames of random exits (any active validator, asked or not) and requests (keys still active, at or
    /// above the next exit index, as an honest committee asks), at random times, for all three operators at once.
    function testFuzz_ApplyExitUpdates_KeepsTheExitBookkeepingConsistent(uint256 seed) public {
        uint256[OPERATORS] memory exited;
        for (uint256 round; round < 8; ++round) {
            uint256 random = uint256(keccak256(abi.encode(seed, round)));
            vm.warp(block.timestamp + (random % (2 * EXIT_RESPONSE_TIME)));
            IOperatorRegistry.ExitState[OPERATORS] memory before;
            IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](OPERATORS);
            uint256[OPERATORS] memory requested;
            bool countsChanged;
            bool[OPERATORS] memory penalizedBefore;
            for (uint256 id; id < OPERATORS; ++id) {
                before[id] = registry.getExitState(id);
                penalizedBefore[id] = before[id].penalized;
                uint256 operatorRandom = uint256(keccak256(abi.encode(random, id)));
                uint256 exits = _exitRandomKeys(id, operatorRandom % 3, operatorRandom >> 8);
                if (exits != 0) countsChanged = true;
                exited[id] += exits;
                uint256[] memory keys = _activeKeysFrom(id, before[id].nextExitIndex, (operatorRandom >> 16) % 4);
                requested[id] = keys.length;
                updates[id] = _update(id, exited[id], keys);
            }
            uint256 nonceBefore = registry.nonce();
            _applyAll(updates);

            bool penaltyChanged;
            for (uint256 id; id < OPERATORS; ++id) {
                IOperatorRegistry.ExitState memory state = registry.getExitState(id);
                _checkFuzzedState(id, before[id], state, exited[id], requested[id]);
                if (state.penalized != penalizedBefore[id]) penaltyChanged = true;
            }
            assertEq(
                registry.nonce(),
                nonceBefore + (countsChanged || penaltyChanged ? 1 : 0),
                "the nonce changes with a count or a penalty"
            );
            assertEq(
                registry.activeValidators(),
                OPERATORS * PER_OPERATOR - exited[0] - exited[1] - exited[2],
                "activeValidators"
            );
        }
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev An exit state as expected, in `IOperatorRegistry.ExitState`'s order.
    struct ExpectedState {
        uint256 exitedKeys;
        uint256 nextExitIndex;
        uint256 dueExited;
        uint256 dueBy;
        uint256 targetExited;
        uint256 targetBy;
        bool penalized;
    }

    function _checkFuzzedState(
        uint256 id,
        IOperatorRegistry.ExitState memory before,
        IOperatorRegistry.ExitState memory state,
        uint256 exited,
        uint256 requested
    ) private view {
        string memory name = string.concat("operator ", Strings.toString(id), ": ");
        assertEq(state.exitedKeys, exited, string.concat(name, "exited"));
        assertLe(state.exitedKeys, PER_OPERATOR, string.concat(name, "exited <= deposited"));
        assertLe(state.nextExitIndex, PER_OPERATOR, string.concat(name, "next exit index <= deposited"));
        // Honest requests (of active keys) never ask more than the operator runs.
        assertLe(state.targetExited, PER_OPERATOR, string.concat(name, "target <= deposited"));
        if (requested != 0) {
            uint256 owed = before.targetExited > exited ? before.targetExited : exited;
            assertEq(state.targetExited, owed + requested, string.concat(name, "requests count from what is owed"));
            assertEq(state.targetBy, block.timestamp + EXIT_RESPONSE_TIME, string.concat(name, "newest deadline"));
        } else {
            assertEq(state.targetExited, before.targetExited, string.concat(name, "target without requests"));
        }
        if (state.dueBy != 0) {
            assertLt(state.exitedKeys, state.dueExited, string.concat(name, "owed: exited < due"));
            assertLe(state.dueExited, state.targetExited, string.concat(name, "owed: due <= target"));
            assertLe(state.dueBy, state.targetBy, string.concat(name, "owed: due by <= target by"));
        } else {
            assertEq(state.dueExited, 0, string.concat(name, "nothing owed: due"));
            assertEq(state.targetBy, 0, string.concat(name, "nothing owed: target by"));
            assertLe(state.targetExited, state.exitedKeys, string.concat(name, "nothing owed: target met"));
        }
        if (before.dueBy != 0 && exited < before.dueExited) {
            // The oldest unmet cohort never moves.
            assertEq(state.dueExited, before.dueExited, string.concat(name, "unmet cohort's count"));
            assertEq(state.dueBy, before.dueBy, string.concat(name, "unmet cohort's deadline"));
        } else if (before.dueBy != 0 && exited < before.targetExited) {
            // Met: the newer requests move up with their own deadline.
            assertEq(state.dueExited, before.targetExited, string.concat(name, "moved-up cohort's count"));
            assertEq(state.dueBy, before.targetBy, string.concat(name, "moved-up cohort's deadline"));
        } else if (requested != 0) {
            assertEq(state.dueExited, state.targetExited, string.concat(name, "fresh cohort's count"));
            assertEq(state.dueBy, state.targetBy, string.concat(name, "fresh cohort's deadline"));
        }
        assertEq(
            state.penalized,
            state.dueBy != 0 && block.timestamp > state.dueBy,
            string.concat(name, "penalized exactly when past the deadline")
        );
    }

    /// @dev Exits `count` of the operator's active validators (fewer if it has fewer), from a random key on.
    function _exitRandomKeys(uint256 operatorId, uint256 count, uint256 random) private returns (uint256 exits) {
        uint256 start = random % PER_OPERATOR;
        for (uint256 k; k < PER_OPERATOR && exits < count; ++k) {
            uint256 keyIndex = (start + k) % PER_OPERATOR;
            if (keyExited[operatorId][keyIndex]) continue;
            keyExited[operatorId][keyIndex] = true;
            ++exits;
        }
    }

    /// @dev Up to `count` keys still active, from `from` on, in order: those an honest committee would ask.
    function _activeKeysFrom(uint256 operatorId, uint256 from, uint256 count) private view returns (uint256[] memory) {
        uint256[] memory buffer = new uint256[](count);
        uint256 length;
        for (uint256 keyIndex = from; keyIndex < PER_OPERATOR && length < count; ++keyIndex) {
            if (!keyExited[operatorId][keyIndex]) buffer[length++] = keyIndex;
        }
        uint256[] memory keys = new uint256[](length);
        for (uint256 i; i < length; ++i) keys[i] = buffer[i];
        return keys;
    }

    /// @dev Asks the operator to exit one more key and lets its deadline pass: the next check penalizes it.
    function _penalize(uint256 operatorId) private {
        IOperatorRegistry.ExitState memory state = registry.getExitState(operatorId);
        _apply(_request(operatorId, state.nextExitIndex, 1));
        vm.warp(block.timestamp + EXIT_RESPONSE_TIME + 1);
        _apply(_exited(operatorId, state.exitedKeys));
        assertTrue(registry.getExitState(operatorId).penalized, "penalized");
    }

    /// @dev The next frame's report, with REWARDS more on the beacon side: the pool mints the operators' fees.
    function _reportWithRewards() private {
        beaconBalance += REWARDS;
        _reportNextFrame(beaconBalance);
    }

    function _apply(IOperatorRegistry.ExitUpdate memory update) private {
        _applyAll(_one(update));
    }

    function _applyAll(IOperatorRegistry.ExitUpdate[] memory updates) private {
        vm.prank(address(oracle));
        registry.applyExitUpdates(updates);
    }

    /// @dev The next call, the oracle's, reverts with `revertData`.
    function _expectRevert(bytes memory revertData) private {
        vm.expectRevert(revertData);
    }

    /// @dev The operator's exited count set to `exitedKeys`, and its keys `keyIndices` asked to exit.
    function _update(
        uint256 operatorId,
        uint256 exitedKeys,
        uint256[] memory keyIndices
    ) private view returns (IOperatorRegistry.ExitUpdate memory update) {
        update.operatorId = operatorId;
        update.exitedKeys = exitedKeys;
        update.keyIndices = keyIndices;
        for (uint256 i; i < keyIndices.length; ++i) {
            update.pubkeys = bytes.concat(update.pubkeys, pubkeyAt[operatorId][keyIndices[i]]);
        }
    }

    function _exited(
        uint256 operatorId,
        uint256 exitedKeys
    ) private view returns (IOperatorRegistry.ExitUpdate memory) {
        return _update(operatorId, exitedKeys, new uint256[](0));
    }

    /// @dev Keys `first` to `first + count - 1` asked to exit, the exited count as it is.
    function _request(
        uint256 operatorId,
        uint256 first,
        uint256 count
    ) private view returns (IOperatorRegistry.ExitUpdate memory) {
        uint256[] memory keyIndices = new uint256[](count);
        for (uint256 i; i < count; ++i) keyIndices[i] = first + i;
        return _update(operatorId, registry.getOperator(operatorId).exitedKeys, keyIndices);
    }

    function _one(
        IOperatorRegistry.ExitUpdate memory update
    ) private pure returns (IOperatorRegistry.ExitUpdate[] memory updates) {
        updates = new IOperatorRegistry.ExitUpdate[](1);
        updates[0] = update;
    }

    function _assertExitState(uint256 operatorId, ExpectedState memory expected, string memory label) private view {
        IOperatorRegistry.ExitState memory state = registry.getExitState(operatorId);
        assertEq(state.exitedKeys, expected.exitedKeys, string.concat(label, ": exitedKeys"));
        assertEq(state.nextExitIndex, expected.nextExitIndex, string.concat(label, ": nextExitIndex"));
        assertEq(state.dueExited, expected.dueExited, string.concat(label, ": dueExited"));
        assertEq(state.dueBy, expected.dueBy, string.concat(label, ": dueBy"));
        assertEq(state.targetExited, expected.targetExited, string.concat(label, ": targetExited"));
        assertEq(state.targetBy, expected.targetBy, string.concat(label, ": targetBy"));
        assertEq(state.penalized, expected.penalized, string.concat(label, ": penalized"));
        assertEq(registry.getOperator(operatorId).exitedKeys, expected.exitedKeys, string.concat(label, ": operator"));
    }

    /// @dev The plETH `FeesForfeited` says operator `operatorId` forfeited in `logs` (zero if none).
    function _forfeitedIn(Vm.Log[] memory logs, uint256 operatorId) private view returns (uint256 shares) {
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(registry) &&
                logs[i].topics[0] == IOperatorRegistry.FeesForfeited.selector &&
                uint256(logs[i].topics[1]) == operatorId
            ) shares += abi.decode(logs[i].data, (uint256));
        }
    }

    /// @dev `logs` hold exactly one burn, of `shares` of the registry's plETH.
    function _assertBurnedByTheRegistry(Vm.Log[] memory logs, uint256 shares) private view {
        uint256 burns;
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(pool) &&
                logs[i].topics[0] == IERC20.Transfer.selector &&
                logs[i].topics[2] == bytes32(0)
            ) {
                ++burns;
                assertEq(address(uint160(uint256(logs[i].topics[1]))), address(registry), "burned from the registry");
                assertEq(abi.decode(logs[i].data, (uint256)), shares, "burned shares");
            }
        }
        assertEq(burns, 1, "burns");
    }

    function _expectUnauthorized(address account, bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }

    function _expectRegistryEvent() private {
        vm.expectEmit(true, true, true, true, address(registry));
    }

    function _initializeData(address oracle_, uint256 responseTime) private view returns (bytes memory) {
        return
            abi.encodeCall(
                OperatorRegistry.initialize,
                (admin, address(pool), address(guard), oracle_, SHARE_CAP_BPS, responseTime, operations, VETTING_LIMIT)
            );
    }

    function _expectInitializeRevert(address oracle_, uint256 responseTime, bytes memory revertData) private {
        OperatorRegistry registryImplementation = new OperatorRegistry();
        bytes memory data = _initializeData(oracle_, responseTime);
        vm.expectRevert(revertData);
        new ERC1967Proxy(address(registryImplementation), data);
    }

    function _invalidResponseTime(uint256 responseTime) private pure returns (bytes memory) {
        return
            abi.encodeWithSelector(IOperatorRegistry.InvalidExitResponseTime.selector, responseTime, 1 hours, 30 days);
    }

    function _invalidKeyIndex(
        uint256 operatorId,
        uint256 keyIndex,
        uint256 nextExitIndex
    ) private pure returns (bytes memory) {
        return
            abi.encodeWithSelector(
                IOperatorRegistry.InvalidExitKeyIndex.selector,
                operatorId,
                keyIndex,
                nextExitIndex,
                PER_OPERATOR
            );
    }

    function _truncated(bytes memory data, uint256 length) private pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i; i < length; ++i) out[i] = data[i];
    }

    function _list(uint256 a) private pure returns (uint256[] memory list) {
        list = new uint256[](1);
        list[0] = a;
    }

    function _list(uint256 a, uint256 b) private pure returns (uint256[] memory list) {
        list = new uint256[](2);
        (list[0], list[1]) = (a, b);
    }
}
