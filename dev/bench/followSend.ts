/**
 * Which shipped files a plain Send runs through: one notification (one IDNP, written subject and
 * texts, no options touched) sent through n8n's engine to the sandbox over mTLS, at node version 1
 * and 1.1 (whose default Skip Already Notified uses n8n's processed-data store, here on a private
 * PostgreSQL). Each version runs twice; V8's precise coverage counts calls during the second run
 * only, so module top-level code and first-use set-up do not count. It prints the files under
 * dist/nodes and dist/credentials that had a function called, in the order they were first
 * entered, with their called functions.
 *
 *   npm run follow-send
 *   npm run follow-send -- --functions      # also name each called function
 *
 * The order comes from breakpoints whose condition only notes the file and never pauses (set on
 * every function the first run called); the count and the list come from the coverage alone.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

import type { INode, IWorkflowBase } from 'n8n-workflow';

import { nodeOutput, PACKAGE_DIRECTORY, WorkflowEngine } from '../harness/engine';
import { startPostgres } from '../harness/postgres';
import { useN8nProcessedDataStore } from '../harness/processedDataStore';
import { sandboxCredentials } from '../harness/sandboxCredentials';
import { startSandbox } from '../sandbox/server';
import { idnpFor, TEXTS } from './workloads';

const SHIPPED_FOLDERS = ['dist/nodes/', 'dist/credentials/'];
const NODE_VERSIONS = [1, 1.1];
const NODE_NAME = 'MNotify';
/** Where the breakpoint conditions note the files entered, in order. */
const ORDER_LOG = '__mnotifyFollowSendOrder';

interface CoveredFunction {
	functionName: string;
	ranges: Array<{ startOffset: number; endOffset: number; count: number }>;
}
interface ScriptCoverage {
	url: string;
	functions: CoveredFunction[];
}

/** A path relative to the package when the script is a shipped file, else undefined. */
function shippedFile(url: string): string | undefined {
	if (!url.startsWith('file://')) return undefined;
	const relative = path.relative(PACKAGE_DIRECTORY, new URL(url).pathname);
	return SHIPPED_FOLDERS.some((folder) => relative.startsWith(folder)) ? relative : undefined;
}

/** The shipped functions called since the last take, by file; a take resets V8's counts. */
async function takeCalls(session: Session): Promise<Map<string, CoveredFunction[]>> {
	const { result } = (await session.post('Profiler.takePreciseCoverage')) as {
		result: ScriptCoverage[];
	};
	const calls = new Map<string, CoveredFunction[]>();
	for (const script of result) {
		const file = shippedFile(script.url);
		if (!file) continue;
		const called = script.functions.filter((fn) => (fn.ranges[0]?.count ?? 0) > 0);
		if (called.length > 0) calls.set(file, called);
	}
	return calls;
}

function plainSendWorkflow(version: number, run: number): IWorkflowBase {
	const send: INode = {
		id: 'send',
		name: NODE_NAME,
		type: 'n8n-nodes-mnotify.mNotify',
		typeVersion: version,
		position: [200, 0],
		credentials: { mNotifyApi: { id: 'follow-send', name: 'Follow one Send' } },
		parameters: {
			resource: 'notification',
			operation: 'send',
			recipients: { recipient: [{ type: 'IDNP', value: idnpFor(version * 100 + run) }] },
			...TEXTS,
		},
	};
	const start: INode = {
		id: 'start',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	return {
		id: `follow-send-${version}`,
		name: 'Follow one Send',
		nodes: [start, send],
		connections: { Start: { main: [[{ node: NODE_NAME, type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}

/**
 * Breakpoints at every function the first run called, whose condition notes the file once and
 * answers false, so the run never pauses.
 */
async function noteFirstEntries(
	session: Session,
	calls: Map<string, CoveredFunction[]>,
): Promise<string[]> {
	(globalThis as unknown as Record<string, string[]>)[ORDER_LOG] = [];
	const breakpointIds: string[] = [];
	for (const [file, functions] of calls) {
		const source = readFileSync(path.join(PACKAGE_DIRECTORY, file), 'utf8');
		const condition = `(globalThis.${ORDER_LOG}.includes(${JSON.stringify(file)}) || globalThis.${ORDER_LOG}.push(${JSON.stringify(file)}), false)`;
		for (const fn of functions) {
			const before = source.slice(0, fn.ranges[0].startOffset).split('\n');
			const { breakpointId } = await session.post('Debugger.setBreakpointByUrl', {
				url: new URL(`file://${path.join(PACKAGE_DIRECTORY, file)}`).href,
				lineNumber: before.length - 1,
				columnNumber: before[before.length - 1].length,
				condition,
			});
			breakpointIds.push(breakpointId);
		}
	}
	return breakpointIds;
}

async function main(): Promise<void> {
	const nameFunctions = process.argv.includes('--functions');
	const postgres = await startPostgres({ database: 'follow_send' });
	const store = await useN8nProcessedDataStore(postgres);
	const sandbox = await startSandbox({ statusStepMs: 0 });
	const certificate = sandbox.issueClientCertificate({ senderName: 'Follow one Send' });
	const credentials = { mNotifyApi: sandboxCredentials(sandbox.url, certificate) };
	const engine = new WorkflowEngine();
	const session = new Session();
	session.connect();
	try {
		await session.post('Profiler.enable');
		await session.post('Debugger.enable');
		await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
		const figures: string[] = [];
		for (const version of NODE_VERSIONS) {
			const send = async (run: number) => {
				const result = await engine.run(plainSendWorkflow(version, run), { credentials });
				const [sent] = nodeOutput(result, NODE_NAME);
				if (typeof sent?.json.id !== 'string')
					throw new Error(`version ${version}: the Send gave no notification id`);
			};
			await takeCalls(session); // drop what came before: earlier versions, loading
			await send(1);
			const breakpointIds = await noteFirstEntries(session, await takeCalls(session));
			await send(2);
			const calls = await takeCalls(session);
			for (const breakpointId of breakpointIds)
				await session.post('Debugger.removeBreakpoint', { breakpointId });
			const order = (globalThis as unknown as Record<string, string[]>)[ORDER_LOG];
			const files = [
				...order.filter((file) => calls.has(file)),
				...[...calls.keys()].filter((file) => !order.includes(file)),
			];
			const functionCount = [...calls.values()].reduce((sum, list) => sum + list.length, 0);
			console.log(
				`\nNode version ${version}: ${files.length} shipped files, ${functionCount} functions called (second run, in the order first entered)`,
			);
			files.forEach((file, index) => {
				const functions = calls.get(file)!;
				const names = nameFunctions
					? `: ${functions.map((fn) => fn.functionName || '(anonymous)').join(', ')}`
					: '';
				console.log(`${String(index + 1).padStart(3)}. ${file} (${functions.length})${names}`);
			});
			figures.push(`v${version}: ${files.length} files, ${functionCount} functions`);
		}
		console.log(`\nfollow-send: ${figures.join('; ')}`);
	} finally {
		session.disconnect();
		await engine.closeConnections();
		await sandbox.close();
		await store.close();
		await postgres.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exitCode = 1;
});
