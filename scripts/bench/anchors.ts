/**
 * Other protocols' figures, printed next to ours in the benchmark table. A figure is here only with a source, and its
 * note says what exactly the source measured; where the operation or its conditions differ from our row's, the note
 * says how. None of these is measured here: they are what the sources say, under their own conditions, so they are a
 * scale to read ours against. docs/benchmarks.md lists the same sources and what was looked for and not found.
 *
 * - Lido: the figures the earlier issues give, with the qualifiers they gave, unchanged from the benchmark those issues
 *   built (scripts/bench.ts before the one-table benchmark; README's gas table).
 * - StakeWise: the issues give none. stakewise/v3-core commits Foundry gas snapshots; the figures below are from
 *   snapshots/VaultEnterExitTest.json and snapshots/KeeperRewardsTest.json at commit
 *   115404a651d2f3b1c86c2cba29d502bb1a4ec7bb (EthVault version 5), written by `vm.startSnapshotGas` and
 *   `vm.stopSnapshotGas` around one call inside a test on a mainnet fork (test/VaultEnterExit.t.sol,
 *   test/KeeperRewards.t.sol). That is the call's execution gas: no 21,000 transaction base, no calldata, and every
 *   account and slot the test touched earlier in the same test function is already warm (Foundry runs a test function
 *   as one transaction). A receipt for the same call costs at least 21,000 more.
 * - Rocket Pool: the issues give none, and no published measurement was found (see ANCHOR_GAPS).
 */
import type { Anchor, AnchorGaps, AnchorName } from "./report.js";

type Anchors = Partial<Record<AnchorName, Anchor>>;

const STAKEWISE = "v3-core@115404a Foundry snapshot: the call's execution gas (no 21,000 base, no calldata)";

/** What "—" means in each anchor's column. */
export const ANCHOR_GAPS: AnchorGaps = {
  Lido: "the earlier issues give no Lido figure for this operation",
  StakeWise:
    "the issues give no StakeWise figures; v3-core's gas snapshots have none for this operation under comparable " +
    "conditions (e.g. its receive() figure, 79,618, is a first deposit, ours an existing holder's)",
  "Rocket Pool":
    "the issues give no Rocket Pool figures and no published measurement was found; DEX aggregators' flat gas " +
    "budgets for rETH deposit and burn are estimates, not measurements, and are not printed (docs/benchmarks.md)",
};

export const ANCHORS = {
  depositNewHolder: {
    Lido: { figure: "90,180", note: "Lido.submit" },
    // snapshots/VaultEnterExitTest.json "VaultEnterExitTest_test_deposit_success_basic".
    StakeWise: {
      figure: "83,160",
      note: `EthVault.deposit of 1 ETH by an account without shares (test_deposit_success_basic); ${STAKEWISE}`,
    },
  },
  depositExistingHolder: {
    Lido: { figure: "73,080", note: "Lido.submit" },
    // "VaultEnterExitTest_test_deposit_success_multipleDeposits": the first deposit runs in the same test function.
    StakeWise: {
      figure: "57,463",
      note:
        "EthVault.deposit of 2 ETH, the account's second, right after its first in the same test, so every slot is " +
        `warm (test_deposit_success_multipleDeposits); ${STAKEWISE}`,
    },
  },
  addKeysPerKey: {
    Lido: { figure: "~110,000", note: "keys stored on-chain, per key" },
  },
  stakePerValidator: {
    Lido: { figure: "112,176", note: "the depositor's budget per validator" },
  },
  oracleVote: {
    Lido: { figure: "~80,000", note: "HashConsensus.submitReport" },
  },
  oracleApply: {
    Lido: { figure: "~600,000", note: "AccountingOracle.submitReportData, 1 staking module" },
    // snapshots/KeeperRewardsTest.json "KeeperRewardsTest_test_updateRewards" and "KeeperRewardsTest_test_harvest".
    StakeWise: {
      figure: "101,423",
      note:
        "Keeper.updateRewards with one oracle signature (the test lowers the quorum to 1): it stores the rewards " +
        "root; each vault applies its share in its own call (test_harvest, 130,932), which our report does for the " +
        `whole pool (test_updateRewards); ${STAKEWISE}`,
    },
  },
  withdrawalRequest: {
    Lido: { figure: "176,669" },
    // "VaultEnterExitTest_test_enterExitQueue_basicFlow".
    StakeWise: {
      figure: "94,331",
      note:
        "EthVault.enterExitQueue of all the account's shares in a collateralized vault " +
        `(test_enterExitQueue_basicFlow); ${STAKEWISE}`,
    },
  },
  withdrawalClaim: {
    Lido: { figure: "94,389" },
    // "VaultEnterExitTest_test_claimExitedAssets", inside test_enterExitQueue_basicFlow.
    StakeWise: {
      figure: "752,932",
      note:
        "EthVault.claimExitedAssets after one state update; its cost depends on the vault's exit-queue state at the " +
        `fork block, which the snapshot does not record (test_claimExitedAssets); ${STAKEWISE}`,
    },
  },
} satisfies Record<string, Anchors>;
