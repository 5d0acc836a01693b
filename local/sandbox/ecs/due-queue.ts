/** A binary min-heap of (due ms, id): which stopping tasks have a transition due, without scanning them all. */
export class DueQueue {
  private readonly dues: number[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.dues.length;
  }

  /** The soonest due instant, or +Infinity when empty. */
  peekDue(): number {
    return this.dues.length > 0 ? (this.dues[0] as number) : Number.POSITIVE_INFINITY;
  }

  push(due: number, id: string): void {
    let i = this.dues.length;
    this.dues.push(due);
    this.ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.dues[parent] as number) <= due) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the soonest entry. */
  pop(): [number, string] | undefined {
    const n = this.dues.length;
    if (n === 0) return undefined;
    const top: [number, string] = [this.dues[0] as number, this.ids[0] as string];
    this.swap(0, n - 1);
    this.dues.pop();
    this.ids.pop();
    const size = n - 1;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < size && (this.dues[left] as number) < (this.dues[least] as number)) least = left;
      if (right < size && (this.dues[right] as number) < (this.dues[least] as number)) least = right;
      if (least === i) break;
      this.swap(i, least);
      i = least;
    }
    return top;
  }

  clear(): void {
    this.dues.length = 0;
    this.ids.length = 0;
  }

  private swap(a: number, b: number): void {
    const due = this.dues[a] as number;
    this.dues[a] = this.dues[b] as number;
    this.dues[b] = due;
    const id = this.ids[a] as string;
    this.ids[a] = this.ids[b] as string;
    this.ids[b] = id;
  }
}
