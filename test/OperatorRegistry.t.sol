// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {KeyBatch} from "../contracts/libraries/KeyBatch.sol";
import {MinFirstAllocation} from "../contracts/libraries/MinFirstAllocation.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {KeyBatchReference} from "./utils/KeyBatchReference.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Exposes KeyBatch's internal functions with calldata arguments, as the registry calls them.
contract KeyBatchHarness {
    function leaves(
        uint256 operatorId,
        uint256 firstIndex,
        uint256 count,
        bytes calldata pubkeys,
        bytes calldata signatures
    ) external pure returns (bytes32[] memory) {
        return KeyBatch.leaves(operatorId, firstIndex, count, pubkeys, signatures);
    }

    function root(bytes32[] memory nodes) external pure returns (bytes32) {
        return KeyBatch.root(nodes);
    }

    function processRange(
        bytes32[] memory nodes,
        uint256 lo,
        uint256 width,
        bytes32[] calldata proof
    ) external pure returns (bytes32) {
        return KeyBatch.processRange(nodes, lo, width, proof);
    }
}

/// @dev Exposes MinFirstAllocation's internal function.
contract MinFirstAllocationHarness {
    function allocate(
        uint256[] memory levels,
        uint256[] memory rooms,
        uint256 count
    ) external pure returns (uint256[] memory allocation, uint256 allocated) {
        return MinFirstAllocation.allocate(levels, rooms, count);
    }
}

