/**
 * What the node's sends did on the wire, from undici's own diagnostics channels (not from our
 * code): when each POST /api/notification was created, whether its headers were written to a
 * socket (from then on it may have reached MNotify), and on which socket. From these the suite
 * counts sends started after a Stop and writes repeated after an earlier copy may have left.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

interface UndiciRequest {
	method: string;
	path: string;
	body?: unknown;
}

interface SendRecord {
	request: UndiciRequest;
	/** The item's unique subject (see markedItems), read from the request body. */
	subject?: string;
	createdAt: number;
	/** Set when undici wrote the headers to a socket: the request may have left from then on. */
	socket?: Socket;
}

const SEND_PATH = '/api/notification';

function subjectOf(body: unknown): string | undefined {
	if (!Buffer.isBuffer(body) && typeof body !== 'string') return undefined;
	try {
		const parsed = JSON.parse(body.toString()) as { subject?: { ro?: unknown } };
		return typeof parsed.subject?.ro === 'string' ? parsed.subject.ro : undefined;
	} catch {
		return undefined;
	}
}

export class SendWatch {
	readonly sends: SendRecord[] = [];
	private readonly byRequest = new WeakMap<object, SendRecord>();
	/** When each stopped run was stopped, and until when its node kept running. */
	private readonly stops: Array<{ at: number; until: number }> = [];

	private readonly onCreate = (message: unknown) => {
		const { request } = message as { request: UndiciRequest };
		if (request.method !== 'POST' || request.path.split('?')[0].toLowerCase() !== SEND_PATH) {
			return;
		}
		const record: SendRecord = { request, subject: subjectOf(request.body), createdAt: Date.now() };
		this.sends.push(record);
		this.byRequest.set(request, record);
	};

	private readonly onSendHeaders = (message: unknown) => {
		const { request, socket } = message as { request: UndiciRequest; socket: Socket };
		const record = this.byRequest.get(request);
		if (record) record.socket = socket;
	};

	start(): void {
		diagnosticsChannel.subscribe('undici:request:create', this.onCreate);
		diagnosticsChannel.subscribe('undici:client:sendHeaders', this.onSendHeaders);
	}

	stop(): void {
		diagnosticsChannel.unsubscribe('undici:request:create', this.onCreate);
		diagnosticsChannel.unsubscribe('undici:client:sendHeaders', this.onSendHeaders);
	}

	/** POSTs started, retries included. */
	get attempted(): number {
		return this.sends.length;
	}

	/** Remembers that a run was stopped at `at` and its node returned at `until`. */
	stoppedBetween(at: number, until: number): void {
		this.stops.push({ at, until });
	}

	/** POSTs created after a Stop, while the stopped node was still running (must be 0). */
	get startedAfterStop(): number {
		return this.sends.filter((send) =>
			this.stops.some(({ at, until }) => send.createdAt > at && send.createdAt <= until),
		).length;
	}

	/**
	 * POSTs of an item created after an earlier POST of the same item had written its headers,
	 * i.e. a send repeated although the first copy may have reached MNotify (must be 0).
	 */
	get writesReplayed(): number {
		const leftBefore = new Set<string>();
		let replayed = 0;
		for (const send of this.sends) {
			if (!send.subject) continue;
			if (leftBefore.has(send.subject)) replayed++;
			if (send.socket) leftBefore.add(send.subject);
		}
		return replayed;
	}

	/** The socket the latest send of this item was written to. */
	socketOf(subject: string): Socket | undefined {
		return [...this.sends].reverse().find((send) => send.subject === subject)?.socket;
	}

	/** How many POSTs were started for this item. */
	attemptsFor(subject: string): number {
		return this.sends.filter((send) => send.subject === subject).length;
	}
}
