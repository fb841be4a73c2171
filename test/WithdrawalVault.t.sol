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

/// @dev Unit and fuzz tests of WithdrawalVault: the proxy PluralDeployer created, and spare proxies whose pool is a
/// recipient mock, to see exactly what a transfer delivers.
contract WithdrawalVaultTest is StakingPoolFixture {
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

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

    function test_Initialize_EmitsRoleGrantedAndInitialized() public {
        vm.expectEmit();
        emit IAccessControl.RoleGranted(DEFAULT_ADMIN_ROLE, admin, address(this));
        vm.expectEmit();
        emit Initializable.Initialized(1);
        WithdrawalVault other = _newVault(admin, address(recipient));
        assertEq(other.pool(), address(recipient), "pool");
        assertFalse(other.hasRole(DEFAULT_ADMIN_ROLE, address(this)), "deployer has no role");
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
        vault.initialize(stranger, stranger);
    }

    function test_RevertWhen_ImplementationIsInitialized() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vaultImplementation.initialize(stranger, stranger);
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

    function _newVault(address admin_, address pool_) private returns (WithdrawalVault) {
        return
            WithdrawalVault(
                payable(
                    address(
                        new ERC1967Proxy(
                            address(vaultImplementation),
                            abi.encodeCall(WithdrawalVault.initialize, (admin_, pool_))
                        )
                    )
                )
            );
    }
}
