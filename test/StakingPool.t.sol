// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";

import {IDepositContract} from "../contracts/interfaces/IDepositContract.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {SharesMath} from "../contracts/libraries/SharesMath.sol";
import {StakeLimit} from "../contracts/libraries/StakeLimit.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {StakingPoolFixture, forceEther} from "./utils/StakingPoolFixture.sol";

/// @dev Exposes SharesMath's internal functions, so the fuzz tests call the library itself and can expect reverts.
contract SharesMathHarness {
    function toSharesDown(uint256 amount, uint256 totalEther, uint256 totalShares) external pure returns (uint256) {
        return SharesMath.toSharesDown(amount, totalEther, totalShares);
    }

    function toSharesUp(uint256 amount, uint256 totalEther, uint256 totalShares) external pure returns (uint256) {
        return SharesMath.toSharesUp(amount, totalEther, totalShares);
    }

    function toEtherDown(uint256 shares, uint256 totalEther, uint256 totalShares) external pure returns (uint256) {
        return SharesMath.toEtherDown(shares, totalEther, totalShares);
    }

    function toEtherUp(uint256 shares, uint256 totalEther, uint256 totalShares) external pure returns (uint256) {
        return SharesMath.toEtherUp(shares, totalEther, totalShares);
    }
}

/// @dev Exposes StakeLimit's internal functions.
contract StakeLimitHarness {
    function available(
        StakeLimit.Params memory params,
        StakeLimit.State memory state,
        uint256 timestamp
    ) external pure returns (uint256) {
        return StakeLimit.available(params, state, timestamp);
    }

    function consume(
        StakeLimit.Params memory params,
        StakeLimit.State memory state,
        uint256 amount,
        uint256 timestamp
    ) external pure returns (StakeLimit.State memory) {
        return StakeLimit.consume(params, state, amount, timestamp);
    }

    function reset(
        StakeLimit.Params memory oldParams,
        StakeLimit.State memory state,
        StakeLimit.Params memory newParams,
        uint256 timestamp
    ) external pure returns (StakeLimit.State memory) {
        return StakeLimit.reset(oldParams, state, newParams, timestamp);
    }
}

