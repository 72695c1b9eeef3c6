/**
 * What the benchmark asks of the sandbox, as plain async commands with cloneable arguments and
 * results, so the same calls work whether the sandbox runs in this thread or in a worker.
 */
import type { ClientCertificate, MNotifySandbox, SandboxStats } from '../sandbox/server';

export interface SandboxCommands {
	issueClientCertificate(senderName: string): Promise<ClientCertificate>;
	stats(): Promise<SandboxStats>;
	resetStats(): Promise<void>;
	/** Drops idle keep-alive connections, so the next run starts without open connections. */
	closeIdleConnections(): Promise<void>;
	/** The first recipient value of each notification id (undefined when not stored). */
	firstRecipientValues(ids: string[]): Promise<Array<string | undefined>>;
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
	};
}

export type SandboxCommandName = keyof SandboxCommands;

export interface SandboxCommandMessage {
	callId: number;
	command: SandboxCommandName;
	args: unknown[];
}

export type SandboxReplyMessage =
	| { callId: number; ok: true; result: unknown }
	| { callId: number; ok: false; error: string };

/** The worker's first message: where the sandbox listens. */
export interface SandboxReadyMessage {
	url: string;
}
