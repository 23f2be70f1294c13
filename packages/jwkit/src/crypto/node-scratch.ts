/**
 * A reusable argument buffer for synchronous node:crypto calls (issue 15). A JWS verification
 * turns two strings into octets for one native call that copies them (`crypto.verify`,
 * `crypto.hash`); writing them into a buffer kept for the purpose, through a view cached by
 * length, makes no Buffer object per token. The calls are synchronous, so nothing else runs
 * between writing a scratch buffer and the call that reads it.
 */

/** The largest buffer kept; longer inputs get a buffer of their own. */
const MAX_KEPT = 64 * 1024;
/** Views cached per buffer (lengths seen); the map is emptied when it reaches this. */
const MAX_VIEWS = 512;

export class ScratchBuffer {
  #buffer: Buffer;
  #views = new Map<number, Buffer>();

  constructor(initial = 1024) {
    this.#buffer = Buffer.alloc(initial);
  }

  /** A view of the first `length` bytes (a fresh zeroed Buffer beyond MAX_KEPT). */
  view(length: number): Buffer {
    if (length > MAX_KEPT) return Buffer.alloc(length);
    if (length > this.#buffer.length) {
      this.#buffer = Buffer.alloc(Math.min(MAX_KEPT, Math.max(length, 2 * this.#buffer.length)));
      this.#views = new Map();
    }
    let view = this.#views.get(length);
    if (view === undefined) {
      if (this.#views.size >= MAX_VIEWS) this.#views.clear();
      view = this.#buffer.subarray(0, length);
      this.#views.set(length, view);
    }
    return view;
  }

  /** The Latin-1 octets of `text` (ASCII: its bytes), in a view of this buffer. */
  latin1(text: string): Buffer {
    const view = this.view(text.length);
    view.write(text, 0, text.length, 'latin1');
    return view;
  }

  /**
   * The octets of `text` if it is canonical unpadded base64url (RFC 7515 §2), in a view of this
   * buffer; `undefined` otherwise. Node's decoder is lenient (it skips stray characters, stops at
   * `=`, reads `+` and `/` too), so the octets only count when there are as many as the length
   * promises and they encode back to the same text.
   */
  base64url(text: string): Buffer | undefined {
    if ((text.length & 3) === 1) return undefined;
    const length = (text.length * 3) >> 2;
    const view = this.view(length);
    const n = view.write(text, 0, length, 'base64url');
    return n === length && view.toString('base64url', 0, n) === text ? view : undefined;
  }

  /** @internal Test hook: whether any byte of the kept buffer is not zero. */
  holdsData(): boolean {
    return this.#buffer.some((b) => b !== 0);
  }
}
