/**
 * The parameters of deploy/parameters/{hoodi,sepolia}.json shipped as placeholders: the addresses a deploying team
 * supplies, in the order the deployment checks name them.
 */
export const TEAM_ADDRESS_PARAMETERS: readonly string[] = [
  "operationsProposer",
  "tokenHolders[0]",
  "tokenHolders[1]",
  "tokenHolders[2]",
  "pauseGuardian",
  "guardians[0]",
  "guardians[1]",
  "guardians[2]",
  "treasury",
  "oracleMembers[0]",
  "oracleMembers[1]",
  "oracleMembers[2]",
];
