/** Where progress goes: a terminal gets a bar redrawn in place, anything else a line every tenth of the way. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Reports `done` of `total` steps of a long job. */
export interface Progress {
  tick(done?: number): void;
  finish(): void;
}

const WIDTH = 30;

/** A progress bar for `total` steps named `label` ("keystores"), written to `stream` (stderr by default). */
export function createProgress(total: number, label: string, stream: ProgressStream = process.stderr): Progress {
  let done = 0;
  let lastDecile = -1;
  const started = Date.now();
  const render = () => {
    const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return `[${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${done}/${total} ${label} (${seconds} s)`;
  };
  return {
    tick(step = 1) {
      done = Math.min(total, done + step);
      if (stream.isTTY === true) {
        stream.write(`\r${render()}`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${render()}\n`);
      }
    },
    finish() {
      if (stream.isTTY === true) stream.write(`\r${render()}\n`);
    },
  };
}
