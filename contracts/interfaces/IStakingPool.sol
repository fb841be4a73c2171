// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositGuard} from "./IDepositGuard.sol";
import {IOperatorRegistry} from "./IOperatorRegistry.sol";
import {IStakedEther} from "./IStakedEther.sol";

/// @title IStakingPool
/// @notice The entry point of Plural and the plETH token in one contract. Anyone deposits ether and receives plETH at
/// the current rate; the pool keeps the ether in a buffer until it stakes it in 32-ether validators.
/// @dev Roles (all held by the governance timelock): `DEFAULT_ADMIN_ROLE` grants roles and authorizes upgrades,
/// `PAUSE_ROLE` pauses deposits until a time, `RESUME_ROLE` resumes them, `STAKE_LIMIT_ROLE` sets the stake limit.
interface IStakingPool is IStakedEther {
    /// @notice The pool's accounting, in wei unless named otherwise.
    /// @param bufferedEther Ether held by the pool and not yet staked.
    /// @param beaconBalance Balance of the pool's validators as last reported by the oracle.
    /// @param depositedValidators Validators the pool has deposited to, ever.
    /// @param beaconValidators Of those, the ones the oracle has seen on the beacon chain (exited included).
    /// @param transientEther 32 ether for each validator deposited but not yet seen.
    /// @param totalPooledEther bufferedEther + beaconBalance + transientEther.
    /// @param totalShares plETH in existence.
    struct Accounting {
        uint256 bufferedEther;
        uint256 beaconBalance;
        uint256 depositedValidators;
        uint256 beaconValidators;
        uint256 transientEther;
        uint256 totalPooledEther;
        uint256 totalShares;
    }

    /// @notice The stake limit as it stands.
    /// @param enabled False when no limit applies.
    /// @param maxLimit The most that can be deposited at once, in wei.
    /// @param refillPeriod Seconds for the limit to refill from empty to `maxLimit`, linearly.
    /// @param available What can be deposited now, in wei; `type(uint256).max` when no limit applies.
    struct StakeLimitInfo {
        bool enabled;
        uint256 maxLimit;
        uint256 refillPeriod;
        uint256 available;
    }

    /// @notice The contracts the pool stakes with.
    /// @param operatorRegistry Where validator keys come from.
    /// @param depositGuard Whose guardian quorum must attest each validator deposit.
    /// @param withdrawalVault The address in the validators' withdrawal credentials.
    struct StakingContracts {
        IOperatorRegistry operatorRegistry;
        IDepositGuard depositGuard;
        address withdrawalVault;
    }

    /// @notice `count` validators were deposited to, `amount` wei moved from the buffer to the deposit contract.
    /// @param count The validators deposited to.
    /// @param amount The wei staked: 32 ether per validator.
    event ValidatorsDeposited(uint256 count, uint256 amount);

    /// @notice `sender` deposited `amount` wei and received `shares` plETH.
    /// @param sender The depositor, who holds the new shares.
    /// @param referral The referrer the depositor named, or zero.
    /// @param amount The wei deposited.
    /// @param shares The plETH minted.
    event Deposited(address indexed sender, address indexed referral, uint256 amount, uint256 shares);

    /// @notice The stake limit changed.
    /// @param maxLimit The most that can be deposited at once, in wei.
    /// @param refillPeriod Seconds for the limit to refill from empty, linearly.
    event StakeLimitSet(uint256 maxLimit, uint256 refillPeriod);

    /// @notice No stake limit applies any more.
    event StakeLimitRemoved();

    /// @notice Deposits are paused.
    /// @param until The unix timestamp at which the pause ends by itself.
    event DepositsPaused(uint256 until);

    /// @notice Deposits are accepted again.
    event DepositsResumed();

    /// @notice A deposit of zero wei.
    error ZeroDeposit();

    /// @notice The pool accounts for no ether, so a share has no price: an implementation called directly (never
    /// initialized), or a pool whose every validator was lost.
    error NoPooledEther();

    /// @notice `amount` wei is worth less than one share at the current rate.
    error DepositTooSmall(uint256 amount);

    /// @notice Deposits are paused until `until`.
    error DepositsArePaused(uint256 until);

    /// @notice `amount` wei is above the `available` stake limit.
    error StakeLimitExceeded(uint256 amount, uint256 available);

