// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Vm
/// @notice The cheatcodes our Solidity tests use, declared with the exact signatures Foundry and Hardhat's EDR answer
/// at `address(uint160(uint256(keccak256("hevm cheat code"))))`.
/// @dev forge-std is not installable here, so this is the subset we need. Add a cheatcode by copying its signature
/// from Foundry's `Vm.sol`: the selector must match exactly or EDR reverts with "unknown cheatcode". Named `Vm`, not
/// `IVm`, because every Foundry-style test and snippet calls it that.
// solhint-disable-next-line interface-starts-with-i
interface Vm {
    /// @notice A log captured between `recordLogs()` and `getRecordedLogs()`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    // --- Callers, balances and time ---

    /// @notice Sets `msg.sender` for the next call only.
    function prank(address msgSender) external;

    /// @notice Sets `msg.sender` for every call until `stopPrank()`.
    function startPrank(address msgSender) external;

    /// @notice Ends a `startPrank`.
    function stopPrank() external;

    /// @notice Sets the ether balance of `account`.
    function deal(address account, uint256 newBalance) external;

    /// @notice Sets `block.timestamp`.
    function warp(uint256 newTimestamp) external;

    /// @notice Sets `block.number`.
    function roll(uint256 newHeight) external;

    /// @notice Sets `block.chainid`.
    function chainId(uint256 newChainId) external;

    // --- Expectations on the next call ---

    /// @notice The next call must revert with exactly these bytes (an encoded error, with its arguments).
    function expectRevert(bytes calldata revertData) external;

    /// @notice The next call must revert with this selector. Only matches errors without arguments: use
    /// `expectRevert(bytes)` with the full encoding for errors that carry values.
    function expectRevert(bytes4 revertData) external;

    /// @notice The next call must revert, whatever the reason.
    function expectRevert() external;

    /// @notice The next emitted event must match the one emitted right after this call on the checked parts.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;

    /// @notice Same as above, also checking that `emitter` emits it.
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;

    /// @notice Same as above, checking every topic and the data.
    function expectEmit() external;

    // --- Keys and signatures ---

    /// @notice Signs `digest` with `privateKey` (secp256k1, no prefix added).
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice The address of `privateKey`.
    function addr(uint256 privateKey) external pure returns (address keyAddr);

    /// @notice Names `account` in traces.
    function label(address account, string calldata newLabel) external;

    // --- Fuzzing ---

    /// @notice Discards the current fuzz input when `condition` is false. Prefer `bound()`: rejected inputs are wasted
    /// runs.
    function assume(bool condition) external pure;

    // --- State ---

    /// @notice Writes `value` to storage slot `slot` of `target`.
    function store(address target, bytes32 slot, bytes32 value) external;

    /// @notice Reads storage slot `slot` of `target`.
    function load(address target, bytes32 slot) external view returns (bytes32 data);

    /// @notice Replaces the runtime code of `target`.
    function etch(address target, bytes calldata newRuntimeBytecode) external;

    // --- Logs ---

    /// @notice Starts recording every emitted log.
    function recordLogs() external;

    /// @notice Returns the logs recorded since `recordLogs()` and clears them.
    function getRecordedLogs() external returns (Log[] memory logs);
}
