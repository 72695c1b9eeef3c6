// A private Redis (Debian's `redis-server`) on 127.0.0.1 for n8n's queue mode: no persistence,
// started and stopped by the caller.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { kit } from '../../real-n8n/kit.mjs';

/** Resolves when `PING` on 127.0.0.1:port answers `+PONG`. */
function ping(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(String(data).startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

export async function startRedis({ bin = process.env.REDIS_SERVER || 'redis-server' } = {}) {
	const port = await kit.freePort();
	const proc = spawn(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const output = [];
	proc.stdout.on('data', (d) => output.push(String(d)));
	proc.stderr.on('data', (d) => output.push(String(d)));
	const spawnError = new Promise((resolve) => proc.once('error', resolve));
	const deadline = Date.now() + 15_000;
	for (;;) {
		const error = await Promise.race([spawnError, sleep(100).then(() => undefined)]);
		if (error)
			throw new Error(
				`cannot start ${bin} (${error.message}): install it with \`apt-get install -y redis-server\``,
			);
		if (proc.exitCode !== null) throw new Error(`redis-server exited:\n${output.join('')}`);
		if (await ping(port)) break;
		if (Date.now() > deadline) throw new Error(`redis-server not ready:\n${output.join('')}`);
	}
	return {
		host: '127.0.0.1',
		port,
		async stop() {
			if (proc.exitCode !== null || proc.signalCode !== null) return;
			const exited = new Promise((resolve) => proc.once('exit', resolve));
			proc.kill('SIGTERM');
			await Promise.race([exited, sleep(5000)]);
			if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
		},
	};
}
