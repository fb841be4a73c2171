import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { BytesLike } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { deployLocalProtocol } from "../../lib/deploy.js";
import { UserInputError } from "../../lib/errors.js";
import { connectProtocol, type Protocol } from "../../lib/protocol.js";

/** Named accounts of the local parameter file (deploy/parameters/local.json). */
export interface Accounts {
  deployer: HardhatEthersSigner;
  governance: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

export interface PluralFixture {
  protocol: Protocol;
  accounts: Accounts;
}

/**
 * A fixture that deploys the protocol through the same Ignition module and parameters as `hardhat ignition deploy`.
 * Create it once per file and pass it to `networkHelpers.loadFixture`, which snapshots the chain after the first run.
 */
export function pluralFixture(connection: NetworkConnection): () => Promise<PluralFixture> {
  return async function deployPlural(): Promise<PluralFixture> {
    const { ethers } = connection;
    const protocol = await connectProtocol(ethers, await deployLocalProtocol(connection));
    const [deployer, governance, alice, bob, carol, stranger] = await ethers.getSigners();
    if (stranger === undefined) throw new Error("tests need 6 accounts");
    return {
      protocol,
      accounts: { deployer: deployer!, governance: governance!, alice: alice!, bob: bob!, carol: carol!, stranger },
    };
  };
}

/**
 * Runs `data` on `target` through the timelock as governance does: the proposer schedules, the delay passes, the
 * executor executes. Returns the execution's transaction.
 */
export async function executeThroughTimelock(
  connection: NetworkConnection,
  protocol: Protocol,
  governance: HardhatEthersSigner,
  target: string,
  data: BytesLike,
) {
  const timelock = protocol.timelock.connect(governance);
  const salt = connection.ethers.id(`${target}:${String(data)}:${Date.now()}:${Math.random()}`);
  const delay = await timelock.getMinDelay();
  await (await timelock.schedule(target, 0n, data, connection.ethers.ZeroHash, salt, delay)).wait();
  await connection.networkHelpers.time.increase(delay);
  return timelock.execute(target, 0n, data, connection.ethers.ZeroHash, salt);
}

/** Impersonates the timelock: for tests about what a role may do, not about the timelock itself. */
export async function timelockSigner(connection: NetworkConnection, protocol: Protocol) {
  const address = protocol.addresses.timelock;
  await connection.networkHelpers.setBalance(address, 10n ** 20n);
  return connection.ethers.getImpersonatedSigner(address);
}

/** Asserts that `action` throws a `UserInputError` whose message matches `pattern`. */
export async function expectUserError(action: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  try {
    await (typeof action === "function" ? action() : action);
  } catch (error) {
    expect(error, "the error type").to.be.instanceOf(UserInputError);
    expect((error as Error).message, "the error message").to.match(pattern);
    return;
  }
  expect.fail(`expected a UserInputError matching ${pattern}, but nothing was thrown`);
}
