// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountingOracle} from "../contracts/AccountingOracle.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {Test} from "./utils/Test.sol";

/// @dev The committee reports, with and without exit data, and anyone submits pages: the agreed ones, and forged,
/// skipped, replayed and stale ones, while time runs through frames. Ghost state: the pages the last report with exit
/// data agreed on, how many of them went in, and the registry's exit state those pages (and nothing else) made. Each
/// submission's outcome is compared with what the agreement allows, the first mismatch recorded for the invariant.
contract ExitDataHandler is OracleFixture {
    uint256 private constant OPERATORS = 3;
    uint256 private constant PER_OPERATOR = 4;
    uint256 private constant VALIDATORS = OPERATORS * PER_OPERATOR;
    uint256 private constant STAKED = VALIDATORS * 32 ether;

    /// @notice The chain's block and clock as this handler moved them; re-applied before each call.
    uint256 public currentBlock;
    uint256 public currentTime;

    /// @notice The reference slot of the last report that named exit data, and how many of its pages went in.
    uint256 public agreedRefSlot;
    uint256 public pagesApplied;
    /// @notice The least operator id the next page may name (ids ascend across pages).
    uint256 public nextOperatorId;
    bytes[] private _agreedPages;
    bytes32[] private _agreedHashes;
    /// @dev Pages of earlier reports' data, for replays after the fact.
    bytes[] private _olderPages;

    /// @notice Each operator's exit state as the applied pages made it.
    mapping(uint256 operatorId => uint256 count) public ghostExited;
    mapping(uint256 operatorId => uint256 index) public ghostNextExitIndex;

    /// @notice The first broken expectation, empty while there is none.
    string public violation;
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
        _stakeValidators(VALIDATORS);
        _reportNextFrame(STAKED);
        currentBlock = block.number;
        currentTime = block.timestamp;
    }

    // --- The committee ---

    /// @dev The next frame's report, naming exit data planned from the registry's state when `withData`: random
    /// operators, each with up to one more exit and up to two requests, in one to three pages. Now and then the
    /// committee agrees on pages whose operators do not ascend: they are agreed, and still refused.
    function report(bool withData, uint256 seed) external step {
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory agreed = _reportFor(refSlot, VALIDATORS, STAKED);
        if (withData) {
            for (uint256 i; i < _agreedPages.length; ++i) _olderPages.push(_agreedPages[i]);
            delete _agreedPages;
            delete _agreedHashes;
            _planPages(seed);
            agreed.exitDataHash = _agreedHashes[0];
            agreedRefSlot = refSlot;
            pagesApplied = 0;
            nextOperatorId = 0;
        }
        _submitByQuorum(agreed);
        ++calls[withData ? "reportWithData" : "report"];
    }

    // --- Anyone ---

    /// @dev Submits the next agreed page (or the last one again once all are in): it must go in exactly when it is
    /// due, in its report's frame, with operators ascending.
    function submitNext() external step {
        if (_agreedPages.length == 0) return;
        bool due = pagesApplied < _agreedPages.length;
        bytes memory page = _agreedPages[due ? pagesApplied : _agreedPages.length - 1];
        (, IOperatorRegistry.ExitUpdate[] memory updates) = _decode(page);
        (uint256 frameRefSlot, ) = oracle.currentFrame();
        bool allowed =
            due &&
                oracle.lastProcessedRefSlot() == agreedRefSlot &&
                frameRefSlot == agreedRefSlot &&
                (updates.length == 0 || updates[0].operatorId >= nextOperatorId);

        bool applied = _submit(page);
        if (applied != allowed) _violate(applied ? "a page went in out of turn" : "a due page was refused");
        if (applied) ++calls["submitNext"];
    }

    /// @dev Submits a page nobody agreed on in this position: the next page tampered with, a later page, a page
    /// already in, or a page of an older report's data. None may go in.
    function submitForged(uint256 kind, uint256 seed) external step {
        bytes memory page;
        kind = kind % 4;
        if (kind == 0 && pagesApplied < _agreedPages.length) {
            page = _agreedPages[pagesApplied];
            page[seed % page.length] ^= bytes1(uint8(1 + (seed % 255)));
        } else if (kind == 1 && pagesApplied + 1 < _agreedPages.length) {
            page = _agreedPages[pagesApplied + 1 + (seed % (_agreedPages.length - pagesApplied - 1))];
        } else if (kind == 2 && pagesApplied != 0) {
            page = _agreedPages[seed % pagesApplied];
        } else if (kind == 3 && _olderPages.length != 0) {
            page = _olderPages[seed % _olderPages.length];
        } else {
            return;
        }
        // The same bytes as the page due are that page, whatever they were meant as.
        if (pagesApplied < _agreedHashes.length && keccak256(page) == _agreedHashes[pagesApplied]) return;
        // Not through `_submit`: a forged page need not decode, and one that went in must be reported, not reverted.
        vm.prank(makeAddr("forger"));
        try oracle.submitExitData(page) {
            _violate("a page nobody agreed on went in");
        } catch {} // solhint-disable-line no-empty-blocks
        ++calls["submitForged"];
    }

    // --- Time ---

    function warp(uint256 secondsLater) external step {
        secondsLater = bound(secondsLater, 1 hours, 36 hours);
        vm.warp(block.timestamp + secondsLater);
        vm.roll(block.number + secondsLater / SECONDS_PER_SLOT);
        ++calls["warp"];
    }

    // --- Views for the invariants ---

    function oracleUnderTest() external view returns (AccountingOracle) {
        return oracle;
    }

    function registryUnderTest() external view returns (OperatorRegistry) {
        return registry;
    }

    function agreedPageCount() external view returns (uint256) {
        return _agreedPages.length;
    }

    function agreedHash(uint256 index) external view returns (bytes32) {
        return _agreedHashes[index];
    }

    // --- Internals ---

    /// @dev Submits the agreed `page` as a stranger; on success, records what it applied. Returns whether it went in.
    function _submit(bytes memory page) private returns (bool) {
        vm.prank(makeAddr("submitter"));
        try oracle.submitExitData(page) {
            (, IOperatorRegistry.ExitUpdate[] memory updates) = _decode(page);
            for (uint256 i; i < updates.length; ++i) {
                IOperatorRegistry.ExitUpdate memory update = updates[i];
                ghostExited[update.operatorId] = update.exitedKeys;
                if (update.keyIndices.length != 0) {
                    ghostNextExitIndex[update.operatorId] = update.keyIndices[update.keyIndices.length - 1] + 1;
                }
            }
            if (updates.length != 0) nextOperatorId = updates[updates.length - 1].operatorId + 1;
            ++pagesApplied;
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Plans this frame's exit data from the registry's state and splits it into pages, from the last back.
    function _planPages(uint256 seed) private {
        IOperatorRegistry.ExitUpdate[] memory updates = new IOperatorRegistry.ExitUpdate[](OPERATORS);
        uint256 length;
        for (uint256 id; id < OPERATORS; ++id) {
            uint256 random = uint256(keccak256(abi.encode(seed, id)));
            if (random % 3 == 0) continue;
            IOperatorRegistry.ExitState memory state = registry.getExitState(id);
            IOperatorRegistry.ExitUpdate memory update = updates[length++];
            update.operatorId = id;
            update.exitedKeys = state.exitedKeys + ((random >> 8) % 2);
            if (update.exitedKeys > PER_OPERATOR) update.exitedKeys = PER_OPERATOR;
            uint256 requests = (random >> 16) % 3;
            if (requests > PER_OPERATOR - state.nextExitIndex) requests = PER_OPERATOR - state.nextExitIndex;
            update.keyIndices = new uint256[](requests);
            for (uint256 k; k < requests; ++k) {
                update.keyIndices[k] = state.nextExitIndex + k;
                update.pubkeys = bytes.concat(update.pubkeys, pubkeyAt[id][state.nextExitIndex + k]);
            }
        }
        // One to three pages (never more than one per operator, but at least one).
        uint256 pageCount = 1 + ((seed >> 32) % 3);
        if (pageCount > length) pageCount = length == 0 ? 1 : length;
        IOperatorRegistry.ExitUpdate[][] memory groups = new IOperatorRegistry.ExitUpdate[][](pageCount);
        for (uint256 p; p < pageCount; ++p) {
            uint256 from = (length * p) / pageCount;
            uint256 to = (length * (p + 1)) / pageCount;
            groups[p] = new IOperatorRegistry.ExitUpdate[](to - from);
            for (uint256 i = from; i < to; ++i) groups[p][i - from] = updates[i];
        }
        // Now and then the committee's pages are out of order.
        if (pageCount > 1 && (seed >> 40) % 8 == 0) (groups[0], groups[1]) = (groups[1], groups[0]);

        bytes[] memory pages = new bytes[](pageCount);
        bytes32[] memory hashes = new bytes32[](pageCount);
        bytes32 next;
        for (uint256 p = pageCount; p > 0; --p) {
            pages[p - 1] = abi.encode(next, groups[p - 1]);
            hashes[p - 1] = keccak256(pages[p - 1]);
            next = hashes[p - 1];
        }
        for (uint256 p; p < pageCount; ++p) {
            _agreedPages.push(pages[p]);
            _agreedHashes.push(hashes[p]);
        }
    }

    function _decode(
        bytes memory page
    ) private pure returns (bytes32 nextHash, IOperatorRegistry.ExitUpdate[] memory updates) {
        return abi.decode(page, (bytes32, IOperatorRegistry.ExitUpdate[]));
    }

    function _violate(string memory message) private {
        if (bytes(violation).length == 0) violation = message;
    }
}

/// @dev The oracle's promise for exit data, under any sequence of reports, submissions and time. Named after the
/// invariant listed in AccountingOracle's NatSpec.
contract AccountingOracleExitDataInvariantTest is Test {
    uint256 private constant OPERATORS = 3;

    ExitDataHandler private handler;
    AccountingOracle private oracle;
    OperatorRegistry private registry;

    function setUp() public {
        handler = new ExitDataHandler();
        oracle = handler.oracleUnderTest();
        registry = handler.registryUnderTest();

        targetContract(address(handler));
        // Weighted by repetition: submissions, good and bad, are most of what happens.
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = ExitDataHandler.submitNext.selector;
        selectors[1] = ExitDataHandler.submitNext.selector;
        selectors[2] = ExitDataHandler.submitNext.selector;
        selectors[3] = ExitDataHandler.submitForged.selector;
        selectors[4] = ExitDataHandler.submitForged.selector;
        selectors[5] = ExitDataHandler.report.selector;
        selectors[6] = ExitDataHandler.report.selector;
        selectors[7] = ExitDataHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev Only pages hashing to what the last report with exit data (or the page before) named went in, in order and
    /// within that report's frame: the oracle's state is the ghost's, and the registry's exit state is exactly what
    /// those pages said.
    function invariant_ExitDataOnlyAsAgreed() public view {
        assertEq(handler.violation(), "", "first broken expectation");

        IAccountingOracle.ExitDataState memory state = oracle.getExitDataState();
        uint256 pages = handler.agreedPageCount();
        uint256 applied = handler.pagesApplied();
        assertEq(state.refSlot, handler.agreedRefSlot(), "the data of the last report that named some");
        assertEq(state.pagesSubmitted, applied, "pages in");
        assertLe(applied, pages, "never more pages than agreed");
        assertEq(state.nextPageHash, applied < pages ? handler.agreedHash(applied) : bytes32(0), "next page's hash");
        assertEq(state.nextOperatorId, handler.nextOperatorId(), "next operator id");
        (uint256 frameRefSlot, ) = oracle.currentFrame();
        assertEq(
            state.pending,
            applied < pages && oracle.lastProcessedRefSlot() == state.refSlot && frameRefSlot == state.refSlot,
            "pending: pages left, of the last report, in its frame"
        );

        for (uint256 id; id < OPERATORS; ++id) {
            IOperatorRegistry.ExitState memory exits = registry.getExitState(id);
            assertEq(exits.exitedKeys, handler.ghostExited(id), "exited as the applied pages said");
            assertEq(exits.nextExitIndex, handler.ghostNextExitIndex(id), "requests as the applied pages said");
        }
    }
}
