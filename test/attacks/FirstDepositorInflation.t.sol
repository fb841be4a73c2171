// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositContract} from "../../contracts/interfaces/IDepositContract.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {StakingPool} from "../../contracts/StakingPool.sol";
import {QueueFixture} from "../utils/QueueFixture.sol";
import {StakingPoolWithoutDeadShares} from "./harness/StakingPoolWithoutDeadShares.sol";

/// @title FirstDepositorInflationTest
/// @notice Attack: first-depositor inflation. The attacker holds every share of a young pool, shrinks the share count
/// to one (by burning, `StakedEther.burn`) while the ether stays, so that one share is worth more than a victim's whole
/// deposit; the victim's shares round down (`SharesMath.toSharesDown`) and the attacker's one share takes the
/// difference.
/// Defence: `StakingPool.initialize` mints the initial deposit's shares to `DEAD_SHARES_HOLDER` (0x…dEaD, which nobody
/// controls) and refuses less than `MIN_INITIAL_DEPOSIT` (0.001 ether; `InitialDepositTooSmall`). Nobody can be the
/// only holder: 10^15 shares can never be burned, and a burn hands the burner's ether to them. (`_deposit` also refuses
/// a deposit that would mint no share, `DepositTooSmall`, which only stops the extreme case.)
/// Harness: `StakingPoolWithoutDeadShares`, the real pool whose initial shares go to the first depositor instead of
/// the dead address.
contract FirstDepositorInflationTest is QueueFixture {
    uint256 private constant ATTACKER_DEPOSIT = 10 ether;
    uint256 private constant VICTIM_DEPOSIT = 15 ether;

    address private attacker;
    address private victim;

    function setUp() public {
        _deployPool();
        attacker = makeAddr("attacker");
        victim = makeAddr("victim");
    }

    function test_Attack_FirstDepositorInflation_FailsAgainstDeadShares() public {
        // The attacker deposits first after the initialization and burns all its shares but one.
        uint256 attackerShares = _deposit(attacker, ATTACKER_DEPOSIT);
        assertEq(attackerShares, ATTACKER_DEPOSIT, "attacker's shares at one ether per plETH");
        vm.prank(attacker);
        pool.burn(attackerShares - 1);
        assertEq(pool.totalSupply(), INITIAL_DEPOSIT + 1, "shares left: the dead shares and the attacker's one");

        uint256 victimShares = _deposit(victim, VICTIM_DEPOSIT);

        // 15e18 × (10^15 + 1) / 10.001e18, rounded down.
        assertEq(victimShares, 1_499_850_014_998_501, "victim's shares");
        assertEq(pool.totalPooledEther(), 25.001 ether, "pooled ether");
        assertEq(_valueOf(victim), VICTIM_DEPOSIT - 2_600, "victim keeps its deposit less 2,600 wei of rounding");
        assertEq(_valueOf(attacker), 10_000, "attacker's one share: 10,000 wei of its 10 ether");
        // The rest, 10.001 ether less 7,402 wei, is the dead shares' (2 wei of rounding dust belong to nobody).
        assertEq(_valueOf(DEAD_SHARES_HOLDER), 10.001 ether - 7_402, "the dead shares' value");
    }

    function test_Attack_FirstDepositorInflation_SucceedsWithoutDeadShares() public {
        StakingPool harness = _deployHarnessPool();
        assertEq(harness.balanceOf(attacker), INITIAL_DEPOSIT, "the initial shares are the attacker's");
        assertEq(harness.balanceOf(DEAD_SHARES_HOLDER), 0, "no dead shares");

        vm.deal(attacker, ATTACKER_DEPOSIT);
        vm.startPrank(attacker);
        harness.deposit{value: ATTACKER_DEPOSIT}(address(0));
        harness.burn(harness.balanceOf(attacker) - 1);
        vm.stopPrank();
        assertEq(harness.totalSupply(), 1, "one share left, the attacker's");
        assertEq(harness.convertToAssets(1), 10.001 ether, "and it is worth the whole pool");

        // A victim depositing less than one share's value is refused, not robbed...
        vm.deal(victim, VICTIM_DEPOSIT);
        vm.prank(victim);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositTooSmall.selector, 10 ether));
        harness.deposit{value: 10 ether}(address(0));
        // ...but a victim depositing 15 ether gets one share for it: 15 / 10.001, rounded down.
        vm.prank(victim);
        assertEq(harness.deposit{value: VICTIM_DEPOSIT}(address(0)), 1, "victim's shares");

        uint256 attackerPaid = INITIAL_DEPOSIT + ATTACKER_DEPOSIT;
        assertEq(harness.totalPooledEther(), 25.001 ether, "pooled ether");
        assertEq(harness.convertToAssets(1), 12.5005 ether, "each of the two shares");
        assertEq(VICTIM_DEPOSIT - harness.convertToAssets(1), 2.4995 ether, "victim's loss");
        assertEq(harness.convertToAssets(1) - attackerPaid, 2.4995 ether, "attacker's profit: the victim's loss");
    }

    /// @dev The harness pool behind a proxy, initialized by the attacker with the minimum initial deposit (so the
    /// attacker is the first depositor), on the fixture's other contracts.
    function _deployHarnessPool() private returns (StakingPool harness) {
        StakingPoolWithoutDeadShares harnessImplementation = new StakingPoolWithoutDeadShares(
            IDepositContract(address(beaconDeposit)),
            attacker
        );
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, STAKE_LIMIT_REFILL_PERIOD, address(emergencyPause));
        vm.deal(attacker, INITIAL_DEPOSIT);
        vm.prank(attacker);
        harness = _deployPoolProxy(address(harnessImplementation), data, INITIAL_DEPOSIT);
        assertEq(attacker.balance, 0, "the attacker paid the initial deposit");
    }
}
