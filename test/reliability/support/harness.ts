/**
 * Shared set-up of the reliability suites: sandboxes that log every request, node runs through
 * n8n's engine whose every output and error is kept for the secret scan, and the counters each
 * suite leaves for the summary. Nothing here replaces our code: the node runs from dist/ and
 * talks to the sandbox over real mutual TLS.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import {
	startSandbox,
	type ClientCertificate,
	type ClientCertificateOptions,
	type FaultMatch,
	type MNotifySandbox,
	type SandboxFault,
	type SandboxOptions,
} from '../../../dev/sandbox/server';
import { freePort } from '../../../dev/harness/freePort';
import { sandboxCredentials } from '../../../dev/harness/sandboxCredentials';
import { engine, linearWorkflow, runSteps, sendParameters } from '../../support/workflows';
import { recordTally } from './ledger';
import { SecretWatch } from './secrets';
import { SendWatch } from './sendWatch';

/** How long after a 429 a send already under way may still arrive (loopback, a busy machine). */
const IN_FLIGHT_MS = 50;

/** Where sends go. */
export const SEND_PATH = '/api/notification';

/** Every notification sent by these suites has a subject starting with this, unique per item. */
export const MARKER_PREFIX = 'rel:';

export interface NodeError {
	message: string;
	description: string;
	itemIndex?: number;
	httpCode?: string;
}

export interface Execution {
	/** Output items (with Continue On Fail, error items too). */
	output: INodeExecutionData[];
	/** The error output's items (On Error → Continue (using error output)). */
	errorOutput: INodeExecutionData[];
	/** The error the node stopped the workflow with. */
	error?: NodeError;
	elapsedMs: number;
}

export interface ExecuteOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** n8n's "On Error" setting, when not just Continue On Fail. */
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	/** The saved credential's id (runs share one unless told otherwise). */
	credentialId?: string;
	/** Run the node as an AI agent's tool. */
	asAgentTool?: boolean;
}

/** A run stopped with n8n's Stop, and what an operator can find about it afterwards. */
export interface StoppedExecution {
	/** When the stop was pressed, after the start. */
	stoppedAfterMs: number;
	/** The execution's custom data as n8n saved it at the stop. */
	customData: Record<string, string>;
	/** What n8n's logger printed meanwhile (the node's account of what went out). */
	log: string;
	/** How long the stopped node ran on after the stop. */
	settledAfterStopMs: number;
}

interface UndiciConnectEvent {
	connectParams: { port: string | number; hostname: string };
	error?: { code?: string };
}

/** A sandbox for one test file, with its request log and the registered client certificate. */
export class SandboxHandle {
	sandbox!: MNotifySandbox;
	certificate!: ClientCertificate;
	credentials!: Record<string, string>;
	/** One line per request, as the sandbox logs it: "METHOD /path?query outcome …". */
	readonly log: string[] = [];
	private delaysOverAt = 0;

	constructor(private readonly secrets: SecretWatch) {}

	/**
	 * Starts the sandbox and, unless `clientOf` is given, issues and registers a client
	 * certificate. With `clientOf`, that handle's certificate is used: enough for tests that end
	 * at the server certificate, and it saves generating keys.
	 */
	async start(options: SandboxOptions, clientOf?: SandboxHandle): Promise<void> {
		this.sandbox = await startSandbox({ ...options, log: (line) => this.log.push(line) });
		this.certificate = clientOf?.certificate ?? this.sandbox.issueClientCertificate();
		this.secrets.protectCertificate('sandbox client certificate', this.certificate);
		this.credentials = {
			...sandboxCredentials(this.sandbox.url, this.certificate),
			caCertificates: this.sandbox.caPem,
		};
	}

	/** Another client certificate of this sandbox (its secrets are protected too). */
	issue(options: ClientCertificateOptions = {}, format: 'pfx' | 'pem' = 'pfx') {
		const certificate = this.sandbox.issueClientCertificate(options);
		this.secrets.protectCertificate('extra client certificate', certificate);
		return { certificate, credentials: sandboxCredentials(this.sandbox.url, certificate, format) };
	}

	/** Requests the sandbox finished with for this method and path (query ignored, any case). */
	requestsTo(method: string, path: string): number {
		const wanted = `${method} ${path}`.toLowerCase();
		return this.log.filter((line) => {
			const [lineMethod, target = ''] = line.split(' ');
			return `${lineMethod} ${target.split('?')[0]}`.toLowerCase() === wanted;
		}).length;
	}

	/** Notifications stored with this subject: the count per item that must never exceed 1. */
	acceptedWith(subject: string): number {
		return this.sandbox.notifications().filter((record) => record.subject === subject).length;
	}

