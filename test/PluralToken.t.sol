// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";

import {PluralToken} from "../contracts/PluralToken.sol";
import {GovernanceFixture} from "./utils/GovernanceFixture.sol";

/// @dev Tests of PluralToken: the fixed distribution, the timestamp clock, delegation and checkpoints, permit.
contract PluralTokenTest is GovernanceFixture {
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DELEGATION_TYPEHASH = keccak256(
        "Delegation(address delegatee,uint256 nonce,uint256 expiry)"
    );
    uint256 private constant MAX_SUPPLY = type(uint208).max;

    function setUp() public {
        _deployGovernance(_governanceSettings());
    }

    // =================================================================================================================
    // constructor: the distribution
    // =================================================================================================================

    function test_Constructor_MintsTheDistribution() public view {
        assertEq(token.balanceOf(alice), ALICE_TOKENS, "alice's tokens");
        assertEq(token.balanceOf(bob), BOB_TOKENS, "bob's tokens");
        assertEq(token.balanceOf(carol), CAROL_TOKENS, "carol's tokens");
        assertEq(token.balanceOf(dave), DAVE_TOKENS, "dave's tokens");
        assertEq(token.totalSupply(), TOTAL_TOKENS, "total supply");
        assertEq(token.balanceOf(address(governanceDeployer)), 0, "nothing left with the deployer");
        assertEq(token.name(), "Plural Governance", "name");
        assertEq(token.symbol(), "PLURAL", "symbol");
        assertEq(token.decimals(), 18, "decimals");
    }

    function test_Constructor_DelegatesNothing() public view {
        // Votes exist only once delegated: a holder that never delegates counts for nothing.
        assertEq(token.getVotes(alice), 0, "alice's votes before delegating");
        assertEq(token.delegates(alice), address(0), "alice's delegate");
    }

    function test_Constructor_AddsUpARepeatedHolder() public {
        address[] memory holders = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (holders[0], holders[1]) = (alice, alice);
        (amounts[0], amounts[1]) = (3 ether, 4 ether);
        PluralToken other = new PluralToken(holders, amounts);
        assertEq(other.balanceOf(alice), 7 ether, "both amounts");
        assertEq(other.totalSupply(), 7 ether, "total supply");
    }

    function test_RevertWhen_DistributionLengthsDiffer() public {
        address[] memory holders = new address[](2);
        (holders[0], holders[1]) = (alice, bob);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1 ether;
        vm.expectRevert(abi.encodeWithSelector(PluralToken.InvalidDistribution.selector, 2, 1));
        new PluralToken(holders, amounts);
    }

    function test_RevertWhen_DistributionIsEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(PluralToken.InvalidDistribution.selector, 0, 0));
        new PluralToken(new address[](0), new uint256[](0));
    }

    function test_RevertWhen_DistributionNamesTheZeroAddress() public {
        address[] memory holders = new address[](2);
        holders[0] = alice;
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (1 ether, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new PluralToken(holders, amounts);
    }

    function test_RevertWhen_DistributionExceedsTheVotesSupplyCap() public {
        address[] memory holders = new address[](2);
        (holders[0], holders[1]) = (alice, bob);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (MAX_SUPPLY, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ERC20Votes.ERC20ExceededSafeSupply.selector, MAX_SUPPLY + 1, MAX_SUPPLY)
        );
        new PluralToken(holders, amounts);
    }

    function testFuzz_Constructor_MintsEachHolderItsAmount(uint256 count, uint256 seed) public {
        count = bound(count, 1, 20);
        address[] memory holders = new address[](count);
        uint256[] memory amounts = new uint256[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            // Distinct holders, amounts up to a billion tokens each: far below the ERC20Votes cap.
            holders[i] = address(uint160(uint256(keccak256(abi.encode(seed, i)))) | 1);
            amounts[i] = uint256(keccak256(abi.encode(seed, i, "amount"))) % 1e27;
            total += amounts[i];
        }
        PluralToken other = new PluralToken(holders, amounts);
        for (uint256 i; i < count; ++i) assertEq(other.balanceOf(holders[i]), amounts[i], "a holder's tokens");
        assertEq(other.totalSupply(), total, "total supply = sum of the amounts");
    }

    function testFuzz_RevertWhen_DistributionLengthsDiffer(uint256 holderCount, uint256 amountCount) public {
        holderCount = bound(holderCount, 0, 20);
        amountCount = bound(amountCount, 0, 20);
        vm.assume(holderCount != amountCount);
        address[] memory holders = new address[](holderCount);
        for (uint256 i; i < holderCount; ++i) holders[i] = address(uint160(i + 1));
        vm.expectRevert(abi.encodeWithSelector(PluralToken.InvalidDistribution.selector, holderCount, amountCount));
        new PluralToken(holders, new uint256[](amountCount));
    }

    // =================================================================================================================
    // clock
    // =================================================================================================================

    function test_Clock_IsTheBlockTimestamp() public {
        assertEq(token.clock(), block.timestamp, "clock at deployment");
        vm.warp(block.timestamp + 12 days + 5);
        assertEq(token.clock(), block.timestamp, "clock later");
        assertEq(token.CLOCK_MODE(), "mode=timestamp", "CLOCK_MODE");
        // The Governor takes its clock from the token, so its delays are in seconds.
        assertEq(governor.clock(), block.timestamp, "the Governor's clock");
        assertEq(governor.CLOCK_MODE(), "mode=timestamp", "the Governor's CLOCK_MODE");
    }

    // =================================================================================================================
    // delegation and checkpoints
    // =================================================================================================================

    function test_Delegate_ToSelfGivesTheBalanceAsVotes() public {
        _delegateToSelf(alice);
        assertEq(token.delegates(alice), alice, "alice's delegate");
        assertEq(token.getVotes(alice), ALICE_TOKENS, "alice's votes");
    }

    function test_Delegate_ToAnotherMovesTheVotes() public {
        _delegateToSelf(alice);
        vm.prank(bob);
        token.delegate(alice);
        assertEq(token.getVotes(alice), ALICE_TOKENS + BOB_TOKENS, "alice votes with bob's tokens");
        assertEq(token.getVotes(bob), 0, "bob's own votes");

        vm.prank(bob);
        token.delegate(carol);
        assertEq(token.getVotes(alice), ALICE_TOKENS, "bob's tokens leave alice");
        assertEq(token.getVotes(carol), BOB_TOKENS, "and go to carol");
    }

    function test_GetPastVotes_ReadsTheCheckpointAtATimestamp() public {
        uint256 t0 = block.timestamp;
        _delegateToSelf(alice);
        vm.warp(t0 + 100);
        vm.prank(alice);
        token.transfer(bob, 100_000 ether);
        vm.warp(t0 + 200);
        _delegateToSelf(bob);
        vm.warp(t0 + 300);

        assertEq(token.getPastVotes(alice, t0 - 1), 0, "alice before delegating");
        assertEq(token.getPastVotes(alice, t0), ALICE_TOKENS, "alice once delegated");
        assertEq(token.getPastVotes(alice, t0 + 99), ALICE_TOKENS, "alice just before the transfer");
        assertEq(token.getPastVotes(alice, t0 + 100), ALICE_TOKENS - 100_000 ether, "alice after the transfer");
        assertEq(token.getPastVotes(bob, t0 + 199), 0, "bob before delegating");
        assertEq(token.getPastVotes(bob, t0 + 200), BOB_TOKENS + 100_000 ether, "bob once delegated");
        assertEq(token.getPastTotalSupply(t0 + 299), TOTAL_TOKENS, "total supply in the past");
    }

    function test_RevertWhen_GetPastVotesAsksForNow() public {
        vm.expectRevert(abi.encodeWithSelector(Votes.ERC5805FutureLookup.selector, block.timestamp, block.timestamp));
        token.getPastVotes(alice, block.timestamp);
    }

    function test_Transfer_MovesVotesBetweenDelegates() public {
        _delegateToSelf(alice);
        vm.prank(bob);
        token.delegate(carol);

        vm.prank(alice);
        token.transfer(bob, 50_000 ether);
        assertEq(token.getVotes(alice), ALICE_TOKENS - 50_000 ether, "alice's votes");
        assertEq(token.getVotes(carol), BOB_TOKENS + 50_000 ether, "bob's delegate's votes");
        assertEq(token.getVotes(bob), 0, "bob votes through carol");

        // To a holder that never delegated: the votes leave alice and go nowhere.
        vm.prank(alice);
        token.transfer(dave, 1 ether);
        assertEq(token.getVotes(alice), ALICE_TOKENS - 50_001 ether, "alice's votes after the second transfer");
        assertEq(token.getVotes(dave), 0, "dave has not delegated");
    }

    function test_DelegateBySig_DelegatesForTheSigner() public {
        uint256 expiry = block.timestamp + 1 hours;
        bytes32 digest = _digest(keccak256(abi.encode(DELEGATION_TYPEHASH, bob, 0, expiry)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digest);
        token.delegateBySig(bob, 0, expiry, v, r, s);
        assertEq(token.delegates(alice), bob, "alice's delegate");
        assertEq(token.getVotes(bob), ALICE_TOKENS, "bob's votes");
        assertEq(token.nonces(alice), 1, "alice's nonce");
    }

    // =================================================================================================================
    // permit
    // =================================================================================================================

    function test_Permit_SetsTheAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));
        token.permit(alice, bob, 5 ether, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 5 ether, "allowance");
        assertEq(token.nonces(alice), 1, "nonce");

        vm.prank(bob);
        token.transferFrom(alice, carol, 5 ether);
        assertEq(token.balanceOf(carol), CAROL_TOKENS + 5 ether, "carol received");
    }

    function test_RevertWhen_PermitIsReplayed() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));
        token.permit(alice, bob, 5 ether, deadline, v, r, s);
        // The nonce moved on, so the same signature now recovers to some other address.
        address recovered = ecrecover(_permitDigest(alice, bob, 5 ether, 1, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, alice));
        token.permit(alice, bob, 5 ether, deadline, v, r, s);
    }

    function test_RevertWhen_PermitSignerIsNotTheOwner() public {
        uint256 deadline = block.timestamp + 1 hours;
        (, uint256 bobKey) = makeAddrAndKey("bob");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(bobKey, _permitDigest(alice, bob, 5 ether, 0, deadline));
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, bob, alice));
        token.permit(alice, bob, 5 ether, deadline, v, r, s);
    }

    function test_RevertWhen_PermitHasExpired() public {
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, bob, 5 ether, deadline, v, r, s);
    }

    function _permitDigest(
        address owner,
        address spender,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return _digest(keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline)));
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", token.DOMAIN_SEPARATOR(), structHash));
    }
}
