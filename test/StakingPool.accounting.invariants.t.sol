// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {AccountingOracle} from "../contracts/AccountingOracle.sol";
import {DepositGuard} from "../contracts/DepositGuard.sol";
import {ExecutionRewardsVault} from "../contracts/ExecutionRewardsVault.sol";
import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {WithdrawalVault} from "../contracts/WithdrawalVault.sol";
import {OracleFixture} from "./utils/OracleFixture.sol";
import {StakingPoolFixture} from "./utils/StakingPoolFixture.sol";

/// @dev Users, operators, the beacon chain, the oracle committee and governance acting on the whole protocol, with
/// bounded inputs. The handler is its own beacon chain: it keeps the balance of Plural's validators, moves withdrawals
/// into the withdrawal vault and block rewards into the execution-rewards vault, and builds each report from that
/// state, as an honest committee would. Its ghost state records what entered and left the system from the handler's
/// own side (ether it sent, rewards and penalties it applied, what each report it built recognized), never from the
/// pool's counters, so the invariants compare two independent books. Checks that need the state just before and after
/// a call (no dilution, fees) run in the handler and record the first broken expectation per kind, for the invariants
/// to report. Calls that would revert are skipped, so that every call in a sequence does something.
contract AccountingHandler is OracleFixture {
    /// @dev The deployed protocol and the fixture's named accounts, handed over by the test.
    struct Protocol {
        StakingPool pool;
        OperatorRegistry registry;
        DepositGuard guard;
        BeaconDepositMock beaconDeposit;
        WithdrawalVault vault;
        ExecutionRewardsVault elVault;
        AccountingOracle oracle;
        address admin;
        address treasury;
        uint256[] guardianKeys;
        address[] oracleMembers;
    }

    /// @dev Shares and totals just before a report.
    struct Snapshot {
        uint256 pooledEther;
        uint256 totalShares;
        uint256 treasuryShares;
        uint256 registryShares;
        uint256[] holderShares;
    }

    /// @notice How far apart a holder's value after a profit may be from its exact part of (1 − fee) of the profit:
    /// the fee shares are rounded down (by less than one share, worth under 2 wei at this campaign's rates) and each
    /// value is rounded down once more.
    uint256 public constant ROUNDING_WEI = 3;

    uint256 private constant BPS = 10_000;
    uint256 private constant FEE_BPS = TREASURY_FEE_BPS + OPERATOR_FEE_BPS;
    /// @dev The beacon chain sees every deposit within this time, well inside the unseen-deposit deadline, so nothing
    /// is ever written off (the write-off path has its own tests).
    uint256 private constant ACTIVATION_LIMIT = 7 days;
    uint256 private constant MAX_DEPOSIT = 500 ether;
    uint256 private constant MAX_VALIDATORS_PER_STAKE = 4;
    uint256 private constant MAX_OPERATORS = 5;
    uint256 private constant KEYS_PER_BATCH = 12;
    uint256 private constant MAX_EL_REWARDS = 3 ether;
    uint256 private constant MAX_WARP = 2 days;

    address[] private _actors;
    /// @dev Every address that can hold shares: the dead-shares holder, the treasury, the registry, then the traders.
    address[] private _holders;
    /// @dev Holders that move shares around: the actors and the operators' reward addresses.
    address[] private _traders;

    /// @notice The chain's clock and height as this handler moved them; re-applied before each call.
    uint256 public currentTime;
    uint256 public currentBlock;

    // --- Ghost: what entered the system ---

    /// @notice Ether users deposited.
    uint256 public ghostDepositedEther;
    /// @notice Rewards the beacon chain paid Plural's validators, and the penalties it took.
    uint256 public ghostBeaconRewards;
    uint256 public ghostBeaconLosses;
    /// @notice Priority fees and MEV paid to the execution-rewards vault.
    uint256 public ghostElRewards;

    // --- Ghost: the beacon chain ---

    /// @notice Validators deposited through the pool, of them those the beacon chain has seen (in deposit order), and
    /// of those the ones that exited.
    uint256 public ghostStakedValidators;
    uint256 public ghostActivatedValidators;
    uint256 public ghostExitedValidators;
    /// @notice The balance of the validators seen and not exited.
    uint256 public ghostBeaconBalance;
    /// @notice Ether withdrawn to the withdrawal vault since the last report.
    uint256 public ghostUnsweptWithdrawals;
    /// @dev When each validator was deposited.
    uint256[] private _stakedAt;

    // --- Ghost: what the reports recognized ---

    /// @notice The last applied report's beacon state, as this handler built it.
    uint256 public ghostReportedBeaconBalance;
    uint256 public ghostReportedValidators;
    uint256 public ghostReportedExited;
    uint256 public lastRefSlot;
    /// @notice Reports applied, and the beacon side's gains and losses they recognized (vault withdrawals included).
    uint256 public reportsApplied;
    uint256 public ghostRecognizedGains;
    uint256 public ghostRecognizedLosses;
    /// @notice Ether the reports swept from the withdrawal vault and took from the execution-rewards vault.
    uint256 public ghostWithdrawalsSwept;
    uint256 public ghostElRewardsTaken;

    // --- Ghost: fees ---

    /// @notice Fee shares minted to the treasury and to the registry for the operators.
    uint256 public ghostTreasuryFeeShares;
    uint256 public ghostOperatorFeeShares;
    /// @notice Fee shares the registry paid out to reward addresses.
    uint256 public ghostClaimedFeeShares;
    /// @notice An upper bound of the times the registry rounded an operator's fees down: each distribution, each fee
    /// settlement (per operator and validator deposit, per claim) and each operator's open balance.
    uint256 public ghostFeeRoundings;

    /// @notice The first broken expectation per kind ("report", "fee", "rate", "claim"), empty while there is none.
    mapping(string kind => string message) public violation;
    /// @notice Calls that did something, per action (to check that the campaign exercises every action).
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    /// @dev For calls that must leave the share rate exactly as it was: neither pooled ether nor shares move.
    modifier keepsTheRate(string memory action) {
        uint256 pooledEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        _;
        _expect(
            pool.totalPooledEther() == pooledEther && pool.totalSupply() == totalShares,
            "rate",
            string.concat(action, " changed the pooled ether or the total shares")
        );
    }

    constructor(Protocol memory protocol, address[] memory actorList) {
        pool = protocol.pool;
        registry = protocol.registry;
        guard = protocol.guard;
        beaconDeposit = protocol.beaconDeposit;
        vault = protocol.vault;
        elVault = protocol.elVault;
        oracle = protocol.oracle;
        admin = protocol.admin;
        treasury = protocol.treasury;
        guardianKeys = protocol.guardianKeys;
        oracleMembers = protocol.oracleMembers;
        _actors = actorList;
        _holders.push(DEAD_SHARES_HOLDER);
        _holders.push(treasury);
        _holders.push(address(registry));
        for (uint256 i; i < actorList.length; ++i) _addTrader(actorList[i]);
        currentTime = block.timestamp;
        currentBlock = block.number;
        lastRefSlot = oracle.lastProcessedRefSlot();
    }

    // =================================================================================================================
    // users
    // =================================================================================================================

    function deposit(uint256 actorSeed, uint256 amount) external step {
        uint256 deadline = pool.getReportState().reportDeadline;
        if (deadline != 0 && block.timestamp > deadline) return;
        uint256 cap = Math.min(MAX_DEPOSIT, pool.getStakeLimit().available);
        if (cap == 0) return;
        amount = bound(amount, 1, cap);
        if (pool.convertToShares(amount) == 0) return;
        address actor = _actors[actorSeed % _actors.length];
        uint256 pooledBefore = pool.totalPooledEther();
        uint256 sharesBefore = pool.totalSupply();
        uint256 balanceBefore = pool.balanceOf(actor);

        vm.deal(actor, amount);
        vm.prank(actor);
        pool.deposit{value: amount}(address(0));
        ghostDepositedEther += amount;
        ++calls["deposit"];

        uint256 pooledAfter = pool.totalPooledEther();
        uint256 sharesAfter = pool.totalSupply();
        uint256 minted = pool.balanceOf(actor) - balanceBefore;
        _expect(pooledAfter == pooledBefore + amount, "rate", "a deposit added other than its amount");
        _expect(sharesAfter == sharesBefore + minted, "rate", "a deposit minted shares to someone else");
        // Cross-multiplied rates: the share rate never falls, and rises by less than the one share's worth of
        // rounding the depositor leaves behind (amount × S0 − minted × P0 < P0 when minted is rounded down).
        _expect(pooledAfter * sharesBefore >= pooledBefore * sharesAfter, "rate", "a deposit lowered the share rate");
        _expect(
            pooledAfter * sharesBefore - pooledBefore * sharesAfter < pooledBefore,
            "rate",
            "a deposit raised the share rate by more than rounding"
        );
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 shares) external step keepsTheRate("a transfer") {
        uint256 traders = _traders.length;
        address from = _traders[fromSeed % traders];
        // Never `from` itself: another trader, chosen by toSeed.
        address to = _traders[((fromSeed % traders) + 1 + (toSeed % (traders - 1))) % traders];
        uint256 fromBalance = pool.balanceOf(from);
        if (fromBalance == 0) return;
        shares = bound(shares, 1, fromBalance);
        uint256 toBalance = pool.balanceOf(to);

        vm.prank(from);
        pool.transfer(to, shares);
        ++calls["transfer"];

        _expect(
            pool.balanceOf(from) == fromBalance - shares && pool.balanceOf(to) == toBalance + shares,
            "rate",
            "a transfer moved other than its shares"
        );
    }

    // =================================================================================================================
    // operators and staking
    // =================================================================================================================

    function addOperator() external step keepsTheRate("adding an operator") {
        if (registry.operatorCount() >= MAX_OPERATORS) return;
        uint256 operatorId = _addOperatorWithKeys(KEYS_PER_BATCH, KEYS_PER_BATCH);
        _addTrader(registry.getOperator(operatorId).rewardAddress);
        ++calls["addOperator"];
    }

    /// @dev Fresh keys for an operator, all vetted: staking never runs dry.
    function addKeys(uint256 operatorSeed) external step keepsTheRate("adding keys") {
        uint256 operatorId = operatorSeed % registry.operatorCount();
        _addKeys(operatorId, KEYS_PER_BATCH);
        _vet(operatorId, registry.getOperator(operatorId).totalKeys);
        ++calls["addKeys"];
    }

    /// @notice Stakes up to `count` validators with a fresh guardian quorum attestation, through the real path
    /// (registry allocation, key proofs, deposit contract).
    function stake(uint256 count) external step keepsTheRate("a stake") {
        // A new block, so that the attestation's block (the previous one) has a hash.
        ++currentBlock;
        vm.roll(currentBlock);
        uint256 max = Math.min(pool.getAccounting().bufferedEther / VALIDATOR_DEPOSIT, MAX_VALIDATORS_PER_STAKE);
        if (max == 0) return;
        (, count) = registry.allocate(bound(count, 1, max));
        if (count == 0) return;
        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);

        pool.depositValidators(segments, attestation);
        ghostStakedValidators += count;
        for (uint256 i; i < count; ++i) _stakedAt.push(block.timestamp);
        // Each operator that received keys settled its fees first.
        ghostFeeRoundings += segments.length;
        ++calls["stake"];
    }

    function claimFees(uint256 operatorSeed) external step keepsTheRate("a fee claim") {
        uint256 operatorId = operatorSeed % registry.operatorCount();
        uint256 claimable = registry.claimableFees(operatorId);
        if (claimable == 0) return;
        address rewardAddress = registry.getOperator(operatorId).rewardAddress;
        uint256 rewardBalance = pool.balanceOf(rewardAddress);
        uint256 registryBalance = pool.balanceOf(address(registry));

        uint256 claimed = registry.claimFees(operatorId);
        ghostClaimedFeeShares += claimed;
        ++ghostFeeRoundings;
        ++calls["claimFees"];

        _expect(claimed == claimable, "claim", "claimed other than the claimable fees");
        _expect(pool.balanceOf(rewardAddress) == rewardBalance + claimed, "claim", "the reward address was not paid");
        _expect(
            pool.balanceOf(address(registry)) == registryBalance - claimed,
            "claim",
            "the registry paid other than the claim"
        );
        _expect(registry.claimableFees(operatorId) == 0, "claim", "fees left after a claim");
    }

    // =================================================================================================================
    // the beacon chain and block production (nothing reaches the rate before a report)
    // =================================================================================================================

    /// @notice The beacon chain sees the next `count` deposits (their 32 ether each start earning).
    function activate(uint256 count) external step keepsTheRate("a beacon activation") {
        uint256 pending = ghostStakedValidators - ghostActivatedValidators;
        if (pending == 0) return;
        _activate(bound(count, 1, pending));
        ++calls["activate"];
    }

    /// @notice Beacon rewards, kept within what the next report may recognize: the annual-rate cap over a single
    /// frame, on the least beacon balance the next report can start from, minus what is already unreported.
    function earnBeaconRewards(uint256 amount) external step keepsTheRate("beacon rewards") {
        if (reportsApplied == 0 || ghostActivatedValidators == ghostExitedValidators) return;
        uint256 beaconBefore = _beaconBefore(ghostActivatedValidators);
        uint256 cap = _frameRewardCap(beaconBefore);
        int256 headroom = int256(cap) - _unreportedBeaconDelta();
        if (headroom <= 0) return;
        amount = bound(amount, 1, uint256(headroom));
        ghostBeaconBalance += amount;
        ghostBeaconRewards += amount;
        ++calls["earnBeaconRewards"];
    }

    /// @notice Penalties or slashing: up to 1 % of the balance, or up to a quarter when `severe` (above the
    /// per-report loss bound, so governance must accept it).
    function slash(uint256 amount, bool severe) external step keepsTheRate("a beacon loss") {
        uint256 max = ghostBeaconBalance / (severe ? 4 : 100);
        if (max == 0) return;
        amount = bound(amount, 1, max);
        ghostBeaconBalance -= amount;
        ghostBeaconLosses += amount;
        ++calls[severe ? "slashSevere" : "slash"];
    }

    /// @notice Priority fees and MEV paid to the fee recipient.
    function earnExecutionRewards(uint256 amount) external step keepsTheRate("execution-layer rewards") {
        amount = bound(amount, 1, MAX_EL_REWARDS);
        vm.deal(address(elVault), address(elVault).balance + amount);
        ghostElRewards += amount;
        ++calls["earnExecutionRewards"];
    }

    /// @notice A withdrawal into the withdrawal vault: a validator's whole balance when it exits, else a skim of the
    /// balance above 32 ether per validator.
    function withdraw(uint256 amount, bool exit) external step keepsTheRate("a withdrawal") {
        uint256 live = ghostActivatedValidators - ghostExitedValidators;
        if (live == 0) return;
        if (exit) {
            amount = ghostBeaconBalance / live;
            ++ghostExitedValidators;
        } else {
            uint256 principal = live * VALIDATOR_DEPOSIT;
            if (ghostBeaconBalance <= principal) return;
            amount = bound(amount, 1, ghostBeaconBalance - principal);
        }
        ghostBeaconBalance -= amount;
        ghostUnsweptWithdrawals += amount;
        vm.deal(address(vault), address(vault).balance + amount);
        ++calls[exit ? "exit" : "skim"];
    }

    function warp(uint256 duration) external step keepsTheRate("time passing") {
        duration = bound(duration, 1, MAX_WARP);
        currentTime += duration;
        currentBlock += duration / SECONDS_PER_SLOT + 1;
        vm.warp(currentTime);
        vm.roll(currentBlock);
        ++calls["warp"];
    }

    // =================================================================================================================
    // the oracle committee and governance
    // =================================================================================================================

    /// @notice The next frame's report, built from the beacon state and the vaults' balances, applied by a quorum
    /// (two members voting with the report, or agreeing by hash and anyone applying it). A loss above the per-report
    /// bound is first accepted by governance through `allowLoss`, for exactly the excess.
    function report(uint256 activateSeed, uint256 voteSeed) external step {
        uint256 refSlot = _warpToNextFrame();
        currentTime = block.timestamp;
        currentBlock = block.number;
        // Every deposit older than the activation limit is seen by now; others maybe.
        uint256 mustSee = ghostActivatedValidators;
        while (mustSee < ghostStakedValidators && _stakedAt[mustSee] + ACTIVATION_LIMIT <= block.timestamp) ++mustSee;
        _activate(bound(activateSeed, mustSee, ghostStakedValidators) - ghostActivatedValidators);

        IAccountingOracle.Report memory beaconReport = IAccountingOracle.Report({
            refSlot: refSlot,
            beaconValidators: ghostActivatedValidators,
            beaconBalance: ghostBeaconBalance,
            exitedValidators: ghostExitedValidators,
            withdrawalVaultBalance: address(vault).balance,
            elRewardsVaultBalance: address(elVault).balance,
            lastFinalizableRequestId: 0,
            bunkerMode: false,
            exitDataHash: bytes32(0)
        });
        uint256 beaconBefore = _beaconBefore(ghostActivatedValidators);
        int256 beaconDelta = int256(ghostBeaconBalance + beaconReport.withdrawalVaultBalance) - int256(beaconBefore);
        if (beaconDelta < 0 && _allowLossAbove(uint256(-beaconDelta), beaconBefore, refSlot)) ++calls["allowLoss"];
        uint256 elRewardsTaken = Math.min(
            beaconReport.elRewardsVaultBalance,
            (ghostPooledEther() * MAX_EL_REWARDS_BPS) / BPS
        );
        Snapshot memory before = _snapshot();

        if (!_submitByQuorum(beaconReport, voteSeed)) return;
        _recordReport(beaconReport, beaconDelta, elRewardsTaken);
        _checkReport(before, beaconDelta + int256(elRewardsTaken));
        ++calls["report"];
    }

    // =================================================================================================================
    // views for the invariants
    // =================================================================================================================

    function holders() external view returns (address[] memory) {
        return _holders;
    }

    /// @notice totalPooledEther as this handler's books have it: the initial deposit, deposits, and what the reports
    /// recognized (beacon gains and losses, execution-layer rewards taken).
    function ghostPooledEther() public view returns (uint256) {
        return
            INITIAL_DEPOSIT + ghostDepositedEther + ghostRecognizedGains + ghostElRewardsTaken - ghostRecognizedLosses;
    }

    /// @notice Ether on the beacon side: the validators' balance plus 32 ether per deposit not yet seen.
    function ghostBeaconSideEther() public view returns (uint256) {
        return ghostBeaconBalance + (ghostStakedValidators - ghostActivatedValidators) * VALIDATOR_DEPOSIT;
    }

    /// @notice Beacon rewards minus penalties that no report has recognized yet.
    function unreportedBeaconDelta() external view returns (int256) {
        return _unreportedBeaconDelta();
    }

    // =================================================================================================================
    // internals
    // =================================================================================================================

    function _addTrader(address trader) private {
        _traders.push(trader);
        _holders.push(trader);
    }

    function _activate(uint256 count) private {
        ghostActivatedValidators += count;
        ghostBeaconBalance += count * VALIDATOR_DEPOSIT;
    }

    /// @dev What the beacon side held at the last report plus 32 ether per validator seen since, with `seen` seen.
    function _beaconBefore(uint256 seen) private view returns (uint256) {
        return ghostReportedBeaconBalance + (seen - ghostReportedValidators) * VALIDATOR_DEPOSIT;
    }

    function _unreportedBeaconDelta() private view returns (int256) {
        return
            int256(ghostBeaconRewards) -
            int256(ghostBeaconLosses) -
            int256(ghostRecognizedGains) +
            int256(ghostRecognizedLosses);
    }

    function _snapshot() private view returns (Snapshot memory snapshot) {
        snapshot.pooledEther = pool.totalPooledEther();
        snapshot.totalShares = pool.totalSupply();
        snapshot.treasuryShares = pool.balanceOf(treasury);
        snapshot.registryShares = pool.balanceOf(address(registry));
        snapshot.holderShares = new uint256[](_holders.length);
        for (uint256 i; i < _holders.length; ++i) snapshot.holderShares[i] = pool.balanceOf(_holders[i]);
    }

    /// @dev Two of the three members vote; returns whether the report applied. An honest report within the bounds
    /// that does not apply is a violation.
    function _submitByQuorum(IAccountingOracle.Report memory beaconReport, uint256 voteSeed) private returns (bool) {
        (bool applied, bytes memory reason) = _tryQuorum(beaconReport, voteSeed);
        if (!applied) {
            _expect(
                false,
                "report",
                string.concat("an honest report within the bounds was rejected: ", Strings.toHexString(reason))
            );
        }
        return applied;
    }

    /// @dev Books what the report recognized, from this handler's own numbers, and checks the vaults were swept.
    function _recordReport(
        IAccountingOracle.Report memory beaconReport,
        int256 beaconDelta,
        uint256 elRewardsTaken
    ) private {
        _expect(
            beaconReport.elRewardsVaultBalance - address(elVault).balance == elRewardsTaken,
            "report",
            "execution-layer rewards taken != min(vault balance, cap)"
        );
        _expect(address(vault).balance == 0, "report", "the withdrawal vault was not swept");
        if (beaconDelta >= 0) ghostRecognizedGains += uint256(beaconDelta);
        else ghostRecognizedLosses += uint256(-beaconDelta);
        ghostElRewardsTaken += elRewardsTaken;
        ghostWithdrawalsSwept += beaconReport.withdrawalVaultBalance;
        ghostUnsweptWithdrawals = 0;
        ghostReportedBeaconBalance = beaconReport.beaconBalance;
        ghostReportedValidators = beaconReport.beaconValidators;
        ghostReportedExited = beaconReport.exitedValidators;
        lastRefSlot = beaconReport.refSlot;
        ++reportsApplied;
    }

    function _checkReport(Snapshot memory before, int256 profit) private {
        uint256 pooledAfter = pool.totalPooledEther();
        uint256 sharesAfter = pool.totalSupply();
        _expect(
            int256(pooledAfter) == int256(before.pooledEther) + profit,
            "report",
            "pooled ether moved by other than the report's profit or loss"
        );
        if (profit > 0) {
            if (sharesAfter < before.totalShares) {
                _expect(false, "fee", "a profit burned shares");
                return;
            }
            _checkFeeShares(before, uint256(profit), pooledAfter, sharesAfter);
            _checkHoldersKeepTheirPartOfProfit(before, uint256(profit), pooledAfter, sharesAfter);
        } else {
            _expect(sharesAfter == before.totalShares, "fee", "shares minted without profit");
            _checkHoldersLoseAtMostTheirShareOfLoss(before, uint256(-profit), pooledAfter);
        }
    }

    /// @dev The fee shares are worth fee × profit at the post-report rate (rounded down by under one share), and are
    /// split between the treasury and the registry by their fee rates.
    function _checkFeeShares(Snapshot memory before, uint256 profit, uint256 pooledAfter, uint256 sharesAfter) private {
        uint256 feeShares = sharesAfter - before.totalShares;
        uint256 treasuryShares = pool.balanceOf(treasury) - before.treasuryShares;
        uint256 operatorShares = pool.balanceOf(address(registry)) - before.registryShares;
        ghostTreasuryFeeShares += treasuryShares;
        ghostOperatorFeeShares += operatorShares;
        ++ghostFeeRoundings;
        _expect(treasuryShares + operatorShares == feeShares, "fee", "fee shares went to others than fee holders");
        _expect(
            treasuryShares == (feeShares * TREASURY_FEE_BPS) / FEE_BPS,
            "fee",
            "the treasury's part of the fee shares"
        );
        uint256 feeEther = (profit * FEE_BPS) / BPS;
        uint256 feeValue = Math.mulDiv(feeShares, pooledAfter, sharesAfter);
        _expect(feeValue <= feeEther, "fee", "fee shares worth more than fee x profit");
        _expect(
            feeValue + Math.ceilDiv(pooledAfter, sharesAfter) + 1 >= feeEther,
            "fee",
            "fee shares worth less than fee x profit minus one share"
        );
    }

    /// @dev On a profit, every holder but the fee holders keeps its shares, never loses value, and gains exactly its
    /// part of (1 − fee) × profit, up to rounding.
    function _checkHoldersKeepTheirPartOfProfit(
        Snapshot memory before,
        uint256 profit,
        uint256 pooledAfter,
        uint256 sharesAfter
    ) private {
        uint256 keptEther = before.pooledEther * BPS + profit * (BPS - FEE_BPS);
        for (uint256 i; i < _holders.length; ++i) {
            address holder = _holders[i];
            if (holder == treasury || holder == address(registry)) continue;
            uint256 shares = before.holderShares[i];
            _expect(pool.balanceOf(holder) == shares, "report", "a report moved a holder's shares");
            uint256 valueBefore = Math.mulDiv(shares, before.pooledEther, before.totalShares);
            uint256 valueAfter = Math.mulDiv(shares, pooledAfter, sharesAfter);
            uint256 expected = Math.mulDiv(shares, keptEther, before.totalShares * BPS);
            _expect(valueAfter >= valueBefore, "report", "a profit lowered a holder's value");
            _expect(
                valueAfter >= expected && valueAfter <= expected + ROUNDING_WEI,
                "report",
                "a holder did not keep its part of (1 - fee) x profit"
            );
        }
    }

    /// @dev On a loss (or nothing), no shares are minted and every holder loses at most its share of the loss.
    function _checkHoldersLoseAtMostTheirShareOfLoss(
        Snapshot memory before,
        uint256 loss,
        uint256 pooledAfter
    ) private {
        for (uint256 i; i < _holders.length; ++i) {
            uint256 shares = before.holderShares[i];
            _expect(pool.balanceOf(_holders[i]) == shares, "report", "a report moved a holder's shares");
            uint256 valueBefore = Math.mulDiv(shares, before.pooledEther, before.totalShares);
            uint256 valueAfter = Math.mulDiv(shares, pooledAfter, before.totalShares);
            uint256 lossShare = Math.mulDiv(shares, loss, before.totalShares, Math.Rounding.Ceil);
            _expect(valueAfter + lossShare >= valueBefore, "report", "a holder lost more than its share of the loss");
            _expect(valueAfter <= valueBefore, "report", "a loss raised a holder's value");
        }
    }

    function _expect(bool ok, string memory kind, string memory message) private {
        if (!ok && bytes(violation[kind]).length == 0) violation[kind] = message;
    }
}

