/**
 * The dashboard's web server: one page (bundled from dashboard/ by esbuild when the server starts, held in memory),
 * `GET /api/snapshot` (the latest snapshot, lib/dashboard/snapshot.ts) and `GET /api/events` (server-sent events: a
 * new snapshot whenever the chain has a new block or the beacon node a new head). Listens on the loopback interface
 * only unless told otherwise; requests naming another host are refused, so a web page elsewhere cannot reach it
 * through DNS rebinding.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import path from "node:path";

import { build } from "esbuild";

import { BeaconConnectionError } from "../beacon/client.js";
import { PROJECT_ROOT } from "../deployment.js";
import { UserInputError } from "../errors.js";
import { type DashboardSources, readDashboardSnapshot } from "./snapshot.js";
import type { DashboardSnapshot } from "./types.js";

/** The front end's sources: dashboard/index.html, dashboard/style.css and dashboard/src/main.ts with its imports. */
export const DASHBOARD_SOURCE_DIR = path.join(PROJECT_ROOT, "dashboard");
/** How often the server looks for a new block or beacon head, by default. */
export const DEFAULT_POLL_MS = 1_000;

export interface DashboardOptions extends DashboardSources {
  /** Interface to listen on (default 127.0.0.1); anything but a loopback address needs `allowRemote`. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  allowRemote?: boolean;
  /** How often to look for a new block or beacon head, ms (default `DEFAULT_POLL_MS`). */
  pollMs?: number;
  /** Where to say that a refresh failed (default: nowhere; the page shows it). */
  log?: (line: string) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's address, e.g. http://127.0.0.1:8080/ */
  url: string;
  /** The snapshot the page shows now. */
  latest(): DashboardSnapshot;
  /** Reads a new snapshot now and pushes it to open pages (also done by itself on new blocks). */
  refresh(): Promise<DashboardSnapshot>;
  /** Stops polling, ends open event streams and closes the server. */
  close(): Promise<void>;
}

/** The bundled page: html, css and the script. */
export interface PageAssets {
  html: string;
  css: string;
  js: string;
}

/** Bundles the front end with esbuild (in memory: nothing to build ahead, nothing stale to serve). */
export async function buildPageAssets(sourceDir = DASHBOARD_SOURCE_DIR): Promise<PageAssets> {
  const [html, css, bundle] = await Promise.all([
    readFile(path.join(sourceDir, "index.html"), "utf8"),
    readFile(path.join(sourceDir, "style.css"), "utf8"),
    build({
      entryPoints: [path.join(sourceDir, "src", "main.ts")],
      bundle: true,
      write: false,
      format: "esm",
      target: "es2022",
      minify: true,
      logLevel: "silent",
    }),
  ]);
  return { html, css, js: bundle.outputFiles[0]!.text };
}

