/**
 * The baseline: a bare Socket.IO server with the same room layout as the api, broadcasting the same
 * messages (it reads the same Redis events channel) — no authentication, ordering or replay.
 */
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false, transports: ['websocket'] });
const live = io.of('/live');

live.on('connection', (socket) => {
  const { cohortId, userId, staff } = socket.handshake.auth as {
    cohortId: string;
    userId: string;
    staff: boolean;
  };
  void socket.join(staff ? [`c:${cohortId}:staff`] : [`c:${cohortId}:public`, `c:${cohortId}:u:${userId}`]);
});

const redis = new Redis(process.env.REDIS_URL!);
redis.on('message', (_channel: string, message: string) => {
  const event = JSON.parse(message) as {
    id: string;
    type: string;
    cohortId: string;
    at: string;
    payload: unknown;
    subjectUserId: string | null;
  };
  const audience = event.subjectUserId
    ? [`c:${event.cohortId}:staff`, `c:${event.cohortId}:u:${event.subjectUserId}`]
    : [`c:${event.cohortId}:staff`, `c:${event.cohortId}:public`];
  live.to(audience).emit('event', {
    id: event.id,
    type: event.type,
    cohortId: event.cohortId,
    at: event.at,
    payload: event.payload,
  });
});
await redis.subscribe(`${process.env.REDIS_PREFIX}:events`);

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address() as { port: number };
  console.log(`bare listening ${address.port}`);
});
process.on('SIGTERM', () => {
  void io.close();
  redis.disconnect();
  process.exit(0);
});
