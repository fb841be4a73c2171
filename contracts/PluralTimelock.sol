// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PluralTimelock
/// @notice OpenZeppelin's `TimelockController` with hard limits on its delay: never above `MAX_DELAY` (a longer one
/// could freeze governance), and never below `MIN_PRODUCTION_DELAY` on a production chain, so a proposal that lowers it
/// cannot take effect at once. Two are deployed: the governance timelock, which administers itself and every
/// contract, and the operations timelock, which holds only the registry's routine roles. A timelock created with an
/// administrator (the operations timelock, administered by the governance timelock) does not administer itself, so
/// its proposers cannot schedule their way out of governance's control: only the administrator grants and revokes
/// its roles, and its delay is fixed (governance replaces it rather than shortening it).
contract PluralTimelock is TimelockController {
    /// @notice The shortest delay on a production chain (see `isProductionChain`).
    uint256 public constant MIN_PRODUCTION_DELAY = 1 days;
    /// @notice The longest delay on any chain.
    uint256 public constant MAX_DELAY = 30 days;

    /// @notice Whether an administrator (not the timelock itself) holds its `DEFAULT_ADMIN_ROLE`.
    bool public immutable ADMINISTERED;

    /// @notice `delay` is above `MAX_DELAY`, or below `MIN_PRODUCTION_DELAY` on a production chain.
    error InvalidTimelockDelay(uint256 delay, uint256 chainId);

    /// @notice An administered timelock keeps the delay it was created with.
    error DelayIsFixed(uint256 delay);

    /// @notice Creates the timelock.
    /// @param minDelay Seconds between scheduling and executing.
    /// @param proposers May schedule (and cancel).
    /// @param executors May execute; `address(0)` lets anyone execute.
    /// @param cancellers May cancel what is scheduled, and nothing else (an emergency multisig's veto, say).
    /// @param admin Zero: the timelock administers itself alone (the governance timelock). Otherwise the only
    /// administrator of its roles, and a canceller (the governance timelock of the operations timelock).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address[] memory cancellers,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {
        _checkDelay(minDelay);
        for (uint256 i; i < cancellers.length; ++i) {
            _grantRole(CANCELLER_ROLE, cancellers[i]);
        }
        if (admin != address(0)) {
            ADMINISTERED = true;
            _grantRole(CANCELLER_ROLE, admin);
            // Otherwise its proposers could schedule grants, revocations or a shorter delay on the timelock itself.
            _revokeRole(DEFAULT_ADMIN_ROLE, address(this));
        }
    }

    /// @notice Sets the delay, within the hard limits.
    /// @dev The timelock itself, and only when it administers itself. Reverts with `DelayIsFixed`,
    /// `InvalidTimelockDelay` and TimelockController's `TimelockUnauthorizedCaller`.
    /// @param newDelay Seconds.
    function updateDelay(uint256 newDelay) public override {
        require(!ADMINISTERED, DelayIsFixed(getMinDelay()));
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
