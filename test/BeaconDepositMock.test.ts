import { ssz } from "@lodestar/types";
import { expect } from "chai";
import { concat, getBytes, hexlify, id, parseEther, sha256, toBeHex, zeroPadValue } from "ethers";
import fc from "fast-check";
import { artifacts, network } from "hardhat";

import { computeDepositDataRoot, depositRootOf, fromLittleEndian64, toLittleEndian64 } from "../lib/depositData.js";

const { ethers, networkHelpers } = await network.create();

const GWEI = 10n ** 9n;
const MAX_UINT64 = 2n ** 64n - 1n;
const ZERO_HASH = zeroPadValue("0x", 32);
const EMPTY_DEPOSIT_ROOT = "0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e";
const ROOT_MISMATCH = "DepositContract: reconstructed DepositData does not match supplied deposit_data_root";
// The official contract's storage slot of `deposit_count`, after the 32 branch nodes.
const DEPOSIT_COUNT_SLOT = 32;
// Deposits skip gas estimation: the suite sends hundreds of them. The costliest, hashing up 31 levels, needs ~150k.
const GAS_LIMIT = 300_000n;

// The official contract's ABI as published with its verified source (solc 0.6.11 output, internalType included).
const bytesParam = (name: string) => ({ internalType: "bytes", name, type: "bytes" });
const OFFICIAL_ABI = [
  { inputs: [], stateMutability: "nonpayable", type: "constructor" },
  {
    anonymous: false,
    inputs: ["pubkey", "withdrawal_credentials", "amount", "signature", "index"].map((name) => ({
      indexed: false,
      ...bytesParam(name),
    })),
    name: "DepositEvent",
    type: "event",
  },
  {
    inputs: [
      bytesParam("pubkey"),
      bytesParam("withdrawal_credentials"),
      bytesParam("signature"),
      { internalType: "bytes32", name: "deposit_data_root", type: "bytes32" },
    ],
    name: "deposit",
    outputs: [],
    stateMutability: "payable",
    type: "function",
  },
  {
    inputs: [],
    name: "get_deposit_count",
    outputs: [bytesParam("")],
    stateMutability: "view",
    type: "function",
  },
  {
    inputs: [],
    name: "get_deposit_root",
    outputs: [{ internalType: "bytes32", name: "", type: "bytes32" }],
    stateMutability: "view",
    type: "function",
  },
  {
    inputs: [{ internalType: "bytes4", name: "interfaceId", type: "bytes4" }],
    name: "supportsInterface",
    outputs: [{ internalType: "bool", name: "", type: "bool" }],
    stateMutability: "pure",
    type: "function",
  },
];

