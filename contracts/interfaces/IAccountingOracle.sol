// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAccountingOracle
/// @notice A committee reports what the beacon chain holds for Plural once per frame; when a quorum of members agree
/// on the same report, the staking pool applies it within sanity bounds.
/// @dev Time is the beacon chain's: slot = (block.timestamp - genesisTime) / secondsPerSlot. A frame is
/// `epochsPerFrame` epochs; its reference slot is the last slot before it starts, and a report for it is accepted
/// while the frame runs, once that slot can be finalized (two epochs into the frame). Members vote with the report's
/// hash, `keccak256(abi.encode(report))`: `submitReport` votes and, if the vote makes the quorum, applies the report in
/// the same call; `submitReportHash` only votes, and anyone then applies the agreed report with `applyReport`.
/// A quorum is always more than half the members, so at most one report per frame can reach it.
/// Exit data (each operator's exited validators and the exits the queue's demand needs) does not travel in the report,
/// so a report costs the same whatever the number of operators: the report carries only the hash of the data's first
/// page. Once the report is applied, anyone submits the pages in order during the frame (`submitExitData`); each page
/// is `abi.encode(nextPageHash, IOperatorRegistry.ExitUpdate[])`, checked against the hash the quorum agreed (or the one
/// the page before named), and goes to the operator registry. The last page names a zero hash.
/// Roles (all held by the governance timelock): `DEFAULT_ADMIN_ROLE` grants roles and upgrades, `MANAGE_MEMBERS_ROLE`
/// sets members and quorum, `MANAGE_CONFIG_ROLE` sets the frame length and the sanity bounds, `ALLOW_LOSS_ROLE`
/// accepts a loss above the bound.
interface IAccountingOracle {
    /// @notice What the committee reports for a frame, as of its reference slot. Counts are of Plural's validators:
    /// the keys the pool deposited, whatever their state.
    /// @dev New fields (withdrawal finalization) go at the end: the hash, the vote and the flow stay as they are.
    /// @param refSlot The frame's reference slot.
    /// @param beaconValidators Validators the beacon chain has seen (created by a deposit), exited ones included.
    /// @param beaconBalance Their total balance, in wei (gwei × 1e9).
    /// @param exitedValidators Of them, those whose exit epoch has passed; never decreases.
    /// @param withdrawalVaultBalance The withdrawal vault's balance at the reference slot's execution block, in wei.
    /// @param elRewardsVaultBalance The execution-rewards vault's balance at that block, in wei.
    /// @param lastFinalizableRequestId The newest withdrawal request made at or before the reference slot's execution
    /// block (zero for none): the queue finalizes up to it, as far as the buffer pays; later requests wait, so nobody
    /// can queue ahead of a loss the committee already sees.
    /// @param bunkerMode True while any Plural validator is slashed and not yet withdrawable (penalties still to
    /// come): finalization waits until the losses are known and shared.
    /// @param exitDataHash keccak256 of the first page of the frame's exit data, or zero when there is none (no
    /// operator's exited count changed, no exit is requested and none is owed).
    struct Report {
        uint256 refSlot;
        uint256 beaconValidators;
        uint256 beaconBalance;
        uint256 exitedValidators;
        uint256 withdrawalVaultBalance;
        uint256 elRewardsVaultBalance;
        uint256 lastFinalizableRequestId;
        bool bunkerMode;
        bytes32 exitDataHash;
    }

    /// @notice Where the last applied report's exit data stands.
    /// @param refSlot The reference slot of the report that announced it.
    /// @param nextPageHash The hash the next page must have; zero once the last page is in (or there was none).
    /// @param pagesSubmitted Pages applied so far.
    /// @param nextOperatorId The least operator id the next page may name (ids ascend across pages).
    /// @param pending Whether pages are still due and can be submitted now (the report's frame is still current).
    struct ExitDataState {
        uint256 refSlot;
        bytes32 nextPageHash;
        uint256 pagesSubmitted;
        uint256 nextOperatorId;
        bool pending;
    }

    /// @notice The beacon chain's clock and the frame length.
    /// @param genesisTime Unix time of slot 0.
    /// @param secondsPerSlot Seconds per slot (12 on mainnet).
    /// @param slotsPerEpoch Slots per epoch (32 on mainnet).
    /// @param epochsPerFrame Epochs per frame (225, a day, on mainnet).
    struct FrameConfig {
        uint256 genesisTime;
        uint256 secondsPerSlot;
        uint256 slotsPerEpoch;
        uint256 epochsPerFrame;
    }

