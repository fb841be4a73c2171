/** Reading the tables tasks print (lib/table.ts): rows by their first cell. */

/** The trimmed cells of one table line (none for a border line). */
export function cells(line: string): string[] {
  return line
    .split("│")
    .slice(1, -1)
    .map((cell) => cell.trim());
}

/** The trimmed cells of the first table line whose first cell is `label`. */
export function row(table: string, label: string): string[] {
  const found = table
    .split("\n")
    .map(cells)
    .find((candidate) => candidate[0] === label);
  if (found === undefined) throw new Error(`no row "${label}" in\n${table}`);
  return found;
}
