import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { currentToken, refresh } from './api.js';
import type { LiveEvent } from './types.js';

type Handler = (event: LiveEvent) => void;
type ReloadHandler = () => void;
export type LiveStatus = 'connecting' | 'live' | 'offline';

interface Subscription {
  handlers: Set<Handler>;
  reloads: Set<ReloadHandler>;
  lastEventId?: string;
}

/**
 * One Socket.IO connection to `/live` for the whole app. Each cohort is subscribed once however
 * many screens watch it; after a reconnect it resubscribes from the last event id it saw, so the
 * server replays what was missed (or says `reload` when it cannot).
 */
class LiveConnection {
  private socket: Socket | null = null;
  private readonly cohorts = new Map<string, Subscription>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  status: LiveStatus = 'offline';

  private ensure(): Socket {
    if (this.socket) return this.socket;
    const socket = io('/live', {
      transports: ['websocket'],
      // A function, so every (re)connect carries the current access token.
      auth: (callback) => callback({ token: currentToken() ?? '' }),
    });
    socket.on('connect', () => {
      this.setStatus('live');
      for (const cohortId of this.cohorts.keys()) this.subscribe(cohortId);
    });
    socket.on('disconnect', () => this.setStatus('connecting'));
    socket.on('connect_error', (error: Error & { data?: { error?: string } }) => {
      this.setStatus('offline');
      // An expired access token: refresh it; socket.io retries the handshake by itself.
      if (error.data?.error === 'unauthorized') void refresh();
    });
    socket.on('event', (event: LiveEvent) => {
      const entry = this.cohorts.get(event.cohortId);
      if (!entry) return;
      entry.lastEventId = event.id;
      for (const handler of entry.handlers) handler(event);
    });
    socket.on('reload', (notice: { cohortId: string; lastEventId: string }) => {
      const entry = this.cohorts.get(notice.cohortId);
      if (!entry) return;
      entry.lastEventId = notice.lastEventId;
      for (const handler of entry.reloads) handler();
    });
    this.setStatus('connecting');
    this.socket = socket;
    return socket;
  }

  private subscribe(cohortId: string): void {
    const entry = this.cohorts.get(cohortId);
    if (!entry || !this.socket?.connected) return;
    this.socket.emit(
      'subscribe',
      { cohortId, ...(entry.lastEventId ? { lastEventId: entry.lastEventId } : {}) },
      (ack: { ok: boolean; lastEventId?: string; reload?: boolean }) => {
        if (!ack.ok) return;
        if (ack.reload) for (const handler of entry.reloads) handler();
        if (ack.lastEventId && !entry.lastEventId) entry.lastEventId = ack.lastEventId;
      },
    );
  }

  watch(cohortId: string, handler: Handler, reload: ReloadHandler): () => void {
    let entry = this.cohorts.get(cohortId);
    const fresh = !entry;
    if (!entry) {
      entry = { handlers: new Set(), reloads: new Set() };
      this.cohorts.set(cohortId, entry);
    }
    entry.handlers.add(handler);
    entry.reloads.add(reload);
    const socket = this.ensure();
    if (fresh && socket.connected) this.subscribe(cohortId);
    return () => {
      entry.handlers.delete(handler);
      entry.reloads.delete(reload);
      if (entry.handlers.size > 0) return;
      this.cohorts.delete(cohortId);
      if (this.socket?.connected) this.socket.emit('unsubscribe', { cohortId }, () => undefined);
    };
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
    this.cohorts.clear();
    this.setStatus('offline');
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

export const live = new LiveConnection();

/** Receive a cohort's live events while the component is mounted. */
export function useLive(cohortId: string | undefined, onEvent: Handler, onReload: ReloadHandler): void {
  const handlers = useRef({ onEvent, onReload });
  handlers.current = { onEvent, onReload };
  useEffect(() => {
    if (!cohortId) return;
    return live.watch(
      cohortId,
      (event) => handlers.current.onEvent(event),
      () => handlers.current.onReload(),
    );
  }, [cohortId]);
}

export function useLiveStatus(): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(live.status);
  useEffect(() => live.onStatus(setStatus), []);
  return status;
}
