// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {AccountingOracle} from "../../contracts/AccountingOracle.sol";
import {DepositGuard} from "../../contracts/DepositGuard.sol";
import {EmergencyPause} from "../../contracts/EmergencyPause.sol";
import {ExecutionRewardsVault} from "../../contracts/ExecutionRewardsVault.sol";
import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IDepositGuard} from "../../contracts/interfaces/IDepositGuard.sol";
import {IEmergencyPause} from "../../contracts/interfaces/IEmergencyPause.sol";
import {IOperatorRegistry} from "../../contracts/interfaces/IOperatorRegistry.sol";
import {IPoolVault} from "../../contracts/interfaces/IPoolVault.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../../contracts/interfaces/IWithdrawalQueue.sol";
import {BeaconDepositMock} from "../../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../../contracts/OperatorRegistry.sol";
import {StakingPool} from "../../contracts/StakingPool.sol";
import {WithdrawalQueue} from "../../contracts/WithdrawalQueue.sol";
import {WithdrawalVault} from "../../contracts/WithdrawalVault.sol";
import {OracleFixture} from "./OracleFixture.sol";
import {QueueFixture} from "./QueueFixture.sol";
import {forceEther} from "./StakingPoolFixture.sol";

uint256 constant BPS = 10_000;
uint256 constant YEAR = 365 days;

