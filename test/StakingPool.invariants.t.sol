// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {Test} from "./utils/Test.sol";
import {StakingPoolFixture, forceEther} from "./utils/StakingPoolFixture.sol";

/// @dev What users, anyone with ether and governance can do to the pool, with bounded inputs, recording what went in
/// (ghost state). Calls that would revert are skipped instead, so that every call in a sequence changes something.
contract StakingPoolHandler is Test {
    uint256 private constant MAX_DEPOSIT = 1_000 ether;
    uint256 private constant MAX_DONATION = 10_000 ether;

    StakingPool private immutable POOL;
    address private immutable ADMIN;
    /// @dev The emergency pause proxy, the only holder of the pool's PAUSE_ROLE.
    address private immutable PAUSER;
    address[] private _actors;

    /// @notice Ether deposited through `deposit` and `receive`, by everyone.
    uint256 public ghostDepositedEther;
    /// @notice Ether forced into the pool without calling it.
    uint256 public ghostDonatedEther;
    /// @notice Ether each actor deposited.
    mapping(address actor => uint256 amount) public ghostDepositedBy;
    /// @notice The ether value, rounded up at the rate of the time, of the shares each actor received by transfer.
    mapping(address actor => uint256 amount) public ghostReceivedEtherBy;

    /// @notice The rate when the campaign started.
    uint256 public immutable INITIAL_TOTAL_ETHER;
    uint256 public immutable INITIAL_TOTAL_SHARES;
    /// @notice Set if a call ever lowered the value of a share (its rounded view or the exact rate).
    bool public shareValueDecreased;
    /// @notice `convertToAssets(1 ether)` after the last call.
    uint256 public lastShareValue;
    uint256 private _lastTotalEther;
    uint256 private _lastTotalShares;

    /// @notice The chain's clock as this handler moved it; re-applied before each call.
    uint256 public currentTime;
    /// @notice Calls that did something, per action (to check that the campaign exercises every action).
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        _;
        _recordShareValue();
    }

    constructor(StakingPool pool, address admin, address pauser, address[] memory actorList) {
        POOL = pool;
        ADMIN = admin;
        PAUSER = pauser;
        _actors = actorList;
        currentTime = block.timestamp;
        INITIAL_TOTAL_ETHER = pool.totalPooledEther();
        INITIAL_TOTAL_SHARES = pool.totalSupply();
        _lastTotalEther = INITIAL_TOTAL_ETHER;
        _lastTotalShares = INITIAL_TOTAL_SHARES;
        lastShareValue = pool.convertToAssets(1 ether);
    }

    // --- Users ---

    function deposit(uint256 actorSeed, uint256 amount, uint256 referralSeed) external step {
        address actor = _actor(actorSeed);
        amount = _boundDeposit(amount);
        if (amount == 0) return;
        vm.deal(actor, amount);
        vm.prank(actor);
        POOL.deposit{value: amount}(_actor(referralSeed));
        _recordDeposit(actor, amount, "deposit");
    }

    function depositThroughReceive(uint256 actorSeed, uint256 amount) external step {
        address actor = _actor(actorSeed);
        amount = _boundDeposit(amount);
        if (amount == 0) return;
        vm.deal(actor, amount);
        vm.prank(actor);
        (bool success, ) = address(POOL).call{value: amount}("");
        assertTrue(success, "receive");
        _recordDeposit(actor, amount, "receive");
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 shares) external step {
        address from = _actor(fromSeed);
        // Never `from` itself: another actor, chosen by toSeed.
        address to = _actor((fromSeed % _actors.length) + 1 + (toSeed % (_actors.length - 1)));
        uint256 balance = POOL.balanceOf(from);
        if (balance == 0) return;
        shares = bound(shares, 1, balance);
        // Recorded first (checks-effects-interactions); a failed transfer reverts the record with it.
        ghostReceivedEtherBy[to] += Math.mulDiv(
            shares,
            POOL.totalPooledEther(),
            POOL.totalSupply(),
            Math.Rounding.Ceil
        );
        ++calls["transfer"];
        vm.prank(from);
        POOL.transfer(to, shares);
    }

    // --- Anyone with ether ---

    function donate(uint256 amount, bool viaSelfdestruct) external step {
        amount = bound(amount, 1, MAX_DONATION);
        if (viaSelfdestruct) {
            vm.deal(address(this), amount);
            forceEther(address(POOL), amount);
        } else {
            vm.deal(address(POOL), address(POOL).balance + amount);
        }
        ghostDonatedEther += amount;
        ++calls["donate"];
    }

    function warp(uint256 duration) external step {
        currentTime += bound(duration, 1, 1 days);
        vm.warp(currentTime);
        ++calls["warp"];
    }

    // --- Governance, and the emergency pause ---

    function setStakeLimit(uint256 maxLimit, uint256 refillPeriod) external step {
        maxLimit = bound(maxLimit, 1 ether, 10 * MAX_DEPOSIT);
        refillPeriod = bound(refillPeriod, 0, 2 days);
        vm.prank(ADMIN);
        POOL.setStakeLimit(maxLimit, refillPeriod);
        ++calls["setStakeLimit"];
    }

    function removeStakeLimit() external step {
        vm.prank(ADMIN);
        POOL.removeStakeLimit();
        ++calls["removeStakeLimit"];
    }

    function pauseDeposits(uint256 duration) external step {
        // Short pauses: a long one would leave most of a run without deposits.
        duration = bound(duration, 1, 12 hours);
        vm.prank(PAUSER);
        POOL.pauseDeposits(currentTime + duration);
        ++calls["pauseDeposits"];
    }

    function resumeDeposits() external step {
        if (POOL.depositsPausedUntil() <= currentTime) return;
        vm.prank(ADMIN);
        POOL.resumeDeposits();
        ++calls["resumeDeposits"];
    }

    // --- Views for the invariants ---

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    // --- Internals ---

    function _actor(uint256 seed) private view returns (address) {
        return _actors[seed % _actors.length];
    }

    /// @dev `amount` bounded to what the pool accepts now, or zero when it accepts nothing.
    function _boundDeposit(uint256 amount) private view returns (uint256) {
        if (POOL.depositsPausedUntil() > block.timestamp) return 0;
        uint256 cap = Math.min(MAX_DEPOSIT, POOL.getStakeLimit().available);
        if (cap == 0) return 0;
        amount = bound(amount, 1, cap);
        return POOL.convertToShares(amount) == 0 ? 0 : amount;
    }

    function _recordDeposit(address actor, uint256 amount, string memory action) private {
        ghostDepositedEther += amount;
        ghostDepositedBy[actor] += amount;
        ++calls[action];
    }

    function _recordShareValue() private {
        uint256 totalEther = POOL.totalPooledEther();
        uint256 totalShares = POOL.totalSupply();
        uint256 shareValue = POOL.convertToAssets(1 ether);
        // The exact rate, cross-multiplied, as well as the rounded view: a change too small for one of them shows.
        if (shareValue < lastShareValue || totalEther * _lastTotalShares < _lastTotalEther * totalShares) {
            shareValueDecreased = true;
        }
        lastShareValue = shareValue;
        _lastTotalEther = totalEther;
        _lastTotalShares = totalShares;
    }
}

