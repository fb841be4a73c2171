// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Tests revert with labelled string messages: readable failures matter more here than gas.
// solhint-disable gas-custom-errors, reason-string, gas-small-strings, func-name-mixedcase
import {BeaconDepositMock} from "../contracts/mocks/BeaconDepositMock.sol";
import {IDepositContract} from "../contracts/interfaces/IDepositContract.sol";
import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";

contract BeaconDepositMockTest is Test {
    bytes32 private constant EMPTY_DEPOSIT_ROOT = 0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e;
    bytes32 private constant DEPOSIT_EVENT_TOPIC = keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)");
    // The official contract's `deposit_count` slot: after the 32 branch nodes.
    bytes32 private constant DEPOSIT_COUNT_SLOT = bytes32(uint256(32));
    uint256 private constant TREE_DEPTH = 32;
    uint256 private constant MAX_DEPOSIT_COUNT = 2 ** 32 - 1;
    uint256 private constant MAX_GWEI = type(uint64).max;

    BeaconDepositMock private depositContract;

    struct DepositData {
        bytes pubkey;
        bytes withdrawalCredentials;
        bytes signature;
        uint64 amountGwei;
        bytes32 root;
    }

    function setUp() public {
        depositContract = new BeaconDepositMock();
        // Enough for any amount up to 2**66 gwei.
        vm.deal(address(this), type(uint128).max);
    }

    // ---------------------------------------------------------------- views

    function test_GetDepositRoot_IsTheEmptyListRootInitially() public view {
        assertEq(depositContract.get_deposit_root(), EMPTY_DEPOSIT_ROOT, "empty root");
        assertEq(depositContract.get_deposit_root(), _referenceDepositRoot(new bytes32[](0)), "reference empty root");
    }

    function test_GetDepositCount_IsEightZeroBytesInitially() public view {
        assertEq(depositContract.get_deposit_count(), hex"0000000000000000", "count");
    }

    function test_SupportsInterface_ERC165AndIDepositContract() public view {
        bytes4 depositContractId =
            IDepositContract.deposit.selector ^
                IDepositContract.get_deposit_root.selector ^
                IDepositContract.get_deposit_count.selector;

        require(depositContractId == 0x85640907, "IDepositContract id is the official one");
        require(depositContract.supportsInterface(0x01ffc9a7), "supports ERC-165");
        require(depositContract.supportsInterface(depositContractId), "supports IDepositContract");
        require(!depositContract.supportsInterface(0xffffffff), "rejects 0xffffffff");
    }

    function testFuzz_SupportsInterface_FalseForAnyOtherId(bytes4 interfaceId) public view {
        bool known = interfaceId == 0x01ffc9a7 || interfaceId == 0x85640907;
        require(depositContract.supportsInterface(interfaceId) == known, "supportsInterface");
    }

    // ---------------------------------------------------------------- deposit: accepted

    function test_Deposit_MatchesEip4881Vectors() public {
        // The first two deposits of EIP-4881's test_cases.yaml: roots computed outside this code base.
        DepositData memory first = DepositData({
            pubkey: hex"a99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c",
            withdrawalCredentials: abi.encodePacked(bytes32(0)),
            signature: hex"97af5a5e14a033c35ec6489c585df8975026af431b2c5e9e3e6fd66089575bdffaf41c0a196d9b2ef822226c49d16214146f8a79b6ffa400109cd6c63c73afc7649d25533a3619547bc333b0cb3f303432fcd4951333b656d64d7b46a7ba764f",
            amountGwei: 32 gwei,
            root: 0x7af7da533b0dc64b690cb0604f5a81e40ed83796dd14037ea3a55383b8f0976a
        });
        DepositData memory second = DepositData({
            pubkey: hex"b89bebc699769726a318c8e9971bd3171297c61aea4a6578a7a4f94b547dcba5bac16a89108b6b6a1fe3695d1a874a0b",
            withdrawalCredentials: abi.encodePacked(bytes32(0)),
            signature: hex"b24d74bd23b52c41567305b6aecdc73dd53aea59fa997c0d6205531ce70cc32282dbf9963dde89297522fdc2c541eb0909472145805953a2298aa56160784c23b3905ed0ec17c4775b61cecb922a0d0e5241521387fc38184afe735c2ce399ad",
            amountGwei: 32 gwei,
            root: 0xb7dfec33825ba4dd8f6f8c2498c7202f07cbcf995a6de4b0abc71f1b1c46b2b2
        });

        _deposit(first);
        assertEq(
            depositContract.get_deposit_root(),
            0x253f73460b66ba0b490a8f17029566b03c0690a584e262acc2be97c969bc65a6,
            "root after 1"
        );
        _deposit(second);
        assertEq(
            depositContract.get_deposit_root(),
            0x072080f22bf66504d6aa2b978c581e34637912ac191442af4f090dc5773d8936,
            "root after 2"
        );
    }

    function test_Deposit_EmitsLittleEndianAmountAndIndex() public {
        _deposit(_makeDeposit(1, 0, 32 gwei));
        DepositData memory data = _makeDeposit(1, 1, 0x0102030405060708);

        vm.recordLogs();
        _deposit(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        require(logs.length == 1, "one log");
        require(logs[0].emitter == address(depositContract), "emitter");
        require(logs[0].topics.length == 1 && logs[0].topics[0] == DEPOSIT_EVENT_TOPIC, "topics");
        (
            bytes memory pubkey,
            bytes memory credentials,
            bytes memory amount,
            bytes memory signature,
            bytes memory index
        ) = abi.decode(logs[0].data, (bytes, bytes, bytes, bytes, bytes));
        assertEq(pubkey, data.pubkey, "pubkey");
        assertEq(credentials, data.withdrawalCredentials, "withdrawal_credentials");
        assertEq(amount, hex"0807060504030201", "amount");
        assertEq(signature, data.signature, "signature");
        assertEq(index, hex"0100000000000000", "index");
        assertEq(depositContract.get_deposit_count(), hex"0200000000000000", "count");
    }

    function testFuzz_Deposit_EmitsAnyWholeGweiAmount(uint64 amountGwei) public {
        amountGwei = uint64(bound(amountGwei, 1 gwei, MAX_GWEI));
        DepositData memory data = _makeDeposit(amountGwei, 0, amountGwei);

        vm.recordLogs();
        _deposit(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        (, , bytes memory amount, , ) = abi.decode(logs[0].data, (bytes, bytes, bytes, bytes, bytes));
        assertEq(amount, _referenceLittleEndian64(amountGwei), "amount");
        assertEq(depositContract.get_deposit_root(), _referenceDepositRoot(_single(data.root)), "root");
    }

    function testFuzz_Deposit_RootMatchesReferenceTree(uint256 seed, uint256 count) public {
        count = bound(count, 1, 70);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            DepositData memory data = _makeDeposit(seed, i, _randomAmount(seed, i));
            _deposit(data);
            leaves[i] = data.root;
        }

        assertEq(depositContract.get_deposit_root(), _referenceDepositRoot(leaves), "root");
        assertEq(depositContract.get_deposit_count(), _referenceLittleEndian64(uint64(count)), "count");
    }

    function test_Deposit_StorageMatchesOfficialLayout() public {
        for (uint256 i; i < 3; ++i) _deposit(_makeDeposit(7, i, 32 gwei));

        assertEq(vm.load(address(depositContract), DEPOSIT_COUNT_SLOT), bytes32(uint256(3)), "deposit_count slot");
        // With 3 deposits, branch[0] is the third leaf and branch[1] the root of the first two.
        bytes32 third = _makeDeposit(7, 2, 32 gwei).root;
        bytes32 firstTwo = sha256(abi.encodePacked(_makeDeposit(7, 0, 32 gwei).root, _makeDeposit(7, 1, 32 gwei).root));
        assertEq(vm.load(address(depositContract), bytes32(uint256(0))), third, "branch[0] slot");
        assertEq(vm.load(address(depositContract), bytes32(uint256(1))), firstTwo, "branch[1] slot");
        bytes32 zeroHash;
        for (uint256 height; height < TREE_DEPTH; ++height) {
            bytes32 slot = bytes32(uint256(DEPOSIT_COUNT_SLOT) + 1 + height);
            assertEq(vm.load(address(depositContract), slot), zeroHash, "zero_hashes slot");
            zeroHash = sha256(abi.encodePacked(zeroHash, zeroHash));
        }
    }

    function test_Deposit_AcceptsTheLastDepositTheTreeHasRoomFor() public {
        vm.store(address(depositContract), DEPOSIT_COUNT_SLOT, bytes32(MAX_DEPOSIT_COUNT - 1));

        vm.recordLogs();
        _deposit(_makeDeposit(3, 0, 32 gwei));
        Vm.Log[] memory logs = vm.getRecordedLogs();

        (, , , , bytes memory index) = abi.decode(logs[0].data, (bytes, bytes, bytes, bytes, bytes));
        assertEq(index, hex"feffffff00000000", "index");
        assertEq(depositContract.get_deposit_count(), hex"ffffffff00000000", "count");
    }

    // ---------------------------------------------------------------- deposit: rejected

    function testFuzz_Deposit_RevertsOnBadPubkeyLength(uint256 length) public {
        length = _boundExcept(length, 0, 200, 48);
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        data.pubkey = new bytes(length);

        _expectRevert("DepositContract: invalid node public key length");
        _deposit(data);
    }

    function testFuzz_Deposit_RevertsOnBadWithdrawalCredentialsLength(uint256 length) public {
        length = _boundExcept(length, 0, 200, 32);
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        data.withdrawalCredentials = new bytes(length);

        _expectRevert("DepositContract: invalid withdrawal_credentials length");
        _deposit(data);
    }

    function testFuzz_Deposit_RevertsOnBadSignatureLength(uint256 length) public {
        length = _boundExcept(length, 0, 300, 96);
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        data.signature = new bytes(length);

        _expectRevert("DepositContract: invalid signature length");
        _deposit(data);
    }

    function testFuzz_Deposit_RevertsBelowOneEther(uint256 value) public {
        value = bound(value, 0, 1 ether - 1);
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);

        _expectRevert("DepositContract: deposit value too low");
        _depositValue(data, value);
    }

    function testFuzz_Deposit_RevertsOnFractionalGwei(uint256 value) public {
        value = bound(value, 1 ether, (MAX_GWEI + 1) * 1 gwei);
        if (value % 1 gwei == 0) value += 1;
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);

        _expectRevert("DepositContract: deposit value not multiple of gwei");
        _depositValue(data, value);
    }

    function testFuzz_Deposit_RevertsAboveMaxGwei(uint256 amountGwei) public {
        amountGwei = bound(amountGwei, MAX_GWEI + 1, 4 * MAX_GWEI);
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);

        _expectRevert("DepositContract: deposit value too high");
        _depositValue(data, amountGwei * 1 gwei);
    }

    function testFuzz_Deposit_RevertsOnWrongRoot(bytes32 wrongRoot) public {
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        if (wrongRoot == data.root) wrongRoot = ~wrongRoot;
        data.root = wrongRoot;

        _expectRevert("DepositContract: reconstructed DepositData does not match supplied deposit_data_root");
        _deposit(data);
    }

    function testFuzz_Deposit_RevertsWhenTheRootIsForAnotherAmount(uint64 amountGwei) public {
        amountGwei = uint64(bound(amountGwei, 1 gwei, MAX_GWEI - 1));
        DepositData memory data = _makeDeposit(1, 0, amountGwei);

        _expectRevert("DepositContract: reconstructed DepositData does not match supplied deposit_data_root");
        _depositValue(data, (uint256(amountGwei) + 1) * 1 gwei);
    }

    function test_Deposit_RevertsWhenTheTreeIsFull() public {
        vm.store(address(depositContract), DEPOSIT_COUNT_SLOT, bytes32(MAX_DEPOSIT_COUNT));
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);

        _expectRevert("DepositContract: merkle tree full");
        _deposit(data);
    }

    function test_Deposit_ChecksTheRootBeforeTheTreeIsFull() public {
        vm.store(address(depositContract), DEPOSIT_COUNT_SLOT, bytes32(MAX_DEPOSIT_COUNT));
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        data.root = bytes32(0);

        _expectRevert("DepositContract: reconstructed DepositData does not match supplied deposit_data_root");
        _deposit(data);
    }

    function test_Deposit_ChecksLengthsBeforeTheValue() public {
        DepositData memory data = _makeDeposit(1, 0, 32 gwei);
        data.pubkey = "";
        data.withdrawalCredentials = "";
        data.signature = "";

        _expectRevert("DepositContract: invalid node public key length");
        _depositValue(data, 1);
    }

    function test_Deposit_LeavesStateUnchangedWhenItReverts() public {
        for (uint256 i; i < 5; ++i) _deposit(_makeDeposit(9, i, 32 gwei));
        bytes32 rootBefore = depositContract.get_deposit_root();
        DepositData memory data = _makeDeposit(9, 5, 32 gwei);
        data.root = bytes32(0);

        (bool ok, ) = address(depositContract).call{value: 32 ether}(
            abi.encodeCall(
                IDepositContract.deposit,
                (data.pubkey, data.withdrawalCredentials, data.signature, data.root)
            )
        );

        require(!ok, "deposit reverted");
        assertEq(depositContract.get_deposit_root(), rootBefore, "root");
        assertEq(depositContract.get_deposit_count(), hex"0500000000000000", "count");
    }

    // ---------------------------------------------------------------- helpers

    function _deposit(DepositData memory data) private {
        _depositValue(data, uint256(data.amountGwei) * 1 gwei);
    }

    function _depositValue(DepositData memory data, uint256 value) private {
        depositContract.deposit{value: value}(data.pubkey, data.withdrawalCredentials, data.signature, data.root);
    }

    /// @dev Call it right before the deposit: the cheatcode applies to the next call, sha256 precompile calls included.
    function _expectRevert(string memory reason) private {
        vm.expectRevert(abi.encodeWithSignature("Error(string)", reason));
    }

    /// @dev A pseudo-random deposit, the `i`th of `seed`, with its root from the reference implementation.
    function _makeDeposit(uint256 seed, uint256 i, uint64 amountGwei) private pure returns (DepositData memory data) {
        bytes32 p0 = keccak256(abi.encode(seed, i, "pubkey", 0));
        bytes16 p1 = bytes16(keccak256(abi.encode(seed, i, "pubkey", 1)));
        bytes32 credentials = keccak256(abi.encode(seed, i, "credentials"));
        bytes32 s0 = keccak256(abi.encode(seed, i, "signature", 0));
        bytes32 s1 = keccak256(abi.encode(seed, i, "signature", 1));
        bytes32 s2 = keccak256(abi.encode(seed, i, "signature", 2));

        data.pubkey = abi.encodePacked(p0, p1);
        data.withdrawalCredentials = abi.encodePacked(credentials);
        data.signature = abi.encodePacked(s0, s1, s2);
        data.amountGwei = amountGwei;
        // The consensus specs' hash_tree_root(DepositData), written out leaf by leaf.
        bytes32 pubkeyRoot = sha256(abi.encodePacked(p0, p1, bytes16(0)));
        bytes32 signatureRoot = sha256(
            abi.encodePacked(sha256(abi.encodePacked(s0, s1)), sha256(abi.encodePacked(s2, bytes32(0))))
        );
        data.root = sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(pubkeyRoot, credentials)),
                sha256(abi.encodePacked(_referenceLittleEndian64(amountGwei), bytes24(0), signatureRoot))
            )
        );
    }

    function _randomAmount(uint256 seed, uint256 i) private pure returns (uint64) {
        return uint64(1 gwei + (uint256(keccak256(abi.encode(seed, i, "amount"))) % (2 ** 40)));
    }

    /// @dev hash_tree_root(List[DepositData, 2**32]) the slow way: hash every level of the full depth-32 tree.
    function _referenceDepositRoot(bytes32[] memory leaves) private pure returns (bytes32) {
        bytes32[] memory level = leaves;
        bytes32 zeroHash;
        for (uint256 height; height < TREE_DEPTH; ++height) {
            bytes32[] memory parents = new bytes32[]((level.length + 1) / 2);
            for (uint256 i; i < parents.length; ++i) {
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zeroHash;
                parents[i] = sha256(abi.encodePacked(level[2 * i], right));
            }
            level = parents;
            zeroHash = sha256(abi.encodePacked(zeroHash, zeroHash));
        }
        bytes32 treeRoot = level.length == 0 ? zeroHash : level[0];
        return sha256(abi.encodePacked(treeRoot, _referenceLittleEndian64(uint64(leaves.length)), bytes24(0)));
    }

    /// @dev Byte by byte, unlike the mock's byte swap.
    function _referenceLittleEndian64(uint64 value) private pure returns (bytes memory le) {
        le = new bytes(8);
        for (uint256 i; i < 8; ++i) {
            le[i] = bytes1(uint8(value >> (8 * i)));
        }
    }

    function _single(bytes32 leaf) private pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](1);
        leaves[0] = leaf;
    }

    /// @dev `x` mapped onto [min, max] without `excluded`, so no fuzz run is wasted on the one valid value.
    function _boundExcept(uint256 x, uint256 min, uint256 max, uint256 excluded) private pure returns (uint256) {
        uint256 y = bound(x, min, max - 1);
        return y >= excluded ? y + 1 : y;
    }
}
