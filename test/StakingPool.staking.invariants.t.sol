// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {DepositGuard} from "../contracts/DepositGuard.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {WithdrawalVault} from "../contracts/WithdrawalVault.sol";
import {StakingFixture} from "./utils/StakingFixture.sol";
import {StakingPoolFixture, forceEther} from "./utils/StakingPoolFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev What users, governance, operators and anyone staking can do, with bounded inputs and ghost state. It is a
/// `StakingFixture` of its own, so it remembers every key it commits and builds segments and attestations the way the
/// off-chain tooling does. Calls that would revert are skipped, so that every call in a sequence changes something.
contract StakingHandler is StakingFixture {
    uint256 private constant MAX_OPERATORS = 6;
    uint256 private constant MAX_KEYS_PER_CALL = 6;
    uint256 private constant MAX_VALIDATORS_PER_STAKE = 8;
    uint256 private constant MAX_DEPOSIT = 200 ether;
    uint256 private constant MAX_FORCED = 100 ether;
    bytes32 private constant DEPOSIT_EVENT_TOPIC = keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)");

    /// @dev A committed key: its operator and index, plus one so that zero means "not ours".
    struct KeyOwner {
        uint256 operatorIdPlusOne;
        uint256 keyIndex;
    }

    address[] private _actors;
    /// @dev The chain's clock and height as this handler moved them; re-applied before each call.
    uint256 public currentTime;
    uint256 public currentBlock;

    /// @notice Ether deposited by users.
    uint256 public ghostDepositedEther;
    /// @notice Ether forced into the pool without calling it.
    uint256 public ghostForcedEther;
    /// @notice Validators staked through `depositValidators`.
    uint256 public ghostStakedValidators;
    /// @notice Set if a stake changed totalPooledEther, the total shares or the value of a share.
    bool public rateChanged;
    /// @notice Set if the deposit contract received a key twice, a key we never committed, a key out of its
    /// operator's order, or other withdrawal credentials than the pool's.
    bool public duplicateKeyDeposited;
    bool public unknownKeyDeposited;
    bool public keyDepositedOutOfOrder;
    bool public wrongCredentials;
    /// @notice The next key index of each operator that the deposit contract should see.
    mapping(uint256 operatorId => uint256 keyIndex) public ghostNextKey;
    /// @notice Every pubkey deposited, in deposit order (hashed).
    bytes32[] public depositedPubkeys;
    mapping(bytes32 pubkeyHash => KeyOwner) private _keyOwner;
    mapping(bytes32 pubkeyHash => bool) private _deposited;
    /// @notice Calls that did something, per action.
    mapping(string action => uint256 count) public calls;

    modifier step() {
        vm.warp(currentTime);
        vm.roll(currentBlock);
        _;
    }

    constructor(
        StakingPool pool_,
        OperatorRegistry registry_,
        DepositGuard guard_,
        BeaconDepositMock beaconDeposit_,
        WithdrawalVault vault_,
        address admin_,
        uint256[] memory guardianKeys_,
        address[] memory actorList
    ) {
        pool = pool_;
        registry = registry_;
        guard = guard_;
        beaconDeposit = beaconDeposit_;
        vault = vault_;
        admin = admin_;
        guardianKeys = guardianKeys_;
        _actors = actorList;
        currentTime = block.timestamp;
        currentBlock = block.number;
    }

    // --- Users and anyone ---

    function deposit(uint256 actorSeed, uint256 amount) external step {
        uint256 cap = pool.getStakeLimit().available;
        if (cap > MAX_DEPOSIT) cap = MAX_DEPOSIT;
        if (cap < 1 ether) return;
        amount = bound(amount, 1 ether, cap);
        address actor = _actors[actorSeed % _actors.length];
        vm.deal(actor, amount);
        vm.prank(actor);
        pool.deposit{value: amount}(address(0));
        ghostDepositedEther += amount;
        ++calls["deposit"];
    }

    function forceEtherIntoPool(uint256 amount) external step {
        amount = bound(amount, 1, MAX_FORCED);
        vm.deal(address(this), amount);
        forceEther(address(pool), amount);
        ghostForcedEther += amount;
        ++calls["forceEther"];
    }

    // --- Governance and operators ---

    function addOperator(uint256 keys, uint256 vetted) external step {
        if (registry.operatorCount() >= MAX_OPERATORS) return;
        keys = bound(keys, 1, MAX_KEYS_PER_CALL);
        vetted = bound(vetted, 0, keys);
        uint256 operatorId = _addOperatorWithKeys(keys, vetted);
        _recordKeys(operatorId, 0, keys);
        ++calls["addOperator"];
    }

    function addKeys(uint256 operatorSeed, uint256 count) external step {
        uint256 operators = registry.operatorCount();
        if (operators == 0) return;
        uint256 operatorId = operatorSeed % operators;
        count = bound(count, 1, MAX_KEYS_PER_CALL);
        uint256 firstIndex = registry.getOperator(operatorId).totalKeys;
        _addKeys(operatorId, count);
        _recordKeys(operatorId, firstIndex, count);
        ++calls["addKeys"];
    }

    function vet(uint256 operatorSeed, uint256 vetted) external step {
        uint256 operators = registry.operatorCount();
        if (operators == 0) return;
        uint256 operatorId = operatorSeed % operators;
        IOperatorRegistry.Operator memory operator = registry.getOperator(operatorId);
        vetted = bound(vetted, operator.depositedKeys, operator.totalKeys);
        _vet(operatorId, vetted);
        ++calls["vet"];
    }

    // --- Staking ---

    /// @notice Stakes up to `count` validators, as many as the buffer and the allocation allow, with a fresh quorum
    /// attestation, and checks what reached the deposit contract.
    function stake(uint256 count) external step {
        // A new block, so that the attestation's block (the previous one) has a hash.
        ++currentBlock;
        vm.roll(currentBlock);
        uint256 max = pool.getAccounting().bufferedEther / VALIDATOR_DEPOSIT;
        if (max > MAX_VALIDATORS_PER_STAKE) max = MAX_VALIDATORS_PER_STAKE;
        if (max == 0) return;
        (, count) = registry.allocate(bound(count, 1, max));
        if (count == 0) return;

        IOperatorRegistry.KeySegment[] memory segments = _segmentsFor(count);
        IDepositGuard.Attestation memory attestation = _attestation(GUARDIAN_QUORUM);
        uint256 totalEther = pool.totalPooledEther();
        uint256 totalShares = pool.totalSupply();
        uint256 shareValue = pool.convertToAssets(1 ether);

        vm.recordLogs();
        pool.depositValidators(segments, attestation);
        uint256 seen = _recordDepositEvents(vm.getRecordedLogs());

        if (
            pool.totalPooledEther() != totalEther ||
            pool.totalSupply() != totalShares ||
            pool.convertToAssets(1 ether) != shareValue
        ) rateChanged = true;
        // Every validator staked shows up as exactly one DepositEvent.
        if (seen != count) unknownKeyDeposited = true;
        ghostStakedValidators += count;
        ++calls["stake"];
    }

    // --- Views for the invariants ---

    function depositedPubkeyCount() external view returns (uint256) {
        return depositedPubkeys.length;
    }

    // --- Internals ---

    function _recordKeys(uint256 operatorId, uint256 firstIndex, uint256 count) private {
        for (uint256 i; i < count; ++i) {
            _keyOwner[keccak256(pubkeyAt[operatorId][firstIndex + i])] = KeyOwner(operatorId + 1, firstIndex + i);
        }
    }

    /// @dev Checks each `DepositEvent` against the keys committed so far; returns how many there were.
    function _recordDepositEvents(Vm.Log[] memory logs) private returns (uint256 seen) {
        bytes memory credentials = abi.encodePacked(pool.withdrawalCredentials());
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (
                log.emitter != address(beaconDeposit) || log.topics.length == 0 || log.topics[0] != DEPOSIT_EVENT_TOPIC
            ) {
                continue;
            }
            ++seen;
            (bytes memory pubkey, bytes memory withdrawalCredentials, , , ) = abi.decode(
                log.data,
                (bytes, bytes, bytes, bytes, bytes)
            );
            bytes32 pubkeyHash = keccak256(pubkey);
            if (keccak256(withdrawalCredentials) != keccak256(credentials)) wrongCredentials = true;
            if (_deposited[pubkeyHash]) duplicateKeyDeposited = true;
            _deposited[pubkeyHash] = true;
            depositedPubkeys.push(pubkeyHash);

            KeyOwner memory owner = _keyOwner[pubkeyHash];
            if (owner.operatorIdPlusOne == 0) {
                unknownKeyDeposited = true;
                continue;
            }
            uint256 operatorId = owner.operatorIdPlusOne - 1;
            if (owner.keyIndex != ghostNextKey[operatorId]) keyDepositedOutOfOrder = true;
            ghostNextKey[operatorId] = owner.keyIndex + 1;
        }
    }
}

