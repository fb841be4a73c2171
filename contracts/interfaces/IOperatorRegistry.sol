// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOperatorRegistry
/// @notice The node operators Plural stakes with, the validator keys each committed to, and how new validators are
/// spread over them. A distributed-validator cluster (t-of-n members sharing one key) is one operator.
/// @dev Keys are committed, not stored: `addKeys` computes a Merkle root over the batch (see `KeyBatch`) and emits the
/// key bytes; a deposit later proves its keys against that root, at their indices, in order, so no key is deposited
/// twice or out of turn. Counts per operator, in key-list order: deposited <= vetted <= total.
/// The nonce changes whenever the keys that could be deposited change; guardians sign it, so an attestation made
/// before such a change is worthless after it.
/// Roles: `DEFAULT_ADMIN_ROLE` (grants roles, upgrades) and `MANAGE_OPERATORS_ROLE` (activates and deactivates
/// operators, sets reward addresses, the share cap, the vetting limit and the exit response time) belong to the
/// timelock; `ADD_OPERATOR_ROLE` (adds operators) and `VET_KEYS_ROLE` (sets vetted counts, within the vetting limit)
/// belong to the timelock and to the operations timelock, whose proposals the timelock may cancel; `UNVET_KEYS_ROLE` belongs to the `DepositGuard`, for its guardian quorum; `REPORT_EXITS_ROLE` belongs to
/// the `AccountingOracle`, which forwards its committee's exit data. Only the pool uses keys.
/// Operator fees: the pool mints the operators' part of each report's fee to the registry as plETH and calls
/// `distributeFees`, which raises a per-validator accumulator (O(1) whatever the number of operators); each operator
/// earns the accumulator's growth times its active validators, settled whenever that count changes, and anyone may
/// `claimFees` to send an operator's plETH to its reward address.
/// Exits: the oracle reports each operator's exited validators and asks operators to exit named keys when withdrawal
/// demand needs ether the pool does not hold (`applyExitUpdates`). Every batch of requests must be met within
/// `exitResponseTime`, counted in exited validators: the operator may exit any of its validators, the ether is what
/// counts. An operator past its deadline is penalized until it catches up: its fee share from then on is burned,
/// which gives it to every holder, and it receives no new validators. Deadlines are checked whenever the oracle's exit
/// data names the operator, which it does every frame while the operator owes exits.
interface IOperatorRegistry {
    /// @notice An operator as stored.
    /// @param active Whether new validators may go to it.
    /// @param totalKeys Keys committed and not dropped.
    /// @param vettedKeys Keys governance approved for deposit, counted from the first.
    /// @param depositedKeys Keys deposited to, ever.
    /// @param exitedKeys Of those, validators that have exited.
    /// @param clusterThreshold Signatures needed in its cluster (t), or zero for a single operator.
    /// @param manager The address that submits and drops its keys.
    /// @param rewardAddress Where its fees go.
    /// @param name Its display name.
    /// @param clusterMembers Its cluster's members (n addresses), empty for a single operator.
    struct Operator {
        bool active;
        uint256 totalKeys;
        uint256 vettedKeys;
        uint256 depositedKeys;
        uint256 exitedKeys;
        uint256 clusterThreshold;
        address manager;
        address rewardAddress;
        string name;
        address[] clusterMembers;
    }

    /// @notice A batch of keys as committed.
    /// @param root The batch's Merkle root.
    /// @param firstIndex The index of its first key in the operator's key list.
    /// @param size The keys it committed (the tree's width).
    /// @param end One past the last index still valid: lowered when keys are dropped from inside the batch.
    struct Batch {
        bytes32 root;
        uint256 firstIndex;
        uint256 size;
        uint256 end;
    }

    /// @notice Consecutive keys of one operator from one batch, as a deposit presents them.
    /// @param operatorId The operator.
    /// @param batchIndex The batch holding the keys.
    /// @param pubkeys The keys' BLS public keys, 48 bytes each, concatenated.
    /// @param signatures Their deposit signatures, 96 bytes each, concatenated.
    /// @param depositDataRoots Their deposit_data_roots (the deposit contract checks each one).
    /// @param proof The range proof of these keys in the batch.
    struct KeySegment {
        uint256 operatorId;
        uint256 batchIndex;
        bytes pubkeys;
        bytes signatures;
        bytes32[] depositDataRoots;
        bytes32[] proof;
    }

