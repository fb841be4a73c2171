// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccountingOracle} from "../../../contracts/AccountingOracle.sol";

/// @title AccountingOracleWithoutQuorum
/// @notice Attack harness: the real `AccountingOracle` plus `submitReportWithoutQuorum`, which is `submitReport` with
/// its quorum check switched off. `submitReport` applies a report only once its variant is the consensus one
/// (`vote.consensusVariant != 0`, set by `_vote` when `support >= quorum`); this one applies the submitter's report
/// after its single vote. The vote itself (`_vote`: membership, reference slot, finality, replay) and the application
/// (`_apply`: the pool's sanity bounds) are the oracle's own.
/// @dev Test-only.
/// @custom:oz-upgrades-from contracts/AccountingOracle.sol:AccountingOracle
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract AccountingOracleWithoutQuorum is AccountingOracle {
    // The oracle's ERC-7201 namespace, erc7201:plural.storage.AccountingOracle.
    bytes32 private constant ORACLE_STORAGE = 0xfb7943b43a17973ac91c3139fd500439d11ed6d4db6be0cca1e6ad453a5d9c00;

    /// @notice `submitReport` without the quorum: one member's vote applies its report.
    /// @param report The report for the current frame.
    function submitReportWithoutQuorum(Report calldata report) external {
        OracleStorage storage $ = _oracleStorage();
        bytes32 reportHash = keccak256(abi.encode(report));
        VoteState memory vote = _vote($, report.refSlot, reportHash);
        _apply($, vote, report, reportHash);
    }

    function _oracleStorage() private pure returns (OracleStorage storage $) {
        assembly ("memory-safe") {
            $.slot := ORACLE_STORAGE
        }
    }
}