// The first deposits of EIP-4881's test_cases.yaml (assets/eip-4881 in ethereum/EIPs): roots from outside our code.
const EIP_4881_VECTORS = [
  {
    pubkey: "0xa99a76ed7796f7be22d5b7e85deeb7c5677e88e511e0b337618f8c4eb61349b4bf2d153f649f7b53359fe8b94a38e44c",
    signature:
      "0x97af5a5e14a033c35ec6489c585df8975026af431b2c5e9e3e6fd66089575bdffaf41c0a196d9b2ef822226c49d16214146f8a79b6ffa400109cd6c63c73afc7649d25533a3619547bc333b0cb3f303432fcd4951333b656d64d7b46a7ba764f",
    depositDataRoot: "0x7af7da533b0dc64b690cb0604f5a81e40ed83796dd14037ea3a55383b8f0976a",
    depositRoot: "0x253f73460b66ba0b490a8f17029566b03c0690a584e262acc2be97c969bc65a6",
  },
  {
    pubkey: "0xb89bebc699769726a318c8e9971bd3171297c61aea4a6578a7a4f94b547dcba5bac16a89108b6b6a1fe3695d1a874a0b",
    signature:
      "0xb24d74bd23b52c41567305b6aecdc73dd53aea59fa997c0d6205531ce70cc32282dbf9963dde89297522fdc2c541eb0909472145805953a2298aa56160784c23b3905ed0ec17c4775b61cecb922a0d0e5241521387fc38184afe735c2ce399ad",
    depositDataRoot: "0xb7dfec33825ba4dd8f6f8c2498c7202f07cbcf995a6de4b0abc71f1b1c46b2b2",
    depositRoot: "0x072080f22bf66504d6aa2b978c581e34637912ac191442af4f090dc5773d8936",
  },
  {
    pubkey: "0xa3a32b0f8b4ddb83f1a0a853d81dd725dfe577d4f4c3db8ece52ce2b026eca84815c1a7e8e92a4de3d755733bf7e4a9b",
    signature:
      "0xae64ef1d479919aa5cbd146559f366877298757843112239646d75658dc89d066e401be202a3198ffb7261b393b7f8c01901e36e3bfa17f7ae2620d5e44750fd983e3b97d9c44248689f81d6a0508501f2dadfbbc1c7ddcec307a4d6da42c59f",
    depositDataRoot: "0x7b14766c0e7eddb146fc2a5bfd91e6d358d71995d2dc3c60d0c326607e39f7f2",
    depositRoot: "0x5e493befc0eb8dd0162eb48e5c3430882eefae51cb3fa757f11853b28387acdb",
  },
];
const EIP_4881_CREDENTIALS = ZERO_HASH;
const EIP_4881_AMOUNT_GWEI = 32n * GWEI;

interface Deposit {
  pubkey: string;
  withdrawalCredentials: string;
  signature: string;
  amountGwei: bigint;
  depositDataRoot: string;
}

/** mulberry32: a tiny seeded PRNG, so a failing random case reproduces from its seed. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const bytes = (length: number): string => hexlify(Uint8Array.from({ length }, () => nextUint32() & 0xff));
  // Whole gwei from 1 ether to ~69 ether, with 32 ether, the usual validator deposit, one time in four.
  const amountGwei = (): bigint => (nextUint32() % 4 === 0 ? 32n * GWEI : GWEI + BigInt(nextUint32()) * 16n);
  return { bytes, amountGwei };
}

function makeDeposit(pubkey: string, withdrawalCredentials: string, amountGwei: bigint, signature: string): Deposit {
  const depositDataRoot = computeDepositDataRoot(pubkey, withdrawalCredentials, amountGwei, signature);
  return { pubkey, withdrawalCredentials, signature, amountGwei, depositDataRoot };
}

function randomDeposits(count: number, seed: number): Deposit[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    makeDeposit(random.bytes(48), random.bytes(32), random.amountGwei(), random.bytes(96)),
  );
}

async function deployBeaconDepositMockFixture() {
  const depositContract = await ethers.deployContract("BeaconDepositMock");
  const [depositor] = await ethers.getSigners();
  if (depositor === undefined) throw new Error("no signer configured for the hardhat network");
  // Room for hundreds of deposits and the 2**64-gwei edge cases.
  await networkHelpers.setBalance(depositor.address, 10n ** 30n);
  return { depositContract, depositor };
}

type DepositContract = Awaited<ReturnType<typeof deployBeaconDepositMockFixture>>["depositContract"];

/** Sends `deposit` with `value` wei, whatever its amount says. */
function sendValue(depositContract: DepositContract, deposit: Deposit, value: bigint) {
  const { pubkey, withdrawalCredentials, signature, depositDataRoot } = deposit;
  return depositContract.deposit(pubkey, withdrawalCredentials, signature, depositDataRoot, {
    value,
    gasLimit: GAS_LIMIT,
  });
}

function send(depositContract: DepositContract, deposit: Deposit) {
  return sendValue(depositContract, deposit, deposit.amountGwei * GWEI);
}

async function setDepositCount(depositContract: DepositContract, count: bigint) {
  await networkHelpers.setStorageAt(await depositContract.getAddress(), DEPOSIT_COUNT_SLOT, count);
}