/// @dev The pool's promises under any sequence of deposits, plain transfers, token transfers, forced ether, time and
/// governance changes. Named after the invariants listed in StakingPool's NatSpec.
contract StakingPoolInvariantTest is StakingPoolFixture {
    uint256 private constant ACTOR_COUNT = 4;

    StakingPoolHandler private handler;
    address private seeder;
    uint256 private initialBufferedEther;

    function setUp() public {
        _deployPool();

        // History before the campaign: a first holder's 64 ether staked in two validators, one of them seen with some
        // rewards. The rate is then no round number, so every deposit rounds, and the accounting has every term.
        seeder = makeAddr("seeder");
        vm.deal(seeder, 64 ether);
        vm.prank(seeder);
        pool.deposit{value: 64 ether}(address(0));
        _simulateValidatorDeposits(2);
        _simulateReport(32.7 ether + 13, 1);
        initialBufferedEther = pool.getAccounting().bufferedEther;

        address[] memory actors = new address[](ACTOR_COUNT);
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            actors[i] = makeAddr(string.concat("actor", Strings.toString(i)));
        }
        handler = new StakingPoolHandler(pool, admin, address(emergencyPause), actors);

        targetContract(address(handler));
        // Weighted by repetition: deposits and transfers are most of what happens; governance acts now and then.
        bytes4[] memory selectors = new bytes4[](13);
        selectors[0] = StakingPoolHandler.deposit.selector;
        selectors[1] = StakingPoolHandler.deposit.selector;
        selectors[2] = StakingPoolHandler.deposit.selector;
        selectors[3] = StakingPoolHandler.depositThroughReceive.selector;
        selectors[4] = StakingPoolHandler.depositThroughReceive.selector;
        selectors[5] = StakingPoolHandler.transfer.selector;
        selectors[6] = StakingPoolHandler.transfer.selector;
        selectors[7] = StakingPoolHandler.donate.selector;
        selectors[8] = StakingPoolHandler.warp.selector;
        selectors[9] = StakingPoolHandler.setStakeLimit.selector;
        selectors[10] = StakingPoolHandler.removeStakeLimit.selector;
        selectors[11] = StakingPoolHandler.pauseDeposits.selector;
        selectors[12] = StakingPoolHandler.resumeDeposits.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_TotalPooledEtherIsBufferPlusValidators() public view {
        _assertAccountingIsConsistent();
    }

    function invariant_TotalSharesEqualsSumOfBalances() public view {
        uint256 sum = pool.balanceOf(DEAD_SHARES_HOLDER) + pool.balanceOf(seeder);
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            sum += pool.balanceOf(actors[i]);
        }
        assertEq(pool.totalSupply(), sum, "total shares");
        assertEq(pool.getAccounting().totalShares, sum, "getAccounting().totalShares");
    }

    function invariant_BufferNeverExceedsBalance() public view {
        assertLe(pool.getAccounting().bufferedEther, address(pool).balance, "buffered ether <= pool balance");
    }

    function invariant_BufferEqualsEtherDeposited() public view {
        assertEq(
            pool.getAccounting().bufferedEther,
            initialBufferedEther + handler.ghostDepositedEther(),
            "buffered ether = initial + deposits (donations excluded)"
        );
    }

    function invariant_ForcedEtherStaysOutsideTheBuffer() public view {
        assertEq(
            address(pool).balance,
            pool.getAccounting().bufferedEther + handler.ghostDonatedEther(),
            "pool balance = buffered ether + forced ether"
        );
    }

    function invariant_ShareValueNeverDecreases() public view {
        assertFalse(handler.shareValueDecreased(), "a call lowered the share value");
        assertGe(pool.convertToAssets(1 ether), handler.lastShareValue(), "share value since the last call");
        assertGe(
            pool.totalPooledEther() * handler.INITIAL_TOTAL_SHARES(),
            handler.INITIAL_TOTAL_ETHER() * pool.totalSupply(),
            "share rate since the start"
        );
    }

    /// @dev Nothing here creates value, so an actor's shares are worth at most what it put in (deposits, plus shares
    /// received valued rounded up at the rate of the day) and its part of the rounding dust that every deposit leaves
    /// to all holders. Its part is at most the whole dust: what all shares gained over the starting rate,
    /// totalPooledEther - totalShares × initial rate (this relies on invariant_ShareValueNeverDecreases). Without the
    /// dust term the bound fails by a wei or so once the rate is not a whole number: other depositors' rounding is a
    /// gift to every holder, by design.
    function invariant_NoHolderValueExceedsDeposits() public view {
        uint256 roundingDust =
            pool.totalPooledEther() -
                Math.mulDiv(pool.totalSupply(), handler.INITIAL_TOTAL_ETHER(), handler.INITIAL_TOTAL_SHARES());
        address[] memory actors = handler.actors();
        for (uint256 i = 0; i < actors.length; ++i) {
            address actor = actors[i];
            assertLe(
                pool.convertToAssets(pool.balanceOf(actor)),
                handler.ghostDepositedBy(actor) + handler.ghostReceivedEtherBy(actor) + roundingDust,
                "actor's value <= deposited + received + rounding dust"
            );
        }
    }

    function invariant_StakeLimitNeverExceedsMax() public view {
        IStakingPool.StakeLimitInfo memory info = pool.getStakeLimit();
        if (info.enabled) assertLe(info.available, info.maxLimit, "available <= max");
        else assertEq(info.available, type(uint256).max, "available without a limit");
    }
}
