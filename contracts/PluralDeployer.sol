// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {AccountingOracle} from "./AccountingOracle.sol";
import {DepositGuard} from "./DepositGuard.sol";
import {EmergencyPause} from "./EmergencyPause.sol";
import {ExecutionRewardsVault} from "./ExecutionRewardsVault.sol";
import {IAccountingOracle} from "./interfaces/IAccountingOracle.sol";
import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";
import {StakingPool} from "./StakingPool.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "./WithdrawalQueue.sol";
import {WithdrawalVault} from "./WithdrawalVault.sol";

/// @title PluralDeployer
/// @notice Creates and initializes the protocol's proxies in one transaction, its constructor.
/// @dev The pool must know the registry, guard, vaults and oracle, and they must know the pool (and the guard the
/// registry).
/// Each proxy is initialized in its own constructor with the others' addresses, which this contract predicts from
/// its own creation nonces, so no proxy ever exists uninitialized, no deployer keeps a role and no setter is needed.
contract PluralDeployer {
    /// @notice The implementation contracts the proxies point to.
    struct Implementations {
        address pool;
        address operatorRegistry;
        address depositGuard;
        address withdrawalVault;
        address executionRewardsVault;
        address accountingOracle;
        address withdrawalQueue;
        address emergencyPause;
    }

    /// @notice Initialization parameters (see each contract's `initialize`).
    struct Settings {
        address admin;
        uint256 stakeLimitMax;
        uint256 stakeLimitRefillPeriod;
        uint256 shareCapBps;
        uint256 exitResponseTime;
        address[] guardians;
        uint256 guardianQuorum;
        uint256 maxBlockAge;
        uint256 pauseDuration;
        IStakingPool.AccountingSettings accounting;
        IAccountingOracle.FrameConfig frame;
        address[] oracleMembers;
        uint256 oracleQuorum;
        IAccountingOracle.SanityBounds sanityBounds;
        uint256 maxExitRequestFee;
        address operations;
        uint256 vettingLimit;
        address pauseGuardian;
        uint256 maxPauseDuration;
    }

    /// @dev The proxies' predicted addresses, in creation order.
    struct Addresses {
        address pool;
        address registry;
        address guard;
        address vault;
        address rewardsVault;
        address oracle;
        address queue;
        address pause;
    }

    /// @notice The protocol's proxies, all initialized.
    /// @param pool The staking pool (and plETH) proxy.
    /// @param operatorRegistry The operator registry proxy.
    /// @param depositGuard The deposit guard proxy.
    /// @param withdrawalVault The withdrawal vault proxy, the address in every validator's withdrawal credentials.
    /// @param executionRewardsVault The execution-rewards vault proxy, every validator's fee recipient.
    /// @param accountingOracle The accounting oracle proxy.
    /// @param withdrawalQueue The withdrawal queue proxy.
    /// @param emergencyPause The emergency pause proxy.
    event ProtocolDeployed(
        address pool,
        address operatorRegistry,
        address depositGuard,
        address withdrawalVault,
        address executionRewardsVault,
        address accountingOracle,
        address withdrawalQueue,
        address emergencyPause
    );

    /// @notice A proxy landed somewhere other than predicted (cannot happen with CREATE; checked all the same).
    error UnexpectedAddress(address expected, address actual);

    /// @notice Deploys the pool, registry, guard, vaults, oracle, withdrawal queue and emergency pause proxies, each
    /// initialized with the others' addresses, and emits `ProtocolDeployed`.
    /// @param implementations The implementations.
    /// @param settings The parameters; `msg.value` is the pool's initial deposit behind the dead shares.
    constructor(Implementations memory implementations, Settings memory settings) payable {
        // A contract's nonce starts at 1 (EIP-161) and each CREATE below uses the next one.
        Addresses memory addresses = Addresses({
            pool: _createdAddress(1),
            registry: _createdAddress(2),
            guard: _createdAddress(3),
            vault: _createdAddress(4),
            rewardsVault: _createdAddress(5),
            oracle: _createdAddress(6),
            queue: _createdAddress(7),
            pause: _createdAddress(8)
        });

        _createPoolAndRegistry(addresses, implementations, settings);
        _createGuardAndWithdrawalVault(addresses, implementations, settings);
        _createRewardsVaultAndOracle(addresses, implementations, settings);
        _create(
            addresses.queue,
            implementations.withdrawalQueue,
            abi.encodeCall(WithdrawalQueue.initialize, (settings.admin, addresses.pool, addresses.pause)),
            0
        );
        _create(
            addresses.pause,
            implementations.emergencyPause,
            abi.encodeCall(
                EmergencyPause.initialize,
                (
                    settings.admin,
                    IStakingPool(addresses.pool),
                    IWithdrawalQueue(addresses.queue),
                    IDepositGuard(addresses.guard),
                    settings.pauseGuardian,
                    settings.maxPauseDuration
                )
            ),
            0
        );

        emit ProtocolDeployed(
            addresses.pool,
            addresses.registry,
            addresses.guard,
            addresses.vault,
            addresses.rewardsVault,
            addresses.oracle,
            addresses.queue,
            addresses.pause
        );
    }

    /// @dev Creates the pool and registry proxies (nonces 1 and 2), in that order.
    function _createPoolAndRegistry(
        Addresses memory addresses,
        Implementations memory implementations,
        Settings memory settings
    ) private {
        _create(
            addresses.pool,
            implementations.pool,
            abi.encodeCall(
                StakingPool.initialize,
                (
                    settings.admin,
                    settings.stakeLimitMax,
                    settings.stakeLimitRefillPeriod,
                    IStakingPool.StakingContracts(
                        IOperatorRegistry(addresses.registry),
                        IDepositGuard(addresses.guard),
                        addresses.vault,
                        addresses.rewardsVault,
                        addresses.oracle,
                        IWithdrawalQueue(addresses.queue)
                    ),
                    settings.accounting,
                    addresses.pause
                )
            ),
            msg.value
        );
        _create(
            addresses.registry,
            implementations.operatorRegistry,
            abi.encodeCall(
                OperatorRegistry.initialize,
                (
                    settings.admin,
                    addresses.pool,
                    addresses.guard,
                    addresses.oracle,
                    settings.shareCapBps,
                    settings.exitResponseTime,
                    settings.operations,
                    settings.vettingLimit
                )
            ),
            0
        );
    }

    /// @dev Creates the guard and withdrawal vault proxies (nonces 3 and 4), in that order.
    function _createGuardAndWithdrawalVault(
        Addresses memory addresses,
        Implementations memory implementations,
        Settings memory settings
    ) private {
        _create(
            addresses.guard,
            implementations.depositGuard,
            abi.encodeCall(
                DepositGuard.initialize,
                (
                    settings.admin,
                    IOperatorRegistry(addresses.registry),
                    settings.guardians,
                    settings.guardianQuorum,
                    settings.maxBlockAge,
                    settings.pauseDuration,
                    addresses.pause
                )
            ),
            0
        );
        _create(
            addresses.vault,
            implementations.withdrawalVault,
            abi.encodeCall(WithdrawalVault.initialize, (settings.admin, addresses.pool, settings.maxExitRequestFee)),
            0
        );
    }

    /// @dev Creates the execution-rewards vault and oracle proxies (nonces 5 and 6), in that order.
    function _createRewardsVaultAndOracle(
        Addresses memory addresses,
        Implementations memory implementations,
        Settings memory settings
    ) private {
        _create(
            addresses.rewardsVault,
            implementations.executionRewardsVault,
            abi.encodeCall(ExecutionRewardsVault.initialize, (settings.admin, addresses.pool)),
            0
        );
        _create(
            addresses.oracle,
            implementations.accountingOracle,
            abi.encodeCall(
                AccountingOracle.initialize,
                (
                    settings.admin,
                    IStakingPool(addresses.pool),
                    settings.frame,
                    settings.oracleMembers,
                    settings.oracleQuorum,
                    settings.sanityBounds
                )
            ),
            0
        );
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
