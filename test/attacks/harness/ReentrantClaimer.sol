// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ReentrantClaimer
/// @notice Attacker contract: owns a withdrawal request and, when the queue pays it, calls the same claim again from
/// its `receive`, up to `MAX_REENTRIES` times. Each reentrant call is caught, so the outer claim completes whatever the
/// reentrant one does; the revert data of the last refused one is kept for the test to inspect.
/// @dev `CLAIM_SELECTOR` is the claim to call: `claimWithdrawal` on the real queue, `claimWithdrawalSendFirst` on the
/// harness. Both take (requestId, hint, receiver).
contract ReentrantClaimer {
    address public immutable QUEUE;
    bytes4 public immutable CLAIM_SELECTOR;
    uint256 public immutable MAX_REENTRIES;

    uint256 public requestId;
    uint256 public hint;
    /// @notice Reentrant claims attempted, and how many of them paid.
    uint256 public reentries;
    uint256 public reentriesPaid;
    /// @notice Revert data of the last reentrant claim that was refused.
    bytes public lastRefusal;

    constructor(address queue, bytes4 claimSelector, uint256 maxReentries) {
        QUEUE = queue;
        CLAIM_SELECTOR = claimSelector;
        MAX_REENTRIES = maxReentries;
    }

    /// @notice Claims `requestId_` to itself; the queue's payment triggers the reentrant claims.
    function attack(uint256 requestId_, uint256 hint_) external {
        (requestId, hint) = (requestId_, hint_);
        _claim();
    }

    receive() external payable {
        _reenter();
    }

    function _reenter() private {
        if (msg.sender != QUEUE || reentries >= MAX_REENTRIES) return;
        ++reentries;
        (bool ok, bytes memory data) = _claimCall();
        if (ok) ++reentriesPaid;
        else lastRefusal = data;
    }

    function _claim() private {
        (bool ok, bytes memory data) = _claimCall();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(data, 0x20), mload(data))
            }
        }
    }

    function _claimCall() private returns (bool ok, bytes memory data) {
        (ok, data) = QUEUE.call(abi.encodeWithSelector(CLAIM_SELECTOR, requestId, hint, address(this)));
    }
}
