import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, runWithConcurrency } from '../helpers/pacing';
import { describeValue, InputError, isPlainObject } from '../helpers/checks';
import { MNotifyConnection } from '../transport';
import { checkAgentWrite } from './agentGuard';
import { NodeParameters } from './parameters';
import * as notification from './notification/Notification.resource';
import { recordStoppedRun, tallySends, withSendReport } from './sendReport';
import * as template from './template/Template.resource';
import type { ItemOutcome, ItemTask, OperationModule, OperationRun, RunStart } from './types';

const RESOURCES: Record<string, Record<string, OperationModule>> = {
	notification: notification.operations,
	template: template.operations,
};

/**
 * Runs the chosen operation for every input item in two phases: first every item is validated
 * (on its own without network, then with the reads some checks need, such as a template's
 * placeholders), so bad input stops the run before anything is sent; then the requests run with
 * bounded concurrency. Outputs keep the input order and point back at their items. n8n's Stop
 * (the execution's cancel signal) starts no further item.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const connection = new MNotifyConnection(this);
	try {
		return await runOperation.call(this, connection);
	} finally {
		connection.release();
	}
}

async function runOperation(
	this: IExecuteFunctions,
	connection: MNotifyConnection,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = RESOURCES[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	const continueOnFail = this.continueOnFail();
	// n8n runs a node used by an AI agent as a tool under the node type name plus "Tool".
	const asAgentTool = this.getNode().type.endsWith('Tool');
	const parameters = new NodeParameters(this);
	let run: OperationRun;
	try {
		if (operation.writes && asAgentTool)
			await checkAgentWrite.call(this, operation.writes, parameters);
		run = await startRun.call(this, operation, {
			itemCount: items.length,
			asAgentTool,
			parameters,
			connection,
		});
	} catch (error) {
		// About the whole run (e.g. the agent guard rails): no item to name.
		throw toNodeError.call(this, error, undefined);
	}

	const outcomes: ItemOutcome[] = items.map((_, itemIndex) => ({ itemIndex }));
	const tasks: Array<ItemTask | undefined> = [];
	const failBeforeSending = (itemIndex: number, error: unknown) => {
		const nodeError = toNodeError.call(this, error, itemIndex);
		if (!continueOnFail) throw nodeError;
		tasks[itemIndex] = undefined;
		outcomes[itemIndex].error = nodeError;
	};
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			tasks[itemIndex] = await run.prepare(itemIndex);
		} catch (error) {
			failBeforeSending(itemIndex, error);
		}
	}
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			await tasks[itemIndex]?.checkBeforeSending?.();
		} catch (error) {
			failBeforeSending(itemIndex, error);
		}
	}

	const stopSignal = this.getExecutionCancelSignal?.();
	const running = new Set<number>();
	const notifiesPeople = operation.notifiesPeople === true;
	if (notifiesPeople) {
		this.onExecutionCancellation?.(() => recordStoppedRun(this, tallySends(outcomes, running)));
	}
	const concurrency = run.concurrency ?? DEFAULT_CONCURRENCY;
	await runWithConcurrency(tasks.length, concurrency, async (itemIndex) => {
		if (stopSignal?.aborted) return false;
		const task = tasks[itemIndex];
		if (!task) return true;
		// Let the task (its validated request) go once it runs: n8n keeps the cancellation
		// handler above, and with it this function's variables, until the execution ends.
		tasks[itemIndex] = undefined;
		const outcome = outcomes[itemIndex];
		running.add(itemIndex);
		try {
			outcome.output = checkedOutput.call(this, await task(), itemIndex);
			// A dry run or a skipped item outputs `sent: false`: nothing went out.
			if (notifiesPeople && outcome.output[0]?.sent !== false)
				outcome.sent = { id: idOf(outcome.output[0]) };
			return true;
		} catch (error) {
			outcome.error = toNodeError.call(this, error, itemIndex);
			return continueOnFail;
		} finally {
			running.delete(itemIndex);
			if (notifiesPeople && stopSignal?.aborted) {
				const late = `finished item ${itemIndex} after the stop (${outcome.sent ? `sent: ${outcome.sent.id ?? 'id not returned'}` : 'not sent or unknown'})`;
				recordStoppedRun(this, tallySends(outcomes, running), late);
			}
		}
	});
	await run.afterSends?.();
	// n8n keeps no output of a stopped execution: what was sent is in its custom data and log.
	if (stopSignal?.aborted) return [[]];

	stopOnFailure(outcomes, continueOnFail, notifiesPeople);
	await run.finish?.(outcomes);
	stopOnFailure(outcomes, continueOnFail, notifiesPeople);

	const toErrorOutput = this.getNode().onError === 'continueErrorOutput';
	const returnData: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		const pairedItem = { item: outcome.itemIndex };
		if (outcome.error) {
			const input = items[outcome.itemIndex]?.json ?? {};
			returnData.push({ json: errorJson(outcome, toErrorOutput, input), pairedItem });
			continue;
		}
		for (const json of outcome.output ?? []) returnData.push({ json, pairedItem });
	}
	return [returnData];
}

/** Without Continue On Fail, the first failing item stops the run, naming what went out. */
function stopOnFailure(outcomes: ItemOutcome[], continueOnFail: boolean, notifiesPeople: boolean) {
	const firstFailure = outcomes.find((outcome) => outcome.error);
	if (continueOnFail || !firstFailure?.error) return;
	throw notifiesPeople
		? withSendReport(firstFailure.error, tallySends(outcomes, new Set()))
		: firstFailure.error;
}

