// Variant (e): raw undici from a plain Node process (started with the Node that runs n8n), the
// sandbox's one raw client (SandboxClient: a keep-alive pool of `connections` sockets) kept for
// the whole benchmark, as the node keeps its pool. Over IPC the parent sends {configure: {url,
// pfxBase64, passphrase, caPem, connections}} once (not on the command line, where `ps` would
// show the certificate), then {send: {first, count}}, and gets {ids, durationMs, cpuMs} back.
import { kit } from '../../real-n8n/kit.mjs';

let target; // {client, connections}

function configure({ url, pfxBase64, passphrase, caPem, connections }) {
	const certificate = { pfx: Buffer.from(pfxBase64, 'base64'), passphrase, caPem };
	target = { connections, client: new kit.SandboxClient(url, certificate, connections) };
}

/** Items first..first+count-1 with `connections` requests in flight; ids in item order. */
async function sendAll({ first, count }) {
	const ids = new Array(count);
	const startedAt = performance.now();
	const cpuBefore = process.cpuUsage();
	await kit.runPool(count, target.connections, async (k) => {
		const i = first + k;
		ids[k] = await target.client.send(
			kit.notificationRequestBody(kit.idnpFor(i), kit.subjectFor(i)),
		);
	});
	const cpu = process.cpuUsage(cpuBefore);
	return { ids, durationMs: performance.now() - startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (message) => {
	if (message === 'close') {
		void target.client.close().then(() => process.disconnect());
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
