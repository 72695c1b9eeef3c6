// Variant (e), the parent's side: one raw-undici process (rawUndiciChild.mjs) for the whole
// benchmark, on the Node that runs n8n, its agent kept between runs as the node keeps its pool.
import { fork } from 'node:child_process';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);

export async function startRawClient({ nodeBin, url, client, connections }) {
	const child = fork(path.join(HERE, 'rawUndiciChild.mjs'), [], {
		execPath: nodeBin,
		execArgv: [],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const ready = new Promise((resolve, reject) => {
		child.once('message', resolve);
		child.once('exit', (code) => reject(new Error(`raw undici process exited ${code}`)));
	});
	const { pfx, passphrase, caPem } = client;
	child.send({
		configure: { url, pfxBase64: pfx.toString('base64'), passphrase, caPem, connections },
	});
	await ready;
	return {
		/** Sends items 0..count-1; resolves {ids, durationMs, cpuMs}. */
		send: (count) =>
			new Promise((resolve, reject) => {
				child.once('message', (m) => (m.ok ? resolve(m) : reject(new Error(m.error))));
				child.send({ send: { first: 0, count } });
			}),
		close: async () => {
			child.send('close');
			await new Promise((resolve) => child.once('exit', resolve));
		},
	};
}
