// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";
import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev What governance, operator managers, the guard and depositors can do to the registry, with bounded inputs,
/// recording what deposits did (ghost state). The handler deploys the protocol itself, as the fixture does, so that it
/// can build keys, segments and attestations with the fixture's helpers. Calls that would revert are skipped instead,
/// so that every call in a sequence changes something.
contract OperatorRegistryHandler is StakingFixture {
    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_HANDLER_OPERATORS = 6;
    uint256 private constant MAX_BATCH = 8;
    uint256 private constant MAX_STAKE = 8;

    /// @notice Validators deposited through `depositValidators`.
    uint256 public ghostDeposited;
    /// @notice Set if a deposit left an operator above its vetted count.
    bool public depositAboveVetted;
    /// @notice Set if a deposit left an operator it served above the share cap of the active validators.
    bool public depositAboveCap;
    /// @notice Set if a deposit did not give each operator what `allocate` announced.
    bool public depositOffAllocation;

    /// @notice The chain's block and clock as this handler moved them; re-applied before each call.
    uint256 public currentBlock;
    uint256 public currentTime;
    /// @notice Calls that did something, per action (to check that the campaign exercises every action).
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.roll(currentBlock);
        vm.warp(currentTime);
        _;
    }

    constructor() {
        _deployPool();
        // Operators ready to take deposits, so stakes happen from the first calls.
        _addOperatorWithKeys(8, 8);
        _addOperatorWithKeys(6, 4);
        _addOperatorWithKeys(4, 4);
        currentBlock = block.number;
        currentTime = block.timestamp;
    }

    // --- Governance ---

    function addOperator() external step {
        if (registry.operatorCount() == MAX_HANDLER_OPERATORS) return;
        _addOperatorWithKeys(0, 0);
        ++calls["addOperator"];
    }

    function vet(uint256 operatorSeed, uint256 vettedKeys) external step {
        uint256 operatorId = _operatorId(operatorSeed);
        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        _vet(operatorId, bound(vettedKeys, operator.depositedKeys, operator.totalKeys));
        ++calls["vet"];
    }

    function setOperatorActive(uint256 operatorSeed) external step {
        uint256 operatorId = _operatorId(operatorSeed);
        vm.prank(admin);
        registry.setOperatorActive(operatorId, !registry.getOperator(operatorId).active);
        ++calls["setOperatorActive"];
    }

    function setShareCap(uint256 shareCap) external step {
        // Not too low: most deposits would then fit nowhere.
        vm.prank(admin);
        registry.setShareCap(bound(shareCap, 2_000, BPS));
        ++calls["setShareCap"];
    }

    // --- Operator managers (and governance, for dropKeys) ---

    function addKeys(uint256 operatorSeed, uint256 count) external step {
        uint256 operatorId = _operatorId(operatorSeed);
        if (!registry.getOperator(operatorId).active) return;
        _addKeys(operatorId, bound(count, 1, MAX_BATCH));
        ++calls["addKeys"];
    }

    function dropKeys(uint256 operatorSeed, uint256 fromIndex, bool byGovernance) external step {
        uint256 operatorId = _operatorId(operatorSeed);
        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        if (operator.totalKeys == operator.depositedKeys) return;
        fromIndex = bound(fromIndex, operator.depositedKeys, operator.totalKeys - 1);
        vm.prank(byGovernance ? admin : operator.manager);
        registry.dropKeys(operatorId, fromIndex);
        ++calls["dropKeys"];
    }

    // --- The deposit guard ---

    function unvetKeys(uint256 operatorSeed) external step {
        vm.prank(address(guard));
        registry.unvetKeys(_operatorId(operatorSeed));
        ++calls["unvetKeys"];
    }

    // --- Depositors and the deposit path ---

    /// @dev Deposits the largest count up to the one asked for that the allocation fully places, with a quorum
    /// attestation, and checks each operator it served against its vetted count and the share cap.
    function stake(uint256 count) external step {
        count = bound(count, 1, MAX_STAKE);
        uint256[] memory allocation;
        uint256 allocated;
        for (; count != 0; --count) {
            (allocation, allocated) = registry.allocate(count);
            if (allocated == count) break;
        }
        if (count == 0) return;
        uint256[] memory depositedBefore = new uint256[](allocation.length);
        for (uint256 i; i < allocation.length; ++i) depositedBefore[i] = registry.getOperator(i).depositedKeys;

        _fundBuffer(count * VALIDATOR_DEPOSIT);
        _stake(count);
        ghostDeposited += count;

        uint256 capTimesActive = registry.shareCapBps() * registry.activeValidators();
        for (uint256 i; i < allocation.length; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            if (operator.depositedKeys - depositedBefore[i] != allocation[i]) depositOffAllocation = true;
            if (operator.depositedKeys > operator.vettedKeys) depositAboveVetted = true;
            // level <= floor(cap × active / BPS), in integers.
            if (allocation[i] != 0 && (operator.depositedKeys - operator.exitedKeys) * BPS > capTimesActive) {
                depositAboveCap = true;
            }
        }
        ++calls["stake"];
    }

    function roll(uint256 blocks) external step {
        blocks = bound(blocks, 1, 64);
        currentBlock += blocks;
        currentTime += 12 * blocks;
        ++calls["roll"];
    }

    // --- Views for the invariants ---

    function registryUnderTest() external view returns (OperatorRegistry) {
        return registry;
    }

    function poolUnderTest() external view returns (StakingPool) {
        return pool;
    }

    function depositContract() external view returns (BeaconDepositMock) {
        return beaconDeposit;
    }

    // --- Internals ---

    function _operatorId(uint256 seed) private view returns (uint256) {
        return seed % registry.operatorCount();
    }
}

