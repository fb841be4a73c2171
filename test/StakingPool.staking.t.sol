// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";
import {forceEther} from "./utils/StakingPoolFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Unit and fuzz tests of `StakingPool.depositValidators` and the staking views, against the real registry, guard
/// and deposit contract mock deployed as in production.
contract StakingPoolStakingTest is StakingFixture {
    bytes32 private constant DEPOSIT_EVENT_TOPIC = keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)");
    // 32 ether = 32e9 gwei, little-endian in 8 bytes.
    bytes private constant AMOUNT_32_ETHER = hex"0040597307000000";
    string private constant WRONG_ROOT_REASON =
        "DepositContract: reconstructed DepositData does not match supplied deposit_data_root";
    uint256 private constant BPS = 10_000;

    /// @dev Everything a failed validator deposit must leave as it was.
    struct Snapshot {
        IStakingPool.Accounting accounting;
        uint256 shareValue;
        uint256 poolBalance;
        uint256 depositContractBalance;
        bytes32 depositRoot;
        bytes depositCount;
        uint256 registryNonce;
        uint256 activeValidators;
        uint256[] depositedKeys;
        uint256[] vettedKeys;
    }

    /// @dev One `DepositEvent`, decoded.
    struct DepositEventData {
        bytes pubkey;
        bytes withdrawalCredentials;
        bytes amount;
        bytes signature;
        bytes index;
    }

    function setUp() public {
        _deployPool();
    }

    // =================================================================================================================
    // views
    // =================================================================================================================

    function test_StakingContracts_AreTheDeployedOnes() public view {
        IStakingPool.StakingContracts memory staking = pool.stakingContracts();
        assertEq(address(staking.operatorRegistry), address(registry), "operatorRegistry");
        assertEq(address(staking.depositGuard), address(guard), "depositGuard");
        assertEq(staking.withdrawalVault, address(vault), "withdrawalVault");
        assertEq(pool.depositContract(), address(beaconDeposit), "depositContract");
        assertEq(guard.depositContract(), address(beaconDeposit), "the guard watches the same deposit contract");
        assertEq(registry.pool(), address(pool), "the registry serves the pool");
    }

    function test_WithdrawalCredentials_AreTypeOneForTheVault() public view {
        bytes32 credentials = pool.withdrawalCredentials();
        assertEq(credentials, bytes32(abi.encodePacked(bytes1(0x01), bytes11(0), address(vault))), "credentials");
        assertEq(uint256(uint8(credentials[0])), 1, "prefix byte");
        assertEq(address(uint160(uint256(credentials))), address(vault), "address part");
        assertEq(uint256(credentials) >> 160, 1 << 88, "0x01 then 11 zero bytes");
    }

    function test_StakingViews_AreEmptyOnTheImplementation() public view {
        IStakingPool.StakingContracts memory staking = implementation.stakingContracts();
        assertEq(address(staking.operatorRegistry), address(0), "operatorRegistry");
        assertEq(address(staking.depositGuard), address(0), "depositGuard");
        assertEq(staking.withdrawalVault, address(0), "withdrawalVault");
        assertEq(implementation.withdrawalCredentials(), bytes32(uint256(1) << 248), "credentials of no vault");
    }

    // =================================================================================================================
    // depositValidators: success
    // =================================================================================================================

    function test_DepositValidators_MovesEtherFromTheBufferToValidators() public {
        _threeOperators();
        _fundBuffer(10 * VALIDATOR_DEPOSIT);
        IStakingPool.Accounting memory before = pool.getAccounting();
        uint256 shareValue = pool.convertToAssets(1 ether);
        uint256 poolBalance = address(pool).balance;

        _stake(7);

        IStakingPool.Accounting memory afterwards = pool.getAccounting();
        assertEq(afterwards.bufferedEther, before.bufferedEther - 7 * VALIDATOR_DEPOSIT, "bufferedEther");
        assertEq(afterwards.depositedValidators, before.depositedValidators + 7, "depositedValidators");
        assertEq(afterwards.transientEther, 7 * VALIDATOR_DEPOSIT, "transientEther");
        assertEq(afterwards.beaconValidators, 0, "beaconValidators");
        assertEq(afterwards.beaconBalance, 0, "beaconBalance");
        assertEq(afterwards.totalPooledEther, before.totalPooledEther, "totalPooledEther");
        assertEq(afterwards.totalShares, before.totalShares, "totalShares");
        assertEq(pool.convertToAssets(1 ether), shareValue, "share value");
        _assertAccountingIsConsistent();
        assertEq(address(pool).balance, poolBalance - 7 * VALIDATOR_DEPOSIT, "pool balance");
        assertEq(address(beaconDeposit).balance, 7 * VALIDATOR_DEPOSIT, "deposit contract balance");
        assertEq(beaconDeposit.get_deposit_count(), _littleEndian64(7), "deposit count");
    }

    function test_DepositValidators_KeepsTheShareRateAfterRewards() public {
        // A history that makes the rate no round number: a validator seen with rewards.
        _threeOperators();
        _fundBuffer(10 * VALIDATOR_DEPOSIT);
        _stake(1);
        _simulateReport(32.7 ether + 13, 1);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        uint256 shareValue = pool.convertToAssets(1 ether);
        assertGt(shareValue, 1 ether, "rewards raised the share value");

        _stake(6);

        assertEq(pool.totalPooledEther(), totalEther, "totalPooledEther");
        assertEq(pool.totalSupply(), totalShares, "totalShares");
        assertEq(pool.convertToAssets(1 ether), shareValue, "share value");
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(accounting.depositedValidators, 7, "depositedValidators");
        assertEq(accounting.beaconValidators, 1, "beaconValidators");
        assertEq(accounting.transientEther, 6 * VALIDATOR_DEPOSIT, "transientEther");
        _assertAccountingIsConsistent();
    }

    function test_DepositValidators_SendsOurKeysToTheDepositContractInAllocationOrder() public {
        _threeOperators();
        _fundBuffer(10 * VALIDATOR_DEPOSIT);
        // Fewest active validators first, ties to the lowest id, one validator at a time: 3, 2, 2.
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(7);
        assertEq(allocated, 7, "allocated");
        assertEq(allocation[0], 3, "allocation of operator 0");
        assertEq(allocation[1], 2, "allocation of operator 1");
        assertEq(allocation[2], 2, "allocation of operator 2");
        uint256[7] memory operators = [uint256(0), 0, 0, 1, 1, 2, 2];
        uint256[7] memory keyIndices = [uint256(0), 1, 2, 0, 1, 0, 1];

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(7);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.recordLogs();
        pool.depositValidators(segments, attestation);
        DepositEventData[] memory deposits = _depositEvents(vm.getRecordedLogs());

        assertEq(deposits.length, 7, "DepositEvents");
        bytes memory credentials = abi.encodePacked(pool.withdrawalCredentials());
        assertEq(credentials, abi.encodePacked(bytes1(0x01), bytes11(0), address(vault)), "credentials bytes");
        for (uint256 i; i < 7; ++i) {
            assertEq(deposits[i].pubkey, pubkeyAt[operators[i]][keyIndices[i]], "pubkey");
            assertEq(deposits[i].withdrawalCredentials, credentials, "withdrawal credentials");
            assertEq(deposits[i].amount, AMOUNT_32_ETHER, "amount (gwei, little-endian)");
            assertEq(deposits[i].signature, signatureAt[operators[i]][keyIndices[i]], "signature");
            assertEq(deposits[i].index, _littleEndian64(i), "deposit index");
        }
        assertEq(beaconDeposit.get_deposit_count(), _littleEndian64(7), "deposit count");
    }

    function test_DepositValidators_EmitsValidatorsDepositedAndKeysDeposited() public {
        _threeOperators();
        _fundBuffer(10 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(7);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ValidatorsDeposited(7, 7 * VALIDATOR_DEPOSIT);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.KeysDeposited(0, 0, 3);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.KeysDeposited(1, 0, 2);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.KeysDeposited(2, 0, 2);
        pool.depositValidators(segments, attestation);
    }

    function test_DepositValidators_AdvancesTheRegistryCounts() public {
        _threeOperators();
        _fundBuffer(10 * VALIDATOR_DEPOSIT);
        uint256 nonce = registry.nonce();

        _stake(7);

        assertEq(registry.getOperator(0).depositedKeys, 3, "operator 0 deposited");
        assertEq(registry.getOperator(1).depositedKeys, 2, "operator 1 deposited");
        assertEq(registry.getOperator(2).depositedKeys, 2, "operator 2 deposited");
        assertEq(registry.activeValidators(), 7, "activeValidators");
        assertEq(registry.nonce(), nonce, "using keys leaves the nonce: the deposit root moved instead");

        // The next deposit continues where each operator stopped: 1 to operator 1, 1 to operator 2.
        _stake(2);
        assertEq(registry.getOperator(0).depositedKeys, 3, "operator 0 deposited after the second");
        assertEq(registry.getOperator(1).depositedKeys, 3, "operator 1 deposited after the second");
        assertEq(registry.getOperator(2).depositedKeys, 3, "operator 2 deposited after the second");
        assertEq(registry.activeValidators(), 9, "activeValidators after the second");
        assertEq(pool.getAccounting().depositedValidators, 9, "depositedValidators after the second");
    }

    function test_DepositValidators_SplitsAnOperatorsKeysAcrossTwoBatches() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 3);
        _vet(operatorId, 5);
        _fundBuffer(4 * VALIDATOR_DEPOSIT);

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(4);
        assertEq(segments.length, 2, "segments");
        assertEq(segments[0].batchIndex, 0, "first segment's batch");
        assertEq(segments[0].pubkeys.length, 2 * 48, "first segment's keys");
        assertEq(segments[1].batchIndex, 1, "second segment's batch");
        assertEq(segments[1].pubkeys.length, 2 * 48, "second segment's keys");

        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.KeysDeposited(operatorId, 0, 4);
        vm.recordLogs();
        pool.depositValidators(segments, attestation);
        DepositEventData[] memory deposits = _depositEvents(vm.getRecordedLogs());

        assertEq(deposits.length, 4, "DepositEvents");
        for (uint256 i; i < 4; ++i) {
            assertEq(deposits[i].pubkey, pubkeyAt[operatorId][i], "pubkey");
        }
        assertEq(registry.getOperator(operatorId).depositedKeys, 4, "deposited");
        assertEq(pool.getAccounting().depositedValidators, 4, "depositedValidators");

        // The last key of the second batch on its own.
        _fundBuffer(VALIDATOR_DEPOSIT);
        segments = _segmentsFor(1);
        assertEq(segments.length, 1, "segments of the last key");
        assertEq(segments[0].batchIndex, 1, "the last key's batch");
        pool.depositValidators(segments, _attestation(GUARDIAN_QUORUM));
        assertEq(registry.getOperator(operatorId).depositedKeys, 5, "deposited after the last key");
    }

    function test_DepositValidators_AnyoneMayCall() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        address stranger = makeAddr("stranger");

        vm.prank(stranger);
        pool.depositValidators(segments, attestation);

        assertEq(pool.getAccounting().depositedValidators, 3, "depositedValidators");
        assertEq(stranger.balance, 0, "the caller pays no ether");
    }

    function test_DepositValidators_UsesTheWholeBufferDownToTheWei() public {
        _threeOperators();
        // The buffer holds the initial deposit too: fund it to exactly 3 validators.
        _fundBuffer(3 * VALIDATOR_DEPOSIT - INITIAL_DEPOSIT);
        assertEq(pool.getAccounting().bufferedEther, 3 * VALIDATOR_DEPOSIT, "buffer before");

        _stake(3);

        assertEq(pool.getAccounting().bufferedEther, 0, "buffer after");
        assertEq(address(pool).balance, 0, "pool balance after");
        _assertAccountingIsConsistent();
    }

    function test_DepositValidators_LeavesForcedEtherWhereItWas() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        vm.deal(address(this), 50 ether);
        forceEther(address(pool), 50 ether);
        uint256 buffered = pool.getAccounting().bufferedEther;

        _stake(3);

        assertEq(pool.getAccounting().bufferedEther, buffered - 3 * VALIDATOR_DEPOSIT, "bufferedEther");
        assertEq(address(pool).balance, buffered - 3 * VALIDATOR_DEPOSIT + 50 ether, "forced ether stays");
    }

    function test_DepositValidators_WithEveryGuardianSigning() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        pool.depositValidators(_segmentsFor(3), _attestation(guardianKeys.length));
        assertEq(pool.getAccounting().depositedValidators, 3, "depositedValidators");
    }

    // =================================================================================================================
    // depositValidators: the pool's own checks
    // =================================================================================================================

    function test_RevertWhen_DepositValidatorsGetsNoSegments() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        _expectRevertLeavingStateUntouched(
            new IOperatorRegistry.KeySegment[](0),
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IStakingPool.NoValidatorsToDeposit.selector)
        );
    }

    function test_RevertWhen_DepositValidatorsSegmentsHaveNoKeyBytes() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](2);
        segments[1].operatorId = 1;
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IStakingPool.NoValidatorsToDeposit.selector)
        );
    }

    function test_RevertWhen_DepositValidatorsSegmentHasLessThanOnePubkey() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        // 47 bytes count as no key in the pool; a real key's signature and root do not change that.
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        segments[0].pubkeys = _truncate(segments[0].pubkeys, 47);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IStakingPool.NoValidatorsToDeposit.selector)
        );
    }

    function test_RevertWhen_BufferedEtherIsShortOfTheDeposit() public {
        _threeOperators();
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        uint256 buffered = pool.getAccounting().bufferedEther;
        assertEq(buffered, 2 * VALIDATOR_DEPOSIT + INITIAL_DEPOSIT, "buffered");
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IStakingPool.InsufficientBufferedEther.selector, 3 * VALIDATOR_DEPOSIT, buffered)
        );
    }

    function test_RevertWhen_BufferedEtherIsShortOfTheDepositByOneWei() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT - INITIAL_DEPOSIT - 1);
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(
                IStakingPool.InsufficientBufferedEther.selector,
                3 * VALIDATOR_DEPOSIT,
                3 * VALIDATOR_DEPOSIT - 1
            )
        );
    }

    function test_RevertWhen_OnlyForcedEtherCouldPayForTheDeposit() public {
        _threeOperators();
        _fundBuffer(VALIDATOR_DEPOSIT);
        // The pool's balance would pay for three validators, its buffer for one: only the buffer counts.
        vm.deal(address(this), 100 ether);
        forceEther(address(pool), 100 ether);
        uint256 buffered = pool.getAccounting().bufferedEther;
        assertGe(address(pool).balance, 3 * VALIDATOR_DEPOSIT, "pool balance");
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IStakingPool.InsufficientBufferedEther.selector, 3 * VALIDATOR_DEPOSIT, buffered)
        );
    }

    function test_RevertWhen_DepositValidatorsIsCalledOnTheImplementation() public {
        _threeOperators();
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InsufficientBufferedEther.selector, VALIDATOR_DEPOSIT, 0));
        implementation.depositValidators(segments, attestation);
    }

    // =================================================================================================================
    // depositValidators: the guard's checks
    // =================================================================================================================

    function test_RevertWhen_AGuardianPausedStaking() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, block.timestamp + PAUSE_DURATION)
        );
    }

    function test_DepositValidators_WorksAgainOnceThePauseEnds() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.warp(block.timestamp + PAUSE_DURATION);
        _stake(3);
        assertEq(pool.getAccounting().depositedValidators, 3, "depositedValidators");
    }

    function test_RevertWhen_OneGuardianSigns() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            _attestation(1),
            abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, 1, GUARDIAN_QUORUM)
        );
    }

    function test_RevertWhen_AStrangerSigns() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        bytes32 digest = _digest(attestation);
        // A guardian and the stranger, sorted by address as the guard requires.
        IDepositGuard.Signature memory guardianSignature = _sign(guardianKeys[0], digest);
        IDepositGuard.Signature memory strangerSignature = _sign(strangerKey, digest);
        if (stranger < guardianAddresses[0]) {
            (attestation.signatures[0], attestation.signatures[1]) = (strangerSignature, guardianSignature);
        } else {
            (attestation.signatures[0], attestation.signatures[1]) = (guardianSignature, strangerSignature);
        }
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            attestation,
            abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, stranger)
        );
    }

    function test_RevertWhen_TheAttestationIsReused() public {
        _threeOperators();
        _fundBuffer(6 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        pool.depositValidators(_segmentsFor(3), attestation);

        // The first deposit moved the deposit root, which voids the attestation.
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            attestation,
            abi.encodeWithSelector(
                IDepositGuard.DepositRootChanged.selector,
                attestation.depositRoot,
                beaconDeposit.get_deposit_root()
            )
        );
    }

    function test_RevertWhen_AnotherDepositChangedTheRoot() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        _depositDirectly(makeAddr("someone"), hex"11", 32 ether);
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            attestation,
            abi.encodeWithSelector(
                IDepositGuard.DepositRootChanged.selector,
                attestation.depositRoot,
                beaconDeposit.get_deposit_root()
            )
        );
    }

    function test_RevertWhen_TheRegistryNonceChanged() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        // New keys bump the nonce, though they would not change these segments.
        _addKeys(2, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            attestation,
            abi.encodeWithSelector(
                IDepositGuard.RegistryNonceChanged.selector,
                attestation.registryNonce,
                attestation.registryNonce + 1
            )
        );
    }

    function test_RevertWhen_TheAttestationIsTooOld() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.roll(block.number + MAX_BLOCK_AGE);
        _expectRevertLeavingStateUntouched(
            _segmentsFor(3),
            attestation,
            abi.encodeWithSelector(
                IDepositGuard.AttestationTooOld.selector,
                attestation.blockNumber,
                MAX_BLOCK_AGE + 1,
                MAX_BLOCK_AGE
            )
        );
    }

    // =================================================================================================================
    // depositValidators: the registry's checks
    // =================================================================================================================

    function test_RevertWhen_DepositingBeyondTheVettedKeys() public {
        uint256 operatorId = _addOperatorWithKeys(5, 4);
        _fundBuffer(5 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(operatorId, 0, 0, 0, 5);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 5, 4)
        );
    }

    function test_RevertWhen_NoKeyIsVetted() public {
        uint256 operatorId = _addOperatorWithKeys(3, 0);
        _fundBuffer(VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(operatorId, 0, 0, 0, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 1, 0)
        );
    }

    function test_RevertWhen_ASignatureByteIsTampered() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        segments[1].signatures[95] ^= 0x01;
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, 1, 0, 0)
        );
    }

    function test_RevertWhen_APubkeyByteIsTampered() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        segments[2].pubkeys[0] ^= 0x80;
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, 2, 0, 0)
        );
    }

    function test_RevertWhen_OperatorsAreOutOfOrder() public {
        _threeOperators();
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(2);
        (segments[0], segments[1]) = (segments[1], segments[0]);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_OneOperatorGetsMoreThanItsAllocation() public {
        _threeOperators();
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        // Two validators go to operators 0 and 1, one each: two keys of operator 0 overshoot its share.
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(0, 0, 0, 0, 2);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_AnAllocatedOperatorIsSkipped() public {
        _threeOperators();
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        // Right count, wrong operators: operator 0 is due one validator, so a segment of operator 2 comes too early.
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](2);
        segments[0] = _segment(1, 0, 0, 0, 1);
        segments[1] = _segment(2, 0, 0, 0, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_DepositDataRootsAreMissing() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        segments[0].depositDataRoots = new bytes32[](0);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.DepositDataRootsMismatch.selector, 1, 0)
        );
    }

    function test_RevertWhen_PubkeysHaveARaggedTail() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        // 49 bytes count as one key in the pool; the registry wants exact lengths.
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        segments[0].pubkeys = bytes.concat(segments[0].pubkeys, hex"00");
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyBytes.selector, 49, 96)
        );
    }

    function test_RevertWhen_TheDepositDataRootIsWrong() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        // The registry does not check roots (they bind our credentials, which it does not know); the deposit contract
        // does, with its official reason string.
        segments[2].depositDataRoots[0] = bytes32(uint256(segments[2].depositDataRoots[0]) ^ 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSignature("Error(string)", WRONG_ROOT_REASON)
        );
    }

    function test_RevertWhen_TheDepositDataRootIsForOtherCredentials() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        // A root signed off for someone else's credentials cannot redirect the validator: the pool always sends its
        // own credentials, and the deposit contract rejects the mismatch.
        bytes32 otherCredentials = _credentialsOf(makeAddr("attacker"));
        segments[0].depositDataRoots[0] = _depositDataRootOf(
            pubkeyAt[0][0],
            otherCredentials,
            32 ether,
            signatureAt[0][0]
        );
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSignature("Error(string)", WRONG_ROOT_REASON)
        );
    }

    // =================================================================================================================
    // depositValidators: every key once, in order
    // =================================================================================================================

    function test_RevertWhen_TheSameKeysAreDepositedAgain() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        _fundBuffer(4 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(2);
        pool.depositValidators(segments, _attestation(GUARDIAN_QUORUM));

        // A fresh attestation: only the keys stand in the way. The registry proves them at the next indices, 2 and 3.
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 2)
        );
    }

    function test_RevertWhen_TheSameKeysAreDepositedAgainAcrossOperators() public {
        _threeOperators();
        _fundBuffer(6 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        pool.depositValidators(segments, _attestation(GUARDIAN_QUORUM));

        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, 0, 0, 1)
        );
    }

    function test_RevertWhen_TheSameKeysAreDepositedAgainWithNoneLeft() public {
        _addOperatorWithKeys(2, 2);
        _fundBuffer(4 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(2);
        pool.depositValidators(segments, _attestation(GUARDIAN_QUORUM));

        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 2, 0)
        );
    }

    function test_RevertWhen_AKeyIsSkipped() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        _fundBuffer(VALIDATOR_DEPOSIT);
        // Key 1 presented as the next key, 0: its leaf hashes index 0 with key 1's bytes, which the batch never held.
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(operatorId, 0, 0, 1, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );
    }

    function test_RevertWhen_AKeyOfALaterBatchIsPresentedFirst() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 2);
        _vet(operatorId, 4);
        _fundBuffer(VALIDATOR_DEPOSIT);
        // Key 2 with its own batch and proof, while key 0 is due: batch 1 starts at index 2.
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(operatorId, 1, 2, 2, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.KeysOutsideBatch.selector, operatorId, 1, 0, 1)
        );
    }

    function test_RevertWhen_ASegmentNamesAMissingBatch() public {
        uint256 operatorId = _addOperatorWithKeys(2, 2);
        _fundBuffer(VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        segments[0].batchIndex = 1;
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.BatchNotFound.selector, operatorId, 1)
        );
    }

    // =================================================================================================================
    // front-running
    // =================================================================================================================

    function test_RevertWhen_AFrontRunnerDepositsOneOfOurKeys() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        // The guardians attested; before our deposit lands, an operator (or whoever holds the key) deposits 1 ether
        // with the same key and its own credentials. On the beacon chain the first deposit fixes the credentials, so
        // our 32 ether would go to a validator withdrawing to the attacker.
        address attacker = makeAddr("attacker");
        _frontRun(attacker, pubkeyAt[0][0], signatureAt[0][0]);

        _expectRevertLeavingStateUntouched(
            segments,
            attestation,
            abi.encodeWithSelector(
                IDepositGuard.DepositRootChanged.selector,
                attestation.depositRoot,
                beaconDeposit.get_deposit_root()
            )
        );
        assertEq(beaconDeposit.get_deposit_count(), _littleEndian64(1), "only the attacker's deposit");
        assertEq(address(beaconDeposit).balance, 1 ether, "only the attacker's ether");
    }

    function test_DepositValidators_AQuorumUnvetsAFrontRunOperator() public {
        _threeOperators();
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        address attacker = makeAddr("attacker");
        _frontRun(attacker, pubkeyAt[0][0], signatureAt[0][0]);

        // The guardians see the deposit off-chain, refuse to attest, and a quorum unvets operator 0's unused keys.
        uint256 nonce = registry.nonce();
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 digest = guard.unvetDigest(0, nonce, blockNumber, blockHash);
        IDepositGuard.Signature[] memory signatures = new IDepositGuard.Signature[](GUARDIAN_QUORUM);
        for (uint256 i; i < GUARDIAN_QUORUM; ++i) {
            signatures[i] = _sign(guardianKeys[i], digest);
        }
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.KeysUnvetted(0, nonce);
        vm.prank(makeAddr("relayer"));
        guard.unvetKeys(0, nonce, blockNumber, blockHash, signatures);
        assertEq(registry.getOperator(0).vettedKeys, 0, "operator 0 vetted keys");
        assertEq(registry.nonce(), nonce + 1, "registry nonce");

        // Staking goes on with the other operators; the front-run key is never deposited by the pool.
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(3);
        for (uint256 i; i < segments.length; ++i) {
            assertTrue(segments[i].operatorId != 0, "operator 0 is out of the allocation");
        }
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.recordLogs();
        pool.depositValidators(segments, attestation);
        DepositEventData[] memory deposits = _depositEvents(vm.getRecordedLogs());
        assertEq(deposits.length, 3, "DepositEvents");
        for (uint256 i; i < deposits.length; ++i) {
            assertTrue(keccak256(deposits[i].pubkey) != keccak256(pubkeyAt[0][0]), "the front-run key");
        }
        assertEq(registry.getOperator(0).depositedKeys, 0, "operator 0 deposited");
        assertEq(registry.getOperator(1).depositedKeys, 2, "operator 1 deposited");
        assertEq(registry.getOperator(2).depositedKeys, 1, "operator 2 deposited");
    }

    // =================================================================================================================
    // share cap
    // =================================================================================================================

    function test_DepositValidators_ShareCapSpreadsFourValidatorsOverFourOperators() public {
        _fourOperatorsWithShareCap(3_000);
        _fundBuffer(4 * VALIDATOR_DEPOSIT);

        _stake(4);

        for (uint256 i; i < 4; ++i) {
            assertEq(registry.getOperator(i).depositedKeys, 1, "one validator each");
        }
        assertEq(pool.getAccounting().depositedValidators, 4, "depositedValidators");
    }

    function test_RevertWhen_ShareCapLeavesNoRoomForThree() public {
        _fourOperatorsWithShareCap(3_000);
        _fundBuffer(3 * VALIDATOR_DEPOSIT);
        // 30% of 3 validators rounds down to none per operator.
        (, uint256 allocated) = registry.allocate(3);
        assertEq(allocated, 0, "allocated");
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](3);
        for (uint256 i; i < 3; ++i) {
            segments[i] = _segment(i, 0, 0, 0, 1);
        }
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 3, 0)
        );
    }

    function test_RevertWhen_ShareCapFillsEveryActiveOperator() public {
        // 50% with two active operators: four validators put two on each, and a fifth would take one above 50% of 5.
        _fourOperatorsWithShareCap(5_000);
        vm.prank(admin);
        registry.setOperatorActive(2, false);
        vm.prank(admin);
        registry.setOperatorActive(3, false);
        _fundBuffer(8 * VALIDATOR_DEPOSIT);
        _stake(4);

        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(0, 0, 0, 2, 1);
        _expectRevertLeavingStateUntouched(
            segments,
            _attestation(GUARDIAN_QUORUM),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 1, 0)
        );
    }

    // =================================================================================================================
    // fuzz
    // =================================================================================================================

    function testFuzz_DepositValidators_KeepsRateAndAccounting(
        uint256 operatorCount,
        uint256 operatorSeed,
        uint256 shareCapBps,
        uint256 buffer,
        uint256 count
    ) public {
        operatorCount = bound(operatorCount, 1, 6);
        uint256 totalVetted;
        for (uint256 i; i < operatorCount; ++i) {
            uint256 keys = bound(uint256(keccak256(abi.encode(operatorSeed, i, "keys"))), 1, 6);
            uint256 vetted = bound(uint256(keccak256(abi.encode(operatorSeed, i, "vetted"))), 0, keys);
            _addOperatorWithKeys(keys, vetted);
            totalVetted += vetted;
        }
        // One operator can never hold less than all of the validators.
        shareCapBps = operatorCount == 1 ? BPS : bound(shareCapBps, 2_500, BPS);
        vm.prank(admin);
        registry.setShareCap(shareCapBps);
        buffer = bound(buffer, VALIDATOR_DEPOSIT, 40 * VALIDATOR_DEPOSIT);
        _fundBuffer(buffer);

        // The largest count up to the fuzzed one that the allocation places in full.
        uint256 maxCount = pool.getAccounting().bufferedEther / VALIDATOR_DEPOSIT;
        if (totalVetted < maxCount) maxCount = totalVetted;
        vm.assume(maxCount != 0);
        count = bound(count, 1, maxCount);
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(count);
        while (allocated != count) {
            --count;
            if (count == 0) break;
            (allocation, allocated) = registry.allocate(count);
        }
        vm.assume(count != 0);

        IStakingPool.Accounting memory before = pool.getAccounting();
        uint256 shareValue = pool.convertToAssets(1 ether);
        uint256 poolBalance = address(pool).balance;

        _stake(count);

        IStakingPool.Accounting memory afterwards = pool.getAccounting();
        assertEq(pool.convertToAssets(1 ether), shareValue, "share value");
        assertEq(afterwards.totalPooledEther, before.totalPooledEther, "totalPooledEther");
        assertEq(afterwards.totalShares, before.totalShares, "totalShares");
        assertEq(afterwards.bufferedEther, before.bufferedEther - count * VALIDATOR_DEPOSIT, "bufferedEther");
        assertEq(afterwards.depositedValidators, count, "depositedValidators");
        _assertAccountingIsConsistent();
        assertEq(address(pool).balance, poolBalance - count * VALIDATOR_DEPOSIT, "pool balance");
        assertEq(address(beaconDeposit).balance, count * VALIDATOR_DEPOSIT, "deposit contract balance");
        assertEq(registry.activeValidators(), count, "activeValidators");

        uint256 capLimit = (count * shareCapBps) / BPS;
        uint256 sum;
        for (uint256 i; i < operatorCount; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            assertEq(operator.depositedKeys, allocation[i], "deposited = allocation");
            assertLe(operator.depositedKeys, operator.vettedKeys, "deposited <= vetted");
            assertLe(operator.depositedKeys, capLimit, "deposited <= share cap");
            sum += operator.depositedKeys;
        }
        assertEq(sum, count, "sum of deposited keys");
    }

    // =================================================================================================================
    // gas
    // =================================================================================================================

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev Three operators with four keys each, all vetted.
    function _threeOperators() private {
        for (uint256 i; i < 3; ++i) {
            _addOperatorWithKeys(4, 4);
        }
    }

    /// @dev Four operators with three keys each, all vetted, under a share cap of `shareCapBps`.
    function _fourOperatorsWithShareCap(uint256 shareCapBps) private {
        for (uint256 i; i < 4; ++i) {
            _addOperatorWithKeys(3, 3);
        }
        vm.prank(admin);
        registry.setShareCap(shareCapBps);
    }

    /// @dev Expects `depositValidators(segments, attestation)` to revert with exactly `revertData`, and checks that the
    /// accounting, the registry and every balance are as they were.
    function _expectRevertLeavingStateUntouched(
        IOperatorRegistry.KeySegment[] memory segments,
        IDepositGuard.Attestation memory attestation,
        bytes memory revertData
    ) private {
        Snapshot memory before = _snapshot();
        vm.expectRevert(revertData);
        pool.depositValidators(segments, attestation);
        _assertUnchanged(before);
    }

    function _snapshot() private view returns (Snapshot memory snapshot) {
        snapshot.accounting = pool.getAccounting();
        snapshot.shareValue = pool.convertToAssets(1 ether);
        snapshot.poolBalance = address(pool).balance;
        snapshot.depositContractBalance = address(beaconDeposit).balance;
        snapshot.depositRoot = beaconDeposit.get_deposit_root();
        snapshot.depositCount = beaconDeposit.get_deposit_count();
        snapshot.registryNonce = registry.nonce();
        snapshot.activeValidators = registry.activeValidators();
        uint256 operators = registry.operatorCount();
        snapshot.depositedKeys = new uint256[](operators);
        snapshot.vettedKeys = new uint256[](operators);
        for (uint256 i; i < operators; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            snapshot.depositedKeys[i] = operator.depositedKeys;
            snapshot.vettedKeys[i] = operator.vettedKeys;
        }
    }

    function _assertUnchanged(Snapshot memory before) private view {
        Snapshot memory afterwards = _snapshot();
        assertEq(afterwards.accounting.bufferedEther, before.accounting.bufferedEther, "unchanged bufferedEther");
        assertEq(
            afterwards.accounting.depositedValidators,
            before.accounting.depositedValidators,
            "unchanged depositedValidators"
        );
        assertEq(
            afterwards.accounting.totalPooledEther,
            before.accounting.totalPooledEther,
            "unchanged totalPooledEther"
        );
        assertEq(afterwards.accounting.totalShares, before.accounting.totalShares, "unchanged totalShares");
        assertEq(afterwards.shareValue, before.shareValue, "unchanged share value");
        assertEq(afterwards.poolBalance, before.poolBalance, "unchanged pool balance");
        assertEq(
            afterwards.depositContractBalance,
            before.depositContractBalance,
            "unchanged deposit contract balance"
        );
        assertEq(afterwards.depositRoot, before.depositRoot, "unchanged deposit root");
        assertEq(afterwards.depositCount, before.depositCount, "unchanged deposit count");
        assertEq(afterwards.registryNonce, before.registryNonce, "unchanged registry nonce");
        assertEq(afterwards.activeValidators, before.activeValidators, "unchanged activeValidators");
        for (uint256 i; i < before.depositedKeys.length; ++i) {
            assertEq(afterwards.depositedKeys[i], before.depositedKeys[i], "unchanged depositedKeys");
            assertEq(afterwards.vettedKeys[i], before.vettedKeys[i], "unchanged vettedKeys");
        }
        _assertAccountingIsConsistent();
    }

    /// @dev The `DepositEvent`s of the deposit contract among `logs`, in order.
    function _depositEvents(Vm.Log[] memory logs) private view returns (DepositEventData[] memory deposits) {
        uint256 count;
        for (uint256 i; i < logs.length; ++i) {
            if (_isDepositEvent(logs[i])) ++count;
        }
        deposits = new DepositEventData[](count);
        count = 0;
        for (uint256 i; i < logs.length; ++i) {
            if (!_isDepositEvent(logs[i])) continue;
            DepositEventData memory data = deposits[count++];
            (data.pubkey, data.withdrawalCredentials, data.amount, data.signature, data.index) = abi.decode(
                logs[i].data,
                (bytes, bytes, bytes, bytes, bytes)
            );
        }
    }

    function _isDepositEvent(Vm.Log memory log) private view returns (bool) {
        return log.emitter == address(beaconDeposit) && log.topics.length == 1 && log.topics[0] == DEPOSIT_EVENT_TOPIC;
    }

    /// @dev `attacker` deposits 1 ether straight to the deposit contract with `pubkey` and its own credentials.
    function _frontRun(address attacker, bytes memory pubkey, bytes memory signature) private {
        bytes32 credentials = _credentialsOf(attacker);
        // Computed before the prank: its sha256 calls would take the prank otherwise.
        bytes32 root = _depositDataRootOf(pubkey, credentials, 1 ether, signature);
        vm.deal(attacker, 1 ether);
        vm.prank(attacker);
        beaconDeposit.deposit{value: 1 ether}(pubkey, abi.encodePacked(credentials), signature, root);
    }

    /// @dev A deposit by `depositor` of an unrelated key made from `seed`.
    function _depositDirectly(address depositor, bytes memory seed, uint256 amount) private {
        bytes memory pubkey = abi.encodePacked(keccak256(seed), bytes16(0));
        bytes memory signature = abi.encodePacked(keccak256(seed), keccak256(seed), keccak256(seed));
        bytes32 credentials = _credentialsOf(depositor);
        bytes32 root = _depositDataRootOf(pubkey, credentials, amount, signature);
        vm.deal(depositor, amount);
        vm.prank(depositor);
        beaconDeposit.deposit{value: amount}(pubkey, abi.encodePacked(credentials), signature, root);
    }

    function _credentialsOf(address owner) private pure returns (bytes32) {
        return bytes32(abi.encodePacked(bytes1(0x01), bytes11(0), owner));
    }

    /// @dev hash_tree_root(DepositData) for any amount (the fixture's `_depositDataRoot` is for 32 ether only).
    function _depositDataRootOf(
        bytes memory pubkey,
        bytes32 credentials,
        uint256 amount,
        bytes memory signature
    ) private pure returns (bytes32) {
        bytes32 pubkeyRoot = sha256(abi.encodePacked(_word(pubkey, 0), bytes32(bytes16(_word(pubkey, 32)))));
        bytes32 signatureRoot = sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(_word(signature, 0), _word(signature, 32))),
                sha256(abi.encodePacked(_word(signature, 64), bytes32(0)))
            )
        );
        bytes8 amountLittleEndian = bytes8(_littleEndian64(amount / 1 gwei));
        return
            sha256(
                abi.encodePacked(
                    sha256(abi.encodePacked(pubkeyRoot, credentials)),
                    sha256(abi.encodePacked(amountLittleEndian, bytes24(0), signatureRoot))
                )
            );
    }

    /// @dev The 32 bytes of `data` from `offset`, zero-padded past its end.
    function _word(bytes memory data, uint256 offset) private pure returns (bytes32 word) {
        for (uint256 i; i < 32 && offset + i < data.length; ++i) {
            word |= bytes32(data[offset + i]) >> (8 * i);
        }
    }

    /// @dev `value` as the beacon chain's 8-byte little-endian uint64.
    function _littleEndian64(uint256 value) private pure returns (bytes memory out) {
        out = new bytes(8);
        for (uint256 i; i < 8; ++i) {
            out[i] = bytes1(uint8(value >> (8 * i)));
        }
    }

    function _truncate(bytes memory data, uint256 length) private pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            out[i] = data[i];
        }
    }
}
