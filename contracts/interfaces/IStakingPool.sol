// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositGuard} from "./IDepositGuard.sol";
import {IOperatorRegistry} from "./IOperatorRegistry.sol";
import {IVaultEtherRecipient} from "./IPoolVault.sol";
import {IStakedEther} from "./IStakedEther.sol";
import {IWithdrawalQueue} from "./IWithdrawalQueue.sol";

/// @title IStakingPool
/// @notice The entry point of Plural and the plETH token in one contract. Anyone deposits ether and receives plETH at
/// the current rate; the pool keeps the ether in a buffer until it stakes it in 32-ether validators.
/// @dev Roles (all held by the governance timelock): `DEFAULT_ADMIN_ROLE` grants roles and authorizes upgrades,
/// `PAUSE_ROLE` pauses deposits until a time, `RESUME_ROLE` resumes them, `STAKE_LIMIT_ROLE` sets the stake limit,
/// `MANAGE_ACCOUNTING_ROLE` sets the protocol fee, the treasury and the longest a report may be awaited.
interface IStakingPool is IStakedEther, IVaultEtherRecipient {
    /// @notice The pool's accounting, in wei unless named otherwise.
    /// @param bufferedEther Ether held by the pool and not yet staked.
    /// @param beaconBalance Balance of the pool's validators as last reported by the oracle.
    /// @param depositedValidators Validators the pool has deposited to, ever.
    /// @param beaconValidators Of those, the ones the oracle has seen on the beacon chain (exited included).
    /// @param transientEther 32 ether for each validator deposited, not yet seen and not written off.
    /// @param totalPooledEther bufferedEther + beaconBalance + transientEther.
    /// @param totalShares plETH in existence.
    /// @param exitedValidators Validators the oracle has seen exit.
    /// @param writtenOffValidators Deposits the beacon chain never showed within the deadline, counted as lost.
    /// @param withdrawalReserve Buffered ether the unfinalized withdrawal requests may need: never staked.
    struct Accounting {
        uint256 bufferedEther;
        uint256 beaconBalance;
        uint256 depositedValidators;
        uint256 beaconValidators;
        uint256 transientEther;
        uint256 totalPooledEther;
        uint256 totalShares;
        uint256 exitedValidators;
        uint256 writtenOffValidators;
        uint256 withdrawalReserve;
    }

    /// @notice The report state and the rules that govern it.
    /// @param lastReportTime When the accounting was last brought up to date: the last report's block time, or the
    /// first validator deposit's before any report.
    /// @param lastReportRefSlot The reference slot of the last report applied.
    /// @param reportDeadline After this time deposits stop until a report arrives; zero while no validator exists.
    /// @param maxReportAge Seconds a report may be awaited.
    /// @param treasury Receives the treasury's part of the fee.
    /// @param treasuryFeeBps The treasury's fee, in basis points of rewards.
    /// @param operatorFeeBps The operators' fee, in basis points of rewards.
    struct ReportState {
        uint256 lastReportTime;
        uint256 lastReportRefSlot;
        uint256 reportDeadline;
        uint256 maxReportAge;
        address treasury;
        uint256 treasuryFeeBps;
        uint256 operatorFeeBps;
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

    /// @notice The contracts the pool works with.
    /// @param operatorRegistry Where validator keys come from; holds and pays the operators' fees.
    /// @param depositGuard Whose guardian quorum must attest each validator deposit.
    /// @param withdrawalVault The address in the validators' withdrawal credentials.
    /// @param executionRewardsVault The fee recipient of every Plural validator.
    /// @param accountingOracle The only source of reports.
    /// @param withdrawalQueue Where plETH is turned back into ether; funded by reports.
    struct StakingContracts {
        IOperatorRegistry operatorRegistry;
        IDepositGuard depositGuard;
        address withdrawalVault;
        address executionRewardsVault;
        address accountingOracle;
        IWithdrawalQueue withdrawalQueue;
    }

    /// @notice Fee and report settings the pool starts with.
    /// @param treasury Receives the treasury's part of the fee.
    /// @param treasuryFeeBps The treasury's fee, in basis points of rewards.
    /// @param operatorFeeBps The operators' fee, in basis points of rewards.
    /// @param maxReportAge Seconds a report may be awaited before deposits stop.
    struct AccountingSettings {
        address treasury;
        uint256 treasuryFeeBps;
        uint256 operatorFeeBps;
        uint256 maxReportAge;
    }

