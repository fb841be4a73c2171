// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors, IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../contracts/WithdrawalQueue.sol";
import {QueueFixture} from "./utils/QueueFixture.sol";
import {forceEther} from "./utils/StakingPoolFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev A receiver that counts the payments it gets.
contract CountingReceiver {
    uint256 public payments;
    uint256 public received;

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        ++payments;
        received += msg.value;
    }
}

/// @dev A receiver with neither `receive` nor `fallback`: every payment to it fails without a reason.
// solhint-disable-next-line no-empty-blocks
contract RejectingReceiver {}

/// @dev Owns withdrawal requests and, when the queue pays it, claims again from inside the payment: the request being
/// paid (alone and in a batch) and another of its requests. Records how each attempt ended.
contract ReentrantClaimer {
    IWithdrawalQueue private immutable QUEUE;
    uint256 public target;
    uint256 public targetHint;
    uint256 public other;
    uint256 public otherHint;

    uint256 public payments;
    uint256 public received;
    bool public reentered;
    bool public samePaidTwice;
    bool public batchPaid;
    bool public otherPaid;
    bytes public sameError;
    bytes public batchError;
    bytes public otherError;

    constructor(IWithdrawalQueue queue) {
        QUEUE = queue;
    }

    /// @dev Claims `target_` to itself; inside the payment, tries `target_` again and claims `other_`.
    function attack(uint256 target_, uint256 targetHint_, uint256 other_, uint256 otherHint_) external {
        (target, targetHint, other, otherHint) = (target_, targetHint_, other_, otherHint_);
        QUEUE.claimWithdrawal(target_, targetHint_, address(this));
    }

    /// @dev Same through `claimWithdrawals` with the target alone.
    function attackBatch(uint256 target_, uint256 targetHint_, uint256 other_, uint256 otherHint_) external {
        (target, targetHint, other, otherHint) = (target_, targetHint_, other_, otherHint_);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory hints = new uint256[](1);
        (ids[0], hints[0]) = (target_, targetHint_);
        QUEUE.claimWithdrawals(ids, hints, address(this));
    }

    // Re-entering the queue is the point of this receiver.
    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        ++payments;
        received += msg.value;
        // Only the first payment re-enters; the payment for `other` below arrives here too.
        if (reentered) return;
        reentered = true;
        try QUEUE.claimWithdrawal(target, targetHint, address(this)) {
            samePaidTwice = true;
        } catch (bytes memory reason) {
            sameError = reason;
        }
        uint256[] memory ids = new uint256[](2);
        uint256[] memory hints = new uint256[](2);
        (ids[0], hints[0], ids[1], hints[1]) = (other, otherHint, target, targetHint);
        try QUEUE.claimWithdrawals(ids, hints, address(this)) {
            batchPaid = true;
        } catch (bytes memory reason) {
            batchError = reason;
        }
        try QUEUE.claimWithdrawal(other, otherHint, address(this)) {
            otherPaid = true;
        } catch (bytes memory reason) {
            otherError = reason;
        }
    }
}

