// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";

import {IWithdrawalsRecipient, IWithdrawalVault} from "./interfaces/IWithdrawalVault.sol";

/// @title WithdrawalVault
/// @notice Receives the beacon chain's withdrawals for every Plural validator; only the pool takes them out.
/// @dev Behind a proxy so its logic can grow (EIP-7002 exit requests) while its address, fixed in every validator's
/// credentials, stays. Beacon withdrawals credit the balance without a call; `receive()` also takes plain transfers,
/// which the next report counts as rewards within the reward cap.
/// @custom:oz-upgrades
contract WithdrawalVault is IWithdrawalVault, AccessControlUpgradeable, UUPSUpgradeable {
    /// @custom:storage-location erc7201:plural.storage.WithdrawalVault
    struct WithdrawalVaultStorage {
        address pool;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.WithdrawalVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xc1913a1b76abd3e456fe780609075f93dbc445d6849205ecc9c68386957ac500;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock, which alone upgrades.
    /// @param pool_ The staking pool.
    function initialize(address admin, address pool_) external initializer {
        require(admin != address(0) && pool_ != address(0), ZeroAddress());
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _storage().pool = pool_;
    }

    /// @notice Accepts ether; beacon withdrawals arrive without calling it.
    receive() external payable {}

    /// @inheritdoc IWithdrawalVault
    function withdrawToPool(uint256 amount) external {
        address pool_ = _storage().pool;
        require(msg.sender == pool_, CallerNotPool(msg.sender));
        require(amount <= address(this).balance, InsufficientBalance(amount, address(this).balance));
        emit WithdrawalsTransferred(amount);
        IWithdrawalsRecipient(pool_).receiveWithdrawals{value: amount}();
    }

    /// @inheritdoc IWithdrawalVault
    function withdrawalCredentials() external view returns (bytes32) {
        return bytes32(uint256(uint160(address(this))) | (uint256(0x01) << 248));
    }

    /// @inheritdoc IWithdrawalVault
    function pool() external view returns (address) {
        return _storage().pool;
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _storage() private pure returns (WithdrawalVaultStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
