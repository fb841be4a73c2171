/**
 * The dashboard page: reads the server's snapshot, then follows its event stream and draws every new snapshot. Each
 * figure is the snapshot's own text (formatted by the library the tasks use), placed in an element whose
 * `data-figure` names its path in the snapshot, so anyone can check the page against `GET /api/snapshot`.
 */
import type { AprJson, DashboardSnapshot } from "../../lib/dashboard/types.js";
import { barChart, lineChart } from "./charts.js";

type Child = Node | string;

function el(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** The value at `path` ("pool.apr.days7.text") of the snapshot. */
function at(snapshot: DashboardSnapshot, path: string): unknown {
  let value: unknown = snapshot;
  for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** A figure: the snapshot's value at `path`, tagged with the path. */
function fig(snapshot: DashboardSnapshot, path: string, tag = "span"): HTMLElement {
  const value = at(snapshot, path);
  return el(tag, { "data-figure": path }, value === null || value === undefined ? "-" : String(value));
}

/** An amount: its short text, the exact one on hover. */
function amount(snapshot: DashboardSnapshot, path: string): HTMLElement {
  const element = fig(snapshot, `${path}.short`);
  element.title = String(at(snapshot, `${path}.text`));
  return element;
}

function tile(label: string, value: Node, note?: Child): HTMLElement {
  return el(
    "div",
    { class: "tile" },
    el("div", { class: "label" }, label),
    el("div", { class: "value" }, value),
    ...(note === undefined ? [] : [el("div", { class: "note" }, note)]),
  );
}

function card(id: string, title: string, ...children: Child[]): HTMLElement {
  return el("section", { class: "card", id }, el("h2", {}, title), ...children);
}

function table(headers: readonly string[], rows: readonly Child[][], empty: string): HTMLElement {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, ...headers.map((header) => el("th", {}, header)))),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell))))),
  );
}

function aprNote(apr: AprJson): string {
  return apr.reports === 0
    ? "no report in the window"
    : `${apr.reports} report${apr.reports === 1 ? "" : "s"} over ${apr.period.text}`;
}

function poolCard(s: DashboardSnapshot): HTMLElement {
  const { pool } = s;
  const points = pool.rateHistory.map((point) => ({
    x: point.time.unix,
    // For drawing only: the tile and the tooltips show the exact figures.
    y: Number(point.rate.value) / 1e18,
    label: `ref slot ${point.refSlot} (${point.time.text}): ${point.rate.short} per plETH, APR ${point.apr.text}`,
  }));
  return card(
    "pool",
    "Pool",
    el(
      "div",
      { class: "tiles" },
      tile("Total pooled ETH", amount(s, "pool.totalPooledEther")),
      tile("plETH supply", amount(s, "pool.plEthSupply")),
      tile("Share rate", amount(s, "pool.shareRate"), "per plETH"),
      tile("APR, last report", fig(s, "pool.apr.lastReport.text"), aprNote(pool.apr.lastReport)),
      tile("APR, 7 days", fig(s, "pool.apr.days7.text"), aprNote(pool.apr.days7)),
      tile("APR, 30 days", fig(s, "pool.apr.days30.text"), aprNote(pool.apr.days30)),
      tile("Buffered ETH", amount(s, "pool.bufferedEther"), "waiting to be staked"),
      tile("Beacon balance", amount(s, "pool.beaconBalance"), "as the last report saw it"),
    ),
    el("h3", {}, "Share rate after each report (ETH per plETH)"),
    lineChart(points, (y) => `${y.toFixed(6)} ETH`, "no report yet: the rate starts at 1 ETH per plETH"),
    el(
      "p",
      { class: "note" },
      "APRs are time-weighted over the reports whose reference slot falls in the window, net of fees.",
    ),
  );
}

function validatorsCard(s: DashboardSnapshot): HTMLElement {
  const states = ["pending", "active", "exiting", "exited", "slashed"] as const;
  return card(
    "validators",
    "Validators",
    el(
      "div",
      { class: "tiles" },
      ...states.map((state) => tile(state[0]!.toUpperCase() + state.slice(1), fig(s, `validators.${state}`))),
      tile(
        "Deposited",
        fig(s, "validators.deposited"),
        el("span", {}, fig(s, "validators.unseen"), " not on the beacon chain yet"),
      ),
    ),
    el(
      "p",
      { class: "note" },
      "From the Beacon API at ",
      fig(s, "validators.beaconUrl"),
      ", head slot ",
      fig(s, "validators.headSlot"),
      ".",
    ),
  );
}

