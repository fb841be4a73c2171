// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WithdrawalRequestPredeploy} from "../contracts/mocks/WithdrawalRequestPredeploy.sol";
import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Unit and fuzz tests of WithdrawalRequestPredeploy, installed as a local chain installs it: its runtime code
/// etched at EIP-7002's address and the excess set to the inhibitor, as the predeploy's deployment leaves it.
contract WithdrawalRequestPredeployTest is Test {
    address private constant PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;
    address private constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    uint256 private constant INHIBITOR = type(uint256).max;
    uint256 private constant EXCESS_SLOT = 0;
    uint256 private constant COUNT_SLOT = 1;
    uint256 private constant HEAD_SLOT = 2;
    uint256 private constant TAIL_SLOT = 3;
    uint256 private constant RECORD_LENGTH = 76;

    address private alice;
    address private bob;

    function setUp() public {
        vm.etch(PREDEPLOY, address(new WithdrawalRequestPredeploy()).code);
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(INHIBITOR));
        vm.label(PREDEPLOY, "withdrawal request predeploy");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        vm.deal(alice, 100 ether);
        vm.deal(bob, 100 ether);
    }

    // =================================================================================================================
    // deployment and the inhibitor
    // =================================================================================================================

    function test_Constructor_SetsTheInhibitor() public {
        WithdrawalRequestPredeploy deployed = new WithdrawalRequestPredeploy();
        assertEq(uint256(vm.load(address(deployed), bytes32(EXCESS_SLOT))), INHIBITOR, "excess");
        for (uint256 slot = 1; slot < 5; ++slot) {
            assertEq(uint256(vm.load(address(deployed), bytes32(slot))), 0, "other slots");
        }
    }

    function test_RevertWhen_FeeIsReadBeforeTheFirstSystemCall() public view {
        (bool success, bytes memory data) = PREDEPLOY.staticcall("");
        assertFalse(success, "fee read");
        assertEq(data.length, 0, "no revert data");
    }

    function test_RevertWhen_RequestIsAddedBeforeTheFirstSystemCall() public {
        assertFalse(_request(alice, _pubkey(1), 0, 1 ether), "request");
        assertEq(_slot(TAIL_SLOT), 0, "nothing queued");
    }

    function test_SystemCall_LiftsTheInhibitor() public {
        bytes memory records = _systemCall();
        assertEq(records.length, 0, "nothing dequeued");
        assertEq(_slot(EXCESS_SLOT), 0, "excess");
        assertEq(_fee(), 1, "fee");
    }

    // =================================================================================================================
    // fee
    // =================================================================================================================

    function test_Fee_FollowsFakeExponential() public {
        // fake_exponential(1, excess, 17), computed independently from the EIP's pseudocode.
        uint256[2][14] memory table = [
            [uint256(0), 1],
            [uint256(1), 1],
            [uint256(8), 1],
            [uint256(15), 2],
            [uint256(17), 2],
            [uint256(34), 7],
            [uint256(50), 18],
            [uint256(100), 357],
            [uint256(200), 128_545],
            [uint256(300), 46_130_791],
            [uint256(500), 5_933_467_376_577],
            [uint256(665), 97_399_623_203_304_719],
            [uint256(666), 103_299_558_930_196_198],
            [uint256(1000), 35_214_595_411_832_335_374_580_891]
        ];
        for (uint256 i; i < table.length; ++i) {
            _setExcess(table[i][0]);
            assertEq(_fee(), table[i][1], "fee at the table's excess");
        }
    }

    function testFuzz_Fee_MatchesTheFormulaAndNeverDecreases(uint256 excess) public {
        excess = bound(excess, 0, 2_000);
        _setExcess(excess);
        uint256 fee = _fee();
        assertEq(fee, _referenceFee(excess), "fee");
        _setExcess(excess + 1);
        assertGe(_fee(), fee, "one more excess never costs less");
    }

    function test_Fee_ChangesOnlyAtTheSystemCall() public {
        _systemCall();
        for (uint256 i; i < 20; ++i) {
            assertEq(_fee(), 1, "the fee within the block");
            assertTrue(_request(alice, _pubkey(i), 0, 1), "request at 1 wei");
        }
        assertEq(_slot(COUNT_SLOT), 20, "count");
        assertEq(_fee(), 1, "still 1 wei before the system call");
        _systemCall();
        assertEq(_slot(EXCESS_SLOT), 18, "excess: 20 requests, target 2");
        assertEq(_fee(), 2, "fake_exponential(1, 18, 17)");
    }

    function test_RevertWhen_FeeReadCarriesValue() public {
        _systemCall();
        vm.prank(alice);
        (bool success, bytes memory data) = PREDEPLOY.call{value: 1}("");
        assertFalse(success, "fee read with value");
        assertEq(data.length, 0, "no revert data");
    }

    // =================================================================================================================
    // add a request
    // =================================================================================================================

    function test_AddRequest_QueuesCountsAndLogs() public {
        _systemCall();
        bytes memory pubkey = _pubkey(7);
        uint64 amount = 0x0102030405060708;

        vm.recordLogs();
        vm.prank(alice);
        (bool success, bytes memory output) = PREDEPLOY.call{value: 1}(abi.encodePacked(pubkey, amount));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        assertTrue(success, "request");
        assertEq(output.length, 0, "no output");
        assertEq(_slot(COUNT_SLOT), 1, "count");
        assertEq(_slot(HEAD_SLOT), 0, "head");
        assertEq(_slot(TAIL_SLOT), 1, "tail");
        assertEq(_slot(4), uint256(uint160(alice)), "slot 4: source");
        assertEq(bytes32(_slot(5)), _pubkeyHead(pubkey), "slot 5: pubkey[0:32]");
        assertEq(
            bytes32(_slot(6)),
            bytes32(abi.encodePacked(_pubkeyTail(pubkey), amount, bytes8(0))),
            "slot 6: pubkey[32:48] || amount as the input had it || zeros"
        );
        assertEq(logs.length, 1, "one log");
        assertEq(logs[0].emitter, PREDEPLOY, "emitter");
        assertEq(logs[0].topics.length, 0, "log0");
        assertEq(logs[0].data.length, 76, "76 bytes");
        assertEq(logs[0].data, abi.encodePacked(alice, pubkey, amount), "source || pubkey || amount (big-endian)");
        assertEq(PREDEPLOY.balance, 1, "fee kept");
    }

    function test_AddRequest_KeepsAnOverpayment() public {
        _systemCall();
        _setExcess(100);
        assertTrue(_request(alice, _pubkey(1), 0, 1 ether), "overpaid request");
        assertEq(PREDEPLOY.balance, 1 ether, "the whole value is kept");
        assertEq(alice.balance, 99 ether, "nothing refunded");
    }

    function test_RevertWhen_RequestFeeIsInsufficient() public {
        _systemCall();
        _setExcess(100);
        assertFalse(_request(alice, _pubkey(1), 0, 356), "one wei short of 357");
        assertEq(_slot(TAIL_SLOT), 0, "nothing queued");
        assertEq(_slot(COUNT_SLOT), 0, "nothing counted");
        assertTrue(_request(alice, _pubkey(1), 0, 357), "exactly the fee");
    }

    function test_RevertWhen_InputLengthIsNeither0Nor56() public {
        _systemCall();
        uint256[6] memory lengths = [uint256(1), 32, 48, 55, 57, 96];
        for (uint256 i; i < lengths.length; ++i) {
            vm.prank(alice);
            (bool success, bytes memory data) = PREDEPLOY.call{value: 1 ether}(new bytes(lengths[i]));
            assertFalse(success, "bad length");
            assertEq(data.length, 0, "no revert data");
        }
        assertEq(_slot(TAIL_SLOT), 0, "nothing queued");
    }

    function testFuzz_RevertWhen_InputLengthIsNeither0Nor56(uint256 length) public {
        length = bound(length, 1, 200);
        vm.assume(length != 56);
        _systemCall();
        vm.prank(alice);
        (bool success, ) = PREDEPLOY.call{value: 1}(new bytes(length));
        assertFalse(success, "bad length");
    }

    // =================================================================================================================
    // system call
    // =================================================================================================================

    function test_SystemCall_ReturnsRecordsInOrderWithLittleEndianAmounts() public {
        _systemCall();
        assertTrue(_request(alice, _pubkey(1), 0, 1), "full exit");
        assertTrue(_request(bob, _pubkey(2), 32 gwei, 1), "partial");
        assertTrue(_request(alice, _pubkey(3), 0x0102030405060708, 1), "partial, every byte distinct");

        bytes memory records = _systemCall();

        assertEq(records.length, 3 * RECORD_LENGTH, "three records");
        assertEq(
            records,
            abi.encodePacked(
                abi.encodePacked(alice, _pubkey(1), bytes8(0)),
                abi.encodePacked(bob, _pubkey(2), _littleEndian(32 gwei)),
                abi.encodePacked(alice, _pubkey(3), bytes8(0x0807060504030201))
            ),
            "source || pubkey || amount (little-endian), in queue order"
        );
        assertEq(_slot(HEAD_SLOT), 0, "head reset");
        assertEq(_slot(TAIL_SLOT), 0, "tail reset");
        assertEq(_slot(COUNT_SLOT), 0, "count reset");
        assertEq(_slot(EXCESS_SLOT), 1, "excess: 3 requests, target 2");
    }

    function test_SystemCall_DequeuesAtMost16() public {
        _systemCall();
        for (uint256 i; i < 20; ++i) assertTrue(_request(alice, _pubkey(i), uint64(i), 1), "request");

        bytes memory first = _systemCall();
        assertEq(first.length, 16 * RECORD_LENGTH, "16 records");
        for (uint256 i; i < 16; ++i) {
            assertEq(_record(first, i), abi.encodePacked(alice, _pubkey(i), _littleEndian(uint64(i))), "record");
        }
        assertEq(_slot(HEAD_SLOT), 16, "head");
        assertEq(_slot(TAIL_SLOT), 20, "tail");
        assertEq(_slot(EXCESS_SLOT), 18, "excess");
        assertEq(_slot(COUNT_SLOT), 0, "count");

        bytes memory second = _systemCall();
        assertEq(second.length, 4 * RECORD_LENGTH, "the other 4");
        for (uint256 i; i < 4; ++i) {
            assertEq(
                _record(second, i),
                abi.encodePacked(alice, _pubkey(16 + i), _littleEndian(uint64(16 + i))),
                "record"
            );
        }
        assertEq(_slot(HEAD_SLOT), 0, "head reset");
        assertEq(_slot(TAIL_SLOT), 0, "tail reset");
        assertEq(_slot(EXCESS_SLOT), 16, "excess: 18 + 0 - 2");
    }

    function test_SystemCall_RequestsAddedBetweenCallsJoinTheQueueEnd() public {
        _systemCall();
        for (uint256 i; i < 17; ++i) assertTrue(_request(alice, _pubkey(i), 0, 1), "request");
        _systemCall();
        assertEq(_fee(), 2, "fake_exponential(1, 15, 17)");
        assertTrue(_request(bob, _pubkey(100), 0, 2), "a later request");
        assertEq(_slot(TAIL_SLOT), 18, "tail grows from 17");

        bytes memory records = _systemCall();
        assertEq(records.length, 2 * RECORD_LENGTH, "the 17th, then the later one");
        assertEq(_record(records, 0), abi.encodePacked(alice, _pubkey(16), bytes8(0)), "first: the 17th");
        assertEq(_record(records, 1), abi.encodePacked(bob, _pubkey(100), bytes8(0)), "then the later one");
        assertEq(_slot(EXCESS_SLOT), 14, "excess: 15 + 1 - 2");
    }

    function test_SystemCall_StartsOverAtSlot4OnceEmpty() public {
        _systemCall();
        assertTrue(_request(alice, _pubkey(1), 0, 1), "first request");
        _systemCall();
        assertTrue(_request(bob, _pubkey(2), 5, 1), "request after the reset");
        assertEq(_slot(TAIL_SLOT), 1, "tail");
        assertEq(_slot(4), uint256(uint160(bob)), "slot 4 reused");
        assertEq(bytes32(_slot(5)), _pubkeyHead(_pubkey(2)), "slot 5 reused");
        assertEq(_systemCall(), abi.encodePacked(bob, _pubkey(2), _littleEndian(5)), "only the new request");
    }

    function test_SystemCall_MovesTheExcessTowardsTheTarget() public {
        _systemCall();
        uint256[6] memory counts = [uint256(1), 2, 3, 7, 0, 0];
        uint256[6] memory excesses = [uint256(0), 0, 1, 6, 4, 2];
        for (uint256 block_; block_ < counts.length; ++block_) {
            for (uint256 i; i < counts[block_]; ++i) assertTrue(_request(alice, _pubkey(i), 0, 1 ether), "request");
            _systemCall();
            assertEq(_slot(EXCESS_SLOT), excesses[block_], "excess after the block");
        }
        _systemCall();
        assertEq(_slot(EXCESS_SLOT), 0, "2 - 2");
        _systemCall();
        assertEq(_slot(EXCESS_SLOT), 0, "never below zero");
    }

    function testFuzz_SystemCall_UpdatesTheExcess(uint256 previous, uint256 count) public {
        previous = bound(previous, 0, 10_000);
        count = bound(count, 0, 1_000);
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(previous));
        vm.store(PREDEPLOY, bytes32(COUNT_SLOT), bytes32(count));
        _systemCall();
        uint256 expected = previous + count > 2 ? previous + count - 2 : 0;
        assertEq(_slot(EXCESS_SLOT), expected, "max(0, excess + count - 2)");
        assertEq(_slot(COUNT_SLOT), 0, "count reset");
    }

    function test_SystemCall_IgnoresItsInputAndAddsNothing() public {
        _systemCall();
        assertTrue(_request(alice, _pubkey(1), 0, 1), "request");
        vm.prank(SYSTEM_ADDRESS);
        (bool success, bytes memory records) = PREDEPLOY.call(abi.encodePacked(_pubkey(2), uint64(0)));
        assertTrue(success, "system call with 56 bytes");
        assertEq(records, abi.encodePacked(alice, _pubkey(1), bytes8(0)), "dequeued, not added");
        assertEq(_slot(TAIL_SLOT), 0, "nothing queued");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    function _fee() private view returns (uint256) {
        (bool success, bytes memory data) = PREDEPLOY.staticcall("");
        assertTrue(success && data.length == 32, "fee read");
        return abi.decode(data, (uint256));
    }

    function _request(address from, bytes memory pubkey, uint64 amount, uint256 value) private returns (bool success) {
        vm.prank(from);
        (success, ) = PREDEPLOY.call{value: value}(abi.encodePacked(pubkey, amount));
    }

    function _systemCall() private returns (bytes memory records) {
        vm.prank(SYSTEM_ADDRESS);
        bool success;
        (success, records) = PREDEPLOY.call("");
        assertTrue(success, "system call");
    }

    function _slot(uint256 slot) private view returns (uint256) {
        return uint256(vm.load(PREDEPLOY, bytes32(slot)));
    }

    function _setExcess(uint256 excess) private {
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(excess));
    }

    /// @dev A 48-byte pubkey with every byte distinct from those of other seeds.
    function _pubkey(uint256 seed) private pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode(seed)), bytes16(keccak256(abi.encode(seed, 1))));
    }

    function _pubkeyHead(bytes memory pubkey) private pure returns (bytes32 head) {
        assembly ("memory-safe") {
            head := mload(add(pubkey, 0x20))
        }
    }

    function _pubkeyTail(bytes memory pubkey) private pure returns (bytes16 tail) {
        assembly ("memory-safe") {
            tail := mload(add(pubkey, 0x40))
        }
    }

    function _record(bytes memory records, uint256 index) private pure returns (bytes memory record) {
        record = new bytes(RECORD_LENGTH);
        for (uint256 i; i < RECORD_LENGTH; ++i) record[i] = records[index * RECORD_LENGTH + i];
    }

    function _littleEndian(uint64 value) private pure returns (bytes8 result) {
        for (uint256 i; i < 8; ++i) result |= bytes8(bytes1(uint8(value >> (8 * i)))) >> (8 * i);
    }

    /// @dev The EIP's fake_exponential with checked arithmetic, exact below an excess of about 2,900.
    function _referenceFee(uint256 excess) private pure returns (uint256) {
        uint256 output;
        uint256 term = 17;
        for (uint256 i = 1; term > 0; ++i) {
            output += term;
            term = (term * excess) / (17 * i);
        }
        return output / 17;
    }
}