    /// @notice What the oracle's exit data says of one operator.
    /// @param operatorId The operator.
    /// @param exitedKeys Its validators whose exit epoch has passed on the beacon chain: never decreases, at most its
    /// deposited keys.
    /// @param keyIndices Keys newly asked to exit, by index in its key list: ascending, at or above its
    /// `nextExitIndex` (oldest first; keys already exiting are skipped) and below its deposited count.
    /// @param pubkeys Their BLS public keys, 48 bytes each, in the same order (for the operator's tooling; the
    /// committee's quorum vouches for them).
    struct ExitUpdate {
        uint256 operatorId;
        uint256 exitedKeys;
        uint256[] keyIndices;
        bytes pubkeys;
    }

    /// @notice What an operator owes in exits. Requests are met by exited validators, counted.
    /// @param exitedKeys Its validators that have exited.
    /// @param nextExitIndex Keys below this index were asked to exit or passed over; new requests name keys from it.
    /// @param dueExited The exited count that meets its oldest unmet requests (zero when every request is met).
    /// @param dueBy When those must be met, unix seconds (zero when every request is met).
    /// @param targetExited The exited count that meets every request so far.
    /// @param targetBy When the newest unmet requests must be met (zero when every request is met).
    /// @param penalized Whether it missed `dueBy`: until it catches up its fee share is burned and it gets no new
    /// validators.
    struct ExitState {
        uint256 exitedKeys;
        uint256 nextExitIndex;
        uint256 dueExited;
        uint256 dueBy;
        uint256 targetExited;
        uint256 targetBy;
        bool penalized;
    }

    /// @notice `shares` plETH of fees were spread over `activeValidators` validators; with none active, they are held
    /// back for the next distribution and the accumulator does not move.
    /// @param shares The plETH added, including any held back while no validator was active.
    /// @param activeValidators The validators sharing it.
    /// @param feePerValidator The accumulator after: plETH per active validator since the start, scaled by 1e18.
    event FeesDistributed(uint256 shares, uint256 activeValidators, uint256 feePerValidator);

    /// @notice `shares` plETH of operator `operatorId`'s fees went to its reward address.
    /// @param operatorId The operator.
    /// @param rewardAddress Its reward address, which received the plETH.
    /// @param shares The plETH sent.
    event FeesClaimed(uint256 indexed operatorId, address indexed rewardAddress, uint256 shares);

    /// @notice An operator joined.
    /// @param operatorId Its id: the number of operators before it.
    /// @param name Its display name.
    /// @param manager The address that submits and drops its keys.
    /// @param rewardAddress Where its fees go.
    event OperatorAdded(uint256 indexed operatorId, string name, address manager, address rewardAddress);

    /// @notice The operator is a distributed-validator cluster of `members` with signing threshold `threshold`.
    /// @param operatorId The cluster's operator id.
    /// @param threshold Signatures needed in the cluster (t), at least 2 and at most the number of members.
    /// @param members The cluster's members (n addresses), distinct and nonzero, at most 32.
    event ClusterMembersSet(uint256 indexed operatorId, uint256 threshold, address[] members);

    /// @notice The operator may (or may no longer) receive new validators.
    /// @param operatorId The operator.
    /// @param active Whether new validators may go to it.
    event OperatorActiveSet(uint256 indexed operatorId, bool active);

    /// @notice The operator's fees go to `rewardAddress` from now on.
    /// @param operatorId The operator.
    /// @param rewardAddress Where its fees go from now on.
    event RewardAddressSet(uint256 indexed operatorId, address rewardAddress);

    /// @notice The operator's keys are submitted and dropped by `manager` from now on.
    /// @param operatorId The operator.
    /// @param manager The address that submits and drops its keys from now on.
    event ManagerSet(uint256 indexed operatorId, address manager);

    /// @notice Keys [firstIndex, firstIndex + count) were committed as batch `batchIndex` with Merkle root `root`.
    /// @param operatorId The operator.
    /// @param batchIndex The batch's index in the operator's batch list.
    /// @param firstIndex The index of its first key in the operator's key list.
    /// @param count The keys it committed.
    /// @param root The batch's Merkle root.
    /// @param pubkeys The keys, 48 bytes each.
    /// @param signatures Their deposit signatures, 96 bytes each.
    event KeysAdded(
        uint256 indexed operatorId,
        uint256 indexed batchIndex,
        uint256 firstIndex,
        uint256 count,
        bytes32 root,
        bytes pubkeys,
        bytes signatures
    );

