// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {AccountingOracle} from "../contracts/AccountingOracle.sol";
import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";

/// @dev Unit tests of AccountingOracle: the clock and frames, votes and consensus, membership and quorum changes in
/// the middle of a frame, configuration and every refusal (promise 4).
contract AccountingOracleTest is OracleFixture {
    address private stranger;
    address private memberA;
    address private memberB;
    address private memberC;

    function setUp() public {
        _deployPool();
        stranger = makeAddr("stranger");
        memberA = oracleMembers[0];
        memberB = oracleMembers[1];
        memberC = oracleMembers[2];
    }

    // =================================================================================================================
    // initialize and the clock
    // =================================================================================================================

    function test_Initialize_SetsClockMembersQuorumAndBounds() public view {
        (IAccountingOracle.FrameConfig memory frame, uint256 initialEpoch) = oracle.getFrameConfig();
        assertEq(frame.genesisTime, GENESIS_TIME, "genesis");
        assertEq(frame.secondsPerSlot, SECONDS_PER_SLOT, "seconds per slot");
        assertEq(frame.slotsPerEpoch, SLOTS_PER_EPOCH, "slots per epoch");
        assertEq(frame.epochsPerFrame, EPOCHS_PER_FRAME, "epochs per frame");
        assertEq(initialEpoch, 10_001, "frames start at the epoch after deployment");
        assertEq(oracle.currentSlot(), 10_000 * SLOTS_PER_EPOCH, "slot at START_TIME");
        assertEq(oracle.lastProcessedRefSlot(), 10_000 * SLOTS_PER_EPOCH - 1, "nothing before deployment to report");
        assertEq(oracle.quorum(), ORACLE_QUORUM, "quorum");
        assertEq(oracle.getMembers().length, 3, "members");
        for (uint256 i; i < 3; ++i) assertTrue(oracle.isMember(oracleMembers[i]), "member");
        assertFalse(oracle.isMember(stranger), "stranger");
        assertEq(oracle.pool(), address(pool), "pool");
        (IAccountingOracle.SanityBounds memory bounds, uint256 allowedLoss, uint256 until) = oracle.getSanityBounds();
        assertEq(bounds.maxAprBps, MAX_APR_BPS, "max APR");
        assertEq(bounds.maxLossBps, MAX_LOSS_BPS, "max loss");
        assertEq(bounds.maxElRewardsBps, MAX_EL_REWARDS_BPS, "max EL rewards");
        assertEq(bounds.unseenDepositDeadline, UNSEEN_DEPOSIT_DEADLINE, "unseen deadline");
        assertEq(allowedLoss, 0, "allowed loss");
        assertEq(until, 0, "allowed until");
    }

    function test_RevertWhen_InitializeIsCalledAgain() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        oracle.initialize(
            stranger,
            IStakingPool(address(pool)),
            IAccountingOracle.FrameConfig(GENESIS_TIME, 12, 32, 225),
            oracleMembers,
            2,
            _sanityBounds()
        );
    }

    function test_CurrentFrame_BeforeTheFirstFrameIsTheFirstFrame() public view {
        (uint256 refSlot, uint256 deadline) = oracle.currentFrame();
        assertEq(refSlot, 10_001 * SLOTS_PER_EPOCH - 1, "the first frame's reference slot, still ahead");
        assertEq(deadline, refSlot + FRAME_SLOTS, "its last slot");
    }

    function testFuzz_CurrentFrame_IsTheLastSlotBeforeTheFrame(uint256 secondsLater) public {
        secondsLater = bound(secondsLater, 0, 3_650 days);
        vm.warp(block.timestamp + secondsLater);
        uint256 slot = oracle.currentSlot();
        (uint256 refSlot, uint256 deadline) = oracle.currentFrame();
        uint256 firstSlot = 10_001 * SLOTS_PER_EPOCH;
        if (slot < firstSlot) {
            assertEq(refSlot, firstSlot - 1, "before frames start");
        } else {
            assertLt(refSlot, slot, "the reference slot is past");
            assertGe(refSlot + FRAME_SLOTS, slot, "and within one frame");
            assertEq((refSlot + 1 - firstSlot) % FRAME_SLOTS, 0, "on a frame boundary");
        }
        assertEq(deadline, refSlot + FRAME_SLOTS, "deadline");
    }

    // =================================================================================================================
    // votes and consensus
    // =================================================================================================================

    function test_SubmitReport_OneVoteIsNotAQuorum() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ReportSubmitted(refSlot, memberA, reportHash, 1);
        vm.prank(memberA);
        oracle.submitReport(report);

        (uint256 current, bytes32 consensusHash, uint256 support, bool processed) = oracle.getConsensusState();
        assertEq(current, refSlot, "frame");
        assertEq(consensusHash, bytes32(0), "no consensus");
        assertEq(support, 1, "best support");
        assertFalse(processed, "not processed");
        (uint256 votedSlot, bytes32 votedHash) = oracle.getMemberVote(memberA);
        assertEq(votedSlot, refSlot, "member's slot");
        assertEq(votedHash, reportHash, "member's hash");
        assertEq(pool.getReportState().lastReportRefSlot, 0, "the pool saw nothing");
    }

    function test_SubmitReport_TheQuorumVoteAppliesTheReport() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));
        vm.prank(memberA);
        oracle.submitReport(report);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ReportSubmitted(refSlot, memberB, reportHash, 2);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ConsensusReached(refSlot, reportHash, 2);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ReportProcessed(refSlot, reportHash);
        vm.prank(memberB);
        oracle.submitReport(report);

        assertEq(oracle.lastProcessedRefSlot(), refSlot, "processed");
        (, bytes32 consensusHash, uint256 support, bool processed) = oracle.getConsensusState();
        assertEq(consensusHash, reportHash, "consensus");
        assertEq(support, 2, "support");
        assertTrue(processed, "processed");
        IStakingPool.ReportState memory state = pool.getReportState();
        assertEq(state.lastReportRefSlot, refSlot, "the pool applied it");
        assertEq(state.lastReportTime, block.timestamp, "report time");
    }

    function test_SubmitReportHash_ThenAnyoneAppliesTheAgreedReport() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));
        vm.prank(memberA);
        oracle.submitReportHash(refSlot, reportHash);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ConsensusReached(refSlot, reportHash, 2);
        vm.prank(memberC);
        oracle.submitReportHash(refSlot, reportHash);
        assertEq(oracle.lastProcessedRefSlot(), 10_000 * SLOTS_PER_EPOCH - 1, "a hash vote applies nothing");

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ReportProcessed(refSlot, reportHash);
        vm.prank(stranger);
        oracle.applyReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "applied");
    }

    function test_SubmitReport_AfterAHashConsensusAppliesIt() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        _agreeByHash(report);
        vm.prank(memberC);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "the full report of the agreed hash applies");
    }

    function test_SubmitReport_DifferentReportsSplitTheVote() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        IAccountingOracle.Report memory other = _reportFor(refSlot, 0, 0);
        other.withdrawalVaultBalance = 1;
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.prank(memberB);
        oracle.submitReport(other);
        (, bytes32 consensusHash, uint256 support, ) = oracle.getConsensusState();
        assertEq(consensusHash, bytes32(0), "no consensus at 1-1");
        assertEq(support, 1, "best support");

        vm.prank(memberC);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "the third vote decides");
    }

    function test_SubmitReport_VotesOfAnEarlierFrameDoNotCount() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory first = _reportFor(refSlot, 0, 0);
        vm.prank(memberA);
        oracle.submitReport(first);

        // Nobody else voted: the next frame starts with no votes.
        uint256 next = refSlot + FRAME_SLOTS;
        _warpToReportable(next);
        IAccountingOracle.Report memory report = _reportFor(next, 0, 0);
        vm.prank(memberB);
        oracle.submitReport(report);
        (, bytes32 consensusHash, uint256 support, ) = oracle.getConsensusState();
        assertEq(consensusHash, bytes32(0), "A's old vote does not count");
        assertEq(support, 1, "only B's vote");
        (uint256 votedSlot, bytes32 votedHash) = oracle.getMemberVote(memberA);
        assertEq(votedSlot, refSlot, "A last voted in the old frame");
        assertEq(votedHash, bytes32(0), "a vote of another frame shows no hash");
        vm.prank(memberA);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), next, "A votes again in the new frame");
    }

    function test_RevertWhen_SubmitterIsNotAMember() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NotMember.selector, stranger));
        vm.prank(stranger);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NotMember.selector, stranger));
        vm.prank(stranger);
        oracle.submitReportHash(refSlot, keccak256(abi.encode(report)));
    }

    function test_RevertWhen_AMemberVotesTwice() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.AlreadyVoted.selector, memberA, refSlot));
        vm.prank(memberA);
        oracle.submitReport(report);
        report.beaconBalance = 1;
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.AlreadyVoted.selector, memberA, refSlot));
        vm.prank(memberA);
        oracle.submitReportHash(refSlot, keccak256(abi.encode(report)));
    }

    function test_RevertWhen_ReferenceSlotIsStale() public {
        uint256 refSlot = _warpToNextFrame();
        _warpToReportable(refSlot + FRAME_SLOTS);
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IAccountingOracle.StaleReferenceSlot.selector, refSlot, refSlot + FRAME_SLOTS)
        );
        vm.prank(memberA);
        oracle.submitReport(report);
    }

    function test_RevertWhen_ReferenceSlotIsInTheFuture() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot + FRAME_SLOTS, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IAccountingOracle.FutureReferenceSlot.selector, refSlot + FRAME_SLOTS, refSlot)
        );
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.FutureReferenceSlot.selector, refSlot + 1, refSlot));
        vm.prank(memberA);
        oracle.submitReportHash(refSlot + 1, bytes32(uint256(1)));
    }

    function test_RevertWhen_ReferenceSlotCannotBeFinalizedYet() public {
        (uint256 refSlot, ) = oracle.currentFrame();
        uint256 finalizableAt = refSlot + 1 + 2 * SLOTS_PER_EPOCH;
        // One slot short of two epochs into the frame.
        vm.warp(GENESIS_TIME + (finalizableAt - 1) * SECONDS_PER_SLOT);
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccountingOracle.ReferenceSlotNotFinalized.selector,
                refSlot,
                finalizableAt - 1,
                finalizableAt
            )
        );
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.warp(GENESIS_TIME + finalizableAt * SECONDS_PER_SLOT);
        vm.prank(memberA);
        oracle.submitReport(report);
    }

    function test_RevertWhen_TheFrameWasAlreadyProcessed() public {
        IAccountingOracle.Report memory report = _reportNextFrame(0);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ReportAlreadyProcessed.selector, report.refSlot));
        vm.prank(memberC);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ReportAlreadyProcessed.selector, report.refSlot));
        oracle.applyReport(report);
    }

    function test_RevertWhen_HashIsZero() public {
        uint256 refSlot = _warpToNextFrame();
        vm.expectRevert(IAccountingOracle.ZeroReportHash.selector);
        vm.prank(memberA);
        oracle.submitReportHash(refSlot, bytes32(0));
    }

    function test_RevertWhen_ApplyingWithoutConsensus() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoConsensus.selector, refSlot));
        oracle.applyReport(report);
        vm.prank(memberA);
        oracle.submitReportHash(refSlot, keccak256(abi.encode(report)));
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoConsensus.selector, refSlot));
        oracle.applyReport(report);
    }

    function test_RevertWhen_AppliedReportIsNotTheAgreedOne() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 agreed = keccak256(abi.encode(report));
        _agreeByHash(report);
        report.beaconBalance = 1 ether;
        vm.expectRevert(
            abi.encodeWithSelector(IAccountingOracle.ReportHashMismatch.selector, keccak256(abi.encode(report)), agreed)
        );
        oracle.applyReport(report);
    }

    function test_RevertWhen_ApplyingAnOldFramesConsensus() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        _agreeByHash(report);
        _warpToReportable(refSlot + FRAME_SLOTS);
        vm.expectRevert(
            abi.encodeWithSelector(IAccountingOracle.StaleReferenceSlot.selector, refSlot, refSlot + FRAME_SLOTS)
        );
        oracle.applyReport(report);
    }

    // =================================================================================================================
    // membership and quorum changes in the middle of a frame
    // =================================================================================================================

    function test_RemoveMember_DropsItsVoteAndTheConsensus() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));
        _agreeByHash(report);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.MemberRemoved(memberB, 2, 2);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ConsensusLost(refSlot, reportHash);
        vm.prank(admin);
        oracle.removeMember(memberB, 2);

        assertFalse(oracle.isMember(memberB), "removed");
        (, bytes32 consensusHash, uint256 support, ) = oracle.getConsensusState();
        assertEq(consensusHash, bytes32(0), "consensus lost");
        assertEq(support, 1, "only A's vote counts");
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoConsensus.selector, refSlot));
        oracle.applyReport(report);

        vm.prank(memberC);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "A and C agree");
    }

    function test_SetQuorum_LoweredReachesConsensus() public {
        vm.prank(admin);
        oracle.addMember(stranger, 3);
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));
        _agreeByHash(report);
        (, bytes32 before, , ) = oracle.getConsensusState();
        assertEq(before, bytes32(0), "2 of 4 with quorum 3");

        vm.prank(admin);
        oracle.removeMember(stranger, 2);
        (, bytes32 consensusHash, uint256 support, ) = oracle.getConsensusState();
        assertEq(consensusHash, reportHash, "2 of 3 with quorum 2");
        assertEq(support, 2, "support");
        oracle.applyReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "applied");
    }

    function test_SetQuorum_RaisedLosesConsensusAndEmits() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        bytes32 reportHash = keccak256(abi.encode(report));
        _agreeByHash(report);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.QuorumSet(3, 3);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ConsensusLost(refSlot, reportHash);
        vm.prank(admin);
        oracle.setQuorum(3);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ConsensusReached(refSlot, reportHash, 2);
        vm.prank(admin);
        oracle.setQuorum(2);
    }

    function test_AddMember_CanVoteInTheCurrentFrame() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.MemberAdded(stranger, 4, 3);
        vm.prank(admin);
        oracle.addMember(stranger, 3);
        vm.prank(memberB);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), 10_000 * SLOTS_PER_EPOCH - 1, "2 of 4 is not a quorum of 3");
        vm.prank(stranger);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "the new member completes it");
    }

    function test_RemoveMember_ThenReAddedVotesAgainOnce() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.prank(memberA);
        oracle.submitReportHash(refSlot, keccak256(abi.encode(report)));
        vm.startPrank(admin);
        oracle.removeMember(memberA, 2);
        oracle.addMember(memberA, 2);
        vm.stopPrank();
        (, , uint256 support, ) = oracle.getConsensusState();
        assertEq(support, 0, "the old vote went with the old membership");
        vm.prank(memberA);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.AlreadyVoted.selector, memberA, refSlot));
        vm.prank(memberA);
        oracle.submitReport(report);
    }

    function test_RevertWhen_QuorumIsNotAMajority() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.InvalidQuorum.selector, 1, 3));
        oracle.setQuorum(1);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.InvalidQuorum.selector, 4, 3));
        oracle.setQuorum(4);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.InvalidQuorum.selector, 2, 4));
        oracle.addMember(stranger, 2);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.InvalidQuorum.selector, 3, 2));
        oracle.removeMember(memberA, 3);
        vm.stopPrank();
    }

    function test_RevertWhen_MemberChangesAreInvalid() public {
        vm.startPrank(admin);
        vm.expectRevert(IAccountingOracle.ZeroAddress.selector);
        oracle.addMember(address(0), 3);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.AlreadyMember.selector, memberA));
        oracle.addMember(memberA, 3);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NotMember.selector, stranger));
        oracle.removeMember(stranger, 2);
        for (uint256 i = 3; i < 32; ++i) oracle.addMember(address(uint160(0x1000 + i)), (i + 1) / 2 + 1);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.TooManyMembers.selector, 32));
        oracle.addMember(stranger, 17);
        vm.stopPrank();
    }

    function test_RemoveMember_KeepsTheOthersFindable() public {
        vm.prank(admin);
        oracle.removeMember(memberA, 2);
        address[] memory members = oracle.getMembers();
        assertEq(members.length, 2, "two left");
        for (uint256 i; i < members.length; ++i) assertTrue(oracle.isMember(members[i]), "listed and a member");
        assertTrue(members[0] == memberC || members[1] == memberC, "C kept");
        assertTrue(members[0] == memberB || members[1] == memberB, "B kept");
        vm.prank(admin);
        oracle.removeMember(memberC, 1);
        assertEq(oracle.getMembers()[0], memberB, "B moved");
    }

    // =================================================================================================================
    // configuration
    // =================================================================================================================

    function test_SetEpochsPerFrame_KeepsTheCurrentReferenceSlotAndItsVotes() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 0, 0);
        vm.prank(memberA);
        oracle.submitReport(report);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.FrameConfigSet((refSlot + 1) / SLOTS_PER_EPOCH, 100);
        vm.prank(admin);
        oracle.setEpochsPerFrame(100);
        (uint256 current, uint256 deadline) = oracle.currentFrame();
        assertEq(current, refSlot, "same reference slot");
        assertEq(deadline, refSlot + 100 * SLOTS_PER_EPOCH, "shorter frame");
        vm.prank(memberB);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), refSlot, "A's vote still counted");
    }

    function test_SetEpochsPerFrame_BeforeFramesStartKeepsTheStart() public {
        vm.prank(admin);
        oracle.setEpochsPerFrame(10);
        (IAccountingOracle.FrameConfig memory frame, uint256 initialEpoch) = oracle.getFrameConfig();
        assertEq(initialEpoch, 10_001, "start kept");
        assertEq(frame.epochsPerFrame, 10, "length");
    }

    function test_RevertWhen_EpochsPerFrameIsOutOfRange() public {
        vm.startPrank(admin);
        vm.expectRevert(IAccountingOracle.InvalidFrameConfig.selector);
        oracle.setEpochsPerFrame(0);
        uint256 max = oracle.MAX_EPOCHS_PER_FRAME();
        vm.expectRevert(IAccountingOracle.InvalidFrameConfig.selector);
        oracle.setEpochsPerFrame(max + 1);
        oracle.setEpochsPerFrame(max);
        vm.stopPrank();
    }

    function test_SetSanityBounds_StoresAndEmits() public {
        IAccountingOracle.SanityBounds memory bounds = IAccountingOracle.SanityBounds(5_000, 10_000, 10_000, 1 days);
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.SanityBoundsSet(bounds);
        vm.prank(admin);
        oracle.setSanityBounds(bounds);
        (IAccountingOracle.SanityBounds memory stored, , ) = oracle.getSanityBounds();
        assertEq(keccak256(abi.encode(stored)), keccak256(abi.encode(bounds)), "stored");
    }

    function test_RevertWhen_SanityBoundsAreOutOfRange() public {
        IAccountingOracle.SanityBounds[8] memory bad = [
            IAccountingOracle.SanityBounds(0, 200, 100, 14 days),
            IAccountingOracle.SanityBounds(5_001, 200, 100, 14 days),
            IAccountingOracle.SanityBounds(1_000, 0, 100, 14 days),
            IAccountingOracle.SanityBounds(1_000, 10_001, 100, 14 days),
            IAccountingOracle.SanityBounds(1_000, 200, 0, 14 days),
            IAccountingOracle.SanityBounds(1_000, 200, 10_001, 14 days),
            IAccountingOracle.SanityBounds(1_000, 200, 100, 1 days - 1),
            IAccountingOracle.SanityBounds(1_000, 200, 100, 365 days + 1)
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(IAccountingOracle.InvalidSanityBounds.selector);
            vm.prank(admin);
            oracle.setSanityBounds(bad[i]);
        }
    }

    function test_AllowLoss_StoresAndEmits() public {
        uint256 until = oracle.lastProcessedRefSlot() + 1;
        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.LossAllowed(5 ether, until);
        vm.prank(admin);
        oracle.allowLoss(5 ether, until);
        (, uint256 allowed, uint256 allowedUntil) = oracle.getSanityBounds();
        assertEq(allowed, 5 ether, "amount");
        assertEq(allowedUntil, until, "until");
    }

    function test_RevertWhen_LossAllowanceIsForAProcessedSlot() public {
        uint256 last = oracle.lastProcessedRefSlot();
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.InvalidLossAllowance.selector, last, last));
        vm.prank(admin);
        oracle.allowLoss(1 ether, last);
    }

    // =================================================================================================================
    // access
    // =================================================================================================================

    function test_RevertWhen_ConfigurationCallerLacksItsRole() public {
        bytes32 members = oracle.MANAGE_MEMBERS_ROLE();
        bytes32 config = oracle.MANAGE_CONFIG_ROLE();
        bytes32 loss = oracle.ALLOW_LOSS_ROLE();
        address nextImplementation = address(new AccountingOracle());
        IAccountingOracle.SanityBounds memory bounds = _sanityBounds();
        vm.startPrank(stranger);
        _expectUnauthorized(members);
        oracle.addMember(stranger, 3);
        _expectUnauthorized(members);
        oracle.removeMember(memberA, 2);
        _expectUnauthorized(members);
        oracle.setQuorum(3);
        _expectUnauthorized(config);
        oracle.setEpochsPerFrame(10);
        _expectUnauthorized(config);
        oracle.setSanityBounds(bounds);
        _expectUnauthorized(loss);
        oracle.allowLoss(1 ether, type(uint64).max);
        _expectUnauthorized(bytes32(0));
        oracle.upgradeToAndCall(nextImplementation, "");
        vm.stopPrank();
    }

    function _expectUnauthorized(bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
    }
}
