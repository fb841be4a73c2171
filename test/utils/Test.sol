// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice Base contract for our Solidity tests (unit, fuzz and invariant), standing in for forge-std's `Test`.
/// @dev Every assertion takes a label and, when it fails, reverts with `Error(string)` reading
/// `<label>: <left> <broken relation> <right>`, e.g. `total shares: 5 != 6`. A plain revert string, not a custom error:
/// Hardhat prints `Error(string)` reasons verbatim in the test report, which is what a failing test should show.
abstract contract Test {
    /// @notice A contract and the functions of it the invariant fuzzer may call. Same ABI as forge-std's, which is
    /// what EDR decodes from `targetSelectors()`.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @notice `bound` was asked for an empty range.
    error BoundMinAboveMax(uint256 min, uint256 max);

    // The name is the one every Foundry-style test uses; the address is where EDR answers cheatcodes.
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address[] private _targetedContracts;
    FuzzSelector[] private _targetedSelectors;

    // --- Invariant target selection (read by EDR before an invariant campaign) ---

    /// @notice The contracts the invariant fuzzer calls. Empty means "every contract deployed in `setUp`".
    function targetContracts() public view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice The only functions the invariant fuzzer calls on the listed contracts (the others are left alone).
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    /// @notice Restricts invariant fuzzing to `target` (and the other targeted contracts). Call it in `setUp`.
    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    /// @notice Restricts invariant fuzzing of `selector.addr` to `selector.selectors`. Call it in `setUp`.
    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    // --- Fuzzing helpers ---

    /// @notice Maps `x` into `[min, max]` (inclusive) with forge-std's behaviour: a value already in range is kept
    /// (so the fuzzer's dictionary values survive), the four smallest and four largest uint256 values land on the
    /// range's edges, and anything else wraps around the range, which keeps the distribution even.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, BoundMinAboveMax(min, max));
        if (x >= min && x <= max) return x;

        // Cannot overflow: `max - min + 1` only overflows for the full range, where every `x` returned above.
        uint256 size = max - min + 1;

        // The fuzzer favours 0, 1, 2, 3 and type(uint256).max - 3 .. type(uint256).max: send them to the edges.
        if (x <= 3 && x < size) return min + x;
        uint256 belowUintMax = type(uint256).max - x;
        if (belowUintMax <= 3 && belowUintMax < size) return max - belowUintMax;

        // Wrap around: max + 1 becomes min, min - 1 becomes max.
        if (x > max) {
            uint256 stepsAboveMax = (x - max) % size;
            return stepsAboveMax == 0 ? max : min + stepsAboveMax - 1;
        }
        uint256 stepsBelowMin = (min - x) % size;
        return stepsBelowMin == 0 ? min : max - stepsBelowMin + 1;
    }

    /// @notice A deterministic address for `name`, labelled with it in traces.
    function makeAddr(string memory name) internal returns (address addr) {
        (addr, ) = makeAddrAndKey(name);
    }

    /// @notice Same as `makeAddr`, also returning the private key (for `vm.sign`).
    function makeAddrAndKey(string memory name) internal returns (address addr, uint256 privateKey) {
        privateKey = uint256(keccak256(bytes(name)));
        addr = vm.addr(privateKey);
        vm.label(addr, name);
    }

    // --- Assertions: equality ---

    function assertEq(uint256 left, uint256 right, string memory label) internal pure {
        if (left != right) _fail(label, Strings.toString(left), " != ", Strings.toString(right));
    }

    function assertEq(int256 left, int256 right, string memory label) internal pure {
        if (left != right) _fail(label, Strings.toStringSigned(left), " != ", Strings.toStringSigned(right));
    }

    function assertEq(address left, address right, string memory label) internal pure {
        if (left != right) {
            _fail(label, Strings.toChecksumHexString(left), " != ", Strings.toChecksumHexString(right));
        }
    }

    function assertEq(bytes32 left, bytes32 right, string memory label) internal pure {
        if (left != right) _fail(label, _toHex(left), " != ", _toHex(right));
    }

    function assertEq(bool left, bool right, string memory label) internal pure {
        if (left != right) _fail(label, _toString(left), " != ", _toString(right));
    }

    function assertEq(bytes memory left, bytes memory right, string memory label) internal pure {
        if (keccak256(left) != keccak256(right)) {
            _fail(label, Strings.toHexString(left), " != ", Strings.toHexString(right));
        }
    }

    function assertEq(string memory left, string memory right, string memory label) internal pure {
        if (!Strings.equal(left, right)) _fail(label, _quoted(left), " != ", _quoted(right));
    }

    // --- Assertions: order (the message states the relation that held instead) ---

    function assertGt(uint256 left, uint256 right, string memory label) internal pure {
        if (left <= right) _fail(label, Strings.toString(left), " <= ", Strings.toString(right));
    }

    function assertGt(int256 left, int256 right, string memory label) internal pure {
        if (left <= right) _fail(label, Strings.toStringSigned(left), " <= ", Strings.toStringSigned(right));
    }

    function assertGe(uint256 left, uint256 right, string memory label) internal pure {
        if (left < right) _fail(label, Strings.toString(left), " < ", Strings.toString(right));
    }

    function assertGe(int256 left, int256 right, string memory label) internal pure {
        if (left < right) _fail(label, Strings.toStringSigned(left), " < ", Strings.toStringSigned(right));
    }

    function assertLt(uint256 left, uint256 right, string memory label) internal pure {
        if (left >= right) _fail(label, Strings.toString(left), " >= ", Strings.toString(right));
    }

    function assertLt(int256 left, int256 right, string memory label) internal pure {
        if (left >= right) _fail(label, Strings.toStringSigned(left), " >= ", Strings.toStringSigned(right));
    }

    function assertLe(uint256 left, uint256 right, string memory label) internal pure {
        if (left > right) _fail(label, Strings.toString(left), " > ", Strings.toString(right));
    }

    function assertLe(int256 left, int256 right, string memory label) internal pure {
        if (left > right) _fail(label, Strings.toStringSigned(left), " > ", Strings.toStringSigned(right));
    }

    /// @notice `left` and `right` differ by at most `maxDelta` (for values that rounding may move by a few wei).
    function assertApproxEqAbs(uint256 left, uint256 right, uint256 maxDelta, string memory label) internal pure {
        uint256 delta = left > right ? left - right : right - left;
        if (delta > maxDelta) {
            _fail(
                label,
                Strings.toString(left),
                " !~= ",
                string.concat(
                    Strings.toString(right),
                    " (max delta: ",
                    Strings.toString(maxDelta),
                    ", real delta: ",
                    Strings.toString(delta),
                    ")"
                )
            );
        }
    }

    // --- Assertions: conditions ---

    function assertTrue(bool condition, string memory label) internal pure {
        if (!condition) revert(string.concat(label, ": expected true, got false"));
    }

    function assertFalse(bool condition, string memory label) internal pure {
        if (condition) revert(string.concat(label, ": expected false, got true"));
    }

    // --- Formatting ---

    function _fail(string memory label, string memory left, string memory relation, string memory right) private pure {
        revert(string.concat(label, ": ", left, relation, right));
    }

    function _quoted(string memory value) private pure returns (string memory) {
        // A double quote written as an escape: a literal one inside a string makes prettier switch to single quotes,
        // which solhint's `quotes` rule rejects.
        return string.concat("\x22", value, "\x22");
    }

    function _toHex(bytes32 value) private pure returns (string memory) {
        return Strings.toHexString(uint256(value), 32);
    }

    function _toString(bool value) private pure returns (string memory) {
        return value ? "true" : "false";
    }
}