    /// @notice Keys from `fromIndex` on were dropped; the operator has `fromIndex` keys now.
    /// @param operatorId The operator.
    /// @param fromIndex The index of the first key dropped, and the operator's key count now.
    event KeysDropped(uint256 indexed operatorId, uint256 fromIndex);

    /// @notice The first `vettedKeys` keys of the operator may be deposited.
    /// @param operatorId The operator.
    /// @param vettedKeys Keys approved for deposit, counted from the first; the deposited count unvets the rest.
    event VettedKeysSet(uint256 indexed operatorId, uint256 vettedKeys);

    /// @notice Keys [firstIndex, firstIndex + count) of the operator were deposited.
    /// @param operatorId The operator.
    /// @param firstIndex The index of the first key deposited (the operator's deposited count before).
    /// @param count The keys deposited.
    event KeysDeposited(uint256 indexed operatorId, uint256 firstIndex, uint256 count);

    /// @notice The keys that could be deposited changed; attestations over an older nonce are void.
    /// @param nonce The new nonce: the previous one plus one.
    event NonceChanged(uint256 nonce);

    /// @notice No operator may hold more than `shareCapBps` basis points of the active validators after a deposit.
    /// @param shareCapBps The share cap in basis points, 1 to 10,000 (10,000: no cap).
    event ShareCapSet(uint256 shareCapBps);

    /// @notice Operator `operatorId` has `exitedKeys` exited validators now; the registry counts `totalExited`.
    /// @param operatorId The operator.
    /// @param exitedKeys Its exited validators.
    /// @param totalExited Exited validators over all operators.
    event ExitedKeysUpdated(uint256 indexed operatorId, uint256 exitedKeys, uint256 totalExited);

    /// @notice The operator must exit key `keyIndex` (or, counted, another of its validators) by `deadline`.
    /// @param operatorId The operator.
    /// @param keyIndex The key's index in the operator's key list.
    /// @param pubkey The key's BLS public key.
    /// @param deadline Unix seconds by which its batch of requests must be met.
    event ValidatorExitRequested(uint256 indexed operatorId, uint256 indexed keyIndex, bytes pubkey, uint256 deadline);

    /// @notice The operator missed an exit deadline (`penalized`), or caught up (`!penalized`).
    /// @param operatorId The operator.
    /// @param penalized Whether its fee share is now burned and new validators pass it by.
    event ExitPenaltySet(uint256 indexed operatorId, bool penalized);

    /// @notice `shares` plETH of fees the operator earned while penalized were burned, to every holder's benefit.
    /// @param operatorId The operator.
    /// @param shares The plETH burned.
    event FeesForfeited(uint256 indexed operatorId, uint256 shares);

    /// @notice No operator may have more than `vettingLimit` keys vetted and not yet deposited.
    /// @param vettingLimit Keys, 1 to `MAX_VETTING_LIMIT`.
    event VettingLimitSet(uint256 vettingLimit);

    /// @notice Operators have `exitResponseTime` seconds to meet each batch of exit requests.
    /// @param exitResponseTime Seconds, within `MIN_EXIT_RESPONSE_TIME` and `MAX_EXIT_RESPONSE_TIME`.
    event ExitResponseTimeSet(uint256 exitResponseTime);

    /// @notice No operator has id `operatorId`.
    error OperatorNotFound(uint256 operatorId);

    /// @notice The operator is deactivated.
    error OperatorNotActive(uint256 operatorId);

    /// @notice The operator is already in the state asked for.
    error OperatorActiveUnchanged(uint256 operatorId, bool active);

    /// @notice Only the operator's manager may do this.
    error NotOperatorManager(uint256 operatorId, address caller);

    /// @notice Only the staking pool uses keys.
    error CallerNotPool(address caller);

    /// @notice An operator needs a name.
    error EmptyName();

    /// @notice The registry holds at most `max` operators.
    error TooManyOperators(uint256 max);

    /// @notice A cluster needs 2 <= threshold <= members <= 32, its members distinct and nonzero.
    error InvalidCluster(uint256 threshold, uint256 members);

    /// @notice Key bytes must hold a whole, equal, positive number of 48-byte keys and 96-byte signatures.
    error InvalidKeyBytes(uint256 pubkeysLength, uint256 signaturesLength);

    /// @notice At most `max` keys go in one batch.
    error TooManyKeys(uint256 count, uint256 max);

    /// @notice Keys can be dropped from an index at or above the deposited count and below the total.
    error InvalidDropIndex(uint256 fromIndex, uint256 depositedKeys, uint256 totalKeys);

