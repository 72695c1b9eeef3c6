/**
 * The work every benchmark does (this one in n8n's engine, `bench:n8n` in a real n8n, and their
 * raw clients): the same notification to one IDNP per item with the same Romanian texts; and the
 * workflows that make the MNotify node do it inside n8n's engine. Here the subject is fixed and
 * only the IDNP comes from each item; the real-n8n benchmark also maps a subject per item.
 */
import type { IDataObject, INode, INodeExecutionData, IWorkflowBase } from 'n8n-workflow';

const NODE_TYPE = 'n8n-nodes-mnotify.mNotify';
export const MNOTIFY_NODE_NAME = 'MNotify';
const START_NODE_NAME = 'Start';

export const TEXTS = {
	subject: 'Aviz de plată',
	body: '<p>Aveți o plată scadentă.</p>',
	shortBody: 'Aveți o plată scadentă.',
};

/** Item i goes to this IDNP + i: distinct, valid (13-digit) IDNPs. */
const FIRST_IDNP = 2_000_000_000_000;

/** A distinct, valid (13-digit) IDNP for every notification the benchmark sends. */
export function idnpFor(sequence: number): string {
	return String(FIRST_IDNP + sequence);
}

/** Item i's subject where each item has its own (the real-n8n benchmark): this + i. */
export const SUBJECT_PREFIX = 'Test ';

export function subjectFor(sequence: number): string {
	return `${SUBJECT_PREFIX}${sequence}`;
}

/** Input items, each carrying the IDNP the node maps with an expression. */
export function recipientItems(firstSequence: number, count: number): INodeExecutionData[] {
	return Array.from({ length: count }, (_, index) => ({
		json: { idnp: idnpFor(firstSequence + index) },
	}));
}

/**
 * The source of an n8n Code node making the real-n8n benchmark's `count` input items: item i
 * has `i`, its IDNP, its subject and the texts, the fields its variants map.
 */
export function makeItemsCode(count: number): string {
	return [
		`const texts = ${JSON.stringify({ body: TEXTS.body, shortBody: TEXTS.shortBody })};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		`	json: { i, idnp: String(${FIRST_IDNP} + i), subject: ${JSON.stringify(SUBJECT_PREFIX)} + i, ...texts },`,
		`}));`,
	].join('\n');
}

/** The request the node sends for one item, written by hand for the raw clients and checks. */
export function notificationRequest(idnp: string, subject = TEXTS.subject): IDataObject {
	return {
		priority: 'Low',
		recipients: [{ type: 'IDNP', value: idnp }],
		subject: { ro: subject },
		body: { ro: TEXTS.body },
		bodyShort: { ro: TEXTS.shortBody },
	};
}

/** The same request as the JSON body a raw client sends. */
export function notificationRequestBody(idnp: string, subject = TEXTS.subject): string {
	return JSON.stringify(notificationRequest(idnp, subject));
}

/**
 * Each workflow names its own saved credential: the node retires a credential's pool when the
 * same credential id shows up with other contents.
 */
export const SEND_CREDENTIAL_ID = 'bench-send';
export const LIST_CREDENTIAL_ID = 'bench-list';

export function sendWorkflow(concurrency: number): IWorkflowBase {
	return mnotifyWorkflow(SEND_CREDENTIAL_ID, {
		resource: 'notification',
		operation: 'send',
		recipients: { recipient: [{ type: 'IDNP', value: '={{ $json.idnp }}' }] },
		contentSource: 'text',
		subject: TEXTS.subject,
		body: TEXTS.body,
		shortBody: TEXTS.shortBody,
		priority: 'Low',
		options: { concurrency },
	});
}

export function returnAllWorkflow(pageSize: number): IWorkflowBase {
	return mnotifyWorkflow(LIST_CREDENTIAL_ID, {
		resource: 'notification',
		operation: 'getMany',
		returnAll: true,
		options: { itemsPerPage: pageSize },
	});
}

/** Manual Trigger → MNotify, with the credential the engine is given under `mNotifyApi`. */
function mnotifyWorkflow(credentialId: string, parameters: IDataObject): IWorkflowBase {
	const nodes: INode[] = [
		{
			id: 'start',
			name: START_NODE_NAME,
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'mnotify',
			name: MNOTIFY_NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: parameters as INode['parameters'],
			credentials: { mNotifyApi: { id: credentialId, name: credentialId } },
		},
	];
	return {
		id: 'bench-workflow',
		name: 'MNotify benchmark',
		nodes,
		connections: {
			[START_NODE_NAME]: { main: [[{ node: MNOTIFY_NODE_NAME, type: 'main', index: 0 }]] },
		},
		active: false,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}
