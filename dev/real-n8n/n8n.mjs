// A real n8n server (an install of install.mjs): start/stop, owner + API key setup, and small
// helpers over the HTTP APIs the editor and the public API use; workflow files and credentials. Plain Node (>= 20) ESM, no dependencies.
//
// Endpoints used (checked against the n8n 2.41.1 dist; 1.123.x has the same ones):
//   GET  /healthz/readiness                    server + database ready
//   POST /rest/owner/setup, POST /rest/login   cookie `n8n-auth` (bound to the `browser-id` header)
//   GET  /rest/api-keys/scopes, POST /rest/api-keys  -> data.rawApiKey (public API, header X-N8N-API-KEY)
//   GET  /types/nodes.json, /types/credentials.json  all node/credential descriptions (cookie auth)
//   POST /rest/node-types {nodeInfos:[{name,version}]}  full description of given node types
//   GET  /icons/<package>/<path>.svg           node/credential icons of a package
//   POST /rest/credentials                     create a credential from decrypted data
//   POST /rest/credentials/test {credentials:{name,type,data}}  n8n's credential test -> {status,message}
//   POST /api/v1/workflows, /api/v1/workflows/{id}/activate   create / publish (activate) a workflow
//   POST /rest/workflows/{id}/run {triggerToStartFrom:{name}} run a saved workflow like the editor's button
//   GET  /api/v1/executions/{id}?includeData=true  execution status + run data
//   ANY  /webhook/<path>                       production webhooks of active workflows
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { kit } from './kit.mjs';

export const OWNER = {
	email: 'e2e-owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-password-1234',
};
const BROWSER_ID = 'n8n-nodes-mnotify-e2e';
// Fixed so a kept user folder can be reopened; it protects only throwaway test data.
const ENCRYPTION_KEY = 'n8n-nodes-mnotify-e2e-not-a-secret';

export class HttpError extends Error {
	constructor(method, url, status, body) {
		super(`${method} ${url} -> HTTP ${status}: ${String(body).slice(0, 500)}`);
		this.status = status;
		this.body = body;
	}
}

export class N8nServer {
	/**
	 * @param {object} o
	 * @param {string} o.n8nDir    folder with node_modules/n8n (from install-n8n.sh)
	 * @param {string} o.nodeBin   node binary that runs n8n
	 * @param {string} o.userFolder  N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n)
	 * @param {Record<string,string>} [o.env]  extra environment
	 * @param {string[]} [o.command]  n8n command and flags: ['start'] (default) or e.g.
	 *   ['worker', '--concurrency=10'] (queue mode; ready when its health endpoint answers)
	 * @param {string} [o.logName]  log file name in the user folder (default n8n.log)
	 * @param {string[]} [o.nodeArgs]  options for the node binary itself (e.g. --inspect)
	 */
	constructor({
		n8nDir,
		nodeBin,
		userFolder,
		env = {},
		command = ['start'],
		logName = 'n8n.log',
		nodeArgs = [],
	}) {
		Object.assign(this, { n8nDir, nodeBin, userFolder, extraEnv: env, command, nodeArgs });
		this.cookie = '';
		this.apiKey = '';
		this.logFile = path.join(userFolder, logName);
	}

	get isWorker() {
		return this.command[0] === 'worker';
	}

	get baseUrl() {
		return `http://127.0.0.1:${this.port}`;
	}

