// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {EmergencyPause} from "../contracts/EmergencyPause.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IEmergencyPause} from "../contracts/interfaces/IEmergencyPause.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {QueueFixture} from "./utils/QueueFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Unit and fuzz tests of EmergencyPause, deployed by PluralDeployer with the rest of the protocol and holding
/// the pausing roles of the real pool, withdrawal queue and deposit guard: every pause is checked where it bites.
contract EmergencyPauseTest is QueueFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant DEPOSITS = 1;
    uint256 private constant WITHDRAWALS = 2;
    uint256 private constant STAKING = 4;
    uint256 private constant EVERYTHING = 7;
    /// @dev The contract's hard limit (the fixture deploys with MAX_PAUSE_DURATION, 7 days, below it).
    uint256 private constant HARD_LIMIT = 14 days;
    // keccak256(abi.encode(uint256(keccak256("plural.storage.EmergencyPause")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x0a93d80e5d07f9abfecd18e59820ded39f929a10de9b2106d880c4504a7f1200;

    address private alice;
    address private stranger;
    EmergencyPause private pauseImplementation;

    function setUp() public {
        _deployPool();
        alice = makeAddr("alice");
        stranger = makeAddr("stranger");
        pauseImplementation = EmergencyPause(
            address(uint160(uint256(vm.load(address(emergencyPause), ERC1967Utils.IMPLEMENTATION_SLOT))))
        );
    }

    // =================================================================================================================
    // constructor and initialize
    // =================================================================================================================

    function test_Initialize_SetsRolesGuardianAndBound() public view {
        assertEq(emergencyPause.DEPOSITS(), DEPOSITS, "DEPOSITS");
        assertEq(emergencyPause.WITHDRAWALS(), WITHDRAWALS, "WITHDRAWALS");
        assertEq(emergencyPause.STAKING(), STAKING, "STAKING");
        assertEq(emergencyPause.MAX_PAUSE_DURATION(), HARD_LIMIT, "MAX_PAUSE_DURATION");
        assertTrue(emergencyPause.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertEq(emergencyPause.getRoleAdmin(DEFAULT_ADMIN_ROLE), DEFAULT_ADMIN_ROLE, "admin of DEFAULT_ADMIN_ROLE");
        assertFalse(emergencyPause.hasRole(DEFAULT_ADMIN_ROLE, pauseGuardian), "the guardian is no admin");
        assertFalse(emergencyPause.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "the deployer is no admin");

        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.guardian, pauseGuardian, "guardian");
        assertTrue(state.pauseAvailable, "pauseAvailable");
        assertEq(state.maxPauseDuration, MAX_PAUSE_DURATION, "maxPauseDuration");
        assertEq(state.depositsPausedUntil, 0, "depositsPausedUntil");
        assertEq(state.withdrawalsPausedUntil, 0, "withdrawalsPausedUntil");
        assertEq(state.stakingPausedUntil, 0, "stakingPausedUntil");
    }

    function test_Initialize_StoresItsStateAtTheErc7201Slot() public view {
        bytes32 location =
            keccak256(abi.encode(uint256(keccak256("plural.storage.EmergencyPause")) - 1)) & ~bytes32(uint256(0xff));
        assertEq(location, STORAGE_LOCATION, "namespace");
        // Slot 0: guardian (bits 0-159), maxPauseDuration (160-191), pauseAvailable (192-199); then the three targets.
        uint256 word = uint256(vm.load(address(emergencyPause), location));
        assertEq(address(uint160(word)), pauseGuardian, "slot 0: guardian");
        assertEq((word >> 160) & type(uint32).max, MAX_PAUSE_DURATION, "slot 0: maxPauseDuration");
        assertEq(word >> 192, 1, "slot 0: pauseAvailable");
        assertEq(_slotAddress(location, 1), address(pool), "slot 1: pool");
        assertEq(_slotAddress(location, 2), address(queue), "slot 2: queue");
        assertEq(_slotAddress(location, 3), address(guard), "slot 3: guard");
    }

    function test_Initialize_EmitsRoleBoundAndGrant() public {
        bytes memory data = _initializeData(admin, pauseGuardian, 2 days);
        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, admin, address(this));
        vm.expectEmit();
        emit IEmergencyPause.MaxPauseDurationSet(2 days);
        vm.expectEmit();
        emit IEmergencyPause.PauseGranted(pauseGuardian);
        vm.expectEmit();
        emit Initializable.Initialized(1);
        EmergencyPause other = EmergencyPause(address(new ERC1967Proxy(address(pauseImplementation), data)));

        IEmergencyPause.PauseState memory state = other.getPauseState();
        assertEq(state.guardian, pauseGuardian, "guardian");
        assertTrue(state.pauseAvailable, "pauseAvailable");
        assertEq(state.maxPauseDuration, 2 days, "maxPauseDuration");
    }

    function test_Initialize_WithoutAGuardianGrantsNoPause() public {
        vm.recordLogs();
        EmergencyPause other = _newPause(admin, address(0), 1 days);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IEmergencyPause.PauseGranted.selector, "no PauseGranted");
        }

        IEmergencyPause.PauseState memory state = other.getPauseState();
        assertEq(state.guardian, address(0), "guardian");
        assertFalse(state.pauseAvailable, "pauseAvailable");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPauseGuardian.selector, stranger, address(0)));
        other.pause(DEPOSITS, 1 hours);
    }

    function test_Initialize_AcceptsTheBoundsOfTheLongestPause() public {
        assertEq(_newPause(admin, pauseGuardian, 1).getPauseState().maxPauseDuration, 1, "one second");
        assertEq(_newPause(admin, pauseGuardian, HARD_LIMIT).getPauseState().maxPauseDuration, HARD_LIMIT, "14 days");
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        _expectInitializeRevert(
            abi.encodeCall(EmergencyPause.initialize, (address(0), pool, queue, guard, pauseGuardian, 1 days)),
            abi.encodeWithSelector(IEmergencyPause.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializePoolIsZero() public {
        _expectInitializeRevert(
            abi.encodeCall(
                EmergencyPause.initialize,
                (admin, IStakingPool(address(0)), queue, guard, pauseGuardian, 1 days)
            ),
            abi.encodeWithSelector(IEmergencyPause.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeQueueIsZero() public {
        _expectInitializeRevert(
            abi.encodeCall(
                EmergencyPause.initialize,
                (admin, pool, IWithdrawalQueue(address(0)), guard, pauseGuardian, 1 days)
            ),
            abi.encodeWithSelector(IEmergencyPause.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeGuardIsZero() public {
        _expectInitializeRevert(
            abi.encodeCall(
                EmergencyPause.initialize,
                (admin, pool, queue, IDepositGuard(address(0)), pauseGuardian, 1 days)
            ),
            abi.encodeWithSelector(IEmergencyPause.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeMaxPauseDurationIsZero() public {
        _expectInitializeRevert(
            _initializeData(admin, pauseGuardian, 0),
            abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 0, HARD_LIMIT)
        );
    }

    function test_RevertWhen_InitializeMaxPauseDurationExceedsTheHardLimit() public {
        _expectInitializeRevert(
            _initializeData(admin, pauseGuardian, HARD_LIMIT + 1),
            abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, HARD_LIMIT + 1, HARD_LIMIT)
        );
    }

    function test_RevertWhen_InitializeIsCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        emergencyPause.initialize(stranger, pool, queue, guard, stranger, 1 days);
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        // The implementation is locked by its constructor: nobody can take it over.
        vm.prank(stranger);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pauseImplementation.initialize(stranger, pool, queue, guard, stranger, 1 days);
        assertFalse(pauseImplementation.hasRole(DEFAULT_ADMIN_ROLE, stranger), "no admin on the implementation");
    }

    // =================================================================================================================
    // pause: what it pauses
    // =================================================================================================================

    function test_Pause_DepositsAndEmits() public {
        uint256 until = block.timestamp + 1 days;
        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Paused(pauseGuardian, DEPOSITS, until);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsPaused(until);
        _guardianPause(DEPOSITS, 1 days);

        _assertEnds(until, 0, 0);
        assertFalse(emergencyPause.getPauseState().pauseAvailable, "the grant is spent");
    }

    function test_Pause_WithdrawalsAndEmits() public {
        uint256 until = block.timestamp + 2 days;
        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Paused(pauseGuardian, WITHDRAWALS, until);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsPaused(until);
        _guardianPause(WITHDRAWALS, 2 days);

        _assertEnds(0, until, 0);
    }

    function test_Pause_StakingAndEmits() public {
        uint256 until = block.timestamp + 3 days;
        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Paused(pauseGuardian, STAKING, until);
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(address(emergencyPause), until);
        _guardianPause(STAKING, 3 days);

        _assertEnds(0, 0, until);
        // It is not one of the guard's guardians' pauses: theirs stay unused.
        for (uint256 i; i < guardianAddresses.length; ++i) {
            assertFalse(guard.pauseUsed(guardianAddresses[i]), "a guard guardian's pause");
        }
    }

    function test_Pause_EverythingAndEmits() public {
        uint256 until = block.timestamp + MAX_PAUSE_DURATION;
        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Paused(pauseGuardian, EVERYTHING, until);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsPaused(until);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsPaused(until);
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(address(emergencyPause), until);
        _guardianPause(EVERYTHING, MAX_PAUSE_DURATION);

        _assertEnds(until, until, until);
    }

    function test_Pause_TwoTargets() public {
        uint256 until = block.timestamp + 1 hours;
        _guardianPause(DEPOSITS | STAKING, 1 hours);
        _assertEnds(until, 0, until);
    }

    function testFuzz_Pause_PausesExactlyTheTargets(uint256 targets, uint256 duration) public {
        targets = bound(targets, 1, EVERYTHING);
        duration = bound(duration, 1, MAX_PAUSE_DURATION);
        uint256 until = block.timestamp + duration;
        _guardianPause(targets, duration);

        _assertEnds(
            targets & DEPOSITS != 0 ? until : 0,
            targets & WITHDRAWALS != 0 ? until : 0,
            targets & STAKING != 0 ? until : 0
        );
        assertLe(until, block.timestamp + HARD_LIMIT, "never past now + MAX_PAUSE_DURATION");
    }

    function test_Pause_AcceptsOneSecondAndTheLongestPause() public {
        _guardianPause(DEPOSITS, 1);
        assertEq(pool.depositsPausedUntil(), block.timestamp + 1, "one second");

        _grant(pauseGuardian);
        _guardianPause(WITHDRAWALS, MAX_PAUSE_DURATION);
        assertEq(queue.withdrawalsPausedUntil(), block.timestamp + MAX_PAUSE_DURATION, "maxPauseDuration");
    }

    // =================================================================================================================
    // pause: who, how long, how often
    // =================================================================================================================

    function test_RevertWhen_PauseCallerIsNotTheGuardian() public {
        address[4] memory callers = [admin, stranger, address(pool), guardianAddresses[0]];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IEmergencyPause.NotPauseGuardian.selector, callers[i], pauseGuardian)
            );
            emergencyPause.pause(DEPOSITS, 1 hours);
        }
        _assertEnds(0, 0, 0);
        assertTrue(emergencyPause.getPauseState().pauseAvailable, "the grant is intact");
    }

    function test_RevertWhen_PauseIsUsedTwice() public {
        _guardianPause(DEPOSITS, 1 hours);

        // Not for another target, not after the pause ended, not after governance resumed early.
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(WITHDRAWALS, 1 hours);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(DEPOSITS, 1 hours);

        _grant(pauseGuardian);
        _guardianPause(DEPOSITS, 1 hours);
        vm.prank(admin);
        emergencyPause.resume(DEPOSITS);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(DEPOSITS, 1 hours);
        _assertEnds(0, 0, 0);
    }

    function test_RevertWhen_PauseDurationIsZero() public {
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 0, MAX_PAUSE_DURATION));
        emergencyPause.pause(DEPOSITS, 0);
    }

    function test_RevertWhen_PauseDurationExceedsTheMax() public {
        vm.prank(pauseGuardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEmergencyPause.InvalidPauseDuration.selector,
                MAX_PAUSE_DURATION + 1,
                MAX_PAUSE_DURATION
            )
        );
        emergencyPause.pause(DEPOSITS, MAX_PAUSE_DURATION + 1);
        assertTrue(emergencyPause.getPauseState().pauseAvailable, "a refused pause spends nothing");
    }

    function testFuzz_RevertWhen_PauseDurationExceedsTheMax(uint256 maxDuration, uint256 duration) public {
        maxDuration = bound(maxDuration, 1, HARD_LIMIT);
        duration = bound(duration, maxDuration + 1, type(uint256).max);
        vm.prank(admin);
        emergencyPause.setMaxPauseDuration(maxDuration);

        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, duration, maxDuration));
        emergencyPause.pause(EVERYTHING, duration);
        _assertEnds(0, 0, 0);
    }

    function test_RevertWhen_PauseTargetsAreZero() public {
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseTargets.selector, 0));
        emergencyPause.pause(0, 1 hours);
    }

    function test_RevertWhen_PauseTargetsHaveAnUnknownBit() public {
        uint256[3] memory invalid = [uint256(8), EVERYTHING | 16, 1 << 255];
        for (uint256 i; i < invalid.length; ++i) {
            vm.prank(pauseGuardian);
            vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseTargets.selector, invalid[i]));
            emergencyPause.pause(invalid[i], 1 hours);
        }
        assertTrue(emergencyPause.getPauseState().pauseAvailable, "the grant is intact");
    }

    function testFuzz_RevertWhen_PauseTargetsAreInvalid(uint256 targets) public {
        vm.assume(targets == 0 || targets > EVERYTHING);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseTargets.selector, targets));
        emergencyPause.pause(targets, 1 hours);
    }

    // =================================================================================================================
    // pause: a target already paused longer keeps its end
    // =================================================================================================================

    function test_Pause_ATargetPausedLongerKeepsItsEnd() public {
        uint256 firstEnd = block.timestamp + MAX_PAUSE_DURATION;
        _guardianPause(DEPOSITS, MAX_PAUSE_DURATION);
        _grant(pauseGuardian);
        vm.warp(block.timestamp + 1 days);

        uint256 secondEnd = block.timestamp + 1 days;
        vm.recordLogs();
        _guardianPause(DEPOSITS | WITHDRAWALS, 1 days);

        _assertEnds(firstEnd, secondEnd, 0);
        // The pool was not called at all; the event tells the guardian's own end.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 2, "Paused and WithdrawalsPaused only");
        assertEq(logs[0].emitter, address(emergencyPause), "Paused");
        assertEq(logs[0].topics[0], IEmergencyPause.Paused.selector, "Paused selector");
        (uint256 targets, uint256 until) = abi.decode(logs[0].data, (uint256, uint256));
        assertEq(targets, DEPOSITS | WITHDRAWALS, "Paused targets");
        assertEq(until, secondEnd, "Paused until: the guardian's own end");
        assertEq(logs[1].emitter, address(queue), "WithdrawalsPaused");
    }

    function test_Pause_LengthensAShorterPause() public {
        _guardianPause(EVERYTHING, 1 days);
        _grant(pauseGuardian);
        vm.warp(block.timestamp + 12 hours);

        uint256 until = block.timestamp + 2 days;
        _guardianPause(WITHDRAWALS, 2 days);
        _assertEnds(block.timestamp + 12 hours, until, block.timestamp + 12 hours);
    }

    function test_Pause_KeepsALongerStakingPauseOfAGuardGuardian() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        uint256 guardianEnd = block.timestamp + PAUSE_DURATION;

        _guardianPause(STAKING, 1 hours);
        assertEq(guard.stakingPausedUntil(), guardianEnd, "the guard guardian's end stands");
    }

    function testFuzz_Pause_EndsAtTheLaterOfTwoPauses(
        uint256 firstDuration,
        uint256 gap,
        uint256 secondDuration,
        uint256 targets
    ) public {
        firstDuration = bound(firstDuration, 1, MAX_PAUSE_DURATION);
        gap = bound(gap, 0, 2 * MAX_PAUSE_DURATION);
        secondDuration = bound(secondDuration, 1, MAX_PAUSE_DURATION);
        targets = bound(targets, 1, EVERYTHING);
        uint256 firstEnd = block.timestamp + firstDuration;
        _guardianPause(EVERYTHING, firstDuration);
        _grant(pauseGuardian);
        vm.warp(block.timestamp + gap);

        uint256 secondEnd = block.timestamp + secondDuration;
        _guardianPause(targets, secondDuration);
        uint256 later = firstEnd > secondEnd ? firstEnd : secondEnd;
        _assertEnds(
            targets & DEPOSITS != 0 ? later : firstEnd,
            targets & WITHDRAWALS != 0 ? later : firstEnd,
            targets & STAKING != 0 ? later : firstEnd
        );
    }

    // =================================================================================================================
    // pause: the effects, and the end by itself
    // =================================================================================================================

    function test_Pause_DepositsRevertDepositsArePaused() public {
        uint256 until = block.timestamp + 1 days;
        _guardianPause(DEPOSITS, 1 days);
        vm.deal(alice, 2 ether);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        (bool revertedAsExpected, ) = address(pool).call{value: 1 ether}("");
        assertTrue(revertedAsExpected, "receive reverted");
        assertEq(pool.balanceOf(alice), 0, "no plETH minted");
    }

    function test_Pause_WithdrawalsRevertRequestsAndClaims() public {
        _stakeAndReport();
        _deposit(alice, 10 ether);
        uint256 id = _request(alice, 4 ether);
        _reportQueue(0, false);
        uint256 hint = _hint(id);
        uint256 until = block.timestamp + 1 days;
        _guardianPause(WITHDRAWALS, 1 days);

        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1 ether;
        vm.startPrank(alice);
        pool.approve(address(queue), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.requestWithdrawals(amounts, address(0));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(id, hint, alice);
        vm.stopPrank();

        // Deposits go on: only withdrawals were paused.
        _deposit(alice, 1 ether);
        vm.warp(until);
        assertEq(_claim(alice, id, alice), 4 ether, "claimed once the pause ended");
    }

    function test_Pause_StakingRevertsValidatorDeposits() public {
        _addOperatorWithKeys(2, 2);
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        uint256 until = block.timestamp + 1 days;
        _guardianPause(STAKING, 1 days);

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, until));
        pool.depositValidators(segments, attestation);
        // User deposits go on: only staking was paused.
        _fundBuffer(1 ether);
    }

    function test_Pause_ExpiresByItselfExactlyAtUntil() public {
        _stakeAndReport();
        _deposit(alice, 40 ether);
        uint256 id = _request(alice, 4 ether);
        _reportQueue(0, false);
        uint256 until = block.timestamp + 1 days;
        _guardianPause(EVERYTHING, 1 days);

        vm.warp(until - 1);
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
        uint256 hint = _hint(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(id, hint, alice);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, until));
        pool.depositValidators(segments, attestation);

        // Nobody acts at `until`: the pauses are simply over.
        vm.warp(until);
        _deposit(alice, 1 ether);
        assertEq(_claim(alice, id, alice), 4 ether, "claimed");
        _request(alice, 1 ether);
        pool.depositValidators(segments, attestation);
        assertEq(_accounting().depositedValidators, FIXTURE_VALIDATORS + 1, "staked");
        _assertEnds(until, until, until);
    }

    function testFuzz_Pause_ExpiresExactlyAtUntil(uint256 duration) public {
        duration = bound(duration, 1, MAX_PAUSE_DURATION);
        uint256 until = block.timestamp + duration;
        _guardianPause(DEPOSITS, duration);
        vm.deal(alice, 2 ether);

        vm.warp(until - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
        vm.warp(until);
        vm.prank(alice);
        pool.deposit{value: 1 ether}(address(0));
        assertEq(pool.balanceOf(alice), 1 ether, "deposited at until");
    }

    // =================================================================================================================
    // resume
    // =================================================================================================================

    function test_Resume_EndsEveryPausedTargetAndEmits() public {
        _guardianPause(EVERYTHING, 1 days);

        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Resumed(EVERYTHING);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsResumed();
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsResumed();
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingResumed();
        vm.prank(admin);
        emergencyPause.resume(EVERYTHING);

        _assertEnds(0, 0, 0);
        assertFalse(emergencyPause.getPauseState().pauseAvailable, "resuming grants no new pause");
        _fundBuffer(1 ether);
    }

    function test_Resume_OnlyTheTargetsAsked() public {
        uint256 until = block.timestamp + 1 days;
        _guardianPause(EVERYTHING, 1 days);

        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Resumed(WITHDRAWALS);
        vm.prank(admin);
        emergencyPause.resume(WITHDRAWALS);
        _assertEnds(until, 0, until);
    }

    function test_Resume_OnlyTheTargetsPaused() public {
        _guardianPause(DEPOSITS, 1 days);

        // Asked for everything, it resumes what is paused and says so; the others are not called.
        vm.recordLogs();
        vm.prank(admin);
        emergencyPause.resume(EVERYTHING);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 2, "Resumed and DepositsResumed only");
        assertEq(logs[0].topics[0], IEmergencyPause.Resumed.selector, "Resumed");
        assertEq(abi.decode(logs[0].data, (uint256)), DEPOSITS, "Resumed targets");
        assertEq(logs[1].emitter, address(pool), "DepositsResumed");
        assertEq(pool.depositsPausedUntil(), 0, "deposits resumed");
    }

    function test_Resume_SkipsAPauseThatEnded() public {
        _guardianPause(DEPOSITS, 1 days);
        _grant(pauseGuardian);
        uint256 withdrawalsEnd = block.timestamp + 3 days;
        _guardianPause(WITHDRAWALS, 3 days);
        vm.warp(block.timestamp + 2 days);

        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.Resumed(WITHDRAWALS);
        vm.prank(admin);
        emergencyPause.resume(DEPOSITS | WITHDRAWALS);
        assertEq(queue.withdrawalsPausedUntil(), 0, "withdrawals resumed");
        assertLt(pool.depositsPausedUntil(), block.timestamp, "deposits' pause had ended");
        assertGt(withdrawalsEnd, block.timestamp, "withdrawals were still paused");
    }

    function test_Resume_EndsAStakingPauseOfAGuardGuardian() public {
        // Governance ends any pause of its targets early, whoever made it.
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.prank(admin);
        emergencyPause.resume(STAKING);
        assertEq(guard.stakingPausedUntil(), 0, "stakingPausedUntil");
    }

    function test_RevertWhen_ResumeFindsNothingPaused() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPaused.selector, EVERYTHING));
        emergencyPause.resume(EVERYTHING);

        // Nor among the targets asked, nor once a pause has ended by itself.
        _guardianPause(DEPOSITS, 1 hours);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPaused.selector, WITHDRAWALS | STAKING));
        emergencyPause.resume(WITHDRAWALS | STAKING);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPaused.selector, DEPOSITS));
        emergencyPause.resume(DEPOSITS);
    }

    function test_RevertWhen_ResumeTargetsAreInvalid() public {
        _guardianPause(EVERYTHING, 1 hours);
        uint256[3] memory invalid = [uint256(0), 8, EVERYTHING | 32];
        for (uint256 i; i < invalid.length; ++i) {
            vm.prank(admin);
            vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseTargets.selector, invalid[i]));
            emergencyPause.resume(invalid[i]);
        }
    }

    function test_RevertWhen_ResumeCallerIsNotAdmin() public {
        uint256 until = block.timestamp + 1 hours;
        _guardianPause(EVERYTHING, 1 hours);
        address[3] memory callers = [pauseGuardian, stranger, operations];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectUnauthorized(callers[i], DEFAULT_ADMIN_ROLE);
            emergencyPause.resume(EVERYTHING);
        }
        _assertEnds(until, until, until);
    }

    // =================================================================================================================
    // grantPause
    // =================================================================================================================

    function test_GrantPause_ReArmsTheGuardianAndEmits() public {
        _guardianPause(DEPOSITS, 1 hours);

        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.PauseGranted(pauseGuardian);
        vm.prank(admin);
        emergencyPause.grantPause(pauseGuardian);

        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.guardian, pauseGuardian, "guardian");
        assertTrue(state.pauseAvailable, "pauseAvailable");
        _guardianPause(WITHDRAWALS, 1 hours);
        assertEq(queue.withdrawalsPausedUntil(), block.timestamp + 1 hours, "paused again");
    }

    function test_GrantPause_ReplacesTheGuardian() public {
        address newGuardian = makeAddr("new pause guardian");
        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IEmergencyPause.PauseGranted(newGuardian);
        vm.prank(admin);
        emergencyPause.grantPause(newGuardian);

        // The old guardian's unused grant went with it: one pause in all, the new guardian's.
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPauseGuardian.selector, pauseGuardian, newGuardian));
        emergencyPause.pause(DEPOSITS, 1 hours);
        vm.prank(newGuardian);
        emergencyPause.pause(DEPOSITS, 1 hours);
        vm.prank(newGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, newGuardian));
        emergencyPause.pause(DEPOSITS, 1 hours);
        assertEq(emergencyPause.getPauseState().guardian, newGuardian, "guardian");
    }

    function test_GrantPause_LeavesARunningPauseAlone() public {
        uint256 until = block.timestamp + 1 days;
        _guardianPause(EVERYTHING, 1 days);
        _grant(makeAddr("new pause guardian"));
        _assertEnds(until, until, until);
    }

    function test_RevertWhen_GrantPauseGuardianIsZero() public {
        vm.prank(admin);
        vm.expectRevert(IEmergencyPause.ZeroAddress.selector);
        emergencyPause.grantPause(address(0));
    }

    function test_RevertWhen_GrantPauseCallerIsNotAdmin() public {
        _guardianPause(DEPOSITS, 1 hours);
        // The guardian cannot re-arm itself, nor anyone else arm anybody.
        address[3] memory callers = [pauseGuardian, stranger, operations];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectUnauthorized(callers[i], DEFAULT_ADMIN_ROLE);
            emergencyPause.grantPause(callers[i]);
        }
        assertFalse(emergencyPause.getPauseState().pauseAvailable, "still spent");
    }

    // =================================================================================================================
    // setMaxPauseDuration
    // =================================================================================================================

    function test_SetMaxPauseDuration_SetsAndEmits() public {
        uint256[3] memory durations = [uint256(1), 2 days, HARD_LIMIT];
        for (uint256 i; i < durations.length; ++i) {
            vm.expectEmit(true, true, true, true, address(emergencyPause));
            emit IEmergencyPause.MaxPauseDurationSet(durations[i]);
            vm.prank(admin);
            emergencyPause.setMaxPauseDuration(durations[i]);
            assertEq(emergencyPause.getPauseState().maxPauseDuration, durations[i], "maxPauseDuration");
        }
        _guardianPause(EVERYTHING, HARD_LIMIT);
        _assertEnds(block.timestamp + HARD_LIMIT, block.timestamp + HARD_LIMIT, block.timestamp + HARD_LIMIT);
    }

    function test_SetMaxPauseDuration_BoundsTheNextPause() public {
        vm.prank(admin);
        emergencyPause.setMaxPauseDuration(1 hours);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 1 hours + 1, 1 hours));
        emergencyPause.pause(DEPOSITS, 1 hours + 1);
        _guardianPause(DEPOSITS, 1 hours);
    }

    function test_SetMaxPauseDuration_LeavesARunningPauseAlone() public {
        uint256 until = block.timestamp + MAX_PAUSE_DURATION;
        _guardianPause(EVERYTHING, MAX_PAUSE_DURATION);
        vm.prank(admin);
        emergencyPause.setMaxPauseDuration(1 hours);
        _assertEnds(until, until, until);
    }

    function test_RevertWhen_SetMaxPauseDurationIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 0, HARD_LIMIT));
        emergencyPause.setMaxPauseDuration(0);
    }

    function test_RevertWhen_SetMaxPauseDurationExceedsTheHardLimit() public {
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, HARD_LIMIT + 1, HARD_LIMIT)
        );
        emergencyPause.setMaxPauseDuration(HARD_LIMIT + 1);
    }

    function testFuzz_SetMaxPauseDuration_AcceptsExactlyOneSecondToTheHardLimit(uint256 maxDuration) public {
        bool valid = maxDuration != 0 && maxDuration <= HARD_LIMIT;
        if (!valid) {
            vm.expectRevert(
                abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, maxDuration, HARD_LIMIT)
            );
        }
        vm.prank(admin);
        emergencyPause.setMaxPauseDuration(maxDuration);
        assertEq(
            emergencyPause.getPauseState().maxPauseDuration,
            valid ? maxDuration : MAX_PAUSE_DURATION,
            "maxPauseDuration"
        );
    }

    function test_RevertWhen_SetMaxPauseDurationCallerIsNotAdmin() public {
        vm.prank(pauseGuardian);
        _expectUnauthorized(pauseGuardian, DEFAULT_ADMIN_ROLE);
        emergencyPause.setMaxPauseDuration(HARD_LIMIT);
    }

    // =================================================================================================================
    // getPauseState
    // =================================================================================================================

    function test_GetPauseState_ReadsEachTargetWhoeverPausedIt() public {
        // Each contract's own end, not a copy: pauses made around the emergency pause show too.
        vm.prank(guardianAddresses[1]);
        guard.pauseStaking();
        vm.prank(address(emergencyPause));
        queue.pauseWithdrawals(block.timestamp + 5 hours);
        _guardianPause(DEPOSITS, 2 hours);

        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.depositsPausedUntil, block.timestamp + 2 hours, "depositsPausedUntil");
        assertEq(state.withdrawalsPausedUntil, block.timestamp + 5 hours, "withdrawalsPausedUntil");
        assertEq(state.stakingPausedUntil, block.timestamp + PAUSE_DURATION, "stakingPausedUntil");
        assertEq(state.guardian, pauseGuardian, "guardian");
        assertFalse(state.pauseAvailable, "pauseAvailable");
        assertEq(state.maxPauseDuration, MAX_PAUSE_DURATION, "maxPauseDuration");
    }

    // =================================================================================================================
    // upgradeToAndCall
    // =================================================================================================================

    function test_UpgradeToAndCall_ByTheAdminKeepsTheState() public {
        vm.prank(admin);
        emergencyPause.setMaxPauseDuration(3 days);
        uint256 until = block.timestamp + 3 days;
        _guardianPause(DEPOSITS | STAKING, 3 days);
        EmergencyPause next = new EmergencyPause();

        vm.expectEmit(true, true, true, true, address(emergencyPause));
        emit IERC1967.Upgraded(address(next));
        vm.prank(admin);
        emergencyPause.upgradeToAndCall(address(next), "");

        assertEq(
            vm.load(address(emergencyPause), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(next)))),
            "implementation slot"
        );
        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.guardian, pauseGuardian, "guardian");
        assertFalse(state.pauseAvailable, "pauseAvailable");
        assertEq(state.maxPauseDuration, 3 days, "maxPauseDuration");
        _assertEnds(until, 0, until);
        assertTrue(emergencyPause.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin keeps DEFAULT_ADMIN_ROLE");

        // And it still works: governance resumes and grants, the guardian pauses.
        vm.prank(admin);
        emergencyPause.resume(EVERYTHING);
        _grant(pauseGuardian);
        _guardianPause(WITHDRAWALS, 1 hours);
        _assertEnds(0, block.timestamp + 1 hours, 0);
    }

    function test_RevertWhen_UpgradeCallerIsNotAdmin() public {
        EmergencyPause next = new EmergencyPause();
        address[4] memory callers = [pauseGuardian, stranger, operations, address(pool)];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            _expectUnauthorized(callers[i], DEFAULT_ADMIN_ROLE);
            emergencyPause.upgradeToAndCall(address(next), "");
        }
        assertEq(
            vm.load(address(emergencyPause), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(pauseImplementation)))),
            "implementation unchanged"
        );
    }

    function test_RevertWhen_UpgradeIsCalledOnTheImplementation() public {
        EmergencyPause next = new EmergencyPause();
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        pauseImplementation.upgradeToAndCall(address(next), "");
    }

    function test_RevertWhen_UpgradeTargetIsNotUups() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, address(pool)));
        emergencyPause.upgradeToAndCall(address(pool), "");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _guardianPause(uint256 targets, uint256 duration) private {
        vm.prank(pauseGuardian);
        emergencyPause.pause(targets, duration);
    }

    function _grant(address guardian) private {
        vm.prank(admin);
        emergencyPause.grantPause(guardian);
    }

    /// @dev Each target's end, read from the paused contract itself and through `getPauseState`.
    function _assertEnds(uint256 deposits, uint256 withdrawals, uint256 staking) private view {
        assertEq(pool.depositsPausedUntil(), deposits, "pool: depositsPausedUntil");
        assertEq(queue.withdrawalsPausedUntil(), withdrawals, "queue: withdrawalsPausedUntil");
        assertEq(guard.stakingPausedUntil(), staking, "guard: stakingPausedUntil");
        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.depositsPausedUntil, deposits, "getPauseState: depositsPausedUntil");
        assertEq(state.withdrawalsPausedUntil, withdrawals, "getPauseState: withdrawalsPausedUntil");
        assertEq(state.stakingPausedUntil, staking, "getPauseState: stakingPausedUntil");
    }

    /// @dev Four validators staked and seen by a first report, as the queue fixture has them: withdrawals can then be
    /// finalized by reports.
    function _stakeAndReport() private {
        _stakeValidators(FIXTURE_VALIDATORS);
        _reportNextFrame(FIXTURE_STAKED);
    }

    function _initializeData(
        address admin_,
        address guardian,
        uint256 maxDuration
    ) private view returns (bytes memory) {
        return abi.encodeCall(EmergencyPause.initialize, (admin_, pool, queue, guard, guardian, maxDuration));
    }

    function _newPause(address admin_, address guardian, uint256 maxDuration) private returns (EmergencyPause) {
        bytes memory data = _initializeData(admin_, guardian, maxDuration);
        return EmergencyPause(address(new ERC1967Proxy(address(pauseImplementation), data)));
    }

    function _expectInitializeRevert(bytes memory data, bytes memory revertData) private {
        vm.expectRevert(revertData);
        new ERC1967Proxy(address(pauseImplementation), data);
    }

    function _expectUnauthorized(address account, bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }

    function _slotAddress(bytes32 location, uint256 offset) private view returns (address) {
        return address(uint160(uint256(vm.load(address(emergencyPause), bytes32(uint256(location) + offset)))));
    }
}
