// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {DepositGuard} from "../contracts/DepositGuard.sol";
import {IDepositContract} from "../contracts/interfaces/IDepositContract.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";

/// @dev Unit and fuzz tests of DepositGuard, deployed by PluralDeployer with the rest of the protocol, and of how the
/// pool stakes through it.
contract DepositGuardTest is StakingFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant ATTESTATION_TYPEHASH = keccak256(
        "DepositAttestation(bytes32 depositRoot,uint256 registryNonce,uint256 blockNumber,bytes32 blockHash)"
    );
    bytes32 private constant UNVET_TYPEHASH = keccak256(
        "UnvetKeys(uint256 operatorId,uint256 registryNonce,uint256 blockNumber,bytes32 blockHash)"
    );
    // secp256k1's order divided by two: OpenZeppelin refuses any `s` above it (EIP-2).
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address private stranger;
    uint256 private strangerKey;
    address private attacker;
    DepositGuard private guardImplementation;

    bytes32 private pauseRole;
    bytes32 private resumeRole;

    function setUp() public {
        _deployPool();
        (stranger, strangerKey) = makeAddrAndKey("stranger");
        attacker = makeAddr("attacker");
        guardImplementation = DepositGuard(
            address(uint160(uint256(vm.load(address(guard), ERC1967Utils.IMPLEMENTATION_SLOT))))
        );
        pauseRole = guard.PAUSE_ROLE();
        resumeRole = guard.RESUME_ROLE();
    }

    // =================================================================================================================
    // constructor and initialize
    // =================================================================================================================

    function test_Constructor_SetsTheDepositContract() public view {
        assertEq(guard.depositContract(), address(beaconDeposit), "depositContract() through the proxy");
        assertEq(
            guardImplementation.depositContract(),
            address(beaconDeposit),
            "depositContract() of the implementation"
        );
    }

    function test_RevertWhen_ConstructorDepositContractIsZero() public {
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        new DepositGuard(IDepositContract(address(0)));
    }

    function test_Initialize_SetsAdminRegistryGuardiansAndBounds() public view {
        assertTrue(guard.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertEq(guard.getRoleAdmin(DEFAULT_ADMIN_ROLE), DEFAULT_ADMIN_ROLE, "admin of DEFAULT_ADMIN_ROLE");
        assertEq(guard.registry(), address(registry), "registry");
        address[] memory guardians = guard.guardians();
        assertEq(guardians.length, 3, "guardian count");
        for (uint256 i; i < 3; ++i) {
            assertEq(guardians[i], guardianAddresses[i], "guardians() in the order added");
            assertTrue(guard.isGuardian(guardianAddresses[i]), "isGuardian");
            assertFalse(guard.pauseUsed(guardianAddresses[i]), "pauseUsed");
        }
        assertFalse(guard.isGuardian(stranger), "a stranger is no guardian");
        assertEq(guard.quorum(), GUARDIAN_QUORUM, "quorum");
        assertEq(guard.maxBlockAge(), MAX_BLOCK_AGE, "maxBlockAge");
        assertEq(guard.pauseDuration(), PAUSE_DURATION, "pauseDuration");
        assertEq(guard.stakingPausedUntil(), 0, "stakingPausedUntil");
        assertEq(guard.MAX_GUARDIANS(), 16, "MAX_GUARDIANS");
        assertEq(guard.MAX_PAUSE_DURATION(), 3 days, "MAX_PAUSE_DURATION");
    }

    function test_Initialize_GrantsPausingToTheEmergencyPauseAndResumingToBoth() public view {
        address pauser = address(emergencyPause);
        assertEq(pauseRole, keccak256("PAUSE_ROLE"), "PAUSE_ROLE");
        assertEq(resumeRole, keccak256("RESUME_ROLE"), "RESUME_ROLE");
        assertTrue(guard.hasRole(pauseRole, pauser), "pauser has PAUSE_ROLE");
        assertTrue(guard.hasRole(resumeRole, pauser), "pauser has RESUME_ROLE");
        assertFalse(guard.hasRole(DEFAULT_ADMIN_ROLE, pauser), "pauser has DEFAULT_ADMIN_ROLE");
        assertTrue(guard.hasRole(resumeRole, admin), "admin has RESUME_ROLE");
        assertFalse(guard.hasRole(pauseRole, admin), "admin has PAUSE_ROLE");
        for (uint256 i; i < 3; ++i) {
            assertFalse(guard.hasRole(pauseRole, guardianAddresses[i]), "a guardian has PAUSE_ROLE");
            assertFalse(guard.hasRole(resumeRole, guardianAddresses[i]), "a guardian has RESUME_ROLE");
        }
        assertFalse(guard.hasRole(pauseRole, pauseGuardian), "the pause guardian has PAUSE_ROLE");
        assertFalse(guard.hasRole(resumeRole, pauseGuardian), "the pause guardian has RESUME_ROLE");
    }

    function test_Initialize_SetsTheEip712Domain() public view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = guard.eip712Domain();
        assertEq(uint256(uint8(fields)), 0x0f, "fields: name, version, chainId, verifyingContract");
        assertEq(name, "Plural DepositGuard", "name");
        assertEq(version, "1", "version");
        assertEq(chainId, block.chainid, "chainId");
        assertEq(verifyingContract, address(guard), "verifyingContract");
        assertEq(salt, bytes32(0), "salt");
        assertEq(extensions.length, 0, "extensions");
    }

    function test_Initialize_EmitsRoleGuardiansAndBounds() public {
        address[] memory guardians = _addresses(guardianAddresses[0], guardianAddresses[1]);
        vm.expectEmit();
        emit IAccessControl.RoleGranted(resumeRole, admin, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(pauseRole, address(emergencyPause), address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(resumeRole, address(emergencyPause), address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, admin, address(this));
        vm.expectEmit();
        emit IDepositGuard.GuardianAdded(guardians[0]);
        vm.expectEmit();
        emit IDepositGuard.GuardianAdded(guardians[1]);
        vm.expectEmit();
        emit IDepositGuard.QuorumSet(1);
        vm.expectEmit();
        emit IDepositGuard.MaxBlockAgeSet(256);
        vm.expectEmit();
        emit IDepositGuard.PauseDurationSet(3 days);
        vm.expectEmit();
        emit Initializable.Initialized(1);
        DepositGuard other = _newGuard(admin, address(registry), guardians, 1, 256, 3 days);

        assertTrue(other.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertFalse(other.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "deployer has no role");
        assertEq(other.guardians().length, 2, "guardian count");
        assertEq(other.quorum(), 1, "quorum");
        assertEq(other.maxBlockAge(), 256, "maxBlockAge: the largest accepted");
        assertEq(other.pauseDuration(), 3 days, "pauseDuration: the largest accepted");
    }

    function test_Initialize_AcceptsSixteenGuardians() public {
        address[] memory guardians = _strangers(16);
        DepositGuard other = _newGuard(admin, address(registry), guardians, 16, 1, 1);
        assertEq(other.guardians().length, 16, "guardian count");
        assertEq(other.quorum(), 16, "quorum");
        assertEq(other.maxBlockAge(), 1, "maxBlockAge: the smallest accepted");
        assertEq(other.pauseDuration(), 1, "pauseDuration: the smallest accepted");
    }

    function test_RevertWhen_InitializeIsCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        guard.initialize(stranger, registry, guardianAddresses, 1, 1, 1, stranger);
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        guardImplementation.initialize(stranger, registry, guardianAddresses, 1, 1, 1, stranger);
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        _newGuard(address(0), address(registry), guardianAddresses, 2, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializePauserIsZero() public {
        bytes memory data = abi.encodeCall(
            DepositGuard.initialize,
            (admin, registry, guardianAddresses, 2, MAX_BLOCK_AGE, PAUSE_DURATION, address(0))
        );
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        new ERC1967Proxy(address(guardImplementation), data);
    }

    function test_RevertWhen_InitializeRegistryIsZero() public {
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        _newGuard(admin, address(0), guardianAddresses, 2, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializeGuardianIsZero() public {
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        _newGuard(admin, address(registry), _addresses(guardianAddresses[0], address(0)), 1, 1, 1);
    }

    function test_RevertWhen_InitializeGuardianIsListedTwice() public {
        address guardian = guardianAddresses[0];
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.AlreadyAGuardian.selector, guardian));
        _newGuard(admin, address(registry), _addresses(guardian, guardian), 1, 1, 1);
    }

    function test_RevertWhen_InitializeQuorumIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 0, 3));
        _newGuard(admin, address(registry), guardianAddresses, 0, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializeQuorumExceedsTheGuardians() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 4, 3));
        _newGuard(admin, address(registry), guardianAddresses, 4, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializeHasNoGuardians() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 1, 0));
        _newGuard(admin, address(registry), new address[](0), 1, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializeMaxBlockAgeIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidMaxBlockAge.selector, 0));
        _newGuard(admin, address(registry), guardianAddresses, 2, 0, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializeMaxBlockAgeIsAbove256() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidMaxBlockAge.selector, 257));
        _newGuard(admin, address(registry), guardianAddresses, 2, 257, PAUSE_DURATION);
    }

    function test_RevertWhen_InitializePauseDurationIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseDuration.selector, 0, 3 days));
        _newGuard(admin, address(registry), guardianAddresses, 2, MAX_BLOCK_AGE, 0);
    }

    function test_RevertWhen_InitializePauseDurationExceedsTheMax() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseDuration.selector, 3 days + 1, 3 days));
        _newGuard(admin, address(registry), guardianAddresses, 2, MAX_BLOCK_AGE, 3 days + 1);
    }

    function test_RevertWhen_InitializeHasMoreThanMaxGuardians() public {
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.TooManyGuardians.selector, 16));
        _newGuard(admin, address(registry), _strangers(17), 2, MAX_BLOCK_AGE, PAUSE_DURATION);
    }

    // =================================================================================================================
    // attestationDigest and unvetDigest
    // =================================================================================================================

    function test_AttestationDigest_IsTheEip712TypedDataHash() public view {
        bytes32 root = keccak256("root");
        bytes32 hash = keccak256("hash");
        bytes32 structHash = keccak256(abi.encode(ATTESTATION_TYPEHASH, root, uint256(7), uint256(123), hash));
        assertEq(
            guard.attestationDigest(root, 7, 123, hash),
            keccak256(abi.encodePacked(hex"1901", _domainSeparator(address(guard)), structHash)),
            "attestationDigest"
        );
    }

    function test_UnvetDigest_IsTheEip712TypedDataHash() public view {
        bytes32 hash = keccak256("hash");
        bytes32 structHash = keccak256(abi.encode(UNVET_TYPEHASH, uint256(4), uint256(7), uint256(123), hash));
        assertEq(
            guard.unvetDigest(4, 7, 123, hash),
            keccak256(abi.encodePacked(hex"1901", _domainSeparator(address(guard)), structHash)),
            "unvetDigest"
        );
    }

    function test_AttestationDigest_DiffersPerFieldAndFromUnvetDigest() public view {
        bytes32 root = keccak256("root");
        bytes32 hash = keccak256("hash");
        bytes32 digest = guard.attestationDigest(root, 7, 123, hash);
        assertTrue(digest != guard.attestationDigest(keccak256("other"), 7, 123, hash), "depositRoot is signed");
        assertTrue(digest != guard.attestationDigest(root, 8, 123, hash), "registryNonce is signed");
        assertTrue(digest != guard.attestationDigest(root, 7, 124, hash), "blockNumber is signed");
        assertTrue(digest != guard.attestationDigest(root, 7, 123, keccak256("other")), "blockHash is signed");
        assertTrue(digest != guard.unvetDigest(uint256(root), 7, 123, hash), "a different type");
    }

    function test_AttestationDigest_IsBoundToTheGuardProxy() public {
        DepositGuard other = _newGuard(admin, address(registry), guardianAddresses, 2, MAX_BLOCK_AGE, PAUSE_DURATION);
        bytes32 root = keccak256("root");
        assertTrue(
            guard.attestationDigest(root, 1, 2, root) != other.attestationDigest(root, 1, 2, root),
            "two guards, two digests"
        );
    }

    // =================================================================================================================
    // checkAttestation
    // =================================================================================================================

    function test_CheckAttestation_AcceptsAQuorum() public view {
        guard.checkAttestation(_attestation(2));
    }

    function test_CheckAttestation_AcceptsEveryGuardian() public view {
        guard.checkAttestation(_attestation(3));
    }

    function test_CheckAttestation_AcceptsAnyQuorumOfGuardians() public view {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        bytes32 digest = _digest(attestation);
        attestation.signatures = _signatures(_keys(guardianKeys[0], guardianKeys[2]), digest);
        guard.checkAttestation(attestation);
        attestation.signatures = _signatures(_keys(guardianKeys[1], guardianKeys[2]), digest);
        guard.checkAttestation(attestation);
    }

    function test_CheckAttestation_AcceptsABlockMaxBlockAgeOld() public {
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.roll(block.number + MAX_BLOCK_AGE - 1);
        assertEq(block.number - attestation.blockNumber, MAX_BLOCK_AGE, "age");
        guard.checkAttestation(attestation);
    }

    function test_CheckAttestation_Accepts256BlocksOldWithTheLargestMaxBlockAge() public {
        vm.prank(admin);
        guard.setMaxBlockAge(256);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.roll(block.number + 255);
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_CheckAttestationWhileStakingIsPaused() public {
        IDepositGuard.Attestation memory attestation = _attestation(3);
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, block.timestamp + PAUSE_DURATION)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockIsTheCurrentBlock() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.blockNumber = block.number;
        _resign(attestation, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.UnknownBlockHash.selector, block.number, attestation.blockHash)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockIsInTheFuture() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.blockNumber = block.number + 1;
        _resign(attestation, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.UnknownBlockHash.selector, block.number + 1, attestation.blockHash)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockHashIsAnotherBlocks() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.blockHash = blockhash(block.number - 2);
        _resign(attestation, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.UnknownBlockHash.selector,
                block.number - 1,
                blockhash(block.number - 2)
            )
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockHashIsZero() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.blockHash = bytes32(0);
        _resign(attestation, 2);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.UnknownBlockHash.selector, block.number - 1, bytes32(0)));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockHashIsZeroForAForgottenBlock() public {
        // blockhash() is zero for a block more than 256 back: a zero hash must not match it.
        IDepositGuard.Attestation memory attestation = _attestation(0);
        vm.roll(block.number + 300);
        attestation.blockNumber = block.number - 300;
        attestation.blockHash = bytes32(0);
        _resign(attestation, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.UnknownBlockHash.selector, block.number - 300, bytes32(0))
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationBlockIsMoreThan256Back() public {
        vm.prank(admin);
        guard.setMaxBlockAge(256);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.roll(block.number + 256);
        assertEq(block.number - attestation.blockNumber, 257, "age");
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.UnknownBlockHash.selector,
                attestation.blockNumber,
                attestation.blockHash
            )
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationIsTooOld() public {
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.roll(block.number + MAX_BLOCK_AGE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.AttestationTooOld.selector,
                attestation.blockNumber,
                MAX_BLOCK_AGE + 1,
                MAX_BLOCK_AGE
            )
        );
        guard.checkAttestation(attestation);
    }

    function testFuzz_RevertWhen_AttestationIsTooOld(uint256 age) public {
        // Older than maxBlockAge, young enough that the chain still knows the hash.
        age = bound(age, MAX_BLOCK_AGE + 1, 256);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.roll(attestation.blockNumber + age);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.AttestationTooOld.selector,
                attestation.blockNumber,
                age,
                MAX_BLOCK_AGE
            )
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_DepositRootChangedAfterTheAttestation() public {
        _addOperatorWithKeys(1, 1);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        bytes32 newRoot = _depositWithForeignCredentials(0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.DepositRootChanged.selector, attestation.depositRoot, newRoot)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_FrontRunningDepositLandsBetweenAttestationAndStaking() public {
        // An operator's key is about to be staked; the guardians attest the state they checked.
        uint256 operatorId = _addOperatorWithKeys(2, 2);
        _fundBuffer(VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        bytes32 attestedRoot = attestation.depositRoot;

        // The operator (or anyone with its deposit data) front-runs with the same key and its own credentials: the
        // beacon chain would keep those credentials and the pool's 32 ether would follow them.
        bytes32 newRoot = _depositWithForeignCredentials(operatorId, 0);
        assertTrue(newRoot != attestedRoot, "the front-running deposit moved the root");

        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.DepositRootChanged.selector, attestedRoot, newRoot));
        pool.depositValidators(segments, attestation);

        assertEq(pool.getAccounting().bufferedEther, VALIDATOR_DEPOSIT + INITIAL_DEPOSIT, "the buffer stays");
        assertEq(registry.getOperator(operatorId).depositedKeys, 0, "no key used");
        assertEq(beaconDeposit.get_deposit_count(), _littleEndian64(1), "only the front-runner's deposit");
    }

    function test_RevertWhen_RegistryKeysWereAddedAfterTheAttestation() public {
        uint256 operatorId = _addOperatorWithKeys(1, 1);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        uint256 attestedNonce = attestation.registryNonce;
        _addKeys(operatorId, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.RegistryNonceChanged.selector, attestedNonce, attestedNonce + 1)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_RegistryKeysWereVettedAfterTheAttestation() public {
        uint256 operatorId = _addOperatorWithKeys(2, 1);
        _fundBuffer(VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        uint256 attestedNonce = attestation.registryNonce;
        _vet(operatorId, 2);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.RegistryNonceChanged.selector, attestedNonce, attestedNonce + 1)
        );
        pool.depositValidators(segments, attestation);
    }

    function test_RevertWhen_AttestationHasNoSignatures() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, 0, 2));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationHasFewerSignaturesThanTheQuorum() public {
        IDepositGuard.Attestation memory attestation = _attestation(1);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, 1, 2));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignersAreNotSorted() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(_keys(guardianKeys[1], guardianKeys[0]), _digest(attestation));
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.SignersNotSorted.selector, guardianAddresses[1], guardianAddresses[0])
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignerRepeats() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(_keys(guardianKeys[0], guardianKeys[0]), _digest(attestation));
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.SignersNotSorted.selector, guardianAddresses[0], guardianAddresses[0])
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationRepeatsASignatureToReachTheQuorum() public {
        // The same signature twice, with a third signer: still refused, whatever comes after.
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(
            _keys(guardianKeys[0], guardianKeys[0], guardianKeys[1]),
            _digest(attestation)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.SignersNotSorted.selector, guardianAddresses[0], guardianAddresses[0])
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignerIsAStranger() public {
        IDepositGuard.Attestation memory attestation = _attestation(0);
        // The stranger first: sorting cannot fail before its turn.
        attestation.signatures = _signatures(_keys(strangerKey, guardianKeys[2]), _digest(attestation));
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, stranger));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignerWasRemoved() public {
        vm.prank(admin);
        guard.removeGuardian(guardianAddresses[2]);
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(_keys(guardianKeys[0], guardianKeys[2]), _digest(attestation));
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, guardianAddresses[2]));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignatureIsForAnotherDigest() public {
        // Signed for another block: it recovers to some unrelated address, which is no guardian.
        IDepositGuard.Attestation memory attestation = _attestation(0);
        bytes32 wrongDigest = guard.attestationDigest(
            attestation.depositRoot,
            attestation.registryNonce,
            attestation.blockNumber - 1,
            attestation.blockHash
        );
        attestation.signatures = _signatures(_keys(guardianKeys[0], guardianKeys[1]), wrongDigest);
        address recovered = ECDSA.recover(
            _digest(attestation),
            attestation.signatures[0].r,
            attestation.signatures[0].vs
        );
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, recovered));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignatureIsMalformed() public {
        IDepositGuard.Attestation memory attestation = _attestation(2);
        attestation.signatures[0].r = bytes32(0);
        vm.expectRevert(ECDSA.ECDSAInvalidSignature.selector);
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_AttestationSignatureHasAHighS() public {
        // An `s` in the upper half of the curve order (the malleable range, which ecrecover accepts) is refused.
        IDepositGuard.Attestation memory attestation = _attestation(2);
        uint256 highS = HALF_ORDER + 1;
        attestation.signatures[0].vs = bytes32(highS);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, bytes32(highS)));
        guard.checkAttestation(attestation);
    }

    function testFuzz_CheckAttestation_AcceptsOnlyASortedGuardianQuorum(
        uint256 quorum,
        uint256 count,
        uint256 seed,
        bool sort
    ) public {
        quorum = bound(quorum, 1, 3);
        count = bound(count, 0, 5);
        vm.prank(admin);
        guard.setQuorum(quorum);

        // Signers drawn from the three guardians and a stranger, repeats allowed, sorted or not.
        uint256[] memory candidates = _keys(guardianKeys[0], guardianKeys[1], guardianKeys[2], strangerKey);
        uint256[] memory keys = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            keys[i] = candidates[uint256(keccak256(abi.encode(seed, i))) % candidates.length];
        }
        if (sort) _sortByAddress(keys);
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(keys, _digest(attestation));

        bool ascending = true;
        bool allGuardians = true;
        for (uint256 i; i < count; ++i) {
            if (i != 0 && vm.addr(keys[i]) <= vm.addr(keys[i - 1])) ascending = false;
            if (keys[i] == strangerKey) allGuardians = false;
        }
        bool expected = ascending && allGuardians && count >= quorum;

        try guard.checkAttestation(attestation) {
            assertTrue(expected, "accepted: sorted strictly ascending, all guardians, at least a quorum");
        } catch (bytes memory reason) {
            assertFalse(expected, "refused a sorted quorum of guardians");
            assertEq(reason, _expectedQuorumError(keys, quorum), "revert data");
        }
    }

    // =================================================================================================================
    // depositValidators through the guard
    // =================================================================================================================

    function test_DepositValidators_StakesWithAQuorumAttestation() public {
        uint256 operatorId = _addOperatorWithKeys(2, 2);
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(2);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ValidatorsDeposited(2, 2 * VALIDATOR_DEPOSIT);
        pool.depositValidators(segments, attestation);
        assertEq(registry.getOperator(operatorId).depositedKeys, 2, "keys used");
        assertEq(beaconDeposit.get_deposit_count(), _littleEndian64(2), "deposits");
    }

    function test_RevertWhen_DepositValidatorsReplaysAnAttestation() public {
        // The pool's own deposit moves the root: an attestation serves once.
        _addOperatorWithKeys(2, 2);
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        pool.depositValidators(_segmentsFor(1), attestation);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.DepositRootChanged.selector,
                attestation.depositRoot,
                beaconDeposit.get_deposit_root()
            )
        );
        pool.depositValidators(segments, attestation);
    }

    // =================================================================================================================
    // unvetKeys
    // =================================================================================================================

    function test_UnvetKeys_LowersVettedToDepositedAndEmits() public {
        uint256 operatorId = _addOperatorWithKeys(5, 5);
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        _stake(2);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            2
        );

        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.KeysUnvetted(operatorId, nonce);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.VettedKeysSet(operatorId, 2);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.NonceChanged(nonce + 1);
        // Anyone may submit the guardians' signatures.
        vm.prank(stranger);
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertEq(operator.vettedKeys, 2, "vetted keys = deposited keys");
        assertEq(operator.depositedKeys, 2, "deposited keys");
        assertEq(operator.totalKeys, 5, "total keys");
        assertEq(registry.nonce(), nonce + 1, "nonce");
        (, uint256 allocated) = registry.allocate(1);
        assertEq(allocated, 0, "nothing left to stake");
    }

    function test_UnvetKeys_LeavesOtherOperatorsAlone() public {
        uint256 first = _addOperatorWithKeys(3, 3);
        uint256 second = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            second,
            nonce,
            3
        );
        guard.unvetKeys(second, nonce, blockNumber, blockHash, signatures);
        assertEq(registry.getOperator(first).vettedKeys, 3, "the other operator's vetted keys");
        assertEq(registry.getOperator(second).vettedKeys, 0, "the unvetted operator's vetted keys");
    }

    function test_UnvetKeys_WorksWhileStakingIsPaused() public {
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        vm.prank(guardianAddresses[1]);
        guard.pauseStaking();
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            2
        );
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
        assertEq(registry.getOperator(operatorId).vettedKeys, 0, "vetted keys");
    }

    function test_UnvetKeys_IgnoresTheDepositRoot() public {
        // A deposit between signing and submitting (the very attack unvetting answers) does not void the unvet.
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            2
        );
        _depositWithForeignCredentials(operatorId, 1);
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
        assertEq(registry.getOperator(operatorId).vettedKeys, 0, "vetted keys");
    }

    function test_RevertWhen_UnvetKeysIsReplayed() public {
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            2
        );
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
        // Governance vets again; the old signatures cannot undo it.
        _vet(operatorId, 3);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.RegistryNonceChanged.selector, nonce, nonce + 2));
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
    }

    function test_RevertWhen_UnvetKeysHasTooFewSignatures() public {
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            1
        );
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, 1, 2));
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
    }

    function test_RevertWhen_UnvetKeysSignaturesAreForAnotherOperator() public {
        _addOperatorWithKeys(3, 3);
        uint256 target = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            target,
            nonce,
            2
        );
        address recovered = ECDSA.recover(
            guard.unvetDigest(0, nonce, blockNumber, blockHash),
            signatures[0].r,
            signatures[0].vs
        );
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, recovered));
        guard.unvetKeys(0, nonce, blockNumber, blockHash, signatures);
    }

    function test_RevertWhen_UnvetKeysUsesAnAttestation() public {
        // Deposit attestations are another EIP-712 type: they cannot unvet.
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        address recovered = ECDSA.recover(
            guard.unvetDigest(operatorId, attestation.registryNonce, attestation.blockNumber, attestation.blockHash),
            attestation.signatures[0].r,
            attestation.signatures[0].vs
        );
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, recovered));
        guard.unvetKeys(
            operatorId,
            attestation.registryNonce,
            attestation.blockNumber,
            attestation.blockHash,
            attestation.signatures
        );
    }

    function test_RevertWhen_UnvetKeysBlockIsTooOld() public {
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            operatorId,
            nonce,
            2
        );
        vm.roll(block.number + MAX_BLOCK_AGE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDepositGuard.AttestationTooOld.selector,
                blockNumber,
                MAX_BLOCK_AGE + 1,
                MAX_BLOCK_AGE
            )
        );
        guard.unvetKeys(operatorId, nonce, blockNumber, blockHash, signatures);
    }

    function test_RevertWhen_UnvetKeysBlockHashIsUnknown() public {
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        uint256 nonce = registry.nonce();
        bytes32 wrongHash = blockhash(block.number - 2);
        bytes32 digest = guard.unvetDigest(operatorId, nonce, block.number - 1, wrongHash);
        IDepositGuard.Signature[] memory signatures = _signatures(_keys(guardianKeys[0], guardianKeys[1]), digest);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.UnknownBlockHash.selector, block.number - 1, wrongHash));
        guard.unvetKeys(operatorId, nonce, block.number - 1, wrongHash, signatures);
    }

    function test_RevertWhen_UnvetKeysOperatorDoesNotExist() public {
        uint256 nonce = registry.nonce();
        (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) = _unvetSignatures(
            7,
            nonce,
            2
        );
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 7));
        guard.unvetKeys(7, nonce, blockNumber, blockHash, signatures);
    }

    function test_RevertWhen_RegistryUnvetKeysCallerIsNotTheGuard() public {
        // The guard's quorum check is the only way in: the registry's role is the guard's alone.
        uint256 operatorId = _addOperatorWithKeys(3, 3);
        bytes32 unvetRole = registry.UNVET_KEYS_ROLE();
        assertTrue(registry.hasRole(unvetRole, address(guard)), "the guard holds UNVET_KEYS_ROLE");
        assertFalse(registry.hasRole(unvetRole, admin), "the admin does not");
        vm.prank(guardianAddresses[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardianAddresses[0],
                unvetRole
            )
        );
        registry.unvetKeys(operatorId);
    }

    // =================================================================================================================
    // pauseStaking
    // =================================================================================================================

    function test_PauseStaking_PausesForThePauseDurationAndEmits() public {
        address guardian = guardianAddresses[0];
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(guardian, block.timestamp + PAUSE_DURATION);
        vm.prank(guardian);
        guard.pauseStaking();

        assertEq(guard.stakingPausedUntil(), block.timestamp + PAUSE_DURATION, "stakingPausedUntil");
        assertTrue(guard.pauseUsed(guardian), "pauseUsed");
        assertFalse(guard.pauseUsed(guardianAddresses[1]), "another guardian's pause");
    }

    function test_RevertWhen_PauseStakingCallerIsNotAGuardian() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, stranger));
        guard.pauseStaking();
    }

    function test_RevertWhen_PauseStakingCallerIsTheAdmin() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, admin));
        guard.pauseStaking();
    }

    function test_RevertWhen_PauseStakingIsUsedTwice() public {
        address guardian = guardianAddresses[0];
        vm.prank(guardian);
        guard.pauseStaking();
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.PauseAlreadyUsed.selector, guardian));
        guard.pauseStaking();

        // Not even after the pause ended.
        vm.warp(block.timestamp + PAUSE_DURATION + 1);
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.PauseAlreadyUsed.selector, guardian));
        guard.pauseStaking();
    }

    function test_PauseStaking_ASecondGuardianExtendsOnlyToItsOwnEnd() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.warp(block.timestamp + 6 hours);

        uint256 secondEnd = block.timestamp + PAUSE_DURATION;
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(guardianAddresses[1], secondEnd);
        vm.prank(guardianAddresses[1]);
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), secondEnd, "stakingPausedUntil: the second guardian's now + duration");
    }

    function test_PauseStaking_NeverShortensARunningPause() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        uint256 firstEnd = block.timestamp + PAUSE_DURATION;
        vm.prank(admin);
        guard.setPauseDuration(1 hours);
        vm.warp(block.timestamp + 1 hours);

        // The second pause would end earlier: the first one's end stands, and the event says so.
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(guardianAddresses[1], firstEnd);
        vm.prank(guardianAddresses[1]);
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), firstEnd, "stakingPausedUntil: the first guardian's end");
        assertTrue(guard.pauseUsed(guardianAddresses[1]), "the second guardian's pause is spent all the same");
    }

    function testFuzz_PauseStaking_EndsAtTheLaterOfBothEnds(uint256 gap, uint256 secondDuration) public {
        gap = bound(gap, 0, 2 * PAUSE_DURATION);
        secondDuration = bound(secondDuration, 1, 3 days);
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        uint256 firstEnd = block.timestamp + PAUSE_DURATION;
        vm.prank(admin);
        guard.setPauseDuration(secondDuration);
        vm.warp(block.timestamp + gap);

        vm.prank(guardianAddresses[1]);
        guard.pauseStaking();
        uint256 secondEnd = block.timestamp + secondDuration;
        uint256 until = guard.stakingPausedUntil();
        assertEq(until, firstEnd > secondEnd ? firstEnd : secondEnd, "stakingPausedUntil: the later end");
        assertLe(until, block.timestamp + 3 days, "never beyond now + MAX_PAUSE_DURATION");
    }

    function test_PauseStaking_BlocksStakingUntilItExpires() public {
        _addOperatorWithKeys(2, 2);
        _fundBuffer(2 * VALIDATOR_DEPOSIT);
        vm.prank(guardianAddresses[2]);
        guard.pauseStaking();
        uint256 until = block.timestamp + PAUSE_DURATION;

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, until));
        pool.depositValidators(segments, attestation);

        vm.warp(until - 1);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, until));
        pool.depositValidators(segments, attestation);

        // The pause ends by itself, at `until` exactly.
        vm.warp(until);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ValidatorsDeposited(1, VALIDATOR_DEPOSIT);
        pool.depositValidators(segments, attestation);
    }

    function test_PauseStaking_LeavesUserDepositsAlone() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        _fundBuffer(1 ether);
        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT + 1 ether, "buffered ether");
    }

    function test_AddGuardian_GrantsASpentGuardianANewPause() public {
        address guardian = guardianAddresses[0];
        vm.prank(guardian);
        guard.pauseStaking();
        vm.warp(block.timestamp + PAUSE_DURATION);

        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.GuardianAdded(guardian);
        vm.prank(admin);
        guard.addGuardian(guardian);
        assertFalse(guard.pauseUsed(guardian), "pauseUsed after the new grant");
        assertEq(guard.guardians().length, 3, "still three guardians");

        vm.prank(guardian);
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), block.timestamp + PAUSE_DURATION, "paused again");
    }

    function test_RemoveGuardian_ResetsPauseUsed() public {
        address guardian = guardianAddresses[0];
        vm.prank(guardian);
        guard.pauseStaking();
        vm.prank(admin);
        guard.removeGuardian(guardian);
        assertFalse(guard.pauseUsed(guardian), "pauseUsed after removal");

        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, guardian));
        guard.pauseStaking();

        // Back as a new guardian, with a fresh pause.
        vm.prank(admin);
        guard.addGuardian(guardian);
        vm.warp(block.timestamp + PAUSE_DURATION);
        vm.prank(guardian);
        guard.pauseStaking();
        assertTrue(guard.pauseUsed(guardian), "pauseUsed after pausing again");
    }

    // =================================================================================================================
    // resumeStaking
    // =================================================================================================================

    function test_ResumeStaking_EndsThePauseAndEmits() public {
        _addOperatorWithKeys(1, 1);
        _fundBuffer(VALIDATOR_DEPOSIT);
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();

        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingResumed();
        vm.prank(admin);
        guard.resumeStaking();

        assertEq(guard.stakingPausedUntil(), 0, "stakingPausedUntil");
        assertTrue(guard.pauseUsed(guardianAddresses[0]), "the guardian's pause stays spent");
        _stake(1);
        assertEq(pool.getAccounting().depositedValidators, 1, "staking works again");
    }

    function test_ResumeStaking_ByTheEmergencyPause() public {
        // The emergency pause holds RESUME_ROLE, to resume on governance's behalf (its `resume`).
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();

        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingResumed();
        vm.prank(address(emergencyPause));
        guard.resumeStaking();
        assertEq(guard.stakingPausedUntil(), 0, "stakingPausedUntil");
    }

    function test_ResumeStaking_EndsAnEmergencyPause() public {
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(block.timestamp + 5 days);

        vm.prank(admin);
        guard.resumeStaking();
        assertEq(guard.stakingPausedUntil(), 0, "stakingPausedUntil");
    }

    function test_RevertWhen_ResumeStakingCallerLacksTheResumeRole() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();

        // Neither a guardian (pausing does not entitle one to resume) nor a stranger.
        vm.prank(guardianAddresses[1]);
        _expectUnauthorized(guardianAddresses[1], resumeRole);
        guard.resumeStaking();
        vm.prank(stranger);
        _expectUnauthorized(stranger, resumeRole);
        guard.resumeStaking();
        vm.prank(pauseGuardian);
        _expectUnauthorized(pauseGuardian, resumeRole);
        guard.resumeStaking();

        // Nor a holder of PAUSE_ROLE alone.
        vm.prank(admin);
        guard.grantRole(pauseRole, attacker);
        vm.prank(attacker);
        _expectUnauthorized(attacker, resumeRole);
        guard.resumeStaking();
        assertGt(guard.stakingPausedUntil(), block.timestamp, "still paused");
    }

    function test_RevertWhen_ResumeStakingWhenNotPaused() public {
        vm.prank(admin);
        vm.expectRevert(IDepositGuard.StakingNotPaused.selector);
        guard.resumeStaking();
    }

    function test_RevertWhen_ResumeStakingAfterThePauseExpired() public {
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.warp(block.timestamp + PAUSE_DURATION);
        vm.prank(admin);
        vm.expectRevert(IDepositGuard.StakingNotPaused.selector);
        guard.resumeStaking();
    }

    // =================================================================================================================
    // pauseStakingUntil
    // =================================================================================================================

    function test_PauseStakingUntil_SetsTheEndAndEmits() public {
        uint256 until = block.timestamp + 10 days;
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(address(emergencyPause), until);
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(until);

        assertEq(guard.stakingPausedUntil(), until, "stakingPausedUntil");
        // No guardian's pause is spent by it.
        for (uint256 i; i < 3; ++i) assertFalse(guard.pauseUsed(guardianAddresses[i]), "pauseUsed");
    }

    function test_PauseStakingUntil_ThroughTheEmergencyPauseGuardian() public {
        uint256 until = block.timestamp + 2 days;
        uint256 staking = emergencyPause.STAKING();
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.StakingPaused(address(emergencyPause), until);
        vm.prank(pauseGuardian);
        emergencyPause.pause(staking, 2 days);
        assertEq(guard.stakingPausedUntil(), until, "stakingPausedUntil");
    }

    function test_PauseStakingUntil_ReplacesTheEnd() public {
        // The guard takes the end it is given, even an earlier one: the emergency pause never passes one that would
        // shorten a running pause.
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(block.timestamp + 1 hours);
        assertEq(guard.stakingPausedUntil(), block.timestamp + 1 hours, "an earlier end");

        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(block.timestamp + 7 days);
        assertEq(guard.stakingPausedUntil(), block.timestamp + 7 days, "a later end");
    }

    function test_PauseStakingUntil_AcceptsTheLastUint32Timestamp() public {
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(type(uint32).max);
        assertEq(guard.stakingPausedUntil(), type(uint32).max, "stakingPausedUntil");
    }

    function test_PauseStakingUntil_BlocksStakingUntilItExpires() public {
        _addOperatorWithKeys(1, 1);
        _fundBuffer(VALIDATOR_DEPOSIT);
        uint256 until = block.timestamp + 5 days;
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(until);

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        vm.warp(until - 1);
        IDepositGuard.Attestation memory attestation = _attestation(2);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.StakingIsPaused.selector, until));
        pool.depositValidators(segments, attestation);

        // The pause ends by itself, at `until` exactly.
        vm.warp(until);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.ValidatorsDeposited(1, VALIDATOR_DEPOSIT);
        pool.depositValidators(segments, attestation);
    }

    function test_PauseStakingUntil_LeavesTheGuardiansPausesUsable() public {
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(block.timestamp + 1 hours);

        // A guardian's own pause still works, and lengthens the emergency one.
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), block.timestamp + PAUSE_DURATION, "the guardian's end");
    }

    function test_RevertWhen_PauseStakingUntilCallerLacksTheRole() public {
        // Not governance (it holds no PAUSE_ROLE), not a guardian, not a holder of RESUME_ROLE.
        vm.prank(admin);
        _expectUnauthorized(admin, pauseRole);
        guard.pauseStakingUntil(block.timestamp + 1 days);
        vm.prank(guardianAddresses[0]);
        _expectUnauthorized(guardianAddresses[0], pauseRole);
        guard.pauseStakingUntil(block.timestamp + 1 days);
        vm.prank(pauseGuardian);
        _expectUnauthorized(pauseGuardian, pauseRole);
        guard.pauseStakingUntil(block.timestamp + 1 days);
        vm.prank(admin);
        guard.grantRole(resumeRole, stranger);
        vm.prank(stranger);
        _expectUnauthorized(stranger, pauseRole);
        guard.pauseStakingUntil(block.timestamp + 1 days);
        assertEq(guard.stakingPausedUntil(), 0, "not paused");
    }

    function test_RevertWhen_PauseStakingUntilEndIsNow() public {
        vm.prank(address(emergencyPause));
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.InvalidPauseEnd.selector, block.timestamp, block.timestamp)
        );
        guard.pauseStakingUntil(block.timestamp);
    }

    function test_RevertWhen_PauseStakingUntilEndIsInThePast() public {
        uint256 until = block.timestamp - 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseEnd.selector, until, block.timestamp));
        guard.pauseStakingUntil(until);
    }

    function test_RevertWhen_PauseStakingUntilEndIsAboveUint32() public {
        uint256 until = uint256(type(uint32).max) + 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseEnd.selector, until, block.timestamp));
        guard.pauseStakingUntil(until);
    }

    function testFuzz_PauseStakingUntil_AcceptsExactlyTheFutureUint32Ends(uint256 until) public {
        bool valid = until > block.timestamp && until <= type(uint32).max;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseEnd.selector, until, block.timestamp));
        }
        vm.prank(address(emergencyPause));
        guard.pauseStakingUntil(until);
        assertEq(guard.stakingPausedUntil(), valid ? until : 0, "stakingPausedUntil");
    }

    // =================================================================================================================
    // addGuardian and removeGuardian
    // =================================================================================================================

    function test_AddGuardian_AddsAndEmits() public {
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.GuardianAdded(stranger);
        vm.prank(admin);
        guard.addGuardian(stranger);

        assertTrue(guard.isGuardian(stranger), "isGuardian");
        assertFalse(guard.pauseUsed(stranger), "pauseUsed");
        address[] memory guardians = guard.guardians();
        assertEq(guardians.length, 4, "guardian count");
        assertEq(guardians[3], stranger, "the new guardian comes last");
        assertEq(guard.quorum(), GUARDIAN_QUORUM, "the quorum stays");

        // The new guardian signs and pauses.
        IDepositGuard.Attestation memory attestation = _attestation(0);
        uint256[] memory keys = _keys(guardianKeys[0], strangerKey);
        _sortByAddress(keys);
        attestation.signatures = _signatures(keys, _digest(attestation));
        guard.checkAttestation(attestation);
        vm.prank(stranger);
        guard.pauseStaking();
        assertTrue(guard.pauseUsed(stranger), "the new guardian paused");
    }

    function test_AddGuardian_AcceptsUpToSixteen() public {
        address[] memory extra = _strangers(13);
        vm.startPrank(admin);
        for (uint256 i; i < extra.length; ++i) guard.addGuardian(extra[i]);
        vm.stopPrank();
        assertEq(guard.guardians().length, 16, "guardian count");
    }

    function test_RevertWhen_AddGuardianExceedsTheMax() public {
        address[] memory extra = _strangers(14);
        vm.startPrank(admin);
        for (uint256 i; i < 13; ++i) guard.addGuardian(extra[i]);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.TooManyGuardians.selector, 16));
        guard.addGuardian(extra[13]);
        vm.stopPrank();
    }

    function test_AddGuardian_RenewsAPauseEvenWithSixteenGuardians() public {
        address[] memory extra = _strangers(13);
        vm.startPrank(admin);
        for (uint256 i; i < extra.length; ++i) guard.addGuardian(extra[i]);
        vm.stopPrank();
        vm.prank(extra[0]);
        guard.pauseStaking();

        vm.prank(admin);
        guard.addGuardian(extra[0]);
        assertFalse(guard.pauseUsed(extra[0]), "pauseUsed");
        assertEq(guard.guardians().length, 16, "guardian count");
    }

    function test_RevertWhen_AddGuardianCallerIsNotAdmin() public {
        vm.prank(guardianAddresses[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardianAddresses[0],
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.addGuardian(stranger);
    }

    function test_RevertWhen_AddGuardianIsZero() public {
        vm.prank(admin);
        vm.expectRevert(IDepositGuard.ZeroAddress.selector);
        guard.addGuardian(address(0));
    }

    function test_RevertWhen_AddGuardianWhosePauseIsUnused() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.AlreadyAGuardian.selector, guardianAddresses[1]));
        guard.addGuardian(guardianAddresses[1]);
    }

    function test_RemoveGuardian_RemovesAndEmits() public {
        address removed = guardianAddresses[0];
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.GuardianRemoved(removed);
        vm.prank(admin);
        guard.removeGuardian(removed);

        assertFalse(guard.isGuardian(removed), "isGuardian");
        address[] memory guardians = guard.guardians();
        assertEq(guardians.length, 2, "guardian count");
        for (uint256 i; i < guardians.length; ++i) {
            assertTrue(guardians[i] != removed, "the removed guardian is not listed");
            assertTrue(guard.isGuardian(guardians[i]), "the others stay");
        }
        // The other two still make the quorum.
        IDepositGuard.Attestation memory attestation = _attestation(0);
        attestation.signatures = _signatures(_keys(guardianKeys[1], guardianKeys[2]), _digest(attestation));
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_RemoveGuardianCallerIsNotAdmin() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.removeGuardian(guardianAddresses[0]);
    }

    function test_RevertWhen_RemoveGuardianIsNotAGuardian() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, stranger));
        guard.removeGuardian(stranger);
    }

    function test_RevertWhen_RemoveGuardianLeavesFewerThanTheQuorum() public {
        vm.startPrank(admin);
        guard.removeGuardian(guardianAddresses[0]);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 2, 1));
        guard.removeGuardian(guardianAddresses[1]);
        vm.stopPrank();
        assertTrue(guard.isGuardian(guardianAddresses[1]), "the guardian stays");
    }

    // =================================================================================================================
    // setQuorum, setMaxBlockAge, setPauseDuration
    // =================================================================================================================

    function test_SetQuorum_SetsAndEmits() public {
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.QuorumSet(3);
        vm.prank(admin);
        guard.setQuorum(3);
        assertEq(guard.quorum(), 3, "quorum");

        IDepositGuard.Attestation memory twoSignatures = _attestation(2);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, 2, 3));
        guard.checkAttestation(twoSignatures);
        guard.checkAttestation(_attestation(3));

        vm.prank(admin);
        guard.setQuorum(1);
        guard.checkAttestation(_attestation(1));
    }

    function test_RevertWhen_SetQuorumCallerIsNotAdmin() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.setQuorum(1);
    }

    function test_RevertWhen_SetQuorumIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 0, 3));
        guard.setQuorum(0);
    }

    function testFuzz_RevertWhen_SetQuorumExceedsTheGuardians(uint256 quorum) public {
        quorum = bound(quorum, 4, type(uint256).max);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, quorum, 3));
        guard.setQuorum(quorum);
    }

    function test_SetMaxBlockAge_SetsAndEmits() public {
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.MaxBlockAgeSet(1);
        vm.prank(admin);
        guard.setMaxBlockAge(1);
        assertEq(guard.maxBlockAge(), 1, "maxBlockAge");

        IDepositGuard.Attestation memory attestation = _attestation(2);
        guard.checkAttestation(attestation);
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDepositGuard.AttestationTooOld.selector, attestation.blockNumber, 2, 1)
        );
        guard.checkAttestation(attestation);
    }

    function test_RevertWhen_SetMaxBlockAgeCallerIsNotAdmin() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.setMaxBlockAge(64);
    }

    function test_RevertWhen_SetMaxBlockAgeIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidMaxBlockAge.selector, 0));
        guard.setMaxBlockAge(0);
    }

    function testFuzz_RevertWhen_SetMaxBlockAgeIsAbove256(uint256 maxBlockAge) public {
        maxBlockAge = bound(maxBlockAge, 257, type(uint256).max);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidMaxBlockAge.selector, maxBlockAge));
        guard.setMaxBlockAge(maxBlockAge);
    }

    function test_SetPauseDuration_SetsAndEmits() public {
        vm.expectEmit(true, true, true, true, address(guard));
        emit IDepositGuard.PauseDurationSet(3 days);
        vm.prank(admin);
        guard.setPauseDuration(3 days);
        assertEq(guard.pauseDuration(), 3 days, "pauseDuration");

        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        assertEq(guard.stakingPausedUntil(), block.timestamp + 3 days, "the next pause lasts the new duration");
    }

    function test_SetPauseDuration_LeavesARunningPauseAlone() public {
        // The bound is the duration in force when a guardian paused: lowering it later does not cut the pause short
        // (governance has resumeStaking for that).
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        uint256 until = block.timestamp + PAUSE_DURATION;
        vm.prank(admin);
        guard.setPauseDuration(1 hours);
        assertEq(guard.stakingPausedUntil(), until, "stakingPausedUntil");
    }

    function test_RevertWhen_SetPauseDurationCallerIsNotAdmin() public {
        vm.prank(guardianAddresses[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardianAddresses[0],
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.setPauseDuration(1 hours);
    }

    function test_RevertWhen_SetPauseDurationIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseDuration.selector, 0, 3 days));
        guard.setPauseDuration(0);
    }

    function testFuzz_RevertWhen_SetPauseDurationExceedsTheMax(uint256 pauseDuration) public {
        pauseDuration = bound(pauseDuration, 3 days + 1, type(uint256).max);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDepositGuard.InvalidPauseDuration.selector, pauseDuration, 3 days));
        guard.setPauseDuration(pauseDuration);
    }

    // =================================================================================================================
    // upgradeToAndCall
    // =================================================================================================================

    function test_UpgradeToAndCall_PreservesState() public {
        vm.startPrank(admin);
        guard.addGuardian(stranger);
        guard.setQuorum(3);
        guard.setMaxBlockAge(100);
        guard.setPauseDuration(2 days);
        vm.stopPrank();
        vm.prank(guardianAddresses[0]);
        guard.pauseStaking();
        uint256 until = guard.stakingPausedUntil();
        bytes32 digest = guard.attestationDigest(bytes32(0), 1, 2, bytes32(0));

        DepositGuard newImplementation = new DepositGuard(IDepositContract(address(beaconDeposit)));
        vm.expectEmit(true, true, true, true, address(guard));
        emit IERC1967.Upgraded(address(newImplementation));
        vm.prank(admin);
        guard.upgradeToAndCall(address(newImplementation), "");

        assertEq(
            vm.load(address(guard), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(newImplementation)))),
            "implementation slot"
        );
        assertEq(guard.guardians().length, 4, "guardian count");
        assertTrue(guard.isGuardian(stranger), "the added guardian");
        assertTrue(guard.pauseUsed(guardianAddresses[0]), "pauseUsed");
        assertEq(guard.quorum(), 3, "quorum");
        assertEq(guard.maxBlockAge(), 100, "maxBlockAge");
        assertEq(guard.pauseDuration(), 2 days, "pauseDuration");
        assertEq(guard.stakingPausedUntil(), until, "stakingPausedUntil");
        assertEq(guard.registry(), address(registry), "registry");
        assertEq(guard.attestationDigest(bytes32(0), 1, 2, bytes32(0)), digest, "EIP-712 domain");
        assertTrue(guard.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin keeps DEFAULT_ADMIN_ROLE");
        assertTrue(guard.hasRole(resumeRole, admin), "admin keeps RESUME_ROLE");
        assertTrue(guard.hasRole(pauseRole, address(emergencyPause)), "the emergency pause keeps PAUSE_ROLE");
    }

    function test_RevertWhen_UpgradeCallerIsNotAdmin() public {
        DepositGuard newImplementation = new DepositGuard(IDepositContract(address(beaconDeposit)));
        vm.prank(guardianAddresses[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                guardianAddresses[0],
                DEFAULT_ADMIN_ROLE
            )
        );
        guard.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeIsCalledOnTheImplementation() public {
        DepositGuard newImplementation = new DepositGuard(IDepositContract(address(beaconDeposit)));
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        guardImplementation.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeTargetIsNotUups() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, beaconDeposit));
        guard.upgradeToAndCall(address(beaconDeposit), "");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _newGuard(
        address admin_,
        address registry_,
        address[] memory guardians,
        uint256 quorum,
        uint256 maxBlockAge,
        uint256 pauseDuration
    ) private returns (DepositGuard) {
        return
            DepositGuard(
                address(
                    new ERC1967Proxy(
                        address(guardImplementation),
                        abi.encodeCall(
                            DepositGuard.initialize,
                            (
                                admin_,
                                IOperatorRegistry(registry_),
                                guardians,
                                quorum,
                                maxBlockAge,
                                pauseDuration,
                                address(emergencyPause)
                            )
                        )
                    )
                )
            );
    }

    function _expectUnauthorized(address account, bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }

    function _domainSeparator(address verifyingContract) private view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    EIP712_DOMAIN_TYPEHASH,
                    keccak256("Plural DepositGuard"),
                    keccak256("1"),
                    block.chainid,
                    verifyingContract
                )
            );
    }

    function _signatures(
        uint256[] memory keys,
        bytes32 digest
    ) private pure returns (IDepositGuard.Signature[] memory signatures) {
        signatures = new IDepositGuard.Signature[](keys.length);
        for (uint256 i; i < keys.length; ++i) signatures[i] = _sign(keys[i], digest);
    }

    /// @dev The first `signers` guardians' signatures to unvet `operatorId` at the previous block.
    function _unvetSignatures(
        uint256 operatorId,
        uint256 nonce,
        uint256 signers
    ) private view returns (uint256 blockNumber, bytes32 blockHash, IDepositGuard.Signature[] memory signatures) {
        blockNumber = block.number - 1;
        blockHash = blockhash(blockNumber);
        bytes32 digest = guard.unvetDigest(operatorId, nonce, blockNumber, blockHash);
        signatures = new IDepositGuard.Signature[](signers);
        for (uint256 i; i < signers; ++i) signatures[i] = _sign(guardianKeys[i], digest);
    }

    /// @dev What `_checkQuorum` reverts with for these signers, or nothing if it accepts them.
    function _expectedQuorumError(uint256[] memory keys, uint256 quorum) private view returns (bytes memory) {
        if (keys.length < quorum) {
            return abi.encodeWithSelector(IDepositGuard.NotEnoughSignatures.selector, keys.length, quorum);
        }
        address previous;
        for (uint256 i; i < keys.length; ++i) {
            address signer = vm.addr(keys[i]);
            if (signer <= previous) {
                return abi.encodeWithSelector(IDepositGuard.SignersNotSorted.selector, previous, signer);
            }
            if (!guard.isGuardian(signer)) return abi.encodeWithSelector(IDepositGuard.NotAGuardian.selector, signer);
            previous = signer;
        }
        return "";
    }

    /// @dev A 32 ether deposit of the operator's key `keyIndex` straight into the deposit contract, with credentials
    /// the attacker controls. Returns the new deposit root.
    function _depositWithForeignCredentials(uint256 operatorId, uint256 keyIndex) private returns (bytes32) {
        bytes memory pubkey = pubkeyAt[operatorId][keyIndex];
        bytes memory signature = signatureAt[operatorId][keyIndex];
        bytes32 credentials = bytes32(uint256(uint160(attacker)) | (uint256(0x01) << 248));
        bytes32 depositDataRoot = _depositDataRoot(pubkey, credentials, signature);
        vm.deal(attacker, VALIDATOR_DEPOSIT);
        vm.prank(attacker);
        beaconDeposit.deposit{value: VALIDATOR_DEPOSIT}(
            pubkey,
            abi.encodePacked(credentials),
            signature,
            depositDataRoot
        );
        return beaconDeposit.get_deposit_root();
    }

    function _littleEndian64(uint64 value) private pure returns (bytes memory out) {
        out = new bytes(8);
        for (uint256 i; i < 8; ++i) out[i] = bytes1(uint8(value >> (8 * i)));
    }

    function _sortByAddress(uint256[] memory keys) private pure {
        for (uint256 i; i < keys.length; ++i) {
            for (uint256 j = i + 1; j < keys.length; ++j) {
                if (vm.addr(keys[j]) < vm.addr(keys[i])) (keys[i], keys[j]) = (keys[j], keys[i]);
            }
        }
    }

    function _strangers(uint256 count) private returns (address[] memory list) {
        list = new address[](count);
        for (uint256 i; i < count; ++i) list[i] = makeAddr(string.concat("extra guardian ", Strings.toString(i)));
    }

    function _addresses(address a, address b) private pure returns (address[] memory list) {
        list = new address[](2);
        (list[0], list[1]) = (a, b);
    }

    function _keys(uint256 a, uint256 b) private pure returns (uint256[] memory list) {
        list = new uint256[](2);
        (list[0], list[1]) = (a, b);
    }

    function _keys(uint256 a, uint256 b, uint256 c) private pure returns (uint256[] memory list) {
        list = new uint256[](3);
        (list[0], list[1], list[2]) = (a, b, c);
    }

    function _keys(uint256 a, uint256 b, uint256 c, uint256 d) private pure returns (uint256[] memory list) {
        list = new uint256[](4);
        (list[0], list[1], list[2], list[3]) = (a, b, c, d);
    }
}
