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

/**
 * A fixture that deploys Plural and stakes `operators × keysPerOperator` validators through the real path: governance
 * adds the operators (managers `STAKED_ACCOUNTS.managers`), each submits real BLS deposit data (mnemonic seed = id + 1)
 * for the withdrawal vault, governance vets it, the depositor fills the buffer, guardians attest and the pool stakes.
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
  const network = BEACON_NETWORKS.local;
  return async function deployStakedPlural(): Promise<StakedFixture> {
    const fixture = await deployPlural();
    const { protocol } = fixture;
    const signers = await connection.ethers.getSigners();
    const governance = signers[STAKED_ACCOUNTS.governance]!;
    const skipDelay = localDelaySkipper(connection.provider, "default", true);
    const pubkeys: string[] = [];
    for (let operatorId = 0; operatorId < operators; operatorId++) {
      const manager = signers[STAKED_ACCOUNTS.managers[operatorId]!]!;
      const govern = async (request: Parameters<typeof registryOperation>[2]) =>
        advanceOperation(
          protocol.timelock,
          governance,
          await registryOperation(protocol.timelock, protocol.operatorRegistry, request),
          skipDelay,
        );
      await govern({
        kind: "add",
        name: `Operator ${operatorId}`,
        manager: manager.address,
        rewardAddress: manager.address,
      });
      const { deposits } = generateDepositData({
        mnemonic: entropyToMnemonic(new Uint8Array(32).fill(operatorId + 1), wordlist),
        start: 0,
        count: keysPerOperator,
        network,
        withdrawal: { kind: "execution", address: protocol.addresses.withdrawalVault },
      });
      await submitKeys(protocol, manager, operatorId, deposits, { network });
      await govern({ kind: "vet", operatorId, vettedKeys: BigInt(keysPerOperator) });
    }
    const validators = operators * keysPerOperator;
    await deposit(protocol.pool, signers[STAKED_ACCOUNTS.depositor]!, parseEther("32") * BigInt(validators));
    const report = await guardianCheck(protocol, network);
    const attestations = [];
    for (const index of STAKED_ACCOUNTS.guardians) {
      attestations.push(await signAttestation(protocol, signers[index]!, report));
    }
    const plan = await planStake(protocol);
    for (const segment of plan.segments) {
      const hex = String(segment.pubkeys).slice(2);
      for (let offset = 0; offset < hex.length; offset += 96) pubkeys.push(`0x${hex.slice(offset, offset + 96)}`);
    }
    await stake(protocol, signers[0]!, plan, mergeAttestations(attestations));
    if (pubkeys.length !== validators) throw new Error(`staked ${pubkeys.length} validators, expected ${validators}`);
    return { ...fixture, signers, validators, pubkeys };
  };
}

/** The protocol's oracle members as signers. */
export function oracleMembers(fixture: StakedFixture): HardhatEthersSigner[] {
  return STAKED_ACCOUNTS.oracleMembers.map((index) => fixture.signers[index]!);
}
