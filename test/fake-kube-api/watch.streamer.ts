/** `?watch=true` streams: newline-delimited JSON watch events over a chunked HTTP response. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from './kube-status.errors.js';
import { fieldMatcher, labelMatcher } from './selector.matcher.js';
import { rtApiVersion, storageKey, type ResourceType } from './resource.registry.js';
import type { ObjectStore, StoreEvent } from './object.store.js';
import type { ResourceHandlers } from './resource.handlers.js';
import type { KubeObject } from './fake-kube-api.types.js';

export interface WatchParams {
  rt: ResourceType;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
}

interface OpenWatch {
  res: ServerResponse;
  close: () => void;
}

type OutType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export class WatchStreamer {
  private readonly open = new Set<OpenWatch>();

  constructor(
    private readonly store: ObjectStore,
    private readonly handlers: ResourceHandlers,
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  serve(req: IncomingMessage, res: ServerResponse, params: WatchParams): void {
    const { rt } = params;
    const labels = labelMatcher(params.labelSelector);
    const fields = fieldMatcher(params.fieldSelector);
    const key = storageKey(rt);
    const matches = (o: KubeObject): boolean =>
      (!rt.namespaced || params.namespace === undefined || o.metadata.namespace === params.namespace) &&
      labels(o) &&
      fields(o);

    const fromRv =
      params.resourceVersion && params.resourceVersion !== '0' ? Number(params.resourceVersion) : undefined;
    if (fromRv !== undefined && !Number.isInteger(fromRv))
      throw errors.badRequest(`invalid resource version: ${params.resourceVersion}`);
    const replay = fromRv === undefined ? [] : this.store.eventsSince(fromRv);

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const write = (type: OutType, object: unknown): void => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };

    if (replay === 'expired') {
      const current = this.store.currentRv();
      write('ERROR', errors.expired(`too old resource version: ${fromRv ?? 0} (${current})`).toStatus());
      res.end();
      return;
    }

    const deliver = (event: StoreEvent): void => {
      if (event.key !== key) return;
      const now = matches(event.object);
      const before = event.oldObject ? matches(event.oldObject) : false;
      let type: OutType | undefined;
      if (event.type === 'MODIFIED')
        type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
      else if (now) type = event.type;
      if (type) write(type, this.handlers.present(event.object, rt));
    };

    if (fromRv === undefined) {
      for (const object of this.store.list(key, rt.namespaced ? params.namespace : undefined)) {
        if (matches(object)) write('ADDED', this.handlers.present(object, rt));
      }
      if (params.allowWatchBookmarks && params.sendInitialEvents) {
        write('BOOKMARK', {
          kind: rt.kind,
          apiVersion: rtApiVersion(rt),
          metadata: {
            resourceVersion: String(this.store.currentRv()),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        });
      }
    } else {
      for (const event of replay) deliver(event);
    }

    const unsubscribe = this.store.subscribe(deliver);
    const timer =
      params.timeoutSeconds && params.timeoutSeconds > 0
        ? setTimeout(() => res.end(), params.timeoutSeconds * 1000)
        : undefined;
    const entry: OpenWatch = {
      res,
      close: () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
        this.open.delete(entry);
      },
    };
    this.open.add(entry);
    res.on('close', entry.close);
    req.on('close', entry.close);
  }

  /** Kills open watch connections without a proper end of stream, like a dropped network or apiserver restart. */
  dropAll(): number {
    const victims = [...this.open];
    for (const w of victims) {
      w.close();
      w.res.socket?.destroy();
    }
    return victims.length;
  }

  /** Ends open watches cleanly (the server closing them, as it does at timeoutSeconds). */
  endAll(): number {
    const victims = [...this.open];
    for (const w of victims) {
      w.close();
      w.res.end();
    }
    return victims.length;
  }
}
