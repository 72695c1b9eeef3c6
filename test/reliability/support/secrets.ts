/**
 * Looks for certificate secrets in everything a run shows: outputs, errors (every string they hold,
 * stack and cause included) and whatever reaches the console, stdout or stderr meanwhile.
 */
import type { ClientCertificate } from '../../../dev/sandbox/server';

/** Long enough to be unique in any text, short enough to catch a partial leak. */
const SLICE_LENGTH = 40;
/** Windows overlap, so any leaked run of 77 or more characters contains a whole one. */
const SLICE_STEP = 37;

export interface Leak {
	secret: string;
	source: string;
}

interface Captured {
	source: string;
	text: string;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const CONSOLE_METHODS: ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
const OUTPUT_SOURCES = /^(console\.|stdout$|stderr$)/;

/** Base64 body of a PEM block: what an attacker would need, whatever the line wrapping. */
function pemBody(pem: string): string {
	return pem
		.split('\n')
		.filter((line) => !line.startsWith('-----') && !line.includes(':'))
		.join('')
		.replace(/\s+/g, '');
}

/** Several 40-character windows covering the whole secret, the last one flush with its end. */
function slices(text: string): string[] {
	if (text.length <= SLICE_LENGTH) return [text];
	const starts: number[] = [];
	for (let start = 0; start + SLICE_LENGTH <= text.length; start += SLICE_STEP) starts.push(start);
	starts.push(text.length - SLICE_LENGTH);
	return [...new Set(starts.map((start) => text.slice(start, start + SLICE_LENGTH)))];
}

/** Leaked base64 may be re-wrapped or JSON-escaped: compare without line breaks or escapes. */
function normalize(text: string): string {
	return text
		.replace(/\\[nrt]/g, '')
		.replace(/\\\//g, '/')
		.replace(/\s+/g, '');
}

/** Every string inside a value: own properties too (an Error's message, stack and cause). */
export function collectText(
	value: unknown,
	found: string[] = [],
	seen = new Set<unknown>(),
): string[] {
	if (typeof value === 'string') {
		found.push(value);
		return found;
	}
	if (Buffer.isBuffer(value)) {
		found.push(value.toString('base64'));
		return found;
	}
	if (value === null || typeof value !== 'object' || seen.has(value)) return found;
	seen.add(value);
	for (const key of Object.getOwnPropertyNames(value)) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		if (typeof child !== 'function') collectText(child, found, seen);
	}
	return found;
}

export class SecretWatch {
	/** Secret fragment → the secret it belongs to. */
	private readonly fragments = new Map<string, string>();

	/** Fragments common to several secrets, hence proof of none. */
	private readonly shared = new Set<string>();

	private readonly captured: Captured[] = [];

	private restore: Array<() => void> = [];

	/** When false, captured console and stream output is kept but not printed (planted leaks). */
	private passThrough = process.env.MNOTIFY_TEST_VERBOSE === '1';

	/** Protects a secret typed by a person (a passphrase): the whole of it must never appear. */
	protectText(label: string, secret: string): void {
		this.fragments.set(normalize(secret), label);
	}

	/**
	 * Protects a long base64 secret by 40-character slices taken at many offsets. Slices found in
	 * public material (the certificates) or in another secret (the ASN.1 header every RSA key
	 * starts with) say nothing about this secret and are left out.
	 */
	protectBase64(label: string, base64: string, publicMaterial: string[] = []): void {
		const visible = publicMaterial.map(normalize);
		for (const slice of slices(normalize(base64))) {
			const owner = this.fragments.get(slice);
			if (this.shared.has(slice) || visible.some((text) => text.includes(slice))) continue;
			if (owner !== undefined && owner !== label) {
				this.fragments.delete(slice);
				this.shared.add(slice);
				continue;
			}
			this.fragments.set(slice, label);
		}
	}

	/** Protects a certificate's passphrase, private key (plain and encrypted) and PFX. */
	protectCertificate(label: string, certificate: ClientCertificate): void {
		const name = `${label} ${certificate.serialNumber.slice(-6)}`;
		const publicMaterial = [pemBody(certificate.certPem), pemBody(certificate.caPem)];
		this.protectText(`${name} passphrase`, certificate.passphrase);
		this.protectBase64(`${name} private key`, pemBody(certificate.keyPem), publicMaterial);
		this.protectBase64(
			`${name} encrypted private key`,
			pemBody(certificate.encryptedKeyPem),
			publicMaterial,
		);
		this.protectBase64(`${name} PFX`, certificate.pfxBase64, publicMaterial);
	}

	/** Keeps every string of a value (an output item, an error, a whole run result) for the scan. */
	record(source: string, value: unknown): void {
		const text = collectText(value).join('\n');
		if (text !== '') this.captured.push({ source, text });
	}

	/** Starts copying console, stdout and stderr output into the haystack. */
	startCapture(): void {
		for (const method of CONSOLE_METHODS) {
			const original = console[method];
			console[method] = (...args: unknown[]) => {
				this.record(`console.${method}`, args);
				if (this.passThrough) original.apply(console, args);
			};
			this.restore.push(() => (console[method] = original));
		}
		// winston (n8n's logger) writes to the console's own streams when it has them.
		const consoleStreams = console as unknown as Record<string, NodeJS.WritableStream | undefined>;
		const streams = new Map<NodeJS.WritableStream, string>([
			[process.stdout, 'stdout'],
			[process.stderr, 'stderr'],
		]);
		for (const name of ['_stdout', '_stderr']) {
			const stream = consoleStreams[name];
			if (stream && !streams.has(stream)) streams.set(stream, `console.${name}`);
		}
		for (const [stream, source] of streams) this.wrapWrite(stream, source);
	}

	private wrapWrite(stream: NodeJS.WritableStream, source: string): void {
		const original = stream.write;
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			this.record(
				source,
				typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(),
			);
			return this.passThrough
				? (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest)
				: true;
		}) as typeof stream.write;
		this.restore.push(() => (stream.write = original));
	}

	stopCapture(): void {
		for (const undo of this.restore.reverse()) undo();
		this.restore = [];
	}

	/** Runs `work` with output captured but not printed; the captured text is returned and dropped. */
	async silently(work: () => void | Promise<void>): Promise<string> {
		const mark = this.captured.length;
		const passThrough = this.passThrough;
		this.passThrough = false;
		try {
			await work();
		} finally {
			this.passThrough = passThrough;
		}
		return this.captured
			.splice(mark)
			.map((entry) => entry.text)
			.join('\n');
	}

	/** Secrets found in a text; used on planted leaks to prove the detector can fail. */
	scan(text: string, source = 'text'): Leak[] {
		const haystack = normalize(text);
		const leaks: Leak[] = [];
		for (const [fragment, secret] of this.fragments) {
			if (haystack.includes(fragment)) leaks.push({ secret, source });
		}
		return leaks;
	}

	/** Every protected secret found in everything recorded so far (one entry per secret and source). */
	leaks(): Leak[] {
		const found = new Map<string, Leak>();
		for (const entry of this.captured) {
			for (const leak of this.scan(entry.text, entry.source)) {
				found.set(`${leak.secret}|${leak.source}`, leak);
			}
		}
		return [...found.values()];
	}

	/** Whether the console, stdout or stderr showed this (to prove the capture sees n8n's logger). */
	printed(needle: string): boolean {
		return this.captured.some(
			(entry) => OUTPUT_SOURCES.test(entry.source) && entry.text.includes(needle),
		);
	}

	get protectedFragments(): number {
		return this.fragments.size;
	}
}