	/**
	 * Sends that arrived while a 429's Retry-After was running, from the sandbox's own arrival
	 * times. Sends under way when the 429 went out (arriving within IN_FLIGHT_MS of it) had
	 * already started and do not count.
	 */
	retryAfterViolations(sinceMs = 0): number {
		const arrivals = this.sandbox.sendArrivals().filter((send) => send.receivedAtMs >= sinceMs);
		const pauses = arrivals.flatMap(({ answeredAtMs, retryAfterMs }) =>
			answeredAtMs !== undefined && retryAfterMs
				? [{ from: answeredAtMs + IN_FLIGHT_MS, until: answeredAtMs + retryAfterMs }]
				: [],
		);
		return arrivals.filter(({ receivedAtMs }) =>
			pauses.some(({ from, until }) => receivedAtMs >= from && receivedAtMs < until),
		).length;
	}

	/** Extra copies of the same item's notification, over everything this sandbox stored. */
	duplicateNotifications(): number {
		const counts = new Map<string, number>();
		for (const { subject } of this.sandbox.notifications()) {
			if (subject.startsWith(MARKER_PREFIX)) counts.set(subject, (counts.get(subject) ?? 0) + 1);
		}
		return [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
	}

	/** Injects a fault, remembering how long a delay keeps a request in the sandbox. */
	injectFault(fault: SandboxFault, match: FaultMatch): void {
		if (fault.kind === 'delay') {
			this.delaysOverAt = Math.max(this.delaysOverAt, Date.now() + fault.ms);
		}
		this.sandbox.injectFault(fault, match);
	}

	/**
	 * Waits until delayed requests are over, so a notification stored late is counted too. Other
	 * requests are finished on the server before the node sees their outcome.
	 */
	async settled(): Promise<void> {
		const wait = this.delaysOverAt + 100 - Date.now();
		if (wait > 0) await sleep(wait);
	}
}

export class ReliabilitySuite {
	readonly secrets = new SecretWatch();
	readonly sandboxes: SandboxHandle[] = [];
	readonly malformed = { total: 0, rejectedBeforeNetwork: 0 };
	readonly sends = new SendWatch();
	/** Notifications that exist but that no output, error, custom data or log told about. */
	unknownOutcomesNotNamed = 0;
	/**
	 * Connections toward the Production host opened by agents' writes that were not allowed
	 * there (counted by the tests that make such calls, at the proxy they go through).
	 */
	agentProductionWrites = 0;
	private markers = 0;

	constructor(readonly name: string) {}

	start(): void {
		this.secrets.startCapture();
		this.sends.start();
	}

	/** Registers a sandbox started before the tests of the enclosing block, closed at the end. */
	sandbox(options: SandboxOptions = { statusStepMs: 50 }, clientOf?: SandboxHandle): SandboxHandle {
		const handle = new SandboxHandle(this.secrets);
		this.sandboxes.push(handle);
		beforeAll(async () => await handle.start(options, clientOf));
		return handle;
	}

	/** A subject unique to one item, so the sandbox's copies of it can be counted. */
	marker(): string {
		this.markers += 1;
		return `${MARKER_PREFIX}${this.name}-${this.markers}`;
	}

	/**
	 * Runs one MNotify node through n8n's engine; every string it outputs is kept for the scan.
	 * The harness gives every run the same credential id, and the node retires a pool when that
	 * id comes with new content: runs at the same time must use the same credentials.
	 */
	async execute(
		parameters: IDataObject,
		credentials: Record<string, string>,
		options: ExecuteOptions = {},
	): Promise<Execution> {
		const startedAt = Date.now();
		const run = await runSteps(
			[
				{
					name: 'MNotify',
					parameters,
					onError:
						options.onError ?? (options.continueOnFail ? 'continueRegularOutput' : undefined),
					credentialId: options.credentialId,
					asAgentTool: options.asAgentTool,
				},
			],
			credentials,
			options.items,
		);
		return this.outcomeOf(run, Date.now() - startedAt);
	}

	/**
	 * Starts one MNotify node through n8n's engine and presses Stop as n8n does (it cancels the
	 * engine's execution) once `stopWhen` holds; then waits until the stopped node has returned.
	 */
	async executeAndStop(
		parameters: IDataObject,
		credentials: Record<string, string>,
		options: ExecuteOptions & { stopWhen: () => boolean },
	): Promise<StoppedExecution> {
		const workflow = linearWorkflow([
			{ name: 'MNotify', parameters, credentialId: options.credentialId },
		]);
		let execution: Awaited<ReturnType<ReturnType<typeof engine>['start']>> | undefined;
		let stoppedAt = 0;
		let settledAt = 0;
		const startedAt = Date.now();
		const log = await this.secrets.silently(async () => {
			execution = await engine().start(workflow, {
				credentials: { mNotifyApi: credentials },
				startItems: options.items,
			});
			while (!options.stopWhen() && Date.now() - startedAt < 20_000) await sleep(5);
			stoppedAt = Date.now();
			execution.stop();
			await execution.settled;
			settledAt = Date.now();
			this.sends.stoppedBetween(stoppedAt, settledAt);
			// n8n's logger writes through a stream, a moment after the call.
			await sleep(100);
		});
		const run = await execution!.finished;
		this.secrets.record('stopped run', run.data.resultData);
		this.secrets.record('stopped run log', log);
		return {
			stoppedAfterMs: stoppedAt - startedAt,
			customData: await execution!.customData(),
			log,
			settledAfterStopMs: settledAt - stoppedAt,
		};
	}

