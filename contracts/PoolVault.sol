// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

import {IPoolVault, IVaultEtherRecipient} from "./interfaces/IPoolVault.sol";

/// @title PoolVault
/// @notice What the withdrawal vault and the execution-rewards vault share: they hold ether that arrives without a
/// call (beacon withdrawals, block rewards) or with a plain transfer, and only the pool takes it out.
/// @dev Behind a proxy so its logic can grow while its address, named by validators, stays. Ether sent here by anyone
/// is counted as rewards at the next report, within the reward cap.
abstract contract PoolVault is IPoolVault, AccessControlUpgradeable, UUPSUpgradeable {
    /// @custom:storage-location erc7201:plural.storage.PoolVault
    struct PoolVaultStorage {
        address pool;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.PoolVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x396f45bc323bd4271095d906bacff96eded5feb23ed3ec7f8ae66986be335500;

    /// @notice Accepts ether; beacon withdrawals and block rewards arrive without calling it.
    receive() external payable {}

    /// @inheritdoc IPoolVault
    function withdrawToPool(uint256 amount) external {
        address pool_ = _storage().pool;
        require(msg.sender == pool_, CallerNotPool(msg.sender));
        require(amount <= address(this).balance, InsufficientBalance(amount, address(this).balance));
        emit TransferredToPool(amount);
        IVaultEtherRecipient(pool_).receiveVaultEther{value: amount}();
    }

    /// @inheritdoc IPoolVault
    function pool() external view returns (address) {
        return _storage().pool;
    }

    // solhint-disable-next-line func-name-mixedcase
    function __PoolVault_init(address admin, address pool_) internal onlyInitializing {
        require(admin != address(0) && pool_ != address(0), ZeroAddress());
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _storage().pool = pool_;
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _storage() private pure returns (PoolVaultStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
