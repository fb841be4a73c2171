// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositContract} from "../../../contracts/interfaces/IDepositContract.sol";
import {StakingPool} from "../../../contracts/StakingPool.sol";

/// @title StakingPoolWithoutDeadShares
/// @notice Attack harness: the real `StakingPool` with one defence switched off. The shares of the initial deposit,
/// which `StakingPool.initialize` mints to `DEAD_SHARES_HOLDER` (an address nobody controls), go to `FIRST_DEPOSITOR`
/// instead: the pool then starts, like a pool without dead shares, with every share in one depositor's hands.
/// Everything else (share math, rounding, `DepositTooSmall`, the internal `bufferedEther` counter) is the pool's own.
/// @dev Test-only. Not a protocol contract: `scripts/coverage-check.ts` counts `contracts/` only.
/// @custom:oz-upgrades-from contracts/StakingPool.sol:StakingPool
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract StakingPoolWithoutDeadShares is StakingPool {
    /// @notice Receives the initial deposit's shares in place of `DEAD_SHARES_HOLDER`.
    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    address public immutable FIRST_DEPOSITOR;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IDepositContract depositContract_, address firstDepositor) StakingPool(depositContract_) {
        FIRST_DEPOSITOR = firstDepositor;
    }

    /// @dev The one change: a mint to the dead address becomes a mint to the first depositor.
    function _update(address from, address to, uint256 value) internal virtual override {
        if (from == address(0) && to == DEAD_SHARES_HOLDER) to = FIRST_DEPOSITOR;
        super._update(from, to, value);
    }
}
