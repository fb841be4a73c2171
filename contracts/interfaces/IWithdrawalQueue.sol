// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IWithdrawalQueue
/// @notice Turns plETH back into ether, first come first served. A request locks plETH in the queue and mints an
/// ERC-721 token to its owner; an oracle report later finalizes it, setting aside its ether; the token's owner then
/// claims that ether to any address, once, and the token is burned.
/// @dev A request is worth min(its ether value when made, its plETH at the finalizing report's post-fee rate): rewards
/// earned while it waits stay with the holders, and a loss before its finalization is borne by it like every other
/// share, so nobody escapes a known loss by queueing. Requests are stored as running totals
/// (cumulative ether and plETH), so a request's amounts are a subtraction and a range's total is two reads.
/// Every report writes a checkpoint: it closes the rate period of the requests made since the previous report and
/// records the finalization, if any. Requests of one period were priced at one rate (the rate only moves at reports,
/// up to rounding dust), so finalization prices each period's range in O(1): its cost grows with the reports since
/// the last finalization, not with the number of requests. Claims name the checkpoint that finalized them (a hint
/// found with `findCheckpointHints`).
/// Roles: `DEFAULT_ADMIN_ROLE` (the governance timelock) grants roles and authorizes upgrades; `PAUSE_ROLE` (the
/// emergency pause alone) pauses requests and claims until a time; `RESUME_ROLE` (the timelock and the emergency
/// pause) ends a pause early. Finalization goes on during a pause: it only sets ether aside.
interface IWithdrawalQueue {
    /// @notice A request as it stands.
    /// @param shares plETH locked by the request.
    /// @param etherAtRequest Its ether value when made, rounded down: the most it can ever pay.
    /// @param owner The current owner of its token; zero once claimed.
    /// @param timestamp When it was made.
    /// @param finalized True once a report has set its ether aside.
    /// @param claimed True once its ether was claimed.
    struct RequestStatus {
        uint256 shares;
        uint256 etherAtRequest;
        address owner;
        uint256 timestamp;
        bool finalized;
        bool claimed;
    }

    /// @notice The queue's totals.
    /// @param lastRequestId The id of the newest request (ids start at 1).
    /// @param lastFinalizedId Every request up to this id is finalized.
    /// @param lockedEther Ether held for finalized requests not yet claimed, in wei.
    /// @param unfinalizedEther What the unfinalized requests were worth when made (the most they can need), in wei.
    /// @param unfinalizedShares plETH locked by unfinalized requests.
    /// @param lastCheckpointIndex The newest checkpoint's index (checkpoints start at 1).
    struct QueueState {
        uint256 lastRequestId;
        uint256 lastFinalizedId;
        uint256 lockedEther;
        uint256 unfinalizedEther;
        uint256 unfinalizedShares;
        uint256 lastCheckpointIndex;
    }

    /// @notice What one report left for the requests.
    /// @param lastRequestId The newest request when the report was applied: the end of its rate period.
    /// @param lastFinalizedId Every request up to this id was finalized by this report or an earlier one.
    /// @param rate The report's post-fee share rate, ether per plETH scaled by 1e27 (`RATE_PRECISION`).
    /// @param timestamp When the report was applied.
    struct Checkpoint {
        uint256 lastRequestId;
        uint256 lastFinalizedId;
        uint256 rate;
        uint256 timestamp;
    }