    /// @notice A report as the oracle hands it to the pool, with its timing.
    /// @param refSlot The reference slot.
    /// @param timestamp The reference slot's time.
    /// @param timeElapsed Seconds since the previous applied report's reference slot.
    /// @param beaconValidators See `IAccountingOracle.Report`.
    /// @param beaconBalance See `IAccountingOracle.Report`.
    /// @param exitedValidators See `IAccountingOracle.Report`.
    /// @param withdrawalVaultBalance See `IAccountingOracle.Report`.
    /// @param elRewardsVaultBalance See `IAccountingOracle.Report`.
    /// @param lastFinalizableRequestId See `IAccountingOracle.Report`.
    /// @param bunkerMode See `IAccountingOracle.Report`.
    struct OracleReport {
        uint256 refSlot;
        uint256 timestamp;
        uint256 timeElapsed;
        uint256 beaconValidators;
        uint256 beaconBalance;
        uint256 exitedValidators;
        uint256 withdrawalVaultBalance;
        uint256 elRewardsVaultBalance;
        uint256 lastFinalizableRequestId;
        bool bunkerMode;
    }

    /// @notice The oracle's sanity bounds for one report (see `IAccountingOracle.SanityBounds`).
    /// @param extraLossAllowed Wei of loss governance accepted above `maxLossBps` for this report.
    struct ReportLimits {
        uint256 maxAprBps;
        uint256 maxLossBps;
        uint256 maxElRewardsBps;
        uint256 unseenDepositDeadline;
        uint256 extraLossAllowed;
    }

    /// @notice What a report changed; APR = (postRate / preRate - 1) × year / timeElapsed, rates being ether per share.
    /// @param refSlot The report's reference slot.
    /// @param timeElapsed Seconds since the previous report's reference slot.
    /// @param preTotalEther Total pooled ether before, in wei.
    /// @param preTotalShares Shares before.
    /// @param postTotalEther Total pooled ether after.
    /// @param postTotalShares Shares after, fee shares included.
    event ReportApplied(
        uint256 indexed refSlot,
        uint256 timeElapsed,
        uint256 preTotalEther,
        uint256 preTotalShares,
        uint256 postTotalEther,
        uint256 postTotalShares
    );

    /// @notice Where a report's change came from, in wei.
    /// @param refSlot The report's reference slot.
    /// @param beaconDelta Beacon balance + withdrawals − (previous balance + 32 ether per newly seen validator).
    /// @param withdrawals Ether taken from the withdrawal vault.
    /// @param elRewards Ether taken from the execution-rewards vault.
    /// @param writtenOff Ether of deposits written off as never seen.
    /// @param treasuryShares Fee shares minted to the treasury.
    /// @param operatorShares Fee shares minted for the operators.
    /// @param bunkerMode The oracle saw slashing penalties still pending: withdrawal finalization waited.
    event ReportBreakdown(
        uint256 indexed refSlot,
        int256 beaconDelta,
        uint256 withdrawals,
        uint256 elRewards,
        uint256 writtenOff,
        uint256 treasuryShares,
        uint256 operatorShares,
        bool bunkerMode
    );

    /// @notice `count` deposits were never seen by the beacon chain within the deadline and no longer count.
    /// @param count The deposits written off by this report.
    /// @param totalWrittenOff The deposits written off so far, this report's included.
    event ValidatorsWrittenOff(uint256 count, uint256 totalWrittenOff);

    /// @notice The protocol fee changed.
    /// @param treasuryFeeBps The treasury's fee, in basis points of rewards.
    /// @param operatorFeeBps The operators' fee, in basis points of rewards.
    event FeesSet(uint256 treasuryFeeBps, uint256 operatorFeeBps);

    /// @notice The treasury changed.
    /// @param treasury The new treasury.
    event TreasurySet(address treasury);

    /// @notice Reports may be awaited `maxReportAge` seconds; deposits stop after `reportDeadline`.
    /// @param maxReportAge Seconds a report may be awaited.
    /// @param reportDeadline The new deadline, a Unix time; zero while no validator exists.
    event MaxReportAgeSet(uint256 maxReportAge, uint256 reportDeadline);

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

    /// @notice Staking would use ether the unfinalized withdrawal requests may need; `stakeable` is what is left.
    error BufferReservedForWithdrawals(uint256 amount, uint256 stakeable);

    /// @notice Staking needs `amount` wei, the buffer holds `bufferedEther`.
    error InsufficientBufferedEther(uint256 amount, uint256 bufferedEther);

    /// @notice No report since `deadline`: the rate may be stale, so deposits wait for the next report.
    error ReportOverdue(uint256 deadline);

    /// @notice Only the accounting oracle applies reports.
    error CallerNotOracle(address caller);

    /// @notice Only the withdrawal and execution-rewards vaults send ether this way.
    error CallerNotVault(address caller);

    /// @notice The reported count of seen validators fell from `previous` to `reported`.
    error BeaconValidatorsDecreased(uint256 previous, uint256 reported);

    /// @notice `reported` validators seen, but only `deposited` were deposited.
    error BeaconValidatorsAboveDeposited(uint256 reported, uint256 deposited);

