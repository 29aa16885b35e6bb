const DISCORD_EPOCH = 1420070400000n;
let sequence = 0n;

/** A fresh Discord snowflake (time-ordered, unique within the process). */
export function snowflake(): string {
  sequence = (sequence + 1n) & 0xfffn;
  return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | sequence);
}
