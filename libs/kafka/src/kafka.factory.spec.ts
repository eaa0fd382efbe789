import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { kafkaSecurityOptions, KafkaSecuritySettings } from './kafka.factory';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----\n';
const plaintext: KafkaSecuritySettings = { KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true };
const noFileRead = (file: string): string => {
  throw new Error(`read ${file}`);
};

describe('kafkaSecurityOptions (config -> kafkajs ssl/sasl)', () => {
  it('sets neither ssl nor sasl for a plaintext connection', () => {
    expect(kafkaSecurityOptions(undefined)).toEqual({});
    expect(kafkaSecurityOptions(plaintext, noFileRead)).toEqual({});
  });

  it('uses the system CAs with verification when TLS has no CA file', () => {
    expect(kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true }, noFileRead)).toEqual({ ssl: true });
    expect(kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_REJECT_UNAUTHORIZED: false }, noFileRead)).toEqual({
      ssl: { rejectUnauthorized: false },
    });
  });

  it('trusts the CA read from KAFKA_SSL_CA_FILE', () => {
    const read: string[] = [];
    const options = kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: '/etc/faultline/kafka-tls/ca.crt' }, (file) => {
      read.push(file);
      return CA_PEM;
    });
    expect(read).toEqual(['/etc/faultline/kafka-tls/ca.crt']);
    expect(options).toEqual({ ssl: { rejectUnauthorized: true, ca: [CA_PEM] } });
  });

  it('reads a real file, and names the variable when the file is missing or not PEM', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kafka-ca-'));
    try {
      const good = path.join(dir, 'ca.crt');
      writeFileSync(good, CA_PEM);
      expect(kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: good }).ssl).toEqual({ rejectUnauthorized: true, ca: [CA_PEM] });
      const missing = path.join(dir, 'missing.crt');
      expect(() => kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: missing })).toThrow(
        new RegExp(`^KAFKA_SSL_CA_FILE: cannot read ${missing}: ENOENT`),
      );
      const notPem = path.join(dir, 'key.txt');
      writeFileSync(notPem, 'not a certificate');
      expect(() => kafkaSecurityOptions({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_CA_FILE: notPem })).toThrow(`KAFKA_SSL_CA_FILE: ${notPem} holds no PEM certificate`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes SASL %s with its credentials', (mechanism) => {
    expect(
      kafkaSecurityOptions({ ...plaintext, KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: 'faultline', KAFKA_SASL_PASSWORD: 's3cret' }, noFileRead),
    ).toEqual({ sasl: { mechanism, username: 'faultline', password: 's3cret' } });
  });

  it('combines TLS and SASL (SASL_SSL)', () => {
    expect(
      kafkaSecurityOptions(
        { KAFKA_SSL: true, KAFKA_SSL_REJECT_UNAUTHORIZED: true, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        noFileRead,
      ),
    ).toEqual({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('refuses a mechanism without credentials (settings not validated by libs/config)', () => {
    expect(() => kafkaSecurityOptions({ ...plaintext, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(/KAFKA_SASL_PASSWORD/);
  });
});