    /// @notice An EIP-2612 permit for the queue to take the plETH of a request in the same transaction.
    /// @param value The allowance to grant, in plETH.
    /// @param deadline The permit's expiry.
    struct PermitInput {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice Request `requestId`, owned by `owner`, locked `shares` plETH worth `etherValue` wei. (Who sent it is the
    /// `from` of the plETH `Transfer` to the queue in the same transaction.)
    /// @param requestId The new request's id (its token id).
    /// @param owner The owner of its token.
    /// @param shares The plETH it locked.
    /// @param etherValue Their ether value when made, rounded down: the most it can pay.
    event WithdrawalRequested(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 etherValue);

    /// @notice A report finalized requests `fromId` to `toId`, setting aside `etherLocked` wei and burning
    /// `sharesBurned` plETH, at the rate recorded in checkpoint `checkpointIndex`.
    /// @param fromId The first request finalized.
    /// @param toId The last request finalized.
    /// @param etherLocked Wei set aside for them.
    /// @param sharesBurned The plETH they locked, burned.
    /// @param checkpointIndex The report's checkpoint: the claims' hint.
    event WithdrawalsFinalized(
        uint256 indexed fromId,
        uint256 indexed toId,
        uint256 etherLocked,
        uint256 sharesBurned,
        uint256 checkpointIndex
    );

    /// @notice The owner of request `requestId` claimed `amount` wei to `receiver`.
    /// @param requestId The request, its token now burned.
    /// @param owner Its owner, who claimed.
    /// @param receiver Where the ether went.
    /// @param amount The wei paid.
    event WithdrawalClaimed(uint256 indexed requestId, address indexed owner, address indexed receiver, uint256 amount);

    /// @notice Requests and claims pause until `until` (unix seconds).
    /// @param until The end of the pause.
    event WithdrawalsPaused(uint256 until);

    /// @notice A pause ended early.
    event WithdrawalsResumed();

    /// @notice Requests and claims are paused until `until`.
    error WithdrawalsArePaused(uint256 until);

    /// @notice A pause must end after now and fit in 32 bits.
    error InvalidPauseEnd(uint256 until, uint256 timestamp);

    /// @notice There is no pause to end.
    error WithdrawalsNotPaused();

    /// @notice Only the staking pool may finalize and fund requests.
    error CallerNotPool(address caller);

    /// @notice An address argument was zero.
    error ZeroAddress();

    /// @notice No request amounts were given.
    error NoRequests();

    /// @notice The queue received ether from someone other than the pool.
    error UnexpectedEther(address sender);

    /// @notice A request would be worth less than the minimum.
    error RequestTooSmall(uint256 etherValue, uint256 minimum);

    /// @notice A request would be worth more than the maximum (split it).
    error RequestTooLarge(uint256 etherValue, uint256 maximum);

    /// @notice No request has this id.
    error RequestNotFound(uint256 requestId);

    /// @notice The request is not finalized yet.
    error RequestNotFinalized(uint256 requestId);

    /// @notice The request was already claimed.
    error RequestAlreadyClaimed(uint256 requestId);

    /// @notice Only the current owner of the request's token may claim it.
    error NotRequestOwner(address caller, address owner);

    /// @notice The checkpoint hint does not cover the request (see `findCheckpointHints`).
    error InvalidHint(uint256 requestId, uint256 hint);

    /// @notice The id and hint lists differ in length.
    error LengthMismatch(uint256 ids, uint256 hints);

    /// @notice The report asked to finalize a request made after its reference slot, or one that does not exist.
    error InvalidFinalizationBound(uint256 requestId, uint256 lastRequestId, uint256 refTimestamp);

    /// @notice A hint search range outside the checkpoints, or ids not sorted ascending.
    error InvalidHintSearch(uint256 first, uint256 last);

    /// @notice Locks plETH for one request per amount and mints each request's token to `owner` (the caller when
    /// zero). The queue takes the plETH with the caller's allowance.
    /// @dev Reverts with `WithdrawalsArePaused`, `NoRequests`, `RequestTooSmall`, `RequestTooLarge`, or the token's allowance and balance
    /// errors. Emits `WithdrawalRequested` and the token's `Transfer` for each request.
    /// @param amounts plETH per request.
    /// @param owner The owner of the requests' tokens.
    /// @return requestIds The new requests' ids, in order.
    function requestWithdrawals(
        uint256[] calldata amounts,
        address owner
    ) external returns (uint256[] memory requestIds);

    /// @notice `requestWithdrawals` with an EIP-2612 permit for the plETH, in one transaction. A permit that fails
    /// (for instance because someone submitted it first) is ignored when the allowance already suffices.
    /// @param amounts plETH per request.
    /// @param owner The owner of the requests' tokens (the caller when zero).
    /// @param permit The caller's permit for the queue.
    /// @return requestIds The new requests' ids, in order.
    function requestWithdrawalsWithPermit(
        uint256[] calldata amounts,
        address owner,
        PermitInput calldata permit
    ) external returns (uint256[] memory requestIds);

    /// @notice Sends a finalized request's ether to `receiver` and burns its token. Only the token's owner may claim.
    /// @dev Reverts with `WithdrawalsArePaused`, `RequestNotFound`, `RequestAlreadyClaimed`, `NotRequestOwner`, `RequestNotFinalized`,
    /// `InvalidHint`, or OpenZeppelin's `FailedCall` when the receiver refuses the ether. Emits `WithdrawalClaimed`.
    /// @param requestId The request.
    /// @param hint The index of the checkpoint that finalized it (`findCheckpointHints`).
    /// @param receiver Where the ether goes.
    function claimWithdrawal(uint256 requestId, uint256 hint, address receiver) external;

    /// @notice `claimWithdrawal` for several requests, the ether sent to `receiver` in one transfer.
    /// @dev Reverts as `claimWithdrawal`, and with `LengthMismatch` or `NoRequests` (an empty list).
    /// @param requestIds The requests.
    /// @param hints Their checkpoint hints, in the same order.
    /// @param receiver Where the ether goes.
    function claimWithdrawals(uint256[] calldata requestIds, uint256[] calldata hints, address receiver) external;

    /// @notice Pauses requests and claims until `until`; the pause ends by itself then.
    /// @dev `PAUSE_ROLE`. Emits `WithdrawalsPaused`. Reverts with `InvalidPauseEnd`.
    /// @param until The unix timestamp at which the pause ends; in the future and below 2**32.
    function pauseWithdrawals(uint256 until) external;

    /// @notice Ends a pause now.
    /// @dev `RESUME_ROLE`. Emits `WithdrawalsResumed`. Reverts with `WithdrawalsNotPaused`.
    function resumeWithdrawals() external;

    /// @notice The timestamp until which requests and claims are paused; in the past (or zero) when they are not.
    function withdrawalsPausedUntil() external view returns (uint256);

    /// @notice Called by the pool while it applies a report, after the fees are minted, when the queue holds plETH
    /// (requests wait): records the report's checkpoint and, outside bunker mode, finalizes the requests up to `maxRequestId` that `available` wei can pay
    /// at the rate `totalEther / totalShares`. The pool then burns `sharesToBurn` of the queue's plETH and sends
    /// `etherToLock` wei to the queue.
    /// @dev Reverts with `CallerNotPool`, `InvalidFinalizationBound`. Emits `WithdrawalsFinalized`.
    /// @param maxRequestId The newest request made at or before the report's reference slot (zero for none).
    /// @param refTimestamp The reference slot's time.
    /// @param bunkerMode True while penalties are still pending on the beacon chain: nothing is finalized.
    /// @param totalEther The pool's total ether after the report's fees.
    /// @param totalShares The pool's plETH supply after the report's fees.
    /// @param available The most ether the pool can set aside (its buffer).
    /// @return etherToLock The ether the finalized requests need.
    /// @return sharesToBurn The plETH they locked.
    function finalize(
        uint256 maxRequestId,
        uint256 refTimestamp,
        bool bunkerMode,
        uint256 totalEther,
        uint256 totalShares,
        uint256 available
    ) external returns (uint256 etherToLock, uint256 sharesToBurn);

    /// @notice The queue's totals.
    function getQueueState() external view returns (QueueState memory);

    /// @notice What the unfinalized requests were worth when made: the ether the pool must not stake.
    function unfinalizedEther() external view returns (uint256);

    /// @notice The status of each request (`RequestNotFound` for an id never issued).
    /// @param requestIds The requests.
    function getRequestStatus(uint256[] calldata requestIds) external view returns (RequestStatus[] memory);

    /// @notice The ether each request pays when claimed: zero if not finalized or already claimed.
    /// @dev Reverts with `InvalidHint` for a finalized request whose hint does not cover it.
    /// @param requestIds The requests.
    /// @param hints Their checkpoint hints (`findCheckpointHints`), in the same order.
    /// @return amounts The wei each would pay, in the same order.
    function getClaimableEther(
        uint256[] calldata requestIds,
        uint256[] calldata hints
    ) external view returns (uint256[] memory amounts);

    /// @notice The checkpoint that finalized each request, by binary search over checkpoints `first` to `last`
    /// (1 and `getQueueState().lastCheckpointIndex` for all); zero for a request not finalized.
    /// @param requestIds Ids sorted ascending.
    /// @param first The first checkpoint to search, from 1.
    /// @param last The last checkpoint to search, at most `lastCheckpointIndex`.
    /// @return hints Each request's checkpoint, in the same order.
    function findCheckpointHints(
        uint256[] calldata requestIds,
        uint256 first,
        uint256 last
    ) external view returns (uint256[] memory hints);

    /// @notice Checkpoint `index` (1 to `lastCheckpointIndex`).
    /// @param index The checkpoint's index.
    function getCheckpoint(uint256 index) external view returns (Checkpoint memory);

    /// @notice The staking pool, whose plETH the queue locks and burns.
    function pool() external view returns (address);
}
