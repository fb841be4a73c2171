// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IPoolVault, IVaultEtherRecipient} from "../contracts/interfaces/IPoolVault.sol";
import {IWithdrawalVault} from "../contracts/interfaces/IWithdrawalVault.sol";
import {WithdrawalRequestPredeploy} from "../contracts/mocks/WithdrawalRequestPredeploy.sol";
import {WithdrawalVault} from "../contracts/WithdrawalVault.sol";
import {StakingPoolFixture, forceEther} from "./utils/StakingPoolFixture.sol";

/// @dev Stands in for the pool's `receiveVaultEther()`, which only takes ether from its own vaults: records what came.
contract WithdrawalsRecipientMock is IVaultEtherRecipient {
    uint256 public received;
    uint256 public calls;
    address public lastSender;

    function receiveVaultEther() external payable {
        received += msg.value;
        ++calls;
        lastSender = msg.sender;
    }
}

/// @dev A recipient that refuses the ether.
contract RejectingRecipientMock is IVaultEtherRecipient {
    error Refused(uint256 amount);

    function receiveVaultEther() external payable {
        revert Refused(msg.value);
    }
}

/// @dev A predeploy stand-in whose fee rises with every request, `base + step * requests` wei, which the real one never
/// does within a block: shows that the vault reads the fee before each request and checks it against the cap. Keeps
/// what each request paid. Etched at the predeploy's address: its constants live in its code, its counter in slot 0
/// (read with `vm.load`: a getter would make the fallback share the contract with functions).
contract RisingFeePredeployMock {
    uint256 private _requests;
    uint256 private immutable BASE;
    uint256 private immutable STEP;

    error FeeNotPaid(uint256 value, uint256 fee);

    constructor(uint256 base, uint256 step) {
        BASE = base;
        STEP = step;
    }

    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata input) external payable returns (bytes memory) {
        uint256 fee = BASE + STEP * _requests;
        if (input.length == 0) return abi.encode(fee);
        require(msg.value == fee, FeeNotPaid(msg.value, fee));
        ++_requests;
        return "";
    }
}

/// @dev A predeploy stand-in whose fee read reverts with data (the real one reverts without).
contract FeeReadRevertsMock {
    error FeeUnavailable(uint256 code);

    fallback() external payable {
        revert FeeUnavailable(7);
    }
}

/// @dev A predeploy stand-in that answers the fee read with 64 bytes.
contract MalformedFeeMock {
    fallback(bytes calldata) external payable returns (bytes memory) {
        return abi.encode(uint256(1), uint256(2));
    }
}

/// @dev A predeploy stand-in charging 1 wei whose requests revert.
contract RequestRevertsMock {
    error QueueClosed(uint256 value);

    // solhint-disable-next-line no-complex-fallback
    fallback(bytes calldata input) external payable returns (bytes memory) {
        if (input.length == 0) return abi.encode(uint256(1));
        revert QueueClosed(msg.value);
    }
}

/// @dev A contract holding FORCE_EXIT_ROLE, as the timelock does: calls `forceExits` and takes the refund, or refuses
/// it.
contract ForceExitCaller {
    WithdrawalVault private immutable VAULT;
    bool private immutable REFUSES_ETHER;
    uint256 public refunds;

    error EtherRefused(uint256 amount);

    constructor(WithdrawalVault vault_, bool refusesEther) {
        VAULT = vault_;
        REFUSES_ETHER = refusesEther;
    }

    // solhint-disable-next-line no-complex-fallback
    receive() external payable {
        require(!REFUSES_ETHER, EtherRefused(msg.value));
        refunds += msg.value;
    }

    function forceExits(bytes calldata pubkeys, uint256 maxFeePerRequest) external payable {
        VAULT.forceExits{value: msg.value}(pubkeys, maxFeePerRequest);
    }
}