/// @title PromisesHandler
/// @notice Everyone who acts on Plural, acting at random on the whole deployed protocol: users deposit, pass plETH
/// around, request withdrawals, pass request tokens on and claim; the guardians attest validator deposits (and
/// forged, partial or stale attestations are tried); the beacon chain rewards, penalizes, slashes and withdraws; the
/// committee reports honestly (and minority, stale, unfinalized and out-of-bounds reports are tried); governance vets
/// keys, moves the share cap, accepts large losses, resumes and grants pauses through the timelock; the pause
/// guardian and the deposit guardians pause; strangers force ether in; and anyone calls privileged functions.
/// @dev The handler is its own beacon chain, as in the accounting campaign: it keeps the balance of Plural's validators
/// and builds each report from it. Its ghost state books, from its own side only, what entered and left the system,
/// what each request is owed, who paused what until when and what each operator was given, so that the promise checks
/// compare two independent books. Expectations that need the state around one call are checked here; a broken one is
/// counted per promise (`violations`) with its first message (`firstViolation`). Calls that would revert for reasons
/// of their own are skipped, so that every call in a sequence does something.
contract PromisesHandler is QueueFixture {
    /// @dev The deployed protocol and the accounts that act on it, handed over by the test.
    struct Protocol {
        StakingPool pool;
        OperatorRegistry registry;
        DepositGuard guard;
        BeaconDepositMock beaconDeposit;
        WithdrawalVault vault;
        ExecutionRewardsVault elVault;
        AccountingOracle oracle;
        WithdrawalQueue queue;
        EmergencyPause emergencyPause;
        address timelock;
        address operations;
        address treasury;
        address pauseGuardian;
        uint256[] guardianKeys;
        address[] guardianAddresses;
        address[] oracleMembers;
    }

    /// @notice One withdrawal request as this handler booked it.
    struct GhostRequest {
        uint256 shares;
        uint256 etherAtRequest;
        uint256 timestamp;
        address owner;
        bool finalized;
        /// @dev The ether the queue said it pays, read once, right after the report that finalized it.
        uint256 owed;
        bool claimed;
    }

    uint256 public constant ACTOR_COUNT = 4;
    uint256 public constant OPERATOR_COUNT = 4;
    /// @dev Pause targets, as EmergencyPause numbers them.
    uint256 public constant DEPOSITS = 1;
    uint256 public constant WITHDRAWALS = 2;
    uint256 public constant STAKING = 4;

    /// @dev The beacon chain sees every deposit within this time, well inside the unseen-deposit deadline: nothing is
    /// ever written off (the write-off path has its own tests).
    uint256 private constant ACTIVATION_LIMIT = 7 days;
    uint256 private constant MAX_DEPOSIT = 100 ether;
    uint256 private constant MAX_STAKE = 3;
    uint256 private constant KEYS_PER_BATCH = 8;
    uint256 private constant MAX_EL_REWARDS = 1 ether;
    uint256 private constant MAX_DONATION = 1 ether;
    uint256 private constant MAX_WARP = 1 days;
    uint256 private constant BAD_REPORT_KINDS = 7;
    uint256 private constant BAD_ATTESTATION_KINDS = 5;
    uint256 private constant PRIVILEGED_CALLS = 28;

    address[] private _actors;
    /// @dev Accounts that hold no role anywhere: the actors, the pause guardian, an oracle member, a deposit guardian,
    /// an operator's manager and the treasury.
    address[] private _outsiders;
    /// @dev Every plETH holder whose value a user action must not lower (the dead-shares holder, the fee holders, the
    /// queue, the actors).
    address[] private _holders;
    GhostRequest[] private _requests;
    /// @dev When each staked validator was deposited (the beacon chain sees them in order).
    uint256[] private _stakedAt;
    /// @dev The attempts that need no key of this handler's (bad reports, privileged calls).
    PromisesAttempts private immutable ATTEMPTS;

    /// @notice The chain's clock and height as this handler moved them; re-applied before each call.
    uint256 public currentTime;
    uint256 public currentBlock;

    // --- Ghost: ether in and out (promise 1) ---

    uint256 public ghostDeposited;
    /// @notice Ether forced into the pool and the queue without a call.
    uint256 public ghostDonatedToPool;
    uint256 public ghostDonatedToQueue;
    uint256 public ghostBeaconRewards;
    uint256 public ghostBeaconPenalties;
    uint256 public ghostElRewards;
    /// @notice Ether claims paid to users' receivers.
    uint256 public ghostPaidOut;

    // --- Ghost: the beacon chain ---

    uint256 public ghostStakedValidators;
    uint256 public ghostActivatedValidators;
    uint256 public ghostExitedValidators;
    uint256 public ghostBeaconBalance;

    // --- Ghost: what the reports recognized (promise 4) ---

    uint256 public ghostReportedBeaconBalance;
    uint256 public ghostReportedValidators;
    uint256 public ghostReportedExited;
    uint256 public ghostRecognizedGains;
    uint256 public ghostRecognizedLosses;
    uint256 public lastRefSlot;
    /// @notice The pooled ether and the shares right after the last report: until the next one, no action may lower
    /// the rate below theirs.
    uint256 public pooledAtReport;
    uint256 public sharesAtReport;

    // --- Ghost: the queue (promise 3) ---

    /// @notice Ether owed to finalized requests not yet claimed, by this handler's book.
    uint256 public ghostOwed;
    /// @notice Ether the reports sent the queue for the requests they finalized.
    uint256 public ghostLocked;
    /// @notice The most wei the queue may lock above what the requests are owed: it locks min(Σ value at request,
    /// Σ plETH × rate) per rate period, which rounds once where the claims round once each.
    uint256 public ghostLockRounding;
    uint256 public ghostLastFinalizedId;

    // --- Ghost: operators (promise 7) ---

    mapping(uint256 operatorId => uint256) public ghostDepositedKeys;
    mapping(uint256 operatorId => uint256) public ghostVettedKeys;
    uint256 public ghostShareCapBps;

    // --- Ghost: pauses (promises 3 and 5) ---

    /// @notice The latest end any pause made so far may have, per target: its time plus the longest pause allowed then.
    mapping(uint256 target => uint256) public ghostPauseBound;

    /// @notice Broken expectations per promise (1 to 7), and the first message of each.
    mapping(uint256 promiseNumber => uint256) public violations;
    mapping(uint256 promiseNumber => string) public firstViolation;
    /// @notice Calls that did something, per action (to check that the campaign exercises every action).
    mapping(string action => uint256) public calls;

    modifier step() {
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    /// @dev Promise 2 around a user action: nobody but `actor` (and `receiver`, when shares move to it) holds less
    /// value after it, and the share rate does not fall.
    modifier noDilution(address actor, address receiver) {
        uint256 pooledBefore = pool.totalPooledEther();
        uint256 sharesBefore = pool.totalSupply();
        uint256[] memory valuesBefore = _values();
        _;
        uint256 pooledAfter = pool.totalPooledEther();
        uint256 sharesAfter = pool.totalSupply();
        if (pooledAfter * sharesBefore < pooledBefore * sharesAfter)
            _violate(2, "a user action lowered the share rate");
        for (uint256 i; i < _holders.length; ++i) {
            address holder = _holders[i];
            if (holder == actor || holder == receiver) continue;
            if (pool.convertToAssets(pool.balanceOf(holder)) < valuesBefore[i]) {
                _violate(2, string.concat("a user action lowered the value of holder ", Strings.toString(i)));
            }
        }
    }

    constructor(Protocol memory protocol) {
        pool = protocol.pool;
        registry = protocol.registry;
        guard = protocol.guard;
        beaconDeposit = protocol.beaconDeposit;
        vault = protocol.vault;
        elVault = protocol.elVault;
        oracle = protocol.oracle;
        queue = protocol.queue;
        emergencyPause = protocol.emergencyPause;
        admin = protocol.timelock;
        operations = protocol.operations;
        treasury = protocol.treasury;
        pauseGuardian = protocol.pauseGuardian;
        guardianKeys = protocol.guardianKeys;
        guardianAddresses = protocol.guardianAddresses;
        oracleMembers = protocol.oracleMembers;
        ATTEMPTS = new PromisesAttempts(protocol);
        _holders.push(DEAD_SHARES_HOLDER);
        _holders.push(treasury);
        _holders.push(address(registry));
        _holders.push(address(queue));
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address actor = makeAddr(string.concat("actor", Strings.toString(i)));
            _actors.push(actor);
            _holders.push(actor);
            _outsiders.push(actor);
        }
        _outsiders.push(pauseGuardian);
        _outsiders.push(oracleMembers[0]);
        _outsiders.push(guardianAddresses[0]);
        _outsiders.push(_managerOf(0));
        _outsiders.push(treasury);
        ghostShareCapBps = registry.shareCapBps();
        currentTime = block.timestamp;
        currentBlock = block.number;
        lastRefSlot = oracle.lastProcessedRefSlot();
    }

    /// @notice The history before the campaign, through this handler so that it knows every key and books everything:
    /// a share cap of 40 % set by governance; four operators with sixteen keys each, of which 16, 16, 2 and 1 vetted;
    /// deposits; ten validators staked (4, 3, 2 and 1 per operator) and seen by a first report. The two small
    /// operators are then at their vetted limits and the two large ones at or next to the cap, so that the campaign's
    /// deposits meet both limits of promise 7 until governance vets more keys or moves the cap.
    function setUpHistory() external step {
        vm.prank(admin);
        registry.setShareCap(4_000);
        ghostShareCapBps = 4_000;
        uint8[4] memory vetted = [16, 16, 2, 1];
        for (uint256 i; i < OPERATOR_COUNT; ++i) {
            uint256 operatorId = _addOperatorWithKeys(2 * KEYS_PER_BATCH, vetted[i]);
            ghostVettedKeys[operatorId] = vetted[i];
        }
        _userDeposit(_actors[0], 150 ether);
        _userDeposit(_actors[1], 100 ether);
        _userDeposit(_actors[2], 60 ether);
        _userDeposit(_actors[3], 30 ether);
        _stakeHonestly(10);
        _honestReport(10, 0);
    }

    // =================================================================================================================
    // users
    // =================================================================================================================

    /// @notice A deposit; while deposits are paused it must be refused.
    function deposit(uint256 actorSeed, uint256 amount) external step {
        address actor = _actors[actorSeed % ACTOR_COUNT];
        uint256 deadline = pool.getReportState().reportDeadline;
        if (deadline != 0 && block.timestamp > deadline) return;
        if (pool.depositsPausedUntil() > block.timestamp) {
            vm.deal(actor, 1 ether);
            vm.prank(actor);
            try pool.deposit{value: 1 ether}(address(0)) {
                _violate(5, "a deposit went through a pause");
            } catch (bytes memory reason) {
                _expectRefusal(reason, IStakingPool.DepositsArePaused.selector, 5, "a deposit during a pause");
            }
            ++calls["depositPaused"];
            return;
        }
        uint256 cap = Math.min(MAX_DEPOSIT, pool.getStakeLimit().available);
        if (cap < 0.01 ether) return;
        _userDeposit(actor, bound(amount, 0.01 ether, cap));
        ++calls["deposit"];
    }

    /// @notice An actor sends plETH to another actor.
    function transfer(uint256 fromSeed, uint256 toSeed, uint256 shares) external step {
        address from = _actors[fromSeed % ACTOR_COUNT];
        address to = _actors[((fromSeed % ACTOR_COUNT) + 1 + (toSeed % (ACTOR_COUNT - 1))) % ACTOR_COUNT];
        uint256 balance = pool.balanceOf(from);
        if (balance == 0) return;
        _transfer(from, to, bound(shares, 1, balance));
        ++calls["transfer"];
    }

    /// @notice An actor requests a withdrawal for itself or another actor; while withdrawals are paused it must be
    /// refused.
    function request(uint256 actorSeed, uint256 ownerSeed, uint256 amountSeed) external step {
        address actor = _actors[actorSeed % ACTOR_COUNT];
        address owner = _actors[ownerSeed % ACTOR_COUNT];
        uint256 minShares = pool.convertToShares(MIN_REQUEST) + 1;
        uint256 maxShares = Math.min(pool.balanceOf(actor), pool.convertToShares(MAX_REQUEST));
        if (maxShares < minShares) return;
        uint256 shares = bound(amountSeed, minShares, maxShares);
        if (queue.withdrawalsPausedUntil() > block.timestamp) {
            uint256[] memory amounts = new uint256[](1);
            amounts[0] = shares;
            vm.prank(actor);
            pool.approve(address(queue), shares);
            vm.prank(actor);
            try queue.requestWithdrawals(amounts, owner) {
                _violate(5, "a withdrawal request went through a pause");
            } catch (bytes memory reason) {
                _expectRefusal(reason, IWithdrawalQueue.WithdrawalsArePaused.selector, 5, "a request during a pause");
            }
            ++calls["requestPaused"];
            return;
        }
        _requestFor(actor, owner, shares);
        ++calls["request"];
    }

    /// @notice The owner of an unclaimed request passes its token on: from then on only the new owner can claim.
    function transferRequest(uint256 idSeed, uint256 toSeed) external step {
        (uint256 id, bool found) = _pickUnclaimed(idSeed, false);
        if (!found) return;
        address owner = _requests[id - 1].owner;
        address to = _actors[toSeed % ACTOR_COUNT];
        if (to == owner) to = _actors[((toSeed % ACTOR_COUNT) + 1) % ACTOR_COUNT];
        vm.prank(owner);
        queue.transferFrom(owner, to, id);
        _requests[id - 1].owner = to;
        ++calls["transferRequest"];
    }

    /// @notice A finalized request is claimed: a non-owner is refused, the owner is paid exactly what the request was
    /// owed at finalization, and a second claim is refused. While withdrawals are paused the claim must wait.
    function claim(uint256 idSeed, uint256 receiverSeed) external step {
        (uint256 id, bool found) = _pickUnclaimed(idSeed, true);
        if (!found) return;
        address owner = _requests[id - 1].owner;
        address receiver = _actors[receiverSeed % ACTOR_COUNT];
        uint256 hint = _hint(id);
        if (queue.withdrawalsPausedUntil() > block.timestamp) {
            vm.prank(owner);
            try queue.claimWithdrawal(id, hint, receiver) {
                _violate(5, "a claim went through a pause");
            } catch (bytes memory reason) {
                _expectRefusal(reason, IWithdrawalQueue.WithdrawalsArePaused.selector, 5, "a claim during a pause");
            }
            ++calls["claimPaused"];
            return;
        }
        address stranger = _actors[(receiverSeed / ACTOR_COUNT) % ACTOR_COUNT];
        if (stranger == owner) stranger = _actors[((receiverSeed / ACTOR_COUNT) + 1) % ACTOR_COUNT];
        vm.prank(stranger);
        try queue.claimWithdrawal(id, hint, stranger) {
            _violate(3, "someone other than the owner claimed");
        } catch (bytes memory reason) {
            _expectRefusal(reason, IWithdrawalQueue.NotRequestOwner.selector, 3, "a stranger's claim");
        }
        _claimAsOwner(id, owner, receiver, hint);
        vm.prank(owner);
        try queue.claimWithdrawal(id, hint, owner) {
            _violate(3, "a request was claimed twice");
        } catch (bytes memory reason) {
            _expectRefusal(reason, IWithdrawalQueue.RequestAlreadyClaimed.selector, 3, "a second claim");
        }
        ++calls["claim"];
    }

    /// @notice A stranger forces ether into the pool or the queue without a call: it must move neither the rate nor
    /// what any request is owed.
    function donate(uint256 amount, bool toQueue) external step {
        amount = bound(amount, 1, MAX_DONATION);
        uint256 pooled = pool.totalPooledEther();
        vm.deal(address(this), amount);
        forceEther(toQueue ? address(queue) : address(pool), amount);
        if (toQueue) ghostDonatedToQueue += amount;
        else ghostDonatedToPool += amount;
        if (pool.totalPooledEther() != pooled) _violate(2, "a donation moved the pooled ether");
        ++calls["donate"];
    }

    // =================================================================================================================
    // operators, guardians and staking
    // =================================================================================================================

    /// @notice Up to three validators staked through the real path with a fresh guardian quorum attestation; while
    /// staking is paused it must be refused.
    function stake(uint256 count) external step {
        _nextBlock();
        if (guard.stakingPausedUntil() > block.timestamp) {
            (count, ) = _stakeableCount(1);
            if (count == 0) return;
            IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count);
            IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
            try pool.depositValidators(segments, attestation) {
                _violate(5, "validators were staked through a pause");
            } catch (bytes memory reason) {
                _expectRefusal(reason, IDepositGuard.StakingIsPaused.selector, 5, "staking during a pause");
            }
            ++calls["stakePaused"];
            return;
        }
        (count, ) = _stakeableCount(bound(count, 1, MAX_STAKE));
        if (count == 0) return;
        _stakeHonestly(count);
        ++calls["stake"];
    }

    /// @notice A validator deposit with an attestation that is not a guardian quorum over the current deposit root
    /// and registry nonce: one signature, a stale nonce, another root, a stranger's signature, or an old block. It
    /// must be refused.
    function stakeWithBadAttestation(uint256 kind, uint256 seed) external step {
        _nextBlock();
        (uint256 count, ) = _stakeableCount(1);
        if (count == 0) return;
        kind %= BAD_ATTESTATION_KINDS;
        // The attempt always reverts, with whether it got a deposit through.
        (, bytes memory reason) = address(this).call(abi.encodeCall(this.attemptBadStake, (kind, seed)));
        if (_applied(reason)) {
            _violate(6, string.concat("a deposit went through without a quorum, kind ", Strings.toString(kind)));
        }
        ++calls["stakeWithBadAttestation"];
    }

    /// @notice Tries a validator deposit for an operator that has no room (at its vetted limit or the share cap),
    /// with keys it committed and a valid attestation. It must be refused.
    function stakeAboveLimit(uint256 operatorSeed) external step {
        _nextBlock();
        if (guard.stakingPausedUntil() > block.timestamp) return;
        if (_stakeableEther() < VALIDATOR_DEPOSIT) return;
        (uint256 operatorId, bool found) = _operatorWithoutRoom(operatorSeed);
        if (!found) return;
        uint256 next = ghostDepositedKeys[operatorId];
        (uint256 batchIndex, IOperatorRegistry.Batch memory batch) = _batchHolding(operatorId, next);
        IOperatorRegistry.KeySegment[] memory segments = new IOperatorRegistry.KeySegment[](1);
        segments[0] = _segment(operatorId, batchIndex, batch.firstIndex, next, 1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        try pool.depositValidators(segments, attestation) {
            _violate(7, "a deposit took an operator above its vetted limit or the share cap");
            ghostDepositedKeys[operatorId] += 1;
            _recordStaked(1);
        } catch (bytes memory reason) {
            // With no room anywhere the registry allocates fewer keys than asked; with room elsewhere it gives the
            // validator to another operator, and this operator's segment is not the one it expects.
            if (!_allocatedElsewhere(reason, operatorId)) {
                _expectRefusal(
                    reason,
                    IOperatorRegistry.NotEnoughDepositableKeys.selector,
                    7,
                    "a deposit above the vetted limit or the cap"
                );
            }
        }
        ++calls["stakeAboveLimit"];
    }

    /// @notice Governance (the operations timelock) vets more or fewer of an operator's keys; its manager commits a
    /// fresh batch first when every key is vetted.
    function vet(uint256 operatorSeed, uint256 vettedSeed) external step {
        uint256 operatorId = operatorSeed % OPERATOR_COUNT;
        IOperatorRegistry.Operator memory op = registry.getOperator(operatorId);
        if (op.vettedKeys == op.totalKeys) {
            _addKeys(operatorId, KEYS_PER_BATCH);
            op.totalKeys += KEYS_PER_BATCH;
        }
        uint256 vetted = bound(vettedSeed, op.depositedKeys, op.totalKeys);
        vm.prank(operations);
        registry.setVettedKeys(operatorId, vetted);
        ghostVettedKeys[operatorId] = vetted;
        ++calls["vet"];
    }

    /// @notice Governance moves the share cap between 25 % and 100 %.
    function setShareCap(uint256 capBps) external step {
        capBps = bound(capBps, 2_500, BPS);
        vm.prank(admin);
        registry.setShareCap(capBps);
        ghostShareCapBps = capBps;
        ++calls["setShareCap"];
    }

    // =================================================================================================================
    // the beacon chain and block production (nothing reaches the rate before a report)
    // =================================================================================================================

    /// @notice Beacon rewards, within what the next report may recognize (the annual-rate cap over one frame).
    function earnBeaconRewards(uint256 amount) external step {
        if (ghostActivatedValidators == ghostExitedValidators) return;
        uint256 cap = _frameRewardCap(_beaconBefore(ghostActivatedValidators));
        int256 headroom = int256(cap) - _unreportedBeaconDelta();
        if (headroom <= 0) return;
        amount = bound(amount, 1, uint256(headroom));
        ghostBeaconBalance += amount;
        ghostBeaconRewards += amount;
        ++calls["earnBeaconRewards"];
    }

    /// @notice Penalties (up to 1 % of the balance) or a slashing (up to a quarter, above the per-report loss bound,
    /// so governance must accept it).
    function slash(uint256 amount, bool severe) external step {
        uint256 max = ghostBeaconBalance / (severe ? 4 : 100);
        if (max == 0) return;
        amount = bound(amount, 1, max);
        ghostBeaconBalance -= amount;
        ghostBeaconPenalties += amount;
        ++calls[severe ? "slashSevere" : "slash"];
    }

    /// @notice Priority fees and MEV paid to the fee recipient.
    function earnExecutionRewards(uint256 amount) external step {
        amount = bound(amount, 1, MAX_EL_REWARDS);
        vm.deal(address(elVault), address(elVault).balance + amount);
        ghostElRewards += amount;
        ++calls["earnExecutionRewards"];
    }

    /// @notice A withdrawal into the withdrawal vault: a validator's share of the balance when it exits, else a skim
    /// of the balance above 32 ether per validator.
    function withdraw(uint256 amount, bool exit) external step {
        uint256 live = ghostActivatedValidators - ghostExitedValidators;
        if (live == 0) return;
        if (exit) {
            amount = ghostBeaconBalance / live;
            ++ghostExitedValidators;
        } else {
            uint256 principal = live * VALIDATOR_DEPOSIT;
            if (ghostBeaconBalance <= principal) return;
            amount = bound(amount, 1, ghostBeaconBalance - principal);
        }
        ghostBeaconBalance -= amount;
        vm.deal(address(vault), address(vault).balance + amount);
        ++calls[exit ? "exit" : "skim"];
    }

    function warp(uint256 duration) external step {
        duration = bound(duration, 1, MAX_WARP);
        currentTime += duration;
        currentBlock += duration / SECONDS_PER_SLOT + 1;
        ++calls["warp"];
    }

    // =================================================================================================================
    // the oracle committee
    // =================================================================================================================

    /// @notice The next frame's honest report, applied by a quorum of two members (voting with the report, or
    /// agreeing by hash and anyone applying it), finalizing every request made by its reference slot that the buffer
    /// pays. A loss above the per-report bound is first accepted by governance, for exactly the excess.
    function report(uint256 activateSeed, uint256 voteSeed) external step {
        _honestReport(activateSeed, voteSeed);
        ++calls["report"];
    }

    /// @notice A report that must not apply: one member's vote (no quorum), a stranger's, a stale reference slot, an
    /// unfinalized one, rewards above the cap, a loss above the bound, or fewer validators than already seen.
    function badReport(uint256 kind, uint256 seed) external step {
        kind %= BAD_REPORT_KINDS;
        (uint256 refSlot, ) = oracle.currentFrame();
        if (refSlot <= oracle.lastProcessedRefSlot()) refSlot += FRAME_SLOTS;
        IAccountingOracle.Report memory honest = _buildReport(refSlot, ghostActivatedValidators, 0);
        // The attempt always reverts, with whether the report applied.
        (, bytes memory reason) = address(ATTEMPTS).call(
            abi.encodeCall(
                ATTEMPTS.attemptBadReport,
                (kind, seed, honest, _beaconBefore(ghostActivatedValidators), _actors[seed % ACTOR_COUNT])
            )
        );
        if (_applied(reason)) {
            _violate(4, string.concat("a report applied that must not, kind ", Strings.toString(kind)));
        }
        // The attempt moved the clock inside a call that reverted: back to this handler's.
        vm.warp(currentTime);
        vm.roll(currentBlock);
        ++calls["badReport"];
    }

    // =================================================================================================================
    // pauses and governance
    // =================================================================================================================

    /// @notice The pause guardian pauses some targets through EmergencyPause (once per grant); a second pause on the
    /// same grant must be refused.
    function pause(uint256 targets, uint256 duration) external step {
        IEmergencyPause.PauseState memory state = emergencyPause.getPauseState();
        if (!state.pauseAvailable) return;
        targets = bound(targets, 1, 7);
        duration = bound(duration, 1, state.maxPauseDuration);
        vm.prank(pauseGuardian);
        emergencyPause.pause(targets, duration);
        uint256 bound_ = block.timestamp + state.maxPauseDuration;
        for (uint256 target = 1; target <= 4; target <<= 1) {
            if (targets & target != 0 && ghostPauseBound[target] < bound_) ghostPauseBound[target] = bound_;
        }
        vm.prank(pauseGuardian);
        try emergencyPause.pause(targets, 1) {
            _violate(5, "the pause guardian paused twice on one grant");
        } catch (bytes memory reason) {
            _expectRefusal(reason, IEmergencyPause.PauseAlreadyUsed.selector, 5, "a second pause on one grant");
        }
        ++calls["pause"];
    }

    /// @notice A deposit guardian pauses validator deposits for the guard's pause duration (once per guardian).
    function guardianPauseStaking(uint256 guardianSeed) external step {
        address guardian = guardianAddresses[guardianSeed % guardianAddresses.length];
        if (guard.pauseUsed(guardian)) return;
        vm.prank(guardian);
        guard.pauseStaking();
        uint256 bound_ = block.timestamp + guard.pauseDuration();
        if (ghostPauseBound[STAKING] < bound_) ghostPauseBound[STAKING] = bound_;
        ++calls["guardianPauseStaking"];
    }

    /// @notice Governance, through the timelock, resumes what is paused early, or grants the guardian a pause again.
    function resumeOrGrant(uint256 seed) external step {
        uint256 paused;
        if (pool.depositsPausedUntil() > block.timestamp) paused |= DEPOSITS;
        if (queue.withdrawalsPausedUntil() > block.timestamp) paused |= WITHDRAWALS;
        if (guard.stakingPausedUntil() > block.timestamp) paused |= STAKING;
        if (paused != 0 && seed % 2 == 0) {
            vm.prank(admin);
            emergencyPause.resume(paused);
            ++calls["resume"];
        } else {
            vm.prank(admin);
            emergencyPause.grantPause(pauseGuardian);
            ++calls["grantPause"];
        }
    }

    /// @notice Someone without the role calls a privileged function of any contract: it must be refused, by the role
    /// (or caller) check itself.
    function unauthorizedCall(uint256 callerSeed, uint256 callSeed) external step {
        address caller = _outsiders[callerSeed % _outsiders.length];
        uint256 kind = callSeed % PRIVILEGED_CALLS;
        (address target, bytes memory data, bytes4 expected) = ATTEMPTS.privilegedCall(kind, caller, lastRefSlot);
        vm.prank(caller);
        (bool ok, bytes memory reason) = target.call(data);
        if (ok) {
            _violate(
                5,
                string.concat("a privileged call went through without its role, call ", Strings.toString(kind))
            );
        } else if (reason.length < 4 || bytes4(reason) != expected) {
            _violate(5, string.concat("a privileged call was refused by another check, call ", Strings.toString(kind)));
        }
        ++calls["unauthorizedCall"];
    }

    // =================================================================================================================
    // attempts that must fail, undone whatever happens (called by this handler only)
    // =================================================================================================================

    /// @notice Runs one validator deposit with a bad attestation and reverts with `AttemptOutcome(deposited)`.
    function attemptBadStake(uint256 kind, uint256 seed) external {
        require(msg.sender == address(this), AttemptOutcome(false));
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation;
        if (kind == 0) {
            attestation = _attestation(GUARDIAN_QUORUM - 1);
        } else if (kind == 1) {
            attestation = _signedAttestation(
                beaconDeposit.get_deposit_root(),
                registry.nonce() + 1 + (seed % 3),
                block.number - 1
            );
        } else if (kind == 2) {
            attestation = _signedAttestation(keccak256(abi.encode(seed)), registry.nonce(), block.number - 1);
        } else if (kind == 3) {
            attestation = _attestation(GUARDIAN_QUORUM);
            (, uint256 strangerKey) = makeAddrAndKey(string.concat("actor", Strings.toString(seed % ACTOR_COUNT)));
            attestation.signatures[seed % GUARDIAN_QUORUM] = _sign(strangerKey, _digest(attestation));
        } else {
            attestation = _signedAttestation(
                beaconDeposit.get_deposit_root(),
                registry.nonce(),
                block.number - MAX_BLOCK_AGE - 2
            );
        }
        uint256 before = address(beaconDeposit).balance;
        try pool.depositValidators(segments, attestation) {} catch {} // solhint-disable-line no-empty-blocks
        revert AttemptOutcome(address(beaconDeposit).balance != before);
    }

    // =================================================================================================================
    // views for the promise checks
    // =================================================================================================================

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function outsiders() external view returns (address[] memory) {
        return _outsiders;
    }

    function holders() external view returns (address[] memory) {
        return _holders;
    }

    /// @notice The segments of the next `count` validators, with the keys this handler committed.
    function segmentsFor(uint256 count) external view returns (IOperatorRegistry.KeySegment[] memory) {
        return _segmentsFor(count);
    }

    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    function ghostRequest(uint256 id) external view returns (GhostRequest memory) {
        return _requests[id - 1];
    }

    /// @notice Ether on the beacon side: the validators' balance plus 32 ether per deposit the beacon chain has not
    /// seen yet.
    function ghostBeaconSideEther() public view returns (uint256) {
        return ghostBeaconBalance + (ghostStakedValidators - ghostActivatedValidators) * VALIDATOR_DEPOSIT;
    }

    /// @notice Beacon rewards minus penalties no report has recognized yet.
    function unreportedBeaconDelta() external view returns (int256) {
        return _unreportedBeaconDelta();
    }

    // =================================================================================================================
    // internals: users
    // =================================================================================================================

    function _userDeposit(address actor, uint256 amount) private noDilution(actor, address(0)) {
        uint256 pooledBefore = pool.totalPooledEther();
        vm.deal(actor, amount);
        vm.prank(actor);
        pool.deposit{value: amount}(address(0));
        ghostDeposited += amount;
        if (pool.totalPooledEther() != pooledBefore + amount) _violate(1, "a deposit added other than its amount");
    }

    function _transfer(address from, address to, uint256 shares) private noDilution(from, to) {
        vm.prank(from);
        pool.transfer(to, shares);
    }

    function _requestFor(address actor, address owner, uint256 shares) private noDilution(actor, address(0)) {
        uint256 etherValue = pool.convertToAssets(shares);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = shares;
        _requestMany(actor, amounts, owner);
        _requests.push(
            GhostRequest({
                shares: shares,
                etherAtRequest: etherValue,
                timestamp: block.timestamp,
                owner: owner,
                finalized: false,
                owed: 0,
                claimed: false
            })
        );
    }

    function _claimAsOwner(uint256 id, address owner, address receiver, uint256 hint) private noDilution(owner, owner) {
        GhostRequest storage ghost = _requests[id - 1];
        uint256 before = receiver.balance;
        vm.prank(owner);
        try queue.claimWithdrawal(id, hint, receiver) {
            uint256 paid = receiver.balance - before;
            ghost.claimed = true;
            ghostOwed -= ghost.owed;
            ghostPaidOut += paid;
            if (paid != ghost.owed) _violate(3, "a claim paid other than what the request was owed");
        } catch (bytes memory reason) {
            _violate(3, string.concat("the owner could not claim a finalized request: ", Strings.toHexString(reason)));
        }
    }

    /// @dev A random unclaimed request, finalized or not as asked; searched from the seed onwards.
    function _pickUnclaimed(uint256 seed, bool finalized) private view returns (uint256 id, bool found) {
        uint256 count = _requests.length;
        for (uint256 i; i < count; ++i) {
            uint256 index = ((seed % count) + i) % count;
            GhostRequest storage ghost = _requests[index];
            if (!ghost.claimed && ghost.finalized == finalized) return (index + 1, true);
        }
    }

    /// @dev The value of every holder's plETH.
    function _values() private view returns (uint256[] memory values) {
        values = new uint256[](_holders.length);
        for (uint256 i; i < _holders.length; ++i) values[i] = pool.convertToAssets(pool.balanceOf(_holders[i]));
    }

    // =================================================================================================================
    // internals: staking
    // =================================================================================================================

    function _nextBlock() private {
        // A new block, so that an attestation's block (the previous one) has a hash.
        ++currentBlock;
        vm.roll(currentBlock);
    }

    /// @dev The ether the pool may stake: the buffer less what the unfinalized requests may need.
    function _stakeableEther() private view returns (uint256) {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        return accounting.bufferedEther - accounting.withdrawalReserve;
    }

    /// @dev The most validators, up to `max`, that the buffer pays and the registry can place in one deposit.
    function _stakeableCount(uint256 max) private view returns (uint256 count, uint256 allocated) {
        count = Math.min(max, _stakeableEther() / VALIDATOR_DEPOSIT);
        // Fewer validators lower the cap too (it is measured after the deposit): shrink until the registry places all.
        while (count != 0) {
            (, allocated) = registry.allocate(count);
            if (allocated == count) break;
            count = allocated;
        }
    }

    /// @dev Deposits `count` validators with a fresh quorum attestation, checking promises 6 and 7 around it.
    function _stakeHonestly(uint256 count) private {
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        // The attestation is a quorum over the current root and nonce: what promise 6 asks of every deposit.
        if (
            attestation.depositRoot != beaconDeposit.get_deposit_root() ||
            attestation.registryNonce != registry.nonce() ||
            attestation.signatures.length < guard.quorum()
        ) _violate(6, "the handler's attestation is not a quorum over the current state");
        uint256 depositedBefore = address(beaconDeposit).balance;

        pool.depositValidators(segments, attestation);

        if (address(beaconDeposit).balance != depositedBefore + count * VALIDATOR_DEPOSIT) {
            _violate(6, "a validator deposit sent other than 32 ether per key");
        }
        _recordStaked(count);
        for (uint256 s; s < segments.length; ++s) {
            ghostDepositedKeys[segments[s].operatorId] += segments[s].depositDataRoots.length;
        }
        _checkOperatorsAfterDeposit(segments);
    }

    function _recordStaked(uint256 count) private {
        ghostStakedValidators += count;
        for (uint256 i; i < count; ++i) _stakedAt.push(block.timestamp);
    }

    /// @dev Promise 7 from this handler's own book: every operator that received keys is at or under its vetted count
    /// and under the share cap of the active validators after the deposit (no operator exits in this campaign).
    function _checkOperatorsAfterDeposit(IOperatorRegistry.KeySegment[] memory segments) private {
        uint256 capLimit = (_ghostTotalDeposited() * ghostShareCapBps) / BPS;
        for (uint256 s; s < segments.length; ++s) {
            uint256 operatorId = segments[s].operatorId;
            uint256 deposited = ghostDepositedKeys[operatorId];
            if (deposited > ghostVettedKeys[operatorId])
                _violate(7, "a deposit took an operator above its vetted keys");
            if (deposited > capLimit) _violate(7, "a deposit took an operator above the share cap");
        }
    }

    function _ghostTotalDeposited() private view returns (uint256 total) {
        for (uint256 i; i < OPERATOR_COUNT; ++i) total += ghostDepositedKeys[i];
    }

    /// @dev An operator, from the seed on, that may take no validator now by this handler's book (all its vetted keys
    /// used, or the share cap reached) but still has a committed key to try.
    function _operatorWithoutRoom(uint256 seed) private view returns (uint256 operatorId, bool found) {
        uint256 capLimit = ((_ghostTotalDeposited() + 1) * ghostShareCapBps) / BPS;
        for (uint256 i; i < OPERATOR_COUNT; ++i) {
            operatorId = ((seed % OPERATOR_COUNT) + i) % OPERATOR_COUNT;
            uint256 deposited = ghostDepositedKeys[operatorId];
            bool noRoom = deposited >= ghostVettedKeys[operatorId] || deposited + 1 > capLimit;
            if (noRoom && deposited < registry.getOperator(operatorId).totalKeys) return (operatorId, true);
        }
    }

    /// @dev A quorum of guardians signing what they are given, true or not.
    function _signedAttestation(
        bytes32 depositRoot,
        uint256 registryNonce,
        uint256 blockNumber
    ) private view returns (IDepositGuard.Attestation memory attestation) {
        attestation.depositRoot = depositRoot;
        attestation.registryNonce = registryNonce;
        attestation.blockNumber = blockNumber;
        attestation.blockHash = blockhash(blockNumber);
        _resign(attestation, GUARDIAN_QUORUM);
    }

    // =================================================================================================================
    // internals: reports
    // =================================================================================================================

    function _honestReport(uint256 activateSeed, uint256 voteSeed) private {
        uint256 refSlot = _warpToNextFrame();
        currentTime = block.timestamp;
        currentBlock = block.number;
        // Every deposit older than the activation limit is seen by now; others maybe.
        uint256 mustSee = ghostActivatedValidators;
        while (mustSee < ghostStakedValidators && _stakedAt[mustSee] + ACTIVATION_LIMIT <= block.timestamp) ++mustSee;
        uint256 seen = bound(activateSeed, mustSee, ghostStakedValidators);
        ghostBeaconBalance += (seen - ghostActivatedValidators) * VALIDATOR_DEPOSIT;
        ghostActivatedValidators = seen;

        IAccountingOracle.Report memory honest = _buildReport(refSlot, seen, _lastRequestBy(_refTime(refSlot)));
        uint256 beaconBefore = _beaconBefore(seen);
        int256 beaconDelta = int256(ghostBeaconBalance + honest.withdrawalVaultBalance) - int256(beaconBefore);
        if (beaconDelta < 0 && _allowLossAbove(uint256(-beaconDelta), beaconBefore, refSlot)) ++calls["allowLoss"];
        uint256 queueBalance = address(queue).balance;
        uint256 finalizedBefore = queue.getQueueState().lastFinalizedId;

        if (!_submitByQuorum(honest, voteSeed)) return;

        // Promise 4 from this handler's side: the applied report is the one a quorum agreed, for a finalized slot,
        // after the last one.
        if (oracle.lastProcessedRefSlot() != refSlot) _violate(4, "the applied report is not the one agreed");
        if (refSlot <= lastRefSlot) _violate(4, "a report applied out of order");
        if (oracle.currentSlot() < refSlot + 1 + 2 * SLOTS_PER_EPOCH) _violate(4, "a report applied unfinalized");
        if (beaconDelta >= 0) ghostRecognizedGains += uint256(beaconDelta);
        else ghostRecognizedLosses += uint256(-beaconDelta);
        ghostReportedBeaconBalance = honest.beaconBalance;
        ghostReportedValidators = honest.beaconValidators;
        ghostReportedExited = honest.exitedValidators;
        lastRefSlot = refSlot;
        pooledAtReport = pool.totalPooledEther();
        sharesAtReport = pool.totalSupply();
        _bookFinalized(finalizedBefore, honest.lastFinalizableRequestId, address(queue).balance - queueBalance);
    }

    function _buildReport(
        uint256 refSlot,
        uint256 seen,
        uint256 lastFinalizableRequestId
    ) private view returns (IAccountingOracle.Report memory) {
        return
            IAccountingOracle.Report({
                refSlot: refSlot,
                beaconValidators: seen,
                beaconBalance: ghostBeaconBalance,
                exitedValidators: ghostExitedValidators,
                withdrawalVaultBalance: address(vault).balance,
                elRewardsVaultBalance: address(elVault).balance,
                lastFinalizableRequestId: lastFinalizableRequestId,
                bunkerMode: false,
                exitDataHash: bytes32(0)
            });
    }

    /// @dev Two of the three members vote; returns whether the report applied. An honest report within the bounds
    /// that does not apply is a violation of promise 4's other half: the committee can always report.
    function _submitByQuorum(IAccountingOracle.Report memory honest, uint256 voteSeed) private returns (bool applied) {
        bytes memory reason;
        (applied, reason) = _tryQuorum(honest, voteSeed);
        if (!applied) _violate(4, string.concat("an honest report was refused: ", Strings.toHexString(reason)));
    }

    /// @dev Books the requests the report finalized: each is owed what the queue now says it pays, never more than
    /// its value at request, and together exactly the ether the queue received.
    function _bookFinalized(uint256 finalizedBefore, uint256 bound_, uint256 received) private {
        uint256 finalizedAfter = queue.getQueueState().lastFinalizedId;
        if (finalizedAfter > Math.max(bound_, finalizedBefore)) _violate(3, "a request finalized past the bound");
        if (finalizedAfter == finalizedBefore) {
            if (received != 0) _violate(1, "the queue received ether without finalizing");
            return;
        }
        uint256 count = finalizedAfter - finalizedBefore;
        uint256[] memory ids = new uint256[](count);
        for (uint256 i; i < count; ++i) ids[i] = finalizedBefore + 1 + i;
        uint256 last = queue.getQueueState().lastCheckpointIndex;
        uint256[] memory hints = queue.findCheckpointHints(ids, 1, last);
        uint256[] memory owed = queue.getClaimableEther(ids, hints);
        // The rate the report finalized at, from the handler's own book: the pool burned every finalized request's
        // plETH and sent the queue `received`, so before that it held `pooledAtReport + received` ether for
        // `sharesAtReport + burned` plETH.
        uint256 burned;
        for (uint256 i; i < count; ++i) burned += _requests[ids[i] - 1].shares;
        uint256 rate = Math.mulDiv(pooledAtReport + received, RATE_PRECISION, sharesAtReport + burned);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            GhostRequest storage ghost = _requests[ids[i] - 1];
            ghost.finalized = true;
            ghost.owed = owed[i];
            total += owed[i];
            // min(value at request, plETH at the finalizing rate): a loss since the request is the requester's.
            uint256 fair = Math.min(ghost.etherAtRequest, Math.mulDiv(ghost.shares, rate, RATE_PRECISION));
            if (owed[i] != fair) _violate(3, "a request is owed other than min(its value at request, at the rate)");
            if (owed[i] == 0) _violate(3, "a finalized request is owed nothing");
        }
        ghostOwed += total;
        ghostLocked += received;
        ghostLockRounding += count + 1;
        ghostLastFinalizedId = finalizedAfter;
        if (total > received) _violate(3, "the queue received less than the finalized requests are owed");
        else if (received - total > count + 1) _violate(1, "the queue received more than the requests are owed");
    }

    /// @dev The newest request made at or before `timestamp` (zero for none), from this handler's book.
    function _lastRequestBy(uint256 timestamp) private view returns (uint256 id) {
        id = _requests.length;
        while (id != 0 && _requests[id - 1].timestamp > timestamp) --id;
    }

    /// @dev What the beacon side held at the last report plus 32 ether per validator seen since, with `seen` seen.
    function _beaconBefore(uint256 seen) private view returns (uint256) {
        return ghostReportedBeaconBalance + (seen - ghostReportedValidators) * VALIDATOR_DEPOSIT;
    }

    function _unreportedBeaconDelta() private view returns (int256) {
        return
            int256(ghostBeaconRewards) -
            int256(ghostBeaconPenalties) -
            int256(ghostRecognizedGains) +
            int256(ghostRecognizedLosses);
    }

    // =================================================================================================================
    // internals: bookkeeping
    // =================================================================================================================

    /// @dev Whether a reverted attempt reports that it changed something; any other revert changed nothing.
    function _applied(bytes memory reason) private pure returns (bool) {
        if (reason.length != 36 || bytes4(reason) != AttemptOutcome.selector) return false;
        bool applied;
        assembly ("memory-safe") {
            applied := mload(add(reason, 36))
        }
        return applied;
    }

    /// @dev Whether `reason` is the registry's `UnexpectedSegment` naming an operator other than `operatorId`: the
    /// allocation placed the validator elsewhere.
    function _allocatedElsewhere(bytes memory reason, uint256 operatorId) private pure returns (bool) {
        if (reason.length != 100 || bytes4(reason) != IOperatorRegistry.UnexpectedSegment.selector) return false;
        uint256 expectedOperator;
        assembly ("memory-safe") {
            // After the length word and the selector: the segment index, then the operator the allocation expects.
            expectedOperator := mload(add(reason, 68))
        }
        return expectedOperator != operatorId;
    }

    /// @dev A refusal must come from the defence the attempt exercises: another error means the promise was not the
    /// thing tested (a handler bug, or a check that moved), and it counts against the promise with that error.
    function _expectRefusal(bytes memory reason, bytes4 expected, uint256 promiseNumber, string memory what) private {
        if (reason.length >= 4 && bytes4(reason) == expected) return;
        _violate(
            promiseNumber,
            string.concat(what, " was refused by another check than expected: ", Strings.toHexString(reason))
        );
    }

    function _violate(uint256 promiseNumber, string memory message) private {
        if (violations[promiseNumber]++ == 0) firstViolation[promiseNumber] = message;
    }
}

