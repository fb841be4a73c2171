// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IWithdrawalQueue} from "../../contracts/interfaces/IWithdrawalQueue.sol";
import {OracleFixture} from "./OracleFixture.sol";

/// @title QueueFixture
/// @notice Withdrawal requests, reports that finalize them through the oracle committee, and claims with the hints the
/// queue's own search finds: what the withdrawals tooling does, in Solidity.
/// @dev The protocol comes from `StakingPoolFixture._deployPool` (the one place that calls `PluralDeployer`).
abstract contract QueueFixture is OracleFixture {
    uint256 internal constant RATE_PRECISION = 1e27;
    uint256 internal constant MIN_REQUEST = 0.0001 ether;
    uint256 internal constant MAX_REQUEST = 1000 ether;
    uint256 internal constant MAX_PERIODS_PER_REPORT = 64;
    /// @dev Validators the fixture stakes before any request, seen by a first report at 32 ether each.
    uint256 internal constant FIXTURE_VALIDATORS = 4;
    uint256 internal constant FIXTURE_STAKED = FIXTURE_VALIDATORS * 32 ether;

    /// @dev Deploys the protocol, stakes `FIXTURE_VALIDATORS` validators with 128 ether from a depositor (three
    /// operators with four vetted keys each, so eight keys stay available) and applies a first report that sees them
    /// with nothing gained or lost. The pool then holds 128.001 ether at exactly one ether per plETH, 0.001 of it
    /// buffered.
    function _deployQueueFixture() internal {
        _deployPool();
        _stakeValidators(FIXTURE_VALIDATORS);
        _reportNextFrame(FIXTURE_STAKED);
    }

    // --- users ---

    /// @dev `user` deposits `amount` wei of fresh ether; returns the plETH minted.
    function _deposit(address user, uint256 amount) internal returns (uint256 shares) {
        vm.deal(user, user.balance + amount);
        vm.prank(user);
        shares = pool.deposit{value: amount}(address(0));
    }

    /// @dev `user` approves the queue and requests `shares` plETH for itself; returns the request's id.
    function _request(address user, uint256 shares) internal returns (uint256) {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = shares;
        return _requestMany(user, amounts, address(0))[0];
    }

    /// @dev `user` approves the queue for the total and requests `amounts` for `owner`.
    function _requestMany(
        address user,
        uint256[] memory amounts,
        address owner
    ) internal returns (uint256[] memory ids) {
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) total += amounts[i];
        vm.prank(user);
        pool.approve(address(queue), total);
        vm.prank(user);
        ids = queue.requestWithdrawals(amounts, owner);
    }

    /// @dev `owner` claims request `id` to `receiver` with the hint the queue finds; returns what `receiver` got.
    function _claim(address owner, uint256 id, address receiver) internal returns (uint256 paid) {
        uint256 before = receiver.balance;
        uint256 hint = _hint(id);
        vm.prank(owner);
        queue.claimWithdrawal(id, hint, receiver);
        paid = receiver.balance - before;
    }

    // --- reports ---

    /// @dev The next frame's report, applied by a quorum: every deposited validator seen, the beacon side moved by
    /// `beaconDelta`, requests finalized up to the newest one made by the reference slot (as the oracle daemon
    /// computes it) unless `bunkerMode`.
    function _reportQueue(
        int256 beaconDelta,
        bool bunkerMode
    ) internal returns (IAccountingOracle.Report memory report) {
        uint256 refSlot = _warpToNextFrame();
        report = _queueReport(refSlot, beaconDelta, _lastRequestAt(_refTime(refSlot)), bunkerMode);
        _submitByQuorum(report);
    }

    /// @dev Same with an explicit finalization bound.
    function _reportQueueWithBound(
        int256 beaconDelta,
        uint256 lastFinalizableRequestId
    ) internal returns (IAccountingOracle.Report memory report) {
        uint256 refSlot = _warpToNextFrame();
        report = _queueReport(refSlot, beaconDelta, lastFinalizableRequestId, false);
        _submitByQuorum(report);
    }

    /// @dev The report for `refSlot`: every deposited validator seen; the beacon side (their balance plus what was
    /// withdrawn to the withdrawal vault since the last report) is what the pool knows plus `beaconDelta`. A loss above
    /// the oracle's per-report bound is first accepted by governance, for the excess.
    function _queueReport(
        uint256 refSlot,
        int256 beaconDelta,
        uint256 lastFinalizableRequestId,
        bool bunkerMode
    ) internal returns (IAccountingOracle.Report memory report) {
        uint256 deposited = _accounting().depositedValidators;
        uint256 before = _beaconBefore();
        uint256 beaconBalance = uint256(int256(before) + beaconDelta) - address(vault).balance;
        report = _reportFor(refSlot, deposited, beaconBalance);
        report.lastFinalizableRequestId = lastFinalizableRequestId;
        report.bunkerMode = bunkerMode;
        if (beaconDelta < 0) _allowLossAbove(uint256(-beaconDelta), before, refSlot);
    }

    /// @dev What the beacon side held at the last report plus 32 ether per validator deposited since (all of them
    /// seen by the next report).
    function _beaconBefore() internal view returns (uint256) {
        uint256 deposited = _accounting().depositedValidators;
        return _accounting().beaconBalance + (deposited - _accounting().beaconValidators) * VALIDATOR_DEPOSIT;
    }

    /// @dev The largest beacon gain the next report may show: the annual-rate cap over one frame.
    function _maxGainOneFrame() internal view returns (uint256) {
        return _frameRewardCap(_beaconBefore());
    }

    function _refTime(uint256 refSlot) internal pure returns (uint256) {
        return GENESIS_TIME + refSlot * SECONDS_PER_SLOT;
    }

    // --- queue views ---

    /// @dev The newest request made at or before `timestamp` (zero for none): the bound an honest oracle reports.
    function _lastRequestAt(uint256 timestamp) internal view returns (uint256 id) {
        id = queue.getQueueState().lastRequestId;
        while (id != 0 && _status(id).timestamp > timestamp) --id;
    }

    function _status(uint256 id) internal view returns (IWithdrawalQueue.RequestStatus memory) {
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        return queue.getRequestStatus(ids)[0];
    }

    /// @dev The checkpoint that finalized `id` (zero when none did), searched over every checkpoint.
    function _hint(uint256 id) internal view returns (uint256) {
        uint256 last = queue.getQueueState().lastCheckpointIndex;
        if (last == 0) return 0;
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        return queue.findCheckpointHints(ids, 1, last)[0];
    }

    /// @dev What `id` pays if claimed now (zero when not finalized or claimed).
    function _claimable(uint256 id) internal view returns (uint256) {
        uint256[] memory ids = new uint256[](1);
        uint256[] memory hints = new uint256[](1);
        ids[0] = id;
        hints[0] = _hint(id);
        return queue.getClaimableEther(ids, hints)[0];
    }

    /// @dev The rate of the pool right now, as the queue records it.
    function _poolRate() internal view returns (uint256) {
        return (pool.totalPooledEther() * RATE_PRECISION) / pool.totalSupply();
    }

    function _queueState() internal view returns (IWithdrawalQueue.QueueState memory) {
        return queue.getQueueState();
    }
}
