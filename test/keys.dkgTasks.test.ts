/**
 * The file-based cluster key flows behind `dkg deal`, `dkg finish`, `keys split`, `keys sign-share` and
 * `keys combine`: the library functions the tasks call, on real files in a temp folder, and two tasks run through
 * `npx hardhat` as child processes for their exit code and one-line error.
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { SecretKey } from "@chainsafe/blst";
import { expect } from "chai";

import { PROJECT_ROOT } from "../lib/deployment.js";
import {
  CLUSTER_FILE_FORMATS,
  commitmentsFileName,
  dealFileName,
  GROUP_FILE_NAME,
  partialFileName,
  shareFileName,
} from "../lib/keys/clusterFiles.js";
import {
  createDepositSigner,
  executionWithdrawalCredentials,
  parseDepositDataFile,
  serializeDepositDataFile,
  verifyDepositData,
} from "../lib/keys/depositData.js";
import { finishDkg, formatComplaint, writeDeal, type FinishDkgOutcome } from "../lib/keys/dkgFiles.js";
import { checkDepositFile } from "../lib/keys/files.js";
import {
  combineDepositFiles,
  parseSecretKeyLines,
  signDepositShare,
  splitKeyFiles,
  type CombineDepositOptions,
} from "../lib/keys/thresholdDeposits.js";
import { BEACON_NETWORKS } from "../lib/networks.js";
import { parseCluster, parseMemberList, requiredNumber } from "../tasks/actions/dkgArguments.js";
import { expectUserError } from "./helpers/protocol.js";

const ADDRESS = "0x000000000000000000000000000000000000dEaD";
const OTHER_ADDRESS = "0x000000000000000000000000000000000000bEEF";
const THRESHOLD = 3;
const MEMBERS = 4;
const VALIDATORS = 2;
const HARDHAT_CLI = path.join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** Every k-element subset of `items`. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, k - 1).map((subset) => [first!, ...subset]), ...subsets(rest, k)];
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

function mode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** Every member deals into `dir`; then every member finishes from `dir` (its deals and every commitments file). */
async function runDkg(dir: string, validators = VALIDATORS): Promise<FinishDkgOutcome[]> {
  for (let member = 1; member <= MEMBERS; member++) {
    await writeDeal({ member, threshold: THRESHOLD, members: MEMBERS, validators, outDir: dir });
  }
  const outcomes: FinishDkgOutcome[] = [];
  for (let member = 1; member <= MEMBERS; member++) {
    outcomes.push(await finishDkg({ member, inDir: dir, outDir: dir }));
  }
  return outcomes;
}

