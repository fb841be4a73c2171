/**
 * The BLS side of the local beacon simulator: deposit signatures checked as the beacon chain checks them, and
 * voluntary exits signed and checked under EIP-7044's domain (always the Capella fork's).
 *
 * The local chain's fork versions and genesis validators root are defined here, deterministically, so that anyone
 * can sign for the simulator without asking it: see `LOCAL_GENESIS_VALIDATORS_ROOT` and `forkVersionOf`.
 */
import { PublicKey, Signature, verify, verifyMultipleAggregateSignatures } from "@chainsafe/blst";
import type { SecretKey, SignatureSet } from "@chainsafe/blst";
import { DOMAIN_VOLUNTARY_EXIT } from "@lodestar/params";
import { ssz } from "@lodestar/types";
import { getBytes, hexlify, keccak256, toUtf8Bytes } from "ethers";
import type { BytesLike } from "ethers";

import { bytesOfLength } from "../depositData.js";
import { computeDepositDomain, computeDepositMessageRoot, computeSigningRoot } from "../keys/depositData.js";

/**
 * The local simulator's `genesis_validators_root`: keccak256 of the UTF-8 label "Plural local beacon chain", a fixed
 * 32-byte value rather than the SSZ root of a genesis registry (the simulator's registry starts empty). It only enters
 * signing domains of operations after genesis, such as voluntary exits; deposits use a zero root, as in the spec.
 */
export const LOCAL_GENESIS_VALIDATORS_ROOT = keccak256(toUtf8Bytes("Plural local beacon chain"));

/** The forks the simulator declares, all at epoch 0, numbered as the first byte of their fork version. */
export const FORK_NUMBERS = { genesis: 0, altair: 1, bellatrix: 2, capella: 3, deneb: 4 } as const;
export type ForkName = keyof typeof FORK_NUMBERS;

/**
 * The local chain's version of `fork`: the genesis fork version with its first byte replaced by the fork's number,
 * e.g. 0x00007a69 gives CAPELLA_FORK_VERSION 0x03007a69 and DENEB_FORK_VERSION 0x04007a69. Mainnet's versions follow
 * the same rule (0x03000000 is its Capella version); public testnets do not, and the simulator does not pose as one.
 *
 * @param genesisForkVersion 0x-prefixed, 4 bytes.
 * @returns 0x-prefixed lowercase hex, 4 bytes.
 */
export function forkVersionOf(genesisForkVersion: BytesLike, fork: ForkName): string {
  const version = bytesOfLength(genesisForkVersion, 4, "genesisForkVersion").slice();
  if (fork !== "genesis") version[0] = FORK_NUMBERS[fork];
  return hexlify(version);
}

/**
 * The spec's `compute_domain(domain_type, fork_version, genesis_validators_root)`: the domain type followed by the
 * first 28 bytes of the `ForkData` root.
 *
 * @returns 32 bytes.
 */
