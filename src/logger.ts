import pino, { type Logger } from 'pino';

/**
 * Fields that may hold a secret (an API key in a header, a key or webhook secret in a body): censored
 * wherever a log line carries them, so no key ever reaches the logs even by a careless `log.info({ req })`.
 */
export const REDACTED_PATHS = [
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
  'secret', '*.secret', 'previous_secret', '*.previous_secret', 'secret_key', '*.secret_key', 'adminApiKey', '*.adminApiKey', 'macaroonHex', '*.macaroonHex',
  'apiKey', '*.apiKey',
];

/** The process logger: structured JSON, one child per component (`component`, `sessionId` …). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
