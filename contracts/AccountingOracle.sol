// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAccountingOracle} from "./interfaces/IAccountingOracle.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";

/// @title AccountingOracle
/// @notice The committee that tells the pool what Plural's validators hold on the beacon chain, one report per frame.
/// @dev Votes are counted per report hash ("variant") in one packed slot, so a vote costs the same whatever the
/// committee size. A quorum is always more than half the members, so at most one variant per frame reaches it.
/// Invariants (tested by these names):
/// - `invariant_NoReportWithoutQuorum`: every applied report had a quorum of current members' votes for its hash.
/// - `invariant_ReportsStrictlyOrdered`: applied reference slots strictly increase and are each a frame's.
/// - `invariant_ExitDataOnlyAsAgreed`: every exit-data page applied hashed to what the last applied report (or the
///   page before) named, in order, within that report's frame.
/// @custom:oz-upgrades
contract AccountingOracle is IAccountingOracle, AccessControlUpgradeable, UUPSUpgradeable {
    using SafeCast for uint256;

    /// @notice Adds and removes members, sets the quorum (the timelock).
    bytes32 public constant MANAGE_MEMBERS_ROLE = keccak256("MANAGE_MEMBERS_ROLE");
    /// @notice Sets the frame length and the sanity bounds (the timelock).
    bytes32 public constant MANAGE_CONFIG_ROLE = keccak256("MANAGE_CONFIG_ROLE");
    /// @notice Accepts a loss above the bound for one report (the timelock).
    bytes32 public constant ALLOW_LOSS_ROLE = keccak256("ALLOW_LOSS_ROLE");

    /// @notice The largest committee: vote counts are 8-bit fields of one slot, one per variant.
    uint256 public constant MAX_MEMBERS = 32;

    /// @notice Hard limit of `maxAprBps`: 50 % a year.
    uint256 public constant MAX_APR_BPS_LIMIT = 5_000;
    /// @notice Hard limit of `maxLossBps` and `maxElRewardsBps`: everything.
    uint256 public constant MAX_BPS_LIMIT = 10_000;
    /// @notice Lower hard limit of `unseenDepositDeadline`: a day.
    uint256 public constant MIN_UNSEEN_DEPOSIT_DEADLINE = 1 days;
    /// @notice Upper hard limit of `unseenDepositDeadline`: a year.
    uint256 public constant MAX_UNSEEN_DEPOSIT_DEADLINE = 365 days;
    /// @notice Hard limit of `epochsPerFrame`: about 30 days of mainnet epochs.
    uint256 public constant MAX_EPOCHS_PER_FRAME = 6_750;

    /// @dev Epochs after a frame starts before its reference slot can be finalized.
    uint256 internal constant FINALITY_EPOCHS = 2;

    struct MemberData {
        // Position in `members` plus one; zero for a non-member.
        uint8 position;
        // The variant voted for in frame `lastRefSlot`.
        uint8 variant;
        uint64 lastRefSlot;
    }

    /// @dev The slot every vote reads and writes.
    struct VoteState {
        // The reference slot the variants below are for.
        uint64 refSlot;
        uint64 lastProcessedRefSlot;
        uint8 variantCount;
        // Index of the agreed variant plus one; zero when none.
        uint8 consensusVariant;
        uint8 quorum;
    }

    /// @custom:storage-location erc7201:plural.storage.AccountingOracle
    struct OracleStorage {
        // Slot: the clock.
        uint64 genesisTime;
        uint32 secondsPerSlot;
        uint32 slotsPerEpoch;
        uint32 epochsPerFrame;
        uint64 initialEpoch;
        // Slot: the vote.
        VoteState vote;
        // 8-bit support per variant.
        uint256 tallies;
        mapping(uint256 variant => bytes32) variants;
        // Slot: the bounds.
        uint16 maxAprBps;
        uint16 maxLossBps;
        uint16 maxElRewardsBps;
        uint32 unseenDepositDeadline;
        uint96 allowedLoss;
        uint64 allowedLossUntilRefSlot;
        IStakingPool pool;
        address[] members;
        mapping(address => MemberData) memberData;
        // Slot: the exit data of the last report that announced some, and the hash its next page must have.
        uint64 exitDataRefSlot;
        uint32 exitDataPages;
        uint64 exitDataNextOperatorId;
        bytes32 exitDataNextHash;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.AccountingOracle")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xfb7943b43a17973ac91c3139fd500439d11ed6d4db6be0cca1e6ad453a5d9c00;

    uint256 private constant YEAR = 365 days;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy: every role to `admin` (the timelock). Frames count from the next epoch; the
    /// first report covers the time since now.
    /// @param admin The governance timelock.
    /// @param pool_ The staking pool.
    /// @param frame The beacon clock (genesis at or before now) and the frame length.
    /// @param members_ The committee.
    /// @param quorum_ Votes needed: more than half the members.
    /// @param bounds The sanity bounds.
    function initialize(
        address admin,
        IStakingPool pool_,
        FrameConfig calldata frame,
        address[] calldata members_,
        uint256 quorum_,
        SanityBounds calldata bounds
    ) external initializer {
        require(admin != address(0) && address(pool_) != address(0), ZeroAddress());
        require(
            frame.genesisTime <= block.timestamp &&
                frame.secondsPerSlot != 0 &&
                frame.secondsPerSlot <= type(uint32).max &&
                frame.slotsPerEpoch != 0 &&
                frame.slotsPerEpoch <= type(uint32).max,
            InvalidFrameConfig()
        );
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MANAGE_MEMBERS_ROLE, admin);
        _grantRole(MANAGE_CONFIG_ROLE, admin);
        _grantRole(ALLOW_LOSS_ROLE, admin);

        OracleStorage storage $ = _storage();
        $.pool = pool_;
        $.genesisTime = uint64(frame.genesisTime); // <= block.timestamp
        $.secondsPerSlot = uint32(frame.secondsPerSlot);
        $.slotsPerEpoch = uint32(frame.slotsPerEpoch);
        uint256 slot = _currentSlot($);
        // The slot before this one: the first frame's reference slot, at the earliest this one, stays reportable.
        $.vote.lastProcessedRefSlot = (slot == 0 ? 0 : slot - 1).toUint64();
        _setFrames($, slot / frame.slotsPerEpoch + 1, frame.epochsPerFrame);

        for (uint256 i; i < members_.length; ++i) {
            _addMember($, members_[i]);
        }
        _setQuorum($, quorum_);
        _setSanityBounds($, bounds);
    }

    /// @inheritdoc IAccountingOracle
    function submitReport(Report calldata report) external {
        OracleStorage storage $ = _storage();
        bytes32 reportHash = keccak256(abi.encode(report));
        VoteState memory vote = _vote($, report.refSlot, reportHash);
        if (vote.consensusVariant != 0 && $.variants[vote.consensusVariant - 1] == reportHash) {
            _apply($, vote, report, reportHash);
        }
    }

    /// @inheritdoc IAccountingOracle
    function submitReportHash(uint256 refSlot, bytes32 reportHash) external {
        require(reportHash != bytes32(0), ZeroReportHash());
        _vote(_storage(), refSlot, reportHash);
    }

    /// @inheritdoc IAccountingOracle
    function applyReport(Report calldata report) external {
        OracleStorage storage $ = _storage();
        VoteState memory vote = $.vote;
        (uint256 refSlot, ) = _currentFrame($);
        _checkRefSlot(report.refSlot, refSlot);
        require(vote.lastProcessedRefSlot < refSlot, ReportAlreadyProcessed(refSlot));
        require(vote.refSlot == refSlot && vote.consensusVariant != 0, NoConsensus(refSlot));
        bytes32 consensusHash = $.variants[vote.consensusVariant - 1];
        bytes32 reportHash = keccak256(abi.encode(report));
        require(reportHash == consensusHash, ReportHashMismatch(reportHash, consensusHash));
        _apply($, vote, report, reportHash);
    }

    /// @inheritdoc IAccountingOracle
    function submitExitData(bytes calldata page) external {
        OracleStorage storage $ = _storage();
        require(_exitDataPending($), NoExitDataPending($.vote.lastProcessedRefSlot));
        uint256 refSlot = $.exitDataRefSlot;
        bytes32 expected = $.exitDataNextHash;
        bytes32 actual = keccak256(page);
        require(actual == expected, ExitDataHashMismatch(expected, actual));
        (bytes32 nextHash, IOperatorRegistry.ExitUpdate[] memory updates) = abi.decode(
            page,
            (bytes32, IOperatorRegistry.ExitUpdate[])
        );

        uint256 pageIndex = $.exitDataPages;
        $.exitDataNextHash = nextHash;
        $.exitDataPages = uint32(pageIndex + 1);
        if (updates.length != 0) {
            // The registry checks the order inside a page; across pages it is checked here.
            uint256 nextOperatorId = $.exitDataNextOperatorId;
            require(updates[0].operatorId >= nextOperatorId, ExitDataNotSorted(updates[0].operatorId, nextOperatorId));
            $.exitDataNextOperatorId = (updates[updates.length - 1].operatorId + 1).toUint64();
        }
        emit ExitDataSubmitted(refSlot, pageIndex, updates.length, nextHash);

        $.pool.stakingContracts().operatorRegistry.applyExitUpdates(updates);
    }

    /// @inheritdoc IAccountingOracle
    function getExitDataState() external view returns (ExitDataState memory state) {
        OracleStorage storage $ = _storage();
        state.refSlot = $.exitDataRefSlot;
        state.nextPageHash = $.exitDataNextHash;
        state.pagesSubmitted = $.exitDataPages;
        state.nextOperatorId = $.exitDataNextOperatorId;
        state.pending = _exitDataPending($);
    }

    /// @inheritdoc IAccountingOracle
    function addMember(address member, uint256 quorum_) external onlyRole(MANAGE_MEMBERS_ROLE) {
        OracleStorage storage $ = _storage();
        _addMember($, member);
        _setQuorum($, quorum_);
        emit MemberAdded(member, $.members.length, quorum_);
        _reevaluate($);
    }

    /// @inheritdoc IAccountingOracle
    function removeMember(address member, uint256 quorum_) external onlyRole(MANAGE_MEMBERS_ROLE) {
        OracleStorage storage $ = _storage();
        MemberData memory data = $.memberData[member];
        require(data.position != 0, NotMember(member));

        // Its vote in the frame being counted no longer counts.
        VoteState storage vote = $.vote;
        if (data.lastRefSlot == vote.refSlot && vote.lastProcessedRefSlot < vote.refSlot) {
            $.tallies -= 1 << (8 * uint256(data.variant));
        }

        address[] storage members_ = $.members;
        address last = members_[members_.length - 1];
        members_[data.position - 1] = last;
        $.memberData[last].position = data.position;
        members_.pop();
        delete $.memberData[member];

        _setQuorum($, quorum_);
        emit MemberRemoved(member, members_.length, quorum_);
        _reevaluate($);
    }

    /// @inheritdoc IAccountingOracle
    function setQuorum(uint256 quorum_) external onlyRole(MANAGE_MEMBERS_ROLE) {
        OracleStorage storage $ = _storage();
        _setQuorum($, quorum_);
        emit QuorumSet(quorum_, $.members.length);
        _reevaluate($);
    }

    /// @inheritdoc IAccountingOracle
    function setEpochsPerFrame(uint256 epochsPerFrame) external onlyRole(MANAGE_CONFIG_ROLE) {
        OracleStorage storage $ = _storage();
        uint256 epoch = _currentSlot($) / $.slotsPerEpoch;
        uint256 initialEpoch = $.initialEpoch;
        if (epoch > initialEpoch) {
            // The current frame's first epoch: its reference slot, and the votes for it, stay.
            initialEpoch = epoch - ((epoch - initialEpoch) % $.epochsPerFrame);
        }
        _setFrames($, initialEpoch, epochsPerFrame);
    }

    /// @inheritdoc IAccountingOracle
    function setSanityBounds(SanityBounds calldata bounds) external onlyRole(MANAGE_CONFIG_ROLE) {
        _setSanityBounds(_storage(), bounds);
    }

    /// @inheritdoc IAccountingOracle
    function allowLoss(uint256 amount, uint256 untilRefSlot) external onlyRole(ALLOW_LOSS_ROLE) {
        OracleStorage storage $ = _storage();
        uint256 lastProcessed = $.vote.lastProcessedRefSlot;
        require(
            untilRefSlot > lastProcessed && untilRefSlot <= type(uint64).max,
            InvalidLossAllowance(untilRefSlot, lastProcessed)
        );
        $.allowedLoss = amount.toUint96();
        $.allowedLossUntilRefSlot = uint64(untilRefSlot);
        emit LossAllowed(amount, untilRefSlot);
    }

    /// @inheritdoc IAccountingOracle
    function currentFrame() external view returns (uint256 refSlot, uint256 deadlineSlot) {
        return _currentFrame(_storage());
    }

    /// @inheritdoc IAccountingOracle
    function currentSlot() external view returns (uint256) {
        return _currentSlot(_storage());
    }

    /// @inheritdoc IAccountingOracle
    function getFrameConfig() external view returns (FrameConfig memory config, uint256 initialEpoch) {
        OracleStorage storage $ = _storage();
        config = FrameConfig($.genesisTime, $.secondsPerSlot, $.slotsPerEpoch, $.epochsPerFrame);
        initialEpoch = $.initialEpoch;
    }

    /// @inheritdoc IAccountingOracle
    function getSanityBounds()
        external
        view
        returns (SanityBounds memory bounds, uint256 allowedLoss, uint256 allowedLossUntilRefSlot)
    {
        OracleStorage storage $ = _storage();
        bounds = SanityBounds($.maxAprBps, $.maxLossBps, $.maxElRewardsBps, $.unseenDepositDeadline);
        allowedLoss = $.allowedLoss;
        allowedLossUntilRefSlot = $.allowedLossUntilRefSlot;
    }

    /// @inheritdoc IAccountingOracle
    function getMembers() external view returns (address[] memory) {
        return _storage().members;
    }

    /// @inheritdoc IAccountingOracle
    function isMember(address account) external view returns (bool) {
        return _storage().memberData[account].position != 0;
    }

    /// @inheritdoc IAccountingOracle
    function quorum() external view returns (uint256) {
        return _storage().vote.quorum;
    }

    /// @inheritdoc IAccountingOracle
    function getMemberVote(address member) external view returns (uint256 refSlot, bytes32 reportHash) {
        OracleStorage storage $ = _storage();
        MemberData memory data = $.memberData[member];
        refSlot = data.lastRefSlot;
        if (refSlot != 0 && refSlot == $.vote.refSlot) reportHash = $.variants[data.variant];
    }

    /// @inheritdoc IAccountingOracle
    function getConsensusState()
        external
        view
        returns (uint256 refSlot, bytes32 consensusHash, uint256 support, bool processed)
    {
        OracleStorage storage $ = _storage();
        (refSlot, ) = _currentFrame($);
        VoteState memory vote = $.vote;
        processed = vote.lastProcessedRefSlot >= refSlot;
        if (vote.refSlot != refSlot) return (refSlot, bytes32(0), 0, processed);
        uint256 tallies = $.tallies;
        if (vote.consensusVariant != 0) {
            consensusHash = $.variants[vote.consensusVariant - 1];
            support = uint8(tallies >> (8 * uint256(vote.consensusVariant - 1)));
        } else {
            for (uint256 i; i < vote.variantCount; ++i) {
                uint256 variantTally = uint8(tallies >> (8 * i));
                if (variantTally > support) support = variantTally;
            }
        }
    }

    /// @inheritdoc IAccountingOracle
    function lastProcessedRefSlot() external view returns (uint256) {
        return _storage().vote.lastProcessedRefSlot;
    }

    /// @inheritdoc IAccountingOracle
    function pool() external view returns (address) {
        return address(_storage().pool);
    }

    /// @dev Records `msg.sender`'s vote for `reportHash` and returns the vote state after it.
    function _vote(
        OracleStorage storage $,
        uint256 refSlot,
        bytes32 reportHash
    ) internal returns (VoteState memory vote) {
        MemberData memory member = $.memberData[msg.sender];
        require(member.position != 0, NotMember(msg.sender));
        (uint256 frameRefSlot, ) = _currentFrame($);
        _checkRefSlot(refSlot, frameRefSlot);
        uint256 slot = _currentSlot($);
        uint256 finalizableAt = refSlot + 1 + FINALITY_EPOCHS * $.slotsPerEpoch;
        require(slot >= finalizableAt, ReferenceSlotNotFinalized(refSlot, slot, finalizableAt));

        vote = $.vote;
        require(vote.lastProcessedRefSlot < refSlot, ReportAlreadyProcessed(refSlot));
        uint256 tallies;
        if (vote.refSlot == refSlot) {
            require(member.lastRefSlot != refSlot, AlreadyVoted(msg.sender, refSlot));
            tallies = $.tallies;
        } else {
            // The first vote of a frame: earlier frames' votes no longer count.
            vote.refSlot = uint64(refSlot);
            vote.variantCount = 0;
            vote.consensusVariant = 0;
        }

        uint256 variant;
        while (variant < vote.variantCount && $.variants[variant] != reportHash) ++variant;
        if (variant == vote.variantCount) {
            // At most one new variant per vote, and the members only ever hold MAX_MEMBERS votes at once; members
            // removed and re-added in the same frame are the only way past it, so governance would have to try.
            require(variant < MAX_MEMBERS, TooManyMembers(MAX_MEMBERS));
            $.variants[variant] = reportHash;
            vote.variantCount = uint8(variant + 1);
        }
        tallies += 1 << (8 * variant);
        uint256 support = uint8(tallies >> (8 * variant));

        member.variant = uint8(variant);
        member.lastRefSlot = uint64(refSlot);
        $.memberData[msg.sender] = member;
        $.tallies = tallies;
        emit ReportSubmitted(refSlot, msg.sender, reportHash, support);

        if (vote.consensusVariant == 0 && support >= vote.quorum) {
            vote.consensusVariant = uint8(variant + 1);
            emit ConsensusReached(refSlot, reportHash, support);
        }
        $.vote = vote;
    }

    /// @dev Marks the report processed and has the pool apply it within the bounds.
    function _apply(
        OracleStorage storage $,
        VoteState memory vote,
        Report calldata report,
        bytes32 reportHash
    ) internal {
        uint256 refSlot = report.refSlot;
        uint256 previous = vote.lastProcessedRefSlot;
        $.vote.lastProcessedRefSlot = uint64(refSlot); // == vote.refSlot, a uint64

        IStakingPool.ReportLimits memory limits = IStakingPool.ReportLimits({
            maxAprBps: $.maxAprBps,
            maxLossBps: $.maxLossBps,
            maxElRewardsBps: $.maxElRewardsBps,
            unseenDepositDeadline: $.unseenDepositDeadline,
            extraLossAllowed: 0
        });
        if ($.allowedLoss != 0 && refSlot <= $.allowedLossUntilRefSlot) {
            // Used up by this report, whatever it loses.
            limits.extraLossAllowed = $.allowedLoss;
            $.allowedLoss = 0;
        }

        uint256 secondsPerSlot = $.secondsPerSlot;
        IStakingPool.OracleReport memory poolReport = IStakingPool.OracleReport({
            refSlot: refSlot,
            timestamp: $.genesisTime + refSlot * secondsPerSlot,
            timeElapsed: (refSlot - previous) * secondsPerSlot,
            beaconValidators: report.beaconValidators,
            beaconBalance: report.beaconBalance,
            exitedValidators: report.exitedValidators,
            withdrawalVaultBalance: report.withdrawalVaultBalance,
            elRewardsVaultBalance: report.elRewardsVaultBalance,
            lastFinalizableRequestId: report.lastFinalizableRequestId,
            bunkerMode: report.bunkerMode
        });
        if (report.exitDataHash != bytes32(0)) {
            $.exitDataRefSlot = uint64(refSlot);
            $.exitDataPages = 0;
            $.exitDataNextOperatorId = 0;
            $.exitDataNextHash = report.exitDataHash;
        }
        emit ReportProcessed(refSlot, reportHash);
        $.pool.handleOracleReport(poolReport, limits);
    }

    /// @dev Whether pages of the last applied report's exit data are due now: pages of an older report, or late ones,
    /// would request exits the next report's data may request again.
    function _exitDataPending(OracleStorage storage $) internal view returns (bool) {
        uint256 refSlot = $.exitDataRefSlot;
        (uint256 frameRefSlot, ) = _currentFrame($);
        return $.exitDataNextHash != bytes32(0) && refSlot == $.vote.lastProcessedRefSlot && refSlot == frameRefSlot;
    }

    /// @dev After a membership or quorum change: the current frame's agreed variant, if any, by the new counts.
    function _reevaluate(OracleStorage storage $) internal {
        VoteState memory vote = $.vote;
        (uint256 refSlot, ) = _currentFrame($);
        if (vote.refSlot != refSlot || vote.lastProcessedRefSlot >= refSlot) return;
        uint256 tallies = $.tallies;
        uint256 agreed;
        for (uint256 i; i < vote.variantCount; ++i) {
            if (uint8(tallies >> (8 * i)) >= vote.quorum) {
                agreed = i + 1;
                break;
            }
        }
        if (agreed == vote.consensusVariant) return;
        if (vote.consensusVariant != 0) emit ConsensusLost(refSlot, $.variants[vote.consensusVariant - 1]);
        if (agreed != 0) emit ConsensusReached(refSlot, $.variants[agreed - 1], uint8(tallies >> (8 * (agreed - 1))));
        $.vote.consensusVariant = uint8(agreed);
    }

    function _addMember(OracleStorage storage $, address member) internal {
        require(member != address(0), ZeroAddress());
        require($.memberData[member].position == 0, AlreadyMember(member));
        address[] storage members_ = $.members;
        require(members_.length < MAX_MEMBERS, TooManyMembers(MAX_MEMBERS));
        members_.push(member);
        $.memberData[member] = MemberData({position: uint8(members_.length), variant: 0, lastRefSlot: 0});
    }

    function _setQuorum(OracleStorage storage $, uint256 quorum_) internal {
        uint256 members_ = $.members.length;
        require(quorum_ > members_ / 2 && quorum_ <= members_, InvalidQuorum(quorum_, members_));
        $.vote.quorum = uint8(quorum_); // <= MAX_MEMBERS
    }

    function _setFrames(OracleStorage storage $, uint256 initialEpoch, uint256 epochsPerFrame) internal {
        require(epochsPerFrame != 0 && epochsPerFrame <= MAX_EPOCHS_PER_FRAME, InvalidFrameConfig());
        $.initialEpoch = initialEpoch.toUint64();
        $.epochsPerFrame = uint32(epochsPerFrame);
        emit FrameConfigSet(initialEpoch, epochsPerFrame);
    }

    function _setSanityBounds(OracleStorage storage $, SanityBounds calldata bounds) internal {
        require(
            bounds.maxAprBps != 0 &&
                bounds.maxAprBps <= MAX_APR_BPS_LIMIT &&
                bounds.maxLossBps != 0 &&
                bounds.maxLossBps <= MAX_BPS_LIMIT &&
                bounds.maxElRewardsBps != 0 &&
                bounds.maxElRewardsBps <= MAX_BPS_LIMIT &&
                bounds.unseenDepositDeadline >= MIN_UNSEEN_DEPOSIT_DEADLINE &&
                bounds.unseenDepositDeadline <= MAX_UNSEEN_DEPOSIT_DEADLINE,
            InvalidSanityBounds()
        );
        $.maxAprBps = uint16(bounds.maxAprBps);
        $.maxLossBps = uint16(bounds.maxLossBps);
        $.maxElRewardsBps = uint16(bounds.maxElRewardsBps);
        $.unseenDepositDeadline = uint32(bounds.unseenDepositDeadline);
        emit SanityBoundsSet(bounds);
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _currentSlot(OracleStorage storage $) internal view returns (uint256) {
        return (block.timestamp - $.genesisTime) / $.secondsPerSlot;
    }

    /// @dev The current frame's reference slot (the last slot before it) and its last slot. Before frames start,
    /// the first frame is current, its reference slot still ahead.
    function _currentFrame(OracleStorage storage $) internal view returns (uint256 refSlot, uint256 deadlineSlot) {
        uint256 slotsPerEpoch = $.slotsPerEpoch;
        uint256 epochsPerFrame = $.epochsPerFrame;
        uint256 initialEpoch = $.initialEpoch;
        uint256 epoch = _currentSlot($) / slotsPerEpoch;
        uint256 frameStart = epoch <= initialEpoch ? initialEpoch : epoch - ((epoch - initialEpoch) % epochsPerFrame);
        refSlot = frameStart * slotsPerEpoch - 1;
        deadlineSlot = refSlot + epochsPerFrame * slotsPerEpoch;
    }

    function _checkRefSlot(uint256 refSlot, uint256 expected) internal pure {
        require(refSlot >= expected, StaleReferenceSlot(refSlot, expected));
        require(refSlot == expected, FutureReferenceSlot(refSlot, expected));
    }

    function _storage() private pure returns (OracleStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
