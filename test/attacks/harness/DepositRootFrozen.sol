// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositContract} from "../../../contracts/interfaces/IDepositContract.sol";

/// @title DepositRootFrozen
/// @notice Attack harness: the deposit contract as a `DepositGuard` built on it sees it, with the guard's deposit-root
/// check switched off. `get_deposit_root` answers the root of the moment `freeze` was called, so
/// `DepositGuard.checkAttestation`'s `attestation.depositRoot == currentRoot` (`DepositRootChanged`) holds whatever
/// was deposited since. Deposits still go to the real deposit contract: only the guard's view of the root is frozen.
/// @dev Test-only. A guard implementation constructed on this address is what the front-running harness upgrades the
/// guard proxy to; every other check of the guard (block, age, registry nonce, quorum, pause) stays.
contract DepositRootFrozen is IDepositContract {
    IDepositContract public immutable DEPOSIT_CONTRACT;
    bytes32 public frozenRoot;

    constructor(IDepositContract depositContract) {
        DEPOSIT_CONTRACT = depositContract;
    }

    /// @notice Fixes the root `get_deposit_root` answers from now on.
    function freeze() external {
        frozenRoot = DEPOSIT_CONTRACT.get_deposit_root();
    }

    /// @inheritdoc IDepositContract
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawalCredentials,
        bytes calldata signature,
        bytes32 depositDataRoot
    ) external payable {
        DEPOSIT_CONTRACT.deposit{value: msg.value}(pubkey, withdrawalCredentials, signature, depositDataRoot);
    }

    /// @inheritdoc IDepositContract
    function get_deposit_root() external view returns (bytes32) {
        return frozenRoot;
    }

    /// @inheritdoc IDepositContract
    function get_deposit_count() external view returns (bytes memory) {
        return DEPOSIT_CONTRACT.get_deposit_count();
    }
}
