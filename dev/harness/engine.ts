/**
 * Runs workflow JSON through n8n's real execution engine (`WorkflowExecute` from n8n-core), with
 * our package loaded the way n8n loads community packages: from package.json's `n8n` block, i.e.
 * the built files in dist/. This follows n8n's own node test harness
 * (packages/@n8n/node-test-harness), minus vitest and nock. Used by the demo, tests and bench.
 */
import 'reflect-metadata';

import {
	Credentials,
	ExecutionLifecycleHooks,
	LazyPackageDirectoryLoader,
	LoadOptionsContext,
	PollContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INodeExecutionData,
	type INodeListSearchResult,
	type ResourceMapperFields,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { closeNodeLedgerPools, loadNodeClientCache } from './builtNode';
import { PACKAGE_DIRECTORY } from './packageDirectory';

export { PACKAGE_DIRECTORY };

// n8n-core keeps instance settings (an encryption key) in the user folder; keep runs out of ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'mnotify-engine-'));

/**
 * Stand-in for n8n-nodes-base's Manual Trigger (that package is not a dependency): it passes on
 * the items the run starts with, which is what the real one does in a manual run.
 */
class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const BUILT_IN_STAND_INS: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
};

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentialsByType: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return requestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<Credentials> {
		return new Credentials({ id: null, name: '' }, '', '');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const credentials = this.credentialsByType[type];
		if (!credentials) throw new Error(`No credentials of type ${type} were given to the test run`);
		return credentials;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties() {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}
}

export interface RunOptions {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Items the start node begins with (one empty item by default), binary data included. */
	startItems?: INodeExecutionData[];
}

export class WorkflowEngine {
	private readonly loader: LazyPackageDirectoryLoader;

	private loaded: Promise<void> | undefined;

	constructor(readonly packageDirectory = PACKAGE_DIRECTORY) {
		this.loader = new LazyPackageDirectoryLoader(this.packageDirectory);
	}

	private async ensureLoaded(): Promise<void> {
		this.loaded ??= this.loader.loadAll();
		await this.loaded;
	}

	private get nodeTypes(): INodeTypes {
		const { loader } = this;
		const packageName = loader.packageName;
		const resolve = (type: string): INodeType | IVersionedNodeType => {
			const standIn = BUILT_IN_STAND_INS[type];
			if (standIn) return standIn;
			// n8n offers a node marked usableAsTool to AI agents as "<name>Tool", running the same
			// execute(); tests use that type name to run the node as an agent would.
			const [typePackage, name] = type.replace(/Tool$/, '').split('.');
			if (typePackage !== packageName) throw new Error(`Unknown node type ${type}`);
			return loader.getNode(name).type;
		};
		return {
			getByName: resolve,
			getByNameAndVersion: (type: string, version?: number) => {
				const nodeType = resolve(type);
				return 'nodeVersions' in nodeType ? nodeType.getNodeType(version) : nodeType;
			},
			getKnownTypes: () => ({}),
		} as INodeTypes;
	}

	/**
	 * Closes the connection pools the MNotify node keeps for later executions, so a one-shot
	 * script can exit. They live in the built package the engine loaded.
	 */
	async closeConnections(): Promise<void> {
		await (await loadNodeClientCache()).closeAllClients();
		await closeNodeLedgerPools();
	}

	private async workflowFor(
		workflowJson: IWorkflowBase,
		staticData?: IDataObject,
	): Promise<Workflow> {
		await this.ensureLoaded();
		return new Workflow({
			id: workflowJson.id ?? 'test',
			name: workflowJson.name,
			nodes: workflowJson.nodes,
			connections: workflowJson.connections,
			nodeTypes: this.nodeTypes,
			settings: workflowJson.settings,
			staticData: staticData ?? workflowJson.staticData,
			active: false,
		});
	}

	/** Executes the workflow and resolves with n8n's run data once the engine reports the end. */
	async run(workflowJson: IWorkflowBase, options: RunOptions): Promise<IRun> {
		return await (
			await this.start(workflowJson, options)
		).finished;
	}

