// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPoolVault} from "./IPoolVault.sol";

/// @title IWithdrawalVault
/// @notice The address in every Plural validator's withdrawal credentials (0x01 ‖ 11 zero bytes ‖ vault): the beacon
/// chain sends validator withdrawals (skimmed rewards and exited balances) here. Only the staking pool takes ether out,
/// when an oracle report accounts for it. Being the credentials' address also lets the vault exit validators itself,
/// through EIP-7002, when governance must force an exit that an operator refuses.
/// @dev Roles: `DEFAULT_ADMIN_ROLE` (the timelock) upgrades and sets the fee cap; `FORCE_EXIT_ROLE` (the timelock)
/// forces exits.
///
/// Forced-exit flow. An operator that ignores the exit requests the oracle hands it keeps its validators running, and
/// its share of the protocol fee goes to the holders until it complies. Governance then proposes `forceExits` with the
/// validators' pubkeys; after the timelock's delay it executes. For each pubkey the vault reads the EIP-7002 fee and
/// calls the withdrawal request predeploy with pubkey ‖ uint64(0) (a full exit): the predeploy records the vault as
/// the request's source. At the end of the block the execution client dequeues up to 16 requests (the rest wait for
/// the next blocks, in order) and hands them to the consensus layer, which exits a validator only if the source is its
/// credentials' address, it is active, not already exiting, and has been active for at least SHARD_COMMITTEE_PERIOD
/// (256 epochs, about 27 hours); otherwise the request is dropped silently and its fee is lost. The exit then waits in
/// the exit queue (churn), the validator becomes withdrawable MIN_VALIDATOR_WITHDRAWABILITY_DELAY (256 epochs) later,
/// the sweep sends its whole balance here, and the next oracle report takes it to the pool as any exit would.
///
/// Fee model. The predeploy charges fee = fake_exponential(1 wei, excess, 17) ≈ e ** (excess / 17) wei, where excess
/// grows by the requests added in a block beyond a target of 2 and shrinks by 2 in every block that adds none, so the
/// fee is 1 wei in normal times, rises about 6 % for each request above the target, and falls back by a factor of
/// about 1.125 a block once the spike ends. The fee changes only at the end of a block: every request of one
/// `forceExits` pays the fee read at its start, however many it adds. The vault reads the fee before each request and
/// pays exactly that (the predeploy keeps any overpayment), never above min(`maxFeePerRequest`, `maxExitRequestFee`):
/// a spike makes the call revert, and since the fee decays within minutes, governance simply executes again later.
/// Fees are paid from `msg.value` first and the rest from the vault's own balance, protocol ether that would otherwise
/// reach the pool at the next report: those fees are a cost to holders, visible as a smaller sweep. Unused `msg.value`
/// goes back to the caller.
interface IWithdrawalVault is IPoolVault {
    /// @notice Governance requested a full exit of the validator `pubkey` through EIP-7002, paying `fee` wei.
    /// @param pubkey The validator's BLS public key (48 bytes).
    /// @param fee The fee paid to the predeploy for this request.
    event ExitRequested(bytes pubkey, uint256 fee);

    /// @notice A `forceExits` call added `count` requests for `totalFee` wei, `paidFromVault` of them from the vault's
    /// balance (the rest from the call's value), and sent `refunded` wei of unused value back to the caller.
    /// @param count The requests added.
    /// @param totalFee The fees paid, in wei.
    /// @param paidFromVault The part of `totalFee` the vault's own balance paid: a cost to holders.
    /// @param refunded The unused value sent back to the caller.
    event ExitsForced(uint256 count, uint256 totalFee, uint256 paidFromVault, uint256 refunded);

    /// @notice The cap on the fee the vault pays per exit request became `maxExitRequestFee` wei.
    /// @param maxExitRequestFee The new cap, in wei.
    event MaxExitRequestFeeSet(uint256 maxExitRequestFee);

    /// @notice `pubkeys` has `length` bytes: at least one 48-byte pubkey and a whole number of them are needed.
    error InvalidPubkeysLength(uint256 length);

    /// @notice The predeploy's fee could not be read: the call reverted with `reason` (always empty on the predeploy,
    /// which reverts so before its first system call).
    error ExitRequestFeeReadFailed(bytes reason);

    /// @notice The predeploy answered the fee read with `data`, which is not one 32-byte word (empty when the chain has
    /// no contract at the predeploy's address).
    error ExitRequestFeeMalformed(bytes data);

    /// @notice The current fee, `fee` wei, is above `cap`, the lower of the caller's and the vault's maximum.
    error ExitRequestFeeTooHigh(uint256 fee, uint256 cap);

    /// @notice The predeploy refused the request for `pubkey` paying `fee` wei, reverting with `reason`.
    error ExitRequestFailed(bytes pubkey, uint256 fee, bytes reason);

    /// @notice The next request's `fee` exceeds `available`, the call's remaining value plus the vault's balance.
    error InsufficientExitFeeFunds(uint256 fee, uint256 available);

    /// @notice `maxExitRequestFee` is above the hard limit `limit`.
    error MaxExitRequestFeeAboveLimit(uint256 maxExitRequestFee, uint256 limit);

    /// @notice Sending `amount` wei of unused value back to `caller` failed.
    error RefundFailed(address caller, uint256 amount);

    /// @notice Requests a full exit, through EIP-7002, of each validator in `pubkeys`, paying each request's fee.
    /// @dev `FORCE_EXIT_ROLE` only. Reads the fee before each request and pays exactly that, from `msg.value` first,
    /// then from the vault's balance; refunds unused `msg.value` to the caller. The consensus layer drops requests it
    /// cannot apply (unknown key, other credentials, inactive, already exiting, too young), fees included: check the
    /// validators first. Emits `ExitRequested` per request and `ExitsForced`. Reverts with `InvalidPubkeysLength`,
    /// `ExitRequestFeeReadFailed`, `ExitRequestFeeMalformed`, `ExitRequestFeeTooHigh`, `InsufficientExitFeeFunds`,
    /// `ExitRequestFailed`, `RefundFailed`, or `AccessControlUnauthorizedAccount`.
    /// @param pubkeys Concatenated 48-byte BLS public keys, at least one.
    /// @param maxFeePerRequest The most the caller accepts to pay per request, in wei; the vault's own cap applies too.
    function forceExits(bytes calldata pubkeys, uint256 maxFeePerRequest) external payable;

    /// @notice Sets the vault's cap on the fee it pays per exit request.
    /// @dev `DEFAULT_ADMIN_ROLE` only. Zero stops forced exits (the fee is at least 1 wei). Emits
    /// `MaxExitRequestFeeSet`. Reverts with `MaxExitRequestFeeAboveLimit` or `AccessControlUnauthorizedAccount`.
    /// @param maxExitRequestFee_ The cap in wei, at most the vault's `MAX_EXIT_REQUEST_FEE_LIMIT` (0.1 ether).
    function setMaxExitRequestFee(uint256 maxExitRequestFee_) external;

    /// @notice The most the vault pays for one exit request, in wei.
    function maxExitRequestFee() external view returns (uint256);

    /// @notice The withdrawal credentials that send withdrawals here: 0x01 ‖ 11 zero bytes ‖ this address.
    function withdrawalCredentials() external view returns (bytes32);
}
