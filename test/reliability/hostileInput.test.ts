/**
 * Hundreds of malformed inputs across every operation's fields (see hostileInput.cases.ts). Each
 * must be rejected before any network call, with an error naming the field and the item. The
 * cases of an operation run as the items of one workflow with Continue On Fail, first against a
 * credential whose port is closed (a case that slips through fails loudly there), then against
 * the sandbox, whose request counter must not move.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import {
	HOSTILE_CASES,
	OPERATIONS,
	validItemFor,
	type HostileCase,
	type OperationName,
} from './hostileInput.cases';
import { closedPortUrl, closingChecks, reliabilitySuite, type Execution } from './support/harness';

const suite = reliabilitySuite('hostile');
const main = suite.sandbox();

interface CaseGroup {
	operation: OperationName;
	parameters: IDataObject;
	cases: HostileCase[];
}

/** Cases that share their parameters run together, one item each. */
function groupCases(all: HostileCase[]): CaseGroup[] {
	const groups = new Map<string, CaseGroup>();
	for (const hostile of all) {
		const key = `${hostile.operation} ${JSON.stringify(hostile.parameters ?? {})}`;
		const group = groups.get(key) ?? {
			operation: hostile.operation,
			parameters: { ...OPERATIONS[hostile.operation], ...hostile.parameters },
			cases: [],
		};
		group.cases.push(hostile);
		groups.set(key, group);
	}
	return [...groups.values()];
}

const GROUPS = groupCases(HOSTILE_CASES);
const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

function itemFor(hostile: HostileCase): INodeExecutionData {
	return { json: hostile.item, ...(hostile.binary ? { binary: hostile.binary } : {}) };
}

function describeCase(hostile: HostileCase): string {
	const bug = hostile.bug ? `[BUG ${hostile.bug}] ` : '';
	return `${bug}${hostile.operation} › ${hostile.field} = ${hostile.label}`;
}

/**
 * What is wrong with the output for the case at `index` of its group; empty when all is right.
 * The description and HTTP code are read from the item's error too: the JSON loses them (B9),
 * which is tested on its own in faults.test.ts.
 */
function problemsWith(hostile: HostileCase, index: number, run: Execution): string[] {
	const outputs = run.output.filter((item) => (item.pairedItem as { item: number }).item === index);
	const message = outputs[0]?.json.error;
	if (outputs.length !== 1 || typeof message !== 'string') {
		return [`accepted: ${JSON.stringify(outputs.map((item) => item.json)).slice(0, 160)}`];
	}
	const error = outputs[0].error as
		{ description?: string | null; httpCode?: string | null } | undefined;
	const description = String(outputs[0].json.description ?? error?.description ?? '');
	const httpCode = outputs[0].json.httpCode ?? error?.httpCode ?? undefined;
	if (httpCode !== undefined || /connect|MNotify (at|answered|rejected)/.test(message)) {
		return [`reached the network: ${message}`];
	}
	const problems: string[] = [];
	if (!`${message} ${description}`.includes(hostile.field)) {
		problems.push(`does not name "${hostile.field}": ${message}`);
	}
	if (!message.includes(`[item ${index}]`))
		problems.push(`does not name item ${index}: ${message}`);
	return problems;
}

/** Runs every group at once; returns, per case, what went wrong (if anything). */
async function rejectAll(credentials: Record<string, string>): Promise<Map<HostileCase, string[]>> {
	const verdicts = new Map<HostileCase, string[]>();
	await Promise.all(
		GROUPS.map(async (group) => {
			const run = await suite.execute(group.parameters, credentials, {
				items: group.cases.map(itemFor),
				continueOnFail: true,
			});
			group.cases.forEach((hostile, index) =>
				verdicts.set(hostile, problemsWith(hostile, index, run)),
			);
		}),
	);
	return verdicts;
}

function failuresFor(verdicts: Map<HostileCase, string[]>, operation?: OperationName): string[] {
	return [...verdicts].flatMap(([hostile, problems]) =>
		operation && hostile.operation !== operation
			? []
			: problems.map((problem) => `${describeCase(hostile)}: ${problem}`),
	);
}

let closedPort = new Map<HostileCase, string[]>();
let againstSandbox = new Map<HostileCase, string[]>();
let sandboxRequests = 0;

beforeAll(async () => {
	closedPort = await rejectAll({ ...main.credentials, baseUrl: await closedPortUrl() });
	const before = main.sandbox.stats.requests;
	againstSandbox = await rejectAll(main.credentials);
	sandboxRequests = main.sandbox.stats.requests - before;

	suite.malformed.total = HOSTILE_CASES.length;
	suite.malformed.rejectedBeforeNetwork = HOSTILE_CASES.filter(
		(hostile) => closedPort.get(hostile)?.length === 0 && againstSandbox.get(hostile)?.length === 0,
	).length;
});

it('has at least 200 malformed inputs, for every operation', () => {
	expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(200);
	const covered = new Set(HOSTILE_CASES.map((hostile) => hostile.operation));
	expect(OPERATION_NAMES.filter((operation) => !covered.has(operation))).toEqual([]);
});

describe('with Continue On Fail, each malformed input fails its own item before the network', () => {
	it.each(OPERATION_NAMES)('%s: every error names the field and the item', (operation) => {
		expect(failuresFor(closedPort, operation)).toEqual([]);
	});
});

it('sent the sandbox no request at all for any of them', () => {
	expect({ requests: sandboxRequests, failures: failuresFor(againstSandbox) }).toEqual({
		requests: 0,
		failures: [],
	});
});

describe('without Continue On Fail, a malformed item stops the run before any request', () => {
	it.each(OPERATION_NAMES)('%s', async (operation) => {
		const hostile = HOSTILE_CASES.find((each) => each.operation === operation && !each.bug);
		if (!hostile) throw new Error(`No case for ${operation}`);
		// Two valid items first: validation of every item must come before any sending.
		const before = main.sandbox.stats.requests;
		const run = await suite.execute(
			{ ...OPERATIONS[operation], ...hostile.parameters },
			main.credentials,
			{
				items: [
					{ json: validItemFor(operation) },
					{ json: validItemFor(operation) },
					itemFor(hostile),
				],
			},
		);
		expect(run.error?.itemIndex).toBe(2);
		expect(run.error?.message).toContain('[item 2]');
		expect(`${run.error?.message} ${run.error?.description}`).toContain(hostile.field);
		expect(main.sandbox.stats.requests - before).toBe(0);
	});
});

closingChecks(suite);
