// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// The predeploy has no ABI: its whole interface is its fallback, as complex as the three paths it has.
// solhint-disable no-complex-fallback

import {StorageSlot} from "@openzeppelin/contracts/utils/StorageSlot.sol";

/// @title WithdrawalRequestPredeploy
/// @notice EIP-7002's withdrawal request contract for local networks, which lack it: installed (runtime code and an
/// inhibited excess) at 0x00000961Ef480Eb55e80D19ad83579A64c007002 so that callers, and the beacon simulator as the
/// chain's system caller, cannot tell it from the predeploy of a Prague chain. Our own implementation.
/// @dev Three paths, chosen as the predeploy chooses them:
/// - the system call (caller SYSTEM_ADDRESS, any input): dequeues up to 16 requests and returns them as concatenated
///   76-byte records, source ‖ pubkey ‖ amount (uint64, little-endian), then moves the excess towards the target
///   (2 a block) by the number of requests added since the previous system call and resets that count;
/// - any other call reads the fee first, fake_exponential(1, excess, 17), and reverts while the excess is the
///   inhibitor (2**256 - 1, its value until the first system call). Then 56 bytes of input (pubkey ‖ amount, uint64
///   big-endian) add a request: the value must cover the fee (any surplus is kept, never refunded), the request is
///   queued and a log0 of 76 bytes, source ‖ input, is emitted. Empty input without value returns the fee as 32 bytes.
///   Anything else reverts.
/// Storage, slot for slot: excess 0, count 1, queue head 2, tail 3, request i at 4 + 3i (source; pubkey[0:32];
/// pubkey[32:48] ‖ amount ‖ 8 zero bytes). The third word holds the amount as the input had it, big-endian: that is
/// what the deployed bytecode stores (the EIP's pseudocode says little-endian there; the bytecode is what a Prague
/// chain runs and what `eth_getStorageAt` shows). Every failure reverts without data, as the predeploy does, so no
/// caller can come to depend on a reason it would not get on a real chain.
contract WithdrawalRequestPredeploy {
    /// @notice Where the execution client's end-of-block call comes from.
    address internal constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;

    /// @notice The excess before the first system call: reading the fee reverts until then.
    uint256 internal constant EXCESS_INHIBITOR = type(uint256).max;

    uint256 private constant EXCESS_SLOT = 0;
    uint256 private constant COUNT_SLOT = 1;
    uint256 private constant HEAD_SLOT = 2;
    uint256 private constant TAIL_SLOT = 3;
    uint256 private constant QUEUE_OFFSET = 4;
    uint256 private constant SLOTS_PER_REQUEST = 3;

    uint256 private constant MAX_REQUESTS_PER_BLOCK = 16;
    uint256 private constant TARGET_REQUESTS_PER_BLOCK = 2;
    uint256 private constant MIN_FEE = 1;
    uint256 private constant FEE_UPDATE_FRACTION = 17;

    /// @dev pubkey (48) ‖ amount (8).
    uint256 private constant REQUEST_LENGTH = 56;

    /// @dev As the predeploy's deployment transaction does: the fee is unreadable until the first system call.
    constructor() {
        _store(EXCESS_SLOT, EXCESS_INHIBITOR);
    }

    /// @notice The only entry point, as the predeploy has no ABI: see the contract's `@dev` for its three paths.
    /// @param input Empty (read the fee), 56 bytes (add a request), or anything from the system address.
    /// @return output The fee as 32 bytes, nothing after adding a request, the dequeued records for the system call.
    fallback(bytes calldata input) external payable returns (bytes memory output) {
        if (msg.sender == SYSTEM_ADDRESS) return _dequeueRequests();

        uint256 excess = _load(EXCESS_SLOT);
        if (excess == EXCESS_INHIBITOR) _fail();
        uint256 fee = _fakeExponential(MIN_FEE, excess, FEE_UPDATE_FRACTION);

        if (input.length == REQUEST_LENGTH) {
            _addRequest(input, fee);
            return "";
        }
        if (input.length != 0 || msg.value != 0) _fail();
        return abi.encode(fee);
    }

    /// @dev Checks the fee, counts the request, queues it and logs it.
    function _addRequest(bytes calldata input, uint256 fee) private {
        if (msg.value < fee) _fail();
        _store(COUNT_SLOT, _load(COUNT_SLOT) + 1);

        uint256 tail = _load(TAIL_SLOT);
        uint256 slot = QUEUE_OFFSET + tail * SLOTS_PER_REQUEST;
        _store(slot, uint160(msg.sender));
        _store(slot + 1, uint256(bytes32(input[0:32])));
        // 24 bytes, left-aligned: pubkey[32:48] ‖ amount (big-endian) ‖ 8 zero bytes, as the predeploy stores them.
        _store(slot + 2, uint256(bytes32(input[32:REQUEST_LENGTH])));
        _store(TAIL_SLOT, tail + 1);

        bytes memory record = abi.encodePacked(msg.sender, input);
        assembly ("memory-safe") {
            log0(add(record, 0x20), mload(record))
        }
    }

    /// @dev The system call: dequeues, updates the excess, resets the count, returns the records.
    function _dequeueRequests() private returns (bytes memory records) {
        uint256 head = _load(HEAD_SLOT);
        uint256 tail = _load(TAIL_SLOT);
        uint256 dequeued = tail - head;
        if (dequeued > MAX_REQUESTS_PER_BLOCK) dequeued = MAX_REQUESTS_PER_BLOCK;

        for (uint256 i; i < dequeued; ++i) {
            uint256 slot = QUEUE_OFFSET + (head + i) * SLOTS_PER_REQUEST;
            uint256 last = _load(slot + 2);
            records = abi.encodePacked(
                records,
                address(uint160(_load(slot))),
                bytes32(_load(slot + 1)),
                bytes16(bytes32(last)),
                _toLittleEndian64(uint64(last >> 64))
            );
        }

        if (head + dequeued == tail) {
            // The queue is empty: start over at slot 4 rather than let the indexes grow forever.
            _store(HEAD_SLOT, 0);
            _store(TAIL_SLOT, 0);
        } else {
            _store(HEAD_SLOT, head + dequeued);
        }

        uint256 previous = _load(EXCESS_SLOT);
        if (previous == EXCESS_INHIBITOR) previous = 0;
        uint256 total = previous + _load(COUNT_SLOT);
        _store(EXCESS_SLOT, total > TARGET_REQUESTS_PER_BLOCK ? total - TARGET_REQUESTS_PER_BLOCK : 0);
        _store(COUNT_SLOT, 0);
    }

    /// @dev EIP-4844's integer approximation of factor * e ** (numerator / denominator), wrapping on overflow as the
    /// predeploy's bytecode does (from an excess of about 2,900, far beyond any fee anyone would pay).
    function _fakeExponential(uint256 factor, uint256 numerator, uint256 denominator) private pure returns (uint256) {
        unchecked {
            uint256 output;
            uint256 accumulator = factor * denominator;
            for (uint256 i = 1; accumulator > 0; ++i) {
                output += accumulator;
                accumulator = (accumulator * numerator) / (denominator * i);
            }
            return output / denominator;
        }
    }

    function _toLittleEndian64(uint64 value) private pure returns (bytes8) {
        uint64 reversed;
        for (uint256 i; i < 8; ++i) {
            reversed = (reversed << 8) | (value & 0xff);
            value >>= 8;
        }
        return bytes8(reversed);
    }

    function _load(uint256 slot) private view returns (uint256) {
        return StorageSlot.getUint256Slot(bytes32(slot)).value;
    }

    function _store(uint256 slot, uint256 value) private {
        StorageSlot.getUint256Slot(bytes32(slot)).value = value;
    }

    /// @dev Reverts without data, as the predeploy does on every failure.
    function _fail() private pure {
        assembly ("memory-safe") {
            revert(0, 0)
        }
    }
}
