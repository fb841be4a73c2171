// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {OracleFixture} from "../utils/OracleFixture.sol";
import {AccountingOracleWithoutQuorum} from "./harness/AccountingOracleWithoutQuorum.sol";

/// @title ReportsTest
/// @notice Attack: false accounting reports, to move the share rate. Every report below is one the committee (or part
/// of it) could sign; the pool has three validators seen at 32 ether each (96.001 ether pooled, one ether per plETH).
/// - Minority report: one member (of three, quorum two) reports a loss nobody else saw.
///   Defence: `AccountingOracle.submitReport` applies a report only when its variant reached the quorum in `_vote`
///   (`support >= vote.quorum`, then `vote.consensusVariant != 0`); `applyReport` reverts with `NoConsensus(refSlot)`.
///   Harness: `AccountingOracleWithoutQuorum`, whose `submitReportWithoutQuorum` applies after one vote.
/// - Stale, future or unfinalized reference slot: `_checkRefSlot` (`StaleReferenceSlot`, `FutureReferenceSlot`) and
///   the finality check in `_vote` (`ReferenceSlotNotFinalized`).
/// - Replayed report: `_vote` and `applyReport` refuse a frame already processed (`ReportAlreadyProcessed`).
/// - Out-of-bounds report, even from a full quorum: `StakingPool.handleOracleReport`'s bounds (`RewardsAboveCap`,
///   `LossAboveBound`, `BeaconValidatorsAboveDeposited`, `BeaconValidatorsDecreased`, `VaultBalanceTooLow`).
/// No defence-off harness for the slot, replay and bounds checks: they sit in the middle of `_vote` and in private
/// functions of `StakingPool`, which a derived contract cannot override; a harness would be a copy of those
/// contracts, proving the copy rather than the defence. The minority harness shows what any single accepted false
/// report does.
contract ReportsTest is OracleFixture {
    uint256 private constant STAKED = 96 ether;
    uint256 private constant POOLED = 96.001 ether;
    /// @dev The largest loss one report may show: 2 % of 96 ether.
    uint256 private constant LOSS_BOUND = 1.92 ether;
    /// @dev The largest gain over one frame (one day) at 10 % a year on 96 ether.
    uint256 private constant GAIN_CAP = 26_301_369_863_013_698;

    function setUp() public {
        _deployPool();
        _stakeValidators(3);
        _reportNextFrame(STAKED);
        assertEq(pool.totalPooledEther(), POOLED, "pooled ether");
    }

    // --- minority ---

    function test_Attack_MinorityReport_FailsAgainstQuorum() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 3, STAKED - LOSS_BOUND);

        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);

        assertEq(oracle.lastProcessedRefSlot(), refSlot - EPOCHS_PER_FRAME * SLOTS_PER_EPOCH, "frame not processed");
        assertEq(pool.totalPooledEther(), POOLED, "pooled ether unchanged");
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoConsensus.selector, refSlot));
        oracle.applyReport(report);
    }

    function test_Attack_MinorityReport_SucceedsWithoutQuorum() public {
        AccountingOracleWithoutQuorum withoutQuorum = new AccountingOracleWithoutQuorum();
        vm.prank(admin);
        oracle.upgradeToAndCall(address(withoutQuorum), "");
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 3, STAKED - LOSS_BOUND);

        vm.prank(oracleMembers[0]);
        AccountingOracleWithoutQuorum(address(oracle)).submitReportWithoutQuorum(report);

        assertEq(oracle.lastProcessedRefSlot(), refSlot, "one member's report applied");
        assertEq(pool.totalPooledEther(), POOLED - LOSS_BOUND, "every holder lost 1.92 ether between them");
        assertEq(pool.convertToAssets(1 ether), 0.980000208331163217 ether, "share rate: -2 %");
    }

    // --- stale, future, unfinalized, replayed ---

    function test_Attack_StaleReport_FailsAgainstReferenceSlotCheck() public {
        uint256 lastRefSlot = oracle.lastProcessedRefSlot();
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(lastRefSlot, 3, STAKED - LOSS_BOUND);

        vm.prank(oracleMembers[0]);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.StaleReferenceSlot.selector, lastRefSlot, refSlot));
        oracle.submitReport(report);
    }

    function test_Attack_FutureReport_FailsAgainstReferenceSlotCheck() public {
        uint256 refSlot = _warpToNextFrame();
        uint256 futureSlot = refSlot + EPOCHS_PER_FRAME * SLOTS_PER_EPOCH;
        IAccountingOracle.Report memory report = _reportFor(futureSlot, 3, STAKED);

        vm.prank(oracleMembers[0]);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.FutureReferenceSlot.selector, futureSlot, refSlot));
        oracle.submitReport(report);
    }

    function test_Attack_UnfinalizedReport_FailsAgainstFinalityCheck() public {
        uint256 refSlot = oracle.lastProcessedRefSlot() + EPOCHS_PER_FRAME * SLOTS_PER_EPOCH;
        // The first slot of the frame: its reference slot is not finalized for two more epochs.
        vm.warp(GENESIS_TIME + (refSlot + 1) * SECONDS_PER_SLOT);
        IAccountingOracle.Report memory report = _reportFor(refSlot, 3, STAKED);

        vm.prank(oracleMembers[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccountingOracle.ReferenceSlotNotFinalized.selector,
                refSlot,
                refSlot + 1,
                refSlot + 1 + 2 * SLOTS_PER_EPOCH
            )
        );
        oracle.submitReport(report);
    }

    function test_Attack_ReplayedReport_FailsAgainstProcessedFrame() public {
        IAccountingOracle.Report memory report = _reportNextFrame(STAKED + GAIN_CAP);
        uint256 pooled = pool.totalPooledEther();

        // The member who did not vote submits the same report again, and anyone asks for it to be applied again.
        vm.prank(oracleMembers[2]);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ReportAlreadyProcessed.selector, report.refSlot));
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ReportAlreadyProcessed.selector, report.refSlot));
        oracle.applyReport(report);
        assertEq(pool.totalPooledEther(), pooled, "the gain counted once");
    }

    // --- out of bounds, from a full quorum ---

    function test_Attack_OutOfBoundsReport_FailsAgainstRewardCap() public {
        _expectRejectedByQuorum(
            _nextReport(3, STAKED + GAIN_CAP + 1),
            abi.encodeWithSelector(IStakingPool.RewardsAboveCap.selector, GAIN_CAP + 1, GAIN_CAP)
        );
    }

    function test_Attack_OutOfBoundsReport_FailsAgainstLossBound() public {
        _expectRejectedByQuorum(
            _nextReport(3, STAKED - LOSS_BOUND - 1),
            abi.encodeWithSelector(IStakingPool.LossAboveBound.selector, LOSS_BOUND + 1, LOSS_BOUND)
        );
    }

    function test_Attack_OutOfBoundsReport_FailsAgainstDepositedCount() public {
        _expectRejectedByQuorum(
            _nextReport(4, STAKED + 32 ether),
            abi.encodeWithSelector(IStakingPool.BeaconValidatorsAboveDeposited.selector, 4, 3)
        );
    }

    function test_Attack_OutOfBoundsReport_FailsAgainstSeenCountDecrease() public {
        _expectRejectedByQuorum(
            _nextReport(2, 64 ether),
            abi.encodeWithSelector(IStakingPool.BeaconValidatorsDecreased.selector, 3, 2)
        );
    }

    function test_Attack_OutOfBoundsReport_FailsAgainstVaultBalanceCheck() public {
        IAccountingOracle.Report memory report = _nextReport(3, STAKED);
        report.elRewardsVaultBalance = 1 ether;
        _expectRejectedByQuorum(
            report,
            abi.encodeWithSelector(IStakingPool.VaultBalanceTooLow.selector, address(elVault), 1 ether, 0)
        );
    }

    /// @dev The next frame's report: `seen` validators holding `beaconBalance`.
    function _nextReport(uint256 seen, uint256 beaconBalance) private returns (IAccountingOracle.Report memory) {
        return _reportFor(_warpToNextFrame(), seen, beaconBalance);
    }

    /// @dev Two members (a quorum) agree on `report`; applying it reverts with `expected`, and nothing changes.
    function _expectRejectedByQuorum(IAccountingOracle.Report memory report, bytes memory expected) private {
        uint256 lastRefSlot = oracle.lastProcessedRefSlot();
        _agreeByHash(report);
        vm.expectRevert(expected);
        oracle.applyReport(report);
        assertEq(oracle.lastProcessedRefSlot(), lastRefSlot, "frame not processed");
        assertEq(pool.totalPooledEther(), POOLED, "pooled ether unchanged");
    }
}