/// @dev The pool's staking promises under any sequence of deposits, new operators and keys, vetting, validator
/// deposits and forced ether. Named after the invariants in StakingPool's and OperatorRegistry's NatSpec and the
/// promises of DESIGN.md.
contract StakingPoolStakingInvariantTest is StakingPoolFixture {
    uint256 private constant ACTOR_COUNT = 4;

    StakingHandler private handler;

    function setUp() public {
        _deployPool();

        address[] memory actors = new address[](ACTOR_COUNT);
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            actors[i] = makeAddr(string.concat("actor", Strings.toString(i)));
        }
        handler = new StakingHandler(pool, registry, guard, beaconDeposit, vault, admin, guardianKeys, actors);

        // History before the campaign, through the handler so that it knows every key: two operators, a validator
        // staked and seen with rewards. The rate is then no round number, so a stake that moved it would show.
        handler.addOperator(4, 4);
        handler.addOperator(3, 2);
        handler.deposit(0, 100 ether);
        handler.stake(1);
        assertEq(pool.getAccounting().depositedValidators, 1, "seeded validator");
        _simulateReport(32.7 ether + 13, 1);

        targetContract(address(handler));
        // Weighted by repetition: staking is what is under test, deposits feed it.
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = StakingHandler.deposit.selector;
        selectors[1] = StakingHandler.deposit.selector;
        selectors[2] = StakingHandler.addOperator.selector;
        selectors[3] = StakingHandler.addKeys.selector;
        selectors[4] = StakingHandler.vet.selector;
        selectors[5] = StakingHandler.vet.selector;
        selectors[6] = StakingHandler.stake.selector;
        selectors[7] = StakingHandler.stake.selector;
        selectors[8] = StakingHandler.stake.selector;
        selectors[9] = StakingHandler.forceEtherIntoPool.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    function invariant_StakingNeverChangesTheRate() public view {
        assertFalse(handler.rateChanged(), "a stake changed totalPooledEther, the total shares or the share value");
    }

    function invariant_TotalPooledEtherIsBufferPlusValidators() public view {
        _assertAccountingIsConsistent();
        IStakingPool.Accounting memory accounting = pool.getAccounting();
        assertEq(
            accounting.bufferedEther,
            INITIAL_DEPOSIT + handler.ghostDepositedEther() - handler.ghostStakedValidators() * VALIDATOR_DEPOSIT,
            "buffered ether = initial + deposits - 32 ether per validator (forced ether excluded)"
        );
        assertEq(
            address(pool).balance,
            accounting.bufferedEther + handler.ghostForcedEther(),
            "pool balance = buffered ether + forced ether"
        );
        assertEq(
            address(beaconDeposit).balance,
            accounting.depositedValidators * VALIDATOR_DEPOSIT,
            "deposit contract balance = 32 ether per validator"
        );
    }

    function invariant_EveryDepositedKeyIsUniqueAndInOrder() public view {
        assertFalse(handler.duplicateKeyDeposited(), "a key was deposited twice");
        assertFalse(handler.unknownKeyDeposited(), "a deposit did not match a committed key");
        assertFalse(handler.keyDepositedOutOfOrder(), "an operator's keys were deposited out of order");
        assertFalse(handler.wrongCredentials(), "a deposit carried other withdrawal credentials");
        uint256 deposited = pool.getAccounting().depositedValidators;
        assertEq(handler.depositedPubkeyCount(), deposited, "DepositEvents = depositedValidators");
        assertEq(handler.ghostStakedValidators(), deposited, "validators staked = depositedValidators");
        uint256 operators = registry.operatorCount();
        for (uint256 i; i < operators; ++i) {
            assertEq(
                handler.ghostNextKey(i),
                registry.getOperator(i).depositedKeys,
                "keys seen by the deposit contract = the registry's deposited count"
            );
        }
    }

    function invariant_DepositedValidatorsMatchRegistry() public view {
        uint256 deposited = pool.getAccounting().depositedValidators;
        // Nothing exits yet, so every validator deposited is active.
        assertEq(registry.activeValidators(), deposited, "registry activeValidators = pool depositedValidators");
        uint256 sum;
        uint256 operators = registry.operatorCount();
        for (uint256 i; i < operators; ++i) {
            sum += registry.getOperator(i).depositedKeys;
        }
        assertEq(sum, deposited, "sum of operators' deposited keys = pool depositedValidators");
    }

    function invariant_NoOperatorAboveItsVettedKeys() public view {
        uint256 operators = registry.operatorCount();
        for (uint256 i; i < operators; ++i) {
            IOperatorRegistry.Operator memory operator = registry.getOperator(i);
            assertLe(operator.depositedKeys, operator.vettedKeys, "deposited <= vetted");
            assertLe(operator.vettedKeys, operator.totalKeys, "vetted <= total");
        }
    }
}
