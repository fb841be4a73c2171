// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EmergencyPause} from "../../../contracts/EmergencyPause.sol";

/// @title EmergencyPauseWithoutOncePerGrant
/// @notice Attack harness: the real `EmergencyPause` plus `pauseWithoutOncePerGrant`, which is `pause` with its
/// once-per-grant check (`require($.pauseAvailable, PauseAlreadyUsed(...))`, and the `pauseAvailable = false` that arms
/// it) switched off. Everything else is `pause` line for line: only the guardian, only known targets, a duration in
/// (0, maxPauseDuration], a later end never shortened.
/// @dev Test-only.
/// @custom:oz-upgrades-from contracts/EmergencyPause.sol:EmergencyPause
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract EmergencyPauseWithoutOncePerGrant is EmergencyPause {
    // The pause's ERC-7201 namespace, erc7201:plural.storage.EmergencyPause.
    bytes32 private constant PAUSE_STORAGE = 0x0a93d80e5d07f9abfecd18e59820ded39f929a10de9b2106d880c4504a7f1200;

    /// @notice `pause`, as often as the guardian likes.
    /// @param targets A mask of DEPOSITS, WITHDRAWALS and STAKING.
    /// @param duration Seconds, at most `maxPauseDuration`.
    function pauseWithoutOncePerGrant(uint256 targets, uint256 duration) external {
        EmergencyPauseStorage storage $ = _pauseStorage();
        require(msg.sender == $.guardian, NotPauseGuardian(msg.sender, $.guardian));
        require(targets != 0 && targets & ~(DEPOSITS | WITHDRAWALS | STAKING) == 0, InvalidPauseTargets(targets));
        require(duration != 0 && duration <= $.maxPauseDuration, InvalidPauseDuration(duration, $.maxPauseDuration));
        uint256 until = block.timestamp + duration;
        emit Paused(msg.sender, targets, until);

        if (targets & DEPOSITS != 0 && $.pool.depositsPausedUntil() < until) $.pool.pauseDeposits(until);
        if (targets & WITHDRAWALS != 0 && $.queue.withdrawalsPausedUntil() < until) $.queue.pauseWithdrawals(until);
        if (targets & STAKING != 0 && $.guard.stakingPausedUntil() < until) $.guard.pauseStakingUntil(until);
    }

    function _pauseStorage() private pure returns (EmergencyPauseStorage storage $) {
        assembly ("memory-safe") {
            $.slot := PAUSE_STORAGE
        }
    }
}
