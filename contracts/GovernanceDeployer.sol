// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

import {PluralGovernor} from "./PluralGovernor.sol";
import {PluralTimelock} from "./PluralTimelock.sol";
import {PluralToken} from "./PluralToken.sol";

/// @title GovernanceDeployer
/// @notice Creates Plural's governance in one transaction, its constructor: the governance timelock, the optional
/// operations timelock and, unless a multisig proposes instead, the PLURAL token and the Governor.
/// @dev The timelock must name the Governor as its proposer and the Governor must name the timelock; both addresses
/// are predicted from this contract's creation nonces, so the timelock never has an admin other than itself, not even
/// for one block, and nobody has a role to renounce afterwards.
contract GovernanceDeployer {
    /// @notice Governance parameters. A zero `timelockProposer` means token governance: the token and the Governor
    /// are created and the Governor proposes (and executes); otherwise that address (a multisig) proposes and neither
    /// is created. A zero executor lets anyone execute a ready operation. `operationsCanceller` (zero for none) may
    /// cancel what the operations multisig schedules, at once (the pause guardian, say).
    struct Settings {
        uint256 timelockMinDelay;
        address timelockProposer;
        address timelockExecutor;
        uint256 operationsMinDelay;
        address operationsProposer;
        address operationsExecutor;
        address operationsCanceller;
        address[] tokenHolders;
        uint256[] tokenAmounts;
        uint48 votingDelay;
        uint32 votingPeriod;
        uint256 proposalThreshold;
        uint256 quorumPercent;
    }

    /// @notice Governance exists.
    /// @param timelock The governance timelock: proposer the Governor (or the multisig), admin only itself.
    /// @param operationsTimelock The operations timelock (zero when there is none): administered by `timelock` alone.
    /// @param token The PLURAL token (zero with a multisig proposer).
    /// @param governor The Governor (zero with a multisig proposer).
    event GovernanceDeployed(address timelock, address operationsTimelock, address token, address governor);

    /// @notice A contract landed somewhere other than predicted (cannot happen with CREATE; checked all the same).
    error UnexpectedAddress(address expected, address actual);

    /// @notice Creates the timelocks, then the token and the Governor when the Governor proposes; emits
    /// `GovernanceDeployed`.
    /// @param settings The parameters.
    constructor(Settings memory settings) {
        bool tokenGovernance = settings.timelockProposer == address(0);
        bool operations = settings.operationsProposer != address(0);
        // A contract's nonce starts at 1 (EIP-161): the timelock, then the operations timelock when there is one, then
        // the token and the Governor.
        uint256 tokenNonce = operations ? 3 : 2;
        address governor = tokenGovernance ? _createdAddress(tokenNonce + 1) : address(0);

        address timelock = address(
            new PluralTimelock(
                settings.timelockMinDelay,
                _one(tokenGovernance ? governor : settings.timelockProposer),
                // The Governor executes what passed (`PluralGovernor.execute` calls the timelock), whoever else may.
                tokenGovernance ? _two(governor, settings.timelockExecutor) : _one(settings.timelockExecutor),
                new address[](0),
                address(0)
            )
        );
        address operationsTimelock;
        if (operations) {
            operationsTimelock = address(
                new PluralTimelock(
                    settings.operationsMinDelay,
                    _one(settings.operationsProposer),
                    _one(settings.operationsExecutor),
                    // A veto that acts at once: governance's own cancel passes through its vote and delay.
                    settings.operationsCanceller == address(0) ? new address[](0) : _one(settings.operationsCanceller),
                    timelock
                )
            );
        }
        address token;
        if (tokenGovernance) {
            token = address(new PluralToken(settings.tokenHolders, settings.tokenAmounts));
            address actual = address(
                new PluralGovernor(
                    IVotes(token),
                    TimelockController(payable(timelock)),
                    settings.votingDelay,
                    settings.votingPeriod,
                    settings.proposalThreshold,
                    settings.quorumPercent
                )
            );
            require(actual == governor, UnexpectedAddress(governor, actual));
        }
        emit GovernanceDeployed(timelock, operationsTimelock, token, governor);
    }

    function _two(address first, address second) private pure returns (address[] memory list) {
        list = new address[](2);
        list[0] = first;
        list[1] = second;
    }

    function _one(address account) private pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = account;
    }

    /// @dev CREATE address for `nonce` < 128: keccak256(rlp([this, nonce]))[12:], rlp = 0xd6 0x94 address nonce.
    function _createdAddress(uint256 nonce) private view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), address(this), uint8(nonce))))));
    }
}
