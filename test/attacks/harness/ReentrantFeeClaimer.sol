// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOperatorRegistry} from "../../../contracts/interfaces/IOperatorRegistry.sol";

/// @title ReentrantFeeClaimer
/// @notice Attacker contract: an operator's reward address that, whenever any code calls it (an ether transfer, a
/// token-received hook of any standard, anything), claims the operator's fees again. Counts the calls it gets.
contract ReentrantFeeClaimer {
    IOperatorRegistry public immutable REGISTRY;
    uint256 public immutable OPERATOR_ID;

    /// @notice Calls received, and reentrant claims that paid.
    uint256 public callsReceived;
    uint256 public reentriesPaid;

    constructor(IOperatorRegistry registry, uint256 operatorId) {
        REGISTRY = registry;
        OPERATOR_ID = operatorId;
    }

    fallback() external payable {
        _reenter();
    }

    receive() external payable {
        _reenter();
    }

    function _reenter() private {
        ++callsReceived;
        if (callsReceived > 1) return;
        try REGISTRY.claimFees(OPERATOR_ID) returns (uint256) {
            ++reentriesPaid;
        } catch {} // solhint-disable-line no-empty-blocks
    }
}
