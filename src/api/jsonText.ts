import type { Response } from 'express';

/** What `res.json` does with a body once it is a string (the app sets no JSON replacer or spacing). */
export function sendJsonText(res: Response, text: string): void {
  if (!res.get('Content-Type')) res.set('Content-Type', 'application/json');
  res.send(text);
}