async function expectTreeState(depositContract: DepositContract, deposits: readonly Deposit[]) {
  const expectedRoot = depositRootOf(deposits.map((deposit) => deposit.depositDataRoot));
  expect(await depositContract.get_deposit_root(), "deposit root").to.equal(expectedRoot);
  expect(await depositContract.get_deposit_count(), "deposit count").to.equal(
    toLittleEndian64(BigInt(deposits.length)),
  );
}

describe("BeaconDepositMock", function () {
  describe("deployment", function () {
    it("has the official contract's ABI, parameter names included", async function () {
      const { abi } = await artifacts.readArtifact("BeaconDepositMock");
      const byName = (a: { name?: string }, b: { name?: string }) => (a.name ?? "").localeCompare(b.name ?? "");

      expect([...abi].sort(byName), "ABI").to.deep.equal([...OFFICIAL_ABI].sort(byName));
    });

    it("starts with the empty deposit root and a zero count", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);

      expect(await depositContract.get_deposit_root(), "root").to.equal(EMPTY_DEPOSIT_ROOT);
      expect(hexlify(ssz.phase0.DepositDataRootList.hashTreeRoot([])), "SSZ root of an empty list").to.equal(
        EMPTY_DEPOSIT_ROOT,
      );
      expect(await depositContract.get_deposit_count(), "count").to.equal("0x0000000000000000");
    });

    it("stores the zero hashes where the official contract does", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      const address = await depositContract.getAddress();

      let zeroHash = ZERO_HASH;
      for (let height = 0; height < 32; height++) {
        const slot = DEPOSIT_COUNT_SLOT + 1 + height;
        expect(await ethers.provider.getStorage(address, slot), `zero_hashes[${height}]`).to.equal(zeroHash);
        zeroHash = sha256(concat([zeroHash, zeroHash]));
      }
    });

    it("rejects plain ether transfers, having no receive function", async function () {
      const { depositContract, depositor } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);

      await expect(
        depositor.sendTransaction({ to: await depositContract.getAddress(), value: parseEther("32") }),
      ).to.be.revertedWithoutReason(ethers);
    });
  });

  describe("deposit", function () {
    it("matches EIP-4881's deposit data roots and deposit roots", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);

      for (const [i, vector] of EIP_4881_VECTORS.entries()) {
        const deposit = makeDeposit(vector.pubkey, EIP_4881_CREDENTIALS, EIP_4881_AMOUNT_GWEI, vector.signature);
        expect(deposit.depositDataRoot, `deposit_data_root ${i}`).to.equal(vector.depositDataRoot);
        await send(depositContract, deposit);
        expect(await depositContract.get_deposit_root(), `deposit_root after ${i + 1}`).to.equal(vector.depositRoot);
      }
    });

    for (const [count, seed] of [
      [1, 1],
      [2, 2],
      [3, 3],
      [7, 7],
      [8, 8],
      [33, 33],
      [64, 64],
      [65, 65],
      [100, 100],
    ] as const) {
      it(`keeps the SSZ root and emits each DepositEvent after ${count} random deposits (seed ${seed})`, async function () {
        const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
        const deposits = randomDeposits(count, seed);

        for (const deposit of deposits) await send(depositContract, deposit);

        await expectTreeState(depositContract, deposits);
        const events = await depositContract.queryFilter(depositContract.filters.DepositEvent());
        expect(events.length, "event count").to.equal(count);
        for (const [index, event] of events.entries()) {
          const deposit = deposits[index]!;
          const { pubkey, withdrawal_credentials, amount, signature } = event.args;
          expect(pubkey, `pubkey ${index}`).to.equal(deposit.pubkey);
          expect(withdrawal_credentials, `withdrawal_credentials ${index}`).to.equal(deposit.withdrawalCredentials);
          expect(amount, `amount ${index}`).to.equal(toLittleEndian64(deposit.amountGwei));
          expect(signature, `signature ${index}`).to.equal(deposit.signature);
          expect(event.args.index, `index ${index}`).to.equal(toLittleEndian64(BigInt(index)));
        }
      });
    }

    it("emits the amount and index as 8-byte little-endian gwei", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      const [first, second] = randomDeposits(2, 4881) as [Deposit, Deposit];
      // 0x0102030405060708 gwei reads back byte-reversed, which catches any byte order mix-up.
      const amountGwei = 0x0102030405060708n;
      const deposit = makeDeposit(second.pubkey, second.withdrawalCredentials, amountGwei, second.signature);
      await send(depositContract, first);

      await expect(send(depositContract, deposit))
        .to.emit(depositContract, "DepositEvent")
        .withArgs(
          deposit.pubkey,
          deposit.withdrawalCredentials,
          "0x0807060504030201",
          deposit.signature,
          "0x0100000000000000",
        );
      expect(await depositContract.get_deposit_count(), "count").to.equal("0x0200000000000000");
    });

    it("accepts exactly 1 ether", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      const [random] = randomDeposits(1, 11) as [Deposit];
      const deposit = makeDeposit(random.pubkey, random.withdrawalCredentials, GWEI, random.signature);

      await expect(send(depositContract, deposit)).to.emit(depositContract, "DepositEvent");
      await expectTreeState(depositContract, [deposit]);
    });

    it("accepts the largest amount, 2**64 - 1 gwei", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      const [random] = randomDeposits(1, 12) as [Deposit];
      const deposit = makeDeposit(random.pubkey, random.withdrawalCredentials, MAX_UINT64, random.signature);

      await expect(send(depositContract, deposit))
        .to.emit(depositContract, "DepositEvent")
        .withArgs(
          deposit.pubkey,
          deposit.withdrawalCredentials,
          "0xffffffffffffffff",
          deposit.signature,
          "0x0000000000000000",
        );
      await expectTreeState(depositContract, [deposit]);
    });

    describe("reverts with the official reason", function () {
      async function validDepositFixture() {
        const deployed = await deployBeaconDepositMockFixture();
        const [deposit] = randomDeposits(1, 99) as [Deposit];
        return { ...deployed, deposit };
      }

      for (const length of [0, 47, 49, 64]) {
        it(`when the pubkey is ${length} bytes`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            send(depositContract, { ...deposit, pubkey: hexlify(new Uint8Array(length).fill(0xaa)) }),
          ).to.be.revertedWith("DepositContract: invalid node public key length");
        });
      }

      for (const length of [0, 20, 31, 33]) {
        it(`when the withdrawal credentials are ${length} bytes`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            send(depositContract, { ...deposit, withdrawalCredentials: hexlify(new Uint8Array(length).fill(0x01)) }),
          ).to.be.revertedWith("DepositContract: invalid withdrawal_credentials length");
        });
      }

      for (const length of [0, 95, 97, 192]) {
        it(`when the signature is ${length} bytes`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            send(depositContract, { ...deposit, signature: hexlify(new Uint8Array(length).fill(0xbb)) }),
          ).to.be.revertedWith("DepositContract: invalid signature length");
        });
      }

      for (const value of [0n, parseEther("0.999"), parseEther("1") - GWEI, parseEther("1") - 1n]) {
        it(`when the value is ${value} wei, below 1 ether`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(sendValue(depositContract, deposit, value)).to.be.revertedWith(
            "DepositContract: deposit value too low",
          );
        });
      }

      for (const value of [parseEther("1") + 1n, parseEther("32") + GWEI - 1n, parseEther("32") + 123_456n]) {
        it(`when the value is ${value} wei, not a whole number of gwei`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(sendValue(depositContract, deposit, value)).to.be.revertedWith(
            "DepositContract: deposit value not multiple of gwei",
          );
        });
      }

      for (const gwei of [MAX_UINT64 + 1n, 2n ** 65n]) {
        it(`when the value is ${gwei} gwei, above 2**64 - 1 gwei`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(sendValue(depositContract, deposit, gwei * GWEI)).to.be.revertedWith(
            "DepositContract: deposit value too high",
          );
        });
      }

      it("when the deposit_data_root is not the data's root", async function () {
        const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

        await expect(
          send(depositContract, { ...deposit, depositDataRoot: sha256(deposit.depositDataRoot) }),
        ).to.be.revertedWith(ROOT_MISMATCH);
      });

      it("when the root was computed for another amount", async function () {
        const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

        await expect(sendValue(depositContract, deposit, (deposit.amountGwei + 1n) * GWEI)).to.be.revertedWith(
          ROOT_MISMATCH,
        );
      });

      for (const field of ["pubkey", "withdrawalCredentials", "signature"] as const) {
        it(`when the root was computed for another ${field}`, async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
          const bytes = getBytes(deposit[field]);
          // Flip the last byte: it sits in a zero-padded chunk for the pubkey and the signature.
          bytes[bytes.length - 1]! ^= 0x01;

          await expect(send(depositContract, { ...deposit, [field]: hexlify(bytes) })).to.be.revertedWith(
            ROOT_MISMATCH,
          );
        });
      }

      it("when the tree holds 2**32 - 1 deposits", async function () {
        const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
        await setDepositCount(depositContract, 2n ** 32n - 1n);

        await expect(send(depositContract, deposit)).to.be.revertedWith("DepositContract: merkle tree full");
      });

      it("and accepts the last deposit the tree has room for", async function () {
        const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
        await setDepositCount(depositContract, 2n ** 32n - 2n);

        await expect(send(depositContract, deposit))
          .to.emit(depositContract, "DepositEvent")
          .withArgs(
            deposit.pubkey,
            deposit.withdrawalCredentials,
            toLittleEndian64(deposit.amountGwei),
            deposit.signature,
            "0xfeffffff00000000",
          );
        expect(fromLittleEndian64(await depositContract.get_deposit_count()), "count").to.equal(2n ** 32n - 1n);
      });

      describe("checking in the official order", function () {
        it("pubkey length before the other lengths and the value", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
          const bad = {
            ...deposit,
            pubkey: "0x",
            withdrawalCredentials: "0x",
            signature: "0x",
            depositDataRoot: ZERO_HASH,
          };

          await expect(sendValue(depositContract, bad, 1n)).to.be.revertedWith(
            "DepositContract: invalid node public key length",
          );
        });

        it("withdrawal credentials length before signature length and the value", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
          const bad = { ...deposit, withdrawalCredentials: "0x", signature: "0x", depositDataRoot: ZERO_HASH };

          await expect(sendValue(depositContract, bad, 1n)).to.be.revertedWith(
            "DepositContract: invalid withdrawal_credentials length",
          );
        });

        it("signature length before the value", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            sendValue(depositContract, { ...deposit, signature: "0x", depositDataRoot: ZERO_HASH }, 1n),
          ).to.be.revertedWith("DepositContract: invalid signature length");
        });

        it("value too low before whole gwei", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(sendValue(depositContract, { ...deposit, depositDataRoot: ZERO_HASH }, 1n)).to.be.revertedWith(
            "DepositContract: deposit value too low",
          );
        });

        it("whole gwei before value too high", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            sendValue(depositContract, { ...deposit, depositDataRoot: ZERO_HASH }, (MAX_UINT64 + 1n) * GWEI + 1n),
          ).to.be.revertedWith("DepositContract: deposit value not multiple of gwei");
        });

        it("value too high before the root", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);

          await expect(
            sendValue(depositContract, { ...deposit, depositDataRoot: ZERO_HASH }, (MAX_UINT64 + 1n) * GWEI),
          ).to.be.revertedWith("DepositContract: deposit value too high");
        });

        it("the root before a full tree", async function () {
          const { depositContract, deposit } = await networkHelpers.loadFixture(validDepositFixture);
          await setDepositCount(depositContract, 2n ** 32n - 1n);

          await expect(send(depositContract, { ...deposit, depositDataRoot: ZERO_HASH })).to.be.revertedWith(
            ROOT_MISMATCH,
          );
        });
      });
    });

    it("leaves the root and count unchanged when it reverts", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      const deposits = randomDeposits(6, 2024);
      const [kept, extra] = [deposits.slice(0, 5), deposits[5]!];
      for (const deposit of kept) await send(depositContract, deposit);
      const rootBefore = await depositContract.get_deposit_root();

      const rejected: [Deposit, bigint][] = [
        [{ ...extra, pubkey: extra.pubkey.slice(0, -2) }, extra.amountGwei * GWEI],
        [{ ...extra, withdrawalCredentials: `${extra.withdrawalCredentials}00` }, extra.amountGwei * GWEI],
        [{ ...extra, signature: extra.signature.slice(0, -2) }, extra.amountGwei * GWEI],
        [extra, parseEther("0.999")],
        [extra, parseEther("1") + 1n],
        [extra, (MAX_UINT64 + 1n) * GWEI],
        [{ ...extra, depositDataRoot: ZERO_HASH }, extra.amountGwei * GWEI],
      ];
      for (const [deposit, value] of rejected) {
        await expect(sendValue(depositContract, deposit, value)).to.be.revertedWith(/^DepositContract: /);
      }

      expect(await depositContract.get_deposit_root(), "root after reverts").to.equal(rootBefore);
      await expectTreeState(depositContract, kept);
      // The next accepted deposit still lands at index 5.
      await expect(send(depositContract, extra))
        .to.emit(depositContract, "DepositEvent")
        .withArgs(
          extra.pubkey,
          extra.withdrawalCredentials,
          toLittleEndian64(extra.amountGwei),
          extra.signature,
          toLittleEndian64(5n),
        );
      await expectTreeState(depositContract, deposits);
    });

    it("keeps the SSZ root through random sequences of valid and rejected deposits (property)", async function () {
      const depositArbitrary = fc.record({
        pubkey: fc.uint8Array({ minLength: 48, maxLength: 48 }),
        withdrawalCredentials: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        signature: fc.uint8Array({ minLength: 96, maxLength: 96 }),
        amountGwei: fc.bigInt({ min: GWEI, max: 2048n * GWEI }),
        corruptRoot: fc.boolean(),
      });

      await fc.assert(
        fc.asyncProperty(fc.array(depositArbitrary, { maxLength: 24 }), async (sequence) => {
          const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
          const accepted: Deposit[] = [];
          for (const item of sequence) {
            const deposit = makeDeposit(
              hexlify(item.pubkey),
              hexlify(item.withdrawalCredentials),
              item.amountGwei,
              hexlify(item.signature),
            );
            if (item.corruptRoot) {
              await expect(
                send(depositContract, { ...deposit, depositDataRoot: sha256(deposit.depositDataRoot) }),
              ).to.be.revertedWith(ROOT_MISMATCH);
            } else {
              await send(depositContract, deposit);
              accepted.push(deposit);
            }
          }
          await expectTreeState(depositContract, accepted);
        }),
        { numRuns: 30 },
      );
    });
  });

  describe("supportsInterface", function () {
    it("supports ERC-165 and IDepositContract, and nothing else", async function () {
      const { depositContract } = await networkHelpers.loadFixture(deployBeaconDepositMockFixture);
      // Computed from the signatures, not from the contract's ABI, so a renamed function would show.
      const selector = (signature: string) => BigInt(id(signature).slice(0, 10));
      const depositContractId = toBeHex(
        selector("deposit(bytes,bytes,bytes,bytes32)") ^
          selector("get_deposit_root()") ^
          selector("get_deposit_count()"),
        4,
      );

      expect(depositContractId, "IDepositContract id").to.equal("0x85640907");
      expect(await depositContract.supportsInterface("0x01ffc9a7"), "ERC-165").to.equal(true);
      expect(await depositContract.supportsInterface(depositContractId), "IDepositContract").to.equal(true);
      expect(await depositContract.supportsInterface("0xffffffff"), "0xffffffff").to.equal(false);
      expect(await depositContract.supportsInterface("0x00000000"), "0x00000000").to.equal(false);
    });
  });
});
