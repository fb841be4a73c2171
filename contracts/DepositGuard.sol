// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IDepositContract} from "./interfaces/IDepositContract.sol";
import {IDepositGuard} from "./interfaces/IDepositGuard.sol";
import {IOperatorRegistry} from "./interfaces/IOperatorRegistry.sol";

/// @title DepositGuard
/// @notice Lets the pool stake only with a guardian quorum's attestation over the current deposit root and registry
/// nonce; lets a guardian quorum unvet an operator's keys and a single guardian pause staking for a bounded time.
/// @dev Invariants (tested by these names):
/// - `invariant_QuorumNeverExceedsGuardians`: 1 <= quorum <= number of guardians.
/// - `invariant_PauseIsBounded`: a guardian never pauses staking past its pause's time plus the pause duration in
///   force then (a later, shorter duration leaves a running pause alone), nor past now + 3 days. (The emergency
///   pause's own pauses are bounded by `EmergencyPause.MAX_PAUSE_DURATION`.)
/// @custom:oz-upgrades
contract DepositGuard is IDepositGuard, AccessControlUpgradeable, EIP712Upgradeable, UUPSUpgradeable {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice May pause staking until a time (the emergency pause alone).
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    /// @notice May end a staking pause early (the timelock, and the emergency pause on its behalf).
    bytes32 public constant RESUME_ROLE = keccak256("RESUME_ROLE");

    /// @notice At most this many guardians, which bounds the cost of a signature check.
    uint256 public constant MAX_GUARDIANS = 16;
    /// @notice The longest a guardian's pause may last.
    uint256 public constant MAX_PAUSE_DURATION = 3 days;

    // Both type hashes are folded into constants at compile time: the long strings cost nothing at run time.
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant ATTESTATION_TYPEHASH = keccak256(
        "DepositAttestation(bytes32 depositRoot,uint256 registryNonce,uint256 blockNumber,bytes32 blockHash)"
    );
    // solhint-disable-next-line gas-small-strings
    bytes32 private constant UNVET_TYPEHASH = keccak256(
        "UnvetKeys(uint256 operatorId,uint256 registryNonce,uint256 blockNumber,bytes32 blockHash)"
    );

    /// @custom:oz-upgrades-unsafe-allow state-variable-immutable
    IDepositContract private immutable DEPOSIT_CONTRACT;

    /// @custom:storage-location erc7201:plural.storage.DepositGuard
    struct DepositGuardStorage {
        IOperatorRegistry registry;
        uint8 quorum;
        uint16 maxBlockAge;
        uint32 pauseDuration;
        uint32 stakingPausedUntil;
        EnumerableSet.AddressSet guardians;
        mapping(address guardian => bool) pauseUsed;
    }

    // keccak256(abi.encode(uint256(keccak256("plural.storage.DepositGuard")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xf808e9b49847515b3898ffaf6f2ad7d456fc00ea9cd6c2fceeae91ba48b54600;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(IDepositContract depositContract_) {
        require(address(depositContract_) != address(0), ZeroAddress());
        DEPOSIT_CONTRACT = depositContract_;
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param admin The governance timelock.
    /// @param registry_ The operator registry.
    /// @param guardians_ The first guardians.
    /// @param quorum_ Signatures needed.
    /// @param maxBlockAge_ The oldest attestation accepted, in blocks.
    /// @param pauseDuration_ How long a guardian's pause lasts, in seconds.
    /// @param pauser The emergency pause.
    function initialize(
        address admin,
        IOperatorRegistry registry_,
        address[] calldata guardians_,
        uint256 quorum_,
        uint256 maxBlockAge_,
        uint256 pauseDuration_,
        address pauser
    ) external initializer {
        require(admin != address(0) && address(registry_) != address(0) && pauser != address(0), ZeroAddress());
        __AccessControl_init();
        _grantRole(RESUME_ROLE, admin);
        _grantRole(PAUSE_ROLE, pauser);
        _grantRole(RESUME_ROLE, pauser);
        __EIP712_init("Plural DepositGuard", "1");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _storage().registry = registry_;
        for (uint256 i; i < guardians_.length; ++i) {
            _addGuardian(guardians_[i]);
        }
        _setQuorum(quorum_);
        _setMaxBlockAge(maxBlockAge_);
        _setPauseDuration(pauseDuration_);
    }

    /// @inheritdoc IDepositGuard
    function checkAttestation(Attestation calldata attestation) external view {
        DepositGuardStorage storage $ = _storage();
        require($.stakingPausedUntil <= block.timestamp, StakingIsPaused($.stakingPausedUntil));
        _checkBlock($, attestation.blockNumber, attestation.blockHash);
        bytes32 currentRoot = DEPOSIT_CONTRACT.get_deposit_root();
        require(attestation.depositRoot == currentRoot, DepositRootChanged(attestation.depositRoot, currentRoot));
        _checkNonce($, attestation.registryNonce);
        _checkQuorum(
            $,
            _attestationDigest(
                attestation.depositRoot,
                attestation.registryNonce,
                attestation.blockNumber,
                attestation.blockHash
            ),
            attestation.signatures
        );
    }

    /// @inheritdoc IDepositGuard
    function unvetKeys(
        uint256 operatorId,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash,
        Signature[] calldata signatures
    ) external {
        DepositGuardStorage storage $ = _storage();
        _checkBlock($, blockNumber, blockHash);
        _checkNonce($, registryNonce);
        _checkQuorum($, _unvetDigest(operatorId, registryNonce, blockNumber, blockHash), signatures);
        emit KeysUnvetted(operatorId, registryNonce);
        $.registry.unvetKeys(operatorId);
    }

    /// @inheritdoc IDepositGuard
    function pauseStaking() external {
        DepositGuardStorage storage $ = _storage();
        require($.guardians.contains(msg.sender), NotAGuardian(msg.sender));
        require(!$.pauseUsed[msg.sender], PauseAlreadyUsed(msg.sender));
        $.pauseUsed[msg.sender] = true;
        uint256 until = block.timestamp + $.pauseDuration;
        // Never shortens a pause in progress, never extends one past now + pauseDuration.
        if (until > $.stakingPausedUntil) $.stakingPausedUntil = uint32(until);
        emit StakingPaused(msg.sender, $.stakingPausedUntil);
    }

    /// @inheritdoc IDepositGuard
    function pauseStakingUntil(uint256 until) external onlyRole(PAUSE_ROLE) {
        require(until > block.timestamp && until <= type(uint32).max, InvalidPauseEnd(until, block.timestamp));
        _storage().stakingPausedUntil = uint32(until);
        emit StakingPaused(msg.sender, until);
    }

    /// @inheritdoc IDepositGuard
    function resumeStaking() external onlyRole(RESUME_ROLE) {
        DepositGuardStorage storage $ = _storage();
        require($.stakingPausedUntil > block.timestamp, StakingNotPaused());
        $.stakingPausedUntil = 0;
        emit StakingResumed();
    }

    /// @inheritdoc IDepositGuard
    function addGuardian(address guardian) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _addGuardian(guardian);
    }

    /// @inheritdoc IDepositGuard
    function removeGuardian(address guardian) external onlyRole(DEFAULT_ADMIN_ROLE) {
        DepositGuardStorage storage $ = _storage();
        require($.guardians.remove(guardian), NotAGuardian(guardian));
        uint256 remaining = $.guardians.length();
        require($.quorum <= remaining, InvalidQuorum($.quorum, remaining));
        delete $.pauseUsed[guardian];
        emit GuardianRemoved(guardian);
    }

    /// @inheritdoc IDepositGuard
    function setQuorum(uint256 quorum_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setQuorum(quorum_);
    }

    /// @inheritdoc IDepositGuard
    function setMaxBlockAge(uint256 maxBlockAge_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxBlockAge(maxBlockAge_);
    }

    /// @inheritdoc IDepositGuard
    function setPauseDuration(uint256 pauseDuration_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPauseDuration(pauseDuration_);
    }

    /// @inheritdoc IDepositGuard
    function attestationDigest(
        bytes32 depositRoot,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) external view returns (bytes32) {
        return _attestationDigest(depositRoot, registryNonce, blockNumber, blockHash);
    }

    /// @inheritdoc IDepositGuard
    function unvetDigest(
        uint256 operatorId,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) external view returns (bytes32) {
        return _unvetDigest(operatorId, registryNonce, blockNumber, blockHash);
    }

    /// @inheritdoc IDepositGuard
    function guardians() external view returns (address[] memory) {
        return _storage().guardians.values();
    }

    /// @inheritdoc IDepositGuard
    function isGuardian(address account) external view returns (bool) {
        return _storage().guardians.contains(account);
    }

    /// @inheritdoc IDepositGuard
    function pauseUsed(address guardian) external view returns (bool) {
        return _storage().pauseUsed[guardian];
    }

    /// @inheritdoc IDepositGuard
    function quorum() external view returns (uint256) {
        return _storage().quorum;
    }

    /// @inheritdoc IDepositGuard
    function maxBlockAge() external view returns (uint256) {
        return _storage().maxBlockAge;
    }

    /// @inheritdoc IDepositGuard
    function pauseDuration() external view returns (uint256) {
        return _storage().pauseDuration;
    }

    /// @inheritdoc IDepositGuard
    function stakingPausedUntil() external view returns (uint256) {
        return _storage().stakingPausedUntil;
    }

    /// @inheritdoc IDepositGuard
    function depositContract() external view returns (address) {
        return address(DEPOSIT_CONTRACT);
    }

    /// @inheritdoc IDepositGuard
    function registry() external view returns (address) {
        return address(_storage().registry);
    }

    function _addGuardian(address guardian) internal {
        require(guardian != address(0), ZeroAddress());
        DepositGuardStorage storage $ = _storage();
        if (!$.guardians.add(guardian)) {
            // Adding a guardian again is how governance grants it a new pause.
            require($.pauseUsed[guardian], AlreadyAGuardian(guardian));
            delete $.pauseUsed[guardian];
        }
        require($.guardians.length() <= MAX_GUARDIANS, TooManyGuardians(MAX_GUARDIANS));
        emit GuardianAdded(guardian);
    }

    function _setQuorum(uint256 quorum_) internal {
        DepositGuardStorage storage $ = _storage();
        uint256 count = $.guardians.length();
        require(quorum_ != 0 && quorum_ <= count, InvalidQuorum(quorum_, count));
        $.quorum = uint8(quorum_); // <= MAX_GUARDIANS
        emit QuorumSet(quorum_);
    }

    function _setMaxBlockAge(uint256 maxBlockAge_) internal {
        require(maxBlockAge_ != 0 && maxBlockAge_ <= 256, InvalidMaxBlockAge(maxBlockAge_));
        _storage().maxBlockAge = uint16(maxBlockAge_);
        emit MaxBlockAgeSet(maxBlockAge_);
    }

    function _setPauseDuration(uint256 pauseDuration_) internal {
        require(
            pauseDuration_ != 0 && pauseDuration_ <= MAX_PAUSE_DURATION,
            InvalidPauseDuration(pauseDuration_, MAX_PAUSE_DURATION)
        );
        _storage().pauseDuration = uint32(pauseDuration_);
        emit PauseDurationSet(pauseDuration_);
    }

    /// @dev Only the timelock upgrades. The modifier is the whole check, hence the empty body.
    // solhint-disable-next-line no-empty-blocks
    function _authorizeUpgrade(address) internal view override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _checkBlock(DepositGuardStorage storage $, uint256 blockNumber, bytes32 blockHash) internal view {
        // `blockhash` is zero for the current block, future blocks and blocks more than 256 back.
        require(
            blockHash != bytes32(0) && blockhash(blockNumber) == blockHash,
            UnknownBlockHash(blockNumber, blockHash)
        );
        uint256 age = block.number - blockNumber;
        require(age <= $.maxBlockAge, AttestationTooOld(blockNumber, age, $.maxBlockAge));
    }

    function _checkNonce(DepositGuardStorage storage $, uint256 registryNonce) internal view {
        uint256 current = $.registry.nonce();
        require(registryNonce == current, RegistryNonceChanged(registryNonce, current));
    }

    function _checkQuorum(
        DepositGuardStorage storage $,
        bytes32 digest,
        Signature[] calldata signatures
    ) internal view {
        uint256 quorum_ = $.quorum;
        require(signatures.length >= quorum_, NotEnoughSignatures(signatures.length, quorum_));
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = ECDSA.recover(digest, signatures[i].r, signatures[i].vs);
            // Strictly ascending signers cannot repeat, so every signature counts once.
            require(signer > previous, SignersNotSorted(previous, signer));
            require($.guardians.contains(signer), NotAGuardian(signer));
            previous = signer;
        }
    }

    function _attestationDigest(
        bytes32 depositRoot,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, depositRoot, registryNonce, blockNumber, blockHash))
            );
    }

    function _unvetDigest(
        uint256 operatorId,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) internal view returns (bytes32) {
        return
            _hashTypedDataV4(keccak256(abi.encode(UNVET_TYPEHASH, operatorId, registryNonce, blockNumber, blockHash)));
    }

    function _storage() private pure returns (DepositGuardStorage storage $) {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