/** The operation's run for this execution: its own, or each item prepared on its own. */
async function startRun(
	this: IExecuteFunctions,
	operation: OperationModule,
	start: RunStart,
): Promise<OperationRun> {
	if ('startRun' in operation) return await operation.startRun.call(this, start);
	return {
		prepare: async (itemIndex) =>
			await operation.prepare.call(this, itemIndex, start.parameters, start.connection),
	};
}

/** n8n needs an object as each item's JSON: an answer of another shape fails its item clearly. */
function checkedOutput(
	this: IExecuteFunctions,
	result: IDataObject | IDataObject[],
	itemIndex: number,
): IDataObject[] {
	const outputs: unknown[] = Array.isArray(result) ? result : [result];
	const wrong = outputs.findIndex((json) => !isPlainObject(json));
	if (wrong !== -1) {
		throw new NodeOperationError(
			this.getNode(),
			`MNotify answered with ${describeValue(outputs[wrong])} where an object was expected`,
			{
				description:
					'This is not an answer MNotify gives: check that the credential points at the MNotify API. Nothing was output for this item.',
				itemIndex,
			},
		);
	}
	return outputs as IDataObject[];
}

function idOf(json: IDataObject | undefined): string | undefined {
	return typeof json?.id === 'string' ? json.id : undefined;
}

/** n8n's own way of naming an item in a message: " [item 0]", counted from 0 as in $itemIndex. */
function withItemNumber(message: string, itemIndex: number | undefined): string {
	if (itemIndex === undefined || message.includes('[item ')) return message;
	return `${message} [item ${itemIndex}]`;
}

function toNodeError(
	this: IExecuteFunctions,
	error: unknown,
	itemIndex: number | undefined,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		const index = error.context.itemIndex;
		error.message = withItemNumber(error.message, typeof index === 'number' ? index : itemIndex);
		return error;
	}
	if (error instanceof InputError) {
		return new NodeOperationError(this.getNode(), withItemNumber(error.message, itemIndex), {
			description: `${error.hint} Field: ${error.field}.`,
			itemIndex,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(this.getNode(), withItemNumber(message, itemIndex), {
		itemIndex,
	});
}

/**
 * An item's error as output JSON. On the regular output ("Continue") it has the input item's
 * fields (so the item still says whom it was for), the message, the explanation and the HTTP
 * code. On the error output n8n routes an item by its JSON only when
 * it holds nothing but `error` and `message` (n8n 1.x; 2.x also allows `details`), and then puts
 * the input item's fields under it, so the failed branch knows who failed. (An item carrying
 * `error` itself would have its JSON replaced by the bare message: see n8n-core's
 * WorkflowExecute.handleNodeErrorOutput and normalizeNodeErrors.)
 */
function errorJson(outcome: ItemOutcome, toErrorOutput: boolean, input: IDataObject): IDataObject {
	const error = outcome.error!;
	const httpCode = error instanceof NodeApiError ? error.httpCode : undefined;
	if (toErrorOutput) {
		const explanation = [error.description, httpCode ? `HTTP status ${httpCode}.` : '']
			.filter(Boolean)
			.join(' ');
		return { error: error.message, message: explanation || error.message };
	}
	return {
		...input,
		...(outcome.errorFields ?? {}),
		error: error.message,
		...(error.description ? { description: error.description } : {}),
		...(httpCode ? { httpCode } : {}),
	};
}