	/**
	 * Starts the workflow and hands back what n8n's Stop button acts on. n8n stops an execution by
	 * cancelling the PCancelable that `WorkflowExecute.processRunExecutionData` returns (see
	 * ActiveExecutions.stopExecution in the n8n package): the engine aborts the execution's cancel
	 * signal and reports the end at once (`finished`: what n8n saves), while the node that was
	 * running goes on until it returns (`settled`).
	 */
	async start(workflowJson: IWorkflowBase, options: RunOptions): Promise<RunningExecution> {
		const workflow = await this.workflowFor(workflowJson);
		const hooks = new ExecutionLifecycleHooks('manual', '1', workflowJson);
		let customDataAtFinish: Record<string, string> = {};
		const finished = new Promise<IRun>((resolve) => {
			hooks.addHandler('workflowExecuteAfter', (run) => {
				// What n8n would save now; the node running at a stop may still change it later.
				customDataAtFinish = { ...(run.data.resultData.metadata ?? {}) };
				resolve(run);
			});
		});
		const additionalData = stubAdditionalData({
			...baseAdditionalData(options.credentials),
			hooks,
		});

		const startNode = workflow.getStartNode();
		if (!startNode) throw new Error('The workflow has no start node');
		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [
					{
						node: startNode,
						data: { main: [options.startItems ?? [{ json: {} }]] },
						source: null,
					},
				],
			},
		});

		const execution = new WorkflowExecute(
			additionalData,
			'manual',
			runExecutionData,
		).processRunExecutionData(workflow);
		const settled = Promise.resolve(execution).then(() => undefined);
		return {
			finished,
			settled,
			stop: () => execution.cancel(),
			customData: async () => {
				await finished;
				return customDataAtFinish;
			},
		};
	}

	/**
	 * Polls a trigger node the way an active workflow does (n8n's PollContext in "trigger" mode)
	 * or as "Fetch Test Event" does ("manual"). Pass the static data returned by the previous
	 * poll to simulate the next one, or a restart of n8n. A poll that fails answers its error
	 * with the static data as the failed poll left it: n8n keeps the workflow, and so that data,
	 * in memory for the next poll.
	 */
	async poll(
		workflowJson: IWorkflowBase,
		nodeName: string,
		options: PollOptions,
	): Promise<{ items: INodeExecutionData[]; staticData: IDataObject; error?: Error }> {
		const workflow = await this.workflowFor(
			workflowJson,
			structuredClone(options.staticData ?? {}),
		);
		const node = workflow.getNode(nodeName);
		const nodeType = node && workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		if (!node || !nodeType?.poll) throw new Error(`${nodeName} is not a polling trigger`);
		const mode = options.mode ?? 'trigger';
		const context = new PollContext(
			workflow,
			node,
			stubAdditionalData(baseAdditionalData(options.credentials)),
			mode,
			mode === 'manual' ? 'manual' : 'activate',
		);
		const staticData = () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
		try {
			const result = await nodeType.poll.call(context);
			return { items: result?.[0] ?? [], staticData: staticData() };
		} catch (error) {
			return { items: [], staticData: staticData(), error: error as Error };
		}
	}

	/** The description of one of our nodes (default: MNotify), as n8n loaded it from dist/. */
	async nodeDescription(name = 'mNotify'): Promise<INodeType['description']> {
		await this.ensureLoaded();
		return (this.loader.getNode(name).type as INodeType).description;
	}

	/** The parameters of our credential type, as n8n loaded it from dist/. */
	async credentialProperties(name = 'mNotifyApi'): Promise<ICredentialType['properties']> {
		await this.ensureLoaded();
		return this.loader.getCredential(name).type.properties;
	}

	/**
	 * Calls a node's list search (a resource locator's "From List") the way the editor does, with
	 * n8n's LoadOptionsContext for the node named `nodeName`.
	 */
	async listSearch(
		workflowJson: IWorkflowBase,
		nodeName: string,
		method: string,
		options: { credentials: RunOptions['credentials']; filter?: string; paginationToken?: string },
	): Promise<INodeListSearchResult> {
		const { methods, context } = await this.loadOptions(workflowJson, nodeName, options);
		const search = methods?.listSearch?.[method];
		if (!search) throw new Error(`${nodeName} has no list search ${method}`);
		return await search.call(context, options.filter, options.paginationToken);
	}

	/** Calls a node's resource mapper method (the fields of a resourceMapper parameter). */
	async resourceMapping(
		workflowJson: IWorkflowBase,
		nodeName: string,
		method: string,
		options: { credentials: RunOptions['credentials'] },
	): Promise<ResourceMapperFields> {
		const { methods, context } = await this.loadOptions(workflowJson, nodeName, options);
		const mapping = methods?.resourceMapping?.[method];
		if (!mapping) throw new Error(`${nodeName} has no resource mapping ${method}`);
		return await mapping.call(context);
	}

	/** The node's methods and a LoadOptionsContext for it, as the editor's requests get them. */
	private async loadOptions(
		workflowJson: IWorkflowBase,
		nodeName: string,
		options: { credentials: RunOptions['credentials'] },
	) {
		const workflow = await this.workflowFor(workflowJson);
		const node = workflow.getNode(nodeName);
		if (!node) throw new Error(`The workflow has no node ${nodeName}`);
		const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const context = new LoadOptionsContext(
			workflow,
			node,
			stubAdditionalData(baseAdditionalData(options.credentials)),
			'parameters',
		);
		return { methods: nodeType.methods, context };
	}
}

export interface RunningExecution {
	/** The run as n8n reports (and saves) it: at the end, or at once after a stop. */
	finished: Promise<IRun>;
	/** Resolves when the engine itself is done, i.e. the node running at a stop has returned. */
	settled: Promise<void>;
	/** What n8n's Stop button does. */
	stop(): void;
	/** The execution's custom data as it was when the engine reported the end (n8n saves that). */
	customData(): Promise<Record<string, string>>;
}

export interface PollOptions {
	credentials: RunOptions['credentials'];
	staticData?: IDataObject;
	mode?: 'trigger' | 'manual';
}

function baseAdditionalData(credentials: RunOptions['credentials']): Record<string, unknown> {
	return {
		executionId: '1',
		credentialsHelper: new TestCredentialsHelper(credentials),
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		currentNodeParameters: undefined,
		parentCallbackManager: undefined,
		ssrfBridge: undefined,
		encryptedRunnerIdentity: undefined,
	};
}

/**
 * The engine reads many optional services from `additionalData`; like n8n's harness (which uses
 * a deep mock) every one we do not provide is a function that does nothing.
 */
function stubAdditionalData(values: Record<string, unknown>): IWorkflowExecuteAdditionalData {
	const doNothing = () => undefined;
	return new Proxy(values, {
		get: (target, property: string) => (property in target ? target[property] : doNothing),
		has: (target, property: string) => property in target,
	}) as unknown as IWorkflowExecuteAdditionalData;
}

/** Output items of a node's first run, or the error it stopped with. */
export function nodeOutput(run: IRun, nodeName: string): INodeExecutionData[] {
	const task = run.data.resultData.runData[nodeName]?.[0];
	if (!task) {
		const error = run.data.resultData.error;
		throw new Error(`Node "${nodeName}" did not run${error ? `: ${error.message}` : ''}`);
	}
	if (task.error) throw task.error;
	return task.data?.main?.[0] ?? [];
}
