// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";

import {IStakedEther} from "./interfaces/IStakedEther.sol";
import {SharesMath} from "./libraries/SharesMath.sol";

/// @title StakedEther
/// @notice The plETH token logic: ERC-20 and EIP-2612 permit over non-rebasing shares, priced by the inheriting pool.
/// @dev Balances, allowances and the total supply are OpenZeppelin's, in share units; this contract adds only the
/// ether views. The inheriting contract defines the ether side through `totalPooledEther`.
abstract contract StakedEther is ERC20PermitUpgradeable, IStakedEther {
    using SharesMath for uint256;

    string private constant NAME = "Plural Staked Ether";
    string private constant SYMBOL = "plETH";

    // solhint-disable-next-line func-name-mixedcase
    function __StakedEther_init() internal onlyInitializing {
        __ERC20_init(NAME, SYMBOL);
        __ERC20Permit_init(NAME);
    }

    /// @inheritdoc IStakedEther
    function totalPooledEther() public view virtual returns (uint256);

    /// @inheritdoc IStakedEther
    function convertToShares(uint256 assets) external view returns (uint256) {
        uint256 pooledEther = totalPooledEther();
        // No ether, no price: deposits are refused then, so no shares can be bought.
        if (pooledEther == 0) return 0;
        return assets.toSharesDown(pooledEther, totalSupply());
    }

    /// @inheritdoc IStakedEther
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return shares.toEtherDown(totalPooledEther(), totalSupply());
    }

    /// @inheritdoc IStakedEther
    function burn(uint256 shares) external {
        // No check that it leaves shares behind: the dead shares minted at initialization can never be burned.
        _burn(msg.sender, shares);
    }
}
