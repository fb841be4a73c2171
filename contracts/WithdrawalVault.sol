// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IWithdrawalVault} from "./interfaces/IWithdrawalVault.sol";
import {KeyBatch} from "./libraries/KeyBatch.sol";
import {PoolVault} from "./PoolVault.sol";

/// @title WithdrawalVault
/// @notice Receives the beacon chain's withdrawals for every Plural validator; only the pool takes them out. As the
/// validators' credentials address, it is also the only address that can exit them through EIP-7002, which governance
/// does when an operator refuses to.
/// @dev Behind a proxy so its logic can grow while its address, fixed in every validator's credentials, stays.
/// Invariant: the vault never pays more than `maxExitRequestFee` for one exit request, nor keeps a caller's ether.
/// @custom:oz-upgrades
contract WithdrawalVault is IWithdrawalVault, PoolVault {
    /// @custom:storage-location erc7201:plural.storage.WithdrawalVault
    struct WithdrawalVaultStorage {
        uint256 maxExitRequestFee;
    }

    /// @notice The role that may call `forceExits`: the timelock's.
    bytes32 public constant FORCE_EXIT_ROLE = keccak256("FORCE_EXIT_ROLE");

    /// @notice The hard limit on `maxExitRequestFee`, in wei.
    /// @dev 0.1 ether: the fee is 1 wei in normal times and reaches 0.1 ether only after an excess of 666 requests
    /// over the target, a spike that decays to 1 wei within about 333 blocks (67 minutes) once it stops. At 0.3 % of a
    /// validator's 32 ether, paying that much to remove a rogue operator's validator is still worth it; more would mean
    /// governance pays an attacker's spike instead of waiting an hour.
    uint256 public constant MAX_EXIT_REQUEST_FEE_LIMIT = 0.1 ether;

    /// @notice EIP-7002's withdrawal request predeploy, which the vault calls.
    address public constant WITHDRAWAL_REQUEST_PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;

    // keccak256(abi.encode(uint256(keccak256("plural.storage.WithdrawalVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xc1913a1b76abd3e456fe780609075f93dbc445d6849205ecc9c68386957ac500;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock, which alone upgrades, sets the fee cap and forces exits.
    /// @param pool_ The staking pool.
    /// @param maxExitRequestFee_ The most the vault pays per exit request, in wei, at most `MAX_EXIT_REQUEST_FEE_LIMIT`.
    function initialize(address admin, address pool_, uint256 maxExitRequestFee_) external initializer {
        __PoolVault_init(admin, pool_);
        _grantRole(FORCE_EXIT_ROLE, admin);
        _setMaxExitRequestFee(maxExitRequestFee_);
    }

    /// @inheritdoc IWithdrawalVault
    function forceExits(bytes calldata pubkeys, uint256 maxFeePerRequest) external payable onlyRole(FORCE_EXIT_ROLE) {
        uint256 length = pubkeys.length;
        require(length != 0 && length % KeyBatch.PUBKEY_LENGTH == 0, InvalidPubkeysLength(length));
        uint256 cap = Math.min(maxFeePerRequest, _vaultStorage().maxExitRequestFee);

        uint256 totalFee;
        for (uint256 offset; offset < length; offset += KeyBatch.PUBKEY_LENGTH) {
            bytes calldata pubkey = pubkeys[offset:offset + KeyBatch.PUBKEY_LENGTH];
            // Read before every request: the predeploy's fee is fixed within a block, but nothing here relies on it.
            uint256 fee = _readExitRequestFee();
            require(fee <= cap, ExitRequestFeeTooHigh(fee, cap));
            require(fee <= address(this).balance, InsufficientExitFeeFunds(fee, address(this).balance));
            totalFee += fee;
            emit ExitRequested(pubkey, fee);
            // Exactly the fee: the predeploy keeps any surplus. The request is pubkey ‖ uint64(0), a full exit.
            (bool success, bytes memory reason) = WITHDRAWAL_REQUEST_PREDEPLOY.call{value: fee}(
                abi.encodePacked(pubkey, uint64(0))
            );
            require(success, ExitRequestFailed(pubkey, fee, reason));
        }

        // Cannot underflow: the branch taken subtracts the smaller of the two.
        uint256 paidFromVault = totalFee > msg.value ? totalFee - msg.value : 0;
        uint256 refunded = msg.value > totalFee ? msg.value - totalFee : 0;
        emit ExitsForced(length / KeyBatch.PUBKEY_LENGTH, totalFee, paidFromVault, refunded);

        if (refunded != 0) {
            // The caller holds FORCE_EXIT_ROLE (the timelock): reentering it could only do what the role already may.
            (bool sent, ) = msg.sender.call{value: refunded}("");
            require(sent, RefundFailed(msg.sender, refunded));
        }
    }

    /// @inheritdoc IWithdrawalVault
    function setMaxExitRequestFee(uint256 maxExitRequestFee_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxExitRequestFee(maxExitRequestFee_);
    }

    /// @inheritdoc IWithdrawalVault
    function maxExitRequestFee() external view returns (uint256) {
        return _vaultStorage().maxExitRequestFee;
    }

    /// @inheritdoc IWithdrawalVault
    function withdrawalCredentials() external view returns (bytes32) {
        return bytes32(uint256(uint160(address(this))) | (uint256(0x01) << 248));
    }

    function _setMaxExitRequestFee(uint256 maxExitRequestFee_) private {
        require(
            maxExitRequestFee_ <= MAX_EXIT_REQUEST_FEE_LIMIT,
            MaxExitRequestFeeAboveLimit(maxExitRequestFee_, MAX_EXIT_REQUEST_FEE_LIMIT)
        );
        _vaultStorage().maxExitRequestFee = maxExitRequestFee_;
        emit MaxExitRequestFeeSet(maxExitRequestFee_);
    }

    /// @dev The predeploy answers empty input with its fee as one word; a static call, so reading cannot change it.
    function _readExitRequestFee() private view returns (uint256) {
        (bool success, bytes memory data) = WITHDRAWAL_REQUEST_PREDEPLOY.staticcall("");
        require(success, ExitRequestFeeReadFailed(data));
        require(data.length == 32, ExitRequestFeeMalformed(data));
        return abi.decode(data, (uint256));
    }

    function _vaultStorage() private pure returns (WithdrawalVaultStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
