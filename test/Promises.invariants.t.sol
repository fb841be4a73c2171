// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {GovernanceFixture} from "./utils/GovernanceFixture.sol";
import {PromisesHandler} from "./utils/PromisesHandler.sol";

/// @dev The seven promises of DESIGN.md, each one invariant over the whole protocol as production deploys it (token
/// governance, its timelock as every contract's admin, an operations timelock, the emergency pause) and one handler
/// acting for users, operators, guardians, the beacon chain, the committee, governance, the pause guardian and
/// strangers (test/utils/PromisesHandler.sol). Each promise is one check, `checkPromiseN`, returning whether it holds
/// and, when it does not, why: the invariants assert it, and the `test_CheckPromiseN_Fails...` tests break the state
/// behind the handler's back to show that each check can fail. The contracts' own invariant suites check the same
/// ground narrowly and in more detail; these are the protocol-wide versions.
contract PromisesInvariantTest is GovernanceFixture {
    // OpenZeppelin's ERC-7201 namespace of ERC20Upgradeable: balances at +0, the total supply at +2.
    bytes32 private constant ERC20_STORAGE = 0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00;

    PromisesHandler private handler;

    function setUp() public {
        _deployGovernedProtocol();
        handler = new PromisesHandler(
            PromisesHandler.Protocol({
                pool: pool,
                registry: registry,
                guard: guard,
                beaconDeposit: beaconDeposit,
                vault: vault,
                elVault: elVault,
                oracle: oracle,
                queue: queue,
                emergencyPause: emergencyPause,
                timelock: address(timelock),
                operations: address(opsTimelock),
                treasury: treasury,
                pauseGuardian: pauseGuardian,
                guardianKeys: guardianKeys,
                guardianAddresses: guardianAddresses,
                oracleMembers: oracleMembers
            })
        );
        handler.setUpHistory();
        _assertAllPromisesHold();

        targetContract(address(handler));
        // Weighted by repetition: users, staking and reports are most of what happens.
        bytes4[] memory selectors = new bytes4[](28);
        selectors[0] = PromisesHandler.deposit.selector;
        selectors[1] = PromisesHandler.deposit.selector;
        selectors[2] = PromisesHandler.transfer.selector;
        selectors[3] = PromisesHandler.request.selector;
        selectors[4] = PromisesHandler.request.selector;
        selectors[5] = PromisesHandler.transferRequest.selector;
        selectors[6] = PromisesHandler.claim.selector;
        selectors[7] = PromisesHandler.claim.selector;
        selectors[8] = PromisesHandler.donate.selector;
        selectors[9] = PromisesHandler.stake.selector;
        selectors[10] = PromisesHandler.stake.selector;
        selectors[11] = PromisesHandler.stakeWithBadAttestation.selector;
        selectors[12] = PromisesHandler.stakeAboveLimit.selector;
        selectors[13] = PromisesHandler.vet.selector;
        selectors[14] = PromisesHandler.setShareCap.selector;
        selectors[15] = PromisesHandler.earnBeaconRewards.selector;
        selectors[16] = PromisesHandler.slash.selector;
        selectors[17] = PromisesHandler.earnExecutionRewards.selector;
        selectors[18] = PromisesHandler.withdraw.selector;
        selectors[19] = PromisesHandler.warp.selector;
        selectors[20] = PromisesHandler.report.selector;
        selectors[21] = PromisesHandler.report.selector;
        selectors[22] = PromisesHandler.badReport.selector;
        selectors[23] = PromisesHandler.pause.selector;
        selectors[24] = PromisesHandler.guardianPauseStaking.selector;
        selectors[25] = PromisesHandler.resumeOrGrant.selector;
        selectors[26] = PromisesHandler.unauthorizedCall.selector;
        selectors[27] = PromisesHandler.unauthorizedCall.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // =================================================================================================================
    // the seven promises
    // =================================================================================================================

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise1_Conservation() public view {
        (bool ok, string memory reason) = checkPromise1();
        assertTrue(ok, string.concat("promise 1 (conservation): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise2_NoDilution() public view {
        (bool ok, string memory reason) = checkPromise2();
        assertTrue(ok, string.concat("promise 2 (no dilution): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise3_FinalizedClaimableInFullOnce() public view {
        (bool ok, string memory reason) = checkPromise3();
        assertTrue(ok, string.concat("promise 3 (finalized requests claimable in full, once): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise4_ReportsNeedQuorumOrderFinalityBounds() public view {
        (bool ok, string memory reason) = checkPromise4();
        assertTrue(ok, string.concat("promise 4 (reports): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise5_PrivilegedOnlyThroughRoles() public view {
        (bool ok, string memory reason) = checkPromise5();
        assertTrue(ok, string.concat("promise 5 (privileges): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise6_DepositsNeedGuardianQuorum() public view {
        (bool ok, string memory reason) = checkPromise6();
        assertTrue(ok, string.concat("promise 6 (guardian quorum): ", reason));
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_Promise7_NoOperatorAboveVettedOrCap() public view {
        (bool ok, string memory reason) = checkPromise7();
        assertTrue(ok, string.concat("promise 7 (vetted limit and share cap): ", reason));
    }

    // =================================================================================================================
    // the checks
    // =================================================================================================================

    /// @notice Promise 1: the ether the pool, the vaults and the queue hold, plus the beacon side, plus what claims
    /// paid out equals what users deposited (and strangers forced in) plus rewards minus penalties; and every wei
    /// held is where the books say: the pool's in its buffer, the queue's owed to finalized requests, the rest in the
    /// rate or waiting for the next report. (Treasury and operator fees are paid in plETH, so no ether leaves for
    /// them.)
    function checkPromise1() public view returns (bool, string memory) {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        uint256 lockedEther = queue.getQueueState().lockedEther;
        uint256 vaults = address(vault).balance + address(elVault).balance;
        uint256 held = address(pool).balance + address(queue).balance + vaults + handler.ghostBeaconSideEther();
        uint256 entered =
            INITIAL_DEPOSIT +
                handler.ghostDeposited() +
                handler.ghostDonatedToPool() +
                handler.ghostDonatedToQueue() +
                handler.ghostBeaconRewards() +
                handler.ghostElRewards();
        if (held + handler.ghostPaidOut() + handler.ghostBeaconPenalties() != entered) {
            return (false, "held + paid out != deposited + rewards - penalties");
        }
        if (address(beaconDeposit).balance != handler.ghostStakedValidators() * VALIDATOR_DEPOSIT) {
            return (false, "the deposit contract holds other than 32 ether per validator staked");
        }
        if (address(pool).balance != accounting.bufferedEther + handler.ghostDonatedToPool()) {
            return (false, "the pool holds ether outside its buffer");
        }
        if (address(queue).balance != lockedEther + handler.ghostDonatedToQueue()) {
            return (false, "the queue holds ether outside its locked ether");
        }
        if (lockedEther != handler.ghostLocked() - handler.ghostPaidOut()) {
            return (false, "locked ether != what the reports sent the queue - what claims paid");
        }
        if (lockedEther - handler.ghostOwed() > handler.ghostLockRounding()) {
            return (false, "the queue keeps more than rounding beyond what the requests are owed");
        }
        // What the rate counts is the buffer, the beacon side and the vaults, less what waits for the next report.
        int256 counted =
            int256(accounting.bufferedEther + handler.ghostBeaconSideEther() + address(vault).balance) -
                handler.unreportedBeaconDelta();
        if (counted != int256(accounting.totalPooledEther) || pool.totalPooledEther() != accounting.totalPooledEther) {
            return (false, "totalPooledEther != buffer + beacon side + unswept withdrawals - unreported change");
        }
        if (handler.violations(1) != 0) return (false, handler.firstViolation(1));
        return (true, "");
    }

    /// @notice Promise 2: no deposit, request, claim or transfer lowered anyone else's value (checked by the handler
    /// around each), no share exists that a holder does not own, and the share rate is at least what the last report
    /// left (only a report's loss may lower it).
    function checkPromise2() public view returns (bool, string memory) {
        address[] memory holders = handler.holders();
        uint256 sum;
        for (uint256 i; i < holders.length; ++i) sum += pool.balanceOf(holders[i]);
        if (sum != pool.totalSupply()) return (false, "shares exist outside the holders' balances");
        if (pool.totalPooledEther() * handler.sharesAtReport() < handler.pooledAtReport() * pool.totalSupply())
            return (false, "the share rate fell since the last report");
        if (handler.violations(2) != 0) return (false, handler.firstViolation(2));
        return (true, "");
    }

    /// @notice Promise 3: every finalized request is owed what the queue said at finalization, the queue holds it,
    /// each was paid exactly that, once, to its owner (checked by the handler), the queue's records agree with the
    /// handler's, and no withdrawal pause outlives its bound.
    function checkPromise3() public view returns (bool, string memory) {
        IWithdrawalQueue.QueueState memory state = queue.getQueueState();
        if (state.lockedEther < handler.ghostOwed()) return (false, "locked ether < what finalized requests are owed");
        if (address(queue).balance < handler.ghostOwed()) return (false, "the queue holds less than it owes");
        if (state.lastFinalizedId != handler.ghostLastFinalizedId()) return (false, "finalized other than booked");
        uint256 count = handler.requestCount();
        if (state.lastRequestId != count) return (false, "requests other than the handler's");
        if (count != 0) {
            uint256[] memory ids = new uint256[](count);
            for (uint256 i; i < count; ++i) ids[i] = i + 1;
            IWithdrawalQueue.RequestStatus[] memory statuses = queue.getRequestStatus(ids);
            for (uint256 i; i < count; ++i) {
                PromisesHandler.GhostRequest memory ghost = handler.ghostRequest(i + 1);
                if (statuses[i].finalized != ghost.finalized) return (false, "a request's finalization differs");
                if (statuses[i].claimed != ghost.claimed) return (false, "a request's claim differs");
                if (!ghost.claimed && statuses[i].owner != ghost.owner) return (false, "a request's owner differs");
            }
        }
        if (queue.withdrawalsPausedUntil() > handler.ghostPauseBound(handler.WITHDRAWALS())) {
            return (false, "withdrawals paused past every pause's bound");
        }
        if (handler.violations(3) != 0) return (false, handler.firstViolation(3));
        return (true, "");
    }

    /// @notice Promise 4: the oracle processed exactly the reports the handler's quorums agreed, in order, and the
    /// pool's beacon state is theirs; no minority, stranger's, stale, unfinalized or out-of-bounds report applied.
    function checkPromise4() public view returns (bool, string memory) {
        uint256 lastRefSlot = handler.lastRefSlot();
        if (oracle.lastProcessedRefSlot() != lastRefSlot) return (false, "the oracle processed another report");
        if (pool.getReportState().lastReportRefSlot != lastRefSlot) return (false, "the pool applied another report");
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        if (
            accounting.beaconBalance != handler.ghostReportedBeaconBalance() ||
            accounting.beaconValidators != handler.ghostReportedValidators() ||
            accounting.exitedValidators != handler.ghostReportedExited()
        ) return (false, "the pool's beacon state is not the last agreed report's");
        if (handler.violations(4) != 0) return (false, handler.firstViolation(4));
        return (true, "");
    }

    /// @notice Promise 5: the governance timelock is every contract's admin and the only one among the accounts that
    /// act; only EmergencyPause holds the pause roles; the pause guardian holds no role; no pause outlives its bound;
    /// and every privileged call from an outsider was refused by its access check (checked by the handler).
    function checkPromise5() public view returns (bool, string memory) {
        address[] memory outsiders = handler.outsiders();
        address[9] memory contracts = [
            address(pool),
            address(registry),
            address(oracle),
            address(guard),
            address(queue),
            address(vault),
            address(elVault),
            address(emergencyPause),
            address(timelock)
        ];
        for (uint256 c; c < contracts.length; ++c) {
            IAccessControl target = IAccessControl(contracts[c]);
            if (!target.hasRole(DEFAULT_ADMIN_ROLE, address(timelock)))
                return (false, "the timelock lost an admin role");
            for (uint256 o; o < outsiders.length; ++o) {
                if (target.hasRole(DEFAULT_ADMIN_ROLE, outsiders[o])) return (false, "an outsider holds an admin role");
            }
            if (target.hasRole(DEFAULT_ADMIN_ROLE, address(governor))) return (false, "the governor is an admin");
        }
        if (!timelock.hasRole(timelock.PROPOSER_ROLE(), address(governor)))
            return (false, "the governor cannot propose");
        address[3] memory pausable = [address(pool), address(queue), address(guard)];
        for (uint256 p; p < pausable.length; ++p) {
            IAccessControl target = IAccessControl(pausable[p]);
            bytes32 pauseRole = pool.PAUSE_ROLE(); // the same name, hence the same role id, on all three
            if (!target.hasRole(pauseRole, address(emergencyPause))) return (false, "EmergencyPause lost a pause role");
            if (target.hasRole(pauseRole, pauseGuardian) || target.hasRole(pauseRole, address(timelock))) {
                return (false, "a pause role is held outside EmergencyPause");
            }
            if (target.getRoleAdmin(pauseRole) != DEFAULT_ADMIN_ROLE) return (false, "a pause role has another admin");
        }
        if (pool.depositsPausedUntil() > handler.ghostPauseBound(handler.DEPOSITS())) {
            return (false, "deposits paused past every pause's bound");
        }
        if (guard.stakingPausedUntil() > handler.ghostPauseBound(handler.STAKING())) {
            return (false, "staking paused past every pause's bound");
        }
        if (handler.violations(5) != 0) return (false, handler.firstViolation(5));
        return (true, "");
    }

    /// @notice Promise 6: the deposit contract received 32 ether for each validator the handler staked with a fresh
    /// quorum attestation and for nothing else; no partial, stale, forged or old attestation got a deposit through.
    function checkPromise6() public view returns (bool, string memory) {
        uint256 staked = handler.ghostStakedValidators();
        if (address(beaconDeposit).balance != staked * VALIDATOR_DEPOSIT) {
            return (false, "the deposit contract received other than the attested deposits");
        }
        if (pool.getAccounting().depositedValidators != staked) return (false, "deposited validators != attested");
        if (handler.violations(6) != 0) return (false, handler.firstViolation(6));
        return (true, "");
    }

    /// @notice Promise 7: each operator's deposited keys are those the handler saw it receive, within its vetted keys;
    /// the vetted counts and the cap are those governance set; and no deposit took an operator above its vetted keys
    /// or the share cap after the deposit (checked by the handler, with an off-allocation deposit tried).
    function checkPromise7() public view returns (bool, string memory) {
        if (registry.shareCapBps() != handler.ghostShareCapBps()) return (false, "the share cap is not governance's");
        uint256 operators = registry.operatorCount();
        if (operators != handler.OPERATOR_COUNT()) return (false, "operators other than the handler's");
        for (uint256 id; id < operators; ++id) {
            IOperatorRegistry.Operator memory op = registry.getOperator(id);
            if (op.depositedKeys != handler.ghostDepositedKeys(id)) return (false, "an operator's deposits differ");
            if (op.vettedKeys != handler.ghostVettedKeys(id)) return (false, "an operator's vetted keys differ");
            if (op.depositedKeys > op.vettedKeys) return (false, "an operator is above its vetted keys");
        }
        if (handler.violations(7) != 0) return (false, handler.firstViolation(7));
        return (true, "");
    }

    // =================================================================================================================
    // the handler exercises every action
    // =================================================================================================================

    /// @dev A fixed sequence through every action, attempts that must fail included, so that none is vacuous.
    function test_Handler_ExercisesEveryAction() public {
        handler.deposit(0, 100 ether);
        handler.transfer(0, 0, 1 ether);
        handler.request(1, 2, 2 ether);
        handler.request(2, 2, 1 ether);
        handler.transferRequest(0, 3);
        handler.donate(0.5 ether, false);
        handler.donate(0.25 ether, true);
        handler.vet(0, 12);
        handler.stake(3);
        handler.earnBeaconRewards(0.001 ether);
        handler.earnExecutionRewards(0.1 ether);
        handler.withdraw(0.0001 ether, false);
        handler.withdraw(0, true);
        handler.slash(0.001 ether, false);
        handler.warp(2 hours);
        handler.report(0, 4);
        handler.claim(0, 1);
        for (uint256 kind; kind < 7; ++kind) handler.badReport(kind, kind + 1);
        handler.setShareCap(2_500);
        handler.stakeAboveLimit(0);
        for (uint256 kind; kind < 28; ++kind) handler.unauthorizedCall(kind, kind);
        handler.slash(type(uint256).max - 1, true);
        handler.report(0, 1);
        handler.setShareCap(10_000);
        for (uint256 kind; kind < 5; ++kind) handler.stakeWithBadAttestation(kind, kind);
        handler.pause(7, 1 hours);
        handler.deposit(1, 1 ether);
        handler.request(1, 1, 1 ether);
        handler.stake(1);
        handler.resumeOrGrant(0);
        handler.resumeOrGrant(1);
        handler.guardianPauseStaking(0);
        handler.stake(1);

        string[29] memory actions = [
            "deposit",
            "transfer",
            "request",
            "transferRequest",
            "donate",
            "vet",
            "stake",
            "earnBeaconRewards",
            "earnExecutionRewards",
            "skim",
            "exit",
            "slash",
            "warp",
            "report",
            "claim",
            "badReport",
            "stakeWithBadAttestation",
            "setShareCap",
            "stakeAboveLimit",
            "unauthorizedCall",
            "slashSevere",
            "allowLoss",
            "pause",
            "depositPaused",
            "requestPaused",
            "stakePaused",
            "resume",
            "grantPause",
            "guardianPauseStaking"
        ];
        for (uint256 i; i < actions.length; ++i) assertGt(handler.calls(actions[i]), 0, actions[i]);
        _assertAllPromisesHold();
    }

    // =================================================================================================================
    // each check can fail
    // =================================================================================================================

    function test_CheckPromise1_FailsWhenEtherAppearsInThePool() public {
        vm.deal(address(pool), address(pool).balance + 1);
        _assertBroken(checkPromise1, "held + paid out != deposited + rewards - penalties");
    }

    function test_CheckPromise1_FailsWhenEtherLeavesTheQueue() public {
        _finalizeOneRequest();
        vm.deal(address(queue), address(queue).balance - 1);
        vm.deal(address(pool), address(pool).balance + 1);
        _assertBroken(checkPromise1, "the pool holds ether outside its buffer");
    }

    function test_CheckPromise2_FailsOnAnUnaccountedMint() public {
        address stranger = makeAddr("stranger");
        bytes32 balanceSlot = keccak256(abi.encode(stranger, ERC20_STORAGE));
        vm.store(address(pool), balanceSlot, bytes32(uint256(1 ether)));
        bytes32 supplySlot = bytes32(uint256(ERC20_STORAGE) + 2);
        vm.store(address(pool), supplySlot, bytes32(pool.totalSupply() + 1 ether));
        _assertBroken(checkPromise2, "shares exist outside the holders' balances");
    }

    function test_CheckPromise2_FailsWhenTheRateFallsBetweenReports() public {
        // Ether leaves the buffer without a report: a holder's share of it is gone.
        _writePoolField(0, 0, 96, _readPoolField(0, 0, 96) - 1 ether);
        _assertBroken(checkPromise2, "the share rate fell since the last report");
    }

    function test_CheckPromise3_FailsWhenTheQueueCannotPay() public {
        _finalizeOneRequest();
        vm.deal(address(queue), 0);
        _assertBroken(checkPromise3, "the queue holds less than it owes");
    }

    function test_CheckPromise4_FailsOnAReportFromOutsideTheCommittee() public {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        IStakingPool.OracleReport memory report;
        report.refSlot = handler.lastRefSlot() + EPOCHS_PER_FRAME * SLOTS_PER_EPOCH;
        report.timestamp = block.timestamp;
        report.timeElapsed = 1 days;
        report.beaconValidators = accounting.beaconValidators;
        report.beaconBalance = accounting.beaconBalance + 0.01 ether;
        report.exitedValidators = accounting.exitedValidators;
        (IAccountingOracle.SanityBounds memory bounds, , ) = oracle.getSanityBounds();
        IStakingPool.ReportLimits memory limits = IStakingPool.ReportLimits(
            bounds.maxAprBps,
            bounds.maxLossBps,
            bounds.maxElRewardsBps,
            bounds.unseenDepositDeadline,
            0
        );
        // As if the pool's caller check were gone: the pool applies what no quorum agreed.
        vm.prank(address(oracle));
        pool.handleOracleReport(report, limits);
        _assertBroken(checkPromise4, "the pool applied another report");
    }

    function test_CheckPromise5_FailsWhenAnOutsiderGetsAnAdminRole() public {
        address actor = handler.actors()[0];
        vm.prank(address(timelock));
        IAccessControl(address(queue)).grantRole(DEFAULT_ADMIN_ROLE, actor);
        _assertBroken(checkPromise5, "an outsider holds an admin role");
    }

    function test_CheckPromise5_FailsWhenAPauseOutlivesItsBound() public {
        vm.prank(address(emergencyPause));
        pool.pauseDeposits(block.timestamp + 30 days);
        _assertBroken(checkPromise5, "deposits paused past every pause's bound");
    }

    function test_CheckPromise6_FailsOnAValidatorDepositWithoutTheGuard() public {
        // A validator deposit written straight into the pool's books: no attestation was ever checked.
        handler.deposit(0, 50 ether);
        _simulateValidatorDeposits(1);
        _assertBroken(checkPromise6, "the deposit contract received other than the attested deposits");
    }

    function test_CheckPromise7_FailsWhenKeysAreUsedBehindTheBooks() public {
        // The pool marks a key of operator 0 used without the handler's deposit (as a deposit around the guard would).
        IOperatorRegistry.KeySegment[] memory segments = _segmentsForHandlerKeys();
        vm.prank(address(pool));
        registry.useKeys(segments);
        _assertBroken(checkPromise7, "an operator's deposits differ");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _assertAllPromisesHold() private view {
        (bool ok, string memory reason) = checkPromise1();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise2();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise3();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise4();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise5();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise6();
        assertTrue(ok, reason);
        (ok, reason) = checkPromise7();
        assertTrue(ok, reason);
    }

    function _assertBroken(function() view returns (bool, string memory) check, string memory expected) private view {
        (bool ok, string memory reason) = check();
        assertFalse(ok, "the check holds on a broken state");
        assertEq(reason, expected, "the check names the break");
    }

    /// @dev One request, finalized by an honest report: the queue then holds ether it owes.
    function _finalizeOneRequest() private {
        handler.request(0, 0, 1 ether);
        handler.report(0, 0);
        assertGt(handler.ghostOwed(), 0, "a request is owed ether");
    }

    /// @dev The next key of operator 0, as a segment the registry accepts from the pool.
    function _segmentsForHandlerKeys() private view returns (IOperatorRegistry.KeySegment[] memory segments) {
        // The handler committed the keys; the registry's allocation decides who is next, so take what it says.
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(1);
        assertEq(allocated, 1, "a key can be allocated");
        uint256 operatorId;
        while (allocation[operatorId] == 0) ++operatorId;
        segments = handler.segmentsFor(1);
        assertEq(segments[0].operatorId, operatorId, "the segment is the allocated operator's");
    }
}
