// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {GovernanceDeployer} from "../../contracts/GovernanceDeployer.sol";
import {PluralGovernor} from "../../contracts/PluralGovernor.sol";
import {PluralTimelock} from "../../contracts/PluralTimelock.sol";
import {PluralToken} from "../../contracts/PluralToken.sol";
import {QueueFixture} from "./QueueFixture.sol";
import {Vm} from "./Vm.sol";

/// @title GovernanceFixture
/// @notice Plural under token governance, deployed as production deploys it: `GovernanceDeployer` creates the
/// governance timelock, the operations timelock (proposer: an operations multisig), PLURAL and the Governor; then
/// `PluralDeployer` creates the protocol with the governance timelock as every contract's admin and the operations
/// timelock as the registry's operations role holder. Holders delegate to themselves; proposals go through the real
/// Governor and timelock (propose, vote, queue, wait, execute).
abstract contract GovernanceFixture is QueueFixture {
    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;

    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint256 internal constant OPERATIONS_DELAY = 1 days;
    uint48 internal constant VOTING_DELAY = 1 days;
    uint32 internal constant VOTING_PERIOD = 3 days;
    uint256 internal constant PROPOSAL_THRESHOLD = 1_000 ether;
    uint256 internal constant QUORUM_PERCENT = 4;

    // The distribution: one million PLURAL; alice alone passes a proposal, dave alone cannot reach the quorum.
    uint256 internal constant ALICE_TOKENS = 600_000 ether;
    uint256 internal constant BOB_TOKENS = 250_000 ether;
    uint256 internal constant CAROL_TOKENS = 149_000 ether;
    uint256 internal constant DAVE_TOKENS = 1_000 ether;
    uint256 internal constant TOTAL_TOKENS = ALICE_TOKENS + BOB_TOKENS + CAROL_TOKENS + DAVE_TOKENS;

    // GovernorCountingSimple's vote types.
    uint8 internal constant AGAINST = 0;
    uint8 internal constant FOR = 1;
    uint8 internal constant ABSTAIN = 2;

    GovernanceDeployer internal governanceDeployer;
    /// @dev The protocol's `PluralDeployer` contract (found from its `ProtocolDeployed` event).
    address internal protocolDeployer;
    PluralTimelock internal timelock;
    PluralTimelock internal opsTimelock;
    PluralToken internal token;
    PluralGovernor internal governor;

    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    address internal carol;
    address internal dave;
    /// @dev The operations timelock's proposer and executor.
    address internal opsMultisig;

    /// @dev Token governance with an operations timelock, as `_deployGovernance` creates it.
    function _governanceSettings() internal returns (GovernanceDeployer.Settings memory settings) {
        (alice, aliceKey) = makeAddrAndKey("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        opsMultisig = makeAddr("operations multisig");
        settings.timelockMinDelay = TIMELOCK_DELAY;
        settings.operationsMinDelay = OPERATIONS_DELAY;
        settings.operationsProposer = opsMultisig;
        settings.operationsExecutor = opsMultisig;
        settings.tokenHolders = new address[](4);
        settings.tokenAmounts = new uint256[](4);
        (settings.tokenHolders[0], settings.tokenAmounts[0]) = (alice, ALICE_TOKENS);
        (settings.tokenHolders[1], settings.tokenAmounts[1]) = (bob, BOB_TOKENS);
        (settings.tokenHolders[2], settings.tokenAmounts[2]) = (carol, CAROL_TOKENS);
        (settings.tokenHolders[3], settings.tokenAmounts[3]) = (dave, DAVE_TOKENS);
        settings.votingDelay = VOTING_DELAY;
        settings.votingPeriod = VOTING_PERIOD;
        settings.proposalThreshold = PROPOSAL_THRESHOLD;
        settings.quorumPercent = QUORUM_PERCENT;
    }

    /// @dev Deploys governance at START_TIME with `settings`; reads the created contracts from the deployer's
    /// creation nonces (timelock, operations timelock if any, token, Governor).
    function _deployGovernance(GovernanceDeployer.Settings memory settings) internal {
        vm.warp(START_TIME);
        governanceDeployer = new GovernanceDeployer(settings);
        address deployer = address(governanceDeployer);
        bool operations = settings.operationsProposer != address(0);
        timelock = PluralTimelock(payable(_createdBy(deployer, 1)));
        opsTimelock = PluralTimelock(payable(operations ? _createdBy(deployer, 2) : address(0)));
        if (settings.timelockProposer == address(0)) {
            token = PluralToken(_createdBy(deployer, operations ? 3 : 2));
            governor = PluralGovernor(payable(_createdBy(deployer, operations ? 4 : 3)));
            vm.label(address(token), "PLURAL");
            vm.label(address(governor), "governor");
        }
        vm.label(address(timelock), "governance timelock");
        if (operations) vm.label(address(opsTimelock), "operations timelock");
    }

    /// @dev Token governance, then the protocol under it; the four holders delegate to themselves and a second
    /// passes, so their votes count from now on.
    function _deployGovernedProtocol() internal {
        _deployGovernance(_governanceSettings());
        vm.recordLogs();
        _deployPool(address(timelock), address(opsTimelock));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 deployedTopic = keccak256(
            "ProtocolDeployed(address,address,address,address,address,address,address,address)"
        );
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == deployedTopic) protocolDeployer = logs[i].emitter;
        }
        assertTrue(protocolDeployer != address(0), "ProtocolDeployed emitted");
        _delegateToSelf(alice);
        _delegateToSelf(bob);
        _delegateToSelf(carol);
        _delegateToSelf(dave);
        vm.warp(block.timestamp + 1);
    }

    function _delegateToSelf(address holder) internal {
        vm.prank(holder);
        token.delegate(holder);
    }

    // --- proposals ---

    /// @dev A one-call action.
    function _action(
        address target,
        bytes memory data
    ) internal pure returns (address[] memory targets, bytes[] memory calldatas) {
        targets = new address[](1);
        calldatas = new bytes[](1);
        (targets[0], calldatas[0]) = (target, data);
    }

    /// @dev Alice proposes `calldatas` on `targets` (no value).
    function _propose(
        address[] memory targets,
        bytes[] memory calldatas,
        string memory description
    ) internal returns (uint256 proposalId) {
        vm.prank(alice);
        proposalId = governor.propose(targets, new uint256[](targets.length), calldatas, description);
    }

    /// @dev Moves the clock into the vote of `proposalId`.
    function _warpToVoting(uint256 proposalId) internal {
        vm.warp(governor.proposalSnapshot(proposalId) + 1);
    }

    /// @dev Moves the clock past the end of the vote of `proposalId`.
    function _warpPastDeadline(uint256 proposalId) internal {
        vm.warp(governor.proposalDeadline(proposalId) + 1);
    }

    function _vote(uint256 proposalId, address voter, uint8 support) internal {
        vm.prank(voter);
        governor.castVote(proposalId, support);
    }

    /// @dev Proposes, lets alice (a majority above the quorum) vote for it and queues it on the timelock.
    function _proposeAndQueue(
        address[] memory targets,
        bytes[] memory calldatas,
        string memory description
    ) internal returns (uint256 proposalId) {
        proposalId = _propose(targets, calldatas, description);
        _warpToVoting(proposalId);
        _vote(proposalId, alice, FOR);
        _warpPastDeadline(proposalId);
        governor.queue(proposalId);
    }

    /// @dev The whole path: propose, vote, queue, wait out the timelock's delay, execute (by anyone).
    function _pass(
        address[] memory targets,
        bytes[] memory calldatas,
        string memory description
    ) internal returns (uint256 proposalId) {
        proposalId = _proposeAndQueue(targets, calldatas, description);
        vm.warp(governor.proposalEta(proposalId));
        governor.execute(proposalId);
    }

    function _pass(address target, bytes memory data, string memory description) internal returns (uint256) {
        (address[] memory targets, bytes[] memory calldatas) = _action(target, data);
        return _pass(targets, calldatas, description);
    }

    /// @dev The timelock operation the Governor schedules for a proposal (salt: the Governor's address xor the
    /// description hash).
    function _operationId(
        address[] memory targets,
        bytes[] memory calldatas,
        string memory description
    ) internal view returns (bytes32) {
        bytes32 salt = bytes20(address(governor)) ^ keccak256(bytes(description));
        return timelock.hashOperationBatch(targets, new uint256[](targets.length), calldatas, bytes32(0), salt);
    }

    /// @dev The timelock's bitmap of one operation state (TimelockController's `_encodeStateBitmap`).
    function _timelockStates(TimelockController.OperationState state) internal pure returns (bytes32) {
        return bytes32(1 << uint8(state));
    }

    /// @dev CREATE address of `deployer`'s `nonce`-th creation (nonce < 128).
    function _createdBy(address deployer, uint256 nonce) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), deployer, uint8(nonce))))));
    }
}
