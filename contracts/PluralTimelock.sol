// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PluralTimelock
/// @notice OpenZeppelin's `TimelockController` with hard limits on its delay: never above `MAX_DELAY` (a longer one
/// could freeze governance), and never below `MIN_PRODUCTION_DELAY` on a production chain, so a proposal that lowers it
/// cannot take effect at once. Two are deployed: the governance timelock, which administers itself and every
/// contract, and the operations timelock, which holds only the registry's routine roles and which the governance
/// timelock administers and may cancel.
contract PluralTimelock is TimelockController {
    /// @notice The shortest delay on a production chain (see `isProductionChain`).
    uint256 public constant MIN_PRODUCTION_DELAY = 1 days;
    /// @notice The longest delay on any chain.
    uint256 public constant MAX_DELAY = 30 days;

    /// @notice `delay` is above `MAX_DELAY`, or below `MIN_PRODUCTION_DELAY` on a production chain.
    error InvalidTimelockDelay(uint256 delay, uint256 chainId);

    /// @notice Creates the timelock. A nonzero `admin` also becomes a canceller: it is the governance timelock of an
    /// operations timelock, which may then cancel what the operations proposers schedule.
    /// @param minDelay Seconds between scheduling and executing.
    /// @param proposers May schedule (and cancel).
    /// @param executors May execute; `address(0)` lets anyone execute.
    /// @param admin Administers the roles besides the timelock itself; zero for none.
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {
        _checkDelay(minDelay);
        if (admin != address(0)) _grantRole(CANCELLER_ROLE, admin);
    }

    /// @notice Sets the delay, within the hard limits.
    /// @dev The timelock itself. Reverts with `InvalidTimelockDelay` and TimelockController's `TimelockUnauthorizedCaller`.
    /// @param newDelay Seconds.
    function updateDelay(uint256 newDelay) public override {
        _checkDelay(newDelay);
        super.updateDelay(newDelay);
    }

    /// @notice Whether `chainId` is a production chain, where delays have a floor: Ethereum mainnet (1). The list is
    /// explicit; test networks and local chains are not on it.
    /// @param chainId An EIP-155 chain id.
    function isProductionChain(uint256 chainId) public pure returns (bool) {
        return chainId == 1;
    }

    function _checkDelay(uint256 delay) private view {
        require(
            delay <= MAX_DELAY && (delay >= MIN_PRODUCTION_DELAY || !isProductionChain(block.chainid)),
            InvalidTimelockDelay(delay, block.chainid)
        );
    }
}