    /// @notice Limits every report must respect (basis points are of 10,000).
    /// @param maxAprBps The most the beacon balance may grow, as an annual rate over the staked ether, scaled by the
    /// time since the last applied report: a missed frame raises the allowance with the time that passed.
    /// @param maxLossBps The most the beacon side may lose in one report, of the staked ether, unless governance
    /// allowed more with `allowLoss`.
    /// @param maxElRewardsBps The most of the execution-rewards vault taken per report, of the total pooled ether; the
    /// rest waits for the next report.
    /// @param unseenDepositDeadline Seconds after which a deposit the beacon chain has still not seen is written off.
    struct SanityBounds {
        uint256 maxAprBps;
        uint256 maxLossBps;
        uint256 maxElRewardsBps;
        uint256 unseenDepositDeadline;
    }

    /// @notice `member` voted for `reportHash` for `refSlot`.
    /// @param refSlot The frame's reference slot.
    /// @param member The committee member.
    /// @param reportHash keccak256(abi.encode(report)).
    /// @param support How many members now back this hash.
    event ReportSubmitted(uint256 indexed refSlot, address indexed member, bytes32 reportHash, uint256 support);

    /// @notice A quorum agreed on `reportHash` for `refSlot`; it can be applied.
    /// @param refSlot The frame's reference slot.
    /// @param reportHash The agreed report's hash, keccak256(abi.encode(report)).
    /// @param support How many members back it.
    event ConsensusReached(uint256 indexed refSlot, bytes32 reportHash, uint256 support);

    /// @notice A membership or quorum change left the agreed report of `refSlot` without a quorum.
    /// @param refSlot The frame's reference slot.
    /// @param reportHash The hash that lost its quorum.
    event ConsensusLost(uint256 indexed refSlot, bytes32 reportHash);

    /// @notice The agreed report for `refSlot` went to the pool.
    /// @param refSlot The frame's reference slot.
    /// @param reportHash The applied report's hash.
    event ReportProcessed(uint256 indexed refSlot, bytes32 reportHash);

    /// @notice `member` joined the committee.
    /// @param member The new member.
    /// @param members The committee's size after.
    /// @param quorum The quorum after.
    event MemberAdded(address indexed member, uint256 members, uint256 quorum);

    /// @notice `member` left the committee; its vote in the current frame, if any, no longer counts.
    /// @param member The removed member.
    /// @param members The committee's size after.
    /// @param quorum The quorum after.
    event MemberRemoved(address indexed member, uint256 members, uint256 quorum);

    /// @notice The quorum changed.
    /// @param quorum The votes now needed to agree.
    /// @param members The committee's size.
    event QuorumSet(uint256 quorum, uint256 members);

    /// @notice Frames are now `epochsPerFrame` epochs long, counted from `initialEpoch`.
    /// @param initialEpoch The epoch frames are counted from.
    /// @param epochsPerFrame Epochs per frame.
    event FrameConfigSet(uint256 initialEpoch, uint256 epochsPerFrame);

    /// @notice The sanity bounds changed.
    /// @param bounds The new sanity bounds.
    event SanityBoundsSet(SanityBounds bounds);

    /// @notice Governance accepted a loss of up to `amount` wei above the bound, for one report with a reference slot
    /// at most `untilRefSlot`.
    /// @param amount Wei of loss accepted above `maxLossBps`.
    /// @param untilRefSlot The last reference slot the allowance is for.
    event LossAllowed(uint256 amount, uint256 untilRefSlot);

    /// @notice Page `pageIndex` of the exit data of `refSlot`'s report went to the registry.
    /// @param refSlot The reference slot of the report that announced the data.
    /// @param pageIndex The page's position, from 0.
    /// @param operators Operators the page named.
    /// @param nextPageHash The hash of the next page, zero for the last.
    event ExitDataSubmitted(uint256 indexed refSlot, uint256 pageIndex, uint256 operators, bytes32 nextPageHash);

    /// @notice `caller` is not a committee member.
    error NotMember(address caller);

    /// @notice `member` is already a committee member.
    error AlreadyMember(address member);

    /// @notice The committee would exceed its size limit.
    error TooManyMembers(uint256 max);

    /// @notice A quorum must be more than half the members and at most all of them.
    error InvalidQuorum(uint256 quorum, uint256 members);

    /// @notice The report is for `refSlot`, the current frame's reference slot is `expected`.
    error StaleReferenceSlot(uint256 refSlot, uint256 expected);

    /// @notice The report is for `refSlot`, later than the current frame's reference slot `expected`.
    error FutureReferenceSlot(uint256 refSlot, uint256 expected);

