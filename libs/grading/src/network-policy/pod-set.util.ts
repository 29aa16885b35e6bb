/**
 * A fixed-size bit set of pod indices. The matrix is computed by OR-ing precomputed per-rule
 * sets word by word, which keeps a 200-pod matrix to a few thousand word operations per pod.
 */
export class PodSet {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  static full(size: number): PodSet {
    const set = new PodSet(size);
    for (let index = 0; index < size; index++) set.add(index);
    return set;
  }

  add(index: number): void {
    this.words[index >>> 5]! |= 1 << (index & 31);
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1;
  }

  isEmpty(): boolean {
    return this.words.every((word) => word === 0);
  }

  /** this |= other */
  addAll(other: PodSet): void {
    for (let word = 0; word < this.words.length; word++) this.words[word]! |= other.words[word]!;
  }

  /** A new set holding the members of both. */
  intersect(other: PodSet): PodSet {
    const result = new PodSet(this.size);
    for (let word = 0; word < this.words.length; word++) {
      result.words[word] = this.words[word]! & other.words[word]!;
    }
    return result;
  }
}
