// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IDepositContract} from "../../contracts/interfaces/IDepositContract.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {StakingPool} from "../../contracts/StakingPool.sol";
import {forceEther} from "../utils/StakingPoolFixture.sol";
import {QueueFixture} from "../utils/QueueFixture.sol";
import {StakingPoolCountingDonations} from "./harness/StakingPoolCountingDonations.sol";
import {StakingPoolWithoutDeadShares} from "./harness/StakingPoolWithoutDeadShares.sol";

/// @title DonationToVaultTest
/// @notice Attack: donation. Ether sent to the pool without a deposit (a forced transfer: no code runs), or to a vault
/// the pool sweeps, to move the share rate: to inflate it before a victim's deposit (the ERC-4626 donation attack) or
/// to jump it in one report.
/// Defences:
/// - to the pool: `StakingPool._deposit` and `totalPooledEther` price shares from the internal counter
///   `bufferedEther`, never `address(this).balance`, so a forced transfer changes no figure;
/// - to the execution-rewards vault: `StakingPool._applyReport` counts at most `maxElRewardsBps` of the pooled ether
///   per report (`Math.min(..., preTotalEther * limits.maxElRewardsBps / BPS)`); the rest waits for later reports;
/// - to the withdrawal vault: `StakingPool._checkBeaconDelta` takes at most what the gain bound (`maxAprBps` for the
///   time elapsed) leaves beside the reported beacon balance; the rest waits in the vault, so the donation neither
///   jumps the rate nor blocks reports (before this defence, a donation above the cap made every report revert with
///   `RewardsAboveCap` until the cap caught up: about 38 daily frames for 1 ether on 96 staked).
/// Harnesses: `StakingPoolCountingDonations` (its `sync` counts the balance as buffer) against
/// `StakingPoolWithoutDeadShares`, so that the pair differs in the internal counter alone: with the dead shares in
/// place a donation is shared with them and is uneconomic anyway (see `FirstDepositorInflation.t.sol`). The
/// execution-rewards cap is switched off by governance setting it to its loosest value, 10,000 bps.
contract DonationToVaultTest is QueueFixture {
    uint256 private constant DONATION = 10 ether;
    uint256 private constant VICTIM_DEPOSIT = 15 ether;
    uint256 private constant EL_DONATION = 50 ether;
    uint256 private constant STAKED = 96 ether;
    /// @dev One frame (one day) at 10 % a year on 96 ether: the most a report takes from the withdrawal vault.
    uint256 private constant ONE_FRAME_CAP = 26_301_369_863_013_698;

    address private attacker;
    address private victim;

    function setUp() public {
        _deployPool();
        attacker = makeAddr("attacker");
        victim = makeAddr("victim");
    }

    // --- donation to the pool ---

    function test_Attack_DonationToPool_FailsAgainstInternalCounter() public {
        // The classic form: own one share, donate, let the victim's deposit round down.
        assertEq(_deposit(attacker, 1), 1, "attacker's one share");
        vm.deal(attacker, DONATION);
        vm.prank(attacker);
        forceEther(address(pool), DONATION);

        assertEq(address(pool).balance, INITIAL_DEPOSIT + 1 + DONATION, "the pool holds the donation");
        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT + 1, "but does not count it");
        assertEq(_deposit(victim, VICTIM_DEPOSIT), VICTIM_DEPOSIT, "victim's shares, one per wei");
        assertEq(_valueOf(victim), VICTIM_DEPOSIT, "victim's value");
        assertEq(_valueOf(attacker), 1, "attacker's value: its 1 wei; the 10 ether are lost");
    }

    function test_Attack_DonationToPool_FailsAgainstInternalCounterEvenWithoutDeadShares() public {
        StakingPool harness = _deployHarnessPool(false);
        _shrinkToOneShare(harness);
        vm.prank(attacker);
        forceEther(address(harness), DONATION);

        assertEq(harness.totalPooledEther(), INITIAL_DEPOSIT, "the donation is not counted");
        vm.deal(victim, VICTIM_DEPOSIT);
        vm.prank(victim);
        assertEq(harness.deposit{value: VICTIM_DEPOSIT}(address(0)), 15_000, "victim's shares at 0.001 ether each");
        assertEq(harness.convertToAssets(15_000), VICTIM_DEPOSIT, "victim's value: all of it");
        assertEq(
            harness.convertToAssets(1),
            INITIAL_DEPOSIT,
            "attacker's value: the initial deposit, not the donation"
        );
    }

    function test_Attack_DonationToPool_SucceedsWithoutInternalCounter() public {
        StakingPoolCountingDonations harness = StakingPoolCountingDonations(payable(address(_deployHarnessPool(true))));
        _shrinkToOneShare(harness);
        vm.prank(attacker);
        forceEther(address(harness), DONATION);
        harness.sync();

        assertEq(harness.totalPooledEther(), INITIAL_DEPOSIT + DONATION, "the donation is counted");
        vm.deal(victim, VICTIM_DEPOSIT);
        vm.prank(victim);
        assertEq(harness.deposit{value: VICTIM_DEPOSIT}(address(0)), 1, "victim's shares: 15 / 10.001, rounded down");

        uint256 attackerPaid = INITIAL_DEPOSIT + DONATION;
        assertEq(harness.convertToAssets(1), 12.5005 ether, "each of the two shares");
        assertEq(VICTIM_DEPOSIT - harness.convertToAssets(1), 2.4995 ether, "victim's loss");
        assertEq(harness.convertToAssets(1) - attackerPaid, 2.4995 ether, "attacker's profit: the victim's loss");
    }

    // --- donation to the execution-rewards vault ---

    function test_Attack_DonationToElVault_FailsAgainstElRewardsCap() public {
        _stakeAndReport();
        _donate(payable(address(elVault)), EL_DONATION);

        _reportNextFrame(STAKED);

        // 1 % of 96.001 ether counted; the fee (10 %) taken from it: the rate rises by 0.9 %, not by half.
        assertEq(pool.totalPooledEther(), 96.96101 ether, "pooled ether: 96.001 + 0.96001");
        assertEq(address(elVault).balance, EL_DONATION - 0.96001 ether, "the rest waits in the vault");
        assertEq(pool.convertToAssets(1 ether), 1.009 ether, "share rate after the report");
    }

    function test_Attack_DonationToElVault_SucceedsWithoutElRewardsCap() public {
        _stakeAndReport();
        vm.prank(admin);
        oracle.setSanityBounds(
            IAccountingOracle.SanityBounds(MAX_APR_BPS, MAX_LOSS_BPS, 10_000, UNSEEN_DEPOSIT_DEADLINE)
        );
        _donate(payable(address(elVault)), EL_DONATION);

        _reportNextFrame(STAKED);

        assertEq(pool.totalPooledEther(), 146.001 ether, "pooled ether: the whole donation at once");
        assertEq(address(elVault).balance, 0, "vault swept");
        assertEq(pool.convertToAssets(1 ether), 1.4687451172383621 ether, "share rate jumps by 46.87 % in one report");
    }

    // --- donation to the withdrawal vault (known weakness) ---

    function test_Attack_DonationToWithdrawalVault_FailsAgainstTheGainBound() public {
        _stakeAndReport();
        _donate(payable(address(vault)), 1 ether);
        uint256 cap = ONE_FRAME_CAP;

        // The committee reports the vault's whole balance, as the daemon does: the report applies, the pool takes only
        // what the bound leaves (the beacon balance is unchanged), and the rest waits in the vault.
        _reportNextFrame(STAKED);
        assertEq(address(vault).balance, 1 ether - cap, "the rest waits in the vault");
        assertEq(pool.totalPooledEther(), 96.001 ether + cap, "one frame's cap counted");
        // The next report is not blocked either: it takes another frame's cap.
        _reportNextFrame(STAKED);
        assertEq(address(vault).balance, 1 ether - 2 * cap, "a second frame's cap taken");
        assertEq(pool.totalPooledEther(), 96.001 ether + 2 * cap, "two frames' caps counted");
    }

    function test_Attack_DonationToWithdrawalVault_BeaconBalanceAboveTheBoundIsStillRefused() public {
        _stakeAndReport();
        _donate(payable(address(vault)), 1 ether);
        uint256 cap = ONE_FRAME_CAP;

        // The vault's ether cannot hide a beacon balance above the bound on its own.
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, 3, STAKED + cap + 1);
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.prank(oracleMembers[1]);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.RewardsAboveCap.selector, cap + 1 + 1 ether, cap));
        oracle.submitReport(report);
    }

    // --- helpers ---

    /// @dev Three validators staked and seen by a first report at 32 ether each: 96.001 ether at one per plETH.
    function _stakeAndReport() private {
        _stakeValidators(3);
        _reportNextFrame(STAKED);
        assertEq(pool.totalPooledEther(), 96.001 ether, "pooled ether before the donation");
        assertEq(pool.convertToAssets(1 ether), 1 ether, "share rate before the donation");
    }

    function _donate(address payable target, uint256 amount) private {
        vm.deal(attacker, amount);
        vm.prank(attacker);
        (bool sent, ) = target.call{value: amount}("");
        assertTrue(sent, "donation sent");
    }

    /// @dev The attacker, as the harness pool's first depositor, burns all its initial shares but one: one share
    /// worth 0.001 ether.
    function _shrinkToOneShare(StakingPool harness) private {
        vm.startPrank(attacker);
        harness.burn(harness.balanceOf(attacker) - 1);
        vm.stopPrank();
        assertEq(harness.totalSupply(), 1, "one share left, the attacker's");
        vm.deal(attacker, DONATION);
    }

    /// @dev A harness pool behind a proxy, initialized by the attacker with the minimum initial deposit, on the
    /// fixture's other contracts: without dead shares, and counting donations when `countingDonations`.
    function _deployHarnessPool(bool countingDonations) private returns (StakingPool harness) {
        IDepositContract depositContract = IDepositContract(address(beaconDeposit));
        address harnessImplementation =
            countingDonations
                ? address(new StakingPoolCountingDonations(depositContract, attacker))
                : address(new StakingPoolWithoutDeadShares(depositContract, attacker));
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, STAKE_LIMIT_REFILL_PERIOD, address(emergencyPause));
        vm.deal(attacker, INITIAL_DEPOSIT);
        vm.prank(attacker);
        harness = _deployPoolProxy(harnessImplementation, data, INITIAL_DEPOSIT);
    }
}
