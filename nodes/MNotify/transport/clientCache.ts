/**
 * The pooled mTLS client for a credential, lent to each execution: where the credential sends
 * (its origin, whether that is production), its fingerprint (the pool's key), and the
 * certificate's dates, checked at every lease (an expired certificate fails plainly) and warned
 * about 30 days ahead.
 */
import { createHash } from 'node:crypto';

import type { IExecuteFunctions } from 'n8n-workflow';

import { ENVIRONMENT_ORIGINS } from '../../../credentials/MNotifyApi.credentials';
import { MNotifyClient } from './client';
import {
	credentialProblem,
	loadClientCertificate,
	type CertificateInfo,
	type MNotifyCredentials,
	type Result,
} from './clientCertificate';
import type { Problem } from './problem';
import { proxyFor } from './proxy';

/** Enough for every credential a busy n8n uses at once; older pools are retired. */
const MAX_CACHED_CLIENTS = 16;

/**
 * A pool and how many executions use it. A retired pool (its credential was edited, or it fell
 * out of the cache) takes no new users and is closed when its last user is done, so a running
 * batch is never cut off.
 */
interface PoolEntry {
	client: MNotifyClient;
	fingerprint: string;
	users: number;
	retired: boolean;
}

/** A pool lent to one execution; `release` when the execution no longer needs it. */
export interface ClientLease {
	client: MNotifyClient;
	/** The credential's fingerprint: what else is kept per credential (the send pace) uses it. */
	credentialKey: string;
	release(): void;
}

/** Pools by credential fingerprint, least recently used first (Map keeps insertion order). */
const poolsByFingerprint = new Map<string, PoolEntry>();
/** The fingerprint last seen for each saved credential, to retire pools when it is edited. */
const fingerprintByCredentialId = new Map<string, string>();

/** Counts certificate parses in this process, so tests and benchmarks can prove the caching. */
export const clientCacheStatistics = { certificateLoads: 0 };

/**
 * Lends the pooled client for a credential. The certificate is parsed once per credential content
 * and process; editing a credential retires its old pool, which closes once nothing uses it.
 */
export function obtainClient(
	credentials: MNotifyCredentials,
	credentialId?: string,
): Result<{ lease: ClientLease }> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return resolved;
	const fingerprint = fingerprintCredentials(credentials, resolved.origin);

	if (credentialId) {
		const previous = fingerprintByCredentialId.get(credentialId);
		if (previous && previous !== fingerprint) retire(previous);
		fingerprintByCredentialId.set(credentialId, fingerprint);
	}

	let entry = poolsByFingerprint.get(fingerprint);
	if (entry) {
		poolsByFingerprint.delete(fingerprint);
		poolsByFingerprint.set(fingerprint, entry);
	} else {
		const route = proxyFor(resolved.origin, process.env);
		if (!route.ok) return route;
		const loaded = loadClientCertificate(credentials);
		clientCacheStatistics.certificateLoads++;
		if (!loaded.ok) return loaded;
		const tls12Context = () => {
			const capped = loadClientCertificate(credentials, { maxVersion: 'TLSv1.2' });
			return capped.ok ? capped.secureContext : undefined;
		};
		const client = new MNotifyClient(
			resolved.origin,
			loaded.secureContext,
			loaded.certificate,
			tls12Context,
			route.proxy,
		);
		entry = { client, fingerprint, users: 0, retired: false };
		poolsByFingerprint.set(fingerprint, entry);
		if (poolsByFingerprint.size > MAX_CACHED_CLIENTS) {
			retire(poolsByFingerprint.keys().next().value as string);
		}
	}

	// An expired certificate fails every handshake; say so plainly instead of as a TLS error.
	const datesProblem = checkValidity(entry.client.certificate);
	if (datesProblem) return { ok: false, problem: datesProblem };
	return { ok: true, lease: lend(entry) };
}

function lend(entry: PoolEntry): ClientLease {
	entry.users++;
	let released = false;
	return {
		client: entry.client,
		credentialKey: entry.fingerprint,
		release: () => {
			if (released) return;
			released = true;
			entry.users--;
			closeIfUnused(entry);
		},
	};
}

function retire(fingerprint: string): void {
	const entry = poolsByFingerprint.get(fingerprint);
	if (!entry) return;
	poolsByFingerprint.delete(fingerprint);
	entry.retired = true;
	closeIfUnused(entry);
}

function closeIfUnused(entry: PoolEntry): void {
	if (!entry.retired || entry.users > 0) return;
	void entry.client.close().catch(() => undefined);
}

