// A BullMQ 6.7.0 Worker process with the same handlers as tests/queue/queue_fixture_worker.c (noop, echo,
// fail, progress, sleep, http), for the interop suite (kill -9 recovery) and bench/queue (the peer).
//   node bullmq_worker.js QUEUE [--concurrency N] [--lock-ms N] [--stalled-ms N]
// Reads REDIS_URL. Prints "ready" once the worker runs; SIGTERM closes it gracefully.
'use strict';
const { Worker, UnrecoverableError } = require('bullmq');
const http = require('http');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function connection() {
  const url = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  return { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
}

function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
  });
}

const handlers = {
  noop: async () => undefined,
  echo: async (job) => job.data,
  fail: async (job) => { throw new Error(job.data.message || 'the fixture failed on purpose'); },
  fatal: async (job) => { throw new UnrecoverableError(job.data.message || 'the fixture failed on purpose'); },
  progress: async (job) => {
    await job.updateProgress(50); await job.log('half way');
    await job.updateProgress(100); await job.log('done');
    return { done: true };
  },
  sleep: async (job) => { await new Promise((r) => setTimeout(r, job.data.ms || 0)); return { slept: true }; },
  http: async (job) => ({ status: await get(job.data.url) }),
};

const worker = new Worker(process.argv[2], async (job) => {
  const handler = handlers[job.name];
  if (!handler) throw new UnrecoverableError(`no handler for the job name '${job.name}'`);
  return handler(job);
}, {
  connection: connection(),
  concurrency: option('--concurrency', 1),
  lockDuration: option('--lock-ms', 30000),
  stalledInterval: option('--stalled-ms', 30000),
  maxStalledCount: option('--max-stalled', 1),
});
worker.on('error', (err) => console.error('worker error:', err.message));
worker.waitUntilReady().then(() => console.log('ready'));
process.on('SIGTERM', async () => { await worker.close(); process.exit(0); });
