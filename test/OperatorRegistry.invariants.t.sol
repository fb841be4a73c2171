// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {Test} from "./utils/Test.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";

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
