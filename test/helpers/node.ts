/**
 * Hardhat as a user runs it, for the tests that drive the CLI: `hardhat node` on 127.0.0.1 and tasks as child
 * processes of the same Node.js binary, run from the project root.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

import { PROJECT_ROOT } from "../../lib/deployment.js";

export const HARDHAT_CLI = path.join(PROJECT_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** What a finished child process left: its exit code and everything it printed. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A TCP port nothing listens on now (the OS picks it), for a `hardhat node` of one test file. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

/** Runs `hardhat <args>` to its end. */
export function hardhat(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT_CLI, ...args], { cwd: PROJECT_ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once `url` answers JSON-RPC; rejects when `node` exits first or `deadlineMs` passes. */
export async function waitForNode(url: string, node: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited with code ${node.exitCode}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`hardhat node did not answer on ${url} within ${deadlineMs} ms`);
}

/** A running `hardhat node`. */
export interface LocalNode {
  url: string;
  port: number;
  /** Ends the node: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `hardhat node` on 127.0.0.1:`port` and waits until it answers. The node is also killed when this process
 * exits, so an aborted test run leaves no node behind.
 */
export async function startNode(port: number, env: NodeJS.ProcessEnv, deadlineMs = 60_000): Promise<LocalNode> {
  const node = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: PROJECT_ROOT,
    env,
    stdio: "ignore",
  });
  const killOnExit = () => node.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => {
    if (node.exitCode !== null || node.signalCode !== null) resolve();
    else node.once("exit", () => resolve());
  });
  const stop = async (graceMs = 5_000) => {
    process.removeListener("exit", killOnExit);
    if (node.exitCode !== null || node.signalCode !== null) return;
    node.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!gone) {
      node.kill("SIGKILL");
      await exited;
    }
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForNode(url, node, deadlineMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, stop };
}