/// @notice What `PromisesAttempts.attemptBadReport` and `PromisesHandler.attemptBadStake` revert with: whether the
/// attempt changed anything.
error AttemptOutcome(bool applied);

/// @title PromisesAttempts
/// @notice The handler's attempts that must fail and need none of its keys: reports a quorum must not get through,
/// and privileged calls by outsiders. A separate contract keeps the handler's code within what the test runner
/// deploys.
contract PromisesAttempts is OracleFixture {
    address private immutable HANDLER;
    address private immutable POOL_IMPLEMENTATION;
    address private immutable TIMELOCK;

    constructor(PromisesHandler.Protocol memory protocol) {
        HANDLER = msg.sender;
        pool = protocol.pool;
        registry = protocol.registry;
        guard = protocol.guard;
        vault = protocol.vault;
        elVault = protocol.elVault;
        oracle = protocol.oracle;
        queue = protocol.queue;
        emergencyPause = protocol.emergencyPause;
        oracleMembers = protocol.oracleMembers;
        TIMELOCK = protocol.timelock;
        // The implementation behind the pool's ERC-1967 proxy: an outsider tries to "upgrade" to it.
        POOL_IMPLEMENTATION = address(uint160(uint256(vm.load(address(pool), ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    /// @notice Runs one report that must not apply, derived from the handler's `honest` one for the next frame, and
    /// reverts with `AttemptOutcome(applied)`, undoing every vote it cast. `beaconBefore` is what the beacon side held
    /// at the last report plus 32 ether per validator seen since.
    function attemptBadReport(
        uint256 kind,
        uint256 seed,
        IAccountingOracle.Report memory honest,
        uint256 beaconBefore,
        address stranger
    ) external {
        require(msg.sender == HANDLER, AttemptOutcome(false));
        uint256 processed = oracle.lastProcessedRefSlot();
        // A report applied again for the same slot would leave `lastProcessedRefSlot` as it was: the pool's state
        // tells.
        bytes32 poolBefore = _poolReportState();
        _warpToReportable(honest.refSlot);
        if (kind == 0) {
            // One member of three: below the quorum of two.
            vm.prank(oracleMembers[seed % 3]);
            try oracle.submitReport(honest) {} catch {} // solhint-disable-line no-empty-blocks
        } else if (kind == 1) {
            vm.prank(stranger);
            try oracle.submitReport(honest) {} catch {} // solhint-disable-line no-empty-blocks
            vm.prank(stranger);
            try oracle.submitReport(honest) {} catch {} // solhint-disable-line no-empty-blocks
        } else if (kind == 2) {
            // The last processed reference slot again, or one before it.
            honest.refSlot = processed - (seed % 2) * FRAME_SLOTS;
            _quorumTries(honest);
        } else if (kind == 3) {
            _warpIntoUnfinalizedFrame(seed);
            (honest.refSlot, ) = oracle.currentFrame();
            _quorumTries(honest);
        } else if (kind == 4) {
            uint256 timeElapsed = (honest.refSlot - processed) * SECONDS_PER_SLOT;
            uint256 cap = Math.mulDiv(beaconBefore, MAX_APR_BPS * timeElapsed, YEAR * BPS);
            // Above the cap whatever the beacon side really did since the last report.
            honest.beaconBalance = beaconBefore + cap + 1 + (seed % 1 ether);
            honest.withdrawalVaultBalance = 0;
            _quorumTries(honest);
        } else if (kind == 5) {
            // Everything lost, with no allowance from governance.
            honest.beaconBalance = 0;
            honest.withdrawalVaultBalance = 0;
            if (beaconBefore != 0) _quorumTries(honest);
        } else {
            uint256 seen = pool.getAccounting().beaconValidators;
            if (seen == 0) revert AttemptOutcome(false);
            honest.beaconValidators = seen - 1;
            honest.exitedValidators = Math.min(honest.exitedValidators, honest.beaconValidators);
            _quorumTries(honest);
        }
        revert AttemptOutcome(oracle.lastProcessedRefSlot() != processed || _poolReportState() != poolBefore);
    }

    /// @dev What an applied report changes in the pool: its accounting and its report state (time, slot, deadline).
    function _poolReportState() private view returns (bytes32) {
        return keccak256(abi.encode(pool.getAccounting(), pool.getReportState()));
    }

    /// @notice Privileged call number `kind`, made by `caller`, and the error its access check raises.
    function privilegedCall(
        uint256 kind,
        address caller,
        uint256 lastRefSlot
    ) external view returns (address target, bytes memory data, bytes4 expected) {
        expected = IAccessControl.AccessControlUnauthorizedAccount.selector;
        uint256 later = block.timestamp + 30 days;
        if (kind < 8) {
            target = address(pool);
            if (kind == 0) data = abi.encodeCall(pool.setFees, (0, 0));
            else if (kind == 1) data = abi.encodeCall(pool.setTreasury, (caller));
            else if (kind == 2) data = abi.encodeCall(pool.pauseDeposits, (later));
            else if (kind == 3) data = abi.encodeCall(pool.resumeDeposits, ());
            else if (kind == 4) data = abi.encodeCall(pool.setStakeLimit, (1 ether, 1 days));
            else if (kind == 5) data = abi.encodeCall(IAccessControl.grantRole, (bytes32(0), caller));
            else if (kind == 6) data = abi.encodeCall(pool.upgradeToAndCall, (POOL_IMPLEMENTATION, ""));
            else {
                IStakingPool.OracleReport memory fake;
                IStakingPool.ReportLimits memory limits;
                data = abi.encodeCall(pool.handleOracleReport, (fake, limits));
                expected = IStakingPool.CallerNotOracle.selector;
            }
        } else if (kind < 13) {
            target = address(registry);
            if (kind == 8) data = abi.encodeCall(registry.setShareCap, (BPS));
            else if (kind == 9) data = abi.encodeCall(registry.setVettedKeys, (0, registry.getOperator(0).totalKeys));
            else if (kind == 10) data = abi.encodeCall(registry.addOperator, ("stranger", caller, caller));
            else if (kind == 11) data = abi.encodeCall(registry.unvetKeys, (0));
            else {
                data = abi.encodeCall(registry.useKeys, (new IOperatorRegistry.KeySegment[](0)));
                expected = IOperatorRegistry.CallerNotPool.selector;
            }
        } else if (kind < 16) {
            target = address(oracle);
            if (kind == 13) data = abi.encodeCall(oracle.allowLoss, (1_000 ether, lastRefSlot + FRAME_SLOTS));
            else if (kind == 14) data = abi.encodeCall(oracle.addMember, (caller, ORACLE_QUORUM));
            else data = abi.encodeCall(oracle.setQuorum, (1));
        } else if (kind < 19) {
            target = address(guard);
            if (kind == 16) data = abi.encodeCall(guard.addGuardian, (caller));
            else if (kind == 17) data = abi.encodeCall(guard.setQuorum, (1));
            else data = abi.encodeCall(guard.pauseStakingUntil, (later));
        } else if (kind < 21) {
            target = address(queue);
            if (kind == 19) {
                data = abi.encodeCall(queue.pauseWithdrawals, (later));
            } else {
                data = abi.encodeCall(queue.finalize, (1, block.timestamp, false, 1 ether, 1 ether, 1_000 ether));
                expected = IWithdrawalQueue.CallerNotPool.selector;
            }
        } else if (kind < 24) {
            target = kind == 22 ? address(elVault) : address(vault);
            if (kind == 23) {
                data = abi.encodeCall(vault.forceExits, (new bytes(48), 0));
            } else {
                data = abi.encodeCall(IPoolVault.withdrawToPool, (1));
                expected = IPoolVault.CallerNotPool.selector;
            }
        } else if (kind < 27) {
            target = address(emergencyPause);
            if (kind == 24) data = abi.encodeCall(emergencyPause.grantPause, (caller));
            else if (kind == 25) data = abi.encodeCall(emergencyPause.resume, (7));
            else data = abi.encodeCall(emergencyPause.setMaxPauseDuration, (14 days));
        } else {
            // Scheduling on the timelock is for the governor alone.
            target = TIMELOCK;
            data = abi.encodeCall(
                TimelockController.schedule,
                (address(pool), 0, abi.encodeCall(pool.setFees, (0, 0)), bytes32(0), bytes32(0), 2 days)
            );
        }
    }

    /// @dev Two members vote for a report that must not apply; every refusal is caught.
    function _quorumTries(IAccountingOracle.Report memory bad) private {
        vm.prank(oracleMembers[0]);
        try oracle.submitReport(bad) {} catch {} // solhint-disable-line no-empty-blocks
        vm.prank(oracleMembers[1]);
        try oracle.submitReport(bad) {} catch {} // solhint-disable-line no-empty-blocks
    }

    /// @dev Moves the clock to a slot of a frame whose reference slot is after the last processed one but is not
    /// finalized yet (fewer than two epochs ago).
    function _warpIntoUnfinalizedFrame(uint256 seed) private {
        (uint256 refSlot, ) = oracle.currentFrame();
        if (refSlot <= oracle.lastProcessedRefSlot() || oracle.currentSlot() > refSlot + 2 * SLOTS_PER_EPOCH) {
            refSlot += FRAME_SLOTS;
        }
        uint256 slot = refSlot + 1 + (seed % (2 * SLOTS_PER_EPOCH));
        uint256 time = GENESIS_TIME + slot * SECONDS_PER_SLOT;
        if (time > block.timestamp) {
            vm.roll(block.number + (time - block.timestamp) / SECONDS_PER_SLOT);
            vm.warp(time);
        }
    }
}
