import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { parseEther } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { advanceOperation, localDelaySkipper } from "../../lib/governance.js";
import { generateDepositData } from "../../lib/keys/depositData.js";
import { BEACON_NETWORKS } from "../../lib/networks.js";
import { registryOperation } from "../../lib/operators.js";
import { deposit } from "../../lib/pool.js";
import type { Protocol } from "../../lib/protocol.js";
import { guardianCheck, mergeAttestations, planStake, signAttestation, stake, submitKeys } from "../../lib/staking.js";
import { type PluralFixture, pluralFixture } from "./protocol.js";

/** Accounts of the staked fixture, beside `PluralFixture`'s (deploy/parameters/local.json names the roles). */
export const STAKED_ACCOUNTS = {
  governance: 1,
  /** Operator managers, also their reward addresses: one per operator, in id order. */
  managers: [8, 9, 13, 14],
  /** The oracle committee of local.json (quorum 2). */
  oracleMembers: [10, 11, 12],
  depositor: 16,
  guardians: [17, 18],
} as const;

export interface StakedFixture extends PluralFixture {
  signers: HardhatEthersSigner[];
  /** Validators staked: operators × keys per operator. */
  validators: number;
  /** The validators' pubkeys, 0x-prefixed, in staking order. */
  pubkeys: string[];
}

/** The mnemonic of the keys `stakeThroughOperators` makes for operator `operatorId`: entropy bytes all `id + 1`. */
export function operatorMnemonic(operatorId: number): string {
  return entropyToMnemonic(new Uint8Array(32).fill(operatorId + 1), wordlist);
}

/** An operator to add: its name, manager and reward address (account indices). */
export interface OperatorPlan {
  name: string;
  manager: number;
  rewardAddress: number;
}

/**
 * Stakes through the real path: governance adds `operators` through the timelock (delay skipped), each submits
 * `keysPerOperator` real BLS deposits (mnemonic seed = id + 1) for the withdrawal vault and has them vetted, `depositor`
 * fills the buffer, guardians `STAKED_ACCOUNTS.guardians` attest and the depositor stakes every validator. Returns the
 * staked pubkeys in staking order.
 */
export async function stakeThroughOperators(
  connection: NetworkConnection,
  protocol: Protocol,
  operators: readonly OperatorPlan[],
  keysPerOperator: number,
  depositor: number = STAKED_ACCOUNTS.depositor,
): Promise<string[]> {
  const network = BEACON_NETWORKS.local;
  const signers = await connection.ethers.getSigners();
  const account = (index: number) => {
    const found = signers[index];
    if (found === undefined) throw new Error(`tests need account #${index}`);
    return found;
  };
  const governance = account(STAKED_ACCOUNTS.governance);
  const skipDelay = localDelaySkipper(connection.provider, connection.networkName, true);
  const govern = async (request: Parameters<typeof registryOperation>[2]) =>
    advanceOperation(
      protocol.timelock,
      governance,
      await registryOperation(protocol.timelock, protocol.operatorRegistry, request),
      skipDelay,
    );
  const firstId = Number(await protocol.operatorRegistry.operatorCount());
  for (const [offset, operator] of operators.entries()) {
    const operatorId = firstId + offset;
    const manager = account(operator.manager);
    await govern({
      kind: "add",
      name: operator.name,
      manager: manager.address,
      rewardAddress: account(operator.rewardAddress).address,
    });
    const { deposits } = generateDepositData({
      mnemonic: operatorMnemonic(operatorId),
      start: 0,
      count: keysPerOperator,
      network,
      withdrawal: { kind: "execution", address: protocol.addresses.withdrawalVault },
    });
    await submitKeys(protocol, manager, operatorId, deposits, { network });
    await govern({ kind: "vet", operatorId, vettedKeys: BigInt(keysPerOperator) });
  }
  const validators = operators.length * keysPerOperator;
  await deposit(protocol.pool, account(depositor), parseEther("32") * BigInt(validators));
  const report = await guardianCheck(protocol, network);
  const attestations = [];
  for (const index of STAKED_ACCOUNTS.guardians)
    attestations.push(await signAttestation(protocol, account(index), report));
  const plan = await planStake(protocol);
  const pubkeys: string[] = [];
  for (const segment of plan.segments) {
    const hex = String(segment.pubkeys).slice(2);
    for (let offset = 0; offset < hex.length; offset += 96) pubkeys.push(`0x${hex.slice(offset, offset + 96)}`);
  }
  await stake(protocol, account(depositor), plan, mergeAttestations(attestations));
  if (pubkeys.length !== validators) throw new Error(`staked ${pubkeys.length} validators, expected ${validators}`);
  return pubkeys;
}

/**
 * A fixture that deploys Plural and stakes `operators × keysPerOperator` validators with `stakeThroughOperators`:
 * operator i is managed by `STAKED_ACCOUNTS.managers[i]`, which is also its reward address.
 */
export function stakedFixture(
  connection: NetworkConnection,
  operators = 4,
  keysPerOperator = 2,
): () => Promise<StakedFixture> {
  if (operators > STAKED_ACCOUNTS.managers.length) {
    throw new RangeError(`at most ${STAKED_ACCOUNTS.managers.length} operators`);
  }
  const deployPlural = pluralFixture(connection);
  return async function deployStakedPlural(): Promise<StakedFixture> {
    const fixture = await deployPlural();
    const plans = STAKED_ACCOUNTS.managers
      .slice(0, operators)
      .map((manager, id) => ({ name: `Operator ${id}`, manager, rewardAddress: manager }));
    const pubkeys = await stakeThroughOperators(connection, fixture.protocol, plans, keysPerOperator);
    const signers = await connection.ethers.getSigners();
    return { ...fixture, signers, validators: operators * keysPerOperator, pubkeys };
  };
}

/** The protocol's oracle members as signers. */
export function oracleMembers(fixture: StakedFixture): HardhatEthersSigner[] {
  return STAKED_ACCOUNTS.oracleMembers.map((index) => fixture.signers[index]!);
}
