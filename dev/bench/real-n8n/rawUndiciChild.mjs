// Variant (e): raw undici from a plain Node process (started with the Node that runs n8n), one
// keep-alive agent of `connections` sockets kept for the whole benchmark, as the node keeps its
// pool. The parent sends {send: {first, count}} over IPC and gets {ids, durationMs, cpuMs}.
import { createRequire } from 'node:module';

import { requestBody } from './workload.mjs';

const require = createRequire(import.meta.url);
const { Agent } = require('undici'); // the package's own runtime dependency

const { url, pfxBase64, passphrase, caPem, connections } = JSON.parse(process.argv[2]);
const agent = new Agent({
	connections,
	connect: { pfx: Buffer.from(pfxBase64, 'base64'), passphrase, ca: caPem },
});

async function send(i) {
	const response = await agent.request({
		origin: url,
		path: '/api/notification',
		method: 'POST',
		headers: { accept: 'application/json, text/plain', 'content-type': 'application/json' },
		body: JSON.stringify(requestBody(i)),
	});
	const text = await response.body.text();
	if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text}`);
	return text.trim().replace(/^"|"$/g, '');
}

/** Items first..first+count-1 with `connections` requests in flight; ids in item order. */
async function sendAll({ first, count }) {
	const ids = new Array(count);
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const k = next++;
			ids[k] = await send(first + k);
		}
	};
	const startedAt = performance.now();
	const cpuBefore = process.cpuUsage();
	await Promise.all(Array.from({ length: Math.min(connections, count) }, worker));
	const cpu = process.cpuUsage(cpuBefore);
	return { ids, durationMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (message) => {
	if (message === 'close') {
		void agent.close().then(() => process.disconnect());
		return;
	}
	sendAll(message.send).then(
		(result) => process.send({ ok: true, ...result }),
		(error) => process.send({ ok: false, error: String(error?.stack ?? error) }),
	);
});
process.send({ ready: true });
