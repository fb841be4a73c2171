// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEmergencyPause
/// @notice The one emergency brake of the protocol. A pause guardian (a multisig, say) stops deposits, withdrawal
/// requests and claims, or validator deposits at once, without waiting for a timelock, for at most
/// `maxPauseDuration`, and only once per grant: after pausing, it needs governance to grant it a pause again. Every
/// pause ends by itself; governance alone ends one early.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the governance timelock) grants pauses, resumes, sets the longest pause and
/// upgrades. This contract holds the pausing roles of the pool (`PAUSE_ROLE`, `RESUME_ROLE`), the withdrawal queue and
/// the deposit guard; nobody else holds their `PAUSE_ROLE`, so no pause of those three can last longer than the bound
/// below.
/// Targets are a bit mask of `DEPOSITS`, `WITHDRAWALS` and `STAKING`.
interface IEmergencyPause {
    /// @notice Where the pause stands.
    /// @param guardian Who may pause (zero when nobody has been granted a pause).
    /// @param pauseAvailable Whether the guardian's grant is still unused.
    /// @param maxPauseDuration The longest pause the guardian may make, in seconds.
    /// @param depositsPausedUntil Deposits stay paused while block.timestamp is below this.
    /// @param withdrawalsPausedUntil Withdrawal requests and claims stay paused while block.timestamp is below this.
    /// @param stakingPausedUntil Validator deposits stay paused while block.timestamp is below this.
    struct PauseState {
        address guardian;
        bool pauseAvailable;
        uint256 maxPauseDuration;
        uint256 depositsPausedUntil;
        uint256 withdrawalsPausedUntil;
        uint256 stakingPausedUntil;
    }

    /// @notice Governance granted `guardian` one pause (replacing any earlier guardian and grant).
    /// @param guardian The new pause guardian.
    event PauseGranted(address indexed guardian);

    /// @notice `guardian` paused `targets` until `until`, using its grant.
    /// @param guardian The pause guardian.
    /// @param targets The bit mask of what was paused.
    /// @param until The end of the pause (unix seconds).
    event Paused(address indexed guardian, uint256 targets, uint256 until);

    /// @notice Governance ended the pauses of `targets` early.
    /// @param targets The bit mask of what was resumed.
    event Resumed(uint256 targets);

    /// @notice Governance set the longest pause.
    /// @param maxPauseDuration Seconds.
    event MaxPauseDurationSet(uint256 maxPauseDuration);

    /// @notice `caller` is not the pause guardian `guardian`.
    error NotPauseGuardian(address caller, address guardian);

    /// @notice The guardian has used its pause; governance must grant it again.
    error PauseAlreadyUsed(address guardian);

    /// @notice `targets` is zero or has bits other than `DEPOSITS | WITHDRAWALS | STAKING`.
    error InvalidPauseTargets(uint256 targets);

    /// @notice `duration` is zero or above `max`.
    error InvalidPauseDuration(uint256 duration, uint256 max);

    /// @notice None of `targets` is paused.
    error NotPaused(uint256 targets);

    /// @notice An address argument was zero.
    error ZeroAddress();

    /// @notice Pauses `targets` for `duration` seconds from now. A target already paused for longer (by an earlier
    /// pause) keeps its later end.
    /// @dev The pause guardian, once per grant. Emits `Paused` (and each paused contract's own event). Reverts with
    /// `NotPauseGuardian`, `PauseAlreadyUsed`, `InvalidPauseTargets`, `InvalidPauseDuration`.
    /// @param targets A bit mask of `DEPOSITS`, `WITHDRAWALS`, `STAKING`.
    /// @param duration Seconds, at most `maxPauseDuration`.
    function pause(uint256 targets, uint256 duration) external;

    /// @notice Ends the running pauses among `targets` now.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `Resumed` with the targets actually resumed. Reverts with
    /// `InvalidPauseTargets`, or `NotPaused` when none of them is paused.
    /// @param targets A bit mask of `DEPOSITS`, `WITHDRAWALS`, `STAKING`.
    function resume(uint256 targets) external;

    /// @notice Makes `guardian` the pause guardian with one unused pause.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `PauseGranted`. Reverts with `ZeroAddress`.
    /// @param guardian The new pause guardian (may be the current one, whose grant is renewed).
    function grantPause(address guardian) external;

    /// @notice Sets the longest pause the guardian may make.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `MaxPauseDurationSet`. Reverts with `InvalidPauseDuration` outside
    /// (0, MAX_PAUSE_DURATION].
    /// @param maxPauseDuration Seconds.
    function setMaxPauseDuration(uint256 maxPauseDuration) external;

    /// @notice Where the pause stands, with each target's end.
    function getPauseState() external view returns (PauseState memory);
}
