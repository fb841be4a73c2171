import type { Block, Provider } from "ethers";

/** Block `tag` (a number, or the latest): a node that has no such block is an error naming it, not a null to check. */
export async function readBlock(provider: Provider, tag: number | "latest" = "latest"): Promise<Block> {
  const block = await provider.getBlock(tag);
  if (block === null) throw new Error(`the node returned no ${tag === "latest" ? "latest block" : `block ${tag}`}`);
  return block;
}
