import type { IncomingMessage, ServerResponse } from 'http';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import type { ResourceType } from './resources';
import {
  matchesFields,
  matchesLabels,
  type FieldRequirement,
  type LabelRequirement,
} from './selectors';
import { statusBody } from './status';
import type { KubeObject } from './types';

/**
 * Streams newline-delimited `{type, object}` watch events for one resource
 * type: from the current state (ADDED per object) when no resourceVersion
 * or "0" is given, else every change after that resourceVersion (an ERROR
 * event with a 410 Expired Status when it is older than the kept history).
 * Ends after `timeoutSeconds`, or when the client goes away (as the real
 * server does: nothing of a watch outlives its connection). Objects are
 * filtered by their state in the event; an object that stops matching a
 * selector is not reported as DELETED (the real server does that).
 */
export function streamWatch(options: {
  req: IncomingMessage;
  res: ServerResponse;
  store: ObjectStore;
  type: ResourceType;
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  resourceVersion?: string;
  timeoutSeconds?: number;
  /** Called with the function that ends the watch, once it streams. */
  onStart: (stop: () => void) => void;
  /** Called once the watch has ended, whoever ended it. */
  onEnd: (stop: () => void) => void;
}): void {
  const { req, res, store, type, namespace } = options;
  const matches = (object: KubeObject) =>
    (namespace === undefined || object.metadata.namespace === namespace) &&
    matchesLabels(object.metadata.labels, options.labels) &&
    matchesFields(object, options.fields);
  const relevant = (event: StoreEvent) =>
    event.resource === type && matches(event.object);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  const send = (type_: string, object: unknown) => {
    res.write(`${JSON.stringify({ type: type_, object })}\n`);
  };

  let stopped = false;
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.end();
    options.onEnd(stop);
  };
  options.onStart(stop);
  // The request's body was read before the watch began, so its 'close' may
  // have passed already: the response's 'close' says when the client left.
  res.on('close', stop);

  const rv = options.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') {
    for (const object of store.list(type, namespace)) {
      if (matches(object)) send('ADDED', object);
    }
  } else {
    const after = Number(rv);
    if (!Number.isFinite(after) || after < store.oldestResumable) {
      send(
        'ERROR',
        statusBody({
          code: 410,
          reason: 'Expired',
          message: `too old resource version: ${rv} (${store.oldestResumable})`,
        }),
      );
      stop();
      return;
    }
    for (const event of store.eventsAfter(after)) {
      if (relevant(event)) send(event.type, event.object);
    }
  }
  unsubscribe = store.subscribe(event => {
    if (!stopped && relevant(event)) send(event.type, event.object);
  });
  if (options.timeoutSeconds !== undefined && options.timeoutSeconds > 0) {
    timer = setTimeout(stop, options.timeoutSeconds * 1000);
  }
  req.on('close', stop);
}
