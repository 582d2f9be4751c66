import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pg from 'pg';
import { freePort } from '../../src/infra/freePort';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/temporal/searchAttributes';
import { startPostgresProcess, type PostgresProcess } from '../../chaos/processes';
import { DYNAMIC_CONFIG, renderServerConfig, type NodePorts, type SharedSettings, type TemporalService } from './serverConfig';
import { TcpBalancer } from './tcpBalancer';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** How many processes of each Temporal service the cluster runs (each process runs one service). */
export interface ClusterLayout {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
}

/**
 * Two frontends (the product's replicas dial different ones), two history processes sharing the shards,
 * two matching processes sharing the task-queue partitions, and one internal worker service (it runs the
 * server's system workflows, e.g. namespace deletion): the smallest shape in which losing a history or a
 * matching process is survivable.
 */
export const DEFAULT_LAYOUT: ClusterLayout = { frontend: 2, history: 2, matching: 2, worker: 1 };

/** A server process of the cluster, e.g. `history-2`. */
interface ServerNode {
  name: string;
  service: TemporalService;
  ports: NodePorts;
  configFile: string;
  proc: ReturnType<typeof spawn> | null;
  exited: Promise<void> | null;
}

/** Time spent in each phase of `start()`, in ms (printed by the harness, reported in docs/cluster.md). */
export interface StartupTimes {
  postgres: number;
  schema: number;
  firstFrontend: number;
  ring: number;
  namespace: number;
  total: number;
}

/**
 * Where `scripts/build-temporal-server.sh` keeps the server binaries, or null while they are not built
 * (the script knows the version and the cache folder; `--where` never builds).
 */
