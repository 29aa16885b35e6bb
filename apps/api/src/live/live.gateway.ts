import {
  LiveAccess,
  LiveAdapter,
  LiveAuthError,
  LiveHub,
  type LiveNamespace,
  type LiveSocket,
  type SubscribeAck,
} from '@kubecohort/realtime';
import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';

/**
 * Socket.IO `/live`: authenticates the handshake (`auth: {token}` or `Authorization: Bearer`),
 * then `subscribe {cohortId, lastEventId?}` / `unsubscribe {cohortId}`, acknowledged with
 * `{ok: true}` or `{ok: false, error, message}`. Events arrive as `event` {id, type, cohortId, at,
 * payload}; `reload` when a replay is impossible; `presence` (staff) when watchers change.
 * Everything past authentication and rooms lives in LiveHub.
 */
@WebSocketGateway({ namespace: '/live', serveClient: false })
export class LiveGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<LiveSocket> {
  private readonly logger = new Logger(LiveGateway.name);

  constructor(
    private readonly hub: LiveHub,
    private readonly access: LiveAccess,
    private readonly adapter: LiveAdapter,
  ) {}

  afterInit(namespace: Namespace): void {
    const nsp = namespace as unknown as LiveNamespace;
    this.adapter.install(nsp.server);
    // A refused handshake reaches the client as `connect_error` with this message.
    nsp.use((socket, next) => {
      this.access.authenticate(socket.handshake).then(
        (principal) => {
          socket.data.principal = principal;
          next();
        },
        (error: Error) => {
          if (error instanceof LiveAuthError)
            return next(Object.assign(new Error(error.message), { data: { error: 'unauthorized' } }));
          this.logger.warn({ err: error.message }, 'live handshake failed');
          next(
            Object.assign(new Error('unavailable: try again shortly'), { data: { error: 'unavailable' } }),
          );
        },
      );
    });
    this.hub.bind(nsp);
  }

  handleConnection(socket: LiveSocket): void {
    this.hub.attach(socket);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    return this.hub.subscribe(socket, body);
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): SubscribeAck {
    return this.hub.unsubscribe(socket, body);
  }
}
