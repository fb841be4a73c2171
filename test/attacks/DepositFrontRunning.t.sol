// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositContract} from "../../contracts/interfaces/IDepositContract.sol";
import {IDepositGuard} from "../../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../../contracts/interfaces/IOperatorRegistry.sol";
import {DepositGuard} from "../../contracts/DepositGuard.sol";
import {StakingFixture} from "../utils/StakingFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {DepositRootFrozen} from "./harness/DepositRootFrozen.sol";

/// @title DepositFrontRunningTest
/// @notice Attack: deposit front-running. A node operator whose key the pool is about to deposit sends its own deposit
/// for the same key first, with withdrawal credentials it controls. The beacon chain keeps the credentials of a key's
/// first deposit, so the pool's 32 ether would top up a validator that withdraws to the operator.
/// Defence: `StakingPool.depositValidators` calls `DepositGuard.checkAttestation`, which requires a guardian quorum's
/// signatures over the deposit contract's root, the registry nonce and a recent block: any deposit made after the
/// guardians checked the keys changes the root, and the check `attestation.depositRoot == currentRoot` reverts with
/// `DepositRootChanged(attested, current)`. Alongside: `RegistryNonceChanged` (keys changed since the attestation),
/// `AttestationTooOld` / `UnknownBlockHash` (an old attestation replayed), `NotEnoughSignatures` and
/// `SignersNotSorted` (no quorum, or one guardian counted twice).
/// Harness: the guard proxy upgraded to a `DepositGuard` built on `DepositRootFrozen`, whose root never changes after
/// the guardians attest, i.e. the deposit-root check switched off; every other check of the guard stays.
contract DepositFrontRunningTest is StakingFixture {
    bytes32 private constant DEPOSIT_EVENT = keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)");

    uint256 private operatorId;
    address private attacker;
    bytes32 private attackerCredentials;

    function setUp() public {
        _deployPool();
        operatorId = _addOperatorWithKeys(1, 1);
        attacker = _managerOf(operatorId);
        attackerCredentials = bytes32(uint256(uint160(attacker)) | (uint256(0x01) << 248));
        _fundBuffer(VALIDATOR_DEPOSIT);
    }

    function test_Attack_DepositFrontRunning_FailsAgainstDepositRootCheck() public {
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        _frontRun();

        bytes32 current = beaconDeposit.get_deposit_root();
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.DepositRootChanged.selector, attestation.depositRoot, current)
        );
        pool.depositValidators(segments, attestation);
        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT + VALIDATOR_DEPOSIT, "the pool's ether stays");
        assertEq(address(beaconDeposit).balance, VALIDATOR_DEPOSIT, "only the attacker's deposit was made");
    }

    function test_Attack_DepositFrontRunning_SucceedsWithoutDepositRootCheck() public {
        DepositRootFrozen frozen = new DepositRootFrozen(IDepositContract(address(beaconDeposit)));
        address withoutRootCheck = address(new DepositGuard(IDepositContract(address(frozen))));
        vm.prank(admin);
        guard.upgradeToAndCall(withoutRootCheck, "");
        // The guardians check the keys and attest; the root the guard will read is the one they saw.
        frozen.freeze();
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        vm.recordLogs();
        _frontRun();
        pool.depositValidators(segments, attestation);

        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT, "the pool's 32 ether left");
        assertEq(address(beaconDeposit).balance, 2 * VALIDATOR_DEPOSIT, "two deposits for one key");
        // The beacon chain credits both deposits to the key's first credentials: the attacker's.
        (bytes[] memory pubkeys, bytes[] memory credentials) = _recordedDeposits();
        assertEq(pubkeys.length, 2, "deposit events");
        assertEq(pubkeys[0], pubkeyAt[operatorId][0], "first deposit: the key");
        assertEq(pubkeys[1], pubkeyAt[operatorId][0], "second deposit: the same key");
        assertEq(bytes32(credentials[0]), attackerCredentials, "first deposit: the attacker's credentials");
        assertEq(bytes32(credentials[1]), pool.withdrawalCredentials(), "second deposit: the pool's, ignored");
    }

    function test_Attack_DepositWithChangedKeys_FailsAgainstRegistryNonce() public {
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        // After the guardians checked the keys, the operator commits new ones (which they never saw).
        _addKeys(operatorId, 1);
        _vet(operatorId, 2);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.RegistryNonceChanged.selector,
                attestation.registryNonce,
                registry.nonce()
            )
        );
        pool.depositValidators(segments, attestation);
    }

    function test_Attack_ReplayedOldAttestation_FailsAgainstMaxBlockAge() public {
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        vm.roll(block.number + MAX_BLOCK_AGE);

        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.AttestationTooOld.selector,
                attestation.blockNumber,
                MAX_BLOCK_AGE + 1,
                MAX_BLOCK_AGE
            )
        );
        pool.depositValidators(segments, attestation);
    }

    function test_Attack_MinorityAttestation_FailsAgainstGuardianQuorum() public {
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, GUARDIAN_QUORUM - 1, GUARDIAN_QUORUM)
        );
        pool.depositValidators(segments, attestation);

        // One guardian's signature twice does not make a quorum either.
        attestation = _attestation(GUARDIAN_QUORUM);
        attestation.signatures[1] = attestation.signatures[0];
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.SignersNotSorted.selector, guardianAddresses[0], guardianAddresses[0])
        );
        pool.depositValidators(segments, attestation);
    }

    /// @dev The operator deposits 32 ether for its own key with its own credentials, straight to the deposit contract
    /// (1 ether would do on the beacon chain; 32 keeps the fixture's deposit data root).
    function _frontRun() private {
        bytes memory pubkey = pubkeyAt[operatorId][0];
        bytes memory signature = signatureAt[operatorId][0];
        // Computed before the prank: the SHA-256 precompile calls would take it.
        bytes32 depositDataRoot = _depositDataRoot(pubkey, attackerCredentials, signature);
        vm.deal(attacker, VALIDATOR_DEPOSIT);
        vm.prank(attacker);
        beaconDeposit.deposit{value: VALIDATOR_DEPOSIT}(
            pubkey,
            abi.encodePacked(attackerCredentials),
            signature,
            depositDataRoot
        );
    }

    /// @dev The keys and credentials of the `DepositEvent`s recorded since `vm.recordLogs()`, in order.
    function _recordedDeposits() private returns (bytes[] memory pubkeys, bytes[] memory credentials) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 count;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(beaconDeposit) && logs[i].topics[0] == DEPOSIT_EVENT) ++count;
        }
        pubkeys = new bytes[](count);
        credentials = new bytes[](count);
        count = 0;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(beaconDeposit) || logs[i].topics[0] != DEPOSIT_EVENT) continue;
            (pubkeys[count], credentials[count], , , ) = abi.decode(logs[i].data, (bytes, bytes, bytes, bytes, bytes));
            ++count;
        }
    }
}