export function computeDomain(
  domainType: Uint8Array,
  forkVersion: BytesLike,
  genesisValidatorsRoot: BytesLike,
): Uint8Array {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({
    currentVersion: bytesOfLength(forkVersion, 4, "forkVersion"),
    genesisValidatorsRoot: bytesOfLength(genesisValidatorsRoot, 32, "genesisValidatorsRoot"),
  });
  const domain = new Uint8Array(32);
  domain.set(domainType.subarray(0, 4), 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

/**
 * The voluntary-exit signing domain from Deneb on (EIP-7044): DOMAIN_VOLUNTARY_EXIT (0x04000000) under the Capella
 * fork version, whatever the current fork, so that signed exits stay valid forever.
 *
 * @param capellaForkVersion 4 bytes; for the simulator, `forkVersionOf(genesisForkVersion, "capella")`.
 * @param genesisValidatorsRoot 32 bytes; for the simulator, `LOCAL_GENESIS_VALIDATORS_ROOT`.
 */
export function computeVoluntaryExitDomain(
  capellaForkVersion: BytesLike,
  genesisValidatorsRoot: BytesLike,
): Uint8Array {
  return computeDomain(DOMAIN_VOLUNTARY_EXIT, capellaForkVersion, genesisValidatorsRoot);
}

/** A `VoluntaryExit` message: the earliest epoch it may be included at and the validator's index. */
export interface VoluntaryExitMessage {
  epoch: bigint;
  validatorIndex: number;
}

/** A `SignedVoluntaryExit`, as the Beacon API's pool endpoint takes it (signature 0x-prefixed, 96 bytes). */
export interface SignedVoluntaryExit {
  message: VoluntaryExitMessage;
  signature: string;
}

function checkExitMessage(message: VoluntaryExitMessage): void {
  if (message.epoch < 0n || message.epoch > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`exit epoch: expected an integer in [0, 2**53 - 1], got ${message.epoch}`);
  }
  if (!Number.isSafeInteger(message.validatorIndex) || message.validatorIndex < 0) {
    throw new RangeError(`validator index: expected a non-negative integer, got ${message.validatorIndex}`);
  }
}

/** The signing root of a voluntary exit under `domain` (see `computeVoluntaryExitDomain`). */
export function voluntaryExitSigningRoot(message: VoluntaryExitMessage, domain: Uint8Array): Uint8Array {
  checkExitMessage(message);
  const objectRoot = ssz.phase0.VoluntaryExit.hashTreeRoot({
    epoch: Number(message.epoch),
    validatorIndex: message.validatorIndex,
  });
  return computeSigningRoot(objectRoot, domain);
}

/** Signs a voluntary exit with the validator's signing key under `domain`. */
export function signVoluntaryExit(
  signingKey: SecretKey,
  message: VoluntaryExitMessage,
  domain: Uint8Array,
): SignedVoluntaryExit {
  return { message, signature: hexlify(signingKey.sign(voluntaryExitSigningRoot(message, domain)).toBytes()) };
}

/** A public key from untrusted bytes, or undefined when it is not a valid, non-infinity G1 point of the subgroup. */
function parsePublicKey(bytes: Uint8Array): PublicKey | undefined {
  try {
    return PublicKey.fromBytes(bytes, true);
  } catch {
    return undefined;
  }
}

/** A signature from untrusted bytes, or undefined when it is not a valid, non-infinity G2 point of the subgroup. */
function parseSignature(bytes: Uint8Array): Signature | undefined {
  try {
    return Signature.fromBytes(bytes, true, true);
  } catch {
    return undefined;
  }
}

/**
 * Whether `signed` carries a valid signature by `pubkey` under `domain`. Malformed or invalid points (infinity
 * included) make an invalid signature, never an exception.
 *
 * @param pubkey 0x-prefixed, 48 bytes: the validator's key from the state.
 */
export function verifyVoluntaryExit(pubkey: string, signed: SignedVoluntaryExit, domain: Uint8Array): boolean {
  const signatureBytes = getBytes(signed.signature);
  if (signatureBytes.length !== 96) return false;
  const publicKey = parsePublicKey(getBytes(pubkey));
  const signature = parseSignature(signatureBytes);
  if (publicKey === undefined || signature === undefined) return false;
  return verify(voluntaryExitSigningRoot(signed.message, domain), publicKey, signature, false, false);
}

/** What a deposit's signature covers, plus the signature (all 0x-prefixed hex; the amount in gwei). */
export interface SignedDeposit {
  pubkey: string;
  withdrawalCredentials: string;
  amountGwei: bigint;
  signature: string;
}

// Batches bound the work a single bad signature costs: a failed batch is split in halves until the culprit is alone.
const VERIFY_BATCH = 128;

function markValid(items: readonly { position: number; set: SignatureSet }[], valid: boolean[]): void {
  if (items.length === 0) return;
  if (items.length === 1) {
    const { position, set } = items[0]!;
    valid[position] = verify(set.msg, set.pk, set.sig, false, false);
    return;
  }
  // One random linear combination checks the whole batch: about twice as fast as one by one when all are valid.
  if (
    verifyMultipleAggregateSignatures(
      items.map((item) => item.set),
      false,
      false,
    )
  ) {
    for (const { position } of items) valid[position] = true;
    return;
  }
  const half = items.length >> 1;
  markValid(items.slice(0, half), valid);
  markValid(items.slice(half), valid);
}

/**
 * Checks deposit signatures as `process_deposit` does: `bls.Verify(pubkey, signing_root(DepositMessage), signature)`
 * under the deposit domain (genesis fork version, zero genesis validators root). A pubkey or signature that is not a
 * valid point (wrong encoding, not in the subgroup, infinity) makes an invalid signature, never an exception.
 *
 * @param genesisForkVersion 0x-prefixed, 4 bytes.
 * @returns One flag per deposit, in order.
 */
export function checkDepositSignatures(deposits: readonly SignedDeposit[], genesisForkVersion: BytesLike): boolean[] {
  const domain = computeDepositDomain(genesisForkVersion);
  const valid = deposits.map(() => false);
  const sets: { position: number; set: SignatureSet }[] = [];
  deposits.forEach((deposit, position) => {
    const pubkey = getBytes(deposit.pubkey);
    const signatureBytes = getBytes(deposit.signature);
    if (pubkey.length !== 48 || signatureBytes.length !== 96) return;
    const pk = parsePublicKey(pubkey);
    const sig = parseSignature(signatureBytes);
    if (pk === undefined || sig === undefined) return;
    const messageRoot = computeDepositMessageRoot(pubkey, deposit.withdrawalCredentials, deposit.amountGwei);
    sets.push({ position, set: { msg: computeSigningRoot(messageRoot, domain), pk, sig } });
  });
  for (let start = 0; start < sets.length; start += VERIFY_BATCH) {
    markValid(sets.slice(start, start + VERIFY_BATCH), valid);
  }
  return valid;
}
