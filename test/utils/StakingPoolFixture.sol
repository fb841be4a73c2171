// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {AccountingOracle} from "../../contracts/AccountingOracle.sol";
import {DepositGuard} from "../../contracts/DepositGuard.sol";
import {EmergencyPause} from "../../contracts/EmergencyPause.sol";
import {ExecutionRewardsVault} from "../../contracts/ExecutionRewardsVault.sol";
import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IDepositContract} from "../../contracts/interfaces/IDepositContract.sol";
import {IDepositGuard} from "../../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../../contracts/interfaces/IWithdrawalQueue.sol";
import {BeaconDepositMock} from "../../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../../contracts/OperatorRegistry.sol";
import {PluralDeployer} from "../../contracts/PluralDeployer.sol";
import {StakingPool} from "../../contracts/StakingPool.sol";
import {WithdrawalQueue} from "../../contracts/WithdrawalQueue.sol";
import {WithdrawalVault} from "../../contracts/WithdrawalVault.sol";
import {Test} from "./Test.sol";

/// @title StakingPoolFixture
/// @notice Deploys the protocol as production does (deposit contract, implementations, `PluralDeployer` creating the
/// initialized ERC-1967 proxies, a real initial deposit). For tests of share pricing alone it can also stand in,
/// through the pool's storage, for validator deposits and fee-less reports.
abstract contract StakingPoolFixture is Test {
    uint256 internal constant INITIAL_DEPOSIT = 0.001 ether;
    uint256 internal constant STAKE_LIMIT_MAX = 150_000 ether;
    uint256 internal constant STAKE_LIMIT_REFILL_PERIOD = 1 days;
    uint256 internal constant VALIDATOR_DEPOSIT = 32 ether;
    // A realistic clock, so "in the past" and "now" differ in the pause tests.
    uint256 internal constant START_TIME = 1_750_000_000;
    address internal constant DEAD_SHARES_HOLDER = 0x000000000000000000000000000000000000dEaD;

    // The pool's ERC-7201 namespace, erc7201:plural.storage.StakingPool: three packed slots from here.
    uint256 internal constant POOL_STORAGE = 0x0124024b9acb205440ea2a6deb50499dadffb4948a2de02d61da084a21cd9600;

    uint256 internal constant SHARE_CAP_BPS = 10_000;
    uint256 internal constant EXIT_RESPONSE_TIME = 4 days;
    uint256 internal constant GUARDIAN_QUORUM = 2;
    uint256 internal constant MAX_BLOCK_AGE = 32;
    uint256 internal constant PAUSE_DURATION = 1 days;

    uint256 internal constant TREASURY_FEE_BPS = 500;
    uint256 internal constant OPERATOR_FEE_BPS = 500;
    uint256 internal constant MAX_REPORT_AGE = 7 days;
    // The beacon clock: mainnet's slot and epoch lengths, genesis 10,000 epochs before START_TIME, one-day frames.
    uint256 internal constant SECONDS_PER_SLOT = 12;
    uint256 internal constant SLOTS_PER_EPOCH = 32;
    uint256 internal constant EPOCHS_PER_FRAME = 225;
    uint256 internal constant GENESIS_TIME = START_TIME - 10_000 * SLOTS_PER_EPOCH * SECONDS_PER_SLOT;
    uint256 internal constant ORACLE_QUORUM = 2;
    uint256 internal constant MAX_APR_BPS = 1_000;
    uint256 internal constant MAX_LOSS_BPS = 200;
    uint256 internal constant MAX_EL_REWARDS_BPS = 100;
    uint256 internal constant UNSEEN_DEPOSIT_DEADLINE = 14 days;
    uint256 internal constant MAX_EXIT_REQUEST_FEE = 0.01 ether;
    uint256 internal constant VETTING_LIMIT = 1_000;
    uint256 internal constant MAX_PAUSE_DURATION = 7 days;

    BeaconDepositMock internal beaconDeposit;
    StakingPool internal implementation;
    StakingPool internal pool;
    OperatorRegistry internal registry;
    DepositGuard internal guard;
    WithdrawalVault internal vault;
    ExecutionRewardsVault internal elVault;
    AccountingOracle internal oracle;
    WithdrawalQueue internal queue;
    EmergencyPause internal emergencyPause;
    address internal admin;
    /// @dev Stands for the operations timelock: may add operators and vet keys.
    address internal operations;
    /// @dev The emergency pause guardian, granted one pause at deployment.
    address internal pauseGuardian;
    address internal treasury;
    /// @dev The oracle committee: three members, quorum two.
    address[] internal oracleMembers;
    /// @dev Guardian addresses and keys, sorted by address (the order attestations need).
    address[] internal guardianAddresses;
    uint256[] internal guardianKeys;

    /// @dev Deploys the protocol at START_TIME with `admin` standing for the governance timelock and three guardians.
    function _deployPool() internal {
        _deployPool(makeAddr("timelock"), makeAddr("operations"));
    }

    /// @dev Same, with `admin_` as the admin of every contract and `operations_` as the registry's operations role
    /// holder (the governance and operations timelocks, in the governance tests).
    function _deployPool(address admin_, address operations_) internal {
        vm.warp(START_TIME);
        vm.roll(1_000);
        admin = admin_;
        beaconDeposit = new BeaconDepositMock();
        implementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        for (uint256 i; i < 3; ++i) {
            (address guardian, uint256 key) = makeAddrAndKey(
                string(abi.encodePacked("guardian", bytes1(uint8(48 + i))))
            );
            guardianAddresses.push(guardian);
            guardianKeys.push(key);
        }
        _sortGuardians();
        treasury = makeAddr("treasury");
        operations = operations_;
        pauseGuardian = makeAddr("pause guardian");
        for (uint256 i; i < 3; ++i) {
            oracleMembers.push(makeAddr(string(abi.encodePacked("oracle member ", bytes1(uint8(48 + i))))));
        }

        vm.deal(address(this), INITIAL_DEPOSIT);
        PluralDeployer deployer = new PluralDeployer{value: INITIAL_DEPOSIT}(
            PluralDeployer.Implementations({
                pool: address(implementation),
                operatorRegistry: address(new OperatorRegistry()),
                depositGuard: address(new DepositGuard(IDepositContract(address(beaconDeposit)))),
                withdrawalVault: address(new WithdrawalVault()),
                executionRewardsVault: address(new ExecutionRewardsVault()),
                accountingOracle: address(new AccountingOracle()),
                withdrawalQueue: address(new WithdrawalQueue()),
                emergencyPause: address(new EmergencyPause())
            }),
            PluralDeployer.Settings({
                admin: admin,
                stakeLimitMax: STAKE_LIMIT_MAX,
                stakeLimitRefillPeriod: STAKE_LIMIT_REFILL_PERIOD,
                shareCapBps: SHARE_CAP_BPS,
                exitResponseTime: EXIT_RESPONSE_TIME,
                guardians: guardianAddresses,
                guardianQuorum: GUARDIAN_QUORUM,
                maxBlockAge: MAX_BLOCK_AGE,
                pauseDuration: PAUSE_DURATION,
                accounting: _accountingSettings(),
                frame: IAccountingOracle.FrameConfig(GENESIS_TIME, SECONDS_PER_SLOT, SLOTS_PER_EPOCH, EPOCHS_PER_FRAME),
                oracleMembers: oracleMembers,
                oracleQuorum: ORACLE_QUORUM,
                sanityBounds: _sanityBounds(),
                maxExitRequestFee: MAX_EXIT_REQUEST_FEE,
                operations: operations,
                vettingLimit: VETTING_LIMIT,
                pauseGuardian: pauseGuardian,
                maxPauseDuration: MAX_PAUSE_DURATION
            })
        );
        pool = StakingPool(payable(_created(address(deployer), 1)));
        registry = OperatorRegistry(_created(address(deployer), 2));
        guard = DepositGuard(_created(address(deployer), 3));
        vault = WithdrawalVault(payable(_created(address(deployer), 4)));
        elVault = ExecutionRewardsVault(payable(_created(address(deployer), 5)));
        oracle = AccountingOracle(_created(address(deployer), 6));
        queue = WithdrawalQueue(payable(_created(address(deployer), 7)));
        emergencyPause = EmergencyPause(_created(address(deployer), 8));
        vm.label(address(emergencyPause), "emergency pause");
        vm.label(address(queue), "withdrawal queue");
        vm.label(address(elVault), "execution rewards vault");
        vm.label(address(oracle), "oracle");
        vm.label(address(pool), "pool");
        vm.label(address(registry), "registry");
        vm.label(address(guard), "guard");
        vm.label(address(vault), "vault");
    }

    /// @dev Every field of two accounting snapshots equal (before and after an upgrade, say).
    function _assertAccountingEq(
        IStakingPool.Accounting memory actual,
        IStakingPool.Accounting memory expected
    ) internal pure {
        assertEq(actual.bufferedEther, expected.bufferedEther, "bufferedEther");
        assertEq(actual.beaconBalance, expected.beaconBalance, "beaconBalance");
        assertEq(actual.depositedValidators, expected.depositedValidators, "depositedValidators");
        assertEq(actual.beaconValidators, expected.beaconValidators, "beaconValidators");
        assertEq(actual.transientEther, expected.transientEther, "transientEther");
        assertEq(actual.totalPooledEther, expected.totalPooledEther, "totalPooledEther");
        assertEq(actual.totalShares, expected.totalShares, "totalShares");
        assertEq(actual.exitedValidators, expected.exitedValidators, "exitedValidators");
        assertEq(actual.writtenOffValidators, expected.writtenOffValidators, "writtenOffValidators");
        assertEq(actual.withdrawalReserve, expected.withdrawalReserve, "withdrawalReserve");
    }

    /// @dev The staking contracts of the deployed protocol, for initializing another pool the same way.
    function _stakingContracts() internal view returns (IStakingPool.StakingContracts memory) {
        return
            IStakingPool.StakingContracts(
                IOperatorRegistry(address(registry)),
                IDepositGuard(address(guard)),
                address(vault),
                address(elVault),
                address(oracle),
                IWithdrawalQueue(address(queue))
            );
    }

    /// @dev The pool's `initialize` calldata on the fixture's other contracts and fee settings.
    function _poolInitData(
        address admin_,
        uint256 stakeLimitMax,
        uint256 stakeLimitRefillPeriod,
        address emergencyPause_
    ) internal view returns (bytes memory) {
        return
            abi.encodeCall(
                StakingPool.initialize,
                (
                    admin_,
                    stakeLimitMax,
                    stakeLimitRefillPeriod,
                    _stakingContracts(),
                    _accountingSettings(),
                    emergencyPause_
                )
            );
    }

    /// @dev A pool behind a new ERC-1967 proxy on `poolImplementation`, initialized with `initializer` and `value` wei
    /// of initial deposit (sent by the caller, or by the account pranked for the next call).
    function _deployPoolProxy(
        address poolImplementation,
        bytes memory initializer,
        uint256 value
    ) internal returns (StakingPool) {
        return StakingPool(payable(address(new ERC1967Proxy{value: value}(poolImplementation, initializer))));
    }

    /// @dev The fee and report settings the fixture deploys with.
    function _accountingSettings() internal view returns (IStakingPool.AccountingSettings memory) {
        return IStakingPool.AccountingSettings(treasury, TREASURY_FEE_BPS, OPERATOR_FEE_BPS, MAX_REPORT_AGE);
    }

    /// @dev The sanity bounds the fixture deploys with.
    function _sanityBounds() internal pure returns (IAccountingOracle.SanityBounds memory) {
        return IAccountingOracle.SanityBounds(MAX_APR_BPS, MAX_LOSS_BPS, MAX_EL_REWARDS_BPS, UNSEEN_DEPOSIT_DEADLINE);
    }

    /// @dev The guardians' attestation of the current deposit root and registry nonce at the previous block, signed
    /// by the first `signers` guardians (sorted).
    function _attestation(uint256 signers) internal view returns (IDepositGuard.Attestation memory attestation) {
        attestation.depositRoot = beaconDeposit.get_deposit_root();
        attestation.registryNonce = registry.nonce();
        attestation.blockNumber = block.number - 1;
        attestation.blockHash = blockhash(block.number - 1);
        _resign(attestation, signers);
    }

    /// @dev The digest the guardians sign for `attestation`, as the guard computes it.
    function _digest(IDepositGuard.Attestation memory attestation) internal view returns (bytes32) {
        return
            guard.attestationDigest(
                attestation.depositRoot,
                attestation.registryNonce,
                attestation.blockNumber,
                attestation.blockHash
            );
    }

    /// @dev Replaces the signatures with the first `signers` guardians' (sorted) over the attestation as it now reads.
    function _resign(IDepositGuard.Attestation memory attestation, uint256 signers) internal view {
        bytes32 digest = _digest(attestation);
        attestation.signatures = new IDepositGuard.Signature[](signers);
        for (uint256 i; i < signers; ++i) attestation.signatures[i] = _sign(guardianKeys[i], digest);
    }

    /// @dev The revert data of an AccessControl check that `account` lacks `role`.
    function _unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    /// @dev An EIP-2098 compact signature.
    function _sign(uint256 key, bytes32 digest) internal pure returns (IDepositGuard.Signature memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return IDepositGuard.Signature(r, bytes32((uint256(v - 27) << 255) | uint256(s)));
    }

    function _sortGuardians() private {
        uint256 n = guardianAddresses.length;
        for (uint256 i; i < n; ++i) {
            for (uint256 j = i + 1; j < n; ++j) {
                if (guardianAddresses[j] < guardianAddresses[i]) {
                    (guardianAddresses[i], guardianAddresses[j]) = (guardianAddresses[j], guardianAddresses[i]);
                    (guardianKeys[i], guardianKeys[j]) = (guardianKeys[j], guardianKeys[i]);
                }
            }
        }
    }

    function _created(address deployer, uint8 nonce) private pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), deployer, nonce)))));
    }

    // --- Simulated validator deposits and oracle reports ---
    //
    // These write the pool's packed storage directly, for tests of pricing that need neither keys nor an oracle:
    // a simulated report moves the beacon balance without fees, vault sweeps or checks. They keep the fields the way
    // the pool does: `validatorEther` (slot 1) is always beaconBalance + 32 ether × (depositedValidators −
    // beaconValidators) (slot 2) while nothing is written off. Layout:
    //   slot 0: bufferedEther (bits 0-95), stakeLimitLeft (96-191), stakeLimitUpdatedAt (192-223),
    //           depositsPausedUntil (224-255)
    //   slot 1: validatorEther (0-95), stakeLimitMax (96-191), stakeLimitRefillPeriod (192-223),
    //           reportDeadline (224-255)
    //   slot 2: beaconBalance (0-127), depositedValidators (128-191), beaconValidators (192-255)

    /// @dev Stakes `count` validators from the buffer: the ether leaves the pool for the deposit contract and counts
    /// as transient until a report sees the validators.
    function _simulateValidatorDeposits(uint256 count) internal {
        uint256 amount = count * VALIDATOR_DEPOSIT;
        uint256 buffered = _readPoolField(0, 0, 96);
        assertLe(amount, buffered, "simulated validator deposits: buffered ether");
        _writePoolField(0, 0, 96, buffered - amount);
        vm.deal(address(pool), address(pool).balance - amount);
        vm.deal(address(beaconDeposit), address(beaconDeposit).balance + amount);
        _writePoolField(2, 128, 64, _readPoolField(2, 128, 64) + count);
        _writePoolField(1, 0, 96, _readPoolField(1, 0, 96) + amount);
    }

    /// @dev A report: `beaconValidators` of the deposited validators are seen, holding `beaconBalance` in total.
    function _simulateReport(uint256 beaconBalance, uint256 beaconValidators) internal {
        uint256 deposited = _readPoolField(2, 128, 64);
        assertLe(beaconValidators, deposited, "simulated report: validators seen");
        uint256 validatorEther = beaconBalance + (deposited - beaconValidators) * VALIDATOR_DEPOSIT;
        assertLe(validatorEther, type(uint96).max, "simulated report: validator ether");
        _writePoolField(2, 0, 128, beaconBalance);
        _writePoolField(2, 192, 64, beaconValidators);
        _writePoolField(1, 0, 96, validatorEther);
    }

    /// @dev A report that adds `amount` to the beacon balance and changes nothing else: prices a share higher.
    function _simulateRewards(uint256 amount) internal {
        _simulateReport(_readPoolField(2, 0, 128) + amount, _readPoolField(2, 192, 64));
    }

    /// @dev totalPooledEther == buffer + beacon balance + 32 ether × (deposited − seen), in every view of it.
    function _assertAccountingIsConsistent() internal view {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(
            accounting.transientEther,
            (accounting.depositedValidators - accounting.beaconValidators - accounting.writtenOffValidators) * 32 ether,
            "transientEther"
        );
        assertEq(
            accounting.totalPooledEther,
            accounting.bufferedEther + accounting.beaconBalance + accounting.transientEther,
            "getAccounting().totalPooledEther"
        );
        assertEq(pool.totalPooledEther(), accounting.totalPooledEther, "totalPooledEther()");
        assertEq(accounting.totalShares, pool.totalSupply(), "totalShares");
    }

    function _readPoolField(uint256 slot, uint256 offset, uint256 bits) internal view returns (uint256) {
        uint256 word = uint256(vm.load(address(pool), bytes32(POOL_STORAGE + slot)));
        return (word >> offset) & ((1 << bits) - 1);
    }

    function _writePoolField(uint256 slot, uint256 offset, uint256 bits, uint256 value) internal {
        uint256 mask = (1 << bits) - 1;
        assertLe(value, mask, "simulated field fits");
        bytes32 key = bytes32(POOL_STORAGE + slot);
        uint256 word = uint256(vm.load(address(pool), key));
        word = (word & ~(mask << offset)) | (value << offset);
        vm.store(address(pool), key, bytes32(word));
    }
}

/// @notice `forceEther` could not create its self-destructing contract (the caller lacks `amount`).
error ForceEtherFailed(address target, uint256 amount);

/// @notice Sends ether to `target` without calling it, as anyone can: a contract that self-destructs in its
/// constructor. The init code is `PUSH20 target SELFDESTRUCT`, written out because Solidity's `selfdestruct` is
/// deprecated (and warns).
/// @dev The caller must hold `amount`.
function forceEther(address target, uint256 amount) {
    bytes memory initCode = abi.encodePacked(hex"73", target, hex"ff");
    address created;
    assembly ("memory-safe") {
        created := create(amount, add(initCode, 0x20), mload(initCode))
    }
    // CREATE returns zero instead of reverting: an unnoticed failure would make a donation test pass vacuously.
    require(created != address(0), ForceEtherFailed(target, amount));
}
