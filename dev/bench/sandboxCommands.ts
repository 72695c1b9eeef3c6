/**
 * What the benchmark asks of the sandbox, as plain async commands with cloneable arguments and
 * results, so the same calls work whether the sandbox runs in this thread or in a worker.
 */
import type { ClientCertificate, MNotifySandbox, SandboxStats } from '../sandbox/server';
import { threadCpuMs } from './threadCpu';

export interface SandboxCommands {
	issueClientCertificate(senderName: string): Promise<ClientCertificate>;
	stats(): Promise<SandboxStats>;
	resetStats(): Promise<void>;
	/** Drops idle keep-alive connections, so the next run starts without open connections. */
	closeIdleConnections(): Promise<void>;
	/** The first recipient value of each notification id (undefined when not stored). */
	firstRecipientValues(ids: string[]): Promise<Array<string | undefined>>;
	/**
	 * Delays every answer by `ms` from now on (0: none), standing in for the network and server
	 * time a real MNotify adds; the statuses stay frozen either way.
	 */
	setResponseDelay(ms: number): Promise<void>;
	/** CPU milliseconds the sandbox's thread has used so far (see threadCpuMs). */
	cpuMs(): Promise<number>;
}

export function sandboxCommands(sandbox: MNotifySandbox): SandboxCommands {
	return {
		issueClientCertificate: async (senderName) => sandbox.issueClientCertificate({ senderName }),
		stats: async () => sandbox.stats,
		resetStats: async () => sandbox.resetStats(),
		closeIdleConnections: async () => sandbox.closeIdleConnections(),
		firstRecipientValues: async (ids) => {
			const valueById = new Map(
				sandbox.notifications().map((record) => [record.id, record.recipients[0]?.value]),
			);
			return ids.map((id) => valueById.get(id));
		},
		setResponseDelay: async (ms) => {
			sandbox.clearFaults();
			if (ms > 0) sandbox.injectFault({ kind: 'delay', ms }, { times: Infinity });
		},
		cpuMs: async () => threadCpuMs(),
	};
}

export type SandboxCommandName = keyof SandboxCommands;

export interface SandboxCommandMessage {
	callId: number;
	command: SandboxCommandName;
	args: unknown[];
}

export type SandboxReplyMessage =
	{ callId: number; ok: true; result: unknown } | { callId: number; ok: false; error: string };

/** The worker's first message: where the sandbox listens. */
export interface SandboxReadyMessage {
	url: string;
}
