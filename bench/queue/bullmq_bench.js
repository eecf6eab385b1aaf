// BullMQ's side of bench/queue: adds jobs in bulk with Queue.addBulk and reports the time.
//   node bullmq_bench.js add QUEUE COUNT      prints {"ms": <elapsed>} once COUNT no-op jobs were added
'use strict';
const { Queue } = require('bullmq');

async function main() {
  const [command, name, count] = process.argv.slice(2);
  const url = new URL(process.env.REDIS_URL);
  const queue = new Queue(name, { connection: { host: url.hostname, port: Number(url.port) } });
  await queue.waitUntilReady();
  if (command === 'add') {
    const jobs = Array.from({ length: Number(count) }, () => ({ name: 'noop', data: {} }));
    const started = process.hrtime.bigint();
    await queue.addBulk(jobs);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(JSON.stringify({ ms }));
  }
  await queue.close();
}
main().catch((err) => { console.error(err); process.exit(1); });
