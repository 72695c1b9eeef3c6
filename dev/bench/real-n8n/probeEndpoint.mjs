// An HTTP endpoint on 127.0.0.1 that a workflow calls right before and right after the measured
// node (`<url>/before`, `<url>/after`: see workflows.mjs). It answers only once it has taken its
// readings, so n8n waits, holding the execution's data:
//   - the live heap (after full collections);
//   - the n8n process's CPU time when the request arrived and when it was answered, so the CPU
//     the measured node used leaves out the collections;
//   - when the MNotify node's first request started (epoch ms, as n8n's run data);
//   - when asked for, a CPU profile of what ran in between.
import http from 'node:http';

export async function startProbeEndpoint(inspector, cpuMs) {
	let readings = {};
	let onAfter = () => {};
	let profiling = false;
	let startedAt; // n8n's monotonic clock when the first probe answered (profile window)

	const takeReading = async (point) => {
		const cpuAtArrival = cpuMs();
		if (point === 'before') {
			const liveBytes = await inspector.liveBytes();
			if (profiling) await inspector.startProfile();
			await inspector.resetRequestClock();
			startedAt = await inspector.monotonicMicros();
			return { liveBytes, cpuAtArrival, cpuAtAnswer: cpuMs() };
		}
		const endedAt = await inspector.monotonicMicros();
		const requests = await inspector.readRequestClock();
		const window = { fromMicros: startedAt, toMicros: endedAt };
		const profile = profiling ? await inspector.stopProfile(window) : undefined;
		profiling = false;
		const liveBytes = await inspector.liveBytes();
		return {
			liveBytes,
			cpuAtArrival,
			cpuAtAnswer: cpuMs(),
			profile,
			firstRequestAt: requests.first || undefined,
		};
	};

	const server = http.createServer((request, response) => {
		const point = request.url.endsWith('/before') ? 'before' : 'after';
		takeReading(point).then(
			(reading) => {
				readings[point] = reading;
				if (point === 'after') onAfter();
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
		url: `http://127.0.0.1:${server.address().port}/probe`,
		/** The readings of the last run, {before, after}, forgotten once taken. */
		take() {
			const taken = readings;
			readings = {};
			return taken;
		},
		/** Resolves once the next `after` reading is taken (the measured node has finished). */
		nextAfter() {
			return new Promise((resolve) => (onAfter = resolve));
		},
		/** The next run's `after` reading carries a CPU profile. */
		profileNextRun() {
			profiling = true;
		},
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}
