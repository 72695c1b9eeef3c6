// The runner's window into the n8n process, through its inspector (n8n is started with --inspect
// on a port of our own): the V8 heap, n8n's clock, its CPU profiler, and when the measured node's
// HTTP requests start and end.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const { WebSocket } = require('undici'); // Node 20 has no global WebSocket without a flag

/**
 * Runs inside n8n: records when the first undici request of a window was created and when the
 * last one got its answer headers, in epoch ms (sub-ms precision, comparable with the start time
 * n8n writes in its run data). The MNotify node sends with undici; n8n's own HTTP helpers (the
 * probes, HTTP Request) do not.
 */
const REQUEST_CLOCK = `(() => {
	if (globalThis.__mnotifyBenchRequests) return;
	const channels = process.getBuiltinModule('node:diagnostics_channel');
	const now = () => performance.timeOrigin + performance.now();
	const clock = (globalThis.__mnotifyBenchRequests = { first: 0, last: 0 });
	channels.subscribe('undici:request:create', () => { clock.first ||= now(); });
	channels.subscribe('undici:request:headers', () => { clock.last = now(); });
})()`;

export class N8nInspector {
	static async connect(inspectPort, { timeoutMs = 30_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			try {
				const targets = await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json();
				const inspector = new N8nInspector(targets[0].webSocketDebuggerUrl);
				await inspector.opened;
				await inspector.evaluate(REQUEST_CLOCK);
				return inspector;
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

	/** Evaluates an expression in n8n's main context; returns its (JSON) value. */
	async evaluate(expression) {
		const { result, exceptionDetails } = await this.call('Runtime.evaluate', {
			expression,
			returnByValue: true,
		});
		if (exceptionDetails) throw new Error(`in n8n: ${exceptionDetails.text} (${expression})`);
		return result.value;
	}

	/** n8n's monotonic clock in µs: the clock of its CPU profiles. */
	monotonicMicros() {
		return this.evaluate('Number(process.hrtime.bigint() / 1000n)');
	}

	/** Starts a new window of the request clock. */
	resetRequestClock() {
		return this.evaluate(
			'globalThis.__mnotifyBenchRequests.first = globalThis.__mnotifyBenchRequests.last = 0',
		);
	}

	/** {first, last} of the window in epoch ms (0 when no request was made). */
	readRequestClock() {
		return this.evaluate('({ ...globalThis.__mnotifyBenchRequests })');
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

	/**
	 * Starts the CPU profiler. Starting costs n8n a few hundred ms of its own (it lists every
	 * compiled function), so the profile should be cut to the window that matters.
	 */
	async startProfile() {
		await this.call('Profiler.enable');
		await this.call('Profiler.setSamplingInterval', { interval: 200 });
		await this.call('Profiler.start');
	}

	/** The profile, with `window` {fromMicros, toMicros} (on n8n's clock) to summarize. */
	async stopProfile(window) {
		return { ...(await this.call('Profiler.stop')).profile, window };
	}

	close() {
		this.socket.close();
	}
}
