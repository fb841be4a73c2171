// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {DepositGuard} from "../contracts/DepositGuard.sol";
import {EmergencyPause} from "../contracts/EmergencyPause.sol";
import {IEmergencyPause} from "../contracts/interfaces/IEmergencyPause.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {WithdrawalQueue} from "../contracts/WithdrawalQueue.sol";
import {Test} from "./utils/Test.sol";
import {StakingPoolFixture} from "./utils/StakingPoolFixture.sol";

/// @dev What the pause guardian (and anyone posing as one) and governance can do to the emergency pause, with bounded
/// inputs, recording every pause that went through (ghost state). Pauses are attempted whether or not they should
/// succeed (a spent grant, a duration above the bound, a caller that is not the guardian): the contract must refuse
/// them, and a pause it lets through that it should have refused shows in the ghost state and fails an invariant.
contract EmergencyPauseHandler is Test {
    uint256 private constant EVERYTHING = 7;

    EmergencyPause private immutable PAUSE;
    StakingPool private immutable POOL;
    WithdrawalQueue private immutable QUEUE;
    DepositGuard private immutable GUARD;
    address private immutable ADMIN;
    /// @dev Who may be granted the pause, or pose as the guardian.
    address[] private _candidates;

    /// @notice The latest end a pause could have: max over the pauses that went through of (the pause's time + the
    /// longest pause in force then).
    uint256 public ghostLatestPauseEnd;
    /// @notice Pauses that went through since the latest grant.
    uint256 public ghostPausesSinceGrant;
    /// @notice The most pauses that went through within one grant.
    uint256 public ghostMostPausesInAGrant;
    /// @notice Pauses that went through although their caller was not the guardian.
    uint256 public ghostPausesByOthers;
    /// @notice The chain's clock as this handler moved it; re-applied before each call.
    uint256 public currentTime;
    /// @notice Calls per action and outcome.
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        _;
    }

    constructor(
        EmergencyPause pause_,
        StakingPool pool,
        WithdrawalQueue queue,
        DepositGuard guard,
        address admin,
        address[] memory candidates
    ) {
        PAUSE = pause_;
        POOL = pool;
        QUEUE = queue;
        GUARD = guard;
        ADMIN = admin;
        _candidates = candidates;
        currentTime = block.timestamp;
    }

    // --- The guardian, or someone posing as it ---

    /// @dev Mostly the guardian; one call in four a candidate, who is the guardian only by chance. Durations up to
    /// twice the bound, so that a missing check would let a long pause through.
    function pause(uint256 seed, uint256 targets, uint256 duration) external step {
        IEmergencyPause.PauseState memory state = PAUSE.getPauseState();
        address caller = seed % 4 == 0 ? _candidate(seed / 4) : state.guardian;
        if (caller == address(0)) caller = _candidate(seed / 4);
        targets = bound(targets, 1, EVERYTHING);
        duration = bound(duration, 1, 2 * state.maxPauseDuration);

        vm.prank(caller);
        try PAUSE.pause(targets, duration) {
            ++ghostPausesSinceGrant;
            if (ghostPausesSinceGrant > ghostMostPausesInAGrant) ghostMostPausesInAGrant = ghostPausesSinceGrant;
            if (caller != state.guardian) ++ghostPausesByOthers;
            uint256 bound_ = currentTime + state.maxPauseDuration;
            if (bound_ > ghostLatestPauseEnd) ghostLatestPauseEnd = bound_;
            ++calls["pause"];
        } catch {
            ++calls["pause refused"];
        }
    }

    // --- Governance ---

    function grantPause(uint256 seed) external step {
        vm.prank(ADMIN);
        PAUSE.grantPause(_candidate(seed));
        ghostPausesSinceGrant = 0;
        ++calls["grantPause"];
    }

    function resume(uint256 targets) external step {
        targets = bound(targets, 1, EVERYTHING);
        vm.prank(ADMIN);
        try PAUSE.resume(targets) {
            ++calls["resume"];
        } catch {
            ++calls["resume refused"];
        }
    }

    function setMaxPauseDuration(uint256 maxPauseDuration) external step {
        maxPauseDuration = bound(maxPauseDuration, 1, PAUSE.MAX_PAUSE_DURATION());
        vm.prank(ADMIN);
        PAUSE.setMaxPauseDuration(maxPauseDuration);
        ++calls["setMaxPauseDuration"];
    }

    // --- Time ---

    function warp(uint256 duration) external step {
        currentTime += bound(duration, 1, 3 days);
        vm.warp(currentTime);
        ++calls["warp"];
    }

    // --- Views for the invariants ---

    /// @notice Each target's end, read from the paused contracts.
    function ends() external view returns (uint256[3] memory) {
        return [POOL.depositsPausedUntil(), QUEUE.withdrawalsPausedUntil(), GUARD.stakingPausedUntil()];
    }

    function _candidate(uint256 seed) private view returns (address) {
        return _candidates[seed % _candidates.length];
    }
}