    /// @notice A vetted count must lie between the deposited and the total count.
    error InvalidVettedKeys(uint256 vettedKeys, uint256 depositedKeys, uint256 totalKeys);

    /// @notice Raising the vetted count to `vettedKeys` would leave more than `vettingLimit` keys waiting for a deposit.
    error VettingLimitExceeded(uint256 vettedKeys, uint256 depositedKeys, uint256 vettingLimit);

    /// @notice The vetting limit is 1 to `max` keys.
    error InvalidVettingLimit(uint256 vettingLimit, uint256 max);

    /// @notice The share cap is in basis points, 1 to 10,000.
    error InvalidShareCap(uint256 shareCapBps);

    /// @notice Only `allocated` of the `requested` validators fit within vetted keys and the share cap.
    error NotEnoughDepositableKeys(uint256 requested, uint256 allocated);

    /// @notice Segment `index` is not the one the allocation expects next (`operatorId`, from `firstIndex`).
    error UnexpectedSegment(uint256 index, uint256 operatorId, uint256 firstIndex);

    /// @notice The operator has no batch `batchIndex`.
    error BatchNotFound(uint256 operatorId, uint256 batchIndex);

    /// @notice Keys [firstIndex, firstIndex + count) are not valid keys of that batch.
    error KeysOutsideBatch(uint256 operatorId, uint256 batchIndex, uint256 firstIndex, uint256 count);

    /// @notice The keys do not match the batch's commitment.
    error InvalidKeyProof(uint256 operatorId, uint256 batchIndex, uint256 firstIndex);

    /// @notice A deposit data root is missing or extra: one per key.
    error DepositDataRootsMismatch(uint256 keys, uint256 roots);

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice Operator `operatorId` has no fees to claim.
    error NoFeesToClaim(uint256 operatorId);

    /// @notice Exit updates name operators in strictly ascending id order, each once.
    error ExitUpdatesNotSorted(uint256 operatorId, uint256 previousOperatorId);

    /// @notice An exited count must lie between the operator's previous count and its deposited keys.
    error InvalidExitedKeys(uint256 operatorId, uint256 exitedKeys, uint256 previousExitedKeys, uint256 depositedKeys);

    /// @notice A key asked to exit must be at or above the operator's next exit index, below its deposited keys, and
    /// the indices ascending.
    error InvalidExitKeyIndex(uint256 operatorId, uint256 keyIndex, uint256 nextExitIndex, uint256 depositedKeys);

    /// @notice One 48-byte pubkey per key index asked to exit.
    error ExitPubkeysMismatch(uint256 operatorId, uint256 keys, uint256 pubkeysLength);

    /// @notice The exit response time must lie within the registry's hard limits.
    error InvalidExitResponseTime(uint256 exitResponseTime, uint256 min, uint256 max);

    /// @notice Adds an operator with no keys, active.
    /// @dev `ADD_OPERATOR_ROLE`. Emits `OperatorAdded`. Reverts with `EmptyName`, `ZeroAddress`,
    /// `TooManyOperators`.
    /// @param name Its display name; not empty.
    /// @param manager The address that submits and drops its keys; nonzero.
    /// @param rewardAddress Where its fees go; nonzero.
    /// @return operatorId Its id: the number of operators before it.
    function addOperator(
        string calldata name,
        address manager,
        address rewardAddress
    ) external returns (uint256 operatorId);

    /// @notice Adds a distributed-validator cluster: one operator whose keys are shared t-of-n by `members`.
    /// @dev `ADD_OPERATOR_ROLE`. Emits `OperatorAdded` and `ClusterMembersSet`. Reverts as `addOperator`, and
    /// with `InvalidCluster`.
    /// @param name Its display name; not empty.
    /// @param manager The address that submits and drops its keys; nonzero.
    /// @param rewardAddress Where its fees go; nonzero.
    /// @param threshold Signatures needed in the cluster (t): at least 2 and at most the number of members.
    /// @param members The cluster's members (n addresses): distinct, nonzero, at most 32.
    /// @return operatorId Its id: the number of operators before it.
    function addCluster(
        string calldata name,
        address manager,
        address rewardAddress,
        uint256 threshold,
        address[] calldata members
    ) external returns (uint256 operatorId);

    /// @notice Lets the operator receive new validators again, or stops it. Deactivation also unvets its unused keys.
    /// @dev `MANAGE_OPERATORS_ROLE`. Emits `OperatorActiveSet`, `NonceChanged` (and `VettedKeysSet` on a
    /// deactivation that unvets keys). Reverts with `OperatorNotFound`, `OperatorActiveUnchanged`.
    /// @param operatorId The operator.
    /// @param active True to let new validators go to it, false to stop them (and unvet its unused keys).
    function setOperatorActive(uint256 operatorId, bool active) external;

