// Variant (e): raw undici from a plain Node process (started with the Node that runs n8n), one
// keep-alive agent of `connections` sockets kept for the whole benchmark, as the node keeps its
// pool. Over IPC the parent sends {configure: {url, pfxBase64, passphrase, caPem, connections}}
// once (not on the command line, where `ps` would show the certificate), then {send: {first,
// count}}, and gets {ids, durationMs, cpuMs} back.
import { createRequire } from 'node:module';

import { requestBody } from './workload.mjs';

const require = createRequire(import.meta.url);
const { Agent } = require('undici'); // the package's own runtime dependency

let target; // {url, agent, connections}

function configure({ url, pfxBase64, passphrase, caPem, connections }) {
	const connect = { pfx: Buffer.from(pfxBase64, 'base64'), passphrase, ca: caPem };
	target = { url, connections, agent: new Agent({ connections, connect }) };
}

async function send(i) {
	const response = await target.agent.request({
		origin: target.url,
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
	await Promise.all(Array.from({ length: Math.min(target.connections, count) }, worker));
	const cpu = process.cpuUsage(cpuBefore);
	return { ids, durationMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (message) => {
	if (message === 'close') {
		void target.agent.close().then(() => process.disconnect());
	} else if (message.configure) {
		configure(message.configure);
		process.send({ ready: true });
	} else {
		sendAll(message.send).then(
			(result) => process.send({ ok: true, ...result }),
			(error) => process.send({ ok: false, error: String(error?.stack ?? error) }),
		);
	}
});
