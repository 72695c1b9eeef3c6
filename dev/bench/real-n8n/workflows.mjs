// The workflows of the real-n8n benchmark: Manual Trigger → "Make items" (Code: N input items) →
// "Probe before" and "Measured" (the variant's node) → "Probe after". The probes are requests to the
// runner, which reads n8n's live heap and CPU time while the execution holds its items. Only
// "Measured"'s own executionTime is the variant's time.
import { kit } from '../../real-n8n/kit.mjs';

const { makeItemsCode, SUBJECT_PREFIX, TEXTS } = kit;

export const MEASURED = 'Measured';
export const MNOTIFY_NODE_TYPE = 'n8n-nodes-mnotify.mNotify';

const FIXED_TEXTS = { body: TEXTS.body, shortBody: TEXTS.shortBody };
// The body the MNotify node sends, as one JSON template for the HTTP Request node.
const HTTP_JSON_BODY = `={"recipients":[{"type":"IDNP","value":"{{ $json.idnp }}"}],"priority":"Low","subject":{"ro":"${SUBJECT_PREFIX}{{ $json.i }}"},"body":{"ro":${JSON.stringify(TEXTS.body)}},"bodyShort":{"ro":${JSON.stringify(TEXTS.shortBody)}}}`;

/**
 * The measured node of each n8n variant. `credentials` holds the ids of the saved credentials:
 * {mNotifyApi, httpSslAuth}, each {id, name}.
 */
export const MEASURED_NODES = {
	/** (a) The MNotify node reading recipients and subject from the input fields: no expression. */
	mapped: ({ credentials }) => ({
		type: MNOTIFY_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'notification',
			operation: 'send',
			recipientsMode: 'fields',
			recipientFields: { field: [{ type: 'IDNP', name: 'idnp' }] },
			contentSource: 'fields',
			subjectField: 'subject',
			bodyField: 'body',
			shortBodyField: 'shortBody',
			priority: 'Low',
			options: {},
		},
		credentials: { mNotifyApi: credentials.mNotifyApi },
	}),
	/** (b) The MNotify node with the recipient and the subject as per-item expressions. */
	expressions: ({ credentials }) => ({
		type: MNOTIFY_NODE_TYPE,
		typeVersion: 1,
		parameters: {
			resource: 'notification',
			operation: 'send',
			recipients: { recipient: [{ type: 'IDNP', value: '={{ $json.idnp }}' }] },
			contentSource: 'text',
			subject: `=${SUBJECT_PREFIX}{{ $json.i }}`,
			...FIXED_TEXTS,
			priority: 'Low',
			options: {},
		},
		credentials: { mNotifyApi: credentials.mNotifyApi },
	}),
	/** (c) n8n's HTTP Request node with the SSL Certificates credential and the same body. */
	httpRequest: ({ credentials, sandboxUrl }) => ({
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.5,
		parameters: {
			method: 'POST',
			url: `${sandboxUrl}/api/notification`,
			provideSslCertificates: true,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: HTTP_JSON_BODY,
			// The default (autodetect) fails on MNotify's answer, a JSON-quoted UUID.
			options: { response: { response: { responseFormat: 'text' } } },
		},
		credentials: { httpSslAuth: credentials.httpSslAuth },
	}),
	/** (d) n8n's Set node evaluating the same two expressions: the engine's floor for them. */
	setFloor: () => ({
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{ id: 'idnp', name: 'idnp', value: '={{ $json.idnp }}', type: 'string' },
					{
						id: 'subject',
						name: 'subject',
						value: `=${SUBJECT_PREFIX}{{ $json.i }}`,
						type: 'string',
					},
				],
			},
			options: {},
		},
	}),
};

/** One request to the runner's probe (see probeEndpoint.mjs), once whatever the items. */
function probeNode(name, url, position) {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.5,
		position,
		executeOnce: true,
		parameters: { method: 'GET', url, options: {} },
	};
}

const link = (node) => ({ node, type: 'main', index: 0 });

const START = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export function benchWorkflow({ variant, count, credentials, sandboxUrl, probeUrl }) {
	const measured = MEASURED_NODES[variant]({ credentials, sandboxUrl });
	return {
		name: `bench ${variant} N=${count}`,
		nodes: [
			START,
			{
				name: 'Make items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: makeItemsCode(count) },
			},
			// A branch of its own, above the measured node: n8n (execution order v1) runs it first.
			probeNode('Probe before', `${probeUrl}/before`, [400, -200]),
			{ name: MEASURED, position: [400, 0], ...measured },
			probeNode('Probe after', `${probeUrl}/after`, [600, 0]),
		],
		connections: {
			Start: { main: [[link('Make items')]] },
			'Make items': { main: [[link('Probe before'), link(MEASURED)]] },
			[MEASURED]: { main: [[link('Probe after')]] },
		},
		settings: {},
	};
}

/**
 * Manual Trigger → No Operation. n8n keeps the data of the last execution it ran (any workflow's)
 * until the next one: running this after each measured run releases it before the heap is read.
 */
export function flushWorkflow() {
	return {
		name: 'bench flush',
		nodes: [
			START,
			{
				name: 'Nothing',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [200, 0],
				parameters: {},
			},
		],
		connections: { Start: { main: [[link('Nothing')]] } },
		settings: {},
	};
}