function operatorsCard(s: DashboardSnapshot): HTMLElement {
  const { operators } = s;
  const bars = operators.list.map((op) => ({
    label: `${op.id} ${op.name}`,
    value: op.activeValidators,
    text: `${op.activeValidators} (${op.shareText})`,
  }));
  const figure = (name: string, key: "nakamotoCoefficient" | "herfindahlHirschmanIndex" | "largestShare") =>
    el(
      "div",
      { class: "figure" },
      el("div", { class: "label" }, name),
      el("div", { class: "value" }, fig(s, `operators.${key}.text`)),
      fig(s, `operators.${key}.explanation`, "p"),
    );
  return card(
    "operators",
    "Operators",
    el("h3", {}, "Active validators per operator, against the share cap"),
    barChart(bars, {
      cap: { fraction: operators.shareCapBps / 10_000, label: `cap ${operators.shareCapText}` },
      empty: "no operator yet",
    }),
    table(
      [
        "operator",
        "status",
        "submitted",
        "vetted",
        "deposited",
        "active",
        "share",
        "exits owed",
        "fees claimable",
        "fees earned (now worth)",
      ],
      operators.list.map((op, i) => {
        const path = `operators.list.${i}`;
        return [
          el(
            "span",
            {},
            fig(s, `${path}.id`),
            " ",
            fig(s, `${path}.name`),
            op.cluster === null ? "" : ` (${op.cluster})`,
          ),
          `${op.active ? "active" : "inactive"}${op.penalized ? ", penalized" : ""}`,
          fig(s, `${path}.keysSubmitted`),
          fig(s, `${path}.keysVetted`),
          fig(s, `${path}.keysDeposited`),
          fig(s, `${path}.activeValidators`),
          fig(s, `${path}.shareText`),
          fig(s, `${path}.exitRequestsPending`),
          amount(s, `${path}.feesClaimable`),
          el("span", {}, amount(s, `${path}.feesEarned`), " (", amount(s, `${path}.feesEarnedValue`), ")"),
        ];
      }),
      "No operator yet.",
    ),
    el(
      "div",
      { class: "figures" },
      figure("Nakamoto coefficient", "nakamotoCoefficient"),
      figure("Herfindahl-Hirschman index", "herfindahlHirschmanIndex"),
      figure("Largest operator", "largestShare"),
    ),
  );
}

function queueCard(s: DashboardSnapshot): HTMLElement {
  return card(
    "queue",
    "Withdrawal queue",
    el(
      "div",
      { class: "tiles" },
      tile(
        "Unfinalized demand",
        amount(s, "queue.unfinalizedDemand"),
        el("span", {}, fig(s, "queue.pendingRequests"), " request(s) pending"),
      ),
      tile("Locked ETH", amount(s, "queue.lockedEther"), "set aside for finalized requests"),
      tile("Expected wait", fig(s, "queue.expectedWait.text"), "for a request made now"),
      tile(
        "Shortfall",
        amount(s, "queue.shortfall"),
        s.queue.bunkerMode ? "bunker mode: finalization waits" : "needs validator exits when above 0",
      ),
    ),
    el("p", { class: "note" }, "Expected wait: ", fig(s, "queue.expectedWaitExplanation"), "."),
    el("h3", {}, "Recent finalizations"),
    table(
      ["requests", "ETH locked", "block", "time"],
      s.queue.recentFinalizations.map((_, i) => [
        el(
          "span",
          {},
          fig(s, `queue.recentFinalizations.${i}.fromId`),
          "-",
          fig(s, `queue.recentFinalizations.${i}.toId`),
        ),
        amount(s, `queue.recentFinalizations.${i}.etherLocked`),
        fig(s, `queue.recentFinalizations.${i}.blockNumber`),
        fig(s, `queue.recentFinalizations.${i}.time.text`),
      ]),
      "No finalization yet.",
    ),
  );
}

function governanceCard(s: DashboardSnapshot): HTMLElement {
  const g = s.governance;
  return card(
    "governance",
    "Governance",
    el(
      "div",
      { class: "tiles" },
      tile(
        "Mode",
        fig(s, "governance.mode"),
        g.mode === "token" ? "PLURAL holders vote on the Governor" : "a multisig proposes",
      ),
      tile("Timelock delay", fig(s, "governance.timelockDelay.text")),
      tile(
        "Operations delay",
        g.operationsDelay === null ? el("span", {}, "none") : fig(s, "governance.operationsDelay.text"),
      ),
      ...(g.votingPeriod === null
        ? []
        : [
            tile(
              "Voting period",
              fig(s, "governance.votingPeriod.text"),
              el("span", {}, "after a delay of ", fig(s, "governance.votingDelay.text")),
            ),
          ]),
    ),
    el("h3", {}, "Emergency pause"),
    table(
      ["target", "state"],
      g.pause.targets.map((target, i) => [
        target.name,
        target.paused
          ? el(
              "span",
              { class: "warn" },
              "paused until ",
              fig(s, `governance.pause.targets.${i}.until.text`),
              " (",
              fig(s, `governance.pause.targets.${i}.left.text`),
              " left)",
            )
          : "not paused",
      ]),
      "",
    ),
    el(
      "p",
      { class: "note" },
      g.pause.guardian === null
        ? "No guardian holds a pause grant."
        : `Guardian ${g.pause.guardian}: ${g.pause.available ? "one pause available" : "its pause is used"}, at most ${g.pause.maxDuration.text}.`,
    ),
    el("h3", {}, "Pending proposals"),
    table(
      ["id", "description", "state", "vote ends", "executable from"],
      g.pendingProposals.map((proposal, i) => [
        fig(s, `governance.pendingProposals.${i}.shortId`),
        fig(s, `governance.pendingProposals.${i}.description`),
        fig(s, `governance.pendingProposals.${i}.state`),
        fig(s, `governance.pendingProposals.${i}.voteEnd.text`),
        proposal.eta === null ? "not queued" : fig(s, `governance.pendingProposals.${i}.eta.text`),
      ]),
      g.mode === "token" ? "No proposal in progress." : "Multisig governance: no Governor proposals.",
    ),
    el("h3", {}, "Queued timelock operations"),
    table(
      ["timelock", "calls", "state", "executable from"],
      g.queuedOperations.map((operation, i) => [
        fig(s, `governance.queuedOperations.${i}.timelock`),
        fig(s, `governance.queuedOperations.${i}.calls`),
        fig(s, `governance.queuedOperations.${i}.state`),
        operation.readyAt === null ? "-" : fig(s, `governance.queuedOperations.${i}.readyAt.text`),
      ]),
      "No operation waiting.",
    ),
  );
}

