// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {DepositGuard} from "./DepositGuard.sol";
import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";
import {StakingPool} from "./StakingPool.sol";
import {WithdrawalVault} from "./WithdrawalVault.sol";

/// @title PluralDeployer
/// @notice Creates and initializes the protocol's proxies in one transaction, its constructor.
/// @dev The pool must know the registry, guard and vault, and they must know the pool (and the guard the registry).
/// Each proxy is initialized in its own constructor with the others' addresses, which this contract predicts from
/// its own creation nonces, so no proxy ever exists uninitialized, no deployer keeps a role and no setter is needed.
contract PluralDeployer {
    /// @notice The implementation contracts the proxies point to.
    struct Implementations {
        address pool;
        address operatorRegistry;
        address depositGuard;
        address withdrawalVault;
    }

    /// @notice Initialization parameters (see each contract's `initialize`).
    struct Settings {
        address admin;
        uint256 stakeLimitMax;
        uint256 stakeLimitRefillPeriod;
        uint256 shareCapBps;
        address[] guardians;
        uint256 guardianQuorum;
        uint256 maxBlockAge;
        uint256 pauseDuration;
    }

    /// @notice The protocol's proxies, all initialized.
    /// @param pool The staking pool (and plETH) proxy.
    /// @param operatorRegistry The operator registry proxy.
    /// @param depositGuard The deposit guard proxy.
    /// @param withdrawalVault The withdrawal vault proxy, the address in every validator's withdrawal credentials.
    event ProtocolDeployed(address pool, address operatorRegistry, address depositGuard, address withdrawalVault);

    /// @notice A proxy landed somewhere other than predicted (cannot happen with CREATE; checked all the same).
    error UnexpectedAddress(address expected, address actual);

    /// @notice Deploys the pool, registry, guard and vault proxies, each initialized with the others' addresses, and
    /// emits `ProtocolDeployed`.
    /// @param implementations The implementations.
    /// @param settings The parameters; `msg.value` is the pool's initial deposit behind the dead shares.
    constructor(Implementations memory implementations, Settings memory settings) payable {
        // A contract's nonce starts at 1 (EIP-161) and each CREATE below uses the next one.
        address pool = _createdAddress(1);
        address registry = _createdAddress(2);
        address guard = _createdAddress(3);
        address vault = _createdAddress(4);

        _create(
            pool,
            implementations.pool,
            abi.encodeCall(
                StakingPool.initialize,
                (
                    settings.admin,
                    settings.stakeLimitMax,
                    settings.stakeLimitRefillPeriod,
                    IStakingPool.StakingContracts(IOperatorRegistry(registry), IDepositGuard(guard), vault)
                )
            ),
            msg.value
        );
        _create(
            registry,
            implementations.operatorRegistry,
            abi.encodeCall(OperatorRegistry.initialize, (settings.admin, pool, guard, settings.shareCapBps)),
            0
        );
        _create(
            guard,
            implementations.depositGuard,
            abi.encodeCall(
                DepositGuard.initialize,
                (
                    settings.admin,
                    IOperatorRegistry(registry),
                    settings.guardians,
                    settings.guardianQuorum,
                    settings.maxBlockAge,
                    settings.pauseDuration
                )
            ),
            0
        );
        _create(
            vault,
            implementations.withdrawalVault,
            abi.encodeCall(WithdrawalVault.initialize, (settings.admin, pool)),
            0
        );

        emit ProtocolDeployed(pool, registry, guard, vault);
    }

    function _create(address expected, address implementation, bytes memory initialization, uint256 value) private {
        address actual = address(new ERC1967Proxy{value: value}(implementation, initialization));
        require(actual == expected, UnexpectedAddress(expected, actual));
    }

    /// @dev CREATE address for `nonce` < 128: keccak256(rlp([this, nonce]))[12:], rlp = 0xd6 0x94 address nonce.
    function _createdAddress(uint256 nonce) private view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), address(this), uint8(nonce))))));
    }
}