    /// @notice The stake limit must be positive, fit in 96 bits, and refill over a period that fits in 32 bits.
    error InvalidStakeLimit(uint256 maxLimit, uint256 refillPeriod);

    /// @notice The initializer needs at least `minimum` wei to back the dead shares.
    error InitialDepositTooSmall(uint256 amount, uint256 minimum);

    /// @notice A pause must end in the future and fit in 32 bits.
    error InvalidPauseEnd(uint256 until, uint256 timestamp);

    /// @notice Deposits are not paused.
    error DepositsNotPaused();

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice A validator deposit with no keys.
    error NoValidatorsToDeposit();

    /// @notice Staking needs `amount` wei, the buffer holds `bufferedEther`.
    error InsufficientBufferedEther(uint256 amount, uint256 bufferedEther);

    /// @notice Deposits `msg.value` wei and mints plETH to the sender at the current rate, rounded down.
    /// @dev `receive()` does the same with no referral. Reverts with `ZeroDeposit`, `DepositsArePaused`,
    /// `StakeLimitExceeded`, `NoPooledEther` or `DepositTooSmall`.
    /// @param referral An address credited in the event only (zero for none).
    /// @return shares The plETH minted.
    function deposit(address referral) external payable returns (uint256 shares);

    /// @notice Stakes buffered ether: 32 ether per key to the beacon deposit contract, with the protocol's withdrawal
    /// credentials. Anyone may call it; it needs a guardian quorum's attestation over the current deposit root and
    /// registry nonce, and exactly the keys the registry's allocation picks, each proven against its batch.
    /// @dev Emits `ValidatorsDeposited` (and the registry's `KeysDeposited`, the deposit contract's `DepositEvent`s).
    /// Reverts with `NoValidatorsToDeposit`, `InsufficientBufferedEther`, the guard's errors (`StakingIsPaused`,
    /// `DepositRootChanged`, ...) and the registry's (`NotEnoughDepositableKeys`, `InvalidKeyProof`, ...).
    /// @param segments The keys, grouped by operator (id order) and batch, in key order.
    /// @param attestation The guardians' attestation.
    function depositValidators(
        IOperatorRegistry.KeySegment[] calldata segments,
        IDepositGuard.Attestation calldata attestation
    ) external;

    /// @notice Sets the stake limit: at most `maxLimit` wei at once, refilling linearly over `refillPeriod` seconds.
    /// What is available now is kept, clamped to the new maximum; a limit switched on starts full.
    /// @dev `STAKE_LIMIT_ROLE`. Emits `StakeLimitSet`. Reverts with `InvalidStakeLimit`.
    /// @param maxLimit The most that can be deposited at once, in wei; positive and below 2**96.
    /// @param refillPeriod Seconds to refill from empty, below 2**32; zero refills at once.
    function setStakeLimit(uint256 maxLimit, uint256 refillPeriod) external;

    /// @notice Lets deposits of any size through.
    /// @dev `STAKE_LIMIT_ROLE`. Emits `StakeLimitRemoved`.
    function removeStakeLimit() external;

    /// @notice Pauses deposits until `until` (a unix timestamp); the pause ends by itself then.
    /// @dev `PAUSE_ROLE`. Emits `DepositsPaused`. Reverts with `InvalidPauseEnd`.
    /// @param until The unix timestamp at which the pause ends; in the future and below 2**32.
    function pauseDeposits(uint256 until) external;

    /// @notice Ends a deposit pause now.
    /// @dev `RESUME_ROLE`. Emits `DepositsResumed`. Reverts with `DepositsNotPaused`.
    function resumeDeposits() external;

    /// @notice The pool's accounting.
    function getAccounting() external view returns (Accounting memory);

    /// @notice The stake limit and what can be deposited now.
    function getStakeLimit() external view returns (StakeLimitInfo memory);

    /// @notice The timestamp until which deposits are paused; in the past (or zero) when they are not.
    function depositsPausedUntil() external view returns (uint256);

    /// @notice The beacon deposit contract the pool stakes through.
    function depositContract() external view returns (address);

    /// @notice The operator registry, deposit guard and withdrawal vault.
    function stakingContracts() external view returns (StakingContracts memory);

    /// @notice The withdrawal credentials of every Plural validator: 0x01 ‖ 11 zero bytes ‖ withdrawal vault.
    function withdrawalCredentials() external view returns (bytes32);
}
