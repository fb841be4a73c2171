// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title StakeLimit
/// @notice A rate limit on deposits: at most `maxLimit` ether at once, refilling linearly from empty to full over
/// `refillPeriod` seconds.
/// @dev The limit's parameters and its running state are passed separately because the pool stores them in two
/// different slots, packed by access pattern (the state is rewritten by every deposit, the parameters only read).
/// A `maxLimit` of zero means that no limit applies.
library StakeLimit {
    /// @dev Read-only on the deposit path; changed by governance.
    struct Params {
        uint256 maxLimit;
        uint256 refillPeriod;
    }

    /// @dev Rewritten by every deposit.
    struct State {
        uint256 left;
        uint256 updatedAt;
    }

    /// @dev What can be deposited at `timestamp`. `type(uint256).max` when no limit applies.
    function available(Params memory params, State memory state, uint256 timestamp) internal pure returns (uint256) {
        if (params.maxLimit == 0) return type(uint256).max;
        if (params.refillPeriod == 0) return params.maxLimit;
        // Rounded down: the refill never runs ahead of the configured rate.
        uint256 refilled = ((timestamp - state.updatedAt) * params.maxLimit) / params.refillPeriod;
        uint256 limit = state.left + refilled;
        return limit < params.maxLimit ? limit : params.maxLimit;
    }

    /// @dev The state after `amount` is deposited at `timestamp`. Assumes `amount <= available(...)`.
    function consume(
        Params memory params,
        State memory state,
        uint256 amount,
        uint256 timestamp
    ) internal pure returns (State memory) {
        if (params.maxLimit == 0) return state;
        return State({left: available(params, state, timestamp) - amount, updatedAt: timestamp});
    }

    /// @dev The state under `newParams`, starting from what was available under `oldParams` at `timestamp`, clamped to
    /// the new maximum. A limit switched on from "no limit" starts full, so enabling it never blocks deposits at once.
    function reset(
        Params memory oldParams,
        State memory state,
        Params memory newParams,
        uint256 timestamp
    ) internal pure returns (State memory) {
        uint256 left = oldParams.maxLimit == 0 ? newParams.maxLimit : available(oldParams, state, timestamp);
        if (left > newParams.maxLimit) left = newParams.maxLimit;
        return State({left: left, updatedAt: timestamp});
    }
}
