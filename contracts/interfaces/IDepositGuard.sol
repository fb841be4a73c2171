// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IDepositGuard
/// @notice Front-running protection for validator deposits. Guardians watch the deposit contract and the operator
/// registry off-chain and sign (EIP-712) that the keys the registry would hand out are safe to deposit: every
/// signature valid for the protocol's withdrawal credentials and fork, no key used twice, and no deposit on the beacon
/// chain that already gave one of these keys other credentials. The pool stakes only with a quorum of such signatures
/// over the deposit contract's current root and the registry's current nonce, so a deposit slipped in between (or a
/// key change) voids the attestation.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the timelock) manages guardians, the quorum and the bounds and upgrades;
/// `RESUME_ROLE` (the timelock and the emergency pause) resumes staking; `PAUSE_ROLE` (the emergency pause alone)
/// pauses staking until a time. A guardian may pause staking once for `pauseDuration`, then needs governance to add it again.
interface IDepositGuard {
    /// @notice An EIP-2098 compact ECDSA signature.
    struct Signature {
        bytes32 r;
        bytes32 vs;
    }

    /// @notice What guardians sign before a validator deposit.
    /// @param depositRoot `get_deposit_root()` of the deposit contract when they checked.
    /// @param registryNonce The registry's nonce when they checked.
    /// @param blockNumber The block they checked at.
    /// @param blockHash Its hash.
    /// @param signatures Guardian signatures over the above, sorted by signer address, ascending.
    struct Attestation {
        bytes32 depositRoot;
        uint256 registryNonce;
        uint256 blockNumber;
        bytes32 blockHash;
        Signature[] signatures;
    }

    /// @notice `guardian` joined (or was granted a new pause).
    /// @param guardian The guardian added, or re-added with a fresh pause.
    event GuardianAdded(address indexed guardian);

    /// @notice `guardian` left.
    /// @param guardian The guardian removed.
    event GuardianRemoved(address indexed guardian);

    /// @notice `quorum` guardian signatures are needed from now on.
    /// @param quorum Guardian signatures needed, 1 to the number of guardians.
    event QuorumSet(uint256 quorum);

    /// @notice Attestations older than `maxBlockAge` blocks are refused.
    /// @param maxBlockAge The oldest attestation accepted, in blocks, 1 to 256.
    event MaxBlockAgeSet(uint256 maxBlockAge);

    /// @notice A guardian's pause lasts `pauseDuration` seconds.
    /// @param pauseDuration How long a guardian's pause lasts, in seconds.
    event PauseDurationSet(uint256 pauseDuration);

    /// @notice `guardian` paused staking until `until`.
    /// @param guardian The guardian that paused.
    /// @param until The unix timestamp at which staking resumes by itself: the later of now + `pauseDuration` and
    /// the end of a pause already running.
    event StakingPaused(address indexed guardian, uint256 until);

    /// @notice Governance ended a staking pause early.
    event StakingResumed();

    /// @notice A guardian quorum unvetted the operator's unused keys.
    /// @param operatorId The operator whose unused keys were unvetted.
    /// @param registryNonce The registry nonce the guardians signed, current until this unvet changed it.
    event KeysUnvetted(uint256 indexed operatorId, uint256 registryNonce);

    /// @notice Staking is paused until `until`.
    error StakingIsPaused(uint256 until);

    /// @notice Staking is not paused.
    error StakingNotPaused();

    /// @notice The attestation's block is `age` blocks old; at most `maxBlockAge` are accepted.
    error AttestationTooOld(uint256 blockNumber, uint256 age, uint256 maxBlockAge);

    /// @notice The chain does not know `blockHash` as the hash of `blockNumber` (a future, current or forgotten
    /// block, or a hash from another fork).
    error UnknownBlockHash(uint256 blockNumber, bytes32 blockHash);

    /// @notice A deposit happened since the guardians checked.
    error DepositRootChanged(bytes32 attested, bytes32 current);

    /// @notice The registry's keys changed since the guardians checked.
    error RegistryNonceChanged(uint256 attested, uint256 current);

    /// @notice `count` signatures, `quorum` needed.
    error NotEnoughSignatures(uint256 count, uint256 quorum);

    /// @notice Signers must be sorted ascending with no repeats; `signer` came after `previous`.
    error SignersNotSorted(address previous, address signer);

    /// @notice `signer` is not a guardian.
    error NotAGuardian(address signer);

    /// @notice `guardian` is already one.
    error AlreadyAGuardian(address guardian);

    /// @notice `guardian` already used its pause; governance must add it again first.
    error PauseAlreadyUsed(address guardian);

    /// @notice The quorum must be at least 1 and at most the number of guardians (`guardians`).
    error InvalidQuorum(uint256 quorum, uint256 guardians);

    /// @notice At most `max` guardians.
    error TooManyGuardians(uint256 max);

    /// @notice The block age bound must be between 1 and 256 blocks (`blockhash` forgets older ones).
    error InvalidMaxBlockAge(uint256 maxBlockAge);

    /// @notice A pause lasts between 1 second and `max`.
    error InvalidPauseDuration(uint256 pauseDuration, uint256 max);

    /// @notice A pause must end after now and fit in 32 bits.
    error InvalidPauseEnd(uint256 until, uint256 timestamp);

    /// @notice An address parameter is zero.
    error ZeroAddress();

