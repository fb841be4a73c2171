// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {AccountingOracle} from "../contracts/AccountingOracle.sol";
import {DepositGuard} from "../contracts/DepositGuard.sol";
import {EmergencyPause} from "../contracts/EmergencyPause.sol";
import {ExecutionRewardsVault} from "../contracts/ExecutionRewardsVault.sol";
import {IAccountingOracle} from "../contracts/interfaces/IAccountingOracle.sol";
import {IDepositContract} from "../contracts/interfaces/IDepositContract.sol";
import {IDepositGuard} from "../contracts/interfaces/IDepositGuard.sol";
import {IEmergencyPause} from "../contracts/interfaces/IEmergencyPause.sol";
import {IOperatorRegistry} from "../contracts/interfaces/IOperatorRegistry.sol";
import {IStakingPool} from "../contracts/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../contracts/interfaces/IWithdrawalQueue.sol";
import {OperatorRegistry} from "../contracts/OperatorRegistry.sol";
import {PluralDeployer} from "../contracts/PluralDeployer.sol";
import {StakingPool} from "../contracts/StakingPool.sol";
import {WithdrawalQueue} from "../contracts/WithdrawalQueue.sol";
import {WithdrawalVault} from "../contracts/WithdrawalVault.sol";
import {StakingPoolFixture} from "./utils/StakingPoolFixture.sol";
import {Vm} from "./utils/Vm.sol";

/// @dev Nothing: deployed to learn this test contract's next CREATE address.
// solhint-disable-next-line no-empty-blocks
contract NonceProbe {}