	private outcomeOf(run: IRun, elapsedMs: number): Execution {
		const task = run.data.resultData.runData.MNotify?.[0];
		const failure = task?.error ?? run.data.resultData.error;
		this.secrets.record('node output', task?.data);
		this.secrets.record('node error', failure);
		this.secrets.record('run error', run.data.resultData.error);

		const output = task?.data?.main?.[0] ?? [];
		const errorOutput = task?.data?.main?.[1] ?? [];
		if (!failure) return { output, errorOutput, elapsedMs };
		const details = failure as unknown as {
			message: string;
			description?: string | null;
			context?: { itemIndex?: number };
			httpCode?: string | null;
		};
		return {
			output,
			errorOutput,
			elapsedMs,
			error: {
				message: details.message,
				description: details.description ?? '',
				itemIndex: details.context?.itemIndex,
				httpCode: details.httpCode ?? undefined,
			},
		};
	}

	/**
	 * Counts (and remembers for the summary) the items whose notification the sandbox stored but
	 * that nothing the user sees accounts for: not an output id, not named as sent or as of
	 * unknown outcome in the error, the error items, the custom data or the log.
	 */
	checkOutcomesNamed(
		handle: SandboxHandle,
		items: INodeExecutionData[],
		seen: { run?: Execution; texts?: string[] },
	): string[] {
		const texts = [...(seen.texts ?? [])];
		const run = seen.run;
		if (run?.error) texts.push(`${run.error.message} ${run.error.description}`);
		const unknownItems = new Set(texts.flatMap(itemsNamedUnknown));
		const outputs = [...(run?.output ?? []), ...(run?.errorOutput ?? [])];
		const unnamed: string[] = [];
		items.forEach((item, index) => {
			const subject = item.json.subject as string;
			const stored = handle.sandbox.notifications().filter((record) => record.subject === subject);
			for (const { id } of stored) {
				const own = outputs.filter(
					(output) => (output.pairedItem as { item: number })?.item === index,
				);
				const named =
					own.some(
						(output) => output.json.id === id || saysMaybeAccepted(JSON.stringify(output.json)),
					) ||
					texts.some((text) => text.includes(id)) ||
					unknownItems.has(index) ||
					(run?.error?.itemIndex === index && saysMaybeAccepted(run.error.description));
				if (!named) unnamed.push(`item ${index} (${id})`);
			}
		});
		this.unknownOutcomesNotNamed += unnamed.length;
		return unnamed;
	}

	/** Sandboxes whose block ran (a filtered run may skip some). */
	get started(): SandboxHandle[] {
		return this.sandboxes.filter((handle) => handle.sandbox !== undefined);
	}

	async settled(): Promise<void> {
		await Promise.all(this.started.map(async (handle) => await handle.settled()));
	}

	duplicateNotifications(): number {
		return this.started.reduce((sum, handle) => sum + handle.duplicateNotifications(), 0);
	}

	async finish(): Promise<void> {
		const started = this.started;
		try {
			await this.settled();
			const total = (pick: (handle: SandboxHandle) => number) =>
				started.reduce((sum, handle) => sum + pick(handle), 0);
			recordTally({
				suite: this.name,
				faultsInjected: total((handle) => handle.sandbox.stats.faultsInjected),
				sendsAttempted: this.sends.attempted,
				sendsStartedAfterStop: this.sends.startedAfterStop,
				writesReplayed: this.sends.writesReplayed,
				unknownOutcomesNotNamed: this.unknownOutcomesNotNamed,
				sendsReceived: total((handle) => handle.sandbox.stats.notificationSendsReceived),
				duplicateNotifications: this.duplicateNotifications(),
				retryAfterViolations: total((handle) => handle.retryAfterViolations()),
				agentProductionWrites: this.agentProductionWrites,
				secretLeaks: this.secrets.leaks().length,
				malformedInputs: this.malformed.total,
				malformedRejectedBeforeNetwork: this.malformed.rejectedBeforeNetwork,
			});
		} finally {
			this.sends.stop();
			this.secrets.stopCapture();
			await engine().closeConnections();
			await Promise.all(started.map(async (handle) => await handle.sandbox.close()));
		}
	}
}

/** The suite of one test file: output capture from its start, tallies and clean-up at its end. */
export function reliabilitySuite(name: string): ReliabilitySuite {
	const suite = new ReliabilitySuite(name);
	beforeAll(() => suite.start());
	afterAll(async () => await suite.finish());
	return suite;
}

/** An https URL on 127.0.0.1 where nothing listens: any request there is refused. */
export async function closedPortUrl(): Promise<string> {
	return `https://127.0.0.1:${await freePort()}`;
}

/**
 * A port that refuses connections until the node has been refused once, then forwards raw TCP
 * to the sandbox (TLS stays end to end). The refusal is observed through undici's diagnostics
 * channel, not by changing the client.
 */
export class RefuseFirstGate {
	/** Connections the node attempted to the gate, and how many were refused. */
	attempts = 0;
	refusals = 0;
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();

