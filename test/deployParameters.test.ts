/**
 * The checks that run before a deployment sends anything (lib/deployParameters.ts, lib/deployPreflight.ts): the
 * parameter files as shipped, each rule on its own, the chain facts judged, and the chain read on the in-process
 * network. Also the configuration a testnet deployment relies on: secrets as configuration variables, Etherscan's key,
 * the keystore and verification tasks.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { getAddress, parseEther, ZeroAddress } from "ethers";
import hre, { network } from "hardhat";

import PluralModule from "../deploy/modules/Plural.js";
import PluralLocalModule from "../deploy/modules/PluralLocal.js";
import { PROJECT_ROOT } from "../lib/deployment.js";
import {
  BEACON_GENESIS_TIMES,
  checkParameters,
  type ParameterCheck,
  parameterNames,
  type PluralParameters,
  readModuleParameters,
} from "../lib/deployParameters.js";
import {
  type ChainFacts,
  checkChain,
  DEPLOYMENT_GAS_ESTIMATE,
  expectedChainId,
  planRows,
  readChainFacts,
} from "../lib/deployPreflight.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { expectUserError } from "./helpers/protocol.js";
import { TEAM_ADDRESS_PARAMETERS } from "./helpers/parameters.js";

const HOODI = BEACON_NETWORKS.hoodi.chainId;
const SEPOLIA = BEACON_NETWORKS.sepolia.chainId;
const LOCAL = 31_337n;
const parametersFile = (name: string) => path.join(PROJECT_ROOT, "deploy", "parameters", `${name}.json`);

/** A distinct checksummed address for placeholder `index`. */
const filler = (index: number) => getAddress(`0x${(0xa11ce000 + index).toString(16).padStart(40, "0")}`);

/** `section` with every "<...>" placeholder replaced by a distinct address, as a deploying team fills it in. */
function filled(section: Record<string, unknown>): Record<string, unknown> {
  let next = 0;
  const fill = (value: unknown): unknown =>
    typeof value === "string" && value.startsWith("<")
      ? filler(next++)
      : Array.isArray(value)
        ? value.map(fill)
        : value;
  return Object.fromEntries(Object.entries(section).map(([name, value]) => [name, fill(value)]));
}

/** The parameter names an Ignition module reads, found by walking its futures for module parameters. */
function moduleParameterNames(module: object, moduleId: string): string[] {
  const names = new Set<string>();
  const seen = new Set<object>();
  const visit = (value: unknown) => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    const candidate = value as { type?: unknown; moduleId?: unknown; name?: unknown };
    if (candidate.type === "MODULE_PARAMETER" && candidate.moduleId === moduleId) names.add(String(candidate.name));
    const children = value instanceof Set || value instanceof Map ? [...value.values()] : Object.values(value);
    children.forEach(visit);
  };
  visit(module);
  return [...names].sort();
}

/** The local parameters for the Plural module (valid on the local chain), as a mutable copy. */
async function validSection(): Promise<Record<string, unknown>> {
  return { ...(await readModuleParameters(parametersFile("localhost"), "Plural")) };
}

function expectOneProblem(check: ParameterCheck, pattern: RegExp, label: string): void {
  expect(check.problems, `${label}: one problem`).to.have.length(1);
  expect(check.problems[0], label).to.match(pattern);
  expect(check.parameters, `${label}: no parameters`).to.equal(undefined);
}

