/** Starts the sandbox for the benchmark, in a worker thread (default) or in this thread. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { startSandbox } from '../sandbox/server';
import {
	sandboxCommands,
	type SandboxCommandMessage,
	type SandboxCommandName,
	type SandboxCommands,
	type SandboxReadyMessage,
	type SandboxReplyMessage,
} from './sandboxCommands';

export type SandboxThread = 'worker' | 'main';

export interface BenchSandbox extends SandboxCommands {
	readonly url: string;
	readonly thread: SandboxThread;
	close(): Promise<void>;
}

export async function startBenchSandbox(thread: SandboxThread): Promise<BenchSandbox> {
	if (thread === 'worker') return await startInWorker();
	const sandbox = await startSandbox({ statusStepMs: 0 });
	return { ...sandboxCommands(sandbox), url: sandbox.url, thread, close: sandbox.close };
}

async function startInWorker(): Promise<BenchSandbox> {
	const worker = new Worker(path.join(__dirname, 'sandboxWorker.js'));
	const pending = new Map<
		number,
		{ resolve: (value: unknown) => void; reject: (error: Error) => void }
	>();
	let nextCallId = 1;

	const url = await new Promise<string>((resolve, reject) => {
		worker.once('error', reject);
		worker.once('message', (message: SandboxReadyMessage) => resolve(message.url));
	});
	worker.on('message', (reply: SandboxReplyMessage) => {
		const call = pending.get(reply.callId);
		pending.delete(reply.callId);
		if (reply.ok) call?.resolve(reply.result);
		else call?.reject(new Error(`Sandbox worker: ${reply.error}`));
	});

	const call = (command: SandboxCommandName) =>
		((...args: unknown[]) =>
			new Promise((resolve, reject) => {
				const callId = nextCallId++;
				pending.set(callId, { resolve, reject });
				worker.postMessage({ callId, command, args } satisfies SandboxCommandMessage);
			})) as never;

	return {
		url,
		thread: 'worker',
		issueClientCertificate: async (senderName) => {
			const certificate = await (
				call('issueClientCertificate') as SandboxCommands['issueClientCertificate']
			)(senderName);
			// Structured cloning turns a Buffer into a plain Uint8Array.
			return { ...certificate, pfx: Buffer.from(certificate.pfx) };
		},
		stats: call('stats'),
		resetStats: call('resetStats'),
		closeIdleConnections: call('closeIdleConnections'),
		firstRecipientValues: call('firstRecipientValues'),
		setResponseDelay: call('setResponseDelay'),
		cpuMs: call('cpuMs'),
		close: async () => {
			const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
			worker.postMessage('close');
			await exited;
		},
	};
}
