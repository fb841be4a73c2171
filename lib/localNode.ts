/**
 * A `hardhat node` on 127.0.0.1 started by a script (the demo's live mode) and a beacon simulator kept following it:
 * the pieces a script needs to leave a chain and a beacon chain running for the user to explore.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

import type { BeaconSimulator } from "./beacon/simulator.js";
import { PROJECT_ROOT } from "./deployment.js";
import { UserInputError } from "./errors.js";
import { sleep } from "./time.js";

/** The project's Hardhat command line, run with this process's Node.js by whoever spawns `hardhat`. */
export const HARDHAT_CLI = path.join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** Signals that end this process by default and that the node started here must not outlive. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** A running `hardhat node`. */
export interface LocalNode {
  readonly url: string;
  readonly port: number;
  /** The node's process id. */
  readonly pid: number;
  /** Ends the node: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Whether nothing listens on 127.0.0.1:`port` now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Refuses a busy 127.0.0.1:`port` before anything starts, naming what probably holds it (`holder`) and the variable
 * that picks another port.
 */
export async function requireFreePort(port: number, holder: string, variable: string): Promise<void> {
  if (!(await portIsFree(port))) {
    throw new UserInputError(
      `127.0.0.1:${port} is in use (another ${holder}?): stop it or set ${variable} to a free port`,
    );
  }
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` from the project root with this process's Node.js, its
 * output appended to `logFile`, and waits until it answers JSON-RPC. The node is killed when this process exits or a
 * SIGINT, SIGTERM or SIGHUP ends it.
 *
 * @throws UserInputError when something already listens on the port (another node: stop it or pick another port),
 *   or when the node exits or does not answer within `deadlineMs`.
 */
export async function startLocalNode(options: {
  port: number;
  logFile: string;
  deadlineMs?: number;
}): Promise<LocalNode> {
  const { port, logFile } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UserInputError(`port: expected an integer from 1 to 65535, got ${port}`);
  }
  await requireFreePort(port, "hardhat node", "PLURAL_LOCALHOST_PORT");
  const log = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: PROJECT_ROOT,
      stdio: ["ignore", log, log],
    });
  } finally {
    // The child holds its own descriptor now.
    closeSync(log);
  }
  const killOnExit = () => child.kill("SIGKILL");
  // A signal sent to this process alone (kill, a supervisor) does not reach the node, and Node.js runs no "exit"
  // listener when a signal ends it. When nothing else handles the signal, take the node down and raise the signal
  // again, so that this process ends the way it would have; when something does (the demo's live mode), it decides,
  // and the "exit" listener still covers the end.
  const forget = () => {
    process.removeListener("exit", killOnExit);
    for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    forget();
    killOnExit();
    process.kill(process.pid, signal);
  };
  process.once("exit", killOnExit);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (graceMs = 5_000) => {
    forget();
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const gone = await Promise.race([exited.then(() => true), sleep(graceMs, undefined).then(() => false)]);
    if (!gone) {
      child.kill("SIGKILL");
      await exited;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new UserInputError(
        `hardhat node on ${url} ${child.exitCode !== null ? `exited with code ${child.exitCode}` : "did not answer"}: ` +
          `see ${logFile}`,
      );
    }
    await sleep(250, undefined);
  }
  return { url, port, pid: child.pid!, stop };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    // Not listening yet.
    return false;
  }
}

/**
 * Keeps `simulator` following its chain (a `sync` every `pollMs`) until `signal` aborts, so that blocks other
 * processes mine (tasks, `beacon advance`) move the beacon chain. A failed sync is reported once through `log` and
 * retried; the loop never throws.
 */
export async function followChain(
  simulator: BeaconSimulator,
  signal: AbortSignal,
  options: { pollMs?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 1_000;
  let lastError = "";
  while (!signal.aborted) {
    try {
      await simulator.sync();
      lastError = "";
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastError)
        options.log?.(`beacon simulator: sync failed, retrying every ${pollMs} ms: ${message}`);
      lastError = message;
    }
    await sleep(pollMs, signal);
  }
}