export async function temporalServerBinDir(): Promise<string | null> {
  try {
    const { stdout } = await run('bash', [path.join(ROOT, 'scripts/build-temporal-server.sh'), '--where']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/** Builds the binaries when they are missing (12–17 min cold), then returns their folder. */
export async function buildTemporalServer(): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/build-temporal-server.sh')], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim().split('\n').pop()!;
}

/**
 * A production-shape Temporal cluster on this machine: the real server (built from source) as one
 * process per service, on its own embedded PostgreSQL (databases `temporal` and `temporal_visibility`,
 * made with the server's SQL tool), SQL visibility with the product's search attributes in namespace
 * `default`. Every port is free-picked; every process is a child of this object and is stopped by it.
 */
export class TemporalCluster {
  readonly nodes = new Map<string, ServerNode>();
  startup: StartupTimes | null = null;
  private pg: PostgresProcess | null = null;
  private pgSettings: SharedSettings['postgres'] | null = null;
  private stopping = false;
  /** Server processes that exited without being asked to, with their exit code (the harness reports them). */
  readonly unexpectedExits: string[] = [];
  /**
   * The load balancer in front of the frontends (production's LB or DNS name, docs/cluster.md): what the
   * product dials. Set once `start()` has the frontends serving.
   */
  balancer: TcpBalancer | null = null;

  constructor(
    private readonly dir: string,
    private readonly binDir: string,
    private readonly layout: ClusterLayout = DEFAULT_LAYOUT,
    private readonly opts: { namespace?: string; numHistoryShards?: number; logLevel?: string } = {},
  ) {}

  get namespace(): string { return this.opts.namespace ?? 'default'; }

  /** The frontend addresses (host:port), one per frontend process. */
  get frontendAddresses(): string[] {
    return [...this.nodes.values()].filter((n) => n.service === 'frontend').map((n) => `127.0.0.1:${n.ports.grpc}`);
  }

  /**
   * The one address clients dial: the load balancer in front of every frontend. A frontend's own address
   * (`frontendAddresses`) is for the harness's checks of that frontend only.
   */
  get address(): string {
    if (!this.balancer) throw new Error('the Temporal cluster is not started');
    return this.balancer.address;
  }

  /** Names of the processes running `service`, e.g. ['history-1', 'history-2']. */
  names(service: TemporalService): string[] {
    return [...this.nodes.values()].filter((n) => n.service === service).map((n) => n.name);
  }

  async start(): Promise<StartupTimes> {
    const t0 = Date.now();
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    fs.mkdirSync(path.join(this.dir, 'config'), { recursive: true });
    fs.chmodSync(this.dir, 0o755); // PostgreSQL runs as the postgres user when we are root
    this.pg = await startPostgresProcess(path.join(this.dir, 'pg'), await freePort());
    const url = new URL(this.pg.url);
    this.pgSettings = { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    const t1 = Date.now();
    await this.setUpSchema();
    const t2 = Date.now();
    await this.writeConfigs();
    // On empty databases the first process writes the cluster metadata; several starting at once race
    // for it (duplicate key, the loser exits). So one frontend first, then every other process.
    const [first, ...rest] = this.nodes.values(); // frontend-1 comes first
    const launched = new Date();
    this.startNode(first.name);
    await this.waitServing(`127.0.0.1:${first.ports.grpc}`, 60_000);
    const t3 = Date.now();
    for (const node of rest) this.startNode(node.name);
    await this.waitForRing(launched, 90_000);
    const t4 = Date.now();
    await this.registerNamespace();
    this.balancer = new TcpBalancer([...this.nodes.values()].filter((n) => n.service === 'frontend')
      .map((n) => ({ name: n.name, host: '127.0.0.1', port: n.ports.grpc })));
    await this.balancer.listen();
    const t5 = Date.now();
    this.startup = { postgres: t1 - t0, schema: t2 - t1, firstFrontend: t3 - t2, ring: t4 - t3, namespace: t5 - t4, total: t5 - t0 };
    return this.startup;
  }

  /**
   * SIGKILLs one server process (no shutdown). A history or matching process's shards or partitions are
   * taken over once the ring notices (~5 s); a frontend's clients lose their connections through the
   * balancer and reconnect to the other.
   */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    if (!node.proc || !node.exited) return;
    const { proc, exited } = node;
    node.proc = null;
    proc.kill('SIGKILL');
    await exited;
  }

  /** Starts a stopped (or killed) server process again on its own ports; it rejoins the ring. */
  startNode(name: string): void {
    const node = this.node(name);
    if (node.proc) return;
    const log = fs.openSync(path.join(this.dir, 'logs', `${name}.log`), 'a');
    const proc = spawn(path.join(this.binDir, 'temporal-server'),
      ['--config-file', node.configFile, '--allow-no-auth', 'start', `--service=${node.service}`],
      { cwd: this.dir, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    node.proc = proc;
    node.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
      if (node.proc === proc && !this.stopping) {
        this.unexpectedExits.push(`${name} exited (${code ?? signal}); see ${path.join(this.dir, 'logs', `${name}.log`)}`);
        node.proc = null;
      }
      resolve();
    }));
  }

  isRunning(name: string): boolean { return Boolean(this.node(name).proc); }

  /** Stops every server process (SIGTERM, SIGKILL after 20 s), then PostgreSQL. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.nodes.values()].filter((n) => n.proc && n.exited);
    for (const n of running) n.proc!.kill('SIGTERM');
    const timer = setTimeout(() => { for (const n of running) n.proc?.kill('SIGKILL'); }, 20_000);
    await Promise.all(running.map((n) => n.exited));
    clearTimeout(timer);
    for (const n of running) n.proc = null;
    await this.balancer?.close();
    await this.pg?.stop();
    this.pg = null;
  }

  /** Resident memory of each running server process, in MiB (from /proc), for the report. */
  rssMiB(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of this.nodes.values()) {
      if (!n.proc?.pid) continue;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${n.proc.pid}/status`, 'utf8'));
        if (m) out[n.name] = Math.round(Number(m[1]) / 1024);
      } catch { /* exited meanwhile */ }
    }
    return out;
  }

  private node(name: string): ServerNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no Temporal process ${name} (have ${[...this.nodes.keys()].join(', ')})`);
    return node;
  }

  /** Creates and migrates both databases with the server's own SQL tool and the schemas it embeds. */
  private async setUpSchema(): Promise<void> {
    const p = this.pgSettings!;
    const common = ['--plugin', 'postgres12', '--endpoint', p.host, '--port', String(p.port), '--user', p.user, '--password', p.password];
    const tool = path.join(this.binDir, 'temporal-sql-tool');
    for (const [database, schema] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']]) {
      const sql = (...args: string[]) => run(tool, [...common, '--database', database, ...args], { cwd: this.dir });
      await sql('create-database');
      await sql('setup-schema', '-v', '0.0');
      await sql('update-schema', '--schema-name', `postgresql/v12/${schema}`);
    }
  }

  private async writeConfigs(): Promise<void> {
    const dynamicConfigFile = path.join(this.dir, 'config', 'dynamicconfig.yaml');
    fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
    for (const service of ['frontend', 'history', 'matching', 'worker'] as const) {
      for (let i = 1; i <= this.layout[service]; i++) {
        const name = `${service}-${i}`;
        const ports = { grpc: await freeLowPort(), membership: await freeLowPort(), http: service === 'frontend' ? await freeLowPort() : 0 };
        this.nodes.set(name, { name, service, ports, configFile: path.join(this.dir, 'config', `${name}.yaml`), proc: null, exited: null });
      }
    }
    const frontend = this.node('frontend-1');
    const shared: SharedSettings = {
      postgres: this.pgSettings!,
      numHistoryShards: this.opts.numHistoryShards ?? 8,
      frontendAddress: `127.0.0.1:${frontend.ports.grpc}`,
      frontendHttpAddress: `127.0.0.1:${frontend.ports.http}`,
      dynamicConfigFile,
      logLevel: this.opts.logLevel ?? process.env.TEMPORAL_CLUSTER_LOG_LEVEL ?? 'warn',
    };
    const firsts = Object.fromEntries((['frontend', 'history', 'matching', 'worker'] as const)
      .map((svc) => [svc, this.node(`${svc}-1`).ports])) as Record<TemporalService, NodePorts>;
    for (const n of this.nodes.values()) fs.writeFileSync(n.configFile, renderServerConfig(n.service, n.ports, shared, firsts));
  }

  /** Until the frontend answers GetSystemInfo (it is serving), or one of the processes died. */
  private async waitServing(address: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.throwIfDied();
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2_000 });
        try {
          await connection.workflowService.getSystemInfo({});
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`Temporal frontend ${address} not serving after ${timeoutMs} ms: ${String(err)}`, { cause: err });
      }
      await sleep(200);
    }
  }

  /** Until every process of this start has written its row to `cluster_membership` (it joined the ring). */
  private async waitForRing(since: Date, timeoutMs: number): Promise<void> {
    const p = this.pgSettings!;
    const client = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: 'temporal' });
    await client.connect();
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        this.throwIfDied();
        const { rows } = await client.query('select count(*)::int as n from cluster_membership where session_start >= $1', [since]);
        if (rows[0].n >= this.nodes.size) return;
        if (Date.now() > deadline) throw new Error(`only ${rows[0].n} of ${this.nodes.size} Temporal processes joined after ${timeoutMs} ms`);
        await sleep(200);
      }
    } finally {
      await client.end();
    }
  }

  /**
   * The server makes no namespace by itself (the dev server and auto-setup do): register `default` and
   * the custom search attributes (on SQL visibility they belong to the namespace), then wait until every
   * frontend lists them.
   */
  private async registerNamespace(): Promise<void> {
    const [first, ...others] = this.frontendAddresses;
    const connection = await Connection.connect({ address: first });
    try {
      await connection.workflowService.registerNamespace({
        namespace: this.namespace, workflowExecutionRetentionPeriod: msToTs('72h'),
      });
      const types = { Keyword: 2, Int: 3, Bool: 5 } as const; // temporal.api.enums.v1.IndexedValueType
      const searchAttributes = Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, types[type]]));
      await connection.operatorService.addSearchAttributes({ namespace: this.namespace, searchAttributes });
    } finally {
      await connection.close();
    }
    for (const address of [first, ...others]) {
      const deadline = Date.now() + 30_000;
      const c = await Connection.connect({ address });
      try {
        for (;;) {
          const listed = await c.operatorService.listSearchAttributes({ namespace: this.namespace }).catch(() => null);
          const names = Object.keys(listed?.customAttributes ?? {});
          if (Object.keys(SEARCH_ATTRIBUTE_TYPES).every((n) => names.includes(n))) break;
          if (Date.now() > deadline) throw new Error(`search attributes not visible on ${address} after 30 s (have ${names.join(', ')})`);
          await sleep(200);
        }
      } finally {
        await c.close();
      }
    }
  }

  private throwIfDied(): void {
    if (this.unexpectedExits.length) throw new Error(`Temporal cluster: ${this.unexpectedExits.join('; ')}`);
  }
}

const taken = new Set<number>();

/**
 * A free port below 32768: the server stores ports in `cluster_membership.rpc_port`, a smallint, so the
 * OS's ephemeral ports (32768+) would make it exit at start. Picked at random in 15000–32767 and checked.
 */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 15_000 + Math.floor(Math.random() * (32_768 - 15_000));
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
