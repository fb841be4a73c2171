// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {ERC721Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC721/ERC721Upgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IStakedEther} from "./interfaces/IStakedEther.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";

/// @title WithdrawalQueue
/// @notice Withdrawal requests as ERC-721 tokens: plETH in, ether out once an oracle report finalizes them.
/// @dev Invariants (tested by these names):
/// - `invariant_LockedEtherCoversFinalizedRequests`: lockedEther >= the claimable ether of every finalized, unclaimed
///   request, and the queue's balance >= lockedEther.
/// - `invariant_QueueHoldsUnfinalizedShares`: the queue's plETH >= the plETH of the unfinalized requests.
/// - `invariant_ClaimNeverAboveRequestValue`: no claim pays more than the request's value when made, nor more than
///   its plETH at the finalizing rate.
/// - `invariant_NoDoubleClaim`: a request pays once; its token is burned by the claim.
/// @custom:oz-upgrades
contract WithdrawalQueue is IWithdrawalQueue, ERC721Upgradeable, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice May pause requests and claims until a time (the emergency pause alone, which bounds every pause).
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    /// @notice May end a pause early (the timelock, and the emergency pause on its behalf).
    bytes32 public constant RESUME_ROLE = keccak256("RESUME_ROLE");

    /// @notice The least ether value of one request: smaller ones would cost the queue more than they are worth.
    uint256 public constant MIN_REQUEST = 0.0001 ether;
    /// @notice The most ether value of one request; larger withdrawals are split into several requests.
    uint256 public constant MAX_REQUEST = 1000 ether;
    /// @notice Scale of the share rate stored in checkpoints.
    uint256 public constant RATE_PRECISION = 1e27;
    /// @notice The most rate periods one report walks; the rest are finalized by the next reports.
    uint256 public constant MAX_PERIODS_PER_REPORT = 64;

    /// @dev Running totals up to and including this request, and when it was made: one slot per request.
    struct RequestData {
        uint112 cumulativeEther;
        uint112 cumulativeShares;
        uint32 timestamp;
    }

    struct CheckpointData {
        uint48 lastRequestId;
        uint48 lastFinalizedId;
        uint128 rate;
        uint32 timestamp;
    }

    /// @dev Where a finalization has got to while it walks the periods.
    struct Walk {
        uint256 from;
        uint256 index;
        uint256 etherToLock;
        uint256 sharesToBurn;
        uint256 budget;
    }

    /// @custom:storage-location erc7201:plural.storage.WithdrawalQueue
    struct QueueStorage {
        // Slot 0: read and written by every request; read by reports and claims.
        address pool;
        uint48 lastRequestId;
        uint32 withdrawalsPausedUntil;
        // Slot 1: written by claims and by reports that finalize.
        uint128 lockedEther;
        uint48 lastFinalizedId;
        uint40 lastCheckpointIndex;
        // The first checkpoint whose period still holds unfinalized requests.
        uint40 firstOpenCheckpoint;
        // Request 0 and checkpoint 0 are all zeros, so ranges start from them without a special case.
        mapping(uint256 requestId => RequestData) requests;
        mapping(uint256 checkpointIndex => CheckpointData) checkpoints;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.WithdrawalQueue")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x30f0619615c34606abb6ce61e63c2a95eb3405b03c87f8d99ddd9f578e927800;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock, which alone upgrades.
    /// @param pool_ The staking pool.
    /// @param pauser The emergency pause, which alone pauses.
    function initialize(address admin, address pool_, address pauser) external initializer {
        require(admin != address(0) && pool_ != address(0) && pauser != address(0), ZeroAddress());
        __ERC721_init("Plural Withdrawal Request", "plWR");
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RESUME_ROLE, admin);
        _grantRole(PAUSE_ROLE, pauser);
        _grantRole(RESUME_ROLE, pauser);
        QueueStorage storage $ = _storage();
        $.pool = pool_;
        $.firstOpenCheckpoint = 1;
    }

    /// @notice Takes the ether of finalized requests from the pool; anyone else's ether is refused.
    receive() external payable {
        require(msg.sender == _storage().pool, UnexpectedEther(msg.sender));
        // Counted in `lockedEther` by `finalize`, in the same report.
    }

    /// @inheritdoc IWithdrawalQueue
    function requestWithdrawals(
        uint256[] calldata amounts,
        address owner
    ) external returns (uint256[] memory requestIds) {
        return _requestWithdrawals(amounts, owner);
    }

    /// @inheritdoc IWithdrawalQueue
    function requestWithdrawalsWithPermit(
        uint256[] calldata amounts,
        address owner,
        PermitInput calldata permit
    ) external returns (uint256[] memory requestIds) {
        address pool_ = _storage().pool;
        // A permit someone else submitted first fails here but has already granted the allowance: go on, and let
        // the transfer decide.
        try
            IERC20Permit(pool_).permit(
                msg.sender,
                address(this),
                permit.value,
                permit.deadline,
                permit.v,
                permit.r,
                permit.s
            )
        {} catch {} // solhint-disable-line no-empty-blocks
        return _requestWithdrawals(amounts, owner);
    }

    /// @inheritdoc IWithdrawalQueue
    function claimWithdrawal(uint256 requestId, uint256 hint, address receiver) external {
        require(receiver != address(0), ZeroAddress());
        _requireNotPaused(_storage());
        uint256 amount = _claim(requestId, hint, receiver);
        _storage().lockedEther -= uint128(amount); // amount <= lockedEther: invariant_LockedEtherCoversFinalizedRequests
        Address.sendValue(payable(receiver), amount);
    }

    /// @inheritdoc IWithdrawalQueue
    function claimWithdrawals(uint256[] calldata requestIds, uint256[] calldata hints, address receiver) external {
        require(requestIds.length == hints.length, LengthMismatch(requestIds.length, hints.length));
        require(requestIds.length != 0, NoRequests());
        require(receiver != address(0), ZeroAddress());
        _requireNotPaused(_storage());
        uint256 total;
        for (uint256 i; i < requestIds.length; ++i) {
            total += _claim(requestIds[i], hints[i], receiver);
        }
        _storage().lockedEther -= uint128(total); // total <= lockedEther, as for one claim
        Address.sendValue(payable(receiver), total);
    }

    /// @inheritdoc IWithdrawalQueue
    function finalize(
        uint256 maxRequestId,
        uint256 refTimestamp,
        bool bunkerMode,
        uint256 totalEther,
        uint256 totalShares,
        uint256 available
    ) external returns (uint256 etherToLock, uint256 sharesToBurn) {
        QueueStorage storage $ = _storage();
        require(msg.sender == $.pool, CallerNotPool(msg.sender));
        uint256 rate = Math.mulDiv(totalEther, RATE_PRECISION, totalShares);
        uint256 lastFinalizedId = $.lastFinalizedId;
        Walk memory walk = Walk({
            from: lastFinalizedId,
            index: $.firstOpenCheckpoint,
            etherToLock: 0,
            sharesToBurn: 0,
            budget: available
        });
        if (!bunkerMode && maxRequestId > lastFinalizedId) {
            uint256 lastRequestId = $.lastRequestId;
            require(
                maxRequestId <= lastRequestId && $.requests[maxRequestId].timestamp <= refTimestamp,
                InvalidFinalizationBound(maxRequestId, lastRequestId, refTimestamp)
            );
            _walkPeriods($, walk, maxRequestId, rate);
        }
        _recordCheckpoint($, walk, lastFinalizedId, rate);
        return (walk.etherToLock, walk.sharesToBurn);
    }

    /// @inheritdoc IWithdrawalQueue
    function pauseWithdrawals(uint256 until) external onlyRole(PAUSE_ROLE) {
        require(until > block.timestamp && until <= type(uint32).max, InvalidPauseEnd(until, block.timestamp));
        _storage().withdrawalsPausedUntil = uint32(until);
        emit WithdrawalsPaused(until);
    }

    /// @inheritdoc IWithdrawalQueue
    function resumeWithdrawals() external onlyRole(RESUME_ROLE) {
        QueueStorage storage $ = _storage();
        require($.withdrawalsPausedUntil > block.timestamp, WithdrawalsNotPaused());
        $.withdrawalsPausedUntil = 0;
        emit WithdrawalsResumed();
    }

    /// @inheritdoc IWithdrawalQueue
    function withdrawalsPausedUntil() external view returns (uint256) {
        return _storage().withdrawalsPausedUntil;
    }

    /// @inheritdoc IWithdrawalQueue
    function getQueueState() external view returns (QueueState memory state) {
        QueueStorage storage $ = _storage();
        state.lastRequestId = $.lastRequestId;
        state.lastFinalizedId = $.lastFinalizedId;
        state.lockedEther = $.lockedEther;
        RequestData storage last = $.requests[state.lastRequestId];
        RequestData storage finalized = $.requests[state.lastFinalizedId];
        state.unfinalizedEther = last.cumulativeEther - finalized.cumulativeEther;
        state.unfinalizedShares = last.cumulativeShares - finalized.cumulativeShares;
        state.lastCheckpointIndex = $.lastCheckpointIndex;
    }

    /// @inheritdoc IWithdrawalQueue
    function unfinalizedEther() external view returns (uint256) {
        QueueStorage storage $ = _storage();
        return $.requests[$.lastRequestId].cumulativeEther - $.requests[$.lastFinalizedId].cumulativeEther;
    }

    /// @inheritdoc IWithdrawalQueue
    function getRequestStatus(uint256[] calldata requestIds) external view returns (RequestStatus[] memory statuses) {
        QueueStorage storage $ = _storage();
        statuses = new RequestStatus[](requestIds.length);
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 id = requestIds[i];
            require(id != 0 && id <= $.lastRequestId, RequestNotFound(id));
            RequestData memory request = $.requests[id];
            RequestData memory previous = $.requests[id - 1];
            address owner = _ownerOf(id);
            statuses[i] = RequestStatus({
                shares: request.cumulativeShares - previous.cumulativeShares,
                etherAtRequest: request.cumulativeEther - previous.cumulativeEther,
                owner: owner,
                timestamp: request.timestamp,
                finalized: id <= $.lastFinalizedId,
                claimed: owner == address(0)
            });
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function getClaimableEther(
        uint256[] calldata requestIds,
        uint256[] calldata hints
    ) external view returns (uint256[] memory amounts) {
        require(requestIds.length == hints.length, LengthMismatch(requestIds.length, hints.length));
        QueueStorage storage $ = _storage();
        amounts = new uint256[](requestIds.length);
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 id = requestIds[i];
            require(id != 0 && id <= $.lastRequestId, RequestNotFound(id));
            if (id > $.lastFinalizedId || _ownerOf(id) == address(0)) continue;
            amounts[i] = _claimableEther($, id, hints[i]);
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function findCheckpointHints(
        uint256[] calldata requestIds,
        uint256 first,
        uint256 last
    ) external view returns (uint256[] memory hints) {
        QueueStorage storage $ = _storage();
        require(first != 0 && first <= last && last <= $.lastCheckpointIndex, InvalidHintSearch(first, last));
        hints = new uint256[](requestIds.length);
        uint256 previousId;
        // Where the search starts: `first`, then the previous id's checkpoint. The errors name `first` as given.
        uint256 from = first;
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 id = requestIds[i];
            require(id > previousId, InvalidHintSearch(first, last));
            previousId = id;
            if (id > $.checkpoints[last].lastFinalizedId || id <= $.checkpoints[from - 1].lastFinalizedId) continue;
            // The first checkpoint in [from, last] whose finalized bound reaches the id.
            uint256 low = from;
            uint256 high = last;
            while (low < high) {
                uint256 middle = (low + high) / 2;
                if ($.checkpoints[middle].lastFinalizedId >= id) high = middle;
                else low = middle + 1;
            }
            hints[i] = low;
            // Later ids are found at or after this checkpoint.
            from = low;
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function getCheckpoint(uint256 index) external view returns (Checkpoint memory) {
        CheckpointData memory checkpoint = _storage().checkpoints[index];
        return
            Checkpoint({
                lastRequestId: checkpoint.lastRequestId,
                lastFinalizedId: checkpoint.lastFinalizedId,
                rate: checkpoint.rate,
                timestamp: checkpoint.timestamp
            });
    }

    /// @inheritdoc IWithdrawalQueue
    function pool() external view returns (address) {
        return _storage().pool;
    }

    /// @inheritdoc ERC721Upgradeable
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC721Upgradeable, AccessControlUpgradeable) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _requestWithdrawals(
        uint256[] calldata amounts,
        address owner
    ) private returns (uint256[] memory requestIds) {
        require(amounts.length != 0, NoRequests());
        if (owner == address(0)) owner = msg.sender;
        QueueStorage storage $ = _storage();
        _requireNotPaused($);
        IStakedEther pool_ = IStakedEther($.pool);
        uint256 id = $.lastRequestId;
        RequestData memory last = $.requests[id];
        uint256 cumulativeEther = last.cumulativeEther;
        uint256 cumulativeShares = last.cumulativeShares;
        uint256 totalShares;
        requestIds = new uint256[](amounts.length);
        for (uint256 i; i < amounts.length; ++i) {
            uint256 shares = amounts[i];
            uint256 etherValue = pool_.convertToAssets(shares);
            require(etherValue >= MIN_REQUEST, RequestTooSmall(etherValue, MIN_REQUEST));
            require(etherValue <= MAX_REQUEST, RequestTooLarge(etherValue, MAX_REQUEST));
            cumulativeEther += etherValue;
            cumulativeShares += shares;
            totalShares += shares;
            ++id;
            $.requests[id] = RequestData({
                cumulativeEther: cumulativeEther.toUint112(),
                cumulativeShares: cumulativeShares.toUint112(),
                timestamp: uint32(block.timestamp)
            });
            requestIds[i] = id;
            _mint(owner, id);
            emit WithdrawalRequested(id, owner, shares, etherValue);
        }
        $.lastRequestId = id.toUint48();
        // The queue holds the plETH until the finalizing report burns it, so the requests still bear losses until
        // then: finalization pays min(value at request, value at finalization).
        IERC20(address(pool_)).safeTransferFrom(msg.sender, address(this), totalShares);
    }

    /// @dev Checks and burns one claim; returns its ether. The caller updates lockedEther and sends.
    function _claim(uint256 requestId, uint256 hint, address receiver) private returns (uint256 amount) {
        QueueStorage storage $ = _storage();
        address owner = _ownerOf(requestId);
        if (owner == address(0)) {
            require(requestId != 0 && requestId <= $.lastRequestId, RequestNotFound(requestId));
            revert RequestAlreadyClaimed(requestId);
        }
        require(owner == msg.sender, NotRequestOwner(msg.sender, owner));
        require(requestId <= $.lastFinalizedId, RequestNotFinalized(requestId));
        amount = _claimableEther($, requestId, hint);
        // Burned before the ether leaves: a reentrant receiver finds the request claimed.
        _burn(requestId);
        emit WithdrawalClaimed(requestId, owner, receiver, amount);
    }

    function _requireNotPaused(QueueStorage storage $) private view {
        uint256 pausedUntil = $.withdrawalsPausedUntil;
        require(pausedUntil <= block.timestamp, WithdrawalsArePaused(pausedUntil));
    }

    /// @dev min(value at request, plETH at the finalizing rate), rounded down; the hint must be the checkpoint that
    /// finalized the request.
    function _claimableEther(QueueStorage storage $, uint256 requestId, uint256 hint) private view returns (uint256) {
        CheckpointData memory checkpoint = $.checkpoints[hint];
        require(
            hint != 0 && requestId <= checkpoint.lastFinalizedId && requestId > $.checkpoints[hint - 1].lastFinalizedId,
            InvalidHint(requestId, hint)
        );
        RequestData memory request = $.requests[requestId];
        RequestData memory previous = $.requests[requestId - 1];
        uint256 shares = request.cumulativeShares - previous.cumulativeShares;
        return
            Math.min(
                request.cumulativeEther - previous.cumulativeEther,
                Math.mulDiv(shares, checkpoint.rate, RATE_PRECISION)
            );
    }

    /// @dev Finalizes from `walk.from` towards `maxRequestId`, one rate period at a time, as far as `available`
    /// pays. Each period's requests were priced at one rate, so min(Σ ether at request, Σ shares × rate) over the
    /// period is at least the sum of its requests' claims (min of sums >= sum of mins; floor of a sum >= sum of
    /// floors). `walk` ends at the new last finalized id, with the totals and the next open checkpoint.
    function _walkPeriods(QueueStorage storage $, Walk memory walk, uint256 maxRequestId, uint256 rate) private view {
        uint256 lastCheckpointIndex = $.lastCheckpointIndex;
        RequestData memory start = $.requests[walk.from];
        for (uint256 periods; walk.from < maxRequestId && periods < MAX_PERIODS_PER_REPORT; ++periods) {
            // The period ends at its checkpoint, or is the open one, which this report closes.
            uint256 periodEnd =
                walk.index <= lastCheckpointIndex ? $.checkpoints[walk.index].lastRequestId : type(uint256).max;
            uint256 end = Math.min(periodEnd, maxRequestId);
            RequestData memory endRequest = $.requests[end];
            uint256 need = _rangeEther(start, endRequest, rate);
            if (need > walk.budget) {
                // The buffer runs out inside this period: take the longest prefix it pays, and stop there.
                end = _lastAffordable($, start, walk.from, end, rate, walk.budget);
                endRequest = $.requests[end];
                need = _rangeEther(start, endRequest, rate);
                maxRequestId = end;
            }
            walk.budget -= need;
            walk.etherToLock += need;
            walk.sharesToBurn += endRequest.cumulativeShares - start.cumulativeShares;
            walk.from = end;
            start = endRequest;
            if (end == periodEnd) ++walk.index;
        }
    }

    /// @dev Writes the report's checkpoint, closing the open period, and the finalization it made, if any.
    function _recordCheckpoint(
        QueueStorage storage $,
        Walk memory walk,
        uint256 lastFinalizedId,
        uint256 rate
    ) private {
        uint256 lastRequestId = $.lastRequestId;
        uint256 index = $.lastCheckpointIndex;
        // A report that saw no new request and finalized nothing leaves nothing to record.
        if (walk.from == lastFinalizedId && lastRequestId == $.checkpoints[index].lastRequestId) return;
        ++index;
        $.checkpoints[index] = CheckpointData({
            lastRequestId: uint48(lastRequestId),
            lastFinalizedId: uint48(walk.from),
            rate: rate.toUint128(),
            timestamp: uint32(block.timestamp)
        });
        // This checkpoint closes the open period. If the walk got that far (or nothing older was open), the next
        // walk starts here, or after it when none of its requests is left.
        uint256 firstOpen = walk.index;
        if (firstOpen == index && lastRequestId == walk.from) ++firstOpen;
        // One slot: the finalized bound, the locked ether and the checkpoint indices change together.
        $.lastCheckpointIndex = uint40(index);
        $.firstOpenCheckpoint = uint40(firstOpen);
        if (walk.from == lastFinalizedId) return;
        $.lastFinalizedId = uint48(walk.from);
        $.lockedEther += walk.etherToLock.toUint128();
        emit WithdrawalsFinalized(lastFinalizedId + 1, walk.from, walk.etherToLock, walk.sharesToBurn, index);
    }

    /// @dev The largest id in [from, end] whose range from `from` costs at most `budget`, by binary search (the cost
    /// grows with the id). Only a finalization the buffer cannot pay in full searches.
    function _lastAffordable(
        QueueStorage storage $,
        RequestData memory start,
        uint256 from,
        uint256 end,
        uint256 rate,
        uint256 budget
    ) private view returns (uint256) {
        uint256 low = from;
        uint256 high = end - 1; // `end` itself costs too much
        while (low < high) {
            uint256 middle = (low + high + 1) / 2;
            if (_rangeEther(start, $.requests[middle], rate) <= budget) low = middle;
            else high = middle - 1;
        }
        return low;
    }

    function _rangeEther(
        RequestData memory start,
        RequestData memory end,
        uint256 rate
    ) private pure returns (uint256) {
        return
            Math.min(
                end.cumulativeEther - start.cumulativeEther,
                Math.mulDiv(end.cumulativeShares - start.cumulativeShares, rate, RATE_PRECISION)
            );
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _storage() private pure returns (QueueStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