	private readonly onConnect = (message: unknown) => {
		const { connectParams } = message as UndiciConnectEvent;
		if (String(connectParams.port) === String(this.port)) this.attempts += 1;
	};

	private readonly onConnectError = (message: unknown) => {
		const { connectParams, error } = message as UndiciConnectEvent;
		if (String(connectParams.port) !== String(this.port) || error?.code !== 'ECONNREFUSED') return;
		this.refusals += 1;
		// Open only now, so the first attempt certainly met a closed port.
		if (!this.server.listening) this.server.listen(this.port, '127.0.0.1');
	};

	private constructor(
		readonly port: number,
		targetPort: number,
	) {
		this.server = createServer((socket) => {
			const upstream = connect(targetPort, '127.0.0.1');
			for (const end of [socket, upstream]) {
				this.sockets.add(end);
				end.on('error', () => undefined);
				end.on('close', () => {
					this.sockets.delete(end);
					socket.destroy();
					upstream.destroy();
				});
			}
			socket.pipe(upstream).pipe(socket);
		});
		diagnosticsChannel.subscribe('undici:client:beforeConnect', this.onConnect);
		diagnosticsChannel.subscribe('undici:client:connectError', this.onConnectError);
	}

	static async open(targetPort: number): Promise<RefuseFirstGate> {
		return new RefuseFirstGate(await freePort(), targetPort);
	}

	get url(): string {
		return `https://127.0.0.1:${this.port}`;
	}

	async close(): Promise<void> {
		diagnosticsChannel.unsubscribe('undici:client:beforeConnect', this.onConnect);
		diagnosticsChannel.unsubscribe('undici:client:connectError', this.onConnectError);
		for (const socket of this.sockets) socket.destroy();
		if (this.server.listening) await new Promise((resolve) => this.server.close(resolve));
	}
}

/** Items that each carry their own subject, so each item's notification can be counted. */
export function markedItems(suite: ReliabilitySuite, count: number): INodeExecutionData[] {
	return Array.from({ length: count }, () => ({ json: { subject: suite.marker() } }));
}

/** A Send whose subject comes from the item (see markedItems); other texts are the usual ones. */
export function markedSendParameters(overrides: IDataObject = {}): IDataObject {
	return sendParameters([{ type: 'IDNP', value: '2000000000000' }], {
		subject: '={{ $json.subject }}',
		...overrides,
	});
}

/** What errors say when a send may exist although it failed. */
export const MAYBE_ACCEPTED =
	/may (or may not )?have (reached MNotify and )?been accepted|Outcome unknown, they may have been accepted/;

function saysMaybeAccepted(text: string): boolean {
	return MAYBE_ACCEPTED.test(text);
}

/** Item indexes an error or record lists as of unknown outcome ("…: items 3, 5–7."). */
function itemsNamedUnknown(text: string): number[] {
	const lists = [
		...text.matchAll(/Outcome unknown[^:]*: (items? [\d–, ]+)/g),
		...text.matchAll(/"?mnotify_unknown"?[:=]\s*"?(items? [\d–, ]+)/g),
	].map((match) => match[1]);
	return lists.flatMap((list) =>
		list
			.replace(/^items? /, '')
			.split(',')
			.flatMap((part) => {
				const [from, to = from] = part.trim().split('–').map(Number);
				return Number.isFinite(from)
					? Array.from({ length: to - from + 1 }, (_, k) => from + k)
					: [];
			}),
	);
}

/** The last tests of every file: nothing stored twice, no secret shown anywhere. */
export function closingChecks(suite: ReliabilitySuite): void {
	describe('after everything above', () => {
		it('stored no notification twice for any item', async () => {
			await suite.settled();
			expect(suite.duplicateNotifications()).toBe(0);
		});

		it('showed no secret in any output, error, console, stdout or stderr', () => {
			expect(suite.secrets.protectedFragments).toBeGreaterThan(100);
			expect(suite.secrets.leaks()).toEqual([]);
		});
	});
}
