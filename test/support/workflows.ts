import type { IDataObject, INode, INodeExecutionData, IRun, IWorkflowBase } from 'n8n-workflow';

import { nodeOutput, WorkflowEngine } from '../../dev/harness/engine';

export const NODE_TYPE = 'n8n-nodes-mnotify.mNotify';
const CREDENTIAL_REFERENCE = { mNotifyApi: { id: 'test-credential', name: 'MNotify test' } };

export interface StepDefinition {
	name: string;
	parameters: IDataObject;
	/** n8n's "On Error" setting: 'continueRegularOutput' is Continue On Fail. */
	onError?: INode['onError'];
	/** The saved credential's id; every step shares one unless told otherwise. */
	credentialId?: string;
	/** Run as an AI agent's tool ("…Tool", as n8n names it) instead of a workflow step. */
	asAgentTool?: boolean;
	/** The node version the workflow was saved with (1 unless told otherwise). */
	typeVersion?: number;
}

/** A linear workflow: Manual Trigger → step 1 → step 2 → … with the MNotify node in each step. */
export function linearWorkflow(steps: StepDefinition[]): IWorkflowBase {
	const nodes: INode[] = [
		{
			id: 'trigger',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		...steps.map((step, index): INode => ({
			id: `step-${index}`,
			name: step.name,
			type: step.asAgentTool ? `${NODE_TYPE}Tool` : NODE_TYPE,
			typeVersion: step.typeVersion ?? 1,
			position: [200 * (index + 1), 0],
			parameters: step.parameters as INode['parameters'],
			credentials: step.credentialId
				? { mNotifyApi: { id: step.credentialId, name: step.credentialId } }
				: CREDENTIAL_REFERENCE,
			...(step.onError ? { onError: step.onError } : {}),
		})),
	];
	const names = nodes.map((node) => node.name);
	const connections: IWorkflowBase['connections'] = {};
	for (let index = 0; index < names.length - 1; index++) {
		connections[names[index]] = {
			main: [[{ node: names[index + 1], type: 'main', index: 0 }]],
		};
	}
	return {
		id: 'test-workflow',
		name: 'test',
		nodes,
		connections,
		active: false,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}

/** A workflow with only the MNotify Trigger, named "MNotify Trigger", with these parameters. */
export function triggerWorkflow(
	parameters: IDataObject,
	credentialId = CREDENTIAL_REFERENCE.mNotifyApi.id,
	typeVersion = 1,
): IWorkflowBase {
	return {
		id: `trigger-${credentialId}`,
		name: 'MNotify Trigger test',
		nodes: [
			{
				id: 't1',
				name: 'MNotify Trigger',
				type: 'n8n-nodes-mnotify.mNotifyTrigger',
				typeVersion,
				position: [0, 0],
				parameters: parameters as INode['parameters'],
				credentials: { mNotifyApi: { ...CREDENTIAL_REFERENCE.mNotifyApi, id: credentialId } },
			},
		],
		connections: {},
		active: false,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
}

let sharedEngine: WorkflowEngine | undefined;

export function engine(): WorkflowEngine {
	sharedEngine ??= new WorkflowEngine();
	return sharedEngine;
}

export async function runSteps(
	steps: StepDefinition[],
	credentials: Record<string, string>,
	startItems?: INodeExecutionData[],
): Promise<IRun> {
	return await engine().run(linearWorkflow(steps), {
		credentials: { mNotifyApi: credentials },
		startItems,
	});
}

/** Runs one MNotify node and returns its output items (throws the node's error if it failed). */
export async function runNode(
	parameters: IDataObject,
	credentials: Record<string, string>,
	options: { startItems?: INodeExecutionData[]; onError?: INode['onError'] } = {},
): Promise<INodeExecutionData[]> {
	const run = await runSteps(
		[{ name: 'MNotify', parameters, onError: options.onError }],
		credentials,
		options.startItems,
	);
	return nodeOutput(run, 'MNotify');
}

/** The error a node stopped the workflow with. */
export async function runNodeExpectingError(
	parameters: IDataObject,
	credentials: Record<string, string>,
	startItems?: INodeExecutionData[],
): Promise<{ message: string; description: string; itemIndex?: number; httpCode?: string }> {
	const run = await runSteps([{ name: 'MNotify', parameters }], credentials, startItems);
	const error = run.data.resultData.runData.MNotify?.[0]?.error ?? run.data.resultData.error;
	if (!error) throw new Error('The node was expected to fail but it succeeded');
	const details = error as unknown as {
		message: string;
		description?: string;
		context?: { itemIndex?: number };
		httpCode?: string;
	};
	return {
		message: details.message,
		description: details.description ?? '',
		itemIndex: details.context?.itemIndex,
		httpCode: details.httpCode,
	};
}

export function items(count: number, make: (index: number) => IDataObject): INodeExecutionData[] {
	return Array.from({ length: count }, (_, index) => ({ json: make(index) }));
}

/** Parameters of a Send with the usual Romanian texts and the given recipients. */
export function sendParameters(
	recipients: Array<{ type: string; value: string }>,
	overrides: IDataObject = {},
): IDataObject {
	return {
		resource: 'notification',
		operation: 'send',
		recipients: { recipient: recipients },
		subject: 'Aviz de plată',
		body: '<p>Aveți o plată scadentă.</p>',
		shortBody: 'Aveți o plată scadentă.',
		priority: 'Low',
		...overrides,
	};
}

/** Parameters of Template → Create with every field MNotify requires (name, description, texts). */
export function templateParameters(overrides: IDataObject = {}): IDataObject {
	return {
		resource: 'template',
		operation: 'create',
		name: 'Aviz',
		description: 'Aviz de test',
		subject: 'Aviz',
		body: 'Corp',
		shortBody: 'Scurt',
		...overrides,
	};
}
