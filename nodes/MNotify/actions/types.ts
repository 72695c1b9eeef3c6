import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import type { MNotifyConnection } from '../transport';
import type { NodeParameters } from './parameters';

/**
 * The work for one item, ready to run once every item has been validated. `checkBeforeSending`
 * is a second check that needs to read from MNotify (e.g. a template's placeholders): it runs once
 * every item passed its own validation, and still before anything is sent.
 */
export type ItemTask = (() => Promise<IDataObject | IDataObject[]>) & {
	checkBeforeSending?: () => Promise<void>;
};

export interface ItemOutcome {
	itemIndex: number;
	output?: IDataObject[];
	error?: NodeApiError | NodeOperationError;
	/**
	 * Fields of the output kept beside the error, e.g. the id of a notification that was sent but
	 * failed to be delivered.
	 */
	errorFields?: IDataObject;
	/** For operations that notify people: the item's notification went out, with this id if known. */
	sent?: { id?: string };
}

/**
 * One execution of an operation, set up once before any item is prepared: what concerns the whole
 * run (options, pace, ledger) lives here and is handed along, not looked up again per item.
 */
export interface OperationRun {
	/** Reads and validates one item's parameters without any network. */
	prepare(itemIndex: number): Promise<ItemTask>;
	/** How many items may run at once (the default: DEFAULT_CONCURRENCY). */
	readonly concurrency?: number;
	/** Runs once every item's task has ended, also when the run is about to fail. */
	afterSends?(): Promise<void>;
	/** May refine the outputs once all items ran (e.g. wait for delivery). */
	finish?(outcomes: ItemOutcome[]): Promise<void>;
}

/**
 * Reads and checks one item of an operation that needs no run of its own, and gives its work,
 * which makes its requests on the execution's connection.
 */
export type PrepareItem = (
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: NodeParameters,
	connection: MNotifyConnection,
) => Promise<ItemTask>;

/** What the router knows of the execution when it asks an operation for its run. */
export interface RunStart {
	itemCount: number;
	/** The node's parameters for this execution, each read once where it can be. */
	parameters: NodeParameters;
	/** The execution's connection to MNotify: the router releases it once the run is done. */
	connection: MNotifyConnection;
	/** An AI agent runs the node as a tool (the guard rails apply). */
	asAgentTool: boolean;
}

interface OperationBase {
	description: INodeProperties[];
	/**
	 * The operation notifies people: a run that stops part-way must say which items went out, so
	 * nobody is notified twice by a careless re-run.
	 */
	notifiesPeople?: boolean;
	/**
	 * The operation changes something at MNotify, in words for messages ("cancel a notification"):
	 * an AI agent may then run it in Production only when the author allowed it (agentGuard.ts).
	 */
	writes?: string;
}

/**
 * One operation of the node: either each item on its own (`prepare`), or a run set up once per
 * execution (`startRun`, which may refuse the whole run, e.g. by the agent guard rails).
 */
export type OperationModule = OperationBase &
	(
		| { prepare: PrepareItem }
		| { startRun(this: IExecuteFunctions, start: RunStart): Promise<OperationRun> }
	);
