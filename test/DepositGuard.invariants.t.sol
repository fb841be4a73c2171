// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {DepositGuard} from "../contracts/DepositGuard.sol";
import {Test} from "./utils/Test.sol";
import {StakingPoolFixture} from "./utils/StakingPoolFixture.sol";

/// @dev What governance and guardians can do to the guard, with bounded inputs, recording every pause (ghost state).
/// Calls that would revert are skipped instead, so that every call in a sequence changes something.
contract DepositGuardHandler is Test {
    DepositGuard private immutable GUARD;
    address private immutable ADMIN;
    /// @dev Everyone who may become a guardian: the three first guardians and some candidates.
    address[] private _candidates;

    /// @notice The latest end any pause asked for: max over pauses of (the pause's time + pauseDuration then).
    uint256 public ghostLatestPauseEnd;
    /// @notice Set when governance lowered pauseDuration below what a running pause has left, which leaves that pause
    /// longer than now + the new duration (by design: the bound is the duration in force when the guardian paused).
    bool public ghostDurationCutBelowARunningPause;
    /// @notice The chain's clock as this handler moved it; re-applied before each call.
    uint256 public currentTime;
    /// @notice Calls that did something, per action.
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        _;
    }

    constructor(DepositGuard guard, address admin, address[] memory candidates) {
        GUARD = guard;
        ADMIN = admin;
        _candidates = candidates;
        currentTime = block.timestamp;
    }

    // --- Governance ---

    function addGuardian(uint256 seed) external step {
        address candidate = _candidate(seed);
        if (GUARD.isGuardian(candidate)) {
            if (!GUARD.pauseUsed(candidate)) return;
        } else if (GUARD.guardians().length == GUARD.MAX_GUARDIANS()) {
            return;
        }
        vm.prank(ADMIN);
        GUARD.addGuardian(candidate);
        ++calls["addGuardian"];
    }

    function removeGuardian(uint256 seed) external step {
        address[] memory guardians = GUARD.guardians();
        if (guardians.length <= GUARD.quorum()) return;
        vm.prank(ADMIN);
        GUARD.removeGuardian(guardians[seed % guardians.length]);
        ++calls["removeGuardian"];
    }

    function setQuorum(uint256 quorum) external step {
        quorum = bound(quorum, 1, GUARD.guardians().length);
        vm.prank(ADMIN);
        GUARD.setQuorum(quorum);
        ++calls["setQuorum"];
    }

    function setPauseDuration(uint256 pauseDuration) external step {
        pauseDuration = bound(pauseDuration, 1, GUARD.MAX_PAUSE_DURATION());
        if (GUARD.stakingPausedUntil() > currentTime + pauseDuration) ghostDurationCutBelowARunningPause = true;
        vm.prank(ADMIN);
        GUARD.setPauseDuration(pauseDuration);
        ++calls["setPauseDuration"];
    }

    function resumeStaking() external step {
        if (GUARD.stakingPausedUntil() <= currentTime) return;
        vm.prank(ADMIN);
        GUARD.resumeStaking();
        // Nothing is paused any more: a duration cut no longer outlives anything.
        ghostDurationCutBelowARunningPause = false;
        ++calls["resumeStaking"];
    }

    // --- Guardians ---

    function pauseStaking(uint256 seed) external step {
        address[] memory guardians = GUARD.guardians();
        address guardian = guardians[seed % guardians.length];
        if (GUARD.pauseUsed(guardian)) return;
        uint256 end = currentTime + GUARD.pauseDuration();
        if (end > ghostLatestPauseEnd) ghostLatestPauseEnd = end;
        vm.prank(guardian);
        GUARD.pauseStaking();
        ++calls["pauseStaking"];
    }

    // --- Time ---

    function warp(uint256 duration) external step {
        currentTime += bound(duration, 1, 2 days);
        vm.warp(currentTime);
        // A pause over is no pause: whatever duration cut came before it no longer matters.
        if (GUARD.stakingPausedUntil() <= currentTime) ghostDurationCutBelowARunningPause = false;
        ++calls["warp"];
    }

    function _candidate(uint256 seed) private view returns (address) {
        return _candidates[seed % _candidates.length];
    }
}

/// @dev The guard's promises under any sequence of guardian changes, quorum and duration changes, pauses, resumes and
/// time. Named after the invariants listed in DepositGuard's NatSpec.
contract DepositGuardInvariantTest is StakingPoolFixture {
    uint256 private constant CANDIDATE_COUNT = 20;

    DepositGuardHandler private handler;

    function setUp() public {
        _deployPool();
        address[] memory candidates = new address[](CANDIDATE_COUNT);
        for (uint256 i; i < 3; ++i) candidates[i] = guardianAddresses[i];
        for (uint256 i = 3; i < CANDIDATE_COUNT; ++i) {
            candidates[i] = makeAddr(string.concat("candidate", Strings.toString(i)));
        }
        handler = new DepositGuardHandler(guard, admin, candidates);

        targetContract(address(handler));
        // Weighted by repetition: adds, pauses and time most often, so that the guardian set grows to the max and
        // pauses overlap.
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = DepositGuardHandler.addGuardian.selector;
        selectors[1] = DepositGuardHandler.addGuardian.selector;
        selectors[2] = DepositGuardHandler.addGuardian.selector;
        selectors[3] = DepositGuardHandler.removeGuardian.selector;
        selectors[4] = DepositGuardHandler.setQuorum.selector;
        selectors[5] = DepositGuardHandler.setPauseDuration.selector;
        selectors[6] = DepositGuardHandler.resumeStaking.selector;
        selectors[7] = DepositGuardHandler.pauseStaking.selector;
        selectors[8] = DepositGuardHandler.pauseStaking.selector;
        selectors[9] = DepositGuardHandler.warp.selector;
        selectors[10] = DepositGuardHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_QuorumNeverExceedsGuardians() public view {
        uint256 quorum = guard.quorum();
        address[] memory guardians = guard.guardians();
        assertGe(quorum, 1, "quorum >= 1");
        assertLe(quorum, guardians.length, "quorum <= guardians");
        assertLe(guardians.length, guard.MAX_GUARDIANS(), "guardians <= MAX_GUARDIANS");
        for (uint256 i; i < guardians.length; ++i) {
            assertTrue(guard.isGuardian(guardians[i]), "every listed guardian is one");
            assertTrue(guardians[i] != address(0), "no zero guardian");
        }
    }

    function invariant_PauseIsBounded() public view {
        uint256 until = guard.stakingPausedUntil();
        uint256 now_ = handler.currentTime();
        // No pause lasts beyond what some guardian asked for, nor past the longest pause there can be.
        assertLe(until, handler.ghostLatestPauseEnd(), "stakingPausedUntil <= latest pause time + its duration");
        assertLe(until, now_ + guard.MAX_PAUSE_DURATION(), "stakingPausedUntil <= now + MAX_PAUSE_DURATION");
        // And within now + pauseDuration, unless governance cut the duration below what a running pause had left.
        if (!handler.ghostDurationCutBelowARunningPause()) {
            assertLe(until, now_ + guard.pauseDuration(), "stakingPausedUntil <= now + pauseDuration");
        }
    }
}
