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