    /// @notice Sends the operator's future fees to `rewardAddress`.
    /// @dev `MANAGE_OPERATORS_ROLE`. Emits `RewardAddressSet`. Reverts with `OperatorNotFound`, `ZeroAddress`.
    /// @param operatorId The operator.
    /// @param rewardAddress Where its fees go; nonzero.
    function setRewardAddress(uint256 operatorId, address rewardAddress) external;

    /// @notice Hands the operator's key management to `manager`.
    /// @dev The operator's current manager. Emits `ManagerSet`. Reverts with `OperatorNotFound`,
    /// `NotOperatorManager`, `ZeroAddress`.
    /// @param operatorId The operator.
    /// @param manager The new manager; nonzero.
    function setManager(uint256 operatorId, address manager) external;

    /// @notice Sets the share cap.
    /// @dev `MANAGE_OPERATORS_ROLE`. Emits `ShareCapSet`. Reverts with `InvalidShareCap`.
    /// @param shareCapBps The most an operator may hold after a deposit, in basis points of the active validators:
    /// 1 to 10,000 (10,000: no cap).
    function setShareCap(uint256 shareCapBps) external;

    /// @notice Commits a batch of keys: they get the next indices of the operator's key list.
    /// @dev The operator's manager, while the operator is active. Emits `KeysAdded` and `NonceChanged`. Reverts with
    /// `OperatorNotFound`, `NotOperatorManager`, `OperatorNotActive`, `InvalidKeyBytes`, `TooManyKeys`.
    /// @param operatorId The operator; the caller must be its manager.
    /// @param pubkeys 48-byte BLS public keys, concatenated.
    /// @param signatures 96-byte deposit signatures, concatenated, in the same order.
    function addKeys(uint256 operatorId, bytes calldata pubkeys, bytes calldata signatures) external;

    /// @notice Drops the keys from `fromIndex` on; none of them may have been deposited. Clamps the vetted count.
    /// @dev The operator's manager or `MANAGE_OPERATORS_ROLE`. Emits `KeysDropped`, `NonceChanged` (and
    /// `VettedKeysSet` when the vetted count falls). Reverts with `OperatorNotFound`, `NotOperatorManager`,
    /// `InvalidDropIndex`.
    /// @param operatorId The operator.
    /// @param fromIndex The index of the first key to drop: at least the deposited count and below the total.
    function dropKeys(uint256 operatorId, uint256 fromIndex) external;

    /// @notice Lets the operator's first `vettedKeys` keys be deposited.
    /// @dev `VET_KEYS_ROLE`. Emits `VettedKeysSet`, `NonceChanged`. Reverts with `OperatorNotFound`,
    /// `InvalidVettedKeys`, `VettingLimitExceeded` (a raise above deposited + `vettingLimit`).
    /// @param operatorId The operator.
    /// @param vettedKeys Keys approved for deposit, counted from the first: between the deposited and the total
    /// count; the deposited count unvets the rest.
    function setVettedKeys(uint256 operatorId, uint256 vettedKeys) external;

    /// @notice Unvets every key of the operator that is not deposited yet.
    /// @dev `UNVET_KEYS_ROLE` (the deposit guard, on a guardian quorum). Emits `VettedKeysSet`, `NonceChanged`.
    /// Reverts with `OperatorNotFound`.
    /// @param operatorId The operator.
    function unvetKeys(uint256 operatorId) external;

    /// @notice Marks keys as deposited: checks that `segments` hold exactly the keys the allocation of their total
    /// count picks (operators in id order, each from its deposited count on) and that each segment's keys match
    /// their batch's commitment.
    /// @dev The pool only. Emits `KeysDeposited` per operator. Reverts with `CallerNotPool`,
    /// `NotEnoughDepositableKeys`, `UnexpectedSegment`, `InvalidKeyBytes`, `DepositDataRootsMismatch`,
    /// `BatchNotFound`, `KeysOutsideBatch`, `InvalidKeyProof`.
    /// @param segments The keys to deposit, grouped by operator (id order) and batch, in key order.
    /// @return count The number of keys.
    function useKeys(KeySegment[] calldata segments) external returns (uint256 count);

