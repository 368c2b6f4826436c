import type { JobEvent } from "@swhub/shared/jobs";
import { Redis } from "ioredis";
import { defaultQueuePrefix } from "./queue";

/**
 * Live job events and cancel requests over Redis pub/sub. Events are stored first (`appendJobEvents`) and published
 * after, so a subscriber that sees a gap can read what it missed from the database; pub/sub only makes delivery
 * fast. Channels carry the queue prefix, so instances sharing one Redis don't hear each other.
 */
export interface JobEventBus {
  publish(jobId: string, events: JobEvent[]): Promise<void>;
  /** Calls `listener` with each published batch for the job until the returned function is called. */
  subscribe(jobId: string, listener: (events: JobEvent[]) => void): Promise<() => void>;
  /** Tells whichever worker runs the job to stop it. */
  requestCancel(jobId: string): Promise<void>;
  onCancelRequest(listener: (jobId: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

export function createJobEventBus(options: { url: string; prefix?: string }): JobEventBus {
  const prefix = options.prefix ?? defaultQueuePrefix;
  const eventsChannel = (jobId: string) => `${prefix}:job-events:${jobId}`;
  const cancelChannel = `${prefix}:job-cancel`;
  // Publishing fails fast when Redis is away (the events are stored anyway); the subscriber reconnects and
  // resubscribes by itself.
  const publisher = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let subscriber: Redis | undefined;
  const listeners = new Map<string, Set<(message: string) => void>>();

  publisher.on("error", () => {});
  const subscriberConnection = (): Redis => {
    if (subscriber) return subscriber;
    subscriber = new Redis(options.url, { maxRetriesPerRequest: null });
    subscriber.on("error", () => {});
    subscriber.on("message", (channel: string, message: string) => {
      for (const listener of listeners.get(channel) ?? []) listener(message);
    });
    return subscriber;
  };

  const listen = async (channel: string, listener: (message: string) => void) => {
    const connection = subscriberConnection();
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
      await connection.subscribe(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(channel) === set) {
        listeners.delete(channel);
        void connection.unsubscribe(channel).catch(() => {});
      }
    };
  };

  return {
    async publish(jobId, events) {
      if (events.length > 0) await publisher.publish(eventsChannel(jobId), JSON.stringify(events));
    },
    subscribe: (jobId, listener) =>
      listen(eventsChannel(jobId), (message) => listener(JSON.parse(message) as JobEvent[])),
    async requestCancel(jobId) {
      await publisher.publish(cancelChannel, jobId);
    },
    onCancelRequest: (listener) => listen(cancelChannel, listener),
    async close() {
      publisher.disconnect();
      subscriber?.disconnect();
    },
  };
}
