import { GatewayDispatchEvents, GatewayOpcodes } from 'discord.js';
import type { WebSocket } from 'ws';

/** What the gateway tells a client once it identifies. */
export interface GatewayWorld {
  url: string;
  readyPayload(): Record<string, unknown>;
  guildCreatePayloads(): Record<string, unknown>[];
  onIdentify(session: GatewaySession, identify: { intents: number; token: string }): void;
}

const HEARTBEAT_INTERVAL_MS = 41_250;

/**
 * One client connection to the fake gateway: HELLO on connect; READY and a GUILD_CREATE per guild
 * after IDENTIFY; heartbeat ACKs; then whatever the test dispatches (INTERACTION_CREATE, ...).
 * Resumes are refused with an invalid session, so a reconnecting client identifies afresh.
 */
export class GatewaySession {
  private sequence = 0;
  identified = false;
  intents = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly world: GatewayWorld,
  ) {
    socket.on('message', (data: Buffer) => this.onMessage(data.toString('utf8')));
    this.send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS } });
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  dispatch(type: string, data: unknown): void {
    this.sequence += 1;
    this.send({ op: GatewayOpcodes.Dispatch, t: type, s: this.sequence, d: data });
  }

  close(code = 1000): void {
    this.socket.close(code);
  }

  private send(payload: unknown): void {
    if (this.open) this.socket.send(JSON.stringify(payload));
  }

  private onMessage(text: string): void {
    const payload = JSON.parse(text) as { op: GatewayOpcodes; d: unknown };
    if (payload.op === GatewayOpcodes.Heartbeat) {
      this.send({ op: GatewayOpcodes.HeartbeatAck });
    } else if (payload.op === GatewayOpcodes.Identify) {
      const identify = payload.d as { intents: number; token: string };
      this.intents = identify.intents;
      this.identified = true;
      this.dispatch(GatewayDispatchEvents.Ready, this.world.readyPayload());
      for (const guild of this.world.guildCreatePayloads())
        this.dispatch(GatewayDispatchEvents.GuildCreate, guild);
      this.world.onIdentify(this, identify);
    } else if (payload.op === GatewayOpcodes.Resume) {
      this.send({ op: GatewayOpcodes.InvalidSession, d: false });
    }
  }
}