	/**
	 * Start `n8n start` and wait until /healthz/readiness and /rest/settings answer 200. A worker
	 * serves only its health endpoints (QUEUE_HEALTH_CHECK_*), on `port`.
	 */
	async start({ timeoutMs = 120_000 } = {}) {
		this.port = await kit.freePort();
		this.brokerPort = await kit.freePort();
		mkdirSync(this.userFolder, { recursive: true });
		const env = {
			...process.env,
			PATH: `${path.dirname(this.nodeBin)}:${process.env.PATH}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `http://127.0.0.1:${this.port}/`,
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false', // plain http on 127.0.0.1 (the screenshot browser logs in too)
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
			N8N_LOG_OUTPUT: 'console',
			GENERIC_TIMEZONE: 'UTC',
			TZ: 'UTC',
			NO_PROXY: '127.0.0.1,localhost',
			no_proxy: '127.0.0.1,localhost',
			...(this.isWorker
				? {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(this.port),
					}
				: {}),
			...this.extraEnv,
		};
		const n8nBin = path.join(this.n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
		const log = createWriteStream(this.logFile, { flags: 'a' }); // a restarted process keeps its history
		this.proc = spawn(this.nodeBin, [...this.nodeArgs, n8nBin, ...this.command], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true, // own process group: stop() also ends the task runner it spawns
		});
		this.proc.stdout.pipe(log);
		this.proc.stderr.pipe(log);
		this.exited = new Promise((resolve) =>
			this.proc.on('exit', (code, sig) => resolve({ code, sig })),
		);
		let exitInfo = null;
		this.exited.then((e) => (exitInfo = e));

		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (exitInfo) {
				throw new Error(
					`n8n exited during startup (${JSON.stringify(exitInfo)}):\n${this.logTail()}`,
				);
			}
			try {
				// readiness = database up; n8n 1.x answers it before its REST routes exist, so
				// also wait for the (unauthenticated) settings the editor loads first.
				const ready = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (ready.ok && (this.isWorker || (await fetch(`${this.baseUrl}/rest/settings`)).ok))
					return;
			} catch {
				/* not listening yet */
			}
			await sleep(250);
		}
		throw new Error(`n8n not ready after ${timeoutMs / 1000}s:\n${this.logTail()}`);
	}

	/** SIGTERM the process group, SIGKILL after a grace period. */
	async stop({ graceMs = 15_000 } = {}) {
		if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
		const kill = (sig) => {
			try {
				process.kill(-this.proc.pid, sig);
			} catch {
				/* already gone */
			}
		};
		kill('SIGTERM');
		const done = await Promise.race([this.exited, sleep(graceMs).then(() => null)]);
		if (!done) {
			kill('SIGKILL');
			await this.exited;
		}
	}

	/** SIGKILL the process group at once, as when a machine or container dies. */
	async killHard() {
		try {
			process.kill(-this.proc.pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
		return await this.exited;
	}

	logTail(lines = 40) {
		try {
			return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

	// ---- HTTP ------------------------------------------------------------------------------

	/** Low-level request. `auth`: 'cookie' | 'apiKey' | 'none'. Returns {status, headers, body(text), json}. */
	async request(method, url, { body, auth = 'cookie', headers = {}, expect = [200] } = {}) {
		const h = { 'browser-id': BROWSER_ID, ...headers };
		if (auth === 'cookie' && this.cookie) h.cookie = this.cookie;
		if (auth === 'apiKey') h['X-N8N-API-KEY'] = this.apiKey;
		let payload = body;
		if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
			payload = JSON.stringify(body);
			h['content-type'] ??= 'application/json';
		}
		const target = url.startsWith('http') ? url : this.baseUrl + url;
		const init = { method, headers: h, body: payload, redirect: 'manual' };
		let res;
		for (let attempt = 1; ; attempt++) {
			try {
				res = await fetch(target, init);
				break;
			} catch (error) {
				// A read may meet a keep-alive connection the server closed at that instant.
				if (method !== 'GET' || attempt === 3) throw error;
				await sleep(100);
			}
		}
		const text = await res.text();
		const setCookie = res.headers.getSetCookie?.() ?? [];
		const auth_ = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth_) this.cookie = auth_;
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		if (expect && !expect.includes(res.status)) throw new HttpError(method, url, res.status, text);
		return { status: res.status, headers: res.headers, body: text, json };
	}

	/** REST call (cookie auth); unwraps n8n's `{data: ...}` envelope. */
	async rest(method, p, body) {
		const { json } = await this.request(method, `/rest${p}`, { body });
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** Public API call (API key auth). */
	async api(method, p, body) {
		const { json } = await this.request(method, `/api/v1${p}`, { body, auth: 'apiKey' });
		return json;
	}

	// ---- Setup -----------------------------------------------------------------------------

	async setupOwner() {
		await this.request('POST', '/rest/owner/setup', { body: OWNER, auth: 'none' });
	}

	async login() {
		this.cookie = '';
		// n8n >= 1.8x takes emailOrLdapLoginId, older ones email (zod drops the unknown one).
		await this.request('POST', '/rest/login', {
			body: { emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password },
			auth: 'none',
		});
		if (!this.cookie) throw new Error('login returned no n8n-auth cookie');
	}

	async createApiKey() {
		let scopes;
		try {
			scopes = await this.rest('GET', '/api-keys/scopes');
		} catch {
			scopes = undefined; // older n8n without scopes
		}
		const body = { label: `e2e-${Date.now()}`, expiresAt: null };
		if (Array.isArray(scopes)) body.scopes = scopes;
		const data = await this.rest('POST', '/api-keys', body);
		this.apiKey = data.rawApiKey ?? data.apiKey;
		if (!this.apiKey) throw new Error(`no API key in ${JSON.stringify(data).slice(0, 200)}`);
	}

	// ---- Types -----------------------------------------------------------------------------

	async nodeTypes() {
		return (await this.request('GET', '/types/nodes.json')).json;
	}
	async credentialTypes() {
		return (await this.request('GET', '/types/credentials.json')).json;
	}
	async nodeTypeDetails(name, version) {
		const [desc] = await this.rest('POST', '/node-types', { nodeInfos: [{ name, version }] });
		return desc;
	}
	/** Fetches an icon as the editor would. iconUrl: string or {light,dark}. Returns [{url,status,contentType,bytes}]. */
	async fetchIcons(iconUrl) {
		const urls = typeof iconUrl === 'string' ? [iconUrl] : Object.values(iconUrl ?? {});
		const out = [];
		for (const u of urls) {
			const res = await this.request('GET', '/' + u.replace(/^\//, ''), { expect: null });
			out.push({
				url: u,
				status: res.status,
				contentType: res.headers.get('content-type'),
				bytes: res.body.length,
			});
		}
		return out;
	}

	// ---- Credentials -----------------------------------------------------------------------

	/** Creates a credential from decrypted data; returns {id, name, type}. */
	async createCredential({ name, type, data }) {
		const created = await this.rest('POST', '/credentials', { name, type, data });
		return { id: created.id, name: created.name, type: created.type };
	}

	/**
	 * Imports an n8n credential export (what `n8n export:credentials --decrypted` writes: an array, or one
	 * object, of {id?, name, type, data}). Returns {[type]: {id, name}} for bindCredentials().
	 */
	async importCredentialExport(fileOrObject) {
		const parsed =
			typeof fileOrObject === 'string'
				? JSON.parse(readFileSync(fileOrObject, 'utf8'))
				: fileOrObject;
		const list = Array.isArray(parsed) ? parsed : [parsed];
		const byType = {};
		for (const c of list) {
			const created = await this.createCredential(c);
			byType[c.type] = { id: created.id, name: created.name };
		}
		return byType;
	}

	/**
	 * n8n's own "test credential" (what the credential dialog runs after saving): POST /rest/credentials/test
	 * with the id of a saved credential and its data. Without an id, the data is saved as a temporary
	 * credential first and deleted afterwards (n8n 1.x refuses unsaved ones; 2.x takes id '' from the owner).
	 * Returns {status: 'OK'|'Error', message}.
	 */
	async testCredential({ name = 'e2e credential test', type, data, id }) {
		if (id)
			return await this.rest('POST', '/credentials/test', {
				credentials: { id, name, type, data },
			});
		const tmp = await this.createCredential({ name, type, data });
		try {
			return await this.rest('POST', '/credentials/test', {
				credentials: { id: tmp.id, name, type, data },
			});
		} finally {
			await this.rest('DELETE', `/credentials/${tmp.id}`);
		}
	}

	// ---- Workflows -------------------------------------------------------------------------

	/** Creates a workflow through the public API (only the fields it accepts). Returns its id. */
	async createWorkflow(wf) {
		const body = {
			name: wf.name ?? 'e2e workflow',
			nodes: wf.nodes,
			connections: wf.connections ?? {},
			settings: { executionOrder: 'v1', ...(wf.settings ?? {}) },
		};
		const created = await this.api('POST', '/workflows', body);
		return created.id;
	}

	async activateWorkflow(id) {
		await this.api('POST', `/workflows/${id}/activate`);
	}
	async deactivateWorkflow(id) {
		await this.api('POST', `/workflows/${id}/deactivate`);
	}

	/**
	 * Runs a saved workflow like the editor's "Execute workflow" button, from its Manual Trigger or
	 * from the trigger node named `trigger` (e.g. a Schedule Trigger, which then fires once, now);
	 * waits, returns the execution.
	 */
	async runManually(id, { timeoutMs = 60_000, trigger } = {}) {
		const executionId = await this.startManually(id, { trigger });
		return await this.waitForExecution(executionId, { timeoutMs });
	}

	/** Starts a saved workflow as runManually does, without waiting; returns the execution id. */
	async startManually(id, { trigger: triggerName } = {}) {
		const wf = await this.api('GET', `/workflows/${id}`);
		const trigger = wf.nodes.find((n) =>
			triggerName ? n.name === triggerName : n.type === 'n8n-nodes-base.manualTrigger',
		);
		if (!trigger) throw new Error(`workflow ${id} has no ${triggerName ?? 'Manual Trigger'} node`);
		// n8n 2.x reads the saved workflow and needs triggerToStartFrom; 1.x also wants workflowData.
		const result = await this.rest('POST', `/workflows/${id}/run`, {
			workflowData: wf,
			triggerToStartFrom: { name: trigger.name },
		});
		if (!result?.executionId)
			throw new Error(`run did not start an execution: ${JSON.stringify(result)}`);
		return result.executionId;
	}

	async waitForExecution(executionId, { timeoutMs = 60_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			let ex;
			try {
				ex = await this.api('GET', `/executions/${executionId}?includeData=true`);
			} catch (e) {
				if (!(e instanceof HttpError && e.status === 404)) throw e; // not saved yet
			}
			if (
				ex &&
				!['new', 'running', 'waiting'].includes(ex.status) &&
				(ex.finished || ex.stoppedAt) &&
				// n8n 1.x can mark an execution finished a moment before its data is written (its log
				// then says "Found successful execution where data is empty stringified array").
				(ex.data?.resultData || Date.now() > deadline)
			) {
				return new Execution(ex);
			}
			if (Date.now() > deadline)
				throw new Error(`execution ${executionId} not finished after ${timeoutMs / 1000}s`);
			await sleep(200);
		}
	}

	/** Finished and running executions of a workflow (summaries, newest first). */
	async executions(workflowId, { limit = 100 } = {}) {
		const list = await this.api('GET', `/executions?workflowId=${workflowId}&limit=${limit}`);
		return list.data ?? [];
	}

	/**
	 * Waits for the next finished execution of an (active) workflow with an id above `afterId`
	 * (e.g. one a trigger started). Returns an Execution.
	 */
	async waitForNextExecution(workflowId, { afterId = 0, timeoutMs = 60_000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = await this.api('GET', `/executions?workflowId=${workflowId}&limit=20`);
			const next = (list.data ?? [])
				.filter((e) => Number(e.id) > Number(afterId))
				.sort((a, b) => a.id - b.id)[0];
			if (next)
				return await this.waitForExecution(next.id, {
					timeoutMs: Math.max(1000, deadline - Date.now()),
				});
			if (Date.now() > deadline)
				throw new Error(`no execution of workflow ${workflowId} within ${timeoutMs / 1000}s`);
			await sleep(250);
		}
	}

	/**
	 * Calls a production webhook (`/webhook/<path>`) of an active workflow. Activation returns before
	 * the webhook is registered (n8n 2.x registers it shortly after), so a 404 "not registered" is
	 * retried until `waitMs` has passed.
	 */
	async callWebhook(webhookPath, { method = 'POST', body, headers, waitMs = 20_000 } = {}) {
		const deadline = Date.now() + waitMs;
		for (;;) {
			const res = await this.request(method, `/webhook/${webhookPath}`, {
				body,
				headers,
				auth: 'none',
				expect: null,
			});
			if (!(res.status === 404 && /not registered/.test(res.body)) || Date.now() > deadline)
				return res;
			await sleep(250);
		}
	}
}

/**
 * An n8n server of an install (installedN8n of install.mjs). n8n 1.x: the default (vm) expression
 * engine needs isolated-vm's native build, which the install skips, so it runs the legacy engine.
 */
export function serverOf(install, { userFolder, env = {}, ...options }) {
	return new N8nServer({
		n8nDir: install.N8N_DIR,
		nodeBin: install.NODE_BIN,
		userFolder,
		env: { ...(install.target === 'n8n1' ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {}), ...env },
		...options,
	});
}

/** Execution helper: status, error, and the items a node produced. */
export class Execution {
	constructor(raw) {
		this.raw = raw;
		this.id = raw.id;
		this.status = raw.status;
		const resultData = raw.data?.resultData ?? {};
		this.runData = resultData.runData ?? {};
		this.error = resultData.error;
		this.lastNodeExecuted = resultData.lastNodeExecuted;
	}
	/** json of the items on output `output` of the last run of `nodeName`. */
	items(nodeName, output = 0) {
		const runs = this.runData[nodeName];
		if (!runs?.length)
			throw new Error(
				`node "${nodeName}" did not run (ran: ${Object.keys(this.runData).join(', ')})`,
			);
		const run = runs[runs.length - 1];
		if (run.error) throw new Error(`node "${nodeName}" failed: ${run.error.message}`);
		return (run.data?.main?.[output] ?? []).map((i) => i.json);
	}
	nodeError(nodeName) {
		const runs = this.runData[nodeName] ?? [];
		return runs[runs.length - 1]?.error;
	}
	get errorMessage() {
		return this.error
			? `${this.error.message}${this.error.description ? ` (${this.error.description})` : ''}`
			: '';
	}
	assertSuccess() {
		if (this.status !== 'success') {
			throw new Error(
				`execution ${this.id} status ${this.status}: ${this.errorMessage || '(no error message)'}`,
			);
		}
		return this;
	}
}

/** Reads a workflow file (a path or a file URL). */
export function readWorkflow(file) {
	return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Points every credential reference in a workflow at the credentials created in this n8n
 * (exports carry ids from another instance). byType: {[credentialType]: {id, name}}.
 */
export function bindCredentials(wf, byType) {
	const copy = structuredClone(wf);
	for (const node of copy.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			if (!byType[type])
				throw new Error(`node "${node.name}" needs a ${type} credential; none was imported`);
			node.credentials[type] = { ...byType[type] };
		}
	}
	return copy;
}