/// @dev The registry's promises under any sequence of operator, key, vetting, share cap and deposit changes. Named
/// after the invariants listed in OperatorRegistry's NatSpec.
contract OperatorRegistryInvariantTest is Test {
    uint256 private constant BPS = 10_000;

    OperatorRegistryHandler private handler;
    OperatorRegistry private registry;

    function setUp() public {
        handler = new OperatorRegistryHandler();
        registry = handler.registryUnderTest();

        targetContract(address(handler));
        // Weighted by repetition: keys and deposits are most of what happens; governance acts now and then.
        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = OperatorRegistryHandler.stake.selector;
        selectors[1] = OperatorRegistryHandler.stake.selector;
        selectors[2] = OperatorRegistryHandler.stake.selector;
        selectors[3] = OperatorRegistryHandler.addKeys.selector;
        selectors[4] = OperatorRegistryHandler.addKeys.selector;
        selectors[5] = OperatorRegistryHandler.vet.selector;
        selectors[6] = OperatorRegistryHandler.vet.selector;
        selectors[7] = OperatorRegistryHandler.addOperator.selector;
        selectors[8] = OperatorRegistryHandler.dropKeys.selector;
        selectors[9] = OperatorRegistryHandler.setOperatorActive.selector;
        selectors[10] = OperatorRegistryHandler.unvetKeys.selector;
        selectors[11] = OperatorRegistryHandler.setShareCap.selector;
        selectors[12] = OperatorRegistryHandler.roll.selector;
        selectors[13] = OperatorRegistryHandler.stake.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_KeyCountsAreOrdered() public view {
        uint256 n = registry.operatorCount();
        for (uint256 i; i < n; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            assertLe(operator.exitedKeys, operator.depositedKeys, "exited <= deposited");
            assertLe(operator.depositedKeys, operator.vettedKeys, "deposited <= vetted");
            assertLe(operator.vettedKeys, operator.totalKeys, "vetted <= total");
        }
    }

    function invariant_TotalDepositedIsSumOfOperators() public view {
        uint256 n = registry.operatorCount();
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            sum += operator.depositedKeys - operator.exitedKeys;
        }
        assertEq(registry.activeValidators(), sum, "activeValidators = sum of deposited - exited");
        assertEq(handler.ghostDeposited(), sum, "validators deposited through the pool");
        assertEq(handler.poolUnderTest().getAccounting().depositedValidators, sum, "pool's depositedValidators");
        assertEq(
            address(handler.depositContract()).balance,
            sum * 32 ether,
            "ether at the deposit contract = 32 ether per validator"
        );
    }

    function invariant_NoDepositAboveVettedOrCap() public view {
        assertFalse(handler.depositAboveVetted(), "a deposit took an operator above its vetted count");
        assertFalse(handler.depositAboveCap(), "a deposit took an operator above the share cap");
        assertFalse(handler.depositOffAllocation(), "a deposit did not follow the allocation");
    }

    /// @dev Batches cover the key list without gap or overlap: each starts where the previous one ends, ends within
    /// its committed width, and the last ends at the total. Proofs rely on it: every valid index has one batch.
    function invariant_BatchesTileTheKeyList() public view {
        uint256 n = registry.operatorCount();
        for (uint256 i; i < n; ++i) {
            uint256 batches = registry.batchCount(i);
            uint256 next;
            for (uint256 b; b < batches; ++b) {
                IOperatorRegistry.Batch memory batch = registry.getBatch(i, b);
                assertEq(batch.firstIndex, next, "batch starts where the previous one ends");
                assertGt(batch.end, batch.firstIndex, "batch is not empty");
                assertLe(batch.end, batch.firstIndex + batch.size, "batch ends within its width");
                next = batch.end;
            }
            assertEq(next, registry.getOperator(i).totalKeys, "last batch ends at the total");
        }
    }

    /// @dev Whatever the state, the allocation stays within vetted room and the cap, and places all it can.
    function invariant_AllocationStaysWithinRoomAndCap() public view {
        uint256[3] memory counts = [uint256(1), 5, 20];
        uint256 n = registry.operatorCount();
        for (uint256 c; c < counts.length; ++c) {
            (uint256[] memory allocation, uint256 allocated) = registry.allocate(counts[c]);
            uint256 capLimit = ((registry.activeValidators() + counts[c]) * registry.shareCapBps()) / BPS;
            uint256 sum;
            bool roomLeft;
            for (uint256 i; i < n; ++i) {
                IOperatorRegistry.Operator memory operator = registry.getOperator(i);
                uint256 level = operator.depositedKeys - operator.exitedKeys;
                uint256 vettedRoom = operator.active ? operator.vettedKeys - operator.depositedKeys : 0;
                assertLe(allocation[i], vettedRoom, "allocation <= vetted room");
                if (allocation[i] != 0) assertLe(level + allocation[i], capLimit, "allocation within the cap");
                if (allocation[i] < vettedRoom && level + allocation[i] < capLimit) roomLeft = true;
                sum += allocation[i];
            }
            assertEq(allocated, sum, "allocated is the sum");
            // Short of the count only when nobody has room left.
            if (allocated < counts[c]) assertFalse(roomLeft, "allocation stopped while an operator had room");
        }
    }
}