/// @dev Unit and fuzz tests of StakingPool (and the plETH token it is), deployed behind its proxy as in production.
contract StakingPoolTest is StakingPoolFixture {
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant EIP712_DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant ACTOR_BALANCE = 1_000_000 ether;

    address private alice;
    uint256 private aliceKey;
    address private bob;
    uint256 private bobKey;
    address private carol;

    bytes32 private pauseRole;
    bytes32 private resumeRole;
    bytes32 private stakeLimitRole;

    SharesMathHarness private sharesMath;
    StakeLimitHarness private stakeLimit;

    function setUp() public {
        _deployPool();
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        carol = makeAddr("carol");
        vm.deal(alice, ACTOR_BALANCE);
        vm.deal(bob, ACTOR_BALANCE);
        vm.deal(carol, ACTOR_BALANCE);

        pauseRole = pool.PAUSE_ROLE();
        resumeRole = pool.RESUME_ROLE();
        stakeLimitRole = pool.STAKE_LIMIT_ROLE();

        sharesMath = new SharesMathHarness();
        stakeLimit = new StakeLimitHarness();
    }

    // =================================================================================================================
    // constructor and initialize
    // =================================================================================================================

    function test_Constructor_SetsTheDepositContract() public view {
        assertEq(pool.depositContract(), address(beaconDeposit), "depositContract() through the proxy");
        assertEq(implementation.depositContract(), address(beaconDeposit), "depositContract() of the implementation");
    }

    function test_RevertWhen_ConstructorDepositContractIsZero() public {
        vm.expectRevert(IStakingPool.ZeroAddress.selector);
        new StakingPool(IDepositContract(address(0)));
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        vm.deal(address(this), INITIAL_DEPOSIT);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize{value: INITIAL_DEPOSIT}(
            admin,
            STAKE_LIMIT_MAX,
            STAKE_LIMIT_REFILL_PERIOD,
            _stakingContracts(),
            _accountingSettings(),
            address(emergencyPause)
        );
    }

    function test_RevertWhen_InitializeIsCalledTwice() public {
        vm.deal(address(this), INITIAL_DEPOSIT);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.initialize{value: INITIAL_DEPOSIT}(
            alice,
            0,
            0,
            _stakingContracts(),
            _accountingSettings(),
            address(emergencyPause)
        );
    }

    function test_Initialize_GrantsEveryRoleToAdminButPausingToTheEmergencyPause() public view {
        address pauser = address(emergencyPause);
        assertTrue(pool.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertFalse(pool.hasRole(pauseRole, admin), "admin has PAUSE_ROLE");
        assertTrue(pool.hasRole(resumeRole, admin), "admin has RESUME_ROLE");
        assertTrue(pool.hasRole(stakeLimitRole, admin), "admin has STAKE_LIMIT_ROLE");
        assertTrue(pool.hasRole(pool.MANAGE_ACCOUNTING_ROLE(), admin), "admin has MANAGE_ACCOUNTING_ROLE");
        // The emergency pause alone pauses (so every pause is bounded), and may resume on governance's behalf.
        assertTrue(pool.hasRole(pauseRole, pauser), "pauser has PAUSE_ROLE");
        assertTrue(pool.hasRole(resumeRole, pauser), "pauser has RESUME_ROLE");
        assertFalse(pool.hasRole(DEFAULT_ADMIN_ROLE, pauser), "pauser has DEFAULT_ADMIN_ROLE");
        assertFalse(pool.hasRole(stakeLimitRole, pauser), "pauser has STAKE_LIMIT_ROLE");
        assertFalse(pool.hasRole(pool.MANAGE_ACCOUNTING_ROLE(), pauser), "pauser has MANAGE_ACCOUNTING_ROLE");
        assertFalse(pool.hasRole(pauseRole, pauseGuardian), "the pause guardian has PAUSE_ROLE");
        // The deployer (this contract) keeps nothing.
        assertFalse(pool.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "deployer has DEFAULT_ADMIN_ROLE");
        assertFalse(pool.hasRole(pauseRole, address(this)), "deployer has PAUSE_ROLE");
        assertFalse(pool.hasRole(resumeRole, address(this)), "deployer has RESUME_ROLE");
        assertFalse(pool.hasRole(stakeLimitRole, address(this)), "deployer has STAKE_LIMIT_ROLE");
    }

    function test_Initialize_RoleIdentifiersAreTheirNamesHashes() public view {
        assertEq(pauseRole, keccak256("PAUSE_ROLE"), "PAUSE_ROLE");
        assertEq(resumeRole, keccak256("RESUME_ROLE"), "RESUME_ROLE");
        assertEq(stakeLimitRole, keccak256("STAKE_LIMIT_ROLE"), "STAKE_LIMIT_ROLE");
        assertEq(pool.DEAD_SHARES_HOLDER(), DEAD_SHARES_HOLDER, "DEAD_SHARES_HOLDER");
        assertEq(pool.MIN_INITIAL_DEPOSIT(), INITIAL_DEPOSIT, "MIN_INITIAL_DEPOSIT");
    }

    function test_Initialize_MintsDeadSharesOneToOne() public view {
        assertEq(pool.balanceOf(DEAD_SHARES_HOLDER), INITIAL_DEPOSIT, "dead shares");
        assertEq(pool.totalSupply(), INITIAL_DEPOSIT, "total shares");
        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT, "total pooled ether");
        assertEq(address(pool).balance, INITIAL_DEPOSIT, "pool balance");
        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT, "buffered ether");
        assertEq(pool.convertToAssets(1 ether), 1 ether, "one share is worth one wei");
    }

    function test_Initialize_SetsTokenMetadata() public view {
        assertEq(pool.name(), "Plural Staked Ether", "name");
        assertEq(pool.symbol(), "plETH", "symbol");
        assertEq(pool.decimals(), 18, "decimals");
    }

    function test_Initialize_SetsAFullStakeLimit() public view {
        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        assertTrue(info.enabled, "enabled");
        assertEq(info.maxLimit, STAKE_LIMIT_MAX, "maxLimit");
        assertEq(info.refillPeriod, STAKE_LIMIT_REFILL_PERIOD, "refillPeriod");
        // The initial deposit backs the dead shares; it does not count against the limit.
        assertEq(info.available, STAKE_LIMIT_MAX, "available");
    }

    function test_Initialize_EmitsRolesStakeLimitAndDeadSharesTransfer() public {
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, STAKE_LIMIT_REFILL_PERIOD, address(emergencyPause));
        vm.deal(address(this), INITIAL_DEPOSIT);

        // The proxy's address is not known in advance, so the emitter is not checked.
        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, admin, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(resumeRole, admin, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(pauseRole, address(emergencyPause), address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(resumeRole, address(emergencyPause), address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(stakeLimitRole, admin, address(this));
        vm.expectEmit();
        emit IStakingPool.StakeLimitSet(STAKE_LIMIT_MAX, STAKE_LIMIT_REFILL_PERIOD);
        vm.expectEmit();
        emit IERC20.Transfer(address(0), DEAD_SHARES_HOLDER, INITIAL_DEPOSIT);
        vm.expectEmit();
        emit Initializable.Initialized(1);
        new ERC1967Proxy{value: INITIAL_DEPOSIT}(address(implementation), data);
    }

    function test_Initialize_MintsDeadSharesForMoreThanTheMinimum() public {
        StakingPool other = _deployProxy(admin, STAKE_LIMIT_MAX, STAKE_LIMIT_REFILL_PERIOD, 1 ether);
        assertEq(other.balanceOf(DEAD_SHARES_HOLDER), 1 ether, "dead shares");
        assertEq(other.totalPooledEther(), 1 ether, "total pooled ether");
    }

    function test_Initialize_ZeroStakeLimitMeansNone() public {
        // The refill period is ignored when there is no limit.
        StakingPool other = _deployProxy(admin, 0, type(uint256).max, INITIAL_DEPOSIT);
        IStakingPool.StakeLimitInfo memory info = other.getStakeLimit();
        assertFalse(info.enabled, "enabled");
        assertEq(info.maxLimit, 0, "maxLimit");
        assertEq(info.refillPeriod, 0, "refillPeriod");
        assertEq(info.available, type(uint256).max, "available");

        vm.deal(alice, STAKE_LIMIT_MAX + 1);
        vm.prank(alice);
        other.deposit{value: STAKE_LIMIT_MAX + 1}(address(0));
        assertEq(other.balanceOf(alice), STAKE_LIMIT_MAX + 1, "deposit above any limit");
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        bytes memory data = _poolInitData(address(0), STAKE_LIMIT_MAX, 1 days, address(emergencyPause));
        vm.deal(address(this), INITIAL_DEPOSIT);
        vm.expectRevert(IStakingPool.ZeroAddress.selector);
        new ERC1967Proxy{value: INITIAL_DEPOSIT}(address(implementation), data);
    }

    function test_RevertWhen_InitializePauserIsZero() public {
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, 1 days, address(0));
        vm.deal(address(this), INITIAL_DEPOSIT);
        vm.expectRevert(IStakingPool.ZeroAddress.selector);
        new ERC1967Proxy{value: INITIAL_DEPOSIT}(address(implementation), data);
    }

    function test_RevertWhen_InitialDepositIsBelowTheMinimum() public {
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, 1 days, address(emergencyPause));
        uint256 amount = INITIAL_DEPOSIT - 1;
        vm.deal(address(this), amount);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InitialDepositTooSmall.selector, amount, INITIAL_DEPOSIT));
        new ERC1967Proxy{value: amount}(address(implementation), data);
    }

    function test_RevertWhen_InitialDepositIsZero() public {
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, 1 days, address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InitialDepositTooSmall.selector, 0, INITIAL_DEPOSIT));
        new ERC1967Proxy(address(implementation), data);
    }

    function testFuzz_RevertWhen_InitialDepositIsBelowTheMinimum(uint256 amount) public {
        amount = bound(amount, 1, INITIAL_DEPOSIT - 1);
        bytes memory data = _poolInitData(admin, STAKE_LIMIT_MAX, 1 days, address(emergencyPause));
        vm.deal(address(this), amount);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InitialDepositTooSmall.selector, amount, INITIAL_DEPOSIT));
        new ERC1967Proxy{value: amount}(address(implementation), data);
    }

    function test_RevertWhen_InitializeStakeLimitIsInvalid() public {
        uint256 tooLarge = uint256(type(uint96).max) + 1;
        bytes memory data = _poolInitData(admin, tooLarge, 1 days, address(emergencyPause));
        vm.deal(address(this), INITIAL_DEPOSIT);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidStakeLimit.selector, tooLarge, 1 days));
        new ERC1967Proxy{value: INITIAL_DEPOSIT}(address(implementation), data);
    }

    // =================================================================================================================
    // deposit and receive
    // =================================================================================================================

    function test_Deposit_MintsOneSharePerWeiAtTheInitialRate() public {
        vm.prank(alice);
        uint256 shares = pool.deposit{value: 10 ether}(address(0));

        assertEq(shares, 10 ether, "shares returned");
        assertEq(pool.balanceOf(alice), 10 ether, "alice's shares");
        assertEq(pool.totalSupply(), INITIAL_DEPOSIT + 10 ether, "total shares");
        assertEq(pool.convertToAssets(shares), 10 ether, "alice's shares are worth her deposit");
    }

    function test_Deposit_MintsSharesAtCurrentRate() public {
        _deposit(bob, 64 ether);
        _simulateValidatorDeposits(2);
        _simulateReport(64 ether + 1.234567891 ether, 2);
        uint256 totalShares = pool.totalSupply();
        uint256 totalEther = pool.totalPooledEther();
        uint256 expected = (10 ether * totalShares) / totalEther;

        uint256 shares = _deposit(alice, 10 ether);

        assertEq(shares, expected, "shares = amount x total shares / total pooled ether, rounded down");
        assertEq(pool.balanceOf(alice), expected, "alice's shares");
        assertLt(shares, 10 ether, "fewer shares than wei once rewards have come in");
        assertEq(pool.totalSupply(), totalShares + shares, "total shares");
        assertEq(pool.totalPooledEther(), totalEther + 10 ether, "total pooled ether");
    }

    function test_Deposit_AddsToTheBufferAndTheBalance() public {
        _deposit(alice, 3 ether);

        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(accounting.bufferedEther, INITIAL_DEPOSIT + 3 ether, "buffered ether");
        assertEq(accounting.totalPooledEther, INITIAL_DEPOSIT + 3 ether, "total pooled ether");
        assertEq(address(pool).balance, INITIAL_DEPOSIT + 3 ether, "pool balance");
        assertEq(alice.balance, ACTOR_BALANCE - 3 ether, "alice's balance");
    }

    function test_Deposit_EmitsTransferAndDeposited() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(address(0), alice, 2 ether);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.Deposited(alice, carol, 2 ether, 2 ether);

        vm.prank(alice);
        pool.deposit{value: 2 ether}(carol);
    }

    function test_Receive_DepositsWithNoReferral() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(address(0), alice, 1 ether);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.Deposited(alice, address(0), 1 ether, 1 ether);

        vm.prank(alice);
        (bool success, ) = address(pool).call{value: 1 ether}("");

        assertTrue(success, "plain transfer succeeded");
        assertEq(pool.balanceOf(alice), 1 ether, "alice's shares");
        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT + 1 ether, "buffered ether");
    }

    function test_RevertWhen_DepositIsZero() public {
        vm.prank(alice);
        vm.expectRevert(IStakingPool.ZeroDeposit.selector);
        pool.deposit(address(0));
    }

    function test_RevertWhen_ReceiveIsZero() public {
        vm.prank(alice);
        vm.expectRevert(IStakingPool.ZeroDeposit.selector);
        // With `expectRevert`, a low-level call reports success when it reverted as expected.
        (bool revertedAsExpected, ) = address(pool).call("");
        assertTrue(revertedAsExpected, "expected revert");
    }

    function test_RevertWhen_DepositsArePaused() public {
        uint256 until = block.timestamp + 1 days;
        _pauseDeposits(until);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
    }

    function test_RevertWhen_ReceiveWhileDepositsArePaused() public {
        uint256 until = block.timestamp + 1 days;
        _pauseDeposits(until);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        (bool revertedAsExpected, ) = address(pool).call{value: 1 ether}("");
        assertTrue(revertedAsExpected, "expected revert");
    }

    function test_RevertWhen_DepositExceedsTheStakeLimit() public {
        uint256 amount = STAKE_LIMIT_MAX + 1;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.StakeLimitExceeded.selector, amount, STAKE_LIMIT_MAX));
        pool.deposit{value: amount}(address(0));
    }

    function test_RevertWhen_DepositIsWorthLessThanOneShare() public {
        // A share worth exactly 1000 wei.
        _simulateRewards(999 * INITIAL_DEPOSIT);
        assertEq(pool.convertToAssets(1), 1000, "one share's value");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositTooSmall.selector, 999));
        pool.deposit{value: 999}(address(0));

        assertEq(_deposit(alice, 1000), 1, "1000 wei buys one share");
    }

    function testFuzz_RevertWhen_DepositIsWorthLessThanOneShare(uint256 rewards, uint256 amount) public {
        rewards = bound(rewards, 1, 1e9 ether);
        _simulateRewards(rewards);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        // amount × totalShares < totalEther: zero shares.
        amount = bound(amount, 1, (totalEther - 1) / totalShares);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositTooSmall.selector, amount));
        pool.deposit{value: amount}(address(0));
    }

    function test_RevertWhen_DepositGoesToTheImplementation() public {
        // Never initialized: no dead shares, no ether, no price.
        vm.prank(alice);
        vm.expectRevert(IStakingPool.NoPooledEther.selector);
        implementation.deposit{value: 1 ether}(address(0));
    }

    function test_RevertWhen_DepositFindsNoPooledEther() public {
        // Every wei staked in one validator, which the next report finds empty: shares exist, ether does not.
        _deposit(alice, VALIDATOR_DEPOSIT - INITIAL_DEPOSIT);
        _simulateValidatorDeposits(1);
        _simulateReport(0, 1);
        assertEq(pool.totalPooledEther(), 0, "total pooled ether");
        assertGt(pool.totalSupply(), 0, "total shares");

        vm.prank(bob);
        vm.expectRevert(IStakingPool.NoPooledEther.selector);
        pool.deposit{value: 1 ether}(address(0));
    }

    function test_ConvertToShares_IsZeroWhenThePoolHoldsNoEther() public {
        _deposit(alice, VALIDATOR_DEPOSIT - INITIAL_DEPOSIT);
        _simulateValidatorDeposits(1);
        _simulateReport(0, 1);
        assertEq(pool.convertToShares(1 ether), 0, "no shares for sale");
        assertEq(pool.convertToAssets(pool.balanceOf(alice)), 0, "worthless shares");
    }

    function test_RevertWhen_DepositOverflowsTheBuffer() public {
        vm.prank(admin);
        pool.removeStakeLimit();
        uint256 room = type(uint96).max - INITIAL_DEPOSIT;
        vm.deal(alice, room + 1);

        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 96, uint256(type(uint96).max) + 1)
        );
        pool.deposit{value: room + 1}(address(0));

        // Up to the brim is fine.
        _deposit(alice, room);
        assertEq(pool.getAccounting().bufferedEther, type(uint96).max, "buffered ether");
    }

    function testFuzz_Deposit_MintsOneSharePerWeiAtTheInitialRate(uint256 amount) public {
        amount = bound(amount, 1, STAKE_LIMIT_MAX);
        uint256 shares = _deposit(alice, amount);
        assertEq(shares, amount, "shares");
        assertEq(pool.convertToAssets(shares), amount, "value of the shares");
    }

    function testFuzz_Deposit_RoundsDownInPoolsFavour(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance,
        uint256 amount
    ) public {
        _randomPoolState(seedDeposit, validators, seen, beaconBalance);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        amount = bound(amount, 1, 100_000 ether);
        if (amount * totalShares < totalEther) {
            vm.prank(alice);
            vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositTooSmall.selector, amount));
            pool.deposit{value: amount}(address(0));
            return;
        }

        uint256 shares = _deposit(alice, amount);
        uint256 claim = pool.convertToAssets(shares);

        // Exact shares are amount × totalShares / totalEther; compared by cross-multiplying, which cannot overflow.
        assertLe(shares * totalEther, amount * totalShares, "shares <= exact shares");
        assertGt((shares + 1) * totalEther, amount * totalShares, "shares > exact shares - 1");
        assertLe(claim, amount, "depositor's claim <= amount");
        // The loss is under one share's value (totalEther / totalShares) plus 1 wei.
        assertLt((amount - claim) * totalShares, totalEther + totalShares, "loss < one share's value + 1 wei");
    }

    function testFuzz_Deposit_NeverLowersOtherHoldersValue(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance,
        uint256 amount
    ) public {
        address holder = _randomPoolState(seedDeposit, validators, seen, beaconBalance);
        amount = bound(amount, 1, 100_000 ether);
        vm.assume(pool.convertToShares(amount) != 0);
        uint256 holderValue = pool.convertToAssets(pool.balanceOf(holder));
        uint256 deadValue = pool.convertToAssets(pool.balanceOf(DEAD_SHARES_HOLDER));
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();

        _deposit(alice, amount);

        assertGe(pool.convertToAssets(pool.balanceOf(holder)), holderValue, "holder's value");
        assertGe(pool.convertToAssets(pool.balanceOf(DEAD_SHARES_HOLDER)), deadValue, "dead shares' value");
        // The exact rate, not only its rounded views: totalEther' / totalShares' >= totalEther / totalShares.
        assertGe(pool.totalPooledEther() * totalShares, totalEther * pool.totalSupply(), "share rate");
    }

    // =================================================================================================================
    // dead shares and forced ether
    // =================================================================================================================

    function test_Deposit_ForcedEtherDoesNotMoveTheRate() public {
        vm.deal(address(this), 1_000 ether);
        forceEther(address(pool), 1_000 ether);

        assertEq(address(pool).balance, INITIAL_DEPOSIT + 1_000 ether, "pool balance includes the forced ether");
        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT, "total pooled ether ignores it");
        assertEq(pool.getAccounting().bufferedEther, INITIAL_DEPOSIT, "buffered ether ignores it");
        assertEq(pool.convertToAssets(1 ether), 1 ether, "share value");
        assertEq(_deposit(alice, 1 ether), 1 ether, "the next depositor's shares");
    }

    function test_Deposit_DealtEtherDoesNotMoveTheRate() public {
        vm.deal(address(pool), address(pool).balance + 1_000 ether);

        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT, "total pooled ether");
        assertEq(_deposit(alice, 1 ether), 1 ether, "the next depositor's shares");
    }

    function test_Deposit_FrontRunningDonationCannotRobTheNextDepositor() public {
        // The classic inflation attack: be the only holder, donate, and let the victim's shares round to zero.
        address attacker = makeAddr("attacker");
        vm.deal(attacker, 10_001 ether);
        assertEq(_deposit(attacker, 1), 1, "attacker's shares");
        vm.prank(attacker);
        forceEther(address(pool), 10_000 ether);

        uint256 shares = _deposit(alice, 1 ether);

        assertGt(shares, 0, "victim's shares");
        assertGe(pool.convertToAssets(shares), 1 ether - 1, "victim's value >= amount - 1 wei");
        assertEq(pool.convertToAssets(pool.balanceOf(attacker)), 1, "attacker's value");
    }

    function testFuzz_Deposit_FrontRunningDonationCannotRobTheNextDepositor(
        uint256 attackerDeposit,
        uint256 donation,
        uint256 amount,
        bool viaSelfdestruct
    ) public {
        address attacker = makeAddr("attacker");
        attackerDeposit = bound(attackerDeposit, 0, 1_000 ether);
        donation = bound(donation, 1, 1e9 ether);
        amount = bound(amount, 1, 100_000 ether);
        if (attackerDeposit != 0) {
            vm.deal(attacker, attackerDeposit);
            _deposit(attacker, attackerDeposit);
        }
        if (viaSelfdestruct) {
            vm.deal(address(this), donation);
            forceEther(address(pool), donation);
        } else {
            vm.deal(address(pool), address(pool).balance + donation);
        }
        uint256 attackerValue = pool.convertToAssets(pool.balanceOf(attacker));

        uint256 shares = _deposit(alice, amount);

        assertGt(shares, 0, "victim's shares");
        assertGe(pool.convertToAssets(shares) + 1, amount, "victim's value >= amount - 1 wei");
        assertEq(pool.convertToAssets(pool.balanceOf(attacker)), attackerValue, "attacker's value");
    }

    // =================================================================================================================
    // setStakeLimit and removeStakeLimit
    // =================================================================================================================

    function test_SetStakeLimit_SetsTheLimitAndEmits() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.StakeLimitSet(1_000 ether, 2 days);
        vm.prank(admin);
        pool.setStakeLimit(1_000 ether, 2 days);

        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        assertTrue(info.enabled, "enabled");
        assertEq(info.maxLimit, 1_000 ether, "maxLimit");
        assertEq(info.refillPeriod, 2 days, "refillPeriod");
        assertEq(info.available, 1_000 ether, "available, clamped to the new maximum");
    }

    function test_SetStakeLimit_AcceptsTheLargestValues() public {
        vm.prank(admin);
        pool.setStakeLimit(type(uint96).max, type(uint32).max);

        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        assertEq(info.maxLimit, type(uint96).max, "maxLimit");
        assertEq(info.refillPeriod, type(uint32).max, "refillPeriod");
    }

    function test_SetStakeLimit_WorksForAnotherHolderOfTheRole() public {
        vm.prank(admin);
        pool.grantRole(stakeLimitRole, carol);

        vm.prank(carol);
        pool.setStakeLimit(5 ether, 1 hours);
        assertEq(pool.getStakeLimit().maxLimit, 5 ether, "maxLimit");
    }

    function test_RevertWhen_SetStakeLimitCallerLacksTheRole() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, stakeLimitRole)
        );
        pool.setStakeLimit(1 ether, 1 days);
    }

    function test_RevertWhen_StakeLimitIsZero() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidStakeLimit.selector, 0, 1 days));
        pool.setStakeLimit(0, 1 days);
    }

    function test_RevertWhen_StakeLimitIsAboveUint96() public {
        uint256 tooLarge = uint256(type(uint96).max) + 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidStakeLimit.selector, tooLarge, 1 days));
        pool.setStakeLimit(tooLarge, 1 days);
    }

    function test_RevertWhen_StakeLimitRefillPeriodIsAboveUint32() public {
        uint256 tooLong = uint256(type(uint32).max) + 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidStakeLimit.selector, 1 ether, tooLong));
        pool.setStakeLimit(1 ether, tooLong);
    }

    function testFuzz_RevertWhen_StakeLimitIsInvalid(uint256 maxLimit, uint256 refillPeriod) public {
        bool valid = maxLimit != 0 && maxLimit <= type(uint96).max && refillPeriod <= type(uint32).max;
        vm.assume(!valid);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidStakeLimit.selector, maxLimit, refillPeriod));
        pool.setStakeLimit(maxLimit, refillPeriod);
    }

    function test_RemoveStakeLimit_LetsAnyDepositThroughAndEmits() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.StakeLimitRemoved();
        vm.prank(admin);
        pool.removeStakeLimit();

        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        assertFalse(info.enabled, "enabled");
        assertEq(info.maxLimit, 0, "maxLimit");
        assertEq(info.refillPeriod, 0, "refillPeriod");
        assertEq(info.available, type(uint256).max, "available");

        _deposit(alice, STAKE_LIMIT_MAX + 1);
        _deposit(bob, STAKE_LIMIT_MAX + 1);
        assertEq(pool.getStakeLimit().available, type(uint256).max, "available after deposits");
    }

    function test_RevertWhen_RemoveStakeLimitCallerLacksTheRole() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, stakeLimitRole)
        );
        pool.removeStakeLimit();
    }

    function test_Deposit_ConsumesTheStakeLimit() public {
        _deposit(alice, 100_000 ether);
        assertEq(pool.getStakeLimit().available, 50_000 ether, "available");

        // Exactly what is available goes through, one more wei does not.
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IStakingPool.StakeLimitExceeded.selector, 50_000 ether + 1, 50_000 ether)
        );
        pool.deposit{value: 50_000 ether + 1}(address(0));
        _deposit(bob, 50_000 ether);
        assertEq(pool.getStakeLimit().available, 0, "available when used up");
    }

    function test_StakeLimit_RefillsLinearlyOverTime() public {
        _deposit(alice, STAKE_LIMIT_MAX);
        uint256 start = block.timestamp;
        assertEq(pool.getStakeLimit().available, 0, "available right after");

        vm.warp(start + 6 hours);
        assertEq(pool.getStakeLimit().available, STAKE_LIMIT_MAX / 4, "available after a quarter period");
        vm.warp(start + 12 hours);
        assertEq(pool.getStakeLimit().available, STAKE_LIMIT_MAX / 2, "available after half a period");
        vm.warp(start + 1 days);
        assertEq(pool.getStakeLimit().available, STAKE_LIMIT_MAX, "available after a full period");
        vm.warp(start + 10 days);
        assertEq(pool.getStakeLimit().available, STAKE_LIMIT_MAX, "available long after: capped at the max");
    }

    function test_StakeLimit_RefillsFromWhatWasLeft() public {
        _deposit(alice, 100_000 ether);
        vm.warp(block.timestamp + 6 hours);
        // 50_000 left + 37_500 refilled.
        assertEq(pool.getStakeLimit().available, 87_500 ether, "available");

        _deposit(bob, 80_000 ether);
        assertEq(pool.getStakeLimit().available, 7_500 ether, "available after the second deposit");
        vm.warp(block.timestamp + 1 hours);
        assertEq(pool.getStakeLimit().available, 7_500 ether + 6_250 ether, "refill restarts at the deposit");
    }

    function test_StakeLimit_ZeroRefillPeriodIsFullAtOnce() public {
        vm.prank(admin);
        pool.setStakeLimit(10 ether, 0);

        _deposit(alice, 10 ether);
        assertEq(pool.getStakeLimit().available, 10 ether, "available right after a full deposit");
        _deposit(alice, 10 ether);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.StakeLimitExceeded.selector, 10 ether + 1, 10 ether));
        pool.deposit{value: 10 ether + 1}(address(0));
    }

    function test_SetStakeLimit_LoweringTheMaxClampsWhatIsAvailable() public {
        vm.prank(admin);
        pool.setStakeLimit(10 ether, 1 days);
        assertEq(pool.getStakeLimit().available, 10 ether, "available");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.StakeLimitExceeded.selector, 11 ether, 10 ether));
        pool.deposit{value: 11 ether}(address(0));
    }

    function test_SetStakeLimit_RaisingTheMaxKeepsWhatIsAvailable() public {
        _deposit(alice, 100_000 ether);
        vm.prank(admin);
        pool.setStakeLimit(300_000 ether, 1 days);
        assertEq(pool.getStakeLimit().available, 50_000 ether, "available right after");

        vm.warp(block.timestamp + 12 hours);
        assertEq(pool.getStakeLimit().available, 200_000 ether, "refills at the new rate");
    }

    function test_SetStakeLimit_KeepsWhatRefilledUnderTheOldLimit() public {
        _deposit(alice, STAKE_LIMIT_MAX);
        vm.warp(block.timestamp + 12 hours);
        vm.prank(admin);
        pool.setStakeLimit(200_000 ether, 2 days);
        assertEq(pool.getStakeLimit().available, 75_000 ether, "available right after");

        vm.warp(block.timestamp + 12 hours);
        assertEq(pool.getStakeLimit().available, 125_000 ether, "refills from there at the new rate");
    }

    function test_SetStakeLimit_SwitchedOnFromNoneStartsFull() public {
        vm.startPrank(admin);
        pool.removeStakeLimit();
        vm.warp(block.timestamp + 3 days);
        pool.setStakeLimit(5 ether, 1 days);
        vm.stopPrank();

        assertEq(pool.getStakeLimit().available, 5 ether, "available");
        _deposit(alice, 5 ether);
        assertEq(pool.getStakeLimit().available, 0, "available after a full deposit");
    }

    function testFuzz_StakeLimit_NeverExceedsMax(uint256 maxLimit, uint256 refillPeriod, uint256 seed) public {
        maxLimit = bound(maxLimit, 1, 1_000_000 ether);
        refillPeriod = bound(refillPeriod, 0, 30 days);
        vm.prank(admin);
        pool.setStakeLimit(maxLimit, refillPeriod);

        for (uint256 i = 0; i < 8; ++i) {
            uint256 warpSeed = uint256(keccak256(abi.encode(seed, i, "warp")));
            uint256 amountSeed = uint256(keccak256(abi.encode(seed, i, "amount")));
            vm.warp(block.timestamp + bound(warpSeed, 0, 2 * refillPeriod + 1));
            uint256 available = pool.getStakeLimit().available;
            assertLe(available, maxLimit, "available <= max before a deposit");

            uint256 amount = bound(amountSeed, 0, available);
            if (amount == 0) continue;
            vm.deal(alice, amount);
            _deposit(alice, amount);

            uint256 availableAfter = pool.getStakeLimit().available;
            assertLe(availableAfter, maxLimit, "available <= max after a deposit");
            assertEq(availableAfter, refillPeriod == 0 ? maxLimit : available - amount, "deposit consumed it");
        }
    }

    function testFuzz_StakeLimit_RefillIsMonotonicInTime(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 consumed,
        uint256 elapsed,
        uint256 laterElapsed
    ) public {
        maxLimit = bound(maxLimit, 1, 1_000_000 ether);
        refillPeriod = bound(refillPeriod, 1, 365 days);
        consumed = bound(consumed, 0, maxLimit);
        elapsed = bound(elapsed, 0, 2 * refillPeriod);
        laterElapsed = bound(laterElapsed, elapsed, 2 * refillPeriod + 1);
        // Switched on from none, so the new limit starts full.
        vm.startPrank(admin);
        pool.removeStakeLimit();
        pool.setStakeLimit(maxLimit, refillPeriod);
        vm.stopPrank();
        if (consumed != 0) {
            vm.deal(alice, consumed);
            _deposit(alice, consumed);
        }
        uint256 start = block.timestamp;

        vm.warp(start + elapsed);
        uint256 available = pool.getStakeLimit().available;
        vm.warp(start + laterElapsed);
        uint256 laterAvailable = pool.getStakeLimit().available;

        uint256 left = maxLimit - consumed;
        assertGe(available, left, "never below what was left");
        assertLe(available, laterAvailable, "never lower later");
        assertLe(laterAvailable, maxLimit, "never above max");
        assertEq(available, Math.min(left + (elapsed * maxLimit) / refillPeriod, maxLimit), "linear refill");
    }

    // =================================================================================================================
    // pauseDeposits and resumeDeposits
    // =================================================================================================================

    function test_PauseDeposits_SetsTheEndAndEmits() public {
        uint256 until = block.timestamp + 1 days;
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsPaused(until);
        _pauseDeposits(until);

        assertEq(pool.depositsPausedUntil(), until, "depositsPausedUntil");
    }

    function test_PauseDeposits_ThroughTheEmergencyPauseGuardian() public {
        uint256 until = block.timestamp + 2 days;
        uint256 deposits = emergencyPause.DEPOSITS();
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsPaused(until);
        vm.prank(pauseGuardian);
        emergencyPause.pause(deposits, 2 days);

        assertEq(pool.depositsPausedUntil(), until, "depositsPausedUntil");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));
    }

    function test_PauseDeposits_ExpiresByItselfAtTheEnd() public {
        uint256 until = block.timestamp + 1 days;
        _pauseDeposits(until);

        vm.warp(until - 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        pool.deposit{value: 1 ether}(address(0));

        vm.warp(until);
        assertEq(_deposit(alice, 1 ether), 1 ether, "deposit at the end of the pause");
    }

    function test_PauseDeposits_ReplacesARunningPause() public {
        // The pool takes the end it is given; the emergency pause decides never to shorten one.
        _pauseDeposits(block.timestamp + 7 days);
        _pauseDeposits(block.timestamp + 1 hours);

        assertEq(pool.depositsPausedUntil(), block.timestamp + 1 hours, "depositsPausedUntil");
        vm.warp(block.timestamp + 1 hours);
        _deposit(alice, 1 ether);
    }

    function test_PauseDeposits_AcceptsTheLastUint32Timestamp() public {
        _pauseDeposits(type(uint32).max);
        assertEq(pool.depositsPausedUntil(), type(uint32).max, "depositsPausedUntil");
    }

    function test_PauseDeposits_LeavesTransfersAlone() public {
        _deposit(alice, 1 ether);
        _pauseDeposits(block.timestamp + 1 days);

        vm.prank(alice);
        assertTrue(pool.transfer(bob, 1 ether), "transfer");
        assertEq(pool.balanceOf(bob), 1 ether, "bob's shares");
    }

    function test_RevertWhen_AdminPausesDepositsDirectly() public {
        // Governance holds no PAUSE_ROLE: an unbounded pause is out of its reach too, unless it grants the role in the
        // open, through its own timelock.
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, pauseRole)
        );
        pool.pauseDeposits(block.timestamp + 1 days);
    }

    function test_RevertWhen_PauseGuardianPausesDepositsDirectly() public {
        // The guardian pauses through the emergency pause only, where its pause is bounded and counted.
        vm.prank(pauseGuardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, pauseGuardian, pauseRole)
        );
        pool.pauseDeposits(block.timestamp + 1 days);
    }

    function test_RevertWhen_PauseDepositsCallerLacksTheRole() public {
        // Resuming does not entitle one to pause.
        vm.prank(admin);
        pool.grantRole(resumeRole, carol);

        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, pauseRole)
        );
        pool.pauseDeposits(block.timestamp + 1 days);
    }

    function test_RevertWhen_PauseEndIsNow() public {
        vm.prank(address(emergencyPause));
        vm.expectRevert(
            abi.encodeWithSelector(IStakingPool.InvalidPauseEnd.selector, block.timestamp, block.timestamp)
        );
        pool.pauseDeposits(block.timestamp);
    }

    function test_RevertWhen_PauseEndIsInThePast() public {
        uint256 until = block.timestamp - 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidPauseEnd.selector, until, block.timestamp));
        pool.pauseDeposits(until);
    }

    function test_RevertWhen_PauseEndIsAboveUint32() public {
        uint256 until = uint256(type(uint32).max) + 1;
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidPauseEnd.selector, until, block.timestamp));
        pool.pauseDeposits(until);
    }

    function testFuzz_RevertWhen_PauseEndIsInvalid(uint256 until) public {
        vm.assume(until <= block.timestamp || until > type(uint32).max);
        vm.prank(address(emergencyPause));
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.InvalidPauseEnd.selector, until, block.timestamp));
        pool.pauseDeposits(until);
    }

    function test_ResumeDeposits_EndsThePauseAndEmits() public {
        _pauseDeposits(block.timestamp + 1 days);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsResumed();
        vm.prank(admin);
        pool.resumeDeposits();

        assertEq(pool.depositsPausedUntil(), 0, "depositsPausedUntil");
        _deposit(alice, 1 ether);
    }

    function test_ResumeDeposits_ByTheEmergencyPause() public {
        // The emergency pause resumes on governance's behalf (its `resume`): it holds RESUME_ROLE too.
        _pauseDeposits(block.timestamp + 1 days);
        vm.expectEmit(true, true, true, true, address(pool));
        emit IStakingPool.DepositsResumed();
        vm.prank(address(emergencyPause));
        pool.resumeDeposits();

        assertEq(pool.depositsPausedUntil(), 0, "depositsPausedUntil");
        _deposit(alice, 1 ether);
    }

    function test_RevertWhen_ResumeDepositsCallerLacksTheRole() public {
        // Pausing does not entitle one to resume.
        vm.prank(admin);
        pool.grantRole(pauseRole, carol);
        vm.prank(carol);
        pool.pauseDeposits(block.timestamp + 1 days);

        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, resumeRole)
        );
        pool.resumeDeposits();

        // Nor does being the pause guardian: only governance ends a pause early.
        vm.prank(pauseGuardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, pauseGuardian, resumeRole)
        );
        pool.resumeDeposits();
    }

    function test_RevertWhen_ResumeDepositsWhenNotPaused() public {
        vm.prank(admin);
        vm.expectRevert(IStakingPool.DepositsNotPaused.selector);
        pool.resumeDeposits();
    }

    function test_RevertWhen_ResumeDepositsAfterThePauseExpired() public {
        uint256 until = block.timestamp + 1 days;
        _pauseDeposits(until);
        vm.warp(until);

        assertEq(pool.depositsPausedUntil(), until, "depositsPausedUntil stays in the past");
        vm.prank(admin);
        vm.expectRevert(IStakingPool.DepositsNotPaused.selector);
        pool.resumeDeposits();
    }

    // =================================================================================================================
    // views
    // =================================================================================================================

    function test_GetAccounting_IsTheInitialDepositAtFirst() public view {
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(accounting.bufferedEther, INITIAL_DEPOSIT, "bufferedEther");
        assertEq(accounting.beaconBalance, 0, "beaconBalance");
        assertEq(accounting.depositedValidators, 0, "depositedValidators");
        assertEq(accounting.beaconValidators, 0, "beaconValidators");
        assertEq(accounting.transientEther, 0, "transientEther");
        assertEq(accounting.totalPooledEther, INITIAL_DEPOSIT, "totalPooledEther");
        assertEq(accounting.totalShares, INITIAL_DEPOSIT, "totalShares");
    }

    function test_GetAccounting_CountsUnseenValidatorsAsTransientEther() public {
        _deposit(alice, 100 ether);
        _simulateValidatorDeposits(3);

        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(accounting.bufferedEther, INITIAL_DEPOSIT + 4 ether, "bufferedEther after staking");
        assertEq(accounting.transientEther, 96 ether, "transientEther before a report");
        assertEq(accounting.totalPooledEther, INITIAL_DEPOSIT + 100 ether, "staking does not move the total");
        assertEq(pool.totalPooledEther(), accounting.totalPooledEther, "totalPooledEther() before a report");

        _simulateReport(32.5 ether, 1);

        accounting = pool.getAccounting();
        assertEq(accounting.bufferedEther, INITIAL_DEPOSIT + 4 ether, "bufferedEther");
        assertEq(accounting.beaconBalance, 32.5 ether, "beaconBalance");
        assertEq(accounting.depositedValidators, 3, "depositedValidators");
        assertEq(accounting.beaconValidators, 1, "beaconValidators");
        assertEq(accounting.transientEther, 64 ether, "transientEther = 32 ether x (deposited - seen)");
        assertEq(accounting.totalPooledEther, INITIAL_DEPOSIT + 4 ether + 32.5 ether + 64 ether, "totalPooledEther");
        assertEq(pool.totalPooledEther(), accounting.totalPooledEther, "totalPooledEther()");
        assertEq(accounting.totalShares, pool.totalSupply(), "totalShares");
    }

    function testFuzz_GetAccounting_TotalIsBufferPlusBeaconPlusTransient(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance
    ) public {
        _randomPoolState(seedDeposit, validators, seen, beaconBalance);
        _assertAccountingIsConsistent();
    }

    function test_GetStakeLimit_ReportsNoLimit() public {
        vm.prank(admin);
        pool.removeStakeLimit();
        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        assertFalse(info.enabled, "enabled");
        assertEq(info.available, type(uint256).max, "available");
    }

    function test_DepositsPausedUntil_IsZeroInitially() public view {
        assertEq(pool.depositsPausedUntil(), 0, "depositsPausedUntil");
    }

    function test_TotalPooledEther_IsBufferPlusValidatorEther() public {
        _deposit(alice, 64 ether);
        _simulateValidatorDeposits(2);
        _simulateReport(63 ether, 2);
        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT + 63 ether, "after a loss");
    }

    function test_ConvertToSharesAndConvertToAssets_AreOneToOneInitially() public view {
        assertEq(pool.convertToShares(1 ether), 1 ether, "convertToShares");
        assertEq(pool.convertToAssets(1 ether), 1 ether, "convertToAssets");
        assertEq(pool.convertToShares(0), 0, "convertToShares(0)");
        assertEq(pool.convertToAssets(0), 0, "convertToAssets(0)");
    }

    function test_ConvertToSharesAndConvertToAssets_RoundDown() public {
        // totalPooledEther = 3 × totalShares + 1: a share is worth a little over 3 wei.
        _simulateRewards(2 * INITIAL_DEPOSIT + 1);
        assertEq(pool.convertToShares(3), 0, "3 wei buy no share");
        assertEq(pool.convertToShares(4), 1, "4 wei buy one share");
        assertEq(pool.convertToAssets(1), 3, "one share is worth 3 wei");
        assertEq(pool.convertToAssets(INITIAL_DEPOSIT), 3 * INITIAL_DEPOSIT + 1, "all shares");
    }

    function testFuzz_ConvertToShares_MatchesWhatADepositMints(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance,
        uint256 amount
    ) public {
        _randomPoolState(seedDeposit, validators, seen, beaconBalance);
        amount = bound(amount, 1, 100_000 ether);
        uint256 expected = pool.convertToShares(amount);
        vm.assume(expected != 0);
        assertEq(_deposit(alice, amount), expected, "shares minted");
    }

    function testFuzz_ConvertToShares_ConvertToAssets_RoundTripNeverGains(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance,
        uint256 amount
    ) public {
        _randomPoolState(seedDeposit, validators, seen, beaconBalance);
        amount = bound(amount, 0, 1e12 ether);
        assertLe(pool.convertToAssets(pool.convertToShares(amount)), amount, "ether -> shares -> ether");
        assertLe(pool.convertToShares(pool.convertToAssets(amount)), amount, "shares -> ether -> shares");
    }

    // =================================================================================================================
    // permit (EIP-2612)
    // =================================================================================================================

    function test_DomainSeparator_IsTheTokensEip712Domain() public view {
        bytes32 expected = keccak256(
            abi.encode(
                EIP712_DOMAIN_TYPEHASH,
                keccak256("Plural Staked Ether"),
                keccak256("1"),
                block.chainid,
                address(pool)
            )
        );
        assertEq(pool.DOMAIN_SEPARATOR(), expected, "DOMAIN_SEPARATOR");
    }

    function test_Permit_SetsTheAllowanceAndBumpsTheNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));

        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Approval(alice, bob, 5 ether);
        // Anyone may submit the signature.
        vm.prank(carol);
        pool.permit(alice, bob, 5 ether, deadline, v, r, s);

        assertEq(pool.allowance(alice, bob), 5 ether, "allowance");
        assertEq(pool.nonces(alice), 1, "nonce");
    }

    function test_Permit_AcceptsADeadlineOfNow() public {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 1, 0, block.timestamp));
        pool.permit(alice, bob, 1, block.timestamp, v, r, s);
        assertEq(pool.allowance(alice, bob), 1, "allowance");
    }

    function test_Permit_LetsTheSpenderTransferFrom() public {
        _deposit(alice, 3 ether);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 2 ether, 0, deadline));
        pool.permit(alice, bob, 2 ether, deadline, v, r, s);

        vm.prank(bob);
        assertTrue(pool.transferFrom(alice, carol, 2 ether), "transferFrom");
        assertEq(pool.balanceOf(carol), 2 ether, "carol's shares");
        assertEq(pool.allowance(alice, bob), 0, "allowance spent");
    }

    function test_RevertWhen_PermitDeadlineHasPassed() public {
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));

        vm.expectRevert(abi.encodeWithSelector(ERC20PermitUpgradeable.ERC2612ExpiredSignature.selector, deadline));
        pool.permit(alice, bob, 5 ether, deadline, v, r, s);
    }

    function test_RevertWhen_PermitSignerIsNotTheOwner() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(bobKey, _permitDigest(alice, bob, 5 ether, 0, deadline));

        vm.expectRevert(abi.encodeWithSelector(ERC20PermitUpgradeable.ERC2612InvalidSigner.selector, bob, alice));
        pool.permit(alice, bob, 5 ether, deadline, v, r, s);
    }

    function test_RevertWhen_PermitIsReplayed() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));
        pool.permit(alice, bob, 5 ether, deadline, v, r, s);
        vm.prank(bob);
        pool.approve(carol, 0); // unrelated state change between the two submissions

        // Checked against nonce 1 now, the signature recovers to some other address.
        address recovered = ecrecover(_permitDigest(alice, bob, 5 ether, 1, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20PermitUpgradeable.ERC2612InvalidSigner.selector, recovered, alice));
        pool.permit(alice, bob, 5 ether, deadline, v, r, s);
        assertEq(pool.nonces(alice), 1, "nonce");
    }

    function test_RevertWhen_PermitValueIsChanged() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, _permitDigest(alice, bob, 5 ether, 0, deadline));

        address recovered = ecrecover(_permitDigest(alice, bob, 6 ether, 0, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20PermitUpgradeable.ERC2612InvalidSigner.selector, recovered, alice));
        pool.permit(alice, bob, 6 ether, deadline, v, r, s);
    }

    // =================================================================================================================
    // transfers
    // =================================================================================================================

    function test_Transfer_MovesSharesAndKeepsTheirValue() public {
        _deposit(alice, 10 ether);
        _simulateRewards(1.1 ether);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        uint256 value = pool.convertToAssets(4 ether);

        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(alice, bob, 4 ether);
        vm.prank(alice);
        assertTrue(pool.transfer(bob, 4 ether), "transfer");

        assertEq(pool.balanceOf(alice), 6 ether, "alice's shares");
        assertEq(pool.balanceOf(bob), 4 ether, "bob's shares");
        assertEq(pool.convertToAssets(pool.balanceOf(bob)), value, "bob's shares keep their value");
        assertEq(pool.totalSupply(), totalShares, "total shares");
        assertEq(pool.totalPooledEther(), totalEther, "total pooled ether");
    }

    function test_TransferFrom_SpendsTheAllowance() public {
        _deposit(alice, 10 ether);
        vm.prank(alice);
        assertTrue(pool.approve(bob, 3 ether), "approve");

        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(alice, carol, 2 ether);
        vm.prank(bob);
        assertTrue(pool.transferFrom(alice, carol, 2 ether), "transferFrom");

        assertEq(pool.balanceOf(alice), 8 ether, "alice's shares");
        assertEq(pool.balanceOf(carol), 2 ether, "carol's shares");
        assertEq(pool.allowance(alice, bob), 1 ether, "allowance left");
    }

    function test_RevertWhen_TransferFromExceedsTheAllowance() public {
        _deposit(alice, 10 ether);
        vm.prank(alice);
        pool.approve(bob, 1 ether);

        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 1 ether, 2 ether)
        );
        pool.transferFrom(alice, carol, 2 ether);
    }

    function test_RevertWhen_TransferExceedsTheBalance() public {
        _deposit(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1 ether, 1 ether + 1)
        );
        pool.transfer(bob, 1 ether + 1);
    }

    function testFuzz_Transfer_KeepsTheTotalValueOfBothHolders(uint256 rewards, uint256 shares) public {
        _deposit(alice, 1_000 ether);
        _simulateRewards(bound(rewards, 0, 1_000 ether));
        shares = bound(shares, 0, pool.balanceOf(alice));
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();

        vm.prank(alice);
        pool.transfer(bob, shares);

        uint256 aliceShares = pool.balanceOf(alice);
        assertEq(aliceShares + pool.balanceOf(bob), 1_000 ether, "shares are conserved");
        assertEq(pool.totalSupply(), totalShares, "total shares");
        assertEq(pool.totalPooledEther(), totalEther, "total pooled ether");
        // Each side rounds down on its own: together they lose at most 1 wei against the undivided balance.
        uint256 together = pool.convertToAssets(aliceShares) + pool.convertToAssets(shares);
        assertLe(together, pool.convertToAssets(1_000 ether), "values together <= value before");
        assertGe(together + 1, pool.convertToAssets(1_000 ether), "values together >= value before - 1 wei");
    }

    // =================================================================================================================
    // burn
    // =================================================================================================================

    function test_Burn_RaisesTheValueOfEveryOtherShare() public {
        _deposit(alice, 10 ether);
        _deposit(bob, 10 ether);
        _simulateRewards(1 ether);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        uint256 bobShares = pool.balanceOf(bob);
        uint256 bobValue = pool.convertToAssets(bobShares);
        uint256 deadValue = pool.convertToAssets(pool.balanceOf(DEAD_SHARES_HOLDER));

        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(alice, address(0), 4 ether);
        vm.prank(alice);
        pool.burn(4 ether);

        assertEq(pool.balanceOf(alice), 6 ether, "alice's shares");
        assertEq(pool.totalSupply(), totalShares - 4 ether, "total shares");
        assertEq(pool.getAccounting().totalShares, totalShares - 4 ether, "getAccounting().totalShares");
        assertEq(pool.totalPooledEther(), totalEther, "the ether stays pooled");
        assertEq(pool.balanceOf(bob), bobShares, "bob's shares");
        assertEq(pool.convertToAssets(bobShares), (bobShares * totalEther) / (totalShares - 4 ether), "bob's value");
        assertGt(pool.convertToAssets(bobShares), bobValue, "bob gained");
        assertGt(pool.convertToAssets(pool.balanceOf(DEAD_SHARES_HOLDER)), deadValue, "the dead shares gained");
        _assertAccountingIsConsistent();
    }

    function test_Burn_AWholeBalance() public {
        _deposit(alice, 3 ether);
        uint256 totalShares = pool.totalSupply();
        vm.prank(alice);
        pool.burn(3 ether);
        assertEq(pool.balanceOf(alice), 0, "alice's shares");
        assertEq(pool.totalSupply(), totalShares - 3 ether, "total shares");
    }

    function test_Burn_ZeroChangesNothing() public {
        _deposit(alice, 1 ether);
        uint256 totalShares = pool.totalSupply();
        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC20.Transfer(alice, address(0), 0);
        vm.prank(alice);
        pool.burn(0);
        assertEq(pool.balanceOf(alice), 1 ether, "alice's shares");
        assertEq(pool.totalSupply(), totalShares, "total shares");
    }

    function test_RevertWhen_BurnExceedsTheBalance() public {
        _deposit(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1 ether, 1 ether + 1)
        );
        pool.burn(1 ether + 1);

        // Only one's own shares: an allowance does not let bob burn alice's.
        vm.prank(alice);
        pool.approve(bob, 1 ether);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, bob, 0, 1));
        pool.burn(1);
        assertEq(pool.balanceOf(alice), 1 ether, "alice's shares");
    }

    function testFuzz_Burn_NeverLowersAnotherHoldersValue(uint256 rewards, uint256 shares) public {
        _deposit(alice, 100 ether);
        _deposit(bob, 1 ether);
        _simulateRewards(bound(rewards, 0, 100 ether));
        shares = bound(shares, 0, pool.balanceOf(alice));
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        uint256 bobValue = pool.convertToAssets(pool.balanceOf(bob));

        vm.prank(alice);
        pool.burn(shares);

        assertEq(pool.totalPooledEther(), totalEther, "total pooled ether");
        assertGe(pool.convertToAssets(pool.balanceOf(bob)), bobValue, "bob's value never falls");
        // Bob's shares now divide the same ether with fewer others.
        uint256 bobShares = pool.balanceOf(bob);
        assertEq(pool.convertToAssets(bobShares), (bobShares * totalEther) / (totalShares - shares), "bob's value");
    }

    // =================================================================================================================
    // upgradeToAndCall
    // =================================================================================================================

    function test_UpgradeToAndCall_PreservesState() public {
        // State in every namespace: ERC-20, nonces, access control, and the pool's three slots.
        _deposit(alice, 64 ether);
        _simulateValidatorDeposits(2);
        _simulateReport(64.5 ether, 1);
        vm.prank(alice);
        pool.transfer(bob, 10 ether);
        vm.prank(alice);
        pool.approve(carol, 7 ether);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(bobKey, _permitDigest(bob, carol, 1 ether, 0, deadline));
        pool.permit(bob, carol, 1 ether, deadline, v, r, s);
        vm.startPrank(admin);
        pool.grantRole(pauseRole, carol);
        pool.setStakeLimit(1_000 ether, 3 days);
        vm.stopPrank();
        _pauseDeposits(block.timestamp + 2 days);

        IStakingPool.Accounting memory accounting = pool.getAccounting();
        IStakingPool.StakeLimitInfo memory limit = pool.getStakeLimit();
        uint256 aliceShares = pool.balanceOf(alice);
        uint256 pausedUntil = pool.depositsPausedUntil();
        bytes32 domainSeparator = pool.DOMAIN_SEPARATOR();

        StakingPool newImplementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        vm.expectEmit(true, true, true, true, address(pool));
        emit IERC1967.Upgraded(address(newImplementation));
        vm.prank(admin);
        pool.upgradeToAndCall(address(newImplementation), "");

        assertEq(
            vm.load(address(pool), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(newImplementation)))),
            "implementation slot"
        );
        _assertAccountingEq(pool.getAccounting(), accounting);
        IStakingPool.StakeLimitInfo memory limitAfter = pool.getStakeLimit();
        assertEq(limitAfter.maxLimit, limit.maxLimit, "stake limit max");
        assertEq(limitAfter.refillPeriod, limit.refillPeriod, "stake limit refill period");
        assertEq(limitAfter.available, limit.available, "stake limit available");
        assertEq(pool.depositsPausedUntil(), pausedUntil, "depositsPausedUntil");
        assertEq(pool.totalPooledEther(), accounting.totalPooledEther, "totalPooledEther");
        assertEq(pool.balanceOf(alice), aliceShares, "alice's shares");
        assertEq(pool.balanceOf(bob), 10 ether, "bob's shares");
        assertEq(pool.balanceOf(DEAD_SHARES_HOLDER), INITIAL_DEPOSIT, "dead shares");
        assertEq(pool.allowance(alice, carol), 7 ether, "allowance");
        assertEq(pool.allowance(bob, carol), 1 ether, "permitted allowance");
        assertEq(pool.nonces(bob), 1, "nonce");
        assertEq(pool.DOMAIN_SEPARATOR(), domainSeparator, "DOMAIN_SEPARATOR");
        assertEq(pool.name(), "Plural Staked Ether", "name");
        assertTrue(pool.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin keeps DEFAULT_ADMIN_ROLE");
        assertTrue(pool.hasRole(pauseRole, carol), "carol keeps PAUSE_ROLE");
        assertTrue(pool.hasRole(pauseRole, address(emergencyPause)), "the emergency pause keeps PAUSE_ROLE");
        assertFalse(pool.hasRole(pauseRole, admin), "the admin still lacks PAUSE_ROLE");

        // And the upgraded pool works: the pause ends on time and deposits go on at the same rate.
        vm.warp(pausedUntil);
        uint256 expectedShares = pool.convertToShares(1 ether);
        assertEq(_deposit(alice, 1 ether), expectedShares, "deposit after the upgrade");
    }

    function test_RevertWhen_UpgradeCallerIsNotAdmin() public {
        StakingPool newImplementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, DEFAULT_ADMIN_ROLE)
        );
        pool.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeCallerHoldsEveryOtherRole() public {
        StakingPool newImplementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        vm.startPrank(admin);
        pool.grantRole(pauseRole, carol);
        pool.grantRole(resumeRole, carol);
        pool.grantRole(stakeLimitRole, carol);
        vm.stopPrank();

        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, DEFAULT_ADMIN_ROLE)
        );
        pool.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeTargetIsNotUups() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, beaconDeposit));
        pool.upgradeToAndCall(address(beaconDeposit), "");
    }

    function test_RevertWhen_UpgradeIsCalledOnTheImplementation() public {
        StakingPool newImplementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        implementation.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeCallReinitializes() public {
        StakingPool newImplementation = new StakingPool(IDepositContract(address(beaconDeposit)));
        bytes memory data = _poolInitData(alice, 0, 0, address(emergencyPause));
        vm.prank(admin);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.upgradeToAndCall(address(newImplementation), data);
    }

    function test_ProxiableUuid_IsTheImplementationSlotOnTheImplementationOnly() public {
        assertEq(implementation.proxiableUUID(), ERC1967Utils.IMPLEMENTATION_SLOT, "proxiableUUID");
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        pool.proxiableUUID();
    }

    // =================================================================================================================
    // roles
    // =================================================================================================================

    function test_GetRoleAdmin_IsDefaultAdminForEveryRole() public view {
        assertEq(pool.getRoleAdmin(DEFAULT_ADMIN_ROLE), DEFAULT_ADMIN_ROLE, "admin of DEFAULT_ADMIN_ROLE");
        assertEq(pool.getRoleAdmin(pauseRole), DEFAULT_ADMIN_ROLE, "admin of PAUSE_ROLE");
        assertEq(pool.getRoleAdmin(resumeRole), DEFAULT_ADMIN_ROLE, "admin of RESUME_ROLE");
        assertEq(pool.getRoleAdmin(stakeLimitRole), DEFAULT_ADMIN_ROLE, "admin of STAKE_LIMIT_ROLE");
    }

    function test_GrantRole_ByDefaultAdminEmitsAndEmpowers() public {
        vm.expectEmit(true, true, true, true, address(pool));
        emit IAccessControl.RoleGranted(pauseRole, carol, admin);
        vm.prank(admin);
        pool.grantRole(pauseRole, carol);

        assertTrue(pool.hasRole(pauseRole, carol), "carol has PAUSE_ROLE");
        vm.prank(carol);
        pool.pauseDeposits(block.timestamp + 1 hours);
        assertEq(pool.depositsPausedUntil(), block.timestamp + 1 hours, "carol paused");
    }

    function test_RevertWhen_GrantRoleCallerIsNotAdmin() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, DEFAULT_ADMIN_ROLE)
        );
        pool.grantRole(pauseRole, alice);
    }

    function test_RevertWhen_RoleHolderGrantsItsOwnRole() public {
        vm.prank(admin);
        pool.grantRole(pauseRole, carol);

        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, DEFAULT_ADMIN_ROLE)
        );
        pool.grantRole(pauseRole, bob);
    }

    function test_RevokeRole_ByDefaultAdminRemovesAccess() public {
        vm.startPrank(admin);
        pool.grantRole(pauseRole, carol);
        pool.revokeRole(pauseRole, carol);
        vm.stopPrank();

        vm.prank(carol);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, pauseRole)
        );
        pool.pauseDeposits(block.timestamp + 1 hours);
    }

    function test_RevertWhen_RevokeRoleCallerIsNotAdmin() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, DEFAULT_ADMIN_ROLE)
        );
        pool.revokeRole(pauseRole, admin);
    }

    function test_SupportsInterface_AccessControlAndErc165() public view {
        assertTrue(pool.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        assertTrue(pool.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(pool.supportsInterface(0xffffffff), "0xffffffff");
    }

    // =================================================================================================================
    // SharesMath (the library itself)
    // =================================================================================================================

    function testFuzz_ToSharesDown_IsAtMostExact(uint256 amount, uint256 totalEther, uint256 totalShares) public view {
        (amount, totalEther, totalShares) = _boundConversion(amount, totalEther, totalShares);
        uint256 shares = sharesMath.toSharesDown(amount, totalEther, totalShares);
        // Exact shares are amount × totalShares / totalEther; cross-multiplied, which cannot overflow in these bounds.
        assertLe(shares * totalEther, amount * totalShares, "shares <= exact");
        assertGt((shares + 1) * totalEther, amount * totalShares, "shares + 1 > exact");
    }

    function testFuzz_ToSharesUp_IsAtLeastDown(uint256 amount, uint256 totalEther, uint256 totalShares) public view {
        (amount, totalEther, totalShares) = _boundConversion(amount, totalEther, totalShares);
        uint256 down = sharesMath.toSharesDown(amount, totalEther, totalShares);
        uint256 up = sharesMath.toSharesUp(amount, totalEther, totalShares);
        assertGe(up * totalEther, amount * totalShares, "up >= exact");
        assertGe(up, down, "up >= down");
        assertEq(up - down, (amount * totalShares) % totalEther == 0 ? 0 : 1, "up = down, or down + 1 when inexact");
    }

    function testFuzz_ToEtherDown_IsAtMostExact(uint256 shares, uint256 totalEther, uint256 totalShares) public view {
        (shares, totalShares, totalEther) = _boundConversion(shares, totalShares, totalEther);
        uint256 amount = sharesMath.toEtherDown(shares, totalEther, totalShares);
        assertLe(amount * totalShares, shares * totalEther, "ether <= exact");
        assertGt((amount + 1) * totalShares, shares * totalEther, "ether + 1 > exact");
    }

    function testFuzz_ToEtherUp_IsAtLeastDown(uint256 shares, uint256 totalEther, uint256 totalShares) public view {
        (shares, totalShares, totalEther) = _boundConversion(shares, totalShares, totalEther);
        uint256 down = sharesMath.toEtherDown(shares, totalEther, totalShares);
        uint256 up = sharesMath.toEtherUp(shares, totalEther, totalShares);
        assertGe(up * totalShares, shares * totalEther, "up >= exact");
        assertGe(up, down, "up >= down");
        assertEq(up - down, (shares * totalEther) % totalShares == 0 ? 0 : 1, "up = down, or down + 1 when inexact");
    }

    function testFuzz_SharesMath_RoundTripsFavourThePool(
        uint256 amount,
        uint256 totalEther,
        uint256 totalShares
    ) public view {
        (amount, totalEther, totalShares) = _boundConversion(amount, totalEther, totalShares);
        uint256 sharesDown = sharesMath.toSharesDown(amount, totalEther, totalShares);
        uint256 sharesUp = sharesMath.toSharesUp(amount, totalEther, totalShares);
        assertLe(sharesMath.toEtherDown(sharesDown, totalEther, totalShares), amount, "paid out <= paid in");
        assertGe(sharesMath.toEtherUp(sharesUp, totalEther, totalShares), amount, "charged >= asked");
    }

    function test_RevertWhen_SharesMathTotalIsZero() public {
        // The pool never lets either total reach zero (dead shares); the library does not hide it if it did.
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x12));
        sharesMath.toSharesDown(1, 0, 1);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x12));
        sharesMath.toEtherDown(1, 1, 0);
    }

    // =================================================================================================================
    // StakeLimit (the library itself)
    // =================================================================================================================

    function testFuzz_StakeLimitAvailable_IsUnlimitedWithoutAMax(
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp
    ) public view {
        updatedAt = bound(updatedAt, 0, type(uint32).max);
        timestamp = bound(timestamp, updatedAt, type(uint32).max);
        uint256 available = stakeLimit.available(
            StakeLimit.Params({maxLimit: 0, refillPeriod: refillPeriod}),
            StakeLimit.State({left: left, updatedAt: updatedAt}),
            timestamp
        );
        assertEq(available, type(uint256).max, "available");
    }

    function testFuzz_StakeLimitAvailable_NeverExceedsMax(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp
    ) public view {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _boundStakeLimit(
            maxLimit,
            refillPeriod,
            left,
            updatedAt
        );
        timestamp = bound(timestamp, state.updatedAt, type(uint32).max);
        uint256 available = stakeLimit.available(params, state, timestamp);
        assertLe(available, params.maxLimit, "available <= max");
        assertGe(available, state.left, "available >= left");
    }

    function testFuzz_StakeLimitAvailable_RefillsLinearly(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp
    ) public view {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _boundStakeLimit(
            maxLimit,
            refillPeriod,
            left,
            updatedAt
        );
        timestamp = bound(timestamp, state.updatedAt, type(uint32).max);
        uint256 expected =
            params.refillPeriod == 0
                ? params.maxLimit
                : Math.min(
                    state.left + ((timestamp - state.updatedAt) * params.maxLimit) / params.refillPeriod,
                    params.maxLimit
                );
        assertEq(stakeLimit.available(params, state, timestamp), expected, "available");
    }

    function testFuzz_StakeLimitAvailable_RefillIsMonotonicInTime(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp,
        uint256 laterTimestamp
    ) public view {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _boundStakeLimit(
            maxLimit,
            refillPeriod,
            left,
            updatedAt
        );
        timestamp = bound(timestamp, state.updatedAt, type(uint32).max);
        laterTimestamp = bound(laterTimestamp, timestamp, type(uint32).max);
        assertLe(
            stakeLimit.available(params, state, timestamp),
            stakeLimit.available(params, state, laterTimestamp),
            "available(t) <= available(later)"
        );
    }

    function testFuzz_StakeLimitConsume_LowersAvailableByTheAmount(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp,
        uint256 amount
    ) public view {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _boundStakeLimit(
            maxLimit,
            refillPeriod,
            left,
            updatedAt
        );
        vm.assume(params.refillPeriod != 0);
        timestamp = bound(timestamp, state.updatedAt, type(uint32).max);
        uint256 available = stakeLimit.available(params, state, timestamp);
        amount = bound(amount, 0, available);

        StakeLimit.State memory next = stakeLimit.consume(params, state, amount, timestamp);

        assertEq(next.updatedAt, timestamp, "updatedAt");
        assertEq(next.left, available - amount, "left");
        assertEq(stakeLimit.available(params, next, timestamp), available - amount, "available after");
    }

    function testFuzz_StakeLimitConsume_ChangesNothingWithoutAMax(
        uint256 left,
        uint256 updatedAt,
        uint256 amount,
        uint256 timestamp
    ) public view {
        StakeLimit.State memory state = StakeLimit.State({left: left, updatedAt: updatedAt});
        StakeLimit.State memory next = stakeLimit.consume(
            StakeLimit.Params({maxLimit: 0, refillPeriod: 0}),
            state,
            amount,
            timestamp
        );
        assertEq(next.left, left, "left");
        assertEq(next.updatedAt, updatedAt, "updatedAt");
    }

    function testFuzz_StakeLimitReset_ClampsToTheNewMax(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp,
        uint256 newMaxLimit
    ) public view {
        (StakeLimit.Params memory params, StakeLimit.State memory state) = _boundStakeLimit(
            maxLimit,
            refillPeriod,
            left,
            updatedAt
        );
        timestamp = bound(timestamp, state.updatedAt, type(uint32).max);
        newMaxLimit = bound(newMaxLimit, 1, type(uint96).max);
        StakeLimit.Params memory newParams = StakeLimit.Params({maxLimit: newMaxLimit, refillPeriod: 1 days});

        StakeLimit.State memory next = stakeLimit.reset(params, state, newParams, timestamp);

        uint256 available = stakeLimit.available(params, state, timestamp);
        assertEq(next.left, Math.min(available, newMaxLimit), "left = what was available, clamped");
        assertEq(next.updatedAt, timestamp, "updatedAt");
    }

    function testFuzz_StakeLimitReset_StartsFullFromNoLimit(
        uint256 left,
        uint256 updatedAt,
        uint256 timestamp,
        uint256 newMaxLimit,
        uint256 newRefillPeriod
    ) public view {
        newMaxLimit = bound(newMaxLimit, 1, type(uint96).max);
        newRefillPeriod = bound(newRefillPeriod, 0, type(uint32).max);
        StakeLimit.State memory next = stakeLimit.reset(
            StakeLimit.Params({maxLimit: 0, refillPeriod: 0}),
            StakeLimit.State({left: left, updatedAt: updatedAt}),
            StakeLimit.Params({maxLimit: newMaxLimit, refillPeriod: newRefillPeriod}),
            timestamp
        );
        assertEq(next.left, newMaxLimit, "left");
        assertEq(next.updatedAt, timestamp, "updatedAt");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev Pauses deposits as the only holder of PAUSE_ROLE does: the emergency pause proxy.
    function _pauseDeposits(uint256 until) private {
        vm.prank(address(emergencyPause));
        pool.pauseDeposits(until);
    }

    function _deposit(address from, uint256 amount) private returns (uint256 shares) {
        vm.prank(from);
        shares = pool.deposit{value: amount}(address(0));
    }

    function _deployProxy(
        address admin_,
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 value
    ) private returns (StakingPool) {
        vm.deal(address(this), value);
        bytes memory data = _poolInitData(admin_, maxLimit, refillPeriod, address(emergencyPause));
        return _deployPoolProxy(address(implementation), data, value);
    }

    /// @dev A random pool: a first holder's deposit, validators staked from it, and a report that saw some of them
    /// with a balance anywhere from a total loss to large rewards. Share values range from ~1e-7 to ~1e9 wei.
    function _randomPoolState(
        uint256 seedDeposit,
        uint256 validators,
        uint256 seen,
        uint256 beaconBalance
    ) private returns (address holder) {
        holder = makeAddr("holder");
        seedDeposit = bound(seedDeposit, 0, 10_000 ether);
        if (seedDeposit != 0) {
            vm.deal(holder, seedDeposit);
            _deposit(holder, seedDeposit);
        }
        validators = bound(validators, 0, seedDeposit / VALIDATOR_DEPOSIT);
        _simulateValidatorDeposits(validators);
        _simulateReport(bound(beaconBalance, 0, 1e9 ether), bound(seen, 0, validators));
    }

    /// @dev Totals up to 2**128 (far beyond all ether), so that the exact products below fit in 256 bits.
    function _boundConversion(
        uint256 amount,
        uint256 totalEther,
        uint256 totalShares
    ) private pure returns (uint256, uint256, uint256) {
        return (
            bound(amount, 0, type(uint128).max),
            bound(totalEther, 1, type(uint128).max),
            bound(totalShares, 1, type(uint128).max)
        );
    }

    /// @dev The ranges the pool stores: a uint96 maximum, uint32 times; what is left never exceeds the maximum.
    function _boundStakeLimit(
        uint256 maxLimit,
        uint256 refillPeriod,
        uint256 left,
        uint256 updatedAt
    ) private pure returns (StakeLimit.Params memory params, StakeLimit.State memory state) {
        params.maxLimit = bound(maxLimit, 1, type(uint96).max);
        params.refillPeriod = bound(refillPeriod, 0, type(uint32).max);
        state.left = bound(left, 0, params.maxLimit);
        state.updatedAt = bound(updatedAt, 0, type(uint32).max);
    }

    function _permitDigest(
        address owner,
        address spender,
        uint256 value,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", pool.DOMAIN_SEPARATOR(), structHash));
    }
}
