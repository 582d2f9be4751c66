import type { Server } from 'node:http';
import express from 'express';
import { Pool } from 'pg';

/** What the parent sends: the database to read from (a URL) and the table. The server answers with its port once listening. */
export interface BareReadRequest {
  connectionString: string;
  table: string;
}

/**
 * The bare baseline of the GET phase, run as its own process (forked by reads.ts): Express 5 + `pg`,
 * one primary-key read of a JSON row per request, nothing else (no auth, no knex, no view). The rows
 * are copies of the API's own session objects, so both serialise the same JSON. What the API's GET is
 * compared with: the same machine, PostgreSQL and load generator, in the same run.
 */
function serve(req: BareReadRequest): Promise<Server> {
  const pool = new Pool({ connectionString: req.connectionString, max: 20 });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/rows/:id', async (r, res) => {
    const { rows } = await pool.query(`select body from ${req.table} where id = $1`, [r.params.id]);
    if (rows.length === 0) res.status(404).json({ error: 'not found' });
    else res.json(rows[0].body);
  });
  return new Promise((resolve) => { const server = app.listen(0, '127.0.0.1', () => resolve(server)); });
}

process.once('message', (req: BareReadRequest) => {
  serve(req).then((server) => process.send!({ port: (server.address() as { port: number }).port }), (err) => {
    console.error(err);
    process.exit(1);
  });
});