/// @dev Exits on top of deposits and fees: real reports (which mint the operators' fees), the oracle's exit data (in
/// its name: exited counts and requests of keys still active, as an honest committee sends them), time passing, fee
/// claims and governance's response time. Ghost state: when the registry last checked each operator, each operator's
/// exited count, and the plETH the registry received, paid out and burned, read from the events and return values
/// rather than from its balance. Checks that need the state just before and after a call record their first broken
/// expectation, for the invariants to report. Calls that would revert are skipped.
contract OperatorRegistryExitsHandler is OracleFixture {
    uint256 private constant OPERATORS = 4;
    uint256 private constant KEYS_PER_OPERATOR = 16;
    uint256 private constant MAX_STAKE = 6;
    uint256 private constant MAX_REWARDS = 0.01 ether;

    /// @notice The chain's block and clock as this handler moved them; re-applied before each call.
    uint256 public currentBlock;
    uint256 public currentTime;

    /// @notice When the registry last checked each operator's deadline (the time of the last exit data naming it).
    mapping(uint256 operatorId => uint256 time) public lastChecked;
    /// @notice Each operator's exited count as the handler's beacon chain has it.
    mapping(uint256 operatorId => uint256 count) public ghostExited;
    /// @dev Which keys have exited: requests name only keys still active.
    mapping(uint256 operatorId => mapping(uint256 keyIndex => bool)) private _keyExited;

    /// @notice plETH the pool minted to the registry, the registry paid to reward addresses, `FeesForfeited` announced
    /// and the pool burned from the registry.
    uint256 public ghostMinted;
    uint256 public ghostClaimed;
    uint256 public ghostForfeited;
    uint256 public ghostBurned;

    /// @notice The first broken expectation per kind ("allocation", "fees", "total"), empty while there is none.
    mapping(string kind => string message) public violation;
    /// @notice Calls that did something, per action.
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.roll(currentBlock);
        vm.warp(currentTime);
        _;
        currentBlock = block.number;
        currentTime = block.timestamp;
    }

    constructor() {
        _deployPool();
        for (uint256 i; i < OPERATORS; ++i) _addOperatorWithKeys(KEYS_PER_OPERATOR, KEYS_PER_OPERATOR);
        _fundBuffer(3 * OPERATORS * VALIDATOR_DEPOSIT);
        _stake(3 * OPERATORS);
        _report(0);
        currentBlock = block.number;
        currentTime = block.timestamp;
    }

    // --- Depositors ---

    /// @dev Deposits what the allocation places of up to MAX_STAKE validators; a penalized operator must get none.
    function stake(uint256 count) external step {
        uint256 deadline = pool.getReportState().reportDeadline;
        if (deadline != 0 && block.timestamp > deadline) return;
        (uint256[] memory allocation, uint256 allocated) = registry.allocate(bound(count, 1, MAX_STAKE));
        if (allocated == 0) return;
        for (uint256 id; id < allocation.length; ++id) {
            if (allocation[id] != 0 && registry.getExitState(id).penalized) {
                _violate("allocation", "a penalized operator was allocated validators");
            }
        }
        vm.roll(block.number + 1);
        _fundBuffer(allocated * VALIDATOR_DEPOSIT);
        _stake(allocated);
        ++calls["stake"];
    }

    // --- The oracle committee ---

    /// @dev The next frame's report: every deposited validator seen, `rewards` more on the beacon side. A penalized
    /// operator's claimable fees must not move; the others' must not fall.
    function report(uint256 rewards) external step {
        uint256[] memory claimableBefore = new uint256[](OPERATORS);
        for (uint256 id; id < OPERATORS; ++id) claimableBefore[id] = registry.claimableFees(id);
        vm.recordLogs();
        _report(bound(rewards, 0, MAX_REWARDS));
        _readLogs(vm.getRecordedLogs());
        for (uint256 id; id < OPERATORS; ++id) {
            uint256 claimable = registry.claimableFees(id);
            if (
                registry.getExitState(id).penalized ? claimable != claimableBefore[id] : claimable < claimableBefore[id]
            ) {
                _violate("fees", "a report moved a penalized operator's fees or lowered another's");
            }
        }
        ++calls["report"];
    }

    /// @dev Exit data for the operators `operatorMask` names: up to two more exits each (of any active validators)
    /// and up to two requests (of keys still active, from the next exit index on).
    function exitData(uint256 operatorMask, uint256 seed) external step {
        IOperatorRegistry.ExitUpdate[] memory buffer = new IOperatorRegistry.ExitUpdate[](OPERATORS);
        uint256 length;
        for (uint256 id; id < OPERATORS; ++id) {
            if ((operatorMask >> id) & 1 == 0) continue;
            uint256 random = uint256(keccak256(abi.encode(seed, id)));
            ghostExited[id] += _exitKeys(id, random % 3, random >> 8);
            uint256[] memory keys = _activeKeysFrom(id, registry.getExitState(id).nextExitIndex, (random >> 16) % 3);
            buffer[length].operatorId = id;
            buffer[length].exitedKeys = ghostExited[id];
            buffer[length].keyIndices = keys;
            for (uint256 k; k < keys.length; ++k) {
                buffer[length].pubkeys = bytes.concat(buffer[length].pubkeys, pubkeyAt[id][keys[k]]);
            }
            ++length;
        }
        if (length == 0) return;
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](length);
        for (uint256 i; i < length; ++i) updates[i] = buffer[i];

        vm.recordLogs();
        vm.prank(address(oracle));
        registry.applyExitUpdates(updates);
        _readLogs(vm.getRecordedLogs());
        for (uint256 i; i < length; ++i) lastChecked[updates[i].operatorId] = block.timestamp;
        ++calls["exitData"];
    }

    // --- Anyone ---

    function claimFees(uint256 operatorSeed) external step {
        uint256 id = operatorSeed % OPERATORS;
        if (registry.claimableFees(id) == 0) return;
        vm.recordLogs();
        ghostClaimed += registry.claimFees(id);
        _readLogs(vm.getRecordedLogs());
        ++calls["claimFees"];
    }

    // --- Time and governance ---

    function warp(uint256 secondsLater) external step {
        secondsLater = bound(secondsLater, 1 hours, 3 days);
        vm.warp(block.timestamp + secondsLater);
        vm.roll(block.number + secondsLater / SECONDS_PER_SLOT);
        ++calls["warp"];
    }

    function setExitResponseTime(uint256 responseTime) external step {
        vm.prank(admin);
        registry.setExitResponseTime(bound(responseTime, 1 hours, 8 days));
        ++calls["setExitResponseTime"];
    }

    // --- Views for the invariants ---

    function registryUnderTest() external view returns (OperatorRegistry) {
        return registry;
    }

    function poolUnderTest() external view returns (StakingPool) {
        return pool;
    }

    // --- Internals ---

    function _report(uint256 rewards) private {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        uint256 unseen = accounting.depositedValidators - accounting.beaconValidators;
        _reportNextFrame(accounting.beaconBalance + unseen * VALIDATOR_DEPOSIT + rewards);
    }

    /// @dev Adds up the registry's plETH movements, and checks the exited total the registry announced last against
    /// the sum of the operators' exited counts.
    function _readLogs(Vm.Log[] memory logs) private {
        bool totalAnnounced;
        uint256 lastTotal;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter == address(pool) && log.topics[0] == IERC20.Transfer.selector) {
                address from = address(uint160(uint256(log.topics[1])));
                address to = address(uint160(uint256(log.topics[2])));
                uint256 shares = abi.decode(log.data, (uint256));
                if (from == address(0) && to == address(registry)) ghostMinted += shares;
                if (from == address(registry) && to == address(0)) ghostBurned += shares;
            } else if (log.emitter == address(registry)) {
                if (log.topics[0] == IOperatorRegistry.FeesForfeited.selector) {
                    ghostForfeited += abi.decode(log.data, (uint256));
                } else if (log.topics[0] == IOperatorRegistry.ExitedKeysUpdated.selector) {
                    (, lastTotal) = abi.decode(log.data, (uint256, uint256));
                    totalAnnounced = true;
                }
            }
        }
        if (!totalAnnounced) return;
        uint256 sum;
        for (uint256 id; id < OPERATORS; ++id) sum += ghostExited[id];
        if (lastTotal != sum) _violate("total", "ExitedKeysUpdated's total is not the sum of the exited counts");
    }

    /// @dev Exits `count` of the operator's active validators (fewer if it has fewer), from a random key on.
    function _exitKeys(uint256 operatorId, uint256 count, uint256 random) private returns (uint256 exits) {
        uint256 deposited = registry.getOperator(operatorId).depositedKeys;
        if (deposited == 0) return 0;
        uint256 start = random % deposited;
        for (uint256 k; k < deposited && exits < count; ++k) {
            uint256 keyIndex = (start + k) % deposited;
            if (_keyExited[operatorId][keyIndex]) continue;
            _keyExited[operatorId][keyIndex] = true;
            ++exits;
        }
    }

    /// @dev Up to `count` deposited keys still active, from `from` on, in order.
    function _activeKeysFrom(uint256 operatorId, uint256 from, uint256 count) private view returns (uint256[] memory) {
        uint256 deposited = registry.getOperator(operatorId).depositedKeys;
        uint256[] memory buffer = new uint256[](count);
        uint256 length;
        for (uint256 keyIndex = from; keyIndex < deposited && length < count; ++keyIndex) {
            if (!_keyExited[operatorId][keyIndex]) buffer[length++] = keyIndex;
        }
        uint256[] memory keys = new uint256[](length);
        for (uint256 i; i < length; ++i) keys[i] = buffer[i];
        return keys;
    }

    function _violate(string memory kind, string memory message) private {
        if (bytes(violation[kind]).length == 0) violation[kind] = message;
    }
}

