import { readFileSync } from 'node:fs';
import type { KafkaEnv } from '@faultline/config';
import { Kafka, KafkaConfig, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';

export type { Kafka } from 'kafkajs';

/**
 * TLS and SASL of the broker connections, as libs/config's kafkaEnv validates them (a service
 * passes its whole config). Absent: plaintext without authentication.
 */
export type KafkaSecuritySettings = Pick<
  KafkaEnv,
  'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE' | 'KAFKA_SSL_REJECT_UNAUTHORIZED' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'
>;

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecuritySettings;
  /** Receives kafkajs' own log lines; defaults to silence below warnings. */
  log?: (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * kafkajs' `ssl` and `sasl` options for the settings. The CA file is read here, once, so a missing or
 * unreadable file stops the service at start-up with the variable named, not at the first connection.
 */
export function kafkaSecurityOptions(
  settings: KafkaSecuritySettings | undefined,
  readCaFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (!settings) return options;
  if (settings.KAFKA_SSL) {
    const caFile = settings.KAFKA_SSL_CA_FILE;
    let ca: string[] | undefined;
    if (caFile) {
      try {
        ca = [readCaFile(caFile)];
      } catch (error) {
        throw new Error(`KAFKA_SSL_CA_FILE: cannot read ${caFile}: ${(error as Error).message}`);
      }
      if (!ca[0].includes('-----BEGIN CERTIFICATE-----')) throw new Error(`KAFKA_SSL_CA_FILE: ${caFile} holds no PEM certificate`);
    }
    options.ssl = settings.KAFKA_SSL_REJECT_UNAUTHORIZED && !ca ? true : { rejectUnauthorized: settings.KAFKA_SSL_REJECT_UNAUTHORIZED, ...(ca ? { ca } : {}) };
  }
  if (settings.KAFKA_SASL_MECHANISM) {
    const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
    // libs/config refuses this already; the check keeps a hand-built settings object honest.
    if (!username || !password) throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set');
    options.sasl = { mechanism: settings.KAFKA_SASL_MECHANISM, username, password } as KafkaConfig['sasl'];
  }
  return options;
}

export function createKafka(options: KafkaConnectionOptions): Kafka {
  const log = options.log;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaSecurityOptions(options.security),
    logLevel: KafkaLogLevel.WARN,
    // Reconnects are the consumer runtime's job (with its own backoff); keep kafkajs' retries short.
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator: () => (entry: LogEntry) => {
      if (!log) return;
      const { message, ...extra } = entry.log;
      log(LEVEL_NAMES[entry.level] ?? 'info', `${entry.namespace}: ${message}`, extra);
    },
  });
}