function succeeded(outcome: FinishDkgOutcome | undefined): Extract<FinishDkgOutcome, { ok: true }> {
  if (outcome === undefined || !outcome.ok) expect.fail(`expected a share, got ${JSON.stringify(outcome)}`);
  return outcome;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hardhat(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], { cwd: PROJECT_ROOT, env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("cluster keys by files (dkg and keys split, sign-share, combine)", function () {
  let root: string;
  before(function () {
    root = mkdtempSync(path.join(tmpdir(), "plural-dkg-"));
  });
  after(function () {
    rmSync(root, { recursive: true, force: true });
  });

  describe("DKG, 3-of-4, two validator keys", function () {
    let dir: string;
    let outcomes: FinishDkgOutcome[];
    let partials: string[];
    let combineDir: string;
    let runs = 0;

    /** Combine into a folder of its own: each deposit data file is new. */
    const combine = (files: readonly string[], overrides: Partial<CombineDepositOptions> = {}) =>
      combineDepositFiles({
        partialFiles: files,
        withdrawalAddress: ADDRESS,
        chain: "local",
        outDir: path.join(combineDir, String(runs++)),
        unixSeconds: 1_700_000_000,
        ...overrides,
      });

    before(async function () {
      dir = path.join(root, "dkg");
      combineDir = path.join(root, "combined");
      outcomes = await runDkg(dir);
      partials = [];
      for (let member = 1; member <= MEMBERS; member++) {
        const signed = await signDepositShare({
          shareFile: path.join(dir, shareFileName(member)),
          withdrawalAddress: ADDRESS,
          chain: "local",
        });
        partials.push(signed.file);
      }
    });

    it("writes one secret deal per recipient, named by dealer and recipient, and a public commitments file", function () {
      for (let dealer = 1; dealer <= MEMBERS; dealer++) {
        for (let recipient = 1; recipient <= MEMBERS; recipient++) {
          const file = path.join(dir, dealFileName(dealer, recipient));
          expect(mode(file), `mode of ${path.basename(file)}`).to.equal(0o600);
          const deal = readJson(file);
          expect(deal, `${path.basename(file)}`).to.include({
            format: CLUSTER_FILE_FORMATS.deal,
            dealer,
            recipient,
            threshold: THRESHOLD,
            members: MEMBERS,
          });
          expect(deal.validators, `${path.basename(file)} keys`).to.have.length(VALIDATORS);
        }
        const commitments = readJson(path.join(dir, commitmentsFileName(dealer)));
        expect(commitments, `commitments of dealer ${dealer}`).to.include({ dealer, format: "plural-dkg-commitments" });
        expect(JSON.stringify(commitments), "no share in the public file").not.to.include("share");
      }
    });

    it("gives every member a 0o600 share file and the same group keys", function () {
      const groups = outcomes.map((outcome) => succeeded(outcome).group);
      for (const [i, outcome] of outcomes.entries()) {
        const done = succeeded(outcome);
        expect(done.shareFile, `share file of member ${i + 1}`).to.equal(path.join(dir, shareFileName(i + 1)));
        expect(mode(done.shareFile), `mode of member ${i + 1}'s share`).to.equal(0o600);
        expect(done.wroteGroupFile, `member ${i + 1} wrote the group file`).to.equal(i === 0);
        expect(groups[i], `group of member ${i + 1}`).to.deep.equal(groups[0]);
      }
      expect(groups[0]!.qualifiedDealers, "qualified dealers").to.deep.equal([1, 2, 3, 4]);
      expect(groups[0]!.validators, "group keys").to.have.length(VALIDATORS);
      expect(readJson(path.join(dir, GROUP_FILE_NAME)), "group-key.json").to.deep.equal(groups[0]);
    });

    it("combines 3 members' partial signatures into a deposit data file that verifies", async function () {
      const result = await combine(partials.slice(0, 3));
      expect(path.basename(result.depositDataFile), "file name").to.equal("deposit_data-1700000000.json");
      expect(result.signers, "signers").to.deep.equal([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      const text = readFileSync(result.depositDataFile, "utf8");
      const entries = parseDepositDataFile(text);
      expect(serializeDepositDataFile(entries), "the deposit CLI's bytes").to.equal(text);
      const group = succeeded(outcomes[0]).group;
      expect(
        entries.map((entry) => `0x${entry.pubkey}`),
        "pubkeys",
      ).to.deep.equal(group.validators.map((validator) => validator.groupPublicKey));
      const problems = verifyDepositData(entries, {
        network: BEACON_NETWORKS.local,
        withdrawalCredentials: executionWithdrawalCredentials(ADDRESS),
      });
      expect(problems, "verifyDepositData").to.deep.equal([]);
      const check = checkDepositFile({ file: result.depositDataFile, chain: "local", withdrawalAddress: ADDRESS });
      expect(check.problems, "keys verify").to.deep.equal([]);
    });

    it("gives the same deposits from any 3 members and refuses any 2", async function () {
      const reference = (await combine(partials.slice(0, 3))).deposits;
      for (const three of subsets(partials, 3).slice(1)) {
        const { deposits } = await combine(three);
        expect(deposits, `members of ${three.map((file) => path.basename(file)).join(", ")}`).to.deep.equal(reference);
      }
      for (const two of subsets(partials, 2)) {
        await expectUserError(
          combine(two),
          /validator key 0 \(0x[0-9a-f]{12}…\): 2 valid partial signature\(s\), 3 needed/,
        );
      }
    });

    it("leaves out an invalid partial signature and names it when too few remain", async function () {
      const forged = path.join(root, "forged", partialFileName(4));
      mkdirSync(path.dirname(forged), { recursive: true });
      const content = readJson(partials[3]!) as { validators: { signature: string }[] };
      const other = readJson(partials[0]!) as { validators: { signature: string }[] };
      content.validators[0]!.signature = other.validators[0]!.signature; // member 1's signature under member 4's name
      writeFileSync(forged, JSON.stringify(content));

      const result = await combine([partials[0]!, partials[1]!, partials[2]!, forged]);
      expect(result.invalid, "invalid partials").to.deep.equal([{ validator: 0, member: 4, file: forged }]);
      await expectUserError(
        combine([partials[0]!, partials[1]!, forged]),
        new RegExp(
          `validator key 0 .*: 2 valid partial signature\\(s\\), 3 needed .*; invalid: member 4 \\(${forged}\\)`,
        ),
      );
    });

    it("refuses duplicate partials, another withdrawal address or chain, and a wrong threshold", async function () {
      await expectUserError(
        combine([partials[0]!, partials[1]!, partials[0]!]),
        /partial-signatures-1\.json and .*partial-signatures-1\.json are both partial signatures of member 1/,
      );
      await expectUserError(
        combine(partials.slice(0, 3), { withdrawalAddress: OTHER_ADDRESS }),
        /partial-signatures-1\.json signs deposits withdrawing to 0x0+dEaD, not to --withdrawal-address 0x0+bEEF/,
      );
      await expectUserError(
        combine(partials.slice(0, 3), { chain: "hoodi" }),
        /signs for local \(fork version 0x00007a69\), not --chain hoodi \(0x10000910\)/,
      );
      await expectUserError(
        combine(partials.slice(0, 3), { threshold: 2 }),
        /--threshold 2: the partial signature files are for a 3-of-4 cluster/,
      );
      await expectUserError(combine([]), /expected partial signature files/);
      await expectUserError(
        combine([path.join(root, "missing.json")]),
        /partial signature file .*missing\.json: cannot read it/,
      );
    });

    it("refuses partials for different group keys, and checks them against --group", async function () {
      const otherDir = path.join(root, "other-cluster");
      await splitKeyFiles({
        secretKeys: [
          SecretKey.fromKeygen(new Uint8Array(32).fill(7)).toBytes(),
          SecretKey.fromKeygen(new Uint8Array(32).fill(8)).toBytes(),
        ],
        threshold: THRESHOLD,
        members: MEMBERS,
        outDir: otherDir,
      });
      const stranger = await signDepositShare({
        shareFile: path.join(otherDir, shareFileName(4)),
        withdrawalAddress: ADDRESS,
        chain: "local",
      });
      await expectUserError(
        combine([partials[0]!, partials[1]!, stranger.file]),
        /partial-signatures-1\.json and .*other-cluster\/partial-signatures-4\.json are for different group keys \(validator key 0: /,
      );
      const pinned = await combine(partials.slice(1), { groupFile: path.join(dir, GROUP_FILE_NAME) });
      expect(pinned.signers[0], "signers").to.deep.equal([2, 3, 4]);
      await expectUserError(
        combine(partials.slice(1), { groupFile: path.join(otherDir, GROUP_FILE_NAME) }),
        /--group .*other-cluster\/group-key\.json and .* are for different group keys/,
      );
    });

    it("refuses to sign without a valid withdrawal address or chain, or over an existing partial file", async function () {
      const shareFile = path.join(dir, shareFileName(1));
      const outDir = path.join(root, "sign");
      await expectUserError(
        signDepositShare({ shareFile, withdrawalAddress: "", chain: "local", outDir }),
        /--withdrawal-address is empty/,
      );
      await expectUserError(
        signDepositShare({ shareFile, withdrawalAddress: "0x1234", chain: "local", outDir }),
        /--withdrawal-address "0x1234" is not an address/,
      );
      await expectUserError(
        signDepositShare({ shareFile, withdrawalAddress: ADDRESS, chain: "goerli", outDir }),
        /--chain "goerli" is not a supported beacon network/,
      );
      await expectUserError(
        signDepositShare({ shareFile: path.join(root, "nope.json"), withdrawalAddress: ADDRESS, chain: "local" }),
        /--share .*nope\.json: cannot read it/,
      );
      await expectUserError(
        signDepositShare({ shareFile: path.join(dir, GROUP_FILE_NAME), withdrawalAddress: ADDRESS, chain: "local" }),
        /expected a secret share file \(format "plural-threshold-share"\), got format "plural-threshold-group"/,
      );
      await expectUserError(
        signDepositShare({ shareFile, withdrawalAddress: ADDRESS, chain: "local" }),
        /partial-signatures-1\.json already exists: expected a new file/,
      );
      expect(existsSync(outDir), "nothing written").to.equal(false);
    });

    it("refuses to finish again over an existing share file", async function () {
      await expectUserError(finishDkg({ member: 2, inDir: dir, outDir: dir }), /secret-share-2\.json already exists/);
    });
  });

  describe("DKG with a tampered deal", function () {
    let dir: string;

    before(async function () {
      dir = path.join(root, "tampered");
      for (let member = 1; member <= MEMBERS; member++) {
        await writeDeal({ member, threshold: THRESHOLD, members: MEMBERS, validators: VALIDATORS, outDir: dir });
      }
      // Dealer 2 sends member 3 the share meant for member 4, for validator key 1.
      const file = path.join(dir, dealFileName(2, 3));
      const deal = readJson(file) as { validators: { share: string }[] };
      const meantFor4 = readJson(path.join(dir, dealFileName(2, 4))) as { validators: { share: string }[] };
      deal.validators[1]!.share = meantFor4.validators[1]!.share;
      writeFileSync(file, JSON.stringify(deal, null, 2));
    });

    it("names the dealer, the recipient, the reason and the file, and writes no share file", async function () {
      const outcome = await finishDkg({ member: 3, inDir: dir, outDir: dir });
      if (outcome.ok) expect.fail("expected complaints");
      expect(outcome.complaints, "complaints").to.deep.equal([
        {
          dealer: 2,
          recipient: 3,
          reason: "inconsistent-share",
          detail: "the share for member 3 does not match dealer 2's commitments",
          validator: 1,
          file: path.join(dir, dealFileName(2, 3)),
        },
      ]);
      expect(formatComplaint(outcome.complaints[0]!), "printed complaint").to.match(
        /^dealer 2 -> member 3, validator key 1: inconsistent-share: .* \(.*dkg-deal-from-2-to-3\.json\)$/,
      );
      expect(existsSync(path.join(dir, shareFileName(3))), "no share file").to.equal(false);
      expect(existsSync(path.join(dir, GROUP_FILE_NAME)), "no group file").to.equal(false);
    });

    it("names a dealer whose deal differs from its published commitments", async function () {
      const alone = path.join(root, "published");
      mkdirSync(alone);
      const files = [1, 2, 3, 4].map((dealer) => path.join(dir, dealFileName(dealer, 1)));
      const published = path.join(alone, commitmentsFileName(4));
      copyFileSync(path.join(dir, commitmentsFileName(3)), published); // dealer 3's, under dealer 4's name
      const content = readJson(published);
      writeFileSync(published, JSON.stringify({ ...content, dealer: 4 }));
      const outcome = await finishDkg({ member: 1, files: [...files, published], outDir: alone });
      if (outcome.ok) expect.fail("expected complaints");
      expect(
        outcome.complaints.map(({ dealer, recipient, reason, validator }) => ({
          dealer,
          recipient,
          reason,
          validator,
        })),
        "complaints",
      ).to.deep.equal([
        { dealer: 4, recipient: 1, reason: "inconsistent-commitments", validator: 0 },
        { dealer: 4, recipient: 1, reason: "inconsistent-commitments", validator: 1 },
      ]);
      expect(existsSync(path.join(alone, shareFileName(1))), "no share file").to.equal(false);
    });

    it("gives every member the same working keys once the cluster excludes the dealer", async function () {
      const out = path.join(root, "after-exclusion");
      const groups = [];
      for (let member = 1; member <= MEMBERS; member++) {
        const outcome = succeeded(await finishDkg({ member, inDir: dir, outDir: out, excludedDealers: [2] }));
        groups.push(outcome.group);
      }
      for (const group of groups) expect(group, "same group").to.deep.equal(groups[0]);
      expect(groups[0]!.qualifiedDealers, "qualified dealers").to.deep.equal([1, 3, 4]);
      const partials = [];
      for (const member of [2, 3, 4]) {
        const shareFile = path.join(out, shareFileName(member));
        partials.push((await signDepositShare({ shareFile, withdrawalAddress: ADDRESS, chain: "hoodi" })).file);
      }
      const result = await combineDepositFiles({
        partialFiles: partials,
        withdrawalAddress: ADDRESS,
        chain: "hoodi",
        outDir: out,
      });
      const check = checkDepositFile({ file: result.depositDataFile, chain: "hoodi", withdrawalAddress: ADDRESS });
      expect(check.problems, "keys verify").to.deep.equal([]);
    });
  });

  describe("trusted-dealer split (keys split)", function () {
    it("combines any 3 of 5 shares to the original key's own deposit signatures", async function () {
      const dir = path.join(root, "split");
      const keys = [SecretKey.fromKeygen(new Uint8Array(32).fill(1)), SecretKey.fromKeygen(new Uint8Array(32).fill(2))];
      const hexKeys = parseSecretKeyLines(
        keys.map((key) => Buffer.from(key.toBytes()).toString("hex")).join("\n"),
        "--secret-key-file keys.txt",
      );
      const split = await splitKeyFiles({ secretKeys: hexKeys, threshold: 3, members: 5, outDir: dir });
      expect(split.group.trustModel, "trust model").to.equal("trusted-dealer");
      expect(split.shareFiles.map(mode), "share file modes").to.deep.equal([0o600, 0o600, 0o600, 0o600, 0o600]);

      const partials = [];
      for (const shareFile of split.shareFiles) {
        partials.push((await signDepositShare({ shareFile, withdrawalAddress: ADDRESS, chain: "local" })).file);
      }
      const sign = createDepositSigner({ network: BEACON_NETWORKS.local });
      const credentials = executionWithdrawalCredentials(ADDRESS);
      const expected = keys.map((key) => sign(key, credentials));
      for (const [i, three] of [
        partials.slice(0, 3),
        partials.slice(2),
        [partials[0]!, partials[2]!, partials[4]!],
      ].entries()) {
        const result = await combineDepositFiles({
          partialFiles: three,
          withdrawalAddress: ADDRESS,
          chain: "local",
          outDir: path.join(dir, `combined-${i}`),
        });
        expect(result.deposits, `deposits from ${three.map((file) => path.basename(file)).join(", ")}`).to.deep.equal(
          expected,
        );
      }
    });

    it("refuses malformed, repeated or missing keys and bad thresholds", async function () {
      const key = "11".repeat(32);
      await expectUserError(
        () => parseSecretKeyLines(`${key}\nxyz`, "keys.txt"),
        /keys\.txt line 2: expected a secret key of 64 hex digits/,
      );
      await expectUserError(
        () => parseSecretKeyLines(`${key}\n\n0x${key}`, "keys.txt"),
        /keys\.txt line 3: repeats the key of line 1/,
      );
      await expectUserError(() => parseSecretKeyLines("# none\n", "keys.txt"), /keys\.txt: no secret key in it/);
      await expectUserError(
        () => parseSecretKeyLines("ff".repeat(32), "keys.txt"),
        /keys\.txt line 1: expected a scalar with 0 < s < r/,
      );
      const outDir = path.join(root, "split-refused");
      await expectUserError(
        splitKeyFiles({ secretKeys: [key], threshold: 1, members: 3, outDir }),
        /threshold: expected an integer from 2 to members \(3\), got 1/,
      );
      await expectUserError(
        splitKeyFiles({ secretKeys: [key], threshold: 4, members: 3, outDir }),
        /threshold: .* got 4/,
      );
      expect(existsSync(outDir), "nothing written").to.equal(false);
    });
  });

  describe("bad input", function () {
    it("refuses bad thresholds, cluster sizes, member numbers and validator counts", async function () {
      const outDir = path.join(root, "refused");
      await expectUserError(
        () => parseCluster({ threshold: "1", members: "4" }),
        /--threshold "1" is not a whole number from 2 to 4/,
      );
      await expectUserError(
        () => parseCluster({ threshold: "5", members: "4" }),
        /--threshold "5" is not a whole number from 2 to 4/,
      );
      await expectUserError(
        () => parseCluster({ threshold: "2", members: "300" }),
        /--members "300" is not a whole number from 2 to 255/,
      );
      await expectUserError(() => parseCluster({ threshold: "", members: "4" }), /--threshold is required/);
      await expectUserError(
        () => requiredNumber("5", "--member", 1, 4),
        /--member "5" is not a whole number from 1 to 4/,
      );
      await expectUserError(() => requiredNumber("0", "--member", 1, 4), /--member "0"/);
      await expectUserError(
        () => parseMemberList("2;4", "--exclude"),
        /--exclude "2;4": expected member numbers separated by commas/,
      );
      expect(parseMemberList(" 2, 4", "--exclude"), "--exclude list").to.deep.equal([2, 4]);
      await expectUserError(
        writeDeal({ member: 5, threshold: 3, members: 4, outDir }),
        /member: expected a member index from 1 to 4, got 5/,
      );
      await expectUserError(
        writeDeal({ member: 1, threshold: 1, members: 4, outDir }),
        /threshold: expected an integer from 2/,
      );
      await expectUserError(
        writeDeal({ member: 1, threshold: 3, members: 4, validators: 0, outDir }),
        /validators: expected an integer from 1 to 1000, got 0/,
      );
      expect(existsSync(outDir), "nothing written").to.equal(false);
    });

    it("refuses missing, misaddressed and doubled deal files, and a missing own deal", async function () {
      const dir = path.join(root, "finish-input");
      for (let member = 1; member <= 3; member++) await writeDeal({ member, threshold: 2, members: 3, outDir: dir });
      const to1 = [1, 2, 3].map((dealer) => path.join(dir, dealFileName(dealer, 1)));
      const outDir = path.join(dir, "out");
      await expectUserError(
        finishDkg({ member: 1, files: [...to1, path.join(dir, "missing.json")], outDir }),
        /deal file .*missing\.json: cannot read it/,
      );
      await expectUserError(
        finishDkg({ member: 1, files: to1.slice(0, 2), outDir }),
        /no deal to member 1 from dealer\(s\) 3 \(expected dkg-deal-from-3-to-1\.json\)/,
      );
      await expectUserError(
        finishDkg({ member: 1, files: [...to1, path.join(dir, dealFileName(2, 3))], outDir }),
        /dkg-deal-from-2-to-3\.json is addressed to member 3, not --member 1/,
      );
      await expectUserError(
        finishDkg({ member: 1, files: [...to1, to1[1]!], outDir }),
        /dkg-deal-from-2-to-1\.json and .* are both deals of dealer 2/,
      );
      await expectUserError(
        finishDkg({ member: 1, files: to1.slice(1), outDir }),
        /no deal from member 1 to itself \(dkg-deal-from-1-to-1\.json\)/,
      );
      await expectUserError(finishDkg({ member: 1, outDir }), /expected the deal files addressed to member 1/);
      await expectUserError(
        finishDkg({ member: 1, files: to1, inDir: dir, outDir }),
        /expected deal files or --in-dir, not both/,
      );
      await expectUserError(
        finishDkg({ member: 1, inDir: path.join(root, "absent"), outDir }),
        /--in-dir .*absent: cannot read the folder/,
      );
      await expectUserError(
        finishDkg({ member: 1, files: to1, outDir, excludedDealers: [2, 3] }),
        /only 1 qualified dealer\(s\), at least 2/,
      );
      expect(existsSync(outDir), "nothing written").to.equal(false);
    });

    it("refuses to deal over existing files", async function () {
      const dir = path.join(root, "deal-twice");
      await writeDeal({ member: 1, threshold: 2, members: 2, outDir: dir });
      await expectUserError(
        writeDeal({ member: 1, threshold: 2, members: 2, outDir: dir }),
        /dkg-deal-from-1-to-1\.json already exists/,
      );
    });
  });

  describe("tasks through npx hardhat", function () {
    this.timeout(60_000);

    it("prints one Error: line and exits 1 when too few partial signatures are given", async function () {
      const dir = path.join(root, "cli-split");
      const split = await splitKeyFiles({ secretKeys: ["22".repeat(32)], threshold: 3, members: 4, outDir: dir });
      for (const shareFile of split.shareFiles.slice(0, 2)) {
        await signDepositShare({ shareFile, withdrawalAddress: ADDRESS, chain: "local" });
      }
      const run = await hardhat([
        "keys",
        "combine",
        path.join(dir, partialFileName(1)),
        path.join(dir, partialFileName(2)),
        "--withdrawal-address",
        ADDRESS,
        "--out-dir",
        path.join(root, "cli"),
      ]);
      expect(run.code, "exit code").to.equal(1);
      const errors = run.stderr.split("\n").filter((line) => line.startsWith("Error:"));
      expect(errors, "error lines").to.have.length(1);
      expect(errors[0], "error").to.match(
        /^Error: cannot combine: validator key 0 .*2 valid partial signature\(s\), 3 needed/,
      );
      expect(run.stderr, "no stack trace").not.to.include("    at ");
      expect(existsSync(path.join(root, "cli")), "nothing written").to.equal(false);
    });

    it("deals and reports a bad member number on one line", async function () {
      const outDir = path.join(root, "cli-deal");
      const dealt = await hardhat([
        "dkg",
        "deal",
        "--member",
        "2",
        "--threshold",
        "2",
        "--members",
        "3",
        "--out-dir",
        outDir,
      ]);
      expect(dealt.code, `exit code (${dealt.stderr})`).to.equal(0);
      expect(dealt.stdout, "output").to.include("dkg-deal-from-2-to-3.json: secret, send to member 3 only");
      expect(mode(path.join(outDir, dealFileName(2, 3))), "deal file mode").to.equal(0o600);

      const refused = await hardhat(["dkg", "deal", "--member", "4", "--threshold", "2", "--members", "3"]);
      expect(refused.code, "exit code").to.equal(1);
      expect(refused.stderr.trim(), "error").to.equal('Error: --member "4" is not a whole number from 1 to 3');
    });
  });
});
