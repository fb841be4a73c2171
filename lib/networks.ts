import { UserInputError } from "./errors.js";

/** The beacon networks Plural generates and checks deposits for. */
export const BEACON_NETWORK_NAMES = ["mainnet", "sepolia", "holesky", "hoodi", "local"] as const;
export type BeaconNetworkName = (typeof BEACON_NETWORK_NAMES)[number];

/** What deposits on a beacon network depend on, and where they go. */
export interface BeaconNetwork {
  name: BeaconNetworkName;
  /** The execution chain's id, as `provider.getNetwork()` reports it. */
  chainId: bigint;
  /** GENESIS_FORK_VERSION: the fork version of the deposit signing domain, 0x-prefixed, 4 bytes. */
  genesisForkVersion: string;
  /** The official deposit contract (checksummed); absent on `local`, where each deployment has its own mock. */
  depositContract?: string;
  /** The deposit CLI's `network_name` in `deposit_data-*.json` files. */
  depositCliNetworkName: string;
}

/**
 * Fork version of the local Hardhat chain: 0x00007a69, the chain id 31337 in its last two bytes. Not mainnet's
 * 0x00000000 on purpose: a deposit signature is only bound to the fork version, so with mainnet's version any deposit
 * signed for the local chain (say with a real key and a throwaway Hardhat withdrawal address) would also be a valid
 * mainnet deposit, and whoever submits it first fixes that validator's withdrawal credentials. The official CLIs sign
 * for it with `--devnet_chain_setting '{"network_name": "local", "genesis_fork_version": "00007a69", ...}'`.
 */
export const LOCAL_GENESIS_FORK_VERSION = "0x00007a69";

/** The supported networks, by name. Values from each network's published config (GENESIS_FORK_VERSION). */
export const BEACON_NETWORKS: Readonly<Record<BeaconNetworkName, Readonly<BeaconNetwork>>> = Object.freeze({
  mainnet: {
    name: "mainnet",
    chainId: 1n,
    genesisForkVersion: "0x00000000",
    depositContract: "0x00000000219ab540356cBB839Cbe05303d7705Fa",
    depositCliNetworkName: "mainnet",
  },
  sepolia: {
    name: "sepolia",
    chainId: 11_155_111n,
    genesisForkVersion: "0x90000069",
    depositContract: "0x7f02C3E3c98b133055B8B348B2Ac625669Ed295D",
    depositCliNetworkName: "sepolia",
  },
  holesky: {
    name: "holesky",
    chainId: 17_000n,
    genesisForkVersion: "0x01017000",
    depositContract: "0x4242424242424242424242424242424242424242",
    depositCliNetworkName: "holesky",
  },
  hoodi: {
    name: "hoodi",
    chainId: 560_048n,
    genesisForkVersion: "0x10000910",
    depositContract: "0x00000000219ab540356cBB839Cbe05303d7705Fa",
    depositCliNetworkName: "hoodi",
  },
  local: {
    name: "local",
    chainId: 31_337n,
    genesisForkVersion: LOCAL_GENESIS_FORK_VERSION,
    depositCliNetworkName: "local",
  },
});

function isBeaconNetworkName(name: string): name is BeaconNetworkName {
  return (BEACON_NETWORK_NAMES as readonly string[]).includes(name);
}

/**
 * A supported beacon network by name ("mainnet", "Hoodi"; case-insensitive) or by execution chain id (1, 560048n,
 * "11155111").
 *
 * @param argument Names the option in the error message.
 * @throws UserInputError naming the input and listing the known networks and chain ids.
 */
export function beaconNetwork(nameOrChainId: string | number | bigint, argument = "network"): Readonly<BeaconNetwork> {
  const text = String(nameOrChainId).trim();
  const byName = text.toLowerCase();
  if (isBeaconNetworkName(byName)) return BEACON_NETWORKS[byName];
  if (/^\d+$/.test(text)) {
    const chainId = BigInt(text);
    const network = Object.values(BEACON_NETWORKS).find((candidate) => candidate.chainId === chainId);
    if (network !== undefined) return network;
  }
  const known = BEACON_NETWORK_NAMES.map((name) => `${name} (chain id ${BEACON_NETWORKS[name].chainId})`).join(", ");
  throw new UserInputError(`${argument} "${text}" is not a supported beacon network: expected one of ${known}`);
}
