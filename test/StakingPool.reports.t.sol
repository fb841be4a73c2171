// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {forceEther} from "./utils/StakingPoolFixture.sol";

/// @dev The pool's side of reports: rewards, fees, losses, vault sweeps, write-offs, the report deadline, operator
/// fees, and every sanity bound (promise 4).
contract StakingPoolReportsTest is OracleFixture {
    uint256 private constant VALIDATORS = 6;
    uint256 private constant STAKED = VALIDATORS * 32 ether;

    address private alice;

    function setUp() public {
        _deployPool();
        alice = makeAddr("alice");
        vm.deal(alice, 10 ether);
        vm.prank(alice);
        pool.deposit{value: 10 ether}(address(0));
        _stakeValidators(VALIDATORS);
        // The first report sees the validators at 32 ether each: nothing gained or lost.
        _reportNextFrame(STAKED);
    }

    // =================================================================================================================
    // rewards and fees
    // =================================================================================================================

    function test_Report_RewardsRaiseTheRateAndHoldersKeepNinetyPercent() public {
        uint256 rewards = 0.01 ether;
        uint256 aliceBefore = _valueOf(alice);
        uint256 pooledBefore = pool.totalPooledEther();
        uint256 sharesBefore = pool.totalSupply();

        _reportNextFrame(STAKED + rewards);

        assertEq(pool.totalPooledEther(), pooledBefore + rewards, "pooled ether grows by the rewards");
        uint256 treasuryValue = _valueOf(treasury);
        uint256 operatorValue = _valueOf(address(registry));
        assertApproxEqAbs(treasuryValue, (rewards * TREASURY_FEE_BPS) / 10_000, 2, "treasury gets 5 %");
        assertApproxEqAbs(operatorValue, (rewards * OPERATOR_FEE_BPS) / 10_000, 2, "operators get 5 %");
        // Alice's part of the 90 % left to holders.
        uint256 expected = aliceBefore + (rewards * 9_000 * pool.balanceOf(alice)) / (10_000 * sharesBefore);
        assertApproxEqAbs(_valueOf(alice), expected, 2, "alice keeps her share of 90 %");
        assertGt(_valueOf(alice), aliceBefore, "alice gained");
    }

    function test_Report_EmitsAppliedAndBreakdown() public {
        uint256 refSlot = _warpToNextFrame();
        uint256 rewards = 0.02 ether;
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED + rewards);
        uint256 pooledBefore = pool.totalPooledEther();
        uint256 sharesBefore = pool.totalSupply();
        uint256 feeShares = _feeShares(rewards, pooledBefore + rewards, sharesBefore);
        uint256 treasuryShares = (feeShares * TREASURY_FEE_BPS) / (TREASURY_FEE_BPS + OPERATOR_FEE_BPS);

        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ReportBreakdown(
            refSlot,
            int256(rewards),
            0,
            0,
            0,
            treasuryShares,
            feeShares - treasuryShares,
            false
        );
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ReportApplied(
            refSlot,
            225 * 32 * 12,
            pooledBefore,
            sharesBefore,
            pooledBefore + rewards,
            sharesBefore + feeShares
        );
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
    }

    function test_Report_WithdrawalsAndExecutionRewardsReachTheBuffer() public {
        vm.deal(address(vault), 3 ether);
        vm.deal(address(elVault), 0.05 ether);
        uint256 buffered = _accounting().bufferedEther;
        uint256 pooledBefore = pool.totalPooledEther();
        // 3 ether of the balance was withdrawn (skimmed): the beacon side shows 3 ether less.
        _reportNextFrame(STAKED - 3 ether + 0.001 ether);

        IStakingPool.Accounting memory accounting = _accounting();
        assertEq(accounting.bufferedEther, buffered + 3 ether + 0.05 ether, "both vaults swept into the buffer");
        assertEq(address(vault).balance, 0, "withdrawal vault emptied");
        assertEq(address(elVault).balance, 0, "execution rewards vault emptied");
        assertEq(address(pool).balance, accounting.bufferedEther, "the ether is there");
        assertEq(pool.totalPooledEther(), pooledBefore + 0.001 ether + 0.05 ether, "rewards only count once");
    }

    function test_Report_ExecutionRewardsAreCappedPerReport() public {
        uint256 cap = (pool.totalPooledEther() * MAX_EL_REWARDS_BPS) / 10_000;
        vm.deal(address(elVault), cap * 3);
        _reportNextFrame(STAKED);
        assertEq(address(elVault).balance, cap * 2, "the rest waits for later reports");
    }

    function test_Report_NoFeeWithoutProfit() public {
        uint256 sharesBefore = pool.totalSupply();
        _reportNextFrame(STAKED);
        assertEq(pool.totalSupply(), sharesBefore, "no shares minted");
    }

    function test_Report_NoFeeWhenFeesAreZero() public {
        vm.prank(admin);
        pool.setFees(0, 0);
        uint256 sharesBefore = pool.totalSupply();
        _reportNextFrame(STAKED + 0.01 ether);
        assertEq(pool.totalSupply(), sharesBefore, "no shares minted");
    }

    // =================================================================================================================
    // the reward cap and the loss bound
    // =================================================================================================================

    function testFuzz_Report_TakesTheWithdrawalVaultOnlyUpToTheGainBound(uint256 gain, uint256 inVault) public {
        uint256 cap = (STAKED * MAX_APR_BPS * 225 * 32 * 12) / (365 days * 10_000);
        gain = bound(gain, 0, cap);
        inVault = bound(inVault, 0, 100 ether);
        vm.deal(address(vault), inVault);
        vm.prank(admin);
        pool.setFees(0, 0);
        uint256 pooledBefore = pool.totalPooledEther();

        _reportNextFrame(STAKED + gain);

        // Ether in the vault beyond what the bound leaves beside the beacon gain waits there for a later report.
        uint256 taken = inVault < cap - gain ? inVault : cap - gain;
        assertEq(address(vault).balance, inVault - taken, "left in the vault");
        assertEq(pool.totalPooledEther(), pooledBefore + gain + taken, "pooled ether: the gain and what was taken");
        assertLe(pool.totalPooledEther() - pooledBefore, cap, "never above the bound");
    }

    function test_RevertWhen_RewardsExceedTheAnnualRateForTheTimeElapsed() public {
        uint256 refSlot = _warpToNextFrame();
        uint256 cap = (STAKED * MAX_APR_BPS * 225 * 32 * 12) / (365 days * 10_000);
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED + cap + 1);
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.RewardsAboveCap.selector, cap + 1, cap));
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);

        report.beaconBalance = STAKED + cap;
        vm.prank(oracleMembers[2]);
        oracle.submitReport(report);
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
        assertEq(_accounting().beaconBalance, STAKED + cap, "exactly the cap passes");
    }

    function test_Report_AMissedFrameRaisesTheCapWithTheTime() public {
        (uint256 refSlot, ) = oracle.currentFrame();
        refSlot += 225 * 32 * 2; // two frames later: one was missed
        _warpToReportable(refSlot);
        uint256 twoFramesCap = (STAKED * MAX_APR_BPS * 2 * 225 * 32 * 12) / (365 days * 10_000);
        _submitByQuorum(_reportFor(refSlot, VALIDATORS, STAKED + twoFramesCap));
        assertEq(_accounting().beaconBalance, STAKED + twoFramesCap, "twice the one-frame cap");
    }

    function test_Report_LossWithinTheBoundLowersEveryShare() public {
        uint256 loss = (STAKED * MAX_LOSS_BPS) / 10_000;
        uint256 aliceBefore = _valueOf(alice);
        uint256 sharesBefore = pool.totalSupply();
        _reportNextFrame(STAKED - loss);
        assertEq(pool.totalSupply(), sharesBefore, "no fee on a loss");
        assertLt(_valueOf(alice), aliceBefore, "alice shares the loss");
    }

    function test_RevertWhen_LossExceedsTheBound_UntilGovernanceAllowsIt() public {
        uint256 refSlot = _warpToNextFrame();
        uint256 bound = (STAKED * MAX_LOSS_BPS) / 10_000;
        uint256 loss = bound + 10 ether; // a correlated slashing
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED - loss);
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.LossAboveBound.selector, loss, bound));
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);

        // The committee agrees by hash; the report waits for governance.
        vm.prank(oracleMembers[1]);
        oracle.submitReportHash(refSlot, keccak256(abi.encode(report)));
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.LossAboveBound.selector, loss, bound));
        oracle.applyReport(report);

        vm.prank(admin);
        oracle.allowLoss(10 ether, refSlot);
        oracle.applyReport(report);
        assertEq(_accounting().beaconBalance, STAKED - loss, "the real loss is taken");
        (, uint256 allowed, ) = oracle.getSanityBounds();
        assertEq(allowed, 0, "the allowance is used up");
    }

    function test_AllowLoss_ExpiresAfterItsReferenceSlot() public {
        uint256 refSlot = _warpToNextFrame();
        vm.prank(admin);
        oracle.allowLoss(50 ether, refSlot);
        // Nobody reports this frame; the next frame's report may not use it.
        uint256 next = refSlot + 225 * 32;
        _warpToReportable(next);
        uint256 bound = (STAKED * MAX_LOSS_BPS) / 10_000;
        IAccountingOracle.Report memory report = _reportFor(next, VALIDATORS, STAKED - bound - 1);
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.LossAboveBound.selector, bound + 1, bound));
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
    }

    // =================================================================================================================
    // counts and vault balances
    // =================================================================================================================

    function test_RevertWhen_SeenValidatorsDecrease() public {
        _expectReportReverts(
            _withSeen(VALIDATORS - 1),
            abi.encodeWithSelector(IStakingPool.BeaconValidatorsDecreased.selector, VALIDATORS, VALIDATORS - 1)
        );
    }

    function test_RevertWhen_SeenValidatorsExceedDeposits() public {
        _expectReportReverts(
            _withSeen(VALIDATORS + 1),
            abi.encodeWithSelector(IStakingPool.BeaconValidatorsAboveDeposited.selector, VALIDATORS + 1, VALIDATORS)
        );
    }

    function test_RevertWhen_ExitedCountIsInvalid() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED);
        report.exitedValidators = VALIDATORS + 1;
        _expectReportReverts(
            report,
            abi.encodeWithSelector(IStakingPool.InvalidExitedValidators.selector, 0, VALIDATORS + 1, VALIDATORS)
        );
        report.exitedValidators = 2;
        _submitByQuorum(report);
        assertEq(_accounting().exitedValidators, 2, "exited");

        refSlot = _warpToNextFrame();
        report = _reportFor(refSlot, VALIDATORS, STAKED);
        report.exitedValidators = 1;
        _expectReportReverts(
            report,
            abi.encodeWithSelector(IStakingPool.InvalidExitedValidators.selector, 2, 1, VALIDATORS)
        );
    }

    function test_Report_SweepsAtMostWhatTheWithdrawalVaultHolds() public {
        uint256 refSlot = _warpToNextFrame();
        vm.deal(address(vault), 1 ether);
        uint256 pooledBefore = pool.totalPooledEther();
        // The vault held 1 ether + 1 at the reference block; a forced exit's fee took 1 wei since.
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED - 1 ether);
        report.withdrawalVaultBalance = 1 ether + 1;
        _submitByQuorum(report);
        assertEq(address(vault).balance, 0, "the vault is swept");
        assertEq(
            pool.totalPooledEther(),
            pooledBefore,
            "the 1 ether moved from the beacon side to the buffer, no more"
        );
    }

    function test_RevertWhen_TheRewardsVaultHoldsLessThanReported() public {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED);
        report.elRewardsVaultBalance = 1;
        _expectReportReverts(
            report,
            abi.encodeWithSelector(IStakingPool.VaultBalanceTooLow.selector, address(elVault), 1, 0)
        );
    }

    // =================================================================================================================
    // deposits never seen
    // =================================================================================================================

    function test_Report_WritesOffDepositsUnseenAfterTheDeadline() public {
        _addKeys(0, 2);
        _vet(0, VALIDATORS + 2);
        _fundBuffer(64 ether);
        _stake(2);
        uint256 pooled = pool.totalPooledEther();

        // Within the deadline the two unseen deposits still count 32 ether each.
        _submitByQuorum(_reportFor(_warpToNextFrame(), VALIDATORS, STAKED));
        assertEq(pool.totalPooledEther(), pooled, "transient ether kept");

        vm.warp(block.timestamp + UNSEEN_DEPOSIT_DEADLINE);
        IAccountingOracle.Report memory report = _reportFor(_warpToNextFrame(), VALIDATORS, STAKED);
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ValidatorsWrittenOff(2, 2);
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
        IStakingPool.Accounting memory accounting = _accounting();
        assertEq(accounting.writtenOffValidators, 2, "written off");
        assertEq(accounting.transientEther, 0, "no phantom ether");
        assertEq(pool.totalPooledEther(), pooled - 64 ether, "the loss reaches the rate");

        // One shows up after all: its principal comes back, not as rewards (no fee).
        uint256 shares = pool.totalSupply();
        _submitByQuorum(_reportFor(_warpToNextFrame(), VALIDATORS + 1, STAKED + 32 ether));
        assertEq(_accounting().writtenOffValidators, 1, "one recovered");
        assertEq(pool.totalPooledEther(), pooled - 32 ether, "its 32 ether is back");
        assertEq(pool.totalSupply(), shares, "no fee on principal");
    }

    // =================================================================================================================
    // the report deadline
    // =================================================================================================================

    function test_RevertWhen_DepositingAfterTheReportDeadline() public {
        uint256 deadline = pool.getReportState().reportDeadline;
        assertEq(deadline, block.timestamp + MAX_REPORT_AGE, "deadline from the last report");
        vm.warp(deadline + 1);
        vm.deal(alice, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.ReportOverdue.selector, deadline));
        vm.prank(alice);
        pool.deposit{value: 1 ether}(address(0));

        _reportNextFrame(STAKED);
        vm.prank(alice);
        pool.deposit{value: 1 ether}(address(0));
    }

    function test_SetMaxReportAge_MovesTheDeadline() public {
        uint256 last = pool.getReportState().lastReportTime;
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.MaxReportAgeSet(1 days, last + 1 days);
        vm.prank(admin);
        pool.setMaxReportAge(1 days);
        assertEq(pool.getReportState().reportDeadline, last + 1 days, "deadline");
    }

    function test_RevertWhen_MaxReportAgeIsOutOfRange() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidMaxReportAge.selector, 1 hours - 1));
        pool.setMaxReportAge(1 hours - 1);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidMaxReportAge.selector, 30 days + 1));
        pool.setMaxReportAge(30 days + 1);
        vm.stopPrank();
    }

    // =================================================================================================================
    // operator fees
    // =================================================================================================================

    function test_ClaimFees_PaysEachOperatorByItsActiveValidators() public {
        _reportNextFrame(STAKED + 0.03 ether);
        uint256 held = pool.balanceOf(address(registry));
        assertGt(held, 0, "the registry holds the operators' fees");
        uint256 total;
        for (uint256 id; id < 3; ++id) {
            uint256 claimable = registry.claimableFees(id);
            assertApproxEqAbs(claimable, held / 3, 1, "two validators each: a third each");
            address reward = registry.getOperator(id).rewardAddress;
            vm.expectEmit(true, true, true, true, address(registry));
            emit IOperatorRegistry.FeesClaimed(id, reward, claimable);
            assertEq(registry.claimFees(id), claimable, "claimed");
            assertEq(pool.balanceOf(reward), claimable, "paid in plETH");
            assertEq(registry.claimableFees(id), 0, "nothing left");
            total += claimable;
        }
        assertLe(total, held, "never more than held");
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NoFeesToClaim.selector, 0));
        registry.claimFees(0);
    }

    function test_ClaimFees_NewValidatorsEarnOnlyFromTheirDeposit() public {
        _reportNextFrame(STAKED + 0.03 ether);
        uint256 before = registry.claimableFees(0);
        // Operator 3 joins with 2 validators after the fees were spread: it earned none of them.
        _addOperatorWithKeys(2, 2);
        _fundBuffer(64 ether);
        _stake(2);
        assertEq(registry.claimableFees(3), 0, "nothing earned before its deposit");
        _reportNextFrame(STAKED + 64 ether + 0.03 ether + 0.04 ether);
        assertApproxEqAbs(
            registry.claimableFees(3),
            registry.claimableFees(0) - before,
            1,
            "then the same per validator as the others"
        );
    }

    function test_RevertWhen_DistributeFeesCallerIsNotThePool() public {
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.CallerNotPool.selector, address(this)));
        registry.distributeFees(1);
    }

    // =================================================================================================================
    // access and settings
    // =================================================================================================================

    function test_RevertWhen_ReportComesFromAnyoneButTheOracle() public {
        IStakingPool.OracleReport memory report;
        IStakingPool.ReportLimits memory limits;
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.CallerNotOracle.selector, address(this)));
        pool.handleOracleReport(report, limits);
    }

    function test_RevertWhen_VaultEtherComesFromAnyoneElse() public {
        vm.deal(address(this), 1);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.CallerNotVault.selector, address(this)));
        pool.receiveVaultEther{value: 1}();
    }

    function test_Donation_ToAVaultIsRewardsAtTheNextReport() public {
        vm.deal(address(this), 0.001 ether);
        forceEther(address(vault), 0.001 ether);
        uint256 pooled = pool.totalPooledEther();
        _reportNextFrame(STAKED);
        assertEq(pool.totalPooledEther(), pooled + 0.001 ether, "counted once, as rewards");
    }

    function test_SetFees_StoresAndEmits() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.FeesSet(1_200, 800);
        vm.prank(admin);
        pool.setFees(1_200, 800);
        IStakingPool.ReportState memory state = pool.getReportState();
        assertEq(state.treasuryFeeBps, 1_200, "treasury");
        assertEq(state.operatorFeeBps, 800, "operators");
    }

    function test_RevertWhen_FeesExceedTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidFees.selector, 1_000, 1_001));
        vm.prank(admin);
        pool.setFees(1_000, 1_001);
    }

    function test_SetTreasury_StoresAndEmits() public {
        address next = makeAddr("next treasury");
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.TreasurySet(next);
        vm.prank(admin);
        pool.setTreasury(next);
        assertEq(pool.getReportState().treasury, next, "treasury");
        vm.expectRevert(IStakingPool.ZeroAddress.selector);
        vm.prank(admin);
        pool.setTreasury(address(0));
    }

    function test_RevertWhen_AccountingSettingsCallerLacksTheRole() public {
        bytes32 role = pool.MANAGE_ACCOUNTING_ROLE();
        bytes memory unauthorized = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            alice,
            role
        );
        vm.startPrank(alice);
        vm.expectRevert(unauthorized);
        pool.setFees(0, 0);
        vm.expectRevert(unauthorized);
        pool.setTreasury(alice);
        vm.expectRevert(unauthorized);
        pool.setMaxReportAge(1 days);
        vm.stopPrank();
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev Fee shares for `profit`, as the pool computes them (rounded down).
    function _feeShares(uint256 profit, uint256 pooledAfter, uint256 shares) private pure returns (uint256) {
        uint256 feeEther = profit * (TREASURY_FEE_BPS + OPERATOR_FEE_BPS);
        return (feeEther * shares) / (pooledAfter * 10_000 - feeEther);
    }

    function _withSeen(uint256 seen) private returns (IAccountingOracle.Report memory) {
        return _reportFor(_warpToNextFrame(), seen, STAKED);
    }

    /// @dev The first vote passes; the quorum vote reverts with `reason` and leaves the report unapplied.
    function _expectReportReverts(IAccountingOracle.Report memory report, bytes memory reason) private {
        uint256 processed = oracle.lastProcessedRefSlot();
        vm.prank(oracleMembers[2]);
        oracle.submitReport(report);
        vm.expectRevert(reason);
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
        assertEq(oracle.lastProcessedRefSlot(), processed, "nothing applied");
    }
}

/// @dev Operator fees that arrive while no validator is active wait for the first ones.
contract StakingPoolFeesHeldBackTest is OracleFixture {
    function setUp() public {
        _deployPool();
    }

    function test_DistributeFees_HoldsThemBackWhileNoValidatorIsActive() public {
        // Rewards (a donation to the execution-rewards vault) before any validator.
        vm.deal(address(elVault), 0.0001 ether);
        _submitByQuorum(_reportFor(_warpToNextFrame(), 0, 0));
        uint256 held = pool.balanceOf(address(registry));
        assertGt(held, 0, "operator fees minted");
        _stakeValidators(3);
        _submitByQuorum(_reportFor(_warpToNextFrame(), 3, 96 ether + 0.001 ether));
        assertGt(registry.claimableFees(0), held / 3, "the held-back fees reached the first validators");
    }
}
