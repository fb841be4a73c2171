// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakedEther} from "./interfaces/IStakedEther.sol";
import {KeyBatch} from "./libraries/KeyBatch.sol";
import {MinFirstAllocation} from "./libraries/MinFirstAllocation.sol";

/// @title OperatorRegistry
/// @notice The node operators Plural stakes with, their committed keys, and the spread of new validators over them.
/// @dev Invariants (tested by these names):
/// - `invariant_KeyCountsAreOrdered`: for every operator, exited <= deposited <= vetted <= total keys.
/// - `invariant_TotalDepositedIsSumOfOperators`: the registry's deposited total is the sum over operators.
/// - `invariant_NoDepositAboveVettedOrCap`: no `useKeys` takes an operator above its vetted count or above the
///   share cap of the active validators after the deposit.
/// - `invariant_FeesNeverExceedHoldings`: the operators' claimable fees never add up to more plETH than the registry
///   holds.
/// - `invariant_ExitedNeverAboveDeposited`: exited <= deposited for every operator, and the registry's exited total
///   is their sum.
/// - `invariant_PenalizedOnlyPastDeadline`: an operator is penalized only with requests unmet past their deadline.
/// @custom:oz-upgrades
contract OperatorRegistry is IOperatorRegistry, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice Activates and deactivates operators; sets reward addresses, the share cap, the vetting limit and the
    /// exit response time (the timelock).
    bytes32 public constant MANAGE_OPERATORS_ROLE = keccak256("MANAGE_OPERATORS_ROLE");
    /// @notice Adds operators and clusters (the timelock and the operations timelock).
    bytes32 public constant ADD_OPERATOR_ROLE = keccak256("ADD_OPERATOR_ROLE");
    /// @notice Sets how many keys of an operator may be deposited, within the vetting limit (the timelock and the
    /// operations timelock).
    bytes32 public constant VET_KEYS_ROLE = keccak256("VET_KEYS_ROLE");
    /// @notice Unvets an operator's unused keys at once (the deposit guard, on a guardian quorum).
    bytes32 public constant UNVET_KEYS_ROLE = keccak256("UNVET_KEYS_ROLE");
    /// @notice Applies the oracle committee's exit data (the accounting oracle).
    bytes32 public constant REPORT_EXITS_ROLE = keccak256("REPORT_EXITS_ROLE");

    /// @notice Bounds the allocation loop, which reads every operator.
    uint256 public constant MAX_OPERATORS = 200;
    /// @notice Bounds the gas of one `addKeys`.
    uint256 public constant MAX_KEYS_PER_BATCH = 1000;
    /// @notice Bounds the duplicate check of a cluster's members.
    uint256 public constant MAX_CLUSTER_MEMBERS = 32;
    /// @notice Shortest exit response time: an operator needs hours to sign and broadcast an exit.
    uint256 public constant MIN_EXIT_RESPONSE_TIME = 1 hours;
    /// @notice Longest exit response time: withdrawals must not wait on an operator for longer.
    uint256 public constant MAX_EXIT_RESPONSE_TIME = 30 days;
    /// @notice Hard limit of `vettingLimit`, the keys an operator may have vetted and not yet deposited.
    uint256 public constant MAX_VETTING_LIMIT = 10_000;

    uint256 internal constant BPS = 10_000;
    /// @dev Scale of the fee accumulator (plETH per validator).
    uint256 internal constant FEE_PRECISION = 1e18;

    /// @dev The counts share one slot, the one allocation reads for every operator.
    struct OperatorData {
        uint48 totalKeys;
        uint48 vettedKeys;
        uint48 depositedKeys;
        uint48 exitedKeys;
        bool active;
        uint8 clusterThreshold;
        // In the slot allocation reads: a penalized operator gets no new validators.
        bool exitPenalized;
        address manager;
        address rewardAddress;
        string name;
        address[] clusterMembers;
    }

    struct BatchData {
        bytes32 root;
        uint48 firstIndex;
        uint48 size;
        uint48 end;
    }

    /// @custom:storage-location erc7201:plural.storage.OperatorRegistry
    struct RegistryStorage {
        address pool;
        uint64 nonce;
        uint16 shareCapBps;
        uint64 totalDeposited;
        uint64 totalExited;
        OperatorData[] operators;
        mapping(uint256 operatorId => BatchData[]) batches;
        // Operator fees: plETH per active validator since the start (scaled by FEE_PRECISION), and fees that arrived
        // while no validator was active.
        uint160 feePerValidator;
        uint96 heldBackFees;
        mapping(uint256 operatorId => FeeAccount) feeAccounts;
        // Exits: seconds operators have to meet a batch of requests, and each operator's requests.
        uint32 exitResponseTime;
        // The most keys an operator may have vetted and not yet deposited.
        uint32 vettingLimit;
        mapping(uint256 operatorId => ExitData) exits;
    }

    /// @dev An operator's exit requests, in two cohorts: the oldest unmet one (`due*`, whose deadline never moves) and
    /// the newer requests merged (`target*`, due by the newest one's deadline). Exited counts meet them in order.
    struct ExitData {
        uint48 nextIndex;
        uint48 dueExited;
        uint40 dueBy;
        uint48 targetExited;
        uint40 targetBy;
    }

    /// @dev An operator's fees: the accumulator when last settled, and what it earned up to then.
    struct FeeAccount {
        uint160 checkpoint;
        uint96 unclaimed;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.OperatorRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x5c9880f138233f0c04368c9d11f7bb6ec2cac4388c27f21e3379e1b90cb98d00;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy: every role to `admin` (the timelock), except `UNVET_KEYS_ROLE` to `guard` and
    /// `REPORT_EXITS_ROLE` to `oracle`; `ADD_OPERATOR_ROLE` and `VET_KEYS_ROLE` also to `operations`.
    /// @param admin The governance timelock.
    /// @param pool_ The staking pool, the only user of keys.
    /// @param guard The deposit guard.
    /// @param oracle The accounting oracle.
    /// @param shareCapBps_ The share cap in basis points.
    /// @param exitResponseTime_ Seconds operators have to meet a batch of exit requests.
    /// @param operations The operations timelock (routine operator administration); zero for none.
    /// @param vettingLimit_ The most keys an operator may have vetted and not yet deposited.
    function initialize(
        address admin,
        address pool_,
        address guard,
        address oracle,
        uint256 shareCapBps_,
        uint256 exitResponseTime_,
        address operations,
        uint256 vettingLimit_
    ) external initializer {
        require(
            admin != address(0) && pool_ != address(0) && guard != address(0) && oracle != address(0),
            ZeroAddress()
        );
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MANAGE_OPERATORS_ROLE, admin);
        _grantRole(ADD_OPERATOR_ROLE, admin);
        _grantRole(VET_KEYS_ROLE, admin);
        if (operations != address(0)) {
            _grantRole(ADD_OPERATOR_ROLE, operations);
            _grantRole(VET_KEYS_ROLE, operations);
        }
        _grantRole(UNVET_KEYS_ROLE, guard);
        _grantRole(REPORT_EXITS_ROLE, oracle);
        _storage().pool = pool_;
        _setShareCap(shareCapBps_);
        _setExitResponseTime(exitResponseTime_);
        _setVettingLimit(vettingLimit_);
    }

    /// @inheritdoc IOperatorRegistry
    function addOperator(
        string calldata name,
        address manager,
        address rewardAddress
    ) external onlyRole(ADD_OPERATOR_ROLE) returns (uint256) {
        return _addOperator(name, manager, rewardAddress);
    }

    /// @inheritdoc IOperatorRegistry
    function addCluster(
        string calldata name,
        address manager,
        address rewardAddress,
        uint256 threshold,
        address[] calldata members
    ) external onlyRole(ADD_OPERATOR_ROLE) returns (uint256 operatorId) {
        uint256 n = members.length;
        require(2 <= threshold && threshold <= n && n <= MAX_CLUSTER_MEMBERS, InvalidCluster(threshold, n));
        for (uint256 i; i < n; ++i) {
            require(members[i] != address(0), ZeroAddress());
            for (uint256 j; j < i; ++j) {
                require(members[i] != members[j], InvalidCluster(threshold, n));
            }
        }
        operatorId = _addOperator(name, manager, rewardAddress);
        OperatorData storage op = _storage().operators[operatorId];
        op.clusterThreshold = uint8(threshold); // <= MAX_CLUSTER_MEMBERS
        op.clusterMembers = members;
        emit ClusterMembersSet(operatorId, threshold, members);
    }

    /// @inheritdoc IOperatorRegistry
    function setOperatorActive(uint256 operatorId, bool active) external onlyRole(MANAGE_OPERATORS_ROLE) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        require(op.active != active, OperatorActiveUnchanged(operatorId, active));
        op.active = active;
        emit OperatorActiveSet(operatorId, active);
        if (!active && op.vettedKeys != op.depositedKeys) {
            op.vettedKeys = op.depositedKeys;
            emit VettedKeysSet(operatorId, op.depositedKeys);
        }
        _bumpNonce($);
    }

    /// @inheritdoc IOperatorRegistry
    function setRewardAddress(uint256 operatorId, address rewardAddress) external onlyRole(MANAGE_OPERATORS_ROLE) {
        require(rewardAddress != address(0), ZeroAddress());
        _operator(_storage(), operatorId).rewardAddress = rewardAddress;
        emit RewardAddressSet(operatorId, rewardAddress);
    }

    /// @inheritdoc IOperatorRegistry
    function setManager(uint256 operatorId, address manager) external {
        OperatorData storage op = _operator(_storage(), operatorId);
        require(msg.sender == op.manager, NotOperatorManager(operatorId, msg.sender));
        require(manager != address(0), ZeroAddress());
        op.manager = manager;
        emit ManagerSet(operatorId, manager);
    }

    /// @inheritdoc IOperatorRegistry
    function setShareCap(uint256 shareCapBps_) external onlyRole(MANAGE_OPERATORS_ROLE) {
        _setShareCap(shareCapBps_);
    }

    /// @inheritdoc IOperatorRegistry
    function addKeys(uint256 operatorId, bytes calldata pubkeys, bytes calldata signatures) external {
        (uint256 batchIndex, uint256 firstIndex, uint256 count, bytes32 root) = _commitKeys(
            operatorId,
            pubkeys,
            signatures
        );
        emit KeysAdded(operatorId, batchIndex, firstIndex, count, root, pubkeys, signatures);
        _bumpNonce(_storage());
    }

    /// @inheritdoc IOperatorRegistry
    function dropKeys(uint256 operatorId, uint256 fromIndex) external {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        require(
            msg.sender == op.manager || hasRole(MANAGE_OPERATORS_ROLE, msg.sender),
            NotOperatorManager(operatorId, msg.sender)
        );
        uint256 deposited = op.depositedKeys;
        uint256 total = op.totalKeys;
        require(deposited <= fromIndex && fromIndex < total, InvalidDropIndex(fromIndex, deposited, total));

        // Batches wholly dropped go; a batch cut in two keeps its root but ends at `fromIndex`, so keys added later
        // at the same indices can only be proven against their own batch.
        BatchData[] storage batches = $.batches[operatorId];
        uint256 length = batches.length;
        while (length != 0 && batches[length - 1].firstIndex >= fromIndex) {
            batches.pop();
            --length;
        }
        if (length != 0 && batches[length - 1].end > fromIndex) batches[length - 1].end = uint48(fromIndex);

        op.totalKeys = uint48(fromIndex);
        emit KeysDropped(operatorId, fromIndex);
        if (op.vettedKeys > fromIndex) {
            op.vettedKeys = uint48(fromIndex);
            emit VettedKeysSet(operatorId, fromIndex);
        }
        _bumpNonce($);
    }

    /// @inheritdoc IOperatorRegistry
    function setVettedKeys(uint256 operatorId, uint256 vettedKeys) external onlyRole(VET_KEYS_ROLE) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        uint256 deposited = op.depositedKeys;
        uint256 total = op.totalKeys;
        require(deposited <= vettedKeys && vettedKeys <= total, InvalidVettedKeys(vettedKeys, deposited, total));
        uint256 limit = $.vettingLimit;
        // Lowering is always allowed; raising stays within the limit of keys waiting for a deposit.
        require(
            vettedKeys <= op.vettedKeys || vettedKeys - deposited <= limit,
            VettingLimitExceeded(vettedKeys, deposited, limit)
        );
        op.vettedKeys = uint48(vettedKeys);
        emit VettedKeysSet(operatorId, vettedKeys);
        _bumpNonce($);
    }

    /// @inheritdoc IOperatorRegistry
    function unvetKeys(uint256 operatorId) external onlyRole(UNVET_KEYS_ROLE) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        op.vettedKeys = op.depositedKeys;
        emit VettedKeysSet(operatorId, op.depositedKeys);
        _bumpNonce($);
    }

    /// @inheritdoc IOperatorRegistry
    function useKeys(KeySegment[] calldata segments) external returns (uint256 count) {
        RegistryStorage storage $ = _storage();
        require(msg.sender == $.pool, CallerNotPool(msg.sender));
        for (uint256 s; s < segments.length; ++s) {
            uint256 keys = _keyCount(segments[s].pubkeys, segments[s].signatures);
            require(
                segments[s].depositDataRoots.length == keys,
                DepositDataRootsMismatch(keys, segments[s].depositDataRoots.length)
            );
            count += keys;
        }
        (uint256[] memory allocation, uint256 allocated) = _allocate($, count);
        require(allocated == count, NotEnoughDepositableKeys(count, allocated));

        uint256 segment;
        for (uint256 operatorId; operatorId < allocation.length; ++operatorId) {
            if (allocation[operatorId] != 0) {
                segment = _useOperatorKeys($, segments, segment, operatorId, allocation[operatorId]);
            }
        }
        $.totalDeposited += uint64(count); // count <= keys vetted, each below 2**48 per operator
    }

    /// @inheritdoc IOperatorRegistry
    function distributeFees(uint256 shares) external {
        RegistryStorage storage $ = _storage();
        require(msg.sender == $.pool, CallerNotPool(msg.sender));
        uint256 total = shares + $.heldBackFees;
        uint256 active = uint256($.totalDeposited) - $.totalExited;
        if (active == 0) {
            $.heldBackFees = total.toUint96();
            emit FeesDistributed(total, 0, $.feePerValidator);
            return;
        }
        // Rounded down: the operators' claims never exceed what the registry holds; the dust stays here.
        uint256 feePerValidator = $.feePerValidator + (total * FEE_PRECISION) / active;
        $.feePerValidator = feePerValidator.toUint160();
        $.heldBackFees = 0;
        emit FeesDistributed(total, active, feePerValidator);
    }

    /// @inheritdoc IOperatorRegistry
    function claimFees(uint256 operatorId) external returns (uint256 shares) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        _settleFees($, op, operatorId, _activeValidators(op));
        FeeAccount storage account = $.feeAccounts[operatorId];
        shares = account.unclaimed;
        require(shares != 0, NoFeesToClaim(operatorId));
        account.unclaimed = 0;
        address rewardAddress = op.rewardAddress;
        emit FeesClaimed(operatorId, rewardAddress, shares);
        IERC20($.pool).safeTransfer(rewardAddress, shares);
    }

    /// @inheritdoc IOperatorRegistry
    function claimableFees(uint256 operatorId) external view returns (uint256) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        FeeAccount storage account = $.feeAccounts[operatorId];
        // What a penalized operator earns since its last settlement is burned when settled, never claimable.
        if (op.exitPenalized) return account.unclaimed;
        return account.unclaimed + _earned(_activeValidators(op), $.feePerValidator, account.checkpoint);
    }

    /// @inheritdoc IOperatorRegistry
    function applyExitUpdates(ExitUpdate[] calldata updates) external onlyRole(REPORT_EXITS_ROLE) {
        RegistryStorage storage $ = _storage();
        bool allocationChanged;
        for (uint256 i; i < updates.length; ++i) {
            ExitUpdate calldata update = updates[i];
            if (i != 0) {
                uint256 previousId = updates[i - 1].operatorId;
                require(update.operatorId > previousId, ExitUpdatesNotSorted(update.operatorId, previousId));
            }
            OperatorData storage op = _operator($, update.operatorId);
            if (_updateExitedKeys($, op, update.operatorId, update.exitedKeys)) allocationChanged = true;
            ExitData storage exit = $.exits[update.operatorId];
            // Cohorts move on the new count before new requests join them: a batch met now hands the next one its own
            // deadline, not the new requests'. New requests cannot change the penalty: their deadline is ahead.
            if (_refreshPenalty($, op, exit, update.operatorId)) allocationChanged = true;
            // Also with pubkeys but no key indices, for `_requestExits` to refuse: malformed data never applies.
            if (update.keyIndices.length != 0 || update.pubkeys.length != 0) _requestExits($, op, exit, update);
        }
        // Fewer active validators or a penalty change who gets the next validators: attestations made before are void.
        if (allocationChanged) _bumpNonce($);
    }

    /// @inheritdoc IOperatorRegistry
    function setVettingLimit(uint256 vettingLimit_) external onlyRole(MANAGE_OPERATORS_ROLE) {
        _setVettingLimit(vettingLimit_);
    }

    /// @inheritdoc IOperatorRegistry
    function vettingLimit() external view returns (uint256) {
        return _storage().vettingLimit;
    }

    /// @inheritdoc IOperatorRegistry
    function setExitResponseTime(uint256 exitResponseTime_) external onlyRole(MANAGE_OPERATORS_ROLE) {
        _setExitResponseTime(exitResponseTime_);
    }

    /// @inheritdoc IOperatorRegistry
    function getExitState(uint256 operatorId) external view returns (ExitState memory state) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        ExitData memory exit = $.exits[operatorId];
        state.exitedKeys = op.exitedKeys;
        state.nextExitIndex = exit.nextIndex;
        state.dueExited = exit.dueExited;
        state.dueBy = exit.dueBy;
        state.targetExited = exit.targetExited;
        state.targetBy = exit.targetBy;
        state.penalized = op.exitPenalized;
    }

    /// @inheritdoc IOperatorRegistry
    function exitResponseTime() external view returns (uint256) {
        return _storage().exitResponseTime;
    }

    /// @inheritdoc IOperatorRegistry
    function allocate(uint256 count) external view returns (uint256[] memory allocation, uint256 allocated) {
        return _allocate(_storage(), count);
    }

    /// @inheritdoc IOperatorRegistry
    function getOperator(uint256 operatorId) external view returns (Operator memory operator) {
        OperatorData storage op = _operator(_storage(), operatorId);
        operator.active = op.active;
        operator.totalKeys = op.totalKeys;
        operator.vettedKeys = op.vettedKeys;
        operator.depositedKeys = op.depositedKeys;
        operator.exitedKeys = op.exitedKeys;
        operator.clusterThreshold = op.clusterThreshold;
        operator.manager = op.manager;
        operator.rewardAddress = op.rewardAddress;
        operator.name = op.name;
        operator.clusterMembers = op.clusterMembers;
    }

    /// @inheritdoc IOperatorRegistry
    function operatorCount() external view returns (uint256) {
        return _storage().operators.length;
    }

    /// @inheritdoc IOperatorRegistry
    function getBatch(uint256 operatorId, uint256 batchIndex) external view returns (Batch memory) {
        RegistryStorage storage $ = _storage();
        _operator($, operatorId);
        BatchData[] storage batches = $.batches[operatorId];
        require(batchIndex < batches.length, BatchNotFound(operatorId, batchIndex));
        BatchData storage batch = batches[batchIndex];
        return Batch({root: batch.root, firstIndex: batch.firstIndex, size: batch.size, end: batch.end});
    }

    /// @inheritdoc IOperatorRegistry
    function batchCount(uint256 operatorId) external view returns (uint256) {
        RegistryStorage storage $ = _storage();
        _operator($, operatorId);
        return $.batches[operatorId].length;
    }

    /// @inheritdoc IOperatorRegistry
    function nonce() external view returns (uint256) {
        return _storage().nonce;
    }

    /// @inheritdoc IOperatorRegistry
    function shareCapBps() external view returns (uint256) {
        return _storage().shareCapBps;
    }

    /// @inheritdoc IOperatorRegistry
    function activeValidators() external view returns (uint256) {
        RegistryStorage storage $ = _storage();
        return $.totalDeposited - $.totalExited;
    }

    /// @inheritdoc IOperatorRegistry
    function pool() external view returns (address) {
        return _storage().pool;
    }

    function _addOperator(string calldata name, address manager, address rewardAddress) internal returns (uint256 id) {
        require(bytes(name).length != 0, EmptyName());
        require(manager != address(0) && rewardAddress != address(0), ZeroAddress());
        OperatorData[] storage operators = _storage().operators;
        id = operators.length;
        require(id < MAX_OPERATORS, TooManyOperators(MAX_OPERATORS));
        OperatorData storage op = operators.push();
        op.active = true;
        op.manager = manager;
        op.rewardAddress = rewardAddress;
        op.name = name;
        emit OperatorAdded(id, name, manager, rewardAddress);
    }

    function _setShareCap(uint256 shareCapBps_) internal {
        require(shareCapBps_ != 0 && shareCapBps_ <= BPS, InvalidShareCap(shareCapBps_));
        _storage().shareCapBps = uint16(shareCapBps_);
        emit ShareCapSet(shareCapBps_);
    }

    function _bumpNonce(RegistryStorage storage $) internal {
        uint256 next = $.nonce + 1;
        $.nonce = uint64(next); // one change per transaction at most: 2**64 is out of reach
        emit NonceChanged(next);
    }

    /// @dev Credits an operator with `active` validators its fees since it was last settled, or burns them while it
    /// is penalized. Must run before its active count or its penalty changes.
    function _settleFees(
        RegistryStorage storage $,
        OperatorData storage op,
        uint256 operatorId,
        uint256 active
    ) internal {
        uint256 feePerValidator = $.feePerValidator;
        FeeAccount storage account = $.feeAccounts[operatorId];
        uint256 checkpoint = account.checkpoint;
        if (checkpoint == feePerValidator) return;
        account.checkpoint = uint160(feePerValidator);
        uint256 earned = _earned(active, feePerValidator, checkpoint);
        if (!op.exitPenalized) {
            account.unclaimed = (account.unclaimed + earned).toUint96();
        } else if (earned != 0) {
            // Burned, not kept: the ether behind them stays pooled, so every other share is worth more.
            emit FeesForfeited(operatorId, earned);
            IStakedEther($.pool).burn(earned);
        }
    }

    /// @dev The fees `active` validators earned while the accumulator rose from `checkpoint`, rounded down.
    function _earned(uint256 active, uint256 feePerValidator, uint256 checkpoint) internal pure returns (uint256) {
        return (active * (feePerValidator - checkpoint)) / FEE_PRECISION;
    }

    /// @dev Validators of `op` deposited and not exited.
    function _activeValidators(OperatorData storage op) internal view returns (uint256) {
        return uint256(op.depositedKeys) - op.exitedKeys;
    }

    /// @dev Sets the operator's exited count; returns whether it changed. Fees are settled first: the count of
    /// validators earning them changes.
    function _updateExitedKeys(
        RegistryStorage storage $,
        OperatorData storage op,
        uint256 operatorId,
        uint256 exitedKeys
    ) internal returns (bool) {
        uint256 previous = op.exitedKeys;
        uint256 deposited = op.depositedKeys;
        require(
            previous <= exitedKeys && exitedKeys <= deposited,
            InvalidExitedKeys(operatorId, exitedKeys, previous, deposited)
        );
        if (exitedKeys == previous) return false;
        _settleFees($, op, operatorId, _activeValidators(op));
        op.exitedKeys = uint48(exitedKeys); // <= depositedKeys, a uint48
        uint256 totalExited = $.totalExited + (exitedKeys - previous);
        $.totalExited = uint64(totalExited); // <= totalDeposited, a uint64
        emit ExitedKeysUpdated(operatorId, exitedKeys, totalExited);
        return true;
    }

    /// @dev Records a batch of exit requests, due `exitResponseTime` from now; each raises the exited count that
    /// meets the operator's requests by one.
    function _requestExits(
        RegistryStorage storage $,
        OperatorData storage op,
        ExitData storage exit,
        ExitUpdate calldata update
    ) internal {
        uint256 operatorId = update.operatorId;
        uint256 count = update.keyIndices.length;
        require(
            update.pubkeys.length == count * KeyBatch.PUBKEY_LENGTH,
            ExitPubkeysMismatch(operatorId, count, update.pubkeys.length)
        );
        uint256 deadline = block.timestamp + $.exitResponseTime;
        uint256 next = exit.nextIndex;
        uint256 deposited = op.depositedKeys;
        for (uint256 k; k < count; ++k) {
            uint256 keyIndex = update.keyIndices[k];
            require(
                next <= keyIndex && keyIndex < deposited,
                InvalidExitKeyIndex(operatorId, keyIndex, next, deposited)
            );
            next = keyIndex + 1;
            emit ValidatorExitRequested(
                operatorId,
                keyIndex,
                update.pubkeys[k * KeyBatch.PUBKEY_LENGTH:(k + 1) * KeyBatch.PUBKEY_LENGTH],
                deadline
            );
        }
        exit.nextIndex = uint48(next); // <= depositedKeys
        // Requests count from what is already owed, or from the validators already exited if nothing is owed: exits
        // made before a request do not meet it.
        uint256 exited = op.exitedKeys;
        uint256 owed = exit.targetExited > exited ? exit.targetExited : exited;
        // At most every deposited validator: data that asked for keys already exited must not leave the operator a
        // target it can never meet.
        uint256 target = Math.min(owed + count, deposited);
        exit.targetExited = uint48(target);
        exit.targetBy = uint40(deadline);
        if (exit.dueBy == 0) {
            // Nothing was owed: this batch is the oldest unmet one.
            exit.dueExited = uint48(target);
            exit.dueBy = uint40(deadline);
        }
    }

    /// @dev Moves the operator's cohorts along its exited count and penalizes it if the oldest unmet one is past
    /// its deadline (or lifts the penalty once met). Returns whether the penalty changed.
    function _refreshPenalty(
        RegistryStorage storage $,
        OperatorData storage op,
        ExitData storage exit,
        uint256 operatorId
    ) internal returns (bool) {
        uint256 exited = op.exitedKeys;
        if (exit.dueBy != 0 && exited >= exit.dueExited) {
            if (exited >= exit.targetExited) {
                exit.dueExited = 0;
                exit.dueBy = 0;
                exit.targetBy = 0;
            } else {
                // The newer requests are now the oldest unmet ones, with their own deadline.
                exit.dueExited = exit.targetExited;
                exit.dueBy = exit.targetBy;
            }
        }
        uint256 dueBy = exit.dueBy;
        bool penalized = dueBy != 0 && block.timestamp > dueBy;
        if (penalized == op.exitPenalized) return false;
        // Fees up to now follow the old state: earned before the deadline was missed, or burned until caught up.
        _settleFees($, op, operatorId, _activeValidators(op));
        op.exitPenalized = penalized;
        emit ExitPenaltySet(operatorId, penalized);
        return true;
    }

    function _setExitResponseTime(uint256 exitResponseTime_) internal {
        require(
            MIN_EXIT_RESPONSE_TIME <= exitResponseTime_ && exitResponseTime_ <= MAX_EXIT_RESPONSE_TIME,
            InvalidExitResponseTime(exitResponseTime_, MIN_EXIT_RESPONSE_TIME, MAX_EXIT_RESPONSE_TIME)
        );
        _storage().exitResponseTime = uint32(exitResponseTime_);
        emit ExitResponseTimeSet(exitResponseTime_);
    }

    function _setVettingLimit(uint256 vettingLimit_) internal {
        require(
            vettingLimit_ != 0 && vettingLimit_ <= MAX_VETTING_LIMIT,
            InvalidVettingLimit(vettingLimit_, MAX_VETTING_LIMIT)
        );
        _storage().vettingLimit = uint32(vettingLimit_); // <= MAX_VETTING_LIMIT
        emit VettingLimitSet(vettingLimit_);
    }

    /// @dev Checks an `addKeys` call and stores its batch.
    function _commitKeys(
        uint256 operatorId,
        bytes calldata pubkeys,
        bytes calldata signatures
    ) internal returns (uint256 batchIndex, uint256 firstIndex, uint256 count, bytes32 root) {
        RegistryStorage storage $ = _storage();
        OperatorData storage op = _operator($, operatorId);
        require(msg.sender == op.manager, NotOperatorManager(operatorId, msg.sender));
        require(op.active, OperatorNotActive(operatorId));
        count = _keyCount(pubkeys, signatures);
        require(count <= MAX_KEYS_PER_BATCH, TooManyKeys(count, MAX_KEYS_PER_BATCH));

        firstIndex = op.totalKeys;
        uint256 end = firstIndex + count;
        root = KeyBatch.root(KeyBatch.leaves(operatorId, firstIndex, count, pubkeys, signatures));
        BatchData[] storage batches = $.batches[operatorId];
        batchIndex = batches.length;
        batches.push(BatchData({root: root, firstIndex: uint48(firstIndex), size: uint48(count), end: end.toUint48()}));
        op.totalKeys = uint48(end);
    }

    /// @dev Marks the next `count` keys of `operatorId` deposited, checking them in the segments from `segment` on.
    /// Returns the first segment not used.
    function _useOperatorKeys(
        RegistryStorage storage $,
        KeySegment[] calldata segments,
        uint256 segment,
        uint256 operatorId,
        uint256 count
    ) internal returns (uint256) {
        OperatorData storage op = $.operators[operatorId];
        uint256 firstIndex = op.depositedKeys;
        uint256 end = firstIndex + count;
        _settleFees($, op, operatorId, firstIndex - op.exitedKeys);
        for (uint256 next = firstIndex; next < end; ++segment) {
            // The counts add up to the allocation's, so a missing segment shows up as one that overshoots.
            KeySegment calldata keys = segments[segment];
            uint256 keyCount = keys.pubkeys.length / KeyBatch.PUBKEY_LENGTH;
            require(
                keys.operatorId == operatorId && next + keyCount <= end,
                UnexpectedSegment(segment, operatorId, next)
            );
            _checkKeys($, keys, next, keyCount);
            next += keyCount;
        }
        op.depositedKeys = uint48(end); // <= vettedKeys, a uint48
        emit KeysDeposited(operatorId, firstIndex, count);
        return segment;
    }

    /// @dev Checks that `keys` are the keys [firstIndex, firstIndex + count) committed in their batch.
    function _checkKeys(
        RegistryStorage storage $,
        KeySegment calldata keys,
        uint256 firstIndex,
        uint256 count
    ) internal view {
        uint256 operatorId = keys.operatorId;
        BatchData[] storage batches = $.batches[operatorId];
        require(keys.batchIndex < batches.length, BatchNotFound(operatorId, keys.batchIndex));
        BatchData storage batch = batches[keys.batchIndex];
        uint256 batchStart = batch.firstIndex;
        require(
            batchStart <= firstIndex && firstIndex + count <= batch.end,
            KeysOutsideBatch(operatorId, keys.batchIndex, firstIndex, count)
        );
        bytes32[] memory nodes = KeyBatch.leaves(operatorId, firstIndex, count, keys.pubkeys, keys.signatures);
        require(
            KeyBatch.processRange(nodes, firstIndex - batchStart, batch.size, keys.proof) == batch.root,
            InvalidKeyProof(operatorId, keys.batchIndex, firstIndex)
        );
    }

    function _allocate(
        RegistryStorage storage $,
        uint256 count
    ) internal view returns (uint256[] memory allocation, uint256 allocated) {
        OperatorData[] storage operators = $.operators;
        uint256 n = operators.length;
        uint256[] memory levels = new uint256[](n);
        uint256[] memory rooms = new uint256[](n);
        // The cap applies to the active validators after the whole deposit: the first validators of a new pool
        // could never be placed under a cap measured before them.
        uint256 capLimit = ((uint256($.totalDeposited) - $.totalExited + count) * $.shareCapBps) / BPS;
        for (uint256 i; i < n; ++i) {
            OperatorData storage op = operators[i];
            uint256 deposited = op.depositedKeys;
            uint256 level = deposited - op.exitedKeys;
            levels[i] = level;
            if (!op.active || op.exitPenalized || level >= capLimit) continue;
            uint256 vettedRoom = op.vettedKeys - deposited;
            uint256 capRoom = capLimit - level;
            rooms[i] = vettedRoom < capRoom ? vettedRoom : capRoom;
        }
        return MinFirstAllocation.allocate(levels, rooms, count);
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _keyCount(bytes calldata pubkeys, bytes calldata signatures) internal pure returns (uint256 count) {
        count = pubkeys.length / KeyBatch.PUBKEY_LENGTH;
        require(
            count != 0 &&
                pubkeys.length == count * KeyBatch.PUBKEY_LENGTH &&
                signatures.length == count * KeyBatch.SIGNATURE_LENGTH,
            InvalidKeyBytes(pubkeys.length, signatures.length)
        );
    }

    function _operator(RegistryStorage storage $, uint256 operatorId) internal view returns (OperatorData storage) {
        require(operatorId < $.operators.length, OperatorNotFound(operatorId));
        return $.operators[operatorId];
    }

    function _storage() private pure returns (RegistryStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