/// @dev Promises 1 (conservation) and 2 (no dilution) of DESIGN.md over any sequence of deposits, plETH transfers,
/// validator deposits, beacon rewards, penalties and slashing, execution-layer rewards, withdrawals, exits, reports
/// (with governance accepting large losses), operator fee claims and time. Named after StakingPool's invariants.
/// Runs and depth are the project's; every invariant fails on a revert, since the handler skips whatever would revert
/// and records an honest report the pool rejects as a violation.
contract StakingPoolAccountingInvariantTest is StakingPoolFixture {
    uint256 private constant ACTOR_COUNT = 4;

    AccountingHandler private handler;

    function setUp() public {
        _deployPool();
        assertEq(pool.totalPooledEther(), INITIAL_DEPOSIT, "the pool starts with the initial deposit only");

        address[] memory actors = new address[](ACTOR_COUNT);
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            actors[i] = makeAddr(string.concat("actor", Strings.toString(i)));
        }
        handler = new AccountingHandler(
            AccountingHandler.Protocol({
                pool: pool,
                registry: registry,
                guard: guard,
                beaconDeposit: beaconDeposit,
                vault: vault,
                elVault: elVault,
                oracle: oracle,
                admin: admin,
                treasury: treasury,
                guardianKeys: guardianKeys,
                oracleMembers: oracleMembers
            }),
            actors
        );

        // History before the campaign, through the handler so that it knows every key and books everything: three
        // operators, four validators seen by a first report, then rewards and fees. The rate is then no round number.
        handler.addOperator();
        handler.addOperator();
        handler.addOperator();
        handler.deposit(0, 200 ether + 7);
        handler.deposit(1, 100 ether);
        handler.stake(4);
        handler.report(4, 0);
        handler.earnBeaconRewards(0.01 ether + 13);
        handler.earnExecutionRewards(0.02 ether);
        handler.report(0, 1);
        assertEq(handler.reportsApplied(), 2, "seeded reports");
        assertGt(pool.balanceOf(address(registry)), 0, "seeded operator fees");
        _assertNoViolations();

        targetContract(address(handler));
        // Weighted by repetition: deposits, staking, beacon events and reports are most of what happens.
        bytes4[] memory selectors = new bytes4[](20);
        selectors[0] = AccountingHandler.deposit.selector;
        selectors[1] = AccountingHandler.deposit.selector;
        selectors[2] = AccountingHandler.transfer.selector;
        selectors[3] = AccountingHandler.transfer.selector;
        selectors[4] = AccountingHandler.addOperator.selector;
        selectors[5] = AccountingHandler.addKeys.selector;
        selectors[6] = AccountingHandler.stake.selector;
        selectors[7] = AccountingHandler.stake.selector;
        selectors[8] = AccountingHandler.activate.selector;
        selectors[9] = AccountingHandler.earnBeaconRewards.selector;
        selectors[10] = AccountingHandler.earnBeaconRewards.selector;
        selectors[11] = AccountingHandler.slash.selector;
        selectors[12] = AccountingHandler.earnExecutionRewards.selector;
        selectors[13] = AccountingHandler.withdraw.selector;
        selectors[14] = AccountingHandler.report.selector;
        selectors[15] = AccountingHandler.report.selector;
        selectors[16] = AccountingHandler.report.selector;
        selectors[17] = AccountingHandler.claimFees.selector;
        selectors[18] = AccountingHandler.claimFees.selector;
        selectors[19] = AccountingHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // =================================================================================================================
    // conservation
    // =================================================================================================================

    /// @dev totalPooledEther = initial deposit + deposits + what the reports recognized; and each term of the pool's
    /// accounting is what the handler moved: the buffer, the last reported beacon state, 32 ether per unseen deposit.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_PooledEtherEqualsDepositsPlusRecognizedRewardsMinusLosses() public view {
        uint256 expected =
            INITIAL_DEPOSIT +
                handler.ghostDepositedEther() +
                handler.ghostRecognizedGains() +
                handler.ghostElRewardsTaken() -
                handler.ghostRecognizedLosses();
        assertEq(pool.totalPooledEther(), expected, "totalPooledEther = deposits + recognized rewards - losses");
        assertEq(handler.ghostPooledEther(), expected, "the handler's books");

        IStakingPool.Accounting memory accounting = pool.getAccounting();
        uint256 staked = handler.ghostStakedValidators();
        assertEq(
            accounting.bufferedEther,
            INITIAL_DEPOSIT +
                handler.ghostDepositedEther() +
                handler.ghostWithdrawalsSwept() +
                handler.ghostElRewardsTaken() -
                staked * VALIDATOR_DEPOSIT,
            "buffer = deposits + swept withdrawals + execution rewards taken - 32 ether per validator"
        );
        assertEq(accounting.beaconBalance, handler.ghostReportedBeaconBalance(), "beacon balance = last report's");
        assertEq(accounting.depositedValidators, staked, "deposited validators = validators staked");
        assertEq(accounting.beaconValidators, handler.ghostReportedValidators(), "seen validators = last report's");
        assertEq(accounting.exitedValidators, handler.ghostReportedExited(), "exited validators = last report's");
        assertEq(accounting.writtenOffValidators, 0, "every deposit is seen before its deadline: nothing written off");
        assertEq(
            accounting.transientEther,
            (staked - handler.ghostReportedValidators()) * VALIDATOR_DEPOSIT,
            "transient ether = 32 ether per deposit no report has seen"
        );
        assertEq(
            accounting.totalPooledEther,
            accounting.bufferedEther + accounting.beaconBalance + accounting.transientEther,
            "totalPooledEther = buffer + beacon balance + transient ether"
        );
        assertEq(accounting.totalPooledEther, pool.totalPooledEther(), "getAccounting().totalPooledEther");
    }

    /// @dev Promise 1 as DESIGN.md states it: the ether the pool and the vaults hold plus the beacon side equals what
    /// users deposited plus rewards (beacon and execution layer) minus penalties. Nothing is paid out yet: there is no
    /// withdrawal queue, and fees are paid in plETH.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_EtherIsNeitherCreatedNorDestroyed() public view {
        assertEq(
            address(pool).balance + address(vault).balance + address(elVault).balance + handler.ghostBeaconSideEther(),
            INITIAL_DEPOSIT +
                handler.ghostDepositedEther() +
                handler.ghostBeaconRewards() +
                handler.ghostElRewards() -
                handler.ghostBeaconLosses(),
            "pool + vaults + beacon side = deposits + rewards - penalties"
        );
        assertEq(
            address(beaconDeposit).balance,
            handler.ghostStakedValidators() * VALIDATOR_DEPOSIT,
            "the deposit contract received 32 ether per validator"
        );
        assertEq(address(vault).balance, handler.ghostUnsweptWithdrawals(), "withdrawal vault = unswept withdrawals");
    }

    /// @dev Nothing is stuck: the only ether the rate does not count yet is the execution rewards above the last
    /// report's cap and what the beacon side gained or lost since the last report.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_EtherOutsideTheRateAwaitsOnlyTheNextReport() public view {
        uint256 held =
            address(pool).balance + address(vault).balance + address(elVault).balance + handler.ghostBeaconSideEther();
        assertEq(
            int256(held),
            int256(pool.totalPooledEther() + address(elVault).balance) + handler.unreportedBeaconDelta(),
            "held = totalPooledEther + execution rewards waiting + unreported beacon change"
        );
    }

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_PoolHoldsAtLeastItsBufferedEther() public view {
        uint256 buffered = pool.getAccounting().bufferedEther;
        assertGe(address(pool).balance, buffered, "pool balance >= buffered ether");
        // Nobody forces ether into the pool in this campaign, so not one wei lies outside the buffer.
        assertEq(address(pool).balance, buffered, "pool balance = buffered ether");
    }

    // =================================================================================================================
    // shares and no dilution
    // =================================================================================================================

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_TotalSharesEqualsSumOfAllHolders() public view {
        address[] memory holders = handler.holders();
        uint256 sum;
        for (uint256 i; i < holders.length; ++i) sum += pool.balanceOf(holders[i]);
        assertEq(pool.totalSupply(), sum, "total shares = dead + treasury + registry + actors + reward addresses");
        assertEq(pool.getAccounting().totalShares, sum, "getAccounting().totalShares");
    }

    /// @dev Checked by the handler around each report: a profit never lowers a holder's value and leaves it exactly its
    /// part of (1 − fee) × profit; a loss takes from each holder at most its share; fee shares are worth fee × profit
    /// at the post-report rate.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_ReportsNeverDiluteHolders() public view {
        assertEq(handler.violation("report"), "", "report: first broken expectation");
        assertEq(handler.violation("fee"), "", "fee: first broken expectation");
        assertEq(
            pool.balanceOf(treasury),
            handler.ghostTreasuryFeeShares(),
            "the treasury holds exactly its fee shares"
        );
    }

    /// @dev Deposits move the rate only by rounding in the holders' favour; transfers, stakes, claims, beacon events
    /// and time never move it.
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_DepositsTransfersAndClaimsNeverLowerTheShareRate() public view {
        assertEq(handler.violation("rate"), "", "rate: first broken expectation");
    }

    // =================================================================================================================
    // operator fees
    // =================================================================================================================

    /// hardhat-config: invariant.failOnRevert = true
    function invariant_OperatorFeesNeverExceedTheFeeSharesMinted() public view {
        uint256 claimable;
        uint256 operators = registry.operatorCount();
        for (uint256 id; id < operators; ++id) claimable += registry.claimableFees(id);
        uint256 minted = handler.ghostOperatorFeeShares();
        uint256 claimed = handler.ghostClaimedFeeShares();
        uint256 held = pool.balanceOf(address(registry));
        assertEq(handler.violation("claim"), "", "claim: first broken expectation");
        assertLe(claimable + claimed, minted, "claimable + claimed <= operator fee shares minted");
        assertGe(held, claimable, "registry's plETH covers the claimable fees");
        assertEq(held, minted - claimed, "registry's plETH = fee shares minted - claimed");
        assertLe(
            minted - claimed - claimable,
            handler.ghostFeeRoundings() + operators,
            "fees lost to rounding: under a share per rounding"
        );
    }

    // =================================================================================================================
    // the handler itself
    // =================================================================================================================

    /// @dev A fixed sequence through every action (a severe loss included), so that no action is vacuous.
    function test_Handler_ExercisesEveryAction() public {
        handler.deposit(2, 40 ether);
        handler.transfer(0, 0, 3 ether);
        handler.addOperator();
        handler.addKeys(3);
        handler.stake(4);
        handler.activate(2);
        handler.earnBeaconRewards(0.005 ether);
        handler.earnExecutionRewards(0.5 ether);
        handler.withdraw(0.001 ether, false);
        handler.withdraw(0, true);
        handler.slash(0.01 ether, false);
        handler.warp(3 hours);
        handler.report(0, 5);
        handler.claimFees(1);
        handler.slash(type(uint256).max - 1, true);
        handler.report(0, 2);

        string[16] memory actions = [
            "deposit",
            "transfer",
            "addOperator",
            "addKeys",
            "stake",
            "activate",
            "earnBeaconRewards",
            "earnExecutionRewards",
            "skim",
            "exit",
            "slash",
            "slashSevere",
            "warp",
            "report",
            "claimFees",
            "allowLoss"
        ];
        for (uint256 i; i < actions.length; ++i) assertGt(handler.calls(actions[i]), 0, actions[i]);
        _assertNoViolations();
        invariant_PooledEtherEqualsDepositsPlusRecognizedRewardsMinusLosses();
        invariant_EtherIsNeitherCreatedNorDestroyed();
        invariant_EtherOutsideTheRateAwaitsOnlyTheNextReport();
        invariant_TotalSharesEqualsSumOfAllHolders();
        invariant_OperatorFeesNeverExceedTheFeeSharesMinted();
    }

    function _assertNoViolations() private view {
        assertEq(handler.violation("report"), "", "report: first broken expectation");
        assertEq(handler.violation("fee"), "", "fee: first broken expectation");
        assertEq(handler.violation("rate"), "", "rate: first broken expectation");
        assertEq(handler.violation("claim"), "", "claim: first broken expectation");
    }
}