/** Closes every pool (tests, benchmarks and shutdown). */
export async function closeAllClients(): Promise<void> {
	const entries = [...poolsByFingerprint.values()];
	poolsByFingerprint.clear();
	fingerprintByCredentialId.clear();
	await Promise.all(entries.map(async (entry) => await entry.client.close()));
}

/** Origin (scheme://host:port) of the MNotify API for this credential. */
export function resolveOrigin(credentials: MNotifyCredentials): Result<{ origin: string }> {
	if (credentials.environment !== 'custom') {
		const origin = ENVIRONMENT_ORIGINS[credentials.environment];
		if (origin) return { ok: true, origin };
	}
	const text = (credentials.baseUrl ?? '').trim();
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return credentialProblem(
			`The credential's Base URL "${text}" is not a URL`,
			'Give the scheme, host and port, e.g. https://127.0.0.1:8443.',
		);
	}
	if (url.protocol !== 'https:') {
		return credentialProblem(
			`The credential's Base URL must start with https:// (got ${url.protocol}//)`,
			'MNotify is only reachable over mutual TLS.',
		);
	}
	// The API lives under /api on every environment; a path here would be dropped anyway.
	return { ok: true, origin: url.origin };
}

/**
 * A stable fingerprint of everything that shapes the TLS connection, so that agents can be
 * cached and compared without ever keeping or logging the secret itself.
 */
export function fingerprintCredentials(credentials: MNotifyCredentials, origin: string): string {
	const material = [
		origin,
		credentials.format,
		credentials.pfxCertificate ?? '',
		credentials.certificatePem ?? '',
		credentials.privateKeyPem ?? '',
		credentials.passphrase ?? '',
		credentials.caCertificates ?? '',
	];
	return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/**
 * Whether the credential sends to the production MNotify, whatever its environment label says
 * (a Custom URL naming the production host counts).
 */
export function reachesProduction(credentials: MNotifyCredentials): boolean {
	if (credentials.environment === 'production') return true;
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return false;
	const host = new URL(resolved.origin).hostname.toLowerCase().replace(/\.$/, '');
	const production = new URL(ENVIRONMENT_ORIGINS.production).hostname;
	return host === production || host.endsWith(`.${production}`);
}

/** A problem with the dates of the client certificate, or undefined when it is valid now. */
export function checkValidity(certificate: CertificateInfo | undefined, now = new Date()) {
	if (!certificate) return undefined;
	if (now < certificate.validFrom) {
		return {
			message: `The client certificate is not valid before ${certificate.validFrom.toISOString()}`,
			description: `Certificate ${certificate.serialNumber} (${certificate.subject}) cannot be used yet. Check the machine's clock or use the current certificate.`,
		} satisfies Problem;
	}
	if (now > certificate.validTo) {
		return {
			message: `The client certificate expired on ${certificate.validTo.toISOString()}`,
			description: `Certificate ${certificate.serialNumber} (${certificate.subject}) has expired. Ask STISC for a new one, register its serial number with MEGA, and put it in the credential.`,
		} satisfies Problem;
	}
	return undefined;
}

/** How long before its end a client certificate is worth a warning on every run. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "expires on 2026-12-10 (in 12 days). Ask STISC…" when the certificate ends within 30 days,
 * otherwise undefined. MNotify refuses an expired certificate, and a new one takes time to get
 * and to register.
 */
export function expiryWarning(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	if (!certificate) return undefined;
	const daysLeft = Math.floor((certificate.validTo.getTime() - now.getTime()) / DAY_MS);
	if (daysLeft >= EXPIRY_WARNING_DAYS) return undefined;
	return `expires on ${certificate.validTo.toISOString().slice(0, 10)} (in ${daysLeft} days). Ask STISC for a new certificate and register it with MEGA before then: MNotify refuses an expired one.`;
}

/** The warning as a sentence of its own, naming the certificate. */
export function certificateExpiryMessage(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	const warning = expiryWarning(certificate, now);
	return warning && `The MNotify client certificate ${certificate?.serialNumber} ${warning}`;
}

/**
 * n8n's credential panel does not keep the test's expiry warning in view, so a certificate that
 * ends soon is named on every run of the node, as an execution hint. Polling triggers cannot show
 * hints in n8n: they put the warning on the items they emit instead.
 */
export function hintCertificateExpiry(
	context: object,
	certificate: CertificateInfo | undefined,
): void {
	const message = certificateExpiryMessage(certificate);
	if (
		message &&
		'addExecutionHints' in context &&
		typeof context.addExecutionHints === 'function'
	) {
		(context as Pick<IExecuteFunctions, 'addExecutionHints'>).addExecutionHints({
			message,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
