// Interop of growthd's queue (core/queue, through tests/queue/queue_fixture_worker) with the real BullMQ
// 6.7.0 and bull-board on one real redis-server: each side adds jobs the other runs, QueueEvents sees
// growthd's events, the getters agree, retries and stalled recovery match, bull-board lists our jobs.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const { Queue, Worker, QueueEvents, FlowProducer, UnrecoverableError } = require('bullmq');
const IORedis = require('ioredis');

const FIXTURE = process.env.QUEUE_FIXTURE_BIN ||
  path.join(__dirname, '..', '..', 'build', 'tests', 'queue', 'queue_fixture_worker');
const BULLMQ_WORKER = path.join(__dirname, 'bullmq_worker.js');

let redisProcess;
let port;
let redis;
const closers = [];

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { const p = server.address().port; server.close(() => resolve(p)); });
  });
}

async function waitFor(predicate, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function env(queue) {
  const e = { PATH: process.env.PATH, REDIS_URL: `redis://127.0.0.1:${port}`, GROWTH_QUEUE_NAME: queue };
  for (const name of ['ASAN_OPTIONS', 'UBSAN_OPTIONS']) if (process.env[name]) e[name] = process.env[name];
  return e;
}

function fixture(queue, ...args) {
  return JSON.parse(execFileSync(FIXTURE, args.map(String), { env: env(queue), encoding: 'utf8' }));
}

function fixtureRun(queue, ...args) {
  execFileSync(FIXTURE, args.map(String), { env: env(queue), encoding: 'utf8' });
}

// Starts a child process and resolves once it printed "ready".
function startChild(command, args, childEnv) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args.map(String), { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => { if (String(d).includes('ready')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${stderr}`)));
    closers.push(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  });
}

function growthdWorker(queue, ...args) {
  return startChild(FIXTURE, ['worker', ...args], env(queue));
}

function stopChild(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function connection() {
  return { host: '127.0.0.1', port, maxRetriesPerRequest: null };
}

function newQueue(name) {
  const queue = new Queue(name, { connection: connection() });
  closers.push(() => queue.close());
  return queue;
}

async function events(queue) {
  const entries = await redis.xrange(`bull:${queue}:events`, '-', '+');
  return entries.map(([id, fields]) => {
    const object = { id };
    for (let i = 0; i < fields.length; i += 2) object[fields[i]] = fields[i + 1];
    return object;
  });
}

const processors = {
  noop: async () => undefined,
  echo: async (job) => job.data,
  fail: async (job) => { throw new Error(job.data.message || 'failed'); },
  fatal: async (job) => { throw new UnrecoverableError(job.data.message || 'failed'); },
  progress: async (job) => {
    await job.updateProgress(50); await job.log('half way');
    await job.updateProgress(100); await job.log('done');
    return { done: true };
  },
  sleep: async (job) => { await new Promise((r) => setTimeout(r, job.data.ms || 0)); return { slept: true }; },
};

function bullWorker(name, options = {}) {
  const worker = new Worker(name, async (job) => processors[job.name](job), { connection: connection(), ...options });
  worker.on('error', () => {});
  closers.push(() => worker.close(true));
  return worker;
}

before(async () => {
  port = await freePort();
  redisProcess = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--loglevel', 'warning'].map(String), { stdio: 'ignore' });
  redis = new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 50 });
  await waitFor(async () => (await redis.ping().catch(() => null)) === 'PONG', 'redis');
});

after(async () => {
  for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
  redis.disconnect();
  redisProcess.kill();
});

test('jobs added by BullMQ Queue are run by growthd: return values, progress and logs read back', async () => {
  const queue = newQueue('node-to-growthd');
  const echo = await queue.add('echo', { a: 1, text: 'héllo' });
  const progress = await queue.add('progress', {});
  const delayed = await queue.add('echo', { late: true }, { delay: 300 });
  const prioritized = await queue.add('echo', { p: 1 }, { priority: 3 });
  const custom = await queue.add('echo', { c: 1 }, { jobId: 'journal-custom-1' });
  const worker = await growthdWorker('node-to-growthd', '--concurrency', 4, '--name', 'growthd-1');
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 5, '5 completed');
  const done = await queue.getJob(echo.id);
  assert.deepEqual(done.returnvalue, { a: 1, text: 'héllo' });
  assert.equal(done.attemptsMade, 1);
  assert.equal(done.processedBy, 'growthd-1');
  assert.ok(done.finishedOn >= done.processedOn);
  assert.equal(await done.getState(), 'completed');
  const withProgress = await queue.getJob(progress.id);
  assert.equal(withProgress.progress, 100);
  assert.deepEqual(withProgress.returnvalue, { done: true });
  assert.deepEqual(await queue.getJobLogs(progress.id), { logs: ['half way', 'done'], count: 2 });
  const late = await queue.getJob(delayed.id);
  assert.ok(late.processedOn >= late.timestamp + 300);
  assert.deepEqual((await queue.getJob(prioritized.id)).returnvalue, { p: 1 });
  assert.deepEqual((await queue.getJob(custom.id)).returnvalue, { c: 1 });
  const workers = await queue.getWorkers();
  assert.ok(workers.some((w) => w.rawname === 'bull:' + Buffer.from('node-to-growthd').toString('base64') + ':w:growthd-1'),
    `Queue.getWorkers lists the growthd worker: ${JSON.stringify(workers.map((w) => w.rawname))}`);
  assert.equal(await stopChild(worker), 0);
});

test('jobs added by growthd are run by BullMQ Worker', async () => {
  const name = 'growthd-to-node';
  const queue = newQueue(name);
  const [echo] = fixture(name, 'add', '--name', 'echo', '--data', '{"b":2}', '--attempts', 2);
  const [progress] = fixture(name, 'add', '--name', 'progress');
  const [delayed] = fixture(name, 'add', '--name', 'echo', '--data', '{"late":1}', '--delay', 300);
  const [prioritized] = fixture(name, 'add', '--name', 'echo', '--data', '{"p":1}', '--priority', 2);
  const bulk = fixture(name, 'add', '--name', 'noop', '--bulk', '--count', 600);
  assert.equal(bulk.length, 600);
  const job = await queue.getJob(echo);
  assert.equal(job.name, 'echo');
  assert.deepEqual(job.data, { b: 2 });
  assert.equal(job.opts.attempts, 2);
  bullWorker(name, { concurrency: 8 });
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 604, '604 completed', 60000);
  assert.deepEqual((await queue.getJob(echo)).returnvalue, { b: 2 });
  assert.equal((await queue.getJob(progress)).progress, 100);
  const logs = JSON.parse(execFileSync(FIXTURE, ['logs', progress], { env: env(name), encoding: 'utf8' }));
  assert.deepEqual(logs, { logs: ['half way', 'done'], count: 2 });
  const late = await queue.getJob(delayed);
  assert.ok(late.processedOn >= late.timestamp + 300);
  assert.deepEqual((await queue.getJob(prioritized)).returnvalue, { p: 1 });
});

test('QueueEvents receives growthd\'s events as BullMQ\'s', async () => {
  const name = 'events';
  // from the stream's start: a fresh QueueEvents reads from '$' only once its first XREAD runs
  const queueEvents = new QueueEvents(name, { connection: connection(), lastEventId: '0' });
  closers.push(() => queueEvents.close());
  await queueEvents.waitUntilReady();
  const seen = [];
  for (const event of ['added', 'waiting', 'active', 'progress', 'completed', 'failed', 'delayed',
    'retries-exhausted', 'drained', 'paused', 'resumed', 'duplicated']) {
    queueEvents.on(event, (args) => seen.push(event === 'drained' ? { event } : { event, ...args }));
  }
  const [echo] = fixture(name, 'add', '--name', 'echo', '--data', '{"x":[1,2]}');
  const [progress] = fixture(name, 'add', '--name', 'progress');
  const [fail] = fixture(name, 'add', '--name', 'fail', '--data', '{"message":"boom"}', '--attempts', 2,
    '--backoff', 'fixed', '--backoff-ms', 100);
  fixture(name, 'add', '--name', 'echo', '--job-id', 'dup-1');
  fixture(name, 'add', '--name', 'echo', '--job-id', 'dup-1');
  fixtureRun(name, 'pause');
  fixtureRun(name, 'resume');
  const worker = await growthdWorker(name);
  await waitFor(() => seen.some((e) => e.event === 'retries-exhausted') && seen.some((e) => e.event === 'drained'),
    'retries-exhausted and drained');
  const of = (event, jobId) => seen.filter((e) => e.event === event && e.jobId === jobId);
  assert.deepEqual(of('completed', echo)[0].returnvalue, { x: [1, 2] });
  assert.equal(of('completed', echo)[0].prev, 'active');
  assert.deepEqual(of('progress', progress).map((e) => e.data), [50, 100]);
  // growthd's message is an extra field of the event: QueueEvents passes it along, data stays the number
  assert.deepEqual(of('progress', progress).map((e) => e.message), ['half way', 'done']);
  assert.equal(of('added', echo)[0].name, 'echo');
  assert.equal(of('active', echo)[0].prev, 'waiting');
  const delayed = of('delayed', fail);
  assert.equal(delayed.length, 1);
  assert.equal(typeof delayed[0].delay, 'number');
  assert.ok(delayed[0].delay > 1.7e12);
  assert.deepEqual(of('failed', fail).map((e) => [e.failedReason, e.prev]), [['boom', 'active']]);
  assert.equal(of('retries-exhausted', fail)[0].attemptsMade, '2');
  assert.equal(of('duplicated', 'dup-1').length, 1);
  assert.ok(seen.some((e) => e.event === 'paused') && seen.some((e) => e.event === 'resumed'));
  assert.equal(await stopChild(worker), 0);
});

const STATES = ['wait', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children', 'paused'];

test('getJobCounts and getJobs agree with growthd\'s reads', async () => {
  const name = 'reads';
  const queue = newQueue(name);
  fixture(name, 'add', '--name', 'echo', '--count', 3);
  fixture(name, 'add', '--name', 'fatal', '--count', 2);
  const worker = await growthdWorker(name, '--concurrency', 2);
  await waitFor(async () => {
    const c = await queue.getJobCounts('completed', 'failed');
    return c.completed === 3 && c.failed === 2;
  }, '3 completed and 2 failed');
  assert.equal(await stopChild(worker), 0);
  fixture(name, 'add', '--name', 'echo', '--count', 3);
  await queue.add('echo', {}, { delay: 60000 });
  fixture(name, 'add', '--name', 'echo', '--delay', 60000);
  await queue.add('echo', {}, { priority: 4 });
  fixture(name, 'add', '--name', 'echo', '--priority', 1);
  const ours = fixture(name, 'counts');
  const theirs = await queue.getJobCounts(...STATES);
  for (const state of STATES) assert.equal(ours[state], theirs[state], `count of ${state}`);
  assert.equal(ours.isPaused, await queue.isPaused());
  for (const state of STATES) {
    for (const asc of [false, true]) {
      const mine = fixture(name, 'jobs', state, 0, -1, ...(asc ? ['asc'] : [])).map((j) => j.id);
      const node = (await queue.getJobs([state], 0, -1, asc)).map((j) => j.id);
      assert.deepEqual(mine, node, `jobs of ${state} ${asc ? 'ascending' : 'descending'}`);
    }
  }
  const page = fixture(name, 'jobs', 'completed', 1, 2).map((j) => j.id);
  assert.deepEqual(page, (await queue.getJobs(['completed'], 1, 2)).map((j) => j.id));
  const failed = fixture(name, 'jobs', 'failed', 0, 0)[0];
  const node = (await queue.getJobs(['failed'], 0, 0))[0];
  assert.equal(failed.failedReason, node.failedReason);
  assert.equal(failed.attemptsMade, node.attemptsMade);
  assert.deepEqual(failed.stacktrace, node.stacktrace);
});

async function failingRun(name, startWorker) {
  const queue = newQueue(name);
  const job = await queue.add('fail', { message: 'boom' }, { attempts: 3, backoff: { type: 'exponential', delay: 200 } });
  const stopWorker = await startWorker(name);
  await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, `${name}: final failure`);
  await stopWorker();
  const stored = await queue.getJob(job.id);
  const list = (await events(name)).filter((e) => e.jobId === job.id);
  const backoffs = list.filter((e) => e.event === 'delayed').map((e) => Number(e.delay) - Number(e.id.split('-')[0]));
  return { stored, names: list.map((e) => e.event), backoffs };
}

test('a failing job with attempts 3 and exponential backoff behaves the same under both workers', async () => {
  const ours = await failingRun('retry-growthd', async (name) => {
    const child = await growthdWorker(name);
    return () => stopChild(child);
  });
  const theirs = await failingRun('retry-bullmq', async (name) => {
    const worker = bullWorker(name);
    return () => worker.close();
  });
  assert.deepEqual(ours.names, theirs.names);
  assert.deepEqual(ours.names, ['added', 'waiting', 'active', 'delayed', 'waiting', 'active', 'delayed', 'waiting',
    'active', 'failed', 'retries-exhausted']);
  for (const run of [ours, theirs]) {
    assert.equal(run.stored.attemptsMade, 3);
    assert.equal(run.stored.attemptsStarted, 3);
    assert.equal(run.stored.failedReason, 'boom');
    assert.equal(run.stored.stacktrace.length, 3);
    assert.equal(run.backoffs.length, 2);
    // due time minus the time Redis appended the event: the backoff, less the client's head start
    assert.ok(run.backoffs[0] > 100 && run.backoffs[0] <= 200, `first backoff ${run.backoffs[0]}`);
    assert.ok(run.backoffs[1] > 300 && run.backoffs[1] <= 400, `second backoff ${run.backoffs[1]}`);
  }
});

test('a growthd worker killed with kill -9 mid-job: a BullMQ worker finishes the job after the stall check', async () => {
  const name = 'stall-growthd';
  const queue = newQueue(name);
  const job = await queue.add('sleep', { ms: 800 });
  const child = await growthdWorker(name, '--lock-ms', 1000, '--stalled-ms', 500);
  await waitFor(async () => (await queue.getJobCounts('active')).active === 1, 'job active');
  await stopChild(child, 'SIGKILL');
  const stalled = [];
  const queueEvents = new QueueEvents(name, { connection: connection() });
  closers.push(() => queueEvents.close());
  await queueEvents.waitUntilReady();
  queueEvents.on('stalled', ({ jobId }) => stalled.push(jobId));
  bullWorker(name, { lockDuration: 1000, stalledInterval: 500 });
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, 'completed by BullMQ');
  const done = await queue.getJob(job.id);
  assert.equal(done.stalledCounter, 1);
  assert.equal(done.attemptsStarted, 2);
  assert.deepEqual(done.returnvalue, { slept: true });
  await waitFor(() => stalled.includes(job.id), 'stalled event');
});

test('a BullMQ worker killed with kill -9 mid-job: growthd finishes the job after the stall check', async () => {
  const name = 'stall-bullmq';
  const queue = newQueue(name);
  const job = await queue.add('sleep', { ms: 800 });
  const child = await startChild('node', [BULLMQ_WORKER, name, '--lock-ms', 1000, '--stalled-ms', 500],
    { PATH: process.env.PATH, REDIS_URL: `redis://127.0.0.1:${port}` });
  await waitFor(async () => (await queue.getJobCounts('active')).active === 1, 'job active');
  await stopChild(child, 'SIGKILL');
  const worker = await growthdWorker(name, '--lock-ms', 1000, '--stalled-ms', 500);
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, 'completed by growthd');
  const done = await queue.getJob(job.id);
  assert.equal(done.stalledCounter, 1);
  assert.deepEqual(done.returnvalue, { slept: true });
  assert.ok((await events(name)).some((e) => e.event === 'stalled' && e.jobId === job.id));
  assert.equal(await stopChild(worker), 0);
});

test('BullMQ Queue.pause and resume hold and release a growthd worker', async () => {
  const name = 'pause';
  const queue = newQueue(name);
  const worker = await growthdWorker(name);
  await queue.pause();
  await queue.add('echo', {});
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await queue.getJobCounts('wait')).wait, 1);
  await queue.resume();
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, 'completed after resume');
  fixtureRun(name, 'pause');
  assert.equal(await queue.isPaused(), true);
  fixtureRun(name, 'resume');
  assert.equal(await queue.isPaused(), false);
  assert.equal(await stopChild(worker), 0);
});

