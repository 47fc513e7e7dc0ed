// A connect timeout that does not count time spent waiting for a person.

/** A timeout that can stand still, e.g. while someone types a passphrase. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private left: number;
  private startedAt = 0;
  private pauses = 0;

  constructor(
    ms: number,
    private readonly expire: () => void,
  ) {
    this.left = ms;
    this.start();
  }

  pause(): void {
    if (this.pauses++ > 0 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= Date.now() - this.startedAt;
  }

  resume(): void {
    if (--this.pauses === 0) this.start();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left = Number.POSITIVE_INFINITY;
  }

  private start(): void {
    if (this.left === Number.POSITIVE_INFINITY) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(this.expire, Math.max(this.left, 0));
  }
}
