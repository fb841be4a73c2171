// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IDepositContract} from "./interfaces/IDepositContract.sol";
import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakedEther} from "./interfaces/IStakedEther.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {KeyBatch} from "./libraries/KeyBatch.sol";
import {SharesMath} from "./libraries/SharesMath.sol";
import {StakeLimit} from "./libraries/StakeLimit.sol";
import {StakedEther} from "./StakedEther.sol";

/// @title StakingPool
/// @notice Plural's entry point and the plETH token: takes deposits, holds the buffer and keeps the accounting that
/// prices every share.
/// @dev Invariants (tested by these names):
/// - `invariant_TotalPooledEtherIsBufferPlusValidators`: totalPooledEther == bufferedEther + beaconBalance
///   + 32 ether × (depositedValidators − beaconValidators).
/// - `invariant_DepositNeverLowersShareValue`: no deposit lowers the ether value of any existing share.
/// - `invariant_BufferNeverExceedsBalance`: bufferedEther <= address(this).balance; ether sent around the deposit
///   functions (forced transfers) never enters the accounting.
/// @custom:oz-upgrades
contract StakingPool is IStakingPool, StakedEther, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeCast for uint256;
    using SharesMath for uint256;

    /// @notice May pause deposits until a time (the timelock; later also the emergency-pause guardian).
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    /// @notice May end a deposit pause early (the timelock only).
    bytes32 public constant RESUME_ROLE = keccak256("RESUME_ROLE");
    /// @notice May set or remove the stake limit (the timelock only).
    bytes32 public constant STAKE_LIMIT_ROLE = keccak256("STAKE_LIMIT_ROLE");

    /// @notice Holder of the shares minted in the initializer; nobody controls it, so the rate is always defined.
    address public constant DEAD_SHARES_HOLDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice The smallest initial deposit backing the dead shares.
    uint256 public constant MIN_INITIAL_DEPOSIT = 0.001 ether;

    uint256 internal constant VALIDATOR_DEPOSIT = 32 ether;

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
        // Slot 2: validator accounting, changed by validator deposits and oracle reports.
        uint128 beaconBalance;
        uint64 depositedValidators;
        uint64 beaconValidators;
        // Read once per validator deposit.
        IOperatorRegistry operatorRegistry;
        IDepositGuard depositGuard;
        address withdrawalVault;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.StakingPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x0124024b9acb205440ea2a6deb50499dadffb4948a2de02d61da084a21cd9600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IDepositContract depositContract_) {
        require(address(depositContract_) != address(0), ZeroAddress());
        DEPOSIT_CONTRACT = depositContract_;
        _disableInitializers();
    }

    /// @notice Initializes the proxy: grants every role to `admin` (the timelock), sets the stake limit and mints
    /// dead shares 1:1 against `msg.value`, so the share rate is defined from the first block.
    /// @param admin The governance timelock.
    /// @param stakeLimitMax The stake limit in wei; zero for none.
    /// @param stakeLimitRefillPeriod Seconds for the stake limit to refill from empty.
    /// @param staking The operator registry, the deposit guard and the withdrawal vault.
    function initialize(
        address admin,
        uint256 stakeLimitMax,
        uint256 stakeLimitRefillPeriod,
        StakingContracts calldata staking
    ) external payable initializer {
        require(
            admin != address(0) &&
                address(staking.operatorRegistry) != address(0) &&
                address(staking.depositGuard) != address(0) &&
                staking.withdrawalVault != address(0),
            ZeroAddress()
        );
        require(msg.value >= MIN_INITIAL_DEPOSIT, InitialDepositTooSmall(msg.value, MIN_INITIAL_DEPOSIT));

        __StakedEther_init();
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSE_ROLE, admin);
        _grantRole(RESUME_ROLE, admin);
        _grantRole(STAKE_LIMIT_ROLE, admin);
        if (stakeLimitMax != 0) _setStakeLimit(stakeLimitMax, stakeLimitRefillPeriod);

        StakingPoolStorage storage $ = _storage();
        $.operatorRegistry = staking.operatorRegistry;
        $.depositGuard = staking.depositGuard;
        $.withdrawalVault = staking.withdrawalVault;
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
        $.depositGuard.checkAttestation(attestation);

        // Ether moves from the buffer to validators: totalPooledEther, and so the share rate, stays the same.
        $.bufferedEther = uint96(bufferedEther - amount);
        $.validatorEther += uint96(amount); // <= the old buffer, and validatorEther + buffer fits in 96 bits
        $.depositedValidators += uint64(count);
        emit ValidatorsDeposited(count, amount);

        $.operatorRegistry.useKeys(segments);
        _depositToBeaconChain(segments, _withdrawalCredentials($.withdrawalVault));
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
        accounting.transientEther = (accounting.depositedValidators - accounting.beaconValidators) * VALIDATOR_DEPOSIT;
        accounting.totalPooledEther = accounting.bufferedEther + accounting.beaconBalance + accounting.transientEther;
        accounting.totalShares = totalSupply();
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
        return StakingContracts($.operatorRegistry, $.depositGuard, $.withdrawalVault);
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
