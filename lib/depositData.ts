import { ContainerType } from "@chainsafe/ssz";
import { ssz } from "@lodestar/types";
import { getBytes, hexlify, toBeHex } from "ethers";
import type { BytesLike } from "ethers";

/** Byte lengths the deposit contract accepts. */
export const PUBKEY_LENGTH = 48;
export const WITHDRAWAL_CREDENTIALS_LENGTH = 32;
export const SIGNATURE_LENGTH = 96;

const MAX_UINT64 = 2n ** 64n - 1n;

/** @throws RangeError naming `name` when `value` is not a uint64 (the deposit contract's amounts and counts). */
export function checkUint64(value: bigint, name: string): void {
  if (value < 0n || value > MAX_UINT64) {
    throw new RangeError(`${name}: expected an integer in [0, 2**64 - 1], got ${value}`);
  }
}

// `ssz.phase0.DepositData` holds the amount as a JS number, exact only up to 2**53 - 1 gwei (about 9 million ether).
// Above that, the same container with a bigint amount: SSZ roots depend on the field types, not their JS values.
const DepositDataBigAmount = new ContainerType({ ...ssz.phase0.DepositData.fields, amount: ssz.UintBn64 });

/** `value` as bytes, which must be exactly `length` long. @throws RangeError naming `name` otherwise. */
export function bytesOfLength(value: BytesLike, length: number, name: string): Uint8Array {
  const bytes = getBytes(value, name);
  if (bytes.length !== length) {
    throw new RangeError(`${name}: expected ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * The SSZ `hash_tree_root` of a `DepositData`: the `deposit_data_root` argument of the deposit contract's `deposit`.
 *
 * @param pubkey BLS public key, 48 bytes.
 * @param withdrawalCredentials 32 bytes.
 * @param amountGwei The deposit in gwei (the transaction's value divided by 1e9), at most 2**64 - 1.
 * @param signature BLS signature over the `DepositMessage`, 96 bytes.
 * @returns The root as 0x-prefixed hex.
 * @throws RangeError when a length or the amount is out of range.
 */
export function computeDepositDataRoot(
  pubkey: BytesLike,
  withdrawalCredentials: BytesLike,
  amountGwei: bigint,
  signature: BytesLike,
): string {
  checkUint64(amountGwei, "amountGwei");
  const fields = {
    pubkey: bytesOfLength(pubkey, PUBKEY_LENGTH, "pubkey"),
    withdrawalCredentials: bytesOfLength(withdrawalCredentials, WITHDRAWAL_CREDENTIALS_LENGTH, "withdrawalCredentials"),
    signature: bytesOfLength(signature, SIGNATURE_LENGTH, "signature"),
  };
  const root =
    amountGwei <= BigInt(Number.MAX_SAFE_INTEGER)
      ? ssz.phase0.DepositData.hashTreeRoot({ ...fields, amount: Number(amountGwei) })
      : DepositDataBigAmount.hashTreeRoot({ ...fields, amount: amountGwei });
  return hexlify(root);
}

/**
 * The deposit contract's `get_deposit_root()` after these deposits, in order: the SSZ `hash_tree_root` of a
 * `List[DepositData, 2**32]`, which beacon nodes put in `Eth1Data.deposit_root`.
 *
 * @param depositDataRoots Each deposit's `deposit_data_root` (see `computeDepositDataRoot`), 32 bytes each.
 * @returns The root as 0x-prefixed hex.
 */
export function depositRootOf(depositDataRoots: readonly BytesLike[]): string {
  const leaves = depositDataRoots.map((root, i) => bytesOfLength(root, 32, `depositDataRoots[${i}]`));
  return hexlify(ssz.phase0.DepositDataRootList.hashTreeRoot(leaves));
}

/**
 * A uint64 as the deposit contract encodes amounts, indexes and the count: 8 bytes, little-endian.
 *
 * @returns 0x-prefixed hex of 8 bytes.
 * @throws RangeError when `value` is not in [0, 2**64 - 1].
 */
export function toLittleEndian64(value: bigint): string {
  checkUint64(value, "value");
  return hexlify(getBytes(toBeHex(value, 8)).reverse());
}

/**
 * Reads the deposit contract's 8-byte little-endian encoding (event `amount` and `index`, `get_deposit_count()`).
 *
 * @throws RangeError when `bytes` is not 8 bytes long.
 */
export function fromLittleEndian64(bytes: BytesLike): bigint {
  const le = bytesOfLength(bytes, 8, "bytes");
  return le.reduceRight((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}
