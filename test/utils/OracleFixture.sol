// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAccountingOracle} from "../../contracts/interfaces/IAccountingOracle.sol";
import {IStakingPool} from "../../contracts/interfaces/IStakingPool.sol";
import {StakingFixture} from "./StakingFixture.sol";

/// @title OracleFixture
/// @notice Real reports through the accounting oracle: the clock moved to a frame's reporting window, reports built
/// from the pool's state and the beacon side's changes, and the committee's votes.
abstract contract OracleFixture is StakingFixture {
    /// @dev One frame, in slots and in seconds. Two reports' reference slots are at least a frame apart: the least
    /// time the reward cap scales with.
    uint256 internal constant FRAME_SLOTS = EPOCHS_PER_FRAME * SLOTS_PER_EPOCH;
    uint256 internal constant FRAME_SECONDS = FRAME_SLOTS * SECONDS_PER_SLOT;

    /// @dev Staked validators with their keys, vetted and deposited: `count` validators over three operators.
    function _stakeValidators(uint256 count) internal {
        for (uint256 i; i < 3; ++i) _addOperatorWithKeys(count, count);
        _fundBuffer(count * VALIDATOR_DEPOSIT);
        _stake(count);
    }

    /// @dev Moves the clock, if needed, to the first slot at which the next unreported frame's reference slot can be
    /// reported (two epochs into the frame) and returns that reference slot.
    function _warpToNextFrame() internal returns (uint256 refSlot) {
        (refSlot, ) = oracle.currentFrame();
        if (refSlot <= oracle.lastProcessedRefSlot()) refSlot += FRAME_SLOTS;
        _warpToReportable(refSlot);
    }

    /// @dev Moves the clock (and the block number) to the first slot `refSlot` can be reported at.
    function _warpToReportable(uint256 refSlot) internal {
        uint256 slot = refSlot + 1 + 2 * SLOTS_PER_EPOCH;
        uint256 time = GENESIS_TIME + slot * SECONDS_PER_SLOT;
        if (time > block.timestamp) {
            vm.roll(block.number + (time - block.timestamp) / SECONDS_PER_SLOT);
            vm.warp(time);
        }
    }

    /// @dev A report for `refSlot`: `seen` validators holding `beaconBalance`, the exited count unchanged, and the
    /// vaults' current balances.
    function _reportFor(
        uint256 refSlot,
        uint256 seen,
        uint256 beaconBalance
    ) internal view returns (IAccountingOracle.Report memory report) {
        report.refSlot = refSlot;
        report.beaconValidators = seen;
        report.beaconBalance = beaconBalance;
        report.exitedValidators = pool.getAccounting().exitedValidators;
        report.withdrawalVaultBalance = address(vault).balance;
        report.elRewardsVaultBalance = address(elVault).balance;
    }

    /// @dev The first two members submit `report`; the second vote reaches the quorum and applies it.
    function _submitByQuorum(IAccountingOracle.Report memory report) internal {
        vm.prank(oracleMembers[0]);
        oracle.submitReport(report);
        vm.prank(oracleMembers[1]);
        oracle.submitReport(report);
    }

    /// @dev The first two members vote for `report` by its hash only: a quorum agrees, nothing is applied yet.
    function _agreeByHash(IAccountingOracle.Report memory report) internal {
        bytes32 reportHash = keccak256(abi.encode(report));
        vm.prank(oracleMembers[0]);
        oracle.submitReportHash(report.refSlot, reportHash);
        vm.prank(oracleMembers[1]);
        oracle.submitReportHash(report.refSlot, reportHash);
    }

    /// @dev Two of the three members, picked by `voteSeed`, vote for `report`: with the report itself, or (when
    /// `(voteSeed / 3) % 2 == 1`) by its hash, after which anyone applies it. Returns whether it applied, and the
    /// revert reason of the last call when it did not.
    function _tryQuorum(
        IAccountingOracle.Report memory report,
        uint256 voteSeed
    ) internal returns (bool applied, bytes memory reason) {
        address first = oracleMembers[voteSeed % 3];
        address second = oracleMembers[((voteSeed % 3) + 1) % 3];
        if ((voteSeed / 3) % 2 == 1) {
            bytes32 reportHash = keccak256(abi.encode(report));
            vm.prank(first);
            oracle.submitReportHash(report.refSlot, reportHash);
            vm.prank(second);
            oracle.submitReportHash(report.refSlot, reportHash);
            try oracle.applyReport(report) {
                applied = true;
            } catch (bytes memory error) {
                reason = error;
            }
        } else {
            vm.prank(first);
            oracle.submitReport(report);
            vm.prank(second);
            try oracle.submitReport(report) {
                applied = true;
            } catch (bytes memory error) {
                reason = error;
            }
        }
    }

    /// @dev Governance accepts the part of a `loss` above the oracle's per-report bound on `beaconBefore`, for the
    /// report of `refSlot` only; returns whether there was such a part.
    function _allowLossAbove(uint256 loss, uint256 beaconBefore, uint256 refSlot) internal returns (bool allowed) {
        uint256 lossBound = (beaconBefore * MAX_LOSS_BPS) / 10_000;
        if (loss <= lossBound) return false;
        vm.prank(admin);
        oracle.allowLoss(loss - lossBound, refSlot);
        return true;
    }

    /// @dev The largest beacon gain a report one frame after the last may show on `beaconBefore`: the annual-rate cap
    /// over one frame.
    function _frameRewardCap(uint256 beaconBefore) internal pure returns (uint256) {
        return Math.mulDiv(beaconBefore, MAX_APR_BPS * FRAME_SECONDS, 365 days * 10_000);
    }

    /// @dev Next frame: every deposited validator seen with `beaconBalance` in total, applied by a quorum.
    function _reportNextFrame(uint256 beaconBalance) internal returns (IAccountingOracle.Report memory report) {
        uint256 refSlot = _warpToNextFrame();
        report = _reportFor(refSlot, pool.getAccounting().depositedValidators, beaconBalance);
        _submitByQuorum(report);
    }

    /// @dev The ether value of `account`'s shares.
    function _valueOf(address account) internal view returns (uint256) {
        return pool.convertToAssets(pool.balanceOf(account));
    }

    function _accounting() internal view returns (IStakingPool.Accounting memory) {
        return pool.getAccounting();
    }
}
