import {
	generateZodSchema,
	traverseNodeParameters,
	type FromAIArgument,
	type IDataObject,
	type IWorkflowBase,
} from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { useSandbox } from '../support/sandbox';
import { engine, linearWorkflow, sendParameters } from '../support/workflows';

/** A Send whose fields an AI agent fills in through $fromAI(), as in an agent's tool node. */
const agentParameters: IDataObject = sendParameters(
	[
		{
			type: 'IDNP',
			value: "={{ $fromAI('idnp', 'The citizen\\'s 13-digit IDNP', 'string') }}",
		},
	],
	{
		subject: "={{ $fromAI('subject', 'Subject in Romanian, at most 41 characters', 'string') }}",
		body: "={{ $fromAI('body', 'Message in Romanian', 'string') }}",
		shortBody:
			"={{ $fromAI('shortBody', 'SMS text in Romanian, at most 160 characters', 'string') }}",
	},
);

/** The node as an agent's tool: n8n names it "<node>Tool". */
function toolWorkflow(parameters: IDataObject): IWorkflowBase {
	const workflow = linearWorkflow([{ name: 'MNotify Tool', parameters }]);
	workflow.nodes[1].type = 'n8n-nodes-mnotify.mNotifyTool';
	return workflow;
}

const agentCall = {
	idnp: '2000000000000',
	subject: 'Programare confirmată',
	body: 'Programarea la ASP este confirmată.',
	shortBody: 'Programare ASP confirmată.',
};

describe('MNotify as an AI agent tool', () => {
	const fixture = useSandbox();

	it('exposes its $fromAI() fields as a tool schema with their descriptions', () => {
		const collected: FromAIArgument[] = [];
		traverseNodeParameters(agentParameters, collected);
		const schema = Object.fromEntries(
			collected.map((argument) => [argument.key, generateZodSchema(argument).description]),
		);
		expect(schema).toEqual({
			idnp: "The citizen's 13-digit IDNP",
			subject: 'Subject in Romanian, at most 41 characters',
			body: 'Message in Romanian',
			shortBody: 'SMS text in Romanian, at most 160 characters',
		});
	});

	it("resolves the parameters from the agent's inputs and sends once", async () => {
		const run = await engine().run(toolWorkflow(agentParameters), {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: [{ json: agentCall }],
		});
		const [sent] = nodeOutput(run, 'MNotify Tool');
		const stored = fixture.sandbox.notifications().find((record) => record.id === sent.json.id);
		expect(stored?.request).toMatchObject({
			recipients: [{ type: 'IDNP', value: agentCall.idnp }],
			subject: { ro: agentCall.subject },
			bodyShort: { ro: agentCall.shortBody },
		});
	});

	it('still validates what the agent gives: a 12-digit IDNP is refused before sending', async () => {
		const before = fixture.sandbox.stats.requests;
		const run = await engine().run(toolWorkflow(agentParameters), {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: [{ json: { ...agentCall, idnp: '200000000000' } }],
		});
		expect(run.data.resultData.error?.message).toMatch(/not a valid IDNP/);
		expect(fixture.sandbox.stats.requests).toBe(before);
	});

	it('refuses Production sends from an agent unless the author opted in', async () => {
		const production = { ...fixture.credentials, environment: 'production' };
		const refused = await engine().run(toolWorkflow(agentParameters), {
			credentials: { mNotifyApi: production },
			startItems: [{ json: agentCall }],
		});
		expect(refused.data.resultData.error?.message).toBe(
			'An AI agent tried to send a notification with a Production credential',
		);
	});

	it('caps how many recipients one agent call may notify', async () => {
		const before = fixture.sandbox.stats.requests;
		const many = sendParameters(
			Array.from({ length: 3 }, (_, index) => ({ type: 'IDNP', value: `200000000000${index}` })),
			{ options: { maxRecipientsPerAgentCall: 2 } },
		);
		const run = await engine().run(toolWorkflow(many), {
			credentials: { mNotifyApi: fixture.credentials },
		});
		expect(run.data.resultData.error?.message).toBe(
			'An AI agent tried to notify 3 recipients in one call; the limit is 2',
		);
		expect(fixture.sandbox.stats.requests).toBe(before);

		// The same node in a normal workflow step is not capped.
		const normal = await engine().run(linearWorkflow([{ name: 'MNotify', parameters: many }]), {
			credentials: { mNotifyApi: fixture.credentials },
		});
		expect(nodeOutput(normal, 'MNotify')).toHaveLength(1);
	});

	it('counts recipients read from input fields too (a list field is many people)', async () => {
		const before = fixture.sandbox.stats.requests;
		const fromFields = sendParameters([], {
			recipientsMode: 'fields',
			recipientFields: { field: [{ type: 'IDNP', name: 'idnps' }] },
		});
		const run = await engine().run(toolWorkflow(fromFields), {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: [
				{
					json: { idnps: Array.from({ length: 11 }, (_, index) => String(2000000000100 + index)) },
				},
			],
		});
		expect(run.data.resultData.error?.message).toBe(
			'An AI agent tried to notify 11 recipients in one call; the limit is 10',
		);
		expect(fixture.sandbox.stats.requests).toBe(before);
	});
});
