// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// solhint-disable func-name-mixedcase, var-name-mixedcase
// The snake_case names are the official deposit contract's ABI: tooling and beacon nodes match on them.

/// @title IDepositContract
/// @notice The Ethereum beacon deposit contract (mainnet 0x00000000219ab540356cBB839Cbe05303d7705Fa), the only way
/// ether enters the beacon chain. Each deposit adds the SSZ root of a `DepositData` to an append-only Merkle tree
/// whose root beacon nodes vote on.
/// @dev The ERC-165 id of this interface is the XOR of the three function selectors below; `supportsInterface` is
/// declared separately (ERC-165), exactly as in the official contract, so it is not part of that id.
interface IDepositContract {
    /// @notice A deposit was accepted. Beacon nodes rebuild the deposit tree from these logs alone.
    /// @param pubkey The validator's BLS12-381 public key, 48 bytes.
    /// @param withdrawal_credentials 32 bytes: a 0x00 prefix with a BLS key hash, or 0x01/0x02 with an address.
    /// @param amount The deposited gwei, 8 bytes little-endian.
    /// @param signature The BLS signature over the `DepositMessage`, 96 bytes. Not checked on chain: the beacon chain
    /// ignores a deposit with a bad signature (the ether is lost) unless the validator already exists.
    /// @param index The deposit's position in the tree, from 0, 8 bytes little-endian.
    event DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index);

    /// @notice Submits a `DepositData` and its ether.
    /// @dev Reverts with the official reason strings, checked in this order: pubkey length 48, credentials length 32,
    /// signature length 96, value at least 1 ether, value a whole number of gwei, gwei fitting in 64 bits,
    /// `deposit_data_root` equal to the recomputed root, tree not full (2**32 - 1 deposits).
    /// @param pubkey The validator's BLS12-381 public key, 48 bytes.
    /// @param withdrawal_credentials Where the beacon chain will send withdrawals, 32 bytes.
    /// @param signature The BLS signature over the `DepositMessage`, 96 bytes.
    /// @param deposit_data_root The SSZ `hash_tree_root` of the `DepositData`: a guard against malformed input, since
    /// the contract recomputes it and reverts when they differ.
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable;

    /// @notice The root of the deposit tree mixed in with the deposit count: the SSZ `hash_tree_root` of a
    /// `List[DepositData, 2**32]` holding every deposit so far.
    function get_deposit_root() external view returns (bytes32);

    /// @notice The number of deposits so far, 8 bytes little-endian.
    function get_deposit_count() external view returns (bytes memory);
}
