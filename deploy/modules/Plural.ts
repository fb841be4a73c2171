import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { buildProtocol } from "../protocol.js";

/** The protocol on a public network: stakes through the deposit contract named by the `depositContract` parameter. */
export default buildModule("Plural", (m) => buildProtocol(m, m.getParameter<string>("depositContract")));
