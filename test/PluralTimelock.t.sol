// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {PluralTimelock} from "../contracts/PluralTimelock.sol";
import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Tests of PluralTimelock: the delay's hard limits (in the constructor and in `updateDelay`, which only the
/// timelock itself calls, through a scheduled operation), the production floor on chain id 1, and the admin's
/// canceller role.
contract PluralTimelockTest is Test {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant ROLE_REVOKED = keccak256("RoleRevoked(bytes32,address,address)");
    uint256 private constant MAINNET = 1;
    uint256 private constant DELAY = 2 days;

    address private proposer;
    address private executor;
    address private admin;
    address private stranger;
    bytes32 private proposerRole;
    bytes32 private executorRole;
    bytes32 private cancellerRole;

    function setUp() public {
        proposer = makeAddr("proposer");
        executor = makeAddr("executor");
        admin = makeAddr("admin");
        stranger = makeAddr("stranger");
        PluralTimelock probe = _deploy(DELAY, address(0));
        proposerRole = probe.PROPOSER_ROLE();
        executorRole = probe.EXECUTOR_ROLE();
        cancellerRole = probe.CANCELLER_ROLE();
    }

    // =================================================================================================================
    // constructor
    // =================================================================================================================

    function test_Constructor_SetsTheDelayAndRoles() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        assertEq(timelock.getMinDelay(), DELAY, "delay");
        assertTrue(timelock.hasRole(proposerRole, proposer), "proposer proposes");
        assertTrue(timelock.hasRole(cancellerRole, proposer), "proposer cancels");
        assertTrue(timelock.hasRole(executorRole, executor), "executor executes");
        assertFalse(timelock.hasRole(executorRole, proposer), "proposer does not execute");
        assertTrue(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "administers itself");
        assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "the deploying account is no admin");
        assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(0)), "zero is no admin");
        assertFalse(timelock.hasRole(cancellerRole, address(0)), "zero is no canceller");
    }

    function test_Constructor_GivesTheAdminTheCancellerRole() public {
        PluralTimelock timelock = _deploy(DELAY, admin);
        assertTrue(timelock.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin administers");
        assertTrue(timelock.hasRole(cancellerRole, admin), "admin cancels");
        assertFalse(timelock.hasRole(proposerRole, admin), "admin does not propose");
        assertFalse(timelock.hasRole(executorRole, admin), "admin does not execute");
        assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "no longer administers itself");
        assertTrue(timelock.ADMINISTERED(), "ADMINISTERED");

        // The admin cancels what the proposer scheduled.
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (3 days));
        vm.prank(proposer);
        timelock.schedule(address(timelock), 0, data, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(timelock), 0, data, bytes32(0), bytes32(0));
        vm.prank(admin);
        timelock.cancel(id);
        assertFalse(timelock.isOperation(id), "cancelled");
    }

    function test_Constructor_AcceptsTheLongestDelay() public {
        assertEq(_deploy(30 days, address(0)).getMinDelay(), 30 days, "MAX_DELAY");
    }

    function test_RevertWhen_ConstructorDelayIsAboveTheLongest() public {
        vm.expectRevert(_invalidDelay(30 days + 1, block.chainid));
        _deploy(30 days + 1, address(0));
    }

    function test_Constructor_AcceptsAShortDelayOffMainnet() public {
        assertFalse(block.chainid == MAINNET, "the test chain is not mainnet");
        assertEq(_deploy(0, address(0)).getMinDelay(), 0, "no delay");
        assertEq(_deploy(10 minutes, address(0)).getMinDelay(), 10 minutes, "ten minutes");
    }

    function test_RevertWhen_ConstructorDelayIsBelowOneDayOnMainnet() public {
        vm.chainId(MAINNET);
        vm.expectRevert(_invalidDelay(1 days - 1, MAINNET));
        _deploy(1 days - 1, address(0));
        vm.expectRevert(_invalidDelay(0, MAINNET));
        _deploy(0, address(0));
    }

    function test_Constructor_AcceptsOneDayOnMainnet() public {
        vm.chainId(MAINNET);
        assertEq(_deploy(1 days, address(0)).getMinDelay(), 1 days, "MIN_PRODUCTION_DELAY");
    }

    function testFuzz_Constructor_EnforcesTheDelayBounds(uint256 delay, bool mainnet) public {
        delay = bound(delay, 0, 60 days);
        uint256 chainId = mainnet ? MAINNET : 560048;
        vm.chainId(chainId);
        bool valid = delay <= 30 days && (delay >= 1 days || !mainnet);
        if (!valid) vm.expectRevert(_invalidDelay(delay, chainId));
        PluralTimelock timelock = _deploy(delay, address(0));
        if (valid) assertEq(timelock.getMinDelay(), delay, "delay");
    }

    // =================================================================================================================
    // isProductionChain
    // =================================================================================================================

    function test_IsProductionChain_OnlyMainnet() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        assertTrue(timelock.isProductionChain(1), "mainnet");
        assertFalse(timelock.isProductionChain(0), "zero");
        assertFalse(timelock.isProductionChain(31337), "hardhat");
        assertFalse(timelock.isProductionChain(11155111), "sepolia");
        assertFalse(timelock.isProductionChain(560048), "hoodi");
        assertFalse(timelock.isProductionChain(17000), "holesky");
    }

    function testFuzz_IsProductionChain_OnlyMainnet(uint256 chainId) public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        assertEq(timelock.isProductionChain(chainId), chainId == 1, "production iff chain id 1");
    }

    // =================================================================================================================
    // updateDelay
    // =================================================================================================================

    function test_UpdateDelay_ThroughAScheduledSelfCall() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (5 days));
        _schedule(timelock, data);
        vm.expectEmit(true, true, true, true, address(timelock));
        emit TimelockController.MinDelayChange(DELAY, 5 days);
        vm.prank(executor);
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), 5 days, "new delay");
    }

    function test_UpdateDelay_AcceptsAShortDelayOffMainnet() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        _scheduleAndExecute(timelock, abi.encodeCall(TimelockController.updateDelay, (1 minutes)));
        assertEq(timelock.getMinDelay(), 1 minutes, "one minute");
    }

    function test_UpdateDelay_AcceptsOneDayOnMainnet() public {
        vm.chainId(MAINNET);
        PluralTimelock timelock = _deploy(DELAY, address(0));
        _scheduleAndExecute(timelock, abi.encodeCall(TimelockController.updateDelay, (1 days)));
        assertEq(timelock.getMinDelay(), 1 days, "MIN_PRODUCTION_DELAY");
    }

    function test_RevertWhen_UpdateDelayIsAboveTheLongest() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (30 days + 1));
        _schedule(timelock, data);
        vm.prank(executor);
        vm.expectRevert(_invalidDelay(30 days + 1, block.chainid));
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), DELAY, "delay unchanged");
    }

    function test_RevertWhen_UpdateDelayIsBelowOneDayOnMainnet() public {
        vm.chainId(MAINNET);
        PluralTimelock timelock = _deploy(DELAY, address(0));
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (1 days - 1));
        _schedule(timelock, data);
        vm.prank(executor);
        vm.expectRevert(_invalidDelay(1 days - 1, MAINNET));
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), DELAY, "delay unchanged");
    }

    function test_RevertWhen_UpdateDelayCallerIsNotTheTimelock() public {
        PluralTimelock timelock = _deploy(DELAY, address(0));
        address[3] memory callers = [proposer, executor, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, callers[i]));
            timelock.updateDelay(3 days);
        }
        assertEq(timelock.getMinDelay(), DELAY, "delay unchanged");
    }

    // =================================================================================================================
    // an administered timelock (the operations timelock)
    // =================================================================================================================

    function test_Constructor_AdministeredTimelockGivesUpItsOwnAdminRole() public {
        vm.recordLogs();
        PluralTimelock timelock = _deploy(DELAY, admin);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool revoked;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(timelock) || logs[i].topics[0] != ROLE_REVOKED) continue;
            assertEq(logs[i].topics[1], DEFAULT_ADMIN_ROLE, "the role revoked");
            assertEq(address(uint160(uint256(logs[i].topics[2]))), address(timelock), "from the timelock itself");
            revoked = true;
        }
        assertTrue(revoked, "RoleRevoked emitted");
        assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "does not administer itself");
        assertFalse(_deploy(DELAY, address(0)).ADMINISTERED(), "a self-administered timelock");
    }

    function test_RevertWhen_ProposersOfAnAdministeredTimelockGrantThemselvesRoles() public {
        PluralTimelock timelock = _deploy(DELAY, admin);
        bytes memory data = abi.encodeCall(IAccessControl.grantRole, (proposerRole, stranger));
        _schedule(timelock, data);
        vm.prank(executor);
        vm.expectRevert(_unauthorized(address(timelock), DEFAULT_ADMIN_ROLE));
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertFalse(timelock.hasRole(proposerRole, stranger), "no new proposer");

        vm.prank(admin);
        timelock.grantRole(proposerRole, stranger);
        assertTrue(timelock.hasRole(proposerRole, stranger), "the admin grants");
    }

    function test_RevertWhen_AnAdministeredTimelockUpdatesItsDelay() public {
        PluralTimelock timelock = _deploy(DELAY, admin);
        bytes memory fixedDelay = abi.encodeWithSelector(PluralTimelock.DelayIsFixed.selector, DELAY);
        address[4] memory callers = [proposer, executor, admin, stranger];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(fixedDelay);
            timelock.updateDelay(1 hours);
        }
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (1 hours));
        _schedule(timelock, data);
        vm.prank(executor);
        vm.expectRevert(fixedDelay);
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), DELAY, "delay unchanged");
    }

    function test_Constructor_GivesTheCancellersTheirRoleAndNothingElse() public {
        address[] memory cancellers = new address[](2);
        cancellers[0] = makeAddr("veto one");
        cancellers[1] = makeAddr("veto two");
        address[] memory proposers = new address[](1);
        proposers[0] = proposer;
        address[] memory executors = new address[](1);
        executors[0] = executor;
        PluralTimelock timelock = new PluralTimelock(DELAY, proposers, executors, cancellers, admin);
        for (uint256 i; i < cancellers.length; ++i) {
            assertTrue(timelock.hasRole(cancellerRole, cancellers[i]), "cancels");
            assertFalse(timelock.hasRole(proposerRole, cancellers[i]), "does not propose");
            assertFalse(timelock.hasRole(executorRole, cancellers[i]), "does not execute");
            assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, cancellers[i]), "does not administer");
        }
        bytes memory data = abi.encodeCall(IAccessControl.grantRole, (proposerRole, stranger));
        vm.prank(proposer);
        timelock.schedule(address(timelock), 0, data, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(timelock), 0, data, bytes32(0), bytes32(0));
        vm.prank(cancellers[1]);
        timelock.cancel(id);
        assertFalse(timelock.isOperation(id), "vetoed at once");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _unauthorized(address account, bytes32 role) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    function _deploy(uint256 delay, address admin_) private returns (PluralTimelock) {
        address[] memory proposers = new address[](1);
        proposers[0] = proposer;
        address[] memory executors = new address[](1);
        executors[0] = executor;
        return new PluralTimelock(delay, proposers, executors, new address[](0), admin_);
    }

    /// @dev The proposer schedules a call of the timelock to itself with the current delay; the clock moves past it.
    function _schedule(PluralTimelock timelock, bytes memory data) private {
        uint256 delay = timelock.getMinDelay();
        vm.prank(proposer);
        timelock.schedule(address(timelock), 0, data, bytes32(0), bytes32(0), delay);
        vm.warp(block.timestamp + delay);
    }

    function _scheduleAndExecute(PluralTimelock timelock, bytes memory data) private {
        _schedule(timelock, data);
        vm.prank(executor);
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
    }

    function _invalidDelay(uint256 delay, uint256 chainId) private pure returns (bytes memory) {
        return abi.encodeWithSelector(PluralTimelock.InvalidTimelockDelay.selector, delay, chainId);
    }
}