test('a job that failed under growthd and is retried from BullMQ (as bull-board does) runs again', async () => {
  const name = 'retry-from-node';
  const queue = newQueue(name);
  const worker = await growthdWorker(name);
  const job = await queue.add('step', {}, { attempts: 1 });
  await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 'the first failure');
  await (await queue.getJob(job.id)).retry('failed');
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, 'completed after the retry');
  const done = await queue.getJob(job.id);
  assert.deepEqual(done.returnvalue, { charge: { id: 'ch_1' }, reused: true });
  assert.equal(await stopChild(worker), 0);
});

test('flows from BullMQ\'s FlowProducer: growthd runs the children, then the parent; a failing child fails it', async () => {
  const name = 'flow';
  const queue = newQueue(name);
  const flows = new FlowProducer({ connection: connection() });
  closers.push(() => flows.close());
  const worker = await growthdWorker(name, '--concurrency', 2);
  const tree = await flows.add({ name: 'echo', queueName: name, data: { parent: true }, children: [
    { name: 'echo', queueName: name, data: { c: 1 } },
    { name: 'echo', queueName: name, data: { c: 2 } },
  ] });
  await waitFor(async () => (await queue.getJob(tree.job.id)).finishedOn, 'the parent finished');
  const parent = await queue.getJob(tree.job.id);
  assert.deepEqual(parent.returnvalue, { parent: true });
  assert.deepEqual(Object.values(await parent.getChildrenValues()).sort((a, b) => a.c - b.c), [{ c: 1 }, { c: 2 }]);
  assert.ok((await events(name)).some((e) => e.event === 'waiting' && e.jobId === tree.job.id &&
    e.prev === 'waiting-children'));
  const failing = await flows.add({ name: 'echo', queueName: name, data: {}, children: [
    { name: 'fatal', queueName: name, data: { message: 'child broke' }, opts: { failParentOnFailure: true } },
  ] });
  await waitFor(async () => (await queue.getJob(failing.job.id)).finishedOn, 'the failing parent finished');
  const failed = await queue.getJob(failing.job.id);
  assert.equal(await failed.getState(), 'failed');
  assert.match(failed.failedReason, /^child bull:flow:.* failed$/);
  assert.equal(await stopChild(worker), 0);
});

