/** cluster-key-slot (ioredis's own dependency, which hashes keys to Redis Cluster slots) ships no types. */
declare module 'cluster-key-slot' {
  /** The hash slot (0..16383) of a key, honouring a `{hash tag}`. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The slot shared by every key, or -1 when they hash to different slots. */
    function generateMulti(keys: readonly (string | Buffer)[]): number;
  }
  export = calculateSlot;
}
