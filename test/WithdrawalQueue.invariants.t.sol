// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {AccountingOracle} from "../contracts/AccountingOracle.sol";
import {DepositGuard} from "../contracts/DepositGuard.sol";
import {ExecutionRewardsVault} from "../contracts/ExecutionRewardsVault.sol";
import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {WithdrawalQueue} from "../contracts/WithdrawalQueue.sol";
import {WithdrawalVault} from "../contracts/WithdrawalVault.sol";
import {QueueFixture} from "./utils/QueueFixture.sol";
import {StakingPoolFixture, forceEther} from "./utils/StakingPoolFixture.sol";

/// @dev Users, the beacon chain, the oracle committee and governance acting on the queue through the whole protocol,
/// with bounded inputs. Users deposit, request withdrawals for themselves or others, pass request tokens around and
/// claim (one at a time or in batches, to receivers of their choice); the beacon side gains, loses (up to a slashing
/// that governance must accept) and withdraws to the vault; the committee reports honestly, in or out of bunker mode,
/// with the finalization bound an honest oracle computes (or a lower one); validators are staked from the buffer;
/// strangers force ether and plETH into the queue. The ghost state is this handler's own book of every request: its
/// plETH and value when made (from the pool's price before the call), its owner, and, once a report finalized it, the
/// post-fee rate the handler recomputed from the pool's totals. Checks that need the state around a call run here and
/// record the first broken expectation per kind for the invariants to report. Calls that would revert are skipped.
contract QueueHandler is QueueFixture {
    /// @dev The deployed protocol and the fixture's named accounts, handed over by the test.
    struct Protocol {
        StakingPool pool;
        OperatorRegistry registry;
        DepositGuard guard;
        BeaconDepositMock beaconDeposit;
        WithdrawalVault vault;
        ExecutionRewardsVault elVault;
        AccountingOracle oracle;
        WithdrawalQueue queue;
        address admin;
        address treasury;
        uint256[] guardianKeys;
        address[] oracleMembers;
    }

    /// @notice One request as this handler booked it.
    struct GhostRequest {
        uint256 shares;
        uint256 etherAtRequest;
        uint256 timestamp;
        address owner;
        bool finalized;
        /// @dev The post-fee rate of the report that finalized it, recomputed from the pool's totals.
        uint256 rate;
        uint256 claims;
        uint256 paid;
    }

    /// @dev What a report is checked against: the state just before it.
    struct ReportSnapshot {
        uint256 refTime;
        uint256 bound;
        uint256 finalizedBefore;
        uint256 available;
        uint256 lockedBefore;
        uint256 queueEtherBefore;
        uint256 queueSharesBefore;
        uint256 checkpointsBefore;
        uint256 rangeEtherAtRequest;
    }

    uint256 private constant MAX_DEPOSIT = 100 ether;
    uint256 private constant MAX_REQUESTS_PER_CALL = 3;
    uint256 private constant MAX_BATCH = 5;
    uint256 private constant MAX_WARP = 12 hours;
    uint256 private constant MAX_SKIM = 20 ether;
    uint256 private constant MAX_DONATION = 1 ether;
    uint256 private constant KEYS_PER_OPERATOR = 12;

    address[] private _actors;
    /// @dev A receiver that is not an actor, so that claims also pay addresses that own nothing.
    address private immutable RECEIVER;
    GhostRequest[] private _requests;

    /// @notice The chain's clock and height as this handler moved them; re-applied before each call.
    uint256 public currentTime;
    uint256 public currentBlock;
    /// @notice Whether the committee reports bunker mode (penalties still pending on the beacon chain).
    bool public bunker;

    /// @notice Ether the reports locked in the queue, and the ether claims paid out of it.
    uint256 public ghostLockedTotal;
    uint256 public ghostPaidTotal;
    /// @notice Ether forced into the queue without a call, and plETH sent to it outside requests.
    uint256 public ghostForcedEther;
    uint256 public ghostDonatedShares;
    /// @notice Reports applied, and of them those that finalized something.
    uint256 public reportsApplied;
    uint256 public finalizingReports;

    /// @notice The first broken expectation per kind ("request", "report", "claim", "double", "stake").
    mapping(string kind => string message) public violation;
    /// @notice Calls that did something, per action (to check that the campaign exercises every action).
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    constructor(Protocol memory protocol, address[] memory actorList) {
        pool = protocol.pool;
        registry = protocol.registry;
        guard = protocol.guard;
        beaconDeposit = protocol.beaconDeposit;
        vault = protocol.vault;
        elVault = protocol.elVault;
        oracle = protocol.oracle;
        queue = protocol.queue;
        admin = protocol.admin;
        treasury = protocol.treasury;
        guardianKeys = protocol.guardianKeys;
        oracleMembers = protocol.oracleMembers;
        _actors = actorList;
        RECEIVER = makeAddr("receiver");
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    /// @notice The history before the campaign, through this handler so that it knows every key: three operators with
    /// twelve vetted keys each, deposits, four validators staked and seen by a first report.
    function setUpHistory() external step {
        for (uint256 i; i < 3; ++i) _addOperatorWithKeys(KEYS_PER_OPERATOR, KEYS_PER_OPERATOR);
        _deposit(_actors[0], 100 ether);
        _deposit(_actors[1], 60 ether);
        _deposit(_actors[2], 30 ether);
        _deposit(_actors[3], 10 ether);
        ++currentBlock;
        vm.roll(currentBlock);
        _stake(4);
        _reportNextFrame(4 * VALIDATOR_DEPOSIT);
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    // =================================================================================================================
    // users
    // =================================================================================================================

    function deposit(uint256 actorSeed, uint256 amount) external step {
        uint256 deadline = pool.getReportState().reportDeadline;
        if (deadline != 0 && block.timestamp > deadline) return;
        uint256 cap = Math.min(MAX_DEPOSIT, pool.getStakeLimit().available);
        if (cap < 0.01 ether) return;
        _deposit(_actors[actorSeed % _actors.length], bound(amount, 0.01 ether, cap));
        ++calls["deposit"];
    }

    /// @notice One to three requests by one actor, for itself or another actor.
    function request(uint256 actorSeed, uint256 ownerSeed, uint256 amountSeed, uint256 count) external step {
        if (_request(actorSeed, ownerSeed, amountSeed, count)) ++calls["request"];
    }

    /// @notice The owner of an unclaimed request passes its token to another actor.
    function transferRequest(uint256 idSeed, uint256 toSeed) external step {
        (uint256 id, bool found) = _pick(idSeed, false);
        if (!found) return;
        address owner = _requests[id - 1].owner;
        address to = _actors[toSeed % _actors.length];
        if (to == owner) to = _actors[((toSeed % _actors.length) + 1) % _actors.length];
        vm.prank(owner);
        queue.transferFrom(owner, to, id);
        _requests[id - 1].owner = to;
        ++calls["transferRequest"];
    }

    /// @notice The owner of a finalized request claims it to an actor or a bystander; a non-owner tried first, and
    /// the owner tries again after.
    function claim(uint256 idSeed, uint256 receiverSeed) external step {
        (uint256 id, bool found) = _pick(idSeed, true);
        if (!found) return;
        GhostRequest storage ghost = _requests[id - 1];
        address owner = ghost.owner;
        address receiver = _receiver(receiverSeed);
        uint256 hint = _hint(id);
        uint256 expected = _expectedClaim(ghost);

        address other = _actors[((receiverSeed % _actors.length) + 1) % _actors.length];
        if (other != owner) {
            vm.prank(other);
            try queue.claimWithdrawal(id, hint, other) {
                _expect(false, "claim", "someone other than the owner claimed");
            } catch {} // solhint-disable-line no-empty-blocks
        }

        uint256 paid = _claim(owner, id, receiver);
        _book(id, paid);
        _expect(paid == expected, "claim", "a claim paid other than min(value at request, plETH x rate)");
        _tryClaimAgain(owner, id, hint);
        ++calls["claim"];
    }

    /// @notice An actor claims up to five of its finalized requests at once.
    function claimBatch(uint256 ownerSeed, uint256 maxCount, uint256 receiverSeed) external step {
        address owner = _actors[ownerSeed % _actors.length];
        uint256 max = bound(maxCount, 1, MAX_BATCH);
        uint256[] memory found = new uint256[](max);
        uint256 count;
        for (uint256 id = 1; id <= _requests.length && count < max; ++id) {
            GhostRequest storage ghost = _requests[id - 1];
            if (ghost.finalized && ghost.claims == 0 && ghost.owner == owner) found[count++] = id;
        }
        if (count == 0) return;
        uint256[] memory ids = new uint256[](count);
        uint256 expected;
        for (uint256 i; i < count; ++i) {
            ids[i] = found[i];
            expected += _expectedClaim(_requests[found[i] - 1]);
        }
        uint256[] memory hints = queue.findCheckpointHints(ids, 1, queue.getQueueState().lastCheckpointIndex);
        address receiver = _receiver(receiverSeed);
        uint256 before = receiver.balance;

        vm.prank(owner);
        queue.claimWithdrawals(ids, hints, receiver);
        uint256 paid = receiver.balance - before;
        _expect(paid == expected, "claim", "a batch paid other than the sum of its claims");
        for (uint256 i; i < count; ++i) _book(ids[i], _expectedClaim(_requests[ids[i] - 1]));
        _tryClaimAgain(owner, ids[0], hints[0]);
        ++calls["claimBatch"];
    }

    /// @notice An actor sends plETH straight to the queue, outside any request.
    function donateShares(uint256 amount, uint256 actorSeed) external step {
        address actor = _actors[actorSeed % _actors.length];
        uint256 balance = pool.balanceOf(actor);
        if (balance == 0) return;
        amount = bound(amount, 1, Math.min(balance, MAX_DONATION));
        ghostDonatedShares += amount;
        ++calls["donateShares"];
        vm.prank(actor);
        pool.transfer(address(queue), amount);
    }

    /// @notice A stranger forces ether into the queue without a call, as a self-destruct does.
    function forceEtherIn(uint256 amount) external step {
        amount = bound(amount, 1, MAX_DONATION);
        ghostForcedEther += amount;
        ++calls["forceEther"];
        vm.deal(address(this), amount);
        forceEther(address(queue), amount);
    }

    // =================================================================================================================
    // the beacon chain, staking, time
    // =================================================================================================================

    /// @notice A withdrawal from the validators to the withdrawal vault, swept into the buffer by the next report.
    function skim(uint256 amount) external step {
        uint256 room = Math.min((_beaconBefore() - address(vault).balance) / 10, MAX_SKIM);
        if (room == 0) return;
        amount = bound(amount, 1, room);
        vm.deal(address(vault), address(vault).balance + amount);
        ++calls["skim"];
    }

    /// @notice Stakes up to three validators with a guardian quorum; the pool must refuse to stake the ether that the
    /// unfinalized requests may need, and only that.
    function stake(uint256 count) external step {
        ++currentBlock;
        vm.roll(currentBlock);
        uint256 buffered = _accounting().bufferedEther;
        (, count) = registry.allocate(bound(count, 1, 3));
        if (count == 0 || count * VALIDATOR_DEPOSIT > buffered) return;
        // The reserve from this handler's book, not from the queue.
        uint256 reserve = _ghostUnfinalizedEther();
        uint256 stakeable = buffered > reserve ? buffered - reserve : 0;
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        uint256 amount = count * VALIDATOR_DEPOSIT;

        if (amount > stakeable) {
            try pool.depositValidators(segments, attestation) {
                _expect(false, "stake", "validators staked the withdrawal reserve");
            } catch (bytes memory reason) {
                _expect(
                    keccak256(reason) ==
                        keccak256(
                            abi.encodeWithSelector(
                                IStakingPool.BufferReservedForWithdrawals.selector,
                                amount,
                                stakeable
                            )
                        ),
                    "stake",
                    string.concat("refused for another reason: ", Strings.toHexString(reason))
                );
            }
            ++calls["stakeRefused"];
            return;
        }
        pool.depositValidators(segments, attestation);
        _expect(_accounting().bufferedEther >= reserve, "stake", "the buffer fell below the reserve");
        ++calls["stake"];
    }

    function warp(uint256 duration) external step {
        duration = bound(duration, 1, MAX_WARP);
        currentTime += duration;
        currentBlock += duration / SECONDS_PER_SLOT + 1;
        ++calls["warp"];
    }

    // =================================================================================================================
    // the oracle committee and governance
    // =================================================================================================================

    /// @notice Bunker mode on or off for the next reports.
    function setBunker(bool on) external step {
        bunker = on;
        ++calls[on ? "bunkerOn" : "bunkerOff"];
    }

    /// @notice The next frame's report, applied by a quorum. `kind`: bits 0-1 pick a gain (within the reward cap), a
    /// small loss (within the per-report bound), a slashing (up to 10 %, accepted by governance) or no change; bit 2
    /// adds a request after the reference slot, which must wait; bit 3 lowers the finalization bound.
    function report(uint256 changeSeed, uint256 kind, uint256 boundSeed) external step {
        uint256 refSlot = _warpToNextFrame();
        currentTime = block.timestamp;
        currentBlock = block.number;
        if (kind & 4 != 0) _request(changeSeed, boundSeed, changeSeed >> 128, 1);

        ReportSnapshot memory snapshot = _snapshot(refSlot, kind, boundSeed);
        IAccountingOracle.Report memory beaconReport = _queueReport(
            refSlot,
            _beaconChange(changeSeed, kind),
            snapshot.bound,
            bunker
        );
        _submitByQuorum(beaconReport);
        ++reportsApplied;
        _checkReport(snapshot);
        ++calls[bunker ? "reportBunker" : "report"];
    }

    // =================================================================================================================
    // views for the invariants
    // =================================================================================================================

    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    function ghostRequest(uint256 id) external view returns (GhostRequest memory) {
        return _requests[id - 1];
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    /// @notice What the unfinalized requests were worth when made, by this handler's book.
    function ghostUnfinalizedEther() external view returns (uint256) {
        return _ghostUnfinalizedEther();
    }

    /// @notice The plETH of the unfinalized requests, by this handler's book.
    function ghostUnfinalizedShares() public view returns (uint256 shares) {
        for (uint256 i; i < _requests.length; ++i) if (!_requests[i].finalized) shares += _requests[i].shares;
    }

    /// @notice What a finalized request pays, by this handler's book: min(value at request, plETH × its rate).
    function expectedClaim(uint256 id) external view returns (uint256) {
        return _expectedClaim(_requests[id - 1]);
    }

    // =================================================================================================================
    // internals
    // =================================================================================================================

    function _request(uint256 actorSeed, uint256 ownerSeed, uint256 amountSeed, uint256 count) private returns (bool) {
        address actor = _actors[actorSeed % _actors.length];
        count = bound(count, 1, MAX_REQUESTS_PER_CALL);
        uint256 minShares = pool.convertToShares(MIN_REQUEST) + 1;
        uint256 maxShares = Math.min(pool.balanceOf(actor), pool.convertToShares(MAX_REQUEST)) / count;
        if (maxShares < minShares) return false;
        uint256 ownerIndex = ownerSeed % (_actors.length + 1);
        address owner = ownerIndex == _actors.length ? address(0) : _actors[ownerIndex];
        uint256[] memory amounts = new uint256[](count);
        uint256 firstId = _requests.length + 1;
        for (uint256 k; k < count; ++k) {
            // The first amount as given when in range (a fixed sequence can then pick it), the others derived.
            uint256 amountFrom = k == 0 ? amountSeed : uint256(keccak256(abi.encode(amountSeed, k)));
            amounts[k] = bound(amountFrom, minShares, maxShares);
            // The pool's price just before the request: nothing in the call moves it.
            _requests.push(
                GhostRequest({
                    shares: amounts[k],
                    etherAtRequest: pool.convertToAssets(amounts[k]),
                    timestamp: block.timestamp,
                    owner: owner == address(0) ? actor : owner,
                    finalized: false,
                    rate: 0,
                    claims: 0,
                    paid: 0
                })
            );
        }
        uint256[] memory ids = _requestMany(actor, amounts, owner);
        for (uint256 k; k < count; ++k) {
            _expect(ids[k] == firstId + k, "request", "ids are not consecutive");
            IWithdrawalQueue.RequestStatus memory status = _status(ids[k]);
            GhostRequest storage ghost = _requests[ids[k] - 1];
            _expect(
                status.shares == ghost.shares &&
                    status.etherAtRequest == ghost.etherAtRequest &&
                    status.owner == ghost.owner &&
                    status.timestamp == ghost.timestamp,
                "request",
                "a request's status differs from what was asked"
            );
        }
        return true;
    }

    /// @dev The state before a report, with its finalization bound: the newest request made by the reference slot by
    /// this handler's book (what an honest oracle reports), or, on bit 3 of `kind`, anything from the finalized bound
    /// up to it.
    function _snapshot(
        uint256 refSlot,
        uint256 kind,
        uint256 boundSeed
    ) private view returns (ReportSnapshot memory snapshot) {
        IWithdrawalQueue.QueueState memory state = queue.getQueueState();
        snapshot.refTime = _refTime(refSlot);
        uint256 honest = _requests.length;
        while (honest != 0 && _requests[honest - 1].timestamp > snapshot.refTime) --honest;
        snapshot.finalizedBefore = state.lastFinalizedId;
        snapshot.bound = honest;
        if (kind & 8 != 0 && honest > state.lastFinalizedId)
            snapshot.bound = bound(boundSeed, state.lastFinalizedId, honest);
        // The report sweeps the withdrawal vault into the buffer before it finalizes.
        snapshot.available = _accounting().bufferedEther + address(vault).balance;
        snapshot.lockedBefore = state.lockedEther;
        snapshot.queueEtherBefore = address(queue).balance;
        snapshot.queueSharesBefore = pool.balanceOf(address(queue));
        snapshot.checkpointsBefore = state.lastCheckpointIndex;
        for (uint256 id = state.lastFinalizedId + 1; id <= snapshot.bound; ++id) {
            snapshot.rangeEtherAtRequest += _requests[id - 1].etherAtRequest;
        }
    }

    function _beaconChange(uint256 changeSeed, uint256 kind) private view returns (int256) {
        uint256 choice = kind & 3;
        if (choice == 0) return int256(bound(changeSeed, 0, _maxGainOneFrame()));
        uint256 beacon = _beaconBefore() - address(vault).balance;
        if (choice == 1) return -int256(bound(changeSeed, 0, beacon / 100));
        if (choice == 2) return -int256(bound(changeSeed, 0, beacon / 10));
        return 0;
    }

    /// @dev What the report finalized, against the state before it and this handler's book; books the finalizing rate.
    function _checkReport(ReportSnapshot memory snapshot) private {
        IWithdrawalQueue.QueueState memory state = queue.getQueueState();
        uint256 finalized = state.lastFinalizedId;
        uint256 locked = state.lockedEther - snapshot.lockedBefore;
        _expect(finalized >= snapshot.finalizedBefore, "report", "the finalized bound went back");
        _expect(finalized <= snapshot.bound, "report", "finalized beyond the oracle's bound");
        _expect(!bunker || finalized == snapshot.finalizedBefore, "report", "finalized in bunker mode");
        _expect(locked <= snapshot.available, "report", "locked more than the buffer");
        _expect(
            address(queue).balance == snapshot.queueEtherBefore + locked,
            "report",
            "the queue received other than the ether locked"
        );
        // With no more than the campaign's reports since the last finalization (fewer than 64 rate periods), a buffer
        // that pays every request at its value when made lets the report finalize up to the bound.
        if (!bunker && snapshot.available >= snapshot.rangeEtherAtRequest) {
            _expect(finalized == snapshot.bound, "report", "stopped short although the buffer paid the range");
        }
        if (!bunker && finalized < snapshot.bound) ++calls["reportShortBuffer"];
        if (finalized == snapshot.finalizedBefore) {
            _expect(locked == 0, "report", "locked ether without finalizing");
            return;
        }
        ++finalizingReports;
        ghostLockedTotal += locked;

        uint256 burned;
        for (uint256 id = snapshot.finalizedBefore + 1; id <= finalized; ++id) {
            burned += _requests[id - 1].shares;
            _expect(
                _requests[id - 1].timestamp <= snapshot.refTime,
                "report",
                "finalized a request made after refSlot"
            );
        }
        _expect(
            pool.balanceOf(address(queue)) == snapshot.queueSharesBefore - burned,
            "report",
            "burned other than the finalized requests' plETH"
        );
        // The post-fee rate, from the pool's totals before the finalization burned the plETH and took the ether.
        uint256 rate = Math.mulDiv(pool.totalPooledEther() + locked, RATE_PRECISION, pool.totalSupply() + burned);
        _expect(
            queue.getCheckpoint(state.lastCheckpointIndex).rate == rate,
            "report",
            "the checkpoint's rate is not the post-fee rate"
        );
        _expect(state.lastCheckpointIndex == snapshot.checkpointsBefore + 1, "report", "not one new checkpoint");
        uint256 claims;
        for (uint256 id = snapshot.finalizedBefore + 1; id <= finalized; ++id) {
            GhostRequest storage ghost = _requests[id - 1];
            ghost.finalized = true;
            ghost.rate = rate;
            claims += _expectedClaim(ghost);
        }
        _expect(claims <= locked, "report", "the range's claims exceed the ether locked for it");
    }

    /// @dev Books a claim: paid once, the token gone.
    function _book(uint256 id, uint256 paid) private {
        GhostRequest storage ghost = _requests[id - 1];
        ++ghost.claims;
        ghost.paid += paid;
        ghost.owner = address(0);
        ghostPaidTotal += paid;
    }

    /// @dev The former owner claims `id` again: refused with `RequestAlreadyClaimed`, or a violation.
    function _tryClaimAgain(address owner, uint256 id, uint256 hint) private {
        vm.prank(owner);
        try queue.claimWithdrawal(id, hint, owner) {
            _expect(false, "double", "a request was paid twice");
            _requests[id - 1].claims++;
        } catch (bytes memory reason) {
            _expect(
                keccak256(reason) ==
                    keccak256(abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, id)),
                "double",
                "a second claim was refused for another reason"
            );
        }
    }

    /// @dev A request from `seed` on: unclaimed, and finalized when `finalized`.
    function _pick(uint256 seed, bool finalized) private view returns (uint256 id, bool found) {
        uint256 count = _requests.length;
        for (uint256 i; i < count; ++i) {
            id = (((seed % count) + i) % count) + 1;
            GhostRequest storage ghost = _requests[id - 1];
            if (ghost.claims == 0 && (!finalized || ghost.finalized)) return (id, true);
        }
    }

    function _receiver(uint256 seed) private view returns (address) {
        uint256 index = seed % (_actors.length + 1);
        return index == _actors.length ? RECEIVER : _actors[index];
    }

    function _expectedClaim(GhostRequest storage ghost) private view returns (uint256) {
        return Math.min(ghost.etherAtRequest, Math.mulDiv(ghost.shares, ghost.rate, RATE_PRECISION));
    }

    function _ghostUnfinalizedEther() private view returns (uint256 amount) {
        for (uint256 i; i < _requests.length; ++i) if (!_requests[i].finalized) amount += _requests[i].etherAtRequest;
    }

    function _expect(bool ok, string memory kind, string memory message) private {
        if (!ok && bytes(violation[kind]).length == 0) violation[kind] = message;
    }
}

/// @dev The queue's promises (DESIGN.md promise 3: a finalized request is claimable in full, once, by its current
/// owner) over any sequence of deposits, requests, token transfers, reports with gains, losses and slashing, bunker
/// mode, short buffers, stakes, claims alone and in batches, donations and time. Named after WithdrawalQueue's
/// invariants. Every invariant fails on a revert: the handler skips whatever would revert, so an honest report the
/// pool rejects, or a claim of a finalized request that fails, breaks the campaign.
contract WithdrawalQueueInvariantTest is StakingPoolFixture {
    uint256 private constant ACTOR_COUNT = 4;
    uint256 private constant RATE_PRECISION = 1e27;

    QueueHandler private handler;

    function setUp() public {
        _deployPool();
        address[] memory actorList = new address[](ACTOR_COUNT);
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            actorList[i] = makeAddr(string.concat("actor", Strings.toString(i)));
        }
        handler = new QueueHandler(
            QueueHandler.Protocol({
                pool: pool,
                registry: registry,
                guard: guard,
                beaconDeposit: beaconDeposit,
                vault: vault,
                elVault: elVault,
                oracle: oracle,
                queue: queue,
                admin: admin,
                treasury: treasury,
                guardianKeys: guardianKeys,
                oracleMembers: oracleMembers
            }),
            actorList
        );
        handler.setUpHistory();

        targetContract(address(handler));
        // Weighted by repetition: requests, reports and claims are most of what happens.
        bytes4[] memory selectors = new bytes4[](19);
        selectors[0] = QueueHandler.deposit.selector;
        selectors[1] = QueueHandler.deposit.selector;
        selectors[2] = QueueHandler.request.selector;
        selectors[3] = QueueHandler.request.selector;
        selectors[4] = QueueHandler.request.selector;
        selectors[5] = QueueHandler.transferRequest.selector;
        selectors[6] = QueueHandler.report.selector;
        selectors[7] = QueueHandler.report.selector;
        selectors[8] = QueueHandler.report.selector;
        selectors[9] = QueueHandler.setBunker.selector;
        selectors[10] = QueueHandler.claim.selector;
        selectors[11] = QueueHandler.claim.selector;
        selectors[12] = QueueHandler.claimBatch.selector;
        selectors[13] = QueueHandler.skim.selector;
        selectors[14] = QueueHandler.stake.selector;
        selectors[15] = QueueHandler.donateShares.selector;
        selectors[16] = QueueHandler.forceEtherIn.selector;
        selectors[17] = QueueHandler.warp.selector;
        selectors[18] = QueueHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev The ether locked covers every finalized, unclaimed request as the queue itself prices it (with the hints
    /// its own search finds) and as this handler's book prices it; the queue holds that ether, plus only what was
    /// forced into it; and the locked ether is what the reports locked less what the claims paid.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_LockedEtherCoversFinalizedRequests() public view {
        IWithdrawalQueue.QueueState memory state = queue.getQueueState();
        (uint256[] memory ids, uint256 count) = _finalizedUnclaimed();
        uint256 owedByQueue;
        uint256 owedByBook;
        if (count != 0) {
            uint256[] memory hints = queue.findCheckpointHints(ids, 1, state.lastCheckpointIndex);
            uint256[] memory amounts = queue.getClaimableEther(ids, hints);
            for (uint256 i; i < count; ++i) {
                owedByQueue += amounts[i];
                owedByBook += handler.expectedClaim(ids[i]);
            }
        }
        assertEq(owedByQueue, owedByBook, "claimable ether: the queue's view = the handler's book");
        assertGe(state.lockedEther, owedByQueue, "lockedEther >= claimable ether of finalized unclaimed requests");
        assertGe(address(queue).balance, state.lockedEther, "queue balance >= lockedEther");
        assertEq(
            address(queue).balance,
            state.lockedEther + handler.ghostForcedEther(),
            "queue balance = lockedEther + ether forced in"
        );
        assertEq(
            state.lockedEther,
            handler.ghostLockedTotal() - handler.ghostPaidTotal(),
            "lockedEther = locked by reports - paid by claims"
        );
        assertEq(handler.violation("report"), "", "report: first broken expectation");
    }

    /// @dev The queue holds the plETH of every unfinalized request (and only adds what strangers sent it); its totals
    /// agree with this handler's book; the pool keeps their value at request out of staking.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_QueueHoldsUnfinalizedShares() public view {
        IWithdrawalQueue.QueueState memory state = queue.getQueueState();
        uint256 held = pool.balanceOf(address(queue));
        assertGe(held, state.unfinalizedShares, "queue's plETH >= plETH of unfinalized requests");
        assertEq(state.unfinalizedShares, handler.ghostUnfinalizedShares(), "unfinalizedShares = the book's");
        assertEq(
            held,
            handler.ghostUnfinalizedShares() + handler.ghostDonatedShares(),
            "queue's plETH = unfinalized requests' + plETH sent to it"
        );
        assertEq(state.unfinalizedEther, handler.ghostUnfinalizedEther(), "unfinalizedEther = the book's");
        assertEq(queue.unfinalizedEther(), state.unfinalizedEther, "unfinalizedEther()");
        assertEq(handler.violation("request"), "", "request: first broken expectation");
        assertEq(handler.violation("stake"), "", "stake: first broken expectation");
    }

    /// @dev Every claim paid at most the request's value when made and at most its plETH at the finalizing rate (the
    /// rate the handler recomputed from the pool's totals at that report), and exactly the smaller of the two.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_ClaimNeverAboveRequestValue() public view {
        uint256 requests = handler.requestCount();
        uint256 paidTotal;
        for (uint256 id = 1; id <= requests; ++id) {
            QueueHandler.GhostRequest memory ghost = handler.ghostRequest(id);
            if (ghost.claims == 0) continue;
            assertLe(ghost.paid, ghost.etherAtRequest, "claim <= value at request");
            assertLe(ghost.paid, Math.mulDiv(ghost.shares, ghost.rate, RATE_PRECISION), "claim <= plETH x rate");
            paidTotal += ghost.paid;
        }
        assertEq(paidTotal, handler.ghostPaidTotal(), "claims booked");
        assertLe(paidTotal, handler.ghostLockedTotal(), "claims <= ether locked");
        assertEq(handler.violation("claim"), "", "claim: first broken expectation");
    }

    /// @dev Each request was paid at most once; a paid request's token is burned and its status says claimed; every
    /// other request's token is where the book says.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_NoDoubleClaim() public view {
        uint256 requests = handler.requestCount();
        uint256 unclaimed;
        for (uint256 id = 1; id <= requests; ++id) {
            QueueHandler.GhostRequest memory ghost = handler.ghostRequest(id);
            assertLe(ghost.claims, 1, "paid at most once");
            uint256[] memory one = new uint256[](1);
            one[0] = id;
            IWithdrawalQueue.RequestStatus memory status = queue.getRequestStatus(one)[0];
            assertEq(status.claimed, ghost.claims == 1, "claimed status");
            assertEq(status.owner, ghost.owner, "token owner (zero once burned)");
            assertEq(status.finalized, ghost.finalized, "finalized status");
            if (ghost.claims == 0) ++unclaimed;
        }
        address[] memory actorList = handler.actors();
        uint256 tokens;
        for (uint256 i; i < actorList.length; ++i) tokens += queue.balanceOf(actorList[i]);
        assertEq(tokens, unclaimed, "tokens held = unclaimed requests: claimed ones are burned");
        assertEq(handler.violation("double"), "", "double: first broken expectation");
    }

    // =================================================================================================================
    // the handler itself
    // =================================================================================================================

    /// @dev A fixed sequence through every action, so that no action is vacuous: a request after the reference slot,
    /// a short buffer, bunker mode with a slashing, a lowered bound, batches, a refused stake.
    function test_Handler_ExercisesEveryAction() public {
        handler.request(0, 4, 5 ether, 3); // actor 0 for itself: three requests
        handler.request(1, 2, 2 ether, 1); // actor 1 for actor 2
        handler.deposit(3, 40 ether);
        handler.transferRequest(0, 3);
        handler.donateShares(0.5 ether, 1);
        handler.forceEtherIn(0.2 ether);
        handler.report(1, 4, 0); // a small loss, and a request after the reference slot
        handler.claim(0, 4);
        _claimBatchesOfEveryActor(1);
        _leaveLessThanAValidatorAboveTheReserve();
        handler.stake(1); // refused: the reserve
        handler.setBunker(true);
        handler.report(type(uint256).max, 2, 0); // a slashing in bunker mode
        handler.setBunker(false);
        handler.skim(5 ether);
        handler.warp(3 hours);
        handler.report(7, 8, 1); // a gain, a lowered bound
        _requestMoreThanTheBuffer();
        handler.report(0, 3, 0); // the buffer runs out
        handler.claim(3, 2);
        _claimBatchesOfEveryActor(4);
        handler.deposit(0, 100 ether);
        handler.deposit(1, 100 ether);
        handler.stake(1);

        string[16] memory actions = [
            "deposit",
            "request",
            "transferRequest",
            "donateShares",
            "forceEther",
            "report",
            "reportBunker",
            "reportShortBuffer",
            "claim",
            "claimBatch",
            "stake",
            "stakeRefused",
            "bunkerOn",
            "bunkerOff",
            "skim",
            "warp"
        ];
        for (uint256 i; i < actions.length; ++i) assertGt(handler.calls(actions[i]), 0, actions[i]);
        assertGt(handler.finalizingReports(), 0, "reports finalized requests");
        invariant_LockedEtherCoversFinalizedRequests();
        invariant_QueueHoldsUnfinalizedShares();
        invariant_ClaimNeverAboveRequestValue();
        invariant_NoDoubleClaim();
    }

    function _claimBatchesOfEveryActor(uint256 receiverSeed) private {
        for (uint256 i; i < ACTOR_COUNT; ++i) handler.claimBatch(i, 5, receiverSeed);
    }

    /// @dev Requests by the actors until less than one validator's ether is left above the reserve, the buffer still
    /// holding one validator's.
    function _leaveLessThanAValidatorAboveTheReserve() private {
        address[] memory actorList = handler.actors();
        for (uint256 i; i < actorList.length; ++i) {
            uint256 buffered = pool.getAccounting().bufferedEther;
            uint256 reserve = queue.unfinalizedEther();
            if (buffered < reserve + 32 ether) break;
            uint256 shares = Math.min(
                pool.convertToShares(buffered - reserve - 16 ether),
                pool.balanceOf(actorList[i])
            );
            handler.request(i, i, shares, 1);
        }
        uint256 bufferedAfter = pool.getAccounting().bufferedEther;
        assertGe(bufferedAfter, 32 ether, "a validator's ether buffered");
        assertLt(bufferedAfter - queue.unfinalizedEther(), 32 ether, "less than a validator's above the reserve");
    }

    /// @dev Requests by the actors of all their plETH until the unfinalized requests are worth more than the next
    /// report can set aside.
    function _requestMoreThanTheBuffer() private {
        address[] memory actorList = handler.actors();
        for (uint256 i; i < actorList.length; ++i) {
            if (queue.unfinalizedEther() > _available()) break;
            handler.request(i, i, pool.balanceOf(actorList[i]), 1);
        }
        assertGt(queue.unfinalizedEther(), _available(), "more requested than the next report can pay");
    }

    /// @dev What the next report can set aside: the buffer and the withdrawals it sweeps.
    function _available() private view returns (uint256) {
        return pool.getAccounting().bufferedEther + address(vault).balance;
    }

    /// @dev The finalized, unclaimed requests by the handler's book, ascending.
    function _finalizedUnclaimed() private view returns (uint256[] memory ids, uint256 count) {
        uint256 requests = handler.requestCount();
        for (uint256 id = 1; id <= requests; ++id) if (_isFinalizedUnclaimed(id)) ++count;
        ids = new uint256[](count);
        uint256 next;
        for (uint256 id = 1; id <= requests; ++id) if (_isFinalizedUnclaimed(id)) ids[next++] = id;
    }

    function _isFinalizedUnclaimed(uint256 id) private view returns (bool) {
        QueueHandler.GhostRequest memory ghost = handler.ghostRequest(id);
        return ghost.finalized && ghost.claims == 0;
    }
}
