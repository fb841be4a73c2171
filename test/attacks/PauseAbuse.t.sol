// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositGuard} from "../../contracts/interfaces/IDepositGuard.sol";
import {IEmergencyPause} from "../../contracts/interfaces/IEmergencyPause.sol";
import {IWithdrawalQueue} from "../../contracts/interfaces/IWithdrawalQueue.sol";
import {QueueFixture} from "../utils/QueueFixture.sol";
import {EmergencyPauseWithoutOncePerGrant} from "./harness/EmergencyPauseWithoutOncePerGrant.sol";

/// @title PauseAbuseTest
/// @notice Attack: a pause guardian (or a key thief holding its key) uses the brake to trap holders: pausing for
/// longer than allowed, pausing again before a pause ends to extend it, pausing what it must not (anything but the
/// three targets, or the contracts directly), or ending a pause it does not own.
/// Defence: `EmergencyPause.pause` takes only the guardian (`NotPauseGuardian`), only the targets `DEPOSITS`,
/// `WITHDRAWALS`, `STAKING` (`InvalidPauseTargets`), a duration in (0, `maxPauseDuration`] with `maxPauseDuration` at
/// most 14 days (`InvalidPauseDuration`), and only once per grant (`pauseAvailable`, `PauseAlreadyUsed`); the pause
/// ends by itself. `PAUSE_ROLE` on the pool, the queue and the deposit guard belongs to `EmergencyPause` alone, and
/// `resume` and `grantPause` to the timelock (`AccessControlUnauthorizedAccount`). Each deposit guardian's
/// `DepositGuard.pauseStaking` is also once only (`PauseAlreadyUsed`). Reports, and so finalization, are never paused.
/// Harness: `EmergencyPauseWithoutOncePerGrant`, whose `pauseWithoutOncePerGrant` is `pause` without the
/// once-per-grant check.
contract PauseAbuseTest is QueueFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant DEPOSITS = 1;
    uint256 private constant WITHDRAWALS = 2;
    uint256 private constant STAKING = 4;
    uint256 private constant REQUEST = 1 ether;

    address private victim;
    uint256 private victimId;

    function setUp() public {
        _deployQueueFixture();
        // A victim with a finalized request, claimable now.
        victim = makeAddr("victim");
        victimId = _request(victim, _deposit(victim, REQUEST));
        _reportQueue(0, false);
        assertEq(_claimable(victimId), REQUEST, "the victim's request is finalized");
    }

    function test_Attack_PauseBeyondBound_FailsAgainstMaxPauseDuration() public {
        vm.prank(pauseGuardian);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEmergencyPause.InvalidPauseDuration.selector,
                MAX_PAUSE_DURATION + 1,
                MAX_PAUSE_DURATION
            )
        );
        emergencyPause.pause(WITHDRAWALS, MAX_PAUSE_DURATION + 1);
        // Nor can the bound itself be raised past 14 days, even by governance.
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 14 days + 1, 14 days));
        emergencyPause.setMaxPauseDuration(14 days + 1);
    }

    function test_Attack_RePauseToExtend_FailsAgainstOncePerGrant() public {
        uint256 until = block.timestamp + MAX_PAUSE_DURATION;
        vm.prank(pauseGuardian);
        emergencyPause.pause(WITHDRAWALS, MAX_PAUSE_DURATION);

        vm.warp(until - 1);
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.PauseAlreadyUsed.selector, pauseGuardian));
        emergencyPause.pause(WITHDRAWALS, MAX_PAUSE_DURATION);

        vm.warp(until);
        assertEq(_claim(victim, victimId, victim), REQUEST, "the pause ended by itself: the victim is paid");
    }

    function test_Attack_RePauseToExtend_SucceedsWithoutOncePerGrant() public {
        address withoutOncePerGrant = address(new EmergencyPauseWithoutOncePerGrant());
        vm.prank(admin);
        emergencyPause.upgradeToAndCall(withoutOncePerGrant, "");
        uint256 start = block.timestamp;

        // Every week, a day before the pause ends, the guardian pauses again: four weeks and counting.
        for (uint256 week; week < 4; ++week) {
            vm.prank(pauseGuardian);
            EmergencyPauseWithoutOncePerGrant(address(emergencyPause)).pauseWithoutOncePerGrant(
                WITHDRAWALS,
                MAX_PAUSE_DURATION
            );
            vm.warp(block.timestamp + MAX_PAUSE_DURATION - 1 days);
        }

        uint256 until = start + 3 * (MAX_PAUSE_DURATION - 1 days) + MAX_PAUSE_DURATION;
        assertEq(queue.withdrawalsPausedUntil(), until, "withdrawals paused 25 days after the first pause");
        assertGt(until - start, MAX_PAUSE_DURATION, "well past the bound of one pause");
        uint256 hint = _hint(victimId);
        vm.prank(victim);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(victimId, hint, victim);
    }

    function test_Attack_PauseWhatItMustNot_FailsAgainstTargetsAndRoles() public {
        vm.startPrank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.InvalidPauseTargets.selector, 8));
        emergencyPause.pause(8, 1 days);
        // Straight at the contracts: the guardian holds no PAUSE_ROLE there, the emergency pause does.
        vm.expectRevert(_unauthorized(pauseGuardian, queue.PAUSE_ROLE()));
        queue.pauseWithdrawals(type(uint32).max);
        vm.expectRevert(_unauthorized(pauseGuardian, pool.PAUSE_ROLE()));
        pool.pauseDeposits(type(uint32).max);
        vm.expectRevert(_unauthorized(pauseGuardian, guard.PAUSE_ROLE()));
        guard.pauseStakingUntil(type(uint32).max);
        vm.stopPrank();
    }

    function test_Attack_PauseEverything_FailsToStopReports() public {
        // A second request, then everything paused: the next report still finalizes it.
        address other = makeAddr("other");
        uint256 otherId = _request(other, _deposit(other, REQUEST));
        vm.prank(pauseGuardian);
        emergencyPause.pause(DEPOSITS | WITHDRAWALS | STAKING, MAX_PAUSE_DURATION);

        _reportQueue(0, false);

        assertEq(_queueState().lastFinalizedId, otherId, "finalized during the pause");
        assertEq(_claimable(otherId), REQUEST, "its ether is locked for it");
    }

    function test_Attack_StrangerPause_FailsAgainstGuardianCheck() public {
        address attacker = makeAddr("attacker");
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPauseGuardian.selector, attacker, pauseGuardian));
        emergencyPause.pause(WITHDRAWALS, 1 days);
    }

    function test_Attack_GuardianUnpausesOrRegrants_FailsAgainstTimelockRoles() public {
        bytes32 resumeRole = queue.RESUME_ROLE();
        vm.prank(pauseGuardian);
        emergencyPause.pause(WITHDRAWALS, 1 days);

        vm.startPrank(pauseGuardian);
        vm.expectRevert(_unauthorized(pauseGuardian, DEFAULT_ADMIN_ROLE));
        emergencyPause.resume(WITHDRAWALS);
        vm.expectRevert(_unauthorized(pauseGuardian, DEFAULT_ADMIN_ROLE));
        emergencyPause.grantPause(pauseGuardian);
        vm.expectRevert(_unauthorized(pauseGuardian, resumeRole));
        queue.resumeWithdrawals();
        vm.stopPrank();
        assertEq(queue.withdrawalsPausedUntil(), block.timestamp + 1 days, "still paused, for its day");
    }

    function test_Attack_DepositGuardianRePause_FailsAgainstOncePerGuardian() public {
        address guardian = guardianAddresses[0];
        vm.prank(guardian);
        guard.pauseStaking();
        uint256 until = block.timestamp + PAUSE_DURATION;
        assertEq(guard.stakingPausedUntil(), until, "staking paused for the guardian's one pause");

        vm.warp(until - 1);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.PauseAlreadyUsed.selector, guardian));
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), until, "not extended");
    }
}
