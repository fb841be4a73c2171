// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IEmergencyPause} from "./interfaces/IEmergencyPause.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";

/// @title EmergencyPause
/// @notice A guardian stops deposits, withdrawals or staking at once, for a bounded time, once per grant.
/// @dev Invariants (tested by these names):
/// - `invariant_PauseNeverOutlivesItsBound`: no target is ever paused past the latest end any guardian pause could
///   set (its time plus the longest pause in force then), nor past now + MAX_PAUSE_DURATION.
/// - `invariant_OnePausePerGrant`: the guardian pauses at most once between two grants.
/// @custom:oz-upgrades
contract EmergencyPause is IEmergencyPause, AccessControlUpgradeable, UUPSUpgradeable {
    /// @notice Target bit: the pool's deposits.
    uint256 public constant DEPOSITS = 1;
    /// @notice Target bit: the withdrawal queue's requests and claims.
    uint256 public constant WITHDRAWALS = 2;
    /// @notice Target bit: validator deposits (the deposit guard's attestations).
    uint256 public constant STAKING = 4;
    /// @notice Hard limit of `maxPauseDuration`: no pause by this contract outlasts it.
    uint256 public constant MAX_PAUSE_DURATION = 14 days;

    uint256 private constant ALL_TARGETS = DEPOSITS | WITHDRAWALS | STAKING;

    /// @custom:storage-location erc7201:plural.storage.EmergencyPause
    struct EmergencyPauseStorage {
        address guardian;
        uint32 maxPauseDuration;
        bool pauseAvailable;
        IStakingPool pool;
        IWithdrawalQueue queue;
        IDepositGuard guard;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.EmergencyPause")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x0a93d80e5d07f9abfecd18e59820ded39f929a10de9b2106d880c4504a7f1200;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock.
    /// @param pool_ The staking pool (deposits).
    /// @param queue_ The withdrawal queue (requests and claims).
    /// @param guard_ The deposit guard (validator deposits).
    /// @param guardian_ The first pause guardian, granted one pause; zero for none yet.
    /// @param maxPauseDuration_ The longest pause, in seconds.
    function initialize(
        address admin,
        IStakingPool pool_,
        IWithdrawalQueue queue_,
        IDepositGuard guard_,
        address guardian_,
        uint256 maxPauseDuration_
    ) external initializer {
        require(
            admin != address(0) &&
                address(pool_) != address(0) &&
                address(queue_) != address(0) &&
                address(guard_) != address(0),
            ZeroAddress()
        );
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        EmergencyPauseStorage storage $ = _storage();
        $.pool = pool_;
        $.queue = queue_;
        $.guard = guard_;
        _setMaxPauseDuration(maxPauseDuration_);
        if (guardian_ != address(0)) _grantPause($, guardian_);
    }

    /// @inheritdoc IEmergencyPause
    function pause(uint256 targets, uint256 duration) external {
        EmergencyPauseStorage storage $ = _storage();
        require(msg.sender == $.guardian, NotPauseGuardian(msg.sender, $.guardian));
        require($.pauseAvailable, PauseAlreadyUsed(msg.sender));
        _checkTargets(targets);
        require(duration != 0 && duration <= $.maxPauseDuration, InvalidPauseDuration(duration, $.maxPauseDuration));
        $.pauseAvailable = false;
        uint256 until = block.timestamp + duration;
        emit Paused(msg.sender, targets, until);

        // A target already paused for longer keeps its end: a guardian may lengthen nothing but its own pause.
        if (targets & DEPOSITS != 0 && $.pool.depositsPausedUntil() < until) $.pool.pauseDeposits(until);
        if (targets & WITHDRAWALS != 0 && $.queue.withdrawalsPausedUntil() < until) $.queue.pauseWithdrawals(until);
        if (targets & STAKING != 0 && $.guard.stakingPausedUntil() < until) $.guard.pauseStakingUntil(until);
    }

    /// @inheritdoc IEmergencyPause
    function resume(uint256 targets) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTargets(targets);
        EmergencyPauseStorage storage $ = _storage();
        uint256 resumed;
        if (targets & DEPOSITS != 0 && $.pool.depositsPausedUntil() > block.timestamp) resumed |= DEPOSITS;
        if (targets & WITHDRAWALS != 0 && $.queue.withdrawalsPausedUntil() > block.timestamp) resumed |= WITHDRAWALS;
        if (targets & STAKING != 0 && $.guard.stakingPausedUntil() > block.timestamp) resumed |= STAKING;
        require(resumed != 0, NotPaused(targets));
        emit Resumed(resumed);

        if (resumed & DEPOSITS != 0) $.pool.resumeDeposits();
        if (resumed & WITHDRAWALS != 0) $.queue.resumeWithdrawals();
        if (resumed & STAKING != 0) $.guard.resumeStaking();
    }

    /// @inheritdoc IEmergencyPause
    function grantPause(address guardian_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        require(guardian_ != address(0), ZeroAddress());
        _grantPause(_storage(), guardian_);
    }

    /// @inheritdoc IEmergencyPause
    function setMaxPauseDuration(uint256 maxPauseDuration_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxPauseDuration(maxPauseDuration_);
    }

    /// @inheritdoc IEmergencyPause
    function getPauseState() external view returns (PauseState memory state) {
        EmergencyPauseStorage storage $ = _storage();
        state.guardian = $.guardian;
        state.pauseAvailable = $.pauseAvailable;
        state.maxPauseDuration = $.maxPauseDuration;
        state.depositsPausedUntil = $.pool.depositsPausedUntil();
        state.withdrawalsPausedUntil = $.queue.withdrawalsPausedUntil();
        state.stakingPausedUntil = $.guard.stakingPausedUntil();
    }

    function _grantPause(EmergencyPauseStorage storage $, address guardian_) private {
        $.guardian = guardian_;
        $.pauseAvailable = true;
        emit PauseGranted(guardian_);
    }

    function _setMaxPauseDuration(uint256 maxPauseDuration_) private {
        require(
            maxPauseDuration_ != 0 && maxPauseDuration_ <= MAX_PAUSE_DURATION,
            InvalidPauseDuration(maxPauseDuration_, MAX_PAUSE_DURATION)
        );
        _storage().maxPauseDuration = uint32(maxPauseDuration_); // <= 14 days
        emit MaxPauseDurationSet(maxPauseDuration_);
    }

    function _checkTargets(uint256 targets) private pure {
        require(targets != 0 && targets & ~ALL_TARGETS == 0, InvalidPauseTargets(targets));
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _storage() private pure returns (EmergencyPauseStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
