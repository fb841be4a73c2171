// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IDepositContract} from "./interfaces/IDepositContract.sol";
import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakedEther} from "./interfaces/IStakedEther.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";
import {IPoolVault, IVaultEtherRecipient} from "./interfaces/IPoolVault.sol";
import {KeyBatch} from "./libraries/KeyBatch.sol";
import {SharesMath} from "./libraries/SharesMath.sol";
import {StakeLimit} from "./libraries/StakeLimit.sol";
import {StakedEther} from "./StakedEther.sol";

/// @title StakingPool
/// @notice Plural's entry point and the plETH token: takes deposits, holds the buffer and keeps the accounting that
/// prices every share.
/// @dev Invariants (tested by these names):
/// - `invariant_TotalPooledEtherIsBufferPlusValidators`: totalPooledEther == bufferedEther + beaconBalance
///   + 32 ether × (depositedValidators − beaconValidators − writtenOffValidators).
/// - `invariant_Conservation`: the ether the pool and its vaults hold, plus the beacon balance, plus what was paid
///   out, equals what users deposited plus beacon rewards minus penalties (see the report tests).
/// - `invariant_ReportNeverDilutes`: a report with rewards never lowers the value of a share; the fee takes exactly
///   its part of the rewards.
/// - `invariant_DepositNeverLowersShareValue`: no deposit lowers the ether value of any existing share.
/// - `invariant_BufferNeverExceedsBalance`: bufferedEther <= address(this).balance; ether sent around the deposit
///   functions (forced transfers) never enters the accounting.
/// @custom:oz-upgrades
contract StakingPool is IStakingPool, StakedEther, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeCast for uint256;
    using SharesMath for uint256;

    /// @notice May pause deposits until a time (the emergency pause alone, which bounds every pause).
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    /// @notice May end a deposit pause early (the timelock, and the emergency pause on its behalf).
    bytes32 public constant RESUME_ROLE = keccak256("RESUME_ROLE");
    /// @notice May set or remove the stake limit (the timelock only).
    bytes32 public constant STAKE_LIMIT_ROLE = keccak256("STAKE_LIMIT_ROLE");
    /// @notice May set the protocol fee, the treasury and the report age limit (the timelock only).
    bytes32 public constant MANAGE_ACCOUNTING_ROLE = keccak256("MANAGE_ACCOUNTING_ROLE");

    /// @notice Hard cap of the protocol fee (treasury and operators together), in basis points of rewards.
    uint256 public constant MAX_FEE_BPS = 2_000;
    /// @notice Shortest time a report may be awaited before deposits stop (lower bound of `maxReportAge`).
    uint256 public constant MIN_REPORT_AGE = 1 hours;
    /// @notice Longest time a report may be awaited before deposits stop (upper bound of `maxReportAge`).
    uint256 public constant MAX_REPORT_AGE = 30 days;

    /// @notice Holder of the shares minted in the initializer; nobody controls it, so the rate is always defined.
    address public constant DEAD_SHARES_HOLDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice The smallest initial deposit backing the dead shares.
    uint256 public constant MIN_INITIAL_DEPOSIT = 0.001 ether;

    uint256 internal constant VALIDATOR_DEPOSIT = 32 ether;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IDepositContract private immutable DEPOSIT_CONTRACT;

    /// @dev Packed by access pattern: a deposit rewrites the first slot and only reads the second.
    /// @custom:storage-location erc7201:plural.storage.StakingPool
    struct StakingPoolStorage {
        // Slot 0: rewritten by every deposit.
        uint96 bufferedEther;
        uint96 stakeLimitLeft;
        uint32 stakeLimitUpdatedAt;
        uint32 depositsPausedUntil;
        // Slot 1: read by every deposit. `validatorEther` is beaconBalance + transient ether, kept in step with the
        // fields of slot 2 so that pricing a share reads one slot instead of two.
        uint96 validatorEther;
        uint96 stakeLimitMax;
        uint32 stakeLimitRefillPeriod;
        uint32 reportDeadline;
        // Slot 2: validator accounting, changed by validator deposits and oracle reports.
        uint128 beaconBalance;
        uint64 depositedValidators;
        uint64 beaconValidators;
        // Read once per validator deposit.
        IOperatorRegistry operatorRegistry;
        IDepositGuard depositGuard;
        address withdrawalVault;
        // Report state, written by each report (and the first validator deposit).
        uint64 exitedValidators;
        uint64 writtenOffValidators;
        // Validators deposited by `writeOffCheckpointTime`: those of them still unseen after the deadline are lost.
        uint64 writeOffCheckpointCount;
        uint32 writeOffCheckpointTime;
        uint32 lastReportTime;
        // Fee settings, read by each report with rewards.
        address treasury;
        uint16 treasuryFeeBps;
        uint16 operatorFeeBps;
        uint32 maxReportAge;
        uint64 lastReportRefSlot;
        address executionRewardsVault;
        address accountingOracle;
        // Read by each validator deposit (the reserve) and each report (finalization).
        IWithdrawalQueue withdrawalQueue;
    }

    /// @dev Where a report's change came from (see `ReportBreakdown`).
    struct Breakdown {
        int256 beaconDelta;
        uint256 withdrawals;
        uint256 elRewards;
        uint256 writtenOff;
        uint256 treasuryShares;
        uint256 operatorShares;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.StakingPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x0124024b9acb205440ea2a6deb50499dadffb4948a2de02d61da084a21cd9600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IDepositContract depositContract_) {
        require(address(depositContract_) != address(0), ZeroAddress());
        DEPOSIT_CONTRACT = depositContract_;
        _disableInitializers();
    }

    /// @notice Initializes the proxy: grants every role to `admin` (the timelock) except `PAUSE_ROLE`, which goes to
    /// `pauser` alone (with `RESUME_ROLE`), sets the stake limit and mints dead shares 1:1 against `msg.value`, so the
    /// share rate is defined from the first block.
    /// @param admin The governance timelock.
    /// @param stakeLimitMax The stake limit in wei; zero for none.
    /// @param stakeLimitRefillPeriod Seconds for the stake limit to refill from empty.
    /// @param staking The operator registry, the deposit guard, the vaults and the oracle.
    /// @param accounting The fee, the treasury and the longest a report may be awaited.
    /// @param pauser The emergency pause.
    function initialize(
        address admin,
        uint256 stakeLimitMax,
        uint256 stakeLimitRefillPeriod,
        StakingContracts calldata staking,
        AccountingSettings calldata accounting,
        address pauser
    ) external payable initializer {
        require(
            admin != address(0) &&
                pauser != address(0) &&
                address(staking.operatorRegistry) != address(0) &&
                address(staking.depositGuard) != address(0) &&
                staking.withdrawalVault != address(0) &&
                staking.executionRewardsVault != address(0) &&
                staking.accountingOracle != address(0) &&
                address(staking.withdrawalQueue) != address(0),
            ZeroAddress()
        );
        require(msg.value >= MIN_INITIAL_DEPOSIT, InitialDepositTooSmall(msg.value, MIN_INITIAL_DEPOSIT));

        __StakedEther_init();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RESUME_ROLE, admin);
        _grantRole(PAUSE_ROLE, pauser);
        _grantRole(RESUME_ROLE, pauser);
        _grantRole(STAKE_LIMIT_ROLE, admin);
        _grantRole(MANAGE_ACCOUNTING_ROLE, admin);
        if (stakeLimitMax != 0) _setStakeLimit(stakeLimitMax, stakeLimitRefillPeriod);
        _setFees(accounting.treasuryFeeBps, accounting.operatorFeeBps);
        _setTreasury(accounting.treasury);
        _setMaxReportAge(accounting.maxReportAge);

        StakingPoolStorage storage $ = _storage();
        $.operatorRegistry = staking.operatorRegistry;
        $.depositGuard = staking.depositGuard;
        $.withdrawalVault = staking.withdrawalVault;
        $.executionRewardsVault = staking.executionRewardsVault;
        $.accountingOracle = staking.accountingOracle;
        $.withdrawalQueue = staking.withdrawalQueue;
        $.bufferedEther = msg.value.toUint96();
        _mint(DEAD_SHARES_HOLDER, msg.value);
    }

    /// @notice Deposits with no referral.
    receive() external payable {
        _deposit(address(0));
    }

    /// @inheritdoc IStakingPool
    function deposit(address referral) external payable returns (uint256) {
        return _deposit(referral);
    }

    /// @inheritdoc IStakingPool
    function depositValidators(
        IOperatorRegistry.KeySegment[] calldata segments,
        IDepositGuard.Attestation calldata attestation
    ) external {
        StakingPoolStorage storage $ = _storage();
        uint256 count;
        for (uint256 s; s < segments.length; ++s) {
            // Exact lengths are the registry's check; a ragged tail here only lowers the count and fails there.
            count += segments[s].pubkeys.length / KeyBatch.PUBKEY_LENGTH;
        }
        require(count != 0, NoValidatorsToDeposit());
        uint256 amount = count * VALIDATOR_DEPOSIT;
        uint256 bufferedEther = $.bufferedEther;
        require(amount <= bufferedEther, InsufficientBufferedEther(amount, bufferedEther));
        // Ether the unfinalized withdrawal requests may need stays in the buffer for the next finalization.
        uint256 stakeable = _stakeableEther($, bufferedEther);
        require(amount <= stakeable, BufferReservedForWithdrawals(amount, stakeable));
        $.depositGuard.checkAttestation(attestation);

        // Ether moves from the buffer to validators: totalPooledEther, and so the share rate, stays the same.
        $.bufferedEther = uint96(bufferedEther - amount);
        $.validatorEther += uint96(amount); // <= the old buffer, and validatorEther + buffer fits in 96 bits
        uint256 deposited = $.depositedValidators + count;
        $.depositedValidators = uint64(deposited);
        if ($.reportDeadline == 0) {
            // The first validators: from now on the rate depends on reports.
            $.lastReportTime = uint32(block.timestamp);
            $.reportDeadline = uint32(block.timestamp + $.maxReportAge);
        }
        if (uint256($.beaconValidators) + $.writtenOffValidators >= $.writeOffCheckpointCount) {
            // Every deposit of the last checkpoint was seen or written off: these start the next one.
            $.writeOffCheckpointCount = uint64(deposited);
            $.writeOffCheckpointTime = uint32(block.timestamp);
        }
        emit ValidatorsDeposited(count, amount);

        $.operatorRegistry.useKeys(segments);
        _depositToBeaconChain(segments, _withdrawalCredentials($.withdrawalVault));
    }

    /// @inheritdoc IStakingPool
    function handleOracleReport(OracleReport calldata report, ReportLimits calldata limits) external {
        StakingPoolStorage storage $ = _storage();
        require(msg.sender == $.accountingOracle, CallerNotOracle(msg.sender));
        uint256 preTotalEther = totalPooledEther();
        uint256 preTotalShares = totalSupply();

        Breakdown memory breakdown = _applyReport($, report, limits, preTotalEther);
        int256 profit = breakdown.beaconDelta + int256(breakdown.elRewards) - int256(breakdown.writtenOff);
        if (profit > 0) {
            (breakdown.treasuryShares, breakdown.operatorShares) = _mintFees($, uint256(profit), preTotalShares);
        }
        _finalizeWithdrawals($, report);

        emit ReportBreakdown(
            report.refSlot,
            breakdown.beaconDelta,
            breakdown.withdrawals,
            breakdown.elRewards,
            breakdown.writtenOff,
            breakdown.treasuryShares,
            breakdown.operatorShares,
            report.bunkerMode
        );
        emit ReportApplied(
            report.refSlot,
            report.timeElapsed,
            preTotalEther,
            preTotalShares,
            totalPooledEther(),
            totalSupply()
        );
    }

    /// @inheritdoc IVaultEtherRecipient
    function receiveVaultEther() external payable {
        StakingPoolStorage storage $ = _storage();
        require(msg.sender == $.withdrawalVault || msg.sender == $.executionRewardsVault, CallerNotVault(msg.sender));
        // Accounted for by the report that asked for it.
    }

    /// @inheritdoc IStakingPool
    function setFees(uint256 treasuryFeeBps, uint256 operatorFeeBps) external onlyRole(MANAGE_ACCOUNTING_ROLE) {
        _setFees(treasuryFeeBps, operatorFeeBps);
    }

    /// @inheritdoc IStakingPool
    function setTreasury(address treasury) external onlyRole(MANAGE_ACCOUNTING_ROLE) {
        _setTreasury(treasury);
    }

    /// @inheritdoc IStakingPool
    function setMaxReportAge(uint256 maxReportAge) external onlyRole(MANAGE_ACCOUNTING_ROLE) {
        _setMaxReportAge(maxReportAge);
    }

    /// @inheritdoc IStakingPool
    function getReportState() external view returns (ReportState memory state) {
        StakingPoolStorage storage $ = _storage();
        state.lastReportTime = $.lastReportTime;
        state.lastReportRefSlot = $.lastReportRefSlot;
        state.reportDeadline = $.reportDeadline;
        state.maxReportAge = $.maxReportAge;
        state.treasury = $.treasury;
        state.treasuryFeeBps = $.treasuryFeeBps;
        state.operatorFeeBps = $.operatorFeeBps;
    }

    /// @inheritdoc IStakingPool
    function setStakeLimit(uint256 maxLimit, uint256 refillPeriod) external onlyRole(STAKE_LIMIT_ROLE) {
        _setStakeLimit(maxLimit, refillPeriod);
    }

    /// @inheritdoc IStakingPool
    function removeStakeLimit() external onlyRole(STAKE_LIMIT_ROLE) {
        StakingPoolStorage storage $ = _storage();
        $.stakeLimitMax = 0;
        $.stakeLimitRefillPeriod = 0;
        $.stakeLimitLeft = 0;
        $.stakeLimitUpdatedAt = uint32(block.timestamp);
        emit StakeLimitRemoved();
    }

    /// @inheritdoc IStakingPool
    function pauseDeposits(uint256 until) external onlyRole(PAUSE_ROLE) {
        require(until > block.timestamp && until <= type(uint32).max, InvalidPauseEnd(until, block.timestamp));
        _storage().depositsPausedUntil = uint32(until);
        emit DepositsPaused(until);
    }

    /// @inheritdoc IStakingPool
    function resumeDeposits() external onlyRole(RESUME_ROLE) {
        StakingPoolStorage storage $ = _storage();
        require($.depositsPausedUntil > block.timestamp, DepositsNotPaused());
        $.depositsPausedUntil = 0;
        emit DepositsResumed();
    }

    /// @inheritdoc IStakingPool
    function getAccounting() external view returns (Accounting memory accounting) {
        StakingPoolStorage storage $ = _storage();
        accounting.bufferedEther = $.bufferedEther;
        accounting.beaconBalance = $.beaconBalance;
        accounting.depositedValidators = $.depositedValidators;
        accounting.beaconValidators = $.beaconValidators;
        accounting.exitedValidators = $.exitedValidators;
        accounting.writtenOffValidators = $.writtenOffValidators;
        accounting.transientEther =
            (accounting.depositedValidators - accounting.beaconValidators - accounting.writtenOffValidators) *
            VALIDATOR_DEPOSIT;
        accounting.totalPooledEther = accounting.bufferedEther + accounting.beaconBalance + accounting.transientEther;
        accounting.totalShares = totalSupply();
        accounting.withdrawalReserve = accounting.bufferedEther - _stakeableEther($, accounting.bufferedEther);
    }

    /// @inheritdoc IStakingPool
    function getStakeLimit() external view returns (StakeLimitInfo memory info) {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _stakeLimit(_storage());
        info.enabled = params.maxLimit != 0;
        info.maxLimit = params.maxLimit;
        info.refillPeriod = params.refillPeriod;
        info.available = StakeLimit.available(params, state, block.timestamp);
    }

    /// @inheritdoc IStakingPool
    function depositsPausedUntil() external view returns (uint256) {
        return _storage().depositsPausedUntil;
    }

    /// @inheritdoc IStakingPool
    function depositContract() external view returns (address) {
        return address(DEPOSIT_CONTRACT);
    }

    /// @inheritdoc IStakingPool
    function stakingContracts() external view returns (StakingContracts memory) {
        StakingPoolStorage storage $ = _storage();
        return
            StakingContracts(
                $.operatorRegistry,
                $.depositGuard,
                $.withdrawalVault,
                $.executionRewardsVault,
                $.accountingOracle,
                $.withdrawalQueue
            );
    }

    /// @inheritdoc IStakingPool
    function withdrawalCredentials() external view returns (bytes32) {
        return _withdrawalCredentials(_storage().withdrawalVault);
    }

    /// @inheritdoc StakedEther
    function totalPooledEther() public view override(IStakedEther, StakedEther) returns (uint256) {
        StakingPoolStorage storage $ = _storage();
        return uint256($.bufferedEther) + $.validatorEther;
    }

    function _deposit(address referral) internal returns (uint256 shares) {
        StakingPoolStorage storage $ = _storage();
        uint256 amount = msg.value;
        require(amount != 0, ZeroDeposit());
        require($.depositsPausedUntil <= block.timestamp, DepositsArePaused($.depositsPausedUntil));
        uint256 reportDeadline = $.reportDeadline;
        require(reportDeadline == 0 || block.timestamp <= reportDeadline, ReportOverdue(reportDeadline));

        (StakeLimit.Params memory params, StakeLimit.State memory state) = _stakeLimit($);
        uint256 available = StakeLimit.available(params, state, block.timestamp);
        require(amount <= available, StakeLimitExceeded(amount, available));

        uint256 bufferedEther = $.bufferedEther;
        uint256 pooledEther = bufferedEther + $.validatorEther;
        require(pooledEther != 0, NoPooledEther());
        // Rounded down: the depositor never gets more than the exact shares, so nobody else's share loses value.
        shares = amount.toSharesDown(pooledEther, totalSupply());
        require(shares != 0, DepositTooSmall(amount));

        state = StakeLimit.consume(params, state, amount, block.timestamp);
        // Internal counter, never address(this).balance: ether forced into the pool must not move the rate.
        $.bufferedEther = (bufferedEther + amount).toUint96();
        $.stakeLimitLeft = uint96(state.left); // <= stakeLimitMax, a uint96
        $.stakeLimitUpdatedAt = uint32(state.updatedAt);
        _mint(msg.sender, shares);

        emit Deposited(msg.sender, referral, amount, shares);
    }

    function _setStakeLimit(uint256 maxLimit, uint256 refillPeriod) internal {
        require(
            maxLimit != 0 && maxLimit <= type(uint96).max && refillPeriod <= type(uint32).max,
            InvalidStakeLimit(maxLimit, refillPeriod)
        );
        StakingPoolStorage storage $ = _storage();
        (StakeLimit.Params memory oldParams, StakeLimit.State memory state) = _stakeLimit($);
        StakeLimit.Params memory newParams = StakeLimit.Params({maxLimit: maxLimit, refillPeriod: refillPeriod});
        state = StakeLimit.reset(oldParams, state, newParams, block.timestamp);

        $.stakeLimitMax = uint96(maxLimit);
        $.stakeLimitRefillPeriod = uint32(refillPeriod);
        $.stakeLimitLeft = uint96(state.left);
        $.stakeLimitUpdatedAt = uint32(state.updatedAt);
        emit StakeLimitSet(maxLimit, refillPeriod);
    }

    /// @dev Checks a report against the bounds, writes the new state, takes the vaults' ether. Mints nothing.
    function _applyReport(
        StakingPoolStorage storage $,
        OracleReport calldata report,
        ReportLimits calldata limits,
        uint256 preTotalEther
    ) private returns (Breakdown memory breakdown) {
        (uint256 beaconBefore, uint256 writtenOff) = _checkCounts($, report);
        // At most what the vault holds now: a forced exit's EIP-7002 fee may have left it since the reference block, and
        // is then a cost of this report rather than a reason to refuse it.
        breakdown.withdrawals = Math.min(report.withdrawalVaultBalance, $.withdrawalVault.balance);
        breakdown.elRewards = Math.min(
            _checkedVaultBalance($.executionRewardsVault, report.elRewardsVaultBalance),
            (preTotalEther * limits.maxElRewardsBps) / BPS
        );
        (breakdown.beaconDelta, breakdown.withdrawals) = _checkBeaconDelta(
            report,
            limits,
            beaconBefore,
            breakdown.withdrawals
        );
        uint256 newlyWrittenOff = _writeOff($, report, limits.unseenDepositDeadline, writtenOff);
        breakdown.writtenOff = newlyWrittenOff * VALIDATOR_DEPOSIT;
        writtenOff += newlyWrittenOff;

        uint256 beaconValidators = report.beaconValidators;
        $.bufferedEther = (uint256($.bufferedEther) + breakdown.withdrawals + breakdown.elRewards).toUint96();
        $.validatorEther = (report.beaconBalance +
            (uint256($.depositedValidators) - beaconValidators - writtenOff) * VALIDATOR_DEPOSIT).toUint96();
        $.beaconBalance = report.beaconBalance.toUint128();
        $.beaconValidators = uint64(beaconValidators); // <= depositedValidators
        $.exitedValidators = uint64(report.exitedValidators); // <= beaconValidators
        $.writtenOffValidators = uint64(writtenOff);
        $.lastReportTime = uint32(block.timestamp);
        $.reportDeadline = uint32(block.timestamp + $.maxReportAge);
        $.lastReportRefSlot = report.refSlot.toUint64();

        if (breakdown.withdrawals != 0) IPoolVault($.withdrawalVault).withdrawToPool(breakdown.withdrawals);
        if (breakdown.elRewards != 0) IPoolVault($.executionRewardsVault).withdrawToPool(breakdown.elRewards);
    }

    /// @dev Checks the report's counts; returns what the beacon side held before it (the last balance plus 32 ether
    /// per validator seen since) and the written-off count after deposits seen at last are taken back.
    function _checkCounts(
        StakingPoolStorage storage $,
        OracleReport calldata report
    ) private view returns (uint256 beaconBefore, uint256 writtenOff) {
        uint256 deposited = $.depositedValidators;
        uint256 previouslySeen = $.beaconValidators;
        uint256 seen = report.beaconValidators;
        require(seen >= previouslySeen, BeaconValidatorsDecreased(previouslySeen, seen));
        require(seen <= deposited, BeaconValidatorsAboveDeposited(seen, deposited));
        uint256 previouslyExited = $.exitedValidators;
        require(
            report.exitedValidators >= previouslyExited && report.exitedValidators <= seen,
            InvalidExitedValidators(previouslyExited, report.exitedValidators, seen)
        );
        writtenOff = $.writtenOffValidators;
        // A deposit written off that shows up after all comes back as the principal it is, not as rewards.
        if (seen + writtenOff > deposited) writtenOff = deposited - seen;
        beaconBefore = $.beaconBalance + (seen - previouslySeen) * VALIDATOR_DEPOSIT;
    }

    /// @dev Checks the beacon side's change against the bounds: a gain within the annual rate for the time elapsed,
    /// a loss within the per-report bound plus what governance allowed. Returns the change and the withdrawals to
    /// take: the withdrawal vault's ether beyond what the gain bound explains (ether anyone can send it) waits there
    /// for later reports instead of blocking this one, as the execution-rewards vault's does; only a beacon balance
    /// above the bound on its own is refused.
    function _checkBeaconDelta(
        OracleReport calldata report,
        ReportLimits calldata limits,
        uint256 beaconBefore,
        uint256 withdrawals
    ) private pure returns (int256 delta, uint256 taken) {
        uint256 beaconAfter = report.beaconBalance + withdrawals;
        if (beaconAfter >= beaconBefore) {
            uint256 cap = Math.mulDiv(beaconBefore, limits.maxAprBps * report.timeElapsed, YEAR * BPS);
            uint256 ceiling = beaconBefore + cap;
            if (beaconAfter > ceiling && report.beaconBalance <= ceiling) {
                withdrawals = ceiling - report.beaconBalance;
                beaconAfter = ceiling;
            }
            uint256 gain = beaconAfter - beaconBefore;
            require(gain <= cap, RewardsAboveCap(gain, cap));
            return (gain.toInt256(), withdrawals);
        }
        uint256 loss = beaconBefore - beaconAfter;
        uint256 bound = (beaconBefore * limits.maxLossBps) / BPS + limits.extraLossAllowed;
        require(loss <= bound, LossAboveBound(loss, bound));
        return (-loss.toInt256(), withdrawals);
    }

    /// @dev Deposits of the checkpoint still unseen `deadline` seconds after it are written off; once every deposit
    /// of the checkpoint is accounted for, the deposits made since start the next one. A deposit is thus written
    /// off between `deadline` and twice that after it was made. Returns the count newly written off.
    function _writeOff(
        StakingPoolStorage storage $,
        OracleReport calldata report,
        uint256 deadline,
        uint256 writtenOff
    ) private returns (uint256 newlyWrittenOff) {
        uint256 checkpointCount = $.writeOffCheckpointCount;
        uint256 accountedFor = report.beaconValidators + writtenOff;
        if (accountedFor < checkpointCount && report.timestamp >= $.writeOffCheckpointTime + deadline) {
            newlyWrittenOff = checkpointCount - accountedFor;
            accountedFor = checkpointCount;
            emit ValidatorsWrittenOff(newlyWrittenOff, writtenOff + newlyWrittenOff);
        }
        uint256 deposited = $.depositedValidators;
        if (accountedFor >= checkpointCount && deposited > checkpointCount) {
            $.writeOffCheckpointCount = uint64(deposited);
            $.writeOffCheckpointTime = uint32(block.timestamp);
        }
    }

    /// @dev Mints the fee on `profit` as new shares, so holders keep exactly (1 − fee) of it: the treasury's part to
    /// the treasury, the operators' to the registry, which spreads it over the active validators.
    function _mintFees(
        StakingPoolStorage storage $,
        uint256 profit,
        uint256 preTotalShares
    ) private returns (uint256 treasuryShares, uint256 operatorShares) {
        uint256 treasuryFeeBps = $.treasuryFeeBps;
        uint256 feeBps = treasuryFeeBps + $.operatorFeeBps;
        if (feeBps == 0) return (0, 0);
        // shares / (totalShares + shares) × pooledEther = profit × fee: solved for shares, rounded down.
        uint256 feeEther = profit * feeBps;
        uint256 shares = Math.mulDiv(feeEther, preTotalShares, totalPooledEther() * BPS - feeEther);
        treasuryShares = (shares * treasuryFeeBps) / feeBps;
        operatorShares = shares - treasuryShares;
        if (treasuryShares != 0) _mint($.treasury, treasuryShares);
        if (operatorShares != 0) {
            IOperatorRegistry registry = $.operatorRegistry;
            _mint(address(registry), operatorShares);
            registry.distributeFees(operatorShares);
        }
    }

    /// @dev The queue prices the finalized requests at the post-fee rate, within the buffer; their plETH is burned and
    /// their ether leaves the buffer, at a rate no better than the pool's, so no remaining share loses value.
    function _finalizeWithdrawals(StakingPoolStorage storage $, OracleReport calldata report) private {
        IWithdrawalQueue queue = $.withdrawalQueue;
        // No plETH in the queue, no request waits: nothing to finalize and no rate period to close.
        if (balanceOf(address(queue)) == 0) return;
        uint256 bufferedEther = $.bufferedEther;
        (uint256 etherToLock, uint256 sharesToBurn) = queue.finalize(
            report.lastFinalizableRequestId,
            report.timestamp,
            report.bunkerMode,
            totalPooledEther(),
            totalSupply(),
            bufferedEther
        );
        if (sharesToBurn == 0) return;
        // etherToLock <= bufferedEther: the queue finalizes only what the buffer pays.
        $.bufferedEther = uint96(bufferedEther - etherToLock);
        _burn(address(queue), sharesToBurn);
        Address.sendValue(payable(address(queue)), etherToLock);
    }

    function _checkedVaultBalance(address vault, uint256 reported) private view returns (uint256) {
        require(reported <= vault.balance, VaultBalanceTooLow(vault, reported, vault.balance));
        return reported;
    }

    function _setFees(uint256 treasuryFeeBps, uint256 operatorFeeBps) private {
        require(treasuryFeeBps + operatorFeeBps <= MAX_FEE_BPS, InvalidFees(treasuryFeeBps, operatorFeeBps));
        StakingPoolStorage storage $ = _storage();
        $.treasuryFeeBps = uint16(treasuryFeeBps);
        $.operatorFeeBps = uint16(operatorFeeBps);
        emit FeesSet(treasuryFeeBps, operatorFeeBps);
    }

    function _setTreasury(address treasury) private {
        require(treasury != address(0), ZeroAddress());
        _storage().treasury = treasury;
        emit TreasurySet(treasury);
    }

    function _setMaxReportAge(uint256 maxReportAge) private {
        require(maxReportAge >= MIN_REPORT_AGE && maxReportAge <= MAX_REPORT_AGE, InvalidMaxReportAge(maxReportAge));
        StakingPoolStorage storage $ = _storage();
        $.maxReportAge = uint32(maxReportAge);
        uint256 deadline;
        if ($.reportDeadline != 0) {
            deadline = $.lastReportTime + maxReportAge;
            $.reportDeadline = uint32(deadline);
        }
        emit MaxReportAgeSet(maxReportAge, deadline);
    }

    /// @dev One deposit of 32 ether per key, in segment order. The registry has checked every key against its
    /// commitment; the deposit contract checks each deposit_data_root against the key, signature and our credentials.
    function _depositToBeaconChain(IOperatorRegistry.KeySegment[] calldata segments, bytes32 credentials) private {
        bytes memory credentialBytes = abi.encodePacked(credentials);
        for (uint256 s; s < segments.length; ++s) {
            IOperatorRegistry.KeySegment calldata keys = segments[s];
            uint256 count = keys.depositDataRoots.length;
            for (uint256 i; i < count; ++i) {
                uint256 freeMemory;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    freeMemory := mload(0x40)
                }
                DEPOSIT_CONTRACT.deposit{value: VALIDATOR_DEPOSIT}(
                    keys.pubkeys[i * KeyBatch.PUBKEY_LENGTH:(i + 1) * KeyBatch.PUBKEY_LENGTH],
                    credentialBytes,
                    keys.signatures[i * KeyBatch.SIGNATURE_LENGTH:(i + 1) * KeyBatch.SIGNATURE_LENGTH],
                    keys.depositDataRoots[i]
                );
                // The call's encoding is dead once it returns: reuse its memory rather than grow memory per deposit.
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    mstore(0x40, freeMemory)
                }
            }
        }
    }

    /// @dev The buffer less what the unfinalized withdrawal requests may need (their value when made).
    function _stakeableEther(StakingPoolStorage storage $, uint256 bufferedEther) private view returns (uint256) {
        uint256 reserve = $.withdrawalQueue.unfinalizedEther();
        return bufferedEther > reserve ? bufferedEther - reserve : 0;
    }

    function _withdrawalCredentials(address vault) private pure returns (bytes32) {
        return bytes32(uint256(uint160(vault)) | (uint256(0x01) << 248));
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _stakeLimit(
        StakingPoolStorage storage $
    ) private view returns (StakeLimit.Params memory params, StakeLimit.State memory state) {
        params = StakeLimit.Params({maxLimit: $.stakeLimitMax, refillPeriod: $.stakeLimitRefillPeriod});
        state = StakeLimit.State({left: $.stakeLimitLeft, updatedAt: $.stakeLimitUpdatedAt});
    }

    function _storage() private pure returns (StakingPoolStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
