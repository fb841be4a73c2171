// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {WithdrawalQueue} from "../../../contracts/WithdrawalQueue.sol";

/// @title WithdrawalQueueSendFirst
/// @notice Attack harness: the real `WithdrawalQueue` plus `claimWithdrawalSendFirst`, which is `claimWithdrawal`
/// with its one reentrancy defence switched off. `claimWithdrawal` burns the request (`_claim`: "Burned before the
/// ether leaves") and lowers `lockedEther` before `Address.sendValue`; this claim sends first and updates state after,
/// so the receiver runs while the request is still unclaimed. Same checks, same amount, same event.
/// @dev Test-only. The state update after the send is written the way a claimed flag is (`claimed[id] = true` may run
/// twice): the token is cleared with `_update` rather than `_burn`, whose "token exists" check would otherwise act as
/// a second, accidental guard on the way back out of the reentrant call.
/// @custom:oz-upgrades-from contracts/WithdrawalQueue.sol:WithdrawalQueue
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract WithdrawalQueueSendFirst is WithdrawalQueue {
    // The queue's ERC-7201 namespace, erc7201:plural.storage.WithdrawalQueue.
    bytes32 private constant QUEUE_STORAGE = 0x30f0619615c34606abb6ce61e63c2a95eb3405b03c87f8d99ddd9f578e927800;

    /// @notice `claimWithdrawal` with the ether sent before the request is burned and `lockedEther` lowered.
    /// @param requestId The request to claim.
    /// @param hint The checkpoint that finalized it.
    /// @param receiver Where the ether goes.
    function claimWithdrawalSendFirst(uint256 requestId, uint256 hint, address receiver) external {
        QueueStorage storage $ = _queueStorage();
        require(receiver != address(0), ZeroAddress());
        require($.withdrawalsPausedUntil <= block.timestamp, WithdrawalsArePaused($.withdrawalsPausedUntil));
        address owner = _ownerOf(requestId);
        require(owner != address(0), RequestAlreadyClaimed(requestId));
        require(owner == msg.sender, NotRequestOwner(msg.sender, owner));
        require(requestId <= $.lastFinalizedId, RequestNotFinalized(requestId));
        uint256[] memory ids = new uint256[](1);
        uint256[] memory hints = new uint256[](1);
        (ids[0], hints[0]) = (requestId, hint);
        uint256 amount = this.getClaimableEther(ids, hints)[0];

        Address.sendValue(payable(receiver), amount);

        _update(address(0), requestId, address(0));
        $.lockedEther -= uint128(amount);
        emit WithdrawalClaimed(requestId, owner, receiver, amount);
    }

    function _queueStorage() private pure returns (QueueStorage storage $) {
        assembly ("memory-safe") {
            $.slot := QUEUE_STORAGE
        }
    }
}
