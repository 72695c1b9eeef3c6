import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

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
 * One operation of the node. `prepare` reads and validates an item's parameters without any
 * network; `finish` may refine the outputs once all items ran (e.g. wait for delivery).
 */
export interface OperationModule {
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
	/** Checks that concern the whole run (e.g. agent guard rails), before any item is prepared. */
	beforeAll?(this: IExecuteFunctions, itemCount: number): Promise<void>;
	prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask>;
	/** Runs once every item's task has ended, also when the run is about to fail. */
	afterSends?(this: IExecuteFunctions): Promise<void>;
	finish?(this: IExecuteFunctions, outcomes: ItemOutcome[]): Promise<void>;
	/** How many items may run at once; Send exposes it as an option. */
	concurrency?(this: IExecuteFunctions): number;
}
