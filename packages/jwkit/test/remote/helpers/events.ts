/** Records RemoteJWKSet events and lets a test wait for the next one of a type. */
import type { RemoteJWKSEvent, RemoteJWKSEventType } from '../../../src/remote/events.js';

type EventOf<T extends RemoteJWKSEventType> = Extract<RemoteJWKSEvent, { type: T }>;

export class EventLog {
  readonly events: RemoteJWKSEvent[] = [];
  readonly #waiters: { type: RemoteJWKSEventType; resolve: (e: RemoteJWKSEvent) => void }[] = [];

  readonly onEvent = (event: RemoteJWKSEvent): void => {
    this.events.push(event);
    for (const w of this.#waiters.splice(0)) {
      if (w.type === event.type) w.resolve(event);
      else this.#waiters.push(w);
    }
  };

  of<T extends RemoteJWKSEventType>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /** The next event of `type` emitted from now on. */
  next<T extends RemoteJWKSEventType>(type: T): Promise<EventOf<T>> {
    return new Promise((resolve) =>
      this.#waiters.push({ type, resolve: resolve as (e: RemoteJWKSEvent) => void }),
    );
  }
}