    /// @notice Spreads `shares` plETH of fees, just minted to the registry, over the active validators.
    /// @dev The pool only. Emits `FeesDistributed`. Reverts with `CallerNotPool`. With no active validator the shares
    /// wait for the next distribution.
    /// @param shares The plETH minted to the registry for operators.
    function distributeFees(uint256 shares) external;

    /// @notice Sends operator `operatorId`'s fees, as plETH, to its reward address. Anyone may call it.
    /// @dev Emits `FeesClaimed`. Reverts with `OperatorNotFound`, `NoFeesToClaim`.
    /// @param operatorId The operator.
    /// @return shares The plETH sent.
    function claimFees(uint256 operatorId) external returns (uint256 shares);

    /// @notice The plETH operator `operatorId` can claim now.
    /// @param operatorId The operator.
    function claimableFees(uint256 operatorId) external view returns (uint256);

    /// @notice Applies the oracle's exit data for a frame: exited counts and new exit requests per operator; checks
    /// every named operator's deadline.
    /// @dev `REPORT_EXITS_ROLE` (the accounting oracle, on its committee's agreed exit data). Emits `ExitedKeysUpdated`
    /// for each changed count, `ValidatorExitRequested` for each request, `ExitPenaltySet` when an operator misses a
    /// deadline or catches up, `FeesForfeited` when a penalized operator's fees are settled, `NonceChanged` when the
    /// allocation may change. Reverts with `ExitUpdatesNotSorted`, `OperatorNotFound`, `InvalidExitedKeys`,
    /// `ExitPubkeysMismatch`, `InvalidExitKeyIndex`.
    /// @param updates One entry per operator, in ascending id order.
    function applyExitUpdates(ExitUpdate[] calldata updates) external;

    /// @notice Sets the most keys an operator may have vetted and not yet deposited.
    /// @dev `MANAGE_OPERATORS_ROLE`. Emits `VettingLimitSet`. Reverts with `InvalidVettingLimit`. Counts vetted above
    /// it before stay; only raises are checked.
    /// @param vettingLimit Keys, 1 to `MAX_VETTING_LIMIT`.
    function setVettingLimit(uint256 vettingLimit) external;

    /// @notice The most keys an operator may have vetted and not yet deposited.
    function vettingLimit() external view returns (uint256);

    /// @notice Gives operators `exitResponseTime` seconds to meet each new batch of exit requests.
    /// @dev `MANAGE_OPERATORS_ROLE`. Emits `ExitResponseTimeSet`. Reverts with `InvalidExitResponseTime`. Requests
    /// made before keep their deadlines.
    /// @param exitResponseTime Seconds, from `MIN_EXIT_RESPONSE_TIME` to `MAX_EXIT_RESPONSE_TIME`.
    function setExitResponseTime(uint256 exitResponseTime) external;

    /// @notice What operator `operatorId` owes in exits.
    /// @param operatorId The operator.
    function getExitState(uint256 operatorId) external view returns (ExitState memory);

    /// @notice Seconds operators have to meet a batch of exit requests.
    function exitResponseTime() external view returns (uint256);

    /// @notice How `count` new validators would be spread now: fewest active validators first, within vetted keys,
    /// and never taking an operator above the share cap of the active validators after the deposit.
    /// @param count The number of new validators to place.
    /// @return allocation Validators per operator id.
    /// @return allocated Their sum: below `count` when not all fit.
    function allocate(uint256 count) external view returns (uint256[] memory allocation, uint256 allocated);

    /// @notice The operator `operatorId`.
    /// @param operatorId The operator's id, below `operatorCount()`.
    function getOperator(uint256 operatorId) external view returns (Operator memory);

    /// @notice The number of operators; ids run from zero.
    function operatorCount() external view returns (uint256);

    /// @notice The operator's batch `batchIndex`.
    /// @param operatorId The operator.
    /// @param batchIndex The batch's index in the operator's batch list, below `batchCount(operatorId)`.
    function getBatch(uint256 operatorId, uint256 batchIndex) external view returns (Batch memory);

    /// @notice The number of batches the operator committed (dropped ones excluded).
    /// @param operatorId The operator.
    function batchCount(uint256 operatorId) external view returns (uint256);

    /// @notice Changes whenever the keys that could be deposited change.
    function nonce() external view returns (uint256);

    /// @notice The most an operator may hold after a deposit, in basis points of the active validators.
    function shareCapBps() external view returns (uint256);

    /// @notice Validators deposited and not exited, over all operators.
    function activeValidators() external view returns (uint256);

    /// @notice The staking pool, the only user of keys.
    function pool() external view returns (address);
}
