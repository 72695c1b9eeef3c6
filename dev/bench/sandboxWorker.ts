/**
 * Runs the sandbox in a worker thread: the server gets its own event loop (the second core) and
 * its store of notifications stays out of the heap the benchmark measures on the main thread.
 */
import { parentPort } from 'node:worker_threads';

import { startSandbox } from '../sandbox/server';
import {
	sandboxCommands,
	type SandboxCommandMessage,
	type SandboxReadyMessage,
	type SandboxReplyMessage,
} from './sandboxCommands';

async function serve(): Promise<void> {
	if (!parentPort) throw new Error('sandboxWorker.js must run as a worker thread');
	const port = parentPort;
	const sandbox = await startSandbox({ statusStepMs: 0 });
	const commands = sandboxCommands(sandbox);

	port.on('message', (message: SandboxCommandMessage | 'close') => {
		if (message === 'close') {
			void sandbox.close().finally(() => port.close());
			return;
		}
		const run = commands[message.command] as (...args: unknown[]) => Promise<unknown>;
		run(...message.args).then(
			(result) => port.postMessage({ callId: message.callId, ok: true, result }),
			(error: unknown) =>
				port.postMessage({
					callId: message.callId,
					ok: false,
					error: error instanceof Error ? error.message : String(error),
				} satisfies SandboxReplyMessage),
		);
	});
	port.postMessage({ url: sandbox.url } satisfies SandboxReadyMessage);
}

void serve();