    /// @notice Reverts unless `attestation` allows a validator deposit now: staking not paused, a recent known block,
    /// the deposit root and registry nonce unchanged, and a quorum of distinct guardians signed it.
    /// @dev Reverts with `StakingIsPaused`, `AttestationTooOld`, `UnknownBlockHash`, `DepositRootChanged`,
    /// `RegistryNonceChanged`, `NotEnoughSignatures`, `SignersNotSorted`, `NotAGuardian`, or an OpenZeppelin
    /// `ECDSAInvalidSignature*` error.
    /// @param attestation The guardians' attestation.
    function checkAttestation(Attestation calldata attestation) external view;

    /// @notice Unvets every unused key of `operatorId` on a guardian quorum's signatures over
    /// (operatorId, registryNonce, blockNumber, blockHash), checked like an attestation. Anyone may submit it.
    /// @dev Emits `KeysUnvetted` (and the registry's events). Reverts as `checkAttestation` except for the pause and
    /// the deposit root, and with the registry's `OperatorNotFound`.
    /// @param operatorId The operator whose unused keys to unvet.
    /// @param registryNonce The registry's nonce when the guardians checked; must still be current.
    /// @param blockNumber The block they checked at; at most `maxBlockAge` blocks old.
    /// @param blockHash Its hash.
    /// @param signatures Guardian signatures over `unvetDigest` of the above, sorted by signer address, ascending.
    function unvetKeys(
        uint256 operatorId,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash,
        Signature[] calldata signatures
    ) external;

    /// @notice Pauses staking for `pauseDuration` from now. Each guardian may do it once per grant.
    /// @dev A guardian. Emits `StakingPaused`. Reverts with `NotAGuardian`, `PauseAlreadyUsed`.
    function pauseStaking() external;

    /// @notice Pauses staking until `until` (replacing the current end).
    /// @dev `PAUSE_ROLE` (the emergency pause, which bounds the pause). Emits `StakingPaused` with the caller. Reverts
    /// with `InvalidPauseEnd`.
    /// @param until The unix timestamp at which the pause ends; in the future and below 2**32.
    function pauseStakingUntil(uint256 until) external;

    /// @notice Ends a staking pause now.
    /// @dev `RESUME_ROLE` (the timelock and the emergency pause). Emits `StakingResumed`. Reverts with
    /// `StakingNotPaused`.
    function resumeStaking() external;

    /// @notice Adds a guardian, or grants an existing one's pause afresh.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `GuardianAdded`. Reverts with `ZeroAddress`, `AlreadyAGuardian` (a guardian
    /// whose pause is unused), `TooManyGuardians`.
    /// @param guardian The address to add, nonzero; or a guardian whose pause is used.
    function addGuardian(address guardian) external;

    /// @notice Removes a guardian.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `GuardianRemoved`. Reverts with `NotAGuardian`, `InvalidQuorum` when fewer
    /// guardians than the quorum would remain.
    /// @param guardian The guardian to remove.
    function removeGuardian(address guardian) external;

    /// @notice Sets the quorum.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `QuorumSet`. Reverts with `InvalidQuorum`.
    /// @param quorum Guardian signatures needed: 1 to the number of guardians.
    function setQuorum(uint256 quorum) external;

    /// @notice Sets how many blocks old an attestation may be.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `MaxBlockAgeSet`. Reverts with `InvalidMaxBlockAge`.
    /// @param maxBlockAge The oldest attestation accepted, in blocks: 1 to 256.
    function setMaxBlockAge(uint256 maxBlockAge) external;

    /// @notice Sets how long a guardian's pause lasts.
    /// @dev `DEFAULT_ADMIN_ROLE`. Emits `PauseDurationSet`. Reverts with `InvalidPauseDuration`.
    /// @param pauseDuration How long a pause started from now on lasts, in seconds: 1 to `MAX_PAUSE_DURATION`
    /// (3 days).
    function setPauseDuration(uint256 pauseDuration) external;

    /// @notice The EIP-712 digest guardians sign for a deposit.
    /// @param depositRoot `get_deposit_root()` of the deposit contract when the guardians checked.
    /// @param registryNonce The registry's nonce when they checked.
    /// @param blockNumber The block they checked at.
    /// @param blockHash Its hash.
    function attestationDigest(
        bytes32 depositRoot,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 digest guardians sign to unvet an operator's keys.
    /// @param operatorId The operator whose unused keys to unvet.
    /// @param registryNonce The registry's nonce when the guardians checked.
    /// @param blockNumber The block they checked at.
    /// @param blockHash Its hash.
    function unvetDigest(
        uint256 operatorId,
        uint256 registryNonce,
        uint256 blockNumber,
        bytes32 blockHash
    ) external view returns (bytes32);

    /// @notice The guardians, in no particular order.
    function guardians() external view returns (address[] memory);

    /// @notice Whether `account` is a guardian.
    /// @param account The address to look up.
    function isGuardian(address account) external view returns (bool);

    /// @notice Whether `guardian` has used its pause.
    /// @param guardian The guardian to look up; false for an address that is not one.
    function pauseUsed(address guardian) external view returns (bool);

    /// @notice Guardian signatures needed.
    function quorum() external view returns (uint256);

    /// @notice The oldest attestation accepted, in blocks.
    function maxBlockAge() external view returns (uint256);

    /// @notice How long a guardian's pause lasts, in seconds.
    function pauseDuration() external view returns (uint256);

    /// @notice Until when staking is paused; in the past (or zero) when it is not.
    function stakingPausedUntil() external view returns (uint256);

    /// @notice The deposit contract whose root guardians sign.
    function depositContract() external view returns (address);

    /// @notice The operator registry whose nonce guardians sign.
    function registry() external view returns (address);
}