function oracleCard(s: DashboardSnapshot): HTMLElement {
  const o = s.oracle;
  return card(
    "oracle",
    "Oracle",
    el(
      "div",
      { class: "tiles" },
      tile("Quorum", fig(s, "oracle.quorum"), `of ${o.members.length} members`),
      tile(
        "Last report, ref slot",
        o.lastReport === null
          ? el("span", { "data-figure": "oracle.lastReport" }, "none yet")
          : fig(s, "oracle.lastReport.refSlot"),
        o.lastReport === null ? undefined : fig(s, "oracle.lastReport.slotTime.text"),
      ),
      tile(
        "Last report applied",
        o.lastReport === null ? el("span", {}, "-") : fig(s, "oracle.lastReport.appliedAt.text"),
        o.lastReport === null ? undefined : el("span", {}, "block ", fig(s, "oracle.lastReport.blockNumber")),
      ),
      tile(
        "Next report",
        fig(s, "oracle.frame.nextRefSlot"),
        el("span", {}, "accepted from ", fig(s, "oracle.frame.nextReportable.text")),
      ),
    ),
    el("h3", {}, "Sanity bounds"),
    table(
      ["bound", "value"],
      [
        ["max reward rate", fig(s, "oracle.bounds.maxApr")],
        ["max loss", fig(s, "oracle.bounds.maxLoss")],
        ["max EL rewards", fig(s, "oracle.bounds.maxElRewards")],
        ["unseen deposit deadline", fig(s, "oracle.bounds.unseenDepositDeadline.text")],
        [
          "frame length",
          el("span", {}, fig(s, "oracle.frame.length.text"), " (", fig(s, "oracle.frame.epochsPerFrame"), " epochs)"),
        ],
      ],
      "",
    ),
    el("h3", {}, "Members"),
    table(
      ["member", "last voted ref slot"],
      o.members.map((member, i) => [
        fig(s, `oracle.members.${i}.address`),
        member.lastVotedRefSlot === "0" ? "never" : fig(s, `oracle.members.${i}.lastVotedRefSlot`),
      ]),
      "No member.",
    ),
  );
}

function render(s: DashboardSnapshot): void {
  const header = document.getElementById("chain")!;
  header.replaceChildren(
    el("span", {}, "Network ", fig(s, "network"), " (chain ", fig(s, "chainId"), ")"),
    el("span", {}, "block ", fig(s, "blockNumber"), " at ", fig(s, "blockTime.text")),
  );
  document
    .getElementById("content")!
    .replaceChildren(poolCard(s), validatorsCard(s), operatorsCard(s), queueCard(s), governanceCard(s), oracleCard(s));
  // For whoever watches the page (people and tests): which block and report it shows.
  document.body.dataset.block = String(s.blockNumber);
  document.body.dataset.reports = String(s.pool.reportsApplied);
}

function setStatus(text: string, kind: "live" | "problem" | "connecting"): void {
  const status = document.getElementById("status")!;
  status.textContent = text;
  status.className = kind;
}

async function main(): Promise<void> {
  // The event stream opens with the snapshot just fetched, and a page that fell behind gets the latest one again:
  // the same text is not drawn twice.
  let shown = "";
  const show = (json: string) => {
    if (json === shown) return;
    shown = json;
    render(JSON.parse(json) as DashboardSnapshot);
  };
  show(await (await fetch("/api/snapshot")).text());
  const events = new EventSource("/api/events");
  events.addEventListener("snapshot", (event) => {
    show((event as MessageEvent<string>).data);
    setStatus("live", "live");
  });
  events.addEventListener("problem", (event) => {
    setStatus(`refresh failed, retrying: ${JSON.parse((event as MessageEvent<string>).data) as string}`, "problem");
  });
  events.addEventListener("error", () => setStatus("reconnecting to the dashboard server...", "connecting"));
}

main().catch((error: unknown) => setStatus(`could not load the snapshot: ${String(error)}`, "problem"));
