// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title PluralGovernor
/// @notice Token governance of Plural: PLURAL holders propose, vote (for, against, abstain) and, when a proposal
/// passes, queue it on the governance timelock, which executes it after its delay. The Governor holds no role
/// itself: every action goes through the timelock.
/// @dev OpenZeppelin's Governor with settings, simple counting, token votes, a quorum fraction, timelock control and
/// proposal storage (so a proposal can be queued and executed by its id alone). Its own settings have hard limits,
/// so no proposal can make governance instant or unreachable.
contract PluralGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @notice The longest wait between a proposal and its vote.
    uint256 public constant MAX_VOTING_DELAY = 30 days;
    /// @notice The shortest vote.
    uint256 public constant MIN_VOTING_PERIOD = 1 hours;
    /// @notice The longest vote.
    uint256 public constant MAX_VOTING_PERIOD = 30 days;
    /// @notice The lowest quorum, in percent of the supply.
    uint256 public constant MIN_QUORUM_PERCENT = 1;
    /// @notice The highest quorum, in percent of the supply: above half, a quorum could become unreachable.
    uint256 public constant MAX_QUORUM_PERCENT = 50;
    /// @notice The proposal threshold in force never exceeds this percent of the supply, whatever a proposal set it to:
    /// a threshold above the supply would leave nobody able to propose, and the Governor is the timelock's only
    /// proposer.
    uint256 public constant MAX_PROPOSAL_THRESHOLD_PERCENT = 10;

    /// @notice A setting outside its hard limits.
    error GovernorSettingOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice Creates the Governor.
    /// @param token The votes token (PLURAL).
    /// @param timelock_ The governance timelock, which executes.
    /// @param votingDelay_ Seconds from a proposal to the start of its vote.
    /// @param votingPeriod_ Seconds the vote lasts.
    /// @param proposalThreshold_ Votes needed to propose.
    /// @param quorumPercent Percent of the supply that must vote for or abstain.
    constructor(
        IVotes token,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumPercent
    )
        Governor("PluralGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock_)
    {}

    /// @inheritdoc Governor
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @inheritdoc Governor
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice Votes needed to propose: the threshold set, capped at `MAX_PROPOSAL_THRESHOLD_PERCENT` of the supply.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        // Capped when read rather than refused when set: the token is not known yet when the constructor sets it.
        uint256 cap = (IERC20(address(token())).totalSupply() * MAX_PROPOSAL_THRESHOLD_PERCENT) / 100;
        return Math.min(super.proposalThreshold(), cap);
    }

    /// @inheritdoc Governor
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _setVotingDelay(uint48 newVotingDelay) internal override {
        require(newVotingDelay <= MAX_VOTING_DELAY, GovernorSettingOutOfBounds(newVotingDelay, 0, MAX_VOTING_DELAY));
        super._setVotingDelay(newVotingDelay);
    }

    function _setVotingPeriod(uint32 newVotingPeriod) internal override {
        require(
            MIN_VOTING_PERIOD <= newVotingPeriod && newVotingPeriod <= MAX_VOTING_PERIOD,
            GovernorSettingOutOfBounds(newVotingPeriod, MIN_VOTING_PERIOD, MAX_VOTING_PERIOD)
        );
        super._setVotingPeriod(newVotingPeriod);
    }

    function _updateQuorumNumerator(uint256 newQuorumNumerator) internal override {
        require(
            MIN_QUORUM_PERCENT <= newQuorumNumerator && newQuorumNumerator <= MAX_QUORUM_PERCENT,
            GovernorSettingOutOfBounds(newQuorumNumerator, MIN_QUORUM_PERCENT, MAX_QUORUM_PERCENT)
        );
        super._updateQuorumNumerator(newQuorumNumerator);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
