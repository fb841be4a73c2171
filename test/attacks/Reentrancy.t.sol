// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOperatorRegistry} from "../../contracts/interfaces/IOperatorRegistry.sol";
import {IWithdrawalQueue} from "../../contracts/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../../contracts/WithdrawalQueue.sol";
import {QueueFixture} from "../utils/QueueFixture.sol";
import {ReentrantClaimer} from "./harness/ReentrantClaimer.sol";
import {ReentrantFeeClaimer} from "./harness/ReentrantFeeClaimer.sol";
import {WithdrawalQueueSendFirst} from "./harness/WithdrawalQueueSendFirst.sol";

/// @title ReentrancyTest
/// @notice Attack: reentrancy on the two claims that pay out.
/// - Withdrawal claims: a request's owner is a contract whose `receive` claims the same request again while the queue
///   is still paying it, to be paid twice out of other requests' locked ether.
///   Defence: `WithdrawalQueue.claimWithdrawal` / `claimWithdrawals` check and burn the request (`_claim`) and lower
///   `lockedEther` before `Address.sendValue` (checks, effects, interactions); the reentrant claim finds the token
///   burned and reverts with `RequestAlreadyClaimed(requestId)`. There is no `ReentrancyGuard`: the order is the guard.
///   Harness: `WithdrawalQueueSendFirst`, whose `claimWithdrawalSendFirst` is the same claim sending before it burns.
/// - Operator fee claims: an operator's reward address is a contract that claims again when called.
///   Defence: `OperatorRegistry.claimFees` zeroes the operator's unclaimed fees before paying, and pays in plETH by
///   ERC-20 transfer (`SafeERC20.safeTransfer` on `StakingPool`, a plain ERC-20 without receiver hooks), so no code of
///   the reward address runs at all; a second claim reverts with `NoFeesToClaim(operatorId)`. The treasury claims
///   nothing: its fee shares are minted to it on each report (`StakingPool._mintFees`).
///   No defence-off harness: with no call into the reward address there is no reentry point; showing one would mean
///   adding a transfer hook to plETH, a change other than the defence.
contract ReentrancyTest is QueueFixture {
    uint256 private constant REQUEST = 1 ether;
    uint256 private constant FEE_GAIN = 0.01 ether;

    address private attacker;
    address private victim;

    function setUp() public {
        _deployQueueFixture();
        attacker = makeAddr("attacker");
        victim = makeAddr("victim");
    }

    // --- withdrawal claims ---

    function test_Attack_ReentrantClaim_FailsAgainstBurnBeforeSend() public {
        ReentrantClaimer claimer = new ReentrantClaimer(address(queue), WithdrawalQueue.claimWithdrawal.selector, 1);
        (uint256 attackerId, uint256 victimId) = _finalizeTwoRequests(address(claimer));

        claimer.attack(attackerId, _hint(attackerId));

        assertEq(address(claimer).balance, REQUEST, "attacker paid once");
        assertEq(claimer.reentries(), 1, "reentrant claims attempted");
        assertEq(claimer.reentriesPaid(), 0, "reentrant claims paid");
        assertEq(
            claimer.lastRefusal(),
            abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, attackerId),
            "the reentrant claim's refusal"
        );
        assertEq(_queueState().lockedEther, REQUEST, "the victim's ether stays locked");
        assertEq(_claim(victim, victimId, victim), REQUEST, "the victim is paid in full");
        assertEq(address(queue).balance, 0, "queue emptied by exactly the two claims");
    }

    function test_Attack_ReentrantClaim_SucceedsWithoutBurnBeforeSend() public {
        address sendFirst = address(new WithdrawalQueueSendFirst());
        vm.prank(admin);
        queue.upgradeToAndCall(sendFirst, "");
        ReentrantClaimer claimer = new ReentrantClaimer(
            address(queue),
            WithdrawalQueueSendFirst.claimWithdrawalSendFirst.selector,
            1
        );
        (uint256 attackerId, uint256 victimId) = _finalizeTwoRequests(address(claimer));

        claimer.attack(attackerId, _hint(attackerId));

        assertEq(address(claimer).balance, 2 * REQUEST, "attacker paid twice for one request");
        assertEq(claimer.reentriesPaid(), 1, "the reentrant claim paid");
        assertEq(address(queue).balance, 0, "the victim's ether is gone");
        assertEq(_queueState().lockedEther, 0, "nothing locked for the victim");
        uint256 hint = _hint(victimId);
        vm.prank(victim);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        queue.claimWithdrawal(victimId, hint, victim);
    }

    // --- operator fee claims ---

    function test_Attack_ReentrantFeeClaim_FailsAgainstPlainTransferAfterZeroing() public {
        // A fourth operator, with no validator yet: the next one is its.
        uint256 operatorId = _addOperatorWithKeys(1, 1);
        ReentrantFeeClaimer rewardAddress = new ReentrantFeeClaimer(IOperatorRegistry(address(registry)), operatorId);
        vm.prank(admin);
        registry.setRewardAddress(operatorId, address(rewardAddress));
        _fundBuffer(VALIDATOR_DEPOSIT);
        _stake(1);
        assertEq(registry.getOperator(operatorId).depositedKeys, 1, "the attacker's operator runs one validator");
        _reportQueue(int256(FEE_GAIN), false);
        // 0.01 ether of rewards on 160.001 ether: 10 % fee in shares, half of it to operators, spread over five
        // validators, one of them the attacker operator's.
        uint256 fees = registry.claimableFees(operatorId);
        assertEq(fees, 99_994_375_351_540, "the operator's fees");

        assertEq(registry.claimFees(operatorId), fees, "claimed");

        assertEq(pool.balanceOf(address(rewardAddress)), fees, "reward address paid once");
        assertEq(rewardAddress.callsReceived(), 0, "no code of the reward address ran");
        assertEq(rewardAddress.reentriesPaid(), 0, "no reentrant claim");
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NoFeesToClaim.selector, operatorId));
        registry.claimFees(operatorId);
    }

    // --- helpers ---

    /// @dev The attacker (for `attackerOwner`) and the victim each request 1 ether; a report finalizes both.
    function _finalizeTwoRequests(address attackerOwner) private returns (uint256 attackerId, uint256 victimId) {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = _deposit(attacker, REQUEST);
        attackerId = _requestMany(attacker, amounts, attackerOwner)[0];
        victimId = _request(victim, _deposit(victim, REQUEST));
        _reportQueue(0, false);
        assertEq(_queueState().lastFinalizedId, victimId, "both requests finalized");
        assertEq(_queueState().lockedEther, 2 * REQUEST, "locked for the two requests");
        assertEq(address(queue).balance, 2 * REQUEST, "queue balance");
    }
}