/// @dev Tests of PluralDeployer: one constructor creating the eight initialized proxies. Each test deploys a fresh
/// protocol next to the fixture's, with its own implementations.
contract PluralDeployerTest is StakingPoolFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    uint256 private constant DEPLOYER_VALUE = 0.5 ether;
    uint256 private constant OTHER_SHARE_CAP_BPS = 2_500;
    uint256 private constant OTHER_VETTING_LIMIT = 500;
    uint256 private constant OTHER_MAX_PAUSE_DURATION = 3 days;
    bytes32 private constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    bytes32 private constant RESUME_ROLE = keccak256("RESUME_ROLE");
    address private constant OTHER_TREASURY = address(0x7EA5);

    PluralDeployer.Implementations private implementations;

    function setUp() public {
        _deployPool();
        implementations = PluralDeployer.Implementations({
            pool: address(new StakingPool(IDepositContract(address(beaconDeposit)))),
            operatorRegistry: address(new OperatorRegistry()),
            depositGuard: address(new DepositGuard(IDepositContract(address(beaconDeposit)))),
            withdrawalVault: address(new WithdrawalVault()),
            executionRewardsVault: address(new ExecutionRewardsVault()),
            accountingOracle: address(new AccountingOracle()),
            withdrawalQueue: address(new WithdrawalQueue()),
            emergencyPause: address(new EmergencyPause())
        });
    }

    // =================================================================================================================
    // addresses and event
    // =================================================================================================================

    function test_Constructor_CreatesTheProxiesAtThePredictedAddresses() public {
        address deployer = _nextCreateAddress();
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        assertEq(address(created), deployer, "the deployer where predicted");

        address[8] memory proxies = _predictedProxies(deployer);
        address[8] memory expectedImplementations = [
            implementations.pool,
            implementations.operatorRegistry,
            implementations.depositGuard,
            implementations.withdrawalVault,
            implementations.executionRewardsVault,
            implementations.accountingOracle,
            implementations.withdrawalQueue,
            implementations.emergencyPause
        ];
        for (uint256 i; i < 8; ++i) {
            assertGt(proxies[i].code.length, 0, "a proxy at the predicted address");
            assertEq(
                vm.load(proxies[i], ERC1967Utils.IMPLEMENTATION_SLOT),
                bytes32(uint256(uint160(expectedImplementations[i]))),
                "the proxy's implementation"
            );
        }
        // Nothing else was created: the deployer's ninth CREATE address stays empty.
        assertEq(_createdAddress(deployer, 9).code.length, 0, "no ninth contract");
    }

    function test_Constructor_EmitsProtocolDeployed() public {
        address deployer = _nextCreateAddress();
        address[8] memory proxies = _predictedProxies(deployer);
        PluralDeployer.Settings memory settings = _settings();
        vm.deal(address(this), DEPLOYER_VALUE);

        vm.expectEmit(true, true, true, true, deployer);
        emit PluralDeployer.ProtocolDeployed(
            proxies[0],
            proxies[1],
            proxies[2],
            proxies[3],
            proxies[4],
            proxies[5],
            proxies[6],
            proxies[7]
        );
        new PluralDeployer{value: DEPLOYER_VALUE}(implementations, settings);
    }

    // =================================================================================================================
    // what each proxy knows
    // =================================================================================================================

    function test_Constructor_WiresTheProxiesTogether() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, WithdrawalVault newVault) = _proxies(
            created
        );
        (ExecutionRewardsVault newElVault, AccountingOracle newOracle) = _reportingProxies(created);

        IStakingPool.StakingContracts memory staking = newPool.stakingContracts();
        assertEq(address(staking.operatorRegistry), address(newRegistry), "pool: operator registry");
        assertEq(address(staking.depositGuard), address(newGuard), "pool: deposit guard");
        assertEq(staking.withdrawalVault, address(newVault), "pool: withdrawal vault");
        assertEq(newPool.withdrawalCredentials(), newVault.withdrawalCredentials(), "pool: withdrawal credentials");
        assertEq(newPool.depositContract(), address(beaconDeposit), "pool: deposit contract");
        assertEq(newRegistry.pool(), address(newPool), "registry: pool");
        assertEq(newGuard.registry(), address(newRegistry), "guard: registry");
        assertEq(newGuard.depositContract(), address(beaconDeposit), "guard: deposit contract");
        assertEq(newVault.pool(), address(newPool), "vault: pool");
        assertEq(staking.executionRewardsVault, address(newElVault), "pool: execution rewards vault");
        assertEq(staking.accountingOracle, address(newOracle), "pool: accounting oracle");
        assertEq(newElVault.pool(), address(newPool), "execution rewards vault: pool");
        assertEq(newOracle.pool(), address(newPool), "oracle: pool");
        WithdrawalQueue newQueue = WithdrawalQueue(payable(_predictedProxies(address(created))[6]));
        assertEq(address(staking.withdrawalQueue), address(newQueue), "pool: withdrawal queue");
        assertEq(newQueue.pool(), address(newPool), "queue: pool");
        assertTrue(newQueue.hasRole(DEFAULT_ADMIN_ROLE, admin), "queue: admin");
    }

    function test_Constructor_AppliesTheSettings() public {
        PluralDeployer.Settings memory settings = _settings();
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, ) = _proxies(
            _deploy(settings, DEPLOYER_VALUE)
        );

        IStakingPool.StakeLimitInfo memory limit = newPool.getStakeLimit();
        assertEq(limit.maxLimit, settings.stakeLimitMax, "stake limit max");
        assertEq(limit.refillPeriod, settings.stakeLimitRefillPeriod, "stake limit refill period");
        assertEq(newRegistry.shareCapBps(), OTHER_SHARE_CAP_BPS, "share cap");
        address[] memory guardians = newGuard.guardians();
        assertEq(guardians.length, settings.guardians.length, "guardian count");
        for (uint256 i; i < guardians.length; ++i) assertEq(guardians[i], settings.guardians[i], "guardian");
        assertEq(newGuard.quorum(), settings.guardianQuorum, "quorum");
        assertEq(newGuard.maxBlockAge(), settings.maxBlockAge, "max block age");
        assertEq(newGuard.pauseDuration(), settings.pauseDuration, "pause duration");

        IStakingPool.ReportState memory report = newPool.getReportState();
        assertEq(report.treasury, settings.accounting.treasury, "treasury");
        assertEq(report.treasuryFeeBps, settings.accounting.treasuryFeeBps, "treasury fee");
        assertEq(report.operatorFeeBps, settings.accounting.operatorFeeBps, "operator fee");
        assertEq(report.maxReportAge, settings.accounting.maxReportAge, "max report age");
        assertEq(report.reportDeadline, 0, "no report deadline before the first validator");

        (, AccountingOracle newOracle) = _reportingProxies(PluralDeployer(_lastDeployer));
        (IAccountingOracle.FrameConfig memory frame, uint256 initialEpoch) = newOracle.getFrameConfig();
        assertEq(frame.genesisTime, settings.frame.genesisTime, "genesis time");
        assertEq(frame.secondsPerSlot, settings.frame.secondsPerSlot, "seconds per slot");
        assertEq(frame.slotsPerEpoch, settings.frame.slotsPerEpoch, "slots per epoch");
        assertEq(frame.epochsPerFrame, settings.frame.epochsPerFrame, "epochs per frame");
        assertEq(initialEpoch, newOracle.currentSlot() / frame.slotsPerEpoch + 1, "frames start at the next epoch");
        address[] memory members = newOracle.getMembers();
        assertEq(members.length, settings.oracleMembers.length, "member count");
        for (uint256 i; i < members.length; ++i) assertEq(members[i], settings.oracleMembers[i], "member");
        assertEq(newOracle.quorum(), settings.oracleQuorum, "oracle quorum");
        (IAccountingOracle.SanityBounds memory bounds, uint256 allowedLoss, ) = newOracle.getSanityBounds();
        assertEq(bounds.maxAprBps, settings.sanityBounds.maxAprBps, "max APR");
        assertEq(bounds.maxLossBps, settings.sanityBounds.maxLossBps, "max loss");
        assertEq(bounds.maxElRewardsBps, settings.sanityBounds.maxElRewardsBps, "max EL rewards");
        assertEq(bounds.unseenDepositDeadline, settings.sanityBounds.unseenDepositDeadline, "unseen deadline");
        assertEq(allowedLoss, 0, "no loss allowed");
    }

    function test_Constructor_MintsTheInitialDepositToTheDeadAddress() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, , , ) = _proxies(created);
        assertEq(newPool.balanceOf(DEAD_SHARES_HOLDER), DEPLOYER_VALUE, "dead shares");
        assertEq(newPool.totalSupply(), DEPLOYER_VALUE, "total shares");
        assertEq(newPool.totalPooledEther(), DEPLOYER_VALUE, "total pooled ether");
        assertEq(address(newPool).balance, DEPLOYER_VALUE, "pool balance");
        assertEq(address(created).balance, 0, "the deployer keeps nothing");
        assertEq(newPool.balanceOf(address(created)), 0, "the deployer holds no share");
    }

    function test_Constructor_GivesTheAdminEveryRoleButPausingAndTheGuardUnvetting() public {
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, WithdrawalVault newVault) = _proxies(
            _deploy(_settings(), DEPLOYER_VALUE)
        );
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(PluralDeployer(_lastDeployer));
        assertTrue(newPool.hasRole(DEFAULT_ADMIN_ROLE, admin), "pool: DEFAULT_ADMIN_ROLE");
        assertFalse(newPool.hasRole(newPool.PAUSE_ROLE(), admin), "pool: PAUSE_ROLE");
        assertTrue(newPool.hasRole(newPool.RESUME_ROLE(), admin), "pool: RESUME_ROLE");
        assertTrue(newPool.hasRole(newPool.STAKE_LIMIT_ROLE(), admin), "pool: STAKE_LIMIT_ROLE");
        assertTrue(newPool.hasRole(newPool.MANAGE_ACCOUNTING_ROLE(), admin), "pool: MANAGE_ACCOUNTING_ROLE");
        (ExecutionRewardsVault newElVault, AccountingOracle newOracle) = _reportingProxies(
            PluralDeployer(_lastDeployer)
        );
        assertTrue(newElVault.hasRole(DEFAULT_ADMIN_ROLE, admin), "execution rewards vault: DEFAULT_ADMIN_ROLE");
        assertTrue(newOracle.hasRole(DEFAULT_ADMIN_ROLE, admin), "oracle: DEFAULT_ADMIN_ROLE");
        assertTrue(newOracle.hasRole(newOracle.MANAGE_MEMBERS_ROLE(), admin), "oracle: MANAGE_MEMBERS_ROLE");
        assertTrue(newOracle.hasRole(newOracle.MANAGE_CONFIG_ROLE(), admin), "oracle: MANAGE_CONFIG_ROLE");
        assertTrue(newOracle.hasRole(newOracle.ALLOW_LOSS_ROLE(), admin), "oracle: ALLOW_LOSS_ROLE");
        assertTrue(newRegistry.hasRole(DEFAULT_ADMIN_ROLE, admin), "registry: DEFAULT_ADMIN_ROLE");
        assertTrue(newRegistry.hasRole(newRegistry.MANAGE_OPERATORS_ROLE(), admin), "registry: MANAGE_OPERATORS_ROLE");
        assertTrue(newRegistry.hasRole(newRegistry.ADD_OPERATOR_ROLE(), admin), "registry: ADD_OPERATOR_ROLE");
        assertTrue(newRegistry.hasRole(newRegistry.VET_KEYS_ROLE(), admin), "registry: VET_KEYS_ROLE");
        assertTrue(newRegistry.hasRole(newRegistry.UNVET_KEYS_ROLE(), address(newGuard)), "registry: the guard unvets");
        assertFalse(newRegistry.hasRole(newRegistry.UNVET_KEYS_ROLE(), admin), "registry: the admin does not unvet");
        assertTrue(newGuard.hasRole(DEFAULT_ADMIN_ROLE, admin), "guard: DEFAULT_ADMIN_ROLE");
        assertTrue(newGuard.hasRole(RESUME_ROLE, admin), "guard: RESUME_ROLE");
        assertFalse(newGuard.hasRole(PAUSE_ROLE, admin), "guard: PAUSE_ROLE");
        assertTrue(newVault.hasRole(DEFAULT_ADMIN_ROLE, admin), "vault: DEFAULT_ADMIN_ROLE");
        assertTrue(newQueue.hasRole(DEFAULT_ADMIN_ROLE, admin), "queue: DEFAULT_ADMIN_ROLE");
        assertTrue(newQueue.hasRole(RESUME_ROLE, admin), "queue: RESUME_ROLE");
        assertFalse(newQueue.hasRole(PAUSE_ROLE, admin), "queue: PAUSE_ROLE");
        assertTrue(newPause.hasRole(DEFAULT_ADMIN_ROLE, admin), "emergency pause: DEFAULT_ADMIN_ROLE");
    }

    function test_Constructor_GivesOperationsItsRegistryRolesAndNothingElse() public {
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, ) = _proxies(
            _deploy(_settings(), DEPLOYER_VALUE)
        );
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(PluralDeployer(_lastDeployer));
        assertTrue(newRegistry.hasRole(newRegistry.ADD_OPERATOR_ROLE(), operations), "registry: ADD_OPERATOR_ROLE");
        assertTrue(newRegistry.hasRole(newRegistry.VET_KEYS_ROLE(), operations), "registry: VET_KEYS_ROLE");
        assertFalse(
            newRegistry.hasRole(newRegistry.MANAGE_OPERATORS_ROLE(), operations),
            "registry: MANAGE_OPERATORS_ROLE"
        );
        assertFalse(newRegistry.hasRole(DEFAULT_ADMIN_ROLE, operations), "registry: DEFAULT_ADMIN_ROLE");
        assertFalse(newPool.hasRole(DEFAULT_ADMIN_ROLE, operations), "pool: DEFAULT_ADMIN_ROLE");
        assertFalse(newGuard.hasRole(DEFAULT_ADMIN_ROLE, operations), "guard: DEFAULT_ADMIN_ROLE");
        assertFalse(newQueue.hasRole(DEFAULT_ADMIN_ROLE, operations), "queue: DEFAULT_ADMIN_ROLE");
        assertFalse(newPause.hasRole(DEFAULT_ADMIN_ROLE, operations), "emergency pause: DEFAULT_ADMIN_ROLE");
        assertEq(newRegistry.vettingLimit(), OTHER_VETTING_LIMIT, "registry: vetting limit");
    }

    function test_Constructor_WiresTheEmergencyPause() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, , DepositGuard newGuard, ) = _proxies(created);
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(created);
        address pauser = address(newPause);

        assertTrue(newPool.hasRole(PAUSE_ROLE, pauser), "pool: the emergency pause has PAUSE_ROLE");
        assertTrue(newPool.hasRole(RESUME_ROLE, pauser), "pool: the emergency pause has RESUME_ROLE");
        assertTrue(newQueue.hasRole(PAUSE_ROLE, pauser), "queue: the emergency pause has PAUSE_ROLE");
        assertTrue(newQueue.hasRole(RESUME_ROLE, pauser), "queue: the emergency pause has RESUME_ROLE");
        assertTrue(newGuard.hasRole(PAUSE_ROLE, pauser), "guard: the emergency pause has PAUSE_ROLE");
        assertTrue(newGuard.hasRole(RESUME_ROLE, pauser), "guard: the emergency pause has RESUME_ROLE");
        assertFalse(newPool.hasRole(DEFAULT_ADMIN_ROLE, pauser), "pool: the emergency pause is no admin");
        assertFalse(newQueue.hasRole(DEFAULT_ADMIN_ROLE, pauser), "queue: the emergency pause is no admin");
        assertFalse(newGuard.hasRole(DEFAULT_ADMIN_ROLE, pauser), "guard: the emergency pause is no admin");

        IEmergencyPause.PauseState memory state = newPause.getPauseState();
        assertEq(state.guardian, pauseGuardian, "the guardian");
        assertTrue(state.pauseAvailable, "the guardian holds one pause");
        assertEq(state.maxPauseDuration, OTHER_MAX_PAUSE_DURATION, "max pause duration");
        assertEq(state.depositsPausedUntil, 0, "deposits not paused");
        assertEq(state.withdrawalsPausedUntil, 0, "withdrawals not paused");
        assertEq(state.stakingPausedUntil, 0, "staking not paused");
        assertFalse(newPause.hasRole(DEFAULT_ADMIN_ROLE, pauseGuardian), "the guardian is no admin");
    }

    function test_Constructor_GrantsPausingToTheEmergencyPauseAlone() public {
        // AccessControl cannot list a role's holders, so read every grant the deployment made.
        address deployer = _nextCreateAddress();
        address[8] memory proxies = _predictedProxies(deployer);
        address pauser = proxies[7];
        vm.recordLogs();
        _deploy(_settings(), DEPLOYER_VALUE);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 pauseGrants;
        uint256 resumeGrantsToAdmin;
        uint256 resumeGrantsToPauser;
        uint256 pauseProxyGrants;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] != IAccessControl.RoleGranted.selector) continue;
            bytes32 role = logs[i].topics[1];
            address account = address(uint160(uint256(logs[i].topics[2])));
            address emitter = logs[i].emitter;
            if (emitter == pauser) {
                ++pauseProxyGrants;
                assertEq(role, DEFAULT_ADMIN_ROLE, "emergency pause: the one role granted");
                assertEq(account, admin, "emergency pause: granted to the admin");
            }
            if (role == PAUSE_ROLE) {
                ++pauseGrants;
                assertEq(account, pauser, "PAUSE_ROLE granted to the emergency pause only");
                assertTrue(
                    emitter == proxies[0] || emitter == proxies[2] || emitter == proxies[6],
                    "PAUSE_ROLE of the pool, guard or queue"
                );
            } else if (role == RESUME_ROLE) {
                if (account == admin) ++resumeGrantsToAdmin;
                else if (account == pauser) ++resumeGrantsToPauser;
                else revert("RESUME_ROLE granted to someone else");
            }
        }
        assertEq(pauseGrants, 3, "PAUSE_ROLE grants: pool, queue, guard");
        assertEq(resumeGrantsToAdmin, 3, "RESUME_ROLE grants to the admin");
        assertEq(resumeGrantsToPauser, 3, "RESUME_ROLE grants to the emergency pause");
        assertEq(pauseProxyGrants, 1, "role grants of the emergency pause");
    }

    function test_Constructor_TheGuardianPausesEverythingAndGovernanceResumes() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, , DepositGuard newGuard, ) = _proxies(created);
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(created);
        uint256 until = block.timestamp + OTHER_MAX_PAUSE_DURATION;
        uint256 everything = newPause.DEPOSITS() | newPause.WITHDRAWALS() | newPause.STAKING();

        vm.prank(pauseGuardian);
        newPause.pause(everything, OTHER_MAX_PAUSE_DURATION);
        assertEq(newPool.depositsPausedUntil(), until, "deposits paused");
        assertEq(newQueue.withdrawalsPausedUntil(), until, "withdrawals paused");
        assertEq(newGuard.stakingPausedUntil(), until, "staking paused");
        address depositor = makeAddr("depositor");
        vm.deal(depositor, 1 ether);
        vm.prank(depositor);
        vm.expectRevert(abi.encodeWithSelector(IStakingPool.DepositsArePaused.selector, until));
        newPool.deposit{value: 1 ether}(address(0));
        vm.prank(depositor);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.WithdrawalsArePaused.selector, until));
        newQueue.requestWithdrawals(new uint256[](1), address(0));

        vm.prank(admin);
        newPause.resume(everything);
        assertEq(newPool.depositsPausedUntil(), 0, "deposits resumed");
        assertEq(newQueue.withdrawalsPausedUntil(), 0, "withdrawals resumed");
        assertEq(newGuard.stakingPausedUntil(), 0, "staking resumed");
        vm.prank(depositor);
        assertEq(newPool.deposit{value: 1 ether}(address(0)), 1 ether, "deposits work again");
    }

    function test_Constructor_WithoutAPauseGuardianGrantsNoPause() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.pauseGuardian = address(0);
        (, EmergencyPause newPause) = _pauseProxies(_deploy(settings, DEPLOYER_VALUE));

        IEmergencyPause.PauseState memory state = newPause.getPauseState();
        assertEq(state.guardian, address(0), "no guardian");
        assertFalse(state.pauseAvailable, "no pause granted");
        vm.prank(pauseGuardian);
        vm.expectRevert(abi.encodeWithSelector(IEmergencyPause.NotPauseGuardian.selector, pauseGuardian, address(0)));
        newPause.pause(1, 1 hours);
    }

    function test_Constructor_LeavesTheDeployerNoRole() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, WithdrawalVault newVault) = _proxies(
            created
        );
        (ExecutionRewardsVault newElVault, AccountingOracle newOracle) = _reportingProxies(created);
        // Neither the deployer contract nor the account that created it.
        address[2] memory deployers = [address(created), address(this)];
        for (uint256 i; i < 2; ++i) {
            address account = deployers[i];
            assertFalse(newPool.hasRole(newPool.MANAGE_ACCOUNTING_ROLE(), account), "pool: MANAGE_ACCOUNTING_ROLE");
            assertFalse(newElVault.hasRole(DEFAULT_ADMIN_ROLE, account), "execution rewards vault: admin");
            assertFalse(newOracle.hasRole(DEFAULT_ADMIN_ROLE, account), "oracle: DEFAULT_ADMIN_ROLE");
            assertFalse(newOracle.hasRole(newOracle.MANAGE_MEMBERS_ROLE(), account), "oracle: MANAGE_MEMBERS_ROLE");
            assertFalse(newOracle.hasRole(newOracle.MANAGE_CONFIG_ROLE(), account), "oracle: MANAGE_CONFIG_ROLE");
            assertFalse(newOracle.hasRole(newOracle.ALLOW_LOSS_ROLE(), account), "oracle: ALLOW_LOSS_ROLE");
            assertFalse(newOracle.isMember(account), "oracle: member");
            assertFalse(newPool.hasRole(DEFAULT_ADMIN_ROLE, account), "pool: DEFAULT_ADMIN_ROLE");
            assertFalse(newPool.hasRole(newPool.PAUSE_ROLE(), account), "pool: PAUSE_ROLE");
            assertFalse(newPool.hasRole(newPool.RESUME_ROLE(), account), "pool: RESUME_ROLE");
            assertFalse(newPool.hasRole(newPool.STAKE_LIMIT_ROLE(), account), "pool: STAKE_LIMIT_ROLE");
            assertFalse(newRegistry.hasRole(DEFAULT_ADMIN_ROLE, account), "registry: DEFAULT_ADMIN_ROLE");
            assertFalse(
                newRegistry.hasRole(newRegistry.MANAGE_OPERATORS_ROLE(), account),
                "registry: MANAGE_OPERATORS_ROLE"
            );
            assertFalse(newRegistry.hasRole(newRegistry.VET_KEYS_ROLE(), account), "registry: VET_KEYS_ROLE");
            assertFalse(newRegistry.hasRole(newRegistry.UNVET_KEYS_ROLE(), account), "registry: UNVET_KEYS_ROLE");
            assertFalse(newGuard.hasRole(DEFAULT_ADMIN_ROLE, account), "guard: DEFAULT_ADMIN_ROLE");
            assertFalse(newVault.hasRole(DEFAULT_ADMIN_ROLE, account), "vault: DEFAULT_ADMIN_ROLE");
            assertFalse(newGuard.isGuardian(account), "guard: guardian");
            assertFalse(newRegistry.hasRole(newRegistry.ADD_OPERATOR_ROLE(), account), "registry: ADD_OPERATOR_ROLE");
            assertFalse(newGuard.hasRole(PAUSE_ROLE, account), "guard: PAUSE_ROLE");
            assertFalse(newGuard.hasRole(RESUME_ROLE, account), "guard: RESUME_ROLE");
            _assertNoPauseRole(created, account);
        }
    }

    function test_Constructor_LeavesNoProxyUninitialized() public {
        PluralDeployer created = _deploy(_settings(), DEPLOYER_VALUE);
        (StakingPool newPool, OperatorRegistry newRegistry, DepositGuard newGuard, WithdrawalVault newVault) = _proxies(
            created
        );
        (ExecutionRewardsVault newElVault, AccountingOracle newOracle) = _reportingProxies(created);
        PluralDeployer.Settings memory settings = _settings();
        address attacker = makeAddr("attacker");
        IStakingPool.StakingContracts memory staking = newPool.stakingContracts();
        address[] memory guardians = new address[](1);
        guardians[0] = attacker;

        vm.deal(attacker, 1 ether);
        vm.startPrank(attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newPool.initialize{value: 1 ether}(attacker, 0, 0, staking, settings.accounting, attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newRegistry.initialize(attacker, attacker, attacker, attacker, 1, 1 days, attacker, 1);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newGuard.initialize(attacker, IOperatorRegistry(attacker), guardians, 1, 1, 1, attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newVault.initialize(attacker, attacker, 0);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newElVault.initialize(attacker, attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newOracle.initialize(attacker, newPool, settings.frame, guardians, 1, settings.sanityBounds);
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(created);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newQueue.initialize(attacker, attacker, attacker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        newPause.initialize(
            attacker,
            IStakingPool(attacker),
            IWithdrawalQueue(attacker),
            IDepositGuard(attacker),
            attacker,
            1
        );
        vm.stopPrank();
    }

    function test_Constructor_DeploysAWorkingProtocol() public {
        (StakingPool newPool, , DepositGuard newGuard, ) = _proxies(_deploy(_settings(), DEPLOYER_VALUE));
        address depositor = makeAddr("depositor");
        vm.deal(depositor, 1 ether);
        vm.prank(depositor);
        uint256 shares = newPool.deposit{value: 1 ether}(address(0));
        assertEq(shares, 1 ether, "one share per wei at the initial rate");
        vm.prank(guardianAddresses[0]);
        newGuard.pauseStaking();
        assertEq(newGuard.stakingPausedUntil(), block.timestamp + PAUSE_DURATION, "a guardian pauses");
    }

    // =================================================================================================================
    // a failing initialization reverts everything
    // =================================================================================================================

    function test_RevertWhen_GuardianQuorumIsZero() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.guardianQuorum = 0;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 0, 3)
        );
    }

    function test_RevertWhen_GuardianQuorumExceedsTheGuardians() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.guardianQuorum = 4;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IDepositGuard.InvalidQuorum.selector, 4, 3)
        );
    }

    function test_RevertWhen_InitialDepositIsTooSmall() public {
        _assertDeploymentReverts(
            _settings(),
            INITIAL_DEPOSIT - 1,
            abi.encodeWithSelector(IStakingPool.InitialDepositTooSmall.selector, INITIAL_DEPOSIT - 1, INITIAL_DEPOSIT)
        );
    }

    function test_RevertWhen_AdminIsZero() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.admin = address(0);
        // The pool is created first and refuses it.
        _assertDeploymentReverts(settings, DEPLOYER_VALUE, abi.encodeWithSelector(IStakingPool.ZeroAddress.selector));
    }

    function test_RevertWhen_ShareCapIsInvalid() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.shareCapBps = 10_001;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IOperatorRegistry.InvalidShareCap.selector, 10_001)
        );
    }

    function test_RevertWhen_PauseDurationIsInvalid() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.pauseDuration = 0;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IDepositGuard.InvalidPauseDuration.selector, 0, 3 days)
        );
    }

    function test_RevertWhen_MaxPauseDurationIsInvalid() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.maxPauseDuration = 14 days + 1;
        // The emergency pause, created last, refuses it: the seven proxies before it go too.
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IEmergencyPause.InvalidPauseDuration.selector, 14 days + 1, 14 days)
        );
    }

    function test_RevertWhen_VettingLimitIsInvalid() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.vettingLimit = 0;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IOperatorRegistry.InvalidVettingLimit.selector, 0, 10_000)
        );
    }

    function test_RevertWhen_OracleQuorumIsHalfTheMembers() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.oracleQuorum = 1;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IAccountingOracle.InvalidQuorum.selector, 1, 3)
        );
    }

    function test_RevertWhen_GenesisIsInTheFuture() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.frame.genesisTime = block.timestamp + 1;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IAccountingOracle.InvalidFrameConfig.selector)
        );
    }

    function test_RevertWhen_FeeIsAboveTheCap() public {
        PluralDeployer.Settings memory settings = _settings();
        settings.accounting.operatorFeeBps = 1_501;
        _assertDeploymentReverts(
            settings,
            DEPLOYER_VALUE,
            abi.encodeWithSelector(IStakingPool.InvalidFees.selector, 500, 1_501)
        );
    }

    function test_RevertWhen_ImplementationIsNotAContract() public {
        // A mistyped implementation address: the oracle proxy refuses it, and the five proxies created before it go too.
        implementations.accountingOracle = makeAddr("not a contract");
        _assertDeploymentReverts(
            _settings(),
            DEPLOYER_VALUE,
            abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, implementations.accountingOracle)
        );
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev The fixture's guardians and admin, with settings that differ from the fixture's where they can.
    function _settings() private view returns (PluralDeployer.Settings memory) {
        return
            PluralDeployer.Settings({
                admin: admin,
                stakeLimitMax: 1_000 ether,
                stakeLimitRefillPeriod: 2 days,
                shareCapBps: OTHER_SHARE_CAP_BPS,
                exitResponseTime: EXIT_RESPONSE_TIME,
                guardians: guardianAddresses,
                guardianQuorum: 3,
                maxBlockAge: 64,
                pauseDuration: PAUSE_DURATION,
                accounting: IStakingPool.AccountingSettings(OTHER_TREASURY, 500, 1_000, 2 days),
                frame: IAccountingOracle.FrameConfig(GENESIS_TIME, 12, 32, 450),
                oracleMembers: oracleMembers,
                oracleQuorum: 3,
                sanityBounds: IAccountingOracle.SanityBounds(800, 300, 200, 20 days),
                maxExitRequestFee: 0.05 ether,
                operations: operations,
                vettingLimit: OTHER_VETTING_LIMIT,
                pauseGuardian: pauseGuardian,
                maxPauseDuration: OTHER_MAX_PAUSE_DURATION
            });
    }

    /// @dev The last deployer `_deploy` created.
    address private _lastDeployer;

    function _deploy(PluralDeployer.Settings memory settings, uint256 value) private returns (PluralDeployer created) {
        vm.deal(address(this), value);
        created = new PluralDeployer{value: value}(implementations, settings);
        _lastDeployer = address(created);
    }

    /// @dev Expects the deployment to revert with `reason`, then checks that nothing was left behind: no deployer, no
    /// proxy, no ether moved.
    function _assertDeploymentReverts(
        PluralDeployer.Settings memory settings,
        uint256 value,
        bytes memory reason
    ) private {
        address deployer = _nextCreateAddress();
        vm.deal(address(this), value);
        try new PluralDeployer{value: value}(implementations, settings) returns (PluralDeployer created) {
            assertEq(address(created), address(0), "the deployment should have reverted");
        } catch (bytes memory actual) {
            assertEq(actual, reason, "revert data");
        }
        assertEq(deployer.code.length, 0, "no deployer");
        address[8] memory proxies = _predictedProxies(deployer);
        for (uint256 i; i < 8; ++i) assertEq(proxies[i].code.length, 0, "no proxy");
        assertEq(address(this).balance, value, "the ether came back");
    }

    function _proxies(
        PluralDeployer deployer
    ) private pure returns (StakingPool, OperatorRegistry, DepositGuard, WithdrawalVault) {
        address[8] memory proxies = _predictedProxies(address(deployer));
        return (
            StakingPool(payable(proxies[0])),
            OperatorRegistry(proxies[1]),
            DepositGuard(proxies[2]),
            WithdrawalVault(payable(proxies[3]))
        );
    }

    function _reportingProxies(PluralDeployer deployer) private pure returns (ExecutionRewardsVault, AccountingOracle) {
        address[8] memory proxies = _predictedProxies(address(deployer));
        return (ExecutionRewardsVault(payable(proxies[4])), AccountingOracle(proxies[5]));
    }

    function _pauseProxies(PluralDeployer deployer) private pure returns (WithdrawalQueue, EmergencyPause) {
        address[8] memory proxies = _predictedProxies(address(deployer));
        return (WithdrawalQueue(payable(proxies[6])), EmergencyPause(proxies[7]));
    }

    /// @dev `account` holds neither PAUSE_ROLE nor RESUME_ROLE of the pool and queue, nor any role of the emergency
    /// pause.
    function _assertNoPauseRole(PluralDeployer deployer, address account) private view {
        (StakingPool newPool, , , ) = _proxies(deployer);
        (WithdrawalQueue newQueue, EmergencyPause newPause) = _pauseProxies(deployer);
        assertFalse(newQueue.hasRole(DEFAULT_ADMIN_ROLE, account), "queue: DEFAULT_ADMIN_ROLE");
        assertFalse(newQueue.hasRole(PAUSE_ROLE, account), "queue: PAUSE_ROLE");
        assertFalse(newQueue.hasRole(RESUME_ROLE, account), "queue: RESUME_ROLE");
        assertFalse(newPool.hasRole(PAUSE_ROLE, account), "pool: PAUSE_ROLE");
        assertFalse(newPause.hasRole(DEFAULT_ADMIN_ROLE, account), "emergency pause: DEFAULT_ADMIN_ROLE");
        assertTrue(newPause.getPauseState().guardian != account, "emergency pause: guardian");
    }

    /// @dev The proxies a deployer at `deployer` creates, in order (pool, registry, guard, vaults, oracle, queue,
    /// emergency pause): its CREATE nonces 1 to 8.
    function _predictedProxies(address deployer) private pure returns (address[8] memory proxies) {
        for (uint256 i; i < 8; ++i) proxies[i] = _createdAddress(deployer, i + 1);
    }

    /// @dev keccak256(rlp([creator, nonce]))[12:] for 1 <= nonce <= 0x7f, where rlp(nonce) is the byte itself:
    /// a list prefix 0xc0 + 22, the address as a 20-byte string (0x80 + 20), then the nonce.
    function _createdAddress(address creator, uint256 nonce) private pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(uint8(0xd6), uint8(0x94), creator, uint8(nonce))))));
    }

    /// @dev The address this contract's next CREATE lands at: a probe's address tells its current nonce.
    function _nextCreateAddress() private returns (address) {
        address probe = address(new NonceProbe());
        for (uint256 nonce = 1; nonce < 0x7f; ++nonce) {
            if (_createdAddress(address(this), nonce) == probe) return _createdAddress(address(this), nonce + 1);
        }
        revert("nonce probe: nonce above 0x7e");
    }
}
