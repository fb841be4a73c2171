// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title PluralToken
/// @notice PLURAL, the governance token: one token, one vote, once delegated (to oneself or anyone). The whole supply
/// is minted at deployment to the holders a deploy parameter names; nobody can mint later.
/// @dev Votes are checkpointed by timestamp (ERC-6372 `mode=timestamp`), so the Governor's delays and periods are in
/// seconds, as the timelock's are.
contract PluralToken is ERC20, ERC20Permit, ERC20Votes {
    /// @notice The distribution lists `holders` and `amounts` of different lengths, or none at all.
    error InvalidDistribution(uint256 holders, uint256 amounts);

    /// @notice Mints the whole supply: `amounts[i]` tokens (18 decimals) to `holders[i]`.
    /// @param holders The first holders; none may be zero.
    /// @param amounts Their tokens, in the same order.
    constructor(
        address[] memory holders,
        uint256[] memory amounts
    ) ERC20("Plural Governance", "PLURAL") ERC20Permit("Plural Governance") {
        require(
            holders.length == amounts.length && holders.length != 0,
            InvalidDistribution(holders.length, amounts.length)
        );
        for (uint256 i; i < holders.length; ++i) {
            _mint(holders[i], amounts[i]);
        }
    }

    /// @notice The vote clock: the block's timestamp.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /* solhint-disable func-name-mixedcase */
    /// @notice ERC-6372: votes are checkpointed by timestamp.
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }
    /* solhint-enable func-name-mixedcase */

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev One override point for mint, burn and transfer: ERC20Votes moves the delegated votes.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