/// @dev The registry's exit promises under any sequence of deposits, reports, exit data, claims, time and response time
/// changes. Named after the invariants listed in OperatorRegistry's NatSpec.
contract OperatorRegistryExitsInvariantTest is Test {
    uint256 private constant OPERATORS = 4;

    OperatorRegistryExitsHandler private handler;
    OperatorRegistry private registry;
    StakingPool private pool;

    function setUp() public {
        handler = new OperatorRegistryExitsHandler();
        registry = handler.registryUnderTest();
        pool = handler.poolUnderTest();

        targetContract(address(handler));
        // Weighted by repetition: exit data and time make deadlines pass; reports bring the fees a penalty burns.
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = OperatorRegistryExitsHandler.exitData.selector;
        selectors[1] = OperatorRegistryExitsHandler.exitData.selector;
        selectors[2] = OperatorRegistryExitsHandler.exitData.selector;
        selectors[3] = OperatorRegistryExitsHandler.warp.selector;
        selectors[4] = OperatorRegistryExitsHandler.warp.selector;
        selectors[5] = OperatorRegistryExitsHandler.report.selector;
        selectors[6] = OperatorRegistryExitsHandler.report.selector;
        selectors[7] = OperatorRegistryExitsHandler.stake.selector;
        selectors[8] = OperatorRegistryExitsHandler.claimFees.selector;
        selectors[9] = OperatorRegistryExitsHandler.setExitResponseTime.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_ExitedNeverAboveDeposited() public view {
        uint256 deposited;
        uint256 exited;
        for (uint256 id; id < OPERATORS; ++id) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(id);
            IOperatorRegistry.ExitState memory state = registry.getExitState(id);
            assertLe(operator.exitedKeys, operator.depositedKeys, "exited <= deposited");
            assertEq(operator.exitedKeys, handler.ghostExited(id), "exited = what the exit data said");
            assertEq(state.exitedKeys, operator.exitedKeys, "exit state's exited = operator's");
            assertLe(state.nextExitIndex, operator.depositedKeys, "next exit index <= deposited");
            deposited += operator.depositedKeys;
            exited += operator.exitedKeys;
        }
        assertEq(registry.activeValidators(), deposited - exited, "activeValidators = sum of deposited - exited");
        assertEq(pool.getAccounting().depositedValidators, deposited, "pool's deposited = sum of deposited");
        assertEq(handler.violation("total"), "", "total: first broken expectation");
    }

    function invariant_PenalizedOnlyPastDeadline() public view {
        for (uint256 id; id < OPERATORS; ++id) {
            IOperatorRegistry.ExitState memory state = registry.getExitState(id);
            uint256 checkedAt = handler.lastChecked(id);
            bool late = state.dueBy != 0 && state.dueBy < checkedAt;
            if (state.penalized) {
                assertTrue(state.dueBy != 0, "penalized: requests unmet");
                assertLt(state.dueBy, checkedAt, "penalized: past the deadline when last checked");
            }
            // And the other way: every check of an operator past its deadline penalizes it.
            assertEq(state.penalized, late, "penalized = past the deadline when last checked");
            if (state.dueBy != 0) {
                assertLt(state.exitedKeys, state.dueExited, "owed: exited < due");
                assertLe(state.dueExited, state.targetExited, "owed: due <= target");
                assertGt(state.targetBy, 0, "owed: a target deadline");
            } else {
                assertEq(state.dueExited, 0, "nothing owed: due");
                assertLe(state.targetExited, state.exitedKeys, "nothing owed: target met");
            }
            // Honest requests, of active keys only, never ask more exits than the operator has validators.
            assertLe(state.targetExited, registry.getOperator(id).depositedKeys, "target <= deposited");
        }
        assertEq(handler.violation("allocation"), "", "allocation: first broken expectation");
    }

    function invariant_FeesNeverExceedHoldings() public view {
        uint256 claimable;
        for (uint256 id; id < OPERATORS; ++id) claimable += registry.claimableFees(id);
        uint256 held = pool.balanceOf(address(registry));
        assertLe(claimable, held, "claimable fees <= the registry's plETH");
        assertEq(handler.ghostForfeited(), handler.ghostBurned(), "forfeited = burned from the registry");
        assertEq(
            held,
            handler.ghostMinted() - handler.ghostClaimed() - handler.ghostForfeited(),
            "the registry's plETH = minted - claimed - forfeited"
        );
        assertEq(handler.violation("fees"), "", "fees: first broken expectation");
    }
}
