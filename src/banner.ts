/** What `npm start` prints once it runs: where things are, and the secrets it made for this run. */
export interface BannerInput {
  only?: string;
  /** The API's public URL, when the API runs in this process. */
  publicUrl: string | null;
  adminKey: string;
  /** The admin key came from ADMIN_API_KEY: it is never printed (container logs are not a secret store). */
  adminKeyFromEnv: boolean;
  demo: { accountId: string; secretKey: string; extraLines: string[] } | null;
  temporalUiUrl: string | null;
  /** Temporal's gRPC address and namespace (what the `temporal` CLI needs); the embedded server's or TEMPORAL_ADDRESS. */
  temporal?: { address: string; namespace: string; embedded: boolean };
  /** The embedded PostgreSQL's port and password file; absent with DATABASE_URL. */
  postgres?: { port: number; passwordFile: string };
  webhooksAllowPrivateNetworks: boolean;
}

/** The start banner: a generated admin key and the demo key are shown once here; nothing else secret is. */
export function startupBanner(b: BannerInput): string {
  const lines = [`Checkout is running${b.only ? ` (${b.only} only)` : ''}.`];
  if (b.publicUrl) {
    lines.push(
      `  API:            ${b.publicUrl}   (health: ${b.publicUrl}/health)`,
      b.adminKeyFromEnv
        ? '  Admin key:      from ADMIN_API_KEY (not shown)'
        : `  Admin key:      ${b.adminKey}   (generated for this run; set ADMIN_API_KEY to keep one)`,
    );
    if (b.demo) {
      lines.push(
        `  Demo account:   ${b.demo.accountId}`,
        `  Demo test key:  ${b.demo.secretKey}   (new this run; the previous run's is revoked)`,
        ...b.demo.extraLines,
      );
    }
  }
  if (b.temporal) {
    lines.push(`  Temporal:       ${b.temporal.address}, namespace ${b.temporal.namespace}   (CLI: npm run temporal -- workflow list)`);
  }
  if (b.temporalUiUrl) lines.push(`  Temporal UI:    ${b.temporalUiUrl}`);
  if (b.postgres) {
    lines.push(`  PostgreSQL:     127.0.0.1:${b.postgres.port}, user checkout, password in ${b.postgres.passwordFile}   (npm run reconcile finds it)`);
  }
  if (b.webhooksAllowPrivateNetworks) {
    lines.push('  Webhooks:       may reach private, loopback and link-local addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true; local development only)');
  }
  return lines.join('\n');
}