describe("deployment checks", function () {
  describe("the parameter files", function () {
    it("the checks cover exactly the parameters the Plural and PluralLocal modules read", function () {
      expect(moduleParameterNames(PluralModule, "Plural"), "Plural").to.deep.equal(parameterNames("Plural").sort());
      expect(moduleParameterNames(PluralLocalModule, "PluralLocal"), "PluralLocal").to.deep.equal(
        parameterNames("PluralLocal").sort(),
      );
    });

    for (const [name, chainId] of [
      ["hoodi", HOODI],
      ["sepolia", SEPOLIA],
    ] as const) {
      it(`${name}.json: complete but for the team's addresses, each named as not filled in`, async function () {
        const section = await readModuleParameters(parametersFile(name), "Plural");
        const { problems } = checkParameters(section, { chainId });
        expect(
          problems.map((line) => line.split(":")[0]),
          "one problem per placeholder",
        ).to.deep.equal(TEAM_ADDRESS_PARAMETERS);
        for (const line of problems)
          expect(line).to.match(/^[\w[\]]+: "<[^>]+>" is not filled in: expected a checksummed address$/);
      });

      it(`${name}.json filled in passes: the official deposit contract, genesis time and slot timing`, async function () {
        const section = filled(await readModuleParameters(parametersFile(name), "Plural"));
        const { parameters, problems } = checkParameters(section, { chainId });
        expect(problems, "no problems").to.deep.equal([]);
        expect(parameters!.depositContract, "deposit contract").to.equal(BEACON_NETWORKS[name].depositContract);
        expect(parameters!.genesisTime, "genesis").to.equal(BEACON_GENESIS_TIMES[name]);
        expect(parameters!.timelockProposer, "token governance").to.equal(ZeroAddress);
        const supply = parameters!.tokenAmounts.reduce((sum, amount) => sum + amount, 0n);
        expect(supply, "1,000,000 PLURAL").to.equal(parseEther("1000000"));
        expect(parameters!.operationsProposer, "an operations timelock").not.to.equal(ZeroAddress);
        expect(parameters!.pauseGuardian, "a pause guardian").not.to.equal(ZeroAddress);
        expect(parameters!.timelockMinDelay, "a testnet delay: 1 hour").to.equal(3_600n);
      });
    }

    it("the local files pass on the local chain: localhost.json for Plural, local*.json for PluralLocal", async function () {
      expect(checkParameters(await validSection(), { chainId: LOCAL }).problems, "localhost.json").to.deep.equal([]);
      for (const name of ["local", "local-governor"]) {
        const section = await readModuleParameters(parametersFile(name), "PluralLocal");
        expect(checkParameters(section, { chainId: LOCAL, module: "PluralLocal" }).problems, name).to.deep.equal([]);
      }
    });
  });

  describe("checkParameters", function () {
    const cases: [string, (section: Record<string, unknown>) => void, RegExp][] = [
      ["a missing parameter", (s) => delete s.treasury, /^treasury: missing: expected an address$/],
      ["an unknown parameter", (s) => (s.guardianQuroum = 2n), /^guardianQuroum: the Plural module reads no such/],
      [
        "a number as a plain string",
        (s) => (s.maxBlockAge = "64"),
        /^maxBlockAge: "64" is not a whole number: write it as "64n"$/,
      ],
      ["a negative number", (s) => (s.maxBlockAge = -1n), /^maxBlockAge: -1 is negative$/],
      [
        "an address in lower case",
        (s) => (s.treasury = "0x2546bcd3c84621e976d8185a91a922ae77ecec30"),
        /^treasury: 0x2546bcd3c84621e976d8185a91a922ae77ecec30 is not checksummed: write 0x2546BcD3c84621e976D8185a91A922aE77ECEc30$/,
      ],
      [
        "a wrong checksum",
        (s) => (s.treasury = "0x2546BcD3c84621e976D8185a91A922aE77ECEc31"),
        /^treasury: 0x2546BcD3c84621e976D8185a91A922aE77ECEc31 has a wrong EIP-55 checksum/,
      ],
      ["a malformed address", (s) => (s.treasury = "0x1234"), /^treasury: "0x1234" is not an address/],
      ["a zero treasury", (s) => (s.treasury = ZeroAddress), /^treasury: the zero address is not allowed here$/],
      [
        "a zero deposit contract",
        (s) => (s.depositContract = ZeroAddress),
        /^depositContract: the zero address is not allowed/,
      ],
      [
        "a zero guardian",
        (s) => (s.guardians = [ZeroAddress, filler(1), filler(2)]),
        /^guardians\[0\]: the zero address is not allowed/,
      ],
      [
        "a guardian listed twice",
        (s) => (s.guardians = [filler(1), filler(1)]),
        /^guardians: 0x0*A11ce001 is listed twice$/i,
      ],
      ["no guardians", (s) => (s.guardians = []), /^guardians: empty: expected at least one address$/],
      [
        "17 guardians",
        (s) => (s.guardians = Array.from({ length: 17 }, (_, i) => filler(i))),
        /^guardians: 17 addresses is above 16 \(DepositGuard.MAX_GUARDIANS\)$/,
      ],
      [
        "a guardian quorum above the guardians",
        (s) => (s.guardianQuorum = 4n),
        /^guardianQuorum: 4 of 3 guardians is not at least one: expected 1 to 3$/,
      ],
      ["a guardian quorum of zero", (s) => (s.guardianQuorum = 0n), /^guardianQuorum: 0 of 3 guardians/],
      [
        "an oracle quorum short of a majority",
        (s) => (s.oracleQuorum = 1n),
        /^oracleQuorum: 1 of 3 oracleMembers is not a majority: expected 2 to 3$/,
      ],
      [
        "33 oracle members",
        (s) => ((s.oracleMembers = Array.from({ length: 33 }, (_, i) => filler(i))), (s.oracleQuorum = 17n)),
        /^oracleMembers: 33 addresses is above 32/,
      ],
      [
        "fees above the cap",
        (s) => (s.treasuryFeeBps = 1_600n),
        /^treasuryFeeBps \+ operatorFeeBps: 1,600 \+ 500 = 2,100 bps is above 2,000 \(StakingPool.MAX_FEE_BPS\)$/,
      ],
      [
        "a timelock delay above 30 days",
        (s) => (s.timelockMinDelay = 2_592_001n),
        /^timelockMinDelay: 2,592,001 s is out of bounds: expected 0 to 2,592,000 s \(PluralTimelock.MAX_DELAY\)$/,
      ],
      [
        "an operations delay above 30 days",
        (s) => (s.operationsMinDelay = 2_592_001n),
        /^operationsMinDelay: 2,592,001 s is out of bounds/,
      ],
      [
        "a voting period under an hour",
        (s) => (s.votingPeriod = 60n),
        /^votingPeriod: 60 s is out of bounds: expected 3,600 to 2,592,000 s/,
      ],
      [
        "a voting delay that does not fit 48 bits",
        (s) => (s.votingDelay = 2n ** 48n),
        /^votingDelay: 281,474,976,710,656 does not fit its ABI type/,
      ],
      ["a quorum of 51 %", (s) => (s.quorumPercent = 51n), /^quorumPercent: 51 % is out of bounds: expected 1 to 50 %/],
      [
        "holders and amounts of different lengths",
        (s) => (s.tokenAmounts = [parseEther("600000")]),
        /^tokenAmounts: 1 amounts for 3 tokenHolders: expected one each$/,
      ],
      [
        "a holder with no tokens",
        (s) => (s.tokenAmounts = [parseEther("600000"), 0n, parseEther("200000")]),
        /^tokenAmounts\[1\]: zero: every holder gets some PLURAL$/,
      ],
      [
        "no holders under token governance",
        (s) => ((s.tokenHolders = []), (s.tokenAmounts = [])),
        /^tokenHolders: token governance \(timelockProposer is zero\) needs at least one holder$/,
      ],
      [
        "a threshold above the supply",
        (s) => (s.proposalThreshold = parseEther("1000001")),
        /^proposalThreshold: .* is above the whole supply 1,000,000,000,000,000,000,000,000: nobody could propose$/,
      ],
      [
        "a supply above ERC20Votes' limit",
        (s) => ((s.tokenHolders = [filler(1)]), (s.tokenAmounts = [2n ** 208n])),
        /^tokenAmounts: the supply .* is above ERC20Votes' 2\^208 - 1$/,
      ],
      [
        "a pause longer than 14 days",
        (s) => (s.maxPauseDuration = 1_209_601n),
        /^maxPauseDuration: 1,209,601 s is out of bounds: expected 1 to 1,209,600 s \(EmergencyPause.MAX_PAUSE_DURATION\)$/,
      ],
      [
        "a vetting limit of zero",
        (s) => (s.vettingLimit = 0n),
        /^vettingLimit: 0 is out of bounds: expected 1 to 10,000/,
      ],
      [
        "an initial deposit under 0.001 ETH",
        (s) => (s.initialDeposit = 10n ** 15n - 1n),
        /^initialDeposit: 999,999,999,999,999 wei is out of bounds.*StakingPool.MIN_INITIAL_DEPOSIT/,
      ],
      [
        "a stake limit above 2^96 - 1",
        (s) => (s.stakeLimitMax = 2n ** 96n),
        /^stakeLimitMax: .* wei is above 2\^96 - 1/,
      ],
      ["a share cap above 100 %", (s) => (s.shareCapBps = 10_001n), /^shareCapBps: 10,001 bps is out of bounds/],
      [
        "an exit response under an hour",
        (s) => (s.exitResponseTime = 3_599n),
        /^exitResponseTime: 3,599 s is out of bounds/,
      ],
      [
        "a block age above 256",
        (s) => (s.maxBlockAge = 257n),
        /^maxBlockAge: 257 blocks is out of bounds: expected 1 to 256 blocks/,
      ],
      [
        "a guard pause above 3 days",
        (s) => (s.pauseDuration = 259_201n),
        /^pauseDuration: 259,201 s is out of bounds.*DepositGuard.MAX_PAUSE_DURATION/,
      ],
      [
        "a report age no longer than a frame",
        (s) => (s.maxReportAge = 86_400n),
        /^maxReportAge: 86,400 s is not longer than a frame \(86,400 s = /,
      ],
      [
        "a frame of 6,751 epochs",
        (s) => (s.epochsPerFrame = 6_751n),
        /^epochsPerFrame: 6,751 is out of bounds.*MAX_EPOCHS_PER_FRAME/,
      ],
      ["an APR bound above 50 %", (s) => (s.maxAprBps = 5_001n), /^maxAprBps: 5,001 bps is out of bounds/],
      ["a loss bound of zero", (s) => (s.maxLossBps = 0n), /^maxLossBps: 0 bps is out of bounds/],
      [
        "an unseen-deposit deadline of a year and a day",
        (s) => (s.unseenDepositDeadline = 31_622_400n),
        /^unseenDepositDeadline: 31,622,400 s is out of bounds/,
      ],
      [
        "an exit-request fee cap above 0.1 ETH",
        (s) => (s.maxExitRequestFee = parseEther("0.1") + 1n),
        /^maxExitRequestFee: 100,000,000,000,000,001 wei is out of bounds/,
      ],
      ["a slot of zero seconds", (s) => (s.secondsPerSlot = 0n), /^secondsPerSlot: 0 is out of bounds/],
    ];
    for (const [label, mutate, pattern] of cases) {
      it(`refuses ${label}, naming it`, async function () {
        const section = await validSection();
        mutate(section);
        expectOneProblem(checkParameters(section, { chainId: LOCAL }), pattern, label);
      });
    }

    it("names every problem at once, none hiding another", async function () {
      const section = await validSection();
      Object.assign(section, {
        treasury: "<treasury address>",
        guardianQuorum: 4n,
        treasuryFeeBps: 1_600n,
        votingPeriod: 60n,
        oracleMembers: ["<oracle member 1 address>", filler(2), filler(3)],
      });
      const { problems } = checkParameters(section, { chainId: LOCAL });
      expect(problems.map((line) => line.split(":")[0])).to.have.members([
        "treasury",
        "oracleMembers[0]",
        "votingPeriod",
        "treasuryFeeBps + operatorFeeBps",
        "guardianQuorum",
      ]);
    });

    it("holds mainnet's timelocks to a one-day floor, testnets not", async function () {
      const section = await validSection();
      section.depositContract = BEACON_NETWORKS.mainnet.depositContract;
      section.genesisTime = BEACON_GENESIS_TIMES.mainnet;
      expect(checkParameters(section, { chainId: 1n }).problems, "mainnet").to.deep.equal([
        "timelockMinDelay: 3600 s is below 86400 s on mainnet (PluralTimelock.MIN_PRODUCTION_DELAY)",
        "operationsMinDelay: 600 s is below 86400 s on mainnet (PluralTimelock.MIN_PRODUCTION_DELAY)",
      ]);
    });

    it("on a public network, refuses another deposit contract, genesis time or slot timing than its own", async function () {
      const section = filled(await readModuleParameters(parametersFile("hoodi"), "Plural"));
      Object.assign(section, {
        depositContract: BEACON_NETWORKS.sepolia.depositContract,
        genesisTime: BEACON_GENESIS_TIMES.sepolia,
        secondsPerSlot: 6n,
        slotsPerEpoch: 16n,
        maxReportAge: 172_800n,
      });
      expect(checkParameters(section, { chainId: HOODI }).problems).to.deep.equal([
        "depositContract: 0x7f02C3E3c98b133055B8B348B2Ac625669Ed295D is not hoodi's deposit contract " +
          "0x00000000219ab540356cBB839Cbe05303d7705Fa",
        "genesisTime: 1655733600 is not hoodi's beacon genesis time 1742213400 (2025-03-17T12:10:00Z)",
        "secondsPerSlot: 6 is not hoodi's 12",
        "slotsPerEpoch: 16 is not hoodi's 32",
      ]);
    });

    it("with a multisig proposing, skips the token's bounds but still needs ABI-encodable values", async function () {
      const section = await validSection();
      Object.assign(section, { timelockProposer: filler(9), tokenHolders: [], tokenAmounts: [], votingPeriod: 0n });
      expect(checkParameters(section, { chainId: LOCAL }).problems, "token bounds skipped").to.deep.equal([]);
      section.votingDelay = 2n ** 48n;
      expect(checkParameters(section, { chainId: LOCAL }).problems, "still uint48").to.have.length(1);
    });

    it("with no operations timelock, skips its delay", async function () {
      const section = await validSection();
      Object.assign(section, { operationsProposer: ZeroAddress, operationsMinDelay: 10n ** 12n });
      expect(checkParameters(section, { chainId: LOCAL }).problems).to.deep.equal([]);
    });
  });

  describe("readModuleParameters", function () {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "plural-parameters-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const write = (content: string) => {
      const file = path.join(dir, "p.json");
      writeFileSync(file, content);
      return file;
    };

    it("reads bigints as Ignition does, and takes from $global only what the module reads", async function () {
      const file = write(
        '{ "$global": { "treasury": "0x2546BcD3c84621e976D8185a91A922aE77ECEc30", "other": 1 }, "Plural": { "maxBlockAge": "64n" } }',
      );
      expect(await readModuleParameters(file, "Plural")).to.deep.equal({
        treasury: "0x2546BcD3c84621e976D8185a91A922aE77ECEc30",
        maxBlockAge: 64n,
      });
    });

    it("refuses a missing file, a file that is not JSON and a file without the module's section", async function () {
      await expectUserError(
        readModuleParameters(path.join(dir, "none.json"), "Plural"),
        /cannot read the parameter file/,
      );
      await expectUserError(readModuleParameters(write("{ nope"), "Plural"), /cannot read the parameter file/);
      await expectUserError(
        readModuleParameters(write('{ "PluralLocal": {} }'), "Plural"),
        /has no "Plural" section: the Plural module reads its parameters there/,
      );
    });
  });

  describe("checkChain", function () {
    let parameters: PluralParameters;
    before(async function () {
      parameters = checkParameters(await validSection(), { chainId: LOCAL }).parameters!;
    });
    const facts = (changes: Partial<ChainFacts> = {}): ChainFacts => ({
      chainId: LOCAL,
      blockNumber: 10,
      timestamp: 1_800_000_000n,
      deployer: { address: filler(0), balance: parseEther("100"), nonce: 1 },
      gasPrice: 10n ** 9n,
      depositContract: { address: filler(1), hasCode: true, depositCount: 0n },
      recordedWithoutCode: [],
      ...changes,
    });
    const context = { networkName: "localhost", deploymentId: "chain-31337" };

    it("passes a chain that meets every check", function () {
      expect(checkChain(parameters, facts(), context)).to.deep.equal({ problems: [], notes: [] });
    });

    it("refuses a chain id other than the network's, and checks nothing else", function () {
      const { problems } = checkChain(parameters, facts({ depositContract: undefined }), {
        ...context,
        networkName: "hoodi",
        expectedChainId: HOODI,
      });
      expect(problems).to.deep.equal([
        'chain id: the RPC of network "hoodi" answers chain id 31337, not 560048: check its URL',
      ]);
    });

    it("refuses a deposit contract with no code, or one that does not answer like a deposit contract", function () {
      const none = checkChain(parameters, facts({ depositContract: { address: filler(1), hasCode: false } }), context);
      expect(none.problems).to.deep.equal([`depositContract: no contract at ${filler(1)} on this chain`]);
      const other = checkChain(parameters, facts({ depositContract: { address: filler(1), hasCode: true } }), context);
      expect(other.problems[0]).to.match(/does not answer get_deposit_count\(\) and get_deposit_root\(\)/);
    });

    it("refuses a genesis after the latest block, and on a public network one off the chain's slot clock", function () {
      const early = checkChain(parameters, facts({ timestamp: parameters.genesisTime - 1n }), context);
      expect(early.problems[0]).to.match(/^genesisTime: 1606824023 .* is after the latest block .*refuses a genesis/);
      const hoodi = { ...parameters, genesisTime: BEACON_GENESIS_TIMES.hoodi! };
      const onSlot = BEACON_GENESIS_TIMES.hoodi! + 12n * 1_000n;
      expect(
        checkChain(hoodi, facts({ chainId: HOODI, timestamp: onSlot }), context).problems,
        "on a slot",
      ).to.deep.equal([]);
      expect(checkChain(hoodi, facts({ chainId: HOODI, timestamp: onSlot + 5n }), context).problems[0]).to.match(
        /^genesisTime: the latest block's time \d+ is not genesisTime 1742213400 plus a whole number of 12-second slots/,
      );
    });

    it("refuses a deployer that cannot pay the initial deposit; notes one that may run out of gas", function () {
      const poor = checkChain(parameters, facts({ deployer: { address: filler(0), balance: 1n, nonce: 0 } }), context);
      expect(poor.problems).to.deep.equal([
        `deployer: ${filler(0)} holds 0.000000000000000001 ETH, less than the initialDeposit 0.001 ETH the deployment sends`,
      ]);
      const balance = parameters.initialDeposit + DEPLOYMENT_GAS_ESTIMATE * 10n ** 9n - 1n;
      const short = checkChain(parameters, facts({ deployer: { address: filler(0), balance, nonce: 0 } }), context);
      expect(short.problems, "not a problem").to.deep.equal([]);
      expect(short.notes[0]).to.match(
        /may need about 0\.051 ETH at today's gas price.*run the same command again: it resumes/,
      );
    });

    it("refuses a record whose addresses have no code on this chain", function () {
      const stale = facts({ recordedWithoutCode: [{ futureId: "Plural#PluralDeployer", address: filler(5) }] });
      expect(checkChain(parameters, stale, { ...context, deploymentId: "chain-560048" }).problems).to.deep.equal([
        `record: deploy/deployments/chain-560048 names Plural#PluralDeployer at ${filler(5)}, which has no code on ` +
          "this chain: a record of another chain? Use another --deployment-id",
      ]);
    });

    it("says Sepolia's deposit contract is token-gated, and that an unknown chain is checked against itself only", function () {
      const sepolia = { ...parameters, genesisTime: BEACON_GENESIS_TIMES.sepolia! };
      const onSlot = BEACON_GENESIS_TIMES.sepolia! + 12n * 7n;
      const { notes } = checkChain(sepolia, facts({ chainId: SEPOLIA, timestamp: onSlot }), context);
      expect(notes).to.have.length(1);
      expect(notes[0]).to.match(
        /^Sepolia's deposit contract is token-gated: .*`pool stake`.* reverts .*deploy to Hoodi/,
      );
      const wrongRpc = checkChain(parameters, facts(), {
        ...context,
        networkName: "sepolia",
        expectedChainId: SEPOLIA,
      });
      expect(wrongRpc.notes, "said for the network meant").to.deep.equal(notes);
      expect(checkChain(parameters, facts({ chainId: 17_000_000n }), context).notes[0]).to.match(
        /^chain id 17000000 is not a network lib\/networks\.ts knows/,
      );
    });

    it("expects each public network's chain id, from the config or from its name", function () {
      expect(expectedChainId("hoodi", 560_048), "configured").to.equal(HOODI);
      expect(expectedChainId("sepolia", undefined), "by name").to.equal(SEPOLIA);
      expect(expectedChainId("localhost", undefined), "local: any").to.equal(undefined);
    });

    it("plans a deployment: governance, committees, fees and whether it resumes", function () {
      const rows = planRows(parameters, facts(), {
        ...context,
        recorded: { "BeaconDepositMock#BeaconDepositMock": filler(1), "Plural#GovernanceDeployer": filler(2) },
      });
      const value = (label: string) => rows.find((row) => row[0] === label)?.[1];
      expect(value("PLURAL supply")).to.equal("1,000,000 PLURAL to 3 holders");
      expect(value("deposit guardians")).to.match(/^2 of 3: 0xbDA5…197E, /);
      expect(value("oracle members")).to.match(/^2 of 3: /);
      expect(value("fees")).to.equal("treasury 5.00 %, operators 5.00 %, to 0x2546…Ec30");
      expect(value("record")).to.equal(
        "deploy/deployments/chain-31337: 1 addresses of Plural recorded, the command resumes from there",
      );
    });
  });

  describe("readChainFacts on the in-process chain", function () {
    it("reads the chain id, the clock, the deployer, and whether the deposit contract answers like one", async function () {
      const { ethers } = await network.create();
      const [deployer] = await ethers.getSigners();
      const mock = await ethers.deployContract("BeaconDepositMock");
      const notDeposit = await ethers.deployContract("WithdrawalVault");
      const read = (depositContract: string) =>
        readChainFacts(ethers.provider, { deployer: async () => deployer!.address, depositContract });

      const facts = await read(await mock.getAddress());
      expect(facts.chainId, "chain id").to.equal(LOCAL);
      expect(facts.deployer!.address, "deployer").to.equal(deployer!.address);
      expect(facts.deployer!.nonce, "nonce").to.equal(2);
      expect(facts.depositContract, "the mock").to.deep.equal({
        address: await mock.getAddress(),
        hasCode: true,
        depositCount: 0n,
      });
      expect((await read(await notDeposit.getAddress())).depositContract, "another contract").to.deep.equal({
        address: await notDeposit.getAddress(),
        hasCode: true,
      });
      expect((await read(filler(7))).depositContract, "no code").to.deep.equal({ address: filler(7), hasCode: false });

      const wrong = await readChainFacts(ethers.provider, {
        expectedChainId: HOODI,
        deployer: () => Promise.reject(new Error("not read")),
      });
      expect(wrong, "a wrong chain: only its id").to.deep.equal({
        chainId: LOCAL,
        blockNumber: 0,
        timestamp: 0n,
        recordedWithoutCode: [],
      });
    });
  });

  describe("configuration", function () {
    const saved: Record<string, string | undefined> = {};
    const setEnv = (values: Record<string, string>) => {
      for (const [name, value] of Object.entries(values)) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
    };
    afterEach(function () {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it("reads the RPC URLs, deployer keys and Etherscan key as configuration variables (keystore or environment)", async function () {
      setEnv({
        HOODI_RPC_URL: "https://hoodi.example/rpc",
        HOODI_DEPLOYER_KEY: "0x01",
        SEPOLIA_RPC_URL: "https://sepolia.example/rpc",
        ETHERSCAN_API_KEY: "etherscan-key",
      });
      const hoodi = hre.config.networks.hoodi!;
      const sepolia = hre.config.networks.sepolia!;
      if (hoodi.type !== "http" || sepolia.type !== "http") throw new Error("public networks are http networks");
      expect(await hoodi.url.get(), "Hoodi RPC").to.equal("https://hoodi.example/rpc");
      expect(hoodi.chainId, "Hoodi chain id").to.equal(560_048);
      expect(Array.isArray(hoodi.accounts) && (await hoodi.accounts[0]!.get()), "Hoodi key").to.equal("0x01");
      expect(await sepolia.url.get(), "Sepolia RPC").to.equal("https://sepolia.example/rpc");
      expect(hre.config.verify.etherscan.enabled, "Etherscan verification on").to.equal(true);
      expect(await hre.config.verify.etherscan.apiKey.get(), "Etherscan key").to.equal("etherscan-key");
    });

    it("has the keystore, the verification tasks and each testnet's explorers", function () {
      for (const id of [
        ["keystore", "set"],
        ["ignition", "verify"],
        ["verify", "etherscan"],
        ["deploy", "check"],
      ]) {
        expect(hre.tasks.getTask(id), id.join(" ")).to.have.property("isEmpty", false);
      }
      for (const [chainId, explorer] of [
        [HOODI, "https://hoodi.etherscan.io"],
        [SEPOLIA, "https://sepolia.etherscan.io"],
      ] as const) {
        expect(hre.config.chainDescriptors.get(chainId)?.blockExplorers.etherscan?.url, String(chainId)).to.equal(
          explorer,
        );
      }
    });
  });
});
