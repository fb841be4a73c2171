/** A table row: a label and its value, or a section heading (a single cell spanning the table). */
export type Row = readonly [label: string, value: string] | readonly [heading: string];

/** Renders rows as a two-column table with box-drawing borders, labels left-aligned and values right-aligned. */
export function renderTable(title: string, rows: readonly Row[]): string {
  const labelWidth = Math.max(...rows.map((row) => (row.length === 2 ? row[0].length : 0)), 0);
  const valueWidth = Math.max(...rows.map((row) => (row.length === 2 ? row[1].length : 0)), 0);
  const inner = Math.max(labelWidth + valueWidth + 3, title.length, ...rows.map((row) => row[0].length));
  const valueColumn = inner - labelWidth - 3;
  const line = (left: string, fill: string, right: string) => `${left}${fill.repeat(inner + 2)}${right}`;
  const out = [line("┌", "─", "┐"), `│ ${title.padEnd(inner)} │`, line("├", "─", "┤")];
  for (const row of rows) {
    if (row.length === 1) {
      out.push(`│ ${row[0].padEnd(inner)} │`);
    } else {
      out.push(`│ ${row[0].padEnd(labelWidth)} │ ${row[1].padStart(valueColumn)} │`);
    }
  }
  out.push(line("└", "─", "┘"));
  return out.join("\n");
}

/**
 * Renders a table with a header row and any number of columns; the first column is left-aligned, the others (numbers,
 * amounts) right-aligned.
 */
export function renderGrid(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const inner = Math.max(widths.reduce((sum, width) => sum + width, 0) + 3 * (widths.length - 1), title.length);
  // Any room the title needs beyond the columns goes to the last column.
  widths[widths.length - 1]! += inner - (widths.reduce((sum, width) => sum + width, 0) + 3 * (widths.length - 1));
  const cells = (row: readonly string[]) =>
    `│ ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" │ ")} │`;
  const line = (left: string, joint: string, right: string) =>
    `${left}${widths.map((width) => "─".repeat(width + 2)).join(joint)}${right}`;
  const out = [
    line("┌", "─", "┐"),
    `│ ${title.padEnd(inner)} │`,
    line("├", "┬", "┤"),
    cells(headers),
    line("├", "┼", "┤"),
  ];
  for (const row of rows) out.push(cells(row));
  out.push(line("└", "┴", "┘"));
  return out.join("\n");
}
