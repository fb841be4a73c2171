// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";

/// @dev The oracle's exit data through real reports: the report names the first page by hash, anyone submits the pages
/// in order within the report's frame, and each goes to the operator registry. Every refusal, the state view, and the
/// registry's own refusals reaching the submitter.
contract AccountingOracleExitDataTest is OracleFixture {
    uint256 private constant PER_OPERATOR = 4;
    uint256 private constant VALIDATORS = 3 * PER_OPERATOR;
    uint256 private constant STAKED = VALIDATORS * 32 ether;

    address private stranger;

    function setUp() public {
        _deployPool();
        stranger = makeAddr("stranger");
        _stakeValidators(VALIDATORS);
        _reportNextFrame(STAKED);
    }

    // =================================================================================================================
    // reports naming exit data
    // =================================================================================================================

    function test_GetExitDataState_BeforeAnyExitDataIsEmpty() public view {
        _assertState(IAccountingOracle.ExitDataState(0, bytes32(0), 0, 0, false), "no exit data yet");
    }

    function test_SubmitReport_WithAnExitDataHashOpensTheFramesExitData() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 refSlot = _reportWithExitData(keccak256(page));

        assertEq(oracle.lastProcessedRefSlot(), refSlot, "the report was applied");
        _assertState(IAccountingOracle.ExitDataState(refSlot, keccak256(page), 0, 0, true), "pending");
        assertEq(registry.getOperator(0).exitedKeys, 0, "nothing reaches the registry before the page");
    }

    function test_ApplyReport_WithAnExitDataHashOpensTheFramesExitData() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        IAccountingOracle.Report memory report = _reportFor(_warpToNextFrame(), VALIDATORS, STAKED);
        report.exitDataHash = keccak256(page);
        _agreeByHash(report);
        vm.prank(stranger);
        oracle.applyReport(report);

        _assertState(IAccountingOracle.ExitDataState(report.refSlot, keccak256(page), 0, 0, true), "pending");
        vm.prank(stranger);
        oracle.submitExitData(page);
        assertEq(registry.getOperator(0).exitedKeys, 1, "applied");
    }

    function test_SubmitReport_WithoutExitDataLeavesTheLastOnesStateBehind() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 refSlot = _reportWithExitData(keccak256(page));
        oracle.submitExitData(page);

        _reportNextFrame(STAKED);
        _assertState(IAccountingOracle.ExitDataState(refSlot, bytes32(0), 1, 1, false), "the last data's state");
    }

    // =================================================================================================================
    // submitExitData
    // =================================================================================================================

    function test_SubmitExitData_OnePageGoesToTheRegistry() public {
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](2);
        updates[0] = _exited(0, 1);
        updates[1] = _update(2, 0, 1, 2);
        bytes memory page = _page(bytes32(0), updates);
        uint256 refSlot = _reportWithExitData(keccak256(page));
        uint256 deadline = block.timestamp + EXIT_RESPONSE_TIME;

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ExitDataSubmitted(refSlot, 0, 2, bytes32(0));
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.ExitedKeysUpdated(0, 1, 1);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.ValidatorExitRequested(2, 1, pubkeyAt[2][1], deadline);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IOperatorRegistry.ValidatorExitRequested(2, 2, pubkeyAt[2][2], deadline);
        vm.prank(stranger);
        oracle.submitExitData(page);

        _assertState(IAccountingOracle.ExitDataState(refSlot, bytes32(0), 1, 3, false), "all in");
        assertEq(registry.getOperator(0).exitedKeys, 1, "operator 0 exited");
        IOperatorRegistry.ExitState memory state = registry.getExitState(2);
        assertEq(state.dueExited, 2, "operator 2 owes two exits");
        assertEq(state.dueBy, deadline, "by the deadline");
        assertEq(state.nextExitIndex, 3, "from key 3 on next time");
    }

    function test_SubmitExitData_TwoPagesInOrder() public {
        IOperatorRegistry.ExitUpdate[][] memory groups = new IOperatorRegistry.ExitUpdate[][](2);
        groups[0] = _one(_exited(0, 2));
        groups[1] = new IOperatorRegistry.ExitUpdate[](2);
        groups[1][0] = _exited(1, 1);
        groups[1][1] = _update(2, 0, 0, 1);
        (bytes[] memory pages, bytes32[] memory hashes) = _chain(groups);
        uint256 refSlot = _reportWithExitData(hashes[0]);

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ExitDataSubmitted(refSlot, 0, 1, hashes[1]);
        vm.prank(stranger);
        oracle.submitExitData(pages[0]);
        _assertState(IAccountingOracle.ExitDataState(refSlot, hashes[1], 1, 1, true), "after the first page");
        assertEq(registry.getOperator(0).exitedKeys, 2, "first page applied");
        assertEq(registry.getOperator(1).exitedKeys, 0, "second page not yet");

        vm.expectEmit(true, true, true, true, address(oracle));
        emit IAccountingOracle.ExitDataSubmitted(refSlot, 1, 2, bytes32(0));
        // Anyone: another account submits the second page.
        oracle.submitExitData(pages[1]);
        _assertState(IAccountingOracle.ExitDataState(refSlot, bytes32(0), 2, 3, false), "after the second page");
        assertEq(registry.getOperator(1).exitedKeys, 1, "second page applied");
        assertEq(registry.getExitState(2).dueExited, 1, "and its request");
    }

    function test_SubmitExitData_ThreePagesInOrder() public {
        IOperatorRegistry.ExitUpdate[][] memory groups = new IOperatorRegistry.ExitUpdate[][](3);
        groups[0] = _one(_exited(0, 1));
        // A page may name no operator (the committee's data is what it is): it only leads to the next.
        groups[1] = new IOperatorRegistry.ExitUpdate[](0);
        groups[2] = _one(_update(2, 3, 3, 1));
        (bytes[] memory pages, bytes32[] memory hashes) = _chain(groups);
        uint256 refSlot = _reportWithExitData(hashes[0]);

        uint256[3] memory nextOperatorIds = [uint256(1), 1, 3];
        for (uint256 i; i < 3; ++i) {
            bytes32 next = i < 2 ? hashes[i + 1] : bytes32(0);
            vm.expectEmit(true, true, true, true, address(oracle));
            emit IAccountingOracle.ExitDataSubmitted(refSlot, i, groups[i].length, next);
            oracle.submitExitData(pages[i]);
            _assertState(
                IAccountingOracle.ExitDataState(refSlot, next, i + 1, nextOperatorIds[i], i < 2),
                "after each page"
            );
        }
        assertEq(registry.getOperator(0).exitedKeys, 1, "page 0");
        assertEq(registry.getOperator(2).exitedKeys, 3, "page 2");
        assertEq(registry.getExitState(2).dueExited, 4, "page 2's request");

        // All in: nothing more is due.
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoExitDataPending.selector, refSlot));
        oracle.submitExitData(pages[2]);
    }

    function test_SubmitExitData_PagesMayComeUntilTheFramesLastSlot() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 refSlot = _reportWithExitData(keccak256(page));
        (, uint256 deadlineSlot) = oracle.currentFrame();
        _warpToSlot(deadlineSlot);

        assertTrue(oracle.getExitDataState().pending, "pending in the frame's last slot");
        oracle.submitExitData(page);
        _assertState(IAccountingOracle.ExitDataState(refSlot, bytes32(0), 1, 1, false), "applied");
    }

    // =================================================================================================================
    // refusals
    // =================================================================================================================

    function test_RevertWhen_NoReportAnnouncedExitData() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 lastProcessed = oracle.lastProcessedRefSlot();
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoExitDataPending.selector, lastProcessed));
        oracle.submitExitData(page);

        // Nor does a report without an exit data hash.
        _reportNextFrame(STAKED);
        lastProcessed = oracle.lastProcessedRefSlot();
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoExitDataPending.selector, lastProcessed));
        oracle.submitExitData(page);
    }

    function test_RevertWhen_ExitDataPageIsNotTheAgreedOne() public {
        IOperatorRegistry.ExitUpdate[][] memory groups = new IOperatorRegistry.ExitUpdate[][](2);
        groups[0] = _one(_exited(0, 1));
        groups[1] = _one(_exited(1, 1));
        (bytes[] memory pages, bytes32[] memory hashes) = _chain(groups);
        uint256 refSlot = _reportWithExitData(hashes[0]);

        // Other data.
        bytes memory forged = _page(hashes[1], _one(_exited(0, 2)));
        _expectMismatch(hashes[0], forged);
        oracle.submitExitData(forged);

        // The right data out of order.
        _expectMismatch(hashes[0], pages[1]);
        oracle.submitExitData(pages[1]);

        // A page twice.
        oracle.submitExitData(pages[0]);
        _expectMismatch(hashes[1], pages[0]);
        oracle.submitExitData(pages[0]);

        _assertState(IAccountingOracle.ExitDataState(refSlot, hashes[1], 1, 1, true), "one page in");
        assertEq(registry.getOperator(0).exitedKeys, 1, "operator 0 as agreed");
        assertEq(registry.getOperator(1).exitedKeys, 0, "operator 1 untouched");
    }

    function test_RevertWhen_ExitDataPageComesAfterTheFrame() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 refSlot = _reportWithExitData(keccak256(page));
        (, uint256 deadlineSlot) = oracle.currentFrame();
        _warpToSlot(deadlineSlot + 1);

        // The next report's data may ask the same exits again: this frame's data is void.
        _assertState(IAccountingOracle.ExitDataState(refSlot, keccak256(page), 0, 0, false), "no longer pending");
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoExitDataPending.selector, refSlot));
        oracle.submitExitData(page);
        assertEq(registry.getOperator(0).exitedKeys, 0, "nothing applied");
    }

    function test_RevertWhen_ExitDataIsOfAnOlderReportThanTheLast() public {
        bytes memory page = _page(bytes32(0), _one(_exited(0, 1)));
        uint256 refSlot = _reportWithExitData(keccak256(page));

        // A newer report without exit data: the older report's data is void, even within the newer frame.
        _reportNextFrame(STAKED);
        uint256 newer = oracle.lastProcessedRefSlot();
        _assertState(IAccountingOracle.ExitDataState(refSlot, keccak256(page), 0, 0, false), "older data");
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.NoExitDataPending.selector, newer));
        oracle.submitExitData(page);

        // A newer report with its own data replaces the older report's.
        bytes memory newerPage = _page(bytes32(0), _one(_exited(1, 2)));
        uint256 newest = _reportWithExitData(keccak256(newerPage));
        _expectMismatch(keccak256(newerPage), page);
        oracle.submitExitData(page);
        oracle.submitExitData(newerPage);
        _assertState(IAccountingOracle.ExitDataState(newest, bytes32(0), 1, 2, false), "the newest data");
        assertEq(registry.getOperator(0).exitedKeys, 0, "the older data never applied");
        assertEq(registry.getOperator(1).exitedKeys, 2, "the newest did");
    }

    function test_RevertWhen_ExitDataOperatorIdsDoNotAscendAcrossPages() public {
        IOperatorRegistry.ExitUpdate[][] memory groups = new IOperatorRegistry.ExitUpdate[][](3);
        groups[0] = _one(_exited(1, 1));
        groups[1] = _one(_exited(0, 1));
        groups[2] = _one(_exited(2, 1));
        (bytes[] memory pages, bytes32[] memory hashes) = _chain(groups);
        uint256 refSlot = _reportWithExitData(hashes[0]);
        oracle.submitExitData(pages[0]);

        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ExitDataNotSorted.selector, 0, 2));
        oracle.submitExitData(pages[1]);
        _assertState(IAccountingOracle.ExitDataState(refSlot, hashes[1], 1, 2, true), "stuck at the second page");

        // An operator named again on the next page is refused the same way.
        groups = new IOperatorRegistry.ExitUpdate[][](2);
        groups[0] = _one(_exited(1, 2));
        groups[1] = _one(_exited(1, 3));
        (pages, hashes) = _chain(groups);
        _reportWithExitData(hashes[0]);
        oracle.submitExitData(pages[0]);
        vm.expectRevert(abi.encodeWithSelector(IAccountingOracle.ExitDataNotSorted.selector, 1, 2));
        oracle.submitExitData(pages[1]);
    }

    function test_RevertWhen_TheRegistryRefusesThePage() public {
        // Within a page the registry checks the order.
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](2);
        updates[0] = _exited(2, 1);
        updates[1] = _exited(1, 1);
        bytes memory unsorted = _page(bytes32(0), updates);
        uint256 refSlot = _reportWithExitData(keccak256(unsorted));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.ExitUpdatesNotSorted.selector, 1, 2));
        oracle.submitExitData(unsorted);
        _assertState(IAccountingOracle.ExitDataState(refSlot, keccak256(unsorted), 0, 0, true), "nothing recorded");

        // A count above the deposited keys.
        bytes memory tooMany = _page(bytes32(0), _one(_exited(0, PER_OPERATOR + 1)));
        _reportWithExitData(keccak256(tooMany));
        vm.expectRevert(
            abi.encodeWithSelector(IOperatorRegistry.InvalidExitedKeys.selector, 0, PER_OPERATOR + 1, 0, PER_OPERATOR)
        );
        oracle.submitExitData(tooMany);

        // An operator that does not exist.
        bytes memory unknown = _page(bytes32(0), _one(_exited(3, 0)));
        _reportWithExitData(keccak256(unknown));
        vm.expectRevert(abi.encodeWithSelector(IOperatorRegistry.OperatorNotFound.selector, 3));
        oracle.submitExitData(unknown);
    }

    function test_RevertWhen_TheAgreedPageIsNotExitData() public {
        // The committee agreed on bytes that do not decode: the page hashes right and still cannot apply.
        bytes memory garbage = hex"0badda7a";
        uint256 refSlot = _reportWithExitData(keccak256(garbage));
        vm.expectRevert();
        oracle.submitExitData(garbage);
        _assertState(IAccountingOracle.ExitDataState(refSlot, keccak256(garbage), 0, 0, true), "still pending");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev The next frame's report, every validator seen at 32 ether, naming `exitDataHash`; returns its slot.
    function _reportWithExitData(bytes32 exitDataHash) private returns (uint256 refSlot) {
        refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _reportFor(refSlot, VALIDATORS, STAKED);
        report.exitDataHash = exitDataHash;
        _submitByQuorum(report);
    }

    /// @dev The pages of `groups`, each naming the next one's hash, and their hashes (built from the last back).
    function _chain(
        IOperatorRegistry.ExitUpdate[][] memory groups
    ) private pure returns (bytes[] memory pages, bytes32[] memory hashes) {
        pages = new bytes[](groups.length);
        hashes = new bytes32[](groups.length);
        bytes32 next;
        for (uint256 i = groups.length; i > 0; --i) {
            pages[i - 1] = _page(next, groups[i - 1]);
            hashes[i - 1] = keccak256(pages[i - 1]);
            next = hashes[i - 1];
        }
    }

    function _page(bytes32 next, IOperatorRegistry.ExitUpdate[] memory updates) private pure returns (bytes memory) {
        return abi.encode(next, updates);
    }

    /// @dev The operator's exited count set to `exitedKeys`, and its keys `first` to `first + count - 1` asked to exit.
    function _update(
        uint256 operatorId,
        uint256 exitedKeys,
        uint256 first,
        uint256 count
    ) private view returns (IOperatorRegistry.ExitUpdate memory update) {
        update.operatorId = operatorId;
        update.exitedKeys = exitedKeys;
        update.keyIndices = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            update.keyIndices[i] = first + i;
            update.pubkeys = bytes.concat(update.pubkeys, pubkeyAt[operatorId][first + i]);
        }
    }

    function _exited(
        uint256 operatorId,
        uint256 exitedKeys
    ) private view returns (IOperatorRegistry.ExitUpdate memory) {
        return _update(operatorId, exitedKeys, 0, 0);
    }

    function _one(
        IOperatorRegistry.ExitUpdate memory update
    ) private pure returns (IOperatorRegistry.ExitUpdate[] memory updates) {
        updates = new IOperatorRegistry.ExitUpdate[](1);
        updates[0] = update;
    }

    function _expectMismatch(bytes32 expected, bytes memory page) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccountingOracle.ExitDataHashMismatch.selector, expected, keccak256(page))
        );
    }

    function _warpToSlot(uint256 slot) private {
        uint256 time = GENESIS_TIME + slot * SECONDS_PER_SLOT;
        vm.roll(block.number + (time - block.timestamp) / SECONDS_PER_SLOT);
        vm.warp(time);
    }

    function _assertState(IAccountingOracle.ExitDataState memory expected, string memory label) private view {
        IAccountingOracle.ExitDataState memory state = oracle.getExitDataState();
        assertEq(state.refSlot, expected.refSlot, string.concat(label, ": refSlot"));
        assertEq(state.nextPageHash, expected.nextPageHash, string.concat(label, ": nextPageHash"));
        assertEq(state.pagesSubmitted, expected.pagesSubmitted, string.concat(label, ": pagesSubmitted"));
        assertEq(state.nextOperatorId, expected.nextOperatorId, string.concat(label, ": nextOperatorId"));
        assertEq(state.pending, expected.pending, string.concat(label, ": pending"));
    }
}