    /// @notice The reported exited count fell from `previous`, or rose above the `seen` validators.
    error InvalidExitedValidators(uint256 previous, uint256 reported, uint256 seen);

    /// @notice The report says the execution-rewards `vault` held `reported` wei; it holds `actual`. (The withdrawal
    /// vault is swept for at most what it holds: a forced exit's fee may leave it after the reference block.)
    error VaultBalanceTooLow(address vault, uint256 reported, uint256 actual);

    /// @notice The beacon side gained `rewards` wei, above the `cap` for the time elapsed: its reported balance alone
    /// is above the cap (withdrawal-vault ether beyond it waits in the vault for a later report).
    error RewardsAboveCap(uint256 rewards, uint256 cap);

    /// @notice The beacon side lost `loss` wei, above the `bound` (governance can allow more).
    error LossAboveBound(uint256 loss, uint256 bound);

    /// @notice The fee is above the hard cap `MAX_FEE_BPS`.
    error InvalidFees(uint256 treasuryFeeBps, uint256 operatorFeeBps);

    /// @notice The report age limit is outside [MIN_REPORT_AGE, MAX_REPORT_AGE].
    error InvalidMaxReportAge(uint256 maxReportAge);

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
    /// Reverts with `NoValidatorsToDeposit`, `InsufficientBufferedEther`, `BufferReservedForWithdrawals`, the guard's errors (`StakingIsPaused`,
    /// `DepositRootChanged`, ...) and the registry's (`NotEnoughDepositableKeys`, `InvalidKeyProof`, ...).
    /// @param segments The keys, grouped by operator (id order) and batch, in key order.
    /// @param attestation The guardians' attestation.
    function depositValidators(
        IOperatorRegistry.KeySegment[] calldata segments,
        IDepositGuard.Attestation calldata attestation
    ) external;

    /// @notice Applies an agreed oracle report: checks it against the sanity bounds, takes the vaults' ether, writes
    /// off deposits never seen, and mints the protocol fee on rewards as new shares (holders keep exactly
    /// 1 − fee of the rewards); a loss lowers every share's value. Then, at the post-fee rate, the withdrawal queue
    /// finalizes what the buffer can pay of the requests made by the reference slot: the pool burns their plETH and
    /// sends their ether to the queue.
    /// @dev The accounting oracle only. Emits `ReportApplied`, `ReportBreakdown`, `ValidatorsWrittenOff`. Reverts with
    /// `CallerNotOracle`, `BeaconValidatorsDecreased`, `BeaconValidatorsAboveDeposited`, `InvalidExitedValidators`,
    /// `VaultBalanceTooLow`, `RewardsAboveCap`, `LossAboveBound`.
    /// @param report The agreed report, with its timing.
    /// @param limits The oracle's sanity bounds for this report.
    function handleOracleReport(OracleReport calldata report, ReportLimits calldata limits) external;

    /// @notice Sets the protocol fee: the treasury's and the operators' parts, in basis points of rewards.
    /// @dev `MANAGE_ACCOUNTING_ROLE`. Emits `FeesSet`. Reverts with `InvalidFees` above `MAX_FEE_BPS` together.
    /// @param treasuryFeeBps The treasury's fee, in basis points of rewards.
    /// @param operatorFeeBps The operators' fee, in basis points of rewards.
    function setFees(uint256 treasuryFeeBps, uint256 operatorFeeBps) external;

    /// @notice Sets the treasury.
    /// @dev `MANAGE_ACCOUNTING_ROLE`. Emits `TreasurySet`. Reverts with `ZeroAddress`.
    /// @param treasury The new treasury; nonzero.
    function setTreasury(address treasury) external;

    /// @notice Sets how long a report may be awaited before deposits stop.
    /// @dev `MANAGE_ACCOUNTING_ROLE`. Emits `MaxReportAgeSet`. Reverts with `InvalidMaxReportAge`.
    /// @param maxReportAge Seconds a report may be awaited, within [MIN_REPORT_AGE, MAX_REPORT_AGE].
    function setMaxReportAge(uint256 maxReportAge) external;

    /// @notice The report state, fee and treasury.
    function getReportState() external view returns (ReportState memory);

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
    /// @dev `PAUSE_ROLE` (the emergency pause, which bounds the pause). Emits `DepositsPaused`. Reverts with
    /// `InvalidPauseEnd`.
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

    /// @notice The operator registry, deposit guard, vaults and oracle.
    function stakingContracts() external view returns (StakingContracts memory);

    /// @notice The withdrawal credentials of every Plural validator: 0x01 ‖ 11 zero bytes ‖ withdrawal vault.
    function withdrawalCredentials() external view returns (bytes32);
}
