import pino, { type Logger } from 'pino';

/** The process logger: structured JSON, one child per component (`component`, `sessionId` …). */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