    /// @notice `refSlot` cannot be finalized before `slot`, two epochs into the frame; it is `currentSlot` now.
    error ReferenceSlotNotFinalized(uint256 refSlot, uint256 currentSlot, uint256 slot);

    /// @notice `member` already voted for `refSlot`.
    error AlreadyVoted(address member, uint256 refSlot);

    /// @notice The report for `refSlot` was already applied.
    error ReportAlreadyProcessed(uint256 refSlot);

    /// @notice No quorum agrees on a report for the current frame.
    error NoConsensus(uint256 refSlot);

    /// @notice The report's hash is `reportHash`, the committee agreed on `consensusHash`.
    error ReportHashMismatch(bytes32 reportHash, bytes32 consensusHash);

    /// @notice A report hash of zero.
    error ZeroReportHash();

    /// @notice The frame configuration is out of range.
    error InvalidFrameConfig();

    /// @notice A sanity bound is above its hard limit (or zero where it must not be).
    error InvalidSanityBounds();

    /// @notice The allowed loss must be for a reference slot not yet processed.
    error InvalidLossAllowance(uint256 untilRefSlot, uint256 lastProcessedRefSlot);

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice No exit data is due: the last report (for `lastProcessedRefSlot`) announced none, all of it is in, or its
    /// frame is over.
    error NoExitDataPending(uint256 lastProcessedRefSlot);

    /// @notice The page's hash is `actual`; the agreed data's next page has hash `expected`.
    error ExitDataHashMismatch(bytes32 expected, bytes32 actual);

    /// @notice A page names operator `operatorId`, below `nextOperatorId`: ids ascend across pages, each once.
    error ExitDataNotSorted(uint256 operatorId, uint256 nextOperatorId);

    /// @notice Votes for `report` and, if the vote completes a quorum, has the pool apply it.
    /// @dev Members only. Emits `ReportSubmitted`, and `ConsensusReached`, `ReportProcessed` and the pool's
    /// `ReportApplied` on a quorum. Reverts with `NotMember`, `StaleReferenceSlot`, `FutureReferenceSlot`,
    /// `ReferenceSlotNotFinalized`, `AlreadyVoted`, `ReportAlreadyProcessed`, and the pool's sanity errors when the
    /// quorum is reached.
    /// @param report The report for the current frame's reference slot.
    function submitReport(Report calldata report) external;

    /// @notice Votes for a report by its hash only; `applyReport` then takes the data once a quorum agrees.
    /// @dev Members only. Emits `ReportSubmitted` and, on a quorum, `ConsensusReached`. Reverts with `NotMember`,
    /// `StaleReferenceSlot`, `FutureReferenceSlot`, `ReferenceSlotNotFinalized`, `AlreadyVoted`,
    /// `ReportAlreadyProcessed` or `ZeroReportHash`.
    /// @param refSlot The current frame's reference slot.
    /// @param reportHash keccak256(abi.encode(report)).
    function submitReportHash(uint256 refSlot, bytes32 reportHash) external;

    /// @notice Has the pool apply the report the committee agreed on for the current frame.
    /// @dev Anyone. Emits `ReportProcessed` and the pool's `ReportApplied`. Reverts with `NoConsensus`,
    /// `ReportHashMismatch`, `ReportAlreadyProcessed`, `StaleReferenceSlot` and the pool's sanity errors.
    /// @param report The agreed report.
    function applyReport(Report calldata report) external;

    /// @notice Submits the next page of the last report's exit data; the registry applies it.
    /// @dev Anyone: the page must hash to what the committee agreed. Emits `ExitDataSubmitted` and the registry's exit
    /// events. Reverts with `NoExitDataPending`, `ExitDataHashMismatch`, `ExitDataNotSorted`, and the registry's
    /// `applyExitUpdates` errors.
    /// @param page abi.encode(bytes32 nextPageHash, IOperatorRegistry.ExitUpdate[] updates).
    function submitExitData(bytes calldata page) external;

    /// @notice Where the last applied report's exit data stands.
    function getExitDataState() external view returns (ExitDataState memory);

    /// @notice Adds a committee member and sets the quorum.
    /// @dev `MANAGE_MEMBERS_ROLE`. Emits `MemberAdded` (and `ConsensusReached` if the new quorum is met). Reverts with
    /// `ZeroAddress`, `AlreadyMember`, `TooManyMembers`, `InvalidQuorum`.
    /// @param member The new member; nonzero, not yet a member.
    /// @param quorum The quorum after: more than half the members, at most all of them.
    function addMember(address member, uint256 quorum) external;

