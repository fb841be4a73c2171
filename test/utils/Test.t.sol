// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./Test.sol";
import {Vm} from "./Vm.sol";

/// @dev A target for the cheatcode tests: records its caller, stores a value, emits and reverts on demand.
contract TestBaseProbe {
    error Unauthorized(address caller, address expected);
    error Paused();

    event Poked(address indexed caller, uint256 value);

    address public lastCaller; // slot 0
    uint256 public stored; // slot 1

    function poke(uint256 value) external {
        lastCaller = msg.sender;
        stored = value;
        emit Poked(msg.sender, value);
    }

    function checkCaller(address expected) external view {
        require(msg.sender == expected, Unauthorized(msg.sender, expected));
    }

    function pause() external pure {
        revert Paused();
    }
}

/// @dev Proves that the base test's helpers and the cheatcodes declared in `Vm` work on Hardhat's EDR.
contract TestBaseTest is Test {
    TestBaseProbe internal probe;

    function setUp() public {
        probe = new TestBaseProbe();
    }

    // --- Assertions ---

    function test_Assertions_PassWhenTheyHold() public pure {
        assertEq(uint256(1), 1, "uint256");
        assertEq(int256(-1), -1, "int256");
        assertEq(address(1), address(1), "address");
        assertEq(bytes32(uint256(1)), bytes32(uint256(1)), "bytes32");
        assertEq(true, true, "bool");
        assertEq(bytes(hex"0102"), bytes(hex"0102"), "bytes");
        assertEq(string("a"), string("a"), "string");
        assertGt(uint256(2), 1, "gt");
        assertGt(int256(-1), -2, "gt signed");
        assertGe(uint256(2), 2, "ge");
        assertGe(int256(-2), -2, "ge signed");
        assertLt(uint256(1), 2, "lt");
        assertLt(int256(-2), -1, "lt signed");
        assertLe(uint256(2), 2, "le");
        assertLe(int256(-2), -2, "le signed");
        assertApproxEqAbs(100, 102, 2, "approx above");
        assertApproxEqAbs(102, 100, 2, "approx below");
        assertTrue(true, "true");
        assertFalse(false, "false");
    }

    /// @dev Called through `this.` so a failing assertion's revert can be caught and inspected.
    function runFailingAssertion(uint256 which) external pure {
        if (which == 0) assertEq(uint256(1), 2, "uint256");
        else if (which == 1) assertEq(int256(-1), 2, "int256");
        else if (which == 2) assertEq(address(1), address(0xdEaD), "address");
        else if (which == 3) assertEq(bytes32(uint256(1)), bytes32(uint256(2)), "bytes32");
        else if (which == 4) assertEq(true, false, "bool");
        else if (which == 5) assertEq(bytes(hex"0102"), bytes(hex"03"), "bytes");
        else if (which == 6) assertEq(string("a"), string("b"), "string");
        else if (which == 7) assertGt(uint256(1), 1, "gt");
        else if (which == 8) assertGe(int256(-2), -1, "ge signed");
        else if (which == 9) assertLt(uint256(2), 2, "lt");
        else if (which == 10) assertLe(uint256(3), 2, "le");
        else if (which == 11) assertApproxEqAbs(100, 103, 2, "approx");
        else if (which == 12) assertTrue(false, "true");
        else if (which == 13) assertFalse(true, "false");
    }

    function test_Assertions_RevertWithLabelAndBothValues() public view {
        string[14] memory expected = [
            "uint256: 1 != 2",
            "int256: -1 != 2",
            "address: 0x0000000000000000000000000000000000000001 != 0x000000000000000000000000000000000000dEaD",
            "bytes32: 0x0000000000000000000000000000000000000000000000000000000000000001 != 0x0000000000000000000000000000000000000000000000000000000000000002",
            "bool: true != false",
            "bytes: 0x0102 != 0x03",
            "string: \x22a\x22 != \x22b\x22",
            "gt: 1 <= 1",
            "ge signed: -2 < -1",
            "lt: 2 >= 2",
            "le: 3 > 2",
            "approx: 100 !~= 103 (max delta: 2, real delta: 3)",
            "true: expected true, got false",
            "false: expected false, got true"
        ];
        for (uint256 i = 0; i < expected.length; ++i) {
            try this.runFailingAssertion(i) {
                assertTrue(false, string.concat(expected[i], " (did not revert)"));
            } catch (bytes memory reason) {
                assertEq(reason, abi.encodeWithSignature("Error(string)", expected[i]), expected[i]);
            }
        }
    }

    function test_RevertWhen_AssertionFails_ExpectRevertSeesTheMessage() public {
        vm.expectRevert(bytes("uint256: 1 != 2"));
        this.runFailingAssertion(0);
    }

    // --- bound ---

    function testFuzz_Bound_StaysInRange(uint256 x, uint256 min, uint256 max) public pure {
        if (min > max) (min, max) = (max, min);

        uint256 result = bound(x, min, max);

        assertGe(result, min, "result >= min");
        assertLe(result, max, "result <= max");
        assertEq(bound(result, min, max), result, "bound is idempotent");
        if (x >= min && x <= max) assertEq(result, x, "in-range input kept");
    }

    function test_Bound_MatchesForgeStdVectors() public pure {
        assertEq(bound(5, 0, 4), 0, "bound(5, 0, 4)");
        assertEq(bound(0, 69, 69), 69, "bound(0, 69, 69)");
        assertEq(bound(0, 68, 69), 68, "bound(0, 68, 69)");
        assertEq(bound(10, 150, 190), 174, "bound(10, 150, 190)");
        assertEq(bound(300, 2800, 3200), 3107, "bound(300, 2800, 3200)");
        assertEq(bound(9999, 1337, 6666), 4669, "bound(9999, 1337, 6666)");
        assertEq(bound(51, 50, 150), 51, "in range");
        assertEq(bound(0, type(uint256).max - 1, type(uint256).max), type(uint256).max - 1, "top range, x = 0");
        assertEq(bound(1, type(uint256).max - 1, type(uint256).max), type(uint256).max, "top range, x = 1");
        assertEq(bound(7, 0, type(uint256).max), 7, "full range");
    }

    function test_Bound_MapsExtremeInputsToRangeEdges() public pure {
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(bound(i, 50, 150), 50 + i, "small input -> min + i");
            assertEq(bound(type(uint256).max - i, 50, 150), 150 - i, "large input -> max - i");
        }
    }

    function testFuzz_Bound_WrapsEvenly(uint256 min, uint8 sizeSeed) public pure {
        uint256 size = uint256(sizeSeed) + 1;
        min = bound(min, type(uint256).max / 2, type(uint256).max / 2 + size);
        uint256 max = min + size - 1;
        for (uint256 i = 1; i <= size * 2; ++i) {
            assertEq(bound(max + i, min, max), min + ((i - 1) % size), "above max wraps to min upwards");
            assertEq(bound(min - i, min, max), max - ((i - 1) % size), "below min wraps to max downwards");
        }
    }

    function boundExternal(uint256 x, uint256 min, uint256 max) external pure returns (uint256) {
        return bound(x, min, max);
    }

    function test_RevertWhen_BoundMinAboveMax() public {
        // A custom error with arguments: only `expectRevert(bytes)` with the full encoding matches it.
        vm.expectRevert(abi.encodeWithSelector(BoundMinAboveMax.selector, 5, 4));
        this.boundExternal(1, 5, 4);
    }

    // --- makeAddr ---

    function test_MakeAddr_IsTheAddressOfTheNamesHash() public {
        address alice = makeAddr("alice");
        assertEq(alice, vm.addr(uint256(keccak256("alice"))), "makeAddr(alice)");
        assertEq(makeAddr("alice"), alice, "deterministic");
        assertTrue(makeAddr("bob") != alice, "distinct names, distinct addresses");
    }

    // --- Cheatcodes ---

    function test_Warp_SetsTimestamp() public {
        vm.warp(1_700_000_000);
        assertEq(block.timestamp, 1_700_000_000, "block.timestamp");
    }

    function test_Roll_SetsBlockNumber() public {
        vm.roll(12_345);
        assertEq(block.number, 12_345, "block.number");
    }

    function test_Deal_SetsBalance() public {
        address alice = makeAddr("alice");
        vm.deal(alice, 5 ether);
        assertEq(alice.balance, 5 ether, "alice balance");
    }

    function test_Prank_ChangesSenderForOneCall() public {
        address alice = makeAddr("alice");
        vm.prank(alice);
        probe.poke(1);
        assertEq(probe.lastCaller(), alice, "pranked call");
        probe.poke(2);
        assertEq(probe.lastCaller(), address(this), "next call");
    }

    function test_StartPrank_ChangesSenderUntilStopPrank() public {
        address alice = makeAddr("alice");
        vm.startPrank(alice);
        probe.poke(1);
        probe.poke(2);
        assertEq(probe.lastCaller(), alice, "second pranked call");
        vm.stopPrank();
        probe.poke(3);
        assertEq(probe.lastCaller(), address(this), "after stopPrank");
    }

    function test_Sign_RecoversToTheKeysAddress() public {
        (address alice, uint256 aliceKey) = makeAddrAndKey("alice");
        bytes32 digest = keccak256("plural");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digest);
        assertEq(ecrecover(digest, v, r, s), alice, "ecrecover");
    }

    function test_RevertWhen_CallerIsWrong_ExpectRevertMatchesErrorArguments() public {
        address alice = makeAddr("alice");
        vm.expectRevert(abi.encodeWithSelector(TestBaseProbe.Unauthorized.selector, address(this), alice));
        probe.checkCaller(alice);
    }

    function test_RevertWhen_Paused_ExpectRevertMatchesSelector() public {
        vm.expectRevert(TestBaseProbe.Paused.selector);
        probe.pause();
    }

    function test_RevertWhen_Paused_ExpectRevertMatchesAnyReason() public {
        vm.expectRevert();
        probe.pause();
    }

    function test_ExpectEmit_MatchesTopicsDataAndEmitter() public {
        vm.expectEmit(true, false, false, true, address(probe));
        emit TestBaseProbe.Poked(address(this), 7);
        probe.poke(7);

        vm.expectEmit(true, false, false, true);
        emit TestBaseProbe.Poked(address(this), 8);
        probe.poke(8);

        vm.expectEmit();
        emit TestBaseProbe.Poked(address(this), 9);
        probe.poke(9);
    }

    function test_StoreAndLoad_ReadAndWriteStorage() public {
        vm.store(address(probe), bytes32(uint256(1)), bytes32(uint256(42)));
        assertEq(probe.stored(), 42, "stored()");
        assertEq(vm.load(address(probe), bytes32(uint256(1))), bytes32(uint256(42)), "vm.load");
    }

    function test_Etch_ReplacesCode() public {
        address target = makeAddr("etched");
        // PUSH1 42, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN: always returns 42.
        vm.etch(target, hex"602a60005260206000f3");
        (bool success, bytes memory returned) = target.staticcall("");
        assertTrue(success, "call succeeded");
        assertEq(abi.decode(returned, (uint256)), 42, "returned value");
    }

    function test_RecordLogs_CapturesEmittedEvents() public {
        vm.recordLogs();
        probe.poke(5);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "log count");
        assertEq(logs[0].emitter, address(probe), "emitter");
        assertEq(logs[0].topics[0], TestBaseProbe.Poked.selector, "event topic");
        assertEq(logs[0].topics[1], bytes32(uint256(uint160(address(this)))), "caller topic");
        assertEq(logs[0].data, abi.encode(uint256(5)), "data");
    }

    function testFuzz_Assume_DiscardsRejectedInputs(uint256 x) public pure {
        vm.assume(x % 2 == 0);
        assertEq(x % 2, 0, "only even inputs get here");
    }
}

/// @dev A handler with one function the invariant below allows and one it forbids.
contract TestBaseHandler {
    uint256 public pokes;
    bool public trapped;

    function poke() external {
        ++pokes;
    }

    function trap() external {
        trapped = true;
    }
}

/// @dev Deployed in `setUp` but not targeted: the fuzzer must never call it.
contract TestBaseDecoy {
    bool public trapped;

    function trap() external {
        trapped = true;
    }
}

/// @dev Proves that EDR reads `targetContracts()` and `targetSelectors()`: without them the fuzzer would call `trap()`
/// on one of the two contracts within a few calls.
contract TestBaseInvariantTest is Test {
    TestBaseHandler internal handler;
    TestBaseDecoy internal decoy;

    function setUp() public {
        handler = new TestBaseHandler();
        decoy = new TestBaseDecoy();

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = TestBaseHandler.poke.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_OnlyTargetedFunctionsAreCalled() public view {
        assertFalse(handler.trapped(), "handler.trap() called");
        assertFalse(decoy.trapped(), "decoy.trap() called");
    }

    /// @dev Run by EDR after each invariant run: the targeted function did get called.
    function afterInvariant() public view {
        assertGt(handler.pokes(), 0, "handler.poke() calls");
    }
}
