// Which partition a keyed record goes to: Kafka's Java producer's rule (BuiltInPartitioner.partitionForKey),
// `toPositive(murmur2(keyBytes)) % numPartitions`, so flowscope puts a key where a Connect worker would — consumers
// that co-partition topics by key (joins, per-key order across a migration) depend on it.
// The Kafka client's own default differs: it takes the hash unsigned (`>>> 0`) instead of masking the sign bit, so
// half of all keys land elsewhere on topics whose partition count is not a power of two; and its BigInt murmur2 cost
// ~5 µs a key, about 8% of the CPU of a CDC stream.
// Keyless records keep the client's round-robin (Java's is sticky per batch; neither promises an order).

const SEED = 0x9747b28c
const M = 0x5bd1e995

/** Kafka's `Utils.murmur2`: 32-bit MurmurHash2 of the bytes, as a signed int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = SEED ^ length
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> 24
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  // The tail bytes, from the last one down (Java's switch falls through its cases).
  const tail = length & 3
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2] << 16
    if (tail >= 2) h ^= data[whole + 1] << 8
    h ^= data[whole]
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/**
 * A non-negative number whose remainder by the partition count is Java's partition for this key (the client takes
 * that remainder once it knows the count). Undefined for a keyless record: the client picks.
 */
export function keyPartition(key: Uint8Array): number {
  return murmur2(key) & 0x7fffffff
}
