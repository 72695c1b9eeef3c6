// Reads the n8n process's V8 heap through its inspector (n8n is started with --inspect on a port of
// our own): the live heap after a full collection, and the heap in use sampled during a run.
// A small HTTP endpoint lets a workflow ask for a reading at points of its own choosing: right
// before and right after the measured node, while n8n holds every node's items of that execution.
import http from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const { WebSocket } = require('undici'); // Node 20 has no global WebSocket without a flag

export class HeapProbe {
	static async connect(inspectPort, { timeoutMs = 30_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			try {
				const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
				const probe = new HeapProbe(targets[0].webSocketDebuggerUrl);
				await probe.opened;
				return probe;
			} catch (error) {
				if (Date.now() > deadline) throw new Error(`no inspector on port ${inspectPort}: ${error}`);
				await sleep(250);
			}
		}
	}

	constructor(url) {
		this.socket = new WebSocket(url);
		this.nextId = 1;
		this.pending = new Map();
		this.opened = new Promise((resolve, reject) => {
			this.socket.addEventListener('open', resolve, { once: true });
			this.socket.addEventListener('error', reject, { once: true });
		});
		this.socket.addEventListener('message', (event) => {
			const message = JSON.parse(event.data);
			const call = this.pending.get(message.id);
			if (!call) return;
			this.pending.delete(message.id);
			if (message.error) call.reject(new Error(`${message.error.message}`));
			else call.resolve(message.result);
		});
	}

	call(method, params = {}) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.socket.send(JSON.stringify({ id, method, params }));
		});
	}

	async usedBytes() {
		return (await this.call('Runtime.getHeapUsage')).usedSize;
	}

	/**
	 * Heap in use after two full collections (the first may only queue finalizers), read once
	 * `settleMs` have passed: undici's coarse timers keep every finished request's timer, and
	 * what it references, for up to a second.
	 */
	async liveBytes(settleMs = 1500) {
		await sleep(settleMs);
		await this.call('HeapProfiler.collectGarbage');
		await this.call('HeapProfiler.collectGarbage');
		return await this.usedBytes();
	}

	/** Samples the heap in use every `everyMs` until stop() is called; stop() returns the peak. */
	samplePeak(everyMs = 25) {
		let peak = 0;
		let running = true;
		const loop = (async () => {
			while (running) {
				peak = Math.max(peak, await this.usedBytes());
				await sleep(everyMs);
			}
		})();
		return async () => {
			running = false;
			await loop;
			return peak;
		};
	}

	close() {
		this.socket.close();
	}
}

/**
 * An HTTP endpoint on 127.0.0.1 that a workflow calls right before and right after the measured
 * node (`<url>/before`, `<url>/after`). It answers only once it has read the live heap, so n8n
 * waits, holding the execution's data. Each reading also notes the n8n process's CPU time (from
 * `cpuMs()`) when the request arrived and when it was answered, so the CPU the measured node
 * used excludes the collections. `take()` returns and forgets {before, after}.
 */
export async function startProbeEndpoint(probe, cpuMs) {
	let readings = {};
	const server = http.createServer((request, response) => {
		const point = request.url.endsWith('/before') ? 'before' : 'after';
		const cpuAtArrival = cpuMs();
		probe.liveBytes().then(
			(liveBytes) => {
				readings[point] = { liveBytes, cpuAtArrival, cpuAtAnswer: cpuMs() };
				response.writeHead(200, { 'content-type': 'application/json' });
				response.end('{"ok":true}');
			},
			(error) => {
				response.writeHead(500);
				response.end(String(error));
			},
		);
		request.resume();
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${server.address().port}/heap`,
		take() {
			const taken = readings;
			readings = {};
			return taken;
		},
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}
