// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {GovernanceDeployer} from "../contracts/GovernanceDeployer.sol";
import {PluralGovernor} from "../contracts/PluralGovernor.sol";
import {PluralTimelock} from "../contracts/PluralTimelock.sol";
import {PluralToken} from "../contracts/PluralToken.sol";
import {GovernanceFixture} from "./utils/GovernanceFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Tests of GovernanceDeployer: token governance (the Governor proposes) and multisig governance, with and
/// without an operations timelock; who holds which timelock role; the predicted addresses; bad settings.
contract GovernanceDeployerTest is GovernanceFixture {
    bytes32 private constant ROLE_GRANTED = keccak256("RoleGranted(bytes32,address,address)");
    bytes32 private constant ROLE_REVOKED = keccak256("RoleRevoked(bytes32,address,address)");
    bytes32 private constant GOVERNANCE_DEPLOYED = keccak256("GovernanceDeployed(address,address,address,address)");

    bytes32 private proposerRole;
    bytes32 private executorRole;
    bytes32 private cancellerRole;
    address private multisig;
    address private stranger;

    /// @dev A role grant seen in the deployment's logs.
    struct Grant {
        address timelock;
        bytes32 role;
        address account;
    }

    function setUp() public {
        vm.warp(START_TIME);
        multisig = makeAddr("governance multisig");
        stranger = makeAddr("stranger");
        PluralTimelock probe = new PluralTimelock(0, new address[](0), new address[](0), new address[](0), address(0));
        proposerRole = probe.PROPOSER_ROLE();
        executorRole = probe.EXECUTOR_ROLE();
        cancellerRole = probe.CANCELLER_ROLE();
    }

    // =================================================================================================================
    // token governance
    // =================================================================================================================

    function test_Constructor_TokenGovernance_GrantsExactlyTheseRoles() public {
        vm.recordLogs();
        _deployGovernance(_governanceSettings());
        Grant[] memory grants = _grants(vm.getRecordedLogs());

        // Every role any timelock ever granted, in order; nothing revoked but the operations timelock's own admin role
        // (checked in _grants).
        Grant[11] memory expected = [
            Grant(address(timelock), DEFAULT_ADMIN_ROLE, address(timelock)),
            Grant(address(timelock), proposerRole, address(governor)),
            Grant(address(timelock), cancellerRole, address(governor)),
            Grant(address(timelock), executorRole, address(governor)),
            Grant(address(timelock), executorRole, address(0)),
            Grant(address(opsTimelock), DEFAULT_ADMIN_ROLE, address(opsTimelock)),
            Grant(address(opsTimelock), DEFAULT_ADMIN_ROLE, address(timelock)),
            Grant(address(opsTimelock), proposerRole, opsMultisig),
            Grant(address(opsTimelock), cancellerRole, opsMultisig),
            Grant(address(opsTimelock), executorRole, opsMultisig),
            Grant(address(opsTimelock), cancellerRole, address(timelock))
        ];
        assertEq(grants.length, expected.length, "number of role grants");
        for (uint256 i; i < expected.length; ++i) {
            assertEq(grants[i].timelock, expected[i].timelock, "grant's timelock");
            assertEq(grants[i].role, expected[i].role, "grant's role");
            assertEq(grants[i].account, expected[i].account, "grant's account");
        }
    }

    function test_Constructor_TokenGovernance_TimelockHasNoAdminButItself() public {
        _deployGovernance(_governanceSettings());
        assertTrue(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "the timelock administers itself");
        address[6] memory others = [
            address(governanceDeployer),
            address(this),
            address(governor),
            address(token),
            opsMultisig,
            address(0)
        ];
        for (uint256 i; i < others.length; ++i) {
            assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, others[i]), "no other admin");
        }
        assertTrue(timelock.hasRole(proposerRole, address(governor)), "the Governor proposes");
        assertTrue(timelock.hasRole(cancellerRole, address(governor)), "the Governor cancels");
        assertFalse(timelock.hasRole(proposerRole, address(governanceDeployer)), "the deployer does not propose");
        assertFalse(timelock.hasRole(proposerRole, address(this)), "the deploying account does not propose");
        assertTrue(timelock.hasRole(executorRole, address(0)), "anyone executes");
        assertEq(timelock.getMinDelay(), TIMELOCK_DELAY, "timelock delay");
    }

    function test_Constructor_TokenGovernance_WiresTheGovernor() public {
        _deployGovernance(_governanceSettings());
        assertEq(governor.timelock(), address(timelock), "governor.timelock()");
        assertEq(address(governor.token()), address(token), "governor.token()");
        assertEq(governor.name(), "PluralGovernor", "name");
        assertEq(governor.votingDelay(), VOTING_DELAY, "votingDelay");
        assertEq(governor.votingPeriod(), VOTING_PERIOD, "votingPeriod");
        assertEq(governor.proposalThreshold(), PROPOSAL_THRESHOLD, "proposalThreshold");
        assertEq(governor.quorumNumerator(), QUORUM_PERCENT, "quorumNumerator");
        assertEq(governor.quorumDenominator(), 100, "quorum in percent");
        assertEq(token.totalSupply(), TOTAL_TOKENS, "token supply");
        assertEq(token.balanceOf(alice), ALICE_TOKENS, "alice's tokens");
        assertEq(token.balanceOf(address(governanceDeployer)), 0, "the deployer keeps no token");
    }

    function test_Constructor_EmitsGovernanceDeployedWithThePredictedAddresses() public {
        vm.recordLogs();
        _deployGovernance(_governanceSettings());
        address deployer = address(governanceDeployer);
        (address emitted, bytes memory data) = _deployedEvent(vm.getRecordedLogs());
        assertEq(emitted, deployer, "emitted by the deployer");
        assertEq(
            data,
            abi.encode(
                _createdBy(deployer, 1),
                _createdBy(deployer, 2),
                _createdBy(deployer, 3),
                _createdBy(deployer, 4)
            ),
            "timelock, operations timelock, token, governor at nonces 1 to 4"
        );
        assertEq(timelock.getMinDelay(), TIMELOCK_DELAY, "a timelock at nonce 1");
        assertEq(opsTimelock.getMinDelay(), OPERATIONS_DELAY, "an operations timelock at nonce 2");
        assertEq(token.symbol(), "PLURAL", "a token at nonce 3");
        assertEq(governor.name(), "PluralGovernor", "a Governor at nonce 4");
        assertEq(_createdBy(deployer, 5).code.length, 0, "nothing at nonce 5");
    }

    function test_Constructor_TokenGovernanceWithoutOperations() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.operationsProposer = address(0);
        vm.recordLogs();
        _deployGovernance(settings);
        address deployer = address(governanceDeployer);
        (, bytes memory data) = _deployedEvent(vm.getRecordedLogs());
        assertEq(
            data,
            abi.encode(_createdBy(deployer, 1), address(0), _createdBy(deployer, 2), _createdBy(deployer, 3)),
            "no operations timelock: the token and the Governor move up one nonce"
        );
        assertEq(token.totalSupply(), TOTAL_TOKENS, "token at nonce 2");
        assertEq(governor.timelock(), address(timelock), "Governor at nonce 3");
        assertTrue(timelock.hasRole(proposerRole, address(governor)), "the Governor proposes");
        assertEq(_createdBy(deployer, 4).code.length, 0, "nothing at nonce 4");
    }

    // =================================================================================================================
    // multisig governance
    // =================================================================================================================

    function test_Constructor_MultisigMode_CreatesNoTokenNorGovernor() public {
        GovernanceDeployer.Settings memory settings = _multisigSettings();
        vm.recordLogs();
        _deployGovernance(settings);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        address deployer = address(governanceDeployer);
        (, bytes memory data) = _deployedEvent(logs);
        assertEq(
            data,
            abi.encode(_createdBy(deployer, 1), _createdBy(deployer, 2), address(0), address(0)),
            "timelocks only"
        );
        assertEq(_createdBy(deployer, 3).code.length, 0, "no token");
        assertEq(_createdBy(deployer, 4).code.length, 0, "no Governor");
        assertTrue(timelock.hasRole(proposerRole, multisig), "the multisig proposes");
        assertTrue(timelock.hasRole(cancellerRole, multisig), "the multisig cancels");
        assertFalse(timelock.hasRole(DEFAULT_ADMIN_ROLE, multisig), "the multisig is no admin");
        assertTrue(timelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "the timelock administers itself");
        assertTrue(opsTimelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "which administers operations");

        Grant[] memory grants = _grants(logs);
        for (uint256 i; i < grants.length; ++i) {
            if (grants[i].role == DEFAULT_ADMIN_ROLE) {
                assertTrue(
                    grants[i].account == address(timelock) || grants[i].account == address(opsTimelock),
                    "only the timelocks administer"
                );
            }
        }
    }

    function test_Constructor_MultisigModeWithoutOperations() public {
        GovernanceDeployer.Settings memory settings = _multisigSettings();
        settings.operationsProposer = address(0);
        vm.recordLogs();
        _deployGovernance(settings);
        address deployer = address(governanceDeployer);
        (, bytes memory data) = _deployedEvent(vm.getRecordedLogs());
        assertEq(data, abi.encode(_createdBy(deployer, 1), address(0), address(0), address(0)), "the timelock only");
        assertEq(_createdBy(deployer, 2).code.length, 0, "nothing at nonce 2");
    }

    function test_Constructor_MultisigModeIgnoresTheTokenSettings() public {
        GovernanceDeployer.Settings memory settings = _multisigSettings();
        settings.tokenHolders = new address[](0);
        settings.tokenAmounts = new uint256[](3);
        settings.votingPeriod = 0;
        settings.quorumPercent = 0;
        _deployGovernance(settings);
        assertTrue(timelock.hasRole(proposerRole, multisig), "deployed all the same");
    }

    // =================================================================================================================
    // the operations timelock under the governance timelock
    // =================================================================================================================

    function test_OperationsTimelock_GovernanceTimelockCancelsAndRevokes() public {
        _deployGovernance(_multisigSettings());

        // The operations multisig schedules something; the governance timelock, through its own scheduled
        // operation, cancels it and takes the multisig's roles away.
        bytes memory opsCall = abi.encodeCall(TimelockController.updateDelay, (2 days));
        vm.prank(opsMultisig);
        opsTimelock.schedule(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0), OPERATIONS_DELAY);
        bytes32 opsId = opsTimelock.hashOperation(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0));

        address[] memory targets = new address[](3);
        bytes[] memory payloads = new bytes[](3);
        (targets[0], payloads[0]) = (address(opsTimelock), abi.encodeCall(TimelockController.cancel, (opsId)));
        (targets[1], payloads[1]) = (
            address(opsTimelock),
            abi.encodeCall(IAccessControl.revokeRole, (proposerRole, opsMultisig))
        );
        (targets[2], payloads[2]) = (
            address(opsTimelock),
            abi.encodeCall(IAccessControl.revokeRole, (cancellerRole, opsMultisig))
        );
        vm.prank(multisig);
        timelock.scheduleBatch(targets, new uint256[](3), payloads, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        // The operation is ready on the operations timelock, but governance gets there first.
        assertTrue(opsTimelock.isOperationReady(opsId), "the operations call is ready");
        vm.prank(stranger); // the governance timelock's executor is anyone
        timelock.executeBatch(targets, new uint256[](3), payloads, bytes32(0), bytes32(0));

        assertFalse(opsTimelock.isOperation(opsId), "cancelled");
        assertFalse(opsTimelock.hasRole(proposerRole, opsMultisig), "proposer role revoked");
        assertFalse(opsTimelock.hasRole(cancellerRole, opsMultisig), "canceller role revoked");
        vm.prank(opsMultisig);
        vm.expectRevert(_unauthorized(opsMultisig, proposerRole));
        opsTimelock.schedule(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0), OPERATIONS_DELAY);
        vm.prank(opsMultisig);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                opsId,
                _timelockStates(TimelockController.OperationState.Ready)
            )
        );
        opsTimelock.execute(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0));
    }

    function test_RevertWhen_TheGovernanceProposerCancelsOperationsDirectly() public {
        _deployGovernance(_multisigSettings());
        bytes memory opsCall = abi.encodeCall(TimelockController.updateDelay, (2 days));
        vm.prank(opsMultisig);
        opsTimelock.schedule(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0), OPERATIONS_DELAY);
        bytes32 opsId = opsTimelock.hashOperation(address(opsTimelock), 0, opsCall, bytes32(0), bytes32(0));
        // Only the governance timelock, after its delay, administers the operations timelock.
        vm.prank(multisig);
        vm.expectRevert(_unauthorized(multisig, cancellerRole));
        opsTimelock.cancel(opsId);
        vm.prank(multisig);
        vm.expectRevert(_unauthorized(multisig, DEFAULT_ADMIN_ROLE));
        opsTimelock.revokeRole(proposerRole, opsMultisig);
    }

    // =================================================================================================================
    // executors
    // =================================================================================================================

    function test_OperationsCanceller_VetoesAtOnceAndHoldsNothingElse() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        address veto = makeAddr("pause guardian");
        settings.operationsCanceller = veto;
        _deployGovernance(settings);
        assertTrue(opsTimelock.hasRole(cancellerRole, veto), "cancels operations");
        assertFalse(opsTimelock.hasRole(proposerRole, veto), "does not propose");
        assertFalse(opsTimelock.hasRole(executorRole, veto), "does not execute");
        assertFalse(opsTimelock.hasRole(DEFAULT_ADMIN_ROLE, veto), "does not administer");
        assertFalse(timelock.hasRole(cancellerRole, veto), "no role on the governance timelock");

        bytes memory data = abi.encodeCall(IAccessControl.grantRole, (proposerRole, stranger));
        vm.prank(opsMultisig);
        opsTimelock.schedule(address(opsTimelock), 0, data, bytes32(0), bytes32(0), OPERATIONS_DELAY);
        bytes32 id = opsTimelock.hashOperation(address(opsTimelock), 0, data, bytes32(0), bytes32(0));
        vm.prank(veto);
        opsTimelock.cancel(id);
        assertFalse(opsTimelock.isOperation(id), "vetoed in the block it was scheduled");
    }

    function test_Constructor_OperationsTimelockIsAdministeredByTheGovernanceTimelockAlone() public {
        _deployGovernance(_governanceSettings());
        assertTrue(opsTimelock.ADMINISTERED(), "administered");
        assertTrue(opsTimelock.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)), "by the governance timelock");
        assertFalse(opsTimelock.hasRole(DEFAULT_ADMIN_ROLE, address(opsTimelock)), "not by itself");
        assertFalse(opsTimelock.hasRole(DEFAULT_ADMIN_ROLE, opsMultisig), "not by its multisig");
        assertFalse(timelock.ADMINISTERED(), "the governance timelock administers itself");
    }

    function test_Executor_ZeroLetsAnyoneExecute() public {
        _deployGovernance(_multisigSettings());
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (3 days));
        vm.prank(multisig);
        timelock.schedule(address(timelock), 0, data, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.prank(stranger);
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), 3 days, "executed by a stranger");
    }

    function test_RevertWhen_ANamedExecutorIsSetAndAStrangerExecutes() public {
        GovernanceDeployer.Settings memory settings = _multisigSettings();
        address executor = makeAddr("executor");
        settings.timelockExecutor = executor;
        _deployGovernance(settings);
        bytes memory data = abi.encodeCall(TimelockController.updateDelay, (3 days));
        vm.prank(multisig);
        timelock.schedule(address(timelock), 0, data, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.prank(stranger);
        vm.expectRevert(_unauthorized(stranger, executorRole));
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        vm.prank(executor);
        timelock.execute(address(timelock), 0, data, bytes32(0), bytes32(0));
        assertEq(timelock.getMinDelay(), 3 days, "executed by the executor");
    }

    // =================================================================================================================
    // bad settings
    // =================================================================================================================

    function test_RevertWhen_TimelockDelayIsAboveTheLongest() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.timelockMinDelay = 30 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(PluralTimelock.InvalidTimelockDelay.selector, 30 days + 1, block.chainid)
        );
        new GovernanceDeployer(settings);
    }

    function test_RevertWhen_OperationsDelayIsAboveTheLongest() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.operationsMinDelay = 31 days;
        vm.expectRevert(abi.encodeWithSelector(PluralTimelock.InvalidTimelockDelay.selector, 31 days, block.chainid));
        new GovernanceDeployer(settings);
    }

    function test_RevertWhen_DelaysAreBelowOneDayOnMainnet() public {
        vm.chainId(1);
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.timelockMinDelay = 1 days;
        settings.operationsMinDelay = 10 minutes;
        vm.expectRevert(abi.encodeWithSelector(PluralTimelock.InvalidTimelockDelay.selector, 10 minutes, 1));
        new GovernanceDeployer(settings);

        settings.operationsMinDelay = 1 days;
        settings.timelockMinDelay = 1 hours;
        vm.expectRevert(abi.encodeWithSelector(PluralTimelock.InvalidTimelockDelay.selector, 1 hours, 1));
        new GovernanceDeployer(settings);

        settings.timelockMinDelay = 1 days;
        _deployGovernance(settings);
        assertEq(timelock.getMinDelay(), 1 days, "one day is enough on mainnet");
    }

    function test_RevertWhen_VotingDelayIsAboveTheLongest() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.votingDelay = 30 days + 1;
        vm.expectRevert(_outOfBounds(30 days + 1, 0, 30 days));
        new GovernanceDeployer(settings);
    }

    function test_RevertWhen_VotingPeriodIsOutOfBounds() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        uint32[3] memory periods = [uint32(0), 1 hours - 1, 30 days + 1];
        for (uint256 i; i < periods.length; ++i) {
            settings.votingPeriod = periods[i];
            vm.expectRevert(_outOfBounds(periods[i], 1 hours, 30 days));
            new GovernanceDeployer(settings);
        }
    }

    function test_RevertWhen_QuorumPercentIsOutOfBounds() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        uint256[3] memory percents = [uint256(0), 51, 100];
        for (uint256 i; i < percents.length; ++i) {
            settings.quorumPercent = percents[i];
            vm.expectRevert(_outOfBounds(percents[i], 1, 50));
            new GovernanceDeployer(settings);
        }
    }

    function test_Constructor_AcceptsTheEdgesOfEveryBound() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.votingDelay = 0;
        settings.votingPeriod = 1 hours;
        settings.quorumPercent = 1;
        _deployGovernance(settings);
        assertEq(governor.votingDelay(), 0, "no voting delay");
        assertEq(governor.votingPeriod(), 1 hours, "shortest vote");
        assertEq(governor.quorumNumerator(), 1, "lowest quorum");

        settings.votingDelay = 30 days;
        settings.votingPeriod = 30 days;
        settings.quorumPercent = 50;
        settings.timelockMinDelay = 30 days;
        _deployGovernance(settings);
        assertEq(governor.votingDelay(), 30 days, "longest voting delay");
        assertEq(governor.votingPeriod(), 30 days, "longest vote");
        assertEq(governor.quorumNumerator(), 50, "highest quorum");
        assertEq(timelock.getMinDelay(), 30 days, "longest timelock delay");
    }

    function testFuzz_Constructor_QuorumPercentWithinBounds(uint256 percent) public {
        percent = bound(percent, 0, 200);
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.quorumPercent = percent;
        bool valid = 1 <= percent && percent <= 50;
        if (!valid) vm.expectRevert(_outOfBounds(percent, 1, 50));
        GovernanceDeployer deployed = new GovernanceDeployer(settings);
        if (valid) {
            PluralGovernor created = PluralGovernor(payable(_createdBy(address(deployed), 4)));
            assertEq(created.quorumNumerator(), percent, "quorum percent");
        }
    }

    function test_RevertWhen_TokenDistributionLengthsDiffer() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.tokenAmounts = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(PluralToken.InvalidDistribution.selector, 4, 3));
        new GovernanceDeployer(settings);
    }

    function test_RevertWhen_TokenDistributionIsEmpty() public {
        GovernanceDeployer.Settings memory settings = _governanceSettings();
        settings.tokenHolders = new address[](0);
        settings.tokenAmounts = new uint256[](0);
        vm.expectRevert(abi.encodeWithSelector(PluralToken.InvalidDistribution.selector, 0, 0));
        new GovernanceDeployer(settings);
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev A multisig proposes on the governance timelock (no token, no Governor); anyone executes; operations as in
    /// token governance.
    function _multisigSettings() private returns (GovernanceDeployer.Settings memory settings) {
        settings = _governanceSettings();
        settings.timelockProposer = multisig;
    }

    /// @dev The `GovernanceDeployed` log: its emitter and data (four unindexed addresses).
    function _deployedEvent(Vm.Log[] memory logs) private pure returns (address emitter, bytes memory data) {
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics.length != 0 && logs[i].topics[0] == GOVERNANCE_DEPLOYED) {
                (emitter, data) = (logs[i].emitter, logs[i].data);
                ++found;
            }
        }
        assertEq(found, 1, "one GovernanceDeployed event");
    }

    /// @dev Every `RoleGranted` of a timelock in `logs`, in order; asserts that no role was revoked but the operations
    /// timelock's admin role over itself (an administered timelock gives it up in its constructor).
    function _grants(Vm.Log[] memory logs) private view returns (Grant[] memory grants) {
        uint256 count;
        for (uint256 pass; pass < 2; ++pass) {
            // The first pass counts, the second fills.
            if (pass == 1) grants = new Grant[](count);
            count = 0;
            for (uint256 i; i < logs.length; ++i) {
                if (!_fromTimelock(logs[i])) continue;
                if (logs[i].topics[0] == ROLE_REVOKED) {
                    assertEq(logs[i].emitter, address(opsTimelock), "revoked on the operations timelock only");
                    assertEq(logs[i].topics[1], DEFAULT_ADMIN_ROLE, "only its admin role");
                    assertEq(logs[i].topics[2], bytes32(uint256(uint160(address(opsTimelock)))), "over itself");
                }
                if (logs[i].topics[0] != ROLE_GRANTED) continue;
                if (pass == 1) {
                    address account = address(uint160(uint256(logs[i].topics[2])));
                    grants[count] = Grant(logs[i].emitter, logs[i].topics[1], account);
                }
                ++count;
            }
        }
    }

    function _fromTimelock(Vm.Log memory log) private view returns (bool) {
        bool emitter = log.emitter == address(timelock) || log.emitter == address(opsTimelock);
        return emitter && log.topics.length != 0;
    }

    function _outOfBounds(uint256 value, uint256 min, uint256 max) private pure returns (bytes memory) {
        return abi.encodeWithSelector(PluralGovernor.GovernorSettingOutOfBounds.selector, value, min, max);
    }
}