test('a deduplicated job run by growthd frees its deduplication id when it finishes', async () => {
  const name = 'dedup';
  const queue = newQueue(name);
  const worker = await growthdWorker(name);
  const first = await queue.add('echo', { n: 1 }, { deduplication: { id: 'same' } });
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 1, 'the first job');
  const second = await queue.add('echo', { n: 2 }, { deduplication: { id: 'same' } });
  assert.notEqual(second.id, first.id);
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 2, 'the second job');
  assert.equal(await stopChild(worker), 0);
});

test('a job scheduler with "every" keeps running under growthd workers', async () => {
  const name = 'scheduler';
  const queue = newQueue(name);
  const worker = await growthdWorker(name);
  await queue.upsertJobScheduler('tick', { every: 300 }, { name: 'echo', data: { tick: true } });
  await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 3, 'three iterations', 30000);
  const done = await queue.getJobs(['completed'], 0, -1, true);
  assert.ok(done.every((job) => job.id.startsWith('repeat:tick:') && job.data.tick === true && job.repeatJobKey === 'tick'));
  const dues = done.map((job) => Number(job.id.split(':')[2]));
  // each iteration is due a whole number of periods after the one before (+300 ms unless a run fell behind)
  for (let i = 1; i < dues.length; i++) {
    assert.ok(dues[i] > dues[i - 1] && (dues[i] - dues[i - 1]) % 300 === 0, `iteration ${i}: ${dues[i] - dues[i - 1]} ms`);
  }
  const scheduler = await queue.getJobScheduler('tick');
  assert.ok(scheduler.iterationCount >= 3);
  await queue.removeJobScheduler('tick');
  assert.equal(await stopChild(worker), 0);
});

