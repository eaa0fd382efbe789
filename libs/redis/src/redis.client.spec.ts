import { redisConnectionOptions } from './redis.client';

const sentinels = [
  { host: 'sentinel-0.redis', port: 26379 },
  { host: 'sentinel-1.redis', port: 26379 },
];

describe('redisConnectionOptions (config -> ioredis options)', () => {
  it('connects to REDIS_URL as before when no sentinels are set', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'rediss://:pw@redis:6380/2' })).toEqual({ url: 'rediss://:pw@redis:6380/2', options: {} });
    expect(redisConnectionOptions({ REDIS_URL: 'redis://redis:6379', REDIS_SENTINELS: [] })).toEqual({ url: 'redis://redis:6379', options: {} });
  });

  it('asks the sentinels for the master group, without the URL host', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'redis://ignored:6379', REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: 'mymaster' })).toEqual({
      options: { sentinels, name: 'mymaster' },
    });
  });

  it('keeps the credentials, database and TLS of REDIS_URL for the master and the sentinels', () => {
    const { url, options } = redisConnectionOptions({
      REDIS_URL: 'rediss://faultline:p%40ss@ignored:6380/2',
      REDIS_SENTINELS: sentinels,
      REDIS_SENTINEL_NAME: 'mymaster',
    });
    expect(url).toBeUndefined();
    expect(options).toEqual({
      sentinels,
      name: 'mymaster',
      username: 'faultline',
      sentinelUsername: 'faultline',
      password: 'p@ss',
      sentinelPassword: 'p@ss',
      db: 2,
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
    });
  });

  it('takes a password-only URL (default user)', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'redis://:pw@ignored/0', REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: 'm' }).options).toEqual({
      sentinels,
      name: 'm',
      password: 'pw',
      sentinelPassword: 'pw',
      db: 0,
    });
  });

  it('needs the master group name with sentinels', () => {
    expect(() => redisConnectionOptions({ REDIS_URL: 'redis://x', REDIS_SENTINELS: sentinels })).toThrow(/REDIS_SENTINEL_NAME/);
  });
});

describe('redisConnectionOptions for Redis Cluster', () => {
  const nodes = [
    { host: 'redis-cluster-0.redis-cluster-headless', port: 6379 },
    { host: 'redis-cluster-1.redis-cluster-headless', port: 6379 },
  ];

  it('seeds the client with the nodes, without the URL host', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'redis://ignored:6379', REDIS_CLUSTER_NODES: nodes })).toEqual({ clusterNodes: nodes, options: {} });
  });

  it('gives every node the credentials and TLS of REDIS_URL, and accepts database 0', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'rediss://faultline:p%40ss@ignored:6380/0', REDIS_CLUSTER_NODES: nodes })).toEqual({
      clusterNodes: nodes,
      options: { username: 'faultline', password: 'p@ss', tls: {} },
    });
    expect(redisConnectionOptions({ REDIS_URL: 'redis://:pw@ignored', REDIS_CLUSTER_NODES: nodes }).options).toEqual({ password: 'pw' });
  });

  it('refuses another database and Sentinel at the same time', () => {
    expect(() => redisConnectionOptions({ REDIS_URL: 'redis://x/3', REDIS_CLUSTER_NODES: nodes })).toThrow(/database 3.*database 0 only/);
    expect(() => redisConnectionOptions({ REDIS_URL: 'redis://x', REDIS_CLUSTER_NODES: nodes, REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: 'm' })).toThrow(
      /REDIS_CLUSTER_NODES and REDIS_SENTINELS/,
    );
  });
});