/// @dev The emergency pause's promises under any sequence of guardian pauses, grants, resumes, bound changes and time.
/// Named after the invariants listed in EmergencyPause's NatSpec.
contract EmergencyPauseInvariantTest is StakingPoolFixture {
    uint256 private constant CANDIDATE_COUNT = 4;

    EmergencyPauseHandler private handler;

    function setUp() public {
        _deployPool();
        address[] memory candidates = new address[](CANDIDATE_COUNT);
        candidates[0] = pauseGuardian;
        for (uint256 i = 1; i < CANDIDATE_COUNT; ++i) {
            candidates[i] = makeAddr(string.concat("pause candidate ", Strings.toString(i)));
        }
        handler = new EmergencyPauseHandler(emergencyPause, pool, queue, guard, admin, candidates);

        targetContract(address(handler));
        // Weighted by repetition: pauses and time most often, so that grants get spent and pauses overlap and expire.
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = EmergencyPauseHandler.pause.selector;
        selectors[1] = EmergencyPauseHandler.pause.selector;
        selectors[2] = EmergencyPauseHandler.pause.selector;
        selectors[3] = EmergencyPauseHandler.grantPause.selector;
        selectors[4] = EmergencyPauseHandler.resume.selector;
        selectors[5] = EmergencyPauseHandler.setMaxPauseDuration.selector;
        selectors[6] = EmergencyPauseHandler.warp.selector;
        selectors[7] = EmergencyPauseHandler.warp.selector;
        selectors[8] = EmergencyPauseHandler.grantPause.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_PauseNeverOutlivesItsBound() public view {
        uint256[3] memory ends = handler.ends();
        uint256 now_ = handler.currentTime();
        string[3] memory names = ["deposits", "withdrawals", "staking"];
        for (uint256 i; i < 3; ++i) {
            assertLe(ends[i], handler.ghostLatestPauseEnd(), string.concat(names[i], ": end <= pause time + bound"));
            assertLe(
                ends[i],
                now_ + emergencyPause.MAX_PAUSE_DURATION(),
                string.concat(names[i], ": end <= now + MAX_PAUSE_DURATION")
            );
        }
        // getPauseState reads the same ends.
        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        assertEq(state.depositsPausedUntil, ends[0], "getPauseState: deposits");
        assertEq(state.withdrawalsPausedUntil, ends[1], "getPauseState: withdrawals");
        assertEq(state.stakingPausedUntil, ends[2], "getPauseState: staking");
        assertLe(state.maxPauseDuration, emergencyPause.MAX_PAUSE_DURATION(), "maxPauseDuration <= hard limit");
    }

    function invariant_OnePausePerGrant() public view {
        assertLe(handler.ghostMostPausesInAGrant(), 1, "pauses within one grant");
        assertEq(handler.ghostPausesByOthers(), 0, "pauses by anyone but the guardian");
        // The grant is available exactly when no pause went through since it was made.
        assertEq(
            emergencyPause.getPauseState().pauseAvailable,
            handler.ghostPausesSinceGrant() == 0,
            "pauseAvailable <=> no pause since the grant"
        );
    }
}
