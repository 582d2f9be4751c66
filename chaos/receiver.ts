import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * The merchants' webhook receiver: a local HTTP server, one path per endpoint (`/hooks/{account}`),
 * that verifies each request with the `standardwebhooks` library and the endpoint's secret and records
 * which events arrived. It answers 200 to everything it can read, so redeliveries are the system's own.
 */
export class WebhookReceiver {
  readonly verified = new Set<string>();
  requests = 0;
  badSignatures = 0;
  private readonly secrets = new Map<string, string>();
  private server: http.Server | null = null;
  private port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        const body = Buffer.concat(chunks).toString('utf8');
        const secret = this.secrets.get(String(req.url).replace(/^\/hooks\//, ''));
        try {
          if (!secret) throw new Error('no endpoint');
          new Webhook(secret.replace(/^wsec_/, '')).verify(body, req.headers as Record<string, string>);
          this.verified.add((JSON.parse(body) as { id: string }).id);
          res.writeHead(200).end('ok');
        } catch {
          this.badSignatures++;
          res.writeHead(400).end('bad signature');
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The URL to register for `account`, whose endpoint secret is set with `setSecret`. */
  urlFor(account: string): string { return `http://127.0.0.1:${this.port}/hooks/${account}`; }

  setSecret(account: string, secret: string): void { this.secrets.set(account, secret); }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}