/// @dev Unit and fuzz tests of OperatorRegistry and its libraries, the registry deployed behind its proxy with the
/// rest of the protocol, as in production. Deposits are simulated by calling `useKeys` as the pool, or made for real
/// through `StakingPool.depositValidators` with a guardian quorum.
contract OperatorRegistryTest is StakingFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_KEYS_PER_BATCH = 1_000;

    /// @dev Operators set up for the allocation fuzz test, by id.
    struct RandomOperators {
        uint256[] levels;
        uint256[] vetted;
        bool[] active;
        uint256 totalActive;
    }

    address private alice;
    address private bob;

    bytes32 private manageRole;
    bytes32 private addRole;
    bytes32 private vetRole;
    bytes32 private unvetRole;

    KeyBatchHarness private keyBatch;
    MinFirstAllocationHarness private minFirst;

    function setUp() public {
        _deployPool();
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        manageRole = registry.MANAGE_OPERATORS_ROLE();
        addRole = registry.ADD_OPERATOR_ROLE();
        vetRole = registry.VET_KEYS_ROLE();
        unvetRole = registry.UNVET_KEYS_ROLE();
        keyBatch = new KeyBatchHarness();
        minFirst = new MinFirstAllocationHarness();
    }

    // =================================================================================================================
    // constructor and initialize
    // =================================================================================================================

    function test_Initialize_GrantsRolesAndSetsPoolAndShareCap() public view {
        assertTrue(registry.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertTrue(registry.hasRole(manageRole, admin), "admin has MANAGE_OPERATORS_ROLE");
        assertTrue(registry.hasRole(addRole, admin), "admin has ADD_OPERATOR_ROLE");
        assertTrue(registry.hasRole(vetRole, admin), "admin has VET_KEYS_ROLE");
        assertFalse(registry.hasRole(unvetRole, admin), "admin has UNVET_KEYS_ROLE");
        // The operations timelock: adding operators and vetting keys, nothing else.
        assertTrue(registry.hasRole(addRole, operations), "operations has ADD_OPERATOR_ROLE");
        assertTrue(registry.hasRole(vetRole, operations), "operations has VET_KEYS_ROLE");
        assertFalse(registry.hasRole(DEFAULT_ADMIN_ROLE, operations), "operations has DEFAULT_ADMIN_ROLE");
        assertFalse(registry.hasRole(manageRole, operations), "operations has MANAGE_OPERATORS_ROLE");
        assertFalse(registry.hasRole(unvetRole, operations), "operations has UNVET_KEYS_ROLE");
        assertFalse(registry.hasRole(registry.REPORT_EXITS_ROLE(), operations), "operations has REPORT_EXITS_ROLE");
        assertFalse(registry.hasRole(addRole, address(guard)), "guard has ADD_OPERATOR_ROLE");
        assertTrue(registry.hasRole(unvetRole, address(guard)), "guard has UNVET_KEYS_ROLE");
        assertFalse(registry.hasRole(DEFAULT_ADMIN_ROLE, address(guard)), "guard has DEFAULT_ADMIN_ROLE");
        assertFalse(registry.hasRole(manageRole, address(guard)), "guard has MANAGE_OPERATORS_ROLE");
        assertFalse(registry.hasRole(vetRole, address(guard)), "guard has VET_KEYS_ROLE");
        assertFalse(registry.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "deployer has DEFAULT_ADMIN_ROLE");
        assertEq(registry.pool(), address(pool), "pool");
        assertEq(registry.shareCapBps(), SHARE_CAP_BPS, "shareCapBps");
        assertEq(registry.vettingLimit(), VETTING_LIMIT, "vettingLimit");
        assertEq(registry.MAX_VETTING_LIMIT(), 10_000, "MAX_VETTING_LIMIT");
        assertEq(addRole, keccak256("ADD_OPERATOR_ROLE"), "ADD_OPERATOR_ROLE");
        assertEq(registry.nonce(), 0, "nonce");
        assertEq(registry.operatorCount(), 0, "operatorCount");
        assertEq(registry.activeValidators(), 0, "activeValidators");
    }

    function test_Initialize_EmitsRoleGrantsAndShareCap() public {
        OperatorRegistry registryImplementation = new OperatorRegistry();
        bytes memory data = abi.encodeCall(
            OperatorRegistry.initialize,
            (alice, address(pool), bob, address(oracle), 2_500, EXIT_RESPONSE_TIME, operations, VETTING_LIMIT)
        );

        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, alice, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(manageRole, alice, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(addRole, alice, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(vetRole, alice, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(addRole, operations, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(vetRole, operations, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(unvetRole, bob, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(registry.REPORT_EXITS_ROLE(), address(oracle), address(this));
        vm.expectEmit();
        emit IOperatorRegistry.ShareCapSet(2_500);
        vm.expectEmit();
        emit IOperatorRegistry.ExitResponseTimeSet(EXIT_RESPONSE_TIME);
        vm.expectEmit();
        emit IOperatorRegistry.VettingLimitSet(VETTING_LIMIT);
        vm.expectEmit();
        emit Initializable.Initialized(1);
        OperatorRegistry proxy = OperatorRegistry(address(new ERC1967Proxy(address(registryImplementation), data)));

        assertTrue(proxy.hasRole(DEFAULT_ADMIN_ROLE, alice), "admin has DEFAULT_ADMIN_ROLE");
        assertTrue(proxy.hasRole(unvetRole, bob), "guard has UNVET_KEYS_ROLE");
        assertEq(proxy.pool(), address(pool), "pool");
        assertEq(proxy.shareCapBps(), 2_500, "shareCapBps");
        assertEq(proxy.vettingLimit(), VETTING_LIMIT, "vettingLimit");
    }

    function test_Initialize_WithoutOperationsGrantsTheOperationsRolesToNobody() public {
        vm.recordLogs();
        OperatorRegistry proxy = _newRegistry(address(0), 1);

        // Six grants, all to the admin, the guard and the oracle: none to the zero address.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 grants;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IAccessControl.RoleGranted.selector) continue;
            ++grants;
            address account = address(uint160(uint256(logs[i].topics[2])));
            assertTrue(account == admin || account == address(guard) || account == address(oracle), "grantee");
        }
        assertEq(grants, 6, "role grants");
        assertFalse(proxy.hasRole(addRole, address(0)), "the zero address has ADD_OPERATOR_ROLE");
        assertFalse(proxy.hasRole(vetRole, address(0)), "the zero address has VET_KEYS_ROLE");
        assertTrue(proxy.hasRole(addRole, admin), "admin has ADD_OPERATOR_ROLE");
        assertTrue(proxy.hasRole(vetRole, admin), "admin has VET_KEYS_ROLE");
        assertEq(proxy.vettingLimit(), 1, "vettingLimit: the smallest accepted");
    }

    function test_Initialize_AcceptsTheLargestVettingLimit() public {
        assertEq(_newRegistry(operations, 10_000).vettingLimit(), 10_000, "vettingLimit");
    }

    function test_RevertWhen_InitializeVettingLimitIsZero() public {
        address implementation = _registryImplementation();
        bytes memory data = _initializeData(operations, 0);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, 0, 10_000));
        new ERC1967Proxy(implementation, data);
    }

    function test_RevertWhen_InitializeVettingLimitIsAboveTheMax() public {
        address implementation = _registryImplementation();
        bytes memory data = _initializeData(operations, 10_001);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, 10_001, 10_000));
        new ERC1967Proxy(implementation, data);
    }

    function test_RevertWhen_InitializeIsCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        registry.initialize(alice, alice, alice, alice, 1, EXIT_RESPONSE_TIME, alice, 1);
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        OperatorRegistry registryImplementation = new OperatorRegistry();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        registryImplementation.initialize(
            admin,
            address(pool),
            address(guard),
            address(oracle),
            SHARE_CAP_BPS,
            EXIT_RESPONSE_TIME,
            operations,
            VETTING_LIMIT
        );
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        _expectInitializeRevert(
            address(0),
            address(pool),
            address(guard),
            SHARE_CAP_BPS,
            abi.encodeWithSelector(IOperatorRegistry.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializePoolIsZero() public {
        _expectInitializeRevert(
            admin,
            address(0),
            address(guard),
            SHARE_CAP_BPS,
            abi.encodeWithSelector(IOperatorRegistry.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeGuardIsZero() public {
        _expectInitializeRevert(
            admin,
            address(pool),
            address(0),
            SHARE_CAP_BPS,
            abi.encodeWithSelector(IOperatorRegistry.ZeroAddress.selector)
        );
    }

    function test_RevertWhen_InitializeShareCapIsZero() public {
        _expectInitializeRevert(
            admin,
            address(pool),
            address(guard),
            0,
            abi.encodeWithSelector(IOperatorRegistry.InvalidShareCap.selector, 0)
        );
    }

    function test_RevertWhen_InitializeShareCapIsAboveBps() public {
        _expectInitializeRevert(
            admin,
            address(pool),
            address(guard),
            BPS + 1,
            abi.encodeWithSelector(IOperatorRegistry.InvalidShareCap.selector, BPS + 1)
        );
    }

    // =================================================================================================================
    // addOperator and addCluster
    // =================================================================================================================

    function test_AddOperator_StoresAnActiveOperatorWithoutKeys() public {
        address manager = makeAddr("manager");
        address reward = makeAddr("reward");

        _expectRegistryEvent();
        emit IOperatorRegistry.OperatorAdded(0, "Node Co", manager, reward);
        vm.prank(admin);
        uint256 operatorId = registry.addOperator("Node Co", manager, reward);

        assertEq(operatorId, 0, "operatorId");
        assertEq(registry.operatorCount(), 1, "operatorCount");
        IOperatorRegistry.Operator memory operator = registry.getOperator(0);
        assertTrue(operator.active, "active");
        assertEq(operator.totalKeys, 0, "totalKeys");
        assertEq(operator.vettedKeys, 0, "vettedKeys");
        assertEq(operator.depositedKeys, 0, "depositedKeys");
        assertEq(operator.exitedKeys, 0, "exitedKeys");
        assertEq(operator.clusterThreshold, 0, "clusterThreshold");
        assertEq(operator.manager, manager, "manager");
        assertEq(operator.rewardAddress, reward, "rewardAddress");
        assertEq(operator.name, "Node Co", "name");
        assertEq(operator.clusterMembers.length, 0, "clusterMembers");
        assertEq(registry.batchCount(0), 0, "batchCount");
        // No keys yet, so nothing that could be deposited changed.
        assertEq(registry.nonce(), 0, "nonce");
    }

    function test_AddOperator_NumbersOperatorsInOrder() public {
        vm.startPrank(admin);
        assertEq(registry.addOperator("zero", alice, alice), 0, "first id");
        assertEq(registry.addOperator("one", bob, alice), 1, "second id");
        assertEq(registry.addOperator("two", alice, bob), 2, "third id");
        vm.stopPrank();

        assertEq(registry.operatorCount(), 3, "operatorCount");
        assertEq(registry.getOperator(0).name, "zero", "name of 0");
        assertEq(registry.getOperator(1).name, "one", "name of 1");
        assertEq(registry.getOperator(1).manager, bob, "manager of 1");
        assertEq(registry.getOperator(2).name, "two", "name of 2");
        assertEq(registry.getOperator(2).rewardAddress, bob, "rewardAddress of 2");
    }

    function test_AddOperator_ByOperations() public {
        _expectRegistryEvent();
        emit IOperatorRegistry.OperatorAdded(0, "Ops Co", alice, bob);
        vm.prank(operations);
        uint256 operatorId = registry.addOperator("Ops Co", alice, bob);

        assertEq(operatorId, 0, "operatorId");
        IOperatorRegistry.Operator memory operator = registry.getOperator(0);
        assertTrue(operator.active, "active");
        assertEq(operator.manager, alice, "manager");
        assertEq(operator.rewardAddress, bob, "rewardAddress");
    }

    function test_RevertWhen_AddOperatorCallerLacksRole() public {
        vm.prank(alice);
        _expectUnauthorized(alice, addRole);
        registry.addOperator("operator", alice, alice);

        // The guard holds a registry role, but not this one.
        vm.prank(address(guard));
        _expectUnauthorized(address(guard), addRole);
        registry.addOperator("operator", alice, alice);

        // Nor does managing operators entitle one to add them: the roles are separate.
        vm.prank(admin);
        registry.grantRole(manageRole, bob);
        vm.prank(bob);
        _expectUnauthorized(bob, addRole);
        registry.addOperator("operator", alice, alice);
    }

    function test_RevertWhen_AddOperatorNameIsEmpty() public {
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.EmptyName.selector);
        registry.addOperator("", alice, alice);
    }

    function test_RevertWhen_AddOperatorManagerIsZero() public {
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.ZeroAddress.selector);
        registry.addOperator("operator", address(0), alice);
    }

    function test_RevertWhen_AddOperatorRewardAddressIsZero() public {
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.ZeroAddress.selector);
        registry.addOperator("operator", alice, address(0));
    }

    function test_RevertWhen_AddOperatorExceedsMaxOperators() public {
        uint256 max = registry.MAX_OPERATORS();
        assertEq(max, 200, "MAX_OPERATORS");
        address[] memory members = _members(2);
        vm.startPrank(admin);
        for (uint256 i; i < max; ++i) registry.addOperator("op", alice, alice);

        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.TooManyOperators.selector, max));
        registry.addOperator("op", alice, alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.TooManyOperators.selector, max));
        registry.addCluster("cluster", alice, alice, 2, members);
        vm.stopPrank();

        assertEq(registry.operatorCount(), max, "operatorCount");
        // The allocation loop reads every operator: still a view that answers.
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(10);
        assertEq(allocation.length, max, "allocation length");
        assertEq(allocated, 0, "allocated without vetted keys");
    }

    function test_AddCluster_StoresMembersAndThreshold() public {
        address[] memory members = _members(4);

        _expectRegistryEvent();
        emit IOperatorRegistry.OperatorAdded(0, "DV cluster", alice, bob);
        _expectRegistryEvent();
        emit IOperatorRegistry.ClusterMembersSet(0, 3, members);
        vm.prank(admin);
        uint256 operatorId = registry.addCluster("DV cluster", alice, bob, 3, members);

        assertEq(operatorId, 0, "operatorId");
        IOperatorRegistry.Operator memory operator = registry.getOperator(0);
        assertTrue(operator.active, "active");
        assertEq(operator.clusterThreshold, 3, "clusterThreshold");
        assertEq(operator.manager, alice, "manager");
        assertEq(operator.rewardAddress, bob, "rewardAddress");
        assertEq(operator.name, "DV cluster", "name");
        assertEq(operator.clusterMembers.length, 4, "member count");
        for (uint256 i; i < 4; ++i) {
            assertEq(operator.clusterMembers[i], members[i], string.concat("member ", Strings.toString(i)));
        }
        // Clusters and single operators share the id sequence.
        vm.prank(admin);
        assertEq(registry.addOperator("single", alice, alice), 1, "next id");
    }

    function test_AddCluster_AcceptsThirtyTwoMembersAllSigning() public {
        address[] memory members = _members(32);
        vm.prank(admin);
        registry.addCluster("big cluster", alice, alice, 32, members);

        IOperatorRegistry.Operator memory operator = registry.getOperator(0);
        assertEq(operator.clusterThreshold, 32, "clusterThreshold");
        assertEq(operator.clusterMembers.length, 32, "member count");
        assertEq(operator.clusterMembers[31], members[31], "last member");
    }

    function test_RevertWhen_AddClusterThresholdIsOne() public {
        _expectClusterRevert(1, _members(3), abi.encodeWithSelector(IOperatorRegistry.InvalidCluster.selector, 1, 3));
    }

    function test_RevertWhen_AddClusterThresholdExceedsMembers() public {
        _expectClusterRevert(4, _members(3), abi.encodeWithSelector(IOperatorRegistry.InvalidCluster.selector, 4, 3));
    }

    function test_RevertWhen_AddClusterHasMoreThanThirtyTwoMembers() public {
        _expectClusterRevert(2, _members(33), abi.encodeWithSelector(IOperatorRegistry.InvalidCluster.selector, 2, 33));
    }

    function test_RevertWhen_AddClusterHasADuplicateMember() public {
        address[] memory members = _members(3);
        members[2] = members[0];
        _expectClusterRevert(2, members, abi.encodeWithSelector(IOperatorRegistry.InvalidCluster.selector, 2, 3));
    }

    function test_RevertWhen_AddClusterMemberIsZero() public {
        address[] memory members = _members(3);
        members[1] = address(0);
        _expectClusterRevert(2, members, abi.encodeWithSelector(IOperatorRegistry.ZeroAddress.selector));
    }

    function test_RevertWhen_AddClusterNameIsEmpty() public {
        address[] memory members = _members(2);
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.EmptyName.selector);
        registry.addCluster("", alice, alice, 2, members);
    }

    function test_RevertWhen_AddClusterManagerIsZero() public {
        address[] memory members = _members(2);
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.ZeroAddress.selector);
        registry.addCluster("cluster", address(0), alice, 2, members);
    }

    function test_AddCluster_ByOperations() public {
        address[] memory members = _members(3);
        _expectRegistryEvent();
        emit IOperatorRegistry.OperatorAdded(0, "Ops cluster", alice, bob);
        _expectRegistryEvent();
        emit IOperatorRegistry.ClusterMembersSet(0, 2, members);
        vm.prank(operations);
        uint256 operatorId = registry.addCluster("Ops cluster", alice, bob, 2, members);

        assertEq(operatorId, 0, "operatorId");
        assertEq(registry.getOperator(0).clusterThreshold, 2, "clusterThreshold");
        assertEq(registry.getOperator(0).clusterMembers.length, 3, "member count");
    }

    function test_RevertWhen_AddClusterCallerLacksRole() public {
        address[] memory members = _members(2);
        vm.prank(alice);
        _expectUnauthorized(alice, addRole);
        registry.addCluster("cluster", alice, alice, 2, members);

        vm.prank(admin);
        registry.grantRole(manageRole, bob);
        vm.prank(bob);
        _expectUnauthorized(bob, addRole);
        registry.addCluster("cluster", alice, alice, 2, members);
    }

    function testFuzz_AddCluster_AcceptsExactlyTheValidShapes(uint256 threshold, uint256 memberCount) public {
        memberCount = bound(memberCount, 0, 40);
        threshold = bound(threshold, 0, 41);
        address[] memory members = _members(memberCount);
        bool valid = 2 <= threshold && threshold <= memberCount && memberCount <= 32;

        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidCluster.selector, threshold, memberCount));
        }
        vm.prank(admin);
        registry.addCluster("cluster", alice, alice, threshold, members);

        assertEq(registry.operatorCount(), valid ? 1 : 0, "operatorCount");
        if (valid) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(0);
            assertEq(operator.clusterThreshold, threshold, "clusterThreshold");
            assertEq(operator.clusterMembers.length, memberCount, "member count");
        }
    }

    // =================================================================================================================
    // setOperatorActive
    // =================================================================================================================

    function test_SetOperatorActive_DeactivationClampsVettedToDeposited() public {
        uint256 operatorId = _addOperatorWithKeys(10, 8);
        _useKeys(_segmentsFor(3));
        uint256 nonceBefore = registry.nonce();

        _expectRegistryEvent();
        emit IOperatorRegistry.OperatorActiveSet(operatorId, false);
        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(operatorId, 3);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        vm.prank(admin);
        registry.setOperatorActive(operatorId, false);

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertFalse(operator.active, "active");
        assertEq(operator.vettedKeys, 3, "vettedKeys");
        assertEq(operator.depositedKeys, 3, "depositedKeys");
        assertEq(operator.totalKeys, 10, "totalKeys");
        assertEq(registry.nonce(), nonceBefore + 1, "nonce");
    }

    function test_SetOperatorActive_DeactivationWithNothingToUnvetEmitsNoVettedKeysSet() public {
        uint256 operatorId = _addOperatorWithKeys(4, 2);
        _useKeys(_segmentsFor(2));
        uint256 nonceBefore = registry.nonce();

        vm.recordLogs();
        vm.prank(admin);
        registry.setOperatorActive(operatorId, false);

        _assertEvents(
            vm.getRecordedLogs(),
            _topics(IOperatorRegistry.OperatorActiveSet.selector, IOperatorRegistry.NonceChanged.selector),
            "deactivation"
        );
        assertEq(registry.getOperator(operatorId).vettedKeys, 2, "vettedKeys");
        assertEq(registry.nonce(), nonceBefore + 1, "nonce");
    }

    function test_SetOperatorActive_ReactivationKeepsVettedAndChangesTheNonce() public {
        uint256 operatorId = _addOperatorWithKeys(6, 0);
        vm.prank(admin);
        registry.setOperatorActive(operatorId, false);
        // Vetting is allowed while inactive: reactivation then makes those keys depositable, hence a new nonce.
        _vet(operatorId, 4);
        uint256 nonceBefore = registry.nonce();

        vm.recordLogs();
        vm.prank(admin);
        registry.setOperatorActive(operatorId, true);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        _assertEvents(
            logs,
            _topics(IOperatorRegistry.OperatorActiveSet.selector, IOperatorRegistry.NonceChanged.selector),
            "reactivation"
        );
        assertEq(logs[0].topics[1], bytes32(operatorId), "OperatorActiveSet operatorId");
        assertEq(abi.decode(logs[0].data, (bool)), true, "OperatorActiveSet active");
        assertEq(abi.decode(logs[1].data, (uint256)), nonceBefore + 1, "NonceChanged nonce");
        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertTrue(operator.active, "active");
        assertEq(operator.vettedKeys, 4, "vettedKeys");
    }

    function test_RevertWhen_SetOperatorActiveIsUnchanged() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorActiveUnchanged.selector, operatorId, true));
        registry.setOperatorActive(operatorId, true);

        vm.prank(admin);
        registry.setOperatorActive(operatorId, false);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorActiveUnchanged.selector, operatorId, false));
        registry.setOperatorActive(operatorId, false);
    }

    function test_RevertWhen_SetOperatorActiveOperatorNotFound() public {
        _addOperatorWithKeys(0, 0);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 1));
        registry.setOperatorActive(1, false);
    }

    function test_RevertWhen_SetOperatorActiveCallerLacksRole() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        address manager = _managerOf(operatorId);
        vm.prank(manager);
        _expectUnauthorized(manager, manageRole);
        registry.setOperatorActive(operatorId, false);
    }

    function test_RevertWhen_AddKeysOperatorIsInactive() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        vm.prank(admin);
        registry.setOperatorActive(operatorId, false);
        (bytes memory pubkeys, bytes memory signatures, ) = _makeKeys(operatorId, 0, 2, 1);

        vm.prank(_managerOf(operatorId));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotActive.selector, operatorId));
        registry.addKeys(operatorId, pubkeys, signatures);
    }

    // =================================================================================================================
    // setRewardAddress, setManager and setShareCap
    // =================================================================================================================

    function test_SetRewardAddress_StoresAndEmits() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        address manager = _managerOf(operatorId);

        _expectRegistryEvent();
        emit IOperatorRegistry.RewardAddressSet(operatorId, bob);
        vm.prank(admin);
        registry.setRewardAddress(operatorId, bob);

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertEq(operator.rewardAddress, bob, "rewardAddress");
        assertEq(operator.manager, manager, "manager");
        assertEq(registry.nonce(), 0, "nonce");
    }

    function test_RevertWhen_SetRewardAddressIsZero() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        vm.prank(admin);
        vm.expectRevert(IOperatorRegistry.ZeroAddress.selector);
        registry.setRewardAddress(operatorId, address(0));
    }

    function test_RevertWhen_SetRewardAddressOperatorNotFound() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.setRewardAddress(0, bob);
    }

    function test_RevertWhen_SetRewardAddressCallerLacksRole() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        address manager = _managerOf(operatorId);
        // Not even the operator's own manager.
        vm.prank(manager);
        _expectUnauthorized(manager, manageRole);
        registry.setRewardAddress(operatorId, manager);
    }

    function test_SetManager_HandsKeyManagementOver() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        address oldManager = _managerOf(operatorId);

        _expectRegistryEvent();
        emit IOperatorRegistry.ManagerSet(operatorId, bob);
        vm.prank(oldManager);
        registry.setManager(operatorId, bob);
        assertEq(registry.getOperator(operatorId).manager, bob, "manager");

        (bytes memory pubkeys, bytes memory signatures, ) = _makeKeys(operatorId, 2, 3, 7);
        vm.prank(oldManager);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, oldManager));
        registry.addKeys(operatorId, pubkeys, signatures);
        vm.prank(oldManager);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, oldManager));
        registry.dropKeys(operatorId, 0);
        vm.prank(oldManager);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, oldManager));
        registry.setManager(operatorId, oldManager);

        vm.prank(bob);
        registry.addKeys(operatorId, pubkeys, signatures);
        assertEq(registry.getOperator(operatorId).totalKeys, 5, "totalKeys after the new manager's batch");
        vm.prank(bob);
        registry.dropKeys(operatorId, 4);
        assertEq(registry.getOperator(operatorId).totalKeys, 4, "totalKeys after the new manager's drop");
    }

    function test_RevertWhen_SetManagerCallerIsNotTheManager() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        // Governance cannot take an operator's keys over.
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, admin));
        registry.setManager(operatorId, admin);
    }

    function test_RevertWhen_SetManagerIsZero() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        vm.prank(_managerOf(operatorId));
        vm.expectRevert(IOperatorRegistry.ZeroAddress.selector);
        registry.setManager(operatorId, address(0));
    }

    function test_RevertWhen_SetManagerOperatorNotFound() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.setManager(0, alice);
    }

    function test_SetShareCap_StoresAndEmits() public {
        uint256[3] memory caps = [uint256(1), 3_333, BPS];
        for (uint256 i; i < caps.length; ++i) {
            _expectRegistryEvent();
            emit IOperatorRegistry.ShareCapSet(caps[i]);
            vm.prank(admin);
            registry.setShareCap(caps[i]);
            assertEq(registry.shareCapBps(), caps[i], "shareCapBps");
        }
    }

    function test_RevertWhen_SetShareCapIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidShareCap.selector, 0));
        registry.setShareCap(0);
    }

    function test_RevertWhen_SetShareCapIsAboveBps() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidShareCap.selector, BPS + 1));
        registry.setShareCap(BPS + 1);
    }

    function test_RevertWhen_SetShareCapCallerLacksRole() public {
        vm.prank(alice);
        _expectUnauthorized(alice, manageRole);
        registry.setShareCap(5_000);
    }

    // =================================================================================================================
    // addKeys
    // =================================================================================================================

    function test_AddKeys_CommitsTheReferenceRootAndEmitsTheKeys() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        address manager = _managerOf(operatorId);
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) = _makeKeys(operatorId, 0, 5, 1);
        bytes32 root = KeyBatchReference.root(leaves);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysAdded(operatorId, 0, 0, 5, root, pubkeys, signatures);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(1);
        vm.prank(manager);
        registry.addKeys(operatorId, pubkeys, signatures);

        _assertBatch(operatorId, 0, root, 0, 5, 5, "batch 0");
        assertEq(registry.batchCount(operatorId), 1, "batchCount");
        assertEq(registry.getOperator(operatorId).totalKeys, 5, "totalKeys");
        assertEq(registry.getOperator(operatorId).vettedKeys, 0, "vettedKeys: adding keys vets none");
        assertEq(registry.nonce(), 1, "nonce");

        // The next batch continues the key list: its leaves carry indices 5, 6, 7.
        (pubkeys, signatures, leaves) = _makeKeys(operatorId, 5, 3, 2);
        root = KeyBatchReference.root(leaves);
        _expectRegistryEvent();
        emit IOperatorRegistry.KeysAdded(operatorId, 1, 5, 3, root, pubkeys, signatures);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(2);
        vm.prank(manager);
        registry.addKeys(operatorId, pubkeys, signatures);

        _assertBatch(operatorId, 1, root, 5, 3, 8, "batch 1");
        assertEq(registry.batchCount(operatorId), 2, "batchCount");
        assertEq(registry.getOperator(operatorId).totalKeys, 8, "totalKeys");
        assertEq(registry.nonce(), 2, "nonce");
    }

    function test_AddKeys_SingleKeyRootIsItsLeaf() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) = _makeKeys(operatorId, 0, 1, 3);
        vm.prank(_managerOf(operatorId));
        registry.addKeys(operatorId, pubkeys, signatures);

        assertEq(leaves[0], KeyBatchReference.leaf(operatorId, 0, pubkeys, signatures), "leaf of the only key");
        _assertBatch(operatorId, 0, leaves[0], 0, 1, 1, "batch 0");
    }

    function test_AddKeys_RootBindsTheOperatorAndTheIndex() public {
        uint256 first = _addOperatorWithKeys(0, 0);
        uint256 second = _addOperatorWithKeys(0, 0);
        (bytes memory pubkeys, bytes memory signatures, ) = _makeKeys(first, 0, 4, 9);

        vm.prank(_managerOf(first));
        registry.addKeys(first, pubkeys, signatures);
        vm.prank(_managerOf(first));
        registry.addKeys(first, pubkeys, signatures);
        vm.prank(_managerOf(second));
        registry.addKeys(second, pubkeys, signatures);

        bytes32 root = registry.getBatch(first, 0).root;
        assertTrue(registry.getBatch(first, 1).root != root, "same bytes at other indices commit another root");
        assertTrue(registry.getBatch(second, 0).root != root, "same bytes of another operator commit another root");
    }

    function test_AddKeys_AcceptsMaxKeysPerBatch() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        assertEq(registry.MAX_KEYS_PER_BATCH(), MAX_KEYS_PER_BATCH, "MAX_KEYS_PER_BATCH");
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) = _makeKeys(
            operatorId,
            0,
            MAX_KEYS_PER_BATCH,
            5
        );
        vm.prank(_managerOf(operatorId));
        registry.addKeys(operatorId, pubkeys, signatures);

        _assertBatch(
            operatorId,
            0,
            KeyBatchReference.root(leaves),
            0,
            MAX_KEYS_PER_BATCH,
            MAX_KEYS_PER_BATCH,
            "batch 0"
        );
    }

    function test_RevertWhen_AddKeysExceedMaxKeysPerBatch() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        uint256 count = MAX_KEYS_PER_BATCH + 1;
        bytes memory pubkeys = new bytes(count * 48);
        bytes memory signatures = new bytes(count * 96);
        vm.prank(_managerOf(operatorId));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.TooManyKeys.selector, count, MAX_KEYS_PER_BATCH));
        registry.addKeys(operatorId, pubkeys, signatures);
    }

    function test_RevertWhen_AddKeysAreEmpty() public {
        _expectAddKeysBytesRevert(0, 0);
    }

    function test_RevertWhen_AddKeysPubkeysAreNotWholeKeys() public {
        // Below one key, and between one and two.
        _expectAddKeysBytesRevert(47, 96);
        _expectAddKeysBytesRevert(49, 96);
    }

    function test_RevertWhen_AddKeysSignaturesDoNotMatchTheKeys() public {
        _expectAddKeysBytesRevert(96, 96);
        _expectAddKeysBytesRevert(48, 192);
        _expectAddKeysBytesRevert(48, 95);
        _expectAddKeysBytesRevert(48, 0);
    }

    function test_RevertWhen_AddKeysCallerIsNotTheManager() public {
        uint256 operatorId = _addOperatorWithKeys(0, 0);
        (bytes memory pubkeys, bytes memory signatures, ) = _makeKeys(operatorId, 0, 1, 1);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, admin));
        registry.addKeys(operatorId, pubkeys, signatures);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, alice));
        registry.addKeys(operatorId, pubkeys, signatures);
    }

    function test_RevertWhen_AddKeysOperatorNotFound() public {
        (bytes memory pubkeys, bytes memory signatures, ) = _makeKeys(0, 0, 1, 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.addKeys(0, pubkeys, signatures);
    }

    function testFuzz_AddKeys_RootMatchesTheReference(uint256 size, uint256 before, uint256 seed) public {
        size = bound(size, 1, 300);
        before = bound(before, 0, 3);
        uint256 operatorId = _addOperatorWithKeys(before, 0);
        uint256 batchIndex = before == 0 ? 0 : 1;
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) = _makeKeys(
            operatorId,
            before,
            size,
            seed
        );
        bytes32 root = KeyBatchReference.root(leaves);
        address manager = _managerOf(operatorId);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysAdded(operatorId, batchIndex, before, size, root, pubkeys, signatures);
        vm.prank(manager);
        registry.addKeys(operatorId, pubkeys, signatures);

        _assertBatch(operatorId, batchIndex, root, before, size, before + size, "batch");
        assertEq(registry.getOperator(operatorId).totalKeys, before + size, "totalKeys");
    }

    // =================================================================================================================
    // KeyBatch
    // =================================================================================================================

    function test_KeyBatch_RootPromotesTheLastNodeOfAnOddLevel() public view {
        bytes32[] memory leaves = _randomLeaves(3, 1);
        bytes32 expected = keccak256(abi.encodePacked(keccak256(abi.encodePacked(leaves[0], leaves[1])), leaves[2]));
        assertEq(keyBatch.root(leaves), expected, "root of three leaves");
        assertEq(KeyBatchReference.root(leaves), expected, "reference root of three leaves");

        // The promoted leaf needs only the left subtree as its proof.
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = keccak256(abi.encodePacked(leaves[0], leaves[1]));
        assertEq(keyBatch.processRange(_sliceLeaves(leaves, 2, 1), 2, 3, proof), expected, "proof of the last leaf");
    }

    function test_KeyBatch_SingleLeafIsItsOwnRoot() public view {
        bytes32[] memory leaves = _randomLeaves(1, 2);
        assertEq(keyBatch.root(leaves), leaves[0], "root");
        assertEq(keyBatch.processRange(leaves, 0, 1, new bytes32[](0)), leaves[0], "empty proof");
        assertEq(keyBatch.processRange(leaves, 0, 1, new bytes32[](1)), bytes32(0), "extra element");
    }

    function testFuzz_KeyBatch_LeavesMatchTheReference(
        uint64 operatorId,
        uint64 firstIndex,
        uint256 count,
        uint256 seed
    ) public view {
        count = bound(count, 1, 20);
        // The index of every key fits in 64 bits.
        firstIndex = uint64(bound(firstIndex, 0, type(uint64).max - count));
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory expected) = _makeKeys(
            operatorId,
            firstIndex,
            count,
            seed
        );
        bytes32[] memory leaves = keyBatch.leaves(operatorId, firstIndex, count, pubkeys, signatures);
        assertEq(leaves.length, count, "leaf count");
        for (uint256 i; i < count; ++i) {
            assertEq(leaves[i], expected[i], string.concat("leaf ", Strings.toString(i)));
        }
    }

    function testFuzz_KeyBatch_RangeProofLeadsToTheRootAndNothingElseDoes(
        uint256 width,
        uint256 lo,
        uint256 count,
        uint256 seed
    ) public view {
        width = bound(width, 1, 200);
        lo = bound(lo, 0, width - 1);
        count = bound(count, 1, width - lo);
        bytes32[] memory leaves = _randomLeaves(width, seed);
        bytes32 root = KeyBatchReference.root(leaves);
        assertEq(keyBatch.root(leaves), root, "root");

        bytes32[] memory range = _sliceLeaves(leaves, lo, count);
        bytes32[] memory proof = KeyBatchReference.rangeProof(leaves, lo, count);
        assertEq(keyBatch.processRange(range, lo, width, proof), root, "range proof");

        // An extra element is refused whatever it is.
        bytes32[] memory longer = new bytes32[](proof.length + 1);
        for (uint256 i; i < proof.length; ++i) longer[i] = proof[i];
        longer[proof.length] = bytes32(seed);
        assertEq(keyBatch.processRange(range, lo, width, longer), bytes32(0), "extra element");

        // A tampered leaf leads elsewhere.
        bytes32[] memory tamperedRange = _sliceLeaves(leaves, lo, count);
        tamperedRange[seed % count] ^= bytes32(uint256(1));
        assertTrue(keyBatch.processRange(tamperedRange, lo, width, proof) != root, "tampered leaf");

        if (proof.length != 0) _assertTamperedProofsFail(range, lo, width, proof, root, seed);
    }

    /// @dev A proof with one element flipped or one element missing does not lead to `root`.
    function _assertTamperedProofsFail(
        bytes32[] memory range,
        uint256 lo,
        uint256 width,
        bytes32[] memory proof,
        bytes32 root,
        uint256 seed
    ) private view {
        uint256 k = (seed >> 128) % proof.length;
        bytes32[] memory tampered = new bytes32[](proof.length);
        for (uint256 i; i < proof.length; ++i) tampered[i] = proof[i];
        tampered[k] ^= bytes32(uint256(1) << (seed % 256));
        assertTrue(keyBatch.processRange(range, lo, width, tampered) != root, "tampered element");

        bytes32[] memory shorter = new bytes32[](proof.length - 1);
        for (uint256 i; i < shorter.length; ++i) shorter[i] = proof[i < k ? i : i + 1];
        assertEq(keyBatch.processRange(range, lo, width, shorter), bytes32(0), "missing element");
    }

    // =================================================================================================================
    // dropKeys
    // =================================================================================================================

    function test_DropKeys_PopsWholeBatches() public {
        uint256 operatorId = _operatorWithBatches(); // batches [0, 4), [4, 7), [7, 12)
        bytes32 firstRoot = registry.getBatch(operatorId, 0).root;
        uint256 nonceBefore = registry.nonce();

        vm.recordLogs();
        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 4);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        // Nothing was vetted: no VettedKeysSet.
        _assertEvents(
            logs,
            _topics(IOperatorRegistry.KeysDropped.selector, IOperatorRegistry.NonceChanged.selector),
            "drop"
        );
        assertEq(logs[0].topics[1], bytes32(operatorId), "KeysDropped operatorId");
        assertEq(abi.decode(logs[0].data, (uint256)), 4, "KeysDropped fromIndex");
        assertEq(abi.decode(logs[1].data, (uint256)), nonceBefore + 1, "NonceChanged nonce");
        assertEq(registry.batchCount(operatorId), 1, "batchCount");
        _assertBatch(operatorId, 0, firstRoot, 0, 4, 4, "batch 0 untouched");
        assertEq(registry.getOperator(operatorId).totalKeys, 4, "totalKeys");
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.BatchNotFound.selector, operatorId, 1));
        registry.getBatch(operatorId, 1);
    }

    function test_DropKeys_CutsTheBatchHoldingFromIndex() public {
        uint256 operatorId = _operatorWithBatches();
        IOperatorRegistry.Batch memory first = registry.getBatch(operatorId, 0);
        IOperatorRegistry.Batch memory second = registry.getBatch(operatorId, 1);

        address manager = _managerOf(operatorId);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDropped(operatorId, 5);
        vm.prank(manager);
        registry.dropKeys(operatorId, 5);

        assertEq(registry.batchCount(operatorId), 2, "batchCount");
        _assertBatch(operatorId, 0, first.root, 0, 4, 4, "batch 0 untouched");
        // The root and width stay (proofs of the kept keys still need them); only the end moves.
        _assertBatch(operatorId, 1, second.root, 4, 3, 5, "batch 1 cut");
        assertEq(registry.getOperator(operatorId).totalKeys, 5, "totalKeys");
    }

    function test_DropKeys_AtABatchBoundaryKeepsTheBatchBefore() public {
        uint256 operatorId = _operatorWithBatches();
        bytes32 secondRoot = registry.getBatch(operatorId, 1).root;

        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 7);

        assertEq(registry.batchCount(operatorId), 2, "batchCount");
        _assertBatch(operatorId, 1, secondRoot, 4, 3, 7, "batch 1 whole");
        assertEq(registry.getOperator(operatorId).totalKeys, 7, "totalKeys");
    }

    function test_DropKeys_EveryKey() public {
        uint256 operatorId = _operatorWithBatches();
        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 0);

        assertEq(registry.batchCount(operatorId), 0, "batchCount");
        assertEq(registry.getOperator(operatorId).totalKeys, 0, "totalKeys");
    }

    function test_DropKeys_ClampsVettedWhenItFalls() public {
        uint256 operatorId = _operatorWithBatches();
        // One above the drop index: the smallest fall.
        _vet(operatorId, 7);
        uint256 nonceBefore = registry.nonce();
        address manager = _managerOf(operatorId);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDropped(operatorId, 6);
        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(operatorId, 6);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        vm.prank(manager);
        registry.dropKeys(operatorId, 6);

        assertEq(registry.getOperator(operatorId).vettedKeys, 6, "vettedKeys");
        assertEq(registry.getOperator(operatorId).totalKeys, 6, "totalKeys");
    }

    function test_DropKeys_KeepsVettedAtOrBelowFromIndex() public {
        uint256 operatorId = _operatorWithBatches();
        _vet(operatorId, 6);

        vm.recordLogs();
        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 6);

        _assertEvents(
            vm.getRecordedLogs(),
            _topics(IOperatorRegistry.KeysDropped.selector, IOperatorRegistry.NonceChanged.selector),
            "drop"
        );
        assertEq(registry.getOperator(operatorId).vettedKeys, 6, "vettedKeys");
    }

    function test_DropKeys_ByGovernance() public {
        uint256 operatorId = _operatorWithBatches();
        vm.prank(admin);
        registry.dropKeys(operatorId, 2);
        assertEq(registry.getOperator(operatorId).totalKeys, 2, "totalKeys");
        assertEq(registry.batchCount(operatorId), 1, "batchCount");
        assertEq(registry.getBatch(operatorId, 0).end, 2, "end of batch 0");
    }

    function test_DropKeys_FromTheDepositedCount() public {
        uint256 operatorId = _operatorWithBatches();
        _vet(operatorId, 5);
        _useKeys(_segmentsFor(3));

        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 3);

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertEq(operator.totalKeys, 3, "totalKeys");
        assertEq(operator.vettedKeys, 3, "vettedKeys");
        assertEq(operator.depositedKeys, 3, "depositedKeys");
    }

    function test_RevertWhen_DropKeysCallerIsNeitherManagerNorGovernance() public {
        uint256 operatorId = _operatorWithBatches();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, alice));
        registry.dropKeys(operatorId, 0);

        vm.prank(address(guard));
        vm.expectRevert(
            abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, address(guard))
        );
        registry.dropKeys(operatorId, 0);
    }

    function test_RevertWhen_DropKeysBelowDeposited() public {
        uint256 operatorId = _operatorWithBatches();
        _vet(operatorId, 5);
        _useKeys(_segmentsFor(3));

        vm.prank(_managerOf(operatorId));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidDropIndex.selector, 2, 3, 12));
        registry.dropKeys(operatorId, 2);
    }

    function test_RevertWhen_DropKeysFromTheTotal() public {
        uint256 operatorId = _operatorWithBatches();
        vm.prank(_managerOf(operatorId));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidDropIndex.selector, 12, 0, 12));
        registry.dropKeys(operatorId, 12);

        uint256 empty = _addOperatorWithKeys(0, 0);
        vm.prank(_managerOf(empty));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidDropIndex.selector, 0, 0, 0));
        registry.dropKeys(empty, 0);
    }

    function test_RevertWhen_DropKeysOperatorNotFound() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.dropKeys(0, 0);
    }

    function test_UseKeys_ReAddedKeysProveOnlyAgainstTheirNewBatch() public {
        uint256 operatorId = _addOperatorWithKeys(6, 0);
        // Keys 3, 4, 5 as batch 0 committed them, with a proof that was valid then.
        IOperatorRegistry.KeySegment memory dropped = _segment(operatorId, 0, 0, 3, 3);
        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 3);
        _addKeys(operatorId, 3); // batch 1: new keys at indices 3, 4, 5
        _vet(operatorId, 6);
        _fundBuffer(6 * VALIDATOR_DEPOSIT);
        // Keys 0, 1, 2 still prove against the cut batch 0.
        _stake(3);
        assertEq(registry.getOperator(operatorId).depositedKeys, 3, "depositedKeys after the kept keys");

        // The dropped keys through their old batch: it no longer holds those indices.
        _expectUseKeysRevert(
            _one(dropped),
            abi.encodeWithSelector(IOperatorRegistry.KeysOutsideBatch.selector, operatorId, 0, 3, 3)
        );
        // The dropped keys passed off as batch 1: not what it committed.
        dropped.batchIndex = 1;
        _expectUseKeysRevert(
            _one(dropped),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 1, 3)
        );
        // The new keys cited from the old batch.
        IOperatorRegistry.KeySegment memory added = _segment(operatorId, 1, 3, 3, 3);
        added.batchIndex = 0;
        _expectUseKeysRevert(
            _one(added),
            abi.encodeWithSelector(IOperatorRegistry.KeysOutsideBatch.selector, operatorId, 0, 3, 3)
        );

        added.batchIndex = 1;
        pool.depositValidators(_one(added), _attestation(GUARDIAN_QUORUM));
        assertEq(registry.getOperator(operatorId).depositedKeys, 6, "depositedKeys after the new keys");
        assertEq(registry.activeValidators(), 6, "activeValidators");
    }

    function test_UseKeys_ReusedBatchIndexProvesOnlyTheNewKeys() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 3); // batch 1: keys 2, 3, 4
        IOperatorRegistry.KeySegment memory dropped = _segment(operatorId, 1, 2, 2, 3);
        vm.prank(_managerOf(operatorId));
        registry.dropKeys(operatorId, 2);
        assertEq(registry.batchCount(operatorId), 1, "batchCount after the drop");
        _addKeys(operatorId, 3); // batch 1 again, other keys
        _vet(operatorId, 5);
        _useKeys(_segmentsFor(2));

        _expectUseKeysRevert(
            _one(dropped),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 1, 2)
        );
        _useKeys(_segmentsFor(3));
        assertEq(registry.getOperator(operatorId).depositedKeys, 5, "depositedKeys");
    }

    // =================================================================================================================
    // setVettedKeys and unvetKeys
    // =================================================================================================================

    function test_SetVettedKeys_StoresAndEmits() public {
        uint256 operatorId = _addOperatorWithKeys(10, 0);
        uint256 nonceBefore = registry.nonce();

        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(operatorId, 10);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        vm.prank(admin);
        registry.setVettedKeys(operatorId, 10);
        assertEq(registry.getOperator(operatorId).vettedKeys, 10, "vettedKeys up to the total");

        _useKeys(_segmentsFor(4));
        vm.prank(admin);
        registry.setVettedKeys(operatorId, 4);
        assertEq(registry.getOperator(operatorId).vettedKeys, 4, "vettedKeys down to the deposited");
        assertEq(registry.nonce(), nonceBefore + 2, "nonce");
    }

    function test_RevertWhen_SetVettedKeysBelowDeposited() public {
        uint256 operatorId = _addOperatorWithKeys(10, 5);
        _useKeys(_segmentsFor(3));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettedKeys.selector, 2, 3, 10));
        registry.setVettedKeys(operatorId, 2);
    }

    function test_RevertWhen_SetVettedKeysAboveTotal() public {
        uint256 operatorId = _addOperatorWithKeys(10, 0);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettedKeys.selector, 11, 0, 10));
        registry.setVettedKeys(operatorId, 11);
    }

    function test_RevertWhen_SetVettedKeysOperatorNotFound() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.setVettedKeys(0, 0);
    }

    function test_RevertWhen_SetVettedKeysCallerLacksRole() public {
        uint256 operatorId = _addOperatorWithKeys(10, 0);
        address manager = _managerOf(operatorId);
        vm.prank(manager);
        _expectUnauthorized(manager, vetRole);
        registry.setVettedKeys(operatorId, 5);

        vm.prank(address(guard));
        _expectUnauthorized(address(guard), vetRole);
        registry.setVettedKeys(operatorId, 5);
    }

    function test_UnvetKeys_ClampsVettedToDeposited() public {
        uint256 operatorId = _addOperatorWithKeys(10, 8);
        _useKeys(_segmentsFor(3));
        uint256 nonceBefore = registry.nonce();

        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(operatorId, 3);
        _expectRegistryEvent();
        emit IOperatorRegistry.NonceChanged(nonceBefore + 1);
        vm.prank(address(guard));
        registry.unvetKeys(operatorId);

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertEq(operator.vettedKeys, 3, "vettedKeys");
        assertEq(operator.depositedKeys, 3, "depositedKeys");
        assertEq(operator.totalKeys, 10, "totalKeys");
        assertTrue(operator.active, "active");
        (, uint256 allocated) = registry.allocate(1);
        assertEq(allocated, 0, "allocated after unvetting");
    }

    function test_RevertWhen_UnvetKeysCallerLacksRole() public {
        uint256 operatorId = _addOperatorWithKeys(10, 8);
        // Not even governance: it vets and unvets through setVettedKeys.
        vm.prank(admin);
        _expectUnauthorized(admin, unvetRole);
        registry.unvetKeys(operatorId);
    }

    function test_RevertWhen_UnvetKeysOperatorNotFound() public {
        vm.prank(address(guard));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.unvetKeys(0);
    }

    // =================================================================================================================
    // the vetting limit: setVettingLimit and bounded setVettedKeys
    // =================================================================================================================

    function test_SetVettingLimit_StoresAndEmits() public {
        uint256[3] memory limits = [uint256(1), 500, 10_000];
        for (uint256 i; i < limits.length; ++i) {
            _expectRegistryEvent();
            emit IOperatorRegistry.VettingLimitSet(limits[i]);
            vm.prank(admin);
            registry.setVettingLimit(limits[i]);
            assertEq(registry.vettingLimit(), limits[i], "vettingLimit");
        }
    }

    function test_SetVettingLimit_LeavesVettedCountsAlone() public {
        uint256 operatorId = _addOperatorWithKeys(10, 8);
        uint256 nonceBefore = registry.nonce();
        vm.prank(admin);
        registry.setVettingLimit(2);

        assertEq(registry.getOperator(operatorId).vettedKeys, 8, "vettedKeys");
        assertEq(registry.nonce(), nonceBefore, "nonce: nothing depositable changed");
        (, uint256 allocated) = registry.allocate(8);
        assertEq(allocated, 8, "the vetted keys stay depositable");
    }

    function test_RevertWhen_SetVettingLimitIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, 0, 10_000));
        registry.setVettingLimit(0);
    }

    function test_RevertWhen_SetVettingLimitIsAboveTheMax() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, 10_001, 10_000));
        registry.setVettingLimit(10_001);
    }

    function testFuzz_SetVettingLimit_AcceptsExactlyOneToTheMax(uint256 limit) public {
        bool valid = limit != 0 && limit <= 10_000;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, limit, 10_000));
        }
        vm.prank(admin);
        registry.setVettingLimit(limit);
        assertEq(registry.vettingLimit(), valid ? limit : VETTING_LIMIT, "vettingLimit");
    }

    function test_RevertWhen_SetVettingLimitCallerLacksRole() public {
        // Not even the operations timelock, which the limit binds.
        vm.prank(operations);
        _expectUnauthorized(operations, manageRole);
        registry.setVettingLimit(5_000);
        vm.prank(alice);
        _expectUnauthorized(alice, manageRole);
        registry.setVettingLimit(5_000);
        assertEq(registry.vettingLimit(), VETTING_LIMIT, "vettingLimit");
    }

    function test_SetVettedKeys_ByOperationsRaisesToExactlyDepositedPlusTheLimit() public {
        vm.prank(admin);
        registry.setVettingLimit(3);
        _addOperatorWithDeposits(0, 10, 2, 1);

        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(0, 5);
        vm.prank(operations);
        registry.setVettedKeys(0, 5);
        assertEq(registry.getOperator(0).vettedKeys, 5, "vettedKeys: deposited + limit");

        vm.prank(operations);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, 6, 2, 3));
        registry.setVettedKeys(0, 6);
        assertEq(registry.getOperator(0).vettedKeys, 5, "vettedKeys after the refused raise");
    }

    function test_RevertWhen_SetVettedKeysByGovernanceExceedsTheLimit() public {
        // The limit binds every holder of VET_KEYS_ROLE; governance raises the limit itself when it must.
        vm.prank(admin);
        registry.setVettingLimit(3);
        uint256 operatorId = _addOperatorWithKeys(10, 0);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, 4, 0, 3));
        registry.setVettedKeys(operatorId, 4);

        vm.prank(admin);
        registry.setVettingLimit(4);
        _vet(operatorId, 4);
        assertEq(registry.getOperator(operatorId).vettedKeys, 4, "vettedKeys under the raised limit");
    }

    function test_SetVettedKeys_LoweringIsAllowedAboveTheLimit() public {
        uint256 operatorId = _addOperatorWithKeys(10, 8);
        vm.prank(admin);
        registry.setVettingLimit(2);

        // 8 vetted, none deposited: 6 above the new limit. Lowering (or keeping) is always allowed.
        vm.prank(operations);
        registry.setVettedKeys(operatorId, 6);
        assertEq(registry.getOperator(operatorId).vettedKeys, 6, "lowered, still above the limit");
        vm.prank(operations);
        registry.setVettedKeys(operatorId, 6);
        assertEq(registry.getOperator(operatorId).vettedKeys, 6, "unchanged");

        // A raise is checked against the limit, even one that stays below the old count.
        vm.prank(operations);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, 7, 0, 2));
        registry.setVettedKeys(operatorId, 7);

        vm.startPrank(operations);
        registry.setVettedKeys(operatorId, 1);
        registry.setVettedKeys(operatorId, 2);
        vm.stopPrank();
        assertEq(registry.getOperator(operatorId).vettedKeys, 2, "raised within the limit");
    }

    function test_SetVettedKeys_DepositsMakeRoomUnderTheLimit() public {
        vm.prank(admin);
        registry.setVettingLimit(3);
        uint256 operatorId = _addOperatorWithKeys(10, 3);
        vm.prank(operations);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, 4, 0, 3));
        registry.setVettedKeys(operatorId, 4);

        _useKeys(_segmentsFor(3));
        vm.prank(operations);
        registry.setVettedKeys(operatorId, 6);
        assertEq(registry.getOperator(operatorId).vettedKeys, 6, "three more once three were deposited");
    }

    function testFuzz_SetVettedKeys_StaysWithinTheVettingLimit(
        uint256 deposited,
        uint256 previous,
        uint256 limit,
        uint256 vetted
    ) public {
        uint256 keys = 16;
        deposited = bound(deposited, 0, keys);
        _addOperatorWithDeposits(0, keys, deposited, 1);
        previous = bound(previous, deposited, keys);
        _vet(0, previous);
        limit = bound(limit, 1, keys);
        vm.prank(admin);
        registry.setVettingLimit(limit);
        vetted = bound(vetted, deposited, keys);

        bool allowed = vetted <= previous || vetted - deposited <= limit;
        if (!allowed) {
            vm.expectRevert(
                abi.encodeWithSelector(IOperatorRegistry.VettingLimitExceeded.selector, vetted, deposited, limit)
            );
        }
        vm.prank(operations);
        registry.setVettedKeys(0, vetted);

        uint256 vettedAfter = registry.getOperator(0).vettedKeys;
        assertEq(vettedAfter, allowed ? vetted : previous, "vettedKeys");
        // Above the limit only what was vetted before the limit came down.
        if (vettedAfter - deposited > limit) assertLe(vettedAfter, previous, "waiting keys above the limit");
    }

    // =================================================================================================================
    // the operations timelock: adds operators and vets keys, nothing else
    // =================================================================================================================

    function test_SetVettedKeys_ByOperations() public {
        uint256 operatorId = _addOperatorWithKeys(10, 0);
        _expectRegistryEvent();
        emit IOperatorRegistry.VettedKeysSet(operatorId, 7);
        vm.prank(operations);
        registry.setVettedKeys(operatorId, 7);
        assertEq(registry.getOperator(operatorId).vettedKeys, 7, "vettedKeys");
    }

    function test_RevertWhen_OperationsCallsAManageOperatorsFunction() public {
        uint256 operatorId = _addOperatorWithKeys(4, 2);
        vm.startPrank(operations);
        _expectUnauthorized(operations, manageRole);
        registry.setOperatorActive(operatorId, false);
        _expectUnauthorized(operations, manageRole);
        registry.setRewardAddress(operatorId, operations);
        _expectUnauthorized(operations, manageRole);
        registry.setShareCap(5_000);
        _expectUnauthorized(operations, manageRole);
        registry.setExitResponseTime(1 days);
        _expectUnauthorized(operations, manageRole);
        registry.setVettingLimit(10_000);
        vm.stopPrank();

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertTrue(operator.active, "active");
        assertEq(operator.rewardAddress, _managerOf(operatorId), "rewardAddress");
        assertEq(registry.shareCapBps(), SHARE_CAP_BPS, "shareCapBps");
        assertEq(registry.exitResponseTime(), EXIT_RESPONSE_TIME, "exitResponseTime");
        assertEq(registry.vettingLimit(), VETTING_LIMIT, "vettingLimit");
    }

    function test_RevertWhen_OperationsTouchesAnOperatorsKeys() public {
        uint256 operatorId = _addOperatorWithKeys(4, 2);
        vm.startPrank(operations);
        // Governance may drop any operator's keys; the operations timelock may not.
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, operations));
        registry.dropKeys(operatorId, 2);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.NotOperatorManager.selector, operatorId, operations));
        registry.setManager(operatorId, operations);
        _expectUnauthorized(operations, unvetRole);
        registry.unvetKeys(operatorId);
        _expectUnauthorized(operations, registry.REPORT_EXITS_ROLE());
        registry.applyExitUpdates(new IOperatorRegistry.ExitUpdate[](0));
        vm.stopPrank();

        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        assertEq(operator.totalKeys, 4, "totalKeys");
        assertEq(operator.vettedKeys, 2, "vettedKeys");
        assertEq(operator.manager, _managerOf(operatorId), "manager");
    }

    function test_RevertWhen_OperationsUpgradesOrGrantsRoles() public {
        OperatorRegistry newImplementation = new OperatorRegistry();
        vm.startPrank(operations);
        _expectUnauthorized(operations, DEFAULT_ADMIN_ROLE);
        registry.upgradeToAndCall(address(newImplementation), "");
        _expectUnauthorized(operations, DEFAULT_ADMIN_ROLE);
        registry.grantRole(manageRole, operations);
        _expectUnauthorized(operations, DEFAULT_ADMIN_ROLE);
        registry.revokeRole(vetRole, admin);
        vm.stopPrank();

        assertTrue(_registryImplementation() != address(newImplementation), "implementation unchanged");
        assertFalse(registry.hasRole(manageRole, operations), "operations has MANAGE_OPERATORS_ROLE");
        assertTrue(registry.hasRole(vetRole, admin), "admin keeps VET_KEYS_ROLE");
    }

    function test_RevokeRole_GovernanceRemovesOperations() public {
        vm.startPrank(admin);
        registry.revokeRole(addRole, operations);
        registry.revokeRole(vetRole, operations);
        vm.stopPrank();

        vm.prank(operations);
        _expectUnauthorized(operations, addRole);
        registry.addOperator("operator", alice, alice);
        uint256 operatorId = _addOperatorWithKeys(4, 0);
        vm.prank(operations);
        _expectUnauthorized(operations, vetRole);
        registry.setVettedKeys(operatorId, 1);
    }

    // =================================================================================================================
    // useKeys
    // =================================================================================================================

    function test_UseKeys_MarksKeysDepositedInAllocationOrder() public {
        _addOperatorWithKeys(4, 4);
        _addOperatorWithKeys(4, 4);
        _addOperatorWithKeys(4, 2);
        uint256 nonceBefore = registry.nonce();
        // Round robin from level 0; the third operator stops at its 2 vetted keys.
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(7);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(0, 0, 3);
        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(1, 0, 2);
        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(2, 0, 2);
        vm.prank(address(pool));
        uint256 count = registry.useKeys(segments);

        assertEq(count, 7, "keys used");
        assertEq(registry.getOperator(0).depositedKeys, 3, "depositedKeys of 0");
        assertEq(registry.getOperator(1).depositedKeys, 2, "depositedKeys of 1");
        assertEq(registry.getOperator(2).depositedKeys, 2, "depositedKeys of 2");
        assertEq(registry.activeValidators(), 7, "activeValidators");
        assertEq(registry.getOperator(0).vettedKeys, 4, "vettedKeys of 0 unchanged");
        // The deposit root moves with every deposit; the nonce is only for key changes.
        assertEq(registry.nonce(), nonceBefore, "nonce");

        // The next deposit continues from each deposited count: levels [3, 2, 2], room only in 0 and 1.
        segments = _segmentsFor(2);
        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(0, 3, 1);
        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(1, 2, 1);
        _useKeys(segments);
        assertEq(registry.activeValidators(), 9, "activeValidators after the second deposit");
    }

    function test_UseKeys_ThroughTheStakingPool() public {
        _addOperatorWithKeys(3, 3);
        _addOperatorWithKeys(3, 3);
        _fundBuffer(5 * VALIDATOR_DEPOSIT);

        _stake(5);

        assertEq(registry.getOperator(0).depositedKeys, 3, "depositedKeys of 0");
        assertEq(registry.getOperator(1).depositedKeys, 2, "depositedKeys of 1");
        assertEq(registry.activeValidators(), 5, "activeValidators");
        assertEq(pool.getAccounting().depositedValidators, 5, "pool depositedValidators");
        assertEq(address(beaconDeposit).balance, 5 * VALIDATOR_DEPOSIT, "ether at the deposit contract");
    }

    function test_UseKeys_SegmentsMaySplitAcrossBatches() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 3);
        _vet(operatorId, 5);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(4);
        assertEq(segments.length, 2, "segments: one per batch");
        assertEq(segments[1].batchIndex, 1, "second segment's batch");

        _fundBuffer(4 * VALIDATOR_DEPOSIT);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(operatorId, 0, 4);
        pool.depositValidators(segments, attestation);
        assertEq(registry.getOperator(operatorId).depositedKeys, 4, "depositedKeys");
    }

    function test_UseKeys_SegmentsMaySplitOneBatch() public {
        uint256 operatorId = _addOperatorWithKeys(5, 5);
        IOperatorRegistry.KeySegment[] memory segments = _two(
            _segment(operatorId, 0, 0, 0, 1),
            _segment(operatorId, 0, 0, 1, 3)
        );

        _expectRegistryEvent();
        emit IOperatorRegistry.KeysDeposited(operatorId, 0, 4);
        _useKeys(segments);
        assertEq(registry.getOperator(operatorId).depositedKeys, 4, "depositedKeys");
    }

    function test_UseKeys_WithNoSegmentsUsesNothing() public {
        _addOperatorWithKeys(2, 2);
        vm.prank(address(pool));
        uint256 count = registry.useKeys(new IOperatorRegistry.KeySegment[](0));
        assertEq(count, 0, "keys used");
        assertEq(registry.activeValidators(), 0, "activeValidators");
    }

    function test_RevertWhen_UseKeysCallerIsNotThePool() public {
        _addOperatorWithKeys(2, 2);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.CallerNotPool.selector, alice));
        registry.useKeys(segments);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.CallerNotPool.selector, admin));
        registry.useKeys(segments);
    }

    function test_RevertWhen_UseKeysAsksForMoreThanVetted() public {
        uint256 operatorId = _addOperatorWithKeys(6, 3);
        _addOperatorWithKeys(6, 0);
        _expectUseKeysRevert(
            _one(_segment(operatorId, 0, 0, 0, 4)),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 4, 3)
        );
    }

    function test_RevertWhen_UseKeysWouldExceedTheShareCap() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        _addOperatorWithKeys(4, 0);
        vm.prank(admin);
        registry.setShareCap(5_000);
        // 2 new validators, one operator with keys: half of 2 is all it may hold.
        _expectUseKeysRevert(
            _one(_segment(operatorId, 0, 0, 0, 2)),
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 2, 1)
        );
    }

    function test_RevertWhen_UseKeysSegmentsAreOutOfOperatorOrder() public {
        _addOperatorWithKeys(2, 2);
        _addOperatorWithKeys(2, 2);
        _expectUseKeysRevert(
            _two(_segment(1, 0, 0, 0, 1), _segment(0, 0, 0, 0, 1)),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysSegmentOvershootsTheAllocation() public {
        _addOperatorWithKeys(4, 4);
        _addOperatorWithKeys(4, 4);
        // 4 keys allocate [2, 2]; the first segment brings 3 of operator 0.
        _expectUseKeysRevert(
            _two(_segment(0, 0, 0, 0, 3), _segment(1, 0, 0, 0, 1)),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysSegmentsInterleaveOperators() public {
        _addOperatorWithKeys(4, 4);
        _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](3);
        segments[0] = _segment(0, 0, 0, 0, 1);
        segments[1] = _segment(1, 0, 0, 0, 2);
        segments[2] = _segment(0, 0, 0, 1, 1);
        // Operator 0's second key comes after operator 1's: segment 1 is not operator 0's next.
        _expectUseKeysRevert(segments, abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 1, 0, 1));
    }

    function test_RevertWhen_UseKeysSegmentGoesToAnOperatorWithoutAllocation() public {
        _addOperatorWithKeys(2, 2);
        _addOperatorWithKeys(2, 0);
        _addOperatorWithKeys(2, 2);
        // 2 keys allocate [1, 0, 1]: operator 1 has keys but none vetted.
        _expectUseKeysRevert(
            _two(_segment(0, 0, 0, 0, 1), _segment(1, 0, 0, 0, 1)),
            abi.encodeWithSelector(IOperatorRegistry.UnexpectedSegment.selector, 1, 2, 0)
        );
    }

    function test_RevertWhen_UseKeysSegmentSkipsAKey() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        // Keys 1 and 2 with a proof valid for them, but the allocation takes keys 0 and 1.
        _expectUseKeysRevert(
            _one(_segment(operatorId, 0, 0, 1, 2)),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysDepositDataRootsMismatch() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.depositDataRoots = new bytes32[](1);
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.DepositDataRootsMismatch.selector, 2, 1)
        );
        segment.depositDataRoots = new bytes32[](3);
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.DepositDataRootsMismatch.selector, 2, 3)
        );
    }

    function test_RevertWhen_UseKeysSegmentKeyBytesAreRagged() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.pubkeys = _truncated(segment.pubkeys, 95);
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyBytes.selector, 95, 192)
        );

        segment = _segment(operatorId, 0, 0, 0, 2);
        segment.signatures = _truncated(segment.signatures, 96);
        _expectUseKeysRevert(_one(segment), abi.encodeWithSelector(IOperatorRegistry.InvalidKeyBytes.selector, 96, 96));
    }

    function test_RevertWhen_UseKeysBatchNotFound() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.batchIndex = 1;
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.BatchNotFound.selector, operatorId, 1)
        );
    }

    function test_RevertWhen_UseKeysBatchStartsAfterTheKeys() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 3); // batch 1: keys 2, 3, 4
        _vet(operatorId, 5);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.batchIndex = 1;
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.KeysOutsideBatch.selector, operatorId, 1, 0, 2)
        );
    }

    function test_RevertWhen_UseKeysRunPastTheBatchEnd() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        _addKeys(operatorId, 3);
        _vet(operatorId, 5);
        // Keys 0, 1, 2 claimed from batch 0, which holds only 0 and 1.
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.pubkeys = bytes.concat(segment.pubkeys, pubkeyAt[operatorId][2]);
        segment.signatures = bytes.concat(segment.signatures, signatureAt[operatorId][2]);
        segment.depositDataRoots = new bytes32[](3);
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.KeysOutsideBatch.selector, operatorId, 0, 0, 3)
        );
    }

    function test_RevertWhen_UseKeysPubkeyIsTampered() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.pubkeys[60] ^= 0x01;
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysSignatureIsTampered() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        segment.signatures[0] ^= 0x80;
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysProofIsTampered() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        IOperatorRegistry.KeySegment memory segment = _segment(operatorId, 0, 0, 0, 2);
        assertEq(segment.proof.length, 1, "proof length");
        segment.proof[0] ^= bytes32(uint256(1));
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );

        segment.proof = new bytes32[](0);
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysPresentsAnotherOperatorsKeys() public {
        _addOperatorWithKeys(2, 2);
        _addOperatorWithKeys(2, 2);
        // Operator 1's first key and proof, passed off as operator 0's: the leaf binds the operator.
        IOperatorRegistry.KeySegment memory segment = _segment(1, 0, 0, 0, 1);
        segment.operatorId = 0;
        _expectUseKeysRevert(
            _one(segment),
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, 0, 0, 0)
        );
    }

    function test_RevertWhen_UseKeysReplaysDepositedKeys() public {
        uint256 operatorId = _addOperatorWithKeys(4, 4);
        _fundBuffer(4 * VALIDATOR_DEPOSIT);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(2);
        pool.depositValidators(segments, _attestation(GUARDIAN_QUORUM));

        // A fresh attestation (the deposit root moved): the same keys are now checked as keys 2 and 3.
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.InvalidKeyProof.selector, operatorId, 0, 2));
        pool.depositValidators(segments, attestation);

        // With nothing left vetted, the count itself is refused.
        vm.prank(admin);
        registry.setVettedKeys(operatorId, 2);
        _expectUseKeysRevert(
            segments,
            abi.encodeWithSelector(IOperatorRegistry.NotEnoughDepositableKeys.selector, 2, 0)
        );
        assertEq(registry.getOperator(operatorId).depositedKeys, 2, "depositedKeys");
        assertEq(registry.activeValidators(), 2, "activeValidators");
    }

    // =================================================================================================================
    // allocate
    // =================================================================================================================

    function test_Allocate_GivesToTheFewestActiveFirst() public {
        _operatorsAtLevels(_list(2, 0, 1), 10);
        _assertAllocation(1, _list(0, 1, 0), "count 1");
        _assertAllocation(2, _list(0, 2, 0), "count 2");
        _assertAllocation(3, _list(0, 2, 1), "count 3");
        _assertAllocation(5, _list(1, 3, 1), "count 5");
    }

    function test_Allocate_TiesGoToTheLowestId() public {
        _operatorsAtLevels(_list(0, 0, 0), 5);
        _assertAllocation(1, _list(1, 0, 0), "count 1");
        _assertAllocation(2, _list(1, 1, 0), "count 2");
        _assertAllocation(4, _list(2, 1, 1), "count 4");
    }

    function test_Allocate_StaysWithinVettedKeys() public {
        _addOperatorWithKeys(5, 1);
        _addOperatorWithKeys(5, 5);
        _addOperatorWithKeys(5, 0);
        _assertAllocation(4, _list(1, 3, 0), "count 4");
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(10);
        assertEq(allocated, 6, "allocated: every vetted key");
        _assertList(allocation, _list(1, 5, 0), "count 10");
    }

    function test_Allocate_AppliesTheShareCapToActivePlusCount() public {
        _operatorsAtLevels(_list(0, 0, 0, 0), 5);
        vm.prank(admin);
        registry.setShareCap(3_000);

        _assertAllocation(4, _list(1, 1, 1, 1), "count 4: 30% of 4 rounds down to 1 each");
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(3);
        assertEq(allocated, 0, "count 3: 30% of 3 rounds down to 0");
        _assertList(allocation, _list(0, 0, 0, 0), "count 3");
        _assertAllocation(8, _list(2, 2, 2, 2), "count 8");
        _assertAllocation(7, _list(2, 2, 2, 1), "count 7: 30% of 7 rounds down to 2");
    }

    function test_Allocate_ShareCapCountsTheValidatorsAlreadyActive() public {
        _operatorsAtLevels(_list(10, 0), 20);
        vm.prank(admin);
        registry.setShareCap(5_000);

        // Operator 0 holds 10 of 20 after the deposit: at the cap, it gets nothing.
        _assertAllocation(10, _list(0, 10), "count 10");
        (, uint256 allocated) = registry.allocate(9);
        assertEq(allocated, 9, "count 9: the cap is 9 of 19");
        // 11 of 22: operator 1 catches up to 10, then each gets one.
        _assertAllocation(12, _list(1, 11), "count 12");
    }

    function test_Allocate_SkipsDeactivatedOperators() public {
        _operatorsAtLevels(_list(0, 0, 0), 5);
        vm.prank(admin);
        registry.setOperatorActive(1, false);
        // Vetted again while inactive: still skipped.
        _vet(1, 5);

        _assertAllocation(4, _list(2, 0, 2), "count 4 while 1 is inactive");
        vm.prank(admin);
        registry.setOperatorActive(1, true);
        _assertAllocation(3, _list(1, 1, 1), "count 3 after reactivation");
    }

    function test_Allocate_WithoutOperatorsAllocatesNothing() public view {
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(5);
        assertEq(allocation.length, 0, "allocation length");
        assertEq(allocated, 0, "allocated");
    }

    function test_Allocate_ZeroCount() public {
        _operatorsAtLevels(_list(0, 0), 5);
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(0);
        assertEq(allocated, 0, "allocated");
        _assertList(allocation, _list(0, 0), "count 0");
    }

    function testFuzz_Allocate_SpreadsFewestFirstWithinRoomsAndCap(
        uint256 seed,
        uint256 operatorCount,
        uint256 count,
        uint256 shareCap
    ) public {
        RandomOperators memory operators = _randomOperators(seed, bound(operatorCount, 1, 12));
        count = bound(count, 0, 64);
        shareCap = bound(shareCap, 1, BPS);
        vm.prank(admin);
        registry.setShareCap(shareCap);

        (uint256[] memory allocation, uint256 allocated) = registry.allocate(count);

        uint256 capLimit = ((operators.totalActive + count) * shareCap) / BPS;
        uint256 n = operators.levels.length;
        uint256[] memory rooms = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 level = operators.levels[i];
            uint256 vettedRoom = operators.active[i] ? operators.vetted[i] - level : 0;
            uint256 capRoom = level < capLimit ? capLimit - level : 0;
            rooms[i] = vettedRoom < capRoom ? vettedRoom : capRoom;
            assertLe(allocation[i], vettedRoom, "allocation <= vetted room (zero when inactive)");
            if (allocation[i] != 0) assertLe(level + allocation[i], capLimit, "level after <= cap limit");
        }
        _assertMinFirst(operators.levels, rooms, count, allocation, allocated);
    }

    function testFuzz_MinFirstAllocation_MatchesOneAtATime(
        uint256 seed,
        uint256 operatorCount,
        uint256 count
    ) public view {
        uint256 n = bound(operatorCount, 0, 16);
        count = bound(count, 0, 200);
        uint256[] memory levels = new uint256[](n);
        uint256[] memory rooms = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            levels[i] = r % 30;
            rooms[i] = (r >> 8) % 4 == 0 ? 0 : (r >> 16) % 20;
        }
        (uint256[] memory allocation, uint256 allocated) = minFirst.allocate(levels, rooms, count);
        _assertMinFirst(levels, rooms, count, allocation, allocated);
    }

    // =================================================================================================================
    // views
    // =================================================================================================================

    function test_RevertWhen_GetOperatorNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.getOperator(0);
    }

    function test_RevertWhen_GetBatchNotFound() public {
        uint256 operatorId = _addOperatorWithKeys(2, 0);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.BatchNotFound.selector, operatorId, 1));
        registry.getBatch(operatorId, 1);
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 1));
        registry.getBatch(1, 0);
    }

    function test_RevertWhen_BatchCountOperatorNotFound() public {
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 0));
        registry.batchCount(0);
    }

    // =================================================================================================================
    // upgradeToAndCall
    // =================================================================================================================

    function test_UpgradeToAndCall_PreservesState() public {
        uint256 operatorId = _addOperatorWithKeys(6, 4);
        _useKeys(_segmentsFor(2));
        vm.startPrank(admin);
        registry.setShareCap(7_000);
        registry.setVettingLimit(42);
        vm.stopPrank();
        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        IOperatorRegistry.Batch memory batch = registry.getBatch(operatorId, 0);
        uint256 nonceBefore = registry.nonce();
        OperatorRegistry newImplementation = new OperatorRegistry();

        _expectRegistryEvent();
        emit IERC1967.Upgraded(address(newImplementation));
        vm.prank(admin);
        registry.upgradeToAndCall(address(newImplementation), "");

        assertEq(
            vm.load(address(registry), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(newImplementation)))),
            "implementation slot"
        );
        IOperatorRegistry.Operator memory operatorAfter = registry.getOperator(operatorId);
        assertEq(operatorAfter.totalKeys, operator.totalKeys, "totalKeys");
        assertEq(operatorAfter.vettedKeys, operator.vettedKeys, "vettedKeys");
        assertEq(operatorAfter.depositedKeys, 2, "depositedKeys");
        assertEq(operatorAfter.manager, operator.manager, "manager");
        _assertBatch(operatorId, 0, batch.root, 0, 6, 6, "batch 0");
        assertEq(registry.nonce(), nonceBefore, "nonce");
        assertEq(registry.shareCapBps(), 7_000, "shareCapBps");
        assertEq(registry.activeValidators(), 2, "activeValidators");
        assertEq(registry.pool(), address(pool), "pool");
        assertTrue(registry.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin keeps DEFAULT_ADMIN_ROLE");
        assertTrue(registry.hasRole(unvetRole, address(guard)), "guard keeps UNVET_KEYS_ROLE");
        assertEq(registry.vettingLimit(), 42, "vettingLimit");
        assertTrue(registry.hasRole(addRole, operations), "operations keeps ADD_OPERATOR_ROLE");
        assertTrue(registry.hasRole(vetRole, operations), "operations keeps VET_KEYS_ROLE");
    }

    function test_RevertWhen_UpgradeCallerLacksAdminRole() public {
        OperatorRegistry newImplementation = new OperatorRegistry();
        vm.prank(alice);
        _expectUnauthorized(alice, DEFAULT_ADMIN_ROLE);
        registry.upgradeToAndCall(address(newImplementation), "");

        vm.prank(address(guard));
        _expectUnauthorized(address(guard), DEFAULT_ADMIN_ROLE);
        registry.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeCallerHoldsEveryOtherRole() public {
        OperatorRegistry newImplementation = new OperatorRegistry();
        vm.startPrank(admin);
        registry.grantRole(manageRole, bob);
        registry.grantRole(addRole, bob);
        registry.grantRole(vetRole, bob);
        registry.grantRole(unvetRole, bob);
        registry.grantRole(registry.REPORT_EXITS_ROLE(), bob);
        vm.stopPrank();

        vm.prank(bob);
        _expectUnauthorized(bob, DEFAULT_ADMIN_ROLE);
        registry.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeIsCalledOnTheImplementation() public {
        OperatorRegistry registryImplementation = new OperatorRegistry();
        OperatorRegistry newImplementation = new OperatorRegistry();
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        registryImplementation.upgradeToAndCall(address(newImplementation), "");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _expectUnauthorized(address account, bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }

    /// @dev The registry implementation the fixture's proxy runs, reusable for other proxies.
    function _registryImplementation() private view returns (address) {
        return address(uint160(uint256(vm.load(address(registry), ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    /// @dev `initialize`'s call data with the fixture's settings, except the operations timelock and vetting limit.
    function _initializeData(address operations_, uint256 vettingLimit_) private view returns (bytes memory) {
        return
            abi.encodeCall(
                OperatorRegistry.initialize,
                (
                    admin,
                    address(pool),
                    address(guard),
                    address(oracle),
                    SHARE_CAP_BPS,
                    EXIT_RESPONSE_TIME,
                    operations_,
                    vettingLimit_
                )
            );
    }

    function _newRegistry(address operations_, uint256 vettingLimit_) private returns (OperatorRegistry) {
        address implementation = _registryImplementation();
        return OperatorRegistry(address(new ERC1967Proxy(implementation, _initializeData(operations_, vettingLimit_))));
    }

    function _expectRegistryEvent() private {
        vm.expectEmit(true, true, true, true, address(registry));
    }

    function _expectInitializeRevert(
        address admin_,
        address pool_,
        address guard_,
        uint256 shareCap,
        bytes memory revertData
    ) private {
        OperatorRegistry registryImplementation = new OperatorRegistry();
        bytes memory data = abi.encodeCall(
            OperatorRegistry.initialize,
            (admin_, pool_, guard_, address(oracle), shareCap, EXIT_RESPONSE_TIME, operations, VETTING_LIMIT)
        );
        vm.expectRevert(revertData);
        new ERC1967Proxy(address(registryImplementation), data);
    }

    function _expectClusterRevert(uint256 threshold, address[] memory members, bytes memory revertData) private {
        vm.prank(admin);
        vm.expectRevert(revertData);
        registry.addCluster("cluster", alice, alice, threshold, members);
    }

    function _expectAddKeysBytesRevert(uint256 pubkeysLength, uint256 signaturesLength) private {
        if (registry.operatorCount() == 0) _addOperatorWithKeys(0, 0);
        address manager = _managerOf(0);
        bytes memory pubkeys = new bytes(pubkeysLength);
        bytes memory signatures = new bytes(signaturesLength);
        vm.prank(manager);
        vm.expectRevert(
            abi.encodeWithSelector(IOperatorRegistry.InvalidKeyBytes.selector, pubkeysLength, signaturesLength)
        );
        registry.addKeys(0, pubkeys, signatures);
    }

    function _expectUseKeysRevert(IOperatorRegistry.KeySegment[] memory segments, bytes memory revertData) private {
        vm.prank(address(pool));
        vm.expectRevert(revertData);
        registry.useKeys(segments);
    }

    /// @dev A simulated deposit: the registry's side of `depositValidators`, without ether or attestation.
    function _useKeys(IOperatorRegistry.KeySegment[] memory segments) private {
        vm.prank(address(pool));
        registry.useKeys(segments);
    }

    function _one(
        IOperatorRegistry.KeySegment memory segment
    ) private pure returns (IOperatorRegistry.KeySegment[] memory segments) {
        segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = segment;
    }

    function _two(
        IOperatorRegistry.KeySegment memory first,
        IOperatorRegistry.KeySegment memory second
    ) private pure returns (IOperatorRegistry.KeySegment[] memory segments) {
        segments = new IOperatorRegistry.KeySegment[](2);
        segments[0] = first;
        segments[1] = second;
    }

    /// @dev `n` operators with up to 8 keys each, random deposited (level) and vetted counts, a quarter of them
    /// inactive (deactivated first, then vetted: an inactive operator with vetted room must still be skipped).
    function _randomOperators(uint256 seed, uint256 n) private returns (RandomOperators memory operators) {
        operators.levels = new uint256[](n);
        operators.vetted = new uint256[](n);
        operators.active = new bool[](n);
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 keys = r % 9;
            uint256 level = (r >> 8) % (keys + 1);
            operators.levels[i] = level;
            operators.vetted[i] = level + ((r >> 16) % (keys - level + 1));
            operators.active[i] = (r >> 24) % 4 != 0;
            operators.totalActive += level;
            // Earlier operators have vetted == deposited, so this deposit goes to operator i only.
            _addOperatorWithDeposits(i, keys, level, seed);
        }
        vm.startPrank(admin);
        for (uint256 i; i < n; ++i) {
            if (!operators.active[i]) registry.setOperatorActive(i, false);
            if (operators.vetted[i] != operators.levels[i]) registry.setVettedKeys(i, operators.vetted[i]);
        }
        vm.stopPrank();
    }

    /// @dev An operator with 12 keys in three batches: [0, 4), [4, 7), [7, 12); none vetted.
    function _operatorWithBatches() private returns (uint256 operatorId) {
        operatorId = _addOperatorWithKeys(4, 0);
        _addKeys(operatorId, 3);
        _addKeys(operatorId, 5);
    }

    /// @dev One operator per entry, each with `keys` keys and `levels[i]` of them deposited, vetted up to `keys`.
    function _operatorsAtLevels(uint256[] memory levels, uint256 keys) private {
        uint256 first = registry.operatorCount();
        for (uint256 i; i < levels.length; ++i) {
            // Earlier operators are fully deposited (vetted == deposited), so the deposit goes to this one only.
            uint256 operatorId = _addOperatorWithKeys(keys, levels[i]);
            if (levels[i] != 0) _useKeys(_segmentsFor(levels[i]));
            assertEq(registry.getOperator(operatorId).depositedKeys, levels[i], "level set up");
        }
        for (uint256 i; i < levels.length; ++i) _vet(first + i, keys);
    }

    /// @dev Operator `operatorId` (the next id) with `keys` keys in one batch, the first `deposited` of them
    /// deposited; cheaper than the fixture (no key storage), for the fuzz tests.
    function _addOperatorWithDeposits(uint256 operatorId, uint256 keys, uint256 deposited, uint256 seed) private {
        address manager = address(uint160(0xA000 + operatorId));
        vm.prank(admin);
        registry.addOperator("operator", manager, manager);
        if (keys == 0) return;
        (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) = _makeKeys(operatorId, 0, keys, seed);
        vm.prank(manager);
        registry.addKeys(operatorId, pubkeys, signatures);
        if (deposited == 0) return;
        vm.prank(admin);
        registry.setVettedKeys(operatorId, deposited);
        _useKeys(
            _one(
                IOperatorRegistry.KeySegment({
                    operatorId: operatorId,
                    batchIndex: 0,
                    pubkeys: _truncated(pubkeys, deposited * 48),
                    signatures: _truncated(signatures, deposited * 96),
                    depositDataRoots: new bytes32[](deposited),
                    proof: KeyBatchReference.rangeProof(leaves, 0, deposited)
                })
            )
        );
    }

    /// @dev `count` pseudo-random keys with indices from `firstIndex`, packed as `addKeys` takes them, and their
    /// reference leaves. Written in place: concatenating key by key costs quadratic memory for large batches.
    function _makeKeys(
        uint256 operatorId,
        uint256 firstIndex,
        uint256 count,
        uint256 seed
    ) private pure returns (bytes memory pubkeys, bytes memory signatures, bytes32[] memory leaves) {
        pubkeys = new bytes(count * 48);
        signatures = new bytes(count * 96);
        leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            bytes32 h = keccak256(abi.encode(seed, firstIndex + i));
            bytes memory pubkey = abi.encodePacked(h, bytes16(keccak256(abi.encode(h, 0))));
            bytes memory signature = abi.encodePacked(
                keccak256(abi.encode(h, 1)),
                keccak256(abi.encode(h, 2)),
                keccak256(abi.encode(h, 3))
            );
            leaves[i] = KeyBatchReference.leaf(operatorId, firstIndex + i, pubkey, signature);
            assembly ("memory-safe") {
                // Key i's last 32 bytes, then its first 32: no write reaches past its 48 bytes.
                let p := add(add(pubkeys, 0x20), mul(i, 48))
                mstore(add(p, 16), mload(add(pubkey, 0x30)))
                mstore(p, mload(add(pubkey, 0x20)))
                let s := add(add(signatures, 0x20), mul(i, 96))
                mstore(s, mload(add(signature, 0x20)))
                mstore(add(s, 0x20), mload(add(signature, 0x40)))
                mstore(add(s, 0x40), mload(add(signature, 0x60)))
            }
        }
    }

    /// @dev `data` shortened to `length` bytes, in place.
    function _truncated(bytes memory data, uint256 length) private pure returns (bytes memory) {
        require(length <= data.length, "truncated: longer than the data");
        assembly ("memory-safe") {
            mstore(data, length)
        }
        return data;
    }

    function _randomLeaves(uint256 width, uint256 seed) private pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](width);
        for (uint256 i; i < width; ++i) leaves[i] = keccak256(abi.encode(seed, i));
    }

    function _sliceLeaves(
        bytes32[] memory leaves,
        uint256 start,
        uint256 count
    ) private pure returns (bytes32[] memory slice) {
        slice = new bytes32[](count);
        for (uint256 i; i < count; ++i) slice[i] = leaves[start + i];
    }

    function _members(uint256 count) private pure returns (address[] memory members) {
        members = new address[](count);
        for (uint256 i; i < count; ++i) members[i] = address(uint160(0x1000 + i));
    }

    /// @dev Checks an allocation against the min-first rule: within rooms, as much as fits, nobody served while a
    /// lower operator had room, and the same as handing validators out one at a time.
    function _assertMinFirst(
        uint256[] memory levels,
        uint256[] memory rooms,
        uint256 count,
        uint256[] memory allocation,
        uint256 allocated
    ) private pure {
        uint256 n = levels.length;
        assertEq(allocation.length, n, "allocation length");
        uint256 sum;
        uint256 roomSum;
        for (uint256 i; i < n; ++i) {
            assertLe(allocation[i], rooms[i], "allocation <= room");
            sum += allocation[i];
            roomSum += rooms[i];
        }
        assertEq(allocated, sum, "allocated is the sum of the allocation");
        assertEq(sum, count < roomSum ? count : roomSum, "allocated = min(count, sum of rooms)");
        for (uint256 i; i < n; ++i) {
            if (allocation[i] == 0) continue;
            for (uint256 j; j < n; ++j) {
                if (rooms[j] == allocation[j]) continue;
                assertLe(
                    levels[i] + allocation[i] - 1,
                    levels[j] + allocation[j],
                    "an operator was served while a lower one had room"
                );
            }
        }
        uint256[] memory expected = _oneAtATime(levels, rooms, count);
        for (uint256 i; i < n; ++i) {
            assertEq(allocation[i], expected[i], string.concat("one at a time, operator ", Strings.toString(i)));
        }
    }

    /// @dev The naive allocation: each validator to the lowest level with room, ties to the lowest id.
    function _oneAtATime(
        uint256[] memory levels,
        uint256[] memory rooms,
        uint256 count
    ) private pure returns (uint256[] memory allocation) {
        uint256 n = levels.length;
        allocation = new uint256[](n);
        for (uint256 k; k < count; ++k) {
            uint256 best = type(uint256).max;
            for (uint256 i; i < n; ++i) {
                if (allocation[i] == rooms[i]) continue;
                if (best == type(uint256).max || levels[i] + allocation[i] < levels[best] + allocation[best]) {
                    best = i;
                }
            }
            if (best == type(uint256).max) break;
            ++allocation[best];
        }
    }

    function _assertAllocation(uint256 count, uint256[] memory expected, string memory label) private view {
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(count);
        assertEq(allocated, count, string.concat(label, ": allocated"));
        _assertList(allocation, expected, label);
    }

    function _assertList(uint256[] memory actual, uint256[] memory expected, string memory label) private pure {
        assertEq(actual.length, expected.length, string.concat(label, ": length"));
        for (uint256 i; i < expected.length; ++i) {
            assertEq(actual[i], expected[i], string.concat(label, ": operator ", Strings.toString(i)));
        }
    }

    function _assertBatch(
        uint256 operatorId,
        uint256 batchIndex,
        bytes32 root,
        uint256 firstIndex,
        uint256 size,
        uint256 end,
        string memory label
    ) private view {
        IOperatorRegistry.Batch memory batch = registry.getBatch(operatorId, batchIndex);
        assertEq(batch.root, root, string.concat(label, ": root"));
        assertEq(batch.firstIndex, firstIndex, string.concat(label, ": firstIndex"));
        assertEq(batch.size, size, string.concat(label, ": size"));
        assertEq(batch.end, end, string.concat(label, ": end"));
    }

    function _assertEvents(Vm.Log[] memory logs, bytes32[] memory topics, string memory label) private view {
        assertEq(logs.length, topics.length, string.concat(label, ": event count"));
        for (uint256 i; i < topics.length; ++i) {
            assertEq(logs[i].emitter, address(registry), string.concat(label, ": emitter"));
            assertEq(logs[i].topics[0], topics[i], string.concat(label, ": event ", Strings.toString(i)));
        }
    }

    function _topics(bytes32 first, bytes32 second) private pure returns (bytes32[] memory topics) {
        topics = new bytes32[](2);
        topics[0] = first;
        topics[1] = second;
    }

    function _list(uint256 a, uint256 b) private pure returns (uint256[] memory list) {
        list = new uint256[](2);
        (list[0], list[1]) = (a, b);
    }

    function _list(uint256 a, uint256 b, uint256 c) private pure returns (uint256[] memory list) {
        list = new uint256[](3);
        (list[0], list[1], list[2]) = (a, b, c);
    }

    function _list(uint256 a, uint256 b, uint256 c, uint256 d) private pure returns (uint256[] memory list) {
        list = new uint256[](4);
        (list[0], list[1], list[2], list[3]) = (a, b, c, d);
    }
}
