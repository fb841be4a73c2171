/**
 * Hardhat as a user runs it, for the tests that drive the CLI: `hardhat node` on 127.0.0.1 and tasks as child
 * processes of the same Node.js binary, run from the project root.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";

import { expect } from "chai";

import { PROJECT_ROOT } from "../../lib/deployment.js";
import { HARDHAT_CLI } from "../../lib/localNode.js";
import { sleep } from "../../lib/time.js";

export { HARDHAT_CLI };

/**
 * The README's `ignition deploy` of the local module to `hardhat node` (localhost), under `deploymentId`, on the build
 * the test run already made: Ignition compiles with the `production` profile by default (the same compiler settings
 * here, built file by file), and the artifacts of one profile replace the other's, so each switch would compile
 * everything again (minutes per test run).
 */
export function deployLocalArgs(deploymentId: string): string[] {
  return [
    "--build-profile",
    "default",
    "ignition",
    "deploy",
    "deploy/modules/PluralLocal.ts",
    "--network",
    "localhost",
    "--parameters",
    "deploy/parameters/local.json",
    "--deployment-id",
    deploymentId,
  ];
}

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

/** Holds 127.0.0.1:`port` until closed, as another program would. */
export function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** The result of a JSON-RPC call to `url`; throws the node's error, naming the method. */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Whether `check` holds, asked now and then every `intervalMs` until it does or `deadlineMs` has passed. */
export async function until(
  check: () => boolean | Promise<boolean>,
  deadlineMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs, undefined);
  }
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
 * Ends `child` (SIGTERM, then SIGKILL after `graceMs`) and stops killing it when this process exits. Safe to call
 * again, and after the child ended by itself.
 */
function terminator(child: ChildProcess, killOnExit: () => void) {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return async (graceMs = 5_000) => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!gone) {
      child.kill("SIGKILL");
      await exited;
    }
  };
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
  const stop = terminator(node, killOnExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForNode(url, node, deadlineMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, stop };
}

/** A task that runs until it is stopped or ends by itself, such as `beacon run` or `oracle run`. */
export interface BackgroundTask {
  /** What it printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Its exit code and everything it printed, once it has exited. */
  readonly done: Promise<Run>;
  /** Resolves with `done` once it exits by itself; rejects with what it printed when `deadlineMs` passes first. */
  exited(deadlineMs?: number): Promise<Run>;
  /** Resolves with the first match of `pattern` in its stdout; rejects when it exits first or `deadlineMs` passes. */
  waitFor(pattern: RegExp, deadlineMs?: number): Promise<RegExpExecArray>;
  /** Ends it: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<Run>;
}

/**
 * Starts `hardhat <args>` without waiting for its end. It is also killed when this process exits, so an aborted test
 * run leaves nothing behind; a test stops it in `after`, which runs when a test failed too.
 */
export function startTask(args: string[], env: NodeJS.ProcessEnv): BackgroundTask {
  const child = spawn(process.execPath, [HARDHAT_CLI, ...args], { cwd: PROJECT_ROOT, env });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stdout = "";
  let stderr = "";
  const watchers = new Set<() => void>();
  const notify = () => watchers.forEach((watch) => watch());
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let closed = false;
  const done = new Promise<Run>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      process.removeListener("exit", killOnExit);
      closed = true;
      resolve({ code, stdout, stderr });
      notify();
    });
  });
  const stop = terminator(child, killOnExit);
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
    exited(deadlineMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`hardhat ${args.join(" ")} still runs after ${deadlineMs} ms\n${stdout}${stderr}`)),
          deadlineMs,
        );
      });
      return Promise.race([done, late]).finally(() => clearTimeout(timer));
    },
    waitFor(pattern, deadlineMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no ${pattern} within ${deadlineMs} ms in the output of hardhat ${args.join(" ")}`)),
          deadlineMs,
        );
        function finish(error?: Error, match?: RegExpExecArray) {
          clearTimeout(timer);
          watchers.delete(check);
          if (error === undefined) resolve(match!);
          else reject(new Error(`${error.message}\n${stdout}${stderr}`));
        }
        function check() {
          const match = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(stdout);
          if (match !== null) finish(undefined, match);
          else if (closed) finish(new Error(`hardhat ${args.join(" ")} exited before printing ${pattern}`));
        }
        watchers.add(check);
        check();
      });
    },
    async stop(graceMs) {
      await stop(graceMs);
      return done;
    },
  };
}

/** A task that succeeded: exit code 0 (its output in the message otherwise). */
export function expectSuccess(run: Run, label: string): void {
  expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(0);
}

/**
 * A refusal as users should see it: exit code 1, exactly one `Error:` line, no stack trace; with `pattern`, a message
 * that names the problem. Returns stderr's lines.
 */
export function expectRefusal(run: Run, label: string, pattern?: RegExp): string[] {
  expect(run.code, `${label}: exit code\n${run.stdout}${run.stderr}`).to.equal(1);
  const lines = run.stderr.split("\n");
  expect(
    lines.filter((line) => line.startsWith("Error:")),
    `${label}: one Error: line\n${run.stderr}`,
  ).to.have.length(1);
  expect(run.stderr, `${label}: no stack trace`).not.to.match(/^\s+at /m);
  if (pattern !== undefined) expect(run.stderr, `${label}: names the problem`).to.match(pattern);
  return lines;
}
