// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IDepositContract} from "../../contracts/interfaces/IDepositContract.sol";
import {StakingPool} from "../../contracts/StakingPool.sol";
import {GovernanceFixture} from "../utils/GovernanceFixture.sol";

/// @title GovernanceBypassTest
/// @notice Attack: take a privileged action without a passed vote and the timelock's delay: redirect the protocol fee
/// to oneself (`StakingPool.setTreasury`), swap in an implementation of one's own (`upgradeToAndCall`), grant oneself
/// a role, re-run an initializer, schedule or execute on the timelock directly, or vote with tokens borrowed after a
/// proposal's snapshot.
/// Defence: every admin function is `onlyRole(...)` (OpenZeppelin `AccessControl`, `AccessControlUnauthorizedAccount`)
/// with every admin role, `DEFAULT_ADMIN_ROLE` included, held by the governance timelock alone; `_authorizeUpgrade` is
/// `onlyRole(DEFAULT_ADMIN_ROLE)`; initializers run once (`InvalidInitialization`), and implementations disable theirs;
/// the timelock takes operations only from its proposer, the Governor (`PROPOSER_ROLE`), and runs them only once
/// `getMinDelay()` has passed (`TimelockUnexpectedOperationState`); the Governor counts votes at the proposal's
/// snapshot (`ERC20Votes.getPastVotes`) and takes proposals only above the threshold
/// (`GovernorInsufficientProposerVotes`).
/// No defence-off harness: the defence is the role check itself, and a contract without `onlyRole` proves nothing
/// more than its absence. Instead each attack is paired with the same action succeeding through the one path that
/// may take it (propose, vote, queue, wait `TIMELOCK_DELAY`, execute).
contract GovernanceBypassTest is GovernanceFixture {
    address private attacker;

    function setUp() public {
        _deployGovernedProtocol();
        attacker = makeAddr("attacker");
    }

    function test_Attack_DirectAdminCall_FailsAgainstTimelockRoles() public {
        bytes32 role = pool.MANAGE_ACCOUNTING_ROLE();
        vm.prank(attacker);
        vm.expectRevert(_unauthorized(attacker, role));
        pool.setTreasury(attacker);
        // Not the Governor either: it proposes; only the timelock executes.
        vm.prank(address(governor));
        vm.expectRevert(_unauthorized(address(governor), role));
        pool.setTreasury(attacker);
        assertEq(pool.getReportState().treasury, treasury, "treasury unchanged");
    }

    function test_Attack_DirectAdminCall_SucceedsOnlyThroughTheTimelockAfterItsDelay() public {
        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setTreasury, (attacker))
        );
        uint256 id = _proposeAndQueue(targets, calldatas, "Treasury to the attacker");
        uint256 eta = governor.proposalEta(id);
        assertEq(eta, block.timestamp + TIMELOCK_DELAY, "executable only after the delay");

        // One second early the timelock refuses; holders have had the whole delay to see it coming.
        vm.warp(eta - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                _operationId(targets, calldatas, "Treasury to the attacker"),
                _timelockStates(TimelockController.OperationState.Ready)
            )
        );
        governor.execute(id);

        vm.warp(eta);
        governor.execute(id);
        assertEq(pool.getReportState().treasury, attacker, "the same call, through the timelock, applies");
    }

    function test_Attack_MaliciousUpgrade_FailsAgainstTimelockOnlyUpgrade() public {
        address malicious = address(new StakingPool(IDepositContract(address(beaconDeposit))));
        vm.prank(attacker);
        vm.expectRevert(_unauthorized(attacker, DEFAULT_ADMIN_ROLE));
        pool.upgradeToAndCall(malicious, "");
        vm.prank(attacker);
        vm.expectRevert(_unauthorized(attacker, DEFAULT_ADMIN_ROLE));
        queue.upgradeToAndCall(malicious, "");
    }

    function test_Attack_SelfGrantedRole_FailsAgainstRoleAdmin() public {
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.startPrank(attacker);
        vm.expectRevert(_unauthorized(attacker, DEFAULT_ADMIN_ROLE));
        pool.grantRole(DEFAULT_ADMIN_ROLE, attacker);
        vm.expectRevert(_unauthorized(attacker, DEFAULT_ADMIN_ROLE));
        emergencyPause.grantPause(attacker);
        // The timelock administers itself: nobody else can make themselves its proposer.
        vm.expectRevert(_unauthorized(attacker, DEFAULT_ADMIN_ROLE));
        timelock.grantRole(proposerRole, attacker);
        vm.stopPrank();
        assertFalse(pool.hasRole(DEFAULT_ADMIN_ROLE, attacker), "no role gained");
    }

    function test_Attack_ReInitialization_FailsAgainstInitializer() public {
        vm.deal(attacker, INITIAL_DEPOSIT);
        vm.startPrank(attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.initialize{value: INITIAL_DEPOSIT}(attacker, 0, 0, _stakingContracts(), _accountingSettings(), attacker);
        // Nor the implementation behind the proxy: its constructor disabled its initializers.
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize{value: INITIAL_DEPOSIT}(
            attacker,
            0,
            0,
            _stakingContracts(),
            _accountingSettings(),
            attacker
        );
        vm.stopPrank();
    }

    function test_Attack_TimelockWithoutGovernor_FailsAgainstProposerRole() public {
        bytes memory data = abi.encodeCall(pool.setTreasury, (attacker));
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.prank(attacker);
        vm.expectRevert(_unauthorized(attacker, proposerRole));
        timelock.schedule(address(pool), 0, data, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        // Nor execute what nobody scheduled.
        bytes32 operationId = timelock.hashOperation(address(pool), 0, data, bytes32(0), bytes32(0));
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                operationId,
                _timelockStates(TimelockController.OperationState.Ready)
            )
        );
        timelock.execute(address(pool), 0, data, bytes32(0), bytes32(0));
    }

    function test_Attack_BorrowedVotes_FailAgainstVotingSnapshot() public {
        // Alice, a majority, proposes; the attacker borrows bob's and carol's tokens once the vote has started.
        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setTreasury, (attacker))
        );
        uint256 id = _propose(targets, calldatas, "Treasury to the attacker");
        _warpToVoting(id);
        vm.prank(bob);
        token.transfer(attacker, BOB_TOKENS);
        vm.prank(carol);
        token.transfer(attacker, CAROL_TOKENS);
        _delegateToSelf(attacker);

        _vote(id, attacker, FOR);

        (uint256 against, uint256 forVotes, ) = governor.proposalVotes(id);
        assertEq(forVotes, 0, "the attacker's votes at the snapshot: none");
        assertEq(against, 0, "votes against");
        _warpPastDeadline(id);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated), "defeated: no quorum");
    }

    function test_Attack_ProposalWithoutTokens_FailsAgainstProposalThreshold() public {
        (address[] memory targets, bytes[] memory calldatas) = _action(
            address(pool),
            abi.encodeCall(pool.setTreasury, (attacker))
        );
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorInsufficientProposerVotes.selector,
                attacker,
                0,
                PROPOSAL_THRESHOLD
            )
        );
        governor.propose(targets, new uint256[](1), calldatas, "Treasury to the attacker");
    }
}