    /// @notice Removes a committee member, with its current vote, and sets the quorum.
    /// @dev `MANAGE_MEMBERS_ROLE`. Emits `MemberRemoved` (and `ConsensusReached` or `ConsensusLost`). Reverts with
    /// `NotMember`, `InvalidQuorum`.
    /// @param member The member to remove.
    /// @param quorum The quorum after: more than half the remaining members, at most all of them.
    function removeMember(address member, uint256 quorum) external;

    /// @notice Sets the quorum; a report of the current frame that now has a quorum (or lost it) is re-evaluated.
    /// @dev `MANAGE_MEMBERS_ROLE`. Emits `QuorumSet` (and `ConsensusReached` or `ConsensusLost`). Reverts with
    /// `InvalidQuorum`.
    /// @param quorum The votes needed to agree: more than half the members, at most all of them.
    function setQuorum(uint256 quorum) external;

    /// @notice Sets the frame length. Frames restart at the current frame's first epoch, so the current reference
    /// slot and the votes for it stay.
    /// @dev `MANAGE_CONFIG_ROLE`. Emits `FrameConfigSet`. Reverts with `InvalidFrameConfig`.
    /// @param epochsPerFrame Epochs per frame, from 1 to `MAX_EPOCHS_PER_FRAME`.
    function setEpochsPerFrame(uint256 epochsPerFrame) external;

    /// @notice Sets the sanity bounds, each within its hard limit.
    /// @dev `MANAGE_CONFIG_ROLE`. Emits `SanityBoundsSet`. Reverts with `InvalidSanityBounds`.
    /// @param bounds The new sanity bounds.
    function setSanityBounds(SanityBounds calldata bounds) external;

    /// @notice Accepts a real loss larger than the bound (correlated slashing): the next report with a reference slot
    /// at most `untilRefSlot` may lose `amount` wei more than `maxLossBps` allows. One report uses it up.
    /// @dev `ALLOW_LOSS_ROLE`. Emits `LossAllowed`. Reverts with `InvalidLossAllowance`.
    /// @param amount Wei of loss accepted above `maxLossBps`.
    /// @param untilRefSlot The last reference slot the allowance is for; above the last processed one.
    function allowLoss(uint256 amount, uint256 untilRefSlot) external;

    /// @notice The current frame: its reference slot and the last slot a report for it is accepted in.
    /// @return refSlot The current frame's reference slot.
    /// @return deadlineSlot The last slot a report for it is accepted in (the frame's last slot).
    function currentFrame() external view returns (uint256 refSlot, uint256 deadlineSlot);

    /// @notice The slot of the latest block: (block.timestamp - genesisTime) / secondsPerSlot.
    function currentSlot() external view returns (uint256);

    /// @notice The beacon clock and frame length, and the epoch frames are counted from.
    /// @return config The beacon clock and the frame length.
    /// @return initialEpoch The epoch frames are counted from.
    function getFrameConfig() external view returns (FrameConfig memory config, uint256 initialEpoch);

    /// @notice The sanity bounds, and the loss governance allowed on top (with the last reference slot it is for).
    /// @return bounds The sanity bounds.
    /// @return allowedLoss Wei of loss governance accepted above `maxLossBps`, zero if none.
    /// @return allowedLossUntilRefSlot The last reference slot that allowance is for.
    function getSanityBounds()
        external
        view
        returns (SanityBounds memory bounds, uint256 allowedLoss, uint256 allowedLossUntilRefSlot);

    /// @notice The committee.
    function getMembers() external view returns (address[] memory);

    /// @notice Whether `account` is a member.
    /// @param account The address to check.
    function isMember(address account) external view returns (bool);

    /// @notice The votes needed to agree.
    function quorum() external view returns (uint256);

    /// @notice The reference slot a member last voted for and the hash it voted (zero if it did not vote for the
    /// current frame's votes being counted).
    /// @param member The committee member.
    /// @return refSlot The reference slot it last voted for, or zero.
    /// @return reportHash The hash it voted, or zero unless for the frame whose votes are being counted.
    function getMemberVote(address member) external view returns (uint256 refSlot, bytes32 reportHash);

    /// @notice The state of the current frame's vote.
    /// @return refSlot The current frame's reference slot.
    /// @return consensusHash The agreed hash, or zero.
    /// @return support The members backing the agreed hash (or the best-supported hash when none is agreed).
    /// @return processed Whether the report for `refSlot` was applied.
    function getConsensusState()
        external
        view
        returns (uint256 refSlot, bytes32 consensusHash, uint256 support, bool processed);

    /// @notice The reference slot of the last report applied.
    function lastProcessedRefSlot() external view returns (uint256);

    /// @notice The staking pool reports go to.
    function pool() external view returns (address);
}