test('a job scheduler with a cron pattern keeps running under growthd workers', async () => {
  const name = 'scheduler-cron';
  const queue = newQueue(name);
  const worker = await growthdWorker(name);
  await queue.upsertJobScheduler('each-second', { pattern: '*/1 * * * * *', tz: 'Europe/Berlin' },
    { name: 'echo', data: { cron: true } });
  await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 3, 'three iterations', 30000);
  const done = await queue.getJobs(['completed'], 0, -1, true);
  const dues = done.map((job) => Number(job.id.split(':')[2]));
  assert.ok(done.every((job) => job.id.startsWith('repeat:each-second:') && job.data.cron === true));
  for (let i = 0; i < dues.length; i++) {
    assert.equal(dues[i] % 1000, 0, `iteration ${i} is due on a whole second`);
    if (i > 0) assert.ok(dues[i] > dues[i - 1]);
  }
  await queue.removeJobScheduler('each-second');
  assert.equal(await stopChild(worker), 0);
});

test('a mixed fleet (two growthd workers, one BullMQ worker) runs every job exactly once', async () => {
  const name = 'fleet';
  const queue = newQueue(name);
  const workers = [await growthdWorker(name, '--concurrency', 16, '--name', 'g1'),
    await growthdWorker(name, '--concurrency', 4, '--name', 'g2')];
  bullWorker(name, { concurrency: 8, name: 'n1' });
  fixture(name, 'add', '--name', 'echo', '--data', '{"from":"growthd"}', '--bulk', '--count', 1500);
  await queue.addBulk(Array.from({ length: 1500 }, (_, i) => ({ name: 'echo', data: { from: 'node', i } })));
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 3000, '3000 completed', 120000);
  const counts = await queue.getJobCounts('wait', 'active', 'failed', 'delayed', 'prioritized');
  assert.deepEqual(counts, { wait: 0, active: 0, failed: 0, delayed: 0, prioritized: 0 });
  const started = await redis.eval(`local n = 0
    for _, id in ipairs(redis.call('ZRANGE', KEYS[1] .. 'completed', 0, -1)) do
      if redis.call('HGET', KEYS[1] .. id, 'ats') ~= '1' then n = n + 1 end
    end
    return n`, 1, `bull:${name}:`);
  assert.equal(started, 0, 'no job was started twice');
  const processors = new Set((await queue.getJobs(['completed'], 0, -1)).map((job) => job.processedBy));
  assert.deepEqual([...processors].filter((p) => !['g1', 'g2', 'n1'].includes(p)), [], 'every job names its worker');
  for (const worker of workers) assert.equal(await stopChild(worker), 0);
});