/// @dev Unit and fuzz tests of WithdrawalQueue, deployed with the whole protocol as in production: requests lock plETH,
/// real reports through the oracle committee finalize them within the pool's buffer, claims pay the current owner.
/// The pool starts each test holding 160 ether at exactly one ether per plETH: 128 staked (the depositor's, here
/// `whale`), 32 buffered (alice's 20 and bob's 11.999, plus the initial 0.001).
contract WithdrawalQueueTest is QueueFixture {
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

    address private alice;
    uint256 private aliceKey;
    address private bob;
    uint256 private bobKey;
    address private carol;
    address private stranger;
    /// @dev The fixture's depositor: 128 plETH, the ether of the staked validators.
    address private whale;

    bytes32 private pauseRole;
    bytes32 private resumeRole;

    function setUp() public {
        _deployQueueFixture();
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        carol = makeAddr("carol");
        stranger = makeAddr("stranger");
        whale = makeAddr("depositor");
        pauseRole = queue.PAUSE_ROLE();
        resumeRole = queue.RESUME_ROLE();
        _deposit(alice, 20 ether);
        _deposit(bob, 11.999 ether);
        assertEq(pool.totalPooledEther(), 160 ether, "pooled ether");
        assertEq(pool.totalSupply(), 160 ether, "plETH supply");
        assertEq(_accounting().bufferedEther, 32 ether, "buffer");
    }

    // =================================================================================================================
    // initialize, interfaces
    // =================================================================================================================

    function test_Initialize_SetsPoolAdminAndToken() public view {
        assertEq(queue.pool(), address(pool), "pool");
        assertTrue(queue.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin holds DEFAULT_ADMIN_ROLE");
        assertEq(queue.name(), "Plural Withdrawal Request", "name");
        assertEq(queue.symbol(), "plWR", "symbol");
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.lastRequestId, 0, "no request");
        assertEq(state.lastFinalizedId, 0, "nothing finalized");
        assertEq(state.lockedEther, 0, "nothing locked");
        assertEq(state.lastCheckpointIndex, 0, "no checkpoint: the first report found the queue empty");
        assertEq(queue.getCheckpoint(0).rate, 0, "checkpoint 0 is all zeros");
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        address implementation = address(new WithdrawalQueue());
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        new ERC1967Proxy(
            implementation,
            abi.encodeCall(WithdrawalQueue.initialize, (address(0), address(pool), address(emergencyPause)))
        );
    }

    function test_RevertWhen_InitializePoolIsZero() public {
        address implementation = address(new WithdrawalQueue());
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        new ERC1967Proxy(
            implementation,
            abi.encodeCall(WithdrawalQueue.initialize, (admin, address(0), address(emergencyPause)))
        );
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        WithdrawalQueue implementation = WithdrawalQueue(payable(_implementationOf(address(queue))));
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(admin, address(pool), address(emergencyPause));
    }

    function test_RevertWhen_ProxyIsInitializedTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        queue.initialize(stranger, stranger, stranger);
    }

    function test_SupportsInterface_ERC721ERC165AndAccessControl() public view {
        assertTrue(queue.supportsInterface(type(IERC721).interfaceId), "ERC-721");
        assertTrue(queue.supportsInterface(type(IERC721Metadata).interfaceId), "ERC-721 metadata");
        assertTrue(queue.supportsInterface(type(IERC165).interfaceId), "ERC-165");
        assertTrue(queue.supportsInterface(type(IAccessControl).interfaceId), "AccessControl");
        assertFalse(queue.supportsInterface(0xffffffff), "never 0xffffffff");
        assertFalse(queue.supportsInterface(type(IERC20).interfaceId), "not ERC-20");
    }

    // =================================================================================================================
    // requestWithdrawals
    // =================================================================================================================

    function test_RequestWithdrawals_MintsToTheCallerWhenOwnerIsZero() public {
        uint256 id = _request(alice, 5 ether);

        assertEq(id, 1, "ids start at 1");
        assertEq(queue.ownerOf(id), alice, "the caller owns the token");
        assertEq(queue.balanceOf(alice), 1, "alice's tokens");
        assertEq(pool.balanceOf(address(queue)), 5 ether, "plETH locked in the queue");
        assertEq(pool.balanceOf(alice), 15 ether, "alice's plETH");
        assertEq(pool.allowance(alice, address(queue)), 0, "allowance used");
        IWithdrawalQueue.RequestStatus memory status = _status(id);
        assertEq(status.shares, 5 ether, "status: shares");
        assertEq(status.etherAtRequest, 5 ether, "status: ether at request");
        assertEq(status.owner, alice, "status: owner");
        assertEq(status.timestamp, block.timestamp, "status: timestamp");
        assertFalse(status.finalized, "status: not finalized");
        assertFalse(status.claimed, "status: not claimed");
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.lastRequestId, 1, "lastRequestId");
        assertEq(state.unfinalizedEther, 5 ether, "unfinalizedEther");
        assertEq(state.unfinalizedShares, 5 ether, "unfinalizedShares");
        assertEq(queue.unfinalizedEther(), 5 ether, "unfinalizedEther()");
    }

    function test_RequestWithdrawals_MintsToTheGivenOwner() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (2 ether, 3 ether);
        uint256[] memory ids = _requestMany(alice, amounts, bob);

        assertEq(ids.length, 2, "two ids");
        assertEq(ids[0], 1, "first id");
        assertEq(ids[1], 2, "second id");
        assertEq(queue.ownerOf(1), bob, "bob owns the first");
        assertEq(queue.ownerOf(2), bob, "bob owns the second");
        assertEq(queue.balanceOf(alice), 0, "alice owns no token");
        assertEq(pool.balanceOf(alice), 15 ether, "alice paid the plETH");
        assertEq(pool.balanceOf(bob), 11.999 ether, "bob's plETH untouched");
        assertEq(pool.balanceOf(address(queue)), 5 ether, "plETH locked");
    }

    function test_RequestWithdrawals_KeepsRunningTotalsAtTheCurrentRate() public {
        // A report with rewards first, so that a plETH is worth more than an ether and values round.
        _reportQueue(int256(_maxGainOneFrame()), false);
        assertGt(_poolRate(), RATE_PRECISION, "the rate rose");
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (1 ether + 1, 2.5 ether);
        uint256 value0 = pool.convertToAssets(amounts[0]);
        uint256 value1 = pool.convertToAssets(amounts[1]);
        _requestMany(alice, amounts, address(0));
        uint256 value2 = pool.convertToAssets(3 ether);
        _request(bob, 3 ether);

        uint256[] memory ids = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (1, 2, 3);
        IWithdrawalQueue.RequestStatus[] memory statuses = queue.getRequestStatus(ids);
        assertEq(statuses[0].shares, 1 ether + 1, "request 1: shares");
        assertEq(statuses[0].etherAtRequest, value0, "request 1: its value then");
        assertEq(statuses[1].shares, 2.5 ether, "request 2: shares");
        assertEq(statuses[1].etherAtRequest, value1, "request 2: its value then");
        assertEq(statuses[2].shares, 3 ether, "request 3: shares");
        assertEq(statuses[2].etherAtRequest, value2, "request 3: its value then");
        assertGt(value1, 2.5 ether, "worth more than its plETH in ether");
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.lastRequestId, 3, "lastRequestId");
        assertEq(state.unfinalizedEther, value0 + value1 + value2, "unfinalizedEther = sum of values");
        assertEq(state.unfinalizedShares, 6.5 ether + 1, "unfinalizedShares = sum of plETH");
        assertEq(pool.balanceOf(address(queue)), 6.5 ether + 1, "queue's plETH");
    }

    function test_RequestWithdrawals_EmitsEventsWithValues() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (2 ether, 3 ether);
        vm.prank(alice);
        pool.approve(address(queue), 5 ether);

        vm.expectEmit(true, true, true, true, address(queue));
        emit IERC721.Transfer(address(0), bob, 1);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalRequested(1, bob, 2 ether, 2 ether);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IERC721.Transfer(address(0), bob, 2);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalRequested(2, bob, 3 ether, 3 ether);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(alice, address(queue), 5 ether);
        vm.prank(alice);
        queue.requestWithdrawals(amounts, bob);
    }

    function test_RequestWithdrawals_AcceptsTheMinimumAndTheMaximum() public {
        _deposit(alice, 1000 ether);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (MIN_REQUEST, MAX_REQUEST);
        uint256[] memory ids = _requestMany(alice, amounts, address(0));
        assertEq(_status(ids[0]).etherAtRequest, MIN_REQUEST, "the minimum");
        assertEq(_status(ids[1]).etherAtRequest, MAX_REQUEST, "the maximum");
    }

    function test_RevertWhen_RequestWithdrawalsHasNoAmounts() public {
        vm.expectRevert(IWithdrawalQueue.NoRequests.selector);
        vm.prank(alice);
        queue.requestWithdrawals(new uint256[](0), address(0));
    }

    function test_RevertWhen_RequestIsWorthLessThanTheMinimum() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = MIN_REQUEST - 1;
        vm.prank(alice);
        pool.approve(address(queue), 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooSmall.selector, MIN_REQUEST - 1, MIN_REQUEST)
        );
        vm.prank(alice);
        queue.requestWithdrawals(amounts, address(0));
    }

    function test_RevertWhen_RequestIsWorthMoreThanTheMaximum() public {
        _deposit(alice, 1000 ether);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = MAX_REQUEST + 1;
        vm.prank(alice);
        pool.approve(address(queue), MAX_REQUEST + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooLarge.selector, MAX_REQUEST + 1, MAX_REQUEST)
        );
        vm.prank(alice);
        queue.requestWithdrawals(amounts, address(0));
    }

    function test_RevertWhen_OneAmountOfTheBatchIsInvalid() public {
        uint256[] memory amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (1 ether, 2 ether, 0);
        vm.prank(alice);
        pool.approve(address(queue), 3 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestTooSmall.selector, 0, MIN_REQUEST));
        vm.prank(alice);
        queue.requestWithdrawals(amounts, address(0));
        assertEq(_queueState().lastRequestId, 0, "no request left behind");
        assertEq(pool.balanceOf(alice), 20 ether, "no plETH taken");
    }

    function test_RevertWhen_RequestWithdrawalsAllowanceIsShort() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 2 ether;
        vm.prank(alice);
        pool.approve(address(queue), 2 ether - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(queue),
                2 ether - 1,
                2 ether
            )
        );
        vm.prank(alice);
        queue.requestWithdrawals(amounts, address(0));
    }

    function test_RevertWhen_RequestWithdrawalsBalanceIsShort() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (15 ether, 5 ether + 1);
        vm.prank(alice);
        pool.approve(address(queue), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 20 ether, 20 ether + 1)
        );
        vm.prank(alice);
        queue.requestWithdrawals(amounts, address(0));
    }

    // =================================================================================================================
    // requestWithdrawalsWithPermit
    // =================================================================================================================

    function test_RequestWithdrawalsWithPermit_TakesThePlETHInOneTransaction() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (4 ether, 6 ether);
        IWithdrawalQueue.PermitInput memory permit = _permit(aliceKey, alice, 10 ether, block.timestamp + 1 hours);
        assertEq(pool.allowance(alice, address(queue)), 0, "no allowance before");

        vm.prank(alice);
        uint256[] memory ids = queue.requestWithdrawalsWithPermit(amounts, address(0), permit);

        assertEq(ids[1], 2, "two requests");
        assertEq(queue.ownerOf(2), alice, "alice owns them");
        assertEq(pool.nonces(alice), 1, "the permit was used");
        assertEq(pool.allowance(alice, address(queue)), 0, "the permit's allowance was spent");
        assertEq(pool.balanceOf(address(queue)), 10 ether, "plETH locked");
    }

    function test_RequestWithdrawalsWithPermit_GoesOnWhenThePermitWasFrontRun() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 4 ether;
        IWithdrawalQueue.PermitInput memory permit = _permit(aliceKey, alice, 4 ether, block.timestamp + 1 hours);
        // Someone copies the permit from the mempool and submits it first.
        vm.prank(stranger);
        pool.permit(alice, address(queue), permit.value, permit.deadline, permit.v, permit.r, permit.s);

        vm.prank(alice);
        uint256[] memory ids = queue.requestWithdrawalsWithPermit(amounts, bob, permit);

        assertEq(queue.ownerOf(ids[0]), bob, "the request went through");
        assertEq(pool.nonces(alice), 1, "the permit was used once");
        assertEq(pool.balanceOf(address(queue)), 4 ether, "plETH locked");
    }

    function test_RevertWhen_RequestWithdrawalsWithPermitIsInvalidAndThereIsNoAllowance() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 4 ether;
        // Signed by bob for alice's plETH: the permit fails, and nothing else allows the queue.
        IWithdrawalQueue.PermitInput memory permit = _permit(bobKey, alice, 4 ether, block.timestamp + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(queue), 0, 4 ether)
        );
        vm.prank(alice);
        queue.requestWithdrawalsWithPermit(amounts, address(0), permit);
    }

    function test_RevertWhen_RequestWithdrawalsWithPermitHasExpired() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 4 ether;
        IWithdrawalQueue.PermitInput memory permit = _permit(aliceKey, alice, 4 ether, block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(queue), 0, 4 ether)
        );
        vm.prank(alice);
        queue.requestWithdrawalsWithPermit(amounts, address(0), permit);
    }

    // =================================================================================================================
    // finalization by reports
    // =================================================================================================================

    function test_Report_FinalizesRequestsMadeByTheReferenceSlotAtThePostFeeRate() public {
        _request(alice, 10 ether);
        _request(bob, 5 ether);
        uint256 refSlot = _warpToNextFrame();
        uint256 gain = _maxGainOneFrame();
        IAccountingOracle.Report memory report = _queueReport(refSlot, int256(gain), 2, false);
        // The post-fee totals: the rewards are in, the fee shares minted (holders keep 90 % of the rewards).
        uint256 postEther = 160 ether + gain;
        uint256 feeShares = Math.mulDiv(gain * 1_000, 160 ether, postEther * 10_000 - gain * 1_000);
        uint256 postShares = 160 ether + feeShares;
        uint256 rate = Math.mulDiv(postEther, RATE_PRECISION, postShares);
        assertGt(rate, RATE_PRECISION, "the post-fee rate rose");

        _firstVote(report);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(1, 2, 15 ether, 15 ether, 1);
        _secondVote(report);

        IWithdrawalQueue.Checkpoint memory checkpoint = queue.getCheckpoint(1);
        assertEq(checkpoint.lastRequestId, 2, "checkpoint: end of the period");
        assertEq(checkpoint.lastFinalizedId, 2, "checkpoint: finalized bound");
        assertEq(checkpoint.rate, rate, "checkpoint: the post-fee rate");
        assertEq(checkpoint.timestamp, block.timestamp, "checkpoint: when applied");
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.lastFinalizedId, 2, "lastFinalizedId");
        assertEq(state.lockedEther, 15 ether, "lockedEther: the values at request");
        assertEq(state.unfinalizedEther, 0, "nothing unfinalized");
        assertEq(state.lastCheckpointIndex, 1, "one checkpoint");
        assertEq(address(queue).balance, 15 ether, "the queue holds the locked ether");
        assertEq(pool.balanceOf(address(queue)), 0, "the requests' plETH burned");
        assertEq(pool.totalSupply(), postShares - 15 ether, "supply after the burn");
        assertEq(pool.totalPooledEther(), postEther - 15 ether, "pooled ether after the payment");
        assertEq(_accounting().bufferedEther, 32 ether - 15 ether, "paid from the buffer");
        assertTrue(_status(1).finalized && _status(2).finalized, "both finalized");
    }

    function test_Report_RequestMadeAfterTheReferenceSlotWaitsForTheNextReport() public {
        _request(alice, 1 ether);
        uint256 refSlot = _warpToNextFrame();
        _request(bob, 1 ether); // after the reference slot
        _submitByQuorum(_queueReport(refSlot, 0, _lastRequestAt(_refTime(refSlot)), false));

        assertEq(_queueState().lastFinalizedId, 1, "only the request made by the reference slot");
        assertFalse(_status(2).finalized, "the later one waits");
        assertEq(queue.unfinalizedEther(), 1 ether, "it stays reserved");
        assertEq(queue.getCheckpoint(1).lastRequestId, 2, "its rate period closed with this report");

        _reportQueue(0, false);
        assertEq(_queueState().lastFinalizedId, 2, "the next report finalizes it");
        assertEq(_hint(2), 2, "by the second checkpoint");
    }

    function test_RevertWhen_ReportFinalizesARequestMadeAfterTheReferenceSlot() public {
        _request(alice, 1 ether);
        uint256 refSlot = _warpToNextFrame();
        _request(bob, 1 ether);
        IAccountingOracle.Report memory report = _queueReport(refSlot, 0, 2, false);

        _firstVote(report);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationBound.selector, 2, 2, _refTime(refSlot))
        );
        _secondVote(report);

        // The honest bound applies.
        report.lastFinalizableRequestId = 1;
        vm.prank(oracleMembers[2]);
        oracle.submitReport(report);
        _secondVote(report);
        assertEq(_queueState().lastFinalizedId, 1, "finalized up to the honest bound");
    }

    function test_RevertWhen_ReportFinalizationBoundIsAboveTheLastRequest() public {
        _request(alice, 1 ether);
        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _queueReport(refSlot, 0, 2, false);
        _firstVote(report);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationBound.selector, 2, 1, _refTime(refSlot))
        );
        _secondVote(report);
    }

    function test_Report_BelowTheFinalizedBoundFinalizesNothing() public {
        _request(alice, 1 ether);
        _reportQueue(0, false);
        _request(alice, 1 ether);
        _reportQueueWithBound(0, 1); // a bound already reached: nothing to do, and no bound check either
        assertEq(_queueState().lastFinalizedId, 1, "nothing more finalized");
        assertEq(_queueState().lastCheckpointIndex, 2, "the new request's period closed");
    }

    function test_Report_BunkerModeFinalizesNothing() public {
        _request(alice, 10 ether);
        vm.recordLogs();
        _reportQueue(-1 ether, true);

        assertEq(_countFinalizedEvents(), 0, "no WithdrawalsFinalized");
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.lastFinalizedId, 0, "nothing finalized");
        assertEq(state.lockedEther, 0, "nothing locked");
        assertEq(state.lastCheckpointIndex, 1, "the report still closes the rate period");
        assertEq(queue.getCheckpoint(1).lastRequestId, 1, "checkpoint: end of the period");
        assertEq(queue.getCheckpoint(1).lastFinalizedId, 0, "checkpoint: nothing finalized");
        assertEq(_accounting().bufferedEther, 32 ether, "the buffer untouched");
        assertEq(pool.balanceOf(address(queue)), 10 ether, "the plETH still in the queue, bearing the loss");

        vm.recordLogs();
        _reportQueue(0, false);
        assertEq(_countFinalizedEvents(), 1, "one WithdrawalsFinalized once bunker mode ends");
        assertEq(_queueState().lastFinalizedId, 1, "finalized once bunker mode ends");
        assertEq(_hint(1), 2, "by the second checkpoint");
    }

    function test_Report_FinalizesTheLongestPrefixTheBufferPays() public {
        uint256[] memory amounts = new uint256[](4);
        (amounts[0], amounts[1], amounts[2], amounts[3]) = (10 ether, 10 ether, 15 ether, 1 ether);
        _requestMany(whale, amounts, address(0));

        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _queueReport(refSlot, 0, 4, false);
        _firstVote(report);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(1, 2, 20 ether, 20 ether, 1);
        _secondVote(report);

        // 12 ether left: not the 15 of request 3, and request 4 does not jump the queue.
        assertEq(_queueState().lastFinalizedId, 2, "the longest prefix the buffer pays");
        assertEq(_queueState().lockedEther, 20 ether, "its ether");
        assertEq(_accounting().bufferedEther, 12 ether, "the rest of the buffer");
        assertEq(queue.unfinalizedEther(), 16 ether, "requests 3 and 4 stay reserved");
        assertEq(queue.getCheckpoint(1).lastRequestId, 4, "the period holds all four");

        _deposit(carol, 4 ether); // the buffer now pays the rest exactly
        refSlot = _warpToNextFrame();
        report = _queueReport(refSlot, 0, 4, false);
        _firstVote(report);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(3, 4, 16 ether, 16 ether, 2);
        _secondVote(report);
        assertEq(_accounting().bufferedEther, 0, "the buffer emptied");
        assertEq(_hint(1), 1, "request 1: first checkpoint");
        assertEq(_hint(3), 2, "request 3: second checkpoint");
        assertEq(_hint(4), 2, "request 4: second checkpoint");
    }

    function test_Report_EmptyBufferFinalizesNothing() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (16 ether, 16 ether);
        _requestMany(whale, amounts, address(0));
        _reportQueue(0, false); // takes the whole buffer
        assertEq(_accounting().bufferedEther, 0, "buffer empty");
        _request(whale, 1 ether);

        _reportQueue(0, false);
        assertEq(_queueState().lastFinalizedId, 2, "nothing more");
        assertEq(_queueState().lastCheckpointIndex, 2, "the period of request 3 closed all the same");
        assertEq(queue.getCheckpoint(2).lastFinalizedId, 2, "checkpoint 2 finalized nothing");
    }

    function test_Report_BufferRunsOutInsideALaterPeriod() public {
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (10 ether, 10 ether);
        _requestMany(whale, amounts, address(0)); // period 1: requests 1-2
        _reportQueue(0, true);
        amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (10 ether, 5 ether, 5 ether);
        _requestMany(whale, amounts, address(0)); // period 2: requests 3-5

        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _queueReport(refSlot, 0, 5, false);
        _firstVote(report);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(1, 3, 30 ether, 30 ether, 2);
        _secondVote(report);
        assertEq(_queueState().lastFinalizedId, 3, "all of period 1 and the start of period 2");
        assertEq(queue.getCheckpoint(2).lastRequestId, 5, "checkpoint 2 ends period 2");

        _deposit(carol, 10 ether);
        _reportQueue(-1.6 ether, false); // a loss: the rest of period 2 pays at 138.4 ether over 140 plETH
        uint256 rate = queue.getCheckpoint(3).rate;
        assertEq(rate, Math.mulDiv(138.4 ether, RATE_PRECISION, 140 ether), "the finalizing rate");
        assertEq(_queueState().lastFinalizedId, 5, "the rest");
        assertEq(_claimable(4), Math.mulDiv(5 ether, rate, RATE_PRECISION), "request 4 at the later rate");
        assertEq(_claimable(3), 10 ether, "request 3 at its value at request");
        assertEq(_hint(2), 2, "request 2: checkpoint 2");
        assertEq(_hint(5), 3, "request 5: checkpoint 3");
    }

    function test_Report_FinalizesManyRequestsAsOneRange() public {
        uint256[] memory amounts = new uint256[](100);
        for (uint256 i; i < 100; ++i) amounts[i] = 0.3 ether;
        uint256[] memory ids = _requestMany(whale, amounts, address(0));

        uint256 refSlot = _warpToNextFrame();
        IAccountingOracle.Report memory report = _queueReport(refSlot, 0, 100, false);
        _firstVote(report);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(1, 100, 30 ether, 30 ether, 1);
        _secondVote(report);

        uint256[] memory hints = queue.findCheckpointHints(ids, 1, 1);
        uint256 before = whale.balance;
        vm.prank(whale);
        queue.claimWithdrawals(ids, hints, whale);
        assertEq(whale.balance - before, 30 ether, "every request paid");
        assertEq(_queueState().lockedEther, 0, "nothing left locked");
    }

    function test_Report_WalksAtMostMaxPeriodsPerReport() public {
        uint256 periods = MAX_PERIODS_PER_REPORT + 1;
        for (uint256 i; i < periods; ++i) {
            _request(whale, 0.1 ether);
            _reportQueue(0, true);
        }
        assertEq(_queueState().lastCheckpointIndex, periods, "one checkpoint per period");

        _reportQueue(0, false);
        assertEq(_queueState().lastFinalizedId, MAX_PERIODS_PER_REPORT, "one report walks at most 64 periods");
        assertEq(queue.unfinalizedEther(), 0.1 ether, "the last period waits");
        _reportQueue(0, false);
        assertEq(_queueState().lastFinalizedId, periods, "the next report finalizes the rest");
        assertEq(_hint(periods), periods + 2, "by the newest checkpoint");
    }

    function test_Report_WithNothingQueuedRecordsNoCheckpoint() public {
        _reportQueue(0, false);
        assertEq(_queueState().lastCheckpointIndex, 0, "no request: the pool does not call the queue");

        _request(alice, 1 ether);
        _reportQueue(0, false);
        _claim(alice, 1, alice);
        _reportQueue(0, false);
        assertEq(_queueState().lastCheckpointIndex, 1, "everything finalized: no new checkpoint");
    }

    function test_Report_WithNoNewRequestAndNothingFinalizedRecordsNoCheckpoint() public {
        _request(alice, 1 ether);
        _reportQueue(0, true);
        _reportQueue(0, true);
        assertEq(_queueState().lastCheckpointIndex, 1, "the second bunker report had nothing to record");
    }

    // =================================================================================================================
    // pricing: min(value at request, plETH at the finalizing rate)
    // =================================================================================================================

    function test_Pricing_RewardsBeforeFinalizationStayWithHolders() public {
        uint256 id = _request(alice, 10 ether);
        uint256 gain = _maxGainOneFrame();
        _reportQueue(int256(gain), false);

        uint256 paid = _claim(alice, id, alice);
        assertEq(paid, 10 ether, "the request pays its value at request, no rewards");
        assertEq(pool.totalPooledEther(), 160 ether + gain - 10 ether, "all the rewards stayed in the pool");
        // Had the request shared the rewards, bob would have 90 % of them pro rata over 160 plETH; he has more.
        uint256 sharedValue = 11.999 ether + (gain * 9 * 11.999 ether) / (10 * 160 ether);
        assertGt(_valueOf(bob), sharedValue, "bob got part of the request's rewards");
        assertGt(_poolRate(), queue.getCheckpoint(1).rate, "the rate rose with the finalization");
    }

    function test_Pricing_SlashingBeforeFinalizationDiscountsTheRequest() public {
        uint256 id = _request(alice, 10 ether);
        assertEq(_status(id).etherAtRequest, 10 ether, "worth 10 ether when made");

        // 1.6 ether lost on the beacon chain: 158.4 ether for 160 plETH, 0.99 ether each.
        _reportQueue(-1.6 ether, false);

        assertEq(queue.getCheckpoint(1).rate, 0.99e27, "finalizing rate");
        assertEq(_claimable(id), 9.9 ether, "the request bears its part of the loss");
        assertEq(_queueState().lockedEther, 9.9 ether, "locked");
        assertEq(_claim(alice, id, alice), 9.9 ether, "paid");
        assertEq(pool.totalPooledEther(), 148.5 ether, "pooled ether: 160 - 1.6 - 9.9");
        assertEq(pool.totalSupply(), 150 ether, "supply: 160 - 10");
        assertEq(_valueOf(bob), 11.87901 ether, "bob lost exactly 1 % too, no more");
    }

    function test_Pricing_LaterFinalizationTakesTheLaterLoss() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(-1.6 ether, true); // bunker: 0.99, not finalized
        _reportQueue(-0.8 ether, false); // 157.6 ether for 160 plETH: 0.985

        assertEq(queue.getCheckpoint(2).rate, 0.985e27, "finalizing rate");
        assertEq(_claim(alice, id, alice), 9.85 ether, "priced at the rate of the report that finalized it");
    }

    function test_Pricing_LossAfterFinalizationLeavesTheLockedEther() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        _reportQueue(-2 ether, false);
        assertEq(_claim(alice, id, alice), 10 ether, "finalized before the loss: paid in full");
    }

    function test_Pricing_RequestAfterALossIsWorthItsPlETHThen() public {
        _reportQueue(-1.6 ether, false); // 0.99 ether per plETH
        uint256 id = _request(alice, 10 ether);
        assertEq(_status(id).etherAtRequest, 9.9 ether, "worth 9.9 ether when made");
        _reportQueue(int256(_maxGainOneFrame()), false);
        assertEq(_claim(alice, id, alice), 9.9 ether, "the rewards since stay with the holders");
    }

    // =================================================================================================================
    // claimWithdrawal
    // =================================================================================================================

    function test_ClaimWithdrawal_PaysTheReceiverAndBurnsTheToken() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        uint256 aliceBalance = alice.balance;

        vm.expectEmit(true, true, true, true, address(queue));
        emit IERC721.Transfer(alice, address(0), id);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalClaimed(id, alice, carol, 10 ether);
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, carol);

        assertEq(carol.balance, 10 ether, "the receiver got the ether");
        assertEq(alice.balance, aliceBalance, "not the owner");
        assertEq(address(queue).balance, 0, "the queue paid it out");
        assertEq(_queueState().lockedEther, 0, "nothing locked");
        assertEq(queue.balanceOf(alice), 0, "alice holds no token");
        IWithdrawalQueue.RequestStatus memory status = _status(id);
        assertTrue(status.claimed, "status: claimed");
        assertEq(status.owner, address(0), "status: no owner");
        assertEq(_claimable(id), 0, "nothing claimable any more");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id));
        queue.ownerOf(id);
    }

    function test_ClaimWithdrawal_NewOwnerClaimsAfterATransfer() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        vm.prank(alice);
        queue.transferFrom(alice, bob, id);

        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, alice, bob));
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, alice);

        uint256 before = bob.balance;
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalClaimed(id, bob, bob, 10 ether);
        vm.prank(bob);
        queue.claimWithdrawal(id, 1, bob);
        assertEq(bob.balance - before, 10 ether, "the new owner is paid");
    }

    function test_ClaimWithdrawal_TransferredBeforeFinalization() public {
        uint256 id = _request(alice, 10 ether);
        vm.prank(alice);
        queue.safeTransferFrom(alice, bob, id);
        _reportQueue(0, false);
        assertEq(_claim(bob, id, carol), 10 ether, "bob claims to carol");
    }

    function test_RevertWhen_ClaimerIsApprovedButNotTheOwner() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        vm.startPrank(alice);
        queue.approve(carol, id);
        queue.setApprovalForAll(stranger, true);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, carol, alice));
        vm.prank(carol);
        queue.claimWithdrawal(id, 1, carol);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, stranger, alice));
        vm.prank(stranger);
        queue.claimWithdrawal(id, 1, stranger);
    }

    function test_RevertWhen_ClaimWithdrawalIsNotFinalized() public {
        uint256 id = _request(alice, 10 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFinalized.selector, id));
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, alice);

        _reportQueue(0, true);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFinalized.selector, id));
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, alice);
    }

    function test_RevertWhen_ClaimWithdrawalIsClaimedTwice() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        _claim(alice, id, alice);

        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, id));
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, alice);
    }

    function test_RevertWhen_ClaimWithdrawalRequestDoesNotExist() public {
        _request(alice, 10 ether);
        _reportQueue(0, false);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFound.selector, 0));
        vm.prank(alice);
        queue.claimWithdrawal(0, 1, alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFound.selector, 2));
        vm.prank(alice);
        queue.claimWithdrawal(2, 1, alice);
    }

    function test_RevertWhen_ClaimWithdrawalHintIsWrong() public {
        _request(alice, 5 ether);
        _reportQueue(0, false); // checkpoint 1 finalizes request 1
        _request(alice, 5 ether);
        _reportQueue(0, true); // checkpoint 2 closes request 2's period, finalizes nothing
        _reportQueue(0, false); // checkpoint 3 finalizes request 2
        assertEq(_hint(2), 3, "the right hint");

        uint256[5] memory wrong = [uint256(0), 1, 2, 4, type(uint256).max];
        for (uint256 i; i < wrong.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, 2, wrong[i]));
            vm.prank(alice);
            queue.claimWithdrawal(2, wrong[i], alice);
        }
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, 1, 3));
        vm.prank(alice);
        queue.claimWithdrawal(1, 3, alice);

        assertEq(_claim(alice, 2, alice), 5 ether, "the right hint pays");
    }

    function test_RevertWhen_ClaimWithdrawalReceiverIsZero() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, address(0));
    }

    function test_RevertWhen_ReceiverRejectsEther_NothingChanges() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        address rejecting = address(new RejectingReceiver());

        vm.expectRevert(Errors.FailedCall.selector);
        vm.prank(alice);
        queue.claimWithdrawal(id, 1, rejecting);

        assertEq(queue.ownerOf(id), alice, "alice still owns the request");
        assertEq(_queueState().lockedEther, 10 ether, "still locked");
        assertEq(address(queue).balance, 10 ether, "still held");
        assertEq(_claimable(id), 10 ether, "still claimable");
        assertEq(_claim(alice, id, alice), 10 ether, "claimable to an address that takes ether");
    }

    // =================================================================================================================
    // claimWithdrawals
    // =================================================================================================================

    function test_ClaimWithdrawals_PaysManyInOneTransfer() public {
        uint256[] memory amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (1 ether, 2 ether, 3 ether);
        uint256[] memory ids = _requestMany(alice, amounts, address(0));
        _reportQueue(0, true);
        _request(alice, 4 ether);
        _reportQueue(-1.6 ether, false); // all four at 0.99
        ids = new uint256[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (1, 2, 3, 4);
        uint256[] memory hints = queue.findCheckpointHints(ids, 1, _queueState().lastCheckpointIndex);
        CountingReceiver receiver = new CountingReceiver();

        for (uint256 i; i < 4; ++i) {
            vm.expectEmit(true, true, true, true, address(queue));
            emit IWithdrawalQueue.WithdrawalClaimed(ids[i], alice, address(receiver), (i + 1) * 0.99 ether);
        }
        vm.prank(alice);
        queue.claimWithdrawals(ids, hints, address(receiver));

        assertEq(receiver.payments(), 1, "one transfer");
        assertEq(receiver.received(), 9.9 ether, "the sum of the claims");
        assertEq(_queueState().lockedEther, 0, "nothing left locked");
        assertEq(queue.balanceOf(alice), 0, "every token burned");
    }

    function test_RevertWhen_ClaimWithdrawalsLengthsDiffer() public {
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.LengthMismatch.selector, 2, 1));
        vm.prank(alice);
        queue.claimWithdrawals(new uint256[](2), new uint256[](1), alice);
    }

    function test_RevertWhen_ClaimWithdrawalsListIsEmpty() public {
        vm.expectRevert(IWithdrawalQueue.NoRequests.selector);
        vm.prank(alice);
        queue.claimWithdrawals(new uint256[](0), new uint256[](0), alice);
    }

    function test_RevertWhen_ClaimWithdrawalsReceiverIsZero() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory hints = new uint256[](1);
        (ids[0], hints[0]) = (id, 1);
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        vm.prank(alice);
        queue.claimWithdrawals(ids, hints, address(0));
    }

    function test_RevertWhen_ClaimWithdrawalsRepeatsARequest() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory hints = new uint256[](2);
        (ids[0], ids[1], hints[0], hints[1]) = (id, id, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, id));
        vm.prank(alice);
        queue.claimWithdrawals(ids, hints, alice);
        assertEq(queue.ownerOf(id), alice, "nothing claimed");
    }

    function test_RevertWhen_ClaimWithdrawalsIncludesAnotherOwnersRequest() public {
        _request(alice, 10 ether);
        _request(bob, 1 ether);
        _reportQueue(0, false);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory hints = new uint256[](2);
        (ids[0], ids[1], hints[0], hints[1]) = (1, 2, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, alice, bob));
        vm.prank(alice);
        queue.claimWithdrawals(ids, hints, alice);
    }

    function test_RevertWhen_ClaimWithdrawalsIncludesAnUnfinalizedRequest() public {
        _request(alice, 1 ether);
        _reportQueue(0, false);
        _request(alice, 1 ether);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory hints = new uint256[](2);
        (ids[0], ids[1], hints[0], hints[1]) = (1, 2, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFinalized.selector, 2));
        vm.prank(alice);
        queue.claimWithdrawals(ids, hints, alice);
    }

    // =================================================================================================================
    // reentrancy
    // =================================================================================================================

    function test_ClaimWithdrawal_ReentrantReceiverCannotClaimTwice() public {
        ReentrantClaimer attacker = new ReentrantClaimer(IWithdrawalQueue(address(queue)));
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (3 ether, 4 ether);
        _requestMany(alice, amounts, address(attacker));
        _request(bob, 5 ether); // someone else's ether sits in the queue too
        _reportQueue(0, false);

        attacker.attack(1, 1, 2, 1);

        assertFalse(attacker.samePaidTwice(), "the same request was not paid again");
        assertEq(
            attacker.sameError(),
            abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, 1),
            "the reentrant claim was refused"
        );
        assertFalse(attacker.batchPaid(), "a batch with the paid request was refused as a whole");
        assertEq(
            attacker.batchError(),
            abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, 1),
            "the batch's refusal"
        );
        assertTrue(attacker.otherPaid(), "its other request, claimed once, was paid");
        assertEq(attacker.payments(), 2, "two payments");
        assertEq(attacker.received(), 7 ether, "each request paid once: 3 + 4");
        assertEq(_queueState().lockedEther, 5 ether, "bob's request untouched");
        assertEq(address(queue).balance, 5 ether, "the queue still holds bob's ether");
        assertEq(_claim(bob, 3, bob), 5 ether, "bob is paid in full");
    }

    function test_ClaimWithdrawals_ReentrantReceiverCannotClaimTwice() public {
        ReentrantClaimer attacker = new ReentrantClaimer(IWithdrawalQueue(address(queue)));
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (3 ether, 4 ether);
        _requestMany(alice, amounts, address(attacker));
        _request(bob, 5 ether);
        _reportQueue(0, false);

        attacker.attackBatch(1, 1, 2, 1);

        assertFalse(attacker.samePaidTwice(), "the same request was not paid again");
        assertFalse(attacker.batchPaid(), "the batch with it was refused");
        assertTrue(attacker.otherPaid(), "the other request paid once");
        assertEq(attacker.received(), 7 ether, "each request paid once");
        assertEq(_queueState().lockedEther, 5 ether, "bob's request untouched");
    }

    // =================================================================================================================
    // views
    // =================================================================================================================

    function test_GetQueueState_FollowsRequestsFinalizationAndClaims() public {
        _request(alice, 10 ether);
        _request(bob, 5 ether);
        _reportQueue(-1.6 ether, true);
        IWithdrawalQueue.QueueState memory state = _queueState();
        assertEq(state.unfinalizedEther, 15 ether, "unfinalizedEther: values at request, not after the loss");
        assertEq(queue.unfinalizedEther(), 15 ether, "unfinalizedEther()");
        assertEq(state.unfinalizedShares, 15 ether, "unfinalizedShares");
        assertEq(state.lastCheckpointIndex, 1, "lastCheckpointIndex");

        _request(alice, 2 ether); // worth 1.98 ether now
        _reportQueueWithBound(0, 2);
        state = _queueState();
        assertEq(state.lastRequestId, 3, "lastRequestId");
        assertEq(state.lastFinalizedId, 2, "lastFinalizedId");
        assertEq(state.lockedEther, 14.85 ether, "lockedEther: 15 plETH at 0.99");
        assertEq(state.unfinalizedEther, 1.98 ether, "unfinalizedEther: request 3");
        assertEq(state.unfinalizedShares, 2 ether, "unfinalizedShares: request 3");
        assertEq(state.lastCheckpointIndex, 2, "lastCheckpointIndex");

        _claim(alice, 1, alice);
        assertEq(_queueState().lockedEther, 4.95 ether, "lockedEther after a claim");
    }

    function test_GetRequestStatus_ReportsEachRequest() public {
        _request(alice, 1 ether);
        uint256 firstTime = block.timestamp;
        _reportQueue(0, false);
        _request(bob, 2 ether);
        _claim(alice, 1, carol);
        uint256[] memory ids = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (2, 1, 2);

        IWithdrawalQueue.RequestStatus[] memory statuses = queue.getRequestStatus(ids);
        assertEq(statuses.length, 3, "one status per id, repeats included");
        assertEq(statuses[0].shares, 2 ether, "request 2: shares");
        assertEq(statuses[0].owner, bob, "request 2: owner");
        assertEq(statuses[0].timestamp, block.timestamp, "request 2: timestamp");
        assertFalse(statuses[0].finalized, "request 2: not finalized");
        assertFalse(statuses[0].claimed, "request 2: not claimed");
        assertEq(statuses[1].etherAtRequest, 1 ether, "request 1: value at request");
        assertEq(statuses[1].owner, address(0), "request 1: no owner once claimed");
        assertEq(statuses[1].timestamp, firstTime, "request 1: timestamp");
        assertTrue(statuses[1].finalized, "request 1: finalized");
        assertTrue(statuses[1].claimed, "request 1: claimed");
        assertEq(statuses[2].shares, statuses[0].shares, "a repeated id");
    }

    function test_RevertWhen_GetRequestStatusIdDoesNotExist() public {
        _request(alice, 1 ether);
        uint256[] memory ids = new uint256[](2);
        (ids[0], ids[1]) = (1, 2);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFound.selector, 2));
        queue.getRequestStatus(ids);
        ids[1] = 0;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFound.selector, 0));
        queue.getRequestStatus(ids);
    }

    function test_GetClaimableEther_ZeroUnlessFinalizedAndUnclaimed() public {
        _request(alice, 1 ether);
        _request(alice, 2 ether);
        _reportQueueWithBound(-1.6 ether, 1);
        _request(alice, 3 ether);
        uint256[] memory ids = new uint256[](3);
        uint256[] memory hints = new uint256[](3);
        (ids[0], ids[1], ids[2]) = (1, 2, 3);
        hints[0] = 1; // requests 2 and 3 are not finalized: their hints are not read

        uint256[] memory amounts = queue.getClaimableEther(ids, hints);
        assertEq(amounts[0], 0.99 ether, "finalized at 0.99");
        assertEq(amounts[1], 0, "not finalized");
        assertEq(amounts[2], 0, "not finalized either");

        _claim(alice, 1, alice);
        assertEq(queue.getClaimableEther(ids, hints)[0], 0, "claimed");
    }

    function test_RevertWhen_GetClaimableEtherArgumentsAreWrong() public {
        _request(alice, 1 ether);
        _reportQueue(0, false);
        uint256[] memory ids = new uint256[](1);
        uint256[] memory hints = new uint256[](1);
        ids[0] = 1;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, 1, 0));
        queue.getClaimableEther(ids, hints);
        hints[0] = 2;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, 1, 2));
        queue.getClaimableEther(ids, hints);
        ids[0] = 2;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFound.selector, 2));
        queue.getClaimableEther(ids, hints);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.LengthMismatch.selector, 1, 2));
        queue.getClaimableEther(ids, new uint256[](2));
    }

    function test_FindCheckpointHints_FindsTheFinalizingCheckpoint() public {
        _request(whale, 10 ether); // 1
        _reportQueue(0, false); // checkpoint 1 finalizes 1
        _request(whale, 10 ether); // 2
        _request(whale, 20 ether); // 3
        _reportQueue(0, false); // checkpoint 2 finalizes 2 (22 ether left, not 20 + 10)
        _request(whale, 1 ether); // 4
        _reportQueue(0, true); // checkpoint 3 finalizes nothing
        _deposit(carol, 30 ether);
        _reportQueue(0, false); // checkpoint 4 finalizes 3 and 4
        _request(whale, 1 ether); // 5, unfinalized

        uint256[] memory ids = new uint256[](5);
        (ids[0], ids[1], ids[2], ids[3], ids[4]) = (1, 2, 3, 4, 5);
        uint256[] memory hints = queue.findCheckpointHints(ids, 1, 4);
        assertEq(hints[0], 1, "request 1");
        assertEq(hints[1], 2, "request 2");
        assertEq(hints[2], 4, "request 3");
        assertEq(hints[3], 4, "request 4");
        assertEq(hints[4], 0, "request 5: not finalized");

        hints = queue.findCheckpointHints(ids, 2, 3);
        assertEq(hints[0], 0, "request 1: finalized before the range");
        assertEq(hints[1], 2, "request 2: in the range");
        assertEq(hints[2], 0, "request 3: finalized after the range");

        uint256[] memory none = queue.findCheckpointHints(new uint256[](0), 1, 4);
        assertEq(none.length, 0, "no ids, no hints");
    }

    function test_RevertWhen_FindCheckpointHintsSearchIsInvalid() public {
        uint256[] memory ids = new uint256[](1);
        ids[0] = 1;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 1, 1));
        queue.findCheckpointHints(ids, 1, 1); // no checkpoint yet

        _request(alice, 1 ether);
        _reportQueue(0, false);
        _request(alice, 1 ether);
        _reportQueue(0, false);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 0, 2));
        queue.findCheckpointHints(ids, 0, 2);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 2, 1));
        queue.findCheckpointHints(ids, 2, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 1, 3));
        queue.findCheckpointHints(ids, 1, 3);

        ids = new uint256[](2);
        (ids[0], ids[1]) = (2, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 1, 2));
        queue.findCheckpointHints(ids, 1, 2);
        (ids[0], ids[1]) = (1, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 1, 2));
        queue.findCheckpointHints(ids, 1, 2);
        (ids[0], ids[1]) = (0, 1);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintSearch.selector, 1, 2));
        queue.findCheckpointHints(ids, 1, 2);
    }

    function test_GetCheckpoint_ReturnsEachReportsRecord() public {
        _request(alice, 1 ether);
        _reportQueue(-1.6 ether, true);
        uint256 firstTime = block.timestamp;
        _request(alice, 1 ether);
        _reportQueue(0, false);

        IWithdrawalQueue.Checkpoint memory first = queue.getCheckpoint(1);
        assertEq(first.lastRequestId, 1, "1: lastRequestId");
        assertEq(first.lastFinalizedId, 0, "1: lastFinalizedId");
        assertEq(first.rate, 0.99e27, "1: rate");
        assertEq(first.timestamp, firstTime, "1: timestamp");
        IWithdrawalQueue.Checkpoint memory second = queue.getCheckpoint(2);
        assertEq(second.lastRequestId, 2, "2: lastRequestId");
        assertEq(second.lastFinalizedId, 2, "2: lastFinalizedId");
        assertEq(second.rate, 0.99e27, "2: rate");
        assertEq(second.timestamp, block.timestamp, "2: timestamp");
        IWithdrawalQueue.Checkpoint memory beyond = queue.getCheckpoint(3);
        assertEq(beyond.lastRequestId + beyond.lastFinalizedId + beyond.rate + beyond.timestamp, 0, "3: none");
    }

    // =================================================================================================================
    // pauseWithdrawals and resumeWithdrawals
    // =================================================================================================================

    function test_Initialize_GrantsPausingToTheEmergencyPauseAndResumingToBoth() public view {
        address pauser = address(emergencyPause);
        assertEq(pauseRole, keccak256("PAUSE_ROLE"), "PAUSE_ROLE");
        assertEq(resumeRole, keccak256("RESUME_ROLE"), "RESUME_ROLE");
        assertTrue(queue.hasRole(pauseRole, pauser), "pauser has PAUSE_ROLE");
        assertTrue(queue.hasRole(resumeRole, pauser), "pauser has RESUME_ROLE");
        assertFalse(queue.hasRole(DEFAULT_ADMIN_ROLE, pauser), "pauser has DEFAULT_ADMIN_ROLE");
        assertTrue(queue.hasRole(resumeRole, admin), "admin has RESUME_ROLE");
        assertFalse(queue.hasRole(pauseRole, admin), "admin has PAUSE_ROLE");
        assertFalse(queue.hasRole(pauseRole, pauseGuardian), "the pause guardian has PAUSE_ROLE");
        assertFalse(queue.hasRole(resumeRole, pauseGuardian), "the pause guardian has RESUME_ROLE");
        assertFalse(queue.hasRole(pauseRole, address(pool)), "the pool has PAUSE_ROLE");
        assertEq(queue.withdrawalsPausedUntil(), 0, "withdrawalsPausedUntil");
    }

    function test_RevertWhen_InitializePauserIsZero() public {
        address implementation = address(new WithdrawalQueue());
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        new ERC1967Proxy(
            implementation,
            abi.encodeCall(WithdrawalQueue.initialize, (admin, address(pool), address(0)))
        );
    }

    function test_PauseWithdrawals_SetsTheEndAndEmits() public {
        _request(alice, 1 ether);
        uint256 until = block.timestamp + 3 days;
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsPaused(until);
        _pauseWithdrawals(until);

        assertEq(queue.withdrawalsPausedUntil(), until, "withdrawalsPausedUntil");
        // The end shares a slot with the pool's address and the last request id: both intact.
        assertEq(queue.pool(), address(pool), "pool");
        assertEq(_queueState().lastRequestId, 1, "lastRequestId");
    }

    function test_PauseWithdrawals_ThroughTheEmergencyPauseGuardian() public {
        uint256 until = block.timestamp + 2 days;
        uint256 withdrawals = emergencyPause.WITHDRAWALS();
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsPaused(until);
        vm.prank(pauseGuardian);
        emergencyPause.pause(withdrawals, 2 days);
        assertEq(queue.withdrawalsPausedUntil(), until, "withdrawalsPausedUntil");
    }

    function test_PauseWithdrawals_ReplacesARunningPause() public {
        // The queue takes the end it is given; the emergency pause decides never to shorten one.
        _pauseWithdrawals(block.timestamp + 7 days);
        _pauseWithdrawals(block.timestamp + 1 hours);
        assertEq(queue.withdrawalsPausedUntil(), block.timestamp + 1 hours, "withdrawalsPausedUntil");
    }

    function test_PauseWithdrawals_AcceptsTheLastUint32Timestamp() public {
        _pauseWithdrawals(type(uint32).max);
        assertEq(queue.withdrawalsPausedUntil(), type(uint32).max, "withdrawalsPausedUntil");
    }

    function test_RevertWhen_AdminPausesWithdrawalsDirectly() public {
        // Governance holds no PAUSE_ROLE: every pause goes through the emergency pause, which bounds it.
        vm.prank(admin);
        _expectUnauthorized(admin, pauseRole);
        queue.pauseWithdrawals(block.timestamp + 1 days);
    }

    function test_RevertWhen_PauseWithdrawalsCallerLacksTheRole() public {
        vm.prank(pauseGuardian);
        _expectUnauthorized(pauseGuardian, pauseRole);
        queue.pauseWithdrawals(block.timestamp + 1 days);
        vm.prank(address(pool));
        _expectUnauthorized(address(pool), pauseRole);
        queue.pauseWithdrawals(block.timestamp + 1 days);

        // Resuming does not entitle one to pause.
        vm.prank(admin);
        queue.grantRole(resumeRole, stranger);
        vm.prank(stranger);
        _expectUnauthorized(stranger, pauseRole);
        queue.pauseWithdrawals(block.timestamp + 1 days);
        assertEq(queue.withdrawalsPausedUntil(), 0, "not paused");
    }

    function test_RevertWhen_PauseWithdrawalsEndIsNow() public {
        vm.prank(address(emergencyPause));
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.InvalidPauseEnd.selector, block.timestamp, block.timestamp)
        );
        queue.pauseWithdrawals(block.timestamp);
    }

    function test_RevertWhen_PauseWithdrawalsEndIsInThePast() public {
        uint256 until = block.timestamp - 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidPauseEnd.selector, until, block.timestamp));
        queue.pauseWithdrawals(until);
    }

    function test_RevertWhen_PauseWithdrawalsEndIsAboveUint32() public {
        uint256 until = uint256(type(uint32).max) + 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidPauseEnd.selector, until, block.timestamp));
        queue.pauseWithdrawals(until);
    }

    function testFuzz_PauseWithdrawals_AcceptsExactlyTheFutureUint32Ends(uint256 until) public {
        bool valid = until > block.timestamp && until <= type(uint32).max;
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidPauseEnd.selector, until, block.timestamp));
        }
        vm.prank(address(emergencyPause));
        queue.pauseWithdrawals(until);
        assertEq(queue.withdrawalsPausedUntil(), valid ? until : 0, "withdrawalsPausedUntil");
    }

    function test_RevertWhen_RequestWithdrawalsWhilePaused() public {
        uint256 until = block.timestamp + 1 days;
        _pauseWithdrawals(until);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1 ether;

        vm.startPrank(alice);
        pool.approve(address(queue), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.requestWithdrawals(amounts, address(0));
        vm.stopPrank();

        IWithdrawalQueue.PermitInput memory permit = _permit(bobKey, bob, 1 ether, block.timestamp + 1 hours);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.requestWithdrawalsWithPermit(amounts, address(0), permit);

        assertEq(_queueState().lastRequestId, 0, "no request");
        assertEq(pool.balanceOf(address(queue)), 0, "no plETH locked");
    }

    function test_RevertWhen_ClaimWhilePaused() public {
        uint256 first = _request(alice, 10 ether);
        uint256 second = _request(alice, 5 ether);
        _reportQueue(0, false);
        uint256 until = block.timestamp + 1 days;
        _pauseWithdrawals(until);
        uint256[] memory ids = new uint256[](2);
        uint256[] memory hints = new uint256[](2);
        (ids[0], ids[1], hints[0], hints[1]) = (first, second, _hint(first), _hint(second));

        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(first, hints[0], alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawals(ids, hints, alice);
        vm.stopPrank();

        assertFalse(_status(first).claimed, "first unclaimed");
        assertEq(queue.ownerOf(second), alice, "second still alice's");
        assertEq(_queueState().lockedEther, 15 ether, "lockedEther");
    }

    function test_PauseWithdrawals_ExpiresByItselfAtTheEnd() public {
        uint256 id = _request(alice, 10 ether);
        _reportQueue(0, false);
        uint256 until = block.timestamp + 1 days;
        _pauseWithdrawals(until);

        vm.warp(until - 1);
        uint256 hint = _hint(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(id, hint, alice);

        // At `until` exactly, requests and claims go through again.
        vm.warp(until);
        assertEq(_claim(alice, id, alice), 10 ether, "claimed at the end of the pause");
        assertEq(_request(bob, 1 ether), id + 1, "requested at the end of the pause");
        assertEq(queue.withdrawalsPausedUntil(), until, "withdrawalsPausedUntil stays in the past");
    }

    function test_PauseWithdrawals_FinalizationGoesOn() public {
        uint256 id = _request(alice, 10 ether);
        uint256 until = block.timestamp + 7 days;
        _pauseWithdrawals(until);

        // A report during the pause sets the ether aside as usual.
        _reportQueue(0, false);
        assertLt(block.timestamp, until, "the report came during the pause");
        assertEq(_queueState().lastFinalizedId, id, "finalized during the pause");
        assertEq(_queueState().lockedEther, 10 ether, "lockedEther");
        assertEq(_claimable(id), 10 ether, "claimable once the pause ends");
        uint256 hint = _hint(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        queue.claimWithdrawal(id, hint, alice);

        vm.warp(until);
        assertEq(_claim(alice, id, alice), 10 ether, "paid in full after the pause");
    }

    function test_PauseWithdrawals_LeavesRequestTransfersAlone() public {
        uint256 id = _request(alice, 10 ether);
        _pauseWithdrawals(block.timestamp + 1 days);
        vm.prank(alice);
        queue.transferFrom(alice, bob, id);
        assertEq(queue.ownerOf(id), bob, "bob owns the request");
    }

    function test_ResumeWithdrawals_EndsThePauseAndEmits() public {
        _pauseWithdrawals(block.timestamp + 1 days);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsResumed();
        vm.prank(admin);
        queue.resumeWithdrawals();

        assertEq(queue.withdrawalsPausedUntil(), 0, "withdrawalsPausedUntil");
        assertEq(_request(alice, 1 ether), 1, "requests work again");
    }

    function test_ResumeWithdrawals_ByTheEmergencyPause() public {
        _pauseWithdrawals(block.timestamp + 1 days);
        vm.expectEmit(true, true, true, true, address(queue));
        emit IWithdrawalQueue.WithdrawalsResumed();
        vm.prank(address(emergencyPause));
        queue.resumeWithdrawals();
        assertEq(queue.withdrawalsPausedUntil(), 0, "withdrawalsPausedUntil");
    }

    function test_RevertWhen_ResumeWithdrawalsCallerLacksTheRole() public {
        _pauseWithdrawals(block.timestamp + 1 days);
        vm.prank(pauseGuardian);
        _expectUnauthorized(pauseGuardian, resumeRole);
        queue.resumeWithdrawals();
        vm.prank(alice);
        _expectUnauthorized(alice, resumeRole);
        queue.resumeWithdrawals();

        // Pausing does not entitle one to resume.
        vm.prank(admin);
        queue.grantRole(pauseRole, stranger);
        vm.prank(stranger);
        _expectUnauthorized(stranger, resumeRole);
        queue.resumeWithdrawals();
        assertEq(queue.withdrawalsPausedUntil(), block.timestamp + 1 days, "still paused");
    }

    function test_RevertWhen_ResumeWithdrawalsWhenNotPaused() public {
        vm.prank(admin);
        vm.expectRevert(IWithdrawalQueue.WithdrawalsNotPaused.selector);
        queue.resumeWithdrawals();
    }

    function test_RevertWhen_ResumeWithdrawalsAfterThePauseExpired() public {
        uint256 until = block.timestamp + 1 days;
        _pauseWithdrawals(until);
        vm.warp(until);
        vm.prank(admin);
        vm.expectRevert(IWithdrawalQueue.WithdrawalsNotPaused.selector);
        queue.resumeWithdrawals();
    }

    function test_UpgradeToAndCall_KeepsThePause() public {
        uint256 until = block.timestamp + 1 days;
        _pauseWithdrawals(until);
        WithdrawalQueue next = new WithdrawalQueue();
        vm.prank(admin);
        queue.upgradeToAndCall(address(next), "");

        assertEq(queue.withdrawalsPausedUntil(), until, "withdrawalsPausedUntil");
        assertTrue(queue.hasRole(pauseRole, address(emergencyPause)), "the emergency pause keeps PAUSE_ROLE");
        assertTrue(queue.hasRole(resumeRole, admin), "the admin keeps RESUME_ROLE");
        vm.prank(admin);
        queue.resumeWithdrawals();
    }

    // =================================================================================================================
    // receive, finalize, upgrades
    // =================================================================================================================

    function test_RevertWhen_QueueReceivesEtherFromAnyoneButThePool() public {
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        (bool ok, bytes memory reason) = address(queue).call{value: 1 ether}("");
        assertFalse(ok, "refused");
        assertEq(reason, abi.encodeWithSelector(IWithdrawalQueue.UnexpectedEther.selector, stranger), "its reason");

        // Ether forced in without a call changes nothing the queue owes.
        vm.deal(address(this), 1 ether);
        forceEther(address(queue), 1 ether);
        assertEq(address(queue).balance, 1 ether, "held");
        assertEq(_queueState().lockedEther, 0, "not counted");
    }

    function test_RevertWhen_FinalizeCallerIsNotThePool() public {
        _request(alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.CallerNotPool.selector, stranger));
        vm.prank(stranger);
        queue.finalize(1, block.timestamp, false, 1 ether, 1 ether, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.CallerNotPool.selector, address(oracle)));
        vm.prank(address(oracle));
        queue.finalize(1, block.timestamp, false, 1 ether, 1 ether, 1 ether);
    }

    function test_UpgradeToAndCall_ByTheAdminKeepsTheRequests() public {
        _request(alice, 10 ether);
        _reportQueue(0, false);
        _request(bob, 1 ether);
        WithdrawalQueue next = new WithdrawalQueue();

        vm.expectEmit(true, true, true, true, address(queue));
        emit IERC1967.Upgraded(address(next));
        vm.prank(admin);
        queue.upgradeToAndCall(address(next), "");

        assertEq(_implementationOf(address(queue)), address(next), "implementation slot");
        assertEq(queue.pool(), address(pool), "pool");
        assertEq(queue.ownerOf(1), alice, "request 1's owner");
        assertEq(_queueState().lockedEther, 10 ether, "lockedEther");
        assertEq(_queueState().unfinalizedEther, 1 ether, "unfinalizedEther");
        assertEq(_claim(alice, 1, alice), 10 ether, "still claimable");
    }

    function test_RevertWhen_UpgradeCallerIsNotAdmin() public {
        WithdrawalQueue next = new WithdrawalQueue();
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                address(pool),
                DEFAULT_ADMIN_ROLE
            )
        );
        vm.prank(address(pool));
        queue.upgradeToAndCall(address(next), "");
    }

    // =================================================================================================================
    // the pool: staking never takes the ether unfinalized requests need
    // =================================================================================================================

    function test_RevertWhen_DepositValidatorsWouldUseTheWithdrawalReserve() public {
        _request(alice, 10 ether); // 32 buffered, 10 reserved
        vm.roll(block.number + 1);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        vm.expectRevert(abi.encodeWithSelector(IStakingPool.BufferReservedForWithdrawals.selector, 32 ether, 22 ether));
        pool.depositValidators(segments, attestation);

        _deposit(carol, 10 ether); // 42 buffered: 32 above the reserve
        pool.depositValidators(segments, attestation);
        assertEq(_accounting().bufferedEther, 10 ether, "the reserve stayed in the buffer");
        _reportQueue(0, false);
        assertEq(_claim(alice, 1, alice), 10 ether, "and paid the request");
    }

    function testFuzz_DepositValidators_NeverStakesTheReserve(uint256 requested, uint256 deposited) public {
        requested = bound(requested, MIN_REQUEST, 128 ether);
        deposited = bound(deposited, 0, 80 ether);
        _request(whale, requested);
        if (deposited != 0) _deposit(carol, deposited);
        vm.roll(block.number + 1);
        uint256 buffered = _accounting().bufferedEther;
        uint256 stakeable = buffered > requested ? buffered - requested : 0;
        uint256 count = Math.min(stakeable / 32 ether, 8);
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count + 1);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        // One validator more than the room above the reserve is refused.
        if ((count + 1) * 32 ether > buffered) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IStakingPool.InsufficientBufferedEther.selector,
                    (count + 1) * 32 ether,
                    buffered
                )
            );
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IStakingPool.BufferReservedForWithdrawals.selector,
                    (count + 1) * 32 ether,
                    stakeable
                )
            );
        }
        pool.depositValidators(segments, attestation);
        if (count == 0) return;
        _stake(count);
        assertGe(_accounting().bufferedEther, queue.unfinalizedEther(), "the buffer still covers the reserve");
    }

    // =================================================================================================================
    // fuzz: pricing and rounding
    // =================================================================================================================

    /// @dev One request, then a report with a gain or a loss (up to 10 %, beyond the oracle's bound with governance's
    /// consent): the claim is exactly min(value at request, plETH × finalizing rate), below both, and below the exact
    /// value at the post-fee rate; the finalization never lowers the rate of the plETH left.
    function testFuzz_Claim_PaysMinOfValueAtRequestAndPlETHAtTheFinalizingRate(
        uint256 shares,
        uint256 change,
        bool loss,
        uint256 warmUp
    ) public {
        // A first report moves the rate off one, so that values round.
        _reportQueue(int256(bound(warmUp, 0, _maxGainOneFrame())), false);
        shares = bound(shares, pool.convertToShares(MIN_REQUEST) + 1, pool.balanceOf(alice));
        uint256 etherAtRequest = pool.convertToAssets(shares);
        uint256 id = _request(alice, shares);
        assertEq(_status(id).etherAtRequest, etherAtRequest, "value at request");
        int256 delta =
            loss ? -int256(bound(change, 1, _beaconBefore() / 10)) : int256(bound(change, 0, _maxGainOneFrame()));

        uint256 supplyBefore = pool.totalSupply();
        uint256 feeHoldersBefore = _feeHolderShares();
        _reportQueue(delta, false);
        assertTrue(_status(id).finalized, "finalized: the buffer pays it");
        uint256 paid = _claim(alice, id, alice);
        uint256 atRate = Math.mulDiv(shares, queue.getCheckpoint(_hint(id)).rate, RATE_PRECISION);

        assertEq(paid, Math.min(etherAtRequest, atRate), "min of the two");
        assertLe(paid, etherAtRequest, "never above the value at request");
        assertLe(paid, atRate, "never above plETH x rate");
        _assertFinalizationFavoursThePool(shares, paid, supplyBefore + _feeHolderShares() - feeHoldersBefore);
    }

    /// @dev Requests in two rate periods with a report between them (a gain, a loss, or bunker mode), all finalized
    /// by a later report: each claim is within its bounds, and the claims of the range never exceed the ether locked
    /// for it; what stays behind is rounding dust, under one wei per request.
    function testFuzz_ClaimsOfAFinalizedRangeNeverExceedItsLockedEther(
        uint256[6] memory amounts,
        uint256 firstChange,
        uint256 secondChange,
        uint8 mode
    ) public {
        uint256[] memory ids = new uint256[](6);
        uint256[] memory etherAtRequest = new uint256[](6);
        uint256[] memory shares = new uint256[](6);
        for (uint256 i; i < 6; ++i) {
            if (i == 3) _reportQueue(_fuzzDelta(firstChange, mode % 3 == 1), mode % 3 == 2);
            shares[i] = bound(amounts[i], pool.convertToShares(MIN_REQUEST) + 1, 5 ether);
            etherAtRequest[i] = pool.convertToAssets(shares[i]);
            ids[i] = _request(i % 2 == 0 ? whale : alice, shares[i]);
        }
        uint256 lockedBefore = _queueState().lockedEther;
        _reportQueue(_fuzzDelta(secondChange, (mode / 3) % 2 == 1), false);
        assertEq(_queueState().lastFinalizedId, 6, "all finalized");
        uint256 locked = _queueState().lockedEther;
        assertGe(locked, lockedBefore, "locked only grows at reports");

        uint256 paidTotal;
        for (uint256 i; i < 6; ++i) {
            uint256 rate = queue.getCheckpoint(_hint(ids[i])).rate;
            uint256 paid = _claim(i % 2 == 0 ? whale : alice, ids[i], carol);
            assertLe(paid, etherAtRequest[i], "claim <= value at request");
            assertLe(paid, Math.mulDiv(shares[i], rate, RATE_PRECISION), "claim <= plETH x finalizing rate");
            paidTotal += paid;
        }
        assertLe(paidTotal, locked, "claims of the range <= the ether locked for it");
        assertEq(_queueState().lockedEther, locked - paidTotal, "lockedEther falls by what is paid");
        assertLt(locked - paidTotal, 6, "dust: under one wei per request");
        assertEq(address(queue).balance, locked - paidTotal, "the queue holds what is still locked");
    }

    /// @dev Random histories of requests and reports (bunker mode, buffers too short, deposits refilling them): the
    /// queue's binary search finds, for every request and any range of checkpoints, what a linear scan finds, and the
    /// hint it finds is the only one a claim accepts.
    function testFuzz_FindCheckpointHints_MatchesBruteForce(uint256 seed) public {
        uint256 steps = bound(seed, 2, 7);
        for (uint256 step; step < steps; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            for (uint256 k; k < r % 4; ++k) {
                _request(whale, bound(r >> (16 + 16 * k), 0.5 ether, 5 ether));
            }
            if ((r >> 100) % 3 == 0) _deposit(carol, bound(r >> 104, 0, 12 ether));
            _reportQueue(0, (r >> 200) % 4 == 0);
        }
        uint256 lastId = _queueState().lastRequestId;
        uint256 lastIndex = _queueState().lastCheckpointIndex;
        if (lastId == 0 || lastIndex == 0) return;

        uint256[] memory ids = new uint256[](lastId);
        for (uint256 i; i < lastId; ++i) ids[i] = i + 1;
        uint256 first = bound(uint256(keccak256(abi.encode(seed, "first"))), 1, lastIndex);
        uint256 last = bound(uint256(keccak256(abi.encode(seed, "last"))), first, lastIndex);
        uint256[] memory all = queue.findCheckpointHints(ids, 1, lastIndex);
        uint256[] memory ranged = queue.findCheckpointHints(ids, first, last);
        for (uint256 i; i < lastId; ++i) {
            assertEq(all[i], _bruteForceHint(ids[i], 1, lastIndex), "hint over all checkpoints");
            assertEq(ranged[i], _bruteForceHint(ids[i], first, last), "hint over a range");
            if (all[i] == 0) continue;
            uint256[] memory one = new uint256[](1);
            uint256[] memory hint = new uint256[](1);
            (one[0], hint[0]) = (ids[i], all[i] - 1);
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, ids[i], all[i] - 1));
            queue.getClaimableEther(one, hint);
            hint[0] = all[i] + 1;
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, ids[i], all[i] + 1));
            queue.getClaimableEther(one, hint);
            hint[0] = all[i];
            assertGt(queue.getClaimableEther(one, hint)[0], 0, "the found hint pays");
        }
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev The first checkpoint in [first, last] whose finalized bound reaches `id`, if `id` was not finalized before
    /// `first`; zero otherwise. A linear scan, the reference for the queue's binary search.
    function _bruteForceHint(uint256 id, uint256 first, uint256 last) private view returns (uint256) {
        if (queue.getCheckpoint(first - 1).lastFinalizedId >= id) return 0;
        for (uint256 index = first; index <= last; ++index) {
            if (queue.getCheckpoint(index).lastFinalizedId >= id) return index;
        }
        return 0;
    }

    /// @dev A gain within the cap, or a loss of up to 5 % of the beacon side.
    function _fuzzDelta(uint256 seed, bool loss) private view returns (int256) {
        if (loss) return -int256(bound(seed, 1, _beaconBefore() / 20));
        return int256(bound(seed, 0, _maxGainOneFrame()));
    }

    function _feeHolderShares() private view returns (uint256) {
        return pool.balanceOf(treasury) + pool.balanceOf(address(registry));
    }

    /// @dev After a report that finalized one request of `shares` plETH paying `paid`, with `postFeeShares` plETH
    /// before the burn: the payment is at most the exact value at the post-fee rate, and the rate of the plETH left is
    /// at least that rate.
    function _assertFinalizationFavoursThePool(uint256 shares, uint256 paid, uint256 postFeeShares) private view {
        uint256 postFeeEther = pool.totalPooledEther() + paid;
        assertEq(pool.totalSupply(), postFeeShares - shares, "the request's plETH burned");
        assertLe(paid * postFeeShares, shares * postFeeEther, "rounding favours the pool");
        assertGe(
            pool.totalPooledEther() * postFeeShares,
            postFeeEther * pool.totalSupply(),
            "the finalization never lowers the rate of the plETH left"
        );
    }

    function _permit(
        uint256 key,
        address owner,
        uint256 value,
        uint256 deadline
    ) private view returns (IWithdrawalQueue.PermitInput memory permit) {
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner, address(queue), value, pool.nonces(owner), deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", pool.DOMAIN_SEPARATOR(), structHash));
        (permit.v, permit.r, permit.s) = vm.sign(key, digest);
        permit.value = value;
        permit.deadline = deadline;
    }

    function _firstVote(IAccountingOracle.Report memory report) private {
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
    }

    /// @dev The vote that reaches the quorum and applies the report.
    function _secondVote(IAccountingOracle.Report memory report) private {
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
    }

    function _countFinalizedEvents() private returns (uint256 count) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(queue) && logs[i].topics[0] == IWithdrawalQueue.WithdrawalsFinalized.selector
            ) ++count;
        }
    }

    /// @dev Pauses requests and claims as the only holder of PAUSE_ROLE does: the emergency pause proxy.
    function _pauseWithdrawals(uint256 until) private {
        vm.prank(address(emergencyPause));
        queue.pauseWithdrawals(until);
    }

    function _expectUnauthorized(address account, bytes32 role) private {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role)
        );
    }

    function _implementationOf(address proxy) private view returns (address) {
        return address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT))));
    }
}