/** Whether `host` names this machine's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1";
}

/**
 * Starts the dashboard: checks the Beacon API answers, reads a first snapshot, listens, and then refreshes on every new
 * block or beacon head.
 *
 * @throws UserInputError when the host is not loopback (without `allowRemote`), the port is taken, the Beacon API does
 * not answer (naming its URL), or the port is out of range.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 0;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const log = options.log ?? (() => {});
  if (!options.allowRemote && !isLoopbackHost(host)) {
    throw new UserInputError(
      `--host ${host} is not a loopback address: the dashboard serves this machine only (127.0.0.1, ::1, ` +
        `localhost); pass --allow-remote to serve ${host} on purpose`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UserInputError(`--port ${port}: expected a whole number from 0 to 65535 (0 picks a free port)`);
  }
  if (!Number.isInteger(pollMs) || pollMs < 50) throw new RangeError(`pollMs must be 50 or more, got ${pollMs}`);

  const sources: DashboardSources = options;
  try {
    await sources.beacon.genesis();
  } catch (error) {
    if (!(error instanceof BeaconConnectionError)) throw error;
    throw new UserInputError(
      `the Beacon API at ${sources.beacon.url} does not answer (${error.message}): start one beside the node with ` +
        `npx hardhat beacon run --network localhost, or pass --beacon-url`,
    );
  }
  const [assets, first] = await Promise.all([buildPageAssets(), readDashboardSnapshot(sources)]);
  let latest = first;
  let latestJson = JSON.stringify(first);
  let problem: string | undefined;
  const streams = new Set<EventStream>();
  const snapshotEvent = () => `event: snapshot\ndata: ${latestJson}\n\n`;
  const problemEvent = (message: string) => `event: problem\ndata: ${JSON.stringify(message)}\n\n`;
  // What a page that connects (or catches up) must receive: the latest snapshot, then the refresh problem if any.
  const currentEvents = () => snapshotEvent() + (problem === undefined ? "" : problemEvent(problem));
  const push = (events: string) => {
    for (const stream of streams) stream.send(events);
  };

  const server = createServer((request, response) => {
    try {
      route(request, response);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(error instanceof Error ? error.message : String(error));
    }
  });

  const address = await listen(server, host, port);
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  const url = `http://${urlHost}:${address}/`;
  const allowedHosts = new Set([`${urlHost}:${address}`, `localhost:${address}`, `127.0.0.1:${address}`]);

  function route(request: IncomingMessage, response: ServerResponse) {
    if (!options.allowRemote && !allowedHosts.has((request.headers.host ?? "").toLowerCase())) {
      response.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      response.end(`this dashboard answers to ${url} only`);
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      response.end("the dashboard is read-only: GET only");
      return;
    }
    const pathname = new URL(request.url ?? "/", url).pathname;
    const headers = {
      // Everything the page loads comes from this server: no fonts, scripts or styles from elsewhere.
      "content-security-policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store",
    };
    switch (pathname) {
      case "/":
      case "/index.html":
        response.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" });
        response.end(assets.html);
        return;
      case "/app.js":
        response.writeHead(200, { ...headers, "content-type": "text/javascript; charset=utf-8" });
        response.end(assets.js);
        return;
      case "/app.css":
        response.writeHead(200, { ...headers, "content-type": "text/css; charset=utf-8" });
        response.end(assets.css);
        return;
      case "/api/snapshot":
        response.writeHead(200, { ...headers, "content-type": "application/json; charset=utf-8" });
        response.end(latestJson);
        return;
      case "/api/events":
        response.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8" });
        const stream = new EventStream(response, currentEvents);
        stream.send(currentEvents());
        streams.add(stream);
        request.once("close", () => streams.delete(stream));
        return;
      default:
        response.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" });
        response.end(`no ${pathname} here: the dashboard is at ${url}`);
    }
  }

  async function refresh(): Promise<DashboardSnapshot> {
    const snapshot = await readDashboardSnapshot(sources);
    // A poll and an explicit refresh can overlap: the later block wins, whichever read finished last.
    if (snapshot.blockNumber < latest.blockNumber) return latest;
    latest = snapshot;
    latestJson = JSON.stringify(snapshot);
    problem = undefined;
    push(snapshotEvent());
    return snapshot;
  }

  // Refreshes run one at a time, when the block number or the beacon head moved; a failure is shown, then retried.
  let seen = `${first.blockNumber}:${first.validators.headSlot}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const poll = async () => {
    try {
      const [block, head] = await Promise.all([sources.provider.getBlockNumber(), sources.beacon.header("head")]);
      const now = `${block}:${head?.slot ?? 0n}`;
      if (now !== seen || problem !== undefined) {
        await refresh();
        seen = now;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== problem) log(`refresh failed, retrying: ${message}`);
      problem = message;
      push(problemEvent(message));
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = poll().finally(schedule);
    }, pollMs);
  };
  schedule();

  return {
    url,
    latest: () => latest,
    refresh: async () => {
      await running;
      return refresh();
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      for (const stream of streams) stream.end();
      streams.clear();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // Idle keep-alive connections of open pages would hold the server open.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Where an event stream writes: an HTTP response, or anything that reports a full buffer the same way. */
export interface EventSink {
  /** Queues `chunk`; false when the buffer is full and the writer should wait for "drain". */
  write(chunk: string): boolean;
  once(event: "drain", listener: () => void): unknown;
  end(): unknown;
}

/**
 * One page's server-sent events, coalesced: a page that reads slower than blocks come (a background tab, a slow link)
 * misses the events sent while its buffer is full and gets the whole state (`state`: the latest snapshot, and the
 * refresh problem if any) once it drains, not a backlog of every snapshot. At most one write waits in its buffer.
 */
export class EventStream {
  private waiting = false;
  private behind = false;

  constructor(
    private readonly sink: EventSink,
    private readonly state: () => string,
  ) {}

  /** Writes `events` now, or, when the sink is full, the whole state at the next drain instead. */
  send(events: string): void {
    if (this.waiting) {
      this.behind = true;
      return;
    }
    if (!this.sink.write(events)) {
      this.waiting = true;
      this.sink.once("drain", () => {
        this.waiting = false;
        if (this.behind) {
          this.behind = false;
          this.send(this.state());
        }
      });
    }
  }

  end(): void {
    this.sink.end();
  }
}

/** Listens on host:port and resolves with the port; a taken port is a `UserInputError` naming it. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new UserInputError(`port ${port} on ${host} is in use: pass another --port, or --port 0 for a free one`),
        );
      } else if (error.code === "EADDRNOTAVAIL") {
        reject(new UserInputError(`--host ${host} is not an address of this machine`));
      } else {
        reject(error);
      }
    });
    server.listen(port, host, () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) reject(new Error("the server has no address"));
      else resolve(address.port);
    });
  });
}