test('BullMQ\'s global rate limit holds a growthd worker to max jobs per window', async () => {
  const name = 'rate';
  const queue = newQueue(name);
  await queue.setGlobalRateLimit(1, 3000);
  await queue.addBulk([{ name: 'noop', data: {} }, { name: 'noop', data: {} }]);
  const worker = await growthdWorker(name, '--concurrency', 4);
  await waitFor(async () => (await queue.getJobCounts('completed')).completed >= 1, 'the first job');
  const [ttl, completed] = await redis.eval("return {redis.call('PTTL', KEYS[1]), redis.call('ZCARD', KEYS[2])}", 2,
    `bull:${name}:limiter`, `bull:${name}:completed`);
  if (ttl > 0) assert.equal(completed, 1, 'one job per window');
  await waitFor(async () => (await queue.getJobCounts('completed')).completed === 2, 'the second job', 30000);
  assert.equal(await stopChild(worker), 0);
});

test('bull-board lists growthd\'s jobs in each state', async () => {
  const { createBullBoard } = require('@bull-board/api');
  const { BullMQAdapter } = require('@bull-board/api/bullMQAdapter');
  const name = 'board';
  const queue = newQueue(name);
  fixture(name, 'add', '--name', 'echo', '--data', '{"shown":true}');
  fixture(name, 'add', '--name', 'fatal', '--data', '{"message":"board failure"}');
  const worker = await growthdWorker(name, '--concurrency', 1);   // busy with the sleep job below
  await waitFor(async () => {
    const c = await queue.getJobCounts('completed', 'failed');
    return c.completed === 1 && c.failed === 1;
  }, 'one completed and one failed');
  const [waiting] = fixture(name, 'add', '--name', 'sleep', '--data', '{"ms":60000}');
  await waitFor(async () => (await queue.getJobCounts('active')).active === 1, 'one active');
  const [delayed] = fixture(name, 'add', '--name', 'echo', '--delay', 60000);
  const [prioritized] = fixture(name, 'add', '--name', 'echo', '--priority', 2);

  let routes = [];
  let boardQueues;
  const serverAdapter = {
    setQueues(q) { boardQueues = q; return this; },
    setViewsPath() { return this; },
    setStaticPath() { return this; },
    setUIConfig() { return this; },
    setEntryRoute() { return this; },
    setErrorHandler() { return this; },
    setApiRoutes(r) { routes = r; return this; },
  };
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter });
  const list = routes.find((r) => r.route === '/api/queues').handler;
  const board = async (status) => {
    const response = await list({ queues: boardQueues, uiConfig: {},
      query: { activeQueue: name, status, page: '1', jobsPerPage: '10' }, params: {} });
    assert.ok(response.body.queues, `bull-board answered ${JSON.stringify(response)}`);
    return response.body.queues[0];
  };
  const counts = (await board('latest')).counts;
  assert.equal(counts.completed, 1);
  assert.equal(counts.failed, 1);
  assert.equal(counts.active, 1);
  assert.equal(counts.delayed, 1);
  assert.equal(counts.prioritized, 1);
  const completed = (await board('completed')).jobs;
  assert.deepEqual(completed.map((j) => [j.name, j.returnValue]), [['echo', { shown: true }]]);
  const failed = (await board('failed')).jobs;
  assert.equal(failed[0].failedReason, 'board failure');
  assert.equal(failed[0].isFailed, true);
  assert.deepEqual((await board('active')).jobs.map((j) => j.id), [waiting]);
  assert.deepEqual((await board('delayed')).jobs.map((j) => j.id), [delayed]);
  assert.deepEqual((await board('prioritized')).jobs.map((j) => j.id), [prioritized]);
  assert.equal((await board('latest')).hasWorkers, true);
  await stopChild(worker, 'SIGKILL');
});