/// @dev Unit and fuzz tests of WithdrawalVault: the proxy PluralDeployer created, and spare proxies whose pool is a
/// recipient mock, to see exactly what a transfer delivers.
contract WithdrawalVaultTest is StakingPoolFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 private constant FORCE_EXIT_ROLE = keccak256("FORCE_EXIT_ROLE");
    address private constant PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;
    address private constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    uint256 private constant FEE_AT_EXCESS_100 = 357;

    address private stranger;
    WithdrawalVault private vaultImplementation;
    WithdrawalsRecipientMock private recipient;
    /// @dev A vault whose pool is `recipient`.
    WithdrawalVault private recipientVault;

    function setUp() public {
        _deployPool();
        stranger = makeAddr("stranger");
        vaultImplementation = WithdrawalVault(
            payable(address(uint160(uint256(vm.load(address(vault), ERC1967Utils.IMPLEMENTATION_SLOT)))))
        );
        recipient = new WithdrawalsRecipientMock();
        recipientVault = _newVault(admin, address(recipient));
        vm.label(address(recipientVault), "recipient vault");
    }

    // =================================================================================================================
    // initialize
    // =================================================================================================================

    function test_Initialize_SetsAdminAndPool() public view {
        assertTrue(vault.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin has DEFAULT_ADMIN_ROLE");
        assertEq(vault.getRoleAdmin(DEFAULT_ADMIN_ROLE), DEFAULT_ADMIN_ROLE, "admin of DEFAULT_ADMIN_ROLE");
        assertFalse(vault.hasRole(DEFAULT_ADMIN_ROLE, address(pool)), "the pool has no role");
        assertEq(vault.pool(), address(pool), "pool");
        assertEq(address(vault).balance, 0, "balance");
    }

    function test_Initialize_GrantsForceExitAndSetsTheFeeCap() public view {
        // The fixture's vault comes from PluralDeployer, which passes `settings.maxExitRequestFee` through.
        assertTrue(vault.hasRole(FORCE_EXIT_ROLE, admin), "admin has FORCE_EXIT_ROLE");
        assertEq(vault.getRoleAdmin(FORCE_EXIT_ROLE), DEFAULT_ADMIN_ROLE, "admin of FORCE_EXIT_ROLE");
        assertFalse(vault.hasRole(FORCE_EXIT_ROLE, address(pool)), "the pool cannot force exits");
        assertEq(vault.maxExitRequestFee(), MAX_EXIT_REQUEST_FEE, "max exit request fee");
    }

    function test_Initialize_EmitsRoleGrantedAndInitialized() public {
        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, admin, address(this));
        vm.expectEmit();
        emit IAccessControl.RoleGranted(FORCE_EXIT_ROLE, admin, address(this));
        vm.expectEmit();
        emit IWithdrawalVault.MaxExitRequestFeeSet(MAX_EXIT_REQUEST_FEE);
        vm.expectEmit();
        emit Initializable.Initialized(1);
        WithdrawalVault other = _newVault(admin, address(recipient));
        assertEq(other.pool(), address(recipient), "pool");
        assertFalse(other.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "deployer has no role");
        assertFalse(other.hasRole(FORCE_EXIT_ROLE, address(this)), "deployer cannot force exits");
    }

    function test_Initialize_AcceptsTheFeeLimitAndZero() public {
        assertEq(_newVault(admin, address(pool), 0.1 ether).maxExitRequestFee(), 0.1 ether, "the limit");
        assertEq(_newVault(admin, address(pool), 0).maxExitRequestFee(), 0, "zero");
    }

    function test_RevertWhen_InitializeMaxExitRequestFeeIsAboveTheLimit() public {
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.MaxExitRequestFeeAboveLimit.selector, 0.1 ether + 1, 0.1 ether)
        );
        _newVault(admin, address(pool), 0.1 ether + 1);
    }

    function test_RevertWhen_InitializeAdminIsZero() public {
        vm.expectRevert(IPoolVault.ZeroAddress.selector);
        _newVault(address(0), address(pool));
    }

    function test_RevertWhen_InitializePoolIsZero() public {
        vm.expectRevert(IPoolVault.ZeroAddress.selector);
        _newVault(admin, address(0));
    }

    function test_RevertWhen_InitializeIsCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vault.initialize(stranger, stranger, 0);
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vaultImplementation.initialize(stranger, stranger, 0);
    }

    // =================================================================================================================
    // withdrawalCredentials
    // =================================================================================================================

    function test_WithdrawalCredentials_AreType1WithTheVaultAddress() public view {
        bytes32 expected = bytes32(abi.encodePacked(bytes1(0x01), bytes11(0), address(vault)));
        assertEq(vault.withdrawalCredentials(), expected, "0x01 || 11 zero bytes || vault");
        assertEq(uint256(uint8(vault.withdrawalCredentials()[0])), 1, "type byte");
        assertEq(pool.withdrawalCredentials(), expected, "the pool's credentials");
    }

    function test_WithdrawalCredentials_AreThoseOfEachProxy() public view {
        bytes32 expected = bytes32(abi.encodePacked(bytes1(0x01), bytes11(0), address(recipientVault)));
        assertEq(recipientVault.withdrawalCredentials(), expected, "another proxy, its own address");
    }

    // =================================================================================================================
    // receive
    // =================================================================================================================

    function test_Receive_TakesEther() public {
        vm.deal(stranger, 5 ether);
        vm.prank(stranger);
        (bool success, ) = address(vault).call{value: 5 ether}("");
        assertTrue(success, "transfer");
        assertEq(address(vault).balance, 5 ether, "vault balance");
        assertEq(stranger.balance, 0, "sender balance");
    }

    function test_Receive_TakesEtherWithoutACall() public {
        // How beacon withdrawals arrive: a balance credit, no code run. A self-destruct is the closest in the EVM.
        vm.deal(address(this), 3 ether);
        forceEther(address(vault), 3 ether);
        assertEq(address(vault).balance, 3 ether, "vault balance");
    }

    function test_RevertWhen_CalledWithUnknownData() public {
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        (bool success, ) = address(vault).call{value: 1 ether}(hex"deadbeef");
        assertFalse(success, "no fallback");
        assertEq(address(vault).balance, 0, "vault balance");
    }

    // =================================================================================================================
    // withdrawToPool
    // =================================================================================================================

    function test_WithdrawToPool_SendsTheAmountAndEmits() public {
        vm.deal(address(recipientVault), 10 ether);

        vm.expectEmit(true, true, true, true, address(recipientVault));
        emit IPoolVault.TransferredToPool(4 ether);
        vm.prank(address(recipient));
        recipientVault.withdrawToPool(4 ether);

        assertEq(recipient.received(), 4 ether, "received through receiveVaultEther");
        assertEq(recipient.calls(), 1, "receiveVaultEther calls");
        assertEq(recipient.lastSender(), address(recipientVault), "sender");
        assertEq(address(recipient).balance, 4 ether, "recipient balance");
        assertEq(address(recipientVault).balance, 6 ether, "vault balance");
    }

    function test_WithdrawToPool_SendsTheWholeBalance() public {
        vm.deal(address(recipientVault), 10 ether);
        vm.prank(address(recipient));
        recipientVault.withdrawToPool(10 ether);
        assertEq(recipient.received(), 10 ether, "received");
        assertEq(address(recipientVault).balance, 0, "vault balance");
    }

    function test_WithdrawToPool_ZeroStillCallsThePool() public {
        vm.expectEmit(true, true, true, true, address(recipientVault));
        emit IPoolVault.TransferredToPool(0);
        vm.prank(address(recipient));
        recipientVault.withdrawToPool(0);
        assertEq(recipient.calls(), 1, "receiveVaultEther calls");
        assertEq(recipient.received(), 0, "received");
    }

    function testFuzz_WithdrawToPool_MovesExactlyTheAmount(uint256 balance, uint256 amount) public {
        balance = bound(balance, 0, 1e9 ether);
        amount = bound(amount, 0, balance);
        vm.deal(address(recipientVault), balance);
        vm.prank(address(recipient));
        recipientVault.withdrawToPool(amount);
        assertEq(recipient.received(), amount, "received");
        assertEq(address(recipientVault).balance, balance - amount, "vault balance");
    }

    function test_RevertWhen_WithdrawToPoolCallerIsNotThePool() public {
        vm.deal(address(recipientVault), 1 ether);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPoolVault.CallerNotPool.selector, stranger));
        recipientVault.withdrawToPool(1 ether);
    }

    function test_RevertWhen_WithdrawToPoolCallerIsTheAdmin() public {
        vm.deal(address(vault), 1 ether);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IPoolVault.CallerNotPool.selector, admin));
        vault.withdrawToPool(1 ether);
        assertEq(address(vault).balance, 1 ether, "vault balance");
    }

    function testFuzz_RevertWhen_WithdrawToPoolCallerIsNotThePool(address caller) public {
        vm.assume(caller != address(pool));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IPoolVault.CallerNotPool.selector, caller));
        vault.withdrawToPool(0);
    }

    function test_RevertWhen_WithdrawToPoolExceedsTheBalance() public {
        vm.deal(address(recipientVault), 1 ether);
        vm.prank(address(recipient));
        vm.expectRevert(abi.encodeWithSelector(IPoolVault.InsufficientBalance.selector, 1 ether + 1, 1 ether));
        recipientVault.withdrawToPool(1 ether + 1);
    }

    function testFuzz_RevertWhen_WithdrawToPoolExceedsTheBalance(uint256 balance, uint256 amount) public {
        balance = bound(balance, 0, 1e9 ether);
        amount = bound(amount, balance + 1, type(uint256).max);
        vm.deal(address(recipientVault), balance);
        vm.prank(address(recipient));
        vm.expectRevert(abi.encodeWithSelector(IPoolVault.InsufficientBalance.selector, amount, balance));
        recipientVault.withdrawToPool(amount);
    }

    function test_RevertWhen_ThePoolRefusesTheEther() public {
        RejectingRecipientMock rejecting = new RejectingRecipientMock();
        WithdrawalVault rejectingVault = _newVault(admin, address(rejecting));
        vm.deal(address(rejectingVault), 1 ether);
        vm.prank(address(rejecting));
        vm.expectRevert(abi.encodeWithSelector(RejectingRecipientMock.Refused.selector, 1 ether));
        rejectingVault.withdrawToPool(1 ether);
        assertEq(address(rejectingVault).balance, 1 ether, "vault balance");
    }

    // =================================================================================================================
    // forceExits
    // =================================================================================================================

    function test_Constants_AreThoseOfEip7002AndTheRole() public view {
        assertEq(vault.WITHDRAWAL_REQUEST_PREDEPLOY(), PREDEPLOY, "predeploy");
        assertEq(vault.FORCE_EXIT_ROLE(), FORCE_EXIT_ROLE, "role");
        assertEq(vault.MAX_EXIT_REQUEST_FEE_LIMIT(), 0.1 ether, "hard limit");
    }

    function test_ForceExits_QueuesAFullExitPerPubkeyWithTheVaultAsSource() public {
        _installPredeploy();
        bytes memory pubkeys = _pubkeys(3);

        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(true, true, true, true, address(vault));
            emit IWithdrawalVault.ExitRequested(_pubkey(i), 1);
        }
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(3, 3, 0, 0);
        vm.deal(admin, 3);
        vm.prank(admin);
        vault.forceExits{value: 3}(pubkeys, 1);

        assertEq(_predeploySlot(1), 3, "predeploy count");
        assertEq(_predeploySlot(3), 3, "predeploy tail");
        assertEq(PREDEPLOY.balance, 3, "fees paid");
        vm.prank(SYSTEM_ADDRESS);
        (, bytes memory records) = PREDEPLOY.call("");
        assertEq(
            records,
            abi.encodePacked(
                abi.encodePacked(address(vault), _pubkey(0), bytes8(0)),
                abi.encodePacked(address(vault), _pubkey(1), bytes8(0)),
                abi.encodePacked(address(vault), _pubkey(2), bytes8(0))
            ),
            "full exits (amount 0) from the vault, in order"
        );
    }

    function test_ForceExits_PaysTheFeeOfTheBlockForEveryRequestOfABatch() public {
        _installPredeploy();
        _setExcess(100);
        uint256 count = 20;
        vm.deal(admin, count * FEE_AT_EXCESS_100);
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(count, count * FEE_AT_EXCESS_100, 0, 0);
        vm.prank(admin);
        vault.forceExits{value: count * FEE_AT_EXCESS_100}(_pubkeys(count), FEE_AT_EXCESS_100);
        // Twenty requests raised the count, not the fee: it moves only at the end of the block.
        assertEq(_predeploySlot(1), count, "predeploy count");
        assertEq(PREDEPLOY.balance, count * FEE_AT_EXCESS_100, "every request paid 357 wei");
    }

    function test_ForceExits_ReadsTheFeeBeforeEachRequest() public {
        _installMock(address(new RisingFeePredeployMock(10, 5)));
        for (uint256 i; i < 3; ++i) {
            vm.expectEmit(true, true, true, true, address(vault));
            emit IWithdrawalVault.ExitRequested(_pubkey(i), 10 + 5 * i);
        }
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(3, 45, 0, 0);
        vm.deal(admin, 45);
        vm.prank(admin);
        vault.forceExits{value: 45}(_pubkeys(3), 20);
        assertEq(_predeploySlot(0), 3, "requests");
        assertEq(PREDEPLOY.balance, 45, "each request paid exactly its fee");
    }

    function test_RevertWhen_ForceExitsFeeRisesAboveTheCapMidBatch() public {
        _installMock(address(new RisingFeePredeployMock(10, 5)));
        vm.deal(admin, 1 ether);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeTooHigh.selector, 20, 15));
        vault.forceExits{value: 1 ether}(_pubkeys(3), 15);
        assertEq(PREDEPLOY.balance, 0, "nothing paid");
        assertEq(admin.balance, 1 ether, "nothing spent");
    }

    function test_RevertWhen_ForceExitsFeeIsAboveTheCallersMaximum() public {
        _installPredeploy();
        _setExcess(100);
        vm.deal(admin, 1 ether);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeTooHigh.selector, FEE_AT_EXCESS_100, 356)
        );
        vault.forceExits{value: 1 ether}(_pubkeys(1), 356);
    }

    function test_RevertWhen_ForceExitsFeeIsAboveTheVaultsMaximum() public {
        _installPredeploy();
        _setExcess(100);
        vm.prank(admin);
        vault.setMaxExitRequestFee(356);
        vm.deal(admin, 1 ether);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeTooHigh.selector, FEE_AT_EXCESS_100, 356)
        );
        vault.forceExits{value: 1 ether}(_pubkeys(1), type(uint256).max);
    }

    function test_RevertWhen_ForceExitsWhileTheVaultCapIsZero() public {
        _installPredeploy();
        vm.prank(admin);
        vault.setMaxExitRequestFee(0);
        vm.deal(admin, 1);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeTooHigh.selector, 1, 0));
        vault.forceExits{value: 1}(_pubkeys(1), 1);
    }

    function testFuzz_ForceExits_CapIsTheLowerOfBothMaximums(
        uint256 excess,
        uint256 callerMax,
        uint256 vaultMax
    ) public {
        _installPredeploy();
        excess = bound(excess, 0, 700);
        callerMax = bound(callerMax, 0, 1 ether);
        vaultMax = bound(vaultMax, 0, 0.1 ether);
        _setExcess(excess);
        vm.prank(admin);
        vault.setMaxExitRequestFee(vaultMax);
        uint256 fee = _fee();
        uint256 cap = callerMax < vaultMax ? callerMax : vaultMax;
        vm.deal(admin, fee);
        vm.prank(admin);
        if (fee > cap) {
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeTooHigh.selector, fee, cap));
        }
        vault.forceExits{value: fee}(_pubkeys(1), callerMax);
        assertEq(PREDEPLOY.balance, fee > cap ? 0 : fee, "fee paid only within the cap");
    }

    function test_ForceExits_RefundsUnusedValueToTheCaller() public {
        _installPredeploy();
        vm.deal(address(vault), 5 ether);
        vm.deal(admin, 1 ether);
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(2, 2, 0, 1 ether - 2);
        vm.prank(admin);
        vault.forceExits{value: 1 ether}(_pubkeys(2), 1);
        assertEq(admin.balance, 1 ether - 2, "caller refunded");
        assertEq(address(vault).balance, 5 ether, "the vault's ether untouched");
        assertEq(PREDEPLOY.balance, 2, "fees");
    }

    function test_ForceExits_RefundsAContractCaller() public {
        _installPredeploy();
        ForceExitCaller caller = new ForceExitCaller(vault, false);
        vm.prank(admin);
        vault.grantRole(FORCE_EXIT_ROLE, address(caller));
        vm.deal(address(this), 1 ether);
        caller.forceExits{value: 1 ether}(_pubkeys(3), 1);
        assertEq(caller.refunds(), 1 ether - 3, "refund received through receive()");
        assertEq(address(caller).balance, 1 ether - 3, "caller balance");
        assertEq(address(vault).balance, 0, "the vault keeps nothing");
    }

    function test_RevertWhen_ForceExitsRefundIsRefused() public {
        _installPredeploy();
        ForceExitCaller caller = new ForceExitCaller(vault, true);
        vm.prank(admin);
        vault.grantRole(FORCE_EXIT_ROLE, address(caller));
        vm.deal(address(this), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.RefundFailed.selector, address(caller), 1 ether - 1));
        caller.forceExits{value: 1 ether}(_pubkeys(1), 1);
    }

    function test_ForceExits_PaysTheFeesFromTheVaultWithoutValue() public {
        _installPredeploy();
        _setExcess(100);
        vm.deal(address(vault), 1 ether);
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(2, 2 * FEE_AT_EXCESS_100, 2 * FEE_AT_EXCESS_100, 0);
        vm.prank(admin);
        vault.forceExits(_pubkeys(2), FEE_AT_EXCESS_100);
        assertEq(address(vault).balance, 1 ether - 2 * FEE_AT_EXCESS_100, "the protocol's ether paid");
        assertEq(PREDEPLOY.balance, 2 * FEE_AT_EXCESS_100, "fees");
    }

    function test_ForceExits_PaysFromTheValueFirstThenTheVault() public {
        _installPredeploy();
        _setExcess(100);
        vm.deal(address(vault), 1 ether);
        vm.deal(admin, 500);
        vm.expectEmit(true, true, true, true, address(vault));
        emit IWithdrawalVault.ExitsForced(2, 714, 214, 0);
        vm.prank(admin);
        vault.forceExits{value: 500}(_pubkeys(2), FEE_AT_EXCESS_100);
        assertEq(address(vault).balance, 1 ether - 214, "the shortfall from the vault");
        assertEq(admin.balance, 0, "no refund");
    }

    function test_RevertWhen_ForceExitsFundsAreInsufficient() public {
        _installPredeploy();
        _setExcess(100);
        vm.deal(admin, 1 ether);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.InsufficientExitFeeFunds.selector, FEE_AT_EXCESS_100, 356)
        );
        vault.forceExits{value: 356}(_pubkeys(1), FEE_AT_EXCESS_100);
    }

    function test_RevertWhen_ForceExitsFundsRunOutMidBatch() public {
        _installPredeploy();
        _setExcess(100);
        vm.deal(address(vault), 100);
        vm.deal(admin, 1 ether);
        vm.prank(admin);
        // 500 wei of value and 100 in the vault: the first request leaves 243, short of the second's 357.
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.InsufficientExitFeeFunds.selector, FEE_AT_EXCESS_100, 243)
        );
        vault.forceExits{value: 500}(_pubkeys(2), FEE_AT_EXCESS_100);
        assertEq(address(vault).balance, 100, "vault balance");
    }

    function test_RevertWhen_ForceExitsPubkeysAreEmpty() public {
        _installPredeploy();
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.InvalidPubkeysLength.selector, 0));
        vault.forceExits("", 1);
    }

    function test_RevertWhen_ForceExitsPubkeysAreRagged() public {
        _installPredeploy();
        uint256[4] memory lengths = [uint256(1), 47, 49, 95];
        for (uint256 i; i < lengths.length; ++i) {
            vm.prank(admin);
            vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.InvalidPubkeysLength.selector, lengths[i]));
            vault.forceExits(new bytes(lengths[i]), 1);
        }
    }

    function testFuzz_RevertWhen_ForceExitsPubkeysAreRagged(uint256 length) public {
        _installPredeploy();
        length = bound(length, 1, 1_000);
        vm.assume(length % 48 != 0);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.InvalidPubkeysLength.selector, length));
        vault.forceExits(new bytes(length), 1);
    }

    function test_RevertWhen_ForceExitsBeforeThePredeploysFirstSystemCall() public {
        vm.etch(PREDEPLOY, address(new WithdrawalRequestPredeploy()).code);
        vm.store(PREDEPLOY, 0, bytes32(type(uint256).max));
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeReadFailed.selector, ""));
        vault.forceExits(_pubkeys(1), 1);
    }

    function test_RevertWhen_ForceExitsFeeReadReverts() public {
        _installMock(address(new FeeReadRevertsMock()));
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IWithdrawalVault.ExitRequestFeeReadFailed.selector,
                abi.encodeWithSelector(FeeReadRevertsMock.FeeUnavailable.selector, 7)
            )
        );
        vault.forceExits(_pubkeys(1), 1);
    }

    function test_RevertWhen_ForceExitsFeeIsMalformed() public {
        _installMock(address(new MalformedFeeMock()));
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IWithdrawalVault.ExitRequestFeeMalformed.selector,
                abi.encode(uint256(1), uint256(2))
            )
        );
        vault.forceExits(_pubkeys(1), 1);
    }

    function test_RevertWhen_ForceExitsFindsNoPredeploy() public {
        // A static call to an address without code succeeds with no data.
        vm.etch(PREDEPLOY, "");
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalVault.ExitRequestFeeMalformed.selector, ""));
        vault.forceExits(_pubkeys(1), 1);
    }

    function test_RevertWhen_ForceExitsRequestReverts() public {
        _installMock(address(new RequestRevertsMock()));
        vm.deal(admin, 1);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IWithdrawalVault.ExitRequestFailed.selector,
                _pubkey(0),
                1,
                abi.encodeWithSelector(RequestRevertsMock.QueueClosed.selector, 1)
            )
        );
        vault.forceExits{value: 1}(_pubkeys(1), 1);
    }

    function test_RevertWhen_ForceExitsCallerLacksTheRole() public {
        _installPredeploy();
        address[3] memory callers = [stranger, address(pool), address(recipient)];
        for (uint256 i; i < callers.length; ++i) {
            vm.deal(callers[i], 1);
            vm.prank(callers[i]);
            vm.expectRevert(
                abi.encodeWithSelector(
                    IAccessControl.AccessControlUnauthorizedAccount.selector,
                    callers[i],
                    FORCE_EXIT_ROLE
                )
            );
            vault.forceExits{value: 1}(_pubkeys(1), 1);
        }
    }

    function test_ForceExits_FollowsTheRoleWhenGrantedAndRevoked() public {
        _installPredeploy();
        vm.prank(admin);
        vault.grantRole(FORCE_EXIT_ROLE, stranger);
        vm.deal(stranger, 2);
        vm.prank(stranger);
        vault.forceExits{value: 1}(_pubkeys(1), 1);
        assertEq(_predeploySlot(3), 1, "requested while granted");

        vm.prank(admin);
        vault.revokeRole(FORCE_EXIT_ROLE, stranger);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, FORCE_EXIT_ROLE)
        );
        vault.forceExits{value: 1}(_pubkeys(1), 1);
    }

    // =================================================================================================================
    // setMaxExitRequestFee
    // =================================================================================================================

    function test_SetMaxExitRequestFee_SetsAndEmits() public {
        uint256[3] memory values = [uint256(0.05 ether), 0.1 ether, 0];
        for (uint256 i; i < values.length; ++i) {
            vm.expectEmit(true, true, true, true, address(vault));
            emit IWithdrawalVault.MaxExitRequestFeeSet(values[i]);
            vm.prank(admin);
            vault.setMaxExitRequestFee(values[i]);
            assertEq(vault.maxExitRequestFee(), values[i], "max exit request fee");
        }
    }

    function testFuzz_RevertWhen_SetMaxExitRequestFeeIsAboveTheLimit(uint256 value) public {
        value = bound(value, 0.1 ether + 1, type(uint256).max);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalVault.MaxExitRequestFeeAboveLimit.selector, value, 0.1 ether)
        );
        vault.setMaxExitRequestFee(value);
        assertEq(vault.maxExitRequestFee(), MAX_EXIT_REQUEST_FEE, "unchanged");
    }

    function test_RevertWhen_SetMaxExitRequestFeeCallerIsNotAdmin() public {
        // FORCE_EXIT_ROLE alone does not set the cap.
        vm.prank(admin);
        vault.grantRole(FORCE_EXIT_ROLE, stranger);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        vault.setMaxExitRequestFee(1);
    }

    // =================================================================================================================
    // upgradeToAndCall and roles
    // =================================================================================================================

    function test_UpgradeToAndCall_KeepsPoolAndCredentials() public {
        vm.deal(address(vault), 2 ether);
        bytes32 credentials = vault.withdrawalCredentials();
        WithdrawalVault newImplementation = new WithdrawalVault();

        vm.expectEmit(true, true, true, true, address(vault));
        emit IERC1967.Upgraded(address(newImplementation));
        vm.prank(admin);
        vault.upgradeToAndCall(address(newImplementation), "");

        assertEq(
            vm.load(address(vault), ERC1967Utils.IMPLEMENTATION_SLOT),
            bytes32(uint256(uint160(address(newImplementation)))),
            "implementation slot"
        );
        assertEq(vault.pool(), address(pool), "pool");
        assertEq(vault.withdrawalCredentials(), credentials, "withdrawal credentials");
        assertEq(address(vault).balance, 2 ether, "balance");
        assertTrue(vault.hasRole(DEFAULT_ADMIN_ROLE, admin), "admin keeps DEFAULT_ADMIN_ROLE");
        assertTrue(vault.hasRole(FORCE_EXIT_ROLE, admin), "admin keeps FORCE_EXIT_ROLE");
        assertEq(vault.maxExitRequestFee(), MAX_EXIT_REQUEST_FEE, "max exit request fee");
    }

    function test_RevertWhen_UpgradeCallerIsNotAdmin() public {
        WithdrawalVault newImplementation = new WithdrawalVault();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        vault.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeCallerIsThePool() public {
        WithdrawalVault newImplementation = new WithdrawalVault();
        vm.prank(address(pool));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                address(pool),
                DEFAULT_ADMIN_ROLE
            )
        );
        vault.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeIsCalledOnTheImplementation() public {
        WithdrawalVault newImplementation = new WithdrawalVault();
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        vaultImplementation.upgradeToAndCall(address(newImplementation), "");
    }

    function test_RevertWhen_UpgradeTargetIsNotUups() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, address(pool)));
        vault.upgradeToAndCall(address(pool), "");
    }

    function test_RevertWhen_GrantRoleCallerIsNotAdmin() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                DEFAULT_ADMIN_ROLE
            )
        );
        vault.grantRole(DEFAULT_ADMIN_ROLE, stranger);
    }

    function test_SupportsInterface_AccessControlAndErc165() public view {
        assertTrue(vault.supportsInterface(type(IAccessControl).interfaceId), "IAccessControl");
        assertTrue(vault.supportsInterface(type(IERC165).interfaceId), "IERC165");
        assertFalse(vault.supportsInterface(0xffffffff), "0xffffffff");
    }

    // =================================================================================================================
    // helpers
    // =================================================================================================================

    /// @dev Our EIP-7002 predeploy at its address, past its first system call (fee 1 wei).
    function _installPredeploy() private {
        vm.etch(PREDEPLOY, address(new WithdrawalRequestPredeploy()).code);
        vm.store(PREDEPLOY, 0, 0);
    }

    /// @dev `mock`'s code at the predeploy's address, over clean storage.
    function _installMock(address mock) private {
        vm.etch(PREDEPLOY, mock.code);
        for (uint256 slot; slot < 4; ++slot) vm.store(PREDEPLOY, bytes32(slot), 0);
    }

    function _setExcess(uint256 excess) private {
        vm.store(PREDEPLOY, 0, bytes32(excess));
    }

    function _predeploySlot(uint256 slot) private view returns (uint256) {
        return uint256(vm.load(PREDEPLOY, bytes32(slot)));
    }

    function _fee() private view returns (uint256) {
        (bool success, bytes memory data) = PREDEPLOY.staticcall("");
        assertTrue(success && data.length == 32, "fee read");
        return abi.decode(data, (uint256));
    }

    function _pubkey(uint256 seed) private pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode("pubkey", seed)), bytes16(keccak256(abi.encode("tail", seed))));
    }

    /// @dev `count` distinct pubkeys, concatenated.
    function _pubkeys(uint256 count) private pure returns (bytes memory pubkeys) {
        for (uint256 i; i < count; ++i) pubkeys = abi.encodePacked(pubkeys, _pubkey(i));
    }

    function _newVault(address admin_, address pool_) private returns (WithdrawalVault) {
        return _newVault(admin_, pool_, MAX_EXIT_REQUEST_FEE);
    }

    function _newVault(address admin_, address pool_, uint256 maxExitRequestFee) private returns (WithdrawalVault) {
        return
            WithdrawalVault(
                payable(
                    address(
                        new ERC1967Proxy(
                            address(vaultImplementation),
                            abi.encodeCall(WithdrawalVault.initialize, (admin_, pool_, maxExitRequestFee))
                        )
                    )
                )
            );
    }
}
